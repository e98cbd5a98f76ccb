"""A secretary's batch set-up from the command line, start to grade."""

from __future__ import annotations

import json

import pytest

from cmrc_desktop.cli import main
from tests.conftest import run_cmrc
from tests.unit.services.test_dossiers import CANCER, HEART, template


@pytest.fixture(autouse=True)
def _password(monkeypatch):
    monkeypatch.setenv("CMRC_PASSWORD", "secretary-password")


def cmrc(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_secretary_sets_up_a_batch_and_grades_it(tmp_path, capsys):
    ws = str(tmp_path / "batch")
    code, out, _err = cmrc(capsys, "batch", "create", "--workspace", ws, "--name",
                           "2026年度绩效评估", "--year", "2026", "--stage", "on_site")
    assert code == 0 and "sd-perf-5d" in out
    filled = template(tmp_path, [HEART, CANCER])
    code, out, err = cmrc(capsys, "import", "centres", "--workspace", ws, str(filled))
    assert code == 0, err
    assert "2 centres added" in out
    code, out, _err = cmrc(capsys, "expert", "add", "--workspace", ws, "--id", "E1", "--name",
                           "王建国", "--institution", "山东大学齐鲁医院")
    assert code == 0 and "conflict of interest with centre C001" in out
    for n in (2, 3, 4):
        assert cmrc(capsys, "expert", "add", "--workspace", ws, "--id", f"E{n}", "--name",
                    f"专家{n}", "--institution", f"某医科大学{n}")[0] == 0
    assert cmrc(capsys, "conflict", "add", "--workspace", ws, "--expert", "E4", "--centre",
                "C002", "--reason", "曾在该单位任职")[0] == 0
    code, _out, err = cmrc(capsys, "assign", "--workspace", ws, "--expert", "E1", "--centre",
                           "C001")
    assert code == 2 and "conflict of interest" in err
    code, out, err = cmrc(capsys, "assign", "--workspace", ws, "--all")
    assert code == 0, err
    from cmrc_desktop.scoring.builtin import builtin_scheme

    scheme = builtin_scheme("sd-perf-5d")
    for expert, centre in (("E2", "C001"), ("E3", "C001"), ("E4", "C001"), ("E1", "C002"),
                           ("E2", "C002"), ("E3", "C002")):
        for ind in scheme.expert_indicators:
            code, _o, err = cmrc(capsys, "score", "set", "--workspace", ws, "--expert", expert,
                                 "--centre", centre, "--indicator", ind.id, "--value",
                                 str(ind.max - ind.step))
            assert code == 0, err
    code, _out, err = cmrc(capsys, "score", "set", "--workspace", ws, "--expert", "E2",
                           "--centre", "C001", "--indicator", "A1", "--value", "5.3")
    assert code == 2 and "multiple of the step 0.5" in err
    assert cmrc(capsys, "veto", "--workspace", ws, "--centre", "C002", "--veto", "V4",
                "--reason", "年度报告未按时提交")[0] == 0
    code, out, err = cmrc(capsys, "grade", "--workspace", ws)
    assert code == 0, err
    result = {c["centre"]: c for c in json.loads(out)["centres"]}
    assert result["C001"]["final"] == "90.00" and result["C001"]["grade"] == "优秀"
    assert result["C002"]["grade"] == "不合格" and result["C002"]["flags"] == ["veto:V4"]
    code, out, _err = cmrc(capsys, "audit", "--workspace", ws, "--action", "veto.set")
    assert "年度报告未按时提交" in out


def test_a_bad_row_imports_nothing_and_names_the_cell(tmp_path, capsys):
    ws = str(tmp_path / "batch")
    cmrc(capsys, "batch", "create", "--workspace", ws, "--name", "批次", "--year", "2026")
    bad = dict(CANCER, **{"中心级别": "省级中心"})
    filled = template(tmp_path, [HEART, bad])
    code, out, err = cmrc(capsys, "import", "centres", "--workspace", ws, str(filled))
    assert code == 2 and out == ""
    assert "row 4" in err and "中心级别" in err and "省级中心" in err
    code, out, _err = cmrc(capsys, "batch", "show", "--workspace", ws)
    assert "0 centres" in out


def test_template_command_and_missing_workspace(tmp_path):
    proc = run_cmrc("template", "centres", "--out", str(tmp_path / "t.xlsx"))
    assert proc.returncode == 0 and (tmp_path / "t.xlsx").stat().st_size > 0
    proc = run_cmrc("batch", "show", "--workspace", str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.strip()


def test_demo_command_prints_where_the_workspace_is(tmp_path):
    proc = run_cmrc("demo", "--out", str(tmp_path / "demo"), "--centres", "3", "--experts",
                    "4")
    assert proc.returncode == 0, proc.stderr
    assert str(tmp_path / "demo" / "secretary") in proc.stdout
    proc = run_cmrc("grade", "--workspace", str(tmp_path / "demo" / "secretary"))
    assert proc.returncode == 0
    assert len(json.loads(proc.stdout)["centres"]) == 3


def test_a_declared_conflict_is_withdrawn_and_an_assignment_removed_with_reasons(
        tmp_path, capsys):
    ws = str(tmp_path / "batch")
    assert cmrc(capsys, "batch", "create", "--workspace", ws, "--name", "2026年度绩效评估",
                "--year", "2026")[0] == 0
    assert cmrc(capsys, "import", "centres", "--workspace", ws,
                str(template(tmp_path, [HEART])))[0] == 0
    assert cmrc(capsys, "expert", "add", "--workspace", ws, "--id", "E2", "--name", "专家2",
                "--institution", "某医科大学2")[0] == 0
    assert cmrc(capsys, "conflict", "add", "--workspace", ws, "--expert", "E2", "--centre",
                "C001", "--reason", "登记错误的回避")[0] == 0

    code, _out, err = cmrc(capsys, "conflict", "withdraw", "--workspace", ws, "--expert",
                           "E2", "--centre", "C001", "--reason", "  ")
    assert code == 2 and "say why the conflict of interest is withdrawn" in err
    code, out, err = cmrc(capsys, "conflict", "withdraw", "--workspace", ws, "--expert",
                          "E2", "--centre", "C001", "--reason", "误登记")
    assert code == 0, err
    assert "withdrew the declared conflict of interest: expert E2, centre C001" in out
    code, _out, err = cmrc(capsys, "conflict", "withdraw", "--workspace", ws, "--expert",
                           "E2", "--centre", "C001", "--reason", "误登记")
    assert code == 2 and "has no declared conflict of interest" in err

    assert cmrc(capsys, "assign", "--workspace", ws, "--expert", "E2", "--centre",
                "C001")[0] == 0
    code, _out, err = cmrc(capsys, "unassign", "--workspace", ws, "--expert", "E2",
                           "--centre", "C001", "--reason", "")
    assert code == 2 and "say why the assignment is removed" in err
    code, out, err = cmrc(capsys, "unassign", "--workspace", ws, "--expert", "E2",
                          "--centre", "C001", "--reason", "出差")
    assert code == 0 and "expert E2 no longer scores centre C001" in out, err
    code, out, _err = cmrc(capsys, "audit", "--workspace", ws, "--kind", "conflict.withdraw")
    assert code == 0 and "误登记" in out


def test_a_full_disk_is_said_in_words_and_nothing_is_half_written(tmp_path, capsys,
                                                                   monkeypatch):
    """A real SQLITE_FULL: the workspace may not grow by a single page."""
    from cmrc_desktop.services.workspace import open_workspace
    from cmrc_desktop.storage import centre_repo, db

    ws = str(tmp_path / "batch")
    assert cmrc(capsys, "batch", "create", "--workspace", ws, "--name", "2026年度绩效评估",
                "--year", "2026")[0] == 0
    configure = db._configure

    def no_room(conn, path, is_new):
        configure(conn, path, is_new)
        conn.execute("PRAGMA max_page_count = "
                     f"{conn.execute('PRAGMA page_count').fetchone()[0]}")

    monkeypatch.setattr(db, "_configure", no_room)
    code, _out, err = cmrc(capsys, "import", "centres", "--workspace", ws,
                           str(template(tmp_path, [
                               {**HEART, "中心编号": f"C{n:03d}", "中心名称": f"第{n}中心"}
                               for n in range(1, 201)])))
    assert code == 2
    assert err.strip() == ("the disk holding the workspace is full: the change in progress was "
                           "not saved (what was saved before stays). Free some space and run "
                           "the command again.")
    monkeypatch.setattr(db, "_configure", configure)
    with open_workspace(ws) as opened:
        assert centre_repo.list_centres(opened.db) == []
