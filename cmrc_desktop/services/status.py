"""Completeness: for every centre, where each assigned expert's sheet stands; and the
same as a matrix of centres × experts for the progress dashboard (``progress``)."""

from __future__ import annotations

from dataclasses import dataclass

from cmrc_desktop.i18n import _
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.storage import status_repo

MISSING, DRAFT, RECEIVED, SUPERSEDED, CONFLICT = (
    "missing", "draft", "received", "superseded", "conflict")


@dataclass(frozen=True)
class SheetStatus:
    centre_id: str
    expert_id: str
    state: str                 # missing | draft | received | superseded | conflict
    revision: int | None = None
    superseded: tuple[int, ...] = ()   # older revisions received and kept


STATES = (MISSING, DRAFT, SUPERSEDED, CONFLICT, RECEIVED)   # from the least done
INTEREST = "interest"   # not assigned: a conflict of interest keeps the expert away
OUTSTANDING = (MISSING, DRAFT, SUPERSEDED)                 # no usable sheet has come back


def state_label(state: str) -> str:
    return {MISSING: _("missing"), DRAFT: _("draft"), RECEIVED: _("received"),
            SUPERSEDED: _("superseded"), CONFLICT: _("conflict"),
            INTEREST: _("conflict of interest")}[state]


def completeness(ws: Workspace) -> dict[str, list[SheetStatus]]:
    """centre id → the status of each assigned expert's sheet, by expert id.

    A pair is *received* when a merged sheet is current (with the older revisions it
    superseded listed), *conflict* when two sheets of one revision disagree, *draft*
    when scores were typed into this workspace but nothing signed arrived, *missing*
    otherwise. *superseded* is a pair whose only sheets were superseded (no current).
    """
    return _completeness(status_repo.pairs_snapshot(ws.db))


def _completeness(snapshot: status_repo.PairsSnapshot) -> dict[str, list[SheetStatus]]:
    received: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for expert_id, centre_id, state, revision in snapshot.received:
        received.setdefault((expert_id, centre_id), []).append((state, revision))
    local = {(e, c): (state, revision) for e, c, state, revision in snapshot.sheets}
    out: dict[str, list[SheetStatus]] = {c: [] for c, _name in snapshot.centres}
    for expert_id, centre_id in snapshot.assignments:
        rows = received.get((expert_id, centre_id), [])
        current = [rev for state, rev in rows if state == "current"]
        older = tuple(sorted(rev for state, rev in rows if state == "superseded"))
        conflicting = [rev for state, rev in rows if state == "conflict"]
        if conflicting:
            status = SheetStatus(centre_id, expert_id, CONFLICT, max(conflicting), older)
        elif current:
            status = SheetStatus(centre_id, expert_id, RECEIVED, current[0], older)
        elif rows:
            status = SheetStatus(centre_id, expert_id, SUPERSEDED, None, older)
        elif (expert_id, centre_id) in local:
            state, revision = local[(expert_id, centre_id)]
            status = SheetStatus(centre_id, expert_id,
                                 RECEIVED if state != "draft" else DRAFT, revision)
        else:
            status = SheetStatus(centre_id, expert_id, MISSING)
        out.setdefault(centre_id, []).append(status)
    for statuses in out.values():
        statuses.sort(key=lambda s: s.expert_id)
    return out


@dataclass(frozen=True)
class ProgressMatrix:
    """Centres × experts: the state of every assigned pair, the conflicts of interest,
    and the counts the dashboard shows. Built by ``progress`` from a handful of queries
    (never one per cell), so it stays quick for 150 centres × 30 experts."""

    centres: tuple[tuple[str, str], ...]          # (id, name), by id
    experts: tuple[tuple[str, str], ...]          # (id, name), by id
    cells: dict[tuple[str, str], SheetStatus]     # (centre, expert) → assigned pair
    interests: dict[tuple[str, str], str]         # (centre, expert) → why not (reasons)

    def state(self, centre_id: str, expert_id: str) -> str | None:
        """The pair's state, ``INTEREST`` for a conflict of interest, None when the
        expert is simply not assigned to the centre."""
        status = self.cells.get((centre_id, expert_id))
        if status is not None:
            return status.state
        return INTEREST if (centre_id, expert_id) in self.interests else None

    def centre_counts(self, centre_id: str) -> tuple[int, int]:
        """(received, assigned) of one centre."""
        states = [self.cells[(centre_id, e)].state for e, _name in self.experts
                  if (centre_id, e) in self.cells]
        return sum(s == RECEIVED for s in states), len(states)

    def expert_counts(self, expert_id: str) -> tuple[int, int]:
        """(received, assigned) of one expert."""
        states = [self.cells[(c, expert_id)].state for c, _name in self.centres
                  if (c, expert_id) in self.cells]
        return sum(s == RECEIVED for s in states), len(states)

    def of_expert(self, expert_id: str, states: tuple[str, ...]) -> list[str]:
        """The centres (ids) where the expert's sheet is in one of ``states``."""
        return [c for c, _name in self.centres
                if (c, expert_id) in self.cells
                and self.cells[(c, expert_id)].state in states]

    def totals(self) -> dict[str, int]:
        """How many assigned pairs are in each state."""
        counts = {s: 0 for s in STATES}
        for status in self.cells.values():
            counts[status.state] += 1
        return counts


def progress(ws: Workspace) -> ProgressMatrix:
    """The progress dashboard's matrix (see ``completeness`` for the states), from one
    snapshot of narrow queries."""
    snapshot = status_repo.pairs_snapshot(ws.db)
    interests: dict[tuple[str, str], list[str]] = {}
    for expert_id, centre_id, reason in snapshot.conflicts:
        reasons = interests.setdefault((centre_id, expert_id), [])
        if reason and reason not in reasons:
            reasons.append(reason)
    cells = {(s.centre_id, s.expert_id): s for statuses in _completeness(snapshot).values()
             for s in statuses}
    return ProgressMatrix(
        centres=tuple(snapshot.centres), experts=tuple(snapshot.experts), cells=cells,
        interests={pair: "; ".join(reasons) for pair, reasons in interests.items()})
