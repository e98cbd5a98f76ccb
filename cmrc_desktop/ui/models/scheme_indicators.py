"""The scheme viewer's tables: the indicators under their dimensions, the grade bands, the
vetoes and the formal-review checks of a scheme, worded as the printed scheme words them
(:mod:`cmrc_desktop.exchange.scheme_text`).

The indicators read in the scheme's order, each dimension as a bold row with its points
(the sum of its indicators') followed by its indicators, indented; the order is the
scheme's, so the table does not sort. A scheme has a few dozen rows at most: every row is
made at once.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.domain.scheme import Scheme
from cmrc_desktop.exchange.scheme_text import (
    DASH,
    automatic_text,
    check_text,
    evidence_text,
    quota_text,
)
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.main_views import Column, RecordTableModel

COL_INDICATOR, COL_POINTS, COL_STEP, COL_SCORED_BY, COL_GUIDANCE = range(5)
SCORED_BY_ROLE = Qt.ItemDataRole.UserRole + 10   # "automatic" | "experts" | None (a dimension)
AUTOMATIC, EXPERTS = "automatic", "experts"
_FONT = int(Qt.ItemDataRole.FontRole)
INDENT = "\u2003"                                  # an em space before an indicator's id

INDICATOR_COLUMNS = (
    Column(lambda: _("Indicator")),
    Column(lambda: _("Points"), numeric=True),
    Column(lambda: _("Step"), numeric=True),
    Column(lambda: _("Scored by"), toned=True),    # a dot for an automatic indicator
    Column(lambda: _("Scoring guidance")),
)
GRADE_COLUMNS = (Column(lambda: _("Grade")), Column(lambda: _("Minimum score"), numeric=True),
                 Column(lambda: _("Quota")))
VETO_COLUMNS = (Column(lambda: _("ID")), Column(lambda: _("Veto")))
CHECK_COLUMNS = (Column(lambda: _("ID")), Column(lambda: _("Check")),
                 Column(lambda: _("How it is checked")))


class SchemeIndicatorsModel(RecordTableModel):
    """Dimensions and their indicators; ``ID_ROLE`` is the dimension's or indicator's id."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(INDICATOR_COLUMNS, parent)
        self._dimension_rows: frozenset[int] = frozenset()
        self._scored_by: list[str | None] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_scheme(self, scheme: Scheme) -> None:
        ids: list[str] = []
        rows: list[tuple[str, ...]] = []
        tips: list[tuple[str, ...]] = []
        scored_by: list[str | None] = []
        dimension_rows = set()
        for dimension in scheme.dimensions:
            indicators = scheme.indicators_of(dimension.id)
            dimension_rows.add(len(rows))
            ids.append(dimension.id)
            count = ngettext("{n} indicator", "{n} indicators", len(indicators)).format(
                n=len(indicators))
            rows.append((f"{dimension.id}{INDENT}{dimension.display}",
                         plain(scheme.dimension_max(dimension.id)), "", count, ""))
            tips.append(("", "", "", "", ""))
            scored_by.append(None)
            for indicator in indicators:
                ids.append(indicator.id)
                automatic = automatic_text(indicator)
                guidance = indicator.guidance or DASH
                evidence = evidence_text(indicator)
                rows.append((f"{INDENT}{indicator.id}{INDENT}{indicator.display}",
                             plain(indicator.max), plain(indicator.step),
                             automatic or _("experts"),
                             guidance + ("\n" + evidence if evidence else "")))
                tips.append(("", "", "", automatic,
                             guidance + ("\n\n" + evidence if evidence else "")))
                scored_by.append(AUTOMATIC if automatic else EXPERTS)
        self._dimension_rows = frozenset(dimension_rows)
        self._scored_by = scored_by
        self.set_rows(ids, rows, tips=tips,
                      tones=[theme.INFO if s == AUTOMATIC else None for s in scored_by])

    def is_dimension(self, row: int) -> bool:
        return row in self._dimension_rows

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == _FONT:
            return self._bold if index.isValid() and index.row() in self._dimension_rows \
                else None
        if role == SCORED_BY_ROLE:
            valid = index.isValid() and 0 <= index.row() < len(self._scored_by)
            return self._scored_by[index.row()] if valid else None
        return super().data(index, role)


# (ids, rows, tips) for RecordTableModel.set_rows: a cell may be cut off, its tip is whole
Rows = tuple[list[str], list[tuple[str, ...]], list[tuple[str, ...]]]


def grade_rows(scheme: Scheme) -> Rows:
    """The grade bands, best first: name, minimum score, quota."""
    rows = [(g.display, plain(g.min), quota_text(g.max_share)) for g in scheme.grades]
    return [g.label for g in scheme.grades], rows, rows


def veto_rows(scheme: Scheme) -> Rows:
    rows = [(v.id, v.display) for v in scheme.vetoes]
    return [v.id for v in scheme.vetoes], rows, rows


def check_rows(scheme: Scheme) -> Rows:
    """The formal-review checks (application schemes) and how each is decided."""
    rows = [(c.id, c.display, check_text(c)) for c in scheme.checks]
    return [c.id for c in scheme.checks], rows, rows
