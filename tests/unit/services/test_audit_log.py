"""The audit log as the secretary reads and exports it: filters by centre, expert and
kind (in SQL), ordering, paging by id, the CSV an auditor opens in Excel (UTF-8 with a
BOM, formulas kept as text), the xlsx, a cancelled export, and ``cmrc audit``."""

from __future__ import annotations

import csv
import io

import pytest
from python_calamine import CalamineWorkbook

from cmrc_desktop.cli import main
from cmrc_desktop.exchange.table_file import csv_cell, write_table
from cmrc_desktop.services import audit_log
from cmrc_desktop.services.audit_log import LogFilter
from cmrc_desktop.storage import audit


@pytest.fixture
def logged(ws):
    """The conftest workspace with a few entries of several kinds."""
    db = ws.db
    with db.atomic():
        audit.append(db, actor="wang", action="score.set", entity="score:A1", centre_id="C1",
                     expert_id="E1", old=None, new="8", extra={"revision": 1})
        audit.append(db, actor="wang", action="score.set", entity="score:A2", centre_id="C1",
                     expert_id="E1", new="=HYPERLINK(\"http://x\")")
        audit.append(db, actor="li", action="scores.bulk", entity="x", centre_id="C2")
        audit.append(db, actor="li", action="veto.set", entity="veto:V1", centre_id="C2",
                     reason="年度报告逾期未交")
        audit.append(db, actor="li", action="merge.resolve", entity="sheet", centre_id="C9",
                     expert_id="E2", old="a" * 64 + "," + "b" * 64, new="a" * 64,
                     reason="原件以纸质签字版为准")
    return ws


def actions(ws, log_filter: LogFilter, **order) -> list[str]:
    ids = audit_log.entry_ids(ws, log_filter, **order)
    found = audit_log.entries(ws, ids)
    return [found[i].action for i in ids]


def test_filters_by_centre_expert_and_kind(logged):
    everything = audit_log.count(logged)
    assert everything > 5          # the workspace's own creation is logged too
    assert actions(logged, LogFilter(kind="score")) == ["score.set", "score.set"]  # newest
    assert "scores.bulk" not in actions(logged, LogFilter(kind="score"))            # first
    assert actions(logged, LogFilter(centre_id="C2")) == ["veto.set", "scores.bulk"]
    assert actions(logged, LogFilter(expert_id="E2")) == ["merge.resolve"]
    assert actions(logged, LogFilter(centre_id="C1", kind="veto")) == []
    assert actions(logged, LogFilter(action="veto.set")) == ["veto.set"]
    assert audit_log.count(logged, LogFilter(centre_id="C1", expert_id="E1")) == 2


def test_orders_by_any_column_in_sql(logged):
    ids = audit_log.entry_ids(logged, LogFilter(centre_id="C1"), column="at",
                              descending=False)
    assert ids == sorted(ids)
    by_actor = actions(logged, LogFilter(centre_id="C2"), column="actor", descending=False)
    assert by_actor == ["scores.bulk", "veto.set"]     # same actor: in the order written
    with pytest.raises(ValueError):
        audit.entry_ids(logged.db, order="id; DROP TABLE audit")


def test_entries_are_read_by_id_in_chunks(ws):
    with ws.db.atomic():
        for n in range(1200):
            audit.append(ws.db, actor="t", action="metric.set", entity=f"m{n}")
    ids = audit_log.entry_ids(ws, LogFilter(kind="metric"))
    assert len(ids) == 1200
    assert set(audit_log.entries(ws, ids)) == set(ids)


def test_kinds_and_subjects_include_what_the_log_mentions(logged):
    kinds = audit_log.kinds(logged)
    assert {"score", "scores", "veto", "merge", "batch"} <= set(kinds)
    assert audit_log.kind_label("score") == "scores"
    assert audit_log.kind_label("future") == "future"
    centres, experts = audit_log.subjects(logged)
    assert ("C1", "山东省心血管病临床医学研究中心") in centres
    assert ("C9", "") in centres                # no longer a centre; its entries remain
    assert [e for e, _name in experts] == ["E1", "E2"]


def test_row_is_what_the_table_shows(logged):
    entry = audit_log.entries(logged, audit_log.entry_ids(logged, LogFilter(kind="score"))
                              )
    first = min(entry.values(), key=lambda e: e.id)
    cells = audit_log.row(first)
    assert len(cells) == len(audit_log.headers()) == len(audit_log.COLUMNS)
    assert "T" not in cells[0] and not cells[0].endswith("Z")
    assert cells[1:4] == ("wang", "score.set", "score:A1")
    assert cells[7] == "8" and cells[9] == '{"revision": 1}'


def test_export_csv_opens_in_excel_with_chinese_and_no_formulas(logged, tmp_path):
    out = tmp_path / "audit.csv"
    seen = []
    written = audit_log.export(logged, out, LogFilter(centre_id="C1"),
                               progress=lambda d, t, n: seen.append((d, t, n)))
    assert written == 2
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")           # the BOM Excel needs for UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["No.", "Time (UTC)", "Actor"]
    assert [r[3] for r in rows[1:]] == ["score.set", "score.set"]    # oldest first
    assert rows[2][8] == "'=HYPERLINK(\"http://x\")"
    assert seen[-1] == (2, 2, "audit.csv")
    veto = tmp_path / "veto.csv"
    audit_log.export(logged, veto, LogFilter(kind="veto"))
    assert "年度报告逾期未交" in veto.read_text("utf-8-sig")


def test_export_xlsx_keeps_text_as_text(logged, tmp_path):
    out = tmp_path / "audit.xlsx"
    assert audit_log.export(logged, out, LogFilter(centre_id="C1")) == 2
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[0][3] == "Action" and rows[2][8] == "=HYPERLINK(\"http://x\")"


def test_a_cancelled_export_writes_nothing(ws, tmp_path):
    with ws.db.atomic():
        for n in range(1200):
            audit.append(ws.db, actor="t", action="metric.set", entity=f"m{n}")
    out = tmp_path / "audit.csv"
    out.write_text("the earlier export")
    assert audit_log.export(ws, out, progress=lambda done, total, name: done < 500) is None
    assert out.read_text() == "the earlier export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.csv", "ws"]  # no temporary left


def test_csv_cells_that_excel_would_run_stay_text():
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("+86 531") == "'+86 531" and csv_cell("-x") == "'-x"
    assert csv_cell("-1.5") == "-1.5" and csv_cell("8.5") == "8.5"
    assert csv_cell("山东") == "山东"


def test_write_table_by_name(tmp_path):
    assert write_table(tmp_path / "t.CSV", ("a", "b"), [("1", "2")]) == 1
    assert (tmp_path / "t.CSV").read_bytes() == b"\xef\xbb\xbfa,b\r\n1,2\r\n"
    assert write_table(tmp_path / "t.xlsx", ("a",), [], title="x" * 40) == 0


def test_cmrc_audit_filters_by_kind_and_writes_csv(logged, capsys, tmp_path):
    folder = str(logged.folder)
    logged.close()
    assert main(["audit", "--workspace", folder, "--kind", "score"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all("\tscore.set\t" in line for line in out)
    target = tmp_path / "log.csv"
    assert main(["audit", "--workspace", folder, "--centre", "C2", "--csv",
                 str(target)]) == 0
    assert "2 entries" in capsys.readouterr().out
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert main(["audit", "--workspace", folder, "--action", "veto.set", "--json"]) == 0
    assert "年度报告逾期未交" in capsys.readouterr().out
