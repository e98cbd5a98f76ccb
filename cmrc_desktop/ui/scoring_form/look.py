"""Text roles of the scoring form (muted, error, saved) drawn from the palette of the
moment, so light and dark both read well; fonts scaled from the application font."""

from __future__ import annotations

from enum import Enum

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QWidget


class Tone(Enum):
    NORMAL = "normal"
    MUTED = "muted"
    ERROR = "error"
    SAVED = "saved"
    WARNING = "warning"


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def colour(palette: QPalette, tone: Tone) -> QColor:
    dark = _is_dark(palette)
    if tone is Tone.MUTED:
        return palette.color(QPalette.ColorRole.PlaceholderText)
    if tone is Tone.ERROR:
        return QColor("#ff8a80" if dark else "#b3261e")
    if tone is Tone.WARNING:
        return QColor("#ffb74d" if dark else "#9a5b00")
    if tone is Tone.SAVED:
        return palette.color(QPalette.ColorRole.Link)
    return palette.color(QPalette.ColorRole.WindowText)


def set_tone(widget: QWidget, tone: Tone) -> None:
    """Colour a label's text; remembered in a property so a palette change can redo it."""
    widget.setProperty("cmrc_tone", tone.value)
    palette = QPalette(widget.palette())
    palette.setColor(QPalette.ColorRole.WindowText, colour(widget.palette(), tone))
    widget.setPalette(palette)


def reapply_tones(root: QWidget) -> None:
    """After the application palette changed (light ↔ dark)."""
    for widget in [root, *root.findChildren(QWidget)]:
        tone = widget.property("cmrc_tone")
        if tone:
            widget.setPalette(QPalette())
            set_tone(widget, Tone(tone))


def scaled_font(base: QFont, factor: float, *, bold: bool = False) -> QFont:
    font = QFont(base)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    elif font.pixelSize() > 0:
        font.setPixelSize(round(font.pixelSize() * factor))
    font.setBold(bold)
    return font
