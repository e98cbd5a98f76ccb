"""``cmrc grade`` and ``cmrc scheme`` as a committee member runs them."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cmrc
from tests.unit.scoring.schemes import small_scheme_text


def write(path, text: str, bom: bool = False):
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


@pytest.fixture
def inputs(tmp_path):
    scheme = write(tmp_path / "scheme.toml", small_scheme_text(method="mean", min_experts=2))
    scores = write(tmp_path / "scores.csv", "centre,expert,indicator,score\n"
                   "C01,E1,A1,9.99\nC01,E1,A2,10\nC01,E1,B1,70\n"
                   "C01,E2,A1,10\nC01,E2,A2,10\nC01,E2,B1,70\n", bom=True)
    return scheme, scores


def test_grade_prints_the_json_of_grading_md(inputs):
    scheme, scores = inputs
    proc = run_cmrc("grade", "--scheme", str(scheme), "--scores", str(scores))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out == {"scheme": "t-small", "centres": [
        {"centre": "C01", "experts": 2, "expert_totals": {"E1": "89.99", "E2": "90.00"},
         "dimensions": {"A": "20.00", "B": "70.00"}, "final": "90.00", "grade": "优秀",
         "rank": 1, "flags": []}]}


def test_grade_writes_csv_and_xlsx(inputs, tmp_path):
    scheme, scores = inputs
    proc = run_cmrc("grade", "--scheme", str(scheme), "--scores", str(scores),
                    "--format", "csv")
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[1].startswith("C01,2,90.00,优秀,1,")
    out = tmp_path / "results.xlsx"
    proc = run_cmrc("grade", "--scheme", str(scheme), "--scores", str(scores),
                    "--format", "xlsx", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    assert sheet["A2"].value == "C01" and sheet["D2"].value == "优秀"


@pytest.mark.parametrize("row, field, words", [
    ("C01,E3,A1,11", "score", "outside [0, 10]"),
    ("C01,E3,A1,9.995", "score", "multiple of the step"),
    ("C01,E3,Z9,5", "indicator", "unknown indicator 'Z9'"),
    ("C01,E3,A1,abc", "score", "'abc' is not a number"),
    ("C01,E1,A1,5", "indicator", "already scored on line 2"),
    (",E3,A1,5", "centre", "empty value"),
])
def test_bad_input_exits_2_naming_file_line_field_and_prints_nothing(inputs, row, field,
                                                                      words):
    scheme, scores = inputs
    scores.write_bytes(scores.read_bytes() + (row + "\n").encode())
    proc = run_cmrc("grade", "--scheme", str(scheme), "--scores", str(scores))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"{scores}:8: {field}: ")
    assert words in proc.stderr
    assert "Traceback" not in proc.stderr


def test_error_leaves_an_existing_output_file_untouched(inputs, tmp_path):
    scheme, scores = inputs
    out = write(tmp_path / "old.json", "previous result")
    scores.write_bytes(scores.read_bytes() + b"C01,E3,A1,99\n")
    proc = run_cmrc("grade", "--scheme", str(scheme), "--scores", str(scores), "--out",
                    str(out))
    assert proc.returncode == 2
    assert out.read_text() == "previous result"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_metrics_and_vetoes_files(tmp_path):
    scheme = write(tmp_path / "s.toml", small_scheme_text(step="0.5"))
    scores = write(tmp_path / "scores.csv", "centre,expert,indicator,score\n" + "".join(
        f"C0{c},E{e},{i},{v}\n" for c in (1, 2) for e in (1, 2, 3)
        for i, v in (("A1", 8), ("A2", 8), ("B1", 70))))
    vetoes = write(tmp_path / "v.csv", "centre,veto\nC02,V1\n")
    proc = run_cmrc("grade", "--scheme", str(scheme), "--scores", str(scores), "--vetoes",
                    str(vetoes))
    out = {c["centre"]: c for c in json.loads(proc.stdout)["centres"]}
    assert out["C02"]["grade"] == "不合格" and out["C02"]["flags"] == ["veto:V1"]
    bad = write(tmp_path / "v2.csv", "centre,veto\nC02,V9\n")
    proc = run_cmrc("grade", "--scheme", str(scheme), "--scores", str(scores), "--vetoes",
                    str(bad))
    assert proc.returncode == 2 and proc.stderr.startswith(f"{bad}:2: veto: unknown veto")


def test_missing_metric_for_automatic_indicator_exits_2(tmp_path):
    from tests.unit.scoring.schemes import AUTO_EXTRA

    scheme = write(tmp_path / "s.toml", small_scheme_text().replace("max = 80", "max = 70")
                   + AUTO_EXTRA)
    scores = write(tmp_path / "scores.csv", "centre,expert,indicator,score\n"
                   "C01,E1,A1,5\nC01,E1,A2,5\nC01,E1,B1,50\n")
    metrics = write(tmp_path / "m.csv", "centre,metric,value\nC01,patents_granted,3\n")
    proc = run_cmrc("grade", "--scheme", str(scheme), "--scores", str(scores), "--metrics",
                    str(metrics))
    assert proc.returncode == 2 and proc.stdout == ""
    assert str(metrics) in proc.stderr and "guidelines_led" in proc.stderr
    write(tmp_path / "m.csv", "centre,metric,value\nC01,guidelines_led,３\n")
    proc = run_cmrc("grade", "--scheme", str(scheme), "--scores", str(scores), "--metrics",
                    str(metrics))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["centres"][0]["expert_totals"]["E1"] == "70.00"


def test_scheme_check_exit_codes(tmp_path):
    from cmrc_desktop.paths import schemes_dir

    good = [str(p) for p in sorted(schemes_dir().glob("*.toml")) if p.name != "catalog.toml"]
    proc = run_cmrc("scheme", "check", *good)
    assert proc.returncode == 0 and proc.stdout.count("OK") == 3
    bad = write(tmp_path / "bad.toml", small_scheme_text().replace("total = 100",
                                                                   "total = 101"))
    proc = run_cmrc("scheme", "check", str(bad))
    assert proc.returncode == 2
    assert f"{bad}: scheme.total: total is 101" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run_cmrc("scheme", "check", str(tmp_path / "missing.toml"))
    assert proc.returncode == 2
    assert proc.stderr == f"{tmp_path / 'missing.toml'}: the file does not exist\n"


def test_messages_are_chinese_by_default(inputs):
    scheme, scores = inputs
    scores.write_bytes(scores.read_bytes() + b"C01,E3,A1,11\n")
    proc = run_cmrc("grade", "--scheme", str(scheme), "--scores", str(scores),
                    env={"CMRC_LANG": ""})
    assert proc.returncode == 2
    assert "超出" in proc.stderr, proc.stderr


def test_scheme_list_names_the_builtins():
    proc = run_cmrc("scheme", "list")
    assert proc.returncode == 0
    assert [line.split("\t")[0] for line in proc.stdout.splitlines()] == [
        "application-review", "nat-perf-2017", "sd-perf-5d"]
