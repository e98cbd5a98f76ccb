"""The batch at a glance, the first view of a secretary's workspace: what the batch is
(name, year, kind, stage, id, created), how big it is (centres, experts, assignments,
sheets received), and the scheme it is scored under, shown as the panel will read it —
dimensions and indicators with points, step, who scores them and the scoring guidance;
grade bands, vetoes and formal-review checks — with "Print the scheme…" to put it on paper.

It is shown first, so it is cheap: nothing is read when it is built, a refresh is a few
COUNTs and the scheme the workspace has already parsed, and reportlab is loaded only when
the scheme is printed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Slot
from PySide6.QtGui import QAction, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.domain.workspace import Batch, label
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui import tasks, theme
from cmrc_desktop.ui.main_views import MainView, RecordTableModel
from cmrc_desktop.ui.models import scheme_indicators as si
from cmrc_desktop.ui.prompts import Prompts
from cmrc_desktop.ui.settings import Settings

MAX_INDICATOR_WIDTH = 320      # pixels; longer names wrap
FACTS = ("batch_id", "year", "kind", "stage", "created",
         "scheme", "scheme_id", "sha256", "method", "total")


class BatchView(MainView):
    """The batch and its scheme. ``self.table`` lists the scheme's indicators."""

    view_id = "batch"
    icon_name = "batch"

    def __init__(self, ws: Workspace, parent: QWidget | None = None, *,
                 prompts: Prompts | None = None, settings: Settings | None = None) -> None:
        super().__init__(ws, parent, prompts=prompts, settings=settings)
        self.task: tasks.TaskHandle | None = None
        self.printed: str = ""                     # the last PDF written (for tests)
        self.facts: dict[str, QLabel] = {}
        layout = self.layout()
        layout.insertWidget(layout.indexOf(self.table), self._facts_panel())

        self.action_print = QAction(theme.icon("print"), _("&Print the scheme…"), self)
        self.action_print.setObjectName("action_print_scheme")
        self.action_print.setToolTip(_("Write the scheme as a PDF to print and hand to the "
                                       "panel"))
        self.action_print.triggered.connect(self._on_action_print_triggered)
        self.tool_bar().addAction(self.action_print)

        self.model = si.SchemeIndicatorsModel(self)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(False)        # the scheme's order is the order
        self.table.setWordWrap(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

        self.grades = RecordTableModel(si.GRADE_COLUMNS, self)
        self.vetoes = RecordTableModel(si.VETO_COLUMNS, self)
        self.checks = RecordTableModel(si.CHECK_COLUMNS, self)
        bottom = QHBoxLayout()
        bottom.setSpacing(16)
        self.grades_box, self.grades_table = self._small_table(
            _("Grade bands"), self.grades, "grades_table")
        self.vetoes_box, self.vetoes_table = self._small_table(
            _("Vetoes"), self.vetoes, "vetoes_table")
        self.checks_box, self.checks_table = self._small_table(
            _("Formal review"), self.checks, "checks_table")
        bottom.addWidget(self.grades_box, 0, Qt.AlignmentFlag.AlignTop)
        bottom.addWidget(self.vetoes_box, 2, Qt.AlignmentFlag.AlignTop)
        bottom.addWidget(self.checks_box, 3, Qt.AlignmentFlag.AlignTop)
        layout.insertLayout(layout.indexOf(self.table) + 1, bottom)

    def title(self) -> str:
        return _("Batch")

    # -- reading -------------------------------------------------------------------------
    def refresh(self) -> None:
        from cmrc_desktop.storage.batch_repo import batch_counts

        try:
            batch = self.ws.batch
            scheme = self.ws.scheme
            counts = batch_counts(self.ws.db)
        except CmrcError as exc:
            self.summary_label.setText(str(exc))
            self.model.set_rows([], [])
            self.action_print.setEnabled(False)
            return
        self.action_print.setEnabled(True)
        self.summary_label.setText("  ·  ".join((
            batch.name,
            ngettext("{n} centre", "{n} centres", counts.centres).format(n=counts.centres),
            ngettext("{n} expert", "{n} experts", counts.experts).format(n=counts.experts),
            ngettext("{n} assignment", "{n} assignments", counts.assignments).format(
                n=counts.assignments),
            ngettext("{received} of {n} sheet received", "{received} of {n} sheets received",
                     counts.assignments).format(received=counts.received,
                                                n=counts.assignments))))
        self._show_facts(batch)
        self.model.set_scheme(scheme)
        for box, table, model, rows in (
                (self.grades_box, self.grades_table, self.grades, si.grade_rows(scheme)),
                (self.vetoes_box, self.vetoes_table, self.vetoes, si.veto_rows(scheme)),
                (self.checks_box, self.checks_table, self.checks, si.check_rows(scheme))):
            ids, cells, tips = rows
            model.set_rows(ids, cells, tips=tips)
            box.setVisible(model.rowCount() > 0)
            self._fit_small_table(table)
        self._fit_indicators()

    def _show_facts(self, batch: Batch) -> None:
        from cmrc_desktop.exchange.report_data import final_score_rule, method_name

        scheme = self.ws.scheme
        values = {
            "batch_id": batch.id, "year": str(batch.year), "kind": label(batch.kind),
            "stage": label(batch.stage), "created": _local_time(batch.created_at),
            "scheme": _("{name} (version {version})").format(name=scheme.display,
                                                             version=scheme.version),
            "scheme_id": scheme.id, "sha256": batch.scheme_sha256,
            "method": method_name(scheme.aggregation.method),
            "total": plain(scheme.total),
        }
        for key, value in values.items():
            self.facts[key].setText(value)
        self.facts["method"].setToolTip(final_score_rule(scheme))
        self.facts["sha256"].setToolTip(_("The SHA-256 of the scheme text this batch stores; "
                                          "the printed scheme shows it in its footer."))

    # -- layout --------------------------------------------------------------------------
    def _facts_panel(self) -> QWidget:
        panel = QWidget(self)
        panel.setObjectName("batch_facts")
        grid = QGridLayout(panel)
        grid.setContentsMargins(0, 0, 0, 6)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(4)
        names = {
            "batch_id": _("Batch ID"), "year": _("Year"), "kind": _("Evaluation type"),
            "stage": _("Evaluation stage"), "created": _("Created"),
            "scheme": _("Scheme"), "scheme_id": _("Scheme ID"),
            "sha256": _("Scheme SHA-256"), "method": _("Aggregation method"),
            "total": _("Total points"),
        }
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        for n, key in enumerate(FACTS):
            row, column = n % 5, (n // 5) * 2
            name = QLabel(names[key], panel)
            theme.set_muted(name)
            value = QLabel(panel)
            value.setObjectName(f"{key}_value")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            name.setBuddy(value)
            if key == "sha256":
                value.setFont(fixed)
            grid.addWidget(name, row, column)
            grid.addWidget(value, row, column + 1)
            self.facts[key] = value
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 3)
        return panel

    def _small_table(self, heading: str, model: RecordTableModel,
                     name: str) -> tuple[QWidget, QTableView]:
        box = QWidget(self)
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 6, 0, 0)
        box_layout.setSpacing(4)
        title = QLabel(heading, box)
        title.setFont(theme.heading_font(self.font(), 1.0))
        table = QTableView(box)
        table.setObjectName(name)
        table.setAccessibleName(heading)
        table.setModel(model)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(self.table.verticalHeader()
                                                     .defaultSectionSize())
        table.horizontalHeader().setHighlightSections(False)
        table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        table.horizontalHeader().setStretchLastSection(True)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        title.setBuddy(table)
        box_layout.addWidget(title)
        box_layout.addWidget(table)
        return box, table

    @staticmethod
    def _fit_small_table(table: QTableView) -> None:
        """As tall as its rows (a scheme has a handful of grades, vetoes and checks) and
        at least as wide as its columns need, up to a third of the view."""
        header = table.horizontalHeader()
        table.resizeColumnsToContents()
        rows = table.model().rowCount()
        frame = 2 * table.frameWidth()
        table.setFixedHeight(header.sizeHint().height()
                             + rows * table.verticalHeader().defaultSectionSize() + frame)
        wanted = sum(header.sectionSize(c) for c in range(header.count())) + frame
        table.setMinimumWidth(min(wanted, 360))

    def _fit_indicators(self) -> None:
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        for column in range(si.COL_GUIDANCE):
            self.table.resizeColumnToContents(column)
        if header.sectionSize(si.COL_INDICATOR) > MAX_INDICATOR_WIDTH:
            header.resizeSection(si.COL_INDICATOR, MAX_INDICATOR_WIDTH)
        header.setSectionResizeMode(si.COL_GUIDANCE, QHeaderView.ResizeMode.Stretch)

    # -- printing ------------------------------------------------------------------------
    def print_scheme(self) -> None:
        """Ask where to write the PDF, then write it in the background."""
        scheme = self.ws.scheme
        name = f"{scheme.id}-{scheme.version}.pdf" if scheme.version else f"{scheme.id}.pdf"
        self.prompts.choose_save_file(self, _("Print the scheme"), str(Path(_documents())
                                                                        / name),
                                      _("PDF files (*.pdf)"), self._on_print_file_chosen)

    def _on_print_file_chosen(self, path: str) -> None:
        if not path:
            return
        if Path(path).suffix.lower() != ".pdf":
            path += ".pdf"
        scheme, batch = self.ws.scheme, self.ws.batch    # snapshots: the job reads no db

        def job(_ctx: tasks.TaskContext) -> str:
            from cmrc_desktop.exchange.scheme_pdf import write_scheme_pdf

            write_scheme_pdf(path, scheme, batch)
            return path

        self.action_print.setEnabled(False)
        self.task = tasks.run_with_progress(self, _("Printing the scheme…"), job,
                                            self._on_printed, on_error=self._on_print_failed)

    def _on_printed(self, path: str) -> None:
        self.action_print.setEnabled(True)
        self.printed = path
        self.set_note(_("The scheme was written to {file}.").format(file=path))

    def _on_print_failed(self, message: str) -> None:
        self.action_print.setEnabled(True)
        self.prompts.error(self, _("Print the scheme"), message)

    @Slot()
    def _on_action_print_triggered(self) -> None:
        self.print_scheme()


def _local_time(iso: str) -> str:
    """An ISO time stored in UTC as the local date and time."""
    try:
        moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


def _documents() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
