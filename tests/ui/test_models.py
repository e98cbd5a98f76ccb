"""The item models: qtmodeltester on each, the expert's centre statuses as the sheet
goes from not started to exported, lazy pages, sorting, the merge report's icons."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from cmrc_desktop import i18n
from cmrc_desktop.domain.workspace import Centre, SheetState
from cmrc_desktop.services import keyring, merge, scoring
from cmrc_desktop.services.merge import FileOutcome
from cmrc_desktop.services.sheets import export_sheet, sign_sheet
from cmrc_desktop.storage import centre_repo, expert_repo
from cmrc_desktop.ui.models.centre_status import (
    COL_ID,
    COL_NAME,
    COL_SCORED,
    COL_STATUS,
    EXPORTED,
    FINALISED,
    IN_PROGRESS,
    NOT_STARTED,
    SIGNED,
    STATUS_ROLE,
    CentreStatusModel,
)
from cmrc_desktop.ui.models.merge_report import (
    COL_FILE,
    COL_OUTCOME,
    COL_REVISION,
    OUTCOME_ROLE,
    MergeReportModel,
)
from tests.ui.conftest import DEMO_PASSWORD


def statuses(model: CentreStatusModel) -> dict[str, str]:
    model.fetch_all()
    return {model.index(r, COL_ID).data(): model.index(r, COL_STATUS).data(STATUS_ROLE)
            for r in range(model.rowCount())}


def add_centre(ws, centre_id: str, expert_id: str) -> None:
    """A centre newly assigned to the expert (storage-level set-up)."""
    with ws.db.atomic():
        centre_repo.insert_centre(ws.db, Centre(
            id=centre_id, name=f"测试中心 {centre_id}", level="provincial", field="肿瘤",
            host="山东省立医院"))
        expert_repo.assign(ws.db, expert_id, centre_id)


# -- CentreStatusModel ---------------------------------------------------------------------
def test_centre_status_model_passes_the_model_tester(qtmodeltester, expert_ws):
    model = CentreStatusModel(expert_ws)
    qtmodeltester.check(model)
    model.sort(COL_STATUS, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)


def test_the_demo_expert_has_exported_every_sheet(qtbot, expert_ws):
    model = CentreStatusModel(expert_ws)
    expert = expert_ws.batch.owner_expert_id
    assigned = [c for _e, c in expert_repo.list_assignments(expert_ws.db, expert_id=expert)]
    assert model.rowCount() == len(assigned) == 2
    assert statuses(model) == dict.fromkeys(assigned, EXPORTED)
    total = len(expert_ws.scheme.expert_indicators)
    row = model.row_of(assigned[0])
    assert model.index(row, COL_SCORED).data() == f"{total} / {total}"
    assert model.index(row, COL_STATUS).data() == "exported"
    assert model.index(row, COL_NAME).data() == centre_repo.get_centre(
        expert_ws.db, assigned[0]).name
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)] == [
        "Centre ID", "Centre name", "Host institution", "Status", "Indicators scored"]


def test_status_follows_the_sheet_through_reopen_finalise_sign_and_export(
        qtbot, expert_ws, tmp_path):
    ws = expert_ws
    expert = ws.batch.owner_expert_id
    model = CentreStatusModel(ws)
    first, second = sorted(statuses(model))

    scoring.set_sheet_state(ws, expert, first, SheetState.DRAFT)  # reopened: revision 2
    model.refresh_centre(first)
    assert statuses(model) == {first: IN_PROGRESS, second: EXPORTED}

    scoring.set_sheet_state(ws, expert, first, SheetState.FINAL)
    model.refresh()
    assert statuses(model)[first] == FINALISED

    signer = keyring.open_own_key(ws, DEMO_PASSWORD)
    sign_sheet(ws, expert, first, signer)
    with qtbot.waitSignal(model.dataChanged):
        model.refresh_centre(first)
    assert statuses(model)[first] == SIGNED   # the export of revision 1 does not count

    export_sheet(ws, expert, first, tmp_path / "usb", signer, formats=("xlsx",))
    model.refresh_centre(first)
    assert statuses(model) == {first: EXPORTED, second: EXPORTED}
    assert model.index(model.row_of(first), COL_STATUS).data() == "exported"


def test_a_new_centre_is_not_started_until_one_score_is_recorded(qtbot, qtmodeltester,
                                                                 expert_ws):
    ws = expert_ws
    expert = ws.batch.owner_expert_id
    add_centre(ws, "C900", expert)
    model = CentreStatusModel(ws)
    total = len(ws.scheme.expert_indicators)
    assert statuses(model)["C900"] == NOT_STARTED
    row = model.row_of("C900")
    assert model.index(row, COL_SCORED).data() == f"0 / {total}"
    assert model.index(row, COL_STATUS).data() == "not started"

    indicator = ws.scheme.expert_indicators[0]
    scoring.record_score(ws, expert, "C900", indicator.id, indicator.max)
    model.refresh_centre("C900")
    assert statuses(model)["C900"] == IN_PROGRESS
    assert model.index(row, COL_SCORED).data() == f"1 / {total}"
    assert model.index(row, COL_STATUS).data() == "in progress"
    qtmodeltester.check(model)


def test_centre_statuses_are_sorted_and_selections_follow_their_rows(qtbot, expert_ws):
    ws = expert_ws
    expert = ws.batch.owner_expert_id
    add_centre(ws, "C000", expert)       # not started, first by id
    model = CentreStatusModel(ws)
    ids = list(statuses(model))
    assert ids == sorted(ids) and ids[0] == "C000"
    selected = QPersistentModelIndex(model.index(0, COL_NAME))
    model.sort(COL_STATUS, Qt.SortOrder.DescendingOrder)
    assert [model.index(r, COL_STATUS).data(STATUS_ROLE) for r in range(3)] == [
        EXPORTED, EXPORTED, NOT_STARTED]
    assert selected.row() == 2 and selected.data() == "测试中心 C000"
    model.sort(COL_ID, Qt.SortOrder.DescendingOrder)
    assert list(statuses(model)) == sorted(ids, reverse=True)
    model.refresh()                       # the sort is kept
    assert list(statuses(model)) == sorted(ids, reverse=True)


def test_centre_rows_are_fetched_in_pages(qtbot, qtmodeltester, expert_ws):
    ws = expert_ws
    expert = ws.batch.owner_expert_id
    for n in range(150):
        add_centre(ws, f"X{n:03d}", expert)
    model = CentreStatusModel(ws)
    assert model.total_rows == 152
    assert model.rowCount() == CentreStatusModel.PAGE == 100
    assert model.canFetchMore(QModelIndex())
    assert len(model._rows) == 100           # only the first page was read
    with qtbot.waitSignal(model.rowsInserted):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 152 and not model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)


def test_a_workspace_without_an_owner_lists_no_centres(qtbot, qtmodeltester, demo_dir,
                                                       tmp_path):
    from cmrc_desktop.services.workspace import open_workspace
    from tests.ui.conftest import copy_workspace

    with open_workspace(copy_workspace(demo_dir / "secretary", tmp_path / "s")) as ws:
        model = CentreStatusModel(ws)
        assert model.rowCount() == 0
        qtmodeltester.check(model)
        someone = expert_repo.list_experts(ws.db)[0].id
        assert CentreStatusModel(ws, expert_id=someone).rowCount() > 0


def test_headers_speak_chinese(qtbot, expert_ws):
    i18n.set_language("zh_CN")
    model = CentreStatusModel(expert_ws)
    assert model.headerData(COL_ID, Qt.Orientation.Horizontal) == "中心编号"
    assert model.headerData(COL_NAME, Qt.Orientation.Horizontal) == "中心名称"


# -- MergeReportModel ----------------------------------------------------------------------
OUTCOMES = [
    FileOutcome(Path("/inbox/a.xlsx"), merge.ACCEPTED, "", "E01", "C001", 2, "ab" * 32),
    FileOutcome(Path("/inbox/b.xlsx"), merge.REFUSED, "the signature does not verify"),
    FileOutcome(Path("/inbox/c.pdf"), merge.CONFLICT, "same revision, other content", "E02",
                "C001", 1, "cd" * 32),
    FileOutcome(Path("/inbox/d.xlsx"), merge.ALREADY, "this sheet was merged before", "E01",
                "C002", 1, "ef" * 32),
]


def test_merge_report_model_passes_the_model_tester(qtmodeltester):
    model = MergeReportModel(OUTCOMES)
    qtmodeltester.check(model)
    model.sort(COL_OUTCOME)
    qtmodeltester.check(model)
    qtmodeltester.check(MergeReportModel([]))


def test_merge_report_rows_and_icons(qtbot):
    model = MergeReportModel(OUTCOMES)
    assert model.rowCount() == 4 and model.columnCount() == 6
    rows = {model.index(r, COL_FILE).data(): r for r in range(4)}
    refused, conflict, accepted = rows["b.xlsx"], rows["c.pdf"], rows["a.xlsx"]
    assert model.index(refused, COL_OUTCOME).data() == "refused"
    assert model.index(refused, COL_OUTCOME).data(OUTCOME_ROLE) == merge.REFUSED
    assert not model.index(refused, COL_OUTCOME).data(Qt.ItemDataRole.DecorationRole).isNull()
    assert not model.index(conflict, COL_OUTCOME).data(Qt.ItemDataRole.DecorationRole).isNull()
    assert model.index(accepted, COL_OUTCOME).data(Qt.ItemDataRole.DecorationRole) is None
    assert model.index(accepted, COL_REVISION).data() == "2"
    assert model.index(refused, COL_REVISION).data() == ""
    assert model.index(refused, COL_FILE).data(Qt.ItemDataRole.ToolTipRole) == "/inbox/b.xlsx"
    assert model.index(refused, 5).data() == "the signature does not verify"
    assert model.count(merge.REFUSED) == 1
    assert model.outcome(refused) == OUTCOMES[1]


def test_merge_report_sorts_and_pages(qtbot):
    many = [FileOutcome(Path(f"/inbox/{n:04d}.xlsx"), merge.ACCEPTED if n % 3 else merge.REFUSED)
            for n in range(250)]
    model = MergeReportModel(many)
    assert model.rowCount() == 100 and model.total_rows == 250
    model.fetch_all()
    assert model.rowCount() == 250
    model.sort(COL_FILE, Qt.SortOrder.DescendingOrder)
    assert model.index(0, COL_FILE).data() == "0249.xlsx"
    model.sort(COL_OUTCOME)
    assert model.index(0, COL_OUTCOME).data(OUTCOME_ROLE) == merge.ACCEPTED
    assert model.index(249, COL_OUTCOME).data(OUTCOME_ROLE) == merge.REFUSED


@pytest.mark.parametrize("language, refused", [("en", "refused"), ("zh_CN", None)])
def test_merge_report_outcomes_are_translated(qtbot, language, refused):
    i18n.set_language(language)
    model = MergeReportModel(OUTCOMES)   # kept: an index must not outlive its model
    text = model.index(1, COL_OUTCOME).data()
    assert text == (refused or merge.outcome_label(merge.REFUSED))
    if language == "zh_CN":
        assert text != "refused"
