"""What a printed scoresheet shows, computed once for the Excel and the PDF writer.

Both documents show the same rows in the same order, and the Excel reader compares
the visible cells against these rows, so the layout is defined here and only drawn
by the writers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cmrc_desktop.domain.catalog import Catalog
from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.domain.scheme import Scheme
from cmrc_desktop.i18n import _
from cmrc_desktop.signing.payload import SheetPayload


@dataclass(frozen=True)
class IndicatorRow:
    dimension: str        # dimension name (display language)
    indicator_id: str
    indicator: str        # indicator name
    max: str              # "6"
    guidance: str
    evidence: str         # "生物样本库、数据库数：4；生物样本量（份）：120000"
    score: str            # "5.5" or "" (not scored) or the automatic points
    comment: str
    automatic: bool = False


@dataclass(frozen=True)
class Subtotal:
    dimension_id: str
    dimension: str
    max: str
    score: str


@dataclass(frozen=True)
class SheetContent:
    title: str
    payload: SheetPayload
    rows: tuple[IndicatorRow, ...]
    subtotals: tuple[Subtotal, ...]
    total_max: str
    total: str
    date: str             # YYYY-MM-DD of signed_at

    @property
    def fingerprint(self) -> str:
        """Short payload fingerprint printed in headers and footers."""
        return self.payload.digest[:16]


def build_sheet_content(payload: SheetPayload, scheme: Scheme, catalog: Catalog,
                        metrics: dict[str, Decimal]) -> SheetContent:
    rows = []
    subtotals = []
    total = Decimal(0)
    dims = {d.id: d for d in scheme.dimensions}
    for dim in scheme.dimensions:
        dim_total = Decimal(0)
        for ind in scheme.indicators_of(dim.id):
            value = payload.scores.get(ind.id)
            if value is not None:
                dim_total += value
            evidence = "；".join(
                f"{catalog.metric(m).display if catalog.metric(m) else m}："
                f"{plain(metrics[m]) if m in metrics else '—'}"
                for m in (ind.evidence or ((ind.source_metric,) if ind.source_metric else ())))
            rows.append(IndicatorRow(
                dimension=dims[ind.dimension].display, indicator_id=ind.id,
                indicator=ind.display, max=plain(ind.max), guidance=ind.guidance,
                evidence=evidence, score="" if value is None else plain(value),
                comment=payload.comments.get(ind.id, ""), automatic=ind.automatic))
        total += dim_total
        subtotals.append(Subtotal(dim.id, dim.display,
                                  plain(sum((i.max for i in scheme.indicators_of(dim.id)),
                                            Decimal(0))), plain(dim_total)))
    return SheetContent(
        title=_("Clinical research centre evaluation scoresheet"),
        payload=payload, rows=tuple(rows), subtotals=tuple(subtotals),
        total_max=plain(scheme.total), total=plain(total), date=payload.signed_at[:10])
