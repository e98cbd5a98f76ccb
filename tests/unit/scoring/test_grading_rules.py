"""GRADING.md at its edges: the boundaries a committee checks by hand and a slip in the
code would move (issue #14, part 7; found by ``bench/mutation.py``).

Each test states a figure a committee would compute itself: exactly two experts at the
disagreement threshold, a quota of zero or one place, a tie at the quota boundary, the
trimmed mean at exactly ``trim_min_experts``, half-up rounding at x.xx5. The property
tests compare the engine with a plain hand calculation of the same rules.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.scheme import Aggregation
from cmrc_desktop.scoring.aggregate import aggregate, mean, median, trimmed_mean
from cmrc_desktop.scoring.grading import GradingInput, grade, result_to_json
from cmrc_desktop.scoring.scheme_loader import parse_scheme
from tests.unit.scoring.schemes import auto_scheme, small_scheme, small_scheme_text

BANDS = [("优秀", 90), ("良好", 80), ("合格", 60), ("不合格", 0)]


def sheet(total: str | Decimal) -> dict[str, Decimal]:
    """A complete sheet of the small scheme (A1, A2 out of 10, B1 out of 80) whose
    total is ``total``."""
    t = Decimal(total)
    b1 = min(Decimal(80), t)
    a1 = min(Decimal(10), t - b1)
    return {"A1": a1, "A2": t - b1 - a1, "B1": b1}


def graded(scheme, centres: dict[str, list[str]], vetoes=None, method=None
           ) -> dict[str, dict]:
    data = GradingInput(vetoes=vetoes or {})
    for centre, totals in centres.items():
        for n, total in enumerate(totals, 1):
            data.scores[(centre, f"E{n}")] = sheet(total)
    return {c["centre"]: c for c in result_to_json(grade(scheme, data, method))["centres"]}


def scheme_with(*, min_experts: int = 3, method: str = "mean", good_share: str = "",
                **kwargs):
    """The small scheme; ``good_share`` puts a quota on 良好 as well."""
    text = small_scheme_text(method=method, min_experts=min_experts, **kwargs)
    if good_share:
        text = text.replace('label_en = "Good"\nmin = 80\n',
                            f'label_en = "Good"\nmin = 80\nmax_share = {good_share}\n')
        assert f"max_share = {good_share}" in text
    return parse_scheme(text, source="rules.toml")


# -- disagreement with exactly two experts ----------------------------------------------------
def test_two_experts_exactly_the_threshold_apart_are_not_flagged():
    """max − min = 15.00 is not > 15: no flag, even with only two sheets."""
    scheme = scheme_with(min_experts=2)
    out = graded(scheme, {"C01": ["70.00", "85.00"]})["C01"]
    assert out["flags"] == []
    assert out["final"] == "77.50"


def test_two_experts_just_over_the_threshold_are_flagged():
    """max − min = 15.01 > 15: the two-expert centre is flagged ``disagreement``."""
    scheme = scheme_with(min_experts=2)
    out = graded(scheme, {"C01": ["70.00", "85.01"]})["C01"]
    assert out["flags"] == ["disagreement"]
    assert out["final"] == "77.51"  # 77.505 half-up


def test_two_experts_disagreeing_are_flagged_even_below_min_experts():
    """The spread is a property of the sheets received: two sheets 40 apart are flagged
    even when a third is still needed for a final score."""
    out = graded(scheme_with(min_experts=3), {"C01": ["50", "90"]})["C01"]
    assert out["flags"] == ["disagreement", "incomplete"]
    assert out["final"] is None


def test_one_expert_alone_is_graded_when_min_experts_is_one():
    """min_experts = 1 (an on-site visit by one expert): one complete sheet gives a
    final score, a grade and a rank; it is not 'incomplete'."""
    scheme = scheme_with(min_experts=1)
    out = graded(scheme, {"C01": ["84.50"]})["C01"]
    assert (out["final"], out["grade"], out["rank"], out["flags"]) == \
        ("84.50", "良好", 1, [])


# -- quotas of zero and one place -------------------------------------------------------------
def test_a_quota_of_zero_places_moves_every_centre_down_without_a_tie():
    """n_graded = 3, max_share 0.25: floor(0.75) = 0 places in 优秀; the one centre that
    scored 95 gets 良好, and no 'quota_tie' (there is no k-th centre to tie with)."""
    scheme = small_scheme(method="mean", share="0.25")
    out = graded(scheme, {"C1": ["95"] * 3, "C2": ["85"] * 3, "C3": ["70"] * 3})
    assert out["C1"]["grade"] == "良好"
    assert out["C1"]["flags"] == []
    assert out["C1"]["rank"] == 1
    assert [out[c]["grade"] for c in ("C2", "C3")] == ["良好", "合格"]


def test_a_quota_of_zero_places_with_tied_centres_moves_them_all_down():
    """Zero places and two centres tied at 95: both move down, neither is a quota tie."""
    scheme = small_scheme(method="mean", share="0.25")
    out = graded(scheme, {"C1": ["95"] * 3, "C2": ["95"] * 3, "C3": ["70"] * 3})
    assert [out[c]["grade"] for c in ("C1", "C2")] == ["良好", "良好"]
    assert out["C1"]["flags"] == out["C2"]["flags"] == []
    assert [out[c]["rank"] for c in ("C1", "C2", "C3")] == [1, 1, 3]


def test_a_quota_of_one_place_keeps_the_best_centre_only():
    """n_graded = 4, max_share 0.25: one place; 96 keeps 优秀, 94 and 91 get 良好."""
    scheme = small_scheme(method="mean", share="0.25")
    out = graded(scheme, {"C1": ["94"] * 3, "C2": ["96"] * 3, "C3": ["91"] * 3,
                          "C4": ["50"] * 3})
    assert [out[c]["grade"] for c in ("C1", "C2", "C3", "C4")] == \
        ["良好", "优秀", "良好", "不合格"]
    assert all(out[c]["flags"] == [] for c in out)


def test_a_tie_for_the_one_place_leaves_both_ungraded():
    """One place, two centres tied at 95.00 for it: neither gets a grade (the committee
    decides), both are flagged, both keep rank 1; the next centre is ranked 3."""
    scheme = small_scheme(method="mean", share="0.25")
    out = graded(scheme, {"C1": ["95"] * 3, "C2": ["95"] * 3, "C3": ["92"] * 3,
                          "C4": ["50"] * 3})
    for c in ("C1", "C2"):
        assert out[c]["grade"] is None
        assert out[c]["flags"] == ["quota_tie"]
        assert out[c]["rank"] == 1
    assert out["C3"]["grade"] == "良好"
    assert out["C3"]["flags"] == []
    assert out["C3"]["rank"] == 3


def test_a_tie_inside_the_quota_is_no_quota_tie():
    """Two places, two centres tied at the top and a lower third: the tie is within the
    places, so both keep 优秀 and the third moves down; nobody is flagged."""
    scheme = small_scheme(method="mean", share="0.25")
    centres = {"C1": ["97"] * 3, "C2": ["97"] * 3, "C3": ["93"] * 3}
    centres.update({f"C{i}": ["50"] * 3 for i in range(4, 9)})
    out = graded(scheme, centres)
    assert [out[c]["grade"] for c in ("C1", "C2", "C3")] == ["优秀", "优秀", "良好"]
    assert not any(out[c]["flags"] for c in out)


def test_a_tie_across_the_boundary_takes_in_every_tied_centre():
    """Two places; 98, then three centres tied at 95: the 2nd and 3rd tie, so all three
    at 95 are left ungraded with 'quota_tie' (the tie is the score, not the pair)."""
    scheme = small_scheme(method="mean", share="0.25")
    centres = {"C1": ["98"] * 3, "C2": ["95"] * 3, "C3": ["95"] * 3, "C4": ["95"] * 3}
    centres.update({f"C{i}": ["50"] * 3 for i in range(5, 9)})
    out = graded(scheme, centres)
    assert out["C1"]["grade"] == "优秀"
    for c in ("C2", "C3", "C4"):
        assert (out[c]["grade"], out[c]["flags"], out[c]["rank"]) == (None, ["quota_tie"], 2)
    assert out["C5"]["rank"] == 5


def test_centres_moved_down_count_against_the_next_bands_quota():
    """Quotas on 优秀 and 良好 (0.25 each, 8 centres: 2 places each). Four centres score
    over 90: two keep 优秀, two move to 良好, where with the one 85 they are three for two
    places, so the lowest of them (85) moves on to 合格."""
    scheme = scheme_with(good_share="0.25", share="0.25")
    centres = {"C1": ["99"] * 3, "C2": ["97"] * 3, "C3": ["95"] * 3, "C4": ["93"] * 3,
               "C5": ["85"] * 3, "C6": ["70"] * 3, "C7": ["40"] * 3, "C8": ["30"] * 3}
    out = graded(scheme, centres)
    assert [out[f"C{i}"]["grade"] for i in range(1, 9)] == [
        "优秀", "优秀", "良好", "良好", "合格", "合格", "不合格", "不合格"]


def test_a_vetoed_centre_takes_no_quota_place():
    """n_graded leaves the vetoed centre out: 5 centres, one vetoed → floor(4 × 0.25)
    = 1 place, which the 96 keeps although the vetoed 99 scored higher."""
    scheme = small_scheme(method="mean", share="0.25")
    out = graded(scheme, {"C1": ["99"] * 3, "C2": ["96"] * 3, "C3": ["93"] * 3,
                          "C4": ["60"] * 3, "C5": ["60"] * 3}, vetoes={"C1": {"V1"}})
    assert [out[c]["grade"] for c in ("C1", "C2", "C3")] == ["不合格", "优秀", "良好"]
    assert [out[c]["rank"] for c in ("C1", "C2", "C3", "C4", "C5")] == [None, 1, 2, 3, 3]


# -- trimmed mean at exactly trim_min_experts, half-up at x.xx5 ----------------------------------
def test_trimmed_mean_at_exactly_trim_min_experts_drops_one_each_side():
    """Five sheets (= trim_min_experts): drop the 100 and the 0, mean of the rest; four
    sheets: the plain mean, extremes included."""
    scheme = small_scheme(method="trimmed_mean")
    five = graded(scheme, {"C01": ["0", "80", "81", "85", "100"]})["C01"]
    assert five["final"] == "82.00"
    four = graded(scheme, {"C01": ["0", "80", "85", "100"]})["C01"]
    assert four["final"] == "66.25"


@pytest.mark.parametrize("totals, final, band", [
    (["89.99", "90.00"], "90.00", "优秀"),      # 89.995
    (["79.98", "79.99"], "79.99", "合格"),      # 79.985 → 79.99, still under 80
    (["59.99", "60.00"], "60.00", "合格"),      # 59.995 → 60.00
    (["0.00", "0.01"], "0.01", "不合格"),       # 0.005 → 0.01
])
def test_a_final_score_ending_in_5_rounds_half_up_and_earns_the_band(totals, final, band):
    scheme = scheme_with(min_experts=2)
    out = graded(scheme, {"C01": totals})["C01"]
    assert (out["final"], out["grade"]) == (final, band)


def test_the_method_given_overrides_the_schemes_for_the_comparison():
    """The method comparison grades the same sheets under another method: asking for the
    median of a trimmed-mean scheme gives the median (here 81), not the trimmed mean."""
    scheme = small_scheme(method="trimmed_mean")
    totals = {"C01": ["60", "81", "99"]}
    assert graded(scheme, totals)["C01"]["final"] == "80.00"
    assert graded(scheme, totals, method="median")["C01"]["final"] == "81.00"
    assert graded(scheme, totals, method="mean")["C01"]["final"] == "80.00"


def test_one_centres_result_is_found_by_its_id():
    """The results view looks a centre up by id: the right one, or none."""
    data = GradingInput()
    for n, total in enumerate(["80", "82", "84"], 1):
        data.scores[("C02", f"E{n}")] = sheet(total)
        data.scores[("C01", f"E{n}")] = sheet("70")
    result = grade(small_scheme(method="mean"), data)
    assert result.centre("C02").final_rounded == Decimal("82.00")
    assert result.centre("C01").final_rounded == Decimal("70.00")
    assert result.centre("C09") is None


def test_an_expert_cannot_score_an_automatic_indicator():
    """B2 is scored from a metric; a sheet that gives it a score is refused, naming the
    centre, the expert and the indicator, rather than silently using either value."""
    scheme = auto_scheme()
    data = GradingInput(metrics={"C01": {"guidelines_led": Decimal(2)}})
    for n in range(1, 4):
        data.scores[("C01", f"E{n}")] = {"A1": Decimal(5), "A2": Decimal(5),
                                         "B1": Decimal(60)}
    data.scores[("C01", "E2")]["B2"] = Decimal(10)
    with pytest.raises(InputError, match="scored automatically") as info:
        grade(scheme, data)
    assert "C01" in str(info.value) and "E2" in str(info.value)
    assert info.value.field == "B2"


# -- the aggregation functions on their own ---------------------------------------------------
def test_no_totals_is_an_error_never_a_score_of_zero():
    """An empty list of totals must never aggregate to 0 (a centre graded 不合格)."""
    agg = Aggregation()
    for method in ("mean", "median", "trimmed_mean"):
        with pytest.raises(ValueError):
            aggregate([], agg, method)


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="mode"):
        aggregate([Decimal(1)], Aggregation(), "mode")


# -- properties: the engine against a hand calculation --------------------------------------
def _hand_final(totals: list[Decimal], method: str) -> Decimal:
    """GRADING.md by hand: mean, median, or trimmed mean (trim 1 from 5 sheets), each in
    plain decimal arithmetic with 60 digits, then rounded half-up to 2 decimals."""
    values = sorted(totals)
    if method == "trimmed_mean" and len(values) >= 5:
        values = values[1:-1]
    with localcontext() as ctx:
        ctx.prec = 60
        if method == "median":
            n = len(values)
            exact = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
        else:
            exact = sum(values) / len(values)
        return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


cents = st.integers(0, 10_000).map(lambda c: Decimal(c).scaleb(-2))
near_bands = st.sampled_from(["89.99", "90.00", "90.01", "79.99", "80.00", "59.99", "60.00",
                              "74.99", "75.00", "90.02", "89.98"]).map(Decimal)
expert_totals = st.lists(st.one_of(cents, near_bands), min_size=1, max_size=7)
centres = st.dictionaries(st.sampled_from([f"C{i}" for i in range(1, 7)]), expert_totals,
                          min_size=1, max_size=6)
SCHEMES = {m: small_scheme(method=m) for m in ("mean", "median", "trimmed_mean")}


@settings(max_examples=250, deadline=None)
@given(batch=centres, method=st.sampled_from(sorted(SCHEMES)))
def test_final_grade_rank_and_flags_match_a_hand_calculation(batch, method):
    data = GradingInput()
    for centre, totals in batch.items():
        for n, total in enumerate(totals, 1):
            data.scores[(centre, f"E{n}")] = sheet(total)
    out = {c["centre"]: c for c in result_to_json(grade(SCHEMES[method], data))["centres"]}
    finals = {c: _hand_final(t, method) for c, t in batch.items() if len(t) >= 3}
    for centre, totals in batch.items():
        got = out[centre]
        spread = max(totals) - min(totals)
        flags = (["disagreement"] if spread > 15 else []) + \
            (["incomplete"] if len(totals) < 3 else [])
        assert got["flags"] == flags
        assert got["experts"] == len(totals)
        if centre not in finals:
            assert (got["final"], got["grade"], got["rank"]) == (None, None, None)
            continue
        final = finals[centre]
        assert got["final"] == format(final, "f")
        assert got["grade"] == next(label for label, low in BANDS if final >= low)
        assert got["rank"] == 1 + sum(1 for f in finals.values() if f > final)


@settings(max_examples=200, deadline=None)
@given(totals=st.lists(cents, min_size=1, max_size=9), trim=st.integers(0, 3),
       extra=st.integers(1, 3))
def test_trimmed_mean_drops_trim_each_side_from_exactly_trim_min_experts(totals, trim, extra):
    """With trim_min_experts = len(totals) the extremes go; one more and they stay."""
    values = sorted(Fraction(t) for t in totals)
    if len(values) > 2 * trim:
        kept = values[trim:len(values) - trim]
        assert trimmed_mean(totals, trim, len(totals)) == sum(kept) / len(kept)
    assert trimmed_mean(totals, trim, len(totals) + extra) == sum(values) / len(values)


@settings(deadline=None)
@given(values=st.lists(st.one_of(cents, st.fractions(0, 100, max_denominator=7)),
                       min_size=1, max_size=9))
def test_mean_and_median_are_exact_for_decimals_fractions_and_a_mix(values):
    """Totals may be decimals (sheets) or fractions (figures already averaged): either
    way the mean and median are exact, with no float anywhere."""
    exact = [Fraction(v) for v in values]
    assert mean(values) == sum(exact) / len(exact)
    ordered = sorted(exact)
    n = len(ordered)
    middle = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    assert median(values) == middle
    assert isinstance(mean(values), Fraction) and isinstance(median(values), Fraction)
