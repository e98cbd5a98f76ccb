"""Killing the program while the expert types loses nothing that was shown as saved.

A child process opens the scoring form and types scores into it, round after round,
printing ``<indicator> <value>`` each time the form reports the score saved; the parent
kills it with SIGKILL after a few lines, then opens the workspace: the last value
reported for every indicator is in the database and the database is intact.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal

import pytest

from tests.conftest import REPO
from tests.ui.conftest import copy_workspace
from tests.ui.test_scoring_form import EXPERT, fresh_expert  # noqa: F401 (fixture)

KILL_AFTER = 6          # saved lines read before the kill
ROUNDS = 40             # the child would type this many rounds if never killed


def _child(folder: str, centre: str) -> int:
    """Type scores into the form until killed; report each save on stdout."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from cmrc_desktop.domain.numbers import plain
    from cmrc_desktop.services.workspace import open_workspace
    from cmrc_desktop.ui.prompts import RecordingPrompts
    from cmrc_desktop.ui.scoring_form import ScoringForm

    app = QApplication([sys.argv[0]])
    ws = open_workspace(folder)
    form = ScoringForm(ws, ws.batch.owner_expert_id, centre, prompts=RecordingPrompts())
    form.show()
    form.activateWindow()
    while not form.isActiveWindow():
        app.processEvents()

    def on_saved(indicator: str) -> None:
        print(indicator, plain(form.saved_scores()[indicator]), flush=True)

    form.score_saved.connect(on_saved)
    print("ready", flush=True)
    indicators = ws.scheme.expert_indicators
    for n in range(ROUNDS):
        for k, indicator in enumerate(indicators):
            value = indicator.max - indicator.step * ((n + k) % 5)
            edit = form.score_edit(indicator.id)
            edit.setFocus()
            QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            QTest.keyClicks(edit, plain(value))
            QTest.keyClick(edit, Qt.Key.Key_Return)
            app.processEvents()
            time.sleep(0.03)
    print("finished", flush=True)
    return 0


@pytest.mark.slow
def test_a_killed_process_keeps_every_score_it_showed_as_saved(fresh_expert, tmp_path):  # noqa: F811
    from cmrc_desktop.services import declarations
    from cmrc_desktop.services.workspace import open_workspace
    from cmrc_desktop.storage import audit, score_repo

    template, centre = fresh_expert
    folder = copy_workspace(template, tmp_path / "expert")
    with open_workspace(folder) as ws:
        declarations.record_declaration(ws, EXPERT, centre, no_conflict=True,
                                        integrity_concern=False)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CMRC_LANG": "en",
           "PYTHONPATH": str(REPO)}
    stderr = (tmp_path / "child.err").open("w")
    child = subprocess.Popen([sys.executable, __file__, str(folder), centre],
                             stdout=subprocess.PIPE, stderr=stderr, text=True, env=env,
                             cwd=str(REPO))
    reported: list[tuple[str, Decimal]] = []
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready", (tmp_path / "child.err").read_text()
        while len(reported) < KILL_AFTER:
            line = child.stdout.readline()
            assert line, (tmp_path / "child.err").read_text()
            indicator, value = line.split()
            reported.append((indicator, Decimal(value)))
        os.kill(child.pid, signal.SIGKILL)
        # what the child printed before it died was shown as saved too
        for line in child.stdout:
            if line.strip() == "finished":
                pytest.fail("the child finished before it was killed")
            indicator, value = line.split()
            reported.append((indicator, Decimal(value)))
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
        stderr.close()
    assert child.returncode == -signal.SIGKILL

    with open_workspace(folder) as ws:
        assert [row[0] for row in ws.db.execute("PRAGMA integrity_check").fetchall()] == ["ok"]
        stored = {s.indicator: s.value for s in score_repo.list_scores(
            ws.db, expert_id=EXPERT, centre_id=centre)}
        saves = [(e.entity.removeprefix("score:"), Decimal(e.new))
                 for e in audit.entries(ws.db, expert_id=EXPERT, centre_id=centre,
                                        action="score.set")]
    # each line followed exactly one committed save, in order: all of them are there
    assert saves[:len(reported)] == reported
    # and the scores are the last committed value of each indicator (the one reported,
    # unless the child committed a newer one in the instant before it died)
    last = dict(saves)
    assert stored == last
    assert len(saves) - len(reported) <= 1
    for indicator, value in dict(reported).items():
        assert stored[indicator] == value or saves[-1][0] == indicator, indicator


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1], sys.argv[2]))
