"""Grading a workspace: the engine of GRADING.md over what the workspace holds.

The workspace is turned into the same ``GradingInput`` that ``cmrc grade`` reads from
CSV files, so a result computed in the window can always be reproduced by hand from
the exported files.
"""

from __future__ import annotations

from cmrc_desktop.scoring.grading import GradingInput, GradingResult, grade
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.storage import centre_repo, dossier_repo, expert_repo, review_repo, score_repo


def workspace_grading_input(ws: Workspace) -> GradingInput:
    """Scores of assigned sheets, each centre's latest metrics, and recorded vetoes."""
    db = ws.db
    data = GradingInput(centres={c.id for c in centre_repo.list_centres(db)})
    assigned = {(centre, expert) for expert, centre in expert_repo.list_assignments(db)}
    for sheet in score_repo.list_sheets(db):
        if (sheet.centre_id, sheet.expert_id) in assigned:
            data.scores.setdefault((sheet.centre_id, sheet.expert_id), {})
    for score in score_repo.list_scores(db):
        key = (score.centre_id, score.expert_id)
        if key in assigned and score.value is not None:
            data.scores.setdefault(key, {})[score.indicator] = score.value
    latest: dict[str, str] = {}
    for m in dossier_repo.list_metrics(db):  # ordered by centre, period
        if m.period != latest.get(m.centre_id):
            latest[m.centre_id] = m.period
            data.metrics[m.centre_id] = {}
        data.metrics[m.centre_id][m.metric] = m.value
    for veto in review_repo.list_vetoes(db):
        data.vetoes.setdefault(veto.centre_id, set()).add(veto.veto_id)
    return data


def grade_workspace(ws: Workspace, method: str | None = None) -> GradingResult:
    return grade(ws.scheme, workspace_grading_input(ws), method=method)
