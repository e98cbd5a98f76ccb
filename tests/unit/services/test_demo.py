"""The demo is a user's first contact: realistic, complete and reproducible."""

from __future__ import annotations

import pytest

from cmrc_desktop.domain.errors import WorkspaceError
from cmrc_desktop.domain.workspace import SheetState
from cmrc_desktop.services.demo import build_demo
from cmrc_desktop.services.results import grade_workspace
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.storage import centre_repo, dossier_repo, expert_repo, score_repo


def snapshot(folder):
    with open_workspace(folder) as ws:
        return (ws.batch.id,
                [(c.id, c.name, c.host, c.level, c.field, c.members)
                 for c in centre_repo.list_centres(ws.db)],
                [(e.id, e.name, e.institution) for e in expert_repo.list_experts(ws.db)],
                sorted((c.expert_id, c.centre_id, c.kind) for c in
                       expert_repo.list_conflicts(ws.db)),
                [(s.expert_id, s.centre_id, s.indicator, s.value)
                 for s in score_repo.list_scores(ws.db)],
                [(m.centre_id, m.metric, m.value) for m in dossier_repo.list_metrics(ws.db)])


def test_same_seed_same_content_other_seed_other_content(tmp_path):
    a = build_demo(tmp_path / "a", centres=6, experts=5, seed=7, with_experts=False)
    b = build_demo(tmp_path / "b", centres=6, experts=5, seed=7, with_experts=False)
    c = build_demo(tmp_path / "c", centres=6, experts=5, seed=8, with_experts=False)
    assert snapshot(a.secretary) == snapshot(b.secretary)
    assert snapshot(a.secretary) != snapshot(c.secretary)


def test_demo_is_complete_realistic_and_gradable(tmp_path):
    summary = build_demo(tmp_path / "demo", centres=12, experts=7, seed=2026, with_experts=False)
    with open_workspace(summary.secretary) as ws:
        centres = centre_repo.list_centres(ws.db)
        assert len(centres) == 12
        assert all("临床医学研究中心" in c.name and c.host and c.members for c in centres)
        assert len({c.level for c in centres}) >= 2
        conflicts = {(c.expert_id, c.centre_id) for c in expert_repo.list_conflicts(ws.db)}
        assignments = set(expert_repo.list_assignments(ws.db))
        assert conflicts, "the demo shows detected conflicts"
        assert not conflicts & assignments, "no expert scores a centre they conflict with"
        sheets = score_repo.list_sheets(ws.db)
        assert len(sheets) == len(assignments) == summary.sheets
        assert {s.state for s in sheets} == {SheetState.FINAL}
        result = grade_workspace(ws)
        graded = [r for r in result.centres if r.final is not None]
        assert len(graded) == 12
        assert any("disagreement" in r.flags for r in result.centres)
        assert len({r.grade.label for r in graded if r.grade}) >= 2


def test_demo_refuses_to_overwrite_and_force_replaces_only_a_demo(tmp_path):
    build_demo(tmp_path / "d", centres=2, experts=3, seed=1, with_experts=False)
    with pytest.raises(WorkspaceError, match="already exists"):
        build_demo(tmp_path / "d", centres=2, experts=3, seed=1, with_experts=False)
    build_demo(tmp_path / "d", centres=3, experts=3, seed=1, force=True, with_experts=False)
    with open_workspace(tmp_path / "d" / "secretary") as ws:
        assert len(centre_repo.list_centres(ws.db)) == 3
    other = tmp_path / "mine"
    (other / "secretary").mkdir(parents=True)
    (other / "secretary" / "precious.txt").write_text("keep")
    with pytest.raises(WorkspaceError, match="not made by cmrc demo"):
        build_demo(other, centres=2, experts=3, force=True, with_experts=False)
    assert (other / "secretary" / "precious.txt").read_text() == "keep"
