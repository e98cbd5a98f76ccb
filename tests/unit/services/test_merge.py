"""The secretary's evening: a folder of returned sheets, some twice, some revised, one
from another batch, one "corrected" — merged exactly as the rules say."""

from __future__ import annotations

import dataclasses
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cmrc_desktop.domain.workspace import SheetState
from cmrc_desktop.scoring.grading import result_to_json
from cmrc_desktop.services import keyring, scoring
from cmrc_desktop.services.demo import build_demo
from cmrc_desktop.services.merge import merge_files, resolve_conflict
from cmrc_desktop.services.results import grade_workspace
from cmrc_desktop.services.sheets import export_sheet, sign_sheet
from cmrc_desktop.services.status import completeness
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.storage import audit, merge_repo

PASSWORD = "test-password-1"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    build_demo(out, centres=3, experts=4, seed=21, password=PASSWORD, merge=False,
               formats=("xlsx", "pdf"))
    return out


@pytest.fixture
def demo(pristine, tmp_path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(pristine, target)
    return target


def results(ws) -> dict:
    return result_to_json(grade_workspace(ws))


def outcomes(report) -> dict[str, int]:
    return {o: report.count(o) for o in ("accepted", "already_merged", "superseded",
                                         "conflict", "refused")}


def revise(demo: Path, expert: str, centre: str, indicator: str, value: str,
           out: Path) -> Path:
    """The expert reopens a signed sheet, changes one score, signs revision 2."""
    with open_workspace(demo / "experts" / expert) as ews:
        signer = keyring.open_own_key(ews, PASSWORD)
        scoring.set_sheet_state(ews, expert, centre, SheetState.DRAFT)
        scoring.record_score(ews, expert, centre, indicator, Decimal(value))
        scoring.set_sheet_state(ews, expert, centre, SheetState.FINAL)
        sign_sheet(ews, expert, centre, signer)
        return export_sheet(ews, expert, centre, out, signer, formats=["xlsx"]).paths[0]


def test_a_folder_merges_once_and_again_changes_nothing(demo):
    with open_workspace(demo / "secretary") as ws:
        first = merge_files(ws, [demo / "scoresheets"])
        sheets = len(list((demo / "scoresheets").glob("*.xlsx")))
        assert outcomes(first) == {"accepted": sheets, "already_merged": sheets,
                                   "superseded": 0, "conflict": 0, "refused": 0}
        graded = results(ws)
        assert any(c["final"] is not None for c in graded["centres"])
        rows = len(merge_repo.list_received(ws.db))
        audit_rows = len(audit.entries(ws.db))
        again = merge_files(ws, [demo / "scoresheets"])
        assert outcomes(again)["already_merged"] == 2 * sheets
        assert results(ws) == graded
        assert len(merge_repo.list_received(ws.db)) == rows
        assert len(audit.entries(ws.db)) == audit_rows + 1  # the run itself, nothing else
        assert len(merge_repo.run_files(ws.db)) == 2 * sheets


def test_genuine_sheets_merge_while_foreign_and_tampered_ones_are_refused(demo, tmp_path,
                                                                          pristine):
    clean = tmp_path / "clean"
    shutil.copytree(pristine, clean)
    with open_workspace(clean / "secretary") as ws:
        merge_files(ws, [clean / "scoresheets"])
        expected = results(ws)

    other = build_demo(tmp_path / "other", centres=2, experts=3, seed=99, password=PASSWORD,
                       merge=False, formats=("xlsx",))
    inbox = tmp_path / "inbox"
    shutil.copytree(demo / "scoresheets", inbox)
    shutil.copy(sorted((other.folder / "scoresheets").glob("*.xlsx"))[0], inbox / "old.xlsx")
    victim = sorted(inbox.glob("*.xlsx"))[0]
    wb = load_workbook(victim)
    sheet = wb.worksheets[0]
    row = next(c.row for r in sheet.iter_rows() for c in r
               if isinstance(c.value, str) and c.value.startswith("B1 "))
    sheet.cell(row, 6).value = "8"
    wb.save(inbox / "corrected.xlsx")
    victim.unlink()
    victim.with_suffix(".pdf").unlink()  # only the "corrected" copy of that sheet arrives
    with open_workspace(demo / "secretary") as ws:
        report = merge_files(ws, [inbox])
        refused = {f.path.name: f.reason for f in report.files if f.outcome == "refused"}
        assert set(refused) == {"old.xlsx", "corrected.xlsx"}
        assert "another batch" in refused["old.xlsx"]
        assert "not the file the expert signed" in refused["corrected.xlsx"]
        assert "the signed text is “6.5”, the sheet shows “8”" in refused["corrected.xlsx"]
        got = results(ws)
    # the refused sheet is missing, everything else is exactly the clean result
    centre = victim.name.split("_")[1]
    expert = victim.name.split("_")[2]
    for c_got, c_exp in zip(got["centres"], expected["centres"], strict=True):
        if c_got["centre"] != centre:
            assert c_got == c_exp
        else:
            assert expert not in c_got["expert_totals"]


def test_a_higher_revision_supersedes_and_a_late_lower_one_changes_nothing(demo, tmp_path):
    sheets = sorted((demo / "scoresheets").glob("*.xlsx"))
    first, second = sheets[0], next(p for p in sheets[1:]
                                    if p.stem.split("_")[2] != sheets[0].stem.split("_")[2])
    _b, centre, expert, _r = first.stem.split("_")
    _b, centre2, expert2, _r = second.stem.split("_")
    with open_workspace(demo / "secretary") as ws:
        # revision 1 then revision 2: the second supersedes the first
        merge_files(ws, [first])
        revised = revise(demo, expert, centre, "A1", "1", tmp_path / "r2")
        report = merge_files(ws, [revised])
        assert outcomes(report)["accepted"] == 1
        assert "supersedes revision 1" in report.files[0].reason
        assert ws.db.execute("SELECT value FROM scores WHERE expert_id = ? AND centre_id = ? "
                             "AND indicator = 'A1'", [expert, centre]).fetchone()[0] == "1"
        # revision 2 first, the old revision 1 arrives late: kept, changes nothing
        revised2 = revise(demo, expert2, centre2, "A1", "1", tmp_path / "r2b")
        merge_files(ws, [revised2])
        totals = results(ws)
        late = merge_files(ws, [second])
        assert outcomes(late)["superseded"] == 1
        assert results(ws) == totals
        statuses = {s.expert_id: s for s in completeness(ws)[centre2]}
        assert statuses[expert2].state == "received" and statuses[expert2].revision == 2
        assert statuses[expert2].superseded == (1,)
        assert [e.action for e in audit.entries(ws.db, expert_id=expert2)
                if e.action.startswith("merge.")] == ["merge.accept", "merge.superseded"]
        again = merge_files(ws, [first.with_suffix(".pdf")])  # same payload as the xlsx
        assert outcomes(again)["already_merged"] == 1


def test_same_revision_different_content_is_a_conflict_until_the_secretary_chooses(
        demo, tmp_path):
    from cmrc_desktop.exchange.sheet_xlsx import read_sheet_xlsx
    from cmrc_desktop.signing.payload import SheetPayload
    from tests.hostile.forge import write_xlsx

    first = sorted((demo / "scoresheets").glob("*.xlsx"))[0]
    _batch, centre, expert, _r = first.stem.split("_")
    original = SheetPayload.from_bytes(read_sheet_xlsx(first).payload_bytes)
    with open_workspace(demo / "experts" / expert) as ews:
        # the same expert signs a different revision 1 (a second laptop, a restored backup)
        signer = keyring.open_own_key(ews, PASSWORD)
        twin_payload = dataclasses.replace(original, scores={**original.scores,
                                                             "A1": Decimal("0.5")})
        twin = write_xlsx(tmp_path / "twin.xlsx", twin_payload, ews.scheme, signer)
    with open_workspace(demo / "secretary") as ws:
        merge_files(ws, [first])
        report = merge_files(ws, [twin])
        assert outcomes(report)["conflict"] == 1, report.files
        graded = {c["centre"]: c for c in results(ws)["centres"]}
        assert expert not in graded[centre]["expert_totals"]
        assert {s.expert_id: s.state for s in completeness(ws)[centre]}[expert] == "conflict"
        chosen = merge_repo.received_for(ws.db, expert, centre)[0].digest
        with pytest.raises(Exception, match="needs a reason"):
            resolve_conflict(ws, expert, centre, chosen[:10], "")
        resolve_conflict(ws, expert, centre, chosen[:10], "原件以纸质签字版为准")
        graded = {c["centre"]: c for c in results(ws)["centres"]}
        assert expert in graded[centre]["expert_totals"]
        assert audit.entries(ws.db, action="merge.resolve")[0].reason == "原件以纸质签字版为准"


def test_a_sheet_of_an_unassigned_expert_is_refused(demo):
    from cmrc_desktop.services import panel

    first = sorted((demo / "scoresheets").glob("*.xlsx"))[0]
    _batch, centre, expert, _r = first.stem.split("_")
    with open_workspace(demo / "secretary") as ws:
        panel.declare_conflict(ws, expert, centre, "会前申报：与该中心主任有合作")
        report = merge_files(ws, [first])
        assert outcomes(report)["refused"] == 1
        assert "not assigned" in report.files[0].reason or "conflict" in \
            report.files[0].reason


def test_status_lists_missing_sheets(demo):
    with open_workspace(demo / "secretary") as ws:
        table = completeness(ws)
        assert {s.state for rows in table.values() for s in rows} == {"missing"}
        merge_files(ws, sorted((demo / "scoresheets").glob("*.xlsx"))[:2])
        states = [s.state for rows in completeness(ws).values() for s in rows]
        assert states.count("received") == 2


def test_worker_processes_merge_exactly_like_inline(demo, tmp_path, pristine, monkeypatch):
    from cmrc_desktop.services import merge

    assert merge._can_fork()
    inline = tmp_path / "inline"
    shutil.copytree(pristine, inline)
    with open_workspace(inline / "secretary") as ws:
        merge_files(ws, [inline / "scoresheets"])
        expected = results(ws)
        expected_log = [(f.path.name, f.outcome) for f in merge_files(
            ws, [inline / "scoresheets"]).files]
    monkeypatch.setattr(merge, "PARALLEL_MIN", 2)
    monkeypatch.setattr(merge, "WORK_BATCH", 3)
    with open_workspace(demo / "secretary") as ws:
        report = merge_files(ws, [demo / "scoresheets"])
        assert report.count("accepted") > 0 and report.refused == 0
        assert results(ws) == expected
        again = merge_files(ws, [demo / "scoresheets"])
        assert [(f.path.name, f.outcome) for f in again.files] == expected_log
