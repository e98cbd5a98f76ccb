"""The progress dashboard: centres × experts with a dot per assigned sheet (a cross for a
conflict of interest, nothing where the expert is not assigned), counts per centre and
per expert, the centres still waiting, and what each expert still owes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from cmrc_desktop.services import status as st
from cmrc_desktop.storage import expert_repo, merge_repo
from cmrc_desktop.ui.main_views import ID_ROLE
from cmrc_desktop.ui.models.progress_matrix import (
    COL_CENTRE,
    COL_RECEIVED,
    FIXED_COLUMNS,
    INTEREST_MARK,
    STATE_ROLE,
    ProgressMatrixModel,
)
from cmrc_desktop.ui.secretary.progress import ProgressView


@pytest.fixture
def ws(secretary_ws):
    return secretary_ws


@pytest.fixture
def view(qtbot, ws):
    v = ProgressView(ws)
    qtbot.addWidget(v)
    v.resize(1100, 700)
    v.show()
    v.refresh()
    return v


def cell(model, centre: str, expert: str):
    return model.index(model.row_of(centre), model.column_of(expert))


def test_every_assigned_pair_has_its_state(view, ws, qtmodeltester):
    model = view.model
    qtmodeltester.check(model)
    assignments = expert_repo.list_assignments(ws.db)
    conflicts = {(c.centre_id, c.expert_id): c.reason for c in expert_repo.list_conflicts(ws.db)}
    experts = [e.id for e in expert_repo.list_experts(ws.db)]
    assert model.columnCount() == FIXED_COLUMNS + len(experts)
    assert model.rowCount() == 3
    for expert_id, centre_id in assignments:            # the demo merged every sheet
        index = cell(model, centre_id, expert_id)
        assert index.data(STATE_ROLE) == st.RECEIVED
        assert index.data(Qt.ItemDataRole.DecorationRole) is not None
        assert "received" in index.data(Qt.ItemDataRole.ToolTipRole)
        assert index.data(ID_ROLE) == f"{centre_id}/{expert_id}"
    for (centre_id, expert_id), reason in conflicts.items():
        index = cell(model, centre_id, expert_id)
        assert index.data(STATE_ROLE) == st.INTEREST and index.data() == INTEREST_MARK
        assert "conflict of interest" in index.data(Qt.ItemDataRole.ToolTipRole)
        if reason:
            assert reason in index.data(Qt.ItemDataRole.ToolTipRole)
    unassigned = [(c, e) for c in ("C001", "C002", "C003") for e in experts
                  if (e, c) not in assignments and (c, e) not in conflicts]
    for centre_id, expert_id in unassigned:
        index = cell(model, centre_id, expert_id)
        assert index.data(STATE_ROLE) is None and not index.data()
    received = len(assignments)
    assert f"{received} of {received} assigned sheets received" in view.summary_label.text()
    assert "3 of 3 centres complete" in view.summary_label.text()


def test_missing_and_conflicting_sheets_show_per_centre_and_per_expert(view, ws):
    expert_id, centre_id = sorted(expert_repo.list_assignments(ws.db))[0]
    other_expert, other_centre = sorted(expert_repo.list_assignments(ws.db))[-1]
    with ws.db.atomic():
        ws.db.execute("DELETE FROM received_sheets WHERE expert_id = ? AND centre_id = ?",
                      [expert_id, centre_id])
        ws.db.execute("DELETE FROM sheets WHERE expert_id = ? AND centre_id = ?",
                      [expert_id, centre_id])
        for r in merge_repo.received_for(ws.db, other_expert, other_centre):
            merge_repo.set_status(ws.db, r.id, "conflict")
    view.refresh()
    model = view.model
    assert cell(model, centre_id, expert_id).data(STATE_ROLE) == st.MISSING
    assert cell(model, other_centre, other_expert).data(STATE_ROLE) == st.CONFLICT
    assert "missing 1" in view.summary_label.text()
    assert "conflict 1" in view.summary_label.text()
    row = model.row_of(centre_id)
    received, assigned = st.progress(ws).centre_counts(centre_id)
    assert model.index(row, COL_RECEIVED).data() == f"{received} / {assigned}"
    assert received == assigned - 1
    column = model.column_of(expert_id)
    header = model.headerData(column, Qt.Orientation.Horizontal)
    assert header.startswith(f"{expert_id}\n")
    assert "sheets received" in model.headerData(column, Qt.Orientation.Horizontal,
                                                 Qt.ItemDataRole.ToolTipRole)

    owed = _experts_rows(view)
    assert centre_id in owed[expert_id][4]            # "Centres still missing"
    assert owed[expert_id][3] == "1"
    assert other_centre in owed[other_expert][5]      # "Centres in conflict"

    view.only_open_check.setChecked(True)
    waiting = {model.index(r, COL_CENTRE).data() for r in range(model.rowCount())}
    assert waiting == {centre_id, other_centre}
    view.only_open_check.setChecked(False)
    assert model.rowCount() == 3


def test_sorting_by_an_expert_puts_missing_sheets_first(view, ws, qtmodeltester):
    expert_id, centre_id = sorted(expert_repo.list_assignments(ws.db))[-1]
    with ws.db.atomic():
        ws.db.execute("DELETE FROM received_sheets WHERE expert_id = ? AND centre_id = ?",
                      [expert_id, centre_id])
        ws.db.execute("DELETE FROM sheets WHERE expert_id = ? AND centre_id = ?",
                      [expert_id, centre_id])
    view.refresh()
    model = view.model
    view.table.sortByColumn(model.column_of(expert_id), Qt.SortOrder.AscendingOrder)
    assert model.index(0, COL_CENTRE).data() == centre_id
    view.table.sortByColumn(COL_RECEIVED, Qt.SortOrder.AscendingOrder)
    assert model.index(0, COL_CENTRE).data() == centre_id
    view.table.sortByColumn(COL_CENTRE, Qt.SortOrder.DescendingOrder)
    assert model.index(0, COL_CENTRE).data() == "C003"
    qtmodeltester.check(model)


def test_an_empty_model_passes_the_model_tester(qtmodeltester):
    model = ProgressMatrixModel()
    qtmodeltester.check(model)
    model.sort(7)             # an expert column before there is any: harmless
    model.set_matrix(st.ProgressMatrix((("C1", "甲"),), (), {}, {}))
    assert model.rowCount() == 1 and model.index(0, COL_RECEIVED).data() == "0 / 0"
    qtmodeltester.check(model)


def test_the_experts_table_and_the_legend(view, ws, qtmodeltester):
    qtmodeltester.check(view.experts_proxy)
    experts = [e.id for e in expert_repo.list_experts(ws.db)]
    assert set(_experts_rows(view)) == set(experts)
    legend = view.note_label.text()
    for word in ("received", "missing", "conflict of interest", "not assigned"):
        assert word in legend


def test_refresh_reads_the_matrix_in_a_few_queries(view, ws):
    """No per-cell queries: the number of statements does not grow with the cells."""
    statements: list[str] = []
    ws.db.conn.set_trace_callback(statements.append)
    try:
        view.refresh()
    finally:
        ws.db.conn.set_trace_callback(None)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 12, selects


def _experts_rows(view) -> dict[str, tuple[str, ...]]:
    model = view.experts_model
    return {model.row_id(r): tuple(model.index(r, c).data()
                                   for c in range(model.columnCount()))
            for r in range(model.rowCount())}
