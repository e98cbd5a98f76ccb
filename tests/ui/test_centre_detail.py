"""The centre dialog as a secretary uses it: the details, documents added, opened and
removed with a reason, metric values typed, refused and saved per period, and the
formal-review checklist of an application scheme (automatic checks and manual ticks)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from cmrc_desktop.domain.workspace import Centre, DocumentType, MemberRole, NetworkMember
from cmrc_desktop.scoring.builtin import builtin_scheme
from cmrc_desktop.services import dossiers, review
from cmrc_desktop.services.workspace import Workspace, attachment_path, create_workspace
from cmrc_desktop.storage import audit, dossier_repo, review_repo
from cmrc_desktop.ui.secretary.centre_detail import CentreDetailDialog
from cmrc_desktop.ui.secretary.centre_documents import AddDocumentDialog, ReasonDialog
from cmrc_desktop.ui.secretary.centre_metrics import COL_VALUE
from cmrc_desktop.ui.secretary.centre_review import COL_VERDICT

CENTRES = (
    Centre(id="C001", name="北京协和医院心血管病临床医学研究中心", level="national",
           field="心血管系统疾病", host="北京协和医院", province="北京市", city="北京市",
           director="张三", start_date="2021-03-01",
           members=(NetworkMember("首都医科大学附属北京安贞医院", MemberRole.CORE),
                    NetworkMember("山东省立医院", MemberRole.PROMOTION))),
    Centre(id="C002", name="山东省肿瘤临床医学研究中心", level="provincial", field="恶性肿瘤",
           host="山东省肿瘤医院", city="济南市"),
    Centre(id="C003", name="青岛市呼吸疾病临床医学研究中心", level="city",
           field="呼吸系统疾病", host="青岛大学附属医院", city="青岛市"),
)


def application_workspace(folder: Path) -> Workspace:
    """A 申报评审 batch under the built-in application scheme (7 formal-review checks,
    three of them from metrics): three centres, C001 with metrics for 2025."""
    ws = create_workspace(folder, name="2026年度申报评审", year=2026, kind="application",
                          stage="dossier_review", scheme=builtin_scheme("application-review"),
                          role="secretary", actor="secretary-wang")
    for centre in CENTRES:
        dossiers.add_centre(ws, centre)
    dossiers.set_metrics(ws, "C001", "2025", {"core_members": Decimal(4),
                                              "promotion_members": Decimal(6),
                                              "fulltime_managers": Decimal(2)})
    return ws


@pytest.fixture
def app_ws(tmp_path) -> Iterator[Workspace]:
    ws = application_workspace(tmp_path / "application")
    yield ws
    ws.close()


class Opened:
    """Records what the dialog handed to the system viewer."""

    def __init__(self, result: bool = True) -> None:
        self.paths: list[Path] = []
        self.result = result

    def __call__(self, path: Path) -> bool:
        self.paths.append(path)
        return self.result


@pytest.fixture
def opened() -> Opened:
    return Opened()


@pytest.fixture
def dialog(qtbot, app_ws, prompts, opened) -> Iterator[CentreDetailDialog]:
    dlg = CentreDetailDialog(app_ws, "C001", prompts=prompts, open_external=opened)
    dlg.show()
    yield dlg
    if shiboken6.isValid(dlg):      # deletes itself on close
        prompts.answer = True
        dlg.close()


def a_file(tmp_path: Path, name: str = "申报书.pdf", data: bytes = b"%PDF-1.4 test") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- details ---------------------------------------------------------------------------
def test_details_show_the_centre_with_its_network(dialog):
    details = dialog.details()
    assert details["Centre ID"] == "C001"
    assert details["Host institution"] == "北京协和医院"
    assert details["Level"] == "National clinical medical research centre"
    assert details["Disease field"] == "Cardiovascular diseases"
    assert details["Core members"] == "首都医科大学附属北京安贞医院"
    assert details["Promotion-network members"] == "山东省立医院"
    assert details["Network members"] == "—"
    assert "C001" in dialog.windowTitle()
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles == ["Details", "Documents (0)", "Metrics", "Formal review"]


def test_a_performance_scheme_has_no_formal_review_tab(qtbot, demo_dir, tmp_path, prompts):
    from cmrc_desktop.services.workspace import open_workspace
    from tests.ui.conftest import copy_workspace

    ws = open_workspace(copy_workspace(demo_dir / "secretary", tmp_path / "sec"))
    try:
        dlg = CentreDetailDialog(ws, "C001", prompts=prompts)
        qtbot.addWidget(dlg)
        assert dlg.review is None
        assert [dlg.tabs.tabText(i) for i in range(dlg.tabs.count())][-1] == "Metrics"
    finally:
        ws.close()


# -- documents -------------------------------------------------------------------------
def add_through_dialog(qtbot, dialog: CentreDetailDialog, path: Path,
                       doc_type: DocumentType = DocumentType.APPLICATION,
                       title: str = "") -> AddDocumentDialog:
    add = dialog.documents.add_document()
    add.load(str(path), doc_type, title)
    with qtbot.waitSignal(dialog.changed):
        add.ui.button_box.button(QDialogButtonBox.StandardButton.Ok).click()
    return add


def test_add_a_document_with_its_type_stores_lists_and_audits_it(qtbot, dialog, app_ws,
                                                                tmp_path, inline_tasks,
                                                                qtmodeltester):
    path = a_file(tmp_path)
    add_through_dialog(qtbot, dialog, path, DocumentType.ANNUAL_REPORT, "2025年度报告")

    documents = dossier_repo.list_documents(app_ws.db, "C001")
    assert [(d.title, d.doc_type, d.filename) for d in documents] == [
        ("2025年度报告", DocumentType.ANNUAL_REPORT, "申报书.pdf")]
    assert attachment_path(app_ws, documents[0].sha256).read_bytes() == path.read_bytes()
    model = dialog.documents.model
    assert model.rowCount() == 1
    assert [model.index(0, c).data() for c in range(3)] == [
        "Annual report", "2025年度报告", "申报书.pdf"]
    assert dialog.tabs.tabText(1) == "Documents (1)"
    entry = audit.entries(app_ws.db, action="document.add")[-1]
    assert (entry.centre_id, entry.new, entry.actor) == ("C001", "2025年度报告",
                                                        "secretary-wang")
    qtmodeltester.check(model)


def test_adding_without_a_file_or_a_missing_file_is_refused_in_the_dialog(qtbot, dialog,
                                                                        app_ws, tmp_path,
                                                                        inline_tasks):
    add = dialog.documents.add_document()
    ok = add.ui.button_box.button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    assert add.isVisible() and "choose the file" in add.ui.error_label.text()
    add.load(str(tmp_path / "nowhere.pdf"))
    ok.click()
    assert add.isVisible() and "nowhere.pdf" in add.ui.error_label.text()
    assert dossier_repo.list_documents(app_ws.db, "C001") == []


def test_browse_fills_in_the_chosen_file(qtbot, dialog, prompts, tmp_path):
    path = a_file(tmp_path)
    prompts.choices.append(str(path))
    add = dialog.documents.add_document()
    add.browse_button.click()
    assert add.file_edit.text() == str(path)
    assert prompts.messages[-1][0] == "choose_file"


def test_open_hands_a_named_copy_to_the_system_viewer(qtbot, dialog, tmp_path, opened,
                                                      inline_tasks, prompts):
    path = a_file(tmp_path, "年度报告.docx", b"word document")
    add_through_dialog(qtbot, dialog, path, DocumentType.OTHER)
    dialog.documents.select_row(0)
    dialog.documents.open_button.click()
    assert len(opened.paths) == 1
    assert opened.paths[0].name == "年度报告.docx"
    assert opened.paths[0].read_bytes() == b"word document"
    assert prompts.messages == []


def test_open_says_so_when_no_program_opens_the_file(qtbot, dialog, tmp_path, opened,
                                                     inline_tasks, prompts):
    opened.result = False
    add_through_dialog(qtbot, dialog, a_file(tmp_path, "data.xyz", b"?"))
    dialog.documents.select_row(0)
    dialog.documents.open_button.click()
    assert prompts.messages[-1][0] == "error" and "data.xyz" in prompts.messages[-1][2]


def test_remove_asks_for_a_reason_and_audits_it(qtbot, dialog, app_ws, tmp_path,
                                                inline_tasks):
    add_through_dialog(qtbot, dialog, a_file(tmp_path), title="旧申报书")
    panel = dialog.documents
    panel.select_row(0)
    panel.remove_button.click()
    ask = panel.dialog
    assert isinstance(ask, ReasonDialog) and ask.isVisible()
    assert not ask.ok_button.isEnabled()          # no reason, no removal
    ask.reason_edit.setText("   ")
    assert not ask.ok_button.isEnabled()
    ask.reason_edit.setText("centre sent a corrected version")
    with qtbot.waitSignal(dialog.changed):
        ask.ok_button.click()

    assert dossier_repo.list_documents(app_ws.db, "C001") == []
    removed = dossier_repo.list_documents(app_ws.db, "C001", include_removed=True)
    assert removed[0].removed_at is not None
    entry = audit.entries(app_ws.db, action="document.remove")[-1]
    assert (entry.old, entry.reason) == ("旧申报书", "centre sent a corrected version")
    assert panel.model.rowCount() == 0 and dialog.tabs.tabText(1) == "Documents (0)"


def test_cancelling_the_reason_keeps_the_document(qtbot, dialog, app_ws, tmp_path,
                                                  inline_tasks):
    add_through_dialog(qtbot, dialog, a_file(tmp_path))
    panel = dialog.documents
    panel.select_row(0)
    panel.remove_button.click()
    panel.dialog.reason_edit.setText("oops")
    panel.dialog.reject()
    assert len(dossier_repo.list_documents(app_ws.db, "C001")) == 1


# -- metrics ---------------------------------------------------------------------------
def type_value(dialog: CentreDetailDialog, metric_id: str, text: str) -> None:
    model = dialog.metrics.model
    assert model.setData(model.index(model.row_of(metric_id), COL_VALUE), text)


def value_shown(dialog: CentreDetailDialog, metric_id: str) -> str:
    model = dialog.metrics.model
    return model.index(model.row_of(metric_id), COL_VALUE).data()


def test_metrics_show_the_latest_period_and_save_typed_values(dialog, app_ws,
                                                              qtmodeltester):
    panel = dialog.metrics
    qtmodeltester.check(panel.model)
    assert panel.period == "2025"
    assert value_shown(dialog, "core_members") == "4"
    assert value_shown(dialog, "patents_granted") == ""
    assert not panel.save_button.isEnabled()

    type_value(dialog, "patents_granted", "１２")           # full-width digits
    type_value(dialog, "core_members", "5")
    assert panel.save_button.isEnabled() and panel.has_unsaved_edits()
    panel.save_button.click()

    assert dossiers.metrics_of(app_ws, "C001", "2025")["patents_granted"] == Decimal(12)
    assert dossiers.metrics_of(app_ws, "C001", "2025")["core_members"] == Decimal(5)
    changed = {(e.entity, e.old, e.new) for e in audit.entries(app_ws.db, action="metric.set")
               if e.extra.get("period") == "2025"}
    assert ("metric:core_members", "4", "5") in changed
    assert ("metric:patents_granted", None, "12") in changed
    assert not panel.has_unsaved_edits() and value_shown(dialog, "patents_granted") == "12"


def test_a_bad_value_is_refused_naming_the_metric_and_nothing_is_saved(dialog, app_ws,
                                                                       prompts):
    before = dossiers.metrics_of(app_ws, "C001", "2025")
    type_value(dialog, "patents_granted", "7")
    type_value(dialog, "core_members", "-1")
    model = dialog.metrics.model
    bad = model.index(model.row_of("core_members"), COL_VALUE)
    assert bad.data(Qt.ItemDataRole.ForegroundRole) is not None    # shown as wrong
    assert dialog.metrics.save() is False

    kind, title, text = prompts.messages[-1]
    assert kind == "error" and "Core research-network members" in text and "-1" in text
    assert dossiers.metrics_of(app_ws, "C001", "2025") == before
    assert dialog.metrics.table.currentIndex().row() == bad.row()
    assert value_shown(dialog, "core_members") == "-1"            # what was typed stays


def test_emptying_a_value_takes_it_back(dialog, app_ws):
    type_value(dialog, "fulltime_managers", "")
    assert dialog.metrics.save()
    assert "fulltime_managers" not in dossiers.metrics_of(app_ws, "C001", "2025")
    entry = audit.entries(app_ws.db, action="metric.set")[-1]
    assert (entry.entity, entry.old, entry.new) == ("metric:fulltime_managers", "2", None)


def test_a_new_period_is_typed_and_gets_its_own_values(dialog, app_ws):
    panel = dialog.metrics
    panel.period_combo.setCurrentText("2026")
    panel.period_combo.lineEdit().editingFinished.emit()
    assert panel.period == "2026" and value_shown(dialog, "core_members") == ""
    type_value(dialog, "core_members", "9")
    assert panel.save()
    assert dossiers.metrics_of(app_ws, "C001", "2026") == {"core_members": Decimal(9)}
    assert dossiers.metrics_of(app_ws, "C001", "2025")["core_members"] == Decimal(4)
    assert dossiers.metric_periods(app_ws, "C001") == ["2026", "2025"]


def test_changing_period_or_closing_with_unsaved_values_asks_first(dialog, app_ws,
                                                                   prompts):
    panel = dialog.metrics
    type_value(dialog, "core_members", "8")
    prompts.answer = False
    panel.period_combo.setCurrentText("2024")
    panel.period_combo.lineEdit().editingFinished.emit()
    assert panel.period == "2025" and panel.has_unsaved_edits()
    dialog.reject()
    assert dialog.isVisible()                                   # said no: still open
    assert [m[0] for m in prompts.messages] == ["confirm", "confirm"]
    prompts.answer = True
    dialog.reject()
    assert not dialog.isVisible()
    assert dossiers.metrics_of(app_ws, "C001", "2025")["core_members"] == Decimal(4)


# -- formal review ---------------------------------------------------------------------
def verdicts(dialog: CentreDetailDialog) -> dict[str, str]:
    model = dialog.review.model
    return {model.row_id(r): model.index(r, COL_VERDICT).data()
            for r in range(model.rowCount())}


def test_checklist_lists_the_schemes_checks_not_checked(dialog, app_ws, qtmodeltester):
    assert list(verdicts(dialog)) == [c.id for c in app_ws.scheme.checks]
    assert set(verdicts(dialog).values()) == {"Not checked"}
    qtmodeltester.check(dialog.review.model)
    assert "0 of 7 checks passed" in dialog.review.summary_label.text()


def test_automatic_checks_decide_from_metrics(qtbot, dialog, app_ws, inline_tasks,
                                              prompts):
    with qtbot.waitSignal(dialog.changed):
        dialog.review.auto_button.click()
    shown = verdicts(dialog)
    assert (shown["F3"], shown["F4"], shown["F6"]) == ("Passed", "Failed", "Passed")
    assert shown["F1"] == "Not checked"
    model = dialog.review.model
    row = [model.row_id(r) for r in range(model.rowCount())].index("F4")
    assert "promotion_members = 6" in model.index(row, 4).data()
    assert model.index(row, 3).data() == "automatic"
    assert prompts.messages[-1][0] == "info"
    # every centre was decided; C002 and C003 reported nothing
    assert review_repo.find_check(app_ws.db, "C002", "F3").passed is None


def test_a_manual_tick_with_a_note_is_saved_audited_and_outlives_automatic_checks(
        qtbot, dialog, app_ws, inline_tasks):
    panel = dialog.review
    panel.select_check("F4")
    with qtbot.waitSignal(dialog.changed):
        panel.set_verdict(True, "推广网络名单另附 12 家")
    result = review_repo.find_check(app_ws.db, "C001", "F4")
    assert (result.passed, result.automatic, result.note) == (True, False,
                                                              "推广网络名单另附 12 家")
    entry = audit.entries(app_ws.db, action="check.set")[-1]
    assert (entry.entity, entry.new, entry.reason) == ("check:F4", "pass",
                                                       "推广网络名单另附 12 家")
    panel.auto_button.click()
    assert verdicts(dialog)["F4"] == "Passed"
    assert review_repo.find_check(app_ws.db, "C001", "F4").automatic is False

    panel.select_check("F1")
    panel.set_verdict(False, "二级医院")
    assert verdicts(dialog)["F1"] == "Failed"
    assert "failed: F1" in panel.summary_label.text()
    assert review.review_summaries(app_ws)["C001"].failed == ("F1",)
