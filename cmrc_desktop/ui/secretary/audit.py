"""The audit log: every change to the batch, newest first, narrowed by centre, expert
and kind of change (scores, sheets, merges, vetoes, …), and exported for an auditor.

The log of a large batch holds about 100,000 entries: the filters are SQL (the
``AuditLogModel`` holds ids and reads rows as they scroll into view), and the export
runs in the background on its own connection, the same filters applied.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.services import audit_log
from cmrc_desktop.services.audit_log import LogFilter
from cmrc_desktop.services.workspace import Workspace, open_workspace
from cmrc_desktop.ui import tasks, theme
from cmrc_desktop.ui.main_views import MainView
from cmrc_desktop.ui.models.audit_log import COL_AT, AuditLogModel
from cmrc_desktop.ui.prompts import Prompts, error_text
from cmrc_desktop.ui.settings import Settings


def export_job(folder: Path, path: Path, log_filter: LogFilter, ctx: tasks.TaskContext
               ) -> int | None:
    """The export, off the GUI thread, on its own connection."""
    with open_workspace(folder) as ws:
        return audit_log.export(ws, path, log_filter, progress=ctx.progress_callback())


class AuditView(MainView):
    view_id = "audit"
    icon_name = "audit"

    def __init__(self, ws: Workspace, parent: QWidget | None = None, *,
                 prompts: Prompts | None = None, settings: Settings | None = None) -> None:
        super().__init__(ws, parent, prompts=prompts, settings=settings)
        self.model = AuditLogModel(ws, self)
        self.table.setModel(self.model)
        self.table.sortByColumn(COL_AT, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(self.table.SelectionBehavior.SelectRows)
        bar = self.tool_bar()
        self.centre_combo = self._combo(bar, "centre_combo", _("Centre:"),
                                        _("Show the entries of one centre"))
        self.expert_combo = self._combo(bar, "expert_combo", _("Expert:"),
                                        _("Show the entries of one expert"))
        self.kind_combo = self._combo(bar, "kind_combo", _("Kind:"),
                                      _("Show one kind of change"))
        bar.addSeparator()
        self.action_export = bar.addAction(theme.icon("export"), _("Export…"))
        self.action_export.setObjectName("action_export")
        self.action_export.setToolTip(_("Write the entries shown to a CSV file (UTF-8, "
                                        "opens in Excel) or an Excel workbook"))
        self.action_export.triggered.connect(self._on_action_export_triggered)
        for combo in (self.centre_combo, self.expert_combo, self.kind_combo):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self._filling = False
        self._set_widths()

    def _set_widths(self) -> None:
        """Widths from typical contents: measuring a column would read every row shown
        (the log is long, and ``refresh`` must stay quick)."""
        metrics = self.table.fontMetrics()
        samples = ("2026-11-22 08:05:36", "秘书 secretary", "conflict.declare",
                   "metric:core_members", "C001", "E01", "6257edad6da4…",
                   "6257edad6da4…", "年度报告逾期未交，经复核", "")
        header = self.table.horizontalHeader()
        for column, (sample, title) in enumerate(zip(samples, audit_log.headers(),
                                                     strict=True)):
            width = max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(title))
            header.resizeSection(column, width + 24)

    def _combo(self, bar, name: str, label: str, tip: str) -> QComboBox:
        bar.addWidget(QLabel(" " + label + " ", bar))
        combo = QComboBox(bar)
        combo.setObjectName(name)
        combo.setAccessibleName(tip)
        combo.setToolTip(tip)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(12)
        combo.setMaxVisibleItems(20)
        bar.addWidget(combo)
        return combo

    def title(self) -> str:
        return _("Audit log")

    # -- reading -------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            self._fill_filters()
            self.model.set_filter(self.current_filter())
        except CmrcError as exc:
            self.summary_label.setText(error_text(exc))
            return
        self._summarise()

    def _fill_filters(self) -> None:
        """The choices of the moment (new centres, experts and kinds), keeping the
        current choice."""
        centres, experts = audit_log.subjects(self.ws)
        kinds = audit_log.kinds(self.ws)
        self._filling = True
        try:
            self._fill(self.centre_combo, _("every centre"),
                       [(i, f"{i} {n}".strip()) for i, n in centres])
            self._fill(self.expert_combo, _("every expert"),
                       [(i, f"{i} {n}".strip()) for i, n in experts])
            self._fill(self.kind_combo, _("every kind"),
                       [(k, audit_log.kind_label(k)) for k in kinds])
        finally:
            self._filling = False

    @staticmethod
    def _fill(combo: QComboBox, everything: str, items: list[tuple[str, str]]) -> None:
        chosen = combo.currentData()
        combo.clear()
        combo.addItem(everything, None)
        for value, text in items:
            combo.addItem(text, value)
        at = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(at, 0))

    def current_filter(self) -> LogFilter:
        return LogFilter(centre_id=self.centre_combo.currentData(),
                         expert_id=self.expert_combo.currentData(),
                         kind=self.kind_combo.currentData())

    def set_filter(self, *, centre_id: str | None = None, expert_id: str | None = None,
                   kind: str | None = None) -> None:
        """Choose the filters (as the combo boxes do) and show the entries."""
        self._filling = True
        try:
            for combo, value in ((self.centre_combo, centre_id),
                                 (self.expert_combo, expert_id), (self.kind_combo, kind)):
                combo.setCurrentIndex(max(combo.findData(value), 0) if value else 0)
        finally:
            self._filling = False
        self._apply_filter()

    def _summarise(self) -> None:
        shown = self.model.total_rows
        log_filter = self.model.log_filter
        if log_filter == LogFilter():
            text = ngettext("{n} entry", "{n} entries", shown).format(n=shown)
        else:
            total = audit_log.count(self.ws)
            text = ngettext("{n} entry of {total} matches the filters",
                            "{n} entries of {total} match the filters", shown).format(
                                n=shown, total=total)
        self.summary_label.setText(
            text + "  ·  " + _("entries are only ever added, never changed or removed"))
        self.action_export.setEnabled(shown > 0)

    @Slot(int)
    def _on_filter_changed(self, _index: int) -> None:
        if not self._filling:
            self._apply_filter()

    def _apply_filter(self) -> None:
        try:
            self.model.set_filter(self.current_filter())
        except CmrcError as exc:
            self.summary_label.setText(error_text(exc))
            return
        self._summarise()

    # -- export ---------------------------------------------------------------------------
    @Slot()
    def _on_action_export_triggered(self) -> None:
        suggested = self.ws.folder.parent / _("audit-log-{batch}.csv").format(
            batch=self.ws.batch.id)
        self.prompts.choose_save_file(
            self, _("Export the audit log"), str(suggested),
            _("CSV, UTF-8 (*.csv);;Excel workbook (*.xlsx)"),
            lambda path: self.export(path) if path else None)

    def export(self, path: str) -> tasks.TaskHandle:
        """Write the entries the filters keep, oldest first, as CSV (or xlsx)."""
        target = Path(path)
        if target.suffix.lower() not in (".csv", ".xlsx"):
            target = target.with_name(target.name + ".csv")
        folder, log_filter = self.ws.folder, self.model.log_filter

        def done(written: int | None) -> None:
            if written is not None:
                self.prompts.info(self, _("Export the audit log"), ngettext(
                    "{n} entry written to {path}", "{n} entries written to {path}",
                    written).format(n=written, path=target))

        return tasks.run_with_progress(
            self, _("Exporting the audit log…"),
            lambda ctx: export_job(folder, target, log_filter, ctx), done,
            on_error=lambda message: self.prompts.error(
                self, _("Export the audit log"), message))
