"""The secretary's verdicts: vetoes (一票否决) and formal-review checks (形式审查).

Each is audited with who decided and why; a check that names a metric is decided by
the program from the centre's latest reported value, the others by a person's tick.
"""

from __future__ import annotations

from dataclasses import dataclass

from cmrc_desktop.domain.errors import InputError, NotFoundError
from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.domain.scheme import Check
from cmrc_desktop.domain.workspace import CheckResult, VetoRecord
from cmrc_desktop.i18n import _
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.storage import audit, centre_repo, dossier_repo, review_repo, utc_now


def _centre(ws: Workspace, centre_id: str) -> None:
    if centre_repo.find_centre(ws.db, centre_id) is None:
        raise NotFoundError(_("no centre with id '{id}'").format(id=centre_id))


def record_veto(ws: Workspace, centre_id: str, veto_id: str, reason: str) -> VetoRecord:
    if ws.scheme.veto(veto_id) is None:
        known = ", ".join(v.id for v in ws.scheme.vetoes) or _("none")
        raise InputError(_("unknown veto '{id}' (the scheme has: {known})").format(
            id=veto_id, known=known), field="veto")
    if not reason.strip():
        raise InputError(_("a veto needs a reason"), field="reason")
    _centre(ws, centre_id)
    record = VetoRecord(centre_id, veto_id, reason.strip(), ws.actor, utc_now())
    with ws.db.atomic():
        old = review_repo.find_veto(ws.db, centre_id, veto_id)
        review_repo.put_veto(ws.db, record)
        audit.append(ws.db, actor=ws.actor, action="veto.set", entity=f"veto:{veto_id}",
                     centre_id=centre_id, old=old.reason if old else None, new=veto_id,
                     reason=record.reason)
    return record


def withdraw_veto(ws: Workspace, centre_id: str, veto_id: str, reason: str) -> None:
    if not reason.strip():
        raise InputError(_("withdrawing a veto needs a reason"), field="reason")
    with ws.db.atomic():
        old = review_repo.find_veto(ws.db, centre_id, veto_id)
        if old is None:
            raise NotFoundError(_("centre {centre} has no veto {id}").format(
                centre=centre_id, id=veto_id))
        review_repo.delete_veto(ws.db, centre_id, veto_id)
        audit.append(ws.db, actor=ws.actor, action="veto.withdraw", entity=f"veto:{veto_id}",
                     centre_id=centre_id, old=veto_id, new=None, reason=reason.strip())


def run_automatic_checks(ws: Workspace) -> list[CheckResult]:
    """Decide every metric-based check of the scheme for every centre, except where a
    person ticked passed or failed by hand (their verdict stands until they set it back
    to not checked)."""
    checks = [c for c in ws.scheme.checks if c.metric]
    results = []
    with ws.db.atomic():
        latest = dossier_repo.latest_metrics(ws.db)
        manual = {(r.centre_id, r.check_id) for r in review_repo.list_checks(ws.db)
                  if not r.automatic and r.passed is not None}
        for centre in centre_repo.list_centres(ws.db):
            for check in checks:
                if (centre.id, check.id) in manual:
                    continue
                value = latest.get(centre.id, {}).get(check.metric)
                passed = None if value is None else value >= check.at_least
                note = (_("{metric} not reported").format(metric=check.metric) if value is None
                        else f"{check.metric} = {plain(value)} (≥ {plain(check.at_least)})")
                results.append(_put_check(ws, CheckResult(
                    centre.id, check.id, passed, True, note, ws.actor, utc_now())))
    return results


def set_check(ws: Workspace, centre_id: str, check_id: str, passed: bool | None, note: str = ""
              ) -> CheckResult:
    if not any(c.id == check_id for c in ws.scheme.checks):
        raise InputError(_("unknown check '{id}'").format(id=check_id), field="check")
    _centre(ws, centre_id)
    with ws.db.atomic():
        return _put_check(ws, CheckResult(centre_id, check_id, passed, False, note, ws.actor,
                                          utc_now()))


# -- the formal-review checklist, as the window shows it ---------------------------------
PASSED, FAILED, OPEN = "passed", "failed", "open"


@dataclass(frozen=True)
class ChecklistItem:
    """One check of the scheme for one centre, with the verdict recorded (if any)."""

    check: Check
    result: CheckResult | None

    @property
    def passed(self) -> bool | None:
        return None if self.result is None else self.result.passed


@dataclass(frozen=True)
class ReviewSummary:
    """A centre's formal review in one word: failed if any check failed, open while any
    check is undecided, else passed."""

    verdict: str                    # PASSED | FAILED | OPEN
    failed: tuple[str, ...] = ()    # ids of the failed checks, in scheme order
    undecided: int = 0              # checks not decided yet


def checklist(ws: Workspace, centre_id: str) -> list[ChecklistItem]:
    """The scheme's checks in order, each with the centre's recorded verdict."""
    _centre(ws, centre_id)
    recorded = {r.check_id: r for r in review_repo.list_checks(ws.db, centre_id)}
    return [ChecklistItem(c, recorded.get(c.id)) for c in ws.scheme.checks]


def review_summaries(ws: Workspace) -> dict[str, ReviewSummary]:
    """centre id → its formal review; empty when the scheme has no checks."""
    checks = ws.scheme.checks
    if not checks:
        return {}
    recorded: dict[str, dict[str, bool | None]] = {}
    for r in review_repo.list_checks(ws.db):
        recorded.setdefault(r.centre_id, {})[r.check_id] = r.passed
    out = {}
    for centre in centre_repo.list_centres(ws.db):
        verdicts = recorded.get(centre.id, {})
        failed = tuple(c.id for c in checks if verdicts.get(c.id) is False)
        undecided = sum(1 for c in checks if verdicts.get(c.id) is None)
        verdict = FAILED if failed else OPEN if undecided else PASSED
        out[centre.id] = ReviewSummary(verdict, failed, undecided)
    return out


def _put_check(ws: Workspace, result: CheckResult) -> CheckResult:
    old = review_repo.find_check(ws.db, result.centre_id, result.check_id)
    if old is not None and (old.passed, old.note, old.automatic) == (
            result.passed, result.note, result.automatic):
        return old
    review_repo.put_check(ws.db, result)
    audit.append(ws.db, actor=ws.actor, action="check.set", entity=f"check:{result.check_id}",
                 centre_id=result.centre_id,
                 old=None if old is None else _verdict(old.passed), new=_verdict(result.passed),
                 reason=result.note)
    return result


def _verdict(passed: bool | None) -> str:
    return {True: "pass", False: "fail", None: "open"}[passed]
