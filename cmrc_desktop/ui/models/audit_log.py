"""The audit log as a table: time, actor, action, entity, centre, expert, old and new
value, reason, details — newest first unless sorted otherwise.

A log holds about 100,000 entries for a batch of 150 centres; the model keeps only the
ids of the entries that match the filter (one query, ordered by SQL) and reads the
rows a page at a time as the view scrolls. Filtering and sorting are queries too, never
a loop over the whole log. It reads the window's workspace, on the GUI thread.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from cmrc_desktop.domain.workspace import AuditEntry
from cmrc_desktop.services import audit_log
from cmrc_desktop.services.audit_log import COLUMNS, LogFilter
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui.main_views import ID_ROLE
from cmrc_desktop.ui.models import PagedTableModel

(COL_AT, COL_ACTOR, COL_ACTION, COL_ENTITY, COL_CENTRE, COL_EXPERT, COL_OLD, COL_NEW,
 COL_REASON, COL_EXTRA) = range(len(COLUMNS))
SHOWN_CHARS = 200     # of a long value in its cell; the tooltip has all of it
_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, ID_ROLE})
_DIGEST = re.compile(r"\b([0-9a-f]{12})[0-9a-f]{52}\b")   # a SHA-256 fingerprint


def shown_text(text: str) -> str:
    """A value as its cell shows it: on one line, fingerprints cut to the 12 characters
    people compare, at most ``SHOWN_CHARS`` long."""
    shown = _DIGEST.sub(r"\1…", " ".join(text.split()) if "\n" in text else text)
    return shown if len(shown) <= SHOWN_CHARS else shown[:SHOWN_CHARS] + "…"


class AuditLogModel(PagedTableModel):
    """``set_filter(LogFilter)`` narrows the log; ``refresh()`` reads it again (new
    entries appear); ``entry(row)`` is the entry of a row. ``ID_ROLE`` is the entry id."""

    def __init__(self, ws: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ws = ws
        self._filter = LogFilter()
        self._sort = (COL_AT, Qt.SortOrder.DescendingOrder)
        self._entries: dict[int, AuditEntry] = {}
        self._cells: dict[int, tuple[str, ...]] = {}
        self._loaded = False       # nothing is read before the first refresh

    @property
    def log_filter(self) -> LogFilter:
        return self._filter

    def set_filter(self, log_filter: LogFilter) -> None:
        self._filter = log_filter
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        try:
            self._entries.clear()
            self._cells.clear()
            self._keys = []
            self._shown = 0
            self._keys = list(self._ids(*self._sort))
            self._loaded = True
            self._first_page()
        finally:
            self.endResetModel()

    def _ids(self, column: int, order: Qt.SortOrder) -> list[int]:
        return audit_log.entry_ids(self._ws, self._filter, column=COLUMNS[column],
                                   descending=order == Qt.SortOrder.DescendingOrder)

    def _load(self, keys: Sequence[Hashable]) -> None:
        wanted = [int(k) for k in keys if int(k) not in self._entries]
        if wanted:
            self._entries.update(audit_log.entries(self._ws, wanted))

    def entry(self, row: int) -> AuditEntry | None:
        if not 0 <= row < self._shown:
            return None
        key = int(self._keys[row])
        self._load([key])
        return self._entries.get(key)

    def _row_cells(self, key: int) -> tuple[str, ...] | None:
        if key not in self._cells:
            self._load([key])
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._cells[key] = audit_log.row(entry)
        return self._cells[key]

    # -- Qt model interface --------------------------------------------------------------
    def headers(self) -> tuple[str, ...]:
        return audit_log.headers()

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)   # without translating the headers

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role not in _ROLES:          # painting asks for many roles; answer them quickly
            return None
        key = self._key(index)
        if key is None:
            return None
        cells = self._row_cells(int(key))
        if cells is None:
            return None
        text = cells[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return shown_text(text)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() >= COL_ENTITY:
            return text or None
        if role == ID_ROLE:
            return str(key)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted by SQL; the rows already shown stay shown, selections follow them."""
        if not 0 <= column < len(COLUMNS) or (column, order) == self._sort:
            return
        self._sort = (column, order)
        if not self._loaded:
            return
        ids = self._ids(column, order)
        if len(ids) != len(self._keys):   # entries were written since: read afresh
            self.refresh()
            return
        self._reorder(ids)
