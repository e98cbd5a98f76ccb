"""The Returns view: the latest merge on show, merging a chosen folder or dropped files
in the background, the report filtered and exported, a cancelled merge, and a conflict
resolved in its dialog by an explicit choice and a reason (audited)."""

from __future__ import annotations

import csv
import dataclasses
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from python_calamine import CalamineWorkbook

from cmrc_desktop.services import merge, returns
from cmrc_desktop.services import status as st
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.storage import audit, merge_repo
from cmrc_desktop.ui.models.merge_report import COL_FILE, COL_OUTCOME, OUTCOME_ROLE
from cmrc_desktop.ui.prompts import RecordingPrompts
from cmrc_desktop.ui.secretary.returns import ReturnsView, merge_job
from tests.ui.conftest import DEMO_PASSWORD, copy_workspace


@pytest.fixture(scope="session")
def twin_sheet(demo_dir, tmp_path_factory) -> Path:
    """A second revision-1 sheet of the first demo sheet's expert and centre, with other
    scores, properly signed (a second laptop, a restored backup): a conflict."""
    from cmrc_desktop.exchange.sheet_xlsx import read_sheet_xlsx
    from cmrc_desktop.services import keyring
    from cmrc_desktop.signing.payload import SheetPayload
    from tests.hostile.forge import write_xlsx

    first = sorted((demo_dir / "scoresheets").glob("*.xlsx"))[0]
    _batch, _centre, expert, _rev = first.stem.split("_")
    original = SheetPayload.from_bytes(read_sheet_xlsx(first).payload_bytes)
    tmp = tmp_path_factory.mktemp("twin")
    folder = copy_workspace(demo_dir / "experts" / expert, tmp / expert)
    twin = dataclasses.replace(original, scores={**original.scores, "A1": Decimal("0.5"),
                                                 "B2": Decimal("1")})
    with open_workspace(folder) as ews:
        signer = keyring.open_own_key(ews, DEMO_PASSWORD)
        out = write_xlsx(tmp / "twin.xlsx", twin, ews.scheme, signer)
    return out


@pytest.fixture
def ws(secretary_ws):
    return secretary_ws


@pytest.fixture
def view(qtbot, ws, prompts):
    v = ReturnsView(ws)
    v.prompts = prompts
    qtbot.addWidget(v)
    v.resize(1100, 700)
    v.show()
    v.refresh()
    return v


@pytest.fixture
def junk(tmp_path) -> Path:
    path = tmp_path / "inbox" / "junk.xlsx"
    path.parent.mkdir()
    path.write_bytes(b"not a workbook")
    return path


def sheets(demo_dir) -> int:
    return len(list((demo_dir / "scoresheets").glob("*.xlsx")))


def shown(view) -> dict[str, str]:
    """file name → outcome code of every row the table shows."""
    model = view.table.model()
    while model.canFetchMore(view.table.rootIndex()):
        model.fetchMore(view.table.rootIndex())
    return {model.index(r, COL_FILE).data(): model.index(r, COL_OUTCOME).data(OUTCOME_ROLE)
            for r in range(model.rowCount())}


def test_the_latest_merge_is_shown_with_a_coloured_outcome(view, demo_dir):
    rows = shown(view)
    assert len(rows) == sheets(demo_dir) and set(rows.values()) == {merge.ACCEPTED}
    index = view.table.model().index(0, COL_OUTCOME)
    assert index.data() == "accepted"
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None       # the tone's dot
    assert "Merge 1:" in view.summary_label.text()
    assert f"accepted {sheets(demo_dir)}" in view.summary_label.text()
    assert not view.conflicts_table.isVisible() and not view.action_resolve.isEnabled()


def test_a_workspace_never_merged_says_how_to_start(qtbot, tmp_path, prompts):
    from tests.unit.services.conftest import build_workspace

    bare = build_workspace(tmp_path)
    try:
        v = ReturnsView(bare)
        qtbot.addWidget(v)
        v.refresh()
        assert v.model.rowCount() == 0 and "Nothing has been merged yet" in \
            v.summary_label.text()
        assert not v.action_export.isEnabled()
    finally:
        bare.close()


def test_import_merges_the_chosen_folder_in_the_background(view, prompts, demo_dir,
                                                           inline_tasks):
    prompts.choices = [str(demo_dir / "scoresheets")]
    view.action_import.trigger()
    assert prompts.messages[0][0] == "choose_folder"
    rows = shown(view)
    assert len(rows) == sheets(demo_dir) and set(rows.values()) == {merge.ALREADY}
    assert "Merge 2:" in view.summary_label.text()
    assert f"already merged {sheets(demo_dir)}" in view.summary_label.text()
    assert not view.note_label.isVisibleTo(view)


def test_dropped_files_and_folders_are_merged(view, demo_dir, junk, tmp_path,
                                              inline_tasks):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    ignored = _mime([text])
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, ignored,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    view.dragEnterEvent(enter)
    assert not enter.isAccepted()

    mime = _mime([junk, demo_dir / "scoresheets", text])
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    view.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    view.dropEvent(drop)
    rows = shown(view)
    assert rows["junk.xlsx"] == merge.REFUSED and "notes.txt" not in rows
    assert len(rows) == sheets(demo_dir) + 1
    assert "1 file was refused" in view.note_label.text()


def test_the_outcome_filter_and_the_export(view, prompts, demo_dir, junk, tmp_path,
                                           inline_tasks, qtmodeltester):
    view.merge_paths([str(junk), str(demo_dir / "scoresheets")])
    combo = view.outcome_combo
    combo.setCurrentIndex(combo.findData(merge.REFUSED))
    assert shown(view) == {"junk.xlsx": merge.REFUSED}
    qtmodeltester.check(view.proxy)

    target = tmp_path / "report.csv"
    prompts.choices = [str(target)]
    view.action_export.trigger()
    assert prompts.messages[-2][0] == "choose_save_file"
    assert prompts.messages[-1] == ("info", "Export the merge report",
                                    f"1 file listed in {target}")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["File", "Outcome", "Expert"]
    assert rows[1][:2] == ["junk.xlsx", "refused"] and "not a" in rows[1][5]

    combo.setCurrentIndex(0)
    assert len(shown(view)) == sheets(demo_dir) + 1
    view.export_report(str(tmp_path / "report"))        # no suffix: CSV
    assert (tmp_path / "report.csv").is_file()
    view.export_report(str(tmp_path / "report.xlsx"))
    book = CalamineWorkbook.from_path(str(tmp_path / "report.xlsx"))
    assert len(book.get_sheet_by_index(0).to_python()) == sheets(demo_dir) + 2


def test_a_folder_that_is_gone_is_reported(view, prompts, tmp_path, inline_tasks):
    view.merge_paths([str(tmp_path / "gone")])
    kind, title, message = prompts.messages[-1]
    assert kind == "error" and title == "Import returned scoresheets"
    assert "gone" in message and "no such file or folder" in message
    assert "Merge 1:" in view.summary_label.text()       # the last report still shown


def test_a_cancelled_merge_keeps_the_files_merged_so_far(view, ws, junk, demo_dir):
    class Cancelled:
        """A task context whose user pressed Cancel after the first file."""

        def progress_callback(self):
            return lambda done, total, text: done < 1

    run = merge_job(ws.folder, ws.actor, [str(junk), str(demo_dir / "scoresheets")],
                    Cancelled())
    assert run.cancelled and [f.path.name for f in run.files] == ["junk.xlsx"]
    view._on_merge_done(run)
    assert "cancelled" in view.note_label.text()
    assert shown(view) == {"junk.xlsx": merge.REFUSED}


def test_a_conflict_is_resolved_by_a_choice_and_a_reason(view, ws, twin_sheet,
                                                         inline_tasks, qtmodeltester):
    view.merge_paths([str(twin_sheet)])
    assert shown(view) == {"twin.xlsx": merge.CONFLICT}
    assert "1 pair in conflict waits for your choice" in view.summary_label.text()
    assert view.conflicts_table.isVisible() and view.action_resolve.isEnabled()
    qtmodeltester.check(view.conflicts_model)
    pair = view.pairs[0]
    assert len(pair.sheets) == 2
    twin = next(s for s in pair.sheets if s.files == ("twin.xlsx",))
    original = next(s for s in pair.sheets if s is not twin)
    assert set(twin.differs) == {"A1", "B2"} and not twin.opinion_differs
    assert twin.points != original.points and twin.scored == original.scored

    view.action_resolve.trigger()
    dialog = _dialog(view)
    qtmodeltester.check(dialog.model)
    ok = dialog.button_box.button(QDialogButtonBox.StandardButton.Ok)
    assert "A1, B2" in dialog.differences_label.text()
    assert not ok.isEnabled()                     # no choice, no reason
    dialog.choose(original.digest[:12])
    assert not ok.isEnabled()                     # a choice, no reason yet
    assert original.fingerprint in dialog.chosen_label.text()
    dialog.reason_edit.setText("   ")
    assert not ok.isEnabled()
    dialog.reason_edit.setText("专家电话确认以原件为准")
    assert ok.isEnabled()
    ok.click()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert view.pairs == [] and not view.conflicts_table.isVisibleTo(view)
    assert "is now used" in view.note_label.text()

    rows = merge_repo.received_for(ws.db, pair.expert_id, pair.centre_id)
    assert {r.digest: r.status for r in rows} == {original.digest: "current",
                                                  twin.digest: "superseded"}
    resolved = audit.entries(ws.db, action="merge.resolve")
    assert resolved[-1].reason == "专家电话确认以原件为准" and resolved[-1].new == original.digest
    states = {s.expert_id: s.state for s in st.completeness(ws)[pair.centre_id]}
    assert states[pair.expert_id] == st.RECEIVED


def test_the_dialog_stays_open_with_the_reason_it_cannot_resolve(view, ws, twin_sheet,
                                                                 inline_tasks):
    view.merge_paths([str(twin_sheet)])
    pair = view.pairs[0]
    dialog = view.open_resolve_dialog()
    dialog.choose(pair.sheets[1].digest)
    dialog.reason_edit.setText("second laptop")
    # meanwhile the conflict was resolved elsewhere (the command line)
    returns.resolve(ws, pair, pair.sheets[0], "resolved with cmrc resolve")
    dialog.button_box.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and dialog.error_label.isVisibleTo(dialog)
    assert "have no conflict" in dialog.error_label.text()
    dialog.reject()


def test_the_dialog_is_opened_by_double_clicking_a_pair(view, twin_sheet, inline_tasks):
    view.merge_paths([str(twin_sheet)])
    view.conflicts_table.activated.emit(view.conflicts_model.index(0, 0))
    dialog = _dialog(view)
    assert dialog.pair.key == view.pairs[0].key and dialog.isVisible()
    assert dialog.table.model().rowCount() == 2
    dialog.reject()


def test_the_report_model_with_a_filter_passes_the_model_tester(view, qtmodeltester):
    qtmodeltester.check(view.model)
    view.model.set_filter(merge.REFUSED)
    assert view.model.rowCount() == 0 and view.model.listed() == []
    qtmodeltester.check(view.model)
    view.model.set_filter(None)
    view.model.sort(COL_FILE, Qt.SortOrder.DescendingOrder)
    names = [f.path.name for f in view.model.listed()]
    assert names == sorted(names, reverse=True)
    qtmodeltester.check(view.model)


def _dialog(view):
    from cmrc_desktop.ui.dialogs.resolve_conflict import ResolveConflictDialog

    found = [d for d in view.findChildren(ResolveConflictDialog) if d.isVisible()]
    assert len(found) == 1
    return found[0]


def _mime(paths: list[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def test_merge_jobs_never_share_the_windows_connection(ws, demo_dir, tmp_path):
    """The job opens the folder itself (its thread, its connection)."""
    folder = tmp_path / "copy"
    shutil.copytree(ws.folder, folder)

    class Ctx:
        def progress_callback(self):
            return lambda *_args: True

    run = merge_job(folder, "someone", [str(demo_dir / "scoresheets")], Ctx())
    assert run.run_id == 2 and not run.cancelled and run.at
    with open_workspace(folder) as again:
        assert merge_repo.run_files(again.db)[0].run_id == 2


def test_in_the_window_drops_reach_the_view_and_packages_the_window(qtbot, data_dir, ws,
                                                                     tmp_path, junk, demo_dir,
                                                                     inline_tasks):
    """Dropped on the report table, sheets are merged by the Returns view (with the
    window's prompts); a panel package dropped there still goes to the window."""
    from cmrc_desktop.ui.main_window import MainWindow
    from cmrc_desktop.ui.settings import Settings

    folder = ws.folder
    ws.close()
    prompts = RecordingPrompts()
    window = MainWindow(Settings(tmp_path / "settings.ini"), prompts)
    qtbot.addWidget(window)
    window.show()
    window.load_workspace(folder)
    view = window.show_view("returns")
    target = view.table.viewport()

    def drag(paths: list[Path]) -> tuple[QDragEnterEvent, QMimeData]:
        mime = _mime(paths)
        enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(target, enter)
        return enter, mime

    enter, mime = drag([junk])
    assert enter.isAccepted()
    QApplication.sendEvent(target, QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                                              Qt.MouseButton.LeftButton,
                                              Qt.KeyboardModifier.NoModifier))
    assert shown(view) == {"junk.xlsx": merge.REFUSED}
    package = sorted((demo_dir / "packages").glob("*.cmrcpkg"))[0]
    enter, _mime_data = drag([package])
    assert enter.isAccepted()                   # by the window: it imports packages
    view.merge_paths([str(tmp_path / "gone")])
    assert prompts.messages[-1][0] == "error"   # the window's prompts
    window.close()
