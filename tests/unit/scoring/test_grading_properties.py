"""Properties the committee relies on, whatever the figures (hypothesis)."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from cmrc_desktop.domain.numbers import fmt, round_half_up
from cmrc_desktop.scoring.aggregate import trimmed_mean
from cmrc_desktop.scoring.grading import GradingInput, grade, result_to_json
from tests.unit.scoring.schemes import small_scheme

SCHEMES = {m: small_scheme(method=m, step="0.5") for m in ("mean", "trimmed_mean", "median")}


def halves(maximum: int):
    return st.integers(0, maximum * 2).map(lambda n: Decimal(n) / 2)


sheets = st.fixed_dictionaries({"A1": halves(10), "A2": halves(10), "B1": halves(80)})
centre_sheets = st.lists(sheets, min_size=1, max_size=8)
batches = st.dictionaries(st.sampled_from([f"C{i:02d}" for i in range(1, 9)]), centre_sheets,
                          min_size=1, max_size=8)
methods = st.sampled_from(sorted(SCHEMES))


def build(batch: dict[str, list[dict]], names=None) -> GradingInput:
    data = GradingInput()
    for centre, rows in batch.items():
        for n, row in enumerate(rows):
            expert = names[n] if names else f"E{n}"
            data.scores[(centre, expert)] = dict(row)
    return data


@settings(max_examples=150, deadline=None)
@given(batch=batches, method=methods, seed=st.integers(0, 2**32 - 1))
def test_permuting_experts_changes_nothing(batch, method, seed):
    scheme = SCHEMES[method]
    before = result_to_json(grade(scheme, build(batch)))
    rng = random.Random(seed)
    permuted = {c: rng.sample(rows, len(rows)) for c, rows in batch.items()}
    after = result_to_json(grade(scheme, build(permuted)))
    for b, a in zip(before["centres"], after["centres"], strict=True):
        assert (b["final"], b["grade"], b["rank"], b["flags"], b["dimensions"]) == \
               (a["final"], a["grade"], a["rank"], a["flags"], a["dimensions"])
        assert sorted(b["expert_totals"].values()) == sorted(a["expert_totals"].values())


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(sheets, min_size=3, max_size=8), method=methods,
       which=st.integers(0, 7), indicator=st.sampled_from(["A1", "A2", "B1"]),
       raise_by=st.integers(1, 40))
def test_raising_one_score_never_lowers_the_final_score(rows, method, which, indicator,
                                                        raise_by):
    scheme = SCHEMES[method]
    before = grade(scheme, build({"C01": rows})).centres[0].final
    which %= len(rows)
    top = scheme.indicator(indicator).max
    raised = [dict(r) for r in rows]
    raised[which][indicator] = min(top, raised[which][indicator] + Decimal(raise_by) / 2)
    after = grade(scheme, build({"C01": raised})).centres[0].final
    assert after >= before


@given(totals=st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1,
                       max_size=12), trim=st.integers(0, 3))
def test_trimmed_mean_lies_between_min_and_max(totals, trim):
    value = trimmed_mean(totals, trim, 2 * trim + 1)
    assert min(totals) <= value <= max(totals)


@given(units=st.integers(-10**9, 10**9), places=st.integers(3, 6), decimals=st.integers(0, 3))
def test_rounding_is_decimal_half_up_never_binary_float(units, places, decimals):
    value = Decimal(units).scaleb(-places)
    expected = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    assert round_half_up(value, decimals) == expected
    assert Decimal(fmt(value, decimals)) == expected
    assert len(fmt(abs(value), decimals).partition(".")[2]) == decimals
    assert isinstance(round_half_up(Fraction(value), decimals), Decimal)


@given(whole=st.integers(0, 10**6), cents=st.integers(0, 99))
def test_an_exact_half_always_rounds_up(whole, cents):
    # x.xx5 is where binary floats go wrong (1.005 → 1.0 with round())
    value = Decimal(f"{whole}.{cents:02d}5")
    assert round_half_up(value, 2) == Decimal(f"{whole}.{cents:02d}") + Decimal("0.01")
