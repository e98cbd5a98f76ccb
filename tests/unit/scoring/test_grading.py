"""GRADING.md, rule by rule, on figures a committee member can check by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.scoring.grading import GradingInput, grade, result_to_json
from tests.unit.scoring.schemes import auto_scheme, small_scheme


def sheet(total: str) -> dict[str, D]:
    """A complete sheet of the small scheme whose total is ``total``."""
    t = D(total)
    b1 = min(D(80), t)
    rest = t - b1
    a1 = min(D(10), rest)
    return {"A1": a1, "A2": rest - a1, "B1": b1}


def data_for(centres: dict[str, list[str]], vetoes: dict[str, set[str]] | None = None
             ) -> GradingInput:
    data = GradingInput(vetoes=vetoes or {})
    for centre, totals in centres.items():
        for n, total in enumerate(totals, 1):
            data.scores[(centre, f"E{n}")] = sheet(total)
    return data


def graded(scheme, centres, **kwargs) -> dict[str, dict]:
    result = result_to_json(grade(scheme, data_for(centres, **kwargs)))
    return {c["centre"]: c for c in result["centres"]}


def test_half_up_rounding_at_xx5_reaches_the_band():
    # mean of 89.99 and 90.00 is exactly 89.995: half-up gives 90.00 and the 优秀 band
    # (a binary float would have given 89.99)
    scheme = small_scheme(method="mean", min_experts=2)
    out = graded(scheme, {"C01": ["89.99", "90.00"]})["C01"]
    assert out["final"] == "90.00"
    assert out["grade"] == "优秀"


def test_repeating_mean_rounds_on_every_digit():
    scheme = small_scheme(method="mean")
    out = graded(scheme, {"C01": ["89.99", "90.00", "90.00"]})["C01"]
    assert out["final"] == "90.00"  # 89.99666… → 90.00
    out = graded(scheme, {"C01": ["89.98", "89.99", "90.00"]})["C01"]
    assert out["final"] == "89.99"
    assert out["grade"] == "良好"


def test_trimmed_mean_is_plain_mean_below_trim_min_experts():
    scheme = small_scheme()
    four = graded(scheme, {"C01": ["70", "80", "90", "100"]})["C01"]
    assert four["final"] == "85.00"  # 4 < trim_min_experts = 5: plain mean
    five = graded(scheme, {"C01": ["60", "80", "82", "84", "100"]})["C01"]
    assert five["final"] == "82.00"  # drop 100 and 60
    assert five["experts"] == 5


def test_median_of_even_count_is_mean_of_middle_pair():
    scheme = small_scheme(method="median")
    out = graded(scheme, {"C01": ["70", "81", "84", "99"]})["C01"]
    assert out["final"] == "82.50"
    odd = graded(scheme, {"C01": ["70", "81", "99"]})["C01"]
    assert odd["final"] == "81.00"


def test_dimension_scores_use_the_method_on_each_dimension_alone():
    scheme = small_scheme()
    data = GradingInput()
    rows = [("10", "10", "50"), ("0", "0", "80"), ("5", "5", "60"), ("6", "6", "61"),
            ("7", "7", "62")]
    for n, (a1, a2, b1) in enumerate(rows, 1):
        data.scores[("C01", f"E{n}")] = {"A1": D(a1), "A2": D(a2), "B1": D(b1)}
    out = result_to_json(grade(scheme, data))["centres"][0]
    # A subtotals 20, 0, 10, 12, 14 → drop 20 and 0 → 12.00; B 50, 80, 60, 61, 62 → 61.00
    assert out["dimensions"] == {"A": "12.00", "B": "61.00"}
    # totals 70, 80, 70, 73, 76 → drop 80 and 70 → (70+73+76)/3 = 73.00; not A + B
    assert out["final"] == "73.00"


def test_incomplete_sheet_is_left_out_and_min_experts_applies():
    scheme = small_scheme()
    data = data_for({"C01": ["80", "82"]})
    data.scores[("C01", "E3")] = {"A1": D(5), "B1": D(70)}  # A2 missing
    result = grade(scheme, data)
    out = result_to_json(result)["centres"][0]
    assert out["experts"] == 2
    assert out == {"centre": "C01", "experts": 2,
                   "expert_totals": {"E1": "80.00", "E2": "82.00"}, "dimensions": {},
                   "final": None, "grade": None, "rank": None, "flags": ["incomplete"]}
    assert result.centres[0].incomplete_experts == ["E3"]


def test_disagreement_flag_is_strictly_greater_than_threshold():
    scheme = small_scheme()
    at = graded(scheme, {"C01": ["70", "75", "85"]})["C01"]
    assert at["flags"] == []  # spread 15 is not > 15
    over = graded(scheme, {"C01": ["70", "75", "85.01"]})["C01"]
    assert over["flags"] == ["disagreement"]


def test_veto_gives_worst_band_no_rank_and_is_left_out_of_quota():
    scheme = small_scheme(share="0.5")
    out = graded(scheme, {"C01": ["95", "95", "95"], "C02": ["92", "92", "92"],
                          "C03": ["70", "70", "70"]}, vetoes={"C01": {"V1"}})
    assert out["C01"]["grade"] == "不合格"
    assert out["C01"]["rank"] is None
    assert out["C01"]["final"] == "95.00"
    assert out["C01"]["flags"] == ["veto:V1"]
    # n_graded = 2, 优秀 allows floor(2 * 0.5) = 1: C02 keeps it
    assert out["C02"]["grade"] == "优秀"
    assert out["C02"]["rank"] == 1
    assert out["C03"]["rank"] == 2


def test_vetoed_centre_without_sheets_is_listed_with_worst_band():
    scheme = small_scheme()
    out = graded(scheme, {"C01": ["80", "80", "80"]}, vetoes={"C09": {"V1"}})
    assert out["C09"]["grade"] == "不合格"
    assert out["C09"]["final"] is None
    assert out["C09"]["flags"] == ["incomplete", "veto:V1"]


def test_quota_moves_the_overflow_down_one_band():
    scheme = small_scheme(share="0.25")
    out = graded(scheme, {f"C0{i}": [t, t, t] for i, t in
                          enumerate(["98", "96", "94", "92", "85", "70", "65", "40"], 1)})
    # n_graded 8, allowed floor(8 * 0.25) = 2
    assert [out[f"C0{i}"]["grade"] for i in range(1, 9)] == [
        "优秀", "优秀", "良好", "良好", "良好", "合格", "合格", "不合格"]


def test_quota_tie_on_rounded_score_leaves_the_tie_ungraded():
    scheme = small_scheme(share="0.25")
    out = graded(scheme, {"C1": ["98"] * 3, "C2": ["95"] * 3, "C3": ["95"] * 3,
                          "C4": ["93"] * 3, "C5": ["50"] * 3, "C6": ["50"] * 3,
                          "C7": ["50"] * 3, "C8": ["50"] * 3})
    assert out["C1"]["grade"] == "优秀"
    for c in ("C2", "C3"):
        assert out[c]["grade"] is None
        assert out[c]["flags"] == ["quota_tie"]
        assert out[c]["rank"] == 2  # keeps its rank
    assert out["C4"]["grade"] == "良好"
    assert out["C4"]["rank"] == 4


def test_quota_tie_detected_on_rounded_not_exact_scores():
    scheme = small_scheme(method="mean", share="0.25")
    centres = {"C1": ["98"] * 3, "C2": ["95.00", "95.00", "95.01"],  # 95.00333 → 95.00
               "C3": ["95"] * 3, "C4": ["50"] * 3, "C5": ["50"] * 3, "C6": ["50"] * 3,
               "C7": ["50"] * 3, "C8": ["50"] * 3}
    out = graded(scheme, centres)
    assert out["C2"]["final"] == out["C3"]["final"] == "95.00"
    assert out["C2"]["flags"] == out["C3"]["flags"] == ["quota_tie"]


def test_competition_ranking_shares_and_skips():
    scheme = small_scheme()
    out = graded(scheme, {"C1": ["90"] * 3, "C2": ["85"] * 3, "C3": ["85"] * 3,
                          "C4": ["70"] * 3, "C5": ["60", "60"]})
    assert [out[c]["rank"] for c in ("C1", "C2", "C3", "C4", "C5")] == [1, 2, 2, 4, None]


def test_automatic_indicator_points_from_metric_in_every_total():
    scheme = auto_scheme()
    data = GradingInput(metrics={"C01": {"guidelines_led": D(2)}})
    for n, (a1, a2, b1) in enumerate([("5", "5", "60"), ("6", "6", "61"), ("7", "7", "62")], 1):
        data.scores[("C01", f"E{n}")] = {"A1": D(a1), "A2": D(a2), "B1": D(b1)}
    out = result_to_json(grade(scheme, data))["centres"][0]
    # 10 * 2 / 3 = 6.666… → 6.67 in every expert's total
    assert out["expert_totals"] == {"E1": "76.67", "E2": "79.67", "E3": "82.67"}
    assert out["dimensions"]["B"] == "67.67"
    data.metrics["C01"]["guidelines_led"] = D(7)  # capped at full_at
    out = result_to_json(grade(scheme, data))["centres"][0]
    assert out["expert_totals"]["E1"] == "80.00"


def test_automatic_indicator_without_metric_is_an_error():
    scheme = auto_scheme()
    data = data_for({"C01": ["60", "60", "60"]})
    with pytest.raises(InputError, match="guidelines_led"):
        grade(scheme, data)


@pytest.mark.parametrize("value, words", [("10.5", r"outside \[0, 10\]"), ("-1", "outside"),
                                          ("2.005", "multiple of the step 0.01")])
def test_bad_scores_are_never_clamped(value, words):
    scheme = small_scheme()
    data = data_for({"C01": ["80", "80", "80"]})
    data.scores[("C01", "E1")]["A1"] = D(value)
    with pytest.raises(InputError, match=words) as info:
        grade(scheme, data)
    assert "C01" in str(info.value) and "E1" in str(info.value) and info.value.field == "A1"


def test_output_lists_centres_by_id_with_sorted_flags_and_fixed_decimals():
    scheme = small_scheme()
    out = result_to_json(grade(scheme, data_for({"C10": ["70", "71", "90"],
                                                 "C02": ["80", "80", "80"]},
                                                vetoes={"C10": {"V1"}})))
    assert [c["centre"] for c in out["centres"]] == ["C02", "C10"]
    assert out["centres"][1]["flags"] == ["disagreement", "veto:V1"]
    assert out["centres"][0]["final"] == "80.00"
    assert out["scheme"] == "t-small"
