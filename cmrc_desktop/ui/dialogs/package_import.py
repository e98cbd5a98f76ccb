"""Import a panel package: the package file, the folder of the new expert workspace,
the one-time password the secretary gave in person, and the expert's new password.

The import (verify the signature, certificates and every file hash, open the key, build
the workspace) runs in the background. A refused package leaves the dialog open with
the reason, so a mistyped one-time password is corrected without typing the rest again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal, Slot
from PySide6.QtWidgets import QWidget

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.i18n import _
from cmrc_desktop.services.keyring import check_new_password
from cmrc_desktop.services.workspace import DB_NAME
from cmrc_desktop.ui import tasks
from cmrc_desktop.ui.dialogs.task_dialog import TaskDialog
from cmrc_desktop.ui.forms.ui_package_import_dialog import Ui_PackageImportDialog
from cmrc_desktop.ui.prompts import Prompts

WORKSPACES_FOLDER = "CMRC"


@dataclass(frozen=True)
class PackageImportRequest:
    package: Path
    folder: Path
    one_time: str = ""
    new_password: str = ""

    def __repr__(self) -> str:  # passwords never reach a log or a test report
        return (f"PackageImportRequest(package={str(self.package)!r}, "
                f"folder={str(self.folder)!r})")


def import_panel_package(request: PackageImportRequest) -> Path:
    """The use case, run off the GUI thread; the workspace it opens is closed here, in
    the thread that opened it."""
    from cmrc_desktop.services.packages import import_package

    ws = import_package(request.folder, request.package, request.one_time,
                        request.new_password)
    ws.close()
    return request.folder


def default_workspace_folder(package: Path) -> Path:
    """Where an imported workspace goes unless the expert says otherwise:
    ``Documents/CMRC/<package name>``."""
    documents = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    stem = re.sub(r"[^\w.-]+", "_", package.stem) or "workspace"
    return Path(documents) / WORKSPACES_FOLDER / stem


class PackageImportDialog(TaskDialog):
    """Signals:
        imported(str) — the folder of the new expert workspace, after the dialog accepted
    """

    imported = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, prompts: Prompts | None = None,
                 package: str | Path | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_PackageImportDialog()
        self.ui.setupUi(self)
        self.prompts = prompts or Prompts()
        self.task: tasks.TaskHandle | None = None
        self._folder_edited = False
        self.ui.error_label.setVisible(False)
        self.ui.package_button.clicked.connect(self._on_package_button_clicked)
        self.ui.folder_button.clicked.connect(self._on_folder_button_clicked)
        self.ui.package_edit.textChanged.connect(self._on_package_edit_text_changed)
        self.ui.folder_edit.textEdited.connect(self._on_folder_edit_text_edited)
        self.ui.button_box.accepted.connect(self._on_button_box_accepted)
        self.ui.button_box.rejected.connect(self.reject)
        if package:
            self.ui.package_edit.setText(str(package))
            self.ui.one_time_edit.setFocus()

    def load(self, request: PackageImportRequest) -> None:
        self.ui.package_edit.setText(str(request.package))
        self.ui.folder_edit.setText(str(request.folder))
        self._folder_edited = True
        self.ui.one_time_edit.setText(request.one_time)
        self.ui.password_edit.setText(request.new_password)
        self.ui.confirm_edit.setText(request.new_password)

    def save(self) -> PackageImportRequest:
        """The request as typed; ``InputError`` (naming the field) if it cannot be used."""
        package_text = self.ui.package_edit.text().strip()
        if not package_text:
            raise InputError(_("choose the panel package (.cmrcpkg)"),
                             field=_("Panel package"))
        package = Path(package_text).expanduser()
        if not package.is_file():
            raise InputError(_("no such file: {file}").format(file=package),
                             field=_("Panel package"))
        folder_text = self.ui.folder_edit.text().strip()
        if not folder_text:
            raise InputError(_("choose the folder for your workspace"),
                             field=_("Workspace folder"))
        folder = Path(folder_text).expanduser()
        if (folder / DB_NAME).exists():
            raise InputError(_("this folder already holds a workspace; choose another"),
                             field=_("Workspace folder"))
        if folder.exists() and not folder.is_dir():
            raise InputError(_("this is a file, not a folder"), field=_("Workspace folder"))
        one_time = self.ui.one_time_edit.text().strip()
        if not one_time:
            raise InputError(_("type the one-time password the secretary gave you"),
                             field=_("One-time password"))
        password = self.ui.password_edit.text()
        try:
            check_new_password(password)
        except InputError as exc:
            raise InputError(exc.message, field=_("New password")) from None
        if password != self.ui.confirm_edit.text():
            raise InputError(_("the two passwords differ"), field=_("Repeat the password"))
        return PackageImportRequest(package=package, folder=folder, one_time=one_time,
                                    new_password=password)

    # -- slots ---------------------------------------------------------------------------
    @Slot(str)
    def _on_package_edit_text_changed(self, text: str) -> None:
        if not self._folder_edited and text.strip():
            self.ui.folder_edit.setText(str(default_workspace_folder(Path(text.strip()))))

    @Slot(str)
    def _on_folder_edit_text_edited(self, _text: str) -> None:
        self._folder_edited = True

    @Slot()
    def _on_package_button_clicked(self) -> None:
        start = self.ui.package_edit.text() or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        self.prompts.choose_file(self, _("Choose the panel package"), start,
                                 _("Panel packages (*.cmrcpkg)"), self.ui.package_edit.setText)

    @Slot()
    def _on_folder_button_clicked(self) -> None:
        self.prompts.choose_folder(self, _("Folder for your workspace"),
                                   self.ui.folder_edit.text(), self._on_folder_chosen)

    def _on_folder_chosen(self, folder: str) -> None:
        self._folder_edited = True
        self.ui.folder_edit.setText(folder)

    @Slot()
    def _on_button_box_accepted(self) -> None:
        self.submit(_("Checking and importing the panel package…"), import_panel_package,
                    lambda folder: self.imported.emit(str(folder)), self._on_task_failed)

    def _on_task_failed(self, message: str) -> None:
        self.show_error(_("The package was not imported: {reason}").format(reason=message))
        self.ui.one_time_edit.setFocus()
