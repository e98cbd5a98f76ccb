"""The workspace's single batch row."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from cmrc_desktop.domain.errors import WorkspaceError
from cmrc_desktop.domain.workspace import Batch, BatchKind, Role, Stage
from cmrc_desktop.i18n import _

_UPDATABLE = {"name", "year", "kind", "stage", "scheme_id", "scheme_text", "scheme_sha256",
              "role", "ca_cert_pem", "owner_expert_id"}


def get_batch(db: sqlite_utils.Database) -> Batch:
    row = next(db.query("SELECT * FROM batch"), None)
    if row is None:
        raise WorkspaceError(_("the workspace has no evaluation batch"))
    return _batch(row)


def insert_batch(db: sqlite_utils.Database, batch: Batch) -> None:
    db["batch"].insert(_row(asdict(batch)))


def update_batch(db: sqlite_utils.Database, **changes: Any) -> Batch:
    """Change some columns of the batch (stage, name, scheme…); returns the new batch."""
    unknown = set(changes) - _UPDATABLE
    if unknown:
        raise ValueError(f"not batch columns: {sorted(unknown)}")
    batch = get_batch(db)
    db["batch"].update(batch.id, _row(changes))
    return get_batch(db)


def _row(values: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if k in ("kind", "stage", "role") else v for k, v in values.items()}


def _batch(row: dict[str, Any]) -> Batch:
    return Batch(
        id=row["id"], name=row["name"], year=row["year"], kind=BatchKind(row["kind"]),
        stage=Stage(row["stage"]), scheme_id=row["scheme_id"], scheme_text=row["scheme_text"],
        scheme_sha256=row["scheme_sha256"], role=Role(row["role"]),
        created_at=row["created_at"], ca_cert_pem=row.get("ca_cert_pem") or "",
        owner_expert_id=row.get("owner_expert_id") or "",
    )


@dataclass(frozen=True)
class BatchCounts:
    centres: int
    experts: int
    assignments: int
    received: int        # assignments whose sheet came back (merged, or signed here)


def batch_counts(db: sqlite_utils.Database) -> BatchCounts:
    """The batch's size in one query of COUNTs, cheap enough for the first view of the
    window. An assignment counts as received as ``services.status`` says: a current
    merged sheet, or a sheet finalised in this workspace."""
    row = db.execute("""
        SELECT (SELECT COUNT(*) FROM centres),
               (SELECT COUNT(*) FROM experts),
               (SELECT COUNT(*) FROM assignments),
               (SELECT COUNT(*) FROM assignments a
                 WHERE EXISTS (SELECT 1 FROM received_sheets r
                                WHERE r.expert_id = a.expert_id
                                  AND r.centre_id = a.centre_id AND r.status = 'current')
                    OR EXISTS (SELECT 1 FROM sheets s
                                WHERE s.expert_id = a.expert_id
                                  AND s.centre_id = a.centre_id AND s.state != 'draft'))
    """).fetchone()
    return BatchCounts(*row)
