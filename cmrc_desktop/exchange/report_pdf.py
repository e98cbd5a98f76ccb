"""The result report (评审结果报告): the signed PDF the panel leader and the secretary sign.

Pages, in this order:

* cover — title, batch, year, kind and stage, scheme (name, version, SHA-256), how the
  final score is computed, the grade bands, the date, the panel and the number of centres;
* ranking — every centre, ranked first (by rank, then id), then the unranked by id: rank,
  centre, level, final score, grade and flags; the flags explained; the grade counts;
* one page per centre (by id) — name, host, level and field; the final score, grade,
  rank and complete sheets; a radar chart of the dimension scores as a share of each
  dimension's maximum (with the average of the graded centres for comparison) beside the
  dimension scores; the spread of the expert totals on a 0–total axis with the final score
  marked; the final score and grade under each aggregation method; flags and vetoes in
  words. A centre that cannot be graded says so plainly;
* signatures — lines for the panel leader and the secretary, and a note on the electronic
  signature.

Every figure is printed with :func:`fmt` (exact, half-up); floats are used only for the
geometry of the charts. The file is signed with the batch key (the batch CA itself, no
chain above it) as PAdES (ETSI.CAdES.detached, SHA-256) over the entire file and written
atomically. :func:`verify_report_pdf` accepts it only when intact, valid, signed by the
given batch certificate and covering every byte of the file.

Everything comes from one :class:`ReportData` snapshot; nothing here reads the database.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from xml.sax.saxutils import escape

from cryptography import x509

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.limits import MAX_REPORT_PDF
from cmrc_desktop.domain.numbers import fmt, plain
from cmrc_desktop.domain.scheme import METHODS, Scheme
from cmrc_desktop.domain.workspace import Centre, label
from cmrc_desktop.exchange.atomic_file import atomic_path
from cmrc_desktop.exchange.pdf_signing import (
    check_entire_file,
    guarded,
    read_pdf_file,
    sign_pdf,
    single_signature,
)
from cmrc_desktop.exchange.pdf_style import (
    CONTENT_W,
    FRAME_H,
    INK,
    MUTED,
    RULE,
    SHADE_HEAD,
    SHADE_LABEL,
    SHADE_SUB,
    StyledLayout,
    utc_offset,
)
from cmrc_desktop.exchange.report_data import (
    METHOD_SENSITIVE,
    ReportData,
    final_score_rule,
    flag_label,
    flag_text,
    method_name,
)
from cmrc_desktop.i18n import _, is_chinese
from cmrc_desktop.scoring.builtin import catalog
from cmrc_desktop.scoring.grading import FLAG_QUOTA_TIE, VETO_FLAG_PREFIX, CentreResult
from cmrc_desktop.signing.keys import KeyPair, common_name, fingerprint

FIELD_NAME = "BatchSignature"
DASH = "—"

# chart colours
CENTRE_FILL = (0.16, 0.38, 0.68)
CENTRE_LINE = (0.10, 0.27, 0.52)
AVERAGE_LINE = (0.45, 0.45, 0.5)
WEB = (0.72, 0.74, 0.78)
SPREAD_BAND = (0.99, 0.85, 0.62)
SPREAD_DOT = (0.10, 0.27, 0.52)
FINAL_MARK = (0.75, 0.12, 0.12)
WARN = (0.7, 0.2, 0.05)

RADAR_W = 256                       # the radar is as tall as its labels need
BARS_H = 120
RADAR_MAX_RADIUS = 82
SPREAD_H = 84


def report_title() -> str:
    return _("Clinical research centre evaluation result report")


# -- writing ---------------------------------------------------------------------------------
def write_report_pdf(path: str | Path, data: ReportData, signer: KeyPair) -> None:
    """Write the result report of ``data`` at ``path``, signed with ``signer`` (the batch
    CA key pair), atomically: all or nothing."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    # one moment for the time printed on the last page, /M and the CMS signing time
    moment = dt.datetime.now().astimezone().replace(microsecond=0)
    document = _Report(data, signer, moment).build()
    writer = IncrementalPdfFileWriter(io.BytesIO(document))
    signed = sign_pdf(
        writer, signer, field_name=FIELD_NAME, name=common_name(signer.cert) or data.batch.name,
        reason=_("Result report of the evaluation batch {batch}").format(batch=data.batch.id),
        moment=moment)
    with atomic_path(path) as tmp:
        tmp.write_bytes(signed)


# -- reading ---------------------------------------------------------------------------------
def verify_report_pdf(path: str | Path, *, trust_root: x509.Certificate) -> None:
    """Refuse (``InputError``) unless the report at ``path`` is intact, validly signed by
    the batch certificate ``trust_root`` itself and the signature covers the entire file."""
    data = read_pdf_file(path, MAX_REPORT_PDF)
    try:
        guarded(data, lambda d: _verify(d, trust_root))
    except InputError as exc:
        exc.file = exc.file or str(path)
        raise


def _verify(data: bytes, trust_root: x509.Certificate) -> None:
    _reader, sig = single_signature(
        data, encrypted=_("the PDF is encrypted; a result report never is"),
        several=_("the PDF carries {count} signatures; a result report carries exactly one"))
    checked = check_entire_file(data, sig, trust_root)
    if not checked.trusted or checked.signer != trust_root:
        raise InputError(_("the report is not signed with the key of this batch"))
    if any(c != trust_root for c in checked.chain):
        raise InputError(_("the PDF was modified after signing"))


# -- what is printed -------------------------------------------------------------------------
@dataclass(frozen=True)
class _Axis:
    """One dimension on the radar: its name, its score and its share of the maximum."""

    name: str
    score: str          # "17.33"
    max: str            # "20"
    share: Fraction     # score / max, in [0, 1]


def _local(iso: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone() if moment.tzinfo else moment


def _date(moment: dt.datetime | None, fallback: str = "") -> str:
    if moment is None:
        return fallback
    return _("{year}-{month:02d}-{day:02d}").format(year=moment.year, month=moment.month,
                                                   day=moment.day)


def _sep() -> str:
    return "、" if is_chinese() else ", "


def _colon() -> str:
    return "：" if is_chinese() else ": "


def _method_words(scheme: Scheme) -> str:
    agg = scheme.aggregation
    first = final_score_rule(scheme)
    return ("" if is_chinese() else " ").join((first, _(
        "A centre with fewer than {n} complete sheets gets no final score, grade or rank; "
        "figures are rounded half-up to {decimals} decimals.").format(
            n=agg.min_experts, decimals=agg.decimals)))


def _bands(scheme: Scheme) -> str:
    parts = []
    previous: Decimal | None = None
    for band in scheme.grades:
        if band.min > 0:
            text = _("{grade} ≥ {min}").format(grade=band.display, min=plain(band.min))
        elif previous is not None:
            text = _("{grade} below {min}").format(grade=band.display, min=plain(previous))
        else:
            text = band.display
        if band.max_share is not None:
            text = _("{band} (at most {share} of the graded centres)").format(
                band=text, share=plain(band.max_share * 100) + "%")
        parts.append(text)
        previous = band.min
    return "；".join(parts) if is_chinese() else "; ".join(parts)


class _Report(StyledLayout):
    """The reportlab document of one :class:`ReportData`."""

    def __init__(self, data: ReportData, signer: KeyPair, moment: dt.datetime) -> None:
        super().__init__()
        from reportlab.lib.colors import Color
        from reportlab.lib.enums import TA_CENTER
        from reportlab.lib.styles import ParagraphStyle

        self.data, self.signer, self.moment = data, signer, moment
        self.scheme = data.scheme
        self.decimals = data.scheme.aggregation.decimals
        self.dim_max = {d.id: data.scheme.dimension_max(d.id) for d in data.scheme.dimensions}
        self.ranked_count = sum(1 for r in data.result.centres if r.rank is not None)
        self.subtitle = ParagraphStyle("cmrc-st", parent=self.cell, fontSize=13, leading=19,
                                       alignment=TA_CENTER)
        self.centre_head = ParagraphStyle("cmrc-ch", parent=self.cell, fontSize=9,
                                          leading=12, alignment=TA_CENTER,
                                          textColor=Color(*MUTED))
        self.figure = ParagraphStyle("cmrc-fg", parent=self.cell, fontSize=12, leading=15,
                                     alignment=TA_CENTER)
        self.body = ParagraphStyle("cmrc-b", parent=self.text, fontSize=9, leading=14)
        self.item = ParagraphStyle("cmrc-li", parent=self.body, leftIndent=12,
                                   bulletIndent=2, spaceAfter=1.5, bulletFontName=self.font)
        self.warn = ParagraphStyle("cmrc-w", parent=self.body, textColor=Color(*WARN),
                                   spaceBefore=3)
        self.reason = ParagraphStyle("cmrc-r", parent=self.body, leftIndent=12,
                                     textColor=Color(*MUTED), spaceAfter=1.5)
        # words (English labels, grades, flags) wrap between words, never inside one; data
        # (names of centres and institutions) keep wrapping anywhere, as Chinese does
        self.word_c = ParagraphStyle("cmrc-wc", parent=self.cell_c)
        self.word = ParagraphStyle("cmrc-wd", parent=self.cell)
        if not is_chinese():
            for style in (self.head, self.info_label, self.word_c, self.word):
                style.wordWrap = None

    # helpers ------------------------------------------------------------------------------
    def f(self, value) -> str:
        return fmt(value, self.decimals)

    def centre(self, centre_id: str) -> Centre | None:
        return self.data.centres.get(centre_id)

    def centre_name(self, centre_id: str) -> str:
        c = self.centre(centre_id)
        return c.name if c else centre_id

    def level(self, centre: Centre | None) -> str:
        if centre is None:
            return ""
        found = catalog().level(centre.level)
        return found.display if found else centre.level

    def field(self, centre: Centre | None) -> str:
        if centre is None:
            return ""
        found = catalog().field(centre.field)
        text = found.display if found else centre.field
        if centre.sub_field:
            text += ("（{}）" if is_chinese() else " ({})").format(centre.sub_field)
        return text

    def grade(self, r: CentreResult) -> str:
        if r.grade is not None:
            return r.grade.display
        if FLAG_QUOTA_TIE in r.flags:
            return _("not yet decided")
        return DASH

    def grade_label(self, text: str | None) -> str:
        """A grade label as stored (Chinese) in the language of the moment."""
        if not text:
            return DASH
        band = next((g for g in self.scheme.grades if g.label == text), None)
        return band.display if band else text

    def flags(self, r: CentreResult) -> list[str]:
        flags = list(r.flags)
        if r.centre in self.data.method_sensitive and METHOD_SENSITIVE not in flags:
            flags.append(METHOD_SENSITIVE)
        return flags

    def final(self, r: CentreResult) -> str:
        return self.f(r.final_rounded) if r.final_rounded is not None else DASH

    def rank(self, r: CentreResult) -> str:
        return str(r.rank) if r.rank is not None else DASH

    def ordered(self) -> list[CentreResult]:
        """Ranked first (by rank, then id), then the unranked by id."""
        results = self.data.result.centres
        ranked = sorted((r for r in results if r.rank is not None),
                        key=lambda r: (r.rank, r.centre))
        return ranked + sorted((r for r in results if r.rank is None), key=lambda r: r.centre)

    def fit(self, texts, least: float, most: float, size: float = 8) -> float:
        """A column width that holds the widest of ``texts`` on one line, within bounds."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        widest = max((stringWidth(t, self.font, size) for t in texts), default=0)
        return min(max(widest + 8, least), most)

    def table(self, rows, widths, style, **kwargs):
        from reportlab.platypus import Table

        table = Table(rows, colWidths=widths, **kwargs)
        table.setStyle(self.grid() + style)
        return table

    # document -----------------------------------------------------------------------------
    def build(self) -> bytes:
        data = self.data
        out = io.BytesIO()
        title = report_title()
        doc = self.document(out, title=f"{title} — {data.batch.name}", author=data.batch.name,
                            subject=f"{data.batch.name} · {data.batch.id}", template="report")

        def footer(page: int, pages: int) -> tuple[str, str]:
            return title, "{} · {}".format(data.batch.name, _("page {page} of {pages}").format(
                page=page, pages=pages))

        doc.build(self._story(), canvasmaker=self.footer_canvas(footer))
        return out.getvalue()

    def _story(self) -> list:
        from reportlab.platypus import KeepInFrame, PageBreak

        story = self._cover() + [PageBreak()] + self._ranking() + [PageBreak()]
        for r in sorted(self.data.result.centres, key=lambda r: r.centre):
            story += [KeepInFrame(CONTENT_W, FRAME_H - 2, self._centre_page(r), mode="shrink"),
                      PageBreak()]
        story += self._signatures()
        return story

    # cover --------------------------------------------------------------------------------
    def _cover(self) -> list:
        from reportlab.platypus import Spacer

        data, scheme, batch = self.data, self.scheme, self.data.batch
        label_style, info = self.info_label, self.info
        rows = [
            (_("Evaluation batch"), batch.name),
            (_("Batch ID"), batch.id),
            (_("Year"), str(batch.year)),
            (_("Evaluation type"), label(batch.kind)),
            (_("Evaluation stage"), label(batch.stage)),
            (_("Scheme"), _("{name} (version {version})").format(name=scheme.display,
                                                                   version=scheme.version)),
            (_("Scheme SHA-256"), (scheme.sha256 or batch.scheme_sha256)[:16]),
            (_("Aggregation method"), _method_words(scheme)),
            (_("Grade bands"), _bands(scheme)),
            (_("Centres evaluated"), str(len(data.result.centres))),
            (_("Report date"), _date(_local(data.generated_at), data.generated_at)),
        ]
        table = self.table([[self.p(k, label_style), self.p(v, info)] for k, v in rows],
                           (92, CONTENT_W - 92),
                           [("BACKGROUND", (0, 0), (0, -1), SHADE_LABEL),
                            ("TOPPADDING", (0, 0), (-1, -1), 4.5),
                            ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                            ("LEFTPADDING", (1, 0), (1, -1), 6)])
        return [Spacer(1, 46), self.title(report_title(), 22), Spacer(1, 8),
                self.p(batch.name, self.subtitle), Spacer(1, 30), table,
                self.p(_("Evaluation panel"), self.section), self._panel()]

    def _panel(self):
        experts = sorted(self.data.experts.values(), key=lambda e: e.id)
        head = [self.p(t, self.head) for t in (
            _("No."), _("Expert ID"), _("Name"), _("Institution"), _("Professional title"),
            _("Specialty"))]
        rows = [head] + [
            [self.p(str(n), self.cell_c), self.p(e.id, self.cell_c), self.p(e.name, self.cell_c),
             self.p(e.institution), self.p(e.title, self.cell_c), self.p(e.specialty)]
            for n, e in enumerate(experts, 1)]
        if not experts:
            rows.append([self.p(_("none"), self.cell_c), "", "", "", "", ""])
        widths = [30, 56, 60, 0, 64, 96]
        widths[3] = CONTENT_W - sum(widths)
        style = [("BACKGROUND", (0, 0), (-1, 0), SHADE_HEAD),
                 ("LINEBELOW", (0, 0), (-1, 0), 1.0, INK)]
        if not experts:
            style.append(("SPAN", (0, 1), (-1, 1)))
        return self.table(rows, widths, style, repeatRows=1)

    # ranking ------------------------------------------------------------------------------
    def _ranking(self) -> list:
        from reportlab.platypus import Spacer

        head = [self.p(t, self.head) for t in (
            _("Rank"), _("Centre"), _("Level"), _("Final score"), _("Grade"), _("Flags"))]
        rows = [head]
        seen: list[str] = []
        for r in self.ordered():
            flags = self.flags(r)
            seen += [f for f in flags if f not in seen]
            name = '{}<br/><font size="6.8" color="#555555">{}</font>'.format(  # noqa: UP032
                escape(self.centre_name(r.centre)), escape(r.centre))
            rows.append([
                self.p(self.rank(r), self.cell_c), self.markup(name, self.cell),
                self.p(self.level(self.centre(r.centre)), self.word_c),
                self.p(self.final(r), self.cell_c), self.p(self.grade(r), self.word_c),
                self.p(_sep().join(flag_label(f) for f in flags), self.word)])
        widths = [28, 0, self.fit([self.level(c) for c in self.data.centres.values()], 60, 112),
                  self.fit([_("Final score")], 46, 60, 8.5),
                  self.fit([g.display for g in self.scheme.grades], 40, 100), 84]
        widths[1] = CONTENT_W - sum(widths)
        style = [("BACKGROUND", (0, 0), (-1, 0), SHADE_HEAD),
                 ("LINEBELOW", (0, 0), (-1, 0), 1.0, INK)]
        unranked = next((n for n, r in enumerate(self.ordered(), 1) if r.rank is None), None)
        if unranked and unranked > 1:
            style.append(("LINEABOVE", (0, unranked), (-1, unranked), 1.0, INK))
        for n in range(2, len(rows), 2):
            style.append(("BACKGROUND", (0, n), (-1, n), SHADE_SUB))
        story = [self.title(_("Ranking of the centres"), 16), Spacer(1, 4),
                 self.p(_method_words(self.scheme), self.note), Spacer(1, 6),
                 self.table(rows, widths, style, repeatRows=1)]
        story += [Spacer(1, 6), self.p(self._grade_counts(), self.body)]
        if seen:
            story.append(self.p(_("Flags"), self.section))
            story += [self.p(self.explain(f), self.item, bullet="•") for f in sorted(seen)]
        return story

    def _grade_counts(self) -> str:
        counts = Counter(r.grade.label for r in self.data.result.centres if r.grade)
        parts = [_("{grade}: {n}").format(grade=g.display, n=counts.get(g.label, 0))
                 for g in self.scheme.grades]
        ungraded = sum(1 for r in self.data.result.centres if r.grade is None)
        if ungraded:
            parts.append(_("{grade}: {n}").format(grade=_("no grade"), n=ungraded))
        return _("Grades: {counts}").format(counts=_sep().join(parts))

    # one centre ---------------------------------------------------------------------------
    def _centre_page(self, r: CentreResult) -> list:
        from reportlab.platypus import Spacer

        centre = self.centre(r.centre)
        story = [self.title(self.centre_name(r.centre), 16),
                 self.p(_("Centre ID") + _colon() + r.centre, self.centre_head),
                 Spacer(1, 8), self._centre_info(r, centre), Spacer(1, 6),
                 self._summary(r)]
        if r.final is None:
            least = self.scheme.aggregation.min_experts
            if r.grade is None:
                why = _("Not graded: {n} complete sheets, the scheme requires at least {min}. "
                        "There is no final score, grade or rank.")
            else:   # vetoed: the worst grade even without a score
                why = _("No final score: {n} complete sheets, the scheme requires at least "
                        "{min}; the veto gives the worst grade.")
            story += [Spacer(1, 6), self.p(why.format(n=r.experts, min=least), self.warn)]
        else:
            story += [self.p(_("Dimension scores"), self.section), self._dimensions(r),
                      self.p(_("Dimension scores are computed by the same method, each on its "
                               "own, so they need not add up to the final score."),
                             self.note)]
        story.append(self.p(_("Spread of the expert totals"), self.section))
        if r.expert_totals:
            story += [_spread_chart(self, r), Spacer(1, 4), self._totals(r)]
        else:
            story.append(self.p(_("No complete scoresheet for this centre yet."), self.body))
        if r.incomplete_experts:
            names = _sep().join(self._expert_name(e) for e in r.incomplete_experts)
            story.append(self.p(_("Incomplete scoresheets, not counted: {sheets}.").format(
                sheets=names), self.note))
        story += self._methods(r)
        story += self._flags_and_vetoes(r)
        return story

    def _expert_name(self, expert_id: str) -> str:
        expert = self.data.experts.get(expert_id)
        return expert.name if expert else expert_id

    def _centre_info(self, r: CentreResult, centre: Centre | None):
        lab, info = self.info_label, self.info
        rows = [
            [self.p(_("Host institution"), lab), self.p(centre.host if centre else "", info),
             self.p(_("Level"), lab), self.p(self.level(centre), info)],
            [self.p(_("Disease field"), lab), self.p(self.field(centre), info),
             self.p(_("Complete sheets"), lab), self.p(str(r.experts), info)],
        ]
        wide = CONTENT_W - 2 * 72 - 128
        return self.table(rows, (72, wide, 72, 128), [
            ("BACKGROUND", (0, 0), (0, -1), SHADE_LABEL),
            ("BACKGROUND", (2, 0), (2, -1), SHADE_LABEL)])

    def _summary(self, r: CentreResult):
        """Final score, grade and rank in large type, each shrunk to fit its cell."""
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.pdfbase.pdfmetrics import stringWidth

        rank = (_("{rank} of {count}").format(rank=r.rank, count=self.ranked_count)
                if r.rank is not None else DASH)
        cells = [(_("Final score"), self.final(r)), (_("Grade"), self.grade(r)),
                 (_("Rank"), rank)]
        w = CONTENT_W / 3
        row = []
        for name, value in cells:
            size = self.figure.fontSize
            while size > 8 and stringWidth(value, self.font, size) > w - 64 - 8:
                size -= 0.5
            style = ParagraphStyle("cmrc-fgs", parent=self.figure, fontSize=size,
                                   leading=max(size * 1.25, 12))
            row += [self.p(name, self.info_label), self.p(value, style)]
        return self.table([row], (64, w - 64) * 3, [
            ("BACKGROUND", (0, 0), (0, 0), SHADE_HEAD),
            ("BACKGROUND", (2, 0), (2, 0), SHADE_HEAD),
            ("BACKGROUND", (4, 0), (4, 0), SHADE_HEAD),
            ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)])

    def axes(self, r: CentreResult) -> list[_Axis]:
        axes = []
        for d in self.scheme.dimensions:
            score = r.dimensions.get(d.id)
            top = self.dim_max[d.id]
            share = Fraction(score) / Fraction(top) if score is not None and top else Fraction(0)
            axes.append(_Axis(d.display, self.f(score) if score is not None else DASH,
                              plain(top), min(max(share, Fraction(0)), Fraction(1))))
        return axes

    @cached_property
    def average_shares(self) -> list[Fraction] | None:
        """Each dimension's mean share over the graded centres (the radar's reference)."""
        graded = [r for r in self.data.result.centres if r.dimensions]
        if len(graded) < 2:
            return None
        return [sum((a.share for a in axes), Fraction(0)) / len(graded)
                for axes in zip(*(self.axes(r) for r in graded), strict=True)]

    def _dimensions(self, r: CentreResult):
        from reportlab.platypus import Table

        axes = self.axes(r)
        head = [self.p(t, self.head) for t in (
            _("Dimension"), _("Points scored"), _("Max points"), _("Share of max"))]
        rows = [head] + [[self.p(a.name), self.p(a.score, self.cell_c),
                          self.p(a.max, self.cell_c),
                          self.p(fmt(a.share * 100, 1) + "%", self.cell_c)] for a in axes]
        width = CONTENT_W - RADAR_W - 8
        table = self.table(rows, (width - 3 * 48, 48, 48, 48), [
            ("BACKGROUND", (0, 0), (-1, 0), SHADE_HEAD),
            ("LINEBELOW", (0, 0), (-1, 0), 1.0, INK)])
        side = Table([[_radar_chart(self, axes, self.average_shares), table]],
                     colWidths=(RADAR_W + 8, width))
        side.setStyle([("FONTNAME", (0, 0), (-1, -1), self.font),
                       ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                       ("LEFTPADDING", (0, 0), (-1, -1), 0),
                       ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                       ("TOPPADDING", (0, 0), (-1, -1), 0),
                       ("BOTTOMPADDING", (0, 0), (-1, -1), 0)])
        return side

    def _totals(self, r: CentreResult):
        """The exact expert totals under the chart, at most ten to a row."""
        items = sorted(r.expert_totals.items())
        per_row = min(10, len(items))
        lead, width = 52, min(64, (CONTENT_W - 52) / per_row)
        rows, style = [], [("BACKGROUND", (0, 0), (0, -1), SHADE_LABEL)]
        for start in range(0, len(items), per_row):
            chunk = items[start:start + per_row]
            first = len(rows)
            rows.append([self.p(_("Expert"), self.info_label)]
                        + [self.p(self._expert_name(e), self.cell_c) for e, _t in chunk]
                        + [""] * (per_row - len(chunk)))
            rows.append([self.p(_("Total"), self.info_label)]
                        + [self.p(self.f(t), self.cell_c) for _e, t in chunk]
                        + [""] * (per_row - len(chunk)))
            style.append(("BACKGROUND", (1, first), (-1, first), SHADE_SUB))
        return self.table(rows, [lead] + [width] * per_row, style, hAlign="LEFT")

    def _methods(self, r: CentreResult) -> list:
        figures = self.data.sensitivity.get(r.centre, {})
        if not any(f.final for f in figures.values()):
            return []
        own = self.scheme.aggregation.method
        order = [own] + [m for m in METHODS if m != own and m in figures]
        head = [self.p(t, self.head) for t in (
            _("Aggregation method"), _("Final score"), _("Grade"))]
        rows = [head]
        style = [("BACKGROUND", (0, 0), (-1, 0), SHADE_HEAD),
                 ("LINEBELOW", (0, 0), (-1, 0), 1.0, INK)]
        for method in order:
            figure = figures.get(method)
            if figure is None:
                continue
            name = method_name(method)
            if method == own:
                name = _("{method} (this scheme)").format(method=name)
                style.append(("BACKGROUND", (0, len(rows)), (-1, len(rows)), SHADE_LABEL))
            rows.append([self.p(name), self.p(figure.final or DASH, self.cell_c),
                         self.p(self.grade_label(figure.grade), self.word_c)])
        story = [self.p(_("Method comparison"), self.section),
                 self.table(rows, (CONTENT_W - 2 * 90, 90, 90), style)]
        if r.centre in self.data.method_sensitive:
            story.append(self.p("▲ " + flag_label(METHOD_SENSITIVE), self.warn))
        else:
            story.append(self.p(_("The grade is the same under every method."), self.note))
        return story

    def _flags_and_vetoes(self, r: CentreResult) -> list:
        flags = self.flags(r)
        reasons = dict(self.data.vetoes.get(r.centre, []))
        story = [self.p(_("Flags and vetoes"), self.section)]
        if not flags and not reasons:
            return story + [self.p(_("none"), self.body)]
        for f in flags:
            story.append(self.p(self.explain(f), self.item, bullet="•"))
            veto_id = f.removeprefix(VETO_FLAG_PREFIX) if f.startswith(VETO_FLAG_PREFIX) else None
            if veto_id is not None and reasons.get(veto_id):
                story.append(self.p(_("Reason: {reason}").format(reason=reasons.pop(veto_id)),
                                    self.reason))
        for veto_id, reason in reasons.items():   # a veto recorded without its flag
            veto = self.scheme.veto(veto_id)
            what = f"{veto_id} {veto.display}" if veto else veto_id
            story.append(self.p(_("{veto}: {reason}").format(veto=what, reason=reason),
                                self.item, bullet="•"))
        return story

    def explain(self, flag: str) -> str:
        """A flag's short name and its meaning (a veto's meaning already names it)."""
        if flag.startswith(VETO_FLAG_PREFIX):
            return flag_text(flag, self.scheme)
        return _("{flag}: {meaning}").format(flag=flag_label(flag),
                                             meaning=flag_text(flag, self.scheme))

    # signatures ---------------------------------------------------------------------------
    def _signatures(self) -> list:
        from reportlab.platypus import KeepTogether, Spacer, Table

        data = self.data
        rows = []
        for who in (_("Panel leader (signature)"), _("Secretary (signature)")):
            rows.append([self.p(who + _colon().rstrip(), self.text), "",
                         self.p(_("Date") + _colon().rstrip(), self.text), ""])
        table = Table(rows, colWidths=(128, 180, 46, CONTENT_W - 354))
        table.setStyle([
            ("FONTNAME", (0, 0), (-1, -1), self.font),
            ("LINEBELOW", (1, 0), (1, -1), 0.8, INK), ("LINEBELOW", (3, 0), (3, -1), 0.8, INK),
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("TOPPADDING", (0, 0), (-1, -1), 34), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)])
        groups = " ".join(fingerprint(self.signer.cert)[i:i + 4].upper()
                          for i in range(0, 64, 4))
        when = self.moment.strftime("%Y-%m-%d %H:%M") + " " + utc_offset(self.moment)
        note = _("This document is signed electronically with the key of the evaluation "
                 "batch ({name}) at {time}; certificate SHA-256 fingerprint: {fingerprint}. "
                 "The signature covers the entire file: any change to the file breaks "
                 "it.").format(name=common_name(self.signer.cert) or data.batch.name,
                                time=when, fingerprint=groups)
        box = self.table([[self.p(note, self.body)]], (CONTENT_W,), [
            ("BACKGROUND", (0, 0), (-1, -1), SHADE_LABEL), ("BOX", (0, 0), (-1, -1), 0.5, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 7)])
        statement = _("The evaluation panel has reviewed the results of the {count} centres in "
                      "this report (evaluation batch {batch}) and confirms the scores, grades "
                      "and ranks it contains.").format(count=len(data.result.centres),
                                                       batch=data.batch.name)
        return [Spacer(1, 30), self.title(_("Confirmation by the panel"), 18), Spacer(1, 24),
                self.p(statement, self.body), Spacer(1, 12),
                KeepTogether([table, Spacer(1, 40), box])]


# -- charts ----------------------------------------------------------------------------------
def _drawing(layout: _Report, width: float, height: float):
    """An empty chart whose text state starts in the bundled font (reportlab would otherwise
    declare Helvetica, never used and never embedded)."""
    from reportlab.graphics.shapes import Drawing

    drawing = Drawing(width, height)
    drawing.initialFontName = layout.font
    return drawing


def _rgb(triple, alpha: float | None = None):
    from reportlab.lib.colors import Color

    return Color(*triple, alpha=1 if alpha is None else alpha)


def _wrap_label(text: str, font: str, size: float, width: float) -> list[str]:
    """A dimension name on at most two lines no wider than ``width`` (words kept whole
    where there are words, Chinese broken anywhere)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return [text]
    words = text.split(" ")
    if len(words) > 1:
        line = ""
        for i, word in enumerate(words):
            trial = f"{line} {word}".strip()
            if line and stringWidth(trial, font, size) > width:
                return [line, " ".join(words[i:])]
            line = trial
        return [line]
    cut = len(text)
    while cut > 1 and stringWidth(text[:cut], font, size) > width:
        cut -= 1
    return [text[:cut], text[cut:]]


def _radar_chart(layout: _Report, axes: list[_Axis], average: list[Fraction] | None):
    """A spider chart: webs at 20–100 %, one spoke per dimension with its name and score,
    the centre's polygon filled and, dashed, the average of the graded centres. The
    drawing is as tall as its labels need."""
    from reportlab.graphics.shapes import Circle, Line, Polygon, PolyLine, Rect, String
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font, n = layout.font, len(axes)
    if n < 3:   # a radar needs three spokes: draw the shares as bars instead
        return _bar_chart(layout, axes)
    legend_h, size, small, gap = 18, 7.6, 6.6, 1.5
    cx = RADAR_W / 2
    angles = [math.pi / 2 - 2 * math.pi * i / n for i in range(n)]
    labels = [[(t, size, INK) for t in _wrap_label(a.name, font, size, 74)]
              + [(f"{a.score} / {a.max}", small, CENTRE_LINE)] for a in axes]
    widths = [max(stringWidth(t, font, sz) for t, sz, _c in lines) for lines in labels]
    blocks = [sum(sz + gap for _t, sz, _c in lines) for lines in labels]
    # a label sits beside its spoke's end, or centred below it when the spoke points down
    centred = [abs(math.cos(a)) < 0.2 or math.sin(a) <= -0.45 for a in angles]
    # the largest radius that keeps every label inside the width
    radius = RADAR_MAX_RADIUS
    for angle, w, middle in zip(angles, widths, centred, strict=True):
        c = abs(math.cos(angle))
        if middle and c > 0.05:
            radius = min(radius, (cx - 4 - w / 2) / c - 4)
        elif not middle:
            radius = min(radius, (cx - 4 - w) / c - 8)
    radius = max(radius, 36)
    # where each label block starts (its first baseline), relative to the centre
    above = below = radius
    starts = []
    for angle, block, middle in zip(angles, blocks, centred, strict=True):
        c, s = math.cos(angle), math.sin(angle)
        if middle:
            x, top = (radius + 4) * c, ((radius + 7) * s + block if s > 0
                                        else (radius + 5) * s - 2)
            anchor = "middle"
        else:
            x, y = (radius + 8) * c, (radius + 7) * s
            top = y + (block if s > 0.2 else block / 2)
            anchor = "start" if c > 0 else "end"
        above, below = max(above, top), max(below, -(top - block))
        starts.append((cx + x, top - size, anchor))
    cy = legend_h + below + 4
    drawing = _drawing(layout, RADAR_W, cy + above + 3)

    def point(i: int, share: float) -> tuple[float, float]:
        return (cx + radius * share * math.cos(angles[i]),
                cy + radius * share * math.sin(angles[i]))

    steps = (0.2, 0.4, 0.6, 0.8, 1.0)
    for step in steps:
        ring = [v for i in range(n) for v in point(i, step)]
        drawing.add(Polygon(ring, fillColor=None, strokeColor=_rgb(WEB),
                            strokeWidth=0.8 if step == 1.0 else 0.45))
    for i in range(n):
        drawing.add(Line(cx, cy, *point(i, 1.0), strokeColor=_rgb(WEB), strokeWidth=0.45))
    # the scale, where each web crosses the bisector of the first two spokes: a clearing
    # in the web now, the figure over the polygons at the end
    middle = (angles[0] + angles[1]) / 2
    scale = []
    for step in steps:
        d = radius * step * math.cos(math.pi / n)
        x, y = cx + d * math.cos(middle), cy + d * math.sin(middle)
        text = f"{int(step * 100)}%"
        w = stringWidth(text, font, 5.4)
        drawing.add(Rect(x - w / 2 - 0.8, y - 2.6, w + 1.6, 6, fillColor=_rgb((1, 1, 1)),
                         strokeColor=None))
        scale.append(String(x, y - 1.8, text, fontName=font, fontSize=5.4,
                            textAnchor="middle", fillColor=_rgb(AVERAGE_LINE)))
    if average is not None:
        ring = [v for i, share in enumerate(average) for v in point(i, float(share))]
        drawing.add(PolyLine(ring + ring[:2], strokeColor=_rgb(AVERAGE_LINE),
                             strokeWidth=0.9, strokeDashArray=[2.5, 1.8]))
    shape = [v for i, a in enumerate(axes) for v in point(i, float(a.share))]
    drawing.add(Polygon(shape, fillColor=_rgb(CENTRE_FILL, 0.28),
                        strokeColor=_rgb(CENTRE_LINE), strokeWidth=1.3))
    for i, a in enumerate(axes):
        drawing.add(Circle(*point(i, float(a.share)), 1.9, fillColor=_rgb(CENTRE_LINE),
                           strokeColor=None))
    for text in scale:
        drawing.add(text)
    for (x, y, anchor), lines in zip(starts, labels, strict=True):
        y += cy
        for text, sz, colour in lines:
            drawing.add(String(x, y, text, fontName=font, fontSize=sz,
                               fillColor=_rgb(colour), textAnchor=anchor))
            y -= sz + gap
    _radar_legend(layout, drawing, average is not None)
    return drawing


def _radar_legend(layout: _Report, drawing, with_average: bool) -> None:
    from reportlab.graphics.shapes import Line, Rect, String
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font, size = layout.font, 6.8
    items = [("fill", _("This centre"))]
    if with_average:
        items.append(("dash", _("Average of the graded centres")))
    total = sum(16 + stringWidth(t, font, size) + 12 for _k, t in items) - 12
    x, y = (RADAR_W - total) / 2, 3
    for kind, text in items:
        if kind == "fill":
            drawing.add(Rect(x, y - 0.5, 11, 7, fillColor=_rgb(CENTRE_FILL, 0.28),
                             strokeColor=_rgb(CENTRE_LINE), strokeWidth=0.9))
        else:
            drawing.add(Line(x, y + 3, x + 11, y + 3, strokeColor=_rgb(AVERAGE_LINE),
                             strokeWidth=0.9, strokeDashArray=[2.5, 1.8]))
        drawing.add(String(x + 15, y, text, fontName=font, fontSize=size,
                           fillColor=_rgb(INK)))
        x += 16 + stringWidth(text, font, size) + 12


def _bar_chart(layout: _Report, axes: list[_Axis]):
    """Fewer than three dimensions: one horizontal bar per dimension, 0–100 %."""
    from reportlab.graphics.shapes import Line, Rect, String

    font = layout.font
    drawing = _drawing(layout, RADAR_W, BARS_H)
    left, right = 70, RADAR_W - 10
    band = min(36, (BARS_H - 30) / max(len(axes), 1))
    top = BARS_H - 10
    for step in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        x = left + (right - left) * step
        drawing.add(Line(x, 18, x, top, strokeColor=_rgb(WEB), strokeWidth=0.45))
        drawing.add(String(x, 8, f"{int(step * 100)}%", fontName=font, fontSize=5.6,
                           textAnchor="middle", fillColor=_rgb(AVERAGE_LINE)))
    for i, a in enumerate(axes):
        y = top - (i + 1) * band
        drawing.add(Rect(left, y + band * 0.25, (right - left) * float(a.share), band * 0.5,
                         fillColor=_rgb(CENTRE_FILL, 0.5), strokeColor=_rgb(CENTRE_LINE),
                         strokeWidth=0.8))
        drawing.add(String(left - 4, y + band * 0.5, a.name[:10], fontName=font,
                           fontSize=7.2, textAnchor="end", fillColor=_rgb(INK)))
        drawing.add(String(left - 4, y + band * 0.5 - 8, f"{a.score} / {a.max}",
                           fontName=font, fontSize=6.2, textAnchor="end",
                           fillColor=_rgb(CENTRE_LINE)))
    return drawing


def _nice_step(total: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if total / step <= 12:
            return step
    return total / 10


def _spread_chart(layout: _Report, r: CentreResult):
    """The expert totals on a 0–total axis: one dot per expert (stacked when they meet),
    the min–max band, the grade boundaries and the final score marked."""
    from reportlab.graphics.shapes import Circle, Line, Polygon, Rect, String
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font, scheme = layout.font, layout.scheme
    width = CONTENT_W
    total = float(scheme.total)
    left, right = 16.0, width - 16.0
    axis_y, band_y, band_h = 16.0, 24.0, 12.0

    def x(value) -> float:
        return left + (right - left) * min(max(float(value) / total, 0.0), 1.0)

    totals = sorted(r.expert_totals.values())
    placed: list[tuple[float, float]] = []     # dots, stacked upward when they would touch
    for value in totals:
        dx, dy = x(value), band_y + band_h / 2
        while any(abs(dx - px) < 5.2 and abs(dy - py) < 5.2 for px, py in placed):
            dy += 6
        placed.append((dx, dy))
    marker_top = max(max(py for _px, py in placed) + 8, band_y + band_h + 8)
    height = max(SPREAD_H, marker_top + 36)
    drawing = _drawing(layout, width, height)

    # grade boundaries, faint, labelled at the top (a label that would touch the one
    # before it goes a line lower)
    row_ends = [-1e9, -1e9]
    for band in sorted(scheme.grades, key=lambda g: g.min):
        if 0 < band.min < scheme.total:
            bx = x(band.min)
            text = f"{band.display} ≥ {plain(band.min)}"
            w = stringWidth(text, font, 6)
            tx = min(max(bx, left + w / 2), right - w / 2)
            line = next((i for i, end in enumerate(row_ends) if tx - w / 2 > end + 4), 1)
            row_ends[line] = tx + w / 2
            drawing.add(Line(bx, axis_y, bx, height - 12 - 8 * line, strokeColor=_rgb(WEB),
                             strokeWidth=0.6, strokeDashArray=[2, 2]))
            drawing.add(String(tx, height - 9 - 8 * line, text, fontName=font, fontSize=6,
                               textAnchor="middle", fillColor=_rgb(AVERAGE_LINE)))
    # axis, ticks and their labels
    drawing.add(Line(left, axis_y, right, axis_y, strokeColor=_rgb(RULE), strokeWidth=0.8))
    step = _nice_step(total)
    tick = 0.0
    while tick <= total + 1e-9:
        tx = x(tick)
        drawing.add(Line(tx, axis_y - 2.5, tx, axis_y, strokeColor=_rgb(RULE),
                         strokeWidth=0.6))
        drawing.add(String(tx, axis_y - 10, f"{tick:g}", fontName=font, fontSize=6.2,
                           textAnchor="middle", fillColor=_rgb(MUTED)))
        tick += step
    if tick - step < total - 1e-9:      # a total that is not a multiple of the step
        drawing.add(Line(right, axis_y - 2.5, right, axis_y, strokeColor=_rgb(RULE),
                         strokeWidth=0.6))
        drawing.add(String(right, axis_y - 10, f"{total:g}", fontName=font, fontSize=6.2,
                           textAnchor="middle", fillColor=_rgb(MUTED)))
    # the band from the lowest to the highest total
    low, high = totals[0], totals[-1]
    drawing.add(Rect(x(low), band_y, max(x(high) - x(low), 1.5), band_h,
                     fillColor=_rgb(SPREAD_BAND), strokeColor=_rgb((0.85, 0.6, 0.25)),
                     strokeWidth=0.6))
    drawing.add(String(x(low) - 4, band_y + 3.5, layout.f(low), fontName=font,
                       fontSize=6.4, textAnchor="end", fillColor=_rgb(MUTED)))
    drawing.add(String(x(high) + 4, band_y + 3.5, layout.f(high), fontName=font,
                       fontSize=6.4, textAnchor="start", fillColor=_rgb(MUTED)))
    # the final score, under the dots
    if r.final_rounded is not None:
        fx = x(r.final_rounded)
        drawing.add(Line(fx, axis_y, fx, marker_top, strokeColor=_rgb(FINAL_MARK),
                         strokeWidth=1.1))
        drawing.add(Polygon([fx - 3.2, marker_top + 4.5, fx + 3.2, marker_top + 4.5, fx,
                             marker_top], fillColor=_rgb(FINAL_MARK), strokeColor=None))
        text = _("Final score {score}").format(score=layout.f(r.final_rounded))
        w = stringWidth(text, font, 7)
        tx = min(max(fx, left + w / 2), right - w / 2)
        drawing.add(String(tx, marker_top + 7, text, fontName=font, fontSize=7,
                           textAnchor="middle", fillColor=_rgb(FINAL_MARK)))
    for dx, dy in placed:
        drawing.add(Circle(dx, dy, 2.6, fillColor=_rgb(SPREAD_DOT),
                           strokeColor=_rgb((1, 1, 1)), strokeWidth=0.5))
    return drawing
