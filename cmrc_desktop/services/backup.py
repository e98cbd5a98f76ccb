"""Automatic backups of the workspace database, and restoring one.

A WAL database is never copied as a file: the newest transactions may still sit in
``cmrc.sqlite-wal``, and a copy taken mid-checkpoint is torn. The sqlite3 backup API
copies a consistent snapshot page by page through SQLite itself, so a backup is what a
reader would have seen at one instant. Each backup is written to a temporary name,
checked with ``PRAGMA quick_check`` and only then renamed into place, so a damaged
database never pushes good backups out of the rotation.

Backups live in ``<workspace>/backups/cmrc-<UTC time>.sqlite``; the ``KEEP`` newest are
kept. Restoring keeps the damaged file aside (renamed, never deleted), copies the backup
in with the backup API and writes a ``workspace.restore`` audit row.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cmrc_desktop.domain.errors import WorkspaceError
from cmrc_desktop.i18n import _
from cmrc_desktop.services.workspace import DB_NAME, default_actor, open_workspace
from cmrc_desktop.storage import audit
from cmrc_desktop.storage.health import quick_check

BACKUPS_DIR = "backups"
KEEP = 10
MAX_AGE = timedelta(hours=4)   # a workspace opened again within this time is not backed up
_STAMP = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(r"^cmrc-(\d{8}T\d{6}Z)(?:-(\d+))?\.sqlite$")
_WAL_SUFFIXES = ("-wal", "-shm")


@dataclass(frozen=True)
class Restored:
    backup: Path        # the backup that is now the workspace
    kept_aside: Path    # where the replaced (damaged) database was moved


def backups_dir(folder: str | Path) -> Path:
    return Path(folder) / BACKUPS_DIR


def backups(folder: str | Path) -> list[Path]:
    """The workspace's backups, newest first."""
    found = []
    with contextlib.suppress(FileNotFoundError):
        for path in backups_dir(folder).iterdir():
            if _NAME.match(path.name) and path.is_file():
                found.append(path)
    return sorted(found, key=_order, reverse=True)


def _order(path: Path) -> tuple[str, int]:
    match = _NAME.match(path.name)
    assert match is not None
    return match[1], int(match[2] or 0)


def taken_at(backup: Path) -> datetime:
    match = _NAME.match(backup.name)
    if match is None:
        raise ValueError(backup.name)
    return datetime.strptime(match[1], _STAMP).replace(tzinfo=UTC)


def backup_due(folder: str | Path, *, now: datetime | None = None,
               max_age: timedelta = MAX_AGE) -> bool:
    """True when the newest backup is older than ``max_age`` (or there is none)."""
    found = backups(folder)
    if not found:
        return True
    return (now or datetime.now(UTC)) - taken_at(found[0]) >= max_age


def take_backup(folder: str | Path, *, now: datetime | None = None, keep: int = KEEP) -> Path:
    """Back up ``folder/cmrc.sqlite`` with the backup API; returns the new backup.

    Opens its own read-only connection, so it may run off the GUI thread while the
    window's connection stays open. Raises ``WorkspaceError`` (and keeps every older
    backup) when the copy does not pass ``quick_check``.
    """
    folder = Path(folder)
    source_path = folder / DB_NAME
    target = _free_name(backups_dir(folder), now or datetime.now(UTC))
    try:
        target.parent.mkdir(exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(_("cannot create the folder {folder}: {reason}").format(
            folder=target.parent, reason=exc.strerror), file=str(target.parent)) from None
    partial = target.with_name("." + target.name + ".part")
    try:
        _copy_database(source_path, partial)
        problems = quick_check(partial)
        if problems:
            raise WorkspaceError(_("no backup taken: the workspace database is damaged "
                                   "({first})").format(first=problems[0]),
                                 file=str(source_path))
        _fsync_file(partial)
        os.replace(partial, target)
    finally:
        _remove(partial)
    rotate(folder, keep=keep)
    return target


def rotate(folder: str | Path, *, keep: int = KEEP) -> list[Path]:
    """Delete all but the ``keep`` newest backups; returns those deleted."""
    old = backups(folder)[keep:]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def restore_backup(folder: str | Path, backup: str | Path, *, actor: str | None = None,
                   reason: str = "", now: datetime | None = None) -> Restored:
    """Replace the workspace database by ``backup``; the workspace must be closed.

    The current database (with its ``-wal``/``-shm``) is renamed to
    ``cmrc.damaged-<time>.sqlite`` and kept; the backup is checked, copied in with the
    backup API under a temporary name and renamed into place; the restore is audited in
    the restored database.
    """
    folder = Path(folder)
    backup = Path(backup)
    problems = quick_check(backup) if backup.is_file() else [_("the file does not exist")]
    if problems:
        raise WorkspaceError(_("cannot restore from {file}: {reason}").format(
            file=backup, reason=problems[0]), file=str(backup))
    db_path = folder / DB_NAME
    stamp = (now or datetime.now(UTC)).strftime(_STAMP)
    aside = folder / f"cmrc.damaged-{stamp}.sqlite"
    incoming = folder / f".{DB_NAME}.restoring"
    try:
        _copy_database(backup, incoming)
        _fsync_file(incoming)
        for suffix in ("", *_WAL_SUFFIXES):
            current = Path(str(db_path) + suffix)
            if current.exists():
                os.replace(current, Path(str(aside) + suffix))
        os.replace(incoming, db_path)
    except OSError as exc:
        raise WorkspaceError(_("cannot restore the workspace: {reason}").format(
            reason=exc.strerror or exc), file=str(db_path)) from None
    finally:
        _remove(incoming)
    ws = open_workspace(folder, actor=actor or default_actor())
    try:
        with ws.db.atomic():
            audit.append(ws.db, actor=ws.actor, action="workspace.restore",
                         entity=f"batch:{ws.batch.id}", old=aside.name, new=backup.name,
                         reason=reason or _("restored from the last automatic backup"),
                         extra={"backup": str(backup), "kept_aside": str(aside)})
    finally:
        ws.close()
    return Restored(backup=backup, kept_aside=aside)


def _copy_database(source: Path, target: Path) -> None:
    """A consistent snapshot of ``source`` in a new single file ``target``."""
    _remove(target)
    try:
        src = sqlite3.connect(f"{source.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise WorkspaceError(_("cannot read {file}: {reason}").format(
            file=source, reason=exc), file=str(source)) from None
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
            # a single self-contained file: no -wal to forget when it is copied
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise WorkspaceError(_("cannot copy {file}: {reason}").format(
            file=source, reason=exc), file=str(source)) from None
    finally:
        src.close()


def _free_name(folder: Path, when: datetime) -> Path:
    base = f"cmrc-{when.astimezone(UTC).strftime(_STAMP)}"
    target = folder / f"{base}.sqlite"
    number = 1
    while target.exists():
        target = folder / f"{base}-{number}.sqlite"
        number += 1
    return target


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _remove(path: Path) -> None:
    for suffix in ("", "-journal", *_WAL_SUFFIXES):
        Path(str(path) + suffix).unlink(missing_ok=True)
