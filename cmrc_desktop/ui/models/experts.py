"""The review panel for the Experts view: one row per expert, and the conflicts of
interest of the expert the user selected.

Both models hold a snapshot read by ``services.panel`` (a panel is tens of experts, so
there is nothing to page) and sort themselves; ``ID_ROLE`` gives the row's expert id
(or centre id for a conflict).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from cmrc_desktop.domain.workspace import Conflict, ConflictKind, label
from cmrc_desktop.i18n import _
from cmrc_desktop.services.panel import ExpertSummary
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.main_views import ID_ROLE

(COL_ID, COL_NAME, COL_INSTITUTION, COL_TITLE, COL_SPECIALTY, COL_ASSIGNED,
 COL_CONFLICTS) = range(7)
COL_CENTRE, COL_CENTRE_NAME, COL_KIND, COL_REASON = range(4)

KIND_ROLE = Qt.ItemDataRole.UserRole + 3     # a conflict's kind ("auto" / "declared")

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def _expert_headers() -> tuple[str, ...]:
    return (_("Expert ID"), _("Name"), _("Institution"), _("Professional title"),
            _("Specialty"), _("Centres assigned"), _("Conflicts of interest"))


def _conflict_headers() -> tuple[str, ...]:
    return (_("Centre ID"), _("Centre name"), _("How it is known"), _("Reason"))


class _SnapshotModel(QAbstractTableModel):
    """Rows in memory; the subclass says what a cell shows and how a column sorts."""

    numeric: frozenset[int] = frozenset()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def headers(self) -> tuple[str, ...]:
        raise NotImplementedError

    def cell(self, row: Any, column: int) -> Any:
        """The column's value; text is shown as is, numbers right-aligned."""
        raise NotImplementedError

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        headers = self.headers()
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return headers[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in self.numeric:
            return _RIGHT
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)

    def _row(self, index: QModelIndex | QPersistentModelIndex) -> Any | None:
        if not index.isValid() or index.parent().isValid() \
                or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < self.columnCount():
            return None
        return self._rows[index.row()]

    def _set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < self.columnCount():
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        rows_before = [(self._rows[i.row()], i.column()) for i in old]
        self._rows.sort(key=lambda r: self._sort_key(r, column),
                        reverse=order == Qt.SortOrder.DescendingOrder)
        position = {id(r): n for n, r in enumerate(self._rows)}
        self.changePersistentIndexList(
            old, [self.index(position[id(r)], c) for r, c in rows_before])
        self.layoutChanged.emit()

    def _sort_key(self, row: Any, column: int) -> tuple:
        value = self.cell(row, column)    # numbers as numbers, text as text
        return (value, "") if isinstance(value, int) else (0, str(value))


class ExpertsModel(_SnapshotModel):
    """One row per expert: id, name, institution, title, specialty, centres assigned,
    conflicts of interest (the conflicts, centre by centre, as the tooltip)."""

    numeric = frozenset({COL_ASSIGNED, COL_CONFLICTS})

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._names: Mapping[str, str] = {}

    def set_experts(self, summaries: Sequence[ExpertSummary],
                    centre_names: Mapping[str, str] | None = None) -> None:
        self._names = dict(centre_names or {})
        self._set_rows(summaries)

    def summary(self, row: int) -> ExpertSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, expert_id: str) -> int:
        return next((n for n, s in enumerate(self._rows) if s.expert.id == expert_id), -1)

    def headers(self) -> tuple[str, ...]:
        return _expert_headers()

    def cell(self, row: ExpertSummary, column: int) -> Any:
        e = row.expert
        return (e.id, e.name, e.institution, e.title, e.specialty, row.assigned,
                len(row.conflicts))[column]

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self._row(index)
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return str(self.cell(row, column))
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_CONFLICTS and row.conflicts:
                return "\n".join(
                    "{} {}: {}".format(c.centre_id, self._names.get(c.centre_id, ""),
                                       _(c.reason)) for c in row.conflicts)
            if column in (COL_INSTITUTION, COL_SPECIALTY):
                return self.cell(row, column) or None
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.numeric:
            return _RIGHT
        if role == ID_ROLE:
            return row.expert.id
        return None


class ConflictsModel(_SnapshotModel):
    """The conflicts of interest of one expert: centre, centre name, whether detected
    from the data or declared, and the reason (in the language of the moment)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._names: Mapping[str, str] = {}

    def set_conflicts(self, conflicts: Sequence[Conflict],
                      centre_names: Mapping[str, str]) -> None:
        self._names = dict(centre_names)
        self._set_rows(conflicts)

    def headers(self) -> tuple[str, ...]:
        return _conflict_headers()

    def cell(self, row: Conflict, column: int) -> Any:
        return (row.centre_id, self._names.get(row.centre_id, ""), label(row.kind),
                _(row.reason))[column]

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self._row(index)
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (COL_CENTRE_NAME, COL_REASON):
            return self.cell(row, column) or None
        if role == Qt.ItemDataRole.DecorationRole and column == COL_KIND:
            return theme.dot_icon(theme.INFO if row.kind == ConflictKind.AUTO
                                  else theme.ACTIVE)
        if role == ID_ROLE:
            return row.centre_id
        if role == KIND_ROLE:
            return str(row.kind)
        return None
