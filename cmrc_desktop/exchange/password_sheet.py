"""The one-time password sheet (评审包一次性密码单): printed by the secretary, cut into
slips and handed to each expert in person with, but never inside, their panel package.

A4 pages: a title with the batch, a warning that the slips go by hand and never travel
with the packages, then one slip per expert — name and id, institution, package file
name, number of centres, the one-time password in large monospaced capitals, and lines
for the expert to sign and date on receipt — with a dashed cut line between slips. A
slip never breaks across pages.

The password is set in Courier (one of the PDF standard fonts, shown by every reader):
its alphabet is ASCII without 0/O/1/I/L, and a fixed pitch lets the expert count the
characters back. Everything else uses the bundled Chinese font. The file is written
atomically and readable by its owner only: it holds the keys to the packages.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from cmrc_desktop.exchange.atomic_file import atomic_path
from cmrc_desktop.exchange.pdf_style import (
    CONTENT_W,
    INK,
    MUTED,
    RULE,
    SHADE_LABEL,
    StyledLayout,
    markup,
    utc_offset,
)
from cmrc_desktop.i18n import _

PASSWORD_FONT = "Courier-Bold"
PASSWORD_SIZE = 24
LABEL_W = 78


@dataclass(frozen=True)
class PasswordSlip:
    """One expert's slip."""

    expert_id: str
    name: str
    institution: str
    package_file: str            # the file name, as handed over
    one_time_password: str
    centres: int

    def __repr__(self) -> str:   # the password never reaches a log or a test report
        return f"PasswordSlip(expert_id={self.expert_id!r}, package={self.package_file!r})"


@dataclass(frozen=True)
class SheetHeader:
    batch_id: str
    batch_name: str
    year: int


def sheet_title() -> str:
    return _("One-time passwords of the panel packages")


def write_password_sheet(path: str | Path, header: SheetHeader, slips: Sequence[PasswordSlip],
                         *, moment: dt.datetime | None = None) -> Path:
    """Write the sheet for ``slips`` (in the order given) at ``path``, all or nothing."""
    moment = (moment or dt.datetime.now().astimezone()).replace(microsecond=0)
    document = _Sheet(header, list(slips), moment).build()
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_bytes(document)
        os.chmod(tmp, 0o600)
    return path


class _Sheet(StyledLayout):
    def __init__(self, header: SheetHeader, slips: list[PasswordSlip],
                 moment: dt.datetime) -> None:
        super().__init__()
        from reportlab.lib.colors import Color
        from reportlab.lib.enums import TA_CENTER
        from reportlab.lib.styles import ParagraphStyle

        self.header, self.slips, self.moment = header, slips, moment
        self.label = ParagraphStyle("cmrc-pl", parent=self.cell, fontSize=9, leading=12,
                                    textColor=Color(*MUTED))
        self.value = ParagraphStyle("cmrc-pv", parent=self.cell, fontSize=11, leading=14.5)
        self.name = ParagraphStyle("cmrc-pn", parent=self.cell, fontSize=14, leading=18)
        self.warning = ParagraphStyle("cmrc-pw", parent=self.cell, fontSize=9.5, leading=14)
        self.subtitle = ParagraphStyle("cmrc-ps", parent=self.cell, fontSize=10.5, leading=14,
                                       alignment=TA_CENTER)
        self.password = ParagraphStyle("cmrc-otp", parent=self.cell, fontName=PASSWORD_FONT,
                                       fontSize=PASSWORD_SIZE, leading=PASSWORD_SIZE * 1.25)

    def build(self) -> bytes:
        out = io.BytesIO()
        title = sheet_title()
        doc = self.document(out, title=f"{title} — {self.header.batch_name}",
                            author=self.header.batch_name,
                            subject=f"{self.header.batch_name} · {self.header.batch_id}")

        def footer(page: int, pages: int) -> tuple[str, str]:
            return (_("Confidential: hand over in person"),
                    "{} · {}".format(self.header.batch_id, _("page {page} of {pages}").format(
                        page=page, pages=pages)))

        doc.build(self._story(), canvasmaker=self.footer_canvas(footer))
        return out.getvalue()

    def _story(self) -> list:
        from reportlab.platypus import KeepTogether, Spacer

        when = f"{self.moment:%Y-%m-%d %H:%M} ({utc_offset(self.moment)})"
        header = self.header
        story = [self.title(sheet_title(), 18), Spacer(1, 4),
                 self.p(f"{header.batch_name} · {header.batch_id} · {when}", self.subtitle),
                 Spacer(1, 10), self._warning(), Spacer(1, 14)]
        for n, slip in enumerate(self.slips):
            parts = [self._slip(slip)]
            if n < len(self.slips) - 1:
                parts.append(cut_line()(self.font, _("cut here")))
            story.append(KeepTogether(parts))
        if not self.slips:
            story.append(self.p(_("No package was exported."), self.text))
        return story

    def _warning(self):
        text = "<br/>".join(self.markup_text(t) for t in (
            _("Hand each slip to its expert in person, together with the package but never "
              "inside it: do not send a one-time password by e-mail, chat or post, and do not "
              "copy this sheet onto the USB stick with the packages."),
            _("Each password opens only its own package, once; the expert then chooses a "
              "password of their own. Shred slips that were not handed over."),
            _("Cut along the dashed lines. The expert signs the slip on receipt; keep the "
              "signed slips with the batch records.")))
        table = self.table_of([[self.markup(text, self.warning)]], [CONTENT_W],
                              [("BACKGROUND", (0, 0), (-1, -1), SHADE_LABEL),
                               ("BOX", (0, 0), (-1, -1), 1.2, INK),
                               ("GRID", (0, 0), (-1, -1), 0, SHADE_LABEL),
                               ("LEFTPADDING", (0, 0), (-1, -1), 10),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                               ("TOPPADDING", (0, 0), (-1, -1), 7),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 8)])
        return table

    @staticmethod
    def markup_text(text: str) -> str:
        return "• " + markup(text)

    def _slip(self, slip: PasswordSlip):
        from reportlab.platypus import Paragraph

        half = (CONTENT_W - 2 * LABEL_W) / 2
        # exactly as it is typed: the dashes belong to the password
        password = Paragraph(escape(slip.one_time_password), self.password)
        sign_line = "_" * 22
        rows = [
            [self.p(_("Expert"), self.label),
             self.p(_("{name} ({id})").format(name=slip.name, id=slip.expert_id), self.name),
             self.p(_("Panel package"), self.label), self.p(slip.package_file, self.value)],
            [self.p(_("Institution"), self.label), self.p(slip.institution, self.value),
             self.p(_("Centres in the package"), self.label),
             self.p(str(slip.centres), self.value)],
            [self.p(_("One-time password"), self.label), password, "", ""],
            [self.p(_("Received by (signature)"), self.label), self.p(sign_line, self.value),
             self.p(_("Date"), self.label), self.p(sign_line, self.value)],
        ]
        style = [("SPAN", (1, 2), (3, 2)),
                 ("BOX", (0, 0), (-1, -1), 1.0, INK),
                 ("LINEABOVE", (0, 2), (-1, 2), 0.5, RULE),
                 ("LINEBELOW", (0, 2), (-1, 2), 0.5, RULE),
                 ("BACKGROUND", (0, 2), (-1, 2), SHADE_LABEL),
                 ("TOPPADDING", (0, 2), (-1, 2), 9),
                 ("BOTTOMPADDING", (0, 2), (-1, 2), 11),
                 ("TOPPADDING", (0, 3), (-1, 3), 16),
                 ("VALIGN", (0, 3), (-1, 3), "BOTTOM"),
                 ("LEFTPADDING", (0, 0), (-1, -1), 7)]
        return self.table_of(rows, [LABEL_W, half, LABEL_W, half], style)

    def table_of(self, rows, widths, style):
        from reportlab.platypus import Table

        table = Table(rows, colWidths=widths)
        table.setStyle([("FONTNAME", (0, 0), (-1, -1), self.font),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("TOPPADDING", (0, 0), (-1, -1), 5),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 5), *style])
        return table


@cache
def cut_line() -> type:
    """A dashed line across the page with a word in its middle (reportlab imported only
    when a sheet is made)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Flowable

    class CutLine(Flowable):
        def __init__(self, font: str, text: str) -> None:
            super().__init__()
            self.font, self.text = font, text

        def wrap(self, avail_w, avail_h):
            self.width = avail_w
            return avail_w, 26

        def draw(self):
            canv, size, y = self.canv, 7.5, 13
            gap = stringWidth(self.text, self.font, size) + 16
            middle = self.width / 2
            canv.saveState()
            canv.setStrokeColorRGB(*MUTED)
            canv.setFillColorRGB(*MUTED)
            canv.setLineWidth(0.6)
            canv.setDash(4, 3)
            canv.line(0, y, middle - gap / 2, y)
            canv.line(middle + gap / 2, y, self.width, y)
            canv.setFont(self.font, size)
            canv.drawCentredString(middle, y - size * 0.35, self.text)
            canv.restoreState()

    return CutLine
