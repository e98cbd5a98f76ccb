"""A scheme's parts in words, shared by its printed PDF and the window's scheme viewer, so
paper and screen say the same. Light on purpose: the batch view, the first view of a
secretary's window, uses it without loading reportlab."""

from __future__ import annotations

from decimal import Decimal

from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.domain.scheme import Check, Indicator, Scheme
from cmrc_desktop.domain.workspace import BatchKind, label
from cmrc_desktop.i18n import _, is_chinese
from cmrc_desktop.scoring.builtin import catalog

DASH = "—"


def scheme_title(scheme: Scheme) -> str:
    return scheme.display or scheme.id


def kind_label(kind: str) -> str:
    """The kind of a scheme in words (the raw text if it is not a known kind)."""
    try:
        return label(BatchKind(kind))
    except ValueError:
        return kind or DASH


def metric_name(metric_id: str) -> str:
    """A dossier metric by its catalogue name (its id if the catalogue lacks it)."""
    found = catalog().metric(metric_id)
    return found.display if found is not None else metric_id


def automatic_text(indicator: Indicator) -> str:
    """How an automatic indicator is scored, in one line ("" for an expert's one)."""
    if not indicator.automatic:
        return ""
    return _("automatic from {metric}: full points at {full_at}").format(
        metric=metric_name(indicator.source_metric or ""),
        full_at=plain(indicator.full_at) if indicator.full_at is not None else DASH)


def evidence_text(indicator: Indicator) -> str:
    """The dossier metrics shown to the expert beside the indicator ("" if none)."""
    if not indicator.evidence:
        return ""
    names = ("、" if is_chinese() else ", ").join(metric_name(m) for m in indicator.evidence)
    return _("Evidence: {metrics}").format(metrics=names)


def check_text(check: Check) -> str:
    """How a formal-review check is decided."""
    if check.metric:
        return _("automatic: {metric} at least {value}").format(
            metric=metric_name(check.metric),
            value=plain(check.at_least) if check.at_least is not None else DASH)
    return _("ticked by the secretary")


def quota_text(share: Decimal | None) -> str:
    if share is None:
        return DASH
    return _("at most {share} of the graded centres").format(share=plain(share * 100) + "%")

