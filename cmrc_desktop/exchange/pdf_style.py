"""The look shared by every exported PDF: A4 geometry, colours, paragraph styles with the
bundled font, the table grid, the title and the page footer.

The scoresheet (:mod:`sheet_pdf`) and the result report (:mod:`report_pdf`) both build on
:class:`StyledLayout`, so the two documents read as one family. reportlab is imported only
when a PDF is made.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from functools import cache
from xml.sax.saxutils import escape

from cmrc_desktop.exchange.pdf_fonts import reportlab_font
from cmrc_desktop.i18n import is_chinese

PRODUCER = "CMRC Desktop"

# Page geometry (points). A4 portrait, 15 mm margins, a footer band at the bottom.
MM = 72 / 25.4
PAGE_W, PAGE_H = 595.2756, 841.8898
MARGIN_X = 15 * MM
MARGIN_TOP = 14 * MM
MARGIN_BOTTOM = 18 * MM
CONTENT_W = PAGE_W - 2 * MARGIN_X
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM

INK = (0.08, 0.08, 0.12)
RULE = (0.35, 0.35, 0.4)
SHADE_HEAD = (0.88, 0.9, 0.93)
SHADE_SUB = (0.95, 0.95, 0.96)
SHADE_LABEL = (0.95, 0.96, 0.97)
MUTED = (0.3, 0.3, 0.35)

# (left text, right text) of the footer of page ``page`` of ``pages``
FooterText = Callable[[int, int], tuple[str, str]]


class StyledLayout:
    """Paragraph styles and small builders over the bundled font, for a layout class."""

    def __init__(self) -> None:
        from reportlab.lib.colors import Color
        from reportlab.lib.enums import TA_CENTER, TA_RIGHT
        from reportlab.lib.styles import ParagraphStyle

        self.font = reportlab_font()
        self.ink = Color(*INK)
        base = ParagraphStyle("cmrc", fontName=self.font, fontSize=8, leading=10.6,
                              wordWrap="CJK", textColor=self.ink)
        self.cell = base
        self.cell_c = ParagraphStyle("cmrc-c", parent=base, alignment=TA_CENTER)
        self.cell_r = ParagraphStyle("cmrc-r", parent=base, alignment=TA_RIGHT)
        self.head = ParagraphStyle("cmrc-h", parent=base, fontSize=8.5, leading=11,
                                   alignment=TA_CENTER)
        self.info_label = ParagraphStyle("cmrc-il", parent=base, fontSize=9, leading=12,
                                         alignment=TA_CENTER)
        self.info = ParagraphStyle("cmrc-i", parent=base, fontSize=9, leading=12)
        self.section = ParagraphStyle("cmrc-s", parent=base, fontSize=11, leading=15,
                                      spaceBefore=10, spaceAfter=5, keepWithNext=1)
        self.text = ParagraphStyle("cmrc-t", parent=base, fontSize=9, leading=13.5)
        self.note = ParagraphStyle("cmrc-n", parent=base, fontSize=7.5, leading=10,
                                   textColor=Color(*MUTED), spaceBefore=4)

    def p(self, text: str, style=None, bullet: str | None = None):
        """A paragraph of plain text (any user input is escaped), with an optional bullet
        (the style should set ``bulletFontName`` to the bundled font)."""
        from reportlab.platypus import Paragraph

        return Paragraph(markup(text), style or self.cell, bulletText=bullet)

    def markup(self, text: str, style):
        """A paragraph of reportlab markup (the caller escapes what it inserts)."""
        from reportlab.platypus import Paragraph

        return Paragraph(text, style)

    def grid(self) -> list:
        """The table style of every form: thin rules, a strong box, centred rows."""
        return [
            ("FONTNAME", (0, 0), (-1, -1), self.font),   # for the empty cells
            ("GRID", (0, 0), (-1, -1), 0.5, RULE),
            ("BOX", (0, 0), (-1, -1), 1.0, INK),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ]

    def title(self, text: str, size: float = 17):
        return title_flowable()(text, self.font, self.ink, size)

    def document(self, out: io.BytesIO, doc_class=None, *, title: str, author: str,
                 subject: str, template: str = "page", invariant: bool = False):
        """An A4 document with one full-width frame, the metadata and the language set;
        ``invariant`` makes the same content give the same bytes (no creation time, no
        random document id), for documents a verifier draws again and compares."""
        from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

        doc = (doc_class or BaseDocTemplate)(
            out, pagesize=(PAGE_W, PAGE_H), leftMargin=MARGIN_X, rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, title=title, author=author,
            subject=subject, creator=PRODUCER, producer=PRODUCER,
            invariant=1 if invariant else None,
            lang="zh-CN" if is_chinese() else "en")
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_W, FRAME_H,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        doc.addPageTemplates([PageTemplate(template, frames=[frame])])
        return doc

    def footer_canvas(self, text: FooterText):
        return footer_canvas(self.font, text)


def markup(text: str) -> str:
    """Plain text (any user input) as reportlab paragraph markup."""
    return escape(text or "").replace("\n", "<br/>")


def utc_offset(when: dt.datetime) -> str:
    """'UTC+08:00': the offset printed after a local time."""
    offset = when.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def split_in_row(rows: list[list], widths, page_height: float) -> int:
    """Rows stay whole on one page (a row split at the foot of a page leaves a sliver);
    only a row taller than a page (a very long comment) may be split inside."""
    tallest = 0.0
    for row in rows:
        for cell, width in zip(row, widths, strict=True):
            if hasattr(cell, "wrap"):
                tallest = max(tallest, cell.wrap(width - 6, page_height)[1] + 7)
    return 1 if tallest > page_height else 0


@cache
def title_flowable() -> type:
    """The title flowable class (reportlab is imported only when a PDF is made)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Flowable

    class Title(Flowable):
        """A title, centred, drawn with a thin stroke: the font has no bold face."""

        def __init__(self, text: str, font: str, ink, size: float = 17) -> None:
            super().__init__()
            self.text, self.font, self.ink = text, font, ink
            self.max_size = self.size = size

        def wrap(self, avail_w, avail_h):
            size = self.max_size
            while size > 10 and stringWidth(self.text, self.font, size) > avail_w:
                size -= 0.5
            self.size, self.width = size, avail_w
            return avail_w, size * 1.5

        def draw(self):
            canv = self.canv
            canv.saveState()
            canv.setFillColor(self.ink)
            canv.setStrokeColor(self.ink)
            canv.setLineWidth(self.size * 0.035)
            text = canv.beginText()
            text.setTextRenderMode(2)       # fill and stroke: a bolder face
            text.setFont(self.font, self.size)
            text.setTextOrigin(
                (self.width - stringWidth(self.text, self.font, self.size)) / 2,
                self.size * 0.35)
            text.textOut(self.text)
            canv.drawText(text)
            canv.restoreState()

    return Title


def footer_canvas(font: str, text: FooterText):
    """A canvas class that writes a rule and ``text(page, pages)`` at the foot of each
    page (the page count is known once the whole document is laid out)."""
    from reportlab.pdfgen.canvas import Canvas

    class FooterCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            # reportlab would otherwise declare Helvetica (never used, never embedded)
            kwargs["initialFontName"] = font
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab API)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            y = MARGIN_BOTTOM - 9 * MM
            left, right = text(self._pageNumber, total)
            self.saveState()
            self.setStrokeColorRGB(*RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, y + 11, PAGE_W - MARGIN_X, y + 11)
            self.setFillColorRGB(0.25, 0.25, 0.3)
            self.setFont(font, 7.5)
            if left:
                self.drawString(MARGIN_X, y, left)
            if right:
                self.drawRightString(PAGE_W - MARGIN_X, y, right)
            self.restoreState()

    return FooterCanvas
