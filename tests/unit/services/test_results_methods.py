"""Grading under the three methods at once, as the results view does: the same figures
as grading one method at a time, no state shared between the methods' results, and the
faster aggregation (decimals summed and sorted exactly) equal to plain fractions."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from cmrc_desktop.domain.scheme import METHODS
from cmrc_desktop.scoring.aggregate import mean, median, trimmed_mean
from cmrc_desktop.scoring.grading import grade, grade_methods, result_to_json
from cmrc_desktop.services.results import workspace_grading_input
from tests.unit.services.test_results_overview import build_graded_workspace

decimals = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False,
                       allow_infinity=False)
totals = st.lists(decimals, min_size=1, max_size=40)


def reference_mean(values):
    items = [Fraction(v) for v in values]
    return sum(items, Fraction(0)) / len(items)


def reference_median(values):
    items = sorted(Fraction(v) for v in values)
    middle = len(items) // 2
    return items[middle] if len(items) % 2 else (items[middle - 1] + items[middle]) / 2


@given(totals)
def test_mean_and_median_of_decimals_are_exact(values):
    assert mean(values) == reference_mean(values)
    assert median(values) == reference_median(values)


@given(totals, st.integers(min_value=0, max_value=3), st.integers(min_value=1, max_value=9))
def test_the_trimmed_mean_of_decimals_is_exact(values, trim, at_least):
    items = sorted(Fraction(v) for v in values)
    if len(items) >= at_least and trim > 0:
        items = items[trim:len(items) - trim]
    if not items:
        return
    assert trimmed_mean(values, trim, at_least) == reference_mean(items)


def test_fractions_and_mixed_values_still_aggregate():
    values = [Fraction(1, 3), Decimal("2.5"), Fraction(7, 2)]
    assert mean(values) == (Fraction(1, 3) + Fraction(5, 2) + Fraction(7, 2)) / 3
    assert median(values) == Fraction(5, 2)
    assert mean([Decimal("1E+30"), Decimal("1E-30")]) == (
        Fraction(10) ** 30 + Fraction(1, 10**30)) / 2


def test_grading_every_method_at_once_equals_one_at_a_time(tmp_path):
    ws = build_graded_workspace(tmp_path / "ws")
    try:
        data = workspace_grading_input(ws)
        together = grade_methods(ws.scheme, data, METHODS)
        for method in METHODS:
            alone = grade(ws.scheme, data, method)
            assert result_to_json(together[method]) == result_to_json(alone)
        # each method's results are its own: a flag added to one shows in no other
        q1 = {m: r.centre("Q1") for m, r in together.items()}
        q1["trimmed_mean"].flags.append("x")
        q1["trimmed_mean"].expert_totals["E9"] = Decimal(1)
        assert "x" not in q1["median"].flags and "E9" not in q1["mean"].expert_totals
    finally:
        ws.close()
