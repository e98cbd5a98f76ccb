"""Automatic backups and the health checks of the workspace database (issue #8, faults).

Each test would fail without the behaviour it names: a backup that is a file copy of a
WAL database misses the transactions still in the ``-wal``; a missing rotation keeps
every backup; a damaged database must be found before it is backed up over good
copies.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cmrc_desktop.domain.errors import WorkspaceError
from cmrc_desktop.services import backup
from cmrc_desktop.storage import audit, health, open_db

T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)


def fill(db, rows: int = 400) -> None:
    with db.atomic():
        for number in range(rows):
            audit.append(db, actor="t", action="test.row", entity=f"row:{number}",
                         new="x" * 200)


def corrupt(path: Path, *, keep_pages: int = 2) -> None:
    """Overwrite every page after the first ``keep_pages`` with garbage (the file keeps
    its size, so the header still looks right)."""
    page = int.from_bytes(path.read_bytes()[16:18], "big")
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(page * keep_pages)
        handle.write(bytes((n * 37 + 11) % 251 for n in range(size - page * keep_pages)))


def audit_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    finally:
        conn.close()


# -- backups ----------------------------------------------------------------------------
def test_backup_holds_transactions_still_in_the_wal(db, db_path):
    """A plain file copy would miss them: the database stays open, nothing checkpointed."""
    db.conn.execute("PRAGMA wal_autocheckpoint = 0")
    fill(db, 50)
    assert Path(str(db_path) + "-wal").stat().st_size > 0
    made = backup.take_backup(db_path.parent, now=T0)
    assert made == db_path.parent / "backups" / "cmrc-20260301T080000Z.sqlite"
    assert audit_count(made) == db.execute("SELECT count(*) FROM audit").fetchone()[0] >= 50
    assert health.quick_check(made) == []
    assert not Path(str(made) + "-wal").exists()     # one self-contained file
    assert [p.name for p in made.parent.iterdir()] == [made.name]   # no temporary left


def test_backups_are_rotated_newest_kept(db, db_path):
    for hour in range(5):
        backup.take_backup(db_path.parent, now=T0 + timedelta(hours=hour), keep=3)
    names = [p.name for p in backup.backups(db_path.parent)]
    assert names == ["cmrc-20260301T120000Z.sqlite", "cmrc-20260301T110000Z.sqlite",
                     "cmrc-20260301T100000Z.sqlite"]


def test_two_backups_in_one_second_both_kept_in_order(db, db_path):
    first = backup.take_backup(db_path.parent, now=T0)
    second = backup.take_backup(db_path.parent, now=T0)
    assert backup.backups(db_path.parent) == [second, first]


def test_backup_due_after_max_age(db, db_path):
    folder = db_path.parent
    assert backup.backup_due(folder, now=T0)
    backup.take_backup(folder, now=T0)
    assert not backup.backup_due(folder, now=T0 + timedelta(hours=1))
    assert backup.backup_due(folder, now=T0 + backup.MAX_AGE)


def test_damaged_database_is_not_backed_up_over_good_backups(db, db_path):
    fill(db)
    good = backup.take_backup(db_path.parent, now=T0, keep=1)
    db.close()
    corrupt(db_path)
    with pytest.raises(WorkspaceError, match="damaged"):
        backup.take_backup(db_path.parent, now=T0 + timedelta(hours=5), keep=1)
    assert backup.backups(db_path.parent) == [good]
    assert [p.name for p in good.parent.iterdir()] == [good.name]


# -- health -----------------------------------------------------------------------------
def test_quick_check_finds_overwritten_pages(db, db_path):
    fill(db)
    assert health.quick_check(db_path) == []
    db.close()
    corrupt(db_path)
    assert health.header_problem(db_path) is None     # the cheap check cannot see it
    assert health.quick_check(db_path)


def test_header_problem_finds_garbage_and_truncation(db, db_path, tmp_path):
    fill(db)
    db.close()
    assert health.header_problem(db_path) is None
    data = db_path.read_bytes()
    cut = tmp_path / "cut.sqlite"
    cut.write_bytes(data[: len(data) - 100])
    assert "cut short" in health.header_problem(cut)
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"\x00" * len(data))
    assert "SQLite header" in health.header_problem(garbage)
    assert health.header_problem(tmp_path / "missing.sqlite").startswith("cannot read")


def test_read_only_open_writes_nothing(db, db_path):
    fill(db, 10)
    db.close()
    before = db_path.read_bytes()
    ro = open_db(db_path, read_only=True)
    try:
        assert ro.execute("SELECT count(*) FROM audit").fetchone()[0] == 10
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            audit.append(ro, actor="t", action="x", entity="y")
    finally:
        ro.close()
    assert db_path.read_bytes() == before


def test_write_problem_names_read_only_file_and_folder(tmp_path, monkeypatch):
    (tmp_path / "cmrc.sqlite").write_bytes(b"")
    assert health.write_problem(tmp_path) is None
    denied: set[str] = set()
    monkeypatch.setattr(health.os, "access", lambda p, mode: str(p) not in denied)
    denied.add(str(tmp_path / "cmrc.sqlite"))
    assert "file" in health.write_problem(tmp_path)
    denied.clear()
    denied.add(str(tmp_path))
    assert "folder" in health.write_problem(tmp_path)


@pytest.mark.skipif(not hasattr(os, "statvfs"), reason="POSIX only")
def test_write_problem_names_read_only_disk(tmp_path, monkeypatch):
    class Flags:
        f_flag = os.ST_RDONLY

    monkeypatch.setattr(health.os, "statvfs", lambda _p: Flags())
    assert "read-only" in health.write_problem(tmp_path)


# -- network file systems ---------------------------------------------------------------
PROC_MOUNTS = r"""/dev/sda1 / ext4 rw,relatime 0 0
server:/export /mnt/nfs nfs4 rw,relatime 0 0
//nas/share /mnt/smb\040share cifs rw 0 0
/dev/sdb1 /mnt/nfs/local ext4 rw 0 0
"""
MAC_MOUNT = """/dev/disk3s1 on / (apfs, local, journaled)
//alice@nas/team on /Volumes/team (smbfs, nodev, nosuid, mounted by alice)
"""


@pytest.mark.parametrize(("path", "expected"), [
    ("/home/u/ws", None),
    ("/mnt/nfs/ws", "nfs4 share mounted at /mnt/nfs"),
    ("/mnt/nfs", "nfs4 share mounted at /mnt/nfs"),
    ("/mnt/nfs/local/ws", None),          # a local disk mounted inside the share
    ("/mnt/nfsother/ws", None),           # a prefix of the name is not inside
    ("/mnt/smb share/ws", "cifs share mounted at /mnt/smb share"),
])
def test_network_filesystem_linux(path, expected):
    assert health.network_filesystem(path, platform="linux", mounts=PROC_MOUNTS) == expected


def test_network_filesystem_macos():
    assert health.network_filesystem("/Volumes/team/ws", platform="darwin",
                                     mounts=MAC_MOUNT) == "smbfs share mounted at /Volumes/team"
    assert health.network_filesystem("/Users/a/ws", platform="darwin", mounts=MAC_MOUNT) is None


@pytest.mark.parametrize(("path", "expected"), [
    (r"\\server\share\ws", r"\\server\share\ws"),
    ("//server/share/ws", r"\\server\share\ws"),
    (r"\\?\UNC\server\share\ws", r"\\server\share\ws"),
    (r"\\?\C:\ws", None),
    (r"C:\Users\ws", None),
    (r"Z:\ws", "network drive Z:"),
])
def test_network_filesystem_windows(path, expected):
    remote = {"Z:\\"}
    kind = lambda root: health.DRIVE_REMOTE if root in remote else 3  # noqa: E731
    assert health.network_filesystem(path, platform="win32", drive_type=kind) == expected


def test_quick_check_of_a_file_it_cannot_open_is_not_damage(db, db_path, monkeypatch):
    """Read-only media: ``mode=ro`` on a WAL file may fail to open (no -shm can be
    made); that must not be reported as a damaged database."""
    fill(db, 10)
    db.close()
    real = health._quick_check

    def no_shm(uri: str) -> list[str]:
        if "immutable" not in uri:
            raise sqlite3.OperationalError("unable to open database file")
        return real(uri)

    monkeypatch.setattr(health, "_quick_check", no_shm)
    assert health.quick_check(db_path) == []
    db_path.write_bytes(b"\0" * 8192)
    assert health.quick_check(db_path)
