"""The review panel: experts, conflicts of interest (回避) and who scores which centre.

Each use case is one ``with ws.db.atomic():`` holding its checks, its writes and their
audit rows. ``detect_conflicts`` may also run inside a caller's transaction (importing
centres does that), where its atomic block becomes a savepoint.

Conflicts come in two kinds: AUTO ones are derived from the data (the expert works at
the centre's host institution or at one of its network members) and are kept in step
with it by ``detect_conflicts``; DECLARED ones are recorded by a person and only a
person removes them. A conflicted pair is never assigned.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.workspace import Centre, Conflict, ConflictKind, Expert, MemberRole
from cmrc_desktop.i18n import N_, _
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.signing.keys import KeyPair
from cmrc_desktop.storage import Database, audit, centre_repo, expert_repo, score_repo

# white space of any kind and round brackets, half- and full-width (NFKC already maps
# the full-width ones to ASCII; both are listed so the rule reads as it is meant)
_IGNORED = re.compile(r"[\s()（）]+")


def same_institution(a: str, b: str) -> bool:
    """Whether two spellings name the same institution.

    Both are compared after Unicode NFKC normalisation (full-width letters, digits and
    brackets become their ASCII forms), with every white-space character and every round
    bracket — ``(`` ``)`` ``（`` ``）`` — removed, and case folded. So
    ``山东大学齐鲁医院（青岛）`` and ``山东大学齐鲁医院 (青岛)`` are the same institution.
    A name that is empty after this (no name at all) matches nothing, not even another
    empty one.
    """
    key_a = _institution_key(a)
    return bool(key_a) and key_a == _institution_key(b)


def _institution_key(name: str) -> str:
    return _IGNORED.sub("", unicodedata.normalize("NFKC", name or "")).casefold()


# -- experts ----------------------------------------------------------------------------
def add_expert(ws: Workspace, expert: Expert, *, password: str | None = None,
               ca: KeyPair | None = None) -> list[Conflict]:
    """Add a panel member; returns the conflicts detected for them at once.

    Once the batch has its keys, registering an expert also issues their certificate,
    which needs the batch password (checked before anything is written).
    """
    from cmrc_desktop.services import keyring

    if ca is None and keyring.batch_ca(ws) is not None:
        if not password:
            raise InputError(_("registering an expert issues their certificate: the batch "
                               "password is needed"), field="password")
        ca = keyring.open_batch_ca(ws, password)
    expert = dataclasses.replace(
        expert, id=(expert.id or "").strip(), name=(expert.name or "").strip(),
        institution=" ".join((expert.institution or "").split()),
        title=(expert.title or "").strip(), specialty=(expert.specialty or "").strip())
    if not expert.id:
        raise InputError(_("the expert needs an id"), field="id")
    if not expert.name:
        raise InputError(_("expert {id}: the name must not be empty").format(id=expert.id),
                         field="name")
    if not expert.institution:
        raise InputError(_("expert {id}: the institution must not be empty (it is needed to "
                           "find conflicts of interest)").format(id=expert.id),
                         field="institution")
    db = ws.db
    with db.atomic():
        if expert_repo.find_expert(db, expert.id) is not None:
            raise InputError(_("there is already an expert with id '{id}'").format(
                id=expert.id), field="id")
        expert_repo.insert_expert(db, expert)
        audit.append(db, actor=ws.actor, action="expert.add", entity=f"expert:{expert.id}",
                     expert_id=expert.id, new=_json({
                         k: v for k, v in dataclasses.asdict(expert).items() if v}))
        conflicts = _detect(ws, expert_ids={expert.id})
    if ca is not None:
        keyring.issue_expert_key(ws, expert.id, password, ca=ca)
    return conflicts


# -- conflicts --------------------------------------------------------------------------
def conflict_reason(expert: Expert, centre: Centre) -> str | None:
    """Why ``expert`` is automatically in conflict with ``centre``, or None.

    The reason is stored untranslated (a gettext msgid), so it reads in whatever language
    the window or a document is shown in; show it with ``i18n._(reason)``, which leaves a
    declared reason (free text) as it is.
    """
    if same_institution(expert.institution, centre.host):
        return N_("The expert's institution is the centre's host institution")
    for member in centre.members:
        if same_institution(expert.institution, member.institution):
            return _MEMBER_REASONS[member.role]
    return None


_MEMBER_REASONS = {
    MemberRole.CORE: N_(
        "The expert's institution is a network member of the centre (core member)"),
    MemberRole.MEMBER: N_(
        "The expert's institution is a network member of the centre"),
    MemberRole.PROMOTION: N_(
        "The expert's institution is a network member of the centre (promotion network)"),
}


def detect_conflicts(ws: Workspace) -> list[Conflict]:
    """Bring the AUTO conflicts in line with experts' institutions and centres' networks.

    Adds the missing ones, updates a changed reason, removes those that no longer apply
    (DECLARED conflicts are never touched) and returns the ones newly added. A newly
    conflicted pair that was assigned loses the assignment unless the expert has already
    scored the centre (those scores stay, and scoring refuses further changes).
    """
    return _detect(ws)


def _detect(ws: Workspace, *, expert_ids: set[str] | None = None) -> list[Conflict]:
    db = ws.db
    added: list[Conflict] = []
    with db.atomic():
        experts = [e for e in expert_repo.list_experts(db)
                   if expert_ids is None or e.id in expert_ids]
        centres = centre_repo.list_centres(db)
        existing = {(c.expert_id, c.centre_id): c
                    for c in expert_repo.list_conflicts(db)
                    if c.kind == ConflictKind.AUTO
                    and (expert_ids is None or c.expert_id in expert_ids)}
        for expert in experts:
            for centre in centres:
                reason = conflict_reason(expert, centre)
                old = existing.pop((expert.id, centre.id), None)
                if reason is None:
                    if old is not None:
                        expert_repo.remove_conflict(db, expert.id, centre.id, ConflictKind.AUTO)
                        audit.append(db, actor=ws.actor, action="conflict.clear",
                                     entity="conflict:auto", centre_id=centre.id,
                                     expert_id=expert.id, old=old.reason)
                    continue
                if old is not None and old.reason == reason:
                    continue
                conflict = Conflict(expert.id, centre.id, ConflictKind.AUTO, reason)
                expert_repo.add_conflict(db, conflict)
                audit.append(db, actor=ws.actor, action="conflict.detect",
                             entity="conflict:auto", centre_id=centre.id, expert_id=expert.id,
                             old=old.reason if old else None, new=reason,
                             extra={"institution": expert.institution})
                if old is None:
                    added.append(conflict)
                    _drop_unscored_assignment(ws, expert.id, centre.id,
                                              reason="conflict detected")
        # left over: AUTO conflicts whose expert or centre is gone would have cascaded, so
        # nothing remains here in practice; clear them anyway for a consistent state
        for (expert_id, centre_id), old in existing.items():
            expert_repo.remove_conflict(db, expert_id, centre_id, ConflictKind.AUTO)
            audit.append(db, actor=ws.actor, action="conflict.clear", entity="conflict:auto",
                         centre_id=centre_id, expert_id=expert_id, old=old.reason)
    return added


def _required(reason: str | None, missing: str) -> str:
    """The reason an audited change needs, trimmed; ``missing`` when there is none."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError(missing, field="reason")
    return reason


def _known_pair(db: Database, expert_id: str, centre_id: str) -> None:
    """``NotFoundError`` naming the expert or the centre that does not exist."""
    expert_repo.get_expert(db, expert_id)
    centre_repo.get_centre(db, centre_id)


def declare_conflict(ws: Workspace, expert_id: str, centre_id: str, reason: str) -> Conflict:
    """Record a declared conflict; an assignment of the pair that has no scores is removed."""
    reason = _required(reason, _("a declared conflict of interest needs a reason"))
    db = ws.db
    with db.atomic():
        _known_pair(db, expert_id, centre_id)
        if expert_repo.is_assigned(db, expert_id, centre_id):
            if _has_scores(db, expert_id, centre_id):
                raise InputError(_(
                    "expert {expert} has already entered scores for centre {centre}; clear "
                    "those scores (or have the expert clear them) before declaring the "
                    "conflict of interest").format(expert=expert_id, centre=centre_id))
            _remove_assignment(ws, expert_id, centre_id, reason="conflict declared")
        old = next((c for c in expert_repo.conflicts_of(db, expert_id, centre_id)
                    if c.kind == ConflictKind.DECLARED), None)
        conflict = Conflict(expert_id, centre_id, ConflictKind.DECLARED, reason)
        if old is not None and old.reason == reason:
            return old
        expert_repo.add_conflict(db, conflict)
        audit.append(db, actor=ws.actor, action="conflict.declare", entity="conflict:declared",
                     centre_id=centre_id, expert_id=expert_id,
                     old=old.reason if old else None, new=reason)
    return conflict


def withdraw_conflict(ws: Workspace, expert_id: str, centre_id: str, reason: str) -> Conflict:
    """Withdraw a declared conflict of interest (declared by mistake, or no longer true),
    saying why; returns the withdrawn one. A detected conflict follows the institutions
    and networks and goes only when they change (``detect_conflicts``). The pair is not
    assigned again by this: the secretary decides that."""
    reason = _required(reason, _("say why the conflict of interest is withdrawn"))
    db = ws.db
    with db.atomic():
        _known_pair(db, expert_id, centre_id)
        conflicts = expert_repo.conflicts_of(db, expert_id, centre_id)
        declared = next((c for c in conflicts if c.kind == ConflictKind.DECLARED), None)
        if declared is None:
            if conflicts:
                raise InputError(_(
                    "the conflict of interest of expert {expert} with centre {centre} was "
                    "detected from their institutions, not declared; it goes when the "
                    "institution or the centre's network changes").format(
                        expert=expert_id, centre=centre_id))
            raise InputError(_("expert {expert} has no declared conflict of interest with "
                               "centre {centre}").format(expert=expert_id, centre=centre_id))
        expert_repo.remove_conflict(db, expert_id, centre_id, ConflictKind.DECLARED)
        audit.append(db, actor=ws.actor, action="conflict.withdraw",
                     entity="conflict:declared", centre_id=centre_id, expert_id=expert_id,
                     old=declared.reason, reason=reason)
    return declared


# -- assignments ------------------------------------------------------------------------
def assign(ws: Workspace, expert_id: str, centre_id: str) -> None:
    """Assign an expert to score a centre; assigning again does nothing."""
    db = ws.db
    with db.atomic():
        _known_pair(db, expert_id, centre_id)
        conflicts = expert_repo.conflicts_of(db, expert_id, centre_id)
        if conflicts:
            reasons = "; ".join(_(c.reason) for c in conflicts if c.reason) or "—"
            raise InputError(_("expert {expert} cannot be assigned to centre {centre}: "
                               "conflict of interest ({reason})").format(
                                   expert=expert_id, centre=centre_id, reason=reasons))
        if expert_repo.is_assigned(db, expert_id, centre_id):
            return
        expert_repo.assign(db, expert_id, centre_id)
        audit.append(db, actor=ws.actor, action="assignment.add", entity="assignment",
                     centre_id=centre_id, expert_id=expert_id)


def unassign(ws: Workspace, expert_id: str, centre_id: str, *, reason: str) -> None:
    """Take an expert off a centre, saying why (the audit row keeps it); refused once the
    expert has scored it."""
    reason = _required(reason, _("say why the assignment is removed"))
    db = ws.db
    with db.atomic():
        _known_pair(db, expert_id, centre_id)
        if not expert_repo.is_assigned(db, expert_id, centre_id):
            return
        if _has_scores(db, expert_id, centre_id):
            raise InputError(_("expert {expert} has already entered scores for centre "
                               "{centre}; the assignment cannot be removed while they "
                               "stand").format(expert=expert_id, centre=centre_id))
        _remove_assignment(ws, expert_id, centre_id, reason=reason)


def auto_assign(ws: Workspace, per_centre: int | None = None) -> dict[str, list[str]]:
    """Assign experts to centres, never a conflicted pair.

    ``per_centre`` None assigns every expert to every centre they are not in conflict
    with. Otherwise each centre is topped up to ``per_centre`` experts, choosing among
    the eligible experts those with the fewest assignments so far (ties broken by expert
    id); centres with the fewest eligible experts are served first, so that the scarce
    experts go where they are needed. Existing assignments are kept.

    Returns, for every centre, the ids of all experts assigned to it afterwards (old and
    new, sorted): a centre with fewer than ``per_centre`` had too many conflicts.
    """
    if per_centre is not None and (isinstance(per_centre, bool)
                                   or not isinstance(per_centre, int) or per_centre < 0):
        raise InputError(_("the number of experts per centre must be a whole number of 0 or "
                           "more, not {value!r}").format(value=per_centre),
                         field="per_centre")
    db = ws.db
    with db.atomic():
        experts = [e.id for e in expert_repo.list_experts(db)]
        centres = [c.id for c in centre_repo.list_centres(db)]
        conflicted = {(c.expert_id, c.centre_id) for c in expert_repo.list_conflicts(db)}
        assigned: dict[str, set[str]] = {c: set() for c in centres}
        load = dict.fromkeys(experts, 0)
        for expert_id, centre_id in expert_repo.list_assignments(db):
            assigned.setdefault(centre_id, set()).add(expert_id)
            load[expert_id] = load.get(expert_id, 0) + 1

        def eligible(centre_id: str) -> list[str]:
            return [e for e in experts
                    if (e, centre_id) not in conflicted and e not in assigned[centre_id]]

        if per_centre is None:
            plan = [(c, eligible(c)) for c in centres]
        else:
            plan = []
            for centre_id in sorted(centres, key=lambda c: (len(eligible(c)), c)):
                need = per_centre - len(assigned[centre_id])
                if need <= 0:
                    continue
                chosen = sorted(eligible(centre_id), key=lambda e: (load[e], e))[:need]
                for expert_id in chosen:
                    load[expert_id] += 1
                plan.append((centre_id, chosen))
        for centre_id, chosen in plan:
            for expert_id in chosen:
                expert_repo.assign(db, expert_id, centre_id)
                assigned[centre_id].add(expert_id)
                audit.append(db, actor=ws.actor, action="assignment.add", entity="assignment",
                             centre_id=centre_id, expert_id=expert_id,
                             extra={"auto": True, "per_centre": per_centre})
    return {c: sorted(assigned[c]) for c in centres}


def panel_counts(ws: Workspace) -> tuple[dict[str, int], dict[str, int]]:
    """Assignments per expert and per centre (every expert and centre, zeros included)."""
    db = ws.db
    per_expert = dict.fromkeys((e.id for e in expert_repo.list_experts(db)), 0)
    per_centre = dict.fromkeys((c.id for c in centre_repo.list_centres(db)), 0)
    for expert_id, centre_id in expert_repo.list_assignments(db):
        per_expert[expert_id] = per_expert.get(expert_id, 0) + 1
        per_centre[centre_id] = per_centre.get(centre_id, 0) + 1
    return per_expert, per_centre


# -- what the window shows --------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ExpertSummary:
    """One panel member with how many centres they score and their conflicts."""

    expert: Expert
    assigned: int
    conflicts: tuple[Conflict, ...]


def expert_summaries(ws: Workspace) -> list[ExpertSummary]:
    """Every expert (by id) with their assignment count and conflicts (by centre)."""
    db = ws.db
    per_expert, _per_centre = panel_counts(ws)
    conflicts: dict[str, list[Conflict]] = {}
    for conflict in expert_repo.list_conflicts(db):
        conflicts.setdefault(conflict.expert_id, []).append(conflict)
    return [ExpertSummary(e, per_expert.get(e.id, 0), tuple(conflicts.get(e.id, ())))
            for e in expert_repo.list_experts(db)]


Pair = tuple[str, str]      # (expert_id, centre_id)


@dataclasses.dataclass(frozen=True)
class PanelMatrix:
    """A snapshot of who scores what: experts, centres, assigned pairs, conflicted pairs
    with their conflicts, and the pairs with scores (whose assignment cannot be removed)."""

    experts: tuple[Expert, ...]
    centres: tuple[Centre, ...]
    assigned: frozenset[Pair]
    conflicts: dict[Pair, tuple[Conflict, ...]]
    scored: frozenset[Pair]


def panel_matrix(ws: Workspace) -> PanelMatrix:
    """Read the whole panel in a few queries (150 centres × 30 experts in ~20 ms)."""
    db = ws.db
    conflicts: dict[Pair, list[Conflict]] = {}
    for conflict in expert_repo.list_conflicts(db):
        conflicts.setdefault((conflict.expert_id, conflict.centre_id), []).append(conflict)
    return PanelMatrix(
        experts=tuple(expert_repo.list_experts(db)),
        centres=tuple(centre_repo.list_centres(db)),
        assigned=frozenset(expert_repo.list_assignments(db)),
        conflicts={pair: tuple(found) for pair, found in conflicts.items()},
        scored=frozenset(score_repo.scored_pairs(db)))


def next_expert_id(ws: Workspace) -> str:
    """A free id in the style of the panel's: the id with the highest trailing number,
    that number plus one with the same prefix and width (E07 → E08, ZJ-009 → ZJ-010);
    ``E01`` when no id ends in a number."""
    ids = [e.id for e in expert_repo.list_experts(ws.db)]
    best: tuple[int, str, int] | None = None   # (number, prefix, width)
    for expert_id in ids:
        match = re.fullmatch(r"(.*?)(\d+)", expert_id)
        if match and (best is None or int(match.group(2)) > best[0]):
            best = (int(match.group(2)), match.group(1), len(match.group(2)))
    if best is None:
        return "E01"
    number, prefix, width = best
    return f"{prefix}{number + 1:0{width}d}"


# -- helpers ----------------------------------------------------------------------------
def _has_scores(db: Database, expert_id: str, centre_id: str) -> bool:
    """Whether the expert has written any score value on that centre's sheet."""
    return any(s.value is not None
               for s in score_repo.list_scores(db, expert_id=expert_id, centre_id=centre_id))


def _remove_assignment(ws: Workspace, expert_id: str, centre_id: str, *, reason: str) -> None:
    expert_repo.unassign(ws.db, expert_id, centre_id)
    audit.append(ws.db, actor=ws.actor, action="assignment.remove", entity="assignment",
                 centre_id=centre_id, expert_id=expert_id, reason=reason)


def _drop_unscored_assignment(ws: Workspace, expert_id: str, centre_id: str, *,
                              reason: str) -> None:
    if (expert_repo.is_assigned(ws.db, expert_id, centre_id)
            and not _has_scores(ws.db, expert_id, centre_id)):
        _remove_assignment(ws, expert_id, centre_id, reason=reason)


def _json(values: dict[str, object]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True)
