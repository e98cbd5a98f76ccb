"""Scoresheets and what is on them: scores and the written opinion.

A score or opinion row needs its sheet row first (foreign key), so writers call
``touch_sheet`` before ``upsert_score`` / ``upsert_opinion``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlite_utils

from cmrc_desktop.domain.workspace import Opinion, Score, Sheet, SheetState
from cmrc_desktop.storage.db import decimal_text, text_decimal, utc_now, where


# -- sheets -----------------------------------------------------------------------------
def find_sheet(db: sqlite_utils.Database, expert_id: str, centre_id: str) -> Sheet | None:
    row = next(db.query("SELECT * FROM sheets WHERE expert_id = ? AND centre_id = ?",
                        [expert_id, centre_id]), None)
    return None if row is None else _sheet(row)


def list_sheets(db: sqlite_utils.Database, *, expert_id: str | None = None,
                centre_id: str | None = None) -> list[Sheet]:
    where_sql, params = where(expert_id=expert_id, centre_id=centre_id)
    return [_sheet(row) for row in db.query(
        f"SELECT * FROM sheets{where_sql} ORDER BY centre_id, expert_id", params)]


def touch_sheet(db: sqlite_utils.Database, expert_id: str, centre_id: str) -> Sheet:
    """Create the sheet as a draft, or mark an existing one as just changed."""
    db.execute(
        "INSERT INTO sheets (expert_id, centre_id, state, revision, updated_at) "
        "VALUES (?, ?, 'draft', 1, ?) ON CONFLICT (expert_id, centre_id) "
        "DO UPDATE SET updated_at = excluded.updated_at",
        [expert_id, centre_id, utc_now()])
    sheet = find_sheet(db, expert_id, centre_id)
    assert sheet is not None
    return sheet


def set_sheet(db: sqlite_utils.Database, expert_id: str, centre_id: str, *,
              state: SheetState, revision: int) -> Sheet:
    db.execute(
        "INSERT INTO sheets (expert_id, centre_id, state, revision, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (expert_id, centre_id) DO UPDATE SET "
        "state = excluded.state, revision = excluded.revision, updated_at = excluded.updated_at",
        [expert_id, centre_id, str(state), revision, utc_now()])
    sheet = find_sheet(db, expert_id, centre_id)
    assert sheet is not None
    return sheet


# -- scores -----------------------------------------------------------------------------
def find_score(db: sqlite_utils.Database, expert_id: str, centre_id: str,
               indicator: str) -> Score | None:
    row = next(db.query(
        "SELECT * FROM scores WHERE expert_id = ? AND centre_id = ? AND indicator = ?",
        [expert_id, centre_id, indicator]), None)
    return None if row is None else _score(row)


def list_scores(db: sqlite_utils.Database, *, expert_id: str | None = None,
                centre_id: str | None = None) -> list[Score]:
    where_sql, params = where(expert_id=expert_id, centre_id=centre_id)
    return [_score(row) for row in db.query(
        f"SELECT * FROM scores{where_sql} ORDER BY centre_id, expert_id, indicator", params)]


def scored_pairs(db: sqlite_utils.Database) -> set[tuple[str, str]]:
    """(expert_id, centre_id) of every sheet with at least one score value: one query,
    where reading every score would take a large batch a second."""
    return {(row["expert_id"], row["centre_id"]) for row in db.query(
        "SELECT DISTINCT expert_id, centre_id FROM scores WHERE value IS NOT NULL")}


def sheet_pairs(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """(centre_id, expert_id) of every sheet, scored or not, as plain tuples."""
    return db.execute("SELECT centre_id, expert_id FROM sheets").fetchall()


class _Decimals(dict):
    """Decimal of each stored value text, parsed on first sight (a batch has few)."""

    def __missing__(self, text: str) -> Decimal:
        value = self[text] = text_decimal(text)
        return value


def sheet_values(db: sqlite_utils.Database) -> dict[tuple[str, str], dict[str, Decimal]]:
    """{(centre_id, expert_id): {indicator: value}} of every score with a value: what
    grading reads. A large batch holds about 90,000 scores; SQLite packs each sheet's
    into one text (one row per sheet instead of per score, in the primary key's order),
    and each distinct value is parsed once. A sheet whose ids hold the separators (no
    scheme has such ids) is read row by row instead, so the result is always exact."""
    decimals = _Decimals()
    sheets: dict[tuple[str, str], dict[str, Decimal]] = {}
    odd: list[tuple[str, str]] = []
    for e, c, n, packed in db.execute(
            "SELECT expert_id, centre_id, count(*), "
            "group_concat(indicator || char(31) || value, char(30)) FROM scores "
            "WHERE value IS NOT NULL GROUP BY expert_id, centre_id"):
        parts = packed.replace("\x1f", "\x1e").split("\x1e")   # id, value, id, value, …
        if len(parts) != 2 * n:      # a separator inside an id: read this sheet by rows
            odd.append((e, c))
            continue
        sheets[(c, e)] = dict(zip(parts[0::2], map(decimals.__getitem__, parts[1::2]),
                                  strict=True))
    for e, c in odd:
        sheets[(c, e)] = {row[0]: text_decimal(row[1]) for row in db.execute(
            "SELECT indicator, value FROM scores WHERE expert_id = ? AND centre_id = ? "
            "AND value IS NOT NULL", [e, c])}
    return sheets


def upsert_score(db: sqlite_utils.Database, score: Score) -> Score:
    """Write ``score`` (its ``updated_at`` is ignored and set to now); returns it as stored."""
    db.execute(
        "INSERT INTO scores (expert_id, centre_id, indicator, value, comment, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (expert_id, centre_id, indicator) DO UPDATE SET "
        "value = excluded.value, comment = excluded.comment, updated_at = excluded.updated_at",
        [score.expert_id, score.centre_id, score.indicator, decimal_text(score.value),
         score.comment, utc_now()])
    stored = find_score(db, score.expert_id, score.centre_id, score.indicator)
    assert stored is not None
    return stored


def delete_score(db: sqlite_utils.Database, expert_id: str, centre_id: str,
                 indicator: str) -> None:
    db.execute("DELETE FROM scores WHERE expert_id = ? AND centre_id = ? AND indicator = ?",
               [expert_id, centre_id, indicator])


# -- opinions ---------------------------------------------------------------------------
def find_opinion(db: sqlite_utils.Database, expert_id: str, centre_id: str) -> Opinion | None:
    row = next(db.query("SELECT * FROM opinions WHERE expert_id = ? AND centre_id = ?",
                        [expert_id, centre_id]), None)
    return None if row is None else _opinion(row)


def list_opinions(db: sqlite_utils.Database, *, expert_id: str | None = None,
                  centre_id: str | None = None) -> list[Opinion]:
    where_sql, params = where(expert_id=expert_id, centre_id=centre_id)
    return [_opinion(row) for row in db.query(
        f"SELECT * FROM opinions{where_sql} ORDER BY centre_id, expert_id", params)]


def upsert_opinion(db: sqlite_utils.Database, opinion: Opinion) -> Opinion:
    db.execute(
        "INSERT INTO opinions (expert_id, centre_id, achievements, problems, recommendations, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (expert_id, centre_id) DO UPDATE SET "
        "achievements = excluded.achievements, problems = excluded.problems, "
        "recommendations = excluded.recommendations, updated_at = excluded.updated_at",
        [opinion.expert_id, opinion.centre_id, opinion.achievements, opinion.problems,
         opinion.recommendations, utc_now()])
    return opinion


def _sheet(row: dict[str, Any]) -> Sheet:
    return Sheet(row["expert_id"], row["centre_id"], SheetState(row["state"]),
                 row["revision"], row["updated_at"])


def _score(row: dict[str, Any]) -> Score:
    return Score(row["expert_id"], row["centre_id"], row["indicator"],
                 text_decimal(row["value"]), row["comment"], row["updated_at"])


def _opinion(row: dict[str, Any]) -> Opinion:
    return Opinion(row["expert_id"], row["centre_id"], row["achievements"], row["problems"],
                   row["recommendations"])


def clear_scores(db: sqlite_utils.Database, expert_id: str, centre_id: str) -> None:
    """Every score of one sheet, in one statement (the sheet row itself stays)."""
    db.execute("DELETE FROM scores WHERE expert_id = ? AND centre_id = ?",
               [expert_id, centre_id])


def replace_sheet(db: sqlite_utils.Database, expert_id: str, centre_id: str, *,
                  scores: list[Score], opinion: Opinion, state: SheetState, revision: int
                  ) -> None:
    """Write a whole received sheet in a few statements (merging a thousand sheets)."""
    now = utc_now()
    db.execute(
        "INSERT INTO sheets (expert_id, centre_id, state, revision, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (expert_id, centre_id) DO UPDATE SET "
        "state = excluded.state, revision = excluded.revision, updated_at = excluded.updated_at",
        [expert_id, centre_id, str(state), revision, now])
    clear_scores(db, expert_id, centre_id)
    db.conn.executemany(
        "INSERT INTO scores (expert_id, centre_id, indicator, value, comment, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(expert_id, centre_id, s.indicator, decimal_text(s.value), s.comment, now)
         for s in scores])
    upsert_opinion(db, opinion)
