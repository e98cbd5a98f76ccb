"""Declare a conflict of interest (回避): an expert, a centre and the reason, which is
required (``services.panel.declare_conflict``, as ``cmrc conflict add``).

An assignment of the pair without scores is removed with it; once the expert has
scored the centre the service refuses, and the dialog stays open with the reason.
Quick (one transaction), so it runs on the window's own workspace.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit, QSizePolicy, QWidget

from cmrc_desktop.domain.errors import CmrcError, InputError
from cmrc_desktop.i18n import _
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.storage import centre_repo, expert_repo
from cmrc_desktop.ui.dialogs.expert_assignment import PairReasonDialog
from cmrc_desktop.ui.dialogs.expert_form import DialogForm
from cmrc_desktop.ui.dialogs.task_dialog import TaskDialog


def searchable_combo(items: list[tuple[str, str]], name: str) -> QComboBox:
    """A combo box of (id, text) that finds an entry by any part of its text, so two
    Chinese characters of a centre's name are enough."""
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    for item_id, text in items:
        combo.addItem(text, item_id)
    completer = QCompleter(combo.model(), combo)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    combo.setCompleter(completer)
    combo.setMinimumContentsLength(24)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return combo


def chosen_id(combo: QComboBox) -> str | None:
    """The id of the entry the text names (its full text, or the id it starts with)."""
    text = combo.currentText().strip()
    index = combo.findText(text, Qt.MatchFlag.MatchFixedString)
    if index < 0 and text:
        index = combo.findData(text.split()[0])
    return str(combo.itemData(index)) if index >= 0 else None


def select_id(combo: QComboBox, item_id: str | None) -> None:
    index = combo.findData(item_id) if item_id else -1
    if index >= 0:
        combo.setCurrentIndex(index)


class DeclareConflictDialog(TaskDialog):
    """Signals:
        conflict_declared(str, str) — expert id, centre id, once recorded
    """

    conflict_declared = Signal(str, str)

    def __init__(self, ws: Workspace, parent: QWidget | None = None, *,
                 expert_id: str | None = None, centre_id: str | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.ui = ui = DialogForm(
            self, _("Declare a conflict of interest"),
            _("The expert will not score the centre. An assignment of the pair is removed, "
              "unless the expert has already entered scores."), ok_text=_("Declare"))
        experts = [(e.id, f"{e.id}  {e.name}") for e in expert_repo.list_experts(ws.db)]
        centres = [(c.id, f"{c.id}  {c.name}") for c in centre_repo.list_centres(ws.db)]
        self.expert_combo = searchable_combo(experts, "expert_combo")
        self.centre_combo = searchable_combo(centres, "centre_combo")
        ui.add_row(_("Expert"), self.expert_combo)
        ui.add_row(_("Centre"), self.centre_combo)
        self.reason_edit: QLineEdit = ui.line_edit(
            _("Reason"), "reason_edit",
            placeholder=_("e.g. took part in writing the centre's application"))
        select_id(self.expert_combo, expert_id)
        select_id(self.centre_combo, centre_id)
        if centre_id is None:
            self.centre_combo.setCurrentIndex(-1)
            self.centre_combo.setFocus()
        else:
            self.reason_edit.setFocus()
        ui.button_box.accepted.connect(self._on_button_box_accepted)
        self.resize(max(self.sizeHint().width(), 520), self.sizeHint().height())

    def save(self) -> tuple[str, str, str]:
        """(expert id, centre id, reason); ``InputError`` naming the field."""
        expert_id = chosen_id(self.expert_combo)
        if expert_id is None:
            raise InputError(_("choose an expert from the list"), field=_("Expert"))
        centre_id = chosen_id(self.centre_combo)
        if centre_id is None:
            raise InputError(_("choose a centre from the list"), field=_("Centre"))
        reason = self.reason_edit.text().strip()
        if not reason:
            raise InputError(_("a declared conflict of interest needs a reason"),
                             field=_("Reason"))
        return expert_id, centre_id, reason

    @Slot()
    def _on_button_box_accepted(self) -> None:
        from cmrc_desktop.services.panel import declare_conflict

        try:
            expert_id, centre_id, reason = self.save()
            declare_conflict(self.ws, expert_id, centre_id, reason)
        except CmrcError as exc:
            self.show_error(str(exc))
            return
        self.accept()
        self.conflict_declared.emit(expert_id, centre_id)


class WithdrawConflictDialog(PairReasonDialog):
    """Withdraw a declared conflict of interest, with the reason
    (``services.panel.withdraw_conflict``, as ``cmrc conflict withdraw``). The pair is not
    assigned again by this; the assignment matrix does that.

    Signals:
        conflict_withdrawn(str, str) — expert id, centre id, once withdrawn
    """

    conflict_withdrawn = Signal(str, str)

    def __init__(self, ws: Workspace, expert_id: str, centre_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(
            ws, expert_id, centre_id, parent, title=_("Withdraw a conflict of interest"),
            intro=_("The conflict of interest declared between expert {expert} and centre "
                    "{centre} is withdrawn; the expert may then be assigned to the centre."),
            ok_text=_("Withdraw"),
            placeholder=_("recorded in the audit log, e.g. declared for the wrong centre"),
            missing=_("say why the conflict of interest is withdrawn"))

    def apply(self, reason: str) -> None:
        from cmrc_desktop.services.panel import withdraw_conflict

        withdraw_conflict(self.ws, self.expert_id, self.centre_id, reason)

    def applied(self) -> None:
        self.conflict_withdrawn.emit(self.expert_id, self.centre_id)
