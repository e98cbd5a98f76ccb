"""Certificates of experts, signed sheet revisions and exported files."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from cmrc_desktop.domain.workspace import SignedSheet
from cmrc_desktop.storage.db import utc_now


def set_expert_cert(db: sqlite_utils.Database, expert_id: str, pem: str, sha256: str) -> None:
    db.execute("UPDATE experts SET cert_pem = ?, cert_sha256 = ? WHERE id = ?",
               [pem, sha256, expert_id])


def expert_cert(db: sqlite_utils.Database, expert_id: str) -> tuple[str, str] | None:
    row = db.execute("SELECT cert_pem, cert_sha256 FROM experts WHERE id = ?",
                     [expert_id]).fetchone()
    if row is None or not row[0]:
        return None
    return row[0], row[1]


def experts_by_fingerprint(db: sqlite_utils.Database) -> dict[str, str]:
    return {row[0]: row[1] for row in db.execute(
        "SELECT cert_sha256, id FROM experts WHERE cert_sha256 IS NOT NULL").fetchall()}


def add_signature(db: sqlite_utils.Database, signed: SignedSheet) -> None:
    db.execute(
        "INSERT INTO signatures (expert_id, centre_id, revision, payload, signature, signed_at,"
        " signature_png) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [signed.expert_id, signed.centre_id, signed.revision, signed.payload, signed.signature,
         signed.signed_at, signed.signature_png])


def current_signature(db: sqlite_utils.Database, expert_id: str, centre_id: str
                      ) -> SignedSheet | None:
    row = next(db.query(
        "SELECT * FROM signatures WHERE expert_id = ? AND centre_id = ? AND voided_at IS NULL "
        "ORDER BY revision DESC LIMIT 1", [expert_id, centre_id]), None)
    return None if row is None else _signed(row)


def void_signatures(db: sqlite_utils.Database, expert_id: str, centre_id: str) -> int:
    cursor = db.execute(
        "UPDATE signatures SET voided_at = ? WHERE expert_id = ? AND centre_id = ? AND "
        "voided_at IS NULL", [utc_now(), expert_id, centre_id])
    return cursor.rowcount


def add_export(db: sqlite_utils.Database, *, expert_id: str, centre_id: str, revision: int,
               fmt: str, path: str, sha256: str) -> None:
    db.execute("INSERT INTO exports (expert_id, centre_id, revision, format, path, sha256, at)"
               " VALUES (?, ?, ?, ?, ?, ?, ?)",
               [expert_id, centre_id, revision, fmt, path, sha256, utc_now()])


def exported_formats(db: sqlite_utils.Database, expert_id: str, centre_id: str, revision: int
                     ) -> set[str]:
    return {r[0] for r in db.execute(
        "SELECT format FROM exports WHERE expert_id = ? AND centre_id = ? AND revision = ?",
        [expert_id, centre_id, revision]).fetchall()}


def _signed(row: dict[str, Any]) -> SignedSheet:
    return SignedSheet(row["expert_id"], row["centre_id"], row["revision"], row["payload"],
                       row["signature"], row["signed_at"], row["signature_png"],
                       row["voided_at"])
