"""What the expert reads when a value could not be written to the workspace.

A refusal by the rules (a finalised sheet, a conflict) is the service's own message. A
fault of the disk — full (SQLITE_FULL, ENOSPC) or failing (SQLITE_IOERR, EIO) — comes as
a bare sqlite3 or OS error whose text ("database or disk is full") says neither that the
value is lost nor what to do; the form says both, and how to try again, because the
value is still on screen and nothing else will save it.
"""

from __future__ import annotations

import errno
import sqlite3

from cmrc_desktop.exchange.atomic_file import DISK_FULL_ERRNOS
from cmrc_desktop.i18n import _
from cmrc_desktop.ui.prompts import error_text

_SQLITE_PRIMARY = 0xFF   # an extended result code (SQLITE_IOERR_WRITE) keeps its primary here


def _fault(exc: BaseException) -> str | None:
    """"full", "io" or None."""
    if isinstance(exc, sqlite3.Error):
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & _SQLITE_PRIMARY
        return {sqlite3.SQLITE_FULL: "full", sqlite3.SQLITE_IOERR: "io"}.get(code)
    if isinstance(exc, OSError):
        if exc.errno in DISK_FULL_ERRNOS:
            return "full"
        if exc.errno == errno.EIO:
            return "io"
    return None


def score_failure_text(exc: BaseException) -> str:
    """Under a score or comment field: not saved, why, and how to save it again."""
    fault = _fault(exc)
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
    fault = _fault(exc)
    if fault == "full":
        return _("Not saved: the disk holding the workspace is full. The text stays here; "
                 "free some space on the disk, then click in the text and leave it again.")
    if fault == "io":
        return _("Not saved: the disk holding the workspace could not be written (an "
                 "input/output error). The text stays here; check the disk, then click in "
                 "the text and leave it again.")
    return _("Not saved: {reason}").format(reason=error_text(exc))
