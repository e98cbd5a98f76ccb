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
_SQLITE_WORDS = (("database or disk is full", "full"), ("disk i/o error", "io"))


def disk_fault(exc: BaseException) -> str | None:
    """"full", "io" or None."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is None:      # made by hand, not by SQLite: only its words are left
            return next((fault for words, fault in _SQLITE_WORDS
                         if words in str(exc).lower()), None)
        return {sqlite3.SQLITE_FULL: "full",
                sqlite3.SQLITE_IOERR: "io"}.get(code & _SQLITE_PRIMARY)
    if isinstance(exc, OSError):
        if exc.errno in DISK_FULL_ERRNOS:
            return "full"
        if exc.errno == errno.EIO:
            return "io"
    return None
