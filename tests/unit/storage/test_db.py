"""Opening a workspace database: schema, versions, refusals and durability settings."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from cmrc_desktop.domain.errors import WorkspaceError
from cmrc_desktop.domain.workspace import Expert
from cmrc_desktop.storage import APPLICATION_ID, SCHEMA_VERSION, Database, expert_repo, open_db
from cmrc_desktop.storage.migrations import MIGRATION_SET

TABLES = {"batch", "centres", "network_members", "documents", "metrics", "experts",
          "conflicts", "assignments", "sheets", "scores", "opinions", "vetoes", "checks",
          "audit", "signatures", "exports", "received_sheets", "merge_runs", "merge_files"}


def _raw(path: Path) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(path))


def _snapshot(path: Path) -> tuple[bytes, int, list[str]]:
    """What a user could notice about a file: its bytes, its mtime, its neighbours."""
    neighbours = sorted(p.name for p in path.parent.iterdir())
    return path.read_bytes(), path.stat().st_mtime_ns, neighbours


def _pragma(db: Database, name: str) -> object:
    return db.execute(f"PRAGMA {name}").fetchone()[0]


def test_new_database_has_every_table_and_the_schema_version(db: Database) -> None:
    assert TABLES <= set(db.table_names())
    assert _pragma(db, "user_version") == SCHEMA_VERSION == 4
    assert _pragma(db, "application_id") == APPLICATION_ID
    applied = [r["name"] for r in db.query(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET])]
    assert applied == ["0001_initial", "0002_signing", "0003_merge",
                       "0004_audit_no_replace"]


def test_indexes_exist_for_the_frequent_queries(db: Database) -> None:
    names = {r["name"] for r in db.query("SELECT name FROM sqlite_schema WHERE type = 'index'")}
    assert {"scores_by_centre", "audit_by_centre", "audit_by_expert",
            "audit_by_action"} <= names


def test_reopening_keeps_the_data_and_applies_nothing(db_path: Path) -> None:
    with open_db(db_path) as db:
        expert_repo.insert_expert(db, Expert("E1", "张三", "北京协和医院"))
        before = list(db.query("SELECT * FROM _sqlite_migrations"))
    with open_db(db_path) as db:
        assert expert_repo.get_expert(db, "E1").name == "张三"
        assert list(db.query("SELECT * FROM _sqlite_migrations")) == before
        assert _pragma(db, "user_version") == SCHEMA_VERSION


def test_durability_settings_are_on_after_open(db: Database) -> None:
    assert _pragma(db, "journal_mode") == "wal"
    assert _pragma(db, "synchronous") == 2  # FULL
    assert _pragma(db, "foreign_keys") == 1
    assert _pragma(db, "busy_timeout") >= 1000


def test_a_workspace_from_a_newer_program_is_refused_and_left_untouched(db_path: Path) -> None:
    open_db(db_path).close()
    with _raw(db_path) as conn:
        conn.execute("PRAGMA user_version = 7")
        conn.commit()
    before = _snapshot(db_path)

    with pytest.raises(WorkspaceError) as caught:
        open_db(db_path)

    assert caught.value.message == (
        "This workspace was written by a newer version of CMRC Desktop (schema 7; this "
        "program knows up to 4). Install the newer version to open it.")
    assert caught.value.file == str(db_path)
    assert _snapshot(db_path) == before


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(db_path: Path) -> None:
    db_path.write_bytes(b"PK\x03\x04 this is a zip, not a database" * 200)
    before = _snapshot(db_path)

    with pytest.raises(WorkspaceError, match="not an SQLite database") as caught:
        open_db(db_path)

    assert str(db_path) in caught.value.message
    assert _snapshot(db_path) == before


@pytest.mark.parametrize("application_id", [0x12345678, 0])
def test_another_programs_sqlite_file_is_refused_and_left_untouched(
        db_path: Path, application_id: int) -> None:
    with _raw(db_path) as conn:
        conn.execute(f"PRAGMA application_id = {application_id}")
        conn.execute("CREATE TABLE bookmarks (url TEXT)")
        conn.commit()
    before = _snapshot(db_path)

    with pytest.raises(WorkspaceError, match="another program") as caught:
        open_db(db_path)

    assert str(db_path) in caught.value.message
    assert _snapshot(db_path) == before


def test_a_failed_migration_leaves_no_partial_schema(db_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from cmrc_desktop.storage import migrations

    broken = migrations._SCHEMA_0001 + "\nCREATE TABLE batch (x TEXT);"
    monkeypatch.setattr(migrations, "_SCHEMA_0001", broken)
    with pytest.raises(WorkspaceError, match="cannot update"):
        open_db(db_path)
    monkeypatch.undo()

    with _raw(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'centres'"
                            ).fetchone()[0] == 0
    with open_db(db_path) as db:
        assert _pragma(db, "user_version") == SCHEMA_VERSION
        assert TABLES <= set(db.table_names())


def test_a_schema_1_workspace_is_migrated_in_place(db_path: Path) -> None:
    """A workspace written before signing existed opens, gains the new tables, keeps data."""
    from cmrc_desktop.storage import migrations

    first = migrations.migrations
    partial = sqlite_utils_database(db_path)
    partial.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    first.apply(partial, stop_before="0002_signing")
    partial.execute("INSERT INTO experts (id, name) VALUES ('E1', '王五')")
    partial.conn.commit()
    assert _pragma(partial, "user_version") == 1
    partial.close()
    db = open_db(db_path)
    try:
        assert _pragma(db, "user_version") == SCHEMA_VERSION
        assert db.execute("SELECT name, cert_pem FROM experts").fetchall() == [("王五", "")]
    finally:
        db.close()


def sqlite_utils_database(path: Path) -> Database:
    return Database(path)
