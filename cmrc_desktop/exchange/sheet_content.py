"""What a printed scoresheet shows, computed once for the Excel and the PDF writer.

Both documents show the same rows in the same order, and both verifiers draw the payload
again and compare, so what a sheet shows is a function of its signed payload and the
scheme it names by hash, and of nothing else: the evidence figures are the ones signed, the
times are printed on the signer's clock (its offset is signed), and the words are those of
the language the sheet was signed in (:func:`drawn_in`), whatever the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from cmrc_desktop.domain.catalog import Catalog
from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.domain.scheme import Scheme
from cmrc_desktop.i18n import _, known_language, speaking
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
    date: str             # YYYY-MM-DD of signed_at, on the signer's clock
    signed_local: str = ""    # "2026-12-04 18:03 UTC+08:00"
    declaration: str = ""     # the expert's declaration as printed

    @property
    def fingerprint(self) -> str:
        """Short payload fingerprint printed in headers and footers."""
        return self.payload.digest[:16]


@contextmanager
def drawn_in(payload: SheetPayload) -> Iterator[None]:
    """Words of the documents in the language the sheet was signed in (a payload naming a
    language this version does not know is drawn in Chinese, and then fails to compare)."""
    with speaking(payload.lang if known_language(payload.lang) else "zh_CN"):
        yield


def local_time(payload: SheetPayload, stamp: str) -> str:
    """A UTC time of the payload as printed: the signer's clock, with its offset."""
    moment = payload.local(stamp)
    offset = payload.utc_offset
    sign = "+" if offset >= 0 else "-"
    return (f"{moment:%Y-%m-%d %H:%M} UTC{sign}{abs(offset) // 60:02d}:"
            f"{abs(offset) % 60:02d}")


def declaration_text(payload: SheetPayload) -> str:
    """The declaration printed on the sheet, in the sheet's words."""
    declared = payload.declaration
    if declared is None:
        return _("(no declaration was recorded before this sheet was signed)")
    if declared.integrity_concern:
        integrity = _("I found a serious breach of research integrity: {note}").format(
            note=declared.note)
    else:
        integrity = _("I found no falsification or other serious breach of research "
                      "integrity")
    return _("I declare that I have no conflict of interest with this centre and that I "
             "keep the dossier and my opinion confidential; {integrity}. (Declared "
             "{time})").format(integrity=integrity, time=local_time(payload, declared.at))


def evidence_text(indicator_metrics: tuple[str, ...], catalog: Catalog,
                  figures: dict[str, Decimal | None]) -> str:
    """'name：value；name：value' of the metrics an indicator shows, as signed."""
    parts = []
    for name in indicator_metrics:
        metric = catalog.metric(name)
        value = figures.get(name)
        parts.append(f"{metric.display if metric else name}："
                     f"{'—' if value is None else plain(value)}")
    return "；".join(parts)


def shown_metrics(scheme: Scheme) -> tuple[str, ...]:
    """Every metric a sheet of ``scheme`` shows as evidence (signed in the payload)."""
    seen: dict[str, None] = {}
    for ind in scheme.indicators:
        for name in ind.evidence or ((ind.source_metric,) if ind.source_metric else ()):
            seen[name] = None
    return tuple(seen)


def build_sheet_content(payload: SheetPayload, scheme: Scheme,
                        catalog: Catalog) -> SheetContent:
    with drawn_in(payload):
        return _content(payload, scheme, catalog)


def _content(payload: SheetPayload, scheme: Scheme, catalog: Catalog) -> SheetContent:
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
            metrics = ind.evidence or ((ind.source_metric,) if ind.source_metric else ())
            rows.append(IndicatorRow(
                dimension=dims[ind.dimension].display, indicator_id=ind.id,
                indicator=ind.display, max=plain(ind.max), guidance=ind.guidance,
                evidence=evidence_text(metrics, catalog, payload.evidence),
                score="" if value is None else plain(value),
                comment=payload.comments.get(ind.id, ""), automatic=ind.automatic))
        total += dim_total
        subtotals.append(Subtotal(dim.id, dim.display, plain(scheme.dimension_max(dim.id)),
                                  plain(dim_total)))
    return SheetContent(
        title=_("Clinical research centre evaluation scoresheet"),
        payload=payload, rows=tuple(rows), subtotals=tuple(subtotals),
        total_max=plain(scheme.total), total=plain(total),
        date=f"{payload.local(payload.signed_at):%Y-%m-%d}",
        signed_local=local_time(payload, payload.signed_at),
        declaration=declaration_text(payload))
