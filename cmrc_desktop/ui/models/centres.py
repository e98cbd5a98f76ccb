"""The secretary's centres table: every centre of the batch with its level, field, host,
experts, documents, received sheets and (application schemes) formal review.

The whole batch is read in one go (``dossiers.centre_overview``: a few queries), so
sorting and filtering see every centre, not just the rows fetched so far; the cells are
formatted a page at a time as the table scrolls (``PagedTableModel``). Filtering is the
model's own (not a proxy's) for the same reason: a proxy over a lazy model only sorts
and filters the rows it was given.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.scoring.builtin import catalog
from cmrc_desktop.services import dossiers, review
from cmrc_desktop.services.dossiers import CentreOverview
from cmrc_desktop.services.review import ReviewSummary
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.models import PagedTableModel

(COL_ID, COL_NAME, COL_LEVEL, COL_FIELD, COL_HOST, COL_CITY, COL_EXPERTS, COL_DOCUMENTS,
 COL_SHEETS, COL_REVIEW) = range(10)
COLUMNS = 10
_NUMERIC = (COL_EXPERTS, COL_DOCUMENTS, COL_SHEETS)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

CENTRE_ID_ROLE = Qt.ItemDataRole.UserRole + 1   # = main_views.ID_ROLE: the view opens it
SHEETS_ROLE = Qt.ItemDataRole.UserRole + 3      # one of dossiers.SHEET_STATUSES
REVIEW_ROLE = Qt.ItemDataRole.UserRole + 4      # review.PASSED / FAILED / OPEN, or None

SHEET_TONES = {dossiers.UNASSIGNED: theme.IDLE, dossiers.AWAITING: theme.IDLE,
               dossiers.PARTIAL: theme.ACTIVE, dossiers.COMPLETE: theme.GOOD,
               dossiers.DISAGREEING: theme.BAD}
REVIEW_TONES = {review.PASSED: theme.GOOD, review.FAILED: theme.BAD,
                review.OPEN: theme.ACTIVE}
_REVIEW_ORDER = (review.FAILED, review.OPEN, review.PASSED)


def sheets_label(status: str) -> str:
    return {dossiers.UNASSIGNED: _("No experts assigned"),
            dossiers.AWAITING: _("No sheet received"),
            dossiers.PARTIAL: _("Some sheets received"),
            dossiers.COMPLETE: _("All sheets received"),
            dossiers.DISAGREEING: _("Sheets in conflict")}[status]


def review_label(verdict: str) -> str:
    return {review.PASSED: _("Formal review passed"),
            review.FAILED: _("Formal review failed"),
            review.OPEN: _("Formal review not finished")}[verdict]


def search_key(text: str) -> str:
    """How search text and centre names are compared: full- and half-width alike, case
    and surrounding spaces ignored. No minimum length: one Chinese character is a word."""
    return unicodedata.normalize("NFKC", text or "").casefold().strip()


@dataclass(frozen=True)
class CentreFilter:
    """What the tool bar asks for; an empty field means "any"."""

    level: str = ""      # level id
    field: str = ""      # field name (Chinese, as stored)
    sheets: str = ""     # one of dossiers.SHEET_STATUSES
    review: str = ""     # review.PASSED / FAILED / OPEN
    text: str = ""       # part of the id, the name or the host

    def matches(self, row: CentreOverview, summary: ReviewSummary | None,
                haystack: str) -> bool:
        centre = row.centre
        if self.level and centre.level != self.level:
            return False
        if self.field and centre.field != self.field:
            return False
        if self.sheets and row.sheets != self.sheets:
            return False
        if self.review and (summary is None or summary.verdict != self.review):
            return False
        needle = search_key(self.text)
        return not needle or needle in haystack


class CentresModel(PagedTableModel):
    """Rows: the centres that pass the filter, in the chosen order. Reads nothing until
    ``refresh()`` (the view calls it when shown), on the GUI thread's connection."""

    def __init__(self, ws: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ws = ws
        self._all: dict[str, CentreOverview] = {}
        self._reviews: dict[str, ReviewSummary] = {}
        self._haystacks: dict[str, str] = {}
        self._cells: dict[str, tuple[str, ...]] = {}
        self._tips: dict[str, tuple[str, ...]] = {}
        self._filter = CentreFilter()
        self._sort_column = COL_ID
        self._sort_order = Qt.SortOrder.AscendingOrder

    # -- loading -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read every centre again; keeps the filter and the order."""
        overview = dossiers.centre_overview(self._ws)
        reviews = review.review_summaries(self._ws)
        self.beginResetModel()
        try:
            self._all = {row.centre.id: row for row in overview}
            self._reviews = reviews
            self._haystacks = {
                cid: "\n".join(search_key(t) for t in (cid, row.centre.name, row.centre.host))
                for cid, row in self._all.items()}
            self._cells, self._tips = {}, {}
            self._apply()
        finally:
            self.endResetModel()

    def set_filter(self, centre_filter: CentreFilter) -> None:
        if centre_filter == self._filter:
            return
        self.beginResetModel()
        try:
            self._filter = centre_filter
            self._apply()
        finally:
            self.endResetModel()

    @property
    def centre_filter(self) -> CentreFilter:
        return self._filter

    def _apply(self) -> None:
        """Inside a reset: the keys that pass the filter, sorted; the first page shown."""
        self._keys = [cid for cid, row in self._all.items()
                      if self._filter.matches(row, self._reviews.get(cid),
                                              self._haystacks[cid])]
        self._keys = self._sorted_keys(self._sort_column, self._sort_order)
        self._shown = 0
        self._first_page()

    def _load(self, keys: Sequence[Hashable]) -> None:
        cat = catalog()
        for key in keys:
            cid = str(key)
            if cid in self._cells:
                continue
            row = self._all[cid]
            c = row.centre
            level = cat.level(c.level)
            field = cat.field(c.field)
            status = row.sheets
            sheets = "—" if status == dossiers.UNASSIGNED else f"{row.received} / {row.experts}"
            if status == dossiers.DISAGREEING:
                sheets = _("{counts} · conflict").format(counts=sheets)
            summary = self._reviews.get(cid)
            self._cells[cid] = (
                c.id, c.name, level.display if level else c.level,
                field.display if field else c.field, c.host, c.city or c.province,
                str(row.experts), str(row.documents), sheets, _review_text(summary))
            self._tips[cid] = (
                "", c.name, self._cells[cid][COL_LEVEL],
                " · ".join(t for t in (self._cells[cid][COL_FIELD], c.sub_field) if t),
                c.host, " ".join(t for t in (c.province, c.city) if t), "", "",
                sheets_label(status), review_label(summary.verdict) if summary else "")

    # -- lookups -------------------------------------------------------------------------
    def overview(self, centre_id: str) -> CentreOverview | None:
        return self._all.get(centre_id)

    def overviews(self) -> list[CentreOverview]:
        """Every centre of the batch, filtered or not."""
        return list(self._all.values())

    def review_summary(self, centre_id: str) -> ReviewSummary | None:
        return self._reviews.get(centre_id)

    # -- Qt model interface --------------------------------------------------------------
    def headers(self) -> tuple[str, ...]:
        return (_("Centre ID"), _("Centre name"), _("Level"), _("Disease field"),
                _("Host institution"), _("City"), _("Experts"), _("Documents"),
                _("Sheets received"), _("Formal review"))

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else COLUMNS   # called per cell: no translating here

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and section in _NUMERIC \
                and role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT
        return super().headerData(section, orientation, role)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        key = self._key(index)
        if key is None or not 0 <= index.column() < COLUMNS:
            return None
        cid = str(key)
        if cid not in self._cells:
            self._load([cid])
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[cid][column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tips[cid][column] or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return _RIGHT
        if role == Qt.ItemDataRole.DecorationRole:
            if column == COL_SHEETS:
                return theme.dot_icon(SHEET_TONES[self._all[cid].sheets])
            summary = self._reviews.get(cid)
            if column == COL_REVIEW and summary is not None:
                return theme.dot_icon(REVIEW_TONES[summary.verdict])
            return None
        if role == CENTRE_ID_ROLE:
            return cid
        if role == SHEETS_ROLE:
            return self._all[cid].sheets
        if role == REVIEW_ROLE:
            summary = self._reviews.get(cid)
            return summary.verdict if summary else None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by any column, every centre (sort values need no formatted cells)."""
        if not 0 <= column < COLUMNS:
            return
        self._sort_column, self._sort_order = column, order
        self._reorder(self._sorted_keys(column, order))

    def _sorted_keys(self, column: int, order: Qt.SortOrder) -> list[Hashable]:
        cat = catalog()
        levels = {lv.id: n for n, lv in enumerate(cat.levels)}
        fields = {f.name: f.seq for f in cat.fields}

        def value(cid: Hashable) -> tuple:
            row = self._all[str(cid)]
            c = row.centre
            if column == COL_ID:
                return (c.id,)
            if column == COL_NAME:
                return (c.name,)
            if column == COL_LEVEL:
                return (levels.get(c.level, len(levels)), c.level)
            if column == COL_FIELD:
                return (fields.get(c.field, len(fields) + 1), c.field)
            if column == COL_HOST:
                return (c.host,)
            if column == COL_CITY:
                return (c.city or c.province,)
            if column == COL_EXPERTS:
                return (row.experts,)
            if column == COL_DOCUMENTS:
                return (row.documents,)
            if column == COL_SHEETS:
                return (dossiers.SHEET_STATUSES.index(row.sheets), row.received)
            summary = self._reviews.get(str(cid))
            return ((_REVIEW_ORDER.index(summary.verdict), -summary.undecided)
                    if summary else (len(_REVIEW_ORDER), 0))

        keys = sorted(self._keys, key=lambda cid: (value(cid), str(cid)))
        if order == Qt.SortOrder.DescendingOrder:
            keys.reverse()
        return keys


def _review_text(summary: ReviewSummary | None) -> str:
    if summary is None:
        return ""
    if summary.verdict == review.FAILED:
        return _("Failed: {checks}").format(checks=", ".join(summary.failed))
    if summary.verdict == review.OPEN:
        return ngettext("{n} check open", "{n} checks open",
                        summary.undecided).format(n=summary.undecided)
    return _("Passed")
