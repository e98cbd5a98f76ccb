"""The look: Fusion with a light or dark palette that follows the system colour scheme,
the bundled CJK font, and SVG icons drawn in the palette's text colour at any size.

Colours live here and nowhere else (forms carry none), so a dark system gets a dark
window without a single form knowing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QPoint, QRect, QSize, Qt, Slot
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

from cmrc_desktop.paths import resources_dir

FONT_FILE = "wqy-microhei.ttf"
FONT_FAMILY_FALLBACK = "WenQuanYi Micro Hei"
STYLE = "Fusion"

# accent of the application icon; used sparingly (selection, links)
ACCENT_LIGHT = "#1a7a72"
ACCENT_DARK = "#3fb5aa"


def icons_dir() -> Path:
    return resources_dir() / "icons"


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


# -- font -------------------------------------------------------------------------------
_registered_family: str | None = None


def register_bundled_font(app: QApplication) -> str | None:
    """Register WenQuanYi Micro Hei and make it the fallback of the application font, so
    Chinese renders on a machine with no Chinese font; returns its family name."""
    global _registered_family
    if _registered_family is None:
        font_id = QFontDatabase.addApplicationFont(str(fonts_dir() / FONT_FILE))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        _registered_family = families[0] if families else ""
    if not _registered_family:
        return None
    font = QFont(app.font())
    families = [f for f in font.families() if f != _registered_family] or [font.family()]
    font.setFamilies([*families, _registered_family])
    app.setFont(font)
    return _registered_family


# -- palette ----------------------------------------------------------------------------
def is_dark(app: QGuiApplication) -> bool:
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def light_palette() -> QPalette:
    palette = QStyleFactory.create(STYLE).standardPalette()
    _accent(palette, QColor(ACCENT_LIGHT), QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f4f6f6"))
    palette.setColor(QPalette.ColorRole.Window, QColor("#f3f4f4"))
    palette.setColor(QPalette.ColorRole.Button, QColor("#f3f4f4"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#80868b"))
    return palette


def dark_palette() -> QPalette:
    p = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    colours = {
        role.Window: "#26292b", role.WindowText: "#e6e8e9", role.Base: "#1c1e20",
        role.AlternateBase: "#232628", role.ToolTipBase: "#33373a",
        role.ToolTipText: "#e6e8e9", role.PlaceholderText: "#8a9094", role.Text: "#e6e8e9",
        role.Button: "#2e3234", role.ButtonText: "#e6e8e9", role.BrightText: "#ff6b6b",
        role.Light: "#3a3f42", role.Midlight: "#33373a", role.Mid: "#202325",
        role.Dark: "#141617", role.Shadow: "#000000", role.Link: ACCENT_DARK,
        role.LinkVisited: "#7fcfc7",
    }
    for r, c in colours.items():
        p.setColor(r, QColor(c))
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group.Disabled, r, QColor("#7a8084"))
    p.setColor(group.Disabled, role.Base, QColor("#232628"))
    _accent(p, QColor("#2a8c83"), QColor("#ffffff"))
    return p


def _accent(palette: QPalette, highlight: QColor, text: QColor) -> None:
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.Highlight, highlight)
        palette.setColor(group, QPalette.ColorRole.HighlightedText, text)
        palette.setColor(group, QPalette.ColorRole.Accent, highlight)
    palette.setColor(QPalette.ColorRole.Link, highlight)


class ThemeFollower(QObject):
    """Applies the palette for the system colour scheme now and whenever it changes."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        app.styleHints().colorSchemeChanged.connect(self._on_style_hints_color_scheme_changed)
        self.apply()

    def apply(self, scheme: Qt.ColorScheme | None = None) -> None:
        """The palette for ``scheme`` (by default the system's of the moment)."""
        dark = scheme == Qt.ColorScheme.Dark if scheme is not None else is_dark(self._app)
        self._app.setPalette(dark_palette() if dark else light_palette())

    @Slot(Qt.ColorScheme)
    def _on_style_hints_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        self.apply(scheme)


def apply_theme(app: QApplication) -> ThemeFollower:
    app.setStyle(STYLE)
    follower = app.findChild(ThemeFollower)
    if follower is None:
        follower = ThemeFollower(app)
    else:
        follower.apply()
    return follower


# -- icons ------------------------------------------------------------------------------
@cache
def _svg_text(name: str) -> str:
    return (icons_dir() / f"{name}.svg").read_text("utf-8")


class SvgIconEngine(QIconEngine):
    """Draws an SVG whose strokes are ``currentColor`` in the palette's text colour of the
    moment (so icons follow light and dark), sharp at every size and pixel ratio."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    def _renderer(self, mode: QIcon.Mode) -> QSvgRenderer:
        palette = QGuiApplication.palette()
        group = (QPalette.ColorGroup.Disabled if mode == QIcon.Mode.Disabled
                 else QPalette.ColorGroup.Active)
        role = (QPalette.ColorRole.HighlightedText if mode == QIcon.Mode.Selected
                else QPalette.ColorRole.WindowText)
        colour = palette.color(group, role).name()
        svg = _svg_text(self._name).replace("currentColor", colour)
        return QSvgRenderer(QByteArray(svg.encode("utf-8")))

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode,
              state: QIcon.State) -> None:
        self._renderer(mode).render(painter, rect)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State,
                     scale: float) -> QPixmap:
        pixmap = QPixmap(size * scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self._renderer(mode).render(painter, QRect(QPoint(0, 0), pixmap.size()))
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def clone(self) -> QIconEngine:
        return SvgIconEngine(self._name)

    def key(self) -> str:
        return "cmrc-svg"

    def iconName(self) -> str:
        return self._name


def icon(name: str) -> QIcon:
    """A themed icon from ``resources/icons/<name>.svg``."""
    return QIcon(SvgIconEngine(name))


def app_icon() -> QIcon:
    """The application icon keeps its own colours."""
    return QIcon(str(icons_dir() / "app.svg"))


# -- text roles -------------------------------------------------------------------------
def heading_font(base: QFont, factor: float = 1.45) -> QFont:
    font = QFont(base)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    elif font.pixelSize() > 0:
        font.setPixelSize(round(font.pixelSize() * factor))
    font.setBold(True)
    return font


def error_colour(palette: QPalette) -> QColor:
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return QColor("#ff8a80" if dark else "#b3261e")


def set_muted(widget: QWidget) -> None:
    """Secondary text: the palette's placeholder colour, light or dark."""
    widget.setForegroundRole(QPalette.ColorRole.PlaceholderText)


def set_error(widget: QWidget) -> None:
    """Error text in the error colour of the current palette."""
    palette = QPalette(widget.palette())
    palette.setColor(QPalette.ColorRole.WindowText, error_colour(QGuiApplication.palette()))
    widget.setPalette(palette)


# -- status tones -----------------------------------------------------------------------
IDLE, ACTIVE, INFO, GOOD, BAD = "idle", "active", "info", "good", "bad"
_TONES = {  # tone: (light, dark)
    IDLE: ("#9aa0a6", "#80868b"),
    ACTIVE: ("#d89200", "#ffca28"),
    INFO: ("#1e6fd9", "#64b5f6"),
    GOOD: ("#2e7d32", "#66bb6a"),
    BAD: ("#c62828", "#ef5350"),
}
_dots: dict[tuple[str, bool], QIcon] = {}


def tone_colour(tone: str, palette: QPalette | None = None) -> QColor:
    palette = palette or QGuiApplication.palette()
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    light_c, dark_c = _TONES.get(tone, _TONES[IDLE])
    return QColor(dark_c if dark else light_c)


def dot_icon(tone: str) -> QIcon:
    """A small filled circle in the colour of a status tone (for table cells)."""
    palette = QGuiApplication.palette()
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    key = (tone, dark)
    if key not in _dots:
        icon = QIcon()
        for scale in (1, 2, 3):
            pixmap = QPixmap(QSize(16, 16) * scale)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(tone_colour(tone, palette))
            painter.drawEllipse(QRect(4 * scale, 4 * scale, 8 * scale, 8 * scale))
            painter.end()
            pixmap.setDevicePixelRatio(scale)
            icon.addPixmap(pixmap)
        _dots[key] = icon
    return _dots[key]
