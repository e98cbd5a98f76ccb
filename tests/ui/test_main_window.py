"""The main window: opening workspaces of both roles, every main view, the recent list,
window state, the About box, drag and drop of a panel package, and the open, create and
import dialogs (through a recording prompts service, so nothing blocks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QDialogButtonBox, QPlainTextEdit

from cmrc_desktop.domain.workspace import Role, label
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.ui.main_window import MainWindow
from cmrc_desktop.ui.prompts import RecordingPrompts
from cmrc_desktop.ui.settings import LANGUAGE, MAX_RECENT, WINDOW_GEOMETRY, Settings
from tests.ui.conftest import DEMO_PASSWORD, copy_workspace

SECRETARY_VIEWS = ["batch", "centres", "experts", "assignments", "returns", "progress",
                   "results", "audit"]


@pytest.fixture
def settings(data_dir, tmp_path) -> Settings:
    return Settings(tmp_path / "settings.ini")


@pytest.fixture
def prompts() -> RecordingPrompts:
    return RecordingPrompts()


@pytest.fixture
def window(qtbot, settings, prompts):
    win = MainWindow(settings, prompts)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


@pytest.fixture
def secretary(demo_dir, tmp_path) -> Path:
    return copy_workspace(demo_dir / "secretary", tmp_path / "secretary")


@pytest.fixture
def expert(demo_dir, tmp_path) -> Path:
    first = sorted((demo_dir / "experts").iterdir())[0]
    return copy_workspace(first, tmp_path / "experts" / first.name)


def test_starts_on_the_welcome_page_without_a_workspace(window):
    assert window.workspace is None
    assert window.ui.view_stack.currentWidget() is window.ui.welcome_page
    assert not window.ui.view_list.isVisible()
    assert not window.ui.action_close_workspace.isEnabled()
    assert window.view_ids() == []


def test_opens_a_secretary_workspace(window, secretary):
    with _signal(window) as opened:
        window.load_workspace(secretary)
    assert opened == [str(secretary)]
    batch = window.workspace.batch
    assert batch.role == Role.SECRETARY
    assert window.view_ids() == SECRETARY_VIEWS
    assert window.current_view().view_id == "batch"
    assert window.ui.view_list.isVisible() and window.ui.view_list.count() == 8
    assert [v.view_id for v in window.views] == ["batch"]     # the others when first shown
    assert window.role_label.text() == label(Role.SECRETARY)
    assert batch.id in window.batch_label.text()
    assert batch.scheme_id in window.scheme_label.text()
    assert secretary.name in window.folder_label.text()
    assert batch.name in window.windowTitle()


def test_opens_an_expert_workspace_on_my_centres(window, expert):
    window.load_workspace(expert)
    batch = window.workspace.batch
    assert batch.role == Role.EXPERT and batch.owner_expert_id
    assert window.view_ids() == ["my_centres"]
    view = window.current_view()
    assert view.view_id == "my_centres"
    assert view.table.model().rowCount() > 0
    assert batch.owner_expert_id in window.role_label.text()


@pytest.mark.parametrize("which", ["secretary", "expert"])
def test_every_main_view_can_be_shown(qtbot, window, which, request):
    window.load_workspace(request.getfixturevalue(which))
    shown = window.show_every_view()
    assert shown == window.view_ids()
    for view_id in shown:
        view = window.show_view(view_id)
        assert window.current_view() is view and view.isVisible()
        qtbot.waitUntil(lambda v=view: not getattr(v, "loading", False))
        assert view.table.model().rowCount() > 0, view_id
        assert view.summary_label.text()
        checked = [a.data() for a in window._view_actions.actions() if a.isChecked()]
        assert checked == [view_id]


def test_view_menu_switches_views_with_shortcuts(window, secretary):
    window.load_workspace(secretary)
    actions = window._view_actions.actions()
    assert [a.shortcut().toString() for a in actions] == [f"Ctrl+{n}" for n in range(1, 9)]
    actions[6].trigger()
    assert window.current_view().view_id == "results"
    assert window.ui.view_list.currentRow() == 6
    window.ui.view_list.setCurrentRow(2)
    assert window.current_view().view_id == "experts"


def test_results_view_lists_graded_centres(qtbot, window, secretary):
    window.load_workspace(secretary)
    view = window.show_view("results")
    qtbot.waitUntil(lambda: not view.loading)       # graded in the background
    model = view.table.model()
    ranks = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert "1" in ranks


def test_returns_view_marks_each_sheet_with_a_status_dot(window, secretary):
    window.load_workspace(secretary)
    view = window.show_view("returns")
    model = view.table.model()
    assert model.rowCount() > 0
    assert model.rowCount() > 0
    assert model.index(0, 1).data(Qt.ItemDataRole.DecorationRole) is not None  # outcome


def test_recent_list_is_updated_after_opening(window, settings, secretary, expert):
    window.load_workspace(secretary)
    assert settings.recent_workspaces() == [str(secretary.absolute())]
    window.load_workspace(expert)
    assert settings.recent_workspaces() == [str(expert.absolute()), str(secretary.absolute())]
    window.load_workspace(secretary)
    recent = settings.recent_workspaces()
    assert recent == [str(secretary.absolute()), str(expert.absolute())]
    window._rebuild_recent()
    texts = [a.text() for a in window.ui.menu_recent.actions() if not a.isSeparator()]
    assert texts[0].startswith("&1 ") and texts[1].startswith("&2 ")
    assert window.ui.recent_list.count() == 2
    # a second window (the next start) sees the same list
    assert Settings(settings.qsettings.fileName()).recent_workspaces() == recent


def test_recent_list_keeps_at_most_eight(settings, tmp_path):
    for n in range(MAX_RECENT + 3):
        settings.add_recent_workspace(tmp_path / f"ws{n}")
    recent = settings.recent_workspaces()
    assert len(recent) == MAX_RECENT
    assert recent[0].endswith(f"ws{MAX_RECENT + 2}")


def test_recent_entry_opens_the_workspace(window, secretary, expert):
    window.load_workspace(secretary)
    window.load_workspace(expert)
    window.close_workspace()
    assert window.ui.recent_list.isVisibleTo(window)
    item = window.ui.recent_list.item(1)
    window.ui.recent_list.itemActivated.emit(item)
    assert window.workspace is not None and window.workspace.folder == secretary


def test_a_folder_that_is_not_a_workspace_is_reported(window, prompts, settings, tmp_path):
    settings.add_recent_workspace(tmp_path / "gone")
    assert not window.open_workspace_path(tmp_path / "gone")
    kind, _title, message = prompts.messages[-1]
    assert kind == "error" and "gone" in message
    assert window.workspace is None
    assert settings.recent_workspaces() == []     # a folder that no longer exists leaves


def test_open_workspace_asks_for_a_folder(window, prompts, secretary):
    prompts.choices = [str(secretary)]
    window.ui.action_open_workspace.trigger()
    assert prompts.messages[0][0] == "choose_folder"
    assert window.workspace is not None and window.workspace.folder == secretary


def test_close_workspace_returns_to_the_welcome_page(window, secretary):
    window.load_workspace(secretary)
    with _signal(window, "workspace_closed") as closed:
        window.ui.action_close_workspace.trigger()
    assert closed == [()]
    assert window.workspace is None and window.views == []
    assert window.ui.view_stack.currentWidget() is window.ui.welcome_page
    assert window._view_actions.actions() == []


def test_window_state_is_remembered(qtbot, settings, prompts):
    first = MainWindow(settings, prompts)
    qtbot.addWidget(first)
    first.resize(700, 500)   # inside the 800 × 600 offscreen screen
    first.show()
    first.ui.action_show_toolbar.setChecked(False)
    first.close()
    assert not settings.get(WINDOW_GEOMETRY).isEmpty()
    second = MainWindow(Settings(settings.qsettings.fileName()), prompts)
    qtbot.addWidget(second)
    second.show()
    assert (second.width(), second.height()) == (700, 500)
    assert not second.ui.main_toolbar.isVisible()
    assert not second.ui.action_show_toolbar.isChecked()
    second.close()


def test_about_dialog_opens_and_closes(qtbot, window):
    from cmrc_desktop import __version__
    from cmrc_desktop.ui.dialogs.about import AboutDialog

    window.ui.action_about.trigger()
    dialog = window.dialog
    assert isinstance(dialog, AboutDialog) and dialog.isVisible()
    assert __version__ in dialog.ui.version_label.text()
    tabs = dialog.ui.licence_tabs
    assert tabs.count() == 3
    texts = [tabs.widget(i).findChild(QPlainTextEdit).toPlainText()
             for i in range(tabs.count())]
    assert "WenQuanYi" in texts[0] and "Apache License" in texts[0]
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in texts[1]
    with qtbot.waitSignal(dialog.finished, timeout=2000):
        dialog.ui.button_box.button(QDialogButtonBox.StandardButton.Close).click()
    assert window.dialog is None


def test_dropping_a_panel_package_opens_the_import_dialog(window, demo_dir):
    from cmrc_desktop.ui.dialogs.package_import import PackageImportDialog

    package = sorted((demo_dir / "packages").glob("*.cmrcpkg"))[0]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(package))])
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    assert isinstance(window.dialog, PackageImportDialog)
    assert window.dialog.ui.package_edit.text() == str(package)
    assert window.dialog.ui.folder_edit.text().endswith(package.stem)
    window.dialog.reject()


def test_other_files_are_not_accepted_for_dropping(window, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("x")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(other))])
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    assert not enter.isAccepted()


def _one_time_password(demo_dir: Path, package: Path) -> str:
    for line in (demo_dir / "packages" / "one-time-passwords.txt").read_text().splitlines():
        name, _expert, password = line.split("\t")
        if name == package.name:
            return password
    raise AssertionError(package)


def test_package_import_creates_and_opens_the_expert_workspace(window, demo_dir, tmp_path,
                                                               inline_tasks):
    package = sorted((demo_dir / "packages").glob("*.cmrcpkg"))[1]
    window.show_package_import_dialog(package)
    dialog = window.dialog
    target = tmp_path / "imported"
    dialog.ui.folder_edit.setText(str(target))
    dialog.ui.one_time_edit.setText(_one_time_password(demo_dir, package))
    dialog.ui.password_edit.setText("my-own-password")
    dialog.ui.confirm_edit.setText("my-own-password")
    dialog.ui.button_box.button(QDialogButtonBox.StandardButton.Ok).click()
    assert window.workspace is not None, dialog.ui.error_label.text()
    assert window.workspace.folder == target
    assert window.workspace.batch.role == Role.EXPERT
    assert window.view_ids() == ["my_centres"]
    assert window.dialog is None


def test_a_refused_package_explains_why_and_keeps_the_dialog_open(window, demo_dir, tmp_path,
                                                                  inline_tasks):
    package = sorted((demo_dir / "packages").glob("*.cmrcpkg"))[1]
    window.show_package_import_dialog(package)
    dialog = window.dialog
    dialog.ui.folder_edit.setText(str(tmp_path / "imported"))
    dialog.ui.one_time_edit.setText("WRONG-WRONG-WRONG")
    dialog.ui.password_edit.setText("my-own-password")
    dialog.ui.confirm_edit.setText("my-own-password")
    dialog.ui.button_box.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and window.workspace is None
    assert dialog.ui.error_label.isVisibleTo(dialog)
    assert "not imported" in dialog.ui.error_label.text()
    assert not (tmp_path / "imported" / "cmrc.sqlite").exists()
    dialog.reject()


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("package_edit", "", "Panel package"),
    ("one_time_edit", "", "One-time password"),
    ("password_edit", "short", "New password"),
    ("confirm_edit", "different-password", "passwords differ"),
])
def test_package_import_dialog_checks_its_fields(qtbot, demo_dir, tmp_path, field, value,
                                                 expected):
    from cmrc_desktop.domain.errors import InputError
    from cmrc_desktop.ui.dialogs.package_import import PackageImportDialog

    package = sorted((demo_dir / "packages").glob("*.cmrcpkg"))[0]
    dialog = PackageImportDialog(package=package, prompts=RecordingPrompts())
    qtbot.addWidget(dialog)
    dialog.ui.folder_edit.setText(str(tmp_path / "ws"))
    dialog.ui.one_time_edit.setText("AAAA-BBBB-CCCC")
    dialog.ui.password_edit.setText("long-enough-1")
    dialog.ui.confirm_edit.setText("long-enough-1")
    getattr(dialog.ui, field).setText(value)
    with pytest.raises(InputError, match=expected):
        dialog.save()
    dialog.ui.button_box.button(QDialogButtonBox.StandardButton.Ok).click()
    assert expected in dialog.ui.error_label.text()


def test_new_secretary_workspace_is_created_and_opened(window, prompts, tmp_path,
                                                       inline_tasks):
    target = tmp_path / "new-batch"
    prompts.choices = [str(target)]
    window.ui.action_new_workspace.trigger()
    dialog = window.dialog
    dialog.ui.folder_button.click()            # the folder chooser answers `target`
    assert dialog.ui.folder_edit.text() == str(target)
    dialog.ui.name_edit.setText("2026 test batch")
    dialog.ui.password_edit.setText(DEMO_PASSWORD)
    dialog.ui.confirm_edit.setText(DEMO_PASSWORD)
    request = dialog.save()
    assert DEMO_PASSWORD not in repr(request)
    dialog.ui.button_box.button(QDialogButtonBox.StandardButton.Ok).click()
    assert window.workspace is not None, dialog.ui.error_label.text()
    assert window.workspace.batch.name == "2026 test batch"
    assert window.workspace.batch.ca_cert_pem       # the batch key exists
    assert window.view_ids() == SECRETARY_VIEWS
    window.show_every_view()


def test_new_workspace_dialog_refuses_an_existing_workspace(qtbot, secretary):
    from cmrc_desktop.domain.errors import InputError
    from cmrc_desktop.ui.dialogs.new_workspace import NewWorkspaceDialog

    dialog = NewWorkspaceDialog(prompts=RecordingPrompts())
    qtbot.addWidget(dialog)
    dialog.ui.folder_edit.setText(str(secretary))
    dialog.ui.name_edit.setText("x")
    dialog.ui.password_edit.setText(DEMO_PASSWORD)
    dialog.ui.confirm_edit.setText(DEMO_PASSWORD)
    with pytest.raises(InputError, match="already holds a workspace"):
        dialog.save()


def test_language_choice_is_saved_for_the_next_start(window, settings, prompts):
    assert window.ui.action_language_en.isChecked()      # tests run in English
    window.ui.action_language_zh.trigger()
    assert settings.get(LANGUAGE) == "zh_CN"
    assert prompts.messages[-1][0] == "info"


def test_models_of_the_views_pass_the_model_tester(qtbot, qtmodeltester, window, secretary, expert):
    window.load_workspace(secretary)
    for view_id in SECRETARY_VIEWS:
        view = window.show_view(view_id)
        qtbot.waitUntil(lambda v=view: not getattr(v, "loading", False))
        qtmodeltester.check(view.table.model())
        if view.table.model() is not getattr(view, "model", None) \
                and getattr(view, "model", None) is not None:
            qtmodeltester.check(view.model)
    window.load_workspace(expert)
    qtmodeltester.check(window.show_view("my_centres").proxy)


def test_workspace_is_closed_with_the_window(qtbot, settings, prompts, secretary):
    win = MainWindow(settings, prompts)
    qtbot.addWidget(win)
    batch_id = win.load_workspace(secretary).batch.id
    win.close()
    assert win.workspace is None
    with open_workspace(secretary) as again:        # nothing left locked or half-written
        assert again.batch.id == batch_id


class _signal:
    """Collect the emissions of a window signal inside a ``with`` block."""

    def __init__(self, window, name: str = "workspace_opened") -> None:
        self.signal = getattr(window, name)
        self.seen: list = []

    def _record(self, *args) -> None:
        self.seen.append(args[0] if len(args) == 1 else args)

    def __enter__(self) -> list:
        self.signal.connect(self._record)
        return self.seen

    def __exit__(self, *exc) -> None:
        self.signal.disconnect(self._record)


def test_double_clicking_a_centre_opens_its_scoring_form_and_closing_saves(window, expert,
                                                                           qtbot):
    window.load_workspace(expert)
    view = window.current_view()
    centre_id = window.workspace.db.execute(
        "SELECT centre_id FROM assignments ORDER BY centre_id").fetchone()[0]
    window.centre_activated.emit(centre_id)
    scoring = window.scoring_windows[centre_id]
    qtbot.waitExposed(scoring)
    assert centre_id in scoring.windowTitle()
    assert scoring.form.undo_action in scoring.menuBar().actions()[0].menu().actions()
    window.close_workspace()
    assert window.scoring_windows == {}
    assert view is not None


def test_a_second_window_on_the_same_workspace_is_refused(qtbot, window, settings, secretary):
    """Never two writers: the second window says who has the workspace, and can open it
    once the first has closed it."""
    window.load_workspace(secretary)
    window.load_workspace(secretary)                   # the same window again: fine
    other_prompts = RecordingPrompts()
    other = MainWindow(settings, other_prompts)
    qtbot.addWidget(other)
    assert not other.open_workspace_path(secretary)
    assert other.workspace is None
    kind, _title, message = other_prompts.messages[-1][:3]
    assert kind == "error" and "already open in another CMRC Desktop window" in message
    window.close_workspace()
    assert other.open_workspace_path(secretary)
    other.close_workspace()
    assert not (secretary / "cmrc.lock").exists()


def test_a_lock_left_by_a_crashed_program_is_taken_over(window, secretary):
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    import socket

    (secretary / "cmrc.lock").write_text(f"{dead}\ncmrc\n{socket.gethostname()}\n")
    window.load_workspace(secretary)
    assert window.workspace is not None


def test_a_copy_of_an_open_workspace_opens(window, secretary, tmp_path):
    """A folder copied while open carries the lock of this very process: the copy is a
    different workspace and opens."""
    import shutil

    window.load_workspace(secretary)
    copy = shutil.copytree(secretary, tmp_path / "copy")
    assert (copy / "cmrc.lock").exists()
    window.load_workspace(copy)
    assert window.workspace.folder == copy
