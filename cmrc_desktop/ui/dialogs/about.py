"""The About box: version, the Qt it runs on, and the licences of what ships with it."""

from __future__ import annotations

import html
import re
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QSize, Qt, qVersion
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QDialog, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from cmrc_desktop import __version__
from cmrc_desktop.i18n import _
from cmrc_desktop.paths import resources_dir
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.forms.ui_about_dialog import Ui_AboutDialog

FONT_LICENCE = Path("fonts") / "LICENSE-wqy-microhei.txt"
LGPL = Path("licences") / "LGPL-3.0.txt"
GPL = Path("licences") / "GPL-3.0.txt"
_URL = re.compile(r"(https?://[^\s;,，；）)]+)")


def _linked(text: str) -> str:
    """Plain text as rich text with its web addresses as links."""
    return _URL.sub(r'<a href="\1">\1</a>', html.escape(text, quote=False))


def _read(relative: Path) -> str:
    try:
        return (resources_dir() / relative).read_text("utf-8")
    except OSError as exc:
        return _("The licence file {file} is missing: {reason}").format(
            file=relative.as_posix(), reason=exc.strerror)


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_AboutDialog()
        self.ui.setupUi(self)
        self.ui.icon_label.setPixmap(theme.app_icon().pixmap(QSize(64, 64)))
        title_font = QFont(self.ui.title_label.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.6)
        title_font.setBold(True)
        self.ui.title_label.setFont(title_font)
        self.ui.version_label.setText(
            _("Version {version} · Qt {qt} · PySide6 {pyside}").format(
                version=__version__, qt=qVersion(), pyside=pyside_version))
        self._add_tab(_("WenQuanYi Micro Hei font"), _read(FONT_LICENCE))
        self._add_tab(_("Qt for Python (PySide6)"), _read(LGPL), notice=self._qt_notice())
        self._add_tab(_("GNU GPL v3"), _read(GPL))

    def _qt_notice(self) -> str:
        notice = _("This program uses Qt {qt} through Qt for Python (PySide6 {pyside}), "
                   "used under the GNU Lesser General Public License version 3 (below; it "
                   "adds to the GNU GPL version 3 in the next tab). Qt is © The Qt Company "
                   "Ltd. and other contributors. The source code of Qt and PySide6 is "
                   "available from https://code.qt.io/ and https://download.qt.io/; you "
                   "may replace the Qt libraries this program uses with a modified "
                   "version.").format(qt=qVersion(), pyside=pyside_version)
        return notice

    def _add_tab(self, title: str, text: str, *, notice: str = "") -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        if notice:
            label = QLabel(_linked(notice), page)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
            label.setOpenExternalLinks(True)
            layout.addWidget(label)
        view = QPlainTextEdit(page)
        view.setReadOnly(True)
        view.setPlainText(text)
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)   # the files are wrapped
        view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        layout.addWidget(view, 1)
        self.ui.licence_tabs.addTab(page, title)
