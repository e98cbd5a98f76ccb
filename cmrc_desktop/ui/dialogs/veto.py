"""Record a veto (一票否决) on a centre, or withdraw one, always with the reason.

A veto gives the worst grade whatever the score, so the audit log must say who decided
it and why: the reason is required both ways, and both go through ``services.review``
(one transaction with its audit row), exactly as ``cmrc veto`` does. The write is one
row, quick enough for the GUI thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.domain.errors import CmrcError, InputError
from cmrc_desktop.domain.workspace import VetoRecord
from cmrc_desktop.i18n import _
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.prompts import error_text


@dataclass(frozen=True)
class VetoRequest:
    veto_id: str
    reason: str


class VetoDialog(QDialog):
    """Record (``withdraw=False``) or withdraw a veto of one centre.

    Signals:
        changed(str) — the centre's id, once the veto was recorded or withdrawn
    """

    changed = Signal(str)

    def __init__(self, ws: Workspace, centre_id: str, centre_name: str = "", *,
                 withdraw: bool = False, recorded: Sequence[VetoRecord] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.centre_id = centre_id
        self.withdraw = withdraw
        self.setObjectName("veto_dialog")
        self.setWindowTitle(_("Withdraw a veto") if withdraw else _("Record a veto"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        scheme = ws.scheme
        recorded = {v.veto_id: v for v in recorded}
        who = f"{centre_id} {centre_name}".strip()

        self.intro_label = QLabel(self)
        self.intro_label.setWordWrap(True)
        self.intro_label.setText(
            _("Withdraw a veto of {centre}. The centre is graded again from its scores.")
            .format(centre=who) if withdraw else
            _("A veto gives {centre} the worst grade whatever its score, and no rank.")
            .format(centre=who))
        self.veto_combo = QComboBox(self)
        self.veto_combo.setObjectName("veto_combo")
        if withdraw:
            for veto_id, record in recorded.items():
                veto = scheme.veto(veto_id)
                self.veto_combo.addItem(f"{veto_id}  {veto.display if veto else ''}".strip(),
                                        veto_id)
                self.veto_combo.setItemData(
                    self.veto_combo.count() - 1,
                    _("Recorded by {actor} on {at}: {reason}").format(
                        actor=record.actor, at=record.at[:10], reason=record.reason),
                    Qt.ItemDataRole.ToolTipRole)
        else:
            for veto in scheme.vetoes:
                text = f"{veto.id}  {veto.display}"
                if veto.id in recorded:
                    text = _("{veto} (recorded: the reason is replaced)").format(veto=text)
                self.veto_combo.addItem(text, veto.id)
        self.recorded_label = QLabel(self)
        self.recorded_label.setWordWrap(True)
        theme.set_muted(self.recorded_label)
        self.reason_edit = QPlainTextEdit(self)
        self.reason_edit.setObjectName("reason_edit")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setPlaceholderText(
            _("Why the veto is withdrawn (kept in the audit log)") if withdraw
            else _("What happened, and where it is documented (kept in the audit log)"))
        line = self.reason_edit.fontMetrics().lineSpacing()
        self.reason_edit.setFixedHeight(line * 4 + 12)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("error_label")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        theme.set_error(self.error_label)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Withdraw veto") if withdraw else _("Record veto"))
        self.button_box.accepted.connect(self._on_button_box_accepted)
        self.button_box.rejected.connect(self.reject)

        form = self._form = QFormLayout()
        form.addRow(_("Veto:"), self.veto_combo)
        form.addRow("", self.recorded_label)
        form.addRow(_("Reason:"), self.reason_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.button_box)
        self._recorded = recorded
        self.veto_combo.currentIndexChanged.connect(self._on_veto_combo_current_index_changed)
        self._on_veto_combo_current_index_changed(self.veto_combo.currentIndex())
        self.ok_button.setEnabled(self.veto_combo.count() > 0)
        self.resize(max(self.sizeHint().width(), line * 30), self.sizeHint().height())

    def load(self, request: VetoRequest) -> None:
        index = self.veto_combo.findData(request.veto_id)
        if index >= 0:
            self.veto_combo.setCurrentIndex(index)
        self.reason_edit.setPlainText(request.reason)

    def save(self) -> VetoRequest:
        """The request as typed; ``InputError`` naming the field when it cannot be used."""
        veto_id = self.veto_combo.currentData()
        if not veto_id:
            raise InputError(_("choose a veto"), field=_("Veto"))
        reason = self.reason_edit.toPlainText().strip()
        if not reason:
            raise InputError(_("a reason is required: it goes into the audit log"),
                             field=_("Reason"))
        return VetoRequest(str(veto_id), reason)

    def submit(self) -> bool:
        """What OK does: the service call; the dialog stays open with the reason when it
        is refused."""
        from cmrc_desktop.services.review import record_veto, withdraw_veto

        try:
            request = self.save()
            if self.withdraw:
                withdraw_veto(self.ws, self.centre_id, request.veto_id, request.reason)
            else:
                record_veto(self.ws, self.centre_id, request.veto_id, request.reason)
        except CmrcError as exc:
            self._show_error(error_text(exc))
            if isinstance(exc, InputError) and exc.field == _("Reason"):
                self.reason_edit.setFocus()
            return False
        self._show_error("")
        self.changed.emit(self.centre_id)
        self.accept()
        return True

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    @Slot()
    def _on_button_box_accepted(self) -> None:
        self.submit()

    @Slot(int)
    def _on_veto_combo_current_index_changed(self, _index: int) -> None:
        record = self._recorded.get(self.veto_combo.currentData() or "")
        self.recorded_label.setText(
            _("Recorded by {actor} on {at}: {reason}").format(
                actor=record.actor, at=record.at[:10], reason=record.reason)
            if record else "")
        self._form.setRowVisible(self.recorded_label, record is not None)
