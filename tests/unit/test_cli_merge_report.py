"""``cmrc merge``, ``cmrc status``, ``cmrc veto`` and ``cmrc report`` as the secretary
runs them, and the promise that ``cmrc grade`` reproduces the report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cmrc_desktop.cli import main
from cmrc_desktop.services.demo import build_demo
from tests.conftest import run_cmrc

PASSWORD = "test-password-1"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    build_demo(out, centres=4, experts=5, seed=8, password=PASSWORD, merge=False,
               formats=("xlsx",))
    return out


@pytest.fixture
def demo(pristine, tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CMRC_PASSWORD", PASSWORD)
    shutil.copytree(pristine, tmp_path / "demo")
    return tmp_path / "demo"


def cmrc(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_merge_exit_codes_and_report(demo, capsys, tmp_path):
    ws = str(demo / "secretary")
    code, out, err = cmrc(capsys, "status", "--workspace", ws)
    assert code == 0 and "missing" in out, err
    code, out, err = cmrc(capsys, "merge", "--workspace", ws, str(demo / "scoresheets"))
    assert code == 0, err
    assert " 0 refused" in out.splitlines()[-1]
    (tmp_path / "junk.xlsx").write_bytes(b"not a workbook")
    code, out, _err = cmrc(capsys, "merge", "--workspace", ws, str(demo / "scoresheets"),
                           str(tmp_path / "junk.xlsx"))
    assert code == 1
    assert "junk.xlsx" in out and "refused" in out and "0 accepted" in out
    code, out, _err = cmrc(capsys, "status", "--workspace", ws)
    assert "missing" not in out and "received" in out


def test_report_is_reproduced_by_cmrc_grade(demo, capsys, tmp_path):
    ws = str(demo / "secretary")
    cmrc(capsys, "merge", "--workspace", ws, str(demo / "scoresheets"))
    code, _out, err = cmrc(capsys, "veto", "--workspace", ws, "--centre", "C002", "--veto",
                           "V4", "--reason", "年度报告逾期未交")
    assert code == 0, err
    out_dir = tmp_path / "report"
    code, out, err = cmrc(capsys, "report", "--workspace", ws, "--out", str(out_dir))
    assert code == 0, err
    names = {p.name for p in out_dir.iterdir()}
    assert {"results.json", "scores.csv", "scheme.toml", "vetoes.csv",
            "sensitivity.json"} <= names
    assert any(n.endswith(".xlsx") for n in names) and any(n.endswith(".pdf") for n in names)
    from cmrc_desktop.services.workspace import open_workspace

    with open_workspace(ws) as opened:
        assert (out_dir / "scheme.toml").read_bytes() == opened.batch.scheme_text.encode()
    proc = run_cmrc("grade", "--scheme", str(out_dir / "scheme.toml"), "--scores",
                    str(out_dir / "scores.csv"), "--vetoes", str(out_dir / "vetoes.csv"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (out_dir / "results.json").read_text("utf-8")
    results = json.loads(proc.stdout)
    assert {c["centre"]: c["flags"] for c in results["centres"]}["C002"] == ["veto:V4"]
    sensitivity = json.loads((out_dir / "sensitivity.json").read_text("utf-8"))
    assert {"mean", "median", "trimmed_mean", "method_sensitive"} <= set(
        sensitivity["centres"][0])
    pdf = next(p for p in out_dir.iterdir() if p.suffix == ".pdf")
    from cmrc_desktop.exchange.report_pdf import verify_report_pdf
    from cmrc_desktop.services.keyring import batch_ca

    with open_workspace(ws) as opened:
        verify_report_pdf(pdf, trust_root=batch_ca(opened))


def test_report_with_a_wrong_password_writes_nothing(demo, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CMRC_PASSWORD", "not-the-password")
    code, _out, err = cmrc(capsys, "report", "--workspace", str(demo / "secretary"), "--out",
                           str(tmp_path / "r"))
    assert code == 2 and "password does not open" in err
    assert not (tmp_path / "r").exists()
