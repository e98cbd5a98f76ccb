"""The assignment matrix: centres × experts from the workspace, a click or Space assigns
or (with a reason) removes, conflicted cells are blocked with the reason as tooltip,
scored assignments stay, counts follow, auto-assign tops centres up; usable at 150 × 30."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QHeaderView

from cmrc_desktop.domain.workspace import Centre, Conflict, ConflictKind, Expert
from cmrc_desktop.services import panel
from cmrc_desktop.storage import audit, centre_repo, expert_repo
from cmrc_desktop.ui.dialogs.expert_assignment import AutoAssignDialog, RemoveAssignmentDialog
from cmrc_desktop.ui.dialogs.expert_conflict import DeclareConflictDialog
from cmrc_desktop.ui.models.assignment_matrix import (
    ASSIGNED,
    CONFLICT,
    EXPERT_ROLE,
    FREE,
    SCORED,
    STATE_ROLE,
    AssignmentMatrixModel,
)
from cmrc_desktop.ui.secretary.assignments import CELL_WIDTH, AssignmentsView


@pytest.fixture
def ws(secretary_ws):
    """The demo's secretary (3 centres, 4 experts, every assignment scored) with a fifth
    expert who is free everywhere."""
    expert_repo.insert_expert(secretary_ws.db, Expert("E05", "新专家", "外省某医院"))
    return secretary_ws


@pytest.fixture
def view(qtbot, ws, prompts):
    view = AssignmentsView(ws, prompts=prompts)
    qtbot.addWidget(view)
    view.resize(1100, 600)
    view.show()
    view.refresh()
    return view


def cell(view: AssignmentsView, expert_id: str, centre_id: str):
    model = view.model
    return model.index(model.centre_row(centre_id), model.expert_column(expert_id))


def click(qtbot, view: AssignmentsView, expert_id: str, centre_id: str) -> None:
    index = cell(view, expert_id, centre_id)
    view.table.scrollTo(index)
    rect = view.table.visualRect(index)
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center() + QPoint(3, 2))      # anywhere in the cell


def test_the_model_passes_the_model_tester(qtmodeltester, view):
    qtmodeltester.check(view.model)


def test_rows_are_centres_and_columns_experts_with_counts(view, ws):
    model = view.model
    assert model.rowCount() == 3 and model.columnCount() == 1 + 5
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Experts"
    assert model.headerData(1, Qt.Orientation.Horizontal) == "谢国栋\n2"      # E01: 2 centres
    assert model.headerData(5, Qt.Orientation.Horizontal) == "新专家\n0"
    assert model.headerData(5, Qt.Orientation.Horizontal, EXPERT_ROLE) == "E05"
    assert model.headerData(0, Qt.Orientation.Vertical).startswith("C001  山东省病理诊断")
    assert [model.index(r, 0).data() for r in range(3)] == ["2", "3", "2"]
    assert "3 centres × 5 experts" in view.summary_label.text()
    assert "7 assignments" in view.summary_label.text()


def test_sections_have_fixed_sizes(view):
    header = view.table.horizontalHeader()
    assert header.sectionResizeMode(2) == QHeaderView.ResizeMode.Fixed
    assert header.sectionSize(2) == CELL_WIDTH
    assert view.table.verticalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed


def test_a_conflicted_cell_is_blocked_with_the_reason_as_tooltip(view):
    index = cell(view, "E03", "C001")
    assert index.data(STATE_ROLE) == CONFLICT
    assert not index.flags() & Qt.ItemFlag.ItemIsEnabled
    assert not index.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert index.data(Qt.ItemDataRole.CheckStateRole) is None
    assert index.data(Qt.ItemDataRole.BackgroundRole).style() == Qt.BrushStyle.BDiagPattern
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "cannot be assigned" in tip
    assert "Detected: The expert's institution is the centre's host institution" in tip
    both = cell(view, "E02", "C003").data(Qt.ItemDataRole.ToolTipRole)
    assert "Declared: 近三年曾与该中心主任合作承担科研项目" in both


def test_clicking_a_blocked_cell_changes_nothing(qtbot, view, ws, prompts):
    click(qtbot, view, "E03", "C001")
    assert not expert_repo.is_assigned(ws.db, "E03", "C001")
    assert view.dialog is None and prompts.messages == []


def test_a_scored_assignment_stays(qtbot, view, ws):
    index = cell(view, "E01", "C001")
    assert index.data(STATE_ROLE) == SCORED
    assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert not index.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert "cannot be removed" in index.data(Qt.ItemDataRole.ToolTipRole)
    click(qtbot, view, "E01", "C001")
    assert expert_repo.is_assigned(ws.db, "E01", "C001") and view.dialog is None


def test_a_click_assigns_and_the_counts_follow(qtbot, view, ws):
    assert cell(view, "E05", "C002").data(STATE_ROLE) == FREE
    click(qtbot, view, "E05", "C002")
    assert expert_repo.is_assigned(ws.db, "E05", "C002")
    entry = audit.entries(ws.db, action="assignment.add")[-1]
    assert (entry.expert_id, entry.centre_id, entry.actor) == ("E05", "C002", "secretary-test")
    index = cell(view, "E05", "C002")
    assert index.data(STATE_ROLE) == ASSIGNED
    assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert view.model.headerData(5, Qt.Orientation.Horizontal) == "新专家\n1"
    assert view.model.index(view.model.centre_row("C002"), 0).data() == "4"
    assert "8 assignments" in view.summary_label.text()


def test_space_removes_an_assignment_with_a_reason(qtbot, view, ws):
    panel.assign(ws, "E05", "C003")
    view.refresh()
    index = cell(view, "E05", "C003")
    view.table.setFocus()
    view.table.setCurrentIndex(index)
    qtbot.keyClick(view.table, Qt.Key.Key_Space)
    dialog = view.dialog
    assert isinstance(dialog, RemoveAssignmentDialog)
    assert "E05 新专家" in dialog.ui.intro.text() and "C003" in dialog.ui.intro.text()
    dialog.ui.button_box.accepted.emit()                 # no reason yet
    assert dialog.isVisible() and "Reason" in dialog.ui.error_label.text()
    assert expert_repo.is_assigned(ws.db, "E05", "C003")
    dialog.reason_edit.setText("the expert is abroad in May")
    dialog.ui.button_box.accepted.emit()
    assert not dialog.isVisible()
    assert not expert_repo.is_assigned(ws.db, "E05", "C003")
    entry = audit.entries(ws.db, action="assignment.remove")[-1]
    assert (entry.expert_id, entry.centre_id, entry.reason) == (
        "E05", "C003", "the expert is abroad in May")
    assert cell(view, "E05", "C003").data(STATE_ROLE) == FREE
    assert view.model.headerData(5, Qt.Orientation.Horizontal) == "新专家\n0"


def test_cancelling_the_removal_keeps_the_assignment(qtbot, view, ws):
    panel.assign(ws, "E05", "C003")
    view.refresh()
    click(qtbot, view, "E05", "C003")
    view.dialog.reject()
    assert expert_repo.is_assigned(ws.db, "E05", "C003")
    assert cell(view, "E05", "C003").data(STATE_ROLE) == ASSIGNED


def test_a_refused_assignment_is_reported_and_the_matrix_reloaded(qtbot, view, ws, prompts):
    # the conflict is recorded behind the view's back: the click still shows "free"
    expert_repo.add_conflict(ws.db, Conflict("E05", "C001", ConflictKind.DECLARED, "亲属"))
    click(qtbot, view, "E05", "C001")
    assert prompts.messages[-1][0] == "error"
    assert "conflict of interest (亲属)" in prompts.messages[-1][2]
    assert cell(view, "E05", "C001").data(STATE_ROLE) == CONFLICT


def test_auto_assign_tops_every_centre_up(view, ws, prompts):
    view.auto_action.trigger()
    dialog = view.dialog
    assert isinstance(dialog, AutoAssignDialog)
    dialog.spin.setValue(3)
    dialog.ui.button_box.accepted.emit()
    _per_expert, per_centre = panel.panel_counts(ws)
    assert per_centre == {"C001": 3, "C002": 3, "C003": 3}
    assert [view.model.index(r, 0).data() for r in range(3)] == ["3", "3", "3"]
    kind, _title, text = prompts.messages[-1]
    assert kind == "info" and "2 assignments added" in text


def test_auto_assign_names_centres_that_cannot_be_filled(view, ws, prompts):
    view.auto_action.trigger()
    view.dialog.spin.setValue(4)
    view.dialog.ui.button_box.accepted.emit()
    kind, _title, text = prompts.messages[-1]
    assert kind == "warning"
    assert "2 centres have fewer than 4 experts" in text and "C001 (3)" in text


def test_declare_conflict_for_the_current_cell(view, ws):
    view.table.setCurrentIndex(cell(view, "E05", "C002"))
    view.declare_action.trigger()
    dialog = view.dialog
    assert isinstance(dialog, DeclareConflictDialog)
    assert dialog.expert_combo.currentData() == "E05"
    assert dialog.centre_combo.currentData() == "C002"
    dialog.reason_edit.setText("曾在该中心依托单位任职")
    dialog.ui.button_box.accepted.emit()
    assert cell(view, "E05", "C002").data(STATE_ROLE) == CONFLICT
    assert "曾在该中心依托单位任职" in cell(view, "E05", "C002").data(
        Qt.ItemDataRole.ToolTipRole)


def test_the_model_stays_read_only_until_the_view_acts(ws):
    model = AssignmentMatrixModel()
    model.set_matrix(panel.panel_matrix(ws))
    asked = []
    model.toggle_requested.connect(lambda *args: asked.append(args))
    index = model.index(model.centre_row("C001"), model.expert_column("E05"))
    assert model.setData(index, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole) is False
    assert asked == [("E05", "C001", True)]
    assert index.data(STATE_ROLE) == FREE and not expert_repo.is_assigned(ws.db, "E05", "C001")


# -- a large batch ----------------------------------------------------------------------
@pytest.fixture
def large_ws(tmp_path: Path):
    from cmrc_desktop.scoring.builtin import builtin_scheme
    from cmrc_desktop.services.workspace import create_workspace

    ws = create_workspace(tmp_path / "large", name="大批次", year=2026, kind="performance",
                          stage="dossier_review", scheme=builtin_scheme("sd-perf-5d"),
                          role="secretary", actor="secretary-test")
    with ws.db.atomic():
        for n in range(150):
            centre_repo.insert_centre(ws.db, Centre(
                id=f"C{n:03d}", name=f"山东省第{n}临床医学研究中心", level="provincial",
                field="肿瘤", host=f"医院{n}"))
        for n in range(30):
            expert_repo.insert_expert(ws.db, Expert(f"E{n:02d}", f"专家{n}", f"医院{n * 5}"))
    panel.detect_conflicts(ws)
    panel.auto_assign(ws, 5)
    yield ws
    ws.close()


def test_a_matrix_of_150_centres_by_30_experts_is_complete(qtbot, large_ws, prompts):
    """All of a large batch, conflicts blocked (how fast: bench/bench_secretary_views.py,
    never a timed unit test)."""
    view = AssignmentsView(large_ws, prompts=prompts)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    view.refresh()
    view.table.viewport().repaint()
    assert view.model.rowCount() == 150 and view.model.columnCount() == 31
    assert view.model.conflict_count == 30            # E00..E29 each hosts-match one centre
    view.table.verticalScrollBar().setValue(view.table.verticalScrollBar().maximum())
    view.table.viewport().repaint()
