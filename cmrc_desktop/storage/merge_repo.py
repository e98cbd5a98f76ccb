"""Received sheets (every revision of every expert's sheet) and the merge log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from cmrc_desktop.storage.db import utc_now


@dataclass(frozen=True)
class ReceivedSheet:
    id: int
    expert_id: str
    centre_id: str
    revision: int
    digest: str
    payload: bytes
    signature: bytes
    status: str          # current | superseded | conflict
    received_at: str


@dataclass(frozen=True)
class MergeFileRow:
    run_id: int
    path: str
    file_sha256: str
    outcome: str
    reason: str
    expert_id: str
    centre_id: str
    revision: int | None
    digest: str
    at: str


def received_for(db: sqlite_utils.Database, expert_id: str, centre_id: str
                 ) -> list[ReceivedSheet]:
    return [_received(r) for r in db.query(
        "SELECT * FROM received_sheets WHERE expert_id = ? AND centre_id = ? ORDER BY id",
        [expert_id, centre_id])]


def list_received(db: sqlite_utils.Database, *, status: str | None = None
                  ) -> list[ReceivedSheet]:
    sql, params = "SELECT * FROM received_sheets", []
    if status:
        sql, params = sql + " WHERE status = ?", [status]
    return [_received(r) for r in db.query(sql + " ORDER BY centre_id, expert_id, revision",
                                           params)]


def add_received(db: sqlite_utils.Database, *, expert_id: str, centre_id: str, revision: int,
                 digest: str, payload: bytes, signature: bytes, status: str) -> int:
    cursor = db.execute(
        "INSERT INTO received_sheets (expert_id, centre_id, revision, digest, payload, "
        "signature, status, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [expert_id, centre_id, revision, digest, payload, signature, status, utc_now()])
    return cursor.lastrowid


def set_status(db: sqlite_utils.Database, received_id: int, status: str) -> None:
    db.execute("UPDATE received_sheets SET status = ? WHERE id = ?", [status, received_id])


def start_run(db: sqlite_utils.Database, actor: str) -> int:
    return db.execute("INSERT INTO merge_runs (at, actor) VALUES (?, ?)",
                      [utc_now(), actor]).lastrowid


def add_file(db: sqlite_utils.Database, run_id: int, *, path: str, file_sha256: str,
             outcome: str, reason: str = "", expert_id: str = "", centre_id: str = "",
             revision: int | None = None, digest: str = "") -> None:
    db.execute(
        "INSERT INTO merge_files (run_id, path, file_sha256, outcome, reason, expert_id, "
        "centre_id, revision, digest, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, path, file_sha256, outcome, reason, expert_id, centre_id, revision, digest,
         utc_now()])


def run_files(db: sqlite_utils.Database, run_id: int | None = None) -> list[MergeFileRow]:
    """The files of one merge run, or of the latest one."""
    if run_id is None:
        row = db.execute("SELECT max(id) FROM merge_runs").fetchone()
        run_id = row[0] if row else None
        if run_id is None:
            return []
    return [MergeFileRow(r["run_id"], r["path"], r["file_sha256"], r["outcome"], r["reason"],
                         r["expert_id"], r["centre_id"], r["revision"], r["digest"], r["at"])
            for r in db.query("SELECT * FROM merge_files WHERE run_id = ? ORDER BY id",
                              [run_id])]


def all_files(db: sqlite_utils.Database) -> list[MergeFileRow]:
    return [MergeFileRow(r["run_id"], r["path"], r["file_sha256"], r["outcome"], r["reason"],
                         r["expert_id"], r["centre_id"], r["revision"], r["digest"], r["at"])
            for r in db.query("SELECT * FROM merge_files ORDER BY id")]


def _received(row: dict[str, Any]) -> ReceivedSheet:
    return ReceivedSheet(row["id"], row["expert_id"], row["centre_id"], row["revision"],
                         row["digest"], row["payload"], row["signature"], row["status"],
                         row["received_at"])
