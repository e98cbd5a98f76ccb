"""The audit log view: newest first, rows read a page at a time, filters by centre,
expert and kind (the choices of the moment), sorting, and the export of the filtered log
to CSV in the background (UTF-8 with a BOM, so Excel shows the Chinese)."""

from __future__ import annotations

import csv
import io

import pytest
from PySide6.QtCore import Qt

from cmrc_desktop.services import audit_log
from cmrc_desktop.services.audit_log import LogFilter
from cmrc_desktop.storage import audit
from cmrc_desktop.ui.main_views import ID_ROLE
from cmrc_desktop.ui.models.audit_log import (
    COL_ACTION,
    COL_ACTOR,
    COL_AT,
    COL_CENTRE,
    COL_NEW,
    COL_REASON,
    AuditLogModel,
)
from cmrc_desktop.ui.secretary.audit import AuditView


@pytest.fixture
def ws(secretary_ws):
    workspace = secretary_ws
    with workspace.db.atomic():
        audit.append(workspace.db, actor="秘书", action="veto.set", entity="veto:V4",
                     centre_id="C002", reason="年度报告逾期未交")
        audit.append(workspace.db, actor="秘书", action="merge.resolve", entity="sheet",
                     centre_id="C001", expert_id="E02", old="a" * 64 + "," + "b" * 64,
                     new="a" * 64, reason="专家电话确认")
    return workspace


@pytest.fixture
def view(qtbot, ws, prompts):
    v = AuditView(ws)
    v.prompts = prompts
    qtbot.addWidget(v)
    v.resize(1100, 700)
    v.show()
    v.refresh()
    return v


def column(model, col: int) -> list[str]:
    return [model.index(r, col).data() for r in range(model.rowCount())]


def test_newest_first_a_page_at_a_time(view, ws, qtmodeltester):
    model = view.model
    total = audit_log.count(ws)
    assert total > model.PAGE            # the demo writes a few hundred entries
    assert model.rowCount() == model.PAGE and model.total_rows == total
    assert model.index(0, COL_ACTION).data() == "merge.resolve"
    assert model.index(1, COL_ACTION).data() == "veto.set"
    assert model.index(0, COL_NEW).data() == "a" * 12 + "…"       # fingerprints cut
    assert model.index(0, COL_NEW).data(Qt.ItemDataRole.ToolTipRole) == "a" * 64
    assert model.index(0, COL_REASON).data() == "专家电话确认"
    ids = [int(model.index(r, 0).data(ID_ROLE)) for r in range(model.rowCount())]
    assert ids == sorted(ids, reverse=True)
    model.fetch_all()
    assert model.rowCount() == total
    assert f"{total} entries" in view.summary_label.text()
    qtmodeltester.check(model)


def test_filters_narrow_the_log_in_sql(view, ws):
    model = view.model
    kinds = [view.kind_combo.itemData(i) for i in range(view.kind_combo.count())]
    assert kinds[0] is None and {"merge", "veto", "centre", "expert"} <= set(kinds)
    assert view.kind_combo.itemText(kinds.index("merge")) == "merges"
    view.kind_combo.setCurrentIndex(kinds.index("veto"))
    assert column(model, COL_ACTION) == ["veto.set"]
    assert "1 entry of" in view.summary_label.text()

    view.set_filter(centre_id="C001")
    model.fetch_all()
    assert set(column(model, COL_CENTRE)) == {"C001"}
    assert model.total_rows == audit_log.count(ws, LogFilter(centre_id="C001"))
    assert view.kind_combo.currentIndex() == 0

    view.set_filter(centre_id="C001", expert_id="E02", kind="merge")
    model.fetch_all()
    expected = audit_log.count(ws, LogFilter(centre_id="C001", expert_id="E02", kind="merge"))
    assert model.rowCount() == expected >= 2
    assert set(column(model, COL_ACTION)) <= {"merge.accept", "merge.resolve"}
    assert view.centre_combo.currentData() == "C001"
    assert view.centre_combo.currentText().startswith("C001 ")

    view.refresh()                                  # the choice survives a refresh
    assert view.model.log_filter == LogFilter(centre_id="C001", expert_id="E02",
                                              kind="merge")
    view.set_filter()
    assert model.total_rows == audit_log.count(ws)


def test_new_entries_appear_on_refresh(view, ws):
    before = view.model.total_rows
    with ws.db.atomic():
        audit.append(ws.db, actor="秘书", action="veto.withdraw", entity="veto:V4",
                     centre_id="C002", reason="补交")
    view.refresh()
    assert view.model.total_rows == before + 1
    assert view.model.index(0, COL_ACTION).data() == "veto.withdraw"


def test_sorting_by_a_column_is_a_query(view, ws, qtmodeltester):
    model = view.model
    view.table.sortByColumn(COL_ACTOR, Qt.SortOrder.AscendingOrder)
    model.fetch_all()
    actors = column(model, COL_ACTOR)
    assert actors == sorted(actors)
    view.table.sortByColumn(COL_AT, Qt.SortOrder.AscendingOrder)
    assert model.index(0, COL_ACTION).data() == "batch.create"
    qtmodeltester.check(model)


def test_export_writes_the_filtered_log_as_csv(view, prompts, tmp_path, inline_tasks):
    view.set_filter(centre_id="C002")
    target = tmp_path / "log.csv"
    prompts.choices = [str(target)]
    view.action_export.trigger()
    assert prompts.messages[0][0] == "choose_save_file"
    kind, title, text = prompts.messages[-1]
    n = view.model.total_rows
    assert kind == "info" and f"{n} entries written to {target}" == text
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == n + 1 and rows[0][1] == "Time (UTC)"
    assert {r[5] for r in rows[1:]} == {"C002"}
    assert rows[-1][3] == "veto.set" and rows[-1][9] == "年度报告逾期未交"   # oldest first

    view.export(str(tmp_path / "log"))             # no suffix: CSV
    assert (tmp_path / "log.csv").is_file()


def test_an_export_that_fails_is_reported(view, prompts, tmp_path, inline_tasks):
    view.export(str(tmp_path / "no such folder" / "log.csv"))
    kind, title, message = prompts.messages[-1]
    assert kind == "error" and title == "Export the audit log"
    assert "Traceback" not in message


def test_the_model_reads_nothing_until_refreshed(ws, qtmodeltester):
    statements: list[str] = []
    ws.db.conn.set_trace_callback(statements.append)
    try:
        model = AuditLogModel(ws)
        model.sort(COL_ACTOR)                       # remembered for the first read
    finally:
        ws.db.conn.set_trace_callback(None)
    assert statements == [] and model.rowCount() == 0 and model.total_rows == 0
    model.set_filter(LogFilter(kind="veto"))
    assert column(model, COL_ACTION) == ["veto.set"]
    assert model.entry(0).reason == "年度报告逾期未交" and model.entry(5) is None
    qtmodeltester.check(model)


@pytest.mark.parametrize("name", ["returns:ReturnsView", "progress:ProgressView",
                                  "audit:AuditView"])
def test_views_read_nothing_when_built(qtbot, ws, name):
    """The window builds views lazily and cheaply; they read in ``refresh()``."""
    import importlib

    module, _sep, cls = name.partition(":")
    view_class = getattr(importlib.import_module(f"cmrc_desktop.ui.secretary.{module}"), cls)
    statements: list[str] = []
    ws.db.conn.set_trace_callback(statements.append)
    try:
        view = view_class(ws)
        qtbot.addWidget(view)
    finally:
        ws.db.conn.set_trace_callback(None)
    assert statements == []
    view.refresh()
    assert view.summary_label.text() and view.table.model().rowCount() > 0
