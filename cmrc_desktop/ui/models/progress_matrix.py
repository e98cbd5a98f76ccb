"""The progress dashboard's matrix: centres (rows) × experts (columns), each cell the
state of that expert's sheet for that centre (``services.status.ProgressMatrix``).

Columns: centre id, centre name, "received / assigned", then one per expert, whose
header reads "E01" over "received / assigned" of that expert. An assigned pair shows a
dot in the colour of its state (a conflict the style's warning sign), a conflict of
interest a muted cross with the reason as tooltip, an unassigned pair nothing.

Everything comes from one ``ProgressMatrix`` (a few queries for the whole batch), held
in memory: 150 centres × 30 experts are 4,500 cells, no paging needed. The state code
of a cell is ``STATE_ROLE``; ``ID_ROLE`` is the centre id, or "centre/expert" on a cell.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from cmrc_desktop.i18n import _
from cmrc_desktop.services import status as st
from cmrc_desktop.services.status import ProgressMatrix, state_label
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.main_views import ID_ROLE

COL_CENTRE, COL_NAME, COL_RECEIVED = range(3)
FIXED_COLUMNS = 3

STATE_ROLE = Qt.ItemDataRole.UserRole + 3    # the cell's state (services.status), or None

TONES = {st.RECEIVED: theme.GOOD, st.MISSING: theme.BAD, st.DRAFT: theme.ACTIVE,
         st.SUPERSEDED: theme.INFO}
INTEREST_MARK = "✕"
_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole,
                    Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole,
                    Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ForegroundRole,
                    ID_ROLE, STATE_ROLE})


def _headers() -> tuple[str, ...]:
    return (_("Centre ID"), _("Centre name"), _("Received"))


class ProgressMatrixModel(QAbstractTableModel):
    """``set_matrix(matrix)`` replaces everything; ``set_only_open(True)`` keeps the
    centres with a sheet not yet received (or in conflict). Sorts by any column: by
    the received share, or by the state of one expert's sheets."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._matrix = ProgressMatrix((), (), {}, {})
        self._rows: list[str] = []            # centre ids, in display order
        self._names: dict[str, str] = {}
        self._counts: dict[str, tuple[int, int]] = {}
        self._expert_counts: list[tuple[int, int]] = []
        self._only_open = False
        self._sort: tuple[int, Qt.SortOrder] = (COL_CENTRE, Qt.SortOrder.AscendingOrder)
        self._warning: QIcon | None = None

    # -- contents ------------------------------------------------------------------------
    def set_matrix(self, matrix: ProgressMatrix) -> None:
        self.beginResetModel()
        self._matrix = matrix
        self._names = dict(matrix.centres)
        self._counts = {c: matrix.centre_counts(c) for c, _name in matrix.centres}
        self._expert_counts = [matrix.expert_counts(e) for e, _name in matrix.experts]
        self._rows = self._listed()
        self.endResetModel()

    def set_only_open(self, only_open: bool) -> None:
        if only_open == self._only_open:
            return
        self.beginResetModel()
        self._only_open = only_open
        self._rows = self._listed()
        self.endResetModel()

    @property
    def matrix(self) -> ProgressMatrix:
        return self._matrix

    def _listed(self) -> list[str]:
        rows = [c for c, _name in self._matrix.centres
                if not self._only_open or self._is_open(c)]
        return self._sorted(rows, *self._sort)

    def _is_open(self, centre_id: str) -> bool:
        received, assigned = self._counts[centre_id]
        return received < assigned

    # -- lookups -------------------------------------------------------------------------
    def centre_at(self, row: int) -> str | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def expert_at(self, column: int) -> str | None:
        position = column - FIXED_COLUMNS
        experts = self._matrix.experts
        return experts[position][0] if 0 <= position < len(experts) else None

    def column_of(self, expert_id: str) -> int | None:
        for position, (e, _name) in enumerate(self._matrix.experts):
            if e == expert_id:
                return FIXED_COLUMNS + position
        return None

    def row_of(self, centre_id: str) -> int | None:
        return self._rows.index(centre_id) if centre_id in self._rows else None

    # -- Qt model interface --------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else FIXED_COLUMNS + len(self._matrix.experts)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation != Qt.Orientation.Horizontal or \
                not 0 <= section < self.columnCount():
            return None
        if section < FIXED_COLUMNS:
            if role == Qt.ItemDataRole.DisplayRole:
                return _headers()[section]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return (Qt.AlignmentFlag.AlignCenter if section == COL_RECEIVED else
                        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            if role == Qt.ItemDataRole.ToolTipRole and section == COL_RECEIVED:
                return _("Sheets received of the sheets assigned")
            return None
        expert_id, name = self._matrix.experts[section - FIXED_COLUMNS]
        received, assigned = self._expert_counts[section - FIXED_COLUMNS]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{expert_id}\n{received}/{assigned}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return _("{expert} {name}: {received} of {assigned} sheets received").format(
                expert=expert_id, name=name, received=received, assigned=assigned)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role not in _ROLES or not index.isValid():   # painting asks for many roles
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= column < self.columnCount()):
            return None
        centre_id = self._rows[row]
        if column < FIXED_COLUMNS:
            return self._centre_data(centre_id, column, role)
        return self._cell_data(centre_id, column, role)

    def _centre_data(self, centre_id: str, column: int, role: int) -> object:
        received, assigned = self._counts[centre_id]
        if role == Qt.ItemDataRole.DisplayRole:
            return (centre_id, self._names.get(centre_id, ""),
                    f"{received} / {assigned}")[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_NAME:
            return self._names.get(centre_id) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_RECEIVED:
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.DecorationRole and column == COL_RECEIVED and assigned:
            return theme.dot_icon(theme.GOOD if received == assigned else theme.IDLE)
        if role == ID_ROLE:
            return centre_id
        return None

    def _cell_data(self, centre_id: str, column: int, role: int) -> object:
        expert_id = self.expert_at(column)
        assert expert_id is not None
        state = self._matrix.state(centre_id, expert_id)
        if role == STATE_ROLE:
            return state
        if role == ID_ROLE:
            return f"{centre_id}/{expert_id}"
        if state is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return INTEREST_MARK if state == st.INTEREST else ""
        if role == Qt.ItemDataRole.DecorationRole:
            if state == st.CONFLICT:
                return self._warning_icon()
            tone = TONES.get(state)
            return theme.dot_icon(tone) if tone else None
        if role == Qt.ItemDataRole.ForegroundRole and state == st.INTEREST:
            return theme.tone_colour(theme.IDLE)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._tip(centre_id, expert_id, state)
        return None

    def _tip(self, centre_id: str, expert_id: str, state: str) -> str:
        if state == st.INTEREST:
            reason = self._matrix.interests.get((centre_id, expert_id), "")
            text = _("{expert} × {centre}: conflict of interest").format(
                expert=expert_id, centre=centre_id)
            return text + (f" — {reason}" if reason else "")
        status = self._matrix.cells[(centre_id, expert_id)]
        text = _("{expert} × {centre}: {state}").format(
            expert=expert_id, centre=centre_id, state=state_label(state))
        if status.revision is not None:
            text += _(", revision {revision}").format(revision=status.revision)
        if status.superseded:
            text += _(", superseded: {revisions}").format(
                revisions=", ".join(str(r) for r in status.superseded))
        if (centre_id, expert_id) in self._matrix.interests:
            text += "\n" + _("Assigned despite a conflict of interest ({reason}): a sheet "
                             "from this expert for this centre will be refused.").format(
                reason=self._matrix.interests[(centre_id, expert_id)])
        return text

    def _warning_icon(self) -> QIcon | None:
        if self._warning is None:
            app = QApplication.instance()
            if not isinstance(app, QApplication):
                return None
            self._warning = app.style().standardIcon(
                QStyle.StandardPixmap.SP_MessageBoxWarning)
        return self._warning

    # -- sorting -------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Also before the matrix is set (the view sorts when it is built); an expert
        column that is gone sorts by centre."""
        if column < 0:
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        where = [(self._rows[i.row()], i.column()) for i in old]
        self._rows = self._sorted(self._rows, column, order)
        position = {c: r for r, c in enumerate(self._rows)}
        self.changePersistentIndexList(old, [self.index(position[c], col) for c, col in where])
        self.layoutChanged.emit()

    def _sorted(self, rows: list[str], column: int, order: Qt.SortOrder) -> list[str]:
        order_of = {s: n for n, s in enumerate((*st.STATES, st.INTEREST))}

        def key(centre_id: str) -> tuple:
            if column == COL_CENTRE:
                return (centre_id,)
            if column == COL_NAME:
                return (self._names.get(centre_id, ""), centre_id)
            if column == COL_RECEIVED:
                received, assigned = self._counts[centre_id]
                return (received / assigned if assigned else 2.0, assigned, centre_id)
            expert_id = self.expert_at(column)
            if expert_id is None:
                return (centre_id,)
            state = self._matrix.state(centre_id, expert_id)
            return (order_of.get(state, len(order_of)) if state else len(order_of),
                    centre_id)
        return sorted(rows, key=key, reverse=order == Qt.SortOrder.DescendingOrder)
