"""A full or failing disk is told apart from every other error, whether SQLite or the
operating system reports it, so that each caller can say what to do about it."""

from __future__ import annotations

import errno
import sqlite3

import pytest

from cmrc_desktop.disk_faults import disk_fault


def coded(code: int, text: str) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorcode = code
    return exc


@pytest.mark.parametrize(("exc", "fault"), [
    (coded(sqlite3.SQLITE_FULL, "database or disk is full"), "full"),
    (coded(sqlite3.SQLITE_IOERR_WRITE, "disk I/O error"), "io"),     # an extended code
    (coded(sqlite3.SQLITE_READONLY, "attempt to write a readonly database"), None),
    (coded(sqlite3.SQLITE_ERROR, "no such table: x"), None),
    (sqlite3.OperationalError("database or disk is full"), "full"),  # made by hand
    (sqlite3.OperationalError("no such table: x"), None),
    (OSError(errno.ENOSPC, "No space left on device"), "full"),
    (OSError(errno.EDQUOT, "Disk quota exceeded"), "full"),
    (OSError(errno.EIO, "Input/output error"), "io"),
    (OSError(errno.EACCES, "Permission denied"), None),
    (ValueError("database or disk is full"), None),
])
def test_disk_faults(exc, fault):
    assert disk_fault(exc) == fault


def test_a_real_full_database_is_a_full_disk(tmp_path):
    conn = sqlite3.connect(tmp_path / "w.sqlite")
    conn.execute("CREATE TABLE t (x)")
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(sqlite3.OperationalError) as caught:
        conn.executemany("INSERT INTO t VALUES (?)", [("x" * 1000,)] * 100)
    assert disk_fault(caught.value) == "full"
