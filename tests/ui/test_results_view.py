"""The results view: grading in the background, the table (one column per dimension,
flags explained, the method-sensitive mark), the selected centre's radar, spread and
method comparison, quota ties for the committee, vetoes recorded and withdrawn with a
reason (audited), and the charts at any size and pixel ratio."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPalette

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.services.results import dimension_max, results_overview
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.storage import audit, review_repo
from cmrc_desktop.ui.dialogs.report_export import ReportExportDialog
from cmrc_desktop.ui.main_views import ID_ROLE
from cmrc_desktop.ui.models.results import (
    COL_CENTRE,
    COL_FINAL,
    COL_NAME,
    COL_RANK,
    FIRST_DIMENSION,
    SHOW_ALL,
    SHOW_FLAGGED,
    SHOW_QUOTA_TIES,
    SHOW_SENSITIVE,
    MethodComparisonModel,
    ResultsFilterProxy,
    ResultsModel,
)
from cmrc_desktop.ui.prompts import RecordingPrompts
from cmrc_desktop.ui.secretary.charts import (
    RadarAxis,
    RadarChart,
    SpreadChart,
    SpreadDot,
    SpreadMarker,
)
from cmrc_desktop.ui.secretary.results import ResultsView
from tests.ui.conftest import copy_workspace
from tests.unit.services.test_results_overview import build_graded_workspace


@pytest.fixture
def graded_ws(tmp_path):
    ws = build_graded_workspace(tmp_path / "graded")
    yield ws
    ws.close()


@pytest.fixture
def demo_ws(demo_dir, tmp_path):
    ws = open_workspace(copy_workspace(demo_dir / "secretary", tmp_path / "secretary"))
    yield ws
    ws.close()


def make_view(qtbot, ws) -> ResultsView:
    view = ResultsView(ws)
    view.prompts = RecordingPrompts()
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    return view


@pytest.fixture
def view(qtbot, graded_ws, inline_tasks) -> ResultsView:
    view = make_view(qtbot, graded_ws)
    view.refresh()
    return view


def cell(view: ResultsView, centre: str, column: int, role=Qt.ItemDataRole.DisplayRole):
    model = view.model
    return model.index(model.row_of(centre), column).data(role)


def shown_centres(view: ResultsView) -> list[str]:
    return [view.proxy.index(r, 0).data(ID_ROLE) for r in range(view.proxy.rowCount())]


# -- models ------------------------------------------------------------------------------
def test_the_models_pass_the_model_tester(qtmodeltester, graded_ws):
    overview = results_overview(graded_ws)
    model = ResultsModel()
    qtmodeltester.check(model)
    model.set_overview(overview)
    qtmodeltester.check(model)
    proxy = ResultsFilterProxy()
    proxy.setSourceModel(model)
    for show in (SHOW_QUOTA_TIES, SHOW_FLAGGED, SHOW_SENSITIVE, SHOW_ALL):
        proxy.set_show(show)
        proxy.sort(COL_FINAL, Qt.SortOrder.DescendingOrder)
        qtmodeltester.check(proxy)
    methods = MethodComparisonModel()
    qtmodeltester.check(methods)
    methods.set_centre(overview, "S3")
    qtmodeltester.check(methods)
    model.set_overview(None)
    qtmodeltester.check(model)


def test_the_view_is_built_without_reading_the_workspace(qtbot, graded_ws, monkeypatch):
    import cmrc_desktop.services.results as results

    monkeypatch.setattr(results, "results_overview", lambda ws: pytest.fail("graded"))
    view = make_view(qtbot, graded_ws)
    assert view.grading is None and view.model.rowCount() == 0


def test_grading_runs_in_the_background(qtbot, demo_ws):
    view = make_view(qtbot, demo_ws)
    view.refresh()
    assert "Grading…" in view.summary_label.text()
    qtbot.waitUntil(lambda: view.model.rowCount() == 3, timeout=20_000)
    assert not view.loading
    assert "1 of 3 centres graded" in view.summary_label.text()


def test_the_table_shows_every_centre_with_its_dimensions(view, graded_ws):
    model = view.model
    scheme = graded_ws.scheme
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in
               range(model.columnCount())]
    assert headers == ["Rank", "Centre ID", "Centre name", "Final score",
                       "A " + scheme.dimensions[0].display, "B " + scheme.dimensions[1].display,
                       "Grade", "Flags", "Methods"]
    assert model.headerData(FIRST_DIMENSION, Qt.Orientation.Horizontal,
                            Qt.ItemDataRole.ToolTipRole).endswith("points out of 20")
    assert model.rowCount() == 5
    assert cell(view, "S3", COL_CENTRE) == "S3"
    assert cell(view, "S3", COL_NAME) == "测试临床医学研究中心3"
    assert cell(view, "S3", COL_FINAL) == "83.33"
    assert cell(view, "S3", FIRST_DIMENSION) == "20.00"
    assert cell(view, "S3", FIRST_DIMENSION + 1) == "63.33"
    assert cell(view, "S3", model.grade_column) == "Good"
    assert cell(view, "F5", COL_RANK) == "5"
    # sorted by rank: the tie first, then by score
    assert shown_centres(view) == ["Q1", "Q2", "P4", "S3", "F5"]
    view.table.sortByColumn(COL_FINAL, Qt.SortOrder.AscendingOrder)
    assert shown_centres(view)[0] == "F5"
    assert "5 of 5 centres graded" in view.summary_label.text()


def test_flags_are_short_in_the_cell_and_explained_in_the_tooltip(view):
    model = view.model
    assert cell(view, "Q1", model.flags_column) == "quota tie"
    assert "the committee decides the grade" in cell(
        view, "Q1", model.flags_column, Qt.ItemDataRole.ToolTipRole)
    assert cell(view, "S3", model.flags_column) == "disagreement"
    assert "differ by more than 15 points" in cell(
        view, "S3", model.flags_column, Qt.ItemDataRole.ToolTipRole)
    assert cell(view, "S3", model.sensitive_column) == "▲"
    tip = cell(view, "S3", model.sensitive_column, Qt.ItemDataRole.ToolTipRole)
    assert "changes with the aggregation method" in tip
    assert "Median: Excellent" in tip and "Mean: Good" in tip
    assert cell(view, "P4", model.sensitive_column) == ""
    assert "▲ 3 method-sensitive" in view.summary_label.text()


def test_quota_ties_are_listed_for_the_committee(view):
    model = view.model
    assert cell(view, "Q1", model.grade_column) == "committee decides"
    assert cell(view, "Q1", model.grade_column, Qt.ItemDataRole.DecorationRole) is not None
    note = view.note_label
    assert note.isVisible()
    assert "2 centres tied on a quota boundary" in note.text()
    assert "Q1 测试临床医学研究中心1 (92.00)" in note.text() and "Q2" in note.text()
    view.set_show(SHOW_QUOTA_TIES)
    assert shown_centres(view) == ["Q1", "Q2"]
    view.set_show(SHOW_SENSITIVE)
    assert sorted(shown_centres(view)) == ["Q1", "Q2", "S3"]
    view.set_show(SHOW_FLAGGED)
    assert sorted(shown_centres(view)) == ["Q1", "Q2", "S3"]
    view.set_show(SHOW_ALL)
    assert len(shown_centres(view)) == 5


def test_the_selected_centre_stays_selected_when_the_filter_allows(view):
    assert view.select_centre("Q2")
    view.set_show(SHOW_QUOTA_TIES)
    assert view.selected_centre() == "Q2"
    view.set_show(SHOW_SENSITIVE)
    assert view.selected_centre() == "Q2"
    assert view.select_centre("P4") is False       # filtered out
    assert view.selected_centre() is None
    assert view.detail.empty_label.isVisible() or not view.detail.isVisible()


def test_the_detail_shows_radar_spread_and_method_comparison(view, graded_ws):
    assert view.detail.centre_id is None
    assert not view.detail.radar.isVisibleTo(view)
    view.select_centre("S3")
    detail = view.detail
    assert detail.centre_id == "S3"
    assert detail.title_label.text() == "S3  测试临床医学研究中心3"
    facts = detail.facts_label.text()
    assert "Final score 83.33" in facts and "Grade Good" in facts and "Rank 4 of 5" in facts
    assert "5 complete sheets" in facts
    assert "disagreement: expert totals differ" in detail.flags_label.text()
    # the radar: each dimension as a share of its max
    overview = view.overview
    s3 = overview.result.centre("S3")
    maxima = dimension_max(graded_ws.scheme)
    axes = detail.radar.axes()
    assert [(a.score, a.max) for a in axes] == [("20.00", "20"), ("63.33", "80")]
    assert axes[1].share == pytest.approx(float(s3.dimensions["B"] / Fraction(maxima["B"])))
    # the spread: one dot per expert, mean and median marked (and the trimmed-mean final)
    assert sorted(d.value for d in detail.spread.dots()) == [60, 60, 95, 95, 95]
    assert [m.label for m in detail.spread.markers()] == [
        "Mean 81.00", "Median 95.00", "Final score 83.33"]
    # the methods, the scheme's own first; the sensitivity explained
    assert detail.methods_model.methods() == ["trimmed_mean", "mean", "median"]
    assert detail.methods_model.figures() == {"trimmed_mean": ("83.33", "Good"),
                                              "mean": ("81.00", "Good"),
                                              "median": ("95.00", "Excellent")}
    assert detail.sensitive_label.text().startswith("▲ Method-sensitive")
    view.select_centre("P4")
    assert detail.sensitive_label.text() == "The grade is the same under every method."


def test_a_centre_without_enough_sheets_says_why_it_has_no_radar(qtbot, demo_ws,
                                                                  inline_tasks):
    view = make_view(qtbot, demo_ws)
    view.refresh()
    view.select_centre("C001")
    assert view.detail.radar.axes() == ()
    assert "fewer complete sheets" in view.detail.radar._empty_text
    assert len(view.detail.spread.dots()) == 2
    assert "incomplete" in view.detail.flags_label.text()
    assert view.detail.radar.grab().size().width() > 0


def test_a_veto_is_recorded_with_a_reason_and_audited(view, graded_ws):
    assert not view.action_record_veto.isEnabled()      # nothing selected
    view.select_centre("P4")
    assert view.action_record_veto.isEnabled()
    assert not view.action_withdraw_veto.isEnabled()
    dialog = view.veto_dialog()
    assert dialog.windowTitle() == "Record a veto"
    assert dialog.veto_combo.count() == 1 and dialog.veto_combo.currentData() == "V1"
    assert dialog.submit() is False                     # no reason
    assert "a reason is required" in dialog.error_label.text()
    assert review_repo.list_vetoes(graded_ws.db) == []
    dialog.reason_edit.setPlainText("  数据造假，见核查报告  ")
    assert dialog.submit() is True
    [veto] = review_repo.list_vetoes(graded_ws.db)
    assert (veto.centre_id, veto.veto_id, veto.reason) == ("P4", "V1", "数据造假，见核查报告")
    [row] = audit.entries(graded_ws.db, action="veto.set")
    assert (row.centre_id, row.new, row.reason) == ("P4", "V1", "数据造假，见核查报告")
    # the results follow at once
    model = view.model
    assert cell(view, "P4", model.grade_column) == "Fail"
    assert cell(view, "P4", COL_RANK) == ""
    assert cell(view, "P4", model.flags_column) == "veto V1"
    assert "veto V1" in cell(view, "P4", model.grade_column, Qt.ItemDataRole.ToolTipRole)
    assert view.selected_centre() == "P4"
    assert "数据造假" in view.detail.flags_label.text()
    assert "1 vetoed" in view.summary_label.text()
    assert view.action_withdraw_veto.isEnabled()


def test_a_veto_is_withdrawn_with_a_reason_and_audited(view, graded_ws):
    from cmrc_desktop.services.review import record_veto

    record_veto(graded_ws, "P4", "V1", "数据造假")
    view.refresh()
    view.select_centre("P4")
    dialog = view.veto_dialog(withdraw=True)
    assert dialog.windowTitle() == "Withdraw a veto"
    assert dialog.veto_combo.currentData() == "V1"
    assert "数据造假" in dialog.recorded_label.text()
    assert dialog.submit() is False
    assert len(review_repo.list_vetoes(graded_ws.db)) == 1
    dialog.reason_edit.setPlainText("核查后证据不足")
    assert dialog.submit() is True
    assert review_repo.list_vetoes(graded_ws.db) == []
    [row] = audit.entries(graded_ws.db, action="veto.withdraw")
    assert (row.centre_id, row.old, row.reason) == ("P4", "V1", "核查后证据不足")
    assert cell(view, "P4", view.model.grade_column) == "Good"
    assert cell(view, "P4", COL_RANK) == "3"
    assert not view.action_withdraw_veto.isEnabled()


def test_a_refused_veto_keeps_the_dialog_open_with_the_reason(view, graded_ws, monkeypatch):
    import cmrc_desktop.services.review as review

    def refuse(*_args):
        raise InputError("the veto is refused here", field="veto")

    monkeypatch.setattr(review, "record_veto", refuse)
    view.select_centre("F5")
    dialog = view.veto_dialog()
    dialog.reason_edit.setPlainText("理由")
    assert dialog.submit() is False
    assert dialog.isVisible() and "the veto is refused here" in dialog.error_label.text()


def test_a_grading_error_is_shown_in_words(qtbot, graded_ws, inline_tasks, monkeypatch):
    import cmrc_desktop.services.results as results

    def broken(_ws):
        raise InputError("centre Q1 has no value for metric x", field="metric")

    monkeypatch.setattr(results, "results_overview", broken)
    view = make_view(qtbot, graded_ws)
    view.refresh()
    assert view.summary_label.text() == (
        "The batch cannot be graded: metric: centre Q1 has no value for metric x")
    assert view.model.rowCount() == 0
    assert not view.action_export.isEnabled()


def test_export_opens_the_report_dialog_with_the_views_prompts(view):
    dialog = view.export_report()
    assert isinstance(dialog, ReportExportDialog)
    assert dialog.prompts is view.prompts and dialog.isVisible()
    dialog.close()


def test_the_view_in_the_window_uses_the_windows_prompts(qtbot, demo_dir, tmp_path,
                                                         inline_tasks, data_dir):
    from cmrc_desktop.ui.main_window import MainWindow
    from cmrc_desktop.ui.settings import Settings

    prompts = RecordingPrompts()
    window = MainWindow(Settings(tmp_path / "settings.ini"), prompts)
    qtbot.addWidget(window)
    window.show()
    window.load_workspace(copy_workspace(demo_dir / "secretary", tmp_path / "secretary"))
    view = window.show_view("results")
    assert isinstance(view, ResultsView)
    assert view.model.rowCount() == 3
    assert view.prompts is prompts
    window.close()


# -- charts ------------------------------------------------------------------------------
FIVE = [RadarAxis(name, f"{s * 20:.2f}", "20", s) for name, s in (
    ("建设效益", 0.95), ("Clinical output with a long name", 0.9), ("临床研究", 0.7),
    ("Public service", 0.5), ("运行管理", 1.0))]


def painted(widget, ratio: float = 1.0) -> QImage:
    image = QImage(widget.size() * ratio, QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(ratio)
    image.fill(widget.palette().color(QPalette.ColorRole.Window))
    widget.render(image)
    return image


def colours(image: QImage) -> set[int]:
    step = max(1, image.width() // 80)
    return {image.pixel(x, y) for x in range(0, image.width(), step)
            for y in range(0, image.height(), step)}


def accent_present(image: QImage, accent: QColor, step: int = 2) -> bool:
    for x in range(0, image.width(), step):
        for y in range(0, image.height(), step):
            c = QColor(image.pixel(x, y))
            if abs(c.red() - accent.red()) + abs(c.green() - accent.green()) \
                    + abs(c.blue() - accent.blue()) < 30:
                return True
    return False


@pytest.mark.parametrize("ratio", [1.0, 2.0])
@pytest.mark.parametrize("size", [(260, 220), (520, 420)])
def test_the_radar_scales_with_the_widget_and_pixel_ratio(qtbot, ratio, size):
    chart = RadarChart()
    qtbot.addWidget(chart)
    chart.resize(*size)
    chart.set_axes(FIVE, [0.8] * 5)
    image = painted(chart, ratio)
    assert image.width() == round(size[0] * ratio)
    assert accent_present(image, chart.palette().color(QPalette.ColorRole.Highlight))
    assert "Clinical output with a long name: 18.00 of 20 (90%)" in chart.toolTip()


def test_the_radar_follows_the_palette(qtbot):
    from cmrc_desktop.ui import theme

    chart = RadarChart()
    qtbot.addWidget(chart)
    chart.resize(300, 260)
    chart.set_axes(FIVE)
    light = colours(painted(chart))
    chart.setPalette(theme.dark_palette())
    dark_image = painted(chart)
    assert colours(dark_image) != light
    assert accent_present(dark_image, theme.dark_palette().color(QPalette.ColorRole.Highlight))


def test_the_radar_draws_bars_for_two_dimensions_and_says_when_empty(qtbot):
    chart = RadarChart()
    qtbot.addWidget(chart)
    chart.resize(300, 200)
    chart.set_axes(FIVE[:2])
    assert accent_present(painted(chart), chart.palette().color(QPalette.ColorRole.Highlight),
                          step=1)
    chart.set_axes([])
    chart.set_empty_text("nothing to draw")
    assert len(colours(painted(chart))) > 1          # the text


def test_the_spread_marks_each_expert_and_answers_tooltips(qtbot):
    chart = SpreadChart()
    qtbot.addWidget(chart)
    chart.resize(480, 170)
    dots = [SpreadDot(f"E{i}", v, f"{v:g}") for i, v in enumerate((88.5, 91, 91, 97.5), 1)]
    chart.set_data(dots, [SpreadMarker("Mean 92.00", 92.0, "info"),
                          SpreadMarker("Median 91.00", 91.0, "active", dashed=True)],
                   [("Excellent", 90.0), ("Good", 80.0)], 100.0)
    low, high, step = chart.axis_range()
    assert low <= 88.5 and high >= 97.5 and low >= 0 and high <= 100 and step > 0
    painted(chart, 2.0)
    chart.grab()                                     # lays the dots out
    assert len(chart._placed) == 4
    at, dot = chart._placed[-1]
    assert chart.tip_at(at) == f"{dot.who}: {dot.text}"
    assert chart.tip_at(QPointF(2, 2)) == ""
    # the two experts at 91 are stacked, not drawn over each other
    tied = [p for p, d in chart._placed if d.value == 91]
    assert tied[0].x() == tied[1].x() and tied[0].y() != tied[1].y()


def test_screenshot_of_the_view_with_a_centre_selected(view, tmp_path):
    """Not a check of pixels: the picture a person looks at (saved under tmp_path)."""
    view.select_centre("S3")
    path = Path(tmp_path / "results_view.png")
    assert view.grab().save(str(path))
    assert path.stat().st_size > 10_000


def test_exact_figures_are_shown_half_up(view, graded_ws):
    s3 = view.overview.result.centre("S3")
    assert s3.final_rounded == Decimal("83.33")
    assert cell(view, "S3", COL_FINAL) == format(s3.final_rounded, "f")
