"""Returned scoresheets: merge them (a folder chosen, or files and folders dropped on the
view), read the report of the latest merge, export it, and resolve conflicts.

The merge is ``services.merge.merge_files`` in a background task with progress and
Cancel; the task opens its own connection to the workspace (a sqlite3 connection stays
in its thread) and hands back the per-file outcomes, which the report table shows.
Files merged before a Cancel stay merged (each file is all-or-nothing); merging the same
folder again skips them as "already merged". On every show the view reads the latest
merge from the merge log, so the report is there after a restart too.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Slot
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QTableView,
    QWidget,
)

from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.services import merge
from cmrc_desktop.services.merge import SHEET_SUFFIXES, FileOutcome, outcome_label
from cmrc_desktop.services.returns import (
    ConflictPair,
    MergeRun,
    conflict_pairs,
    export_report,
    merge_run,
)
from cmrc_desktop.services.workspace import Workspace, open_workspace
from cmrc_desktop.ui import tasks, theme
from cmrc_desktop.ui.main_views import Column, MainView, RecordTableModel, ToneProxyModel
from cmrc_desktop.ui.models.merge_report import COL_OUTCOME, OUTCOME_ROLE, MergeReportModel
from cmrc_desktop.ui.prompts import Prompts, error_text
from cmrc_desktop.ui.settings import Settings

OUTCOMES = (merge.ACCEPTED, merge.ALREADY, merge.SUPERSEDED, merge.CONFLICT, merge.REFUSED)
TONES = {merge.ACCEPTED: theme.GOOD, merge.ALREADY: theme.IDLE, merge.SUPERSEDED: theme.INFO,
         merge.CONFLICT: theme.ACTIVE, merge.REFUSED: theme.BAD}
CONFLICT_COLUMNS = (Column(lambda: _("Centre ID"), toned=True), Column(lambda: _("Centre name")),
                    Column(lambda: _("Expert ID")), Column(lambda: _("Expert")),
                    Column(lambda: _("Revision"), numeric=True),
                    Column(lambda: _("Competing sheets"), numeric=True))


def merge_job(folder: Path, actor: str, paths: list[str], ctx: tasks.TaskContext
              ) -> MergeRun:
    """The merge, off the GUI thread, on its own connection; returns plain data."""
    with open_workspace(folder, actor=actor) as ws:
        report = merge.merge_files(ws, paths, progress=ctx.progress_callback())
        return merge_run(ws, report.run_id, cancelled=report.cancelled)  # read while open


def dropped_paths(event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> list[str]:
    """Local folders and sheet files (.xlsx, .pdf) among what is dragged."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    found = []
    for url in mime.urls():
        if not url.isLocalFile():
            continue
        path = Path(url.toLocalFile())
        if path.is_dir() or path.suffix.lower() in SHEET_SUFFIXES:
            found.append(str(path))
    return found


class ReturnsView(MainView):
    view_id = "returns"
    icon_name = "returns"

    def __init__(self, ws: Workspace, parent: QWidget | None = None, *,
                 prompts: Prompts | None = None, settings: Settings | None = None) -> None:
        super().__init__(ws, parent, prompts=prompts, settings=settings)
        self.setAcceptDrops(True)
        self.run: MergeRun = MergeRun(None, "", ())
        self.pairs: list[ConflictPair] = []
        self.task: tasks.TaskHandle | None = None
        self.model = MergeReportModel(parent=self)
        self.proxy = ToneProxyModel(COL_OUTCOME, OUTCOME_ROLE, TONES.get, self)
        self.proxy.setSourceModel(self.model)
        self.table.setModel(self.proxy)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setAccessibleName(_("Merge report"))

        bar = self.tool_bar()
        self.action_import = bar.addAction(theme.icon("package-import"),
                                           _("Import returned scoresheets…"))
        self.action_import.setObjectName("action_import")
        self.action_import.setToolTip(_("Merge the signed sheets of a folder (also its "
                                        "sub-folders); you can also drop files or folders "
                                        "on this view"))
        self.action_export = bar.addAction(theme.icon("export"), _("Export the report…"))
        self.action_export.setObjectName("action_export")
        bar.addSeparator()
        bar.addWidget(QLabel(_("Show:") + " ", bar))
        self.outcome_combo = QComboBox(bar)
        self.outcome_combo.setObjectName("outcome_combo")
        self.outcome_combo.setAccessibleName(_("Show files with the outcome"))
        self.outcome_combo.addItem(_("every file"), None)
        for outcome in OUTCOMES:
            self.outcome_combo.addItem(theme.dot_icon(TONES[outcome]),
                                       outcome_label(outcome), outcome)
        bar.addWidget(self.outcome_combo)
        bar.addSeparator()
        self.action_resolve = bar.addAction(_("Resolve conflict…"))
        self.action_resolve.setObjectName("action_resolve")

        self.conflicts_label = QLabel(self)
        self.conflicts_label.setObjectName("conflicts_label")
        self.conflicts_label.setFont(theme.heading_font(self.font(), 1.1))
        self.conflicts_hint = QLabel(_("Neither sheet of a pair in conflict is used for "
                                       "grading until you choose one: select a pair and "
                                       "press “Resolve conflict…”, or double-click it."),
                                     self)
        self.conflicts_hint.setWordWrap(True)
        theme.set_muted(self.conflicts_hint)
        self.conflicts_model = RecordTableModel(CONFLICT_COLUMNS, self)
        self.conflicts_table = QTableView(self)
        self.conflicts_table.setObjectName("conflicts_table")
        self.conflicts_table.setAccessibleName(_("Sheets in conflict"))
        self.conflicts_table.setModel(self.conflicts_model)
        self.conflicts_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.conflicts_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.conflicts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.conflicts_table.verticalHeader().setVisible(False)
        self.conflicts_table.setWordWrap(False)
        self.conflicts_table.setShowGrid(False)
        self.conflicts_table.setAlternatingRowColors(True)
        self.conflicts_table.verticalHeader().setDefaultSectionSize(
            self.table.verticalHeader().defaultSectionSize())
        header = self.conflicts_table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        layout = self.layout()
        at = layout.indexOf(self.note_label)
        for offset, widget in enumerate((self.conflicts_label, self.conflicts_hint,
                                         self.conflicts_table)):
            layout.insertWidget(at + offset, widget)
            widget.setVisible(False)

        self.action_import.triggered.connect(self._on_action_import_triggered)
        self.action_export.triggered.connect(self._on_action_export_triggered)
        self.action_resolve.triggered.connect(self._on_action_resolve_triggered)
        self.outcome_combo.currentIndexChanged.connect(self._on_outcome_combo_changed)
        self.conflicts_table.activated.connect(self._on_conflicts_table_activated)

    def title(self) -> str:
        return _("Returns")

    # -- reading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            self.run = merge_run(self.ws)
            self.pairs = conflict_pairs(self.ws)
        except CmrcError as exc:
            self.run, self.pairs = MergeRun(None, "", ()), []
            self.summary_label.setText(error_text(exc))
        else:
            self._summarise()
        self.model.set_outcomes(self.run.files)
        self._show_conflicts()
        self._fit_columns(5)

    def show_run(self, run: MergeRun) -> None:
        """Show a merge that just ended (its files come from the merge task)."""
        self.run = run
        self.model.set_outcomes(run.files)
        self.pairs = conflict_pairs(self.ws)
        self._summarise()
        self._show_conflicts()
        self._fit_columns(5)

    def _summarise(self) -> None:
        files = self.run.files
        if self.run.run_id is None:
            text = _("Nothing has been merged yet. Import the folder where the experts' "
                     "signed scoresheets were collected, or drop files or folders here.")
        else:
            counts = {o: sum(1 for f in files if f.outcome == o) for o in OUTCOMES}
            text = ngettext("Merge {run}: {n} file", "Merge {run}: {n} files",
                            len(files)).format(run=self.run.run_id, n=len(files))
            parts = [f"{outcome_label(o)} {counts[o]}" for o in OUTCOMES if counts[o]]
            if parts:
                text += " — " + ", ".join(parts)
            if self.run.at:
                text += "  ·  " + _("merged {time} UTC").format(
                    time=self.run.at.replace("T", " ").rstrip("Z"))
        if self.pairs:
            text += "  ·  " + ngettext("{n} pair in conflict waits for your choice",
                                       "{n} pairs in conflict wait for your choice",
                                       len(self.pairs)).format(n=len(self.pairs))
        self.summary_label.setText(text)
        self.action_export.setEnabled(bool(files))

    def _show_conflicts(self) -> None:
        pairs = self.pairs
        self.conflicts_model.set_rows(
            [p.key for p in pairs],
            [(p.centre_id, p.centre_name, p.expert_id, p.expert_name,
              str(max(s.revision for s in p.sheets)), str(len(p.sheets))) for p in pairs],
            tones=[theme.ACTIVE] * len(pairs))
        self.conflicts_label.setText(ngettext("{n} pair in conflict", "{n} pairs in conflict",
                                              len(pairs)).format(n=len(pairs)))
        for widget in (self.conflicts_label, self.conflicts_hint, self.conflicts_table):
            widget.setVisible(bool(pairs))
        self.action_resolve.setEnabled(bool(pairs))
        if pairs:
            table = self.conflicts_table
            table.resizeColumnsToContents()
            table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
            rows = min(len(pairs), 5)
            table.setFixedHeight(table.horizontalHeader().sizeHint().height() + 2
                                 + rows * table.verticalHeader().defaultSectionSize())
            if not self.conflicts_table.selectionModel().hasSelection():
                self.conflicts_table.selectRow(0)

    # -- merging ---------------------------------------------------------------------------
    def merge_paths(self, paths: list[str]) -> tasks.TaskHandle | None:
        """Merge sheet files and folders in the background; the report shows when done."""
        if not paths:
            return None
        if self.task is not None and self.task.running:
            self.prompts.warning(self, _("Import returned scoresheets"),
                                    _("A merge is still running; wait for it to end."))
            return None
        self.set_note("")
        folder, actor = self.ws.folder, self.ws.actor
        self.task = tasks.run_with_progress(
            self, _("Merging returned scoresheets…"),
            lambda ctx: merge_job(folder, actor, list(paths), ctx),
            self._on_merge_done, on_error=self._on_merge_failed)
        return self.task

    def _on_merge_done(self, run: MergeRun) -> None:
        self.show_run(run)
        notes = []
        if run.cancelled:
            notes.append(_("The merge was cancelled. The files merged before you pressed "
                           "Cancel are kept; merge the folder again for the rest (files "
                           "merged already are skipped)."))
        refused = sum(1 for f in run.files if f.outcome == merge.REFUSED)
        if refused:
            notes.append(ngettext("{n} file was refused; the reason is in its row.",
                                  "{n} files were refused; the reason is in each row.",
                                  refused).format(n=refused))
        if any(f.outcome == merge.CONFLICT for f in run.files):
            notes.append(_("Sheets in conflict are not used until you resolve them below."))
        self.set_note(" ".join(notes))

    def _on_merge_failed(self, message: str) -> None:
        self.prompts.error(self, _("Import returned scoresheets"), message)

    @Slot()
    def _on_action_import_triggered(self) -> None:
        self.prompts.choose_folder(
            self, _("Folder of returned scoresheets"), str(self.ws.folder.parent),
            lambda folder: self.merge_paths([folder]) if folder else None)

    # -- drag and drop -----------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if dropped_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if dropped_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = dropped_paths(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.merge_paths(paths)

    # -- the report ----------------------------------------------------------------------------
    @Slot(int)
    def _on_outcome_combo_changed(self, _index: int) -> None:
        self.model.set_filter(self.outcome_combo.currentData())

    @Slot()
    def _on_action_export_triggered(self) -> None:
        files = self.model.listed()
        if not files:
            return
        suggested = self.ws.folder.parent / _("merge-report-{run}.xlsx").format(
            run=self.run.run_id or 0)
        self.prompts.choose_save_file(
            self, _("Export the merge report"), str(suggested),
            _("Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)"),
            lambda path: self.export_report(path, files) if path else None)

    def export_report(self, path: str, files: list[FileOutcome] | None = None
                      ) -> tasks.TaskHandle:
        """Write the report (the files listed, in the order shown) as xlsx or CSV."""
        target = Path(path)
        if target.suffix.lower() not in (".xlsx", ".csv"):
            target = target.with_name(target.name + ".csv")
        rows = list(self.model.listed() if files is None else files)

        def done(written: int | None) -> None:
            if written is not None:
                self.prompts.info(self, _("Export the merge report"), ngettext(
                    "{n} file listed in {path}", "{n} files listed in {path}",
                    written).format(n=written, path=target))

        return tasks.run_with_progress(
            self, _("Exporting the merge report…"),
            lambda ctx: export_report(rows, target, progress=ctx.progress_callback()),
            done, on_error=lambda message: self.prompts.error(
                self, _("Export the merge report"), message))

    # -- conflicts ------------------------------------------------------------------------------
    def selected_pair(self) -> ConflictPair | None:
        rows = self.conflicts_table.selectionModel().selectedRows()
        key = self.conflicts_model.row_id(rows[0].row()) if rows else None
        return next((p for p in self.pairs if p.key == key), None)

    def open_resolve_dialog(self, pair: ConflictPair | None = None):
        """The dialog for ``pair`` (by default the selected one), opened window-modal."""
        from cmrc_desktop.ui.dialogs.resolve_conflict import ResolveConflictDialog

        pair = pair or self.selected_pair() or (self.pairs[0] if self.pairs else None)
        if pair is None:
            return None
        dialog = ResolveConflictDialog(self.ws, pair, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resolved.connect(self._on_dialog_resolved)
        dialog.open()
        return dialog

    @Slot()
    def _on_action_resolve_triggered(self) -> None:
        self.open_resolve_dialog()

    @Slot(QModelIndex)
    def _on_conflicts_table_activated(self, index: QModelIndex) -> None:
        key = self.conflicts_model.row_id(index.row())
        self.open_resolve_dialog(next((p for p in self.pairs if p.key == key), None))

    @Slot(str)
    def _on_dialog_resolved(self, key: str) -> None:
        self.pairs = conflict_pairs(self.ws)
        self._summarise()
        self._show_conflicts()
        centre_id, _sep, expert_id = key.partition("/")
        self.set_note(_("The chosen sheet of expert {expert} for centre {centre} is now "
                        "used; the choice is in the audit log.").format(
                            expert=expert_id, centre=centre_id))
