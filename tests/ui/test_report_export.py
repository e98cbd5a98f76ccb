"""Export and sign the consolidated report from the window: the files written and
listed (the PDF verifies against the batch certificate), "Open folder", a wrong or
missing password, a folder that is a file, and Cancel — each leaving nothing behind."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl

from cmrc_desktop.storage import audit
from cmrc_desktop.ui import tasks
from cmrc_desktop.ui.dialogs import report_export
from cmrc_desktop.ui.dialogs.report_export import ReportExportDialog, default_folder
from tests.ui.conftest import DEMO_PASSWORD


@pytest.fixture
def ws(secretary_ws):
    return secretary_ws


@pytest.fixture
def dialog(qtbot, ws, prompts) -> ReportExportDialog:
    dialog = ReportExportDialog(ws, prompts=prompts)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def report_rows(ws) -> list:
    return audit.entries(ws.db, action="report.write")


def test_the_report_is_written_signed_and_listed(qtbot, dialog, ws, tmp_path, monkeypatch):
    """With a real worker thread, as in the program."""
    from cmrc_desktop.exchange.report_pdf import verify_report_pdf
    from cmrc_desktop.services.keyring import batch_ca

    out = tmp_path / "report"
    dialog.load(out, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.written, timeout=60_000) as written:
        assert dialog.start() is True
        assert dialog.busy and not dialog.ok_button.isEnabled()
    paths = written.args[0]
    names = {p.name for p in paths}
    assert {"results.json", "scores.csv", "scheme.toml", "vetoes.csv",
            "sensitivity.json"} <= names
    assert {p.name for p in out.iterdir()} == names
    pdf = next(p for p in paths if p.suffix == ".pdf")
    verify_report_pdf(pdf, trust_root=batch_ca(ws))
    status = dialog.status_label.text()
    assert status.startswith(f"Done. {len(paths)} files were written to {out}:")
    assert all(p.name in status for p in paths)
    assert not dialog.busy and dialog.password_edit.text() == ""
    assert dialog.open_button.isVisible() and not dialog.ok_button.isVisible()
    assert dialog.close_button.text() == "Close"
    assert len(report_rows(ws)) == 1
    opened = []
    monkeypatch.setattr(report_export, "open_url", lambda url: opened.append(url) or True)
    dialog.open_button.click()
    assert opened == [QUrl.fromLocalFile(str(out))]


def test_a_wrong_password_writes_nothing(dialog, ws, tmp_path, inline_tasks):
    out = tmp_path / "report"
    dialog.load(out, "not-the-password")
    assert dialog.start() is True
    text = dialog.status_label.text()
    assert text.startswith("The password is wrong (the password does not open the batch "
                           "key): nothing was written.")
    assert not out.exists()
    assert report_rows(ws) == []
    assert dialog.password_edit.text() == "" and dialog.password_edit.isEnabled()
    assert dialog.ok_button.isVisible() and dialog.ok_button.isEnabled()
    assert not dialog.open_button.isVisible()


def test_a_missing_password_or_a_file_for_a_folder_is_refused_before_starting(
        dialog, tmp_path, inline_tasks):
    dialog.load(tmp_path / "report", "")
    assert dialog.start() is False
    assert dialog.status_label.text() == (
        "Batch password: needed, the batch key signs the report")
    assert dialog.task is None
    afile = tmp_path / "a-file.txt"
    afile.write_text("x", "utf-8")
    dialog.load(afile, DEMO_PASSWORD)
    assert dialog.start() is False
    assert dialog.status_label.text() == "Folder: this is a file, not a folder"
    dialog.load("  ", DEMO_PASSWORD)
    assert dialog.start() is False
    assert "choose the folder" in dialog.status_label.text()


def test_cancel_stops_before_the_next_step_and_writes_nothing(dialog, ws, tmp_path,
                                                             inline_tasks, monkeypatch):
    """The user presses Cancel while the workbook is being written."""
    original = tasks.TaskContext.progress_callback

    def pressing_cancel(ctx):
        report = original(ctx)

        def progress(done, total, text):
            if done >= 3:
                ctx.cancel()
            return report(done, total, text)
        return progress

    monkeypatch.setattr(tasks.TaskContext, "progress_callback", pressing_cancel)
    out = tmp_path / "report"
    dialog.load(out, DEMO_PASSWORD)
    assert dialog.start() is True
    assert dialog.status_label.text() == "Stopped at your request: nothing was written."
    assert not out.exists() and report_rows(ws) == []
    assert not dialog.busy and dialog.ok_button.isEnabled()


def test_closing_while_busy_asks_the_job_to_stop(dialog):
    cancelled = []

    class Handle:
        def cancel(self):
            cancelled.append(True)

    dialog._set_busy(True)
    dialog.task = Handle()
    dialog.reject()
    assert cancelled == [True] and dialog.isVisible()
    assert dialog.status_label.text() == "Stopping…"


def test_the_folder_is_chosen_through_the_prompts(dialog, ws, prompts, tmp_path):
    assert dialog.folder_edit.text() == str(default_folder(ws))
    assert default_folder(ws).parent == ws.folder.absolute().parent
    prompts.choices.append(str(tmp_path / "chosen"))
    dialog.folder_button.click()
    assert prompts.messages[-1][0] == "choose_folder"
    assert dialog.folder_edit.text() == str(tmp_path / "chosen")


def test_an_unexpected_failure_is_reported_in_words(dialog, tmp_path, inline_tasks,
                                                    monkeypatch):
    from cmrc_desktop.domain.errors import WorkspaceError
    from cmrc_desktop.services import report

    def fail(*_args, **_kwargs):
        raise WorkspaceError("this workspace holds no batch key (keys/batch-ca.p12)")

    monkeypatch.setattr(report, "write_report", fail)
    dialog.load(tmp_path / "report", DEMO_PASSWORD)
    dialog.start()
    assert dialog.status_label.text() == (
        "Nothing was written: this workspace holds no batch key (keys/batch-ca.p12)")
    assert not dialog.busy
