"""The window under workspace faults (issue #8, item 2): automatic backups after
opening, a read-only workspace with its banner, a damaged database blocked and restored
from the last backup, a network share warned about once."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cmrc_desktop.services import backup
from cmrc_desktop.storage import audit, health
from cmrc_desktop.ui.main_window import MainWindow
from cmrc_desktop.ui.prompts import RecordingPrompts
from cmrc_desktop.ui.settings import Settings
from tests.ui.conftest import copy_workspace

T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)


@pytest.fixture
def workspace(demo_dir, tmp_path) -> Path:
    return copy_workspace(demo_dir / "secretary", tmp_path / "secretary")


@pytest.fixture
def make_window(qtbot, tmp_path, inline_tasks):
    def make(answer: bool = True) -> MainWindow:
        window = MainWindow(Settings(tmp_path / "settings.ini"), RecordingPrompts(answer=answer))
        qtbot.addWidget(window)
        window.show()
        return window
    return make


def corrupt_table(db_path: Path, table: str = "audit") -> None:
    """Overwrite the leaf pages of one table with garbage: the workspace still opens,
    only ``quick_check`` (and a read of that table) can tell."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [row[0] for row in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'", [table])]
    finally:
        conn.close()
    assert pages
    with db_path.open("r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * size)
            handle.write(bytes((n * 37 + 11) % 251 for n in range(size)))


def kinds(window: MainWindow) -> list[str]:
    return [kind for kind, _title, _text in window.prompts.messages]


def test_opening_takes_a_backup_once_per_max_age(make_window, workspace):
    window = make_window()
    assert window.open_workspace_path(workspace)
    made = backup.backups(workspace)
    assert len(made) == 1 and health.quick_check(made[0]) == []
    assert not window.banner.isVisible()
    window.close_workspace()
    assert window.open_workspace_path(workspace)
    assert backup.backups(workspace) == made     # the newest is recent: none more


def test_read_only_workspace_opens_with_a_banner_and_writes_nothing(
        make_window, workspace, monkeypatch):
    before = (workspace / "cmrc.sqlite").read_bytes()
    monkeypatch.setattr(health.os, "access", lambda path, mode: Path(path) != workspace)
    window = make_window()
    assert window.open_workspace_path(workspace)
    ws = window.workspace
    assert ws is not None and ws.read_only
    assert window.banner.isVisible()
    assert "Opened read-only because the folder" in window.banner.label.text()
    assert not window.banner.restore_button.isVisible()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        audit.append(ws.db, actor="x", action="x", entity="x")
    window.grab().save("/tmp/h8f_readonly.png")
    window.close_workspace()
    assert (workspace / "cmrc.sqlite").read_bytes() == before
    assert not backup.backups(workspace)             # no backup from a read-only place


def test_damaged_database_blocks_editing_and_offers_the_backup(make_window, workspace):
    good = backup.take_backup(workspace, now=T0)
    corrupt_table(workspace / "cmrc.sqlite")
    window = make_window(answer=False)
    assert window.open_workspace_path(workspace)
    ws = window.workspace
    assert ws is not None and ws.read_only and "damaged" in ws.read_only
    assert window.banner.isVisible() and window.banner.restore_button.isVisible()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        ws.db.execute("INSERT INTO audit (at, actor, action, entity) VALUES ('', '', '', '')")
    kind, title, text = window.prompts.messages[-1]
    assert kind == "confirm" and "damaged" in text and "2026-03-01 08:00" in text
    assert backup.backups(workspace) == [good]      # the damage was not backed up
    window.grab().save("/tmp/h8f_damaged.png")

    window.prompts.answer = True
    window.banner.restore_button.click()
    assert window.workspace is not None and window.workspace is not ws
    assert window.workspace.read_only is None and not window.banner.isVisible()
    assert kinds(window)[-1] == "info"
    assert health.quick_check(workspace / "cmrc.sqlite") == []
    assert [e.new for e in audit.entries(window.workspace.db, action="workspace.restore")] \
        == [good.name]
    assert list(workspace.glob("cmrc.damaged-*.sqlite"))


def test_unreadable_database_offers_the_backup_at_open(make_window, workspace):
    good = backup.take_backup(workspace, now=T0)
    db = workspace / "cmrc.sqlite"
    db.write_bytes(b"\x00" * db.stat().st_size)     # overwritten from the start
    window = make_window()
    assert not window.open_workspace_path(workspace)
    assert kinds(window)[:1] == ["confirm"]
    assert window.workspace is not None              # restored and opened
    assert kinds(window)[-1] == "info"
    assert audit.entries(window.workspace.db, action="workspace.restore")[0].new == good.name


def test_damaged_database_without_backup_says_so(make_window, workspace):
    db = workspace / "cmrc.sqlite"
    db.write_bytes(b"\x00" * db.stat().st_size)
    window = make_window()
    assert not window.open_workspace_path(workspace)
    kind, _title, text = window.prompts.messages[-1]
    assert kind == "error" and "no automatic backup" in text
    assert window.workspace is None


def test_network_share_warned_once(make_window, workspace, monkeypatch):
    monkeypatch.setattr(health, "network_filesystem",
                        lambda path, **_kw: "nfs4 share mounted at /mnt/nas")
    window = make_window()
    assert window.open_workspace_path(workspace)
    assert kinds(window) == ["warning"]
    assert "network" in window.prompts.messages[0][2]
    assert window.banner.isVisible() and "/mnt/nas" in window.banner.label.text()
    window.close_workspace()
    assert not window.banner.isVisible()
    assert window.open_workspace_path(workspace)
    assert kinds(window) == ["warning"]                # not again
    assert window.banner.isVisible()



def test_a_refused_write_is_explained_not_an_internal_error(make_window, workspace,
                                                            monkeypatch):
    from cmrc_desktop.ui.app import _make_excepthook

    monkeypatch.setattr(health.os, "access", lambda path, mode: Path(path) != workspace)
    window = make_window()
    assert window.open_workspace_path(workspace)
    try:
        audit.append(window.workspace.db, actor="x", action="x", entity="x")
    except sqlite3.OperationalError as exc:
        _make_excepthook(window)(type(exc), exc, exc.__traceback__)
    kind, _title, text = window.prompts.messages[-1]
    assert kind == "warning" and "read-only" in text and "internal error" not in text


def test_a_refused_write_is_explained_in_plain_words():
    """Views that show an error themselves (error_text) say why the database refused a
    write of a read-only workspace or on a full disk, never "internal error"."""
    import sqlite3

    from cmrc_desktop.ui.prompts import error_text

    readonly = error_text(sqlite3.OperationalError("attempt to write a readonly database"))
    full = error_text(sqlite3.OperationalError("database or disk is full"))
    assert "read-only" in readonly and "internal error" not in readonly
    assert "disk" in full and "full" in full and "internal error" not in full
    other = error_text(sqlite3.OperationalError("no such table: x"))
    assert "internal error" in other
