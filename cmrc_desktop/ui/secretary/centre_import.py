"""Centres in and out of Excel: save the template the centres fill in, and import it.

The import is all or nothing (``services.dossiers.import_centres``). A refused file is
not one message but a list: every bad cell with its sheet, row, column and value, in a
table the secretary can work through (or copy and send back to the centre). Both jobs
run in the background on a workspace connection of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.exchange.centres_template import TemplateProblems
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.services.dossiers import ImportSummary
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui import tasks, theme
from cmrc_desktop.ui.main_views import Column, RecordTableModel
from cmrc_desktop.ui.prompts import Prompts
from cmrc_desktop.ui.secretary.centre_tables import record_table

XLSX_FILTER_TEXT = "Excel (*.xlsx)"
_SHOWN_IDS = 12


def _documents_folder() -> str:
    return QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())


# -- the jobs (off the GUI thread, no widgets) ----------------------------------------------
@dataclass(frozen=True)
class Refused:
    """The import found problems in the file and imported nothing."""

    file: str
    problems: list[InputError]


def import_job(folder: Path, actor: str, path: str) -> ImportSummary | Refused:
    """Import on a workspace of its own; a refused template comes back as ``Refused``
    (the task would reduce it to one line of text)."""
    from cmrc_desktop.services.dossiers import import_centres
    from cmrc_desktop.services.workspace import open_workspace

    with open_workspace(folder, actor=actor) as ws:
        try:
            return import_centres(ws, path)
        except TemplateProblems as exc:
            return Refused(exc.file or Path(path).name, exc.problems)


def template_job(path: str, period: str) -> str:
    from cmrc_desktop.exchange.centres_template import write_centres_template
    from cmrc_desktop.scoring.builtin import catalog

    write_centres_template(path, catalog(), period=period)
    return path


# -- import ---------------------------------------------------------------------------------
def choose_and_import(parent: QWidget, ws: Workspace, prompts: Prompts,
                      on_imported: Callable[[ImportSummary], None]) -> None:
    """Ask for the filled-in template, import it in the background, say what happened."""
    def chosen(path: str) -> None:
        if path:
            import_file(parent, ws, prompts, path, on_imported)

    prompts.choose_file(parent, _("Import centres"), _documents_folder(), XLSX_FILTER_TEXT,
                        chosen)


def import_file(parent: QWidget, ws: Workspace, prompts: Prompts, path: str,
                on_imported: Callable[[ImportSummary], None]) -> tasks.TaskHandle:
    folder, actor = ws.folder, ws.actor
    title = _("Import centres")

    def done(result: ImportSummary | Refused) -> None:
        if isinstance(result, Refused):
            ImportProblemsDialog(result, parent).open()
            return
        on_imported(result)
        prompts.info(parent, title, import_text(Path(path).name, result))

    def failed(message: str) -> None:
        prompts.error(parent, title, message)

    return tasks.run_with_progress(parent, _("Importing centres…"),
                                   lambda _ctx: import_job(folder, actor, path), done,
                                   on_error=failed)


def import_text(file: str, summary: ImportSummary) -> str:
    """What an import did, in a sentence or three."""
    added, updated = len(summary.added), len(summary.updated)
    lines = [_("Imported {file}: {added} added, {updated} updated.").format(
        file=file, added=ngettext("{n} centre", "{n} centres", added).format(n=added),
        updated=updated)]
    if summary.added:
        shown = ", ".join(summary.added[:_SHOWN_IDS])
        if added > _SHOWN_IDS:
            shown += " …"
        lines.append(_("New: {ids}").format(ids=shown))
    if summary.period:
        lines.append(ngettext("{n} metric value for {period}.",
                              "{n} metric values for {period}.", summary.metrics)
                     .format(n=summary.metrics, period=summary.period))
    conflicts = len(summary.conflicts)
    if conflicts:
        lines.append(ngettext("{n} conflict of interest detected.",
                              "{n} conflicts of interest detected.", conflicts)
                     .format(n=conflicts))
    return "\n".join(lines)


# -- the list of problems ---------------------------------------------------------------------
PROBLEM_COLUMNS = (Column(lambda: _("Worksheet")), Column(lambda: _("Row"), numeric=True),
                   Column(lambda: _("Column")), Column(lambda: _("Value")),
                   Column(lambda: _("Problem")))


def problem_cells(problem: InputError) -> tuple[str, str, str, str, str]:
    """(sheet, row, column, value, problem) of one problem; a problem of the whole file
    has only the last."""
    sheet = getattr(problem, "sheet", "") or ""
    row = getattr(problem, "row", problem.line)
    column = getattr(problem, "column", None) or problem.field or ""
    value = getattr(problem, "value", None)
    shown = "" if value is None or value == "" else str(value)
    return (sheet, "" if row is None else str(row), column, shown, problem.message)


class ImportProblemsDialog(QDialog):
    """Every problem of a refused template, one row each, in file order."""

    def __init__(self, refused: Refused, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.refused = refused
        self.setWindowTitle(_("Centres not imported"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        count = len(refused.problems)
        self.message_label = QLabel(ngettext(
            "{file} has {n} problem, so nothing was imported. Correct it in Excel and "
            "import the file again.",
            "{file} has {n} problems, so nothing was imported. Correct them in Excel and "
            "import the file again.", count).format(file=refused.file, n=count), self)
        self.message_label.setWordWrap(True)
        theme.set_error(self.message_label)
        self.model = RecordTableModel(PROBLEM_COLUMNS, self)
        rows = [problem_cells(p) for p in refused.problems]
        self.model.set_rows([str(n) for n in range(len(rows))], rows,
                            sort_keys=[(n, *r[1:]) for n, r in enumerate(rows)],
                            tips=[("", "", "", r[3], r[4]) for r in rows])
        self.table = record_table(self, "problems_table", self.model, wrap=True)
        self.table.resizeColumnsToContents()
        for column, cap in enumerate((120, 60, 160, 160)):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), cap))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = buttons.addButton(_("Copy the list"),
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(900, 460)

    def text(self) -> str:
        """The list as text (tab-separated), for an e-mail back to the centre."""
        header = "\t".join(c.header() for c in PROBLEM_COLUMNS)
        return "\n".join([header, *("\t".join(problem_cells(p))
                                    for p in self.refused.problems)])

    @Slot()
    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.text())


# -- the template -------------------------------------------------------------------------
def choose_and_save_template(parent: QWidget, ws: Workspace, prompts: Prompts,
                             on_saved: Callable[[str], None] | None = None) -> None:
    """Ask where, then write the centres template (metrics period: ``default_period``)."""
    from cmrc_desktop.services.dossiers import default_period

    period = default_period(ws)
    title = _("Save the centres template")
    start = str(Path(_documents_folder()) / _("centres-template-{period}.xlsx").format(
        period=period))

    def chosen(path: str) -> None:
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"

        def done(written: str) -> None:
            prompts.info(parent, title, _(
                "Saved the centres template to {file}. Metric values are asked for the "
                "period {period}.").format(file=written, period=period))
            if on_saved is not None:
                on_saved(written)

        tasks.run_with_progress(parent, _("Writing the template…"),
                                lambda _ctx: template_job(path, period), done,
                                on_error=lambda message: prompts.error(parent, title, message))

    prompts.choose_save_file(parent, title, start, XLSX_FILTER_TEXT, chosen)
