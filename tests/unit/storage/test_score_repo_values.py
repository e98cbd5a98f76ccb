"""``sheet_values``: what grading reads, exactly, however odd the indicator ids."""

from __future__ import annotations

from decimal import Decimal

from cmrc_desktop.storage import score_repo


def test_sheet_values_reads_every_score_exactly(tmp_path):
    import sqlite3

    import sqlite_utils

    db = sqlite_utils.Database(sqlite3.connect(str(tmp_path / "s.sqlite")))
    db.execute("CREATE TABLE scores (expert_id TEXT, centre_id TEXT, indicator TEXT, "
               "value TEXT, PRIMARY KEY (expert_id, centre_id, indicator))")
    rows = [("E1", "C1", "A1", "8.50"), ("E1", "C1", "A2", "0"), ("E1", "C1", "A3", None),
            ("E2", "C1", "A1", "10"), ("E1", "C2", "odd\x1fid", "3.5"),
            ("E1", "C2", "odd\x1eid", "1")]
    db.conn.executemany("INSERT INTO scores VALUES (?, ?, ?, ?)", rows)
    values = score_repo.sheet_values(db)
    assert values == {("C1", "E1"): {"A1": Decimal("8.50"), "A2": Decimal("0")},
                      ("C1", "E2"): {"A1": Decimal("10")},
                      ("C2", "E1"): {"odd\x1fid": Decimal("3.5"), "odd\x1eid": Decimal("1")}}
    assert str(values[("C1", "E1")]["A1"]) == "8.50"      # the stored text, not rounded
