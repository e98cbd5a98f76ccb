"""Experts, their conflicts of interest, and who is assigned to score which centre."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from cmrc_desktop.domain.errors import NotFoundError
from cmrc_desktop.domain.workspace import Conflict, ConflictKind, Expert
from cmrc_desktop.i18n import _
from cmrc_desktop.storage.db import utc_now, where

_COLUMNS = ("id", "name", "institution", "title", "specialty")


def get_expert(db: sqlite_utils.Database, expert_id: str) -> Expert:
    expert = find_expert(db, expert_id)
    if expert is None:
        raise NotFoundError(_("no expert with id '{id}'").format(id=expert_id))
    return expert


def find_expert(db: sqlite_utils.Database, expert_id: str) -> Expert | None:
    row = next(db.query("SELECT * FROM experts WHERE id = ?", [expert_id]), None)
    return None if row is None else _expert(row)


def list_experts(db: sqlite_utils.Database) -> list[Expert]:
    return [_expert(row) for row in db.query("SELECT * FROM experts ORDER BY id")]


def insert_expert(db: sqlite_utils.Database, expert: Expert) -> None:
    db["experts"].insert({column: getattr(expert, column) for column in _COLUMNS})


def update_expert(db: sqlite_utils.Database, expert: Expert) -> None:
    with db.atomic():
        get_expert(db, expert.id)
        db["experts"].update(expert.id, {c: getattr(expert, c) for c in _COLUMNS[1:]})


def delete_expert(db: sqlite_utils.Database, expert_id: str) -> None:
    db.execute("DELETE FROM experts WHERE id = ?", [expert_id])


# -- conflicts --------------------------------------------------------------------------
def add_conflict(db: sqlite_utils.Database, conflict: Conflict) -> None:
    """Record a conflict; recording the same (expert, centre, kind) again updates the reason."""
    db.execute(
        "INSERT INTO conflicts (expert_id, centre_id, kind, reason, created_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (expert_id, centre_id, kind) "
        "DO UPDATE SET reason = excluded.reason",
        [conflict.expert_id, conflict.centre_id, str(conflict.kind), conflict.reason,
         utc_now()])


def remove_conflict(db: sqlite_utils.Database, expert_id: str, centre_id: str,
                    kind: ConflictKind) -> None:
    db.execute("DELETE FROM conflicts WHERE expert_id = ? AND centre_id = ? AND kind = ?",
               [expert_id, centre_id, str(kind)])


def conflicts_of(db: sqlite_utils.Database, expert_id: str, centre_id: str) -> list[Conflict]:
    return [_conflict(row) for row in db.query(
        "SELECT * FROM conflicts WHERE expert_id = ? AND centre_id = ? ORDER BY kind",
        [expert_id, centre_id])]


def list_conflicts(db: sqlite_utils.Database, *, expert_id: str | None = None,
                   centre_id: str | None = None) -> list[Conflict]:
    where_sql, params = where(expert_id=expert_id, centre_id=centre_id)
    return [_conflict(row) for row in db.query(
        f"SELECT * FROM conflicts{where_sql} ORDER BY expert_id, centre_id, kind", params)]


# -- assignments ------------------------------------------------------------------------
def assign(db: sqlite_utils.Database, expert_id: str, centre_id: str) -> None:
    db.execute("INSERT OR IGNORE INTO assignments (expert_id, centre_id) VALUES (?, ?)",
               [expert_id, centre_id])


def unassign(db: sqlite_utils.Database, expert_id: str, centre_id: str) -> None:
    db.execute("DELETE FROM assignments WHERE expert_id = ? AND centre_id = ?",
               [expert_id, centre_id])


def is_assigned(db: sqlite_utils.Database, expert_id: str, centre_id: str) -> bool:
    return next(db.query("SELECT 1 AS x FROM assignments WHERE expert_id = ? AND centre_id = ?",
                         [expert_id, centre_id]), None) is not None


def list_assignments(db: sqlite_utils.Database, *, expert_id: str | None = None,
                     centre_id: str | None = None) -> list[tuple[str, str]]:
    """(expert_id, centre_id) pairs."""
    where_sql, params = where(expert_id=expert_id, centre_id=centre_id)
    return [(row["expert_id"], row["centre_id"]) for row in db.query(
        f"SELECT * FROM assignments{where_sql} ORDER BY expert_id, centre_id", params)]


def _expert(row: dict[str, Any]) -> Expert:
    return Expert(**{column: row[column] for column in _COLUMNS})


def _conflict(row: dict[str, Any]) -> Conflict:
    return Conflict(row["expert_id"], row["centre_id"], ConflictKind(row["kind"]),
                    row["reason"])
