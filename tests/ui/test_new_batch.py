"""The new-batch dialog (File > New workspace): the kind decides which schemes are listed,
an imported scheme file sets the kind, every problem of a refused file is listed inside the
dialog and OK is refused meanwhile, and the batch is created under the imported scheme."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.workspace import BatchKind, Role, Stage, label
from cmrc_desktop.paths import schemes_dir
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.ui.dialogs.new_workspace import NewWorkspaceDialog
from tests.ui.conftest import DEMO_PASSWORD


@pytest.fixture
def dialog(qtbot, prompts, tmp_path) -> NewWorkspaceDialog:
    dlg = NewWorkspaceDialog(prompts=prompts, start_folder=str(tmp_path))
    qtbot.addWidget(dlg)
    return dlg


@pytest.fixture
def app_scheme(tmp_path) -> Path:
    """A valid application scheme of our own, from the built-in one."""
    text = (schemes_dir() / "application-review.toml").read_text("utf-8")
    text = text.replace('id = "application-review"', 'id = "my-app-review"', 1)
    path = tmp_path / "我的申报方案.toml"
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def bad_scheme(tmp_path) -> Path:
    """The default scheme with three mistakes: a step that does not divide a maximum, an
    unknown dimension, and a total that is not the sum of the maxima."""
    text = (schemes_dir() / "sd-perf-5d.toml").read_text("utf-8")
    text = text.replace("total = 100", "total = 99", 1)
    text = text.replace("max = 6\n", "max = 6.3\n", 1)
    text = text.replace('dimension = "B"', 'dimension = "Z"', 1)
    path = tmp_path / "bad.toml"
    path.write_text(text, "utf-8")
    return path


def listed(dialog) -> list[str]:
    combo = dialog.ui.scheme_combo
    return [combo.itemData(i) for i in range(combo.count())]


def ok_button(dialog):
    return dialog.ui.button_box.button(QDialogButtonBox.StandardButton.Ok)


def fill(dialog, folder: Path, name: str = "2026 application review") -> None:
    dialog.ui.folder_edit.setText(str(folder))
    dialog.ui.name_edit.setText(name)
    dialog.ui.password_edit.setText(DEMO_PASSWORD)
    dialog.ui.confirm_edit.setText(DEMO_PASSWORD)


def test_the_kind_filters_the_schemes(dialog):
    assert dialog.ui.kind_combo.currentText() == label(BatchKind.PERFORMANCE)
    assert [dialog.ui.kind_combo.itemText(i) for i in range(2)] == [
        "Performance evaluation", "Application review"]
    assert listed(dialog) == ["nat-perf-2017", "sd-perf-5d"]
    assert dialog.ui.scheme_combo.currentData() == "sd-perf-5d"
    assert dialog.ui.scheme_info_label.text() == (
        "sd-perf-5d, version 2026.1: 20 indicators in 5 dimensions, total 100 points")
    dialog.ui.kind_combo.setCurrentIndex(1)
    assert listed(dialog) == ["application-review"]
    assert dialog.scheme().kind == "application"
    assert "7 indicators in 3 dimensions" in dialog.ui.scheme_info_label.text()
    assert ok_button(dialog).isEnabled()


def test_a_valid_scheme_file_is_imported_chosen_and_sets_the_kind(dialog, prompts, app_scheme,
                                                                tmp_path):
    prompts.choices = [str(app_scheme)]
    dialog.ui.scheme_import_button.click()
    assert prompts.messages[-1] == ("choose_file", "Import a scheme file", str(tmp_path))
    assert dialog.kind() == BatchKind.APPLICATION
    assert listed(dialog) == ["application-review", f"file:{app_scheme}"]
    assert dialog.ui.scheme_combo.currentText() == (
        "Clinical research centre application review (my-app-review) — from 我的申报方案.toml")
    assert f"Imported from {app_scheme}" in dialog.ui.scheme_info_label.text()
    assert not dialog.ui.problems_box.isVisibleTo(dialog)
    fill(dialog, tmp_path / "ws")
    request = dialog.save()
    assert request.kind == BatchKind.APPLICATION
    assert request.scheme.id == request.scheme_id == "my-app-review"
    assert request.scheme_file == str(app_scheme)
    assert DEMO_PASSWORD not in repr(request) and "my-app-review" in repr(request)
    # back to performance: the imported application scheme is not offered there
    dialog.ui.kind_combo.setCurrentIndex(0)
    assert f"file:{app_scheme}" not in listed(dialog)


def test_every_problem_of_a_refused_file_is_listed_and_ok_is_refused(dialog, prompts,
                                                                    bad_scheme, tmp_path):
    prompts.choices = [str(bad_scheme)]
    dialog.ui.scheme_import_button.click()
    assert dialog.ui.problems_box.isVisibleTo(dialog)
    assert dialog.ui.problems_label.text().startswith("bad.toml cannot be used: 3 problems.")
    assert dialog.ui.problems_edit.toPlainText().splitlines() == [
        "• indicators[1] (A1).step: step 0.5 does not divide max 6.3",
        "• indicators[5] (B1).dimension: unknown dimension 'Z'",
        "• scheme.total: total is 99 but the indicator maxima sum to 100.3",
    ]
    assert not ok_button(dialog).isEnabled()
    fill(dialog, tmp_path / "ws")
    with pytest.raises(InputError, match="the scheme file cannot be used"):
        dialog.save()
    # choosing a scheme from the list puts the refused file aside
    dialog.ui.scheme_combo.setCurrentIndex(0)
    dialog.ui.scheme_combo.activated.emit(0)      # as when the user picks it
    assert not dialog.ui.problems_box.isVisibleTo(dialog)
    assert ok_button(dialog).isEnabled()
    assert dialog.save().scheme_id == "nat-perf-2017"


def test_a_corrected_file_replaces_the_refused_one(dialog, bad_scheme):
    dialog.import_scheme_file(bad_scheme)
    assert not ok_button(dialog).isEnabled()
    fixed = (schemes_dir() / "sd-perf-5d.toml").read_text("utf-8").replace(
        'id = "sd-perf-5d"', 'id = "sd-perf-fixed"', 1)
    bad_scheme.write_text(fixed, "utf-8")
    assert dialog.import_scheme_file(bad_scheme).id == "sd-perf-fixed"
    assert not dialog.ui.problems_box.isVisibleTo(dialog)
    assert ok_button(dialog).isEnabled()
    assert dialog.scheme().id == "sd-perf-fixed"


@pytest.mark.parametrize(("content", "problem"), [
    (b"[scheme\nid = 1", "not valid TOML"),
    (b"\xff\xfe\x00not utf-8", "the file is not UTF-8 text"),
    (b'title = "a list of things"\n', "this is not a scheme file"),
])
def test_unreadable_files_are_explained_in_the_list(dialog, tmp_path, content, problem):
    path = tmp_path / "other.toml"
    path.write_bytes(content)
    assert dialog.import_scheme_file(path) is None
    assert dialog.ui.problems_label.text().startswith("other.toml cannot be used: 1 problem.")
    assert problem in dialog.ui.problems_edit.toPlainText()
    assert not ok_button(dialog).isEnabled()


def test_a_missing_file_is_named(dialog, tmp_path):
    dialog.import_scheme_file(tmp_path / "gone.toml")
    assert "the file does not exist" in dialog.ui.problems_edit.toPlainText()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_chosen_as_scheme_is_refused_without_freezing_the_window(dialog, tmp_path):
    pipe = tmp_path / "scheme.toml"
    os.mkfifo(pipe)                       # opening it for reading would wait for a writer
    assert dialog.import_scheme_file(pipe) is None
    assert dialog.ui.problems_edit.toPlainText() == (
        "• this is a named pipe (FIFO), not an ordinary file")
    assert not ok_button(dialog).isEnabled()


def test_cancelling_the_file_chooser_changes_nothing(dialog, prompts):
    dialog.ui.scheme_import_button.click()          # no choice: the chooser was cancelled
    assert listed(dialog) == ["nat-perf-2017", "sd-perf-5d"]
    assert not dialog.ui.problems_box.isVisibleTo(dialog)


def test_the_batch_is_created_under_the_imported_scheme(dialog, app_scheme, tmp_path,
                                                        inline_tasks, qtbot):
    dialog.import_scheme_file(app_scheme)
    dialog.ui.stage_combo.setCurrentIndex(dialog.ui.stage_combo.findData(str(Stage.ON_SITE)))
    fill(dialog, tmp_path / "ws")
    with qtbot.waitSignal(dialog.created) as created:
        ok_button(dialog).click()
    assert created.args == [str(tmp_path / "ws")], dialog.ui.error_label.text()
    with open_workspace(tmp_path / "ws") as ws:
        batch = ws.batch
        assert (batch.kind, batch.stage, batch.role) == (BatchKind.APPLICATION, Stage.ON_SITE,
                                                         Role.SECRETARY)
        assert batch.scheme_id == "my-app-review"
        text = app_scheme.read_text("utf-8")
        assert batch.scheme_text == text
        assert batch.scheme_sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
        assert batch.ca_cert_pem                              # the batch key exists
        row = next(ws.db.query("SELECT * FROM audit WHERE action = 'batch.create'"))
        assert json.loads(row["extra"])["scheme_id"] == "my-app-review"
        assert json.loads(row["extra"])["kind"] == "application"


def test_a_refused_creation_keeps_the_dialog_open_with_the_reason(dialog, tmp_path,
                                                                  inline_tasks):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    fill(dialog, blocker / "ws")                  # a folder inside a file cannot be made
    ok_button(dialog).click()
    assert dialog.ui.error_label.isVisibleTo(dialog)
    assert "cannot create the folder" in dialog.ui.error_label.text()
    assert ok_button(dialog).isEnabled()          # nothing typed is lost; try again
    assert dialog.ui.name_edit.text() == "2026 application review"


def test_a_scheme_of_the_other_kind_is_refused_when_loaded(dialog, app_scheme, tmp_path):
    from cmrc_desktop.scoring.scheme_loader import load_scheme_file
    from cmrc_desktop.ui.dialogs.new_workspace import NewBatchRequest

    scheme = load_scheme_file(app_scheme)
    dialog.load(NewBatchRequest(folder=tmp_path / "ws", name="x", year=2026,
                                scheme_id=scheme.id, stage=Stage.OVERALL,
                                password=DEMO_PASSWORD, kind=BatchKind.APPLICATION,
                                scheme=scheme, scheme_file=str(app_scheme)))
    assert dialog.scheme().id == "my-app-review"
    assert dialog.save().stage == Stage.OVERALL
    # a stale list (the kind changed behind the list's back) is caught by save()
    dialog.ui.kind_combo.blockSignals(True)
    dialog.ui.kind_combo.setCurrentIndex(0)
    dialog.ui.kind_combo.blockSignals(False)
    with pytest.raises(InputError, match="is for Application review, not for Performance"):
        dialog.save()
