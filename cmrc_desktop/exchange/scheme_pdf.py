"""The printed scheme (指标体系): what the panel reads before it scores, on paper.

An A4 document in the family of the scoresheet and the result report (:mod:`pdf_style`):
the scheme's name, id, version, kind and total, how the final score is computed; the
indicators under their dimensions with points, step and scoring guidance (with the
evidence metrics and, for an automatic indicator, its metric); the grade bands with their
quotas; the vetoes; the formal-review checks of an application scheme. The footer of every
page names the scheme id and its full SHA-256, so a sheet of paper can be matched to the
scheme text a batch stores. Nothing here reads a database: the caller passes the scheme
(and the batch it belongs to, if any).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.domain.scheme import Indicator, Scheme
from cmrc_desktop.domain.workspace import Batch
from cmrc_desktop.exchange.atomic_file import atomic_path
from cmrc_desktop.exchange.pdf_style import (
    CONTENT_W,
    FRAME_H,
    INK,
    MUTED,
    SHADE_HEAD,
    SHADE_LABEL,
    SHADE_SUB,
    StyledLayout,
    split_in_row,
)
from cmrc_desktop.exchange.report_data import final_score_rule
from cmrc_desktop.exchange.scheme_text import (
    DASH,
    automatic_text,
    check_text,
    evidence_text,
    kind_label,
    quota_text,
    scheme_title,
)
from cmrc_desktop.i18n import _, is_chinese

# 维度 | 指标 | 分值 | 步长 | 评分标准
INDICATOR_WIDTHS = (62, 118, 34, 34, 0)


def scheme_pdf_bytes(scheme: Scheme, batch: Batch | None = None, *,
                     printed: dt.date | None = None) -> bytes:
    """The PDF of ``scheme`` (with the batch's name and id when ``batch`` is given)."""
    return _SchemeLayout(scheme, batch, printed or dt.date.today()).build()


def write_scheme_pdf(path: str | Path, scheme: Scheme, batch: Batch | None = None) -> Path:
    """Write the printed scheme at ``path``, atomically: all or nothing. A file that
    cannot be written is an ``InputError`` naming it."""
    data = scheme_pdf_bytes(scheme, batch)
    path = Path(path)
    try:
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)
    except OSError as exc:
        raise InputError(_("cannot write the file: {reason}").format(
            reason=exc.strerror or exc), file=str(path)) from None
    return path


class _SchemeLayout(StyledLayout):
    def __init__(self, scheme: Scheme, batch: Batch | None, printed: dt.date) -> None:
        super().__init__()
        from reportlab.lib.colors import Color
        from reportlab.lib.enums import TA_CENTER
        from reportlab.lib.styles import ParagraphStyle

        self.scheme, self.batch, self.printed = scheme, batch, printed
        self.subtitle = ParagraphStyle("cmrc-st", parent=self.cell, fontSize=10, leading=14,
                                       alignment=TA_CENTER, textColor=Color(*MUTED))
        self.body = ParagraphStyle("cmrc-b", parent=self.text, fontSize=9, leading=14)
        # English words wrap between words; Chinese (and the guidance, always Chinese)
        # anywhere
        self.word_c = ParagraphStyle("cmrc-wc", parent=self.cell_c)
        self.word = ParagraphStyle("cmrc-wd", parent=self.cell)
        self.evidence = ParagraphStyle("cmrc-ev", parent=self.word, fontSize=6.8, leading=9,
                                       textColor=Color(*MUTED), spaceBefore=1)
        if not is_chinese():
            for style in (self.head, self.info_label, self.word_c, self.word, self.evidence):
                style.wordWrap = None

    @property
    def sha256(self) -> str:
        return self.scheme.sha256 or (self.batch.scheme_sha256 if self.batch else "")

    def table(self, rows, widths, style, **kwargs):
        from reportlab.platypus import Table

        table = Table(rows, colWidths=widths, **kwargs)
        table.setStyle(self.grid() + style)
        return table

    def head_row(self, *titles: str) -> list:
        return [self.p(t, self.head) for t in titles]

    @staticmethod
    def head_style() -> list:
        return [("BACKGROUND", (0, 0), (-1, 0), SHADE_HEAD),
                ("LINEBELOW", (0, 0), (-1, 0), 1.0, INK)]

    # document -----------------------------------------------------------------------------
    def build(self) -> bytes:
        scheme = self.scheme
        out = io.BytesIO()
        title = scheme_title(scheme)
        doc = self.document(out, title=title, author=self.batch.name if self.batch else "",
                            subject=_("Evaluation scheme {id}, version {version}").format(
                                id=scheme.id, version=scheme.version or DASH),
                            template="scheme")
        left = _("Scheme {id} · SHA-256 {sha256}").format(id=scheme.id, sha256=self.sha256)

        def footer(page: int, pages: int) -> tuple[str, str]:
            return left, _("page {page} of {pages}").format(page=page, pages=pages)

        doc.build(self._story(), canvasmaker=self.footer_canvas(footer))
        return out.getvalue()

    def _story(self) -> list:
        from reportlab.platypus import Spacer

        scheme = self.scheme
        story = [self.title(scheme_title(scheme), 17),
                 self.p(_("Evaluation scheme · version {version}").format(
                     version=scheme.version or DASH), self.subtitle),
                 Spacer(1, 10), self._info(),
                 self.p(_("Grade bands"), self.section), self._grades()]
        if scheme.vetoes:
            story += [self.p(_("Vetoes"), self.section), self._vetoes(),
                      self.p(_("A veto gives the centre the lowest grade whatever its score, "
                               "and no rank."), self.note)]
        if scheme.checks:
            story += [self.p(_("Formal review"), self.section), self._checks(),
                      self.p(_("A centre must pass every check of the formal review before "
                               "it is scored."), self.note)]
        # the indicators start a page of their own when they fit on one
        story += [self.p(_("Indicators"), self.section), self._indicators()]
        return story

    # parts --------------------------------------------------------------------------------
    def _info(self):
        scheme, batch, agg = self.scheme, self.batch, self.scheme.aggregation
        lab, info = self.info_label, self.info
        date = _("{year}-{month:02d}-{day:02d}").format(
            year=self.printed.year, month=self.printed.month, day=self.printed.day)
        pairs = [
            ((_("Scheme ID"), scheme.id), (_("Version"), scheme.version or DASH)),
            ((_("Evaluation type"), kind_label(scheme.kind)),
             (_("Total points"), plain(scheme.total))),
        ]
        if batch is not None:
            pairs.append(((_("Evaluation batch"), batch.name), (_("Batch ID"), batch.id)))
        pairs.append(((_("Minimum complete sheets"), str(agg.min_experts)),
                      (_("Disagreement threshold"),
                       _("{points} points").format(points=plain(agg.disagreement)))))
        rows = [[self.p(a, lab), self.p(b, info), self.p(c, lab), self.p(d, info)]
                for (a, b), (c, d) in pairs]
        wide = [(_("Aggregation method"), final_score_rule(scheme) + " " + _(
            "Figures are rounded half-up to {decimals} decimals.").format(
                decimals=agg.decimals))]
        if scheme.description:
            wide.append((_("Description"), scheme.description))
        wide.append((_("Printed"), date))
        first_wide = len(rows)
        rows += [[self.p(k, lab), self.p(v, info), "", ""] for k, v in wide]
        half = (CONTENT_W - 2 * 80) / 2
        style = [("BACKGROUND", (0, 0), (0, -1), SHADE_LABEL),
                 ("BACKGROUND", (2, 0), (2, first_wide - 1), SHADE_LABEL),
                 ("LEFTPADDING", (1, 0), (1, -1), 5), ("LEFTPADDING", (3, 0), (3, -1), 5)]
        style += [("SPAN", (1, r), (3, r)) for r in range(first_wide, len(rows))]
        return self.table(rows, (80, half, 80, half), style)

    def _indicators(self):
        scheme = self.scheme
        rows: list[list] = [self.head_row(_("Dimension"), _("Indicator"), _("Points"),
                                          _("Step"), _("Scoring guidance"))]
        style = self.head_style()
        widths = list(INDICATOR_WIDTHS)
        widths[-1] = CONTENT_W - sum(widths)
        for dimension in scheme.dimensions:
            group = scheme.indicators_of(dimension.id)
            if not group:
                continue
            first = len(rows)
            for n, indicator in enumerate(group):
                rows.append([
                    self.p(f"{dimension.id}　{dimension.display}", self.word_c) if n == 0
                    else "",
                    self._indicator_cell(indicator),
                    self.p(plain(indicator.max), self.cell_c),
                    self.p(plain(indicator.step), self.cell_c),
                    self._guidance_cell(indicator),
                ])
            if len(group) > 1:
                style.append(("SPAN", (0, first), (0, len(rows) - 1)))
            r = len(rows)
            rows.append([self.p(_("{dimension} subtotal").format(dimension=dimension.display),
                                self.word_c), "",
                         self.p(plain(scheme.dimension_max(dimension.id)), self.cell_c), "", ""])
            style += [("SPAN", (0, r), (1, r)), ("SPAN", (3, r), (4, r)),
                      ("BACKGROUND", (0, r), (-1, r), SHADE_SUB),
                      ("NOSPLIT", (0, r - 1), (-1, r))]
        r = len(rows)
        rows.append([self.p(_("Total"), self.head), "", self.p(plain(scheme.total), self.head),
                     "", ""])
        style += [("SPAN", (0, r), (1, r)), ("SPAN", (3, r), (4, r)),
                  ("BACKGROUND", (0, r), (-1, r), SHADE_HEAD),
                  ("LINEABOVE", (0, r), (-1, r), 1.0, INK),
                  ("NOSPLIT", (0, r - 1), (-1, r))]
        return self.table(rows, widths, style, repeatRows=1,
                          splitInRow=split_in_row(rows, widths, FRAME_H - 40))

    def _indicator_cell(self, indicator: Indicator):
        cell = [self.p(f"{indicator.id}　{indicator.display}", self.word)]
        automatic = automatic_text(indicator)
        if automatic:
            cell.append(self.p(automatic, self.evidence))
        return cell

    def _guidance_cell(self, indicator: Indicator):
        """The guidance (Chinese, wrapping anywhere) and the evidence metrics (in the
        language of the moment, wrapping between words in English)."""
        cell = [self.p(indicator.guidance or DASH)]
        if indicator.evidence:
            cell.append(self.p(evidence_text(indicator), self.evidence))
        return cell

    def _grades(self):
        rows = [self.head_row(_("Grade"), _("Minimum score"), _("Quota"))]
        for grade in self.scheme.grades:
            rows.append([self.p(grade.display, self.word_c),
                         self.p(plain(grade.min), self.cell_c),
                         self.p(quota_text(grade.max_share), self.cell_c)])
        widths = [140, 100, CONTENT_W - 240]
        return self.table(rows, widths, self.head_style(), repeatRows=1)

    def _vetoes(self):
        rows = [self.head_row(_("ID"), _("Veto"))]
        rows += [[self.p(v.id, self.cell_c), self.p(v.display, self.word)]
                 for v in self.scheme.vetoes]
        return self.table(rows, [50, CONTENT_W - 50], self.head_style(), repeatRows=1)

    def _checks(self):
        rows = [self.head_row(_("ID"), _("Check"), _("How it is checked"))]
        for check in self.scheme.checks:
            how = check_text(check)
            rows.append([self.p(check.id, self.cell_c), self.p(check.display, self.word),
                         self.p(how, self.word)])
        return self.table(rows, [50, CONTENT_W - 50 - 170, 170], self.head_style(),
                          repeatRows=1)
