"""Two small charts of one centre's result, painted with QPainter: the radar of its
dimension scores and the spread of its expert totals.

QPainter rather than QtCharts: two figures do not justify the PySide6-Addons wheel, and
painting them here keeps them in the palette of the moment (light or dark, colours from
``theme`` and the palette's roles only) and sharp on any screen: every length derives
from the widget's size and font in logical pixels, which Qt scales by the pixel ratio.
The charts know nothing of schemes or centres: the caller gives names, shares and
already formatted figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from cmrc_desktop.i18n import _
from cmrc_desktop.ui import theme

SCALE_STEPS = (0.2, 0.4, 0.6, 0.8, 1.0)


def _with_alpha(colour: QColor, alpha: int) -> QColor:
    result = QColor(colour)
    result.setAlpha(alpha)
    return result


def _small_font(base: QFont, factor: float = 0.88) -> QFont:
    font = QFont(base)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    elif font.pixelSize() > 0:
        font.setPixelSize(max(8, round(font.pixelSize() * factor)))
    return font


class _Chart(QWidget):
    """What both charts share: an empty state with a line of text, and the colours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._empty_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)

    def set_empty_text(self, text: str) -> None:
        """What the chart says when it has nothing to draw."""
        self._empty_text = text
        self.update()

    def _colour(self, role: QPalette.ColorRole) -> QColor:
        return self.palette().color(role)

    def _text(self) -> QColor:
        return self._colour(QPalette.ColorRole.WindowText)

    def _muted(self) -> QColor:
        return self._colour(QPalette.ColorRole.PlaceholderText)

    def _accent(self) -> QColor:
        return self._colour(QPalette.ColorRole.Highlight)

    def _web(self) -> QColor:
        return _with_alpha(self._text(), 60)

    def _paint_empty(self, painter: QPainter) -> None:
        painter.setPen(self._muted())
        painter.drawText(QRectF(self.rect()).adjusted(8, 8, -8, -8),
                         int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                         self._empty_text)


# -- radar ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RadarAxis:
    """One spoke: a dimension's name, its score and max as shown, and the share (0–1)."""

    name: str
    score: str
    max: str
    share: float


class RadarChart(_Chart):
    """A spider chart: webs at 20–100 %, one spoke per dimension with its name and
    score, the centre's polygon filled and, dashed, a reference (the average of the
    graded centres). With fewer than three dimensions a radar means nothing: it draws
    one bar per dimension instead."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._axes: tuple[RadarAxis, ...] = ()
        self._average: tuple[float, ...] | None = None
        self.setAccessibleName(_("Dimension scores"))
        self.setMinimumSize(self.minimumSizeHint())

    def set_axes(self, axes: Sequence[RadarAxis],
                 average: Sequence[float] | None = None) -> None:
        self._axes = tuple(axes)
        self._average = tuple(average) if average is not None and len(average) == len(
            self._axes) else None
        self.setToolTip("\n".join(
            _("{name}: {score} of {max} ({share}%)").format(
                name=a.name, score=a.score, max=a.max, share=round(a.share * 100))
            for a in self._axes))
        self.update()

    def axes(self) -> tuple[RadarAxis, ...]:
        return self._axes

    def sizeHint(self) -> QSize:  # noqa: N802
        height = QFontMetricsF(self.font()).height()
        return QSize(round(height * 22), round(height * 17))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        height = QFontMetricsF(self.font()).height()
        return QSize(round(height * 15), round(height * 12))

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        height = QFontMetricsF(self.font()).height()
        return max(round(height * 12), min(round(width * 0.72), round(height * 21)))

    # -- painting ----------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        try:
            if not self._axes:
                self._paint_empty(painter)
            elif len(self._axes) < 3:
                self._paint_bars(painter)
            else:
                self._paint_radar(painter)
        finally:
            painter.end()

    def _legend_height(self) -> float:
        return QFontMetricsF(_small_font(self.font())).height() + 10

    def _label_lines(self, axis: RadarAxis, width: float) -> list[tuple[str, QFont, QColor]]:
        """The name (wrapped on two lines at most, elided after) and the figures."""
        font, small = self.font(), _small_font(self.font())
        metrics = QFontMetricsF(font)
        lines = _wrap(axis.name, metrics, width, 2)
        return ([(line, font, self._text()) for line in lines]
                + [(f"{axis.score} / {axis.max}", small, self._muted())])

    def _paint_radar(self, painter: QPainter) -> None:
        n = len(self._axes)
        area = QRectF(self.rect()).adjusted(6, 6, -6, -6 - self._legend_height())
        label_width = max(60.0, min(area.width() * 0.3, 160.0))
        labels = [self._label_lines(a, label_width) for a in self._axes]
        sizes = [_block_size(lines) for lines in labels]
        gap = 6.0
        angles = [2 * math.pi * i / n for i in range(n)]
        directions = [(math.sin(a), -math.cos(a)) for a in angles]   # y grows downwards

        def label_rect(i: int, radius: float) -> QRectF:
            dx, dy = directions[i]
            w, h = sizes[i]
            x, y = (radius + gap) * dx, (radius + gap) * dy
            if abs(dx) < 0.25:                    # at the top or bottom: centred
                return QRectF(x - w / 2, y - h if dy < 0 else y, w, h)
            top = y - h / 2 if abs(dy) < 0.5 else (y - h if dy < 0 else y) - dy * h * 0.25
            return QRectF(x if dx > 0 else x - w, top, w, h)

        def bounds(radius: float) -> QRectF:
            box = QRectF(-radius, -radius, 2 * radius, 2 * radius)
            for i in range(n):
                box = box.united(label_rect(i, radius))
            return box

        radius = min(area.width(), area.height()) / 2
        while radius > 24:
            box = bounds(radius)
            if box.width() <= area.width() and box.height() <= area.height():
                break
            radius -= 2
        box = bounds(radius)
        centre = QPointF(area.center().x() - box.center().x(),
                         area.center().y() - box.center().y())

        def point(i: int, share: float) -> QPointF:
            share = min(max(share, 0.0), 1.0)
            dx, dy = directions[i]
            return QPointF(centre.x() + radius * share * dx, centre.y() + radius * share * dy)

        web = self._web()
        for step in SCALE_STEPS:
            pen = QPen(web, 1.2 if step == 1.0 else 0.8)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPolygon(QPolygonF([point(i, step) for i in range(n)]))
        for i in range(n):
            painter.drawLine(centre, point(i, 1.0))
        if self._average is not None:
            pen = QPen(self._muted(), 1.5, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPolygon(QPolygonF([point(i, s) for i, s in enumerate(self._average)]))
        accent = self._accent()
        painter.setPen(QPen(accent, 2.0))
        painter.setBrush(_with_alpha(accent, 70))
        painter.drawPolygon(QPolygonF([point(i, a.share) for i, a in enumerate(self._axes)]))
        painter.setBrush(accent)
        painter.setPen(Qt.PenStyle.NoPen)
        dot = 3.0
        for i, a in enumerate(self._axes):
            painter.drawEllipse(point(i, a.share), dot, dot)
        # the scale, along the bisector of the first two spokes
        small = _small_font(self.font(), 0.78)
        painter.setFont(small)
        metrics = QFontMetricsF(small)
        middle = (angles[0] + angles[1]) / 2
        for step in (0.5, 1.0):
            d = radius * step * math.cos(math.pi / n)
            at = QPointF(centre.x() + d * math.sin(middle), centre.y() - d * math.cos(middle))
            text = f"{round(step * 100)}%"
            w = metrics.horizontalAdvance(text) + 4
            rect = QRectF(at.x() - w / 2, at.y() - metrics.height() / 2, w, metrics.height())
            painter.fillRect(rect, _with_alpha(self._colour(QPalette.ColorRole.Window), 200))
            painter.setPen(self._muted())
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
        for i, lines in enumerate(labels):
            rect = label_rect(i, radius).translated(centre)
            dx = directions[i][0]
            align = (Qt.AlignmentFlag.AlignHCenter if abs(dx) < 0.25
                     else Qt.AlignmentFlag.AlignLeft if dx > 0 else Qt.AlignmentFlag.AlignRight)
            _draw_block(painter, rect, lines, align)
        self._paint_legend(painter)

    def _paint_bars(self, painter: QPainter) -> None:
        area = QRectF(self.rect()).adjusted(8, 8, -8, -8)
        metrics = QFontMetricsF(self.font())
        name_w = min(area.width() * 0.35, max(metrics.horizontalAdvance(a.name)
                                              for a in self._axes) + 8)
        figure_w = max(QFontMetricsF(_small_font(self.font())).horizontalAdvance(
            f"{a.score} / {a.max}") for a in self._axes) + 8
        band = min(area.height() / len(self._axes), metrics.height() * 2.6)
        left, right = area.left() + name_w, area.right() - figure_w
        accent = self._accent()
        for i, a in enumerate(self._axes):
            top = area.top() + i * band
            bar = QRectF(left, top + band * 0.2, (right - left) * min(max(a.share, 0.0), 1.0),
                         band * 0.6)
            painter.setPen(QPen(accent, 1.5))
            painter.setBrush(_with_alpha(accent, 90))
            painter.drawRect(bar)
            painter.setPen(self._web())
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(left, bar.top(), right - left, bar.height()))
            painter.setPen(self._text())
            painter.setFont(self.font())
            painter.drawText(QRectF(area.left(), top, name_w - 8, band),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             metrics.elidedText(a.name, Qt.TextElideMode.ElideRight,
                                                name_w - 8))
            painter.setPen(self._muted())
            painter.setFont(_small_font(self.font()))
            painter.drawText(QRectF(right + 8, top, figure_w, band),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             f"{a.score} / {a.max}")

    def _paint_legend(self, painter: QPainter) -> None:
        small = _small_font(self.font())
        metrics = QFontMetricsF(small)
        items = [("fill", _("This centre"))]
        if self._average is not None:
            items.append(("dash", _("Average of the graded centres")))
        sample = metrics.height() * 1.2
        widths = [sample + 6 + metrics.horizontalAdvance(t) for _k, t in items]
        total = sum(widths) + 18 * (len(items) - 1)
        x = max(4.0, (self.width() - total) / 2)
        y = self.height() - self._legend_height() / 2 - 2
        painter.setFont(small)
        accent = self._accent()
        for (kind, text), width in zip(items, widths, strict=True):
            if kind == "fill":
                painter.setPen(QPen(accent, 1.5))
                painter.setBrush(_with_alpha(accent, 70))
                painter.drawRect(QRectF(x, y - metrics.height() * 0.3, sample,
                                        metrics.height() * 0.6))
            else:
                painter.setPen(QPen(self._muted(), 1.5, Qt.PenStyle.DashLine))
                painter.drawLine(QPointF(x, y), QPointF(x + sample, y))
            painter.setPen(self._text())
            painter.drawText(QRectF(x + sample + 6, y - metrics.height() / 2,
                                    width - sample - 6, metrics.height()),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             text)
            x += width + 18


def _wrap(text: str, metrics: QFontMetricsF, width: float, max_lines: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (between words, or between any
    two characters for Chinese), eliding the last line."""
    lines: list[str] = []
    rest = text.strip()
    while rest and len(lines) < max_lines - 1:
        if metrics.horizontalAdvance(rest) <= width:
            break
        cut = len(rest)
        while cut > 1 and metrics.horizontalAdvance(rest[:cut]) > width:
            cut -= 1
        space = rest.rfind(" ", 0, cut + 1)
        if space > 0:
            cut = space
        lines.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return lines


def _block_size(lines: Sequence[tuple[str, QFont, QColor]]) -> tuple[float, float]:
    width = height = 0.0
    for text, font, _colour in lines:
        metrics = QFontMetricsF(font)
        width = max(width, metrics.horizontalAdvance(text))
        height += metrics.height()
    return width + 2, height


def _draw_block(painter: QPainter, rect: QRectF, lines: Sequence[tuple[str, QFont, QColor]],
                align: Qt.AlignmentFlag) -> None:
    y = rect.top()
    for text, font, colour in lines:
        metrics = QFontMetricsF(font)
        painter.setFont(font)
        painter.setPen(colour)
        painter.drawText(QRectF(rect.left(), y, rect.width(), metrics.height()),
                         int(align | Qt.AlignmentFlag.AlignVCenter), text)
        y += metrics.height()


# -- spread of the expert totals ---------------------------------------------------------
@dataclass(frozen=True)
class SpreadDot:
    """One expert's total: who (for the tooltip), the value and the value as shown."""

    who: str
    value: float
    text: str


@dataclass(frozen=True)
class SpreadMarker:
    """A line across the strip (mean, median, final score), in a ``theme`` tone."""

    label: str            # with its figure, e.g. "Mean 92.47"
    value: float
    tone: str
    dashed: bool = False


class SpreadChart(_Chart):
    """The expert totals as a strip of dots (stacked where they meet) on an axis zoomed
    to where they lie, the lowest–highest band behind them, the grade boundaries that
    fall in view, and marker lines (mean, median …) named in a legend below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._dots: tuple[SpreadDot, ...] = ()
        self._markers: tuple[SpreadMarker, ...] = ()
        self._bounds: tuple[tuple[str, float], ...] = ()
        self._full = 100.0
        self._placed: list[tuple[QPointF, SpreadDot]] = []
        self.setAccessibleName(_("Spread of the expert totals"))
        self.setMouseTracking(False)
        self.setMinimumSize(self.minimumSizeHint())

    def set_data(self, dots: Sequence[SpreadDot], markers: Sequence[SpreadMarker] = (),
                 bounds: Sequence[tuple[str, float]] = (), full: float = 100.0) -> None:
        """``bounds``: grade boundaries (label, lowest score); ``full``: the most points."""
        self._dots = tuple(sorted(dots, key=lambda d: d.value))
        self._markers = tuple(markers)
        self._bounds = tuple(bounds)
        self._full = full
        self.setToolTip("")
        self.updateGeometry()
        self.update()

    def dots(self) -> tuple[SpreadDot, ...]:
        return self._dots

    def markers(self) -> tuple[SpreadMarker, ...]:
        return self._markers

    def sizeHint(self) -> QSize:  # noqa: N802
        height = QFontMetricsF(self.font()).height()
        return QSize(round(height * 24), round(height * 9.5))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        height = QFontMetricsF(self.font()).height()
        return QSize(round(height * 14), round(height * 8))

    def axis_range(self) -> tuple[float, float, float]:
        """(lowest, highest, tick step) of the axis: the data with some room, on round
        figures, within 0 … full."""
        values = [d.value for d in self._dots] + [m.value for m in self._markers]
        low, high = min(values), max(values)
        pad = max((high - low) * 0.12, self._full * 0.02)
        low, high = max(0.0, low - pad), min(self._full, high + pad)
        metrics = QFontMetricsF(self.font())
        room = max(2, int(self.width() / (metrics.horizontalAdvance("000.0") * 2.2)))
        step = next((s for s in (0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000)
                     if (high - low) / s <= room), (high - low) / room or 1.0)
        low = max(0.0, math.floor(low / step) * step)
        high = max(low + step, math.ceil(high / step) * step)
        return low, high, step

    # -- painting ------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        try:
            if self._dots:
                self._paint_strip(painter)
            else:
                self._placed = []
                self._paint_empty(painter)
        finally:
            painter.end()

    def _legend_rows(self, metrics: QFontMetricsF, width: float
                     ) -> list[list[tuple[SpreadMarker | None, str, float]]]:
        sample = metrics.height() * 1.4
        items: list[tuple[SpreadMarker | None, str]] = [(None, _("Expert total"))]
        items += [(m, m.label) for m in self._markers]
        rows: list[list[tuple[SpreadMarker | None, str, float]]] = [[]]
        used = 0.0
        for marker, text in items:
            w = sample + 5 + metrics.horizontalAdvance(text)
            if rows[-1] and used + w > width:
                rows.append([])
                used = 0.0
            rows[-1].append((marker, text, w))
            used += w + 16
        return rows

    def _paint_strip(self, painter: QPainter) -> None:
        font, small = self.font(), _small_font(self.font())
        metrics, small_metrics = QFontMetricsF(font), QFontMetricsF(small)
        area = QRectF(self.rect()).adjusted(10, 4, -10, -4)
        legend = self._legend_rows(small_metrics, area.width())
        legend_h = len(legend) * (small_metrics.height() + 2) + 4
        axis_y = area.bottom() - legend_h - small_metrics.height() - 6
        top = area.top() + small_metrics.height() + 2       # below the boundary labels
        low, high, step = self.axis_range()
        left, right = area.left() + 4, area.right() - 4

        def x_of(value: float) -> float:
            share = (value - low) / (high - low) if high > low else 0.5
            return left + (right - left) * min(max(share, 0.0), 1.0)

        text, muted, web, accent = self._text(), self._muted(), self._web(), self._accent()
        # grade boundaries in view
        painter.setFont(small)
        ends: list[float] = []
        for label, value in sorted(self._bounds, key=lambda b: b[1]):
            if not low < value < high:
                continue
            x = x_of(value)
            pen = QPen(web, 1.0, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(QPointF(x, top), QPointF(x, axis_y))
            caption = f"{label} ≥ {value:g}"
            w = small_metrics.horizontalAdvance(caption)
            tx = min(max(x - w / 2, left), right - w)
            if ends and tx < ends[-1] + 4:
                continue
            ends.append(tx + w)
            painter.setPen(muted)
            painter.drawText(QRectF(tx, area.top(), w + 1, small_metrics.height()),
                             int(Qt.AlignmentFlag.AlignCenter), caption)
        # the axis, its ticks and figures
        pen = QPen(muted, 1.0)
        painter.setPen(pen)
        painter.drawLine(QPointF(left, axis_y), QPointF(right, axis_y))
        tick = low
        while tick <= high + step / 1000:
            x = x_of(tick)
            painter.setPen(pen)
            painter.drawLine(QPointF(x, axis_y), QPointF(x, axis_y + 4))
            caption = f"{tick:g}"
            w = small_metrics.horizontalAdvance(caption)
            painter.drawText(QRectF(x - w / 2 - 2, axis_y + 5, w + 4, small_metrics.height()),
                             int(Qt.AlignmentFlag.AlignCenter), caption)
            tick += step
        # dots, stacked upwards where they would touch
        radius = max(3.5, metrics.height() * 0.26)
        base = axis_y - radius - 6
        placed: list[tuple[QPointF, SpreadDot]] = []
        for dot in self._dots:
            at = QPointF(x_of(dot.value), base)
            while any(abs(at.x() - p.x()) < 2 * radius and abs(at.y() - p.y()) < 2 * radius
                      for p, _d in placed):
                at.setY(at.y() - 2 * radius * 0.9)
            placed.append((at, dot))
        highest = min(p.y() for p, _d in placed) - radius - 4
        band_top = max(top + 2, min(highest, base - radius * 2.5))
        low_x, high_x = x_of(self._dots[0].value), x_of(self._dots[-1].value)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_with_alpha(accent, 40))
        painter.drawRoundedRect(QRectF(low_x - radius - 2, band_top, high_x - low_x
                                       + 2 * radius + 4, axis_y - band_top - 2), 3, 3)
        for marker in self._markers:
            x = x_of(marker.value)
            colour = theme.tone_colour(marker.tone, self.palette())
            pen = QPen(colour, 2.0, Qt.PenStyle.DashLine if marker.dashed
                       else Qt.PenStyle.SolidLine)
            painter.setPen(pen)
            painter.drawLine(QPointF(x, top), QPointF(x, axis_y))
        window = self._colour(QPalette.ColorRole.Base)
        for at, _dot in placed:
            painter.setPen(QPen(window, 1.0))
            painter.setBrush(text)
            painter.drawEllipse(at, radius, radius)
        self._placed = [(QPointF(p), d) for p, d in placed]
        # the legend
        y = axis_y + small_metrics.height() + 10
        sample = small_metrics.height() * 1.4
        painter.setFont(small)
        for row in legend:
            total = sum(w for _m, _t, w in row) + 16 * (len(row) - 1)
            x = max(area.left(), area.center().x() - total / 2)
            middle = y + small_metrics.height() / 2
            for marker, caption, w in row:
                if marker is None:
                    painter.setPen(QPen(window, 1.0))
                    painter.setBrush(text)
                    painter.drawEllipse(QPointF(x + sample / 2, middle), radius * 0.9,
                                        radius * 0.9)
                else:
                    colour = theme.tone_colour(marker.tone, self.palette())
                    painter.setPen(QPen(colour, 2.0, Qt.PenStyle.DashLine if marker.dashed
                                        else Qt.PenStyle.SolidLine))
                    painter.drawLine(QPointF(x, middle), QPointF(x + sample, middle))
                painter.setPen(text)
                painter.drawText(QRectF(x + sample + 5, y, w - sample - 5 + 1,
                                        small_metrics.height()),
                                 int(Qt.AlignmentFlag.AlignLeft
                                     | Qt.AlignmentFlag.AlignVCenter), caption)
                x += w + 16
            y += small_metrics.height() + 2

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tip = self.tip_at(QPointF(event.pos()))
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def tip_at(self, pos: QPointF) -> str:
        """The expert and total of the dot under ``pos`` (as last painted), if any."""
        reach = max(6.0, QFontMetricsF(self.font()).height() * 0.4)
        near = [(math.hypot(p.x() - pos.x(), p.y() - pos.y()), d) for p, d in self._placed]
        near = [(dist, d) for dist, d in near if dist <= reach]
        if not near:
            return ""
        dot = min(near, key=lambda item: item[0])[1]
        return _("{who}: {total}").format(who=dot.who, total=dot.text)
