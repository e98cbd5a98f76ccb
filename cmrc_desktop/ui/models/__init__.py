"""Item models for the window's tables.

Each model keeps the ids of its rows and loads what a row shows lazily, a page at a
time (``canFetchMore`` / ``fetchMore``, after Anki's browser model); sorting reorders
the ids and keeps the view's selection (persistent indexes) on the same rows. Every
model is checked with pytest-qt's ``qtmodeltester``.

- ``centre_status.CentreStatusModel``: the expert's "my centres" with their status.
- ``merge_report.MergeReportModel``: the files of one merge and what became of each.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
          | Qt.ItemFlag.ItemNeverHasChildren)


class PagedTableModel(QAbstractTableModel):
    """A flat table over row keys, shown ``PAGE`` rows at a time.

    Subclasses set ``self._keys`` (every row key, unique, in display order) in a reset
    and implement ``_load(keys)`` (make those rows ready for ``data``); ``_reorder``
    applies a new order as a layout change.
    """

    PAGE = 100

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._keys: list[Hashable] = []
        self._shown = 0

    # -- size and lazy loading -----------------------------------------------------------
    def headers(self) -> tuple[str, ...]:
        """Column titles in the language of the moment; subclasses say which."""
        raise NotImplementedError

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        headers = self.headers()
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(headers):
            return headers[section]
        return None

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shown

    def canFetchMore(self, parent: QModelIndex) -> bool:
        return not parent.isValid() and self._shown < len(self._keys)

    def fetchMore(self, parent: QModelIndex) -> None:
        if parent.isValid():
            return
        count = min(self.PAGE, len(self._keys) - self._shown)
        if count <= 0:
            return
        self._load(self._keys[self._shown:self._shown + count])
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + count - 1)
        self._shown += count
        self.endInsertRows()

    def fetch_all(self) -> None:
        """Show every row (tests, exports of the table)."""
        while self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    @property
    def total_rows(self) -> int:
        """Rows there are, shown or not yet fetched."""
        return len(self._keys)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags   # called per cell

    # -- lookups -------------------------------------------------------------------------
    def row_key(self, row: int) -> str | None:
        """The key of a shown ``row`` as text (a centre's id, …)."""
        return str(self._keys[row]) if 0 <= row < self._shown else None

    def row_of(self, key: Hashable) -> int | None:
        """The row showing ``key`` (fetching pages until it is shown), None when no row
        has it (a filter hides it)."""
        if key not in self._keys:
            return None
        row = self._keys.index(key)
        while row >= self._shown and self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())
        return row

    # -- for subclasses ----------------------------------------------------------------
    def _load(self, keys: Sequence[Hashable]) -> None:
        """Make the rows of ``keys`` ready to be shown (one page, or all to sort)."""

    def _key(self, index: QModelIndex | QPersistentModelIndex) -> Hashable | None:
        if not index.isValid() or index.parent().isValid() or \
                not 0 <= index.row() < self._shown:
            return None
        return self._keys[index.row()]

    def _first_page(self) -> None:
        """Inside a reset: show the first page at once."""
        self._shown = min(self.PAGE, len(self._keys))
        self._load(self._keys[:self._shown])

    def _reorder(self, keys: list[Hashable]) -> None:
        """Apply a new order of the same keys; selections follow their rows."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        where = [(self._keys[i.row()], i.column()) for i in old]
        self._keys = keys
        position = {key: row for row, key in enumerate(keys)}
        new = [self.index(position[key], column) if position[key] < self._shown
               else QModelIndex() for key, column in where]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()
