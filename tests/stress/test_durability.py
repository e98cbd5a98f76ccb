"""Kill -9 while scores are saved and while sheets are merged: the short CI run of
``bench/stress_kill.py`` (the long run: ``python bench/stress_kill.py --kills 1000
--merge-kills 50``), and proof that its checks catch a lost score or a half-merged file.

One small demo (6 centres, 3 experts, sheets exported but not merged) serves the module.
"""

from __future__ import annotations

import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from bench import stress_kill
from cmrc_desktop.services import merge
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.storage import merge_repo

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")]

SCORING_KILLS = 25
MERGE_KILLS = 9


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return stress_kill.build(tmp_path_factory.mktemp("kill") / "demo", centres=6, experts=3)


@pytest.fixture
def scoring_ws(demo, tmp_path):
    return stress_kill.scoring_workspace(demo, tmp_path / "expert")


def test_scores_acknowledged_before_a_kill_are_all_there(scoring_ws):
    folder, expert, pairs = scoring_ws

    figures = stress_kill.score_kills(folder, expert, pairs, SCORING_KILLS, seed=8)

    assert figures.problems == []
    assert figures.kills == SCORING_KILLS
    assert figures.acknowledged > SCORING_KILLS     # the kills did land amid saves
    assert (figures.lost, figures.integrity_failures, figures.mismatches) == (0, 0, 0)


def test_the_check_catches_a_save_acknowledged_before_its_commit(scoring_ws):
    """A form that said "saved" before the database did would lose scores to a kill."""
    from cmrc_desktop.services import scoring

    folder, expert, pairs = scoring_ws
    pending: list[tuple] = []

    def save_later(ws, expert_id, centre_id, indicator_id, value: Decimal | None) -> None:
        pending.append((centre_id, indicator_id, value))
        if len(pending) == 20:
            for centre, indicator, v in pending:
                scoring.record_score(ws, expert_id, centre, indicator, v)
            pending.clear()

    figures = stress_kill.score_kills(folder, expert, pairs, 5, seed=8, save=save_later,
                                      max_delay=0.1)

    assert figures.lost > 0
    assert not figures.ok()


def test_a_merge_killed_at_any_moment_merges_whole_files_and_completes_alike(demo, tmp_path):
    figures = stress_kill.merge_kills(demo, tmp_path, MERGE_KILLS, seed=8)

    assert figures.problems == []
    assert figures.files >= 10
    # kills aim at random moments, after random files and after the last one (the
    # commit); a run may still end first on a fast machine, so only some must land
    assert figures.kills >= MERGE_KILLS // 3


def test_the_merge_check_catches_a_half_merged_file_and_a_wrong_log(demo, tmp_path):
    folder = tmp_path / "secretary"
    shutil.copytree(demo / "secretary", folder)
    with open_workspace(folder) as ws:
        report = merge.merge_files(ws, [demo / "scoresheets"])
        files = report.total
        assert stress_kill.merge_problems(ws, files) == []
        [accepted, other, *_] = merge_repo.list_received(ws.db)
        # a file's scores without the rest of it, and a log that miscounts
        ws.db.execute("DELETE FROM scores WHERE expert_id = ? AND centre_id = ? AND "
                      "indicator = (SELECT min(indicator) FROM scores WHERE expert_id = ? "
                      "AND centre_id = ?)", [accepted.expert_id, accepted.centre_id] * 2)
        ws.db.execute("DELETE FROM received_sheets WHERE id = ?", [other.id])
        ws.db.execute("DELETE FROM merge_files WHERE id = (SELECT max(id) FROM merge_files)")
        problems = stress_kill.merge_problems(ws, files)

    assert any("scores are not the accepted sheet's" in p for p in problems)
    assert any("received sheets and their merge-log rows differ" in p for p in problems)
    assert any("logged counts" in p for p in problems)
