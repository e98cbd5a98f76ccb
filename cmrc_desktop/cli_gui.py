"""``cmrc gui``: start the desktop program (plain ``cmrc`` does the same).

The window lives in ``cmrc_desktop.ui`` and is loaded only when this command runs, so
every other command starts without Qt. It is imported by name: the command line is the
one place outside ``ui/`` that may start the window, and the layer test keeps every
other module from importing it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.i18n import _

UI_APP = "cmrc_desktop.ui.app"
# What the window needs before its first paint that does not import Qt, imported before
# Qt is: once PySide6 is loaded, its feature hook reads the source file of every module
# imported after it (~20 ms of the start-up). Leaving a module out costs time, not
# correctness.
BEFORE_QT = ("cmrc_desktop.services.workspace", "cmrc_desktop.services.backup",
             "cmrc_desktop.storage.health", "cmrc_desktop.storage.batch_repo",
             "cmrc_desktop.exchange.report_data")


def has_display() -> bool:
    """False on a Linux or BSD console with no graphical session, where Qt would abort
    the process; ``QT_QPA_PLATFORM`` (e.g. ``offscreen``) says the caller knows better."""
    if os.environ.get("QT_QPA_PLATFORM") or sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_gui(args: argparse.Namespace) -> int:
    if not has_display():
        raise CmrcError(_("there is no graphical display to show the window on; run cmrc "
                          "in a desktop session (cmrc --help lists the commands that "
                          "work without one)"))
    for name in BEFORE_QT:
        importlib.import_module(name)
    app = importlib.import_module(UI_APP)
    lang = getattr(args, "gui_lang", None) or getattr(args, "lang", None)
    qt_argv = [sys.argv[0] if sys.argv and sys.argv[0] else "cmrc"]
    return app.run(qt_argv, workspace=args.workspace, lang=lang, smoke=args.smoke,
                   package=args.package)


def add_gui_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help=_("start the desktop program (the default command)"))
    p.add_argument("--workspace", metavar="DIR", help=_("open this workspace"))
    p.add_argument("--lang", dest="gui_lang", choices=("zh_CN", "en"),
                   help=_("language of the window (default: zh_CN, or CMRC_LANG, or the "
                          "saved choice)"))
    p.add_argument("--package", metavar="FILE",
                   help=_("open the import dialog for this panel package (what opening a "
                          ".cmrcpkg file from the file manager does)"))
    p.add_argument("--smoke", action="store_true",
                   help=_("show every main view once and exit (a start-up check)"))
    p.set_defaults(handler=cmd_gui)
