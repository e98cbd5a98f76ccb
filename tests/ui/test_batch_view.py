"""The batch view, first view of a secretary's window: the batch's facts and size, the
scheme viewer (dimensions → indicators, grade bands, vetoes, formal-review checks) and
"Print the scheme…" through the file chooser and a background task."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.domain.workspace import BatchKind, label
from cmrc_desktop.scoring.builtin import builtin_scheme
from cmrc_desktop.scoring.scheme_loader import parse_scheme
from cmrc_desktop.services.status import RECEIVED, completeness
from cmrc_desktop.services.workspace import create_workspace, open_workspace
from cmrc_desktop.ui.main_views import ID_ROLE
from cmrc_desktop.ui.main_window import MainWindow
from cmrc_desktop.ui.models.scheme_indicators import (
    AUTOMATIC,
    COL_GUIDANCE,
    COL_POINTS,
    COL_SCORED_BY,
    COL_STEP,
    EXPERTS,
    SCORED_BY_ROLE,
    SchemeIndicatorsModel,
)
from cmrc_desktop.ui.secretary.batch import BatchView
from cmrc_desktop.ui.settings import Settings
from tests.unit.exchange.test_scheme_pdf import AUTOMATIC_SCHEME


@pytest.fixture
def window(qtbot, data_dir, tmp_path, prompts):
    win = MainWindow(Settings(tmp_path / "settings.ini"), prompts)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


@pytest.fixture
def application(tmp_path) -> Path:
    folder = tmp_path / "application"
    create_workspace(folder, name="2026 申报评审", year=2026, kind=BatchKind.APPLICATION,
                     stage="dossier_review", scheme=builtin_scheme("application-review"),
                     role="secretary").close()
    return folder


@pytest.fixture
def view(window, secretary) -> BatchView:
    window.load_workspace(secretary)
    shown = window.current_view()
    assert isinstance(shown, BatchView)
    return shown


def rows_of(model, column: int = 0) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_the_batch_and_its_size_at_a_glance(view, secretary):
    with open_workspace(secretary) as ws:
        batch, scheme = ws.batch, ws.scheme
        states = [s.state for sheets in completeness(ws).values() for s in sheets]
        centres = ws.db.execute("SELECT COUNT(*) FROM centres").fetchone()[0]
        experts = ws.db.execute("SELECT COUNT(*) FROM experts").fetchone()[0]
    received = states.count(RECEIVED)
    assert view.summary_label.text() == "  ·  ".join((
        batch.name, f"{centres} centres", f"{experts} experts", f"{len(states)} assignments",
        f"{received} of {len(states)} sheets received"))
    facts = {key: label.text() for key, label in view.facts.items()}
    assert facts["batch_id"] == batch.id and facts["year"] == str(batch.year)
    assert facts["kind"] == "Performance evaluation"
    assert facts["stage"] == label(batch.stage) == "On-site inspection"
    assert facts["created"][:4] == batch.created_at[:4] and len(facts["created"]) == 16
    assert facts["scheme"] == f"{scheme.name_en} (version {scheme.version})"
    assert facts["scheme_id"] == scheme.id
    assert facts["sha256"] == batch.scheme_sha256 and len(facts["sha256"]) == 64
    assert facts["method"] == "Mean without the highest and lowest totals"
    assert "dropping the 1 highest" in view.facts["method"].toolTip()
    assert facts["total"] == "100"
    assert view.findChild(type(view.facts["year"]), "sha256_value") is view.facts["sha256"]


def test_a_sheet_back_in_draft_is_no_longer_counted_received(view, secretary, window):
    with open_workspace(secretary) as ws:
        before = [s.state for sheets in completeness(ws).values() for s in sheets]
        pair = ws.db.execute("SELECT expert_id, centre_id FROM assignments LIMIT 1").fetchone()
        ws.db.execute("DELETE FROM received_sheets WHERE expert_id = ? AND centre_id = ?", pair)
        ws.db.execute("UPDATE sheets SET state = 'draft' WHERE expert_id = ? AND centre_id = ?",
                      pair)
        ws.db.conn.commit()
        after = [s.state for sheets in completeness(ws).values() for s in sheets]
    assert after.count(RECEIVED) == before.count(RECEIVED) - 1
    window.refresh_current_view()
    assert view.summary_label.text().endswith(
        f"{after.count(RECEIVED)} of {len(after)} sheets received")


def test_the_scheme_viewer_lists_dimensions_then_their_indicators(view, secretary):
    scheme = builtin_scheme("sd-perf-5d")
    model = view.table.model()
    assert model is view.model
    assert model.rowCount() == len(scheme.dimensions) + len(scheme.indicators)
    expected_ids = []
    for dimension in scheme.dimensions:
        expected_ids += [dimension.id] + [i.id for i in scheme.indicators_of(dimension.id)]
    assert [model.index(r, 0).data(ID_ROLE) for r in range(model.rowCount())] == expected_ids
    first = model.index(0, 0)
    assert first.data() == "A\u2003Construction benefit"
    assert first.data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(0, COL_POINTS).data() == "20"            # the sum of A1–A4
    assert model.index(0, COL_SCORED_BY).data() == "4 indicators"
    a1 = scheme.indicator("A1")
    assert model.index(1, 0).data() == "\u2003A1\u2003Platforms and sharing"
    assert model.index(1, 0).data(Qt.ItemDataRole.FontRole) is None
    assert model.index(1, COL_POINTS).data() == plain(a1.max)
    assert model.index(1, COL_STEP).data() == "0.5"
    assert model.index(1, COL_SCORED_BY).data() == "experts"
    assert model.index(1, COL_SCORED_BY).data(SCORED_BY_ROLE) == EXPERTS
    assert model.index(1, COL_SCORED_BY).data(Qt.ItemDataRole.DecorationRole) is None
    guidance = model.index(1, COL_GUIDANCE).data()
    assert guidance.startswith(a1.guidance)
    assert guidance.endswith("Evidence: Biobanks and clinical databases, Biobank samples")
    assert model.index(1, COL_POINTS).data(Qt.ItemDataRole.TextAlignmentRole) & int(
        Qt.AlignmentFlag.AlignRight)
    assert not view.table.isSortingEnabled()
    assert rows_of(view.grades) == ["Excellent", "Good", "Pass", "Fail"]
    assert rows_of(view.grades, 1) == ["90", "80", "60", "0"]
    assert rows_of(view.vetoes) == [v.id for v in scheme.vetoes]
    assert rows_of(view.vetoes, 1)[0] == "Fraud or falsified data"
    assert view.grades_box.isVisibleTo(view) and view.vetoes_box.isVisibleTo(view)
    assert not view.checks_box.isVisibleTo(view)               # no formal review here


def test_an_application_batch_shows_its_formal_review_checks(window, application):
    window.load_workspace(application)
    view = window.current_view()
    scheme = builtin_scheme("application-review")
    assert view.facts["kind"].text() == "Application review"
    assert view.summary_label.text().endswith(
        "0 centres  ·  0 experts  ·  0 assignments  ·  0 of 0 sheets received")
    assert view.checks_box.isVisibleTo(view)
    assert rows_of(view.checks) == [c.id for c in scheme.checks]
    how = rows_of(view.checks, 2)
    assert how[0] == "ticked by the secretary"
    assert how[2] == "automatic: Core research-network members at least 3"
    assert view.checks.index(2, 2).data(Qt.ItemDataRole.ToolTipRole) == how[2]
    assert rows_of(view.grades) == ["Recommended", "Conditionally recommended",
                                    "Not recommended"]


def test_an_automatic_indicator_is_marked(qtmodeltester):
    model = SchemeIndicatorsModel()
    model.set_scheme(parse_scheme(AUTOMATIC_SCHEME))
    qtmodeltester.check(model)
    assert model.rowCount() == 3 and model.is_dimension(0) and not model.is_dimension(1)
    automatic = model.index(1, COL_SCORED_BY)
    assert automatic.data(SCORED_BY_ROLE) == AUTOMATIC
    assert automatic.data() == "automatic from Guidelines/consensus led: full points at 5"
    assert automatic.data(Qt.ItemDataRole.ToolTipRole) == automatic.data()
    assert model.index(2, COL_GUIDANCE).data() == "第一行\n第二行 <b>不是标记</b> & 符号"
    assert model.index(2, COL_STEP).data() == "1"
    model.set_scheme(parse_scheme(AUTOMATIC_SCHEME))           # again: a clean reset
    assert model.rowCount() == 3


def test_an_automatic_indicator_gets_a_dot_in_the_view(qtbot, secretary):
    with open_workspace(secretary) as ws:
        view = BatchView(ws)
        qtbot.addWidget(view)
        view.model.set_scheme(parse_scheme(AUTOMATIC_SCHEME))
        dot = view.model.index(1, COL_SCORED_BY).data(Qt.ItemDataRole.DecorationRole)
        assert dot is not None and not dot.isNull()
        assert view.model.index(2, COL_SCORED_BY).data(Qt.ItemDataRole.DecorationRole) is None


def test_the_models_pass_the_model_tester(qtmodeltester, view, window, application):
    for model in (view.model, view.grades, view.vetoes, view.checks):
        qtmodeltester.check(model)
    window.load_workspace(application)
    view = window.current_view()
    for model in (view.model, view.grades, view.vetoes, view.checks):
        qtmodeltester.check(model)


def test_building_the_view_reads_nothing(qtbot, secretary):
    ws = open_workspace(secretary)
    ws.db.close()                       # any read now would fail
    try:
        view = BatchView(ws)
        qtbot.addWidget(view)
        assert view.model.rowCount() == 0
    finally:
        ws.close()


def test_print_the_scheme_writes_a_pdf_in_the_background(view, prompts, tmp_path,
                                                         inline_tasks, monkeypatch):
    monkeypatch.setattr("cmrc_desktop.ui.secretary.batch._documents", lambda: str(tmp_path))
    target = tmp_path / "printed" / "方案"             # the .pdf is added
    target.parent.mkdir()
    prompts.choices = [str(target)]
    assert view.action_print.isEnabled()
    view.action_print.trigger()
    kind, title, start = prompts.messages[-1]
    assert (kind, title) == ("choose_save_file", "Print the scheme")
    assert start == str(tmp_path / "sd-perf-5d-2026.1.pdf")
    pdf = target.with_suffix(".pdf")
    assert view.task is not None and not view.task.running
    assert view.printed == str(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert view.note_label.text() == f"The scheme was written to {pdf}."
    assert view.action_print.isEnabled()
    assert [m for m in prompts.messages if m[0] == "error"] == []


def test_a_pdf_that_cannot_be_written_is_reported(view, prompts, tmp_path, inline_tasks):
    target = tmp_path / "missing-folder" / "scheme.pdf"
    prompts.choices = [str(target)]
    view.print_scheme()
    kind, title, message = prompts.messages[-1]
    assert (kind, title) == ("error", "Print the scheme")
    assert message == f"{target}: cannot write the file: No such file or directory"
    assert not target.exists() and view.action_print.isEnabled()


def test_cancelling_the_file_chooser_prints_nothing(view, prompts):
    view.print_scheme()                                # the chooser answers nothing
    assert prompts.messages[-1][0] == "choose_save_file"
    assert view.task is None and view.printed == ""
