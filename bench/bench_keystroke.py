"""A keystroke in the scoring form to the score committed in the database, against the
bare service call measured in the same run.

    .venv/bin/python bench/bench_keystroke.py [--rounds 3] [--demo DIR] [--tmp DIR]

A fresh expert workspace is made the way an expert gets one: the demo's secretary exports
the panel package of expert E01 and it is imported (without ``--demo`` the demo is built
first, 12 centres and 7 experts, about 15 s). For every centre of that expert a
ScoringForm is opened (``QT_QPA_PLATFORM=offscreen``, the program's own look and fonts),
and for every indicator the score is typed with ``QTest.keyClicks`` and Enter pressed
with ``QTest.keyClick``; the time is taken from just before the Enter key is sent to the
form's ``score_saved`` signal (the write is committed by then; a separate read-only
connection then SELECTs the row to confirm it). Each round types a different value into
every field, so every Enter writes. The first round inserts, the later ones update.

Baseline, in the same run and interleaved centre by centre: ``scoring.record_score`` for
the same values on a second copy of the same workspace, i.e. the service call the form
makes, without Qt. Also shown for information: Enter until the event loop is idle again
(repaint included) and one typed digit until idle (validation and message on the spot).

The workspace is on disk (``synchronous = FULL`` makes each commit wait for the disk):
``--tmp`` chooses where; by default the system's temporary folder unless it is a tmpfs,
then a folder in the current directory. Goal (issue #5): <= 30 ms median.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

PASSWORD = "bench-password-1"
EXPERT = "E01"
GOAL_MS = 30.0


def filesystem_type(path: Path) -> str:
    """The type of the file system ``path`` is on ("" where /proc/mounts is missing)."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return ""
    best, kind = "", ""
    resolved = str(path.resolve())
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        if (resolved == point or resolved.startswith(point.rstrip("/") + "/")) \
                and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def bench_folder(chosen: Path | None) -> Path:
    if chosen is not None:
        chosen.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="cmrc-keystroke-bench-", dir=chosen))
    base = Path(tempfile.gettempdir())
    if filesystem_type(base) in ("tmpfs", "ramfs"):
        print(f"note: {base} is a {filesystem_type(base)}; using the current directory")
        base = Path.cwd()
    return Path(tempfile.mkdtemp(prefix="cmrc-keystroke-bench-", dir=base))


def values_for(indicators, round_no: int) -> dict[str, Decimal]:
    """A valid value per indicator, different from the one of the round before."""
    values = {}
    for k, indicator in enumerate(indicators):
        choices = min(4, int(indicator.max / indicator.step) + 1)
        values[indicator.id] = indicator.max - indicator.step * ((k + round_no) % choices)
    return values


def percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--demo", type=Path, help="an existing demo folder")
    parser.add_argument("--tmp", type=Path, help="where to put the workspaces (on disk)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QEventLoop, Qt
    from PySide6.QtTest import QTest

    from cmrc_desktop.services import declarations, scoring
    from cmrc_desktop.services.demo import build_demo
    from cmrc_desktop.services.packages import export_package, import_package
    from cmrc_desktop.services.workspace import open_workspace
    from cmrc_desktop.storage import expert_repo
    from cmrc_desktop.ui.app import _quiet_offscreen_plugin, create_app
    from cmrc_desktop.ui.prompts import RecordingPrompts
    from cmrc_desktop.ui.scoring_form import ScoringForm
    from cmrc_desktop.ui.settings import Settings

    tmp = bench_folder(args.tmp)
    try:
        demo = args.demo or build_demo(tmp / "demo", centres=12, experts=7, seed=1,
                                       password=PASSWORD, formats=("xlsx",)).folder
        secretary = tmp / "secretary"
        shutil.copytree(demo / "secretary", secretary)
        with open_workspace(secretary) as sec:
            package = export_package(sec, EXPERT, tmp, PASSWORD)
        import_package(tmp / "template", package.path, package.one_time_password,
                       PASSWORD).close()
        for name in ("form", "service", "warm"):
            shutil.copytree(tmp / "template", tmp / name)

        app = create_app([sys.argv[0]], "en", settings=Settings(tmp / "settings.ini"))
        _quiet_offscreen_plugin()

        def idle() -> None:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
            app.sendPostedEvents()
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)

        enter_ms, idle_ms, digit_ms, service_ms = [], [], [], []

        def form_pass(ws, centre: str, values: dict[str, Decimal], check: sqlite3.Connection,
                      record: bool) -> None:
            form = ScoringForm(ws, EXPERT, centre, prompts=RecordingPrompts())
            form.resize(1280, 860)
            form.show()
            form.activateWindow()
            deadline = time.monotonic() + 5
            while not form.isActiveWindow() and time.monotonic() < deadline:
                idle()
            assert form.isActiveWindow(), "the form never became the active window"
            idle()
            saved_at: dict[str, float] = {}
            form.score_saved.connect(lambda ind: saved_at.setdefault(ind, time.perf_counter()))
            for indicator_id, value in values.items():
                edit = form.score_edit(indicator_id)
                edit.setFocus(Qt.FocusReason.TabFocusReason)
                QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
                text = f"{value.normalize():f}"
                idle()
                start = time.perf_counter()
                QTest.keyClicks(edit, text)
                idle()
                typed = (time.perf_counter() - start) / len(text)
                saved_at.clear()
                start = time.perf_counter()
                QTest.keyClick(edit, Qt.Key.Key_Return)
                idle()
                done = time.perf_counter()
                assert indicator_id in saved_at, f"{indicator_id}: score_saved not emitted"
                stored = check.execute(
                    "SELECT value FROM scores WHERE expert_id = ? AND centre_id = ? "
                    "AND indicator = ?", (EXPERT, centre, indicator_id)).fetchone()
                assert stored is not None and Decimal(stored[0]) == value, \
                    f"{centre}/{indicator_id}: {stored} in the database, {value} typed"
                if record:
                    enter_ms.append((saved_at[indicator_id] - start) * 1000)
                    idle_ms.append((done - start) * 1000)
                    digit_ms.append(typed * 1000)
            form.close()
            form.deleteLater()
            idle()

        def service_pass(ws, centre: str, values: dict[str, Decimal], record: bool) -> None:
            for indicator_id, value in values.items():
                start = time.perf_counter()
                scoring.record_score(ws, EXPERT, centre, indicator_id, value)
                if record:
                    service_ms.append((time.perf_counter() - start) * 1000)

        def reader(folder: Path) -> sqlite3.Connection:
            return sqlite3.connect(f"{(folder / 'cmrc.sqlite').resolve().as_uri()}?mode=ro",
                                   uri=True)

        workspaces = {name: open_workspace(tmp / name) for name in ("form", "service", "warm")}
        checks = {name: reader(tmp / name) for name in workspaces}
        try:
            indicators = workspaces["form"].scheme.expert_indicators
            centres = [c for _e, c in expert_repo.list_assignments(
                workspaces["form"].db, expert_id=EXPERT)]
            for ws in workspaces.values():
                for centre in centres:
                    declarations.record_declaration(ws, EXPERT, centre, no_conflict=True,
                                                    integrity_concern=False)
            # warm-up on a third copy: imports, fonts, the first form and statements
            for round_no in range(2):
                form_pass(workspaces["warm"], centres[0], values_for(indicators, round_no),
                          checks["warm"], record=False)
                service_pass(workspaces["warm"], centres[1 % len(centres)],
                             values_for(indicators, round_no), record=False)
            for round_no in range(args.rounds):
                values = values_for(indicators, round_no)
                for centre in centres:
                    form_pass(workspaces["form"], centre, values, checks["form"], record=True)
                    service_pass(workspaces["service"], centre, values, record=True)
        finally:
            for check in checks.values():
                check.close()
            for ws in workspaces.values():
                ws.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    median = statistics.median(enter_ms)
    base = statistics.median(service_ms)
    print(f"{len(enter_ms)} scores typed ({args.rounds} rounds x {len(centres)} centres x "
          f"{len(indicators)} indicators), after a warm-up; QT_QPA_PLATFORM=offscreen; "
          f"workspace on {filesystem_type(tmp) or 'disk'} at {tmp.parent}")
    print(f"Enter to score_saved (committed; row read back): median {median:6.2f} ms  "
          f"p95 {percentile(enter_ms, 95):6.2f} ms")
    print(f"baseline scoring.record_score, same values:      median {base:6.2f} ms  "
          f"p95 {percentile(service_ms, 95):6.2f} ms")
    print(f"ratio form / service (medians): {median / base:4.2f}x")
    print(f"for information: Enter until the event loop is idle (repaint included): median "
          f"{statistics.median(idle_ms):6.2f} ms  p95 {percentile(idle_ms, 95):6.2f} ms; "
          f"one typed digit until idle: median {statistics.median(digit_ms):5.2f} ms")
    print(f"goal <= {GOAL_MS:g} ms median: {'met' if median <= GOAL_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
