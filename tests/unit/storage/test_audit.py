"""The audit log keeps every change and can only grow."""

from __future__ import annotations

import re
import sqlite3

import pytest

from cmrc_desktop.storage import Database, audit, utc_now


def _append(db: Database, **overrides: object) -> int:
    fields = dict(actor="expert-zhang", action="score.set", entity="score:A1",
                  centre_id="C1", expert_id="E1", old=None, new="8.5")
    fields.update(overrides)
    return audit.append(db, **fields)  # type: ignore[arg-type]


def test_an_appended_entry_reads_back_whole(db: Database) -> None:
    entry_id = _append(db, reason="typo", extra={"comment": "见附件", "n": 2})

    [entry] = audit.entries(db)
    assert entry.id == entry_id
    assert (entry.actor, entry.action, entry.entity, entry.centre_id, entry.expert_id,
            entry.old, entry.new, entry.reason) == (
        "expert-zhang", "score.set", "score:A1", "C1", "E1", None, "8.5", "typo")
    assert entry.extra == {"comment": "见附件", "n": 2}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.at)


def test_entries_filter_by_centre_expert_and_action(db: Database) -> None:
    _append(db)
    _append(db, centre_id="C2")
    _append(db, expert_id="E2", action="opinion.set", entity="opinion")

    assert [e.centre_id for e in audit.entries(db, centre_id="C2")] == ["C2"]
    assert [e.action for e in audit.entries(db, expert_id="E2")] == ["opinion.set"]
    assert len(audit.entries(db, action="score.set")) == 2
    assert len(audit.entries(db, centre_id="C1", action="score.set")) == 1


def test_audit_rows_cannot_be_changed(db: Database) -> None:
    _append(db)
    with pytest.raises(sqlite3.DatabaseError, match="audit log is append-only"):
        db.execute("UPDATE audit SET new = '10'")
    assert audit.entries(db)[0].new == "8.5"


def test_audit_rows_cannot_be_deleted(db: Database) -> None:
    _append(db)
    with pytest.raises(sqlite3.DatabaseError, match="audit log is append-only"):
        db.execute("DELETE FROM audit")
    assert len(audit.entries(db)) == 1


def test_time_stamps_are_utc_iso_with_seconds() -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", utc_now())
