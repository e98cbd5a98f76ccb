"""The files of one merge and what became of each (``services.merge.FileOutcome``).

Build it from ``report.files`` read where the report's workspace is open: a merge run
in a background task returns the list (the worker's connection cannot be used on the
GUI thread). Refused and conflicting files carry an icon from the style (not a colour,
so they read the same in light and dark mode); the outcome code is ``OUTCOME_ROLE``.
``set_filter(outcome)`` lists the files of one outcome only (the Returns view's "Show").
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from cmrc_desktop.i18n import _
from cmrc_desktop.services.merge import CONFLICT, REFUSED, FileOutcome, outcome_label
from cmrc_desktop.ui.models import PagedTableModel

COL_FILE, COL_OUTCOME, COL_EXPERT, COL_CENTRE, COL_REVISION, COL_REASON = range(6)

OUTCOME_ROLE = Qt.ItemDataRole.UserRole + 1   # the outcome code (services.merge)
PATH_ROLE = Qt.ItemDataRole.UserRole + 2      # the file's full path, as text

_ICONS = {REFUSED: QStyle.StandardPixmap.SP_MessageBoxCritical,
          CONFLICT: QStyle.StandardPixmap.SP_MessageBoxWarning}


def _headers() -> tuple[str, ...]:
    return (_("File"), _("Outcome"), _("Expert"), _("Centre"), _("Revision"), _("Reason"))


class MergeReportModel(PagedTableModel):
    """One row per file of a merge: file name, outcome, expert, centre, revision, reason.

    ``set_outcomes(files)`` replaces the rows; ``count(outcome)`` counts them.
    """

    def __init__(self, files: Sequence[FileOutcome] = (), parent: QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self._files: list[FileOutcome] = []
        self._filter: str | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._icons: dict[str, QIcon] = {}
        self.set_outcomes(files)

    def set_outcomes(self, files: Sequence[FileOutcome]) -> None:
        self.beginResetModel()
        self._files = list(files)
        self._keys = self._listed_keys()   # rows are keyed by position in ``files``
        self._first_page()
        self.endResetModel()

    def set_filter(self, outcome: str | None) -> None:
        """List only the files with ``outcome`` (None: every file)."""
        if outcome == self._filter:
            return
        self.beginResetModel()
        self._filter = outcome
        self._keys = self._listed_keys()
        self._first_page()
        self.endResetModel()

    def _listed_keys(self) -> list[Hashable]:
        keys: list[Hashable] = [n for n, f in enumerate(self._files)
                                if self._filter is None or f.outcome == self._filter]
        if self._sort is not None:
            keys.sort(key=self._sort_key(self._sort[0]),
                      reverse=self._sort[1] == Qt.SortOrder.DescendingOrder)
        return keys

    @property
    def outcome_filter(self) -> str | None:
        return self._filter

    def outcome(self, row: int) -> FileOutcome | None:
        return self._files[int(self._keys[row])] if 0 <= row < self._shown else None

    def count(self, outcome: str) -> int:
        return sum(1 for f in self._files if f.outcome == outcome)

    @property
    def files(self) -> list[FileOutcome]:
        """Every file of the merge, whatever the filter."""
        return list(self._files)

    def listed(self) -> list[FileOutcome]:
        """The files the filter keeps, in the order shown (also rows not fetched yet)."""
        return [self._files[int(k)] for k in self._keys]

    def _load(self, keys: Sequence[Hashable]) -> None:
        """Nothing to read: the outcomes are in memory; paging only keeps the view quick
        for a merge of thousands of files."""

    def _icon(self, outcome: str) -> QIcon | None:
        pixmap = _ICONS.get(outcome)
        if pixmap is None:
            return None
        if outcome not in self._icons:
            app = QApplication.instance()
            style = app.style() if isinstance(app, QApplication) else None
            if style is None:
                return None
            self._icons[outcome] = style.standardIcon(pixmap)
        return self._icons[outcome]

    # -- Qt model interface --------------------------------------------------------------
    def headers(self) -> tuple[str, ...]:
        return _headers()

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        key = self._key(index)
        if key is None:
            return None
        item = self._files[int(key)]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (item.path.name, outcome_label(item.outcome), item.expert_id,
                    item.centre_id, "" if item.revision is None else str(item.revision),
                    item.reason)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_FILE:
                return str(item.path)
            if column == COL_REASON:
                return item.reason or None
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == COL_OUTCOME:
            return self._icon(item.outcome)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_REVISION:
            return Qt.AlignmentFlag.AlignCenter
        if role == OUTCOME_ROLE:
            return item.outcome
        if role == PATH_ROLE:
            return str(item.path)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(_headers()):
            return
        self._sort = (column, order)
        keys = sorted(self._keys, key=self._sort_key(column),
                      reverse=order == Qt.SortOrder.DescendingOrder)
        self._reorder(keys)

    def _sort_key(self, column: int):
        def key(position: Hashable) -> tuple:
            item = self._files[int(position)]
            value = (item.path.name, outcome_label(item.outcome), item.expert_id,
                     item.centre_id, item.revision or 0, item.reason)[column]
            return (value, int(position))
        return key
