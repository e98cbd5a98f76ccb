"""The secretary's verdicts on a centre: vetoes and formal-review checks."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from cmrc_desktop.domain.workspace import CheckResult, VetoRecord
from cmrc_desktop.storage.db import where


# -- vetoes -----------------------------------------------------------------------------
def list_vetoes(db: sqlite_utils.Database, centre_id: str | None = None) -> list[VetoRecord]:
    where_sql, params = where(centre_id=centre_id)
    return [_veto(row) for row in db.query(
        f"SELECT * FROM vetoes{where_sql} ORDER BY centre_id, veto_id", params)]


def find_veto(db: sqlite_utils.Database, centre_id: str, veto_id: str) -> VetoRecord | None:
    row = next(db.query("SELECT * FROM vetoes WHERE centre_id = ? AND veto_id = ?",
                        [centre_id, veto_id]), None)
    return None if row is None else _veto(row)


def put_veto(db: sqlite_utils.Database, veto: VetoRecord) -> None:
    db.execute(
        "INSERT INTO vetoes (centre_id, veto_id, reason, actor, at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (centre_id, veto_id) DO UPDATE SET reason = excluded.reason, "
        "actor = excluded.actor, at = excluded.at",
        [veto.centre_id, veto.veto_id, veto.reason, veto.actor, veto.at])


def delete_veto(db: sqlite_utils.Database, centre_id: str, veto_id: str) -> None:
    db.execute("DELETE FROM vetoes WHERE centre_id = ? AND veto_id = ?", [centre_id, veto_id])


# -- formal-review checks ---------------------------------------------------------------
def list_checks(db: sqlite_utils.Database, centre_id: str | None = None) -> list[CheckResult]:
    where_sql, params = where(centre_id=centre_id)
    return [_check(row) for row in db.query(
        f"SELECT * FROM checks{where_sql} ORDER BY centre_id, check_id", params)]


def find_check(db: sqlite_utils.Database, centre_id: str, check_id: str) -> CheckResult | None:
    row = next(db.query("SELECT * FROM checks WHERE centre_id = ? AND check_id = ?",
                        [centre_id, check_id]), None)
    return None if row is None else _check(row)


def put_check(db: sqlite_utils.Database, check: CheckResult) -> None:
    db.execute(
        "INSERT INTO checks (centre_id, check_id, passed, automatic, note, actor, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (centre_id, check_id) DO UPDATE SET "
        "passed = excluded.passed, automatic = excluded.automatic, note = excluded.note, "
        "actor = excluded.actor, at = excluded.at",
        [check.centre_id, check.check_id, None if check.passed is None else int(check.passed),
         int(check.automatic), check.note, check.actor, check.at])


def delete_check(db: sqlite_utils.Database, centre_id: str, check_id: str) -> None:
    db.execute("DELETE FROM checks WHERE centre_id = ? AND check_id = ?", [centre_id, check_id])


def _veto(row: dict[str, Any]) -> VetoRecord:
    return VetoRecord(row["centre_id"], row["veto_id"], row["reason"], row["actor"], row["at"])


def _check(row: dict[str, Any]) -> CheckResult:
    passed = row["passed"]
    return CheckResult(row["centre_id"], row["check_id"],
                       None if passed is None else bool(passed), bool(row["automatic"]),
                       row["note"], row["actor"], row["at"])
