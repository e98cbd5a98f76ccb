"""The secretary's centres view: the table (lazy pages, sorting, filters, search by one
or two Chinese characters), importing the Excel template (what was imported, or every
problem in a table and nothing imported), saving the template, opening a centre, and
the automatic formal-review checks of an application scheme."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from cmrc_desktop.domain.workspace import Centre
from cmrc_desktop.exchange.centres_template import (
    COLUMNS,
    FIRST_DATA_ROW,
    SHEET_CENTRES,
    metric_header,
    write_centres_template,
)
from cmrc_desktop.scoring.builtin import builtin_scheme, catalog
from cmrc_desktop.services import dossiers
from cmrc_desktop.services.workspace import Workspace, create_workspace
from cmrc_desktop.storage import audit, centre_repo, expert_repo
from cmrc_desktop.ui.main_views import ID_ROLE
from cmrc_desktop.ui.models.centres import (
    CENTRE_ID_ROLE,
    COL_DOCUMENTS,
    COL_EXPERTS,
    COL_ID,
    COL_NAME,
    COL_REVIEW,
    COL_SHEETS,
    REVIEW_ROLE,
    SHEETS_ROLE,
    CentreFilter,
    CentresModel,
)
from cmrc_desktop.ui.prompts import RecordingPrompts
from cmrc_desktop.ui.secretary.centre_detail import CentreDetailDialog
from cmrc_desktop.ui.secretary.centre_import import ImportProblemsDialog
from cmrc_desktop.ui.secretary.centres import CentresView
from tests.ui.test_centre_detail import application_workspace


@pytest.fixture
def app_ws(tmp_path) -> Iterator[Workspace]:
    ws = application_workspace(tmp_path / "application")
    yield ws
    ws.close()


def make_view(qtbot, ws: Workspace, prompts: RecordingPrompts) -> CentresView:
    view = CentresView(ws, prompts=prompts)
    qtbot.addWidget(view)
    view.resize(1280, 720)
    view.show()
    view.refresh()
    return view


@pytest.fixture
def view(qtbot, secretary_ws, prompts) -> CentresView:
    return make_view(qtbot, secretary_ws, prompts)


@pytest.fixture
def app_view(qtbot, app_ws, prompts) -> CentresView:
    return make_view(qtbot, app_ws, prompts)


def shown_ids(view: CentresView) -> list[str]:
    model = view.model
    model.fetch_all()
    return [model.index(r, COL_ID).data() for r in range(model.rowCount())]


def many_centres(folder: Path, count: int) -> Workspace:
    """A batch with ``count`` centres (set up at storage level: it is quick)."""
    ws = create_workspace(folder, name="大批次", year=2026, kind="performance",
                          stage="dossier_review", scheme=builtin_scheme("sd-perf-5d"),
                          role="secretary", actor="secretary-wang")
    fields = [f.name for f in catalog().fields]
    with ws.db.atomic():
        for n in range(count):
            centre_repo.insert_centre(ws.db, Centre(
                id=f"C{n:03d}", name=f"第{n:03d}号{fields[n % len(fields)]}临床医学研究中心",
                level=("provincial", "city")[n % 2], field=fields[n % len(fields)],
                host=f"医院{n % 17}", city="济南市"))
    return ws


# -- the table -------------------------------------------------------------------------
def test_lists_every_centre_of_the_demo_with_experts_and_sheets(view, secretary_ws,
                                                                qtmodeltester):
    qtmodeltester.check(view.model)
    centres = centre_repo.list_centres(secretary_ws.db)
    assert shown_ids(view) == [c.id for c in centres]
    assignments = expert_repo.list_assignments(secretary_ws.db, centre_id=centres[0].id)
    row = [view.model.index(0, c).data() for c in range(view.model.columnCount())]
    assert row[COL_NAME] == centres[0].name
    assert row[COL_EXPERTS] == str(len(assignments))
    assert row[COL_SHEETS] == f"{len(assignments)} / {len(assignments)}"   # all merged
    assert view.model.index(0, COL_SHEETS).data(SHEETS_ROLE) == dossiers.COMPLETE
    assert view.model.index(0, COL_SHEETS).data(Qt.ItemDataRole.DecorationRole) is not None
    assert view.table.isColumnHidden(COL_REVIEW)            # no formal review here
    assert "3 centres in this batch" in view.summary_label.text()
    assert "All sheets received 3" in view.summary_label.text()
    assert CENTRE_ID_ROLE == ID_ROLE


def test_the_constructor_reads_nothing(qtbot, tmp_path, prompts):
    ws = many_centres(tmp_path / "ws", 2)
    ws.close()                               # any read would fail now
    view = CentresView(ws, prompts=prompts)
    qtbot.addWidget(view)
    assert view.model.rowCount() == 0


def test_rows_are_fetched_a_page_at_a_time_and_sorting_sees_them_all(qtbot, tmp_path,
                                                                     prompts, qtmodeltester):
    ws = many_centres(tmp_path / "ws", 250)
    try:
        view = make_view(qtbot, ws, prompts)
        model = view.model
        assert model.rowCount() == CentresModel.PAGE and model.total_rows == 250
        assert model.canFetchMore(QModelIndex())
        view.table.sortByColumn(COL_ID, Qt.SortOrder.DescendingOrder)
        assert model.index(0, COL_ID).data() == "C249"      # not the last of page one
        assert model.rowCount() == CentresModel.PAGE
        view.table.scrollToBottom()
        QApplication.processEvents()
        assert model.rowCount() > CentresModel.PAGE           # the view fetched more
        qtmodeltester.check(model)
    finally:
        ws.close()


def test_scrolling_to_the_end_loads_every_centre(qtbot, tmp_path, prompts):
    """Rows come in pages as the table scrolls (how fast: bench/bench_secretary_views.py,
    never a timed unit test)."""
    ws = many_centres(tmp_path / "ws", 300)
    try:
        view = make_view(qtbot, ws, prompts)
        bar = view.table.verticalScrollBar()
        for _ in range(200):
            before = bar.value()
            bar.setValue(before + bar.pageStep())
            QApplication.processEvents()
            view.table.viewport().repaint()
            if bar.value() == before:
                break
        assert view.model.rowCount() == 300
    finally:
        ws.close()


def test_sorting_by_a_number_column_sorts_numbers(qtbot, tmp_path, prompts):
    ws = many_centres(tmp_path / "ws", 12)
    try:
        with ws.db.atomic():
            for expert in ("E1", "E2", "E3"):
                from cmrc_desktop.domain.workspace import Expert

                expert_repo.insert_expert(ws.db, Expert(expert, expert, "某医院"))
            for n, expert in ((2, "E1"), (2, "E2"), (2, "E3"), (10, "E1")):
                expert_repo.assign(ws.db, expert, f"C{n:03d}")
        view = make_view(qtbot, ws, prompts)
        view.table.sortByColumn(COL_EXPERTS, Qt.SortOrder.DescendingOrder)
        assert shown_ids(view)[:2] == ["C002", "C010"]
        assert view.model.index(0, COL_SHEETS).data(SHEETS_ROLE) == dossiers.AWAITING
        assert view.model.index(2, COL_SHEETS).data(SHEETS_ROLE) == dossiers.UNASSIGNED
    finally:
        ws.close()


# -- search and filters ----------------------------------------------------------------
def test_search_finds_one_or_two_chinese_characters_in_name_host_or_id(app_view):
    search = app_view.search_edit
    search.setText("协和")
    assert shown_ids(app_view) == ["C001"]                  # in the host and the name
    search.setText("肿")
    assert shown_ids(app_view) == ["C002"]                  # one character is enough
    search.setText("青岛")
    assert shown_ids(app_view) == ["C003"]
    search.setText("c00")                                   # ids, any case
    assert shown_ids(app_view) == ["C001", "C002", "C003"]
    search.setText("医院")                                  # host only
    assert shown_ids(app_view) == ["C001", "C002", "C003"]
    search.setText("没有")
    assert shown_ids(app_view) == []
    assert app_view.shown_label.text() == "0 of 3 shown"
    search.setText("")
    assert shown_ids(app_view) == ["C001", "C002", "C003"]
    assert app_view.shown_label.text() == ""


def test_filters_by_level_field_and_status(app_view):
    level = app_view.level_combo
    assert [level.itemText(i) for i in range(level.count())] == [
        "All levels", "National clinical medical research centre",
        "Provincial clinical medical research centre", "City clinical medical research centre"]
    level.setCurrentIndex(level.findData("city"))
    assert shown_ids(app_view) == ["C003"]
    level.setCurrentIndex(0)
    field = app_view.field_combo
    field.setCurrentIndex(field.findData("恶性肿瘤"))
    assert shown_ids(app_view) == ["C002"]
    assert app_view.shown_label.text() == "1 of 3 shown"
    field.setCurrentIndex(0)
    status = app_view.status_combo
    status.setCurrentIndex(status.findText("No experts assigned"))
    assert shown_ids(app_view) == ["C001", "C002", "C003"]
    status.setCurrentIndex(status.findText("All sheets received"))
    assert shown_ids(app_view) == []


def test_filters_and_search_combine_and_survive_a_refresh(app_view):
    app_view.level_combo.setCurrentIndex(app_view.level_combo.findData("provincial"))
    app_view.search_edit.setText("肿瘤")
    assert shown_ids(app_view) == ["C002"]
    app_view.refresh()
    assert shown_ids(app_view) == ["C002"]
    assert app_view.model.centre_filter == CentreFilter(level="provincial", text="肿瘤")


# -- opening a centre ------------------------------------------------------------------
def test_double_click_or_enter_opens_the_centre(qtbot, app_view):
    index = app_view.model.index(1, COL_NAME)
    app_view.table.setCurrentIndex(index)
    app_view.table.setFocus()
    qtbot.keyClick(app_view.table, Qt.Key.Key_Return)
    dialog = app_view.dialog
    assert isinstance(dialog, CentreDetailDialog) and dialog.isVisible()
    assert dialog.centre.id == "C002"
    dialog.close()
    assert app_view.dialog is None
    app_view.table.selectRow(2)
    app_view.action_open.trigger()
    assert app_view.dialog.centre.id == "C003"
    app_view.dialog.close()


def test_open_without_a_selection_says_what_to_do(app_view, prompts):
    app_view.table.clearSelection()
    app_view.action_open.trigger()
    assert prompts.messages[-1][0] == "info"
    assert app_view.dialog is None


def test_a_change_in_the_dialog_reloads_the_table_keeping_the_selection(app_view, app_ws,
                                                                        tmp_path,
                                                                        inline_tasks):
    app_view.select_centre("C002")
    dialog = app_view.open_centre("C002")
    path = tmp_path / "任务书.pdf"
    path.write_bytes(b"%PDF-1.4")
    add = dialog.documents.add_document()
    add.load(str(path))
    add.ui.button_box.button(QDialogButtonBox.StandardButton.Ok).click()
    assert app_view.model.index(app_view.model.row_of("C002"), COL_DOCUMENTS).data() == "1"
    assert app_view.selected_centre() == "C002"
    dialog.close()


# -- import and template ---------------------------------------------------------------
def headers() -> list[str]:
    return [c.zh for c in COLUMNS] + [metric_header(m) for m in catalog().metrics]


def filled_template(tmp_path: Path, rows: list[dict[str, object]],
                    name: str = "centres.xlsx") -> Path:
    path = tmp_path / name
    write_centres_template(path, catalog(), period="2025")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[SHEET_CENTRES]
    for offset, values in enumerate(rows):
        for header, value in values.items():
            sheet.cell(FIRST_DATA_ROW + offset, headers().index(header) + 1, value)
    workbook.save(path)
    return path


NEW_CENTRE = {"中心编号": "C101", "中心名称": "山东省眼耳鼻喉疾病临床医学研究中心",
              "中心级别": "省临床医学研究中心", "疾病领域": "眼耳鼻喉疾病",
              "依托单位": "山东省眼科医院", "城市": "济南市", "授权专利数": 3}


def test_import_adds_the_centres_and_says_what_was_imported(app_view, app_ws, prompts,
                                                            tmp_path, inline_tasks):
    path = filled_template(tmp_path, [NEW_CENTRE])
    prompts.choices.append(str(path))
    app_view.action_import.trigger()

    kind, title, text = prompts.messages[-1]
    assert kind == "info" and "1 centre added, 0 updated" in text and "C101" in text
    assert "1 metric value for 2025" in text
    assert "C101" in shown_ids(app_view)
    assert audit.entries(app_ws.db, action="centre.add")[-1].centre_id == "C101"
    assert dossiers.metrics_of(app_ws, "C101", "2025")["patents_granted"] == 3


def test_a_refused_import_lists_every_problem_and_imports_nothing(qtbot, app_view, app_ws,
                                                                   prompts, tmp_path,
                                                                   inline_tasks,
                                                                   qtmodeltester):
    bad_field = {**NEW_CENTRE, "疾病领域": "心脏病"}
    bad_level = {**NEW_CENTRE, "中心编号": "C102", "中心级别": "县级", "授权专利数": "很多"}
    path = filled_template(tmp_path, [bad_field, bad_level], name="有错的模板.xlsx")
    before = len(centre_repo.list_centres(app_ws.db))
    prompts.choices.append(str(path))
    app_view.action_import.trigger()

    dialog = app_view.findChild(ImportProblemsDialog)
    assert dialog is not None and dialog.isVisible()
    model = dialog.model
    qtmodeltester.check(model)
    rows = [tuple(model.index(r, c).data() for c in range(5)) for r in range(model.rowCount())]
    assert len(rows) >= 3
    assert all(r[0] == SHEET_CENTRES for r in rows)
    assert {(r[1], r[2]) for r in rows} >= {("3", "疾病领域"), ("4", "中心级别")}
    assert any("心脏病" in r[3] for r in rows) and any("很多" in r[3] for r in rows)
    assert "有错的模板.xlsx" in dialog.message_label.text()
    assert "nothing was imported" in dialog.message_label.text()
    assert len(centre_repo.list_centres(app_ws.db)) == before
    assert [m for m in prompts.messages if m[0] in ("info", "error")] == []
    dialog.copy_button.click()
    assert "心脏病" in QApplication.clipboard().text()
    dialog.close()


def test_an_unreadable_file_is_an_error_message(app_view, prompts, tmp_path, inline_tasks):
    path = tmp_path / "not-excel.xlsx"
    path.write_text("hello")
    prompts.choices.append(str(path))
    app_view.action_import.trigger()
    kind, title, text = prompts.messages[-1]
    assert kind == "error" and "not-excel.xlsx" in text
    assert "Traceback" not in text


def test_save_the_template_writes_it_for_the_default_period(app_view, prompts, tmp_path,
                                                           inline_tasks):
    target = tmp_path / "out" / "模板"
    target.parent.mkdir()
    prompts.choices.append(str(target))
    app_view.action_template.trigger()
    written = target.with_name("模板.xlsx")
    assert written.is_file()
    workbook = openpyxl.load_workbook(written)
    assert SHEET_CENTRES in workbook.sheetnames
    kind, _title, text = prompts.messages[-1]
    assert kind == "info" and "2025" in text and str(written) in text


# -- formal review ---------------------------------------------------------------------
def test_application_batches_show_the_formal_review_and_run_checks(app_view, app_ws,
                                                                   prompts, inline_tasks):
    assert not app_view.table.isColumnHidden(COL_REVIEW)
    assert app_view.action_checks.isVisible()
    assert app_view.model.index(0, COL_REVIEW).data() == "7 checks open"
    app_view.action_checks.trigger()
    assert prompts.messages[-1][0] == "info"
    model = app_view.model
    assert model.index(0, COL_REVIEW).data() == "Failed: F4"          # 6 < 10 members
    assert model.index(0, COL_REVIEW).data(REVIEW_ROLE) == "failed"
    status = app_view.status_combo
    status.setCurrentIndex(status.findText("Formal review failed"))
    assert shown_ids(app_view) == ["C001"]


def test_performance_batches_hide_the_automatic_checks(view):
    assert not view.action_checks.isVisible()
    status = view.status_combo
    assert status.findText("Formal review failed") == -1
