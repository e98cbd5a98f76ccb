"""What the Experts and Assignments views read from the panel: one summary per expert, a
snapshot of the whole matrix (with the pairs that have scores), and the next free id."""

from __future__ import annotations

from decimal import Decimal

from cmrc_desktop.domain.workspace import ConflictKind, Expert
from cmrc_desktop.services.panel import (
    add_expert,
    declare_conflict,
    expert_summaries,
    next_expert_id,
    panel_matrix,
)
from cmrc_desktop.services.scoring import record_score
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.storage import score_repo


def test_summaries_give_every_expert_their_assignments_and_conflicts(ws: Workspace):
    summaries = {s.expert.id: s for s in expert_summaries(ws)}
    assert sorted(summaries) == ["E1", "E2"]
    assert summaries["E1"].assigned == 1 and summaries["E1"].conflicts == ()
    assert summaries["E2"].assigned == 2
    assert [(c.centre_id, c.kind) for c in summaries["E2"].conflicts] == [
        ("C1", ConflictKind.DECLARED)]


def test_the_matrix_holds_assigned_conflicted_and_scored_pairs(ws: Workspace):
    record_score(ws, "E1", "C1", "A1", Decimal("3"))
    matrix = panel_matrix(ws)
    assert [e.id for e in matrix.experts] == ["E1", "E2"]
    assert [c.id for c in matrix.centres] == ["C1", "C2"]
    assert matrix.assigned == {("E1", "C1"), ("E2", "C1"), ("E2", "C2")}
    assert [c.reason for c in matrix.conflicts[("E2", "C1")]] == ["works at a network member"]
    assert matrix.scored == {("E1", "C1")}


def test_scored_pairs_ignore_scores_cleared_to_nothing(ws: Workspace):
    record_score(ws, "E1", "C1", "A1", Decimal("3"))
    record_score(ws, "E1", "C1", "A1", None)
    assert score_repo.scored_pairs(ws.db) == set()


def test_declared_conflicts_show_in_the_snapshot_at_once(ws: Workspace):
    declare_conflict(ws, "E1", "C2", "co-author of the centre's application")
    matrix = panel_matrix(ws)
    assert ("E1", "C2") in matrix.conflicts and ("E1", "C2") not in matrix.assigned


def test_next_expert_id_follows_the_panel_style(ws: Workspace, bare_ws: Workspace):
    assert next_expert_id(bare_ws) == "E01"
    assert next_expert_id(ws) == "E3"
    add_expert(ws, Expert("ZJ-009", "王五", "山东省立医院"))
    assert next_expert_id(ws) == "ZJ-010"
