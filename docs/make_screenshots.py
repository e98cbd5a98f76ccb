"""Screenshots of the window for the README, in Chinese, from a fresh demo.

    QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py [--demo DIR] [--lang zh_CN]

Builds a demo (unless ``--demo`` names one already built), opens the main window on the
secretary workspace and on an expert workspace, and saves ``widget.grab()`` of every
main view, of the shell's dialogs and of the sign-and-export dialog into
``docs/screenshots/`` (``--only NAME …`` saves just those). The settings used are
a throw-away file, never the user's.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

OUT = REPO / "docs" / "screenshots"
SIZE = (1280, 800)
DEMO_PASSWORD = "cmrc-demo-2026"


def build(demo: Path) -> Path:
    from cmrc_desktop.services.demo import build_demo

    if not (demo / "secretary" / "cmrc.sqlite").exists():
        print(f"building the demo in {demo} …")
        build_demo(demo, centres=10, experts=6, seed=2026, password=DEMO_PASSWORD,
                   formats=("xlsx",), force=True)
    return demo


def signature_strokes() -> list[list[tuple[float, float, float]]]:
    """A hand-written-looking signature for the pad (logical 360 × 120 canvas): two
    looping cursive words (prolate cycloids) and a flourish, with a pen's pressure."""
    import math

    def word(x0: float, y0: float, loops: int, advance: float, reach: float,
             height: float, steps: int = 160) -> list[tuple[float, float, float]]:
        points = []
        end = 2 * math.pi * loops + math.pi / 2
        for i in range(steps):
            t = end * i / (steps - 1)
            fade = 1 - 0.35 * t / end
            x = x0 + advance * t - reach * math.sin(t)
            y = y0 - height * fade * (0.5 + 0.5 * math.cos(t)) - 4 * math.sin(t / 3)
            points.append((x, y, 0.3 + 0.45 * math.sin(math.pi * i / (steps - 1)) ** 0.5))
        return points

    first = word(44, 86, 4, 6.5, 9.0, 46)
    second = word(first[-1][0] + 20, 84, 3, 6.0, 8.0, 30)
    tail = second[-1]
    flourish = [(tail[0] + 22 * math.sin(i / 24 * math.pi / 2),
                 tail[1] + 10 - 4 * math.sin(i / 24 * math.pi), 0.5 - 0.35 * i / 24)
                for i in range(25)]
    underline = [(52 + 250 * i / 39, 101 - 5 * math.sin(i / 39 * math.pi),
                  0.55 - 0.4 * i / 39) for i in range(40)]
    return [first, second + flourish, underline]


def shoot_sign_export(window, expert: Path, workdir: Path, shot) -> None:
    """The sign-and-export dialog over a copy of an expert workspace whose first sheet
    is complete but not signed yet (the demo signs every sheet: reopen one)."""
    import shutil

    from cmrc_desktop.domain.workspace import SheetState
    from cmrc_desktop.services import scoring
    from cmrc_desktop.storage import expert_repo

    copy = workdir / "expert-sign-export"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(expert, copy)
    ws = window.load_workspace(copy)
    owner = ws.batch.owner_expert_id
    centre = expert_repo.list_assignments(ws.db, expert_id=owner)[0][1]
    scoring.set_sheet_state(ws, owner, centre, SheetState.DRAFT)   # revision 2, complete
    window.refresh_current_view()
    dialog = window.show_sign_export_dialog([centre])
    for stroke in signature_strokes():
        dialog.ui.signature_pad.add_stroke(stroke)
    dialog.ui.folder_edit.setText("/media/expert/U盘/评分表")
    dialog.ui.password_edit.setText(DEMO_PASSWORD)
    shot(dialog, "sign-export-dialog")
    dialog.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, help="an existing demo folder (else a new one)")
    parser.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en"))
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-dark", action="store_true",
                        help="skip the dark-palette screenshots")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="save only these screenshots (names without .png)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="cmrc-shots-") as tmp:
        demo = build(args.demo or Path(tmp) / "demo")
        from PySide6.QtCore import QSize
        from PySide6.QtWidgets import QApplication

        from cmrc_desktop.ui.app import create_app
        from cmrc_desktop.ui.main_window import MainWindow
        from cmrc_desktop.ui.prompts import RecordingPrompts
        from cmrc_desktop.ui.settings import Settings

        settings = Settings(Path(tmp) / "settings.ini")
        app = create_app(["make_screenshots"], args.lang, settings=settings)
        args.out.mkdir(parents=True, exist_ok=True)
        window = MainWindow(settings, RecordingPrompts())
        window.resize(QSize(*SIZE))
        saved: list[Path] = []

        def shot(widget, name: str) -> None:
            widget.show()
            for _ in range(3):
                app.processEvents()
            view = getattr(widget, "current_view", lambda: None)()
            while view is not None and getattr(view, "loading", False):  # graded in the
                app.processEvents()                                       # background
            app.processEvents()
            if args.only and name not in args.only:
                return
            path = args.out / f"{name}.png"
            widget.grab().save(str(path))
            saved.append(path)

        secretary = demo / "secretary"
        experts = sorted((demo / "experts").iterdir())
        for folder in (experts[0], secretary):   # the recent list shows both
            settings.add_recent_workspace(folder)
        window._rebuild_recent()
        shot(window, "main-window-start")

        window.load_workspace(secretary)
        for view_id in window.view_ids():
            view = window.show_view(view_id)
            while getattr(view, "loading", False):   # graded in the background
                app.processEvents()
            if view_id in ("centres", "results") and view.table.model().rowCount():
                view.table.selectRow(0)       # a centre selected: its detail is shown
            shot(window, f"main-window-secretary-{view_id.replace('_', '-')}")

        window.load_workspace(experts[0])
        window.show_view("my_centres")
        shot(window, "main-window-expert-my-centres")

        window.show_about()
        shot(window.dialog, "about-dialog")
        window.dialog.close()

        packages = sorted((demo / "packages").glob("*.cmrcpkg"))
        window.show_package_import_dialog(packages[0] if packages else None)
        shot(window.dialog, "package-import-dialog")
        window.dialog.close()

        window.show_new_workspace_dialog()
        shot(window.dialog, "new-workspace-dialog")
        window.dialog.close()

        shoot_sign_export(window, experts[0], Path(tmp), shot)

        if not args.no_dark:   # what a system in dark mode gets
            from PySide6.QtCore import Qt

            from cmrc_desktop.ui import theme

            theme.apply_theme(app).apply(Qt.ColorScheme.Dark)
            window.load_workspace(secretary)
            window.show_view("results")
            shot(window, "main-window-secretary-results-dark")
            window.load_workspace(experts[0])
            shot(window, "main-window-expert-my-centres-dark")
            theme.apply_theme(app).apply()

        window.close()
        QApplication.processEvents()
        for path in saved:
            print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
