"""Grading a workspace: the engine of GRADING.md over what the workspace holds.

The workspace is turned into the same ``GradingInput`` that ``cmrc grade`` reads from
CSV files, so a result computed in the window can always be reproduced by hand from
the exported files.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from cmrc_desktop.domain.scheme import METHODS, Scheme
from cmrc_desktop.domain.workspace import VetoRecord
from cmrc_desktop.scoring.grading import (
    FLAG_QUOTA_TIE,
    CentreResult,
    GradingInput,
    GradingResult,
    grade,
    grade_methods,
)
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.storage import centre_repo, dossier_repo, expert_repo, review_repo, score_repo


def workspace_grading_input(ws: Workspace) -> GradingInput:
    """Scores of assigned sheets, each centre's latest metrics, and recorded vetoes."""
    db = ws.db
    data = GradingInput(centres=set(centre_repo.centre_ids(db)))
    assigned = {(centre, expert) for expert, centre in expert_repo.list_assignments(db)}
    for pair in score_repo.sheet_pairs(db):
        if pair in assigned:
            data.scores.setdefault(pair, {})
    for pair, values in score_repo.sheet_values(db).items():
        if pair in assigned:
            data.scores.setdefault(pair, {}).update(values)
    data.metrics.update(dossier_repo.latest_metrics(db))
    for veto in review_repo.list_vetoes(db):
        data.vetoes.setdefault(veto.centre_id, set()).add(veto.veto_id)
    return data


def grade_workspace(ws: Workspace, method: str | None = None) -> GradingResult:
    return grade(ws.scheme, workspace_grading_input(ws), method=method)


def grade_by_method(scheme: Scheme, data: GradingInput) -> dict[str, GradingResult]:
    """The same inputs graded under every aggregation method; the scheme's own is among
    them, so nobody needs to grade a fourth time for the official result."""
    return grade_methods(scheme, data, METHODS)


def method_sensitive(by_method: dict[str, GradingResult]) -> frozenset[str]:
    """The centres whose grade (or lack of one) is not the same under every method."""
    grades: dict[str, set[str | None]] = {}
    for result in by_method.values():
        for r in result.centres:
            grades.setdefault(r.centre, set()).add(r.grade.label if r.grade else None)
    return frozenset(c for c, labels in grades.items() if len(labels) > 1)


def dimension_max(scheme: Scheme) -> dict[str, Decimal]:
    """The most points each dimension can give: the yardstick of a radar chart."""
    return {d.id: scheme.dimension_max(d.id) for d in scheme.dimensions}


@dataclass(frozen=True)
class ResultsOverview:
    """What the results view shows, computed in one go: grading three times takes a few
    hundred milliseconds on a real batch, so the window does it on a worker thread and
    receives this snapshot (plain objects, no database connection)."""

    scheme: Scheme
    result: GradingResult                      # under the scheme's own method
    by_method: dict[str, GradingResult]        # method -> result (the scheme's included)
    method_sensitive: frozenset[str]
    names: dict[str, str]                      # centre id -> name
    vetoes: dict[str, tuple[VetoRecord, ...]]  # centre id -> recorded vetoes, with reasons

    def quota_ties(self) -> list[CentreResult]:
        """Centres whose grade the committee must decide (tied on a quota boundary)."""
        return [r for r in self.result.centres if FLAG_QUOTA_TIE in r.flags]

    def average_shares(self) -> dict[str, Fraction]:
        """Each dimension's mean share of its max over the graded centres, as the report's
        radar shows it; empty with fewer than two graded centres (nothing to compare)."""
        graded = [r for r in self.result.centres if r.dimensions]
        if len(graded) < 2:
            return {}
        return {d: (sum((r.dimensions[d] for r in graded), Fraction(0)) / len(graded)
                    / Fraction(top)) if top else Fraction(0)
                for d, top in dimension_max(self.scheme).items()}


def results_overview(ws: Workspace) -> ResultsOverview:
    scheme = ws.scheme
    data = workspace_grading_input(ws)
    by_method = grade_by_method(scheme, data)
    vetoes: dict[str, list[VetoRecord]] = {}
    for veto in review_repo.list_vetoes(ws.db):
        vetoes.setdefault(veto.centre_id, []).append(veto)
    return ResultsOverview(
        scheme=scheme, result=by_method[scheme.aggregation.method], by_method=by_method,
        method_sensitive=method_sensitive(by_method),
        names={c.id: c.name for c in centre_repo.list_centres(ws.db)},
        vetoes={c: tuple(v) for c, v in vetoes.items()})
