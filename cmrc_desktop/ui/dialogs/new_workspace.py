"""New secretary workspace: a folder, the batch (name, year, scheme, stage) and the
password of the batch key. Creating the key takes a moment, so it runs in the background;
the dialog stays open and says why if it is refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal, Slot
from PySide6.QtWidgets import QWidget

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.workspace import Role, Stage, label
from cmrc_desktop.i18n import _
from cmrc_desktop.scoring.builtin import DEFAULT_SCHEME, builtin_schemes
from cmrc_desktop.services.keyring import check_new_password
from cmrc_desktop.services.workspace import DB_NAME
from cmrc_desktop.ui import tasks
from cmrc_desktop.ui.dialogs.task_dialog import TaskDialog
from cmrc_desktop.ui.forms.ui_new_workspace_dialog import Ui_NewWorkspaceDialog
from cmrc_desktop.ui.prompts import Prompts


@dataclass(frozen=True)
class NewBatchRequest:
    folder: Path
    name: str
    year: int
    scheme_id: str
    stage: Stage
    password: str = ""

    def __repr__(self) -> str:  # never show the password in a log or a test failure
        return (f"NewBatchRequest(folder={str(self.folder)!r}, name={self.name!r}, "
                f"year={self.year}, scheme_id={self.scheme_id!r}, stage={self.stage!s})")


def create_secretary_workspace(request: NewBatchRequest) -> Path:
    """The use case, run off the GUI thread: the workspace, then the batch key."""
    from cmrc_desktop.scoring.builtin import builtin_scheme
    from cmrc_desktop.services.keyring import create_batch_keys
    from cmrc_desktop.services.workspace import create_workspace

    scheme = builtin_scheme(request.scheme_id)
    ws = create_workspace(request.folder, name=request.name, year=request.year,
                          kind=scheme.kind or "performance", stage=request.stage,
                          scheme=scheme, role=Role.SECRETARY)
    with ws:
        create_batch_keys(ws, request.password)
    return request.folder


class NewWorkspaceDialog(TaskDialog):
    """Signals:
        created(str) — the folder of the new workspace, after the dialog accepted
    """

    created = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, prompts: Prompts | None = None,
                 start_folder: str = "") -> None:
        super().__init__(parent)
        self.ui = Ui_NewWorkspaceDialog()
        self.ui.setupUi(self)
        self.prompts = prompts or Prompts()
        self.task: tasks.TaskHandle | None = None
        self._start_folder = start_folder or _documents()
        for scheme in builtin_schemes():
            self.ui.scheme_combo.addItem(f"{scheme.display} ({scheme.id})", scheme.id)
        for stage in Stage:
            self.ui.stage_combo.addItem(label(stage), str(stage))
        self.ui.error_label.setVisible(False)
        self.ui.folder_button.clicked.connect(self._on_folder_button_clicked)
        self.ui.button_box.accepted.connect(self._on_button_box_accepted)
        self.ui.button_box.rejected.connect(self.reject)
        self.load(NewBatchRequest(folder=Path(), name="", year=date.today().year,
                                  scheme_id=DEFAULT_SCHEME, stage=Stage.DOSSIER_REVIEW))

    def load(self, request: NewBatchRequest) -> None:
        self.ui.folder_edit.setText(str(request.folder) if str(request.folder) != "." else "")
        self.ui.name_edit.setText(request.name)
        self.ui.year_spin.setValue(request.year)
        index = self.ui.scheme_combo.findData(request.scheme_id)
        self.ui.scheme_combo.setCurrentIndex(max(index, 0))
        self.ui.stage_combo.setCurrentIndex(max(self.ui.stage_combo.findData(str(request.stage)),
                                                0))
        self.ui.password_edit.setText(request.password)
        self.ui.confirm_edit.setText(request.password)

    def save(self) -> NewBatchRequest:
        """The request as typed; ``InputError`` (naming the field) if it cannot be used."""
        folder_text = self.ui.folder_edit.text().strip()
        if not folder_text:
            raise InputError(_("choose the folder for the new workspace"), field=_("Folder"))
        folder = Path(folder_text).expanduser()
        if (folder / DB_NAME).exists():
            raise InputError(_("this folder already holds a workspace; open it instead"),
                             field=_("Folder"))
        if folder.exists() and not folder.is_dir():
            raise InputError(_("this is a file, not a folder"), field=_("Folder"))
        name = self.ui.name_edit.text().strip()
        if not name:
            raise InputError(_("the batch needs a name"), field=_("Batch name"))
        password = self.ui.password_edit.text()
        try:
            check_new_password(password)
        except InputError as exc:
            raise InputError(exc.message, field=_("Password")) from None
        if password != self.ui.confirm_edit.text():
            raise InputError(_("the two passwords differ"), field=_("Repeat the password"))
        return NewBatchRequest(folder=folder, name=name, year=self.ui.year_spin.value(),
                               scheme_id=self.ui.scheme_combo.currentData(),
                               stage=Stage(self.ui.stage_combo.currentData()),
                               password=password)

    # -- slots ---------------------------------------------------------------------------
    @Slot()
    def _on_folder_button_clicked(self) -> None:
        self.prompts.choose_folder(self, _("Folder for the new workspace"),
                                   self.ui.folder_edit.text() or self._start_folder,
                                   self.ui.folder_edit.setText)

    @Slot()
    def _on_button_box_accepted(self) -> None:
        self.submit(_("Creating the workspace and the batch key…"), create_secretary_workspace,
                    lambda folder: self.created.emit(str(folder)), self.show_error)


def _documents() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
