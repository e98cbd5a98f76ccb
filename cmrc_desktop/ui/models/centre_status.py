"""The expert's "my centres": every centre assigned to the owner of an expert workspace,
where its sheet stands, and how many indicators are scored.

Status of a sheet (``sheet_status``):

=============  ==========================================================
not started    no sheet, or a draft with no score and no written opinion
in progress    a draft with something on it (also a sheet reopened after
               signing: the next revision)
finalised      final, not yet signed
signed         signed, no file exported for the signed revision
exported       signed, and exported (any format) for the signed revision
=============  ==========================================================
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from cmrc_desktop.domain.workspace import SheetState
from cmrc_desktop.i18n import _
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.storage import centre_repo, expert_repo, score_repo, signing_repo
from cmrc_desktop.ui.models import PagedTableModel

NOT_STARTED, IN_PROGRESS, FINALISED, SIGNED, EXPORTED = (
    "not_started", "in_progress", "finalised", "signed", "exported")
STATUSES = (NOT_STARTED, IN_PROGRESS, FINALISED, SIGNED, EXPORTED)  # also the sort order

COL_ID, COL_NAME, COL_HOST, COL_STATUS, COL_SCORED = range(5)

CENTRE_ID_ROLE = Qt.ItemDataRole.UserRole + 1   # the centre id, on every column
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2      # the status code (one of STATUSES)


def status_label(status: str) -> str:
    return {NOT_STARTED: _("not started"), IN_PROGRESS: _("in progress"),
            FINALISED: _("finalised"), SIGNED: _("signed"), EXPORTED: _("exported")}[status]


def _headers() -> tuple[str, ...]:
    return (_("Centre ID"), _("Centre name"), _("Host institution"), _("Status"),
            _("Indicators scored"))


@dataclass(frozen=True)
class CentreRow:
    centre_id: str
    name: str
    host: str
    status: str
    scored: int       # expert indicators with a value
    total: int        # expert indicators of the scheme
    revision: int     # of the sheet; 1 before it exists


def sheet_status(ws: Workspace, expert_id: str, centre_id: str,
                 indicator_ids: frozenset[str]) -> tuple[str, int, int]:
    """(status, scored indicators, revision) of one expert's sheet for one centre."""
    db = ws.db
    sheet = score_repo.find_sheet(db, expert_id, centre_id)
    scored = sum(1 for s in score_repo.list_scores(db, expert_id=expert_id,
                                                   centre_id=centre_id)
                 if s.value is not None and s.indicator in indicator_ids)
    if sheet is None:
        return NOT_STARTED, scored, 1
    if sheet.state == SheetState.SIGNED:
        exported = signing_repo.exported_formats(db, expert_id, centre_id, sheet.revision)
        return (EXPORTED if exported else SIGNED), scored, sheet.revision
    if sheet.state == SheetState.FINAL:
        return FINALISED, scored, sheet.revision
    opinion = score_repo.find_opinion(db, expert_id, centre_id)
    written = opinion is not None and any(
        (opinion.achievements, opinion.problems, opinion.recommendations))
    return (IN_PROGRESS if scored or written else NOT_STARTED), scored, sheet.revision


class CentreStatusModel(PagedTableModel):
    """Rows: the centres assigned to ``expert_id`` (by default the owner of the expert
    workspace ``ws``; a workspace without an owner shows none). Columns: centre id,
    name, host institution, status, scored indicators ("n / total").

    Reads ``ws`` on the GUI thread (the window's own connection). ``refresh()`` reloads
    everything; ``refresh_centre(id)`` one row (after the scoring form saved).
    """

    def __init__(self, ws: Workspace, *, expert_id: str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ws = ws
        self._expert_id = expert_id
        self._rows: dict[str, CentreRow] = {}
        self._sort_column = COL_ID
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._indicators: frozenset[str] = frozenset()
        self.refresh()

    @property
    def expert_id(self) -> str:
        return self._expert_id if self._expert_id is not None \
            else self._ws.batch.owner_expert_id

    # -- loading -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the assigned centres again and start over from the first page."""
        self.beginResetModel()
        try:
            expert_id = self.expert_id
            self._indicators = frozenset(i.id for i in self._ws.scheme.expert_indicators)
            self._rows = {}
            self._keys = [c for _e, c in expert_repo.list_assignments(
                self._ws.db, expert_id=expert_id)] if expert_id else []
            self._shown = 0
            self._keys = self._sorted_keys(self._sort_column, self._sort_order)
            self._first_page()
        finally:
            self.endResetModel()

    def refresh_centre(self, centre_id: str) -> None:
        """Re-read one centre's row; a centre not listed yet reloads the whole table."""
        if centre_id not in self._keys:
            self.refresh()
            return
        self._rows.pop(centre_id, None)
        row = self._keys.index(centre_id)
        if row < self._shown:
            self._load([centre_id])
            self.dataChanged.emit(self.index(row, 0), self.index(row, COL_SCORED))

    def _load(self, keys: Sequence[Hashable]) -> None:
        expert_id = self.expert_id
        for centre_id in keys:
            if centre_id in self._rows:
                continue
            centre = centre_repo.find_centre(self._ws.db, str(centre_id))
            status, scored, revision = sheet_status(self._ws, expert_id, str(centre_id),
                                                    self._indicators)
            self._rows[str(centre_id)] = CentreRow(
                str(centre_id), centre.name if centre else "", centre.host if centre else "",
                status, scored, len(self._indicators), revision)

    def _row(self, index: QModelIndex | QPersistentModelIndex) -> CentreRow | None:
        key = self._key(index)
        if key is None:
            return None
        if key not in self._rows:
            self._load([key])
        return self._rows[str(key)]

    # -- lookups for the window ---------------------------------------------------------
    def status(self, centre_id: str) -> str | None:
        if centre_id not in self._keys:
            return None
        self._load([centre_id])
        return self._rows[centre_id].status

    # -- Qt model interface --------------------------------------------------------------
    def headers(self) -> tuple[str, ...]:
        return _headers()

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = self._row(index)
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.centre_id, row.name, row.host, status_label(row.status),
                    f"{row.scored} / {row.total}")[column]
        if role == Qt.ItemDataRole.ToolTipRole and column in (COL_NAME, COL_HOST):
            return (row.name, row.host)[column - COL_NAME] or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_SCORED:
            return Qt.AlignmentFlag.AlignCenter
        if role == CENTRE_ID_ROLE:
            return row.centre_id
        if role == STATUS_ROLE:
            return row.status
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by any column. Sorting by the centre id needs no rows; sorting by another
        column reads every row (an expert has a few dozen centres at most)."""
        if not 0 <= column < len(_headers()):
            return
        self._sort_column, self._sort_order = column, order
        self._reorder(self._sorted_keys(column, order))

    def _sorted_keys(self, column: int, order: Qt.SortOrder) -> list[Hashable]:
        keys = sorted(self._keys, key=str)
        if column != COL_ID:
            self._load(keys)

            def key(centre_id: Hashable) -> tuple:
                row = self._rows[str(centre_id)]
                value = (row.centre_id, row.name, row.host, STATUSES.index(row.status),
                         row.scored)[column]
                return (value, row.centre_id)
            keys.sort(key=key)
        if order == Qt.SortOrder.DescendingOrder:
            keys.reverse()
        return keys
