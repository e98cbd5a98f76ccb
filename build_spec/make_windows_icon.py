"""Render ``resources/icons/app.svg`` into ``build_spec/windows/cmrc.ico`` (16–256 px),
the icon of ``cmrc.exe`` and of ``.cmrcpkg`` files on Windows.

    QT_QPA_PLATFORM=offscreen python build_spec/make_windows_icon.py
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
SVG = HERE.parent / "resources" / "icons" / "app.svg"
ICO = HERE / "windows" / "cmrc.ico"


def main() -> None:
    app = QGuiApplication([])  # noqa: F841 (QImage painting needs one)
    renderer = QSvgRenderer(str(SVG))
    image = QImage(256, 256, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    if not image.save(str(ICO), "ICO"):
        raise SystemExit(f"could not write {ICO}")
    print(f"wrote {ICO}")


if __name__ == "__main__":
    main()
