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

import datetime as dt
import io
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from cryptography import x509

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.exchange.atomic_file import atomic_path
from cmrc_desktop.exchange.pdf_fonts import reportlab_font
from cmrc_desktop.exchange.pdf_signing import (
    check_entire_file,
    guarded,
    is_ca,
    pyhanko_classes,
    read_pdf_file,
    sign_pdf,
    simple_signer,
    single_signature,
)
from cmrc_desktop.exchange.pdf_style import (
    CONTENT_W,
    FRAME_H,
    INK,
    PRODUCER,
    RULE,
    SHADE_HEAD,
    SHADE_LABEL,
    SHADE_SUB,
    StyledLayout,
    split_in_row,
    utc_offset,
)
from cmrc_desktop.exchange.sheet_content import IndicatorRow, SheetContent, drawn_in
from cmrc_desktop.exchange.sheet_pdf_check import check_drawn, signing_revision_problem
from cmrc_desktop.i18n import _
from cmrc_desktop.signing.keys import KeyPair, common_name, is_issued_by
from cmrc_desktop.signing.payload import FORMAT_V1, SheetPayload

PAYLOAD_NAME = "cmrc-payload.json"
PAYLOAD_MIME = "application/json"
FIELD_NAME = "ExpertSignature"
__all__ = ["PAYLOAD_NAME", "PRODUCER", "PdfSheetResult", "read_sheet_pdf", "verify_sheet_pdf",
           "write_sheet_pdf"]

# 维度 | 指标 | 分值 | 评分要点 | 中心填报数据 | 专家评分 | 说明
COLUMN_WIDTHS = (44, 80, 28, 122, 106, 42, 0)
SIGNATURE_BOX = (250, 84)      # width, height of the visible signature
MAX_IMAGE_PIXELS = 4_000_000    # a hand-drawn signature never needs more
MAX_IMAGE_SIDE = 1200           # pixels kept of the drawing (about 300 dpi at 250 pt)

_simple_signer = simple_signer   # the name the tests knew it by


@dataclass(frozen=True)
class PdfSheetResult:
    """What a verified PDF scoresheet holds."""

    payload: bytes                          # the embedded canonical payload, as signed
    signer: x509.Certificate                # the certificate that made the signature
    chain: tuple[x509.Certificate, ...]     # the other certificates in the signature
    signed_at: dt.datetime | None           # signing time claimed by the signer (CMS)
    trusted: bool                           # chains to ``trust_root`` (False if none given)
    data: bytes = field(default=b"", repr=False, compare=False)
    reader: Any = field(default=None, repr=False, compare=False)

    def check_pages(self, drawn: tuple[bytes, int, tuple[int, int, int, int]]) -> None:
        """Refuse unless the pages are exactly ``drawn`` (:func:`draw_pages` of the
        payload) and the signing step added only the signature there."""
        guarded(self.data, lambda d: check_drawn(d, self.reader, drawn))


# -- writing ---------------------------------------------------------------------------------
def write_sheet_pdf(path: str | Path, content: SheetContent, signer: KeyPair, *,
                    signature_png: bytes | None = None) -> None:
    """Write ``content`` as a signed PDF at ``path`` (atomically: all or nothing)."""
    image = _signature_image(signature_png) if signature_png else None
    document, page, box = draw_pages(content)
    with drawn_in(content.payload):
        signed = _sign(document, content, signer, image, page, box)
    with atomic_path(path) as tmp:
        tmp.write_bytes(signed)


def draw_pages(content: SheetContent) -> tuple[bytes, int, tuple[int, int, int, int]]:
    """The unsigned document of ``content`` as this version draws it, byte for byte the
    same on every machine (reportlab's invariant mode, the bundled font), with the page
    and the box of the signature: what a signed sheet's first revision must be.

    The last few drawings are kept: an export verifies the file it just wrote, and the
    demo merges what it just exported."""
    key = (content.payload.digest, content.title, content.rows, content.subtotals,
           content.total_max, content.total, content.date, content.signed_local,
           content.declaration)
    found = _DRAWN.get(key)
    if found is None:
        layout = _Layout(content)
        found = (layout.build(), layout.signature_page, layout.signature_box)
        if len(_DRAWN) >= 32:
            _DRAWN.pop(next(iter(_DRAWN)))
        _DRAWN[key] = found
    return found


_DRAWN: dict[tuple, tuple[bytes, int, tuple[int, int, int, int]]] = {}


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


class _Layout(StyledLayout):
    """The reportlab document; remembers where the signature goes."""

    def __init__(self, content: SheetContent) -> None:
        super().__init__()
        self.content = content
        self.signature_page: int = 0                 # 0-based
        self.signature_box: tuple[int, int, int, int] = (0, 0, 0, 0)

    # document -----------------------------------------------------------------------------
    def build(self) -> bytes:
        with drawn_in(self.content.payload):
            return self._build()

    def _build(self) -> bytes:
        from reportlab.platypus import BaseDocTemplate

        content = self.content
        payload = content.payload
        out = io.BytesIO()
        layout = self

        class Doc(BaseDocTemplate):
            def afterFlowable(self, flowable):  # noqa: N802 (reportlab's hook name)
                if isinstance(flowable, _signature_area()):
                    layout.signature_page = self.page - 1

        doc = self.document(
            out, Doc, title=f"{content.title} — {payload.centre_name}",
            author=payload.expert_name,
            subject=f"{payload.batch_name} · {payload.centre_id} · {payload.expert_id}",
            template="sheet", invariant=True)

        def footer(page: int, pages: int) -> tuple[str, str]:
            return (f"{payload.centre_id} · {payload.expert_name} · " + _(
                "payload fingerprint {fingerprint}").format(fingerprint=content.fingerprint),
                _("page {page} of {pages}").format(page=page, pages=pages))

        doc.build(self._story(), canvasmaker=self.footer_canvas(footer))
        return out.getvalue()

    def _story(self) -> list:
        from reportlab.platypus import KeepTogether, Spacer

        story = [self.title(self.content.title), Spacer(1, 8),
                 self._info_table(), Spacer(1, 10), self._score_table(),
                 self.p(_("This scoresheet is signed electronically by the expert (PAdES); "
                          "the signed data are attached to this file as {name}. Any change "
                          "to the file breaks the signature.").format(name=PAYLOAD_NAME),
                        self.note)]
        story += self._opinion()
        story.append(KeepTogether([Spacer(1, 14), _signature_area()(self)]))
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
            [self.p(_("Professional title"), label), self.p(pl.expert_title, self.info),
             self.p(_("Revision"), label), self.p(str(pl.revision), self.info)],
            [self.p(_("Date"), label), self.p(c.signed_local, self.info), "", ""],
        ]
        wide = (CONTENT_W - 2 * 66) / 2
        table = Table(rows, colWidths=(66, wide, 66, wide))
        table.setStyle(self.grid() + [
            ("SPAN", (1, 2), (3, 2)),
            ("SPAN", (1, 5), (3, 5)),
            ("BACKGROUND", (0, 0), (0, -1), SHADE_LABEL),
            ("BACKGROUND", (2, 0), (2, 1), SHADE_LABEL),
            ("BACKGROUND", (2, 3), (2, 4), SHADE_LABEL),
        ])
        return table

    def _score_table(self):
        from reportlab.platypus import Table

        c = self.content
        head = [self.p(t, self.head) for t in (
            _("Dimension"), _("Indicator"), _("Points"), _("Scoring guidance"),
            _("Data reported by the centre"), _("Expert score"), _("Notes"))]
        rows: list[list] = [head]
        style = self.grid() + [
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
                      splitInRow=split_in_row(rows, widths, FRAME_H - 40))
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
        rows.append([self.p(_("Declaration"), self.info_label),
                     self.p(self.content.declaration, self.text)])
        widths = (66, CONTENT_W - 66)
        table = Table(rows, colWidths=widths, splitInRow=split_in_row(rows, widths, FRAME_H))
        table.setStyle(self.grid() + [
            ("BACKGROUND", (0, 0), (0, -1), SHADE_LABEL),
            ("TOPPADDING", (1, 0), (1, -1), 6), ("BOTTOMPADDING", (1, 0), (1, -1), 7),
            ("LEFTPADDING", (1, 0), (1, -1), 6), ("RIGHTPADDING", (1, 0), (1, -1), 6),
        ])
        return [self.p(_("Review opinion"), self.section), table]


@cache
def _signature_area() -> type:
    """'专家签名：', the frame of the visible signature and the date (reportlab is
    imported only when a PDF is made)."""
    from reportlab.platypus import Flowable

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

    return SignatureArea


# -- signing ---------------------------------------------------------------------------------
def _sign(document: bytes, content: SheetContent, pair: KeyPair, image, page: int,
          box: tuple[int, int, int, int]) -> bytes:
    from pyhanko.pdf_utils import embed, layout
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields
    from pyhanko.stamp import StaticStampStyle

    writer = IncrementalPdfFileWriter(io.BytesIO(document))
    embed.embed_file(writer, embed.FileSpec(
        file_spec_string=PAYLOAD_NAME, file_name=PAYLOAD_NAME,
        embedded_data=embed.EmbeddedFileObject.from_file_data(
            writer, content.payload.canonical(), mime_type=PAYLOAD_MIME,
            params=embed.EmbeddedFileParams(embed_size=True, embed_checksum=True)),
        description=_("Signed scoresheet data (canonical JSON)")))

    # One moment for the printed time, the signature dictionary's /M and the CMS
    # signing-time attribute: when the expert signed, on the expert's clock.
    now = content.payload.local(content.payload.signed_at)
    name = common_name(pair.cert) or content.payload.expert_name
    appearance = _appearance(image, name, now, box[2] - box[0], box[3] - box[1])
    imported_pdf, _signer_at = pyhanko_classes()
    style = StaticStampStyle(
        background=imported_pdf(appearance), background_opacity=1.0, border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MIN,
            inner_content_scaling=layout.InnerScaling.NO_SCALING))
    return sign_pdf(writer, pair, field_name=FIELD_NAME, name=name,
                    reason=_("I confirm the scores and opinion of this scoresheet"),
                    moment=now, stamp_style=style,
                    field_spec=fields.SigFieldSpec(sig_field_name=FIELD_NAME, on_page=page,
                                                   box=box))


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
    stamp = when.strftime("%Y-%m-%d %H:%M:%S") + " " + utc_offset(when)
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


# -- reading ---------------------------------------------------------------------------------
def read_sheet_pdf(path: str | Path, *,
                   trust_root: x509.Certificate | None = None) -> PdfSheetResult:
    """Verify a signed PDF scoresheet and return its payload; refuse anything else."""
    data = read_pdf_file(path)
    try:
        return verify_sheet_pdf(data, trust_root=trust_root)
    except InputError as exc:
        exc.file = exc.file or str(path)
        raise


def verify_sheet_pdf(data: bytes, *,
                     trust_root: x509.Certificate | None = None) -> PdfSheetResult:
    """:func:`read_sheet_pdf` on the bytes of a file. The pages are compared with what
    the payload draws to by :meth:`PdfSheetResult.check_pages`, once the scheme the
    payload names is known to be the batch's."""
    return guarded(data, lambda d: _verify(d, trust_root))


def _verify(data: bytes, trust_root: x509.Certificate | None) -> PdfSheetResult:
    reader, sig = single_signature(
        data, encrypted=_("the PDF is encrypted; a scoresheet never is"),
        several=_("the PDF carries {count} signatures; a scoresheet carries exactly one"))
    checked = check_entire_file(data, sig, trust_root)
    signer, chain = checked.signer, checked.chain
    if trust_root is not None:
        if not checked.trusted or is_ca(signer):
            if is_issued_by(signer, trust_root) and not is_ca(signer):
                raise InputError(_("the signer's certificate was issued by the batch but is "
                                   "not valid now (expired, not yet valid or not for "
                                   "signing)"))
            raise InputError(_("signed by a certificate the batch did not issue"))
        if any(c != trust_root and not is_issued_by(c, trust_root) for c in chain):
            # the chain holds something besides the batch CA, or a copy that differs
            raise InputError(_("the PDF was modified after signing"))
    payload = _embedded_payload(reader)
    if _embedded_count(reader) != 1:
        raise InputError(_("the PDF carries attachments besides the signed data"))
    parsed = SheetPayload.from_bytes(payload)
    if parsed.format == FORMAT_V1:
        raise InputError(_("this scoresheet was signed by an earlier version of CMRC "
                           "Desktop, whose pages cannot be checked against the signed data; "
                           "ask the expert to sign and export it again with this version"))
    problem = signing_revision_problem(reader, None, None)
    if problem:
        raise InputError(_("the PDF shows something other than what the expert signed: "
                           "{detail}").format(detail=problem))
    return PdfSheetResult(payload=payload, signer=signer, chain=chain,
                          signed_at=checked.signed_at,
                          trusted=trust_root is not None and checked.trusted,
                          data=data, reader=reader)


def _embedded_count(reader) -> int:
    return sum(1 for _entry in _embedded_files(reader))


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
