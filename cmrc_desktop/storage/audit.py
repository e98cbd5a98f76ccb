"""The audit log: one row per change, written in the same transaction as the change.

The table refuses UPDATE and DELETE (triggers of migration 0001), so this module only
appends and reads.
"""

from __future__ import annotations

import json
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
