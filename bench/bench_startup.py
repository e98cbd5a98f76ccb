"""Start-up of the desktop program to a shown main window, against a bare PySide6 window
measured in the same run.

    .venv/bin/python bench/bench_startup.py [--runs 10] [--demo DIR] [--lang zh_CN|en]

Each run is a fresh process (``QT_QPA_PLATFORM=offscreen``), timed by this script from
just before the process is started to the moment the process says its window has been
painted for the first time (a zero-timer after the window's first paint event, so the
whole first frame is done):

- baseline: ``python`` + ``import PySide6`` + a QApplication and an empty 1200x760
  QMainWindow, shown and painted;
- floor: the bare window after importing sqlite-utils and PySide6's ``Qt`` namespace, the
  two things no window on a workspace can skip; its ratio to bare shows how much of the
  goal is spent before any of CMRC Desktop's own code runs;
- CMRC Desktop: the real entry point (``cmrc_desktop.cli.main(["gui", "--workspace",
  <demo secretary>, "--lang", ...])``), i.e. imports, the application's look, fonts and
  translations, the main window, the demo's secretary workspace opened with all its
  views, shown and painted. Only the settings file is redirected to a temporary INI file
  (so the user's recent list is not touched), and the window reports its first paint.

The kinds alternate (A B C A B C ...) after one warm-up each; the ratio is taken pair by
pair, so a machine that drifts in speed does not skew it. Without ``--demo`` the demo is
built first (12 centres, 7 experts, xlsx; about a minute). Goal (issue #5): <= 2x.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PASSWORD = "bench-password-1"
SHOWN = "BENCH-SHOWN"
PHASE = "BENCH-PHASE"
GOAL = 2.0


# -- the child processes -----------------------------------------------------------------
def _report_after_first_paint(window_class):
    """A subclass of ``window_class`` that, after its first paint with a workspace (or
    any first paint for a bare window), prints the time and quits the event loop."""
    from PySide6.QtCore import QEvent, QTimer
    from PySide6.QtWidgets import QApplication

    class Reporting(window_class):
        _bench_painted = False

        def event(self, event):  # noqa: N802
            result = super().event(event)
            if (event.type() == QEvent.Type.Paint and not self._bench_painted
                    and getattr(self, "workspace", True) is not None):
                self._bench_painted = True
                QTimer.singleShot(0, self._bench_report)
            return result

        def _bench_report(self) -> None:
            print(f"{SHOWN} {time.time():.6f}", flush=True)
            QApplication.quit()

    return Reporting


def child_bare(floor: bool = False) -> int:
    """The bare window; with ``floor``, after importing only what no window on a CMRC
    workspace can do without: sqlite-utils (the product's storage library, which opens
    the workspace) and PySide6's ``Qt`` namespace (every alignment, role and flag)."""
    if floor:
        import sqlite_utils  # noqa: F401
    from PySide6.QtWidgets import QApplication, QMainWindow
    if floor:
        from PySide6.QtCore import Qt  # noqa: F401

    app = QApplication([sys.argv[0]])
    window = _report_after_first_paint(QMainWindow)()
    window.setWindowTitle("bare")
    window.resize(1200, 760)   # the size of CMRC Desktop's main window
    window.show()
    return app.exec()


def child_cmrc(workspace: str, settings_file: str, lang: str) -> int:
    print(f"{PHASE} interpreter {time.time():.6f}", flush=True)
    import importlib

    from cmrc_desktop import cli_gui

    for name in cli_gui.BEFORE_QT:         # in the order `cmrc gui` imports them
        importlib.import_module(name)
    import cmrc_desktop.ui.app as app_module
    import cmrc_desktop.ui.main_window as main_window
    from cmrc_desktop.cli import main
    from cmrc_desktop.ui.settings import Settings

    print(f"{PHASE} imports {time.time():.6f}", flush=True)

    class Timed(_report_after_first_paint(main_window.MainWindow)):
        def __init__(self, *args, **kwargs):
            print(f"{PHASE} application {time.time():.6f}", flush=True)
            super().__init__(*args, **kwargs)
            print(f"{PHASE} window {time.time():.6f}", flush=True)

        def load_workspace(self, folder):
            ws = super().load_workspace(folder)
            print(f"{PHASE} workspace {time.time():.6f}", flush=True)
            return ws

    main_window.MainWindow = Timed                        # run() imports it by name
    app_module.Settings = lambda: Settings(settings_file)  # never the user's settings
    return main(["gui", "--workspace", workspace, "--lang", lang])


# -- the parent ----------------------------------------------------------------------------
def run_child(args: list[str], env: dict[str, str]) -> tuple[float, dict[str, float]]:
    """Seconds from just before the process starts to its first paint, and the
    phases it reported (seconds since the same start)."""
    start_wall = time.time()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    shown = None
    phases: dict[str, float] = {}
    for line in proc.stdout:
        if line.startswith(SHOWN):
            shown = time.perf_counter() - start
            phases["first paint"] = float(line.split()[1]) - start_wall
            break
        if line.startswith(PHASE):
            _tag, name, stamp = line.split()
            phases[name] = float(stamp) - start_wall
    rest, err = proc.communicate(timeout=60)
    if shown is None or proc.returncode != 0:
        raise SystemExit(f"child {args} failed (exit {proc.returncode}):\n{rest}\n{err}")
    return shown, phases


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--demo", type=Path, help="an existing demo folder")
    parser.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en"))
    parser.add_argument("--child", choices=("bare", "floor", "cmrc"), help=argparse.SUPPRESS)
    parser.add_argument("--workspace", help=argparse.SUPPRESS)
    parser.add_argument("--settings", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child in ("bare", "floor"):
        raise SystemExit(child_bare(floor=args.child == "floor"))
    if args.child == "cmrc":
        raise SystemExit(child_cmrc(args.workspace, args.settings, args.lang))

    tmp = Path(tempfile.mkdtemp(prefix="cmrc-startup-bench-"))
    try:
        demo = args.demo
        if demo is None:
            from cmrc_desktop.services.demo import build_demo

            demo = build_demo(tmp / "demo", centres=12, experts=7, seed=1, password=PASSWORD,
                              formats=("xlsx",)).folder
        secretary = demo / "secretary"
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        env.pop("CMRC_LANG", None)
        bare = ["--child", "bare"]
        cmrc = ["--child", "cmrc", "--workspace", str(secretary), "--settings",
                str(tmp / "settings.ini"), "--lang", args.lang]

        run_child(bare, env)                     # warm-up: disk cache, .pyc files
        run_child(cmrc, env)
        run_child(["--child", "floor"], env)
        t_bare, t_cmrc, ratios, phases, floors = [], [], [], [], []
        for _ in range(args.runs):
            b, _unused = run_child(bare, env)
            c, p = run_child(cmrc, env)
            f, _unused = run_child(["--child", "floor"], env)
            t_bare.append(b)
            t_cmrc.append(c)
            ratios.append(c / b)
            phases.append(p)
            floors.append(f / b)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def ms(values: list[float]) -> str:
        return (f"median {statistics.median(values) * 1000:7.1f} ms  "
                f"(min {min(values) * 1000:6.1f}, max {max(values) * 1000:6.1f})")

    ratio = statistics.median(ratios)
    print(f"{args.runs} runs of each, alternating, after one warm-up each; "
          f"QT_QPA_PLATFORM=offscreen; lang {args.lang}")
    print(f"baseline bare PySide6 QMainWindow, process start to first paint: {ms(t_bare)}")
    print(f"CMRC Desktop on the demo secretary workspace, same:          {ms(t_cmrc)}")
    print("  where the time goes (median, since process start): " + ", ".join(
        f"{name} {statistics.median(p[name] for p in phases) * 1000:.0f} ms"
        for name in phases[0]))
    print(f"floor: the bare window after importing sqlite-utils and the Qt namespace, "
          f"{statistics.median(floors):4.2f}x of bare (median)")
    print(f"ratio CMRC / bare (median of pairs): {ratio:4.2f}x  "
          f"(min {min(ratios):4.2f}x, max {max(ratios):4.2f}x)   "
          f"goal <= {GOAL:g}x: {'met' if ratio <= GOAL else 'NOT met'}")


if __name__ == "__main__":
    main()
