"""Completeness: for every centre, where each assigned expert's sheet stands."""

from __future__ import annotations

from dataclasses import dataclass

from cmrc_desktop.i18n import _
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.storage import centre_repo, expert_repo, merge_repo, score_repo

MISSING, DRAFT, RECEIVED, SUPERSEDED, CONFLICT = (
    "missing", "draft", "received", "superseded", "conflict")


@dataclass(frozen=True)
class SheetStatus:
    centre_id: str
    expert_id: str
    state: str                 # missing | draft | received | superseded | conflict
    revision: int | None = None
    superseded: tuple[int, ...] = ()   # older revisions received and kept


def state_label(state: str) -> str:
    return {MISSING: _("missing"), DRAFT: _("draft"), RECEIVED: _("received"),
            SUPERSEDED: _("superseded"), CONFLICT: _("conflict")}[state]


def completeness(ws: Workspace) -> dict[str, list[SheetStatus]]:
    """centre id → the status of each assigned expert's sheet, by expert id.

    A pair is *received* when a merged sheet is current (with the older revisions it
    superseded listed), *conflict* when two sheets of one revision disagree, *draft*
    when scores were typed into this workspace but nothing signed arrived, *missing*
    otherwise. *superseded* is a pair whose only sheets were superseded (no current).
    """
    db = ws.db
    received: dict[tuple[str, str], list] = {}
    for r in merge_repo.list_received(db):
        received.setdefault((r.expert_id, r.centre_id), []).append(r)
    local = {(s.expert_id, s.centre_id): s for s in score_repo.list_sheets(db)}
    out: dict[str, list[SheetStatus]] = {c.id: [] for c in centre_repo.list_centres(db)}
    for expert_id, centre_id in expert_repo.list_assignments(db):
        rows = received.get((expert_id, centre_id), [])
        current = [r for r in rows if r.status == "current"]
        older = tuple(sorted(r.revision for r in rows if r.status == "superseded"))
        if any(r.status == "conflict" for r in rows):
            status = SheetStatus(centre_id, expert_id, CONFLICT,
                                 max(r.revision for r in rows if r.status == "conflict"),
                                 older)
        elif current:
            status = SheetStatus(centre_id, expert_id, RECEIVED, current[0].revision, older)
        elif rows:
            status = SheetStatus(centre_id, expert_id, SUPERSEDED, None, older)
        elif (expert_id, centre_id) in local:
            sheet = local[(expert_id, centre_id)]
            state = RECEIVED if sheet.state != "draft" else DRAFT
            status = SheetStatus(centre_id, expert_id, state, sheet.revision)
        else:
            status = SheetStatus(centre_id, expert_id, MISSING)
        out.setdefault(centre_id, []).append(status)
    for statuses in out.values():
        statuses.sort(key=lambda s: s.expert_id)
    return out
