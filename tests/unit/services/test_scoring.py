"""Recording scores, opinions and sheet states: what is refused, what is written, and
that a score and its audit row are written together or not at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from cmrc_desktop.domain.errors import InputError, NotFoundError
from cmrc_desktop.domain.scheme import Scheme
from cmrc_desktop.domain.workspace import SheetState
from cmrc_desktop.services.scoring import record_opinion, record_score, set_sheet_state
from cmrc_desktop.services.workspace import Workspace, open_workspace
from cmrc_desktop.storage import audit, score_repo

REPO = Path(__file__).resolve().parents[3]
AUTOMATIC_INDICATOR = "E3"  # made automatic by the automatic_scheme fixture


def _nothing_written(ws: Workspace) -> bool:
    return (score_repo.list_scores(ws.db) == [] and score_repo.list_sheets(ws.db) == []
            and audit.entries(ws.db, action="score.set") == [])


def _fill_sheet(ws: Workspace, expert: str = "E1", centre: str = "C1") -> None:
    for indicator in ws.scheme.expert_indicators:
        record_score(ws, expert, centre, indicator.id, indicator.max)


# -- writing ----------------------------------------------------------------------------
def test_a_score_is_saved_on_a_draft_sheet_with_an_audit_row(ws: Workspace) -> None:
    score = record_score(ws, "E1", "C1", "A1", Decimal("5.50"), "创新成果突出")

    assert (score.value, score.comment) == (Decimal("5.5"), "创新成果突出")
    assert score_repo.find_score(ws.db, "E1", "C1", "A1") == score
    assert score_repo.find_sheet(ws.db, "E1", "C1").state is SheetState.DRAFT
    [entry] = audit.entries(ws.db, action="score.set")
    assert (entry.entity, entry.centre_id, entry.expert_id, entry.old, entry.new,
            entry.actor) == ("score:A1", "C1", "E1", None, "5.5", "secretary-wang")
    assert entry.extra["comment"] == "创新成果突出"


def test_changing_a_score_records_old_and_new_and_keeps_the_comment(ws: Workspace) -> None:
    record_score(ws, "E1", "C1", "A1", Decimal("5.5"), "好")
    score = record_score(ws, "E1", "C1", "A1", Decimal("4"))

    assert (score.value, score.comment) == (Decimal("4"), "好")
    last = audit.entries(ws.db, action="score.set")[-1]
    assert (last.old, last.new, last.extra) == ("5.5", "4", {})


def test_clearing_a_score_keeps_the_row_without_a_value(ws: Workspace) -> None:
    record_score(ws, "E1", "C1", "A1", Decimal("5.5"))
    assert record_score(ws, "E1", "C1", "A1", None).value is None
    last = audit.entries(ws.db, action="score.set")[-1]
    assert (last.old, last.new) == ("5.5", None)


def test_saving_the_same_score_again_writes_nothing(ws: Workspace) -> None:
    record_score(ws, "E1", "C1", "A1", Decimal("5.5"))
    record_score(ws, "E1", "C1", "A1", Decimal("5.50"))
    assert len(audit.entries(ws.db, action="score.set")) == 1


# -- refusals ---------------------------------------------------------------------------
@pytest.mark.parametrize(("expert", "centre", "indicator", "value", "says"), [
    ("E1", "C1", "A1", Decimal("6.5"), "outside [0, 6]"),
    ("E1", "C1", "A1", Decimal("-1"), "outside [0, 6]"),
    ("E1", "C1", "A1", Decimal("1E+1000"), "outside [0, 6]"),
    ("E1", "C1", "A1", Decimal("NaN"), "outside [0, 6]"),
    ("E1", "C1", "A1", Decimal("5.3"), "not a multiple of the step 0.5"),
    ("E1", "C1", "Z9", Decimal("1"), "unknown indicator Z9"),
    ("E1", "C2", "A1", Decimal("5"), "expert E1 is not assigned to centre C2"),
    ("E2", "C1", "A1", Decimal("5"), "conflict of interest (works at a network member)"),
])
def test_a_refused_score_writes_nothing(ws: Workspace, expert: str, centre: str,
                                        indicator: str, value: Decimal, says: str) -> None:
    with pytest.raises(InputError) as caught:
        record_score(ws, expert, centre, indicator, value)
    assert says in caught.value.message
    assert _nothing_written(ws)


def test_the_refusal_names_centre_expert_indicator_and_value(ws: Workspace) -> None:
    with pytest.raises(InputError) as caught:
        record_score(ws, "E1", "C1", "B1", Decimal("8.3"))
    assert caught.value.message.startswith(
        "centre C1, expert E1, indicator B1, value 8.3: ")
    assert caught.value.field == "B1"


def test_an_automatic_indicator_cannot_be_scored_by_hand(
        make_workspace: Callable[..., Workspace], tmp_path: Path,
        automatic_scheme: Scheme) -> None:
    ws = make_workspace(tmp_path, automatic_scheme)
    for value in (Decimal("1"), None):
        with pytest.raises(InputError, match="scored automatically from metric"):
            record_score(ws, "E1", "C1", AUTOMATIC_INDICATOR, value)
    assert _nothing_written(ws)


def test_unknown_expert_or_centre_is_not_found(ws: Workspace) -> None:
    with pytest.raises(NotFoundError):
        record_score(ws, "E9", "C1", "A1", Decimal("5"))
    with pytest.raises(NotFoundError):
        record_score(ws, "E1", "C9", "A1", Decimal("5"))
    assert _nothing_written(ws)


# -- sheet states -----------------------------------------------------------------------
def test_a_sheet_is_final_only_when_complete(ws: Workspace) -> None:
    record_score(ws, "E1", "C1", "A1", Decimal("5"))
    with pytest.raises(InputError, match="cannot be final while indicators A2, A3"):
        set_sheet_state(ws, "E1", "C1", SheetState.FINAL)
    assert score_repo.find_sheet(ws.db, "E1", "C1").state is SheetState.DRAFT


def test_a_finalised_sheet_refuses_changes_until_reopened(ws: Workspace) -> None:
    _fill_sheet(ws)
    assert set_sheet_state(ws, "E1", "C1", "final").state is SheetState.FINAL
    entries = len(audit.entries(ws.db))

    with pytest.raises(InputError, match="the sheet is finalised"):
        record_score(ws, "E1", "C1", "A1", Decimal("1"))
    with pytest.raises(InputError, match="the sheet is finalised"):
        record_opinion(ws, "E1", "C1", problems="…")
    assert score_repo.find_score(ws.db, "E1", "C1", "A1").value == Decimal("6")
    assert len(audit.entries(ws.db)) == entries

    set_sheet_state(ws, "E1", "C1", SheetState.DRAFT)
    assert record_score(ws, "E1", "C1", "A1", Decimal("1")).value == Decimal("1")


def test_reopening_a_signed_sheet_starts_the_next_revision(ws: Workspace) -> None:
    _fill_sheet(ws)
    with pytest.raises(InputError, match="the sheet is “Draft” and cannot become “Signed”"):
        set_sheet_state(ws, "E1", "C1", SheetState.SIGNED)
    set_sheet_state(ws, "E1", "C1", SheetState.FINAL)
    assert set_sheet_state(ws, "E1", "C1", SheetState.SIGNED).revision == 1
    reopened = set_sheet_state(ws, "E1", "C1", SheetState.DRAFT)
    assert (reopened.state, reopened.revision) == (SheetState.DRAFT, 2)
    states = [(e.old, e.new) for e in audit.entries(ws.db, action="sheet.state")]
    assert states == [("draft", "final"), ("final", "signed"), ("signed", "draft")]


# -- opinions ---------------------------------------------------------------------------
def test_an_opinion_is_saved_part_by_part_with_an_audit_row(ws: Workspace) -> None:
    record_opinion(ws, "E1", "C1", achievements="牵头多中心研究", problems="推广不足")
    opinion = record_opinion(ws, "E1", "C1", recommendations="加强基层推广")

    assert (opinion.achievements, opinion.problems, opinion.recommendations) == (
        "牵头多中心研究", "推广不足", "加强基层推广")
    assert score_repo.find_opinion(ws.db, "E1", "C1") == opinion
    last = audit.entries(ws.db, action="opinion.set")[-1]
    assert (last.old, last.new) == ('{"recommendations": ""}',
                                     '{"recommendations": "加强基层推广"}')


def test_a_conflicted_expert_cannot_write_an_opinion(ws: Workspace) -> None:
    with pytest.raises(InputError, match="conflict of interest"):
        record_opinion(ws, "E2", "C1", achievements="…")
    assert score_repo.list_opinions(ws.db) == []
    assert audit.entries(ws.db, action="opinion.set") == []


# -- the kill test ----------------------------------------------------------------------
CHILD = r"""
import os, signal, sys
from decimal import Decimal
from pathlib import Path

from cmrc_desktop.services import scoring
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.storage import audit

folder, marker, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
real_append = audit.append


def append_then_maybe_die(db, **kwargs):
    row = next(db.query("SELECT value FROM scores WHERE expert_id = 'E1' "
                        "AND centre_id = 'C1' AND indicator = 'A1'"), None)
    marker.write_text("score written: " + (row["value"] if row else "none"))
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    return real_append(db, **kwargs)


audit.append = append_then_maybe_die
ws = open_workspace(folder, actor="expert-zhang")
scoring.record_score(ws, "E1", "C1", "A1", Decimal("5.5"))
ws.close()
"""


def _run_child(ws: Workspace, tmp_path: Path, mode: str
               ) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run record_score in a child that works on ``ws`` alone (this process lets go)."""
    ws.close()
    marker = tmp_path / "marker.txt"
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    child = subprocess.run([sys.executable, "-c", CHILD, str(ws.folder), str(marker), mode],
                           env=env, capture_output=True, text=True, timeout=120)
    return child, marker


def _score_and_audit(folder: Path) -> tuple[list, list, str]:
    with open_workspace(folder) as ws:
        scores = score_repo.list_scores(ws.db)
        entries = audit.entries(ws.db, action="score.set")
        integrity = ws.db.execute("PRAGMA integrity_check").fetchone()[0]
    return scores, entries, integrity


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_a_process_killed_between_score_and_audit_row_leaves_neither(
        ws: Workspace, tmp_path: Path) -> None:
    child, marker = _run_child(ws, tmp_path, "kill")

    assert child.returncode == -signal.SIGKILL, child.stderr
    assert marker.read_text() == "score written: 5.5"  # it died with the score in hand
    scores, entries, integrity = _score_and_audit(ws.folder)
    assert scores == []
    assert entries == []
    assert integrity == "ok"


def test_without_the_kill_both_score_and_audit_row_are_there(
        ws: Workspace, tmp_path: Path) -> None:
    child, marker = _run_child(ws, tmp_path, "live")

    assert child.returncode == 0, child.stderr
    assert marker.read_text() == "score written: 5.5"
    scores, entries, integrity = _score_and_audit(ws.folder)
    assert [(s.indicator, s.value) for s in scores] == [("A1", Decimal("5.5"))]
    assert [(e.entity, e.new, e.actor) for e in entries] == [("score:A1", "5.5", "expert-zhang")]
    assert integrity == "ok"


def test_a_text_longer_than_an_excel_cell_is_refused_when_typed(ws: Workspace) -> None:
    """Refused where it is typed, with the length and the limit, rather than at export;
    nothing is written. Exactly the limit is kept whole."""
    too_long = "评" * 32768
    with pytest.raises(InputError, match="32,768 characters long.*32,767"):
        record_score(ws, "E1", "C1", "A1", Decimal("5"), comment=too_long)
    with pytest.raises(InputError, match="Problems is 32,768 characters"):
        record_opinion(ws, "E1", "C1", problems=too_long)
    assert _nothing_written(ws)
    record_opinion(ws, "E1", "C1", problems="评" * 32767)
    assert len(score_repo.find_opinion(ws.db, "E1", "C1").problems) == 32767
