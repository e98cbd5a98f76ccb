"""Everything the consolidated result shows, gathered once for the workbook and the PDF.

Both writers draw from this snapshot, so they cannot disagree, and neither touches the
database (they may run on a worker thread).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cmrc_desktop.domain.scheme import Scheme
from cmrc_desktop.domain.workspace import Batch, Centre, Expert
from cmrc_desktop.scoring.grading import GradingResult

METHOD_SENSITIVE = "method-sensitive"


@dataclass(frozen=True)
class MethodFigure:
    """Final score and grade of one centre under one aggregation method."""

    final: str | None      # rounded, e.g. "86.17"
    grade: str | None      # grade label (Chinese, as in results.json)


@dataclass(frozen=True)
class MergeRow:
    file: str              # file name as received
    outcome: str           # accepted | already_merged | superseded | conflict | refused
    reason: str            # plain words, in the user's language
    expert_id: str = ""
    centre_id: str = ""
    revision: int | None = None


@dataclass(frozen=True)
class ReportData:
    batch: Batch
    scheme: Scheme
    generated_at: str                      # ISO time, UTC
    centres: dict[str, Centre]             # by id
    experts: dict[str, Expert]             # by id
    result: GradingResult                  # under the scheme's method
    sensitivity: dict[str, dict[str, MethodFigure]]  # centre -> method -> figure
    method_sensitive: frozenset[str]       # centres whose grade differs between methods
    vetoes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # centre -> (id, reason)
    merge_rows: tuple[MergeRow, ...] = ()
    # expert x indicator matrix per centre: centre -> expert -> indicator -> "5.5"
    matrix: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)


def flag_text(flag: str, scheme: Scheme) -> str:
    """A flag of GRADING.md (or method-sensitive) explained in plain words."""
    from cmrc_desktop.domain.numbers import plain
    from cmrc_desktop.i18n import _

    if flag.startswith("veto:"):
        veto = scheme.veto(flag[5:])
        return _("veto {id} ({name}): the worst grade whatever the score, no rank").format(
            id=flag[5:], name=veto.display if veto else "?")
    texts = {
        "incomplete": _("fewer complete sheets than the scheme requires ({n}): no final "
                        "score, grade or rank").format(n=scheme.aggregation.min_experts),
        "disagreement": _("expert totals differ by more than {points} points").format(
            points=plain(scheme.aggregation.disagreement)),
        "quota_tie": _("tied on the quota boundary: the committee decides the grade"),
        METHOD_SENSITIVE: _("the grade changes with the aggregation method (mean, median, "
                            "trimmed mean)"),
    }
    return texts.get(flag, flag)


def flag_label(flag: str) -> str:
    """A short name for a flag, for table cells."""
    from cmrc_desktop.i18n import _

    if flag.startswith("veto:"):
        return _("veto {id}").format(id=flag[5:])
    return {"incomplete": _("incomplete"), "disagreement": _("disagreement"),
            "quota_tie": _("quota tie"), METHOD_SENSITIVE: _("method-sensitive")}.get(flag, flag)


def method_name(method: str) -> str:
    """An aggregation method as a committee names it."""
    from cmrc_desktop.i18n import _

    names = {"mean": _("Mean"), "median": _("Median"),
             "trimmed_mean": _("Mean without the highest and lowest totals")}
    return names.get(method, method)


def final_score_rule(scheme: Scheme) -> str:
    """How the final score of this scheme is computed, in one sentence."""
    from cmrc_desktop.i18n import _

    agg = scheme.aggregation
    if agg.method == "trimmed_mean":
        return _("Final score: the mean of the expert totals after dropping the {trim} "
                 "highest and the {trim} lowest; with fewer than {n} complete sheets, the "
                 "plain mean.").format(trim=agg.trim, n=agg.trim_min_experts)
    if agg.method == "median":
        return _("Final score: the median of the expert totals.")
    return _("Final score: the mean of the expert totals.")
