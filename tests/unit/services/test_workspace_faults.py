"""Faults around a workspace: read-only media, a damaged database and its restore from
the last automatic backup (issue #8, item 2)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cmrc_desktop.domain.errors import WorkspaceError
from cmrc_desktop.services import backup
from cmrc_desktop.services.workspace import open_workspace, open_workspace_read_only
from cmrc_desktop.storage import audit, centre_repo, health
from tests.unit.storage.test_backup import corrupt

T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_read_only_workspace_reads_and_refuses_every_write(ws):
    folder = ws.folder
    ws.close()
    before = snapshot(folder)
    ro = open_workspace_read_only(folder, "the folder is read-only")
    try:
        assert ro.read_only == "the folder is read-only"
        assert [c.id for c in centre_repo.list_centres(ro.db)][:1] == ["C1"]
        with pytest.raises(sqlite3.OperationalError, match="readonly"), ro.db.atomic():
            audit.append(ro.db, actor="x", action="x", entity="x")
    finally:
        ro.close()
    after = snapshot(folder)
    # SQLite itself may make the shared-memory index of a WAL reader; nothing else
    assert after.pop("cmrc.sqlite-shm", None) is None or "cmrc.sqlite-shm" not in before
    assert after.pop("cmrc.sqlite-wal", b"") == b""
    assert after == before


def test_writable_workspace_is_not_read_only(ws):
    assert ws.read_only is None


def test_restore_keeps_the_damaged_file_and_audits(ws):
    folder = ws.folder
    batch_id = ws.batch.id
    good = backup.take_backup(folder, now=T0)
    with ws.db.atomic():    # a change after the backup: lost by the restore, as the user is told
        audit.append(ws.db, actor="x", action="test.after", entity="x")
    ws.close()
    corrupt(folder / "cmrc.sqlite")
    damaged = (folder / "cmrc.sqlite").read_bytes()
    assert health.quick_check(folder / "cmrc.sqlite")

    done = backup.restore_backup(folder, good, actor="secretary-li", now=T0 + timedelta(hours=1))

    assert done.kept_aside == folder / "cmrc.damaged-20260301T090000Z.sqlite"
    assert done.kept_aside.read_bytes() == damaged
    assert health.quick_check(folder / "cmrc.sqlite") == []
    restored = open_workspace(folder)
    try:
        assert restored.batch.id == batch_id
        rows = audit.entries(restored.db, action="workspace.restore")
        assert len(rows) == 1
        assert (rows[0].actor, rows[0].old, rows[0].new) == (
            "secretary-li", done.kept_aside.name, good.name)
        assert rows[0].reason
        assert not audit.entries(restored.db, action="test.after")
    finally:
        restored.close()
    assert not list(folder.glob(".cmrc.sqlite.restoring*"))


def test_restore_refuses_a_damaged_backup_and_changes_nothing(ws):
    folder = ws.folder
    bad = backup.take_backup(folder, now=T0)
    ws.close()
    corrupt(bad)
    before = snapshot(folder)
    with pytest.raises(WorkspaceError, match="cannot restore"):
        backup.restore_backup(folder, bad)
    assert snapshot(folder) == before


def test_cli_backup_list_and_restore(ws, capsys):
    from cmrc_desktop.cli import main

    folder = str(ws.folder)
    ws.close()
    assert main(["backup", "--workspace", folder]) == 0
    made = backup.backups(folder)
    assert len(made) == 1 and str(made[0]) in capsys.readouterr().out
    assert main(["backup", "--workspace", folder, "--list"]) == 0
    assert str(made[0]) in capsys.readouterr().out
    corrupt(Path(folder) / "cmrc.sqlite")
    assert main(["backup", "--workspace", folder]) == 2      # damage is not backed up
    assert "damaged" in capsys.readouterr().err
    assert backup.backups(folder) == made
    assert main(["restore", "--workspace", folder, "--reason", "disk fault",
                 "--actor", "secretary-li"]) == 0
    assert made[0].name in capsys.readouterr().out
    restored = open_workspace(folder)
    try:
        [row] = audit.entries(restored.db, action="workspace.restore")
        assert (row.actor, row.reason) == ("secretary-li", "disk fault")
    finally:
        restored.close()
