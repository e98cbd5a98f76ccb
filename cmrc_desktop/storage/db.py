"""Opening a workspace database: the one door every connection passes through.

The file is inspected *before* anything is written to it, so a file from another
program, or from a newer CMRC Desktop, is left exactly as it was found.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import sqlite_utils

from cmrc_desktop.domain.errors import WorkspaceError
from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.i18n import _
from cmrc_desktop.storage.migrations import SCHEMA_VERSION, migrate

# "CMRC" in ASCII: marks the file as ours for `file(1)` and for the check below.
APPLICATION_ID = 0x434D5243
BUSY_TIMEOUT_MS = 5000


def utc_now() -> str:
    """The one time-stamp format of the workspace: UTC, ISO-8601, whole seconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def decimal_text(value: Decimal | None) -> str | None:
    """A Decimal as stored: plain digits (10, 8.5), never an exponent, never a float."""
    return None if value is None else plain(value)


def text_decimal(text: str | None) -> Decimal | None:
    """The reverse of ``decimal_text``; a damaged value is reported, not guessed."""
    if text is None:
        return None
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        raise WorkspaceError(_("the workspace holds a number that cannot be read: {value!r}")
                             .format(value=text)) from None


def open_db(path: str | Path, *, read_only: bool = False) -> sqlite_utils.Database:
    """Open (or create) a workspace database, migrated to this program's schema.

    ``read_only`` opens an existing file for reading only (``mode=ro`` and
    ``query_only``): for a read-only folder or disk, and for a damaged file, where any
    write — even the migration's — must not happen.
    """
    path = Path(path)
    if read_only:
        return _open_read_only(path)
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise _cannot_open(path, exc) from None
    try:
        is_new = _inspect(conn, path, SCHEMA_VERSION)
        _configure(conn, path, is_new)
        db = _database(conn)
        _migrate(db, path)
    except BaseException:
        conn.close()
        raise
    return db


def _open_read_only(path: Path) -> sqlite_utils.Database:
    """``mode=ro``; where even that fails (a WAL database in a folder where the ``-shm``
    file cannot be made) ``immutable=1``, safe because nobody can write there either."""
    uri = path.absolute().as_uri()
    conn: sqlite3.Connection | None = None
    error: sqlite3.Error | None = None
    for query in ("?mode=ro", "?mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(uri + query, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            break
        except sqlite3.OperationalError as exc:
            if conn is not None:
                conn.close()
                conn = None
            error = exc
        except sqlite3.DatabaseError:
            break   # not a database: _inspect says so in the user's words
    if conn is None:
        raise WorkspaceError(_("cannot open {file} for reading: {reason}").format(
            file=path, reason=error), file=str(path))
    try:
        _inspect(conn, path, SCHEMA_VERSION)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            raise WorkspaceError(_(
                "{file} has schema {found} and cannot be updated to schema {version} while "
                "it is read-only; open it from a writable folder first.").format(
                    file=path, found=version, version=SCHEMA_VERSION), file=str(path))
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return _database(conn)


def _database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """sqlite-utils over our connection, without its plugins: a workspace is evidence,
    and no package that happens to be installed may register functions on its
    connection (finding the plugins also cost a fifth of the window's start-up)."""
    return sqlite_utils.Database(conn, execute_plugins=False)


def set_writable(db: sqlite_utils.Database, writable: bool) -> None:
    """Block (or allow again) every write on this connection: a damaged database is
    read but never written until it is restored."""
    db.conn.execute(f"PRAGMA query_only = {'OFF' if writable else 'ON'}")


def _cannot_open(path: Path, exc: sqlite3.Error) -> WorkspaceError:
    return WorkspaceError(_("cannot open {file} for writing: {reason}").format(
        file=path, reason=exc), file=str(path))


def _migrate(db: sqlite_utils.Database, path: Path) -> None:
    """Bring the schema up to date; a failed migration is rolled back whole."""
    try:
        migrate(db)
    except sqlite3.Error as exc:
        raise WorkspaceError(_("cannot update {file} to schema {version}: {reason}").format(
            file=path, version=SCHEMA_VERSION, reason=exc), file=str(path)) from exc


def _inspect(conn: sqlite3.Connection, path: Path, schema_version: int) -> bool:
    """Refuse a file that is not ours or is too new; True when it is still empty.

    Only reads happen here, so a refused file keeps its bytes and its mtime.
    """
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError:
        raise WorkspaceError(_("{file} is not a CMRC Desktop workspace database (it is not "
                               "an SQLite database at all).").format(file=path),
                             file=str(path)) from None
    foreign = app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables > 0)
    if foreign:
        raise WorkspaceError(_("{file} is an SQLite database of another program, not a CMRC "
                               "Desktop workspace.").format(file=path), file=str(path))
    if version > schema_version:
        raise WorkspaceError(_(
            "This workspace was written by a newer version of CMRC Desktop (schema {found}; "
            "this program knows up to {known}). Install the newer version to open it.").format(
                found=version, known=schema_version), file=str(path))
    return app_id == 0


def _configure(conn: sqlite3.Connection, path: Path, is_new: bool) -> None:
    """Durability first: a score the expert saw saved must survive a power cut."""
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        if is_new:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    except sqlite3.OperationalError as exc:
        raise _cannot_open(path, exc) from None
    if str(mode).lower() != "wal":
        raise WorkspaceError(_("cannot switch {file} to write-ahead logging (the folder may be "
                               "on a network drive); copy the workspace to a local disk")
                             .format(file=path), file=str(path))


def where(**columns: str | None) -> tuple[str, list[str]]:
    """A WHERE clause for the given column filters, skipping the ones that are None."""
    used = {name: value for name, value in columns.items() if value is not None}
    if not used:
        return "", []
    return " WHERE " + " AND ".join(f"{name} = ?" for name in used), list(used.values())
