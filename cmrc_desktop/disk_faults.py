"""A fault of the disk, told apart from every other error.

The disk full (SQLITE_FULL, ENOSPC, a quota) or failing (SQLITE_IOERR, EIO) arrives as a
bare sqlite3 or OS error whose text ("database or disk is full") says neither what was
lost nor what to do. The window, the scoring form and the command line ask here, then
say it in their own words.
"""

from __future__ import annotations

import errno
import sqlite3

# "no space left on device" and "disk quota exceeded": for the user both mean a full disk
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})

_SQLITE_PRIMARY = 0xFF   # an extended result code (SQLITE_IOERR_WRITE) keeps its primary here


def disk_fault(exc: BaseException) -> str | None:
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
