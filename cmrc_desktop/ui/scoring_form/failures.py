"""What the expert reads when a value could not be written to the workspace.

A refusal by the rules (a finalised sheet, a conflict) is the service's own message. A
fault of the disk — full (SQLITE_FULL, ENOSPC) or failing (SQLITE_IOERR, EIO) — comes as
a bare sqlite3 or OS error whose text ("database or disk is full") says neither that the
value is lost nor what to do; the form says both, and how to try again, because the
value is still on screen and nothing else will save it.
"""

from __future__ import annotations

from cmrc_desktop.disk_faults import disk_fault
from cmrc_desktop.i18n import _
from cmrc_desktop.ui.prompts import error_text


def score_failure_text(exc: BaseException) -> str:
    """Under a score or comment field: not saved, why, and how to save it again."""
    fault = disk_fault(exc)
    if fault == "full":
        return _("Not saved: the disk holding the workspace is full. The value stays here; "
                 "free some space on the disk, then press Enter in the field again.")
    if fault == "io":
        return _("Not saved: the disk holding the workspace could not be written (an "
                 "input/output error). The value stays here; check the disk, then press "
                 "Enter in the field again.")
    return _("Not saved: {reason}").format(reason=error_text(exc))


def opinion_failure_text(exc: BaseException) -> str:
    """Under the opinion: not saved, why, and how to save it again."""
    fault = disk_fault(exc)
    if fault == "full":
        return _("Not saved: the disk holding the workspace is full. The text stays here; "
                 "free some space on the disk, then click in the text and leave it again.")
    if fault == "io":
        return _("Not saved: the disk holding the workspace could not be written (an "
                 "input/output error). The text stays here; check the disk, then click in "
                 "the text and leave it again.")
    return _("Not saved: {reason}").format(reason=error_text(exc))
