"""The audit log: one row per change, written in the same transaction as the change.

The table refuses UPDATE and DELETE (triggers of migration 0001), so this module only
appends and reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from cmrc_desktop.domain.workspace import AuditEntry
from cmrc_desktop.storage.db import utc_now, where


def append(
    db: sqlite_utils.Database,
    *,
    actor: str,
    action: str,
    entity: str,
    centre_id: str | None = None,
    expert_id: str | None = None,
    old: str | None = None,
    new: str | None = None,
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> int:
    """Record one change; returns the new entry's id."""
    cursor = db.execute(
        "INSERT INTO audit (at, actor, action, entity, centre_id, expert_id, old, new, "
        "reason, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [utc_now(), actor, action, entity, centre_id, expert_id, old, new, reason,
         json.dumps(extra or {}, ensure_ascii=False, sort_keys=True)],
    )
    return int(cursor.lastrowid)


def entries(
    db: sqlite_utils.Database,
    *,
    centre_id: str | None = None,
    expert_id: str | None = None,
    action: str | None = None,
    entity: str | None = None,
) -> list[AuditEntry]:
    """The log, oldest first, narrowed by whichever filters are given."""
    where_sql, params = where(centre_id=centre_id, expert_id=expert_id, action=action,
                              entity=entity)
    sql = f"SELECT * FROM audit{where_sql} ORDER BY id"
    return [_entry(row) for row in db.query(sql, params)]


def _entry(row: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        id=row["id"], at=row["at"], actor=row["actor"], action=row["action"],
        entity=row["entity"], centre_id=row["centre_id"], expert_id=row["expert_id"],
        old=row["old"], new=row["new"], reason=row["reason"],
        extra=json.loads(row["extra"]) if row["extra"] else {},
    )


# -- reading the log a page at a time (the window's audit view, exports) ---------------------
SORTABLE = ("id", "at", "actor", "action", "entity", "centre_id", "expert_id", "old", "new",
            "reason", "extra")
_PARAMS_PER_QUERY = 500   # well under SQLite's limit of bound parameters


@dataclass(frozen=True)
class LogFilter:
    """Which entries to read: ``kind`` is the part of the action before the dot
    ("score" keeps score.set, score.clear, …), ``action`` one action exactly; None (or
    "") keeps everything."""

    centre_id: str | None = None
    expert_id: str | None = None
    kind: str | None = None
    action: str | None = None

    def sql(self) -> tuple[str, list[str]]:
        """The WHERE clause: equality on indexed columns, and the kind as a range on the
        action index (never LIKE, which SQLite cannot serve from an index here)."""
        clauses, params = [], []
        if self.centre_id:
            clauses.append("centre_id = ?")
            params.append(self.centre_id)
        if self.expert_id:
            clauses.append("expert_id = ?")
            params.append(self.expert_id)
        if self.action:
            clauses.append("action = ?")
            params.append(self.action)
        if self.kind:
            clauses.append("(action = ? OR (action >= ? AND action < ?))")
            params += [self.kind, self.kind + ".", self.kind + "/"]   # "/" follows "."
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def count(db: sqlite_utils.Database, log_filter: LogFilter = LogFilter()) -> int:  # noqa: B008
    where_sql, params = log_filter.sql()
    return int(db.execute(f"SELECT count(*) FROM audit{where_sql}", params).fetchone()[0])


def entry_ids(db: sqlite_utils.Database, log_filter: LogFilter = LogFilter(),  # noqa: B008
              *, order: str = "id", descending: bool = False) -> list[int]:
    """The ids of the matching entries in display order (ties by id); only the ids, so
    a log of 100,000 entries costs a list of ints, and rows are read a page at a time."""
    if order not in SORTABLE:
        raise ValueError(f"cannot sort the audit log by {order!r}")
    where_sql, params = log_filter.sql()
    direction = "DESC" if descending else "ASC"
    tie = "" if order == "id" else f", id {direction}"
    sql = f"SELECT id FROM audit{where_sql} ORDER BY {order} {direction}{tie}"
    return [row[0] for row in db.execute(sql, params).fetchall()]


def entries_by_id(db: sqlite_utils.Database, ids: Sequence[int]) -> dict[int, AuditEntry]:
    found: dict[int, AuditEntry] = {}
    for start in range(0, len(ids), _PARAMS_PER_QUERY):
        chunk = [int(i) for i in ids[start:start + _PARAMS_PER_QUERY]]
        marks = ", ".join("?" * len(chunk))
        for row in db.query(f"SELECT * FROM audit WHERE id IN ({marks})", chunk):
            found[row["id"]] = _entry(row)
    return found


def iter_entries(db: sqlite_utils.Database, log_filter: LogFilter = LogFilter()  # noqa: B008
                 ) -> Iterator[AuditEntry]:
    """The matching entries, oldest first, read as they are consumed (an export of a
    large log never holds it in memory)."""
    where_sql, params = log_filter.sql()
    for row in db.query(f"SELECT * FROM audit{where_sql} ORDER BY id", params):
        yield _entry(row)


def actions(db: sqlite_utils.Database) -> list[str]:
    """Every action the log holds (read from its index)."""
    return [row[0] for row in db.execute("SELECT DISTINCT action FROM audit ORDER BY action")]


def subjects(db: sqlite_utils.Database) -> tuple[list[str], list[str]]:
    """The centre ids and expert ids the log mentions, also of centres and experts
    removed since (the log outlives them)."""
    centres = [row[0] for row in db.execute(
        "SELECT DISTINCT centre_id FROM audit WHERE centre_id IS NOT NULL ORDER BY centre_id")]
    experts = [row[0] for row in db.execute(
        "SELECT DISTINCT expert_id FROM audit WHERE expert_id IS NOT NULL ORDER BY expert_id")]
    return centres, experts
