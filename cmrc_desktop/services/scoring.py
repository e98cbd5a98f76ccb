"""Recording what an expert writes on a scoresheet: scores, the opinion, the sheet state.

Each use case is one ``with ws.db.atomic():`` holding its checks, its writes and its
audit row, so a crash or a refusal leaves either all of them or none. The checks that
read the database run inside the transaction too, so the sheet cannot be finalised
between the check and the write.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.limits import MAX_CELL_TEXT
from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.domain.scheme import Indicator
from cmrc_desktop.domain.workspace import Opinion, Score, Sheet, SheetState, label
from cmrc_desktop.i18n import _
from cmrc_desktop.scoring.grading import score_problem
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.storage import (
    Database,
    audit,
    centre_repo,
    expert_repo,
    score_repo,
    signing_repo,
)

# state changes a user can make; signed -> draft starts the next revision
_TRANSITIONS = {
    (SheetState.DRAFT, SheetState.FINAL),
    (SheetState.FINAL, SheetState.DRAFT),
    (SheetState.FINAL, SheetState.SIGNED),
    (SheetState.SIGNED, SheetState.DRAFT),
}
_OPINION_FIELDS = ("achievements", "problems", "recommendations")


def record_score(ws: Workspace, expert_id: str, centre_id: str, indicator_id: str,
                 value: Decimal | None, comment: str | None = None) -> Score:
    """Set (or, with ``value`` None, clear) one score; ``comment`` None keeps the old one.

    Saving the same value and comment again writes nothing, so a form that saves on
    every focus change does not flood the audit log.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if value is not None and not isinstance(value, Decimal):
        raise TypeError(f"a score must be a Decimal, not {type(value).__name__}")
    _check_value(ws, expert_id, centre_id, indicator_id, value)
    _check_length(comment, _("the comment on {indicator}").format(indicator=indicator_id))
    with ws.db.atomic():
        _check_may_write(ws.db, expert_id, centre_id)
        return _write_score(ws, expert_id, centre_id, indicator_id, value, comment)


def _check_length(text: str | None, what: str) -> None:
    """A text is refused when typed, not when the signed sheet is exported: an Excel cell
    holds at most 32,767 characters, and a text is never cut."""
    if text is not None and len(text) > MAX_CELL_TEXT:
        raise InputError(_("{what} is {n} characters long; a scoresheet cell holds at most "
                           "{limit} — shorten it").format(what=what, n=f"{len(text):,}",
                                                            limit=f"{MAX_CELL_TEXT:,}"),
                         field="text")


def _opinion_label(field: str) -> str:
    return {"achievements": _("Main achievements"), "problems": _("Problems"),
            "recommendations": _("Recommendations")}.get(field, field)


def record_sheet(ws: Workspace, expert_id: str, centre_id: str, scores: dict[str, Decimal],
                 *, comments: dict[str, str] | None = None) -> list[Score]:
    """Several scores of one sheet in one transaction (imports, the demo): all or none."""
    comments = comments or {}
    for indicator_id, value in scores.items():
        _check_value(ws, expert_id, centre_id, indicator_id, value)
        _check_length(comments.get(indicator_id),
                      _("the comment on {indicator}").format(indicator=indicator_id))
    with ws.db.atomic():
        _check_may_write(ws.db, expert_id, centre_id)
        return [_write_score(ws, expert_id, centre_id, ind, value, comments.get(ind))
                for ind, value in scores.items()]


def _write_score(ws: Workspace, expert_id: str, centre_id: str, indicator_id: str,
                 value: Decimal | None, comment: str | None) -> Score:
    """The write and its audit row; the caller holds the transaction and did the checks."""
    db = ws.db
    old = score_repo.find_score(db, expert_id, centre_id, indicator_id)
    new_comment = comment if comment is not None else (old.comment if old else "")
    if old is not None and old.value == value and old.comment == new_comment:
        return old
    score_repo.touch_sheet(db, expert_id, centre_id)
    stored = score_repo.upsert_score(
        db, Score(expert_id, centre_id, indicator_id, value, new_comment))
    extra = {}
    if old is None or old.comment != new_comment:
        extra = {"comment": new_comment, "old_comment": old.comment if old else None}
    audit.append(db, actor=ws.actor, action="score.set", entity=f"score:{indicator_id}",
                 centre_id=centre_id, expert_id=expert_id,
                 old=_text(old.value) if old else None, new=_text(value), extra=extra)
    return stored


def record_opinion(ws: Workspace, expert_id: str, centre_id: str, *,
                   achievements: str | None = None, problems: str | None = None,
                   recommendations: str | None = None) -> Opinion:
    """Set the written opinion of a sheet; a part given as None keeps its old text."""
    given = {"achievements": achievements, "problems": problems,
             "recommendations": recommendations}
    for field, text in given.items():
        _check_length(text, _opinion_label(field))
    db = ws.db
    with db.atomic():
        _check_may_write(db, expert_id, centre_id)
        old = score_repo.find_opinion(db, expert_id, centre_id) or Opinion(expert_id, centre_id)
        new = Opinion(expert_id, centre_id, **{
            f: given[f] if given[f] is not None else getattr(old, f) for f in _OPINION_FIELDS})
        changed = [f for f in _OPINION_FIELDS if getattr(old, f) != getattr(new, f)]
        if not changed:
            return old
        score_repo.touch_sheet(db, expert_id, centre_id)
        score_repo.upsert_opinion(db, new)
        audit.append(db, actor=ws.actor, action="opinion.set", entity="opinion",
                     centre_id=centre_id, expert_id=expert_id,
                     old=_json({f: getattr(old, f) for f in changed}),
                     new=_json({f: getattr(new, f) for f in changed}))
    return new


def set_sheet_state(ws: Workspace, expert_id: str, centre_id: str,
                    state: SheetState | str) -> Sheet:
    """Finalise, reopen or mark signed a sheet.

    A sheet is final only when every expert-scored indicator has a value, since a final
    sheet is what goes into packages and the grade. Reopening a signed sheet starts the
    next revision, so an old signature never seems to cover new scores.
    """
    try:
        target = SheetState(state)
    except ValueError:
        raise InputError(_("unknown sheet state '{value}'").format(value=state),
                         field="state") from None
    db = ws.db
    with db.atomic():
        _check_assigned(db, expert_id, centre_id)
        current = score_repo.find_sheet(db, expert_id, centre_id) or Sheet(expert_id, centre_id)
        if current.state == target:
            return current
        if (current.state, target) not in _TRANSITIONS:
            raise InputError(_("expert {expert}, centre {centre}: the sheet is “{old}” and "
                               "cannot become “{new}”").format(expert=expert_id, centre=centre_id,
                                               old=label(current.state), new=label(target)))
        if target == SheetState.FINAL:
            _check_complete(ws, expert_id, centre_id)
        revision = current.revision + (1 if current.state == SheetState.SIGNED else 0)
        sheet = score_repo.set_sheet(db, expert_id, centre_id, state=target, revision=revision)
        if current.state == SheetState.SIGNED and signing_repo.void_signatures(
                db, expert_id, centre_id):
            audit.append(db, actor=ws.actor, action="sheet.void", entity="signature",
                         centre_id=centre_id, expert_id=expert_id,
                         old=str(current.revision), new=str(revision),
                         reason="reopened after signing")
        audit.append(db, actor=ws.actor, action="sheet.state", entity="sheet",
                     centre_id=centre_id, expert_id=expert_id, old=str(current.state),
                     new=str(target), extra={"revision": revision})
    return sheet


# -- checks -----------------------------------------------------------------------------
def _check_value(ws: Workspace, expert_id: str, centre_id: str, indicator_id: str,
                 value: Decimal | None) -> None:
    """Refuse an unknown or automatic indicator and a value off its range or step."""
    indicator = ws.scheme.indicator(indicator_id)
    if indicator is None:
        problem = _("unknown indicator {id}").format(id=indicator_id)
    elif indicator.automatic or value is not None:
        problem = _problem(indicator, value if value is not None else Decimal(0))
    else:
        problem = None
    if problem:
        raise InputError(_("centre {centre}, expert {expert}, indicator {indicator}, value "
                           "{value}: {problem}").format(
                               centre=centre_id, expert=expert_id, indicator=indicator_id,
                               value=_shown(value), problem=problem), field=indicator_id)


def _problem(indicator: Indicator, value: Decimal) -> str | None:
    try:
        return score_problem(indicator, value)
    except InvalidOperation:
        # a finite value too large to print plainly (1E+1000) is out of range anyway
        return _("score {value} is outside [0, {max}]").format(
            value=value, max=plain(indicator.max))


def _check_may_write(db: Database, expert_id: str, centre_id: str) -> None:
    _check_assigned(db, expert_id, centre_id)
    sheet = score_repo.find_sheet(db, expert_id, centre_id)
    if sheet is not None and sheet.state != SheetState.DRAFT:
        raise InputError(_("expert {expert}, centre {centre}: the sheet is finalised; reopen "
                           "it to change it").format(expert=expert_id, centre=centre_id))


def _check_assigned(db: Database, expert_id: str, centre_id: str) -> None:
    """The expert and centre exist, the expert is assigned and has no conflict."""
    expert_repo.get_expert(db, expert_id)
    centre_repo.get_centre(db, centre_id)
    if not expert_repo.is_assigned(db, expert_id, centre_id):
        raise InputError(_("expert {expert} is not assigned to centre {centre}").format(
            expert=expert_id, centre=centre_id))
    conflicts = expert_repo.conflicts_of(db, expert_id, centre_id)
    if conflicts:
        reasons = "; ".join(_(c.reason) for c in conflicts if c.reason) or "—"
        raise InputError(_("expert {expert} may not score centre {centre}: conflict of "
                           "interest ({reason})").format(expert=expert_id, centre=centre_id,
                                                         reason=reasons))


def _check_complete(ws: Workspace, expert_id: str, centre_id: str) -> None:
    scored = {s.indicator for s in score_repo.list_scores(ws.db, expert_id=expert_id,
                                                          centre_id=centre_id)
              if s.value is not None}
    missing = [i.id for i in ws.scheme.expert_indicators if i.id not in scored]
    if missing:
        raise InputError(_("expert {expert}, centre {centre}: the sheet cannot be final "
                           "while indicators {ids} have no score").format(
                               expert=expert_id, centre=centre_id, ids=", ".join(missing)))


# -- formatting -------------------------------------------------------------------------
def _text(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


def _shown(value: Decimal | None) -> str:
    if value is None:
        return _("(empty)")
    try:
        return plain(value)
    except InvalidOperation:
        return str(value)


def _json(values: dict[str, str]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True)
