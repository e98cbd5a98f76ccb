"""The secretary's heavy views on a large batch: opening *Results*, *Progress* and the
assignment matrix, and scrolling *Centres*, on 150 centres × 30 experts (about 80,000–90,000 scores).

    .venv/bin/python bench/bench_secretary_views.py [--demo DIR] [--runs 5]

Opening a view is timed from the click in the sidebar to the end of its first paint
(``show_view`` then ``repaint()`` of the window, offscreen): what a secretary waits for.
The baseline, measured in the same run, is the same window showing the *Batch* view
(a page with a few labels), so the ratio says what the view itself costs.

Scrolling: the centres table is scrolled from top to bottom one page at a time and back,
each step followed by a synchronous repaint; the slowest step is the worst frame.

Goals (issue #6): each view opens in under 300 ms; no scrolling frame over 50 ms.

Without ``--demo`` a demo is built first with
    cmrc demo --centres 150 --experts 30 --secretary-only
(about half a minute; every expert scores every centre without a conflict).
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

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
PASSWORD = "bench-password-1"
OPEN_GOAL_MS = 300
FRAME_GOAL_MS = 50


def build(folder: Path) -> None:
    env = dict(os.environ, CMRC_PASSWORD=PASSWORD)
    subprocess.run([sys.executable, "-m", "cmrc_desktop", "--lang", "en", "demo", "--out",
                    str(folder), "--centres", "150", "--experts", "30", "--secretary-only"],
                   check=True, stdout=subprocess.DEVNULL, env=env)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo", type=Path, help="an existing 150 x 30 demo folder")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cmrc-views-bench-"))
    try:
        demo = args.demo
        if demo is None:
            demo = tmp / "demo"
            build(demo)
        run(demo / "secretary", tmp, args.runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(secretary: Path, tmp: Path, runs: int) -> None:
    from cmrc_desktop import i18n
    from cmrc_desktop.storage import score_repo
    from cmrc_desktop.ui import app as app_module
    from cmrc_desktop.ui.main_window import MainWindow
    from cmrc_desktop.ui.prompts import RecordingPrompts
    from cmrc_desktop.ui.settings import Settings

    settings = Settings(tmp / "settings.ini")
    qapp = app_module.create_app([sys.argv[0]], "zh_CN", settings=settings)
    i18n.set_language("zh_CN")
    window = MainWindow(settings, RecordingPrompts())
    window.resize(1400, 900)
    window.show()
    window.load_workspace(secretary)
    ws = window.workspace
    scores = len(score_repo.list_scores(ws.db))
    centres = ws.db.execute("SELECT count(*) FROM centres").fetchone()[0]
    experts = ws.db.execute("SELECT count(*) FROM experts").fetchone()[0]
    qapp.processEvents()

    def open_ms(view_id: str) -> float:
        """Fresh view each time: the cost of building it, reading and first paint."""
        window.show_view("batch")
        window.repaint()
        qapp.processEvents()
        old = window._built.pop(view_id, None)   # noqa: SLF001 (bench: force a rebuild)
        if old is not None:
            window.ui.view_stack.removeWidget(old)
            old.deleteLater()
            qapp.processEvents()
        start = time.perf_counter()
        view = window.show_view(view_id)
        qapp.processEvents()         # work a view queued for "just after it is shown"
        _wait_until_loaded(view, qapp)
        window.repaint()
        return (time.perf_counter() - start) * 1000

    def baseline_ms() -> float:
        window.show_view("centres")
        window.repaint()
        qapp.processEvents()
        start = time.perf_counter()
        window.show_view("batch")
        qapp.processEvents()
        window.repaint()
        return (time.perf_counter() - start) * 1000

    timed = ("results", "progress", "assignments")
    for view_id in timed:                   # warm-up: imports, first grading
        open_ms(view_id)
    figures: dict[str, list[float]] = {"baseline": [], **{v: [] for v in timed}}
    for _ in range(runs):
        figures["baseline"].append(baseline_ms())
        for view_id in timed:
            figures[view_id].append(open_ms(view_id))

    frames = scroll_frames(window, qapp)
    window.close()

    base = statistics.median(figures["baseline"])
    print(f"workspace: {centres} centres, {experts} experts, {scores} scores; "
          f"{runs} runs each, offscreen, zh_CN")
    print(f"baseline: switch to the Batch view and paint      median {base:7.1f} ms")
    for view_id in timed:
        ms = statistics.median(figures[view_id])
        print(f"open the {view_id:<11} view (build, read, paint):   median {ms:7.1f} ms "
              f"(max {max(figures[view_id]):6.1f})  = {ms / base:5.1f}x baseline   "
              f"goal < {OPEN_GOAL_MS} ms: {'met' if ms < OPEN_GOAL_MS else 'NOT met'}")
    worst = max(frames)
    print(f"scroll the centres table page by page ({len(frames)} frames): median "
          f"{statistics.median(frames):5.1f} ms, worst {worst:5.1f} ms = "
          f"{worst / base:4.1f}x baseline   goal <= {FRAME_GOAL_MS} ms per frame: "
          f"{'met' if worst <= FRAME_GOAL_MS else 'NOT met'}")


def _wait_until_loaded(view, qapp, timeout_ms: int = 30_000) -> None:
    """A view that loads in the background says so with ``loading`` (True while busy).
    Wait in an event loop that wakes when a background job ends, as the program does
    when idle (its loop releases the interpreter lock while it waits); polling instead
    would take the lock from the job and measure the bench, not the program."""
    from PySide6.QtCore import QEventLoop, QTimer

    from cmrc_desktop.ui import tasks

    while getattr(view, "loading", False):
        loop = QEventLoop()
        for handle in tasks.running_tasks():
            for signal in (handle.finished, handle.failed, handle.cancelled):
                signal.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()


def scroll_frames(window, qapp) -> list[float]:
    view = window.show_view("centres")
    qapp.processEvents()
    _wait_until_loaded(view, qapp)
    table = view.table
    bar = table.verticalScrollBar()
    frames = []
    for direction in (1, -1):
        while True:
            before = bar.value()
            start = time.perf_counter()
            bar.setValue(before + direction * bar.pageStep())
            qapp.processEvents()
            table.viewport().repaint()
            frames.append((time.perf_counter() - start) * 1000)
            if bar.value() == before:
                break
    return frames


if __name__ == "__main__":
    main()
