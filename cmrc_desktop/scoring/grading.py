"""GRADING.md, rule by rule: expert totals, final and dimension scores, bands, vetoes,
quotas and ranks.

The engine takes already-read inputs (``GradingInput``), so the CSV command, the
workspace and the merge all grade through the same code. Scores are checked here too
(range and step), because a score that reaches grading by any road must obey them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.numbers import is_multiple, plain, round_half_up
from cmrc_desktop.domain.scheme import Grade, Indicator, Scheme
from cmrc_desktop.i18n import _
from cmrc_desktop.scoring.aggregate import aggregate

FLAG_INCOMPLETE = "incomplete"
FLAG_DISAGREEMENT = "disagreement"
FLAG_QUOTA_TIE = "quota_tie"
VETO_FLAG_PREFIX = "veto:"


@dataclass
class GradingInput:
    """Scores per (centre, expert) sheet, metrics per centre, vetoes per centre."""

    scores: dict[tuple[str, str], dict[str, Decimal]] = field(default_factory=dict)
    metrics: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    vetoes: dict[str, set[str]] = field(default_factory=dict)
    centres: set[str] = field(default_factory=set)  # centres to list even with no sheet

    def centre_ids(self) -> list[str]:
        ids = set(self.centres) | {c for c, _e in self.scores} | set(self.vetoes)
        return sorted(ids)


@dataclass
class CentreResult:
    centre: str
    expert_totals: dict[str, Decimal]          # complete sheets only, exact
    dimension_totals: dict[str, dict[str, Decimal]]  # expert -> dimension -> exact
    incomplete_experts: list[str]
    dimensions: dict[str, Fraction]            # exact; empty when not graded
    final: Fraction | None                     # exact
    final_rounded: Decimal | None
    vetoes: list[str]
    grade: Grade | None = None
    rank: int | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def experts(self) -> int:
        return len(self.expert_totals)

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)


@dataclass
class GradingResult:
    scheme: Scheme
    centres: list[CentreResult]

    def centre(self, centre_id: str) -> CentreResult | None:
        return next((c for c in self.centres if c.centre == centre_id), None)


def score_problem(indicator: Indicator, value: Decimal) -> str | None:
    """Why ``value`` is not an allowed score for ``indicator``, or None when it is."""
    if indicator.automatic:
        return _("indicator {id} is scored automatically from metric {metric}").format(
            id=indicator.id, metric=indicator.source_metric)
    if not value.is_finite() or value < 0 or value > indicator.max:
        return _("score {value} is outside [0, {max}]").format(
            value=plain(value) if value.is_finite() else value, max=plain(indicator.max))
    if not is_multiple(value, indicator.step):
        return _("score {value} is not a multiple of the step {step}").format(
            value=plain(value), step=plain(indicator.step))
    return None


def automatic_points(scheme: Scheme, indicator: Indicator, value: Decimal) -> Decimal:
    """points = max * min(value, full_at) / full_at, rounded half-up to ``decimals``."""
    assert indicator.full_at is not None
    capped = min(Fraction(value), Fraction(indicator.full_at))
    exact = Fraction(indicator.max) * capped / Fraction(indicator.full_at)
    return round_half_up(exact, scheme.aggregation.decimals)


def grade(scheme: Scheme, data: GradingInput, method: str | None = None) -> GradingResult:
    """Grade every centre of ``data``; ``method`` overrides the scheme's (sensitivity)."""
    method = method or scheme.aggregation.method
    return grade_methods(scheme, data, (method,))[method]


def grade_methods(scheme: Scheme, data: GradingInput, methods: Iterable[str]
                  ) -> dict[str, GradingResult]:
    """Grade ``data`` under each of ``methods`` (the method comparison). Every sheet is
    checked and totalled once; only the aggregation, grades and ranks are per method,
    so three methods cost little more than one on a large batch."""
    sheets: dict[str, dict[str, Mapping[str, Decimal]]] = {}
    for (centre, expert), sheet in data.scores.items():
        sheets.setdefault(centre, {})[expert] = sheet
    layout = _Layout(scheme)
    totals = [_centre_totals(scheme, data, c, sheets.get(c, {}), layout)
              for c in data.centre_ids()]
    graded = {}
    for method in methods:
        results = [_centre_result(scheme, t, method) for t in totals]
        _assign_grades(scheme, results)
        _assign_ranks(results)
        for r in results:
            r.flags.sort()
        graded[method] = GradingResult(scheme, results)
    return graded


class _Layout:
    """The scheme's indicators as ids, looked up once per grading rather than per sheet;
    ``checked`` remembers the (indicator, value) pairs already found allowed."""

    def __init__(self, scheme: Scheme) -> None:
        self.expert_ids = [i.id for i in scheme.expert_indicators]
        self.expert_id_set = frozenset(self.expert_ids)
        self.dimension_ids = [(d.id, [i.id for i in scheme.indicators_of(d.id)])
                              for d in scheme.dimensions]
        self.checked: set[tuple[str, Decimal]] = set()


@dataclass
class _Totals:
    """What grading one centre does not depend on the aggregation method for."""

    centre: str
    totals: dict[str, Decimal]
    dim_totals: dict[str, dict[str, Decimal]]
    incomplete: list[str]
    vetoes: list[str]
    flags: list[str]


def _centre_totals(scheme: Scheme, data: GradingInput, centre: str,
                   sheets: Mapping[str, Mapping[str, Decimal]], layout: _Layout) -> _Totals:
    agg = scheme.aggregation
    auto: dict[str, Decimal] = {}
    if sheets:
        metrics = data.metrics.get(centre, {})
        for ind in scheme.automatic_indicators:
            if ind.source_metric not in metrics:
                raise InputError(_("centre {centre} has no value for metric {metric}, which "
                                   "indicator {id} is scored from").format(
                                       centre=centre, metric=ind.source_metric, id=ind.id),
                                 field="metric")
            auto[ind.id] = automatic_points(scheme, ind, metrics[ind.source_metric])

    totals: dict[str, Decimal] = {}
    dim_totals: dict[str, dict[str, Decimal]] = {}
    incomplete = []
    for expert in sorted(sheets):
        sheet = sheets[expert]
        unchecked = dict(sheet.items() - layout.checked)   # (indicator, value) pairs
        check_sheet(scheme, centre, expert, unchecked)
        layout.checked.update(unchecked.items())
        if not layout.expert_id_set.issubset(sheet.keys()):
            incomplete.append(expert)
            continue
        points = {**sheet, **auto}
        dims = {d: sum([points[i] for i in ids], Decimal(0)) for d, ids in layout.dimension_ids}
        dim_totals[expert] = dims
        # every indicator is in exactly one dimension, and Decimal sums are exact
        totals[expert] = sum(dims.values(), Decimal(0))

    vetoes = sorted(data.vetoes.get(centre, ()))
    flags = [VETO_FLAG_PREFIX + v for v in vetoes]
    n = len(totals)
    if n >= 2 and max(totals.values()) - min(totals.values()) > agg.disagreement:
        flags.append(FLAG_DISAGREEMENT)
    if n < agg.min_experts or n == 0:
        flags.append(FLAG_INCOMPLETE)
    return _Totals(centre, totals, dim_totals, incomplete, vetoes, flags)


def _centre_result(scheme: Scheme, t: _Totals, method: str | None) -> CentreResult:
    agg = scheme.aggregation
    totals, dim_totals = dict(t.totals), {e: dict(d) for e, d in t.dim_totals.items()}
    if FLAG_INCOMPLETE in t.flags:
        return CentreResult(t.centre, totals, dim_totals, list(t.incomplete), {}, None, None,
                            list(t.vetoes), flags=list(t.flags))
    final = aggregate(totals.values(), agg, method)
    dimensions = {d.id: aggregate((dim_totals[e][d.id] for e in totals), agg, method)
                  for d in scheme.dimensions}
    return CentreResult(t.centre, totals, dim_totals, list(t.incomplete), dimensions, final,
                        round_half_up(final, agg.decimals), list(t.vetoes),
                        flags=list(t.flags))


def _base_band(scheme: Scheme, score: Decimal) -> int:
    for index, band in enumerate(scheme.grades):
        if band.min <= score:
            return index
    return len(scheme.grades) - 1


def _assign_grades(scheme: Scheme, results: list[CentreResult]) -> None:
    worst = len(scheme.grades) - 1
    graded = [r for r in results if r.final_rounded is not None and not r.vetoed]
    band_of: dict[str, int | None] = {r.centre: _base_band(scheme, r.final_rounded)
                                      for r in graded}
    for index, band in enumerate(scheme.grades):
        if band.max_share is None:
            continue
        allowed = math.floor(Fraction(len(graded)) * Fraction(band.max_share))
        members = sorted((r for r in graded if band_of[r.centre] == index),
                         key=lambda r: (-r.final_rounded, r.centre))
        if len(members) <= allowed:
            continue
        overflow = members[allowed:]
        if allowed > 0 and members[allowed - 1].final_rounded == members[allowed].final_rounded:
            tie_score = members[allowed].final_rounded
            for r in members:
                if r.final_rounded == tie_score:
                    band_of[r.centre] = None
                    r.flags.append(FLAG_QUOTA_TIE)
            overflow = [r for r in overflow if r.final_rounded != tie_score]
        for r in overflow:
            band_of[r.centre] = min(index + 1, worst)
    for r in results:
        if r.vetoed:
            r.grade = scheme.grades[worst]
        elif r.centre in band_of and band_of[r.centre] is not None:
            r.grade = scheme.grades[band_of[r.centre]]


def _assign_ranks(results: Iterable[CentreResult]) -> None:
    ranked = sorted((r for r in results if r.final_rounded is not None and not r.vetoed),
                    key=lambda r: -r.final_rounded)
    previous: Decimal | None = None
    rank = 0
    for position, r in enumerate(ranked, 1):
        if r.final_rounded != previous:
            rank = position
            previous = r.final_rounded
        r.rank = rank


def result_to_json(result: GradingResult) -> dict:
    """The ``cmrc grade`` JSON document of GRADING.md."""
    decimals = result.scheme.aggregation.decimals

    def f(value: Decimal | Fraction) -> str:
        return format(round_half_up(value, decimals), "f")

    centres = []
    for r in result.centres:
        centres.append({
            "centre": r.centre,
            "experts": r.experts,
            "expert_totals": {e: f(t) for e, t in sorted(r.expert_totals.items())},
            "dimensions": {d: f(v) for d, v in r.dimensions.items()},
            "final": f(r.final) if r.final is not None else None,
            "grade": r.grade.label if r.grade else None,
            "rank": r.rank,
            "flags": list(r.flags),
        })
    return {"scheme": result.scheme.id, "centres": centres}


def check_sheet(scheme: Scheme, centre: str, expert: str, sheet: Mapping[str, Decimal]
                ) -> None:
    """Raise an InputError naming centre, expert, indicator and value for a bad score."""
    for ind_id, value in sheet.items():
        ind = scheme.indicator(ind_id)
        problem = (_("unknown indicator {id}").format(id=ind_id) if ind is None
                   else score_problem(ind, value))
        if problem:
            raise InputError(_("centre {centre}, expert {expert}: {problem}").format(
                centre=centre, expert=expert, problem=problem), field=ind_id)
