"""What an expert declares before scoring a centre.

Two answers unlock a scoresheet: the conflict-of-interest self-declaration (利益冲突：
"I have no conflict of interest with this centre") and the integrity question
(是否发现弄虚作假等严重违反科研诚信的行为), where "yes" needs a note saying what was
found. Both are kept in the audit log only, one ``sheet.declare`` row per answer, so
they are as tamper-evident as the scores; the latest row for an expert and a centre is
the one that counts, which is how the form knows it was unlocked before.
"""

from __future__ import annotations

from dataclasses import dataclass

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.i18n import _
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.storage import audit, centre_repo, expert_repo

ACTION = "sheet.declare"
ENTITY = "declaration"


@dataclass(frozen=True)
class Declaration:
    expert_id: str
    centre_id: str
    no_conflict: bool          # "I have no conflict of interest with this centre"
    integrity_concern: bool    # serious breach of research integrity found (弄虚作假等)
    note: str = ""             # what was found, when ``integrity_concern``
    at: str = ""               # when it was declared (UTC, from the audit row)


def record_declaration(ws: Workspace, expert_id: str, centre_id: str, *, no_conflict: bool,
                       integrity_concern: bool, note: str = "") -> Declaration:
    """Record both answers in one audit row; refuse an answer that cannot unlock."""
    note = (note or "").strip()
    if not no_conflict:
        raise InputError(_("a centre can be scored only after declaring no conflict of "
                           "interest with it; if you have one, tell the secretary"),
                         field="no_conflict")
    if integrity_concern and not note:
        raise InputError(_("describe the breach of research integrity you found"),
                         field="note")
    if not integrity_concern:
        note = ""
    db = ws.db
    with db.atomic():
        expert_repo.get_expert(db, expert_id)
        centre_repo.get_centre(db, centre_id)
        if not expert_repo.is_assigned(db, expert_id, centre_id):
            raise InputError(_("expert {expert} is not assigned to centre {centre}").format(
                expert=expert_id, centre=centre_id))
        audit.append(db, actor=ws.actor, action=ACTION, entity=ENTITY, centre_id=centre_id,
                     expert_id=expert_id, new="no_conflict; integrity_concern=" +
                     ("yes" if integrity_concern else "no"), reason=note,
                     extra={"no_conflict": True, "integrity_concern": integrity_concern,
                            "note": note})
    found = find_declaration(ws, expert_id, centre_id)
    assert found is not None
    return found


def find_declaration(ws: Workspace, expert_id: str, centre_id: str) -> Declaration | None:
    """The latest declaration of the expert for the centre, read back from the audit log."""
    rows = audit.entries(ws.db, centre_id=centre_id, expert_id=expert_id, action=ACTION)
    if not rows:
        return None
    last = rows[-1]
    return Declaration(expert_id, centre_id, bool(last.extra.get("no_conflict")),
                       bool(last.extra.get("integrity_concern")),
                       str(last.extra.get("note", "")), last.at)
