"""What the window's centres view and centre dialog ask of the services: the overview of
every centre (experts, documents, sheets received), metric periods and values, taking a
value back, and the formal-review checklist with its summary per centre."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.workspace import Centre, SheetState
from cmrc_desktop.scoring.builtin import builtin_scheme
from cmrc_desktop.services import dossiers, review
from cmrc_desktop.services.workspace import Workspace, create_workspace
from cmrc_desktop.storage import audit, score_repo


def overview(ws: Workspace) -> dict[str, dossiers.CentreOverview]:
    return {row.centre.id: row for row in dossiers.centre_overview(ws)}


# -- overview --------------------------------------------------------------------------
def test_overview_counts_experts_documents_and_sheets(ws: Workspace, tmp_path: Path) -> None:
    file = tmp_path / "申报书.pdf"
    file.write_bytes(b"%PDF")
    dossiers.add_document(ws, "C1", "application", file)
    removed = dossiers.add_document(ws, "C1", "other", file)
    dossiers.remove_document(ws, removed.id, reason="duplicate")

    rows = overview(ws)
    assert (rows["C1"].experts, rows["C1"].documents, rows["C1"].received) == (2, 1, 0)
    assert rows["C1"].sheets == dossiers.AWAITING
    assert (rows["C2"].experts, rows["C2"].documents) == (1, 0)

    score_repo.set_sheet(ws.db, "E1", "C1", state=SheetState.SIGNED, revision=1)
    rows = overview(ws)
    assert rows["C1"].received == 1 and rows["C1"].sheets == dossiers.PARTIAL
    score_repo.set_sheet(ws.db, "E2", "C1", state=SheetState.FINAL, revision=1)
    assert overview(ws)["C1"].sheets == dossiers.COMPLETE


def test_a_centre_without_experts_or_with_disagreeing_sheets(bare_ws: Workspace) -> None:
    dossiers.add_centre(bare_ws, Centre(id="C9", name="测试中心", level="city",
                                        field="恶性肿瘤", host="某医院"))
    assert overview(bare_ws)["C9"].sheets == dossiers.UNASSIGNED
    row = dossiers.CentreOverview(overview(bare_ws)["C9"].centre, experts=3, documents=0,
                                  received=3, disagreeing=1)
    assert row.sheets == dossiers.DISAGREEING


# -- metrics ---------------------------------------------------------------------------
def test_periods_latest_first_and_the_default_period(ws: Workspace) -> None:
    assert dossiers.default_period(ws) == "2025"                # the year before 2026
    assert dossiers.metric_periods(ws, "C1") == []
    dossiers.set_metrics(ws, "C1", "2023", {"core_members": Decimal(2)})
    dossiers.set_metrics(ws, "C1", "2024", {"core_members": Decimal(3)})
    assert dossiers.metric_periods(ws, "C1") == ["2024", "2023"]
    assert dossiers.default_period(ws) == "2024"
    assert dossiers.metrics_of(ws, "C1", "2023") == {"core_members": Decimal(2)}


def test_update_sets_and_takes_back_values_in_one_go_with_audit_rows(ws: Workspace) -> None:
    dossiers.set_metrics(ws, "C1", "2025", {"core_members": Decimal(2),
                                            "patents_granted": Decimal(5)})
    dossiers.update_metrics(ws, "C1", "2025", {"core_members": Decimal(4),
                                               "patents_granted": None})
    assert dossiers.metrics_of(ws, "C1", "2025") == {"core_members": Decimal(4)}
    rows = [(e.entity, e.old, e.new) for e in audit.entries(ws.db, action="metric.set")]
    assert rows[-2:] == [("metric:core_members", "2", "4"),
                         ("metric:patents_granted", "5", None)]


def test_one_bad_value_refuses_the_whole_update(ws: Workspace) -> None:
    dossiers.set_metrics(ws, "C1", "2025", {"patents_granted": Decimal(5)})
    with pytest.raises(InputError) as excinfo:
        dossiers.update_metrics(ws, "C1", "2025", {"patents_granted": None,
                                                   "core_members": Decimal(-1)})
    assert excinfo.value.field == "core_members"
    assert dossiers.metrics_of(ws, "C1", "2025") == {"patents_granted": Decimal(5)}


def test_clear_refuses_unknown_metrics_and_an_empty_period(ws: Workspace) -> None:
    with pytest.raises(InputError):
        dossiers.clear_metrics(ws, "C1", "2025", ["no_such_metric"])
    with pytest.raises(InputError):
        dossiers.clear_metrics(ws, "C1", " ", ["core_members"])
    assert dossiers.clear_metrics(ws, "C1", "2025", ["core_members"]) == []


# -- formal review ---------------------------------------------------------------------
@pytest.fixture
def app_ws(tmp_path: Path):
    ws = create_workspace(tmp_path / "app", name="申报评审", year=2026, kind="application",
                          stage="dossier_review", scheme=builtin_scheme("application-review"),
                          role="secretary", actor="secretary-wang")
    for ident in ("C1", "C2"):
        dossiers.add_centre(ws, Centre(id=ident, name=f"中心{ident}", level="provincial",
                                       field="恶性肿瘤", host="某医院"))
    dossiers.set_metrics(ws, "C1", "2025", {"core_members": Decimal(3),
                                            "promotion_members": Decimal(12),
                                            "fulltime_managers": Decimal(1)})
    yield ws
    ws.close()


def test_checklist_and_summaries_follow_the_verdicts(app_ws: Workspace) -> None:
    items = review.checklist(app_ws, "C1")
    assert [i.check.id for i in items] == [c.id for c in app_ws.scheme.checks]
    assert all(i.passed is None for i in items)
    assert review.review_summaries(app_ws)["C1"] == review.ReviewSummary(
        review.OPEN, (), len(items))

    review.run_automatic_checks(app_ws)
    for check in ("F1", "F2", "F5", "F7"):
        review.set_check(app_ws, "C1", check, True, "材料齐全")
    assert review.review_summaries(app_ws)["C1"].verdict == review.PASSED
    review.set_check(app_ws, "C2", "F1", False, "二级医院")
    summary = review.review_summaries(app_ws)["C2"]
    assert summary.verdict == review.FAILED and summary.failed == ("F1",)


def test_automatic_checks_keep_a_persons_verdict(app_ws: Workspace) -> None:
    review.set_check(app_ws, "C2", "F3", True, "名单另附")
    decided = review.run_automatic_checks(app_ws)
    assert ("C2", "F3") not in {(r.centre_id, r.check_id) for r in decided}
    kept = {i.check.id: i.result for i in review.checklist(app_ws, "C2")}["F3"]
    assert (kept.passed, kept.automatic, kept.note) == (True, False, "名单另附")
    review.set_check(app_ws, "C2", "F3", None)              # back to "not checked"
    review.run_automatic_checks(app_ws)
    again = {i.check.id: i.result for i in review.checklist(app_ws, "C2")}["F3"]
    assert again.automatic and again.passed is None         # C2 reported nothing


def test_no_checks_no_summaries(ws: Workspace) -> None:
    assert review.review_summaries(ws) == {}
    assert review.checklist(ws, "C1") == []
