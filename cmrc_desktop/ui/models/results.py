"""The results of a batch as tables: one row per centre, and one centre's figures under
each aggregation method.

Both read a ``ResultsOverview`` (graded off the GUI thread), never the database: the
results view hands them a new snapshot after each grading. A batch has at most a few
hundred centres and the snapshot holds them all, so rows are not fetched lazily.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont

from cmrc_desktop.domain.numbers import fmt, plain
from cmrc_desktop.domain.scheme import METHODS, Scheme
from cmrc_desktop.exchange.report_data import (
    METHOD_SENSITIVE,
    final_score_rule,
    flag_label,
    flag_text,
    method_name,
)
from cmrc_desktop.i18n import _
from cmrc_desktop.scoring.grading import (
    FLAG_INCOMPLETE,
    FLAG_QUOTA_TIE,
    VETO_FLAG_PREFIX,
    CentreResult,
)
from cmrc_desktop.services.results import ResultsOverview, dimension_max
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.main_views import ID_ROLE, SORT_ROLE

FLAGS_ROLE = Qt.ItemDataRole.UserRole + 3   # the row's flags (method-sensitive included)

COL_RANK, COL_CENTRE, COL_NAME, COL_FINAL = range(4)
FIRST_DIMENSION = 4
SENSITIVE_MARK = "▲"

# what the results table can be narrowed to
SHOW_ALL, SHOW_QUOTA_TIES, SHOW_FLAGGED, SHOW_SENSITIVE = (
    "all", "quota_ties", "flagged", "method_sensitive")


def show_label(show: str) -> str:
    return {SHOW_ALL: _("All centres"),
            SHOW_QUOTA_TIES: _("Quota ties (the committee decides)"),
            SHOW_FLAGGED: _("Centres with a flag"),
            SHOW_SENSITIVE: _("Method-sensitive centres")}[show]


def grade_tone(result: CentreResult) -> str | None:
    """The dot beside a grade: vetoed, waiting for the committee, or not graded."""
    if result.vetoed:
        return theme.BAD
    if FLAG_QUOTA_TIE in result.flags:
        return theme.ACTIVE
    if FLAG_INCOMPLETE in result.flags:
        return theme.IDLE
    return None


def grade_text(result: CentreResult) -> str:
    if result.grade is not None:
        return result.grade.display
    if FLAG_QUOTA_TIE in result.flags:
        return _("committee decides")
    return ""


class ResultsModel(QAbstractTableModel):
    """One row per centre: rank, id, name, final score, one column per dimension of the
    scheme, grade, flags and the method-sensitive mark. Read-only; the columns follow
    the scheme of the last snapshot."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._overview: ResultsOverview | None = None
        self._rows: list[CentreResult] = []
        self._dimensions: tuple[str, ...] = ()
        self._rows_of: dict[str, int] = {}
        self._grade_column = FIRST_DIMENSION

    # -- content -----------------------------------------------------------------------
    def set_overview(self, overview: ResultsOverview | None) -> None:
        self.beginResetModel()
        self._overview = overview
        self._rows = list(overview.result.centres) if overview else []
        self._dimensions = tuple(d.id for d in overview.scheme.dimensions) if overview \
            else ()
        self._rows_of = {r.centre: i for i, r in enumerate(self._rows)}
        self._grade_column = FIRST_DIMENSION + len(self._dimensions)
        self.endResetModel()

    @property
    def overview(self) -> ResultsOverview | None:
        return self._overview

    @property
    def scheme(self) -> Scheme | None:
        return self._overview.scheme if self._overview else None

    def result(self, row: int) -> CentreResult | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, centre_id: str) -> int:
        return self._rows_of.get(centre_id, -1)

    def flags_of(self, result: CentreResult) -> list[str]:
        flags = list(result.flags)
        if self._overview and result.centre in self._overview.method_sensitive:
            flags.append(METHOD_SENSITIVE)
        return flags

    # -- columns -----------------------------------------------------------------------
    @property
    def grade_column(self) -> int:
        return self._grade_column

    @property
    def flags_column(self) -> int:
        return self.grade_column + 1

    @property
    def sensitive_column(self) -> int:
        return self.grade_column + 2

    def dimension_of(self, column: int) -> str | None:
        index = column - FIRST_DIMENSION
        return self._dimensions[index] if 0 <= index < len(self._dimensions) else None

    def _numeric(self, column: int) -> bool:
        return column in (COL_RANK, COL_FINAL) or self.dimension_of(column) is not None

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._grade_column + 3

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._header(section)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._header_tip(section)
        if role == Qt.ItemDataRole.TextAlignmentRole and self._numeric(section):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _header(self, section: int) -> str:
        fixed = {COL_RANK: _("Rank"), COL_CENTRE: _("Centre ID"), COL_NAME: _("Centre name"),
                 COL_FINAL: _("Final score"), self.grade_column: _("Grade"),
                 self.flags_column: _("Flags"), self.sensitive_column: _("Methods")}
        if section in fixed:
            return fixed[section]
        dimension = self._dimension(section)
        return f"{dimension.id} {dimension.display}" if dimension else ""

    def _header_tip(self, section: int) -> str | None:
        scheme = self.scheme
        if scheme is None:
            return None
        if section == COL_FINAL:
            return final_score_rule(scheme)
        if section == self.sensitive_column:
            return _("▲: {text}").format(text=flag_text(METHOD_SENSITIVE, scheme))
        dimension = self._dimension(section)
        if dimension is not None:
            return _("{name}: points out of {max}").format(
                name=dimension.display, max=plain(scheme.dimension_max(dimension.id)))
        return None

    def _dimension(self, section: int):
        dimension_id = self.dimension_of(section)
        scheme = self.scheme
        if dimension_id is None or scheme is None:
            return None
        return next(d for d in scheme.dimensions if d.id == dimension_id)

    # -- cells -------------------------------------------------------------------------
    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= column < self._grade_column + 3):
            return None
        result = self._rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(result, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(result, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if self._numeric(column):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if column == self.sensitive_column:
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == self.grade_column:
            tone = grade_tone(result)
            return theme.dot_icon(tone) if tone else None
        if role == ID_ROLE:
            return result.centre
        if role == SORT_ROLE:
            return self._sort_key(result, column)
        if role == FLAGS_ROLE:
            return self.flags_of(result)
        return None

    def _display(self, result: CentreResult, column: int) -> str:
        decimals = self.scheme.aggregation.decimals if self.scheme else 2
        if column == COL_RANK:
            return "" if result.rank is None else str(result.rank)
        if column == COL_CENTRE:
            return result.centre
        if column == COL_NAME:
            return self._overview.names.get(result.centre, "") if self._overview else ""
        if column == COL_FINAL:
            return "" if result.final_rounded is None else format(result.final_rounded, "f")
        if column == self.grade_column:
            return grade_text(result)
        if column == self.flags_column:
            return ", ".join(flag_label(f) for f in result.flags)
        if column == self.sensitive_column:
            return SENSITIVE_MARK if METHOD_SENSITIVE in self.flags_of(result) else ""
        dimension = self.dimension_of(column)
        value = result.dimensions.get(dimension) if dimension else None
        return "" if value is None else fmt(value, decimals)

    def _tip(self, result: CentreResult, column: int) -> str | None:
        scheme = self.scheme
        if scheme is None:
            return None
        if column == self.flags_column and result.flags:
            return "\n".join(f"{flag_label(f)}: {flag_text(f, scheme)}" for f in result.flags)
        if column == self.grade_column:
            if result.vetoed:
                return "\n".join(flag_text(VETO_FLAG_PREFIX + v, scheme)
                                 for v in result.vetoes)
            if FLAG_QUOTA_TIE in result.flags:
                return flag_text(FLAG_QUOTA_TIE, scheme)
            return None
        if column == self.sensitive_column and METHOD_SENSITIVE in self.flags_of(result):
            return flag_text(METHOD_SENSITIVE, scheme) + "\n" + self.method_grades(result.centre)
        if column == COL_NAME:
            return self._display(result, column) or None
        return None

    def method_grades(self, centre_id: str) -> str:
        """The grade under each method, one line each (for tooltips)."""
        if self._overview is None:
            return ""
        lines = []
        for method in METHODS:
            r = self._overview.by_method[method].centre(centre_id)
            if r is not None:
                lines.append(_("{method}: {grade}").format(
                    method=method_name(method), grade=grade_text(r) or "—"))
        return "\n".join(lines)

    def _sort_key(self, result: CentreResult, column: int) -> Any:
        """Numbers as numbers, empty cells last (the proxy sorts ascending first)."""
        if column == COL_RANK:
            return float("inf") if result.rank is None else float(result.rank)
        if column == COL_FINAL:
            return (float("-inf") if result.final_rounded is None
                    else float(result.final_rounded))
        if column == self.grade_column:
            scheme = self.scheme
            if result.grade is None or scheme is None:
                return len(scheme.grades) if scheme else 0
            return scheme.grades.index(result.grade)
        dimension = self.dimension_of(column)
        if dimension is not None:
            value = result.dimensions.get(dimension)
            return float("-inf") if value is None else float(value)
        return self._display(result, column)


class ResultsFilterProxy(QSortFilterProxyModel):
    """Sorts by ``SORT_ROLE`` and narrows the rows to one of the ``SHOW_*`` sets."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._show = SHOW_ALL

    @property
    def show(self) -> str:
        return self._show

    def set_show(self, show: str) -> None:
        if show == self._show:
            return
        self.beginFilterChange()
        self._show = show
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int,  # noqa: N802
                         source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if self._show == SHOW_ALL:
            return True
        flags = self.sourceModel().index(source_row, 0, source_parent).data(FLAGS_ROLE) or []
        if self._show == SHOW_QUOTA_TIES:
            return FLAG_QUOTA_TIE in flags
        if self._show == SHOW_SENSITIVE:
            return METHOD_SENSITIVE in flags
        return bool(flags)


class MethodComparisonModel(QAbstractTableModel):
    """One centre's final score and grade under each aggregation method, the scheme's
    own method first (in bold)."""

    COL_METHOD, COL_FINAL, COL_GRADE = range(3)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, CentreResult | None]] = []
        self._own = ""
        self._decimals = 2

    def set_centre(self, overview: ResultsOverview | None, centre_id: str | None) -> None:
        self.beginResetModel()
        self._rows = []
        if overview is not None and centre_id is not None:
            self._own = overview.scheme.aggregation.method
            self._decimals = overview.scheme.aggregation.decimals
            order = [self._own] + [m for m in METHODS if m != self._own]
            self._rows = [(m, overview.by_method[m].centre(centre_id)) for m in order
                          if m in overview.by_method]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 3

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < 3:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (_("Aggregation method"), _("Final score"), _("Grade"))[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section == self.COL_FINAL:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= column < 3):
            return None
        method, result = self._rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.COL_METHOD:
                name = method_name(method)
                return _("{method} (this scheme)").format(method=name) \
                    if method == self._own else name
            if result is None:
                return ""
            if column == self.COL_FINAL:
                return "" if result.final is None else fmt(result.final, self._decimals)
            return grade_text(result)
        if role == Qt.ItemDataRole.FontRole and method == self._own:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.COL_FINAL:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def methods(self) -> list[str]:
        return [m for m, _r in self._rows]

    def figures(self) -> dict[str, tuple[str, str]]:
        """method -> (final, grade) as shown (tests, copying)."""
        return {m: (self.index(i, self.COL_FINAL).data(), self.index(i, self.COL_GRADE).data())
                for i, (m, _r) in enumerate(self._rows)}


def dimension_shares(overview: ResultsOverview, result: CentreResult
                     ) -> Sequence[tuple[str, str, str, Fraction]]:
    """(name, score, max, share) of each dimension of ``result``, for the radar."""
    scheme = overview.scheme
    maxima = dimension_max(scheme)
    decimals = scheme.aggregation.decimals
    rows = []
    for d in scheme.dimensions:
        value = result.dimensions.get(d.id)
        if value is None:
            return []
        top = maxima[d.id]
        rows.append((d.display, fmt(value, decimals), plain(top),
                     Fraction(value) / Fraction(top) if top else Fraction(0)))
    return rows
