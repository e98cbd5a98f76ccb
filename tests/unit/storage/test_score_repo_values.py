"""``sheet_values``: what grading reads, exactly, however odd the indicator ids."""

from __future__ import annotations

from decimal import Decimal

from cmrc_desktop.storage import Database, score_repo

NOW = "2026-01-01T00:00:00Z"


def test_sheet_values_reads_every_score_exactly(db: Database):
    rows = [("E1", "C1", "A1", "8.50"), ("E1", "C1", "A2", "0"), ("E1", "C1", "A3", None),
            ("E2", "C1", "A1", "10"), ("E1", "C2", "odd\x1fid", "3.5"),
            ("E1", "C2", "odd\x1eid", "1")]
    with db.conn:   # the parent rows the foreign keys need, then the scores
        db.conn.executemany("INSERT INTO centres (id, name, level, field, host, created_at) "
                            "VALUES (?, ?, 'provincial', 'field', 'host', ?)",
                            [(c, c, NOW) for c in ("C1", "C2")])
        db.conn.executemany("INSERT INTO experts (id, name) VALUES (?, ?)",
                            [(e, e) for e in ("E1", "E2")])
        db.conn.executemany("INSERT INTO sheets (expert_id, centre_id, updated_at) "
                            "VALUES (?, ?, ?)",
                            sorted({(e, c, NOW) for e, c, _i, _v in rows}))
        db.conn.executemany("INSERT INTO scores (expert_id, centre_id, indicator, value, "
                            "updated_at) VALUES (?, ?, ?, ?, ?)",
                            [(*row, NOW) for row in rows])
    values = score_repo.sheet_values(db)
    assert values == {("C1", "E1"): {"A1": Decimal("8.50"), "A2": Decimal("0")},
                      ("C1", "E2"): {"A1": Decimal("10")},
                      ("C2", "E1"): {"odd\x1fid": Decimal("3.5"), "odd\x1eid": Decimal("1")}}
    assert str(values[("C1", "E1")]["A1"]) == "8.50"      # the stored text, not rounded
