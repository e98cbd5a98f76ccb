"""Exporting panel packages from the window: one expert or all, in the background with
progress and Cancel, a wrong batch password refused with the dialog kept, the one-time
passwords printed on a sheet kept apart from the packages — and shown once if even the
sheet cannot be written."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cmrc_desktop.services import packages
from cmrc_desktop.storage import audit
from cmrc_desktop.ui.dialogs.package_export import (
    PACKAGE_FOLDER,
    PackageExportDialog,
    PackageExportRequest,
    default_sheet_path,
    export_packages_job,
)
from cmrc_desktop.ui.prompts import RecordingPrompts
from cmrc_desktop.ui.settings import Settings
from tests.ui.conftest import DEMO_PASSWORD


@pytest.fixture
def ws(secretary_ws):
    return secretary_ws


@pytest.fixture
def prompts() -> RecordingPrompts:
    return RecordingPrompts(answer=True)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(tmp_path / "settings.ini")


@pytest.fixture
def opened() -> list[str]:
    return []


@pytest.fixture
def dialog(qtbot, ws, prompts, settings, opened, tmp_path):
    def make(expert_id: str | None = None) -> PackageExportDialog:
        d = PackageExportDialog(ws, expert_id=expert_id, prompts=prompts, settings=settings)
        qtbot.addWidget(d)
        d.open_file = lambda url: opened.append(url.toLocalFile())
        d.folder_edit.setText(str(tmp_path / "usb" / "packages"))
        d.sheet_edit.setText(str(tmp_path / "print" / "otp.pdf"))
        d.open()
        return d
    return make


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        return ""
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_one_expert_gets_a_package_and_a_slip(dialog, ws, prompts, opened, settings,
                                              tmp_path, inline_tasks):
    before = len(audit.entries(ws.db, action="package.export"))
    d = dialog("E02")
    assert d.one_radio.isChecked() and "E02  周敏" in d.one_radio.text()
    d.password_edit.setText(DEMO_PASSWORD)
    with_signal = []
    d.exported.connect(with_signal.append)
    d.ui.button_box.accepted.emit()
    assert not d.isVisible()
    outcome = with_signal[0]
    package = tmp_path / "usb" / "packages" / f"{ws.batch.id}_E02.cmrcpkg"
    assert outcome.files == [package] and package.is_file()
    assert outcome.sheet == tmp_path / "print" / "otp.pdf" and outcome.sheet.is_file()
    assert [e.expert_id for e in audit.entries(ws.db, action="package.export")[before:]] == [
        "E02"]
    assert audit.entries(ws.db, action="package.password_sheet")[-1].actor == "secretary-test"
    kind, _title, text = prompts.messages[-1]
    assert kind == "confirm" and "1 package written" in text and "in person" in text
    assert opened == [str(outcome.sheet)]
    assert settings.get(PACKAGE_FOLDER) == str(package.parent)
    if shutil.which("pdftotext"):
        assert "周敏" in pdf_text(outcome.sheet) and package.name in pdf_text(outcome.sheet)


def test_every_assigned_expert(dialog, ws, prompts, tmp_path, inline_tasks):
    d = dialog("E02")
    d.all_radio.setChecked(True)
    assert d.selected_experts() is None and "(4)" in d.all_radio.text()
    d.password_edit.setText(DEMO_PASSWORD)
    d.ui.button_box.accepted.emit()
    files = sorted(p.name for p in (tmp_path / "usb" / "packages").iterdir())
    assert files == [f"{ws.batch.id}_E0{n}.cmrcpkg" for n in range(1, 5)]
    assert "4 packages written" in prompts.messages[-1][2]


def test_the_printed_password_opens_the_exported_package(dialog, tmp_path, inline_tasks):
    d = dialog("E01")
    d.password_edit.setText(DEMO_PASSWORD)
    d.ui.button_box.accepted.emit()
    text = pdf_text(d.outcome.sheet)
    if not text:
        pytest.skip("poppler-utils not installed")
    password = next(w for w in text.split() if w.count("-") == 2 and len(w) == 14)
    expert = packages.import_package(tmp_path / "expert", d.outcome.files[0], password,
                                     "expert-pass-1")
    with expert:
        assert expert.batch.owner_expert_id == "E01"


def test_a_wrong_batch_password_keeps_the_dialog_and_writes_nothing(dialog, ws, tmp_path,
                                                                    inline_tasks):
    d = dialog("E01")
    d.password_edit.setText("not-the-password")
    d.ui.button_box.accepted.emit()
    assert d.isVisible() and d.outcome is None
    assert "No package was exported" in d.ui.error_label.text()
    assert "does not open the batch key" in d.ui.error_label.text()
    assert not (tmp_path / "usb" / "packages").exists()
    assert not (tmp_path / "print").exists()
    assert d.ui.button_box.button(d.ui.button_box.StandardButton.Ok).isEnabled()


@pytest.mark.parametrize(("change", "field"), [
    (lambda d, tmp: d.password_edit.clear(), "Batch password"),
    (lambda d, tmp: d.folder_edit.clear(), "Folder for the packages"),
    (lambda d, tmp: d.sheet_edit.setText(str(tmp / "usb" / "packages" / "otp.pdf")),
     "Password sheet (PDF)"),
    (lambda d, tmp: d.sheet_edit.clear(), "Password sheet (PDF)"),
])
def test_the_form_names_what_is_wrong(dialog, tmp_path, change, field, inline_tasks):
    d = dialog("E01")
    d.password_edit.setText(DEMO_PASSWORD)
    change(d, tmp_path)
    d.ui.button_box.accepted.emit()
    assert d.isVisible() and d.ui.error_label.text().startswith(field + ": ")
    assert not (tmp_path / "usb").exists()


def test_the_sheet_defaults_beside_the_workspace(ws, qtbot, prompts):
    d = PackageExportDialog(ws, prompts=prompts)
    qtbot.addWidget(d)
    sheet = Path(d.sheet_edit.text())
    assert sheet.parent == ws.folder / "password-sheets" and sheet.suffix == ".pdf"
    assert ws.batch.id in sheet.name
    assert not d.one_radio.isVisible() and d.all_radio.isChecked()
    assert default_sheet_path(ws) != Path(d.folder_edit.text())


def test_browse_buttons_go_through_the_prompts(dialog, prompts, tmp_path):
    d = dialog("E01")
    prompts.choices = [str(tmp_path / "elsewhere"), str(tmp_path / "safe" / "otp.pdf")]
    d._on_folder_button_clicked()
    d._on_sheet_button_clicked()
    assert d.folder_edit.text() == str(tmp_path / "elsewhere")
    assert d.sheet_edit.text() == str(tmp_path / "safe" / "otp.pdf")
    assert [m[0] for m in prompts.messages] == ["choose_folder", "choose_save_file"]


class _CancelAfterFirst:
    """A task context whose user presses Cancel once the first package is under way."""

    def __init__(self) -> None:
        self.reports: list[tuple[int, int, str]] = []

    def progress_callback(self):
        def progress(done: int, total: int, text: str) -> bool:
            self.reports.append((done, total, text))
            return done < 1
        return progress


def test_cancel_stops_between_experts_and_still_prints_the_slips(ws, tmp_path):
    request = PackageExportRequest(ws.folder, "secretary-test", None, tmp_path / "p",
                                   tmp_path / "otp.pdf", DEMO_PASSWORD)
    ctx = _CancelAfterFirst()
    outcome = export_packages_job(request, ctx)
    assert outcome.cancelled and outcome.experts == ["E01"]
    assert outcome.sheet == tmp_path / "otp.pdf" and outcome.sheet.is_file()
    assert ctx.reports[0][:2] == (0, 4)
    assert DEMO_PASSWORD not in repr(request)


def test_the_passwords_are_shown_once_when_the_sheet_cannot_be_written(
        dialog, prompts, monkeypatch, inline_tasks):
    def broken(*_args, **_kwargs):
        raise OSError(28, "No space left on device", "otp.pdf")

    monkeypatch.setattr(packages, "write_password_sheet", broken)
    d = dialog("E03")
    d.password_edit.setText(DEMO_PASSWORD)
    d.ui.button_box.accepted.emit()
    kind, _title, text = prompts.messages[-1]
    assert kind == "warning" and "No space left on device" in text
    assert "shown only once" in text
    assert d.outcome.unprinted and d.outcome.unprinted[0][1] in text


def test_cancel_while_running_stops_the_run_instead_of_closing(dialog):
    d = dialog("E01")

    class Running:
        running = True
        cancelled = False

        def cancel(self):
            self.cancelled = True

    d.task = Running()
    d.reject()
    assert d.isVisible() and d.task.cancelled
    d.task = None
    d.reject()
    assert not d.isVisible()

