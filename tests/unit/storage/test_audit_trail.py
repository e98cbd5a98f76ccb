"""The audit log refuses rewriting from any connection, not only the program's own.

``test_audit.py`` covers UPDATE and DELETE. INSERT OR REPLACE onto an existing id is a
delete the delete trigger never sees unless the connection enabled ``recursive_triggers``
(sqlite_utils does; Python's sqlite3, the sqlite3 shell and DB browsers do not), so a
forger with such a tool could swap an entry for another under the same id.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cmrc_desktop.storage import Database, audit


@pytest.fixture
def logged(db: Database, db_path: Path) -> tuple[int, Path]:
    with db.atomic():
        entry_id = audit.append(db, actor="expert-zhang", action="score.set",
                                entity="score:A1", centre_id="C1", expert_id="E1",
                                old="7", new="8.5")
    db.close()
    return entry_id, db_path


def _plain(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA recursive_triggers").fetchone()[0] == 0
    return conn


def _unchanged(path: Path, entry_id: int) -> None:
    conn = _plain(path)
    try:
        assert conn.execute("SELECT actor, old, new FROM audit WHERE id = ?",
                            [entry_id]).fetchall() == [("expert-zhang", "7", "8.5")]
    finally:
        conn.close()


@pytest.mark.parametrize("statement", [
    "INSERT OR REPLACE INTO audit (id, at, actor, action, entity, old, new) "
    "VALUES (?, '2026-01-01T00:00:00Z', 'forger', 'score.set', 'score:A1', '7', '10')",
    "REPLACE INTO audit (id, at, actor, action, entity, new) "
    "VALUES (?, '2026-01-01T00:00:00Z', 'forger', 'score.set', 'score:A1', '10')",
    "INSERT INTO audit (id, at, actor, action, entity, new) "
    "VALUES (?, '2026-01-01T00:00:00Z', 'forger', 'score.set', 'score:A1', '10') "
    "ON CONFLICT (id) DO UPDATE SET actor = excluded.actor, new = excluded.new",
])
def test_another_tool_cannot_replace_an_entry(logged, statement: str) -> None:
    entry_id, path = logged
    conn = _plain(path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="audit log is append-only"):
            conn.execute(statement, [entry_id])
        conn.commit()
    finally:
        conn.close()
    _unchanged(path, entry_id)


def test_plain_appends_from_another_tool_still_work(logged) -> None:
    """The trigger refuses only an id already taken (an appended row is not hidden)."""
    entry_id, path = logged
    conn = _plain(path)
    try:
        conn.execute("INSERT INTO audit (at, actor, action, entity) "
                     "VALUES ('2026-01-01T00:00:00Z', 'sqlite3-shell', 'note', 'x')")
        conn.commit()
        assert conn.execute("SELECT count(*) FROM audit").fetchone()[0] == entry_id + 1
    finally:
        conn.close()
    _unchanged(path, entry_id)
