"""``cmrc demo``: a complete, realistic secretary workspace from one seed.

The demo is how a new user (and every UI test and benchmark) meets the program, so it
goes through the same services as real work: nothing is written behind their back.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cmrc_desktop.domain.errors import WorkspaceError
from cmrc_desktop.domain.workspace import BatchKind, Role, SheetState, Stage
from cmrc_desktop.i18n import _
from cmrc_desktop.scoring.builtin import DEFAULT_SCHEME, builtin_scheme, catalog
from cmrc_desktop.services import dossiers, panel, scoring
from cmrc_desktop.services.demo_data import make_content, opinion, sheet_scores
from cmrc_desktop.services.workspace import create_workspace
from cmrc_desktop.storage import expert_repo

MARKER = ".cmrc-demo"
SECRETARY_DIR = "secretary"
DEMO_YEAR = 2026
DEMO_PERIOD = "2025"
DEMO_ACTOR = "演示秘书"

Progress = Callable[[int, int, str], None]


@dataclass
class DemoSummary:
    folder: Path
    secretary: Path
    batch_id: str
    centres: int
    experts: int
    sheets: int
    conflicts: int


def build_demo(out: str | Path, *, centres: int = 12, experts: int = 7, seed: int = 2026,
               per_centre: int | None = None, force: bool = False,
               progress: Progress | None = None) -> DemoSummary:
    """Build ``out/secretary/``; ``force`` replaces an earlier demo (never other data)."""
    out = Path(out)
    if centres < 1 or experts < 1:
        raise WorkspaceError(_("a demo needs at least one centre and one expert"))
    _prepare(out, force)
    rng = random.Random(seed)
    scheme = builtin_scheme(DEFAULT_SCHEME)
    content = make_content(rng, catalog(), centres, experts, DEMO_YEAR)
    secretary = out / SECRETARY_DIR
    ws = create_workspace(secretary, name=f"{DEMO_YEAR}年度山东省临床医学研究中心绩效评估（演示）",
                          year=DEMO_YEAR, kind=BatchKind.PERFORMANCE, stage=Stage.ON_SITE,
                          scheme=scheme, role=Role.SECRETARY, actor=DEMO_ACTOR,
                          batch_id=f"B{DEMO_YEAR}-{seed & 0xFFFFFFFF:08x}")
    with ws:
        for centre in content.centres:
            dossiers.add_centre(ws, centre)
            dossiers.set_metrics(ws, centre.id, DEMO_PERIOD, content.metrics[centre.id])
        for expert in content.experts:
            panel.add_expert(ws, expert)
        for expert_id, centre_id, reason in content.declared_conflicts:
            panel.declare_conflict(ws, expert_id, centre_id, reason)
        assignments = panel.auto_assign(ws, per_centre)
        bias = {e.id: rng.gauss(0, 0.04) for e in content.experts}
        outliers = {c.id: rng.choice(assignments[c.id]) for c in content.centres
                    if assignments.get(c.id) and rng.random() < 0.25}
        pairs = [(c, e) for c in sorted(assignments) for e in sorted(assignments[c])]
        for n, (centre_id, expert_id) in enumerate(pairs, 1):
            scores = sheet_scores(rng, scheme, content.quality[centre_id], bias[expert_id],
                                  outliers.get(centre_id) == expert_id)
            scoring.record_sheet(ws, expert_id, centre_id, scores)
            achievements, problems, advice = opinion(rng)
            scoring.record_opinion(ws, expert_id, centre_id, achievements=achievements,
                                   problems=problems, recommendations=advice)
            scoring.set_sheet_state(ws, expert_id, centre_id, SheetState.FINAL)
            if progress:
                progress(n, len(pairs), _("filling in the demo scoresheets"))
        conflicts = len(expert_repo.list_conflicts(ws.db))
        batch_id = ws.batch.id
    return DemoSummary(out, secretary, batch_id, len(content.centres), len(content.experts),
                       len(pairs), conflicts)


def _prepare(out: Path, force: bool) -> None:
    secretary = out / SECRETARY_DIR
    if secretary.exists():
        if not force:
            raise WorkspaceError(_("{folder} already exists; use --force to replace an "
                                   "earlier demo").format(folder=secretary))
        if not (out / MARKER).exists():
            raise WorkspaceError(_("{folder} was not made by cmrc demo; it is left as it "
                                   "is").format(folder=out))
        shutil.rmtree(secretary)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("cmrc demo\n", encoding="utf-8")
