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
from cmrc_desktop.services import dossiers, keyring, packages, panel, scoring
from cmrc_desktop.services.declarations import record_declaration
from cmrc_desktop.services.demo_data import make_content, opinion, sheet_scores
from cmrc_desktop.services.demo_signature import draw_signature
from cmrc_desktop.services.merge import merge_files
from cmrc_desktop.services.sheets import export_sheet, sign_sheet
from cmrc_desktop.services.workspace import Workspace, create_workspace
from cmrc_desktop.signing.keys import KeyPair
from cmrc_desktop.storage import expert_repo

MARKER = ".cmrc-demo"
SECRETARY_DIR = "secretary"
DEMO_YEAR = 2026
DEMO_PERIOD = "2025"
DEMO_ACTOR = "演示秘书"
DEMO_PASSWORD = "cmrc-demo-2026"  # documented in README; CMRC_PASSWORD overrides
PACKAGES_DIR = "packages"
EXPERTS_DIR = "experts"
SCORESHEETS_DIR = "scoresheets"

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
    exported: int = 0


def build_demo(out: str | Path, *, centres: int = 12, experts: int = 7, seed: int = 2026,
               per_centre: int | None = None, force: bool = False,
               password: str = DEMO_PASSWORD, formats: tuple[str, ...] = ("xlsx", "pdf"),
               with_experts: bool = True, merge: bool = True,
               progress: Progress | None = None) -> DemoSummary:
    """Build ``out/secretary/`` and, with ``with_experts``, the packages, one workspace per
    expert, and every sheet signed and exported into ``out/scoresheets/``, which are then
    merged into the secretary workspace unless ``merge`` is False. Without experts the
    secretary workspace gets the scores typed in directly (quick demos for tests).

    ``force`` replaces an earlier demo (never other data).
    """
    out = Path(out)
    if centres < 1 or experts < 1:
        raise WorkspaceError(_("a demo needs at least one centre and one expert"))
    keyring.check_new_password(password)
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
        keyring.create_batch_keys(ws, password)
        ca = keyring.open_batch_ca(ws, password)
        for centre in content.centres:
            dossiers.add_centre(ws, centre)
            dossiers.set_metrics(ws, centre.id, DEMO_PERIOD, content.metrics[centre.id])
        for expert in content.experts:
            panel.add_expert(ws, expert, password=password, ca=ca)
        for expert_id, centre_id, reason in content.declared_conflicts:
            panel.declare_conflict(ws, expert_id, centre_id, reason)
        assignments = panel.auto_assign(ws, per_centre)
        bias = {e.id: rng.gauss(0, 0.04) for e in content.experts}
        outliers = {c.id: rng.choice(assignments[c.id]) for c in content.centres
                    if assignments.get(c.id) and rng.random() < 0.25}
        pairs = [(c, e) for c in sorted(assignments) for e in sorted(assignments[c])]
        sheets = {}
        for centre_id, expert_id in pairs:
            sheets[(centre_id, expert_id)] = (
                sheet_scores(rng, scheme, content.quality[centre_id], bias[expert_id],
                             outliers.get(centre_id) == expert_id), opinion(rng))
        signatures = {e.id: draw_signature(rng) for e in content.experts}
        conflicts = len(expert_repo.list_conflicts(ws.db))
        batch_id = ws.batch.id
        exported = 0
        if not with_experts:
            for (centre_id, expert_id), (scores, words) in sheets.items():
                _fill_sheet(ws, expert_id, centre_id, scores, words)
        else:
            exported = _experts_side(ws, out, password, ca, sheets, signatures, formats,
                                     progress)
            if merge:
                merge_files(ws, [out / SCORESHEETS_DIR])
    return DemoSummary(out, secretary, batch_id, len(content.centres), len(content.experts),
                       len(pairs), conflicts, exported)


def _fill_sheet(ws: Workspace, expert_id: str, centre_id: str, scores: dict,
                words: tuple[str, str, str]) -> None:
    achievements, problems, advice = words
    # as an expert does in the form: the declaration first, then the scores
    record_declaration(ws, expert_id, centre_id, no_conflict=True, integrity_concern=False)
    scoring.record_sheet(ws, expert_id, centre_id, scores)
    scoring.record_opinion(ws, expert_id, centre_id, achievements=achievements,
                           problems=problems, recommendations=advice)
    scoring.set_sheet_state(ws, expert_id, centre_id, SheetState.FINAL)


def _experts_side(ws: Workspace, out: Path, password: str, ca: KeyPair, sheets: dict,
                  signatures: dict[str, bytes], formats: tuple[str, ...],
                  progress: Progress | None) -> int:
    """Packages out, expert workspaces in, every sheet scored, signed and exported."""
    packages_dir = out / PACKAGES_DIR
    packages_dir.mkdir(parents=True, exist_ok=True)
    scoresheets = out / SCORESHEETS_DIR
    by_expert: dict[str, list[str]] = {}
    for centre_id, expert_id in sheets:
        by_expert.setdefault(expert_id, []).append(centre_id)
    lines = []
    done = 0
    total = len(sheets)
    for expert_id in sorted(by_expert):
        exported = packages.export_package(ws, expert_id, packages_dir, password, ca=ca)
        lines.append(f"{exported.path.name}\t{expert_id}\t{exported.one_time_password}")
        expert_ws = packages.import_package(out / EXPERTS_DIR / expert_id, exported.path,
                                            exported.one_time_password, password)
        with expert_ws:
            signer = keyring.open_own_key(expert_ws, password)
            for centre_id in sorted(by_expert[expert_id]):
                scores, words = sheets[(centre_id, expert_id)]
                _fill_sheet(expert_ws, expert_id, centre_id, scores, words)
                sign_sheet(expert_ws, expert_id, centre_id, signer,
                           signature_png=signatures[expert_id])
                export_sheet(expert_ws, expert_id, centre_id, scoresheets, signer,
                             formats=formats)
                done += 1
                if progress:
                    progress(done, total, _("filling in the demo scoresheets"))
    (packages_dir / "one-time-passwords.txt").write_text(
        "\n".join(lines) + "\n", encoding="utf-8")
    return done


def _prepare(out: Path, force: bool) -> None:
    secretary = out / SECRETARY_DIR
    if secretary.exists():
        if not force:
            raise WorkspaceError(_("{folder} already exists; use --force to replace an "
                                   "earlier demo").format(folder=secretary))
        if not (out / MARKER).exists():
            raise WorkspaceError(_("{folder} was not made by cmrc demo; it is left as it "
                                   "is").format(folder=out))
        for name in (SECRETARY_DIR, PACKAGES_DIR, EXPERTS_DIR, SCORESHEETS_DIR):
            shutil.rmtree(out / name, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("cmrc demo\n", encoding="utf-8")
