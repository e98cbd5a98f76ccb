"""The results snapshot the window shows: grading under every method once, the
method-sensitive centres, quota ties, vetoes with their reasons, and the report written
with progress, stopped without a trace, or refused for a wrong password.

``build_graded_workspace`` (also used by the window's tests) makes a batch where two
centres tie on the quota of 优秀 and one centre's grade depends on the method.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from cmrc_desktop.domain.workspace import Centre, Expert
from cmrc_desktop.scoring.grading import FLAG_QUOTA_TIE
from cmrc_desktop.scoring.scheme_loader import parse_scheme
from cmrc_desktop.services import keyring
from cmrc_desktop.services.report import gather, sensitivity, write_report
from cmrc_desktop.services.results import (
    dimension_max,
    grade_by_method,
    grade_workspace,
    method_sensitive,
    results_overview,
    workspace_grading_input,
)
from cmrc_desktop.services.review import record_veto
from cmrc_desktop.services.scoring import record_sheet
from cmrc_desktop.services.workspace import Workspace, create_workspace
from cmrc_desktop.signing.keys import WrongPassword
from cmrc_desktop.storage import audit, centre_repo, expert_repo
from tests.unit.scoring.schemes import small_scheme_text

PASSWORD = "results-password-1"
EXPERTS = ("E1", "E2", "E3", "E4", "E5")
# every expert's total per centre (A1 = A2 = 10, B1 = the rest)
TOTALS = {
    "Q1": (92, 92, 92, 92, 92),      # tied with Q2 at 92.00 on the quota of 优秀
    "Q2": (92, 92, 92, 92, 92),
    "S3": (95, 95, 95, 60, 60),      # median 95 优秀, mean 81 / trimmed 83.33 良好
    "P4": (85, 84, 86, 85, 85),
    "F5": (70, 70, 72, 68, 70),
}


def build_graded_workspace(folder: Path, *, keys: bool = False) -> Workspace:
    """Five centres scored by five experts under a scheme whose top grade takes at most
    a quarter of the graded centres (so Q1 and Q2 tie on the quota)."""
    scheme = parse_scheme(small_scheme_text(step="0.5", share="0.25"), source="quota.toml")
    ws = create_workspace(folder, name="配额测试批次", year=2026, kind="performance",
                          stage="dossier_review", scheme=scheme, role="secretary",
                          actor="secretary-li", batch_id="B2026-0000c0de")
    for number, centre in enumerate(TOTALS, 1):
        centre_repo.insert_centre(ws.db, Centre(
            id=centre, name=f"测试临床医学研究中心{number}", level="provincial", field="肿瘤",
            host=f"测试医院{number}"))
    for expert in EXPERTS:
        expert_repo.insert_expert(ws.db, Expert(expert, f"专家{expert}", "北京协和医院"))
    for centre, totals in TOTALS.items():
        for expert, total in zip(EXPERTS, totals, strict=True):
            expert_repo.assign(ws.db, expert, centre)
            record_sheet(ws, expert, centre, {"A1": Decimal(10), "A2": Decimal(10),
                                              "B1": Decimal(total - 20)})
    if keys:
        keyring.create_batch_keys(ws, PASSWORD)
    return ws


@pytest.fixture
def graded(tmp_path) -> Workspace:
    ws = build_graded_workspace(tmp_path / "graded", keys=True)
    yield ws
    ws.close()


def test_the_overview_grades_once_per_method_and_agrees_with_grade_workspace(graded):
    overview = results_overview(graded)
    assert set(overview.by_method) == {"mean", "median", "trimmed_mean"}
    assert overview.result is overview.by_method["trimmed_mean"]     # the scheme's own
    official = grade_workspace(graded)
    assert [(r.centre, r.final_rounded, r.grade, r.rank, r.flags) for r in official.centres] \
        == [(r.centre, r.final_rounded, r.grade, r.rank, r.flags)
            for r in overview.result.centres]
    assert overview.names["Q1"] == "测试临床医学研究中心1"


def test_quota_ties_are_listed_for_the_committee(graded):
    overview = results_overview(graded)
    ties = overview.quota_ties()
    assert [r.centre for r in ties] == ["Q1", "Q2"]
    assert all(FLAG_QUOTA_TIE in r.flags and r.grade is None for r in ties)
    assert {r.centre: r.rank for r in ties} == {"Q1": 1, "Q2": 1}


def test_a_centre_whose_grade_depends_on_the_method_is_method_sensitive(graded):
    overview = results_overview(graded)
    # S3's median takes the one place of 优秀, which ends the tie of Q1 and Q2: under the
    # median they are 良好, under the other methods the committee decides
    assert overview.method_sensitive == frozenset({"Q1", "Q2", "S3"})
    grades = {m: r.centre("S3").grade.label for m, r in overview.by_method.items()}
    assert grades == {"mean": "良好", "trimmed_mean": "良好", "median": "优秀"}
    assert overview.by_method["median"].centre("Q1").grade.label == "良好"
    table, sensitive = sensitivity(graded)
    assert sensitive == overview.method_sensitive
    assert table["S3"]["median"].final == "95.00"
    assert method_sensitive(grade_by_method(graded.scheme, workspace_grading_input(graded))) \
        == sensitive


def test_vetoes_come_with_their_reasons(graded):
    record_veto(graded, "P4", "V1", "数据造假，见核查报告")
    overview = results_overview(graded)
    [record] = overview.vetoes["P4"]
    assert (record.veto_id, record.reason, record.actor) == ("V1", "数据造假，见核查报告",
                                                            "secretary-li")
    p4 = overview.result.centre("P4")
    assert p4.vetoed and p4.rank is None and p4.grade.label == "不合格"


def test_dimension_max_and_average_shares(graded):
    overview = results_overview(graded)
    assert dimension_max(graded.scheme) == {"A": Decimal(20), "B": Decimal(80)}
    shares = overview.average_shares()
    assert shares["A"] == 1                       # every expert gave A1 = A2 = 10
    b = sum((r.dimensions["B"] for r in overview.result.centres), Fraction(0)) / 5 / 80
    assert shares["B"] == b


def test_gather_grades_under_the_schemes_method(graded):
    report, _data, result = gather(graded)
    assert result.centre("S3").final_rounded == Decimal("83.33")
    assert report.method_sensitive == frozenset({"Q1", "Q2", "S3"})


def test_write_report_reports_each_step(graded, tmp_path):
    steps = []
    written = write_report(graded, tmp_path / "out", PASSWORD,
                           progress=lambda done, total, text: steps.append((done, total))
                           or True)
    assert [d for d, _t in steps] == [0, 1, 2, 3, 4, 5] and {t for _d, t in steps} == {5}
    names = {p.name for p in written}
    assert {"results.json", "scores.csv", "scheme.toml", "vetoes.csv",
            "sensitivity.json"} <= names
    assert {p.name for p in (tmp_path / "out").iterdir()} == names      # no staging left
    results = json.loads((tmp_path / "out" / "results.json").read_text("utf-8"))
    assert {c["centre"]: c["flags"] for c in results["centres"]}["Q1"] == ["quota_tie"]
    row = audit.entries(graded.db, action="report.write")[-1]
    assert row.new == str(tmp_path / "out")


@pytest.mark.parametrize("stop_at", [1, 2, 3, 4])
def test_a_stopped_report_leaves_nothing_behind(graded, tmp_path, stop_at):
    kept = tmp_path / "existing"
    kept.mkdir()
    (kept / "notes.txt").write_text("keep me", "utf-8")
    for out in (tmp_path / "new", kept):
        written = write_report(graded, out, PASSWORD,
                               progress=lambda done, _total, _text: done < stop_at)
        assert written == []
    assert not (tmp_path / "new").exists()
    assert [p.name for p in kept.iterdir()] == ["notes.txt"]
    assert not audit.entries(graded.db, action="report.write")


def test_a_wrong_password_writes_nothing(graded, tmp_path):
    with pytest.raises(WrongPassword):
        write_report(graded, tmp_path / "out", "not-the-password")
    assert not (tmp_path / "out").exists()
