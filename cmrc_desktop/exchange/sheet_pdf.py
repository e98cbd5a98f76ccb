"""The signed PDF scoresheet: written with reportlab, signed with pyHanko (PAdES).

What is written: an A4 form with the rows of :mod:`sheet_content` (the same as the Excel
sheet), the expert's opinion and a visible signature (the hand-drawn image, the signer's
name and the signing time) on the last page; the canonical payload is attached as
``cmrc-payload.json``; the whole file is then signed by the expert's key as PAdES
(ETSI.CAdES.detached, SHA-256) with the expert's certificate and the batch CA in the
signature, so any PDF reader can check it too.

What is accepted on reading: a PDF with exactly one signature that is intact, valid and
covers every byte of the file (no appended revision, no trailing bytes), chaining to the
batch CA when one is given, and carrying the payload. Everything else is refused with an
``InputError`` in plain words; the reader never lets a pyHanko or parser error through.
"""

from __future__ import annotations

import binascii
import datetime as dt
import io
import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.exchange.atomic_file import atomic_path
from cmrc_desktop.exchange.pdf_fonts import reportlab_font
from cmrc_desktop.exchange.sheet_content import IndicatorRow, SheetContent
from cmrc_desktop.i18n import _, is_chinese
from cmrc_desktop.signing.keys import KeyPair, common_name, is_issued_by

# pyHanko logs the reason of every failed check as a warning with a traceback (even for
# an unsigned chain when no trust root is given); with no logging configured Python would
# print those to stderr. The verdict reaches the user as an InputError instead.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

PAYLOAD_NAME = "cmrc-payload.json"
PAYLOAD_MIME = "application/json"
FIELD_NAME = "ExpertSignature"
PRODUCER = "CMRC Desktop"

# Page geometry (points). A4 portrait, 15 mm margins, a footer band at the bottom.
MM = 72 / 25.4
PAGE_W, PAGE_H = 595.2756, 841.8898
MARGIN_X = 15 * MM
MARGIN_TOP = 14 * MM
MARGIN_BOTTOM = 18 * MM
CONTENT_W = PAGE_W - 2 * MARGIN_X
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
# 维度 | 指标 | 分值 | 评分要点 | 中心填报数据 | 专家评分 | 说明
COLUMN_WIDTHS = (44, 80, 28, 122, 106, 42, 0)
SIGNATURE_BOX = (250, 84)      # width, height of the visible signature
MAX_IMAGE_PIXELS = 4_000_000    # a hand-drawn signature never needs more
MAX_IMAGE_SIDE = 1200           # pixels kept of the drawing (about 300 dpi at 250 pt)

INK = (0.08, 0.08, 0.12)
RULE = (0.35, 0.35, 0.4)
SHADE_HEAD = (0.88, 0.9, 0.93)
SHADE_SUB = (0.95, 0.95, 0.96)
SHADE_LABEL = (0.95, 0.96, 0.97)


@dataclass(frozen=True)
class PdfSheetResult:
    """What a verified PDF scoresheet holds."""

    payload: bytes                          # the embedded canonical payload, as signed
    signer: x509.Certificate                # the certificate that made the signature
    chain: tuple[x509.Certificate, ...]     # the other certificates in the signature
    signed_at: dt.datetime | None           # signing time claimed by the signer (CMS)
    trusted: bool                           # chains to ``trust_root`` (False if none given)


# -- writing ---------------------------------------------------------------------------------
def write_sheet_pdf(path: str | Path, content: SheetContent, signer: KeyPair, *,
                    signature_png: bytes | None = None) -> None:
    """Write ``content`` as a signed PDF at ``path`` (atomically: all or nothing)."""
    image = _signature_image(signature_png) if signature_png else None
    layout = _Layout(content)
    document = layout.build()
    signed = _sign(document, content, signer, image, layout.signature_page,
                   layout.signature_box)
    with atomic_path(path) as tmp:
        tmp.write_bytes(signed)


def _signature_image(data: bytes):
    """The hand-drawn signature as an RGBA image, cropped to the strokes."""
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise InputError(_("the signature drawing is too large"))
            image.load()
    except InputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputError(_("the signature drawing is too large")) from None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken image
        raise InputError(_("the signature drawing is not a readable image")) from None
    image = image.convert("RGBA")
    alpha = image.getchannel("A")
    if alpha.getextrema()[0] == 255:    # drawn on an opaque background: find the ink
        ink = image.convert("L").point(lambda v: 255 if v < 200 else 0)
    else:
        ink = alpha.point(lambda v: 255 if v > 20 else 0)
    bbox = ink.getbbox()
    if bbox:   # crop the empty canvas around the strokes, keep a little air
        pad = max(4, (bbox[3] - bbox[1]) // 10)
        image = image.crop((max(0, bbox[0] - pad), max(0, bbox[1] - pad),
                            min(image.width, bbox[2] + pad), min(image.height, bbox[3] + pad)))
    image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    return image


class _Layout:
    """The reportlab document; remembers where the signature goes."""

    def __init__(self, content: SheetContent) -> None:
        self.content = content
        self.font = reportlab_font()
        self.signature_page: int = 0                 # 0-based
        self.signature_box: tuple[int, int, int, int] = (0, 0, 0, 0)
        self._styles()

    # styles -------------------------------------------------------------------------------
    def _styles(self) -> None:
        from reportlab.lib.colors import Color
        from reportlab.lib.enums import TA_CENTER, TA_RIGHT
        from reportlab.lib.styles import ParagraphStyle

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
                                   textColor=Color(0.3, 0.3, 0.35), spaceBefore=4)

    def p(self, text: str, style=None):
        from reportlab.platypus import Paragraph

        return Paragraph(_markup(text), style or self.cell)

    def markup(self, markup: str, style):
        from reportlab.platypus import Paragraph

        return Paragraph(markup, style)

    # document -----------------------------------------------------------------------------
    def build(self) -> bytes:
        from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

        content = self.content
        payload = content.payload
        out = io.BytesIO()
        layout = self

        class Doc(BaseDocTemplate):
            def afterFlowable(self, flowable):  # noqa: N802 (reportlab's hook name)
                if isinstance(flowable, _flowables()[1]):
                    layout.signature_page = self.page - 1

        doc = Doc(
            out, pagesize=(PAGE_W, PAGE_H), leftMargin=MARGIN_X, rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
            title=f"{content.title} — {payload.centre_name}", author=payload.expert_name,
            subject=f"{payload.batch_name} · {payload.centre_id} · {payload.expert_id}",
            creator=PRODUCER, producer=PRODUCER, lang="zh-CN" if is_chinese() else "en")
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_W, FRAME_H,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        doc.addPageTemplates([PageTemplate("sheet", frames=[frame])])
        doc.build(self._story(), canvasmaker=_footer_canvas(self))
        return out.getvalue()

    def _story(self) -> list:
        from reportlab.platypus import KeepTogether, Spacer

        title, signature_area = _flowables()
        story = [title(self.content.title, self.font, self.ink), Spacer(1, 8),
                 self._info_table(), Spacer(1, 10), self._score_table(),
                 self.p(_("This scoresheet is signed electronically by the expert (PAdES); "
                          "the signed data are attached to this file as {name}. Any change "
                          "to the file breaks the signature.").format(name=PAYLOAD_NAME),
                        self.note)]
        story += self._opinion()
        story.append(KeepTogether([Spacer(1, 14), signature_area(self)]))
        return story

    def _info_table(self):
        from reportlab.platypus import Table

        c, pl = self.content, self.content.payload
        label = self.info_label
        rows = [
            [self.p(_("Evaluation batch"), label), self.p(pl.batch_name, self.info),
             self.p(_("Batch ID"), label), self.p(pl.batch_id, self.info)],
            [self.p(_("Centre name"), label), self.p(pl.centre_name, self.info),
             self.p(_("Centre ID"), label), self.p(pl.centre_id, self.info)],
            [self.p(_("Host institution"), label), self.p(pl.host, self.info), "", ""],
            [self.p(_("Expert"), label), self.p(pl.expert_name, self.info),
             self.p(_("Expert's institution"), label), self.p(pl.institution, self.info)],
            [self.p(_("Date"), label), self.p(c.date, self.info),
             self.p(_("Revision"), label), self.p(str(pl.revision), self.info)],
        ]
        wide = (CONTENT_W - 2 * 66) / 2
        table = Table(rows, colWidths=(66, wide, 66, wide))
        table.setStyle(self._grid() + [
            ("SPAN", (1, 2), (3, 2)),
            ("BACKGROUND", (0, 0), (0, -1), SHADE_LABEL),
            ("BACKGROUND", (2, 0), (2, 1), SHADE_LABEL),
            ("BACKGROUND", (2, 3), (2, 4), SHADE_LABEL),
        ])
        return table

    def _grid(self) -> list:
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

    def _score_table(self):
        from reportlab.platypus import Table

        c = self.content
        head = [self.p(t, self.head) for t in (
            _("Dimension"), _("Indicator"), _("Points"), _("Scoring guidance"),
            _("Data reported by the centre"), _("Expert score"), _("Notes"))]
        rows: list[list] = [head]
        style = self._grid() + [
            ("BACKGROUND", (0, 0), (-1, 0), SHADE_HEAD),
            ("LINEBELOW", (0, 0), (-1, 0), 1.0, INK),
        ]
        widths = list(COLUMN_WIDTHS)
        widths[-1] = CONTENT_W - sum(widths)
        subtotals = {s.dimension: s for s in c.subtotals}
        groups: list[list[IndicatorRow]] = []
        for row in c.rows:
            if groups and groups[-1][0].dimension == row.dimension:
                groups[-1].append(row)
            else:
                groups.append([row])
        for group in groups:
            first = len(rows)
            for i, row in enumerate(group):
                score = escape(row.score)
                if row.automatic:
                    score += '<br/><font size="6.5" color="#555555">{}</font>'.format(
                        escape(_("automatic")))
                rows.append([
                    self.p(row.dimension, self.cell_c) if i == 0 else "",
                    self.p(f"{row.indicator_id}　{row.indicator}"),
                    self.p(row.max, self.cell_c),
                    self.p(row.guidance),
                    self._evidence(row.evidence, widths[4]),
                    self.markup(score, self.cell_c),
                    self.p(row.comment),
                ])
            if len(group) > 1:
                style.append(("SPAN", (0, first), (0, len(rows) - 1)))
            sub = subtotals.get(group[0].dimension)
            if sub is not None:
                r = len(rows)
                rows.append([self.p(_("{dimension} subtotal").format(dimension=sub.dimension),
                                    self.cell_c), "", self.p(sub.max, self.cell_c), "", "",
                             self.p(sub.score, self.cell_c), ""])
                style += [("SPAN", (0, r), (1, r)), ("SPAN", (3, r), (4, r)),
                          ("BACKGROUND", (0, r), (-1, r), SHADE_SUB),
                          ("NOSPLIT", (0, r - 1), (-1, r))]   # never a lone subtotal
        r = len(rows)
        rows.append([self.p(_("Total"), self.head), "", self.p(c.total_max, self.head), "", "",
                     self.p(c.total, self.head), ""])
        style += [("SPAN", (0, r), (1, r)), ("SPAN", (3, r), (4, r)),
                  ("BACKGROUND", (0, r), (-1, r), SHADE_HEAD),
                  ("LINEABOVE", (0, r), (-1, r), 1.0, INK),
                  ("NOSPLIT", (0, r - 1), (-1, r))]
        table = Table(rows, colWidths=widths, repeatRows=1,
                      splitInRow=_split_in_row(rows, widths, FRAME_H - 40))
        table.setStyle(style)
        return table

    def _evidence(self, text: str, width: float):
        """'name：value；name：value' as a small list, values right-aligned, so that a
        value never wraps away from its name."""
        from reportlab.pdfbase.pdfmetrics import stringWidth
        from reportlab.platypus import Table

        pairs = [item.rpartition("：") for item in text.split("；") if item]
        if not pairs or any(not sep for _name, sep, _value in pairs):
            return self.p(text)
        inner = width - 6    # the cell's padding
        value_w = min(max(stringWidth(v, self.font, 8) for _n, _s, v in pairs) + 4, inner / 2)
        table = Table([[self.p(name), self.p(value, self.cell_r)] for name, _s, value in pairs],
                      colWidths=(inner - value_w, value_w))
        table.setStyle([("FONTNAME", (0, 0), (-1, -1), self.font),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                        ("TOPPADDING", (0, 0), (-1, -1), 0),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                        ("VALIGN", (0, 0), (-1, -1), "BOTTOM")])
        return table

    def _opinion(self) -> list:
        from reportlab.platypus import Table

        pl = self.content.payload
        rows = []
        for label, text in ((_("Main achievements"), pl.achievements),
                            (_("Problems"), pl.problems),
                            (_("Recommendations"), pl.recommendations)):
            rows.append([self.p(label, self.info_label),
                         self.p(text, self.text) if text.strip()
                         else self.p(_("(none written)"), self.note)])
        widths = (66, CONTENT_W - 66)
        table = Table(rows, colWidths=widths, splitInRow=_split_in_row(rows, widths, FRAME_H))
        table.setStyle(self._grid() + [
            ("BACKGROUND", (0, 0), (0, -1), SHADE_LABEL),
            ("TOPPADDING", (1, 0), (1, -1), 6), ("BOTTOMPADDING", (1, 0), (1, -1), 7),
            ("LEFTPADDING", (1, 0), (1, -1), 6), ("RIGHTPADDING", (1, 0), (1, -1), 6),
        ])
        return [self.p(_("Review opinion"), self.section), table]


def _split_in_row(rows: list[list], widths, page_height: float) -> int:
    """Rows stay whole on one page (a row split at the foot of a page leaves a sliver);
    only a row taller than a page (a very long comment) may be split inside."""
    tallest = 0.0
    for row in rows:
        for cell, width in zip(row, widths, strict=True):
            if hasattr(cell, "wrap"):
                tallest = max(tallest, cell.wrap(width - 6, page_height)[1] + 7)
    return 1 if tallest > page_height else 0


def _markup(text: str) -> str:
    """Plain text (any user input) as reportlab paragraph markup."""
    return escape(text or "").replace("\n", "<br/>")


@cache
def _flowables() -> tuple[type, type]:
    """The two drawn pieces of the form (reportlab is imported only when a PDF is made)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Flowable

    class Title(Flowable):
        """The title, centred, drawn with a thin stroke: the font has no bold face."""

        SIZE = 17

        def __init__(self, text: str, font: str, ink) -> None:
            super().__init__()
            self.text, self.font, self.ink = text, font, ink
            self.size = self.SIZE

        def wrap(self, avail_w, avail_h):
            size = self.SIZE
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

    class SignatureArea(Flowable):
        """'专家签名：', the frame of the visible signature and the date; records where
        the frame was drawn, for the signature field."""

        def __init__(self, layout: _Layout) -> None:
            super().__init__()
            self.layout = layout

        def wrap(self, avail_w, avail_h):
            self.width = avail_w
            return avail_w, SIGNATURE_BOX[1]

        def draw(self):
            lay = self.layout
            canv = self.canv
            w, h = SIGNATURE_BOX
            x0 = self.width - w - 150     # right of the middle, the date to its right
            canv.saveState()
            canv.setFillColor(lay.ink)
            canv.setFont(lay.font, 11)
            canv.drawRightString(x0 - 8, h / 2 - 4, _("Expert signature") + "：")
            canv.setFont(lay.font, 10)
            canv.drawString(x0 + w + 14, h / 2 - 4, _("Date") + "：" + lay.content.date)
            # the frame, under the signature appearance (which draws its own)
            canv.setStrokeColorRGB(*RULE)
            canv.setLineWidth(0.5)
            canv.rect(x0, 0, w, h)
            ax, ay = canv.absolutePosition(x0, 0)
            canv.restoreState()
            lay.signature_box = (round(ax), round(ay), round(ax) + w, round(ay) + h)

    return Title, SignatureArea


def _footer_canvas(layout: _Layout):
    """A canvas class that writes 'page n of m' and the payload fingerprint on each page."""
    from reportlab.pdfgen.canvas import Canvas

    content = layout.content

    class FooterCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            # reportlab would otherwise declare Helvetica (never used, never embedded)
            kwargs["initialFontName"] = layout.font
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
            self.saveState()
            self.setStrokeColorRGB(*RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, y + 11, PAGE_W - MARGIN_X, y + 11)
            self.setFillColorRGB(0.25, 0.25, 0.3)
            self.setFont(layout.font, 7.5)
            pl = content.payload
            self.drawString(MARGIN_X, y, f"{pl.centre_id} · {pl.expert_name} · " + _(
                "payload fingerprint {fingerprint}").format(fingerprint=content.fingerprint))
            self.drawRightString(PAGE_W - MARGIN_X, y, _("page {page} of {pages}").format(
                page=self._pageNumber, pages=total))
            self.restoreState()

    return FooterCanvas


# -- signing ---------------------------------------------------------------------------------
def _simple_signer(pair: KeyPair):
    """A pyHanko signer for an expert's key, carrying the expert's certificate and the
    batch CA above it (so the signature holds the full chain)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    def der(cert: x509.Certificate) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))

    key = asn1_keys.PrivateKeyInfo.load(pair.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return signers.SimpleSigner(
        signing_cert=der(pair.cert), signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([der(c) for c in pair.chain]))


def _sign(document: bytes, content: SheetContent, pair: KeyPair, image, page: int,
          box: tuple[int, int, int, int]) -> bytes:
    from pyhanko.pdf_utils import embed, layout
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    signer = _simple_signer(pair)
    writer = IncrementalPdfFileWriter(io.BytesIO(document))
    embed.embed_file(writer, embed.FileSpec(
        file_spec_string=PAYLOAD_NAME, file_name=PAYLOAD_NAME,
        embedded_data=embed.EmbeddedFileObject.from_file_data(
            writer, content.payload.canonical(), mime_type=PAYLOAD_MIME,
            params=embed.EmbeddedFileParams(embed_size=True, embed_checksum=True)),
        description=_("Signed scoresheet data (canonical JSON)")))

    # One moment for the printed time, the signature dictionary's /M and the CMS
    # signing-time attribute.
    now = dt.datetime.now().astimezone().replace(microsecond=0)
    name = common_name(pair.cert) or content.payload.expert_name
    appearance = _appearance(image, name, now, box[2] - box[0], box[3] - box[1])
    imported_pdf, pdf_signer_at = _pyhanko_classes()
    style = StaticStampStyle(
        background=imported_pdf(appearance), background_opacity=1.0, border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MIN,
            inner_content_scaling=layout.InnerScaling.NO_SCALING))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES, name=name,
        reason=_("I confirm the scores and opinion of this scoresheet"))
    pdf_signer = pdf_signer_at(
        now, meta, signer=signer, stamp_style=style,
        new_field_spec=fields.SigFieldSpec(sig_field_name=FIELD_NAME, on_page=page, box=box))
    return pdf_signer.sign_pdf(writer).getvalue()


def _appearance(image, name: str, when: dt.datetime, width: float, height: float) -> bytes:
    """The visible signature as a one-page PDF of the field's size, drawn by reportlab
    with the document's font: the drawing above, the signer's name and time below."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    font = reportlab_font()
    out = io.BytesIO()
    canv = Canvas(out, pagesize=(width, height), pageCompression=1, initialFontName=font)
    canv.setStrokeColorRGB(*RULE)
    canv.setLineWidth(0.8)
    canv.rect(0.4, 0.4, width - 0.8, height - 0.8)
    text_h = 25
    if image is not None:
        canv.drawImage(ImageReader(image), 6, text_h, width - 12, height - text_h - 4,
                       mask="auto", preserveAspectRatio=True, anchor="c")
    stamp = when.strftime("%Y-%m-%d %H:%M:%S") + " " + _utc_offset(when)
    canv.setFillColorRGB(*INK)
    if image is None:   # no drawing: the name large in the middle
        canv.setFont(font, 16)
        canv.drawCentredString(width / 2, (height + text_h) / 2 - 6, name)
    canv.setStrokeColorRGB(*SHADE_HEAD)
    canv.line(6, text_h - 1, width - 6, text_h - 1)
    canv.setFont(font, 7.5)
    canv.drawString(7, 14, _("Signed by {name}").format(name=name))
    canv.drawString(7, 4.5, _("Signed at {time}").format(time=stamp))
    canv.showPage()
    canv.save()
    return out.getvalue()


def _utc_offset(when: dt.datetime) -> str:
    offset = when.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@cache
def _pyhanko_classes() -> tuple[type, type]:
    """Two small pyHanko extensions (pyHanko is imported only when a PDF is signed)."""
    import uuid

    from pyhanko.pdf_utils.content import PdfContent
    from pyhanko.pdf_utils.layout import BoxConstraints
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.signers import PdfSigner

    class ImportedPdf(PdfContent):
        """The first page of a PDF held in memory, as the content of a signature
        appearance (pyHanko's ``ImportedPdfPage`` reads it from a file name)."""

        def __init__(self, data: bytes) -> None:
            super().__init__()
            self.data = data

        def render(self) -> bytes:
            xobj = self._ensure_writer.import_page_as_xobject(
                PdfFileReader(io.BytesIO(self.data)))
            name = b"/Appearance" + binascii.hexlify(uuid.uuid4().bytes)
            self.resources.xobject[name.decode("ascii")] = xobj
            x1, y1, x2, y2 = xobj.get_object()["/BBox"]
            self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
            return name + b" Do"

    class PdfSignerAt(PdfSigner):
        """A ``PdfSigner`` that signs at a given moment (the one printed in the
        appearance), for the signature dictionary's /M and the CMS signing time."""

        def __init__(self, moment: dt.datetime, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._moment = moment

        def init_signing_session(self, *args, **kwargs):
            session = super().init_signing_session(*args, **kwargs)
            session.system_time = self._moment
            return session

    return ImportedPdf, PdfSignerAt


# -- reading ---------------------------------------------------------------------------------
_EOF_TAIL = re.compile(rb"%%EOF(\r\n|\r|\n)?\Z")


def read_sheet_pdf(path: str | Path, *,
                   trust_root: x509.Certificate | None = None) -> PdfSheetResult:
    """Verify a signed PDF scoresheet and return its payload; refuse anything else."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(_("the file cannot be read: {reason}").format(
            reason=exc.strerror or exc), file=str(path)) from None
    try:
        return verify_sheet_pdf(data, trust_root=trust_root)
    except InputError as exc:
        exc.file = exc.file or str(path)
        raise


def verify_sheet_pdf(data: bytes, *,
                     trust_root: x509.Certificate | None = None) -> PdfSheetResult:
    """:func:`read_sheet_pdf` on the bytes of a file."""
    if not data:
        raise InputError(_("the file is empty"))
    if b"%PDF-" not in data[:1024]:
        raise InputError(_("not a PDF file"))
    try:
        return _verify(data, trust_root)
    except InputError:
        raise
    except Exception:  # noqa: BLE001 - pyHanko and its parsers raise many kinds; none may escape
        raise InputError(_("the PDF file is damaged")) from None


def _verify(data: bytes, trust_root: x509.Certificate | None) -> PdfSheetResult:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(data))
    if reader.encrypted:
        raise InputError(_("the PDF is encrypted; a scoresheet never is"))
    signatures = reader.embedded_signatures
    if not signatures:
        raise InputError(_("the PDF is not signed"))
    if len(signatures) != 1:
        raise InputError(_("the PDF carries {count} signatures; a scoresheet carries exactly "
                           "one").format(count=len(signatures)))
    sig = signatures[0]
    roots = [] if trust_root is None else [asn1_x509.Certificate.load(
        trust_root.public_bytes(serialization.Encoding.DER))]
    context = ValidationContext(trust_roots=roots, allow_fetching=False,
                                revocation_mode="soft-fail")
    status = validate_pdf_signature(sig, context, skip_diff=True)
    if not (status.intact and status.valid):
        raise InputError(_("the PDF was modified after signing"))
    if (status.coverage != SignatureCoverageLevel.ENTIRE_FILE or not _EOF_TAIL.search(data)
            or not _signature_value_untouched(data, sig)):
        raise InputError(_("the PDF was modified after signing"))

    signer = _crypto_cert(sig.signer_cert)
    chain = tuple(_crypto_cert(c) for c in sig.other_embedded_certs)
    if not (_certificates_untouched(signer, chain) and _envelope_as_written(sig)
            and all(c["signature_value"].contents[:1] == b"\0"
                    for c in (sig.signer_cert, *sig.other_embedded_certs))):
        raise InputError(_("the PDF was modified after signing"))
    if trust_root is not None:
        if not status.trusted or _is_ca(signer):
            if is_issued_by(signer, trust_root) and not _is_ca(signer):
                raise InputError(_("the signer's certificate was issued by the batch but is "
                                   "not valid now (expired, not yet valid or not for "
                                   "signing)"))
            raise InputError(_("signed by a certificate the batch did not issue"))
        if any(c != trust_root and not is_issued_by(c, trust_root) for c in chain):
            # the chain holds something besides the batch CA, or a copy that differs
            raise InputError(_("the PDF was modified after signing"))
    payload = _embedded_payload(reader)
    return PdfSheetResult(payload=payload, signer=signer, chain=chain,
                          signed_at=status.signer_reported_dt,
                          trusted=trust_root is not None and bool(status.trusted))


def _signature_value_untouched(data: bytes, sig) -> bool:
    """The one part of the file the signature cannot cover is its own value, /Contents: a
    hex string holding the CMS object and zero padding. Check that it is written exactly
    as a signer writes it (one case of hex digits, no white space, nothing but zeros
    after the CMS object), so that not a single byte of the file can change unnoticed."""
    from asn1crypto import parser

    start, end = int(sig.byte_range[1]), int(sig.byte_range[2])
    contents = bytes(sig.sig_object["/Contents"])
    hexed = binascii.hexlify(contents)
    if data[start:end] not in (b"<" + hexed + b">", b"<" + hexed.upper() + b">"):
        return False
    _class, _method, _tag, header, body, _trailer = parser.parse(contents)
    return not contents[len(header) + len(body):].strip(b"\0")


def _certificates_untouched(signer: x509.Certificate,
                            chain: tuple[x509.Certificate, ...]) -> bool:
    """The certificates travel in the signature but outside what it signs: each one whose
    issuer is in the set (a root is its own) must still carry that issuer's valid
    signature, so a changed byte in any of them is seen even without a trust root."""
    certs = (signer, *chain)
    for cert in certs:
        issuers = [c for c in certs if c.subject == cert.issuer]
        if issuers and not any(is_issued_by(cert, issuer) for issuer in issuers):
            return False
    return True


def _is_ca(cert: x509.Certificate) -> bool:
    """A CA certificate (the batch's own) signs certificates, never a scoresheet."""
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _envelope_as_written(sig) -> bool:
    """The few fields of the CMS envelope that nothing signs hold what a PAdES signer
    writes: SignedData and SignerInfo version 1, the one digest algorithm used, no
    revocation data and no unsigned attributes (a scoresheet is signed offline).
    (The other unsigned byte, the unused-bits count of each certificate's signature bit
    string, is checked by the caller: it must be zero.)"""
    signed_data = sig.signed_data
    (info,) = signed_data["signer_infos"]
    return (signed_data["version"].native == "v1" and info["version"].native == "v1"
            and [a.dump() for a in signed_data["digest_algorithms"]]
            == [info["digest_algorithm"].dump()]
            and not signed_data["crls"] and not info["unsigned_attrs"])


def _crypto_cert(cert) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())


def _embedded_payload(reader) -> bytes:
    found = [spec for name, spec in _embedded_files(reader) if name == PAYLOAD_NAME]
    if not found:
        raise InputError(_("the embedded payload is missing"))
    if len(found) > 1:
        raise InputError(_("the PDF carries more than one embedded payload"))
    try:
        stream = found[0]["/EF"]["/F"].get_object()
        return stream.data
    except (KeyError, AttributeError, TypeError):
        raise InputError(_("the embedded payload is missing")) from None


def _embedded_files(reader):
    """(name, file spec) pairs of the document's EmbeddedFiles name tree."""
    try:
        tree = reader.root["/Names"]["/EmbeddedFiles"]
    except KeyError:
        return
    stack, seen = [tree], 0
    while stack:
        node = stack.pop().get_object()
        seen += 1
        if seen > 1000:   # a loop in the tree
            raise InputError(_("the PDF file is damaged"))
        names = node.get("/Names")
        if names is not None:
            names = names.get_object()
            for i in range(0, len(names) - 1, 2):
                yield str(names[i]), names[i + 1].get_object()
        for kid in node.get("/Kids", ()):
            stack.append(kid)
