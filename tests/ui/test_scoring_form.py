"""The expert's scoring form: the declarations that unlock it, a whole sheet filled by
keyboard only, refused values, full-width digits, undo / redo through the database,
comments and the opinion, the read-only states and reopening, the dossier documents,
and the Chinese screenshot."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QValidator
from PySide6.QtWidgets import QApplication

from cmrc_desktop import i18n
from cmrc_desktop.domain.errors import InputError, NotFoundError
from cmrc_desktop.domain.workspace import SheetState
from cmrc_desktop.services import declarations, dossiers, scoring
from cmrc_desktop.services.packages import export_package, import_package
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.storage import audit, expert_repo, score_repo, signing_repo
from cmrc_desktop.ui.prompts import RecordingPrompts
from cmrc_desktop.ui.scoring_form import ScoreValidator, ScoringForm
from cmrc_desktop.ui.scoring_form.documents import PdfViewerDialog
from tests.ui.conftest import DEMO_PASSWORD, copy_workspace

EXPERT = "E01"


# -- fixtures ---------------------------------------------------------------------------
def _write_pdf(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, "Annual report 2025 (test)")
    pdf.showPage()
    pdf.drawString(72, 720, "Page two")
    pdf.save()
    return path


@pytest.fixture(scope="module")
def fresh_expert(demo_dir, tmp_path_factory) -> tuple[Path, str]:
    """A never-scored expert workspace (closed) whose first centre has a PDF and a text
    document in its dossier: the demo's secretary adds them and exports a new package."""
    base = tmp_path_factory.mktemp("scoring_form")
    secretary = copy_workspace(demo_dir / "secretary", base / "secretary")
    with open_workspace(secretary) as sec:
        centre = expert_repo.list_assignments(sec.db, expert_id=EXPERT)[0][1]
        dossiers.add_document(sec, centre, "annual_report", _write_pdf(base / "report.pdf"),
                              title="2025年度报告")
        notes = base / "自评报告.txt"
        notes.write_text("自评报告（测试）\n", encoding="utf-8")
        dossiers.add_document(sec, centre, "self_evaluation", notes)
        package = export_package(sec, EXPERT, base, DEMO_PASSWORD)
    ws = import_package(base / "template", package.path, package.one_time_password,
                        DEMO_PASSWORD)
    ws.close()
    return base / "template", centre


@pytest.fixture
def sheet(fresh_expert, tmp_path):
    """(ws, centre) on a fresh copy of the never-scored expert workspace."""
    folder, centre = fresh_expert
    ws = open_workspace(copy_workspace(folder, tmp_path / "expert"))
    yield ws, centre
    ws.close()


@pytest.fixture
def make_form(qtbot, sheet):
    made = []

    def make(*, declare: bool = True, ws=None, centre=None, **options) -> ScoringForm:
        ws = ws or sheet[0]
        centre = centre or sheet[1]
        expert = ws.batch.owner_expert_id
        if declare:
            declarations.record_declaration(ws, expert, centre, no_conflict=True,
                                            integrity_concern=False)
        options.setdefault("prompts", RecordingPrompts())
        form = ScoringForm(ws, expert, centre, **options)
        qtbot.addWidget(form)
        form.resize(1280, 860)
        form.show()
        qtbot.waitExposed(form)
        form.activateWindow()
        qtbot.waitUntil(form.isActiveWindow)
        made.append(form)
        return form

    yield make
    for form in made:   # before the workspace closes
        form.close()


def focused():
    return QApplication.focusWidget()


def type_text(widget, text: str) -> None:
    """Type any text (Chinese, full-width digits) as key events with text per character:
    ``qtbot.keyClicks`` only knows keys that have a key code."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                     Qt.KeyboardModifier.NoModifier, char))


def stored(ws, centre) -> dict[str, Decimal | None]:
    return {s.indicator: s.value for s in score_repo.list_scores(
        ws.db, expert_id=ws.batch.owner_expert_id, centre_id=centre)}


def score_rows(ws) -> int:
    return len(audit.entries(ws.db, action="score.set"))


# -- declarations -----------------------------------------------------------------------
def test_declarations_lock_the_form_until_answered(make_form, sheet, qtbot):
    ws, centre = sheet
    form = make_form(declare=False)
    ui = form.ui
    assert ui.stack.currentWidget() is ui.declarations_page and not form.is_unlocked
    assert not ui.declare_button.isEnabled()
    ui.conflict_check.setChecked(True)
    assert not ui.declare_button.isEnabled()            # integrity not answered yet
    ui.integrity_yes_radio.setChecked(True)
    assert ui.integrity_note_edit.isVisible() and not ui.declare_button.isEnabled()
    type_text(ui.integrity_note_edit, "年度报告数据与附件不一致")
    assert ui.declare_button.isEnabled()
    with qtbot.waitSignal(form.unlocked):
        qtbot.mouseClick(ui.declare_button, Qt.MouseButton.LeftButton)
    assert ui.stack.currentWidget() is ui.scoring_page and form.is_unlocked
    assert focused() is form.score_edit("A1")
    [row] = audit.entries(ws.db, action="sheet.declare", centre_id=centre)
    assert row.extra == {"no_conflict": True, "integrity_concern": True,
                         "note": "年度报告数据与附件不一致"}
    assert row.expert_id == EXPERT and row.actor

    again = make_form(declare=False)                    # remembered: read back from the log
    assert again.is_unlocked and again.ui.stack.currentWidget() is again.ui.scoring_page
    assert "breach reported" in again._integrity_value.text()


def test_declaring_by_keyboard_only(make_form, qtbot):
    form = make_form(declare=False)
    assert focused() is form.ui.conflict_check
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.ui.integrity_no_radio
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.ui.declare_button
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    assert form.is_unlocked and focused() is form.score_edit("A1")


def test_declaration_service_refuses_what_cannot_unlock(sheet):
    ws, centre = sheet
    with pytest.raises(InputError, match="no conflict of interest"):
        declarations.record_declaration(ws, EXPERT, centre, no_conflict=False,
                                        integrity_concern=False)
    with pytest.raises(InputError, match="describe"):
        declarations.record_declaration(ws, EXPERT, centre, no_conflict=True,
                                        integrity_concern=True, note="  ")
    with pytest.raises(NotFoundError, match="C999"):
        declarations.record_declaration(ws, EXPERT, "C999", no_conflict=True,
                                        integrity_concern=False)
    assert declarations.find_declaration(ws, EXPERT, centre) is None
    assert audit.entries(ws.db, action="sheet.declare") == []


# -- the whole form by keyboard ---------------------------------------------------------
def test_fill_the_whole_form_by_keyboard_only(make_form, sheet, qtbot):
    ws, centre = sheet
    form = make_form()
    indicators = ws.scheme.expert_indicators
    expected: dict[str, Decimal] = {}
    seen = []
    form.completeness_changed.connect(lambda done, total: seen.append((done, total)))
    saved = []
    form.score_saved.connect(saved.append)
    for k, indicator in enumerate(indicators):
        value = indicator.max - indicator.step * (k % 4)
        expected[indicator.id] = value
        score = focused()
        assert score is form.score_edit(indicator.id), indicator.id
        qtbot.keyClicks(score, str(value))
        # Enter on even rows, Tab on odd rows: both commit and move to the comment
        qtbot.keyClick(score, Qt.Key.Key_Return if k % 2 == 0 else Qt.Key.Key_Tab)
        comment = focused()
        assert comment is form.comment_edit(indicator.id), indicator.id
        if k % 5 == 0:
            qtbot.keyClicks(comment, f"checked {indicator.id}")
            qtbot.keyClick(comment, Qt.Key.Key_Return)       # saves and moves on
        elif k == 3:
            type_text(comment, "现场核实无误")
            qtbot.keyClick(comment, Qt.Key.Key_Tab)
        else:
            qtbot.keyClick(comment, Qt.Key.Key_Tab)
    assert focused() is form.opinion_edit("achievements")
    type_text(focused(), "平台建设扎实")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.opinion_edit("problems")

    assert stored(ws, centre) == expected
    total = sum(expected.values(), Decimal(0))
    assert form.total() == total
    assert form.ui.total_label.text() == f"Total {total.normalize():f} / 100"
    assert form.ui.completeness_label.text() == f"{len(indicators)} / {len(indicators)} scored"
    assert seen[-1] == (len(indicators), len(indicators)) and len(seen) == len(indicators)
    for dimension_id, header in form._headers.items():
        subtotal = sum((v for i, v in expected.items()
                        if ws.scheme.indicator(i).dimension == dimension_id), Decimal(0))
        assert header.subtotal_label.text().startswith(f"{subtotal.normalize():f} / ")
    comments = {s.indicator: s.comment for s in score_repo.list_scores(
        ws.db, expert_id=EXPERT, centre_id=centre)}
    assert comments[indicators[0].id] == f"checked {indicators[0].id}"
    assert comments[indicators[3].id] == "现场核实无误"
    assert score_repo.find_opinion(ws.db, EXPERT, centre).achievements == "平台建设扎实"
    assert form.all_saved() and "All changes saved" in form.ui.save_state_label.text()
    assert all(form.row(i.id).saved_label.text().endswith("Saved") for i in indicators)
    assert set(saved) == set(expected)
    # every committed score has its audit row
    assert {e.entity for e in audit.entries(ws.db, action="score.set")} == {
        f"score:{i}" for i in expected}


# -- refused values ---------------------------------------------------------------------
@pytest.mark.parametrize("text", ["7", "6.5", "5.3", "abc", "1,5", "-1", "1e1", "0.25"])
def test_a_bad_value_is_refused_on_the_spot_and_nothing_is_written(make_form, sheet, qtbot,
                                                                    text):
    ws, centre = sheet
    form = make_form()
    edit = form.score_edit("A1")                  # max 6, step 0.5
    before = score_rows(ws)
    failed = []
    form.score_saved.connect(failed.append)
    qtbot.keyClicks(edit, text)
    row = form.row("A1")
    assert row.message_label.isVisible()          # on the spot, before Enter
    assert "0 to 6 in steps of 0.5" in row.message_label.text()
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert focused() is edit                      # Enter does not move on
    assert edit.text() == text                    # the value stays on screen ...
    assert "Not saved" in row.saved_label.text()  # ... marked not saved
    assert "Not saved (1)" in form.ui.save_state_label.text() and not form.all_saved()
    qtbot.keyClick(edit, Qt.Key.Key_Tab)          # leaving does not write it either
    assert stored(ws, centre) == {} and score_rows(ws) == before and failed == []
    assert edit.validator().validate(text, 0)[0] == QValidator.State.Intermediate


def test_refusal_messages_name_the_range_and_the_step(make_form):
    form = make_form()
    validator = form.score_edit("B1").validator()  # max 8
    assert isinstance(validator, ScoreValidator)
    assert validator.problem("9") == (
        "Score 9 is outside [0, 8]; allowed: 0 to 8 in steps of 0.5")
    assert validator.problem("2.2") == (
        "Score 2.2 is not a multiple of the step 0.5; allowed: 0 to 8 in steps of 0.5")
    assert validator.problem("1,5").startswith("“1,5” is not a number")
    assert validator.problem("8") is None and validator.problem("") is None
    assert validator.validate("７．５", 0)[0] == QValidator.State.Acceptable


def test_full_width_digits_are_accepted(make_form, sheet, qtbot):
    ws, centre = sheet
    form = make_form()
    edit = form.score_edit("A1")
    type_text(edit, "４．５")
    assert not form.row("A1").message_label.isVisible()
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert stored(ws, centre) == {"A1": Decimal("4.5")}
    assert edit.text() == "4.5" and focused() is form.comment_edit("A1")


def test_a_refused_value_can_be_corrected(make_form, sheet, qtbot):
    ws, centre = sheet
    form = make_form()
    edit = form.score_edit("A2")
    qtbot.keyClicks(edit, "9")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, "5.5")
    assert not form.row("A2").message_label.isVisible()
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert stored(ws, centre) == {"A2": Decimal("5.5")} and form.all_saved()
    # clearing a score is a change too
    form.score_edit("A2").setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert stored(ws, centre) == {"A2": None} and form.completeness() == (0, 20)


# -- undo / redo ------------------------------------------------------------------------
def test_undo_and_redo_write_through_to_the_database(make_form, sheet, qtbot):
    ws, centre = sheet
    form = make_form()
    for indicator, text in (("A1", "5"), ("A2", "4"), ("A1", "3")):
        edit = form.score_edit(indicator)
        edit.setFocus()
        qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert stored(ws, centre) == {"A1": Decimal(3), "A2": Decimal(4)}
    rows = score_rows(ws)
    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier

    qtbot.keyClick(focused(), Qt.Key.Key_Z, ctrl)
    assert stored(ws, centre) == {"A1": Decimal(5), "A2": Decimal(4)}
    assert form.score_edit("A1").text() == "5" and form.total() == 9
    qtbot.keyClick(focused(), Qt.Key.Key_Z, ctrl)
    assert stored(ws, centre) == {"A1": Decimal(5), "A2": None}
    assert form.score_edit("A2").text() == "" and form.completeness() == (1, 20)
    qtbot.keyClick(focused(), Qt.Key.Key_Z, ctrl | shift)
    assert stored(ws, centre) == {"A1": Decimal(5), "A2": Decimal(4)}
    assert score_rows(ws) == rows + 3              # undo and redo are audited too
    assert form.undo_action.isEnabled() and form.redo_action.isEnabled()
    # typing not yet committed: Ctrl+Z undoes the typing, not the sheet
    edit = form.score_edit("B1")
    edit.setFocus()
    qtbot.keyClicks(edit, "7")
    qtbot.keyClick(edit, Qt.Key.Key_Z, ctrl)
    assert edit.text() == "" and stored(ws, centre)["A2"] == Decimal(4)


# -- comments and opinion ---------------------------------------------------------------
def test_comment_and_opinion_are_saved(make_form, sheet, qtbot):
    ws, centre = sheet
    form = make_form()
    comment = form.comment_edit("C1")
    comment.setFocus()
    type_text(comment, "多中心研究数量充足")
    assert not form.all_saved()
    qtbot.keyClick(comment, Qt.Key.Key_Tab)        # editingFinished
    [c1] = [s for s in score_repo.list_scores(ws.db, expert_id=EXPERT, centre_id=centre)]
    assert (c1.indicator, c1.value, c1.comment) == ("C1", None, "多中心研究数量充足")
    # a score afterwards keeps the comment
    form.score_edit("C1").setFocus()
    qtbot.keyClicks(form.score_edit("C1"), "7.5")
    qtbot.keyClick(form.score_edit("C1"), Qt.Key.Key_Return)
    c1 = score_repo.find_score(ws.db, EXPERT, centre, "C1")
    assert (c1.value, c1.comment) == (Decimal("7.5"), "多中心研究数量充足")

    problems = form.opinion_edit("problems")       # saved when the focus leaves
    problems.setFocus()
    type_text(problems, "经费使用台账不完整")
    qtbot.keyClick(problems, Qt.Key.Key_Tab)
    assert score_repo.find_opinion(ws.db, EXPERT, centre).problems == "经费使用台账不完整"

    advice = form.opinion_edit("recommendations")  # saved after 1 s without typing
    advice.setFocus()
    type_text(advice, "加强基层推广")
    assert "Not saved" in form.ui.save_state_label.text()
    qtbot.waitUntil(lambda: (score_repo.find_opinion(ws.db, EXPERT, centre).recommendations
                             == "加强基层推广"), timeout=3000)
    assert focused() is advice and form.all_saved()
    assert [e.action for e in audit.entries(ws.db, action="opinion.set")] == ["opinion.set"] * 2


# -- read-only states -------------------------------------------------------------------
def _fill_and_finalise(ws, centre):
    scoring.record_sheet(ws, EXPERT, centre,
                         {i.id: i.max for i in ws.scheme.expert_indicators})
    scoring.set_sheet_state(ws, EXPERT, centre, SheetState.FINAL)


def test_a_final_sheet_is_read_only_until_reopened(make_form, sheet, qtbot):
    ws, centre = sheet
    _fill_and_finalise(ws, centre)
    form = make_form()
    ui = form.ui
    assert form.read_only and ui.readonly_banner.isVisible()
    assert "finalised" in ui.readonly_label.text()
    assert form.score_edit("A1").isReadOnly() and form.opinion_edit("problems").isReadOnly()
    assert not form.undo_action.isEnabled()
    qtbot.keyClicks(form.score_edit("A1"), "1")
    qtbot.keyClick(form.score_edit("A1"), Qt.Key.Key_Return)
    assert stored(ws, centre)["A1"] == Decimal(6)
    with qtbot.waitSignal(form.sheet_state_changed):
        qtbot.mouseClick(ui.reopen_button, Qt.MouseButton.LeftButton)
    assert not form.read_only and not ui.readonly_banner.isVisible()
    assert score_repo.find_sheet(ws.db, EXPERT, centre).state == SheetState.DRAFT
    assert form.prompts.messages == []              # no revision at stake: no question
    form.score_edit("A1").setFocus()
    qtbot.keyClick(form.score_edit("A1"), Qt.Key.Key_Backspace)
    qtbot.keyClicks(form.score_edit("A1"), "5")
    qtbot.keyClick(form.score_edit("A1"), Qt.Key.Key_Return)
    assert stored(ws, centre)["A1"] == Decimal(5)


def test_reopening_a_signed_sheet_warns_and_starts_a_new_revision(make_form, expert_ws, qtbot):
    ws = expert_ws                                  # the demo: every sheet signed
    expert = ws.batch.owner_expert_id
    centre = expert_repo.list_assignments(ws.db, expert_id=expert)[0][1]
    assert score_repo.find_sheet(ws.db, expert, centre).state == SheetState.SIGNED
    prompts = RecordingPrompts(answer=False)
    form = make_form(ws=ws, centre=centre, prompts=prompts)
    assert form.read_only and "signed (revision 1)" in form.ui.readonly_label.text()
    qtbot.mouseClick(form.ui.reopen_button, Qt.MouseButton.LeftButton)
    [(kind, _title, question)] = prompts.messages
    assert kind == "confirm" and "revision 2" in question and "voids the signature" in question
    assert form.read_only and score_repo.find_sheet(ws.db, expert, centre).state == "signed"

    prompts.answer = True
    qtbot.mouseClick(form.ui.reopen_button, Qt.MouseButton.LeftButton)
    sheet = score_repo.find_sheet(ws.db, expert, centre)
    assert (sheet.state, sheet.revision) == (SheetState.DRAFT, 2) and not form.read_only
    assert signing_repo.current_signature(ws.db, expert, centre) is None
    assert audit.entries(ws.db, action="sheet.void", centre_id=centre)


def test_a_write_refused_by_the_service_is_reported(make_form, sheet, qtbot):
    ws, centre = sheet
    form = make_form()
    _fill_and_finalise(ws, centre)                  # finalised behind the form's back
    edit = form.score_edit("A1")
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, "2")
    with qtbot.waitSignal(form.save_failed) as failed:
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert "finalised" in failed.args[0]
    assert "Not saved" in form.row("A1").saved_label.text() and not form.all_saved()
    assert stored(ws, centre)["A1"] == Decimal(6)
    form.reload()                                   # the window reloads after a change
    assert form.read_only and form.score_edit("A1").text() == "6" and form.all_saved()


# -- documents --------------------------------------------------------------------------
def test_dossier_documents_open_in_one_click(make_form, qtbot):
    opened = []
    form = make_form(open_external=lambda path: opened.append(path) or True)
    rows = form._document_rows
    assert [r.document.title for r in rows] == ["2025年度报告", "自评报告"]
    assert not form.ui.documents_empty_label.isVisible()
    qtbot.mouseClick(rows[0].open_button, Qt.MouseButton.LeftButton)
    [viewer] = form.findChildren(PdfViewerDialog)
    qtbot.waitExposed(viewer)
    assert viewer.loaded and viewer.document.pageCount() == 2
    assert viewer.windowTitle() == "2025年度报告"
    qtbot.mouseClick(viewer.zoom_in_button, Qt.MouseButton.LeftButton)
    viewer.close()
    qtbot.mouseClick(rows[1].open_button, Qt.MouseButton.LeftButton)
    [path] = opened
    assert path.name == "自评报告.txt" and path.read_text("utf-8") == "自评报告（测试）\n"


# -- language and screenshot ------------------------------------------------------------
def test_the_form_speaks_chinese(make_form, sheet, qtbot, monkeypatch):
    monkeypatch.setenv("CMRC_LANG", "zh_CN")
    i18n.set_language("zh_CN")
    form = make_form()
    assert form.ui.opinion_group.title() == "评审意见"
    assert form.ui.achievements_label.text() == "主要成绩"
    edit = form.score_edit("A1")
    qtbot.keyClicks(edit, "7")
    assert "评分 7 超出范围 [0, 6]" in form.row("A1").message_label.text()


def test_screenshot_renders(tmp_path, qtbot):
    from cmrc_desktop.ui.scoring_form.screenshot import render_screenshot

    out = render_screenshot(tmp_path / "shot.png", tmp_path / "work")
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert not image.isNull() and image.width() >= 1200
