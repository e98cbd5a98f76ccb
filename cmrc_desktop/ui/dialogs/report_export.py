"""Export and sign the consolidated report of the batch: results.json and its inputs,
the workbook (汇总表) and the 评审结果报告 PDF signed with the batch key.

The run takes seconds on a real batch, so it goes through ``run_with_progress`` with
its own workspace connection; ``services.report.write_report`` checks the password
before it makes anything and moves the files in only when all are written, so a wrong
password or a Cancel leaves the folder untouched. The dialog stays open afterwards to
list what was written, with a button that opens the folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui import tasks, theme
from cmrc_desktop.ui.prompts import Prompts


def open_url(url: QUrl) -> bool:
    """Open a folder in the system's file manager (a hook tests replace)."""
    return QDesktopServices.openUrl(url)


@dataclass(frozen=True)
class ReportRequest:
    workspace: Path
    actor: str
    folder: Path
    password: str = field(repr=False)


@dataclass
class ReportOutcome:
    paths: list[Path]
    wrong_password: str = ""    # the refusal, in words, when the password was wrong


def write_signed_report(request: ReportRequest, ctx: tasks.TaskContext) -> ReportOutcome:
    """The job, on a worker thread with its own connection."""
    from cmrc_desktop.services.report import write_report
    from cmrc_desktop.services.workspace import open_workspace
    from cmrc_desktop.signing.keys import WrongPassword

    with open_workspace(request.workspace, actor=request.actor) as ws:
        try:
            paths = write_report(ws, request.folder, request.password,
                                 progress=ctx.progress_callback())
        except WrongPassword as exc:
            return ReportOutcome([], wrong_password=str(exc))
    if not paths:
        ctx.raise_if_cancelled()
    return ReportOutcome(paths)


def default_folder(ws: Workspace) -> Path:
    """Beside the workspace, named for the batch."""
    return ws.folder.absolute().parent / "{batch}_{name}".format(
        batch=ws.batch.id, name=_("report"))


class ReportExportDialog(QDialog):
    """Signals:
        written(list) — the paths of the files, after a run that wrote them
    """

    written = Signal(list)

    def __init__(self, ws: Workspace, *, prompts: Prompts | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.prompts = prompts or Prompts()
        self.task: tasks.TaskHandle | None = None
        self.outcome: ReportOutcome | None = None
        self._busy = False
        self.setObjectName("report_export_dialog")
        self.setWindowTitle(_("Export and sign the consolidated report"))
        self.setWindowModality(Qt.WindowModality.WindowModal)

        self.intro_label = QLabel(_(
            "Writes the results (results.json) with everything needed to reproduce them "
            "(scores.csv, scheme.toml, vetoes, the method comparison), the consolidated "
            "workbook and the result report as a PDF signed with the batch key."), self)
        self.intro_label.setWordWrap(True)
        self.folder_edit = QLineEdit(str(default_folder(ws)), self)
        self.folder_edit.setObjectName("folder_edit")
        self.folder_button = QPushButton(_("Choose…"), self)
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.folder_button)
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("password_edit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(_("the password chosen when the batch was "
                                                "created"))
        self.status_label = QLabel(self)
        self.status_label.setObjectName("status_label")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.setVisible(False)
        self.button_box = QDialogButtonBox(self)
        self.ok_button = self.button_box.addButton(_("Export and sign"),
                                                   QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button = self.button_box.addButton(_("Open folder"),
                                                     QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.button_box.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.open_button.setVisible(False)
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self._on_ok_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.close_button.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow(_("Folder:"), folder_row)
        form.addRow(_("Batch password:"), self.password_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        layout.addWidget(self.button_box)
        width = self.fontMetrics().averageCharWidth() * 80
        self.resize(max(width, self.sizeHint().width()), self.sizeHint().height())
        self.password_edit.setFocus()

    # -- the request ---------------------------------------------------------------------
    def load(self, folder: str | Path, password: str = "") -> None:
        self.folder_edit.setText(str(folder))
        self.password_edit.setText(password)

    def save(self) -> ReportRequest:
        """The request as typed; ``InputError`` naming the field when it cannot be used."""
        text = self.folder_edit.text().strip()
        if not text:
            raise InputError(_("choose the folder to write the report to"),
                             field=_("Folder"))
        folder = Path(text).expanduser()
        if folder.exists() and not folder.is_dir():
            raise InputError(_("this is a file, not a folder"), field=_("Folder"))
        password = self.password_edit.text()
        if not password:
            raise InputError(_("needed, the batch key signs the report"),
                             field=_("Batch password"))
        return ReportRequest(self.ws.folder, self.ws.actor, folder, password)

    def start(self) -> bool:
        """What the main button does; False (with the reason shown) when it cannot start."""
        try:
            request = self.save()
        except InputError as exc:
            self._show_status(str(exc), error=True)
            (self.password_edit if exc.field == _("Password") else self.folder_edit).setFocus()
            return False
        self._show_status(_("Working…"))
        self._set_busy(True)
        self.task = tasks.run_with_progress(
            self, _("Writing the consolidated report…"),
            lambda ctx: write_signed_report(request, ctx), self._on_task_done,
            on_error=self._on_task_failed, on_cancelled=self._on_task_cancelled)
        return True

    @property
    def busy(self) -> bool:
        return self._busy

    def reject(self) -> None:
        if self._busy:      # the run stops before its next step, writing nothing
            if self.task is not None:
                self.task.cancel()
            self._show_status(_("Stopping…"))
            return
        super().reject()

    # -- outcomes ------------------------------------------------------------------------
    def _on_task_done(self, outcome: ReportOutcome) -> None:
        self.task = None
        self._set_busy(False)
        self.password_edit.clear()
        if outcome.wrong_password:
            self._show_status(_("The password is wrong ({reason}): nothing was written. "
                                "Type the password chosen when the batch was created.")
                              .format(reason=outcome.wrong_password), error=True)
            self.password_edit.setFocus()
            return
        self.outcome = outcome
        folder = outcome.paths[0].parent if outcome.paths else Path()
        self._show_status(ngettext(
            "Done. {n} file was written to {folder}:",
            "Done. {n} files were written to {folder}:", len(outcome.paths)).format(
                n=len(outcome.paths), folder=folder) + "\n"
            + "\n".join(f"  {p.name}" for p in outcome.paths))
        self.ok_button.setVisible(False)
        self.open_button.setVisible(True)
        self.close_button.setText(_("Close"))
        for widget in (self.folder_edit, self.folder_button, self.password_edit):
            widget.setEnabled(False)
        self.open_button.setDefault(True)
        self.open_button.setFocus()
        self.written.emit(list(outcome.paths))

    def _on_task_failed(self, message: str) -> None:
        self.task = None
        self._set_busy(False)
        self.password_edit.clear()
        self._show_status(_("Nothing was written: {reason}").format(reason=message),
                          error=True)

    def _on_task_cancelled(self) -> None:
        self.task = None
        self._set_busy(False)
        self._show_status(_("Stopped at your request: nothing was written."), error=True)

    def open_folder(self) -> bool:
        if self.outcome is None or not self.outcome.paths:
            return False
        return open_url(QUrl.fromLocalFile(str(self.outcome.paths[0].parent)))

    # -- showing -------------------------------------------------------------------------
    def _show_status(self, text: str, *, error: bool = False) -> None:
        label = self.status_label
        if error:
            theme.set_error(label)
        else:
            label.setPalette(self.palette())
        label.setText(text)
        label.setVisible(bool(text))
        self._fit_height()

    def _fit_height(self) -> None:
        """Grow to show the whole status (the list of files) at the present width."""
        layout = self.layout()
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() \
            else layout.totalSizeHint().height()
        if needed > self.height():
            self.resize(self.width(), needed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.ok_button.setEnabled(not busy)
        for widget in (self.folder_edit, self.folder_button, self.password_edit):
            widget.setEnabled(not busy)

    # -- slots ---------------------------------------------------------------------------
    @Slot()
    def _on_ok_button_clicked(self) -> None:
        self.start()

    @Slot()
    def _on_open_button_clicked(self) -> None:
        self.open_folder()

    @Slot()
    def _on_folder_button_clicked(self) -> None:
        self.prompts.choose_folder(self, _("Write the report to"), self.folder_edit.text(),
                                   self._on_folder_chosen)

    def _on_folder_chosen(self, folder: str) -> None:
        if folder:
            self.folder_edit.setText(folder)
