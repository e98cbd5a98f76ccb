"""The main views of the window, one page each in its stack.

``MainView`` is the page every view builds on (heading, summary line, an optional tool
bar, a table, a note) and holds the window's ``Prompts`` and ``Settings``.
Expert workspace: *My centres* (``CentreStatusModel``); the secretary's views live in
``cmrc_desktop.ui.secretary``. Which views a workspace lists is ``view_registry``'s; a
view reads the workspace in ``refresh()``, which the window calls whenever it is shown
(never in the constructor: views are built lazily and must be cheap to build).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QIdentityProxyModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.prompts import Prompts, prompts_of
from cmrc_desktop.ui.settings import Settings

ID_ROLE = Qt.ItemDataRole.UserRole + 1      # the row's id (centre, expert, "C/E" pair)
SORT_ROLE = Qt.ItemDataRole.UserRole + 2    # a value that sorts right (numbers as numbers)
RESIZE_PRECISION = 0
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_NUMERIC_ALIGNMENT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


# -- a read-only table of records -------------------------------------------------------
@dataclass(frozen=True)
class Column:
    header: Callable[[], str]            # translated when shown
    numeric: bool = False
    toned: bool = False                  # shows the row's tone as a coloured dot


class RecordTableModel(QAbstractTableModel):
    """Rows of already-formatted cells, each row with its id; read-only. ``sort_keys``
    (optional, per row) give the sort value of numeric cells."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._ids: list[str] = []
        self._rows: list[tuple[str, ...]] = []
        self._sort: list[tuple[Any, ...]] = []
        self._tips: list[tuple[str, ...]] = []
        self._tones: list[str | None] = []

    def set_rows(self, ids: Sequence[str], rows: Sequence[Sequence[str]],
                 sort_keys: Sequence[Sequence[Any]] | None = None,
                 tips: Sequence[Sequence[str]] | None = None,
                 tones: Sequence[str | None] | None = None) -> None:
        width = len(self._columns)
        if any(len(r) != width for r in rows) or len(ids) != len(rows):
            raise ValueError("every row needs an id and one cell per column")
        self.beginResetModel()
        self._ids = [str(i) for i in ids]
        self._rows = [tuple(str(c) for c in r) for r in rows]
        self._sort = [tuple(s) for s in sort_keys] if sort_keys else [tuple(r) for r in
                                                                       self._rows]
        self._tips = [tuple(t) for t in tips] if tips else [("",) * width] * len(self._rows)
        self._tones = list(tones) if tones else [None] * len(self._rows)
        self.endResetModel()

    def row_id(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].header()
        if role == Qt.ItemDataRole.TextAlignmentRole and self._columns[section].numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Qt asks for eight roles of every cell each time it measures a row, thousands of
        # calls as a window first shows: plain int roles, the usual ones first.
        row, column = index.row(), index.column()     # -1, -1 for an invalid index
        if not (0 <= row < len(self._rows) and 0 <= column < len(self._columns)):
            return None
        if role == _DISPLAY:
            return self._rows[row][column]
        if role == _TOOLTIP:
            return self._tips[row][column] or None
        if role == _ALIGNMENT:
            return _NUMERIC_ALIGNMENT if self._columns[column].numeric else None
        if role == _DECORATION:
            tone = self._tones[row]
            return theme.dot_icon(tone) if tone and self._columns[column].toned else None
        if role == ID_ROLE:
            return self._ids[row]
        if role == SORT_ROLE:
            return _sortable(self._sort[row][column])
        return None


def _sortable(value: Any) -> Any:
    """Numbers sort as numbers, empty cells last, everything else as text."""
    if value is None or value == "":
        return float("inf")
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


class ToneProxyModel(QIdentityProxyModel):
    """Adds a coloured status dot to one column of a source model: ``tone_of(status)``
    maps the source's ``status_role`` value of that row to a tone of ``theme``."""

    def __init__(self, column: int, status_role: int, tone_of: Callable[[str], str | None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._column = column
        self._status_role = status_role
        self._tone_of = tone_of

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DecorationRole and index.isValid() \
                and index.column() == self._column:
            status = super().data(index, self._status_role)
            tone = self._tone_of(str(status)) if status else None
            return theme.dot_icon(tone) if tone else None
        return super().data(index, role)


# -- the views --------------------------------------------------------------------------
class MainView(QWidget):
    """A page of the window: a heading, a line of context and a table.

    The window builds it with its ``prompts`` and ``settings``; a view built without them
    (tests) asks the prompts of the window it is shown in.

    Signals:
        activated(str) — the id of the row the user opened (double-click or Enter)
    """

    activated = Signal(str)
    view_id = ""
    icon_name = ""

    def __init__(self, ws: Workspace, parent: QWidget | None = None, *,
                 prompts: Prompts | None = None, settings: Settings | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self._prompts = prompts
        self.settings = settings
        self.setObjectName(f"view_{self.view_id}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 12)
        layout.setSpacing(6)
        self.title_label = QLabel(self.title(), self)
        self.title_label.setObjectName("view_title")
        self.title_label.setFont(theme.heading_font(self.font()))
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("view_summary")
        self.summary_label.setWordWrap(True)
        theme.set_muted(self.summary_label)
        self.table = QTableView(self)
        self.table.setObjectName("view_table")
        self.table.setAccessibleName(self.title())
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(
            max(28, self.fontMetrics().height() + 12))
        header = self.table.horizontalHeader()
        # fitting columns to their contents looks at the rows in view only, not at every
        # row (Qt's default looks at 1000 more: 70 ms for 150 centres); longer texts
        # further down are elided, with the whole text in the tooltip
        header.setResizeContentsPrecision(RESIZE_PRECISION)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        self.table.activated.connect(self._on_table_activated)
        self.note_label = QLabel(self)
        self.note_label.setObjectName("view_note")
        self.note_label.setWordWrap(True)
        theme.set_muted(self.note_label)
        self.note_label.setVisible(False)
        self._tool_bar: QToolBar | None = None
        layout.addWidget(self.title_label)
        layout.addWidget(self.summary_label)
        layout.addSpacing(8)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note_label)

    @property
    def prompts(self) -> Prompts:
        """The prompts given, else the window's (the real ones outside a window)."""
        if self._prompts is not None:
            return self._prompts
        return prompts_of(self) if self.window() is not self else Prompts()

    @prompts.setter
    def prompts(self, prompts: Prompts) -> None:
        self._prompts = prompts

    def tool_bar(self) -> QToolBar:
        """The view's own tool bar, above its table (made on first use)."""
        if self._tool_bar is None:
            bar = QToolBar(self)
            bar.setObjectName("view_tool_bar")
            bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            bar.setIconSize(bar.iconSize() * 0.75)
            layout = self.layout()
            layout.insertWidget(layout.indexOf(self.table), bar)
            self._tool_bar = bar
        return self._tool_bar

    def title(self) -> str:
        raise NotImplementedError

    def refresh(self) -> None:
        """Read the workspace again."""

    def set_note(self, text: str) -> None:
        self.note_label.setText(text)
        self.note_label.setVisible(bool(text))

    def _fit_columns(self, stretch: int | None = None) -> None:
        header = self.table.horizontalHeader()
        self.table.resizeColumnsToContents()
        for column in range(header.count()):
            if header.sectionSize(column) > 360:
                header.resizeSection(column, 360)
        if stretch is not None:
            header.setStretchLastSection(False)
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        row_id = index.data(ID_ROLE)
        if row_id:
            self.activated.emit(str(row_id))


class MyCentresView(MainView):
    """The expert's centres with the status of each sheet."""

    view_id = "my_centres"
    icon_name = "my-centres"

    def __init__(self, ws: Workspace, parent: QWidget | None = None, *,
                 prompts: Prompts | None = None, settings: Settings | None = None) -> None:
        super().__init__(ws, parent, prompts=prompts, settings=settings)
        from cmrc_desktop.ui.models import centre_status as cs

        self._id_role = cs.CENTRE_ID_ROLE
        self.model = cs.CentreStatusModel(ws, parent=self)
        tones = {cs.NOT_STARTED: theme.IDLE, cs.IN_PROGRESS: theme.ACTIVE,
                 cs.FINALISED: theme.INFO, cs.SIGNED: theme.GOOD, cs.EXPORTED: theme.GOOD}
        self.proxy = ToneProxyModel(cs.COL_STATUS, cs.STATUS_ROLE, tones.get, self)
        self.proxy.setSourceModel(self.model)
        self.table.setModel(self.proxy)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)

    def title(self) -> str:
        return _("My centres")

    def refresh(self) -> None:
        from cmrc_desktop.ui.models.centre_status import STATUSES, status_label

        self.model.refresh()
        self.model.fetch_all()
        counts = {s: 0 for s in STATUSES}
        for row in range(self.model.rowCount()):
            centre_id = self.model.row_key(row)
            status = self.model.status(centre_id) if centre_id else None
            if status:
                counts[status] += 1
        total = self.model.rowCount()
        parts = [f"{status_label(s)} {n}" for s, n in counts.items() if n]
        self.summary_label.setText(
            ngettext("{n} centre assigned to you", "{n} centres assigned to you", total)
            .format(n=total) + ("  ·  " + "  ·  ".join(parts) if parts else "")
            + "  ·  " + _("Double-click a centre to open its scoring form."))
        self._fit_columns(1)

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        centre_id = index.data(self._id_role)
        if centre_id:
            self.activated.emit(str(centre_id))



