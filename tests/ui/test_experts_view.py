"""The Experts view: the panel table, the selected expert's conflicts with their reasons
and kinds, and its actions — add an expert (with the batch password, in the background),
declare a conflict and withdraw a declared one (reason required), detect conflicts — each written with its audit row."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from cmrc_desktop.domain.workspace import ConflictKind, Expert
from cmrc_desktop.services import keyring
from cmrc_desktop.storage import audit, expert_repo
from cmrc_desktop.ui.dialogs.expert_add import AddExpertDialog
from cmrc_desktop.ui.dialogs.expert_conflict import (
    DeclareConflictDialog,
    WithdrawConflictDialog,
    chosen_id,
)
from cmrc_desktop.ui.dialogs.package_export import PackageExportDialog
from cmrc_desktop.ui.models.experts import (
    COL_ASSIGNED,
    COL_CONFLICTS,
    COL_KIND,
    COL_REASON,
    KIND_ROLE,
    ConflictsModel,
    ExpertsModel,
)
from cmrc_desktop.ui.secretary.experts import ExpertsView
from tests.ui.conftest import DEMO_PASSWORD


@pytest.fixture
def ws(secretary_ws):
    return secretary_ws


@pytest.fixture
def view(qtbot, ws, prompts):
    view = ExpertsView(ws, prompts=prompts)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    view.refresh()
    return view


def row_texts(model, column: int) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_the_models_pass_the_model_tester(qtmodeltester, view):
    qtmodeltester.check(view.model)
    view.select_expert("E02")
    qtmodeltester.check(view.conflicts_model)


def test_the_panel_table_lists_every_expert_with_counts(view):
    model = view.model
    assert row_texts(model, 0) == ["E01", "E02", "E03", "E04"]
    assert row_texts(model, 1) == ["谢国栋", "周敏", "韩永强", "韩海燕"]
    assert row_texts(model, COL_ASSIGNED) == ["2", "2", "2", "1"]
    assert row_texts(model, COL_CONFLICTS) == ["1", "2", "1", "2"]
    assert model.index(3, COL_CONFLICTS).data(Qt.ItemDataRole.ToolTipRole).count("\n") == 1
    text = view.summary_label.text()
    assert "4 experts on the panel" in text
    assert "6 conflicts of interest (5 detected, 1 declared)" in text


def test_the_table_sorts_numbers_as_numbers(view):
    view.table.sortByColumn(COL_CONFLICTS, Qt.SortOrder.DescendingOrder)
    assert row_texts(view.model, COL_CONFLICTS) == ["2", "2", "1", "1"]
    view.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    assert row_texts(view.model, 0)[0] == "E02"      # 周 sorts before 谢 and 韩 by code point


def test_the_selected_experts_conflicts_show_with_reason_and_kind(qtbot, view):
    view.select_expert("E02")
    model = view.conflicts_model
    assert "周敏 (E02)" in view.conflicts_label.text()
    assert model.rowCount() == 2 and view.conflicts_table.isVisible()
    assert row_texts(model, 0) == ["C003", "C003"]
    assert row_texts(model, COL_KIND) == ["Detected", "Declared"]
    assert [model.index(r, 0).data(KIND_ROLE) for r in range(2)] == ["auto", "declared"]
    assert row_texts(model, COL_REASON) == [
        "The expert's institution is a network member of the centre",
        "近三年曾与该中心主任合作承担科研项目"]
    view.table.selectRow(0)
    view.table.setCurrentIndex(view.model.index(0, 0))
    assert "谢国栋 (E01)" in view.conflicts_label.text() and model.rowCount() == 1


def test_an_expert_without_conflicts_says_so(view, ws):
    expert_repo.insert_expert(ws.db, Expert("E05", "新专家", "外省某医院"))
    view.refresh()
    view.select_expert("E05")
    assert view.conflicts_empty.isVisible() and not view.conflicts_table.isVisible()
    assert "新专家 may score every centre" in view.conflicts_empty.text()


def test_add_an_expert_issues_the_key_and_reports_conflicts(view, ws, prompts, inline_tasks):
    view.add_action.trigger()
    dialog = view.dialog
    assert isinstance(dialog, AddExpertDialog)
    assert dialog.id_edit.text() == "E05"
    assert dialog.password_edit.isVisibleTo(dialog)          # the batch has its keys
    dialog.name_edit.setText("王建国")
    dialog.institution_edit.setText("  日照市妇幼保健院 ")         # hosts C001
    dialog.title_edit.setText("主任医师")
    dialog.password_edit.setText(DEMO_PASSWORD)
    dialog.ui.button_box.accepted.emit()
    assert not dialog.isVisible()
    expert = expert_repo.get_expert(ws.db, "E05")
    assert (expert.name, expert.institution, expert.title) == ("王建国", "日照市妇幼保健院",
                                                                "主任医师")
    assert keyring.expert_certificate(ws, "E05") is not None
    assert audit.entries(ws.db, action="expert.add")[-1].expert_id == "E05"
    assert [(c.centre_id, c.kind) for c in expert_repo.list_conflicts(ws.db, expert_id="E05")
            ] == [("C001", ConflictKind.AUTO)]
    kind, _title, text = prompts.messages[-1]
    assert kind == "info" and "E05" in text and "C001" in text
    assert "host institution" in text
    assert view.selected_expert() == "E05" and view.model.rowCount() == 5


def test_add_an_expert_refuses_a_wrong_password_and_keeps_the_form(view, ws, inline_tasks):
    view.add_action.trigger()
    dialog = view.dialog
    dialog.name_edit.setText("王建国")
    dialog.institution_edit.setText("外省某医院")
    dialog.password_edit.setText("not-the-password")
    dialog.ui.button_box.accepted.emit()
    assert dialog.isVisible()
    assert "does not open the batch key" in dialog.ui.error_label.text()
    assert expert_repo.find_expert(ws.db, "E05") is None
    assert dialog.name_edit.text() == "王建国"


def test_add_an_expert_names_the_missing_field(view, ws, inline_tasks):
    view.add_action.trigger()
    dialog = view.dialog
    dialog.name_edit.setText("王建国")
    dialog.ui.button_box.accepted.emit()
    assert dialog.ui.error_label.text().startswith("Institution: ")
    dialog.institution_edit.setText("外省某医院")
    dialog.ui.button_box.accepted.emit()
    assert dialog.ui.error_label.text().startswith("Batch password: ")
    dialog.id_edit.setText("E01")
    dialog.password_edit.setText(DEMO_PASSWORD)
    dialog.ui.button_box.accepted.emit()
    assert "already an expert with id 'E01'" in dialog.ui.error_label.text()
    assert len(expert_repo.list_experts(ws.db)) == 4


def test_declare_a_conflict_needs_a_reason_and_is_audited(view, ws):
    expert_repo.insert_expert(ws.db, Expert("E05", "新专家", "外省某医院"))
    view.refresh()
    view.select_expert("E05")
    view.declare_action.trigger()
    dialog = view.dialog
    assert isinstance(dialog, DeclareConflictDialog)
    assert dialog.expert_combo.currentData() == "E05"
    dialog.centre_combo.setEditText("口腔")                    # part of the name is not enough
    dialog.ui.button_box.accepted.emit()
    assert dialog.ui.error_label.text().startswith("Centre: ")
    dialog.centre_combo.setCurrentIndex(dialog.centre_combo.findData("C002"))
    assert chosen_id(dialog.centre_combo) == "C002"
    dialog.ui.button_box.accepted.emit()
    assert dialog.ui.error_label.text().startswith("Reason: ")
    assert dialog.isVisible()
    dialog.reason_edit.setText("曾参与该中心申报材料的撰写")
    dialog.ui.button_box.accepted.emit()
    assert not dialog.isVisible()
    declared = expert_repo.list_conflicts(ws.db, expert_id="E05")
    assert [(c.centre_id, c.kind, c.reason) for c in declared] == [
        ("C002", ConflictKind.DECLARED, "曾参与该中心申报材料的撰写")]
    entry = audit.entries(ws.db, action="conflict.declare")[-1]
    assert (entry.expert_id, entry.centre_id, entry.actor) == ("E05", "C002", "secretary-test")
    assert view.selected_expert() == "E05"
    assert "Declared" in row_texts(view.conflicts_model, COL_KIND)


def test_only_a_declared_conflict_can_be_withdrawn_with_a_reason(view, ws):
    view.select_expert("E02")
    table = view.conflicts_table
    assert not view.withdraw_action.isEnabled()                # nothing selected below
    table.setCurrentIndex(view.conflicts_model.index(0, 0))    # detected: follows the data
    assert not view.withdraw_action.isEnabled()
    table.setCurrentIndex(view.conflicts_model.index(1, 0))    # declared
    assert view.withdraw_action.isEnabled()
    view.withdraw_action.trigger()
    dialog = view.dialog
    assert isinstance(dialog, WithdrawConflictDialog)
    assert "E02 周敏" in dialog.ui.intro.text() and "C003" in dialog.ui.intro.text()
    dialog.ui.button_box.accepted.emit()
    assert dialog.isVisible() and dialog.ui.error_label.text().startswith("Reason: ")
    assert len(expert_repo.conflicts_of(ws.db, "E02", "C003")) == 2
    dialog.reason_edit.setText("误登记，应为另一中心")
    dialog.ui.button_box.accepted.emit()
    assert not dialog.isVisible()
    assert [c.kind for c in expert_repo.conflicts_of(ws.db, "E02", "C003")] == [
        ConflictKind.AUTO]
    entry = audit.entries(ws.db, action="conflict.withdraw")[-1]
    assert (entry.expert_id, entry.centre_id, entry.reason) == ("E02", "C003",
                                                               "误登记，应为另一中心")
    assert view.selected_expert() == "E02"
    assert row_texts(view.conflicts_model, COL_KIND) == ["Detected"]
    assert not view.withdraw_action.isEnabled()


def test_declaring_a_conflict_on_a_scored_pair_is_refused_in_the_dialog(view, ws):
    view.select_expert("E01")
    view.declare_action.trigger()
    dialog = view.dialog
    dialog.centre_combo.setEditText("C001  山东省病理诊断临床医学研究中心")
    dialog.reason_edit.setText("亲属在该中心工作")
    dialog.ui.button_box.accepted.emit()
    assert dialog.isVisible()
    assert "already entered scores" in dialog.ui.error_label.text()
    assert expert_repo.is_assigned(ws.db, "E01", "C001")


def test_detect_conflicts_finds_a_changed_institution(view, ws, prompts):
    view.detect_action.trigger()
    assert "up to date" in prompts.messages[-1][2]
    expert_repo.update_expert(ws.db, Expert("E04", "韩海燕", "鲁中医学院附属肿瘤医院"))  # hosts C002
    view.detect_action.trigger()
    kind, _title, text = prompts.messages[-1]
    assert kind == "info" and "1 new conflict of interest" in text and "E04: C002" in text
    assert audit.entries(ws.db, action="conflict.detect")[-1].expert_id == "E04"
    assert row_texts(view.model, COL_CONFLICTS)[3] == "1"     # the old network ones cleared


def test_export_opens_the_package_dialog_for_the_selected_expert(view):
    view.select_expert("E03")
    view.export_action.trigger()
    dialog = view.dialog
    assert isinstance(dialog, PackageExportDialog)
    assert dialog.one_radio.isChecked() and dialog.selected_experts() == ("E03",)
    assert dialog.prompts is view.prompts


def test_the_models_read_nothing_themselves():
    experts, conflicts = ExpertsModel(), ConflictsModel()
    assert experts.rowCount() == 0 and conflicts.rowCount() == 0
    assert experts.columnCount() == 7 and conflicts.columnCount() == 4
