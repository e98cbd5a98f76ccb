"""The two questions the assignment matrix asks: why an assignment is removed (a removal
is audited with its reason), and how many experts each centre should get when the
panel is assigned automatically; and the frame of every dialog that asks the reason of
an action on one expert × centre pair. Both services are quick (one transaction; topping up
150 centres × 30 experts takes ~50 ms), so they run on the window's workspace.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QSpinBox, QWidget

from cmrc_desktop.domain.errors import CmrcError, InputError
from cmrc_desktop.i18n import _
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.storage import centre_repo, expert_repo
from cmrc_desktop.ui.dialogs.expert_form import DialogForm
from cmrc_desktop.ui.dialogs.task_dialog import TaskDialog


class PairReasonDialog(TaskDialog):
    """An action on one expert × centre pair that the audit log keeps with its reason:
    the explanation names both, the reason is required, ``apply`` calls the service and
    ``applied`` tells the view."""

    def __init__(self, ws: Workspace, expert_id: str, centre_id: str,
                 parent: QWidget | None, *, title: str, intro: str, ok_text: str,
                 placeholder: str, missing: str) -> None:
        super().__init__(parent)
        self.ws, self.expert_id, self.centre_id = ws, expert_id, centre_id
        self._missing = missing
        expert = expert_repo.find_expert(ws.db, expert_id)
        centre = centre_repo.find_centre(ws.db, centre_id)
        self.ui = ui = DialogForm(self, title, intro.format(
            expert=f"{expert_id} {expert.name if expert else ''}".strip(),
            centre=f"{centre_id} {centre.name if centre else ''}".strip()), ok_text=ok_text)
        self.reason_edit = ui.line_edit(_("Reason"), "reason_edit", placeholder=placeholder)
        self.reason_edit.setFocus()
        ui.button_box.accepted.connect(self._on_button_box_accepted)
        self.resize(max(self.sizeHint().width(), 480), self.sizeHint().height())

    def save(self) -> str:
        reason = self.reason_edit.text().strip()
        if not reason:
            raise InputError(self._missing, field=_("Reason"))
        return reason

    def apply(self, reason: str) -> None:
        raise NotImplementedError

    def applied(self) -> None:
        raise NotImplementedError

    @Slot()
    def _on_button_box_accepted(self) -> None:
        try:
            self.apply(self.save())
        except CmrcError as exc:
            self.show_error(str(exc))
            return
        self.accept()
        self.applied()


class RemoveAssignmentDialog(PairReasonDialog):
    """Take an expert off a centre, with the reason (``services.panel.unassign``).

    Signals:
        removed(str, str) — expert id, centre id, once removed
    """

    removed = Signal(str, str)

    def __init__(self, ws: Workspace, expert_id: str, centre_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(
            ws, expert_id, centre_id, parent, title=_("Remove an assignment"),
            intro=_("Expert {expert} will no longer score centre {centre}."),
            ok_text=_("Remove"),
            placeholder=_("recorded in the audit log, e.g. the expert is unavailable"),
            missing=_("say why the assignment is removed"))

    def apply(self, reason: str) -> None:
        from cmrc_desktop.services.panel import unassign

        unassign(self.ws, self.expert_id, self.centre_id, reason=reason)

    def applied(self) -> None:
        self.removed.emit(self.expert_id, self.centre_id)


class AutoAssignDialog(TaskDialog):
    """Top every centre up to k experts (``services.panel.auto_assign``).

    Signals:
        assigned(int, dict) — k, and for every centre its experts afterwards (the
            service's answer)
    """

    assigned = Signal(int, dict)

    def __init__(self, ws: Workspace, parent: QWidget | None = None, *,
                 per_centre: int | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.per_centre: int | None = None
        experts = len(expert_repo.list_experts(ws.db))
        self.ui = ui = DialogForm(
            self, _("Assign experts automatically"),
            _("Each centre is topped up to this many experts, choosing those with the fewest "
              "centres so far. Existing assignments are kept; a pair with a conflict of "
              "interest is never assigned."), ok_text=_("Assign"))
        self.spin = QSpinBox()
        self.spin.setRange(1, max(1, experts))
        self.spin.setValue(min(per_centre or 5, max(1, experts)))
        ui.add_row(_("Experts per centre"), self.spin, "per_centre_spin")
        self.spin.setFocus()
        ui.button_box.accepted.connect(self._on_button_box_accepted)
        self.resize(max(self.sizeHint().width(), 460), self.sizeHint().height())

    def save(self) -> int:
        return self.spin.value()

    @Slot()
    def _on_button_box_accepted(self) -> None:
        from cmrc_desktop.services.panel import auto_assign

        try:
            self.per_centre = self.save()
            result = auto_assign(self.ws, self.per_centre)
        except CmrcError as exc:
            self.show_error(str(exc))
            return
        self.accept()
        self.assigned.emit(self.per_centre, result)
