"""Exporting the packages of several experts at once and printing their one-time
passwords: the batch password is checked before anything is written, a stop half-way
keeps what was written, and the sheet is audited without a password in it."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from cmrc_desktop.domain.errors import InputError, NotFoundError
from cmrc_desktop.domain.workspace import Expert
from cmrc_desktop.services.demo import build_demo
from cmrc_desktop.services.packages import (
    assigned_experts,
    export_packages,
    import_package,
    write_password_sheet,
)
from cmrc_desktop.services.panel import add_expert
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.signing.keys import WrongPassword
from cmrc_desktop.storage import audit

PASSWORD = "test-password-1"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo"), centres=3, experts=3, seed=5,
                      password=PASSWORD, with_experts=False).secretary


@pytest.fixture
def ws(demo, tmp_path):
    copy = shutil.copytree(demo, tmp_path / "secretary")
    with open_workspace(copy) as ws:
        yield ws


def test_every_assigned_expert_gets_a_package(ws, tmp_path):
    out = tmp_path / "packages"
    seen = []
    run = export_packages(ws, None, out, PASSWORD,
                          progress=lambda done, total, text: seen.append((done, total)) or True)
    assert [p.expert_id for p in run.exported] == assigned_experts(ws) == ["E01", "E02", "E03"]
    assert sorted(p.name for p in out.iterdir()) == [
        f"{ws.batch.id}_{e}.cmrcpkg" for e in ("E01", "E02", "E03")]
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    assert not run.cancelled and run.failed is None
    assert "one_time" not in repr(run) and run.exported[0].one_time_password not in repr(run)


def test_a_wrong_batch_password_writes_nothing(ws, tmp_path):
    with pytest.raises(WrongPassword):
        export_packages(ws, None, tmp_path / "packages", "not-the-password")
    assert not (tmp_path / "packages").exists()
    assert not [e for e in audit.entries(ws.db) if e.action == "package.export"]


def test_stopping_between_experts_keeps_what_was_written(ws, tmp_path):
    run = export_packages(ws, None, tmp_path / "p", PASSWORD,
                          progress=lambda done, total, text: done < 1)
    assert run.cancelled and [p.expert_id for p in run.exported] == ["E01"]


def test_an_expert_without_centres_stops_the_run_after_the_others(ws, tmp_path):
    add_expert(ws, Expert("E00", "新专家", "无关医院"), password=PASSWORD)
    run = export_packages(ws, ["E01", "E00", "E02"], tmp_path / "p", PASSWORD)
    assert [p.expert_id for p in run.exported] == ["E01"]
    assert run.failed is not None and run.failed[0] == "E00"
    assert "not assigned to any centre" in run.failed[1]


def test_unknown_experts_and_an_empty_panel_are_refused(ws, tmp_path):
    with pytest.raises(NotFoundError, match="E99"):
        export_packages(ws, ["E99"], tmp_path / "p", PASSWORD)
    with pytest.raises(InputError, match="no expert is assigned"):
        export_packages(ws, [], tmp_path / "p", PASSWORD)


def test_the_sheet_prints_every_password_and_is_audited_without_them(ws, tmp_path):
    run = export_packages(ws, None, tmp_path / "packages", PASSWORD)
    sheet = write_password_sheet(ws, run.exported, tmp_path / "otp.pdf")
    assert sheet.read_bytes().startswith(b"%PDF")
    assert sheet.stat().st_mode & 0o077 == 0          # the owner's only
    entry = next(e for e in audit.entries(ws.db) if e.action == "package.password_sheet")
    assert entry.extra["experts"] == ["E01", "E02", "E03"]
    assert entry.new == "otp.pdf"
    logged = json.dumps([dataclasses.asdict(e) for e in audit.entries(ws.db)], default=str)
    assert not any(p.one_time_password in logged for p in run.exported)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(sheet), "-"], check=True,
                              capture_output=True, text=True).stdout
        for package in run.exported:
            assert package.one_time_password in text
            assert package.path.name in text


def test_the_printed_password_opens_the_package(ws, tmp_path):
    run = export_packages(ws, ["E02"], tmp_path / "packages", PASSWORD)
    package = run.exported[0]
    expert = import_package(tmp_path / "expert", package.path, package.one_time_password,
                            "expert-pass-1")
    with expert:
        assert expert.batch.owner_expert_id == "E02"


def test_nothing_exported_means_no_sheet(ws, tmp_path):
    with pytest.raises(InputError, match="no package was exported"):
        write_password_sheet(ws, [], tmp_path / "otp.pdf")
    assert not (tmp_path / "otp.pdf").exists()
