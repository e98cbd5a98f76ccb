"""Export panel packages — of one expert or of every assigned expert — and print their
one-time passwords on a sheet (``services.packages.export_packages`` and
``write_password_sheet``, as ``cmrc package export --password-sheet``).

Each package takes about half a second (the expert's key is opened and sealed under a
new one-time password), so the export runs in the background with progress and Cancel,
on a workspace connection of its own. A wrong batch password stops it before anything is
written and the dialog stays open. Cancel, or one expert's failure, stops between two
experts; the packages already written still get their slips, since their one-time
passwords exist nowhere else. If even the sheet cannot be written, the passwords are
shown once so they can be copied by hand.

The sheet goes beside the workspace by default, never into the packages' folder: that
folder is what travels to the experts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QStandardPaths, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.domain.errors import CmrcError, InputError
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui import tasks
from cmrc_desktop.ui.dialogs.expert_form import DialogForm
from cmrc_desktop.ui.dialogs.task_dialog import TaskDialog
from cmrc_desktop.ui.prompts import Prompts, error_text
from cmrc_desktop.ui.settings import Key, Settings

PACKAGE_FOLDER: Key[str] = Key("history/package_folder", str, "")
SHEETS_FOLDER = "password-sheets"     # inside the workspace folder


@dataclass(frozen=True)
class PackageExportRequest:
    """Everything the background job needs; no widget, no connection."""

    workspace: Path
    actor: str
    expert_ids: tuple[str, ...] | None      # None: every assigned expert
    folder: Path
    sheet: Path
    password: str = ""

    def __repr__(self) -> str:  # the password never reaches a log or a test report
        return (f"PackageExportRequest(experts={self.expert_ids!r}, "
                f"folder={str(self.folder)!r}, sheet={str(self.sheet)!r})")


@dataclass
class PackageExportOutcome:
    files: list[Path] = field(default_factory=list)
    experts: list[str] = field(default_factory=list)
    sheet: Path | None = None
    sheet_error: str = ""
    unprinted: list[tuple[str, str]] = field(default_factory=list)   # (file, password)
    failed: tuple[str, str] | None = None
    cancelled: bool = False

    def __repr__(self) -> str:
        return (f"PackageExportOutcome(experts={self.experts!r}, sheet={self.sheet!r}, "
                f"failed={self.failed!r}, cancelled={self.cancelled}, "
                f"sheet_error={self.sheet_error!r})")


def export_packages_job(request: PackageExportRequest,
                        ctx: tasks.TaskContext | None = None) -> PackageExportOutcome:
    """Off the GUI thread: export, then print the sheet for whatever was exported."""
    from cmrc_desktop.services.packages import export_packages, write_password_sheet
    from cmrc_desktop.services.workspace import open_workspace

    with open_workspace(request.workspace, actor=request.actor) as ws:
        run = export_packages(ws, request.expert_ids, request.folder, request.password,
                              progress=ctx.progress_callback() if ctx is not None else None)
        outcome = PackageExportOutcome(
            files=[p.path for p in run.exported], experts=[p.expert_id for p in run.exported],
            failed=run.failed, cancelled=run.cancelled)
        if run.exported:
            try:
                request.sheet.parent.mkdir(parents=True, exist_ok=True)
                outcome.sheet = write_password_sheet(ws, run.exported, request.sheet)
            except (CmrcError, OSError) as exc:
                outcome.sheet_error = error_text(exc)
                outcome.unprinted = [(p.path.name, p.one_time_password) for p in run.exported]
    return outcome


def default_sheet_path(ws: Workspace, now: dt.datetime | None = None) -> Path:
    now = now or dt.datetime.now()
    return ws.folder / SHEETS_FOLDER / "{}_{}_{:%Y%m%d-%H%M%S}.pdf".format(
        _("one-time-passwords"), ws.batch.id, now)


def default_package_folder(ws: Workspace, settings: Settings | None) -> Path:
    last = settings.get(PACKAGE_FOLDER) if settings is not None else ""
    if last and Path(last).is_dir():
        return Path(last)
    documents = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    return Path(documents) / "CMRC" / "{}_{}".format(_("packages"), ws.batch.id)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


class PackageExportDialog(TaskDialog):
    """Export the packages of ``expert_id`` (or, chosen in the dialog, of every assigned
    expert) and print the password sheet.

    Signals:
        exported(object) — the ``PackageExportOutcome``, when the job has ended (also after
            Cancel or a failure half-way: some packages may exist)
    """

    exported = Signal(object)

    def __init__(self, ws: Workspace, parent: QWidget | None = None, *,
                 expert_id: str | None = None, prompts: Prompts | None = None,
                 settings: Settings | None = None) -> None:
        super().__init__(parent)
        from cmrc_desktop.services.packages import assigned_experts
        from cmrc_desktop.storage import expert_repo

        self.ws = ws
        self.prompts = prompts or Prompts()
        self.settings = settings
        self.outcome: PackageExportOutcome | None = None
        self.open_file = QDesktopServices.openUrl      # replaced by tests
        self.assigned = assigned_experts(ws)
        self.ui = ui = DialogForm(
            self, _("Export panel packages"),
            _("Each package holds the expert's centres, dossiers and signing key, sealed "
              "with a one-time password. The passwords are printed on a sheet to cut into "
              "slips and hand over in person — never with the packages."),
            ok_text=_("Export"))
        expert = expert_repo.find_expert(ws.db, expert_id) if expert_id else None
        self.expert_id = expert.id if expert else None
        self.one_radio = QRadioButton()
        self.one_radio.setObjectName("one_radio")
        self.all_radio = QRadioButton(_("Every assigned expert ({n})").format(
            n=len(self.assigned)))
        self.all_radio.setObjectName("all_radio")
        choice = QWidget()
        column = QVBoxLayout(choice)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.one_radio)
        column.addWidget(self.all_radio)
        ui.add_row(_("Packages of"), choice)
        if expert is not None:
            assigned = expert.id in self.assigned
            self.one_radio.setText(
                f"{expert.id}  {expert.name}"
                + ("" if assigned else "  " + _("(not assigned to any centre)")))
            self.one_radio.setEnabled(assigned)
            (self.one_radio if assigned else self.all_radio).setChecked(True)
        else:
            self.one_radio.setVisible(False)
            self.all_radio.setChecked(True)
        self.all_radio.setEnabled(bool(self.assigned))
        self.folder_edit = self._path_row(_("Folder for the packages"), "folder_edit",
                                          self._on_folder_button_clicked)
        self.sheet_edit = self._path_row(_("Password sheet (PDF)"), "sheet_edit",
                                         self._on_sheet_button_clicked)
        self.password_edit = ui.line_edit(_("Batch password"), "password_edit", password=True)
        self.folder_edit.setText(str(default_package_folder(ws, settings)))
        self.sheet_edit.setText(str(default_sheet_path(ws)))
        self.password_edit.setFocus()
        ui.button_box.accepted.connect(self._on_button_box_accepted)
        self.resize(max(self.sizeHint().width(), 640), self.sizeHint().height())

    def _path_row(self, label: str, name: str, on_browse) -> QLineEdit:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        edit = QLineEdit()
        edit.setObjectName(name)
        button = QPushButton(_("Browse…"))
        button.setObjectName(name.replace("_edit", "_button"))
        button.clicked.connect(on_browse)
        layout.addWidget(edit, 1)
        layout.addWidget(button)
        self.ui.add_row(label, row)
        return edit

    # -- form ----------------------------------------------------------------------------
    def selected_experts(self) -> tuple[str, ...] | None:
        """The one expert, or None for every assigned expert."""
        if self.one_radio.isChecked() and self.expert_id:
            return (self.expert_id,)
        return None

    def save(self) -> PackageExportRequest:
        """The request as typed; ``InputError`` naming the field."""
        if not self.assigned:
            raise InputError(_("no expert is assigned to a centre yet"),
                             field=_("Packages of"))
        folder_text = self.folder_edit.text().strip()
        if not folder_text:
            raise InputError(_("choose the folder for the packages"),
                             field=_("Folder for the packages"))
        folder = Path(folder_text).expanduser()
        if folder.exists() and not folder.is_dir():
            raise InputError(_("this is a file, not a folder"),
                             field=_("Folder for the packages"))
        sheet_text = self.sheet_edit.text().strip()
        if not sheet_text:
            raise InputError(_("choose where the password sheet goes"),
                             field=_("Password sheet (PDF)"))
        sheet = Path(sheet_text).expanduser()
        if sheet.suffix.lower() != ".pdf":
            sheet = sheet.with_name(sheet.name + ".pdf")
        if _inside(sheet, folder):
            raise InputError(_("keep the password sheet out of the packages' folder: that "
                               "folder goes to the experts"), field=_("Password sheet (PDF)"))
        password = self.password_edit.text()
        if not password:
            raise InputError(_("the batch password is needed to seal the packages"),
                             field=_("Batch password"))
        return PackageExportRequest(self.ws.folder, self.ws.actor, self.selected_experts(),
                                    folder, sheet, password)

    # -- slots ---------------------------------------------------------------------------
    @Slot()
    def _on_folder_button_clicked(self) -> None:
        self.prompts.choose_folder(self, _("Folder for the packages"),
                                   self.folder_edit.text(), self.folder_edit.setText)

    @Slot()
    def _on_sheet_button_clicked(self) -> None:
        current = self.sheet_edit.text().strip() or str(default_sheet_path(self.ws))
        self.prompts.choose_save_file(self, _("Save the password sheet as"), current,
                                      _("PDF files (*.pdf)"), self.sheet_edit.setText)

    @Slot()
    def _on_button_box_accepted(self) -> None:
        try:
            request = self.save()
        except InputError as exc:
            self.show_error(str(exc))
            return
        self.show_error("")
        self._set_busy(True)
        self.task = tasks.run_with_progress(
            self, _("Exporting panel packages…"),
            lambda ctx: export_packages_job(request, ctx), self._on_task_done,
            on_error=self._on_task_failed)

    def reject(self) -> None:
        """While packages are being written, Cancel (or Escape) stops the run between two
        experts instead of closing: the slips of what was written must still be printed."""
        if self.task is not None and self.task.running:
            self.task.cancel()
            return
        super().reject()

    def _on_task_failed(self, message: str) -> None:
        self._set_busy(False)
        self.show_error(_("No package was exported: {reason}").format(reason=message))
        self.password_edit.selectAll()
        self.password_edit.setFocus()

    def _on_task_done(self, outcome: PackageExportOutcome) -> None:
        self._set_busy(False)
        self.outcome = outcome
        if self.settings is not None and outcome.files:
            self.settings.set(PACKAGE_FOLDER, str(outcome.files[0].parent))
        self.accept()
        self.exported.emit(outcome)
        self._report(outcome)

    def _report(self, outcome: PackageExportOutcome) -> None:
        title = _("Export panel packages")
        lines = [ngettext("{n} package written to {folder}.",
                          "{n} packages written to {folder}.", len(outcome.files)).format(
            n=len(outcome.files),
            folder=outcome.files[0].parent if outcome.files else self.folder_edit.text())]
        if outcome.cancelled:
            lines.append(_("Stopped: the other packages were not written."))
        if outcome.failed is not None:
            lines.append(_("Stopped at expert {expert}: {reason}").format(
                expert=outcome.failed[0], reason=outcome.failed[1]))
        if outcome.sheet_error:
            lines.append(_("The password sheet could not be written ({reason}). Copy these "
                           "one-time passwords now; they are shown only once:").format(
                reason=outcome.sheet_error))
            lines += [f"  {name}: {password}" for name, password in outcome.unprinted]
            self.prompts.warning(self.parentWidget(), title, "\n".join(lines))
            return
        if outcome.sheet is None:
            self.prompts.warning(self.parentWidget(), title, "\n".join(lines))
            return
        lines.append(_("The one-time passwords are on {sheet}. Print it, cut it into slips "
                       "and hand each slip to its expert in person; never send it with the "
                       "packages.").format(sheet=outcome.sheet))
        sheet = outcome.sheet
        self.prompts.confirm(
            self.parentWidget(), title,
            "\n".join(lines) + "\n\n" + _("Open the password sheet now to print it?"),
            lambda yes: self.open_file(QUrl.fromLocalFile(str(sheet))) if yes else None)
