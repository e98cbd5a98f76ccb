"""Issue #6: the whole chain in the window, as a secretary walks it — a new batch, the
centres imported from the Excel template, three experts, the auto-assignment, the panel
packages and their password sheet; then (outside the window, with the services the expert
side uses) each expert imports their package, scores, signs and exports the sheets; back in
the window the returns are merged, the progress shows every sheet received, the results
grade every centre, and the consolidated report is exported and signed."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import openpyxl
from PySide6.QtWidgets import QDialogButtonBox, QPushButton

from cmrc_desktop.domain.workspace import SheetState
from cmrc_desktop.exchange.centres_template import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    SHEET_CENTRES,
    metric_header,
)
from cmrc_desktop.exchange.report_pdf import verify_report_pdf
from cmrc_desktop.scoring.builtin import catalog
from cmrc_desktop.services import keyring, merge, packages, scoring
from cmrc_desktop.services import status as st
from cmrc_desktop.services.demo_data import sheet_scores
from cmrc_desktop.services.demo_signature import draw_signature
from cmrc_desktop.services.sheets import export_sheet, sign_sheet
from cmrc_desktop.storage import expert_repo
from cmrc_desktop.ui.dialogs.expert_add import AddExpertDialog
from cmrc_desktop.ui.dialogs.expert_assignment import AutoAssignDialog
from cmrc_desktop.ui.dialogs.new_workspace import NewWorkspaceDialog
from cmrc_desktop.ui.dialogs.package_export import PackageExportDialog
from cmrc_desktop.ui.dialogs.report_export import ReportExportDialog
from cmrc_desktop.ui.main_window import MainWindow
from cmrc_desktop.ui.models.assignment_matrix import ASSIGNED
from cmrc_desktop.ui.models.assignment_matrix import STATE_ROLE as MATRIX_STATE
from cmrc_desktop.ui.models.centres import COL_ID
from cmrc_desktop.ui.models.experts import COL_ASSIGNED
from cmrc_desktop.ui.models.merge_report import COL_FILE, COL_OUTCOME, OUTCOME_ROLE
from cmrc_desktop.ui.models.progress_matrix import STATE_ROLE as PROGRESS_STATE
from cmrc_desktop.ui.models.results import COL_CENTRE, COL_FINAL, COL_RANK
from cmrc_desktop.ui.prompts import RecordingPrompts
from cmrc_desktop.ui.settings import Settings
from tests.ui.conftest import DEMO_PASSWORD

BATCH_NAME = "2026年度临床医学研究中心绩效评估（全流程）"
EXPERT_PASSWORD = "expert-pass-2026"
SECRETARY_VIEWS = ["batch", "centres", "experts", "assignments", "returns", "progress",
                   "results", "audit"]

# id, name, field, host, city, patents granted, how good its experts find it (share of max)
CENTRES = [
    ("C001", "山东省心血管系统疾病临床医学研究中心", "心血管系统疾病", "山东省立医院", "济南市",
     12, 0.95),
    ("C002", "山东省恶性肿瘤临床医学研究中心", "恶性肿瘤", "山东省肿瘤医院", "济南市", 7, 0.85),
    ("C003", "山东省呼吸系统疾病临床医学研究中心", "呼吸系统疾病", "青岛市市立医院", "青岛市",
     2, 0.70),
]
QUALITY = {c[0]: c[-1] for c in CENTRES}
# name, institution (none of them hosts a centre: no conflict of interest), title
EXPERTS = [
    ("李明", "外省某大学附属第一医院", "主任医师"),
    ("王芳", "外省某医科大学", "教授"),
    ("张伟", "外省某省人民医院", "主任医师"),
]
EXPERT_IDS = ["E01", "E02", "E03"]


def last_message(prompts: RecordingPrompts) -> tuple[str, str, str]:
    return prompts.messages[-1]


def fill_template(path: Path) -> None:
    """What the centres do with the template: one row each, in Excel."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[SHEET_CENTRES]
    header = {sheet.cell(HEADER_ROW, c).value: c for c in range(1, sheet.max_column + 1)}
    patents = metric_header(next(m for m in catalog().metrics if m.id == "patents_granted"))
    for offset, (cid, name, field, host, city, granted, _q) in enumerate(CENTRES):
        values = {"中心编号": cid, "中心名称": name, "中心级别": "省临床医学研究中心",
                  "疾病领域": field, "依托单位": host, "省份": "山东省", "城市": city,
                  patents: granted}
        for title, value in values.items():
            sheet.cell(FIRST_DATA_ROW + offset, header[title], value)
    workbook.save(path)


def click_ok(dialog) -> None:
    dialog.ui.button_box.button(QDialogButtonBox.StandardButton.Ok).click()


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        return ""
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def experts_score_sign_and_return(exported: list[packages.ExportedPackage], where: Path,
                                  returns: Path) -> int:
    """The experts' side, with the services the expert's window calls: each imports their
    package with its one-time password, scores every centre, finalises, signs and exports
    the sheet as signed Excel into ``returns`` (the folder the secretary collects)."""
    rng = random.Random(6)
    written = 0
    for package in exported:
        expert_id = package.expert_id
        ews = packages.import_package(where / expert_id, package.path,
                                      package.one_time_password, EXPERT_PASSWORD)
        with ews:
            assert ews.batch.owner_expert_id == expert_id
            assert ews.batch.name == BATCH_NAME
            signer = keyring.open_own_key(ews, EXPERT_PASSWORD)
            assigned = sorted(c for _e, c in expert_repo.list_assignments(
                ews.db, expert_id=expert_id))
            assert assigned == sorted(package.centres) == list(QUALITY)
            for centre_id in assigned:
                scores = sheet_scores(rng, ews.scheme, QUALITY[centre_id], 0.0, False)
                scoring.record_sheet(ews, expert_id, centre_id, scores)
                scoring.record_opinion(ews, expert_id, centre_id, achievements="平台建设扎实",
                                       problems="成果转化不足", recommendations="加强网络协同")
                scoring.set_sheet_state(ews, expert_id, centre_id, SheetState.FINAL)
                sign_sheet(ews, expert_id, centre_id, signer,
                           signature_png=draw_signature(rng))
                sheet = export_sheet(ews, expert_id, centre_id, returns, signer,
                                     formats=("xlsx",))
                assert [p.suffix for p in sheet.paths] == [".xlsx"]
                written += 1
    return written


def test_the_secretary_walks_the_whole_chain_in_the_window(qtbot, data_dir, tmp_path,
                                                           inline_tasks, monkeypatch):
    prompts = RecordingPrompts()
    window = MainWindow(Settings(tmp_path / "settings.ini"), prompts)
    qtbot.addWidget(window)
    window.show()
    try:
        _walk(qtbot, window, prompts, tmp_path, monkeypatch)
    finally:
        window.close()
    assert window.workspace is None


def _walk(qtbot, window: MainWindow, prompts: RecordingPrompts, tmp_path: Path,
          monkeypatch) -> None:
    # 1. File > New workspace -------------------------------------------------------------
    folder = tmp_path / "batch"
    prompts.choices = [str(folder)]
    window.ui.action_new_workspace.trigger()
    dialog = window.dialog
    assert isinstance(dialog, NewWorkspaceDialog)
    dialog.ui.folder_button.click()                    # the folder chooser answers `folder`
    assert dialog.ui.folder_edit.text() == str(folder)
    dialog.ui.name_edit.setText(BATCH_NAME)
    dialog.ui.password_edit.setText(DEMO_PASSWORD)
    dialog.ui.confirm_edit.setText(DEMO_PASSWORD)
    click_ok(dialog)
    ws = window.workspace
    assert ws is not None and ws.folder == folder, prompts.messages
    assert window.dialog is None
    assert ws.batch.name == BATCH_NAME and ws.batch.ca_cert_pem
    assert window.view_ids() == SECRETARY_VIEWS
    assert window.current_view().view_id == "batch"
    assert BATCH_NAME in window.windowTitle()
    assert BATCH_NAME in window.batch_label.text()
    assert "sd-perf-5d" in window.scheme_label.text()

    # 2. Centres: save the template, fill it in, import it ---------------------------------
    centres = window.show_view("centres")
    assert centres.model.rowCount() == 0
    template = tmp_path / "mail" / "centres-template"
    template.parent.mkdir()
    prompts.choices = [str(template)]
    centres.action_template.trigger()
    written_template = template.with_name("centres-template.xlsx")
    assert written_template.is_file()
    kind, _title, text = last_message(prompts)
    assert kind == "info" and str(written_template) in text and "2025" in text
    fill_template(written_template)
    prompts.choices = [str(written_template)]
    centres.action_import.trigger()
    kind, _title, text = last_message(prompts)
    assert kind == "info", text
    assert "3 centres added, 0 updated" in text and "C001, C002, C003" in text
    assert "3 metric values for 2025" in text
    assert "conflict" not in text
    centres.model.fetch_all()
    assert [centres.model.index(r, COL_ID).data() for r in range(centres.model.rowCount())
            ] == ["C001", "C002", "C003"]
    assert "3 centres in this batch" in centres.summary_label.text()

    # 3. Experts: three, each through the add-expert dialog with the batch password --------
    experts = window.show_view("experts")
    assert experts.model.rowCount() == 0
    for expert_id, (name, institution, title) in zip(EXPERT_IDS, EXPERTS, strict=True):
        experts.add_action.trigger()
        add = experts.dialog
        assert isinstance(add, AddExpertDialog)
        assert add.id_edit.text() == expert_id
        assert add.password_edit.isVisibleTo(add)          # the batch has its key
        add.name_edit.setText(name)
        add.institution_edit.setText(institution)
        add.title_edit.setText(title)
        add.password_edit.setText(DEMO_PASSWORD)
        click_ok(add)
        assert not add.isVisible(), add.ui.error_label.text()
        kind, _title, text = last_message(prompts)
        assert kind == "info" and f"Expert {expert_id} was added to the panel." == text
        assert keyring.expert_certificate(ws, expert_id) is not None
    model = experts.model
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == EXPERT_IDS
    assert [model.index(r, 1).data() for r in range(model.rowCount())] == [
        e[0] for e in EXPERTS]
    assert "3 experts on the panel" in experts.summary_label.text()
    assert "0 conflicts of interest" in experts.summary_label.text()
    assert not experts.export_action.isEnabled()           # nobody is assigned yet

    # 4. Assignments: auto-assign every expert to every centre (the scheme wants 3) --------
    assignments = window.show_view("assignments")
    assert "3 centres × 3 experts" in assignments.summary_label.text()
    assert "0 assignments" in assignments.summary_label.text()
    assignments.auto_action.trigger()
    auto = assignments.dialog
    assert isinstance(auto, AutoAssignDialog)
    auto.spin.setValue(3)
    click_ok(auto)
    kind, _title, text = last_message(prompts)
    assert kind == "info" and "9 assignments added" in text
    matrix = assignments.model
    assert [matrix.index(r, 0).data() for r in range(matrix.rowCount())] == ["3", "3", "3"]
    for centre_id in QUALITY:
        for expert_id in EXPERT_IDS:
            index = matrix.index(matrix.centre_row(centre_id), matrix.expert_column(expert_id))
            assert index.data(MATRIX_STATE) == ASSIGNED, (centre_id, expert_id)
    summary = assignments.summary_label.text()
    assert "9 assignments" in summary and "experts per centre 3–3" in summary
    assert "centres per expert 3–3" in summary

    # 5. Experts: export the panel packages of everyone, with the password sheet ----------
    runs: list[packages.PackageRun] = []
    real_export = packages.export_packages

    def recording_export(*args, **kwargs):
        runs.append(real_export(*args, **kwargs))    # the one-time passwords, for step 6
        return runs[-1]

    monkeypatch.setattr(packages, "export_packages", recording_export)
    experts = window.show_view("experts")
    assert [experts.model.index(r, COL_ASSIGNED).data() for r in range(3)] == ["3"] * 3
    assert "3 score at least one centre" in experts.summary_label.text()
    assert experts.export_action.isEnabled()
    experts.export_action.trigger()
    export = experts.dialog
    assert isinstance(export, PackageExportDialog)
    opened: list[str] = []
    export.open_file = lambda url: opened.append(url.toLocalFile())
    export.all_radio.setChecked(True)
    assert "(3)" in export.all_radio.text()
    usb = tmp_path / "usb" / "packages"
    sheet = tmp_path / "print" / "one-time-passwords.pdf"
    prompts.choices = [str(usb), str(sheet)]
    export.findChild(QPushButton, "folder_button").click()
    export.findChild(QPushButton, "sheet_button").click()
    assert export.folder_edit.text() == str(usb)
    assert export.sheet_edit.text() == str(sheet)
    export.password_edit.setText(DEMO_PASSWORD)
    click_ok(export)
    assert not export.isVisible(), export.ui.error_label.text()
    batch_id = ws.batch.id
    assert sorted(p.name for p in usb.iterdir()) == [
        f"{batch_id}_{e}.cmrcpkg" for e in EXPERT_IDS]
    assert sheet.is_file() and export.outcome.sheet == sheet
    kind, _title, text = last_message(prompts)
    assert kind == "confirm" and "3 packages written" in text and str(sheet) in text
    assert opened == [str(sheet)]                      # "open it to print?" — yes
    assert len(runs) == 1 and [p.expert_id for p in runs[0].exported] == EXPERT_IDS
    printed = pdf_text(sheet)
    if printed:
        for package in runs[0].exported:
            assert package.one_time_password in printed

    # 6. The experts, outside the window: import, score, sign, export --------------------
    returns = tmp_path / "returned-sheets"
    assert experts_score_sign_and_return(runs[0].exported, tmp_path / "experts",
                                         returns) == 9
    assert len(list(returns.glob("*.xlsx"))) == 9

    # 7. Returns: merge the folder of returned sheets ------------------------------------
    returns_view = window.show_view("returns")
    assert "Nothing has been merged yet" in returns_view.summary_label.text()
    prompts.choices = [str(returns)]
    returns_view.action_import.trigger()
    kind, _title, _text = last_message(prompts)
    assert kind == "choose_folder"                     # no error after the chooser
    report = returns_view.table.model()
    while report.canFetchMore(returns_view.table.rootIndex()):
        report.fetchMore(returns_view.table.rootIndex())
    rows = {report.index(r, COL_FILE).data(): report.index(r, COL_OUTCOME).data(OUTCOME_ROLE)
            for r in range(report.rowCount())}
    assert sorted(rows) == sorted(p.name for p in returns.glob("*.xlsx"))
    assert set(rows.values()) == {merge.ACCEPTED}
    assert {report.index(r, COL_OUTCOME).data() for r in range(report.rowCount())} == {
        "accepted"}
    assert "Merge 1: 9 files — accepted 9" in returns_view.summary_label.text()
    assert not returns_view.action_resolve.isEnabled()

    # 8. Progress: every assigned pair received --------------------------------------------
    progress = window.show_view("progress")
    dots = progress.model
    for centre_id in QUALITY:
        for expert_id in EXPERT_IDS:
            index = dots.index(dots.row_of(centre_id), dots.column_of(expert_id))
            assert index.data(PROGRESS_STATE) == st.RECEIVED, (centre_id, expert_id)
    assert "9 of 9 assigned sheets received" in progress.summary_label.text()
    assert "3 of 3 centres complete" in progress.summary_label.text()

    # 9. Results: every centre graded ----------------------------------------------------
    results = window.show_view("results")
    qtbot.waitUntil(lambda: not results.loading, timeout=30_000)
    graded = results.model
    assert graded.rowCount() == 3
    finals, grades, ranks = {}, {}, {}
    for r in range(graded.rowCount()):
        centre_id = graded.index(r, COL_CENTRE).data()
        finals[centre_id] = graded.index(r, COL_FINAL).data()
        grades[centre_id] = graded.index(r, graded.grade_column).data()
        ranks[centre_id] = graded.index(r, COL_RANK).data()
    assert set(finals) == set(QUALITY)
    assert all(finals.values()) and all(grades.values()), (finals, grades)
    assert grades == {"C001": "Excellent", "C002": "Good", "C003": "Pass"}
    assert ranks == {"C001": "1", "C002": "2", "C003": "3"}     # as the experts found them
    assert float(finals["C001"]) > float(finals["C002"]) > float(finals["C003"])
    assert "3 of 3 centres graded" in results.summary_label.text()
    assert results.action_export.isEnabled()

    # 10. Results: export and sign the consolidated report -------------------------------
    results.action_export.trigger()
    report_dialog = results.findChild(ReportExportDialog)
    assert report_dialog is not None and report_dialog.isVisible()
    out = tmp_path / "report"
    prompts.choices = [str(out)]
    report_dialog.folder_button.click()
    assert report_dialog.folder_edit.text() == str(out)
    report_dialog.password_edit.setText(DEMO_PASSWORD)
    with qtbot.waitSignal(report_dialog.written, timeout=60_000) as written:
        report_dialog.ok_button.click()
    paths = written.args[0]
    names = {p.name for p in paths}
    assert "results.json" in names
    assert {p.name for p in out.iterdir()} == names
    xlsx = [p for p in paths if p.suffix == ".xlsx"]
    pdfs = [p for p in paths if p.suffix == ".pdf"]
    assert len(xlsx) == 1 and len(pdfs) == 1 and xlsx[0].is_file() and pdfs[0].is_file()
    assert report_dialog.status_label.text().startswith(
        f"Done. {len(paths)} files were written to {out}:")
    assert report_dialog.open_button.isVisible()
    verify_report_pdf(pdfs[0], trust_root=keyring.batch_ca(ws))    # raises unless valid
    document = json.loads((out / "results.json").read_text("utf-8"))
    assert {c["centre"]: c["final"] for c in document["centres"]} == finals
    assert all(c["grade"] for c in document["centres"])
    report_dialog.close_button.click()
