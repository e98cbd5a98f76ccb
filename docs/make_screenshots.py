"""Screenshots of the window for the README, in Chinese, from a fresh demo.

    QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py [--demo DIR] [--lang zh_CN]

Builds a demo (unless ``--demo`` names one already built), opens the main window on the
secretary workspace and on an expert workspace, and saves ``widget.grab()`` of every
main view and of the shell's dialogs into ``docs/screenshots/``. The settings used are
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, help="an existing demo folder (else a new one)")
    parser.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en"))
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-dark", action="store_true",
                        help="skip the dark-palette screenshots")
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
            window.show_view(view_id)
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
