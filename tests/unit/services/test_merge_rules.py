"""The merge rules one by one, on genuine signed sheets (issue #14, part 7).

Which sheet of an expert and centre is *current* decides the scores the committee grades
with, so every rule of ``services/merge.py`` is pinned here by what the secretary would
see: the outcome and its reason, which received sheet is current, the expert's scores
and total, and the audit rows (old / new / what changed). A refused choice must leave all
of that as it was.

Sheets are genuine: a sheet exported and signed by the demo's expert, changed with
``dataclasses.replace`` on the payload read from it and signed again with the same
expert's real key (``tests/hostile/forge.py``), so new payload fields pass through.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from cmrc_desktop.domain.errors import InputError, NotFoundError
from cmrc_desktop.domain.workspace import Conflict, ConflictKind
from cmrc_desktop.services import panel
from cmrc_desktop.services.merge import collect_files, merge_files, resolve_conflict
from cmrc_desktop.services.results import grade_workspace
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.signing.payload import SheetPayload
from cmrc_desktop.storage import audit, expert_repo, merge_repo, score_repo
from tests.hostile import forge

EXPERT, CENTRE = "E02", "C001"   # a pair of the batch: assigned, no conflict


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """Two centres, three experts, every sheet signed and exported, nothing merged."""
    return forge.build_batch(tmp_path_factory.mktemp("merge-rules") / "batch")


@pytest.fixture
def batch(pristine, tmp_path) -> Path:
    return forge.copy_batch(pristine, tmp_path / "batch")


@pytest.fixture
def genuine(batch) -> Path:
    path = forge.genuine(batch, EXPERT)
    assert path.stem.split("_")[1:3] == [CENTRE, EXPERT]
    return path


@pytest.fixture
def ws(batch):
    with open_workspace(batch / "secretary") as workspace:
        yield workspace


def original(path: Path) -> SheetPayload:
    return forge.payload_of(path)


def variant(batch: Path, base: SheetPayload, name: str, *, revision: int | None = None,
            **scores: str) -> tuple[Path, SheetPayload]:
    """``base`` with other scores (and revision), signed again by its own expert."""
    payload = dataclasses.replace(
        base, revision=base.revision if revision is None else revision,
        scores={**base.scores, **{k: Decimal(v) for k, v in scores.items()}})
    return forge.resign(batch, payload, base.expert_id, batch / f"{name}.xlsx"), payload


def sharing_prefix(base: SheetPayload, digest: str, length: int) -> SheetPayload:
    """A variant of ``base`` (another comment on A1) whose digest starts like ``digest``:
    two conflicting sheets that one short fingerprint cannot tell apart."""
    for n in range(20_000):
        candidate = dataclasses.replace(base, comments={**base.comments, "A1": f"第{n}稿"})
        if candidate.digest[:length] == digest[:length] and candidate.digest != digest:
            return candidate
    raise AssertionError("no variant found")  # 1 in 16^length per try: never in practice


def statuses(ws) -> list[tuple[int, str, str]]:
    """(revision, digest, status) of every received sheet of the pair, in arrival order."""
    return [(r.revision, r.digest, r.status)
            for r in merge_repo.received_for(ws.db, EXPERT, CENTRE)]


def scores(ws) -> dict[str, Decimal | None]:
    return {s.indicator: s.value for s in score_repo.list_scores(ws.db, expert_id=EXPERT,
                                                                 centre_id=CENTRE)}


def total(ws) -> Decimal | None:
    """The expert's total for the centre in the results, None when not graded with."""
    return grade_workspace(ws).centre(CENTRE).expert_totals.get(EXPERT)


def merge_one(ws, path: Path):
    report = merge_files(ws, [path])
    assert report.total == 1
    return report.files[0]


def merge_audit(ws) -> list:
    return [e for e in audit.entries(ws.db, expert_id=EXPERT, centre_id=CENTRE)
            if e.action.startswith("merge.")]


def everything(ws) -> tuple:
    """All a refused choice must leave as it was."""
    return (statuses(ws), scores(ws), len(audit.entries(ws.db)),
            table_counts(ws))


def table_counts(ws) -> dict[str, int]:
    return {table: ws.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("scores", "opinions", "sheets", "received_sheets")}


def in_conflict(ws, batch: Path, genuine: Path, twin: SheetPayload | None = None
                ) -> tuple[SheetPayload, SheetPayload]:
    """The genuine sheet and a different revision 1 of it merged: a conflict."""
    first = original(genuine)
    merge_one(ws, genuine)
    if twin is None:
        _path, twin = variant(batch, first, "twin", A1="0.5")
    else:
        forge.resign(batch, twin, EXPERT, batch / "twin.xlsx")
    assert merge_one(ws, batch / "twin.xlsx").outcome == "conflict"
    return first, twin


# -- accepting, superseding, conflicting ---------------------------------------------------
def test_a_first_sheet_becomes_current_and_the_audit_lists_every_score(ws, genuine):
    """The first sheet of a pair: accepted with no 'supersedes' reason; every score it
    brings is in the audit row as changed from nothing."""
    first = original(genuine)
    row = merge_one(ws, genuine)
    assert (row.outcome, row.reason, row.revision) == ("accepted", "", 1)
    assert statuses(ws) == [(1, first.digest, "current")]
    assert scores(ws) == first.scores
    assert total(ws) == sum(first.scores.values())
    [accept] = merge_audit(ws)
    assert (accept.action, accept.entity, accept.old, accept.new) == (
        "merge.accept", "sheet", None, first.digest)
    assert accept.extra == {"revision": 1, "file": genuine.name,
                            "changed": {ind: [None, str(v)] for ind, v in first.scores.items()}}


def test_a_higher_revision_becomes_current_and_the_audit_names_what_changed(
        ws, batch, genuine):
    """Revision 2 replaces revision 1: it is current, revision 1 is kept as superseded,
    the scores and the total are revision 2's, and the audit row names the replaced
    sheet and exactly the two scores that changed, old and new."""
    first = original(genuine)
    merge_one(ws, genuine)
    path, second = variant(batch, first, "r2", revision=2, A1="0.5", B1="1")
    row = merge_one(ws, path)
    assert (row.outcome, row.reason) == ("accepted", "revision 2 supersedes revision 1")
    assert statuses(ws) == [(1, first.digest, "superseded"), (2, second.digest, "current")]
    assert scores(ws) == second.scores
    assert total(ws) == sum(second.scores.values())
    accept = merge_audit(ws)[-1]
    assert (accept.action, accept.old, accept.new) == ("merge.accept", first.digest,
                                                       second.digest)
    assert accept.extra == {"revision": 2, "file": "r2.xlsx", "changed": {
        "A1": [str(first.scores["A1"]), "0.5"], "B1": [str(first.scores["B1"]), "1"]}}


def test_a_lower_revision_arriving_late_is_kept_and_changes_nothing(ws, batch, genuine):
    """Revision 2 first, then the older revision 1: kept as superseded, never current;
    the scores stay revision 2's; the audit says which revision it arrived after."""
    first = original(genuine)
    path, second = variant(batch, first, "r2", revision=2, A1="0.5")
    merge_one(ws, path)
    before = (scores(ws), total(ws))
    row = merge_one(ws, genuine)
    assert row.outcome == "superseded"
    assert row.reason == ("revision 1 is older than revision 2 already merged; kept, "
                          "not used")
    assert statuses(ws) == [(2, second.digest, "current"), (1, first.digest, "superseded")]
    assert (scores(ws), total(ws)) == before
    late = merge_audit(ws)[-1]
    assert (late.action, late.entity, late.old, late.new, late.reason) == (
        "merge.superseded", "sheet", None, first.digest, "revision 1 arrived after revision 2")


def test_the_same_sheet_again_is_already_merged_even_once_superseded(ws, batch, genuine):
    """Revision 1 again after revision 2 replaced it: 'already merged' (it is known), not
    'superseded' again; nothing is written but the merge log."""
    first = original(genuine)
    merge_one(ws, genuine)
    path, _second = variant(batch, first, "r2", revision=2, A1="0.5")
    merge_one(ws, path)
    before = everything(ws)
    row = merge_one(ws, genuine)
    assert (row.outcome, row.reason) == ("already_merged", "this sheet was merged before")
    after = everything(ws)
    assert after[:2] == before[:2] and after[3] == before[3]
    assert after[2] == before[2] + 1  # the merge run's own row only


def test_the_same_revision_with_other_content_is_a_conflict_used_by_nobody(
        ws, batch, genuine):
    """Two different revision-1 sheets: both 'conflict', the pair's scores cleared (the
    expert drops out of the results) and the audit names both sheets."""
    first, twin = in_conflict(ws, batch, genuine)
    assert statuses(ws) == [(1, first.digest, "conflict"), (1, twin.digest, "conflict")]
    assert scores(ws) == {}
    assert total(ws) is None
    conflict = merge_audit(ws)[-1]
    assert (conflict.action, conflict.entity, conflict.old, conflict.new, conflict.reason) == (
        "merge.conflict", "sheet", first.digest, twin.digest,
        "two different sheets with revision 1")
    # a third revision 1: all three in conflict, the audit names the two before it
    _path, third = variant(batch, first, "third", A1="1")
    row = merge_one(ws, batch / "third.xlsx")
    assert row.outcome == "conflict"
    assert [s for _r, _d, s in statuses(ws)] == ["conflict"] * 3
    assert merge_audit(ws)[-1].old == f"{first.digest},{twin.digest}"
    assert merge_audit(ws)[-1].new == third.digest


def test_a_higher_revision_ends_a_conflict(ws, batch, genuine):
    """Revision 2 after a conflict of two revision-1 sheets: current; both conflicting
    sheets superseded; every score counts as changed (the conflict had cleared them)."""
    first, twin = in_conflict(ws, batch, genuine)
    path, second = variant(batch, first, "r2", revision=2, A1="2")
    row = merge_one(ws, path)
    assert (row.outcome, row.reason) == ("accepted", "revision 2 supersedes revision 1")
    assert statuses(ws) == [(1, first.digest, "superseded"), (1, twin.digest, "superseded"),
                            (2, second.digest, "current")]
    assert scores(ws) == second.scores
    accept = merge_audit(ws)[-1]
    assert accept.old == f"{first.digest},{twin.digest}"
    assert accept.extra["changed"] == {ind: [None, str(v)] for ind, v in second.scores.items()}


def test_an_older_revision_during_a_conflict_is_superseded_not_another_conflict(
        ws, batch, genuine):
    """Revision 2 is in conflict; a different revision 1 arriving then is older than the
    conflict: superseded, and the conflict stays exactly as it was."""
    first = original(genuine)
    path_a, second = variant(batch, first, "r2a", revision=2, A1="0.5")
    path_b, second_b = variant(batch, first, "r2b", revision=2, A1="1")
    merge_one(ws, path_a)
    assert merge_one(ws, path_b).outcome == "conflict"
    row = merge_one(ws, genuine)
    assert row.outcome == "superseded"
    assert statuses(ws) == [(2, second.digest, "conflict"), (2, second_b.digest, "conflict"),
                            (1, first.digest, "superseded")]
    assert scores(ws) == {}


# -- only older rows, none live --------------------------------------------------------------
def no_live_sheet(ws, batch: Path, genuine: Path) -> tuple[SheetPayload, SheetPayload]:
    """Revisions 1 and 2 received, and neither live any more (as in a workspace repaired
    by hand or restored from a backup: the rules must still hold)."""
    first = original(genuine)
    merge_one(ws, genuine)
    path, second = variant(batch, first, "r2", revision=2, A1="0.5")
    merge_one(ws, path)
    with ws.db.atomic():
        for r in merge_repo.received_for(ws.db, EXPERT, CENTRE):
            merge_repo.set_status(ws.db, r.id, "superseded")
    return first, second


@pytest.mark.parametrize("revision", [1, 2])
def test_with_only_superseded_sheets_an_old_revision_stays_superseded(
        ws, batch, genuine, revision):
    """No live sheet, revisions 1 and 2 kept: a new sheet of revision 2 (or 1) is not
    newer than what was received, so it is kept as superseded and changes nothing."""
    first, _second = no_live_sheet(ws, batch, genuine)
    before = (scores(ws), total(ws))
    path, late = variant(batch, first, "late", revision=revision, A1="1.5")
    row = merge_one(ws, path)
    assert row.outcome == "superseded"
    assert [s for _r, _d, s in statuses(ws)] == ["superseded"] * 3
    assert (scores(ws), total(ws)) == before
    assert merge_audit(ws)[-1].action == "merge.superseded"
    assert merge_audit(ws)[-1].new == late.digest


def test_with_only_superseded_sheets_a_newer_revision_becomes_current(ws, batch, genuine):
    """No live sheet, revisions 1 and 2 kept: revision 3 is newer than all of them, so it
    is current; it replaced no live sheet, so the audit's old is empty."""
    first, _second = no_live_sheet(ws, batch, genuine)
    path, third = variant(batch, first, "r3", revision=3, A1="1.5")
    row = merge_one(ws, path)
    assert (row.outcome, row.reason) == ("accepted", "")
    assert statuses(ws)[-1] == (3, third.digest, "current")
    assert scores(ws) == third.scores
    accept = merge_audit(ws)[-1]
    assert (accept.action, accept.old, accept.new) == ("merge.accept", None, third.digest)
    assert accept.extra["changed"] == {"A1": ["0.5", "1.5"]}


# -- refusals before any rule ------------------------------------------------------------------
def test_a_sheet_of_an_unassigned_pair_is_refused_and_writes_nothing(ws, genuine):
    panel.unassign(ws, EXPERT, CENTRE, reason="专家临时无法参加")
    before = table_counts(ws)
    row = merge_one(ws, genuine)
    assert (row.outcome, row.reason) == (
        "refused", f"expert {EXPERT} is not assigned to centre {CENTRE}")
    assert table_counts(ws) == before
    assert merge_audit(ws) == []


def test_a_sheet_of_a_pair_found_in_conflict_of_interest_is_refused(ws, batch, genuine):
    """A conflict of interest found after the expert scored keeps the assignment (the
    scores stand) but no further sheet of the pair is taken."""
    first = original(genuine)
    merge_one(ws, genuine)
    with ws.db.atomic():
        expert_repo.add_conflict(ws.db, Conflict(EXPERT, CENTRE, ConflictKind.AUTO,
                                                 "found after scoring"))
    path, _second = variant(batch, first, "r2", revision=2, A1="0.5")
    before = everything(ws)
    row = merge_one(ws, path)
    assert (row.outcome, row.reason) == (
        "refused", f"expert {EXPERT} has a conflict of interest with centre {CENTRE}")
    after = everything(ws)
    assert after[:2] == before[:2] and after[3] == before[3]
    assert scores(ws) == first.scores


def test_a_disk_fault_stops_the_merge_and_keeps_nothing_of_the_file(ws, genuine,
                                                                    monkeypatch):
    """The database cannot write (a full disk) while a sheet is being merged: the merge
    stops with that error for the caller to say, instead of reporting the sheet as
    accepted or refused, and nothing of the sheet is kept (its savepoint is undone)."""
    before = table_counts(ws)

    def full_disk(*_args, **_kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(merge_repo, "add_file", full_disk)
    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        merge_files(ws, [genuine])
    monkeypatch.undo()
    assert table_counts(ws) == before
    assert statuses(ws) == [] and scores(ws) == {}


# -- the secretary's choice ------------------------------------------------------------------
def test_choosing_a_sheet_makes_it_current_and_the_others_superseded(ws, batch, genuine):
    """The twin is chosen: current, the other superseded, the scores and the total are
    the twin's, the audit names both sheets, the chosen one and the (trimmed) reason."""
    first, twin = in_conflict(ws, batch, genuine)
    resolve_conflict(ws, EXPERT, CENTRE, twin.digest[:8], "  原件以纸质签字版为准 ")
    assert statuses(ws) == [(1, first.digest, "superseded"), (1, twin.digest, "current")]
    assert scores(ws) == twin.scores
    assert total(ws) == sum(twin.scores.values())
    resolve = merge_audit(ws)[-1]
    assert (resolve.action, resolve.entity, resolve.old, resolve.new, resolve.reason) == (
        "merge.resolve", "sheet", f"{first.digest},{twin.digest}", twin.digest,
        "原件以纸质签字版为准")
    with pytest.raises(NotFoundError, match="have no conflict"):
        resolve_conflict(ws, EXPERT, CENTRE, twin.digest, "再选一次")


def test_choosing_the_middle_of_three_supersedes_the_other_two(ws, batch, genuine):
    first, twin = in_conflict(ws, batch, genuine)
    _path, third = variant(batch, first, "third", A1="1")
    merge_one(ws, batch / "third.xlsx")
    resolve_conflict(ws, EXPERT, CENTRE, twin.digest, "第二份为准")
    assert statuses(ws) == [(1, first.digest, "superseded"), (1, twin.digest, "current"),
                            (1, third.digest, "superseded")]
    assert scores(ws) == twin.scores


def refused_choice(ws, prefix: str, first: SheetPayload, twin: SheetPayload) -> None:
    before = everything(ws)
    with pytest.raises(InputError) as info:
        resolve_conflict(ws, EXPERT, CENTRE, prefix, "选定")
    assert info.value.message == (f"give the fingerprint of one of: {first.digest[:12]}, "
                               f"{twin.digest[:12]}")
    assert info.value.field == "choose"
    assert everything(ws) == before
    assert total(ws) is None  # still nobody's scores


def test_a_fingerprint_of_neither_sheet_is_refused_and_changes_nothing(ws, batch, genuine):
    first, twin = in_conflict(ws, batch, genuine)
    wrong = next(c for c in "0123456789abcdef"
                 if c not in (first.digest[0], twin.digest[0]))
    refused_choice(ws, wrong, first, twin)
    refused_choice(ws, first.digest[:12] + "x", first, twin)


def test_an_empty_fingerprint_is_refused_and_changes_nothing(ws, batch, genuine):
    first, twin = in_conflict(ws, batch, genuine)
    refused_choice(ws, "", first, twin)


def test_a_fingerprint_both_sheets_begin_with_is_refused_and_changes_nothing(
        ws, batch, genuine):
    """Two conflicting sheets whose digests share their first two characters: those two
    characters name neither, so the choice is refused, not given to the first found."""
    base = original(genuine)
    twin = sharing_prefix(base, base.digest, 2)
    first, twin = in_conflict(ws, batch, genuine, twin)
    assert first.digest[:2] == twin.digest[:2]
    refused_choice(ws, first.digest[:2], first, twin)


def test_a_pair_without_a_conflict_has_nothing_to_choose(ws, genuine):
    """A pair whose only sheet is current, and a pair with no sheet at all: 'no
    conflict', and nothing changes, whatever fingerprint is given."""
    first = original(genuine)
    merge_one(ws, genuine)
    before = everything(ws)
    for prefix in (first.digest[:8], ""):
        with pytest.raises(NotFoundError, match=f"expert {EXPERT} and centre {CENTRE} have "
                                                "no conflict"):
            resolve_conflict(ws, EXPERT, CENTRE, prefix, "选定")
    with pytest.raises(NotFoundError, match="no conflict"):
        resolve_conflict(ws, "E01", "C002", "", "选定")
    assert everything(ws) == before


def test_a_choice_without_a_reason_is_refused_and_changes_nothing(ws, batch, genuine):
    first, twin = in_conflict(ws, batch, genuine)
    before = everything(ws)
    for reason in ("", "   \n"):
        with pytest.raises(InputError, match="needs a reason"):
            resolve_conflict(ws, EXPERT, CENTRE, twin.digest, reason)
    assert everything(ws) == before


# -- which files a merge reads -----------------------------------------------------------------
def test_a_folder_gives_its_sheets_in_order_without_lock_or_hidden_files(tmp_path):
    """Sub-folders are searched; .xlsx and .pdf in any case are taken; Office lock files
    (~$…), hidden files and other files are not; a file named directly is always taken
    (and then refused by verification if it is no sheet)."""
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    names = ["b.xlsx", "a.PDF", "sub/c.xlsx", "~$b.xlsx", ".hidden.xlsx", "notes.txt",
             "d.XLSX.bak"]
    for name in names:
        (inbox / name).write_bytes(b"x")
    note = inbox / "notes.txt"
    assert collect_files([inbox, note]) == [inbox / "a.PDF", inbox / "b.xlsx",
                                             inbox / "sub" / "c.xlsx", note]
    assert collect_files([inbox], suffixes=(".txt",)) == [note]
    with pytest.raises(InputError) as info:
        collect_files([inbox, tmp_path / "missing.xlsx"])
    assert info.value.file == str(tmp_path / "missing.xlsx")
