"""Register an expert on the panel (``services.panel.add_expert``), as ``cmrc expert add``.

Once the batch has its keys, registering also issues the expert's certificate, which
needs the batch password; the dialog asks for it only then. Issuing a key takes about
half a second, so the work runs in the background on a workspace connection of its own.
The conflicts of interest found for the new expert at once are handed back
(``expert_added``) for the view to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QWidget

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.workspace import Conflict, Expert
from cmrc_desktop.i18n import _
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui.dialogs.expert_form import DialogForm
from cmrc_desktop.ui.dialogs.task_dialog import TaskDialog


@dataclass(frozen=True)
class AddExpertRequest:
    workspace: Path
    actor: str
    expert: Expert
    password: str | None = None

    def __repr__(self) -> str:  # the password never reaches a log or a test report
        return f"AddExpertRequest(expert={self.expert!r})"


def add_expert_job(request: AddExpertRequest) -> list[Conflict]:
    """Off the GUI thread: its own connection, closed here, in the thread that opened it."""
    from cmrc_desktop.services.panel import add_expert
    from cmrc_desktop.services.workspace import open_workspace

    with open_workspace(request.workspace, actor=request.actor) as ws:
        return add_expert(ws, request.expert, password=request.password)


class AddExpertDialog(TaskDialog):
    """Signals:
        expert_added(str, list) — the new expert's id and the conflicts found for them
    """

    expert_added = Signal(str, list)

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from cmrc_desktop.services import keyring
        from cmrc_desktop.services.panel import next_expert_id

        self.ws = ws
        self.needs_password = keyring.batch_ca(ws) is not None
        self.ui = ui = DialogForm(
            self, _("Add an expert"),
            _("Conflicts of interest with the centres are detected from the institution at "
              "once."), ok_text=_("Add"))
        self.id_edit = ui.line_edit(_("Expert ID"), "id_edit")
        self.name_edit = ui.line_edit(_("Name"), "name_edit")
        self.institution_edit = ui.line_edit(
            _("Institution"), "institution_edit",
            placeholder=_("as the centres write it, e.g. 山东大学齐鲁医院"))
        self.title_edit = ui.line_edit(_("Professional title"), "title_edit")
        self.specialty_edit = ui.line_edit(_("Specialty"), "specialty_edit")
        self.password_edit = ui.line_edit(
            _("Batch password"), "password_edit", password=True,
            placeholder=_("needed to issue the expert's signing certificate"))
        ui.set_row_visible(self.password_edit, self.needs_password)
        self.id_edit.setText(next_expert_id(ws))
        self.name_edit.setFocus()
        ui.button_box.accepted.connect(self._on_button_box_accepted)
        self.resize(max(self.sizeHint().width(), 460), self.sizeHint().height())

    def load(self, expert: Expert) -> None:
        self.id_edit.setText(expert.id)
        self.name_edit.setText(expert.name)
        self.institution_edit.setText(expert.institution)
        self.title_edit.setText(expert.title)
        self.specialty_edit.setText(expert.specialty)

    def save(self) -> AddExpertRequest:
        """The request as typed; ``InputError`` naming the field if it cannot be used."""
        expert = Expert(self.id_edit.text().strip(), self.name_edit.text().strip(),
                        " ".join(self.institution_edit.text().split()),
                        self.title_edit.text().strip(), self.specialty_edit.text().strip())
        for value, field in ((expert.id, _("Expert ID")), (expert.name, _("Name")),
                             (expert.institution, _("Institution"))):
            if not value:
                raise InputError(_("this field must not be empty"), field=field)
        password = self.password_edit.text() if self.needs_password else None
        if self.needs_password and not password:
            raise InputError(_("registering an expert issues their certificate: the batch "
                               "password is needed"), field=_("Batch password"))
        return AddExpertRequest(self.ws.folder, self.ws.actor, expert, password)

    def reject(self) -> None:
        """Not while the expert is being registered: the result must reach the view."""
        if self.task is not None and self.task.running:
            return
        super().reject()

    @Slot()
    def _on_button_box_accepted(self) -> None:
        self.submit(_("Registering the expert…"), add_expert_job, self._on_added,
                    self._on_failed)

    def _on_added(self, conflicts: list[Conflict]) -> None:
        self.expert_added.emit(self.id_edit.text().strip(), list(conflicts))

    def _on_failed(self, message: str) -> None:
        self.show_error(_("The expert was not added: {reason}").format(reason=message))
