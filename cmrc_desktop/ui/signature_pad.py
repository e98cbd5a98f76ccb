"""A pad for the expert's hand-written signature: mouse, pen (tablet) or finger.

Strokes are kept in the pad's own *logical* canvas of ``CANVAS`` (360 × 120), whatever
the size of the widget, so the drawing survives a resize and renders sharply at any
scale. A stroke is a list of points with a pressure (0–1; a mouse gives ``MOUSE_PRESSURE``);
it is drawn smoothly (quadratic curves through the midpoints of the points, as a pen
would leave it) with a width that follows the pressure.

``to_png()`` gives the drawing on a transparent background, cropped to the ink with a
margin, in a dark ink whatever the screen's colours (it is printed on white paper):
the image that goes into the signed xlsx and pdf.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QPointF,
    QRectF,
    QSize,
    QSizeF,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPointingDevice,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from cmrc_desktop.i18n import _

CANVAS = QSizeF(360.0, 120.0)     # the logical canvas; the widget shows it scaled
PEN_WIDTH = 2.6                   # logical width of a stroke at pressure 0.5
MOUSE_PRESSURE = 0.5
MIN_STEP = 0.6                    # logical distance below which a new point is noise
PNG_SCALE = 3.0                   # image pixels per logical unit (sharp when printed)
PNG_MARGIN = 6.0                  # logical margin around the ink
INK = QColor(16, 24, 64)          # blue-black: the signature as printed on the sheet


@dataclass(frozen=True)
class InkPoint:
    x: float
    y: float
    pressure: float = MOUSE_PRESSURE

    def point(self) -> QPointF:
        return QPointF(self.x, self.y)


Stroke = tuple[InkPoint, ...]


def _width(pressure: float) -> float:
    return PEN_WIDTH * (0.45 + 1.1 * max(0.0, min(1.0, pressure)))


def _mid(a: InkPoint, b: InkPoint) -> InkPoint:
    return InkPoint((a.x + b.x) / 2, (a.y + b.y) / 2, (a.pressure + b.pressure) / 2)


def paint_strokes(painter: QPainter, strokes: Iterable[Sequence[InkPoint]],
                  colour: QColor) -> None:
    """Draw strokes (logical coordinates; the painter maps them) smoothly: each piece
    is a quadratic curve from one midpoint to the next with the point between as its
    control, in a width that follows the pressure there."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for stroke in strokes:
        if not stroke:
            continue
        if len(stroke) == 1:       # a dot (an i's dot, a full stop)
            p = stroke[0]
            r = _width(p.pressure) / 2
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawEllipse(p.point(), r, r)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            continue
        start = stroke[0]
        for i in range(1, len(stroke)):
            control = stroke[i - 1]
            end = _mid(control, stroke[i]) if i < len(stroke) - 1 else stroke[i]
            path = QPainterPath(start.point())
            if i == 1:
                path.lineTo(end.point())
            else:
                path.quadTo(control.point(), end.point())
            pen = QPen(colour, _width(control.pressure), Qt.PenStyle.SolidLine,
                       Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            painter.drawPath(path)
            start = end


def ink_bounds(strokes: Iterable[Sequence[InkPoint]]) -> QRectF:
    """The logical rectangle the ink covers (empty for no strokes)."""
    rect = QRectF()
    for stroke in strokes:
        for p in stroke:
            r = _width(p.pressure) / 2 + 0.5
            rect = rect.united(QRectF(p.x - r, p.y - r, 2 * r, 2 * r))
    return rect


class SignaturePad(QWidget):
    """The drawing surface. ``clear()``, ``undo()`` (last stroke), ``is_empty()``,
    ``to_png()``; ``strokes()`` and ``add_stroke(points)`` in logical coordinates.
    ``undo_action`` (Ctrl+Z while the pad has the focus) and ``clear_action`` may be
    put on buttons or in a menu.

    Signals:
        changed() — a stroke was finished, undone, or the pad was cleared
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strokes: list[Stroke] = []
        self._current: list[InkPoint] | None = None
        self._device: str = ""           # "mouse", "tablet" or "touch" while drawing
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(_("Signature pad"))
        self.setToolTip(_("Sign here with the mouse, a pen or a finger"))
        self.placeholder = _("Sign here")
        self.undo_action = QAction(_("Undo stroke"), self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.undo_action.triggered.connect(self.undo)
        self.clear_action = QAction(_("Clear"), self)
        self.clear_action.triggered.connect(self.clear)
        self.addAction(self.undo_action)
        self._update_actions()

    # -- public --------------------------------------------------------------------------
    def is_empty(self) -> bool:
        return not self._strokes

    def strokes(self) -> list[Stroke]:
        return list(self._strokes)

    def add_stroke(self, points: Iterable[InkPoint | tuple[float, float]
                                          | tuple[float, float, float]]) -> None:
        """Add a finished stroke given in logical coordinates (a script, a test)."""
        stroke = tuple(p if isinstance(p, InkPoint) else InkPoint(*p) for p in points)
        if stroke:
            self._strokes.append(stroke)
            self._finished()

    def clear(self) -> None:
        if self._strokes or self._current:
            self._strokes.clear()
            self._current = None
            self._finished()

    def undo(self) -> None:
        """Take back the last stroke."""
        if self._current:
            self._current = None
            self.update()
        elif self._strokes:
            self._strokes.pop()
            self._finished()

    def to_png(self, scale: float = PNG_SCALE) -> bytes:
        """The signature as PNG bytes: transparent background, dark ink, cropped to the
        ink with a margin; ``b""`` when nothing is drawn."""
        if not self._strokes:
            return b""
        canvas = QRectF(0, 0, CANVAS.width(), CANVAS.height())
        box = ink_bounds(self._strokes).adjusted(-PNG_MARGIN, -PNG_MARGIN,
                                                 PNG_MARGIN, PNG_MARGIN)
        box = box.intersected(canvas.adjusted(-PNG_MARGIN, -PNG_MARGIN,
                                              PNG_MARGIN, PNG_MARGIN))
        size = QSize(max(1, round(box.width() * scale)), max(1, round(box.height() * scale)))
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        dots_per_metre = round(96 * scale / 0.0254)   # 96 dpi per logical unit
        image.setDotsPerMeterX(dots_per_metre)
        image.setDotsPerMeterY(dots_per_metre)
        painter = QPainter(image)
        painter.scale(scale, scale)
        painter.translate(-box.topLeft())
        paint_strokes(painter, self._strokes, INK)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        return bytes(data.data())

    # -- geometry ------------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(round(CANVAS.width() * 1.25), round(CANVAS.height() * 1.25))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(round(CANVAS.width() * 0.6), round(CANVAS.height() * 0.8))

    def _canvas_rect(self) -> QRectF:
        """Where the logical canvas is shown: the largest 3:1 rectangle, centred."""
        inner = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        ratio = CANVAS.width() / CANVAS.height()
        width = min(inner.width(), inner.height() * ratio)
        height = width / ratio
        return QRectF(inner.center().x() - width / 2, inner.center().y() - height / 2,
                      width, height)

    def _scale(self) -> float:
        rect = self._canvas_rect()
        return rect.width() / CANVAS.width() if rect.width() > 0 else 1.0

    def _to_logical(self, pos: QPointF) -> QPointF:
        """Widget to logical coordinates, kept inside the canvas."""
        rect = self._canvas_rect()
        scale = self._scale()
        x = (pos.x() - rect.left()) / scale
        y = (pos.y() - rect.top()) / scale
        return QPointF(min(max(x, 0.0), CANVAS.width()), min(max(y, 0.0), CANVAS.height()))

    # -- drawing -------------------------------------------------------------------------
    def _begin(self, pos: QPointF, pressure: float, device: str) -> None:
        p = self._to_logical(pos)
        self._device = device
        self._current = [InkPoint(p.x(), p.y(), pressure)]
        self.update()

    def _extend(self, pos: QPointF, pressure: float) -> None:
        if self._current is None:
            return
        p = self._to_logical(pos)
        last = self._current[-1]
        if abs(p.x() - last.x) + abs(p.y() - last.y) < MIN_STEP:
            return
        self._current.append(InkPoint(p.x(), p.y(), pressure))
        self.update()

    def _end(self, pos: QPointF | None = None, pressure: float = MOUSE_PRESSURE) -> None:
        if self._current is None:
            return
        if pos is not None:
            self._extend(pos, pressure)
        self._strokes.append(tuple(self._current))
        self._current = None
        self._device = ""
        self._finished()

    def _cancel(self) -> None:
        self._current = None
        self._device = ""
        self.update()

    def _finished(self) -> None:
        self._update_actions()
        self.update()
        self.changed.emit()

    def _update_actions(self) -> None:
        self.undo_action.setEnabled(bool(self._strokes))
        self.clear_action.setEnabled(bool(self._strokes))

    # -- mouse ---------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton or self._device not in ("", "mouse"):
            event.ignore()
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._begin(event.position(), MOUSE_PRESSURE, "mouse")
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._device == "mouse":
            self._extend(event.position(), MOUSE_PRESSURE)
            event.accept()
        else:
            event.ignore()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._device == "mouse" and event.button() == Qt.MouseButton.LeftButton:
            self._end(event.position())
            event.accept()
        else:
            event.ignore()

    # -- pen -----------------------------------------------------------------------------
    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802
        """A pen: pressure sets the width; the eraser end takes back the last stroke."""
        kind = event.type()
        eraser = event.pointerType() == QPointingDevice.PointerType.Eraser
        pressure = event.pressure() if event.pressure() > 0 else MOUSE_PRESSURE
        if kind == QEvent.Type.TabletPress:
            if eraser:
                self.undo()
            elif self._device in ("", "tablet"):
                self.setFocus(Qt.FocusReason.MouseFocusReason)
                self._begin(event.position(), pressure, "tablet")
        elif kind == QEvent.Type.TabletMove and self._device == "tablet":
            self._extend(event.position(), pressure)
        elif kind == QEvent.Type.TabletRelease and self._device == "tablet":
            self._end(event.position(), pressure)
        event.accept()   # no mouse events synthesised from the pen

    # -- touch ---------------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd,
                    QEvent.Type.TouchCancel):
            self._touch(event)  # type: ignore[arg-type]
            return True
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> None:
        """One finger draws; a second finger on the pad is ignored."""
        kind = event.type()
        if kind == QEvent.Type.TouchCancel:
            if self._device == "touch":
                self._cancel()
            event.accept()
            return
        points = event.points()
        if not points:
            event.accept()
            return
        point = points[0]
        pressure = point.pressure() if 0 < point.pressure() < 1 else MOUSE_PRESSURE
        if kind == QEvent.Type.TouchBegin and self._device in ("", "touch"):
            self._begin(point.position(), pressure, "touch")
        elif kind == QEvent.Type.TouchUpdate and self._device == "touch":
            self._extend(point.position(), pressure)
        elif kind == QEvent.Type.TouchEnd and self._device == "touch":
            self._end(point.position(), pressure)
        event.accept()

    # -- painting ------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        border = palette.color(QPalette.ColorRole.Highlight) if self.hasFocus() \
            else palette.color(QPalette.ColorRole.Mid)
        painter.setPen(QPen(border, 1.0))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(frame, 6, 6)

        rect = self._canvas_rect()
        scale = self._scale()
        # the line to sign on, a quarter from the bottom, and a cross at its start
        guide = palette.color(QPalette.ColorRole.PlaceholderText)
        line_y = rect.top() + rect.height() * 0.74
        painter.setPen(QPen(guide, 1.0, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(rect.left() + 18, line_y), QPointF(rect.right() - 18, line_y))
        painter.setPen(QPen(guide, 1.4))
        x0 = rect.left() + 26
        painter.drawLine(QPointF(x0 - 5, line_y - 11), QPointF(x0 + 5, line_y - 1))
        painter.drawLine(QPointF(x0 + 5, line_y - 11), QPointF(x0 - 5, line_y - 1))
        if not self._strokes and not self._current:
            painter.setPen(guide)
            painter.drawText(QRectF(rect.left(), line_y + 4, rect.width(),
                                    rect.bottom() - line_y), Qt.AlignmentFlag.AlignCenter,
                             self.placeholder)

        painter.save()
        painter.translate(rect.topLeft())
        painter.scale(scale, scale)
        ink = palette.color(QPalette.ColorRole.Text)
        strokes: list[Sequence[InkPoint]] = list(self._strokes)
        if self._current:
            strokes.append(self._current)
        paint_strokes(painter, strokes, ink)
        painter.restore()
        painter.end()
