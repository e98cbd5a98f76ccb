"""What the completeness of a batch is computed from, read in a handful of narrow
queries: pairs and states only, no payloads, no signatures, plain tuples.

The progress dashboard reads it on every show; for 150 centres × 30 experts the
repositories' full rows (every received payload, every centre's members) cost several
times more than these columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class PairsSnapshot:
    centres: list[tuple[str, str]]                 # (id, name), by id
    experts: list[tuple[str, str]]                 # (id, name), by id
    assignments: list[tuple[str, str]]             # (expert, centre)
    received: list[tuple[str, str, str, int]]      # (expert, centre, status, revision)
    sheets: list[tuple[str, str, str, int]]        # (expert, centre, state, revision)
    conflicts: list[tuple[str, str, str]]          # (expert, centre, reason)


def pairs_snapshot(db: sqlite_utils.Database) -> PairsSnapshot:
    def rows(sql: str) -> list[tuple]:
        return [tuple(r) for r in db.execute(sql).fetchall()]

    return PairsSnapshot(
        centres=rows("SELECT id, name FROM centres ORDER BY id"),
        experts=rows("SELECT id, name FROM experts ORDER BY id"),
        assignments=rows("SELECT expert_id, centre_id FROM assignments "
                         "ORDER BY expert_id, centre_id"),
        received=rows("SELECT expert_id, centre_id, status, revision FROM received_sheets "
                      "ORDER BY centre_id, expert_id, revision"),
        sheets=rows("SELECT expert_id, centre_id, state, revision FROM sheets"),
        conflicts=rows("SELECT expert_id, centre_id, reason FROM conflicts "
                       "ORDER BY expert_id, centre_id, kind"),
    )
