"""Start-up of the desktop program: the QApplication and its look, language and fonts.

``create_app(argv, lang)`` makes (or reuses) the QApplication: organisation and
application names for QSettings, Fusion with a palette following the system colour
scheme, the bundled WenQuanYi Micro Hei as fallback font, our gettext catalogue and Qt's
own qtbase translation (so standard buttons and dialogs speak Chinese too). High-DPI
scaling is Qt 6's default. ``run(...)`` shows the main window and runs the event loop,
or with ``smoke`` shows every main view once and returns.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import (
    QLibraryInfo,
    QLocale,
    QMessageLogContext,
    QtMsgType,
    QTranslator,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from cmrc_desktop import __version__, i18n
from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.i18n import _
from cmrc_desktop.paths import resources_dir
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.settings import (
    APPLICATION,
    LANGUAGE,
    ORGANIZATION,
    REOPEN_LAST,
    Settings,
)

log = logging.getLogger(__name__)

EXIT_OK, EXIT_USAGE = 0, 2
QT_CATALOGUES = ("qtbase",)
_translators: list[QTranslator] = []   # kept alive while installed


def resolve_language(explicit: str | None, settings: Settings | None = None) -> str:
    """``--lang``, else ``CMRC_LANG``, else the saved preference, else Chinese."""
    chosen = explicit or os.environ.get("CMRC_LANG") or (
        settings.get(LANGUAGE) if settings is not None else "") or None
    return i18n.set_language(chosen)


def qt_translations_dirs() -> list[Path]:
    dirs = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))]
    dirs.append(resources_dir() / "translations")   # a frozen build may put them here
    return dirs


def install_qt_translations(app: QApplication, lang: str) -> list[str]:
    """Install Qt's own catalogues for ``lang`` (none for English); returns those
    loaded. Calling it again replaces the previous ones."""
    while _translators:
        app.removeTranslator(_translators.pop())
    if lang == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return []
    QLocale.setDefault(QLocale(lang))
    loaded = []
    for catalogue in QT_CATALOGUES:
        for folder in qt_translations_dirs():
            translator = QTranslator(app)
            if translator.load(f"{catalogue}_{lang}", str(folder)):
                app.installTranslator(translator)
                _translators.append(translator)
                loaded.append(catalogue)
                break
    if not loaded:
        log.warning("no Qt translation for %s in %s", lang, qt_translations_dirs())
    return loaded


def create_app(argv: Sequence[str] | None = None, lang: str | None = None, *,
               settings: Settings | None = None) -> QApplication:
    """The QApplication, set up for CMRC Desktop (an existing one is reused)."""
    QApplication.setOrganizationName(ORGANIZATION)
    QApplication.setApplicationName(APPLICATION)
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName("cmrc-desktop")
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv else [sys.argv[0] if sys.argv else "cmrc"])
    assert isinstance(app, QApplication)
    chosen = resolve_language(lang, settings if settings is not None else Settings())
    install_qt_translations(app, chosen)
    theme.apply_theme(app)
    theme.register_bundled_font(app)
    app.setWindowIcon(theme.app_icon())
    return app


def run(argv: Sequence[str] | None = None, *, workspace: str | None = None,
        lang: str | None = None, smoke: bool = False, settings: Settings | None = None,
        package: str | None = None) -> int:
    """Start the window (on ``workspace`` if given, else on the last one used); with
    ``smoke``, show every main view once and return 0 (2 if the workspace cannot be
    opened); with ``package``, the import dialog for that panel package (the file
    association of ``.cmrcpkg``). A smoke run never touches the user's settings."""
    from cmrc_desktop.ui import tasks
    from cmrc_desktop.ui.main_window import MainWindow
    from cmrc_desktop.ui.prompts import Prompts, RecordingPrompts

    smoke_dir = tempfile.TemporaryDirectory(prefix="cmrc-smoke-") if smoke else None
    try:
        if settings is None:
            settings = Settings(Path(smoke_dir.name) / "settings.ini") if smoke_dir \
                else Settings()
        app = create_app(argv, lang, settings=settings)
        _quiet_offscreen_plugin()
        prompts = RecordingPrompts() if smoke else Prompts()
        window = MainWindow(settings, prompts)
        if smoke:
            return _smoke(app, window, workspace)
        previous_hook = sys.excepthook
        sys.excepthook = _make_excepthook(window)
        try:
            window.show()   # first, so that a message about the workspace has a parent
            if package:
                window.show_package_import_dialog(package)
            elif workspace:
                window.open_workspace_path(workspace)
            elif settings.get(REOPEN_LAST):
                recent = settings.recent_workspaces()
                if recent and Path(recent[0]).is_dir():
                    window.open_workspace_path(recent[0])
            code = app.exec()
        finally:
            sys.excepthook = previous_hook
            tasks.shutdown()
        return code
    finally:
        if smoke_dir is not None:
            smoke_dir.cleanup()


def _smoke(app: QApplication, window, workspace: str | None) -> int:
    from cmrc_desktop.ui import tasks

    try:
        if workspace:
            try:
                window.load_workspace(workspace)
            except (CmrcError, OSError, sqlite3.Error) as exc:
                from cmrc_desktop.ui.prompts import error_text

                print(_("cannot open the workspace: {reason}").format(reason=error_text(exc)),
                      file=sys.stderr)
                return EXIT_USAGE
        window.show()
        app.processEvents()
        shown = window.show_every_view()
        print(_("smoke test passed: {views}").format(views=", ".join(shown) or "-"))
        return EXIT_OK
    finally:
        window.close()
        app.processEvents()
        tasks.shutdown()


def _quiet_offscreen_plugin() -> None:
    """The offscreen platform (smoke runs, CI) warns on every shown window that it
    cannot propagate size hints; that is noise, every other message goes through."""
    if QGuiApplication.platformName() != "offscreen":
        return

    def handler(_mode: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        if "propagateSizeHints" not in message:
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)


def _make_excepthook(window):
    """An exception escaping a slot: logged with its traceback, shown as one message."""
    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unhandled exception:\n%s", "".join(traceback.format_exception(kind, exc, tb)))
        if os.environ.get("CMRC_DEBUG"):
            traceback.print_exception(kind, exc, tb)
        from cmrc_desktop.ui.prompts import error_text

        ws = getattr(window, "workspace", None)
        if isinstance(exc, sqlite3.OperationalError) and ws is not None and ws.read_only:
            # the database refused a write of a read-only or damaged workspace: say why
            window.prompts.warning(window, _("Nothing was changed"), _(
                "The workspace is read-only: {reason}").format(reason=ws.read_only))
            return
        window.prompts.error(window, _("Error"), error_text(exc))
    return hook
