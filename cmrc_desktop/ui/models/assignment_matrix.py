"""Who scores which centre: centres (rows) × experts (columns) over a ``PanelMatrix``.

Centres are the rows because there are many more of them (150 centres scroll down; 30
experts fit across). Column 0 counts the experts of each centre; the other columns are
the experts, whose header shows the name and how many centres the expert has.

Each expert cell has a state (``STATE_ROLE``):

==================  ===============================================================
free                not assigned; checkable — checking asks for the assignment
assigned            checkable — unchecking asks to remove it (with a reason)
scored              assigned and the expert has entered scores: fixed (not checkable)
conflict            a conflict of interest: blocked (disabled, hatched); the reasons
                    are the tooltip
conflict_scored     conflicted after the expert had scored (the scores stand): shown
                    checked, blocked
==================  ===============================================================

The model never writes: ``setData(CheckStateRole)`` emits ``toggle_requested`` for the
view to carry out through ``services.panel``; the view then calls ``set_assigned`` (or
reloads a fresh snapshot), which updates the cell, the centre's count and the expert's
header.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QGuiApplication, QPalette

from cmrc_desktop.domain.workspace import Centre, Expert, label
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.services.panel import PanelMatrix
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.main_views import ID_ROLE

FREE, ASSIGNED, SCORED, CONFLICT, CONFLICT_SCORED = (
    "free", "assigned", "scored", "conflict", "conflict_scored")
COL_COUNT = 0

STATE_ROLE = Qt.ItemDataRole.UserRole + 3      # one of the states above
EXPERT_ROLE = Qt.ItemDataRole.UserRole + 4     # the expert id of a cell (None: col 0)
# ID_ROLE (main_views) is the centre id of the row, on every column

_CHECKABLE = (FREE, ASSIGNED)
_BLOCKED = (CONFLICT, CONFLICT_SCORED)


class AssignmentMatrixModel(QAbstractTableModel):
    """Signals:
        toggle_requested(str, str, bool) — expert id, centre id, assign (True) or
            remove (False): the user clicked a cell; nothing has changed yet
    """

    toggle_requested = Signal(str, str, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._experts: tuple[Expert, ...] = ()
        self._centres: tuple[Centre, ...] = ()
        self._assigned: set[tuple[str, str]] = set()
        self._conflicts: dict[tuple[str, str], tuple] = {}
        self._scored: frozenset[tuple[str, str]] = frozenset()
        self._per_expert: dict[str, int] = {}
        self._per_centre: dict[str, int] = {}
        self._columns: dict[str, int] = {}
        self._rows: dict[str, int] = {}
        self._hatch: QBrush | None = None

    # -- the snapshot --------------------------------------------------------------------
    def set_matrix(self, matrix: PanelMatrix) -> None:
        self.beginResetModel()
        self._experts = matrix.experts
        self._centres = matrix.centres
        self._assigned = set(matrix.assigned)
        self._conflicts = dict(matrix.conflicts)
        self._scored = matrix.scored
        self._per_expert = {e.id: 0 for e in self._experts}
        self._per_centre = {c.id: 0 for c in self._centres}
        for expert_id, centre_id in self._assigned:
            self._per_expert[expert_id] = self._per_expert.get(expert_id, 0) + 1
            self._per_centre[centre_id] = self._per_centre.get(centre_id, 0) + 1
        self._columns = {e.id: n + 1 for n, e in enumerate(self._experts)}
        self._rows = {c.id: n for n, c in enumerate(self._centres)}
        self._hatch = None
        self.endResetModel()

    def set_assigned(self, expert_id: str, centre_id: str, assigned: bool) -> None:
        """One pair changed (the service has done it): update the cell and the counts."""
        pair = (expert_id, centre_id)
        if (pair in self._assigned) == assigned:
            return
        if assigned:
            self._assigned.add(pair)
        else:
            self._assigned.discard(pair)
        step = 1 if assigned else -1
        self._per_expert[expert_id] = self._per_expert.get(expert_id, 0) + step
        self._per_centre[centre_id] = self._per_centre.get(centre_id, 0) + step
        row = self.centre_row(centre_id)
        column = self.expert_column(expert_id)
        if row >= 0 and column > 0:
            self.dataChanged.emit(self.index(row, column), self.index(row, column))
            self.dataChanged.emit(self.index(row, COL_COUNT), self.index(row, COL_COUNT))
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, column, column)

    # -- reading -------------------------------------------------------------------------
    def expert_column(self, expert_id: str) -> int:
        return self._columns.get(expert_id, -1)

    def centre_row(self, centre_id: str) -> int:
        return self._rows.get(centre_id, -1)

    def expert_at(self, column: int) -> Expert | None:
        return self._experts[column - 1] if 1 <= column <= len(self._experts) else None

    def centre_at(self, row: int) -> Centre | None:
        return self._centres[row] if 0 <= row < len(self._centres) else None

    def state(self, expert_id: str, centre_id: str) -> str:
        pair = (expert_id, centre_id)
        if pair in self._conflicts:
            return CONFLICT_SCORED if pair in self._assigned else CONFLICT
        if pair in self._assigned:
            return SCORED if pair in self._scored else ASSIGNED
        return FREE

    def is_assigned(self, expert_id: str, centre_id: str) -> bool:
        return (expert_id, centre_id) in self._assigned

    def experts_of(self, centre_id: str) -> int:
        return self._per_centre.get(centre_id, 0)

    def centres_of(self, expert_id: str) -> int:
        return self._per_expert.get(expert_id, 0)

    @property
    def assignment_count(self) -> int:
        return len(self._assigned)

    @property
    def conflict_count(self) -> int:
        return len(self._conflicts)

    @property
    def experts(self) -> tuple[Expert, ...]:
        return self._experts

    @property
    def centres(self) -> tuple[Centre, ...]:
        return self._centres

    # -- Qt model interface --------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._centres)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._experts) + 1

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            return self._expert_header(section, role)
        centre = self.centre_at(section)
        if centre is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{centre.id}  {centre.name}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{centre.id} {centre.name}\n{centre.host}"
        if role == ID_ROLE:
            return centre.id
        return None

    def _expert_header(self, section: int, role: int) -> Any:
        if section == COL_COUNT:
            if role == Qt.ItemDataRole.DisplayRole:
                return _("Experts")
            if role == Qt.ItemDataRole.ToolTipRole:
                return _("Experts assigned to the centre")
            return None
        expert = self.expert_at(section)
        if expert is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{expert.name or expert.id}\n{self.centres_of(expert.id)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            conflicts = sum(1 for e, _c in self._conflicts if e == expert.id)
            return "{} {}\n{}\n{}".format(
                expert.id, expert.name, expert.institution,
                ngettext("{n} centre assigned", "{n} centres assigned",
                         self.centres_of(expert.id)).format(n=self.centres_of(expert.id))
                + " · " + ngettext("{n} conflict of interest", "{n} conflicts of interest",
                                   conflicts).format(n=conflicts))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == EXPERT_ROLE:
            return expert.id
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        pair = self._pair(index)
        if pair is None:
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        expert_id, centre_id = pair
        if expert_id is None:
            return base | Qt.ItemFlag.ItemIsEnabled
        state = self.state(expert_id, centre_id)
        if state in _BLOCKED:
            return base
        if state in _CHECKABLE:
            return base | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEnabled

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        pair = self._pair(index)
        if pair is None:
            return None
        expert_id, centre_id = pair
        if role == ID_ROLE:
            return centre_id
        if expert_id is None:
            return self._count_data(centre_id, role)
        if role == EXPERT_ROLE:
            return expert_id
        state = self.state(expert_id, centre_id)
        if role == STATE_ROLE:
            return state
        if role == Qt.ItemDataRole.CheckStateRole:
            if state == CONFLICT:
                return None
            return (Qt.CheckState.Checked if (expert_id, centre_id) in self._assigned
                    else Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(expert_id, centre_id, state)
        if role == Qt.ItemDataRole.BackgroundRole and state in _BLOCKED:
            return self._hatch_brush()
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._state_text(state)
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        """A click on a cell asks for the change (``toggle_requested``); the cell changes
        only once the view has carried it out, so this answers False."""
        pair = self._pair(index)
        if role != Qt.ItemDataRole.CheckStateRole or pair is None or pair[0] is None:
            return False
        expert_id, centre_id = pair
        if self.state(expert_id, centre_id) not in _CHECKABLE:
            return False
        wanted = Qt.CheckState(value) == Qt.CheckState.Checked \
            if not isinstance(value, bool) else value
        if wanted != self.is_assigned(expert_id, centre_id):
            self.toggle_requested.emit(expert_id, centre_id, wanted)
        return False

    # -- helpers -------------------------------------------------------------------------
    def _pair(self, index: QModelIndex | QPersistentModelIndex
              ) -> tuple[str | None, str] | None:
        if not index.isValid() or index.parent().isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._centres) and 0 <= column <= len(self._experts)):
            return None
        expert = self._experts[column - 1].id if column else None
        return expert, self._centres[row].id

    def _count_data(self, centre_id: str, role: int) -> Any:
        count = self.experts_of(centre_id)
        if role == Qt.ItemDataRole.DisplayRole:
            return str(count)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.DecorationRole and count == 0:
            return theme.dot_icon(theme.BAD)
        if role == Qt.ItemDataRole.ToolTipRole:
            return ngettext("{n} expert assigned", "{n} experts assigned", count).format(
                n=count)
        return None

    def _tooltip(self, expert_id: str, centre_id: str, state: str) -> str:
        expert = self.expert_at(self.expert_column(expert_id))
        centre = self.centre_at(self.centre_row(centre_id))
        who = "{} {} · {} {}".format(expert_id, expert.name if expert else "", centre_id,
                                     centre.name if centre else "")
        if state in _BLOCKED:
            lines = [_("{kind}: {reason}").format(kind=label(c.kind), reason=_(c.reason))
                     for c in self._conflicts[(expert_id, centre_id)]]
            head = _("Conflict of interest — cannot be assigned")
            if state == CONFLICT_SCORED:
                head = _("Conflict of interest found after the expert had scored; the scores "
                         "stand")
            return "\n".join([who, head, *lines])
        return f"{who}\n{self._state_text(state)}"

    @staticmethod
    def _state_text(state: str) -> str:
        return {FREE: _("Not assigned: click or press Space to assign"),
                ASSIGNED: _("Assigned: click or press Space to remove"),
                SCORED: _("Assigned, with scores entered: the assignment cannot be removed"),
                CONFLICT: _("Conflict of interest — cannot be assigned"),
                CONFLICT_SCORED: _("Conflict of interest (scored before it was found)"),
                }[state]

    def _hatch_brush(self) -> QBrush:
        """Diagonal hatching in the palette's mid colour: blocked in light and dark."""
        if self._hatch is None:
            colour = QGuiApplication.palette().color(QPalette.ColorRole.Mid)
            self._hatch = QBrush(colour, Qt.BrushStyle.BDiagPattern)
        return self._hatch
