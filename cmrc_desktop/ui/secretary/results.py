"""Results: final score, dimension scores, grade, rank and flags of every centre, graded
from the merged sheets, with the detail of the selected centre beside the table.

Grading runs three times (mean, median, trimmed mean: the method comparison) and
takes about 300 ms on a batch of 50 centres × 20 experts, more on a large one, so the
view grades on a worker thread with its own workspace connection every time it is
shown, says "Grading…" meanwhile and fills the table when the snapshot arrives. Vetoes
are recorded and withdrawn here (``VetoDialog``, through ``services.review``); centres
tied on a quota boundary are listed for the committee; the consolidated report is
written and signed from here (``ReportExportDialog``).
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.domain.numbers import fmt, plain
from cmrc_desktop.exchange.report_data import METHOD_SENSITIVE, flag_label, flag_text
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.scoring.aggregate import mean, median
from cmrc_desktop.scoring.grading import VETO_FLAG_PREFIX, CentreResult
from cmrc_desktop.services.results import ResultsOverview
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui import tasks, theme
from cmrc_desktop.ui.main_views import ID_ROLE, MainView
from cmrc_desktop.ui.models.results import (
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
    dimension_shares,
    grade_text,
    show_label,
)
from cmrc_desktop.ui.prompts import Prompts
from cmrc_desktop.ui.secretary.charts import (
    RadarAxis,
    RadarChart,
    SpreadChart,
    SpreadDot,
    SpreadMarker,
)
from cmrc_desktop.ui.settings import Settings


def grade_results(folder, actor: str, _ctx: tasks.TaskContext) -> ResultsOverview:
    """The job, on a worker thread: its own connection, a snapshot back."""
    from cmrc_desktop.services.results import results_overview
    from cmrc_desktop.services.workspace import open_workspace

    with open_workspace(folder, actor=actor) as ws:
        return results_overview(ws)


def _section(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class ResultDetail(QWidget):
    """The selected centre: its figures and flags in words, the radar of its dimension
    scores, the spread of its expert totals and the method comparison."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("result_detail")
        self.centre_id: str | None = None
        self.title_label = QLabel(self)
        self.title_label.setObjectName("detail_title")
        self.title_label.setWordWrap(True)
        self.title_label.setFont(theme.heading_font(self.font(), 1.15))
        self.facts_label = QLabel(self)
        self.facts_label.setObjectName("detail_facts")
        self.facts_label.setWordWrap(True)
        self.flags_label = QLabel(self)
        self.flags_label.setObjectName("detail_flags")
        self.flags_label.setWordWrap(True)
        self.flags_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.radar_title = _section(_("Dimension scores (share of each dimension's max)"),
                                    self)
        self.radar = RadarChart(self)
        self.radar.setObjectName("radar_chart")
        self.spread_title = _section(_("Expert totals"), self)
        self.spread = SpreadChart(self)
        self.spread.setObjectName("spread_chart")
        self.methods_title = _section(_("Method comparison"), self)
        self.methods_model = MethodComparisonModel(self)
        self.methods_table = QTableView(self)
        self.methods_table.setObjectName("methods_table")
        self.methods_table.setModel(self.methods_model)
        self.methods_table.verticalHeader().setVisible(False)
        self.methods_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.methods_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.methods_table.setShowGrid(False)
        self.methods_table.setWordWrap(False)
        self.methods_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.methods_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.methods_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setHighlightSections(False)
        self.sensitive_label = QLabel(self)
        self.sensitive_label.setObjectName("sensitive_label")
        self.sensitive_label.setWordWrap(True)
        self.empty_label = QLabel(_("Select a centre to see its dimension scores, the spread "
                                    "of its expert totals and how its grade depends on the "
                                    "aggregation method."), self)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        theme.set_muted(self.empty_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 4, 4, 4)
        layout.setSpacing(6)
        self._parts = (self.title_label, self.facts_label, self.flags_label, self.radar_title,
                       self.radar, self.spread_title, self.spread, self.methods_title,
                       self.methods_table, self.sensitive_label)
        for widget in self._parts:
            layout.addWidget(widget)
            if widget in (self.flags_label, self.radar, self.spread):
                layout.addSpacing(6)
        layout.addWidget(self.empty_label)
        layout.addStretch(1)
        self.show_centre(None, None)

    def show_centre(self, overview: ResultsOverview | None, centre_id: str | None) -> None:
        result = overview.result.centre(centre_id) if overview and centre_id else None
        self.centre_id = result.centre if result else None
        for widget in self._parts:
            widget.setVisible(result is not None)
        self.empty_label.setVisible(result is None)
        self.methods_model.set_centre(overview if result else None, self.centre_id)
        if result is None or overview is None:
            self.radar.set_axes([])
            self.spread.set_data([])
            return
        scheme = overview.scheme
        name = overview.names.get(result.centre, "")
        self.title_label.setText(f"{result.centre}  {name}".strip())
        self.facts_label.setText(self._facts(overview, result))
        self.flags_label.setText(self._flags(overview, result))
        self.flags_label.setVisible(bool(self.flags_label.text()))
        self._show_radar(overview, result)
        self._show_spread(overview, result)
        self._fit_methods_table()
        if result.centre in overview.method_sensitive:
            self.sensitive_label.setText("▲ " + _("Method-sensitive: {text}. The committee "
                                                  "should know before it signs.").format(
                text=flag_text(METHOD_SENSITIVE, scheme)))
            theme.set_error(self.sensitive_label)
        else:
            self.sensitive_label.setText(_("The grade is the same under every method."))
            self.sensitive_label.setPalette(self.palette())

    def _facts(self, overview: ResultsOverview, r: CentreResult) -> str:
        graded = sum(1 for c in overview.result.centres if c.rank is not None)
        parts = []
        if r.final_rounded is not None:
            parts.append(_("Final score {score}").format(score=format(r.final_rounded, "f")))
        grade = grade_text(r)
        if grade:
            parts.append(_("Grade {grade}").format(grade=grade))
        if r.rank is not None:
            parts.append(_("Rank {rank} of {n}").format(rank=r.rank, n=graded))
        parts.append(ngettext("{n} complete sheet", "{n} complete sheets", r.experts)
                     .format(n=r.experts))
        if r.incomplete_experts:
            parts.append(ngettext("{n} incomplete sheet", "{n} incomplete sheets",
                                  len(r.incomplete_experts)).format(
                n=len(r.incomplete_experts)))
        return "  ·  ".join(parts)

    @staticmethod
    def _flags(overview: ResultsOverview, r: CentreResult) -> str:
        scheme = overview.scheme
        lines = [f"• {flag_label(f)}: {flag_text(f, scheme)}" for f in r.flags
                 if not f.startswith(VETO_FLAG_PREFIX)]
        for record in overview.vetoes.get(r.centre, ()):
            veto = scheme.veto(record.veto_id)
            lines.append("• " + _("Veto {id} ({name}), recorded by {actor} on {at}: "
                                  "{reason}").format(
                id=record.veto_id, name=veto.display if veto else "?", actor=record.actor,
                at=record.at[:10], reason=record.reason))
        return "\n".join(lines)

    def _show_radar(self, overview: ResultsOverview, r: CentreResult) -> None:
        shares = dimension_shares(overview, r)
        if not shares:
            self.radar.set_axes([])
            self.radar.set_empty_text(_("No dimension scores: the centre has fewer complete "
                                        "sheets than the scheme requires."))
            return
        average = overview.average_shares()
        self.radar.set_axes(
            [RadarAxis(name, score, top, float(share)) for name, score, top, share in shares],
            [float(average[d.id]) for d in overview.scheme.dimensions] if average else None)

    def _show_spread(self, overview: ResultsOverview, r: CentreResult) -> None:
        scheme = overview.scheme
        decimals = scheme.aggregation.decimals
        totals = r.expert_totals
        if not totals:
            self.spread.set_data([])
            self.spread.set_empty_text(_("No complete sheet has been received for this "
                                         "centre."))
            return
        dots = [SpreadDot(expert, float(total), plain(total))
                for expert, total in sorted(totals.items())]
        the_mean, the_median = mean(totals.values()), median(totals.values())
        markers = [
            SpreadMarker(_("Mean {score}").format(score=fmt(the_mean, decimals)),
                         float(the_mean), theme.INFO),
            SpreadMarker(_("Median {score}").format(score=fmt(the_median, decimals)),
                         float(the_median), theme.ACTIVE, dashed=True)]
        if r.final is not None and scheme.aggregation.method == "trimmed_mean":
            markers.append(SpreadMarker(
                _("Final score {score}").format(score=format(r.final_rounded, "f")),
                float(r.final), theme.GOOD))
        bounds = [(g.display, float(g.min)) for g in scheme.grades if g.min > 0]
        self.spread.set_data(dots, markers, bounds, float(scheme.total))

    def _fit_methods_table(self) -> None:
        table = self.methods_table
        rows = self.methods_model.rowCount()
        height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
        height += sum(table.verticalHeader().sectionSize(i) for i in range(rows))
        table.setFixedHeight(height)


class ResultsView(MainView):
    """The results table with the selected centre's detail on the right."""

    view_id = "results"
    icon_name = "results"

    def __init__(self, ws: Workspace, parent: QWidget | None = None, *,
                 prompts: Prompts | None = None, settings: Settings | None = None) -> None:
        super().__init__(ws, parent, prompts=prompts, settings=settings)
        self.overview: ResultsOverview | None = None
        self.grading: tasks.TaskHandle | None = None
        self._generation = 0
        self._error = ""
        self.model = ResultsModel(self)
        self.proxy = ResultsFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table.setModel(self.proxy)
        self.table.sortByColumn(COL_RANK, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)
        # fitting the columns reads the cells of this many rows, not all of a large batch
        self.table.horizontalHeader().setResizeContentsPrecision(60)
        self.table.selectionModel().selectionChanged.connect(
            self._on_table_selection_changed)

        self._setup_tool_bar()      # above the table: before the splitter takes its place
        self.detail = ResultDetail(self)
        scroll = QScrollArea(self)
        scroll.setObjectName("detail_scroll")
        scroll.setWidget(self.detail)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(self.fontMetrics().averageCharWidth() * 62)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("results_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.layout().replaceWidget(self.table, self.splitter)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 1)     # a wider window widens the table
        self.splitter.setStretchFactor(1, 0)

    def title(self) -> str:
        return _("Results")

    # -- tool bar ------------------------------------------------------------------------
    def _setup_tool_bar(self) -> None:
        bar = self.tool_bar()
        self.action_record_veto = QAction(_("Record veto…"), self)
        self.action_record_veto.setToolTip(_("Record a veto on the selected centre: the "
                                             "worst grade whatever its score"))
        self.action_record_veto.triggered.connect(self.record_veto)
        self.action_withdraw_veto = QAction(_("Withdraw veto…"), self)
        self.action_withdraw_veto.setToolTip(_("Withdraw a veto of the selected centre"))
        self.action_withdraw_veto.triggered.connect(self.withdraw_veto)
        self.action_export = QAction(theme.icon("results"),
                                     _("Export and sign the consolidated report…"), self)
        self.action_export.triggered.connect(self.export_report)
        bar.addAction(self.action_record_veto)
        bar.addAction(self.action_withdraw_veto)
        bar.addSeparator()
        bar.addAction(self.action_export)
        spacer = QWidget(bar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addWidget(QLabel(_("Show:") + " ", bar))
        self.show_combo = QComboBox(bar)
        self.show_combo.setObjectName("show_combo")
        for show in (SHOW_ALL, SHOW_QUOTA_TIES, SHOW_FLAGGED, SHOW_SENSITIVE):
            self.show_combo.addItem(show_label(show), show)
        self.show_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.show_combo.currentIndexChanged.connect(self._on_show_combo_current_index_changed)
        bar.addWidget(self.show_combo)
        self._update_actions()

    def set_show(self, show: str) -> None:
        """Narrow the table (``SHOW_*`` of ``models.results``)."""
        index = self.show_combo.findData(show)
        if index >= 0:
            self.show_combo.setCurrentIndex(index)

    # -- grading -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Grade again, off the GUI thread; the table keeps what it shows until then."""
        self._generation += 1
        generation = self._generation
        self._error = ""
        if self.overview is None:
            self.summary_label.setText(_("Grading…"))
        else:
            self.summary_label.setText(self._summary() + "  ·  " + _("Grading…"))
        self.grading = tasks.run_task(
            lambda ctx: grade_results(self.ws.folder, self.ws.actor, ctx),
            on_done=lambda overview: self._on_graded(generation, overview),
            on_error=lambda message: self._on_grading_failed(generation, message),
            parent=self, title=_("Grading"))

    @property
    def loading(self) -> bool:
        """True while a grading is on its way (the benchmark and tests wait for it)."""
        return self.grading is not None and self.grading.running

    def _on_graded(self, generation: int, overview: ResultsOverview) -> None:
        if generation != self._generation:
            return          # a newer grading is on its way
        selected = self.selected_centre()
        first = self.overview is None
        self.overview = overview
        self.model.set_overview(overview)
        self.summary_label.setText(self._summary())
        self._show_quota_ties()
        if first:
            self._fit_columns()
        if selected:
            self.select_centre(selected)
        else:
            self._show_detail()

    def _on_grading_failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self.overview = None
        self._error = message
        self.model.set_overview(None)
        self.summary_label.setText(_("The batch cannot be graded: {reason}").format(
            reason=message))
        self.set_note("")
        self._show_detail()

    def _fit_columns(self, stretch: int | None = None) -> None:
        """To the contents, but names and dimension headers no wider than a few words
        (the whole name is in the tooltip), so the dimension scores stay in view."""
        super()._fit_columns(stretch)
        header = self.table.horizontalHeader()
        chars = self.fontMetrics().averageCharWidth()
        limits = {COL_NAME: chars * 34}
        for column in range(FIRST_DIMENSION, self.model.grade_column):
            limits[column] = chars * 14
        for column, limit in limits.items():
            if header.sectionSize(column) > limit:
                header.resizeSection(column, limit)

    def _summary(self) -> str:
        overview = self.overview
        if overview is None:
            return self._error
        scheme = overview.scheme
        centres = overview.result.centres
        graded = sum(1 for c in centres if c.final_rounded is not None)
        parts = [_("Scheme: {scheme}").format(scheme=scheme.display or scheme.id),
                 _("{graded} of {total} centres graded from the received scoresheets").format(
                     graded=graded, total=len(centres))]
        vetoed = sum(1 for c in centres if c.vetoed)
        if vetoed:
            parts.append(ngettext("{n} vetoed", "{n} vetoed", vetoed).format(n=vetoed))
        if overview.method_sensitive:
            n = len(overview.method_sensitive)
            parts.append(ngettext("▲ {n} method-sensitive", "▲ {n} method-sensitive", n)
                         .format(n=n))
        return "  ·  ".join(parts)

    def _show_quota_ties(self) -> None:
        overview = self.overview
        ties = overview.quota_ties() if overview else []
        if not ties:
            self.set_note("")
            return
        listed = "; ".join(
            "{id} {name} ({score})".format(id=r.centre, name=overview.names.get(r.centre, ""),
                                          score=format(r.final_rounded, "f"))
            for r in sorted(ties, key=lambda r: (-r.final_rounded, r.centre)))
        self.set_note(ngettext(
            "▲ For the committee's decision: {n} centre tied on a quota boundary has no "
            "grade until the committee decides: {centres}",
            "▲ For the committee's decision: {n} centres tied on a quota boundary have no "
            "grade until the committee decides: {centres}", len(ties)).format(
                n=len(ties), centres=listed))

    # -- selection -----------------------------------------------------------------------
    def selected_centre(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        value = rows[0].data(ID_ROLE) if rows else None
        return str(value) if value else None

    def select_centre(self, centre_id: str) -> bool:
        row = self.model.row_of(centre_id)
        if row < 0:
            self._show_detail()
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.table.clearSelection()
            self._show_detail()
            return False
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        self._show_detail()
        return True

    def _show_detail(self) -> None:
        self.detail.show_centre(self.overview, self.selected_centre())
        self._update_actions()

    def _update_actions(self) -> None:
        centre = self.selected_centre()
        scheme = self.overview.scheme if self.overview else None
        self.action_record_veto.setEnabled(bool(centre and scheme and scheme.vetoes))
        recorded = self.overview.vetoes.get(centre, ()) if self.overview and centre else ()
        self.action_withdraw_veto.setEnabled(bool(recorded))
        self.action_export.setEnabled(self.overview is not None)

    @Slot(QItemSelection, QItemSelection)
    def _on_table_selection_changed(self, _selected: QItemSelection,
                                    _deselected: QItemSelection) -> None:
        self._show_detail()

    @Slot(int)
    def _on_show_combo_current_index_changed(self, _index: int) -> None:
        selected = self.selected_centre()
        self.proxy.set_show(self.show_combo.currentData() or SHOW_ALL)
        if selected:
            self.select_centre(selected)
        else:
            self._show_detail()

    # -- actions -------------------------------------------------------------------------
    def veto_dialog(self, *, withdraw: bool = False):
        """The dialog for the selected centre (opened, not executed); None without one."""
        from cmrc_desktop.ui.dialogs.veto import VetoDialog

        centre = self.selected_centre()
        if centre is None or self.overview is None:
            return None
        dialog = VetoDialog(self.ws, centre, self.overview.names.get(centre, ""),
                            withdraw=withdraw, recorded=self.overview.vetoes.get(centre, ()),
                            parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self._on_veto_dialog_changed)
        dialog.open()
        return dialog

    @Slot()
    def record_veto(self) -> None:
        self.veto_dialog()

    @Slot()
    def withdraw_veto(self) -> None:
        self.veto_dialog(withdraw=True)

    @Slot(str)
    def _on_veto_dialog_changed(self, _centre_id: str) -> None:
        self.refresh()

    @Slot()
    def export_report(self):
        """Open the export dialog (not executed); returns it."""
        from cmrc_desktop.ui.dialogs.report_export import ReportExportDialog

        dialog = ReportExportDialog(self.ws, prompts=self.prompts, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
