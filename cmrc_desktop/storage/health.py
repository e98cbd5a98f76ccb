"""Is the workspace database sound, writable, and on a disk SQLite can trust?

Three questions asked when a workspace is opened, each answered with ``None`` (all is
well) or a sentence for the user:

- ``header_problem``: a cheap look at the 100-byte file header (magic, page size, a
  file cut short) — microseconds, so it runs on every open.
- ``quick_check``: ``PRAGMA quick_check`` on a connection of its own (about 75 ms on a
  150-centre × 30-expert workspace of 26 MB), so the window runs it off the GUI thread
  right after opening and blocks editing when it fails.
- ``write_problem`` / ``network_filesystem``: a read-only folder or file system, and
  network shares, on which WAL's shared-memory index does not work reliably.

Plain Python (no Qt), so the command line and the tests use the same answers.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path, PureWindowsPath

from cmrc_desktop.i18n import _

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
QUICK_CHECK_LIMIT = 20   # problems reported at most; the first says enough
DRIVE_REMOTE = 4         # GetDriveTypeW's answer for a mapped network drive

# File-system types that are network (or cluster) file systems: SQLite's locking and
# WAL's shared memory are not reliable on them (sqlite.org/wal.html, "WAL does not
# work over a network filesystem").
NETWORK_FS_TYPES = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "afs", "afpfs", "9p",
    "ncpfs", "davfs", "webdav", "sshfs", "fuse.sshfs", "fuse.davfs2", "fuse.rclone",
    "fuse.glusterfs", "glusterfs", "ceph", "fuse.ceph", "lustre", "gpfs", "ocfs2",
    "gfs2", "fuse.s3fs", "beegfs",
})


# -- the database file ------------------------------------------------------------------
def header_problem(path: str | Path) -> str | None:
    """What is wrong with the file's header, or None; reads 100 bytes, never writes.

    Catches a file overwritten from the start, one cut short (its size is not a whole
    number of pages) and one that is not SQLite at all; damage further in is left to
    ``quick_check``.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(HEADER_SIZE)
    except OSError as exc:
        return _("cannot read {file}: {reason}").format(file=path, reason=exc.strerror)
    if size == 0:
        return None   # a new, still empty database
    if len(header) < HEADER_SIZE or not header.startswith(SQLITE_MAGIC):
        return _("{file} does not start with an SQLite header: the file is damaged or is "
                 "not a database").format(file=path)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return _("{file} has a damaged header (page size {size})").format(
            file=path, size=page_size)
    if size % page_size:
        return _("{file} is cut short: {size} bytes is not a whole number of {page}-byte "
                 "pages").format(file=path, size=size, page=page_size)
    return None


def quick_check(path: str | Path) -> list[str]:
    """``PRAGMA quick_check`` on a read-only connection of its own; [] when sound.

    Its own connection because it runs off the GUI thread while the window's connection
    stays open (a sqlite3 connection belongs to its thread).
    """
    uri = Path(path).absolute().as_uri()
    try:
        return _quick_check(uri + "?mode=ro")
    except sqlite3.OperationalError:
        # cannot open (a WAL file on read-only media, no -shm): not damage; nobody can
        # write there, so reading it as immutable is safe
        try:
            return _quick_check(uri + "?mode=ro&immutable=1")
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]


def _quick_check(uri: str) -> list[str]:
    conn = sqlite3.connect(uri, uri=True)
    try:
        rows = conn.execute(f"PRAGMA quick_check({QUICK_CHECK_LIMIT})").fetchall()
    finally:
        conn.close()
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found


def damage_text(path: str | Path, problems: list[str]) -> str:
    """The user's sentence for what ``quick_check`` found."""
    return _("The workspace database {file} is damaged ({first}). Editing is blocked so "
             "that nothing is written on top of the damage.").format(
                 file=path, first=problems[0] if problems else "?")


# -- may we write here? -----------------------------------------------------------------
def write_problem(folder: str | Path, db_name: str = "cmrc.sqlite") -> str | None:
    """Why the workspace in ``folder`` cannot be written, or None.

    SQLite in WAL mode writes two files next to the database (``-wal``, ``-shm``), so a
    read-only folder is as fatal as a read-only file.
    """
    folder = Path(folder)
    db = folder / db_name
    try:
        flags = os.statvfs(folder).f_flag if hasattr(os, "statvfs") else 0
    except OSError:
        flags = 0
    if flags & getattr(os, "ST_RDONLY", 1):
        return _("the disk holding {folder} is mounted read-only").format(folder=folder)
    if db.exists() and not os.access(db, os.W_OK):
        return _("the file {file} is read-only").format(file=db)
    if not os.access(folder, os.W_OK):
        return _("the folder {folder} is read-only").format(folder=folder)
    return None


# -- network file systems ---------------------------------------------------------------
def network_filesystem(path: str | Path, *, platform: str | None = None,
                       mounts: str | None = None,
                       drive_type: Callable[[str], int] | None = None) -> str | None:
    """Which network share ``path`` lies on ("nfs4 at /mnt/x", "\\\\srv\\share"), or None.

    Pure when given ``platform`` and ``mounts`` (the text of /proc/mounts on Linux, of
    ``mount`` on macOS/BSD) or ``drive_type`` (Windows): the tests pass fakes.
    """
    platform = platform or sys.platform
    if platform.startswith("win"):
        return _windows_network(str(path), drive_type or _windows_drive_type)
    if mounts is None:
        mounts = _read_mounts(platform)
    return _mounted_network(str(path), mounts)


def _windows_network(path: str, drive_type: Callable[[str], int]) -> str | None:
    text = path.replace("/", "\\")
    upper = text.upper()
    if upper.startswith("\\\\?\\UNC\\"):
        return "\\\\" + text[8:]
    if text.startswith("\\\\") and not text.startswith(("\\\\?\\", "\\\\.\\")):
        return text
    drive = PureWindowsPath(text).drive
    if len(drive) == 2 and drive[1] == ":" and drive_type(drive + "\\") == DRIVE_REMOTE:
        return _("network drive {drive}").format(drive=drive)
    return None


def _windows_drive_type(root: str) -> int:   # pragma: no cover - Windows only
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))  # type: ignore[attr-defined]


_BSD_MOUNT = re.compile(r"^(?P<dev>.+?) on (?P<point>.+?) \((?P<type>[^,)]+)")


def _mount_table(mounts: str) -> list[tuple[str, str]]:
    """(mount point, type) from /proc/mounts lines or from BSD ``mount`` output."""
    table = []
    for line in mounts.splitlines():
        match = _BSD_MOUNT.match(line)
        if match:
            table.append((match["point"], match["type"].strip().lower()))
            continue
        fields = line.split()
        if len(fields) >= 3:
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), fields[1])
            table.append((point, fields[2].lower()))
    return table


def _mounted_network(path: str, mounts: str) -> str | None:
    try:
        target = os.path.realpath(path)
    except OSError:
        target = os.path.abspath(path)
    best: tuple[str, str] | None = None
    for point, fs_type in _mount_table(mounts):
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) > len(best[0])):
            best = (point, fs_type)
    if best is not None and best[1] in NETWORK_FS_TYPES:
        return _("{type} share mounted at {point}").format(type=best[1], point=best[0])
    return None


def _read_mounts(platform: str) -> str:
    try:
        if platform.startswith("linux"):
            return Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        return subprocess.run(["mount"], capture_output=True, text=True, timeout=5,
                              check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def network_warning(where: str) -> str:
    """The user's sentence for a workspace on a network share."""
    return _("This workspace is on a network share ({where}). SQLite's write-ahead log "
             "does not work reliably over network file systems: scores could be lost or "
             "the database damaged. Copy the workspace to a local disk to work on it."
             ).format(where=where)
