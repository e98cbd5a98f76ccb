"""The scoring form when the disk holding the workspace fills up (issue #8, item 2).

The disk is made full for real, inside SQLite: ``PRAGMA max_page_count`` set to the
database's current size makes the next write that needs a new page fail with
SQLITE_FULL, exactly as a full disk does. The expert keeps typing; the first value that
does not fit must stay on screen marked unsaved, with a message saying what to do,
while neither its score row nor its audit row is written; once there is room again,
pressing Enter (or leaving the text) saves it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from cmrc_desktop.domain.workspace import SheetState
from cmrc_desktop.services import declarations, scoring
from cmrc_desktop.storage import audit, expert_repo, score_repo
from cmrc_desktop.ui.prompts import RecordingPrompts
from cmrc_desktop.ui.scoring_form import ScoringForm

PLENTY = 1_000_000   # pages: room again


@pytest.fixture
def form(qtbot, expert_ws):
    """A form on a draft sheet of the demo's first expert (the demo signs every sheet)."""
    ws = expert_ws
    expert = ws.batch.owner_expert_id
    centre = expert_repo.list_assignments(ws.db, expert_id=expert)[0][1]
    scoring.set_sheet_state(ws, expert, centre, SheetState.DRAFT)
    if declarations.find_declaration(ws, expert, centre) is None:
        declarations.record_declaration(ws, expert, centre, no_conflict=True,
                                        integrity_concern=False)
    form = ScoringForm(ws, expert, centre, prompts=RecordingPrompts())
    qtbot.addWidget(form)
    form.resize(1280, 860)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    assert form.is_unlocked and not form.read_only
    yield form
    form.close()


def set_max_pages(form: ScoringForm, pages: int | None = None) -> None:
    """Cap the database at ``pages`` (default: its size now, i.e. the disk is full)."""
    conn = form.ws.db.conn
    if pages is None:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    conn.execute(f"PRAGMA max_page_count = {pages}")


def insert_text(widget, text: str) -> None:
    """Type ``text`` in one key event (a long comment or opinion, pasted)."""
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                 Qt.KeyboardModifier.NoModifier, text))


def enter_score(qtbot, form: ScoringForm, indicator: str, value: Decimal) -> None:
    edit = form.score_edit(indicator)
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, str(value))
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def db_score(form: ScoringForm, indicator: str):
    found = score_repo.find_score(form.ws.db, form.expert_id, form.centre_id, indicator)
    return found.value if found else None


def audit_count(form: ScoringForm) -> int:
    return len(audit.entries(form.ws.db))


def test_a_score_typed_on_a_full_disk_stays_unsaved_and_enter_saves_it_later(form, qtbot):
    failures: list[str] = []
    form.save_failed.connect(failures.append)
    set_max_pages(form)
    indicator = "A1"
    row = form.row(indicator)
    # the expert keeps changing A1; every change is a score row and an audit row, so the
    # last free bytes of the last page go within a few dozen writes
    for k in range(300):
        before_value, before_audit = db_score(form, indicator), audit_count(form)
        value = Decimal(k % 12) / 2
        if value == before_value:
            continue
        enter_score(qtbot, form, indicator, value)
        if failures:
            break
    else:
        pytest.fail("the database never filled up")

    # on screen: the value typed, marked not saved, with what happened and what to do
    [message] = failures
    assert form.score_edit(indicator).text() == str(value)
    assert "Not saved" in row.saved_label.text()
    assert row.message_label.isVisible() and row.message_label.text() == message
    assert "disk" in message and "full" in message
    assert "free some space" in message and "press Enter" in message
    assert "OperationalError" not in message and "internal error" not in message
    assert not form.all_saved() and "Not saved" in form.ui.save_state_label.text()
    assert form.focusWidget() is form.score_edit(indicator)      # it did not move on
    # in the database: nothing of it, neither the score nor its audit row
    assert db_score(form, indicator) == before_value
    assert audit_count(form) == before_audit
    assert form.ws.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # room again: Enter in the field saves the value still shown, and the mark goes
    set_max_pages(form, PLENTY)
    form.score_edit(indicator).setFocus()
    with qtbot.waitSignal(form.score_saved):
        qtbot.keyClick(form.score_edit(indicator), Qt.Key.Key_Return)
    assert db_score(form, indicator) == value
    assert audit_count(form) == before_audit + 1
    [entry] = audit.entries(form.ws.db, action="score.set", centre_id=form.centre_id)[-1:]
    assert (entry.entity, entry.new) == (f"score:{indicator}", str(value))
    assert row.saved_label.text().endswith("Saved") and not row.message_label.isVisible()
    assert form.all_saved() and "All changes saved" in form.ui.save_state_label.text()


def test_a_comment_written_on_a_full_disk_stays_unsaved_and_enter_saves_it(form, qtbot):
    set_max_pages(form)
    indicator = "A2"
    row = form.row(indicator)
    comment = form.comment_edit(indicator)
    before = audit_count(form)
    text = "现场核查记录：" * 400          # longer than a page: it needs a new one
    comment.setFocus()
    insert_text(comment, text)
    with qtbot.waitSignal(form.save_failed) as failed:
        qtbot.keyClick(comment, Qt.Key.Key_Return)
    assert "full" in failed.args[0] and "press Enter" in failed.args[0]
    assert comment.text() == text and row.message_label.text() == failed.args[0]
    assert not form.all_saved()
    found = score_repo.find_score(form.ws.db, form.expert_id, form.centre_id, indicator)
    assert found is None or found.comment != text
    assert audit_count(form) == before

    set_max_pages(form, PLENTY)
    comment.setFocus()
    qtbot.keyClick(comment, Qt.Key.Key_Return)
    found = score_repo.find_score(form.ws.db, form.expert_id, form.centre_id, indicator)
    assert found.comment == text and audit_count(form) == before + 1
    assert not row.message_label.isVisible() and form.all_saved()


def test_the_opinion_written_on_a_full_disk_stays_unsaved_and_is_saved_later(form, qtbot):
    set_max_pages(form)
    problems = form.opinion_edit("problems")
    label = form.ui.opinion_state_label
    old = score_repo.find_opinion(form.ws.db, form.expert_id, form.centre_id)
    before = audit_count(form)
    text = "经费使用台账不完整，部分支出缺少凭证。" * 200
    problems.setFocus()
    problems.selectAll()
    insert_text(problems, text)
    with qtbot.waitSignal(form.save_failed) as failed:
        qtbot.keyClick(problems, Qt.Key.Key_Tab)                # leaving it saves it
    message = failed.args[0]
    assert "full" in message and "free some space" in message
    assert problems.toPlainText() == text
    assert label.isVisible() and message in label.text()
    assert not form.all_saved()
    now = score_repo.find_opinion(form.ws.db, form.expert_id, form.centre_id)
    assert now == old and audit_count(form) == before

    set_max_pages(form, PLENTY)
    problems.setFocus()
    qtbot.keyClick(problems, Qt.Key.Key_Tab)
    assert score_repo.find_opinion(form.ws.db, form.expert_id,
                                   form.centre_id).problems == text
    assert audit_count(form) == before + 1
    assert [e.action for e in audit.entries(form.ws.db)][-1] == "opinion.set"
    assert label.text().endswith("Saved") and form.all_saved()
