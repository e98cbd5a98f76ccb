"""Choose between conflicting sheets of one expert for one centre.

Two signed sheets with the same revision and different content came back; neither is
used for grading until the secretary chooses. The dialog shows them side by side (when
each was signed and received, the files it came in, its fingerprint, the points it
gives and which indicators differ), and will not go on without an explicit choice and a
reason. The choice is ``services.returns.resolve`` (``merge.resolve_conflict``), which
keeps the other sheet as superseded and writes the reason to the audit log.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.services.returns import CompetingSheet, ConflictPair, resolve
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.main_views import Column, RecordTableModel
from cmrc_desktop.ui.prompts import error_text

COLUMNS = (Column(lambda: _("Fingerprint")), Column(lambda: _("Revision"), numeric=True),
           Column(lambda: _("Signed at")), Column(lambda: _("Received at")),
           Column(lambda: _("Files")), Column(lambda: _("Points"), numeric=True),
           Column(lambda: _("Indicators scored"), numeric=True))


COL_FILES = 4


def _time(text: str) -> str:
    return text.replace("T", " ").rstrip("Z")


class ResolveConflictDialog(QDialog):
    """Signals:
        resolved(str) — the chosen sheet is now used ("centre/expert")
    """

    resolved = Signal(str)

    def __init__(self, ws: Workspace, pair: ConflictPair, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.pair = pair
        self.setObjectName("resolve_conflict_dialog")
        self.setWindowTitle(_("Resolve a conflict"))
        layout = QVBoxLayout(self)
        heading = QLabel(_("Expert {expert} {expert_name} · centre {centre} {centre_name}")
                         .format(expert=pair.expert_id, expert_name=pair.expert_name,
                                 centre=pair.centre_id, centre_name=pair.centre_name), self)
        heading.setFont(theme.heading_font(self.font(), 1.15))
        heading.setWordWrap(True)
        explanation = QLabel(ngettext(
            "This signed sheet has the same revision as another and different content.",
            "These {n} signed sheets have the same revision and different content.",
            len(pair.sheets)).format(n=len(pair.sheets)) + " " + _(
            "None of them is used for grading until you choose one; the sheets not chosen "
            "are kept as superseded. Your choice and its reason go to the audit log."), self)
        explanation.setWordWrap(True)
        self.model = RecordTableModel(COLUMNS, self)
        self.model.set_rows(
            [s.digest for s in pair.sheets],
            [(s.fingerprint, str(s.revision), _time(s.signed_at), _time(s.received_at),
              ", ".join(s.files), plain(s.points), str(s.scored)) for s in pair.sheets],
            tips=[(s.digest, "", "", "", "\n".join(s.files), "", "") for s in pair.sheets])
        self.table = QTableView(self)
        self.table.setObjectName("sheets_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_FILES, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setAccessibleName(_("Competing sheets"))
        rows = min(max(2, len(pair.sheets)), 6)
        self.table.setFixedHeight(header.sizeHint().height() + 2 * self.table.frameWidth()
                                  + rows * self.table.verticalHeader().defaultSectionSize())
        self.differences_label = QLabel(self)
        self.differences_label.setObjectName("differences_label")
        self.differences_label.setWordWrap(True)
        theme.set_muted(self.differences_label)
        self.chosen_label = QLabel(_("Choose the sheet to use in the table above."), self)
        self.chosen_label.setObjectName("chosen_label")
        self.chosen_label.setWordWrap(True)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("reason_edit")
        self.reason_edit.setPlaceholderText(
            _("e.g. the expert confirmed by telephone that the later signature counts"))
        form = QFormLayout()
        form.addRow(_("Reason:"), self.reason_edit)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("error_label")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button.setText(_("Use the chosen sheet"))
        layout.addWidget(heading)
        layout.addWidget(explanation)
        layout.addWidget(self.table)
        layout.addWidget(self.differences_label)
        layout.addWidget(self.chosen_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.button_box)
        self._show_differences()
        self.table.selectionModel().selectionChanged.connect(
            self._on_table_selection_changed)
        self.reason_edit.textChanged.connect(self._on_reason_edit_text_changed)
        self.button_box.accepted.connect(self._on_button_box_accepted)
        self.button_box.rejected.connect(self.reject)
        self._update_ok()
        self.resize(max(860, self.sizeHint().width()), self.sizeHint().height())

    @property
    def ok_button(self):
        return self.button_box.button(QDialogButtonBox.StandardButton.Ok)

    def _show_differences(self) -> None:
        differs = sorted({i for s in self.pair.sheets for i in s.differs})
        parts = []
        if differs:
            parts.append(ngettext("{n} indicator scored differently: {ids}",
                                  "{n} indicators scored differently: {ids}",
                                  len(differs)).format(n=len(differs), ids=", ".join(differs)))
        if any(s.opinion_differs for s in self.pair.sheets):
            parts.append(_("the written opinion differs"))
        if not parts:
            parts.append(_("the scores and the opinion are the same; only the signatures "
                           "differ"))
        self.differences_label.setText("; ".join(parts) + ".")

    # -- the choice ----------------------------------------------------------------------
    def chosen(self) -> CompetingSheet | None:
        rows = self.table.selectionModel().selectedRows()
        if len(rows) != 1:
            return None
        digest = self.model.row_id(rows[0].row())
        return next((s for s in self.pair.sheets if s.digest == digest), None)

    def choose(self, digest_prefix: str) -> None:
        """Select the sheet whose fingerprint starts with ``digest_prefix`` (tests, and
        the keyboard: the table has the focus)."""
        for row, sheet in enumerate(self.pair.sheets):
            if sheet.digest.startswith(digest_prefix):
                self.table.selectRow(row)
                return

    def _update_ok(self) -> None:
        sheet = self.chosen()
        self.chosen_label.setText(
            _("Choose the sheet to use in the table above.") if sheet is None else
            _("Sheet {fingerprint} (revision {revision}, {points} points) will be used.")
            .format(fingerprint=sheet.fingerprint, revision=sheet.revision,
                    points=plain(sheet.points)))
        self.ok_button.setEnabled(sheet is not None and bool(self.reason_edit.text().strip()))

    def show_error(self, message: str) -> None:
        theme.set_error(self.error_label)
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    @Slot(QItemSelection, QItemSelection)
    def _on_table_selection_changed(self, _selected: QItemSelection,
                                    _deselected: QItemSelection) -> None:
        self._update_ok()

    @Slot(str)
    def _on_reason_edit_text_changed(self, _text: str) -> None:
        self._update_ok()

    @Slot()
    def _on_button_box_accepted(self) -> None:
        sheet = self.chosen()
        if sheet is None:
            self.show_error(_("Choose one of the sheets first."))
            return
        try:
            resolve(self.ws, self.pair, sheet, self.reason_edit.text())
        except CmrcError as exc:
            self.show_error(error_text(exc))
            return
        self.show_error("")
        self.accept()
        self.resolved.emit(self.pair.key)
