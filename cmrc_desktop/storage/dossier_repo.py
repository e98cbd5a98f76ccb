"""What a centre submitted: dossier documents (soft-deleted) and reported metrics."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlite_utils

from cmrc_desktop.domain.errors import NotFoundError
from cmrc_desktop.domain.workspace import Document, DocumentType, MetricValue
from cmrc_desktop.i18n import _
from cmrc_desktop.storage.db import decimal_text, text_decimal, utc_now


def add_document(db: sqlite_utils.Database, *, centre_id: str, doc_type: DocumentType,
                 title: str, filename: str, sha256: str, size: int) -> Document:
    cursor = db.execute(
        "INSERT INTO documents (centre_id, doc_type, title, filename, sha256, size, added_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [centre_id, str(doc_type), title, filename, sha256, size, utc_now()])
    return get_document(db, int(cursor.lastrowid))


def get_document(db: sqlite_utils.Database, document_id: int) -> Document:
    row = next(db.query("SELECT * FROM documents WHERE id = ?", [document_id]), None)
    if row is None:
        raise NotFoundError(_("no document with id {id}").format(id=document_id))
    return _document(row)


def list_documents(db: sqlite_utils.Database, centre_id: str, *,
                   include_removed: bool = False) -> list[Document]:
    sql = "SELECT * FROM documents WHERE centre_id = ?"
    if not include_removed:
        sql += " AND removed_at IS NULL"
    return [_document(row) for row in db.query(sql + " ORDER BY id", [centre_id])]


def remove_document(db: sqlite_utils.Database, document_id: int) -> Document:
    """Soft delete: the row stays so the audit log and old packages still resolve it."""
    db.execute("UPDATE documents SET removed_at = ? WHERE id = ? AND removed_at IS NULL",
               [utc_now(), document_id])
    return get_document(db, document_id)


def set_metric(db: sqlite_utils.Database, centre_id: str, period: str, metric: str,
               value: Decimal) -> None:
    db.execute(
        "INSERT INTO metrics (centre_id, period, metric, value) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (centre_id, period, metric) DO UPDATE SET value = excluded.value",
        [centre_id, period, metric, decimal_text(value)])


def delete_metric(db: sqlite_utils.Database, centre_id: str, period: str, metric: str) -> None:
    db.execute("DELETE FROM metrics WHERE centre_id = ? AND period = ? AND metric = ?",
               [centre_id, period, metric])


def list_metrics(db: sqlite_utils.Database, centre_id: str | None = None) -> list[MetricValue]:
    sql, params = "SELECT * FROM metrics", []
    if centre_id is not None:
        sql, params = sql + " WHERE centre_id = ?", [centre_id]
    return [MetricValue(row["centre_id"], row["period"], row["metric"],
                        text_decimal(row["value"]))
            for row in db.query(sql + " ORDER BY centre_id, period, metric", params)]


def latest_metrics(db: sqlite_utils.Database) -> dict[str, dict[str, Decimal]]:
    """{centre_id: {metric: value}} of each centre's latest period (the last in text
    order, as periods are written: 2024, 2025 …), in one query."""
    latest: dict[str, dict[str, Decimal]] = {}
    for centre, metric, value in db.execute(
            "SELECT m.centre_id, m.metric, m.value FROM metrics m JOIN "
            "(SELECT centre_id, max(period) AS period FROM metrics GROUP BY centre_id) l "
            "ON l.centre_id = m.centre_id AND l.period = m.period"):
        latest.setdefault(centre, {})[metric] = text_decimal(value)
    return latest


def _document(row: dict[str, Any]) -> Document:
    return Document(
        id=row["id"], centre_id=row["centre_id"], doc_type=DocumentType(row["doc_type"]),
        title=row["title"], filename=row["filename"], sha256=row["sha256"], size=row["size"],
        added_at=row["added_at"], removed_at=row["removed_at"])
