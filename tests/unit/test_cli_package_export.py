"""``cmrc package export``: every assigned expert or one, and ``--password-sheet`` that
prints the one-time passwords on a PDF (the window's export does the same)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cmrc_desktop.cli import main
from cmrc_desktop.services.demo import build_demo
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.storage import audit

PASSWORD = "test-password-1"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo"), centres=3, experts=3, seed=5,
                      password=PASSWORD, with_experts=False).secretary


@pytest.fixture
def secretary(demo, tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CMRC_PASSWORD", PASSWORD)
    return Path(shutil.copytree(demo, tmp_path / "secretary"))


def test_all_packages_with_a_password_sheet(secretary, tmp_path, capsys):
    code = main(["package", "export", "--workspace", str(secretary), "--out",
                 str(tmp_path / "packages"), "--password-sheet", str(tmp_path / "otp.pdf")])
    out, err = capsys.readouterr()
    assert code == 0
    assert len(list((tmp_path / "packages").glob("*.cmrcpkg"))) == 3
    assert (tmp_path / "otp.pdf").read_bytes().startswith(b"%PDF")
    assert "one-time passwords printed on" in out and "in person" in err
    with open_workspace(secretary) as ws:
        assert audit.entries(ws.db, action="package.password_sheet")[-1].extra[
            "experts"] == ["E01", "E02", "E03"]


def test_one_expert_into_a_file_as_before(secretary, tmp_path, capsys):
    code = main(["package", "export", "--workspace", str(secretary), "--expert", "E02",
                 "--out", str(tmp_path / "e02.cmrcpkg")])
    assert code == 0 and (tmp_path / "e02.cmrcpkg").is_file()
    assert "package for expert E02" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.pdf"))


def test_a_wrong_password_writes_nothing(secretary, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CMRC_PASSWORD", "not-the-password")
    code = main(["package", "export", "--workspace", str(secretary), "--out",
                 str(tmp_path / "packages"), "--password-sheet", str(tmp_path / "otp.pdf")])
    assert code != 0
    assert "does not open the batch key" in capsys.readouterr().err
    assert not (tmp_path / "packages").exists() and not (tmp_path / "otp.pdf").exists()
