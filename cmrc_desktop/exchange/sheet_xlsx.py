"""The signed Excel scoresheet (评分表.xlsx): a print-ready form that carries its own proof.

What a person sees is one A4 portrait sheet in the familiar layout (title, batch, centre,
expert, the indicator table with 小计 and 总分, 评审意见, 专家签名). What the program
trusts is stored in the workbook's *custom document properties*: the canonical payload,
the expert's signature over it and the certificate chain (expert first, then batch CA),
each base64-encoded and cut into chunks of at most 240 characters (Excel's limit for a
property value is 255), named ``cmrc.payload.000``, ``cmrc.payload.001``, … Custom
properties survive a re-save in Excel, LibreOffice and openpyxl, and are not a hidden
sheet that somebody could un-hide and edit without noticing.

On import the signature proves the payload; :func:`check_visible` proves that the cells a
person reads say the same as the payload. Scores are written as text cells holding the
payload's exact decimal strings; a score retyped as a number with the same value is not a
change, a different value is.

Every text cell is written through :func:`set_text`, so a centre called ``=HYPERLINK(…)``
stays text. The file is read back without openpyxl: the properties straight from the zip
(size-limited, parsed with defusedxml) and the cells with python-calamine.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import os
import posixpath
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.parsers import expat

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.numbers import parse_decimal, plain
from cmrc_desktop.exchange.input_file import reading
from cmrc_desktop.exchange.safe_zip import inflate, shown
from cmrc_desktop.exchange.sheet_content import SheetContent
from cmrc_desktop.exchange.xlsx_safety import (
    _not_a_workbook,
    atomic_save,
    cell_text,
    dtd_refused,
    screen_part,
    set_text,
)
from cmrc_desktop.i18n import _
from cmrc_desktop.signing.payload import SheetPayload, clean_text

FORMAT = "cmrc-sheet-xlsx/1"
PREFIX = "cmrc."
CHUNK = 240                       # characters per property value (Excel allows 255)
MAX_MEMBER = 5 * 1024 * 1024      # uncompressed bytes of one zip member
MAX_TOTAL = 50 * 1024 * 1024      # uncompressed bytes of the whole workbook
MAX_RATIO = 100                   # uncompressed / compressed size of one member
MAX_MEMBERS = 2000

# -- layout (1-based rows and columns; the reader locates the table rows by indicator id) --
COL_DIMENSION, COL_INDICATOR, COL_MAX, COL_GUIDANCE, COL_DATA, COL_SCORE, COL_COMMENT = range(1, 8)
COLUMN_WIDTHS = (10, 17, 6, 34, 22, 8, 19)  # Excel character units; about 116 in all
MAX_FIRST_COLUMN = 15  # column A grows (and D shrinks) for long words such as English labels
LAST_COL = len(COLUMN_WIDTHS)
TITLE_ROW = 1
INFO_ROWS = (2, 3, 4, 5)
HEADER_ROW = 7
FIRST_ROW = HEADER_ROW + 1
# info block: (row, column of the value) of each compared field
CELL_BATCH = (2, 2)
CELL_DATE = (2, 6)
CELL_CENTRE_NAME = (3, 2)
CELL_CENTRE_ID = (3, 6)
CELL_HOST = (4, 2)
CELL_REVISION = (4, 6)
CELL_EXPERT = (5, 2)
CELL_INSTITUTION = (5, 6)

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
BODY_SIZE = 10
LINE_SPACING = 1.3                 # points per wrapped line, per point of font size
MAX_ROW_HEIGHT = 409.0             # Excel's limit

_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_CUSTOM_REL = "/custom-properties"
_DEFAULT_CUSTOM = "docProps/custom.xml"
_PROPERTY = _CUSTOM_NS[1:-1] + "}property"   # as expat names it (namespace_separator "}")


@dataclass(frozen=True)
class XlsxSheet:
    """What a scoresheet workbook holds: the signed data and the cells a person sees."""

    payload_bytes: bytes
    signature: bytes
    certs: tuple[x509.Certificate, ...]   # expert certificate first, then the batch CA
    cells: tuple[tuple[Any, ...], ...]    # the first visible worksheet as calamine reads it
    sheet_name: str = ""

    @property
    def payload(self) -> SheetPayload:
        """The embedded payload, parsed (raises :class:`InputError` when it is not canonical)."""
        return SheetPayload.from_bytes(self.payload_bytes)

    def value(self, row: int, col: int) -> Any:
        """The value of a cell by 1-based row and column; ``None`` outside the data."""
        if 1 <= row <= len(self.cells):
            line = self.cells[row - 1]
            if 1 <= col <= len(line):
                return line[col - 1]
        return None


# == writing ================================================================================
_THIN = Side(style="thin", color="000000")
_MEDIUM = Side(style="medium", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_TOTAL_FILL = PatternFill("solid", fgColor="EDEDED")


def _font(bold: bool = False, size: float = BODY_SIZE, name: str = BODY_FONT,
          color: str | None = None, italic: bool = False) -> Font:
    return Font(name=name, size=size, bold=bold, color=color, italic=italic)


def _align(horizontal: str = "left", vertical: str = "center", wrap: bool = True) -> Alignment:
    return Alignment(horizontal=horizontal, vertical=vertical, wrap_text=wrap)


def write_sheet_xlsx(path: str | os.PathLike[str], content: SheetContent, signature: bytes,
                     chain: list[x509.Certificate], *, signature_png: bytes | None = None) -> None:
    """Write the signed scoresheet ``content`` to ``path`` (atomically).

    ``signature`` is the expert's signature over ``content.payload.canonical()``; ``chain``
    is the expert certificate followed by the batch CA. ``signature_png`` is the hand-drawn
    signature shown beside 专家签名 (needs Pillow; without it the box stays empty for a pen).
    """
    if not chain:
        raise InputError(_("a signed scoresheet needs the expert's certificate"))
    payload = content.payload
    wb = Workbook()
    ws = wb.active
    ws.title = _("Scoresheet")[:31]

    opinion = ((_("Main achievements"), payload.achievements),
               (_("Problems"), payload.problems),
               (_("Recommendations"), payload.recommendations))
    info = (
        (_("Evaluation batch"), clean_text(payload.batch_name), _("Date"), content.date),
        (_("Centre name"), clean_text(payload.centre_name), _("Centre ID"), payload.centre_id),
        (_("Host institution"), clean_text(payload.host), _("Revision"), str(payload.revision)),
        (_("Expert"), clean_text(payload.expert_name), _("Institution"),
         clean_text(payload.institution)),
    )
    widths = _column_widths([r.dimension for r in content.rows] + [i[0] for i in info]
                            + [o[0] for o in opinion] + [_("Expert signature"), _("Total")])
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width

    def span(first: int, last: int) -> float:
        return float(sum(widths[first - 1:last]))

    # -- title -----------------------------------------------------------------------------
    _merge_text(ws, TITLE_ROW, 1, LAST_COL, clean_text(content.title),
                font=_font(bold=True, size=16, name=TITLE_FONT),
                align=_align("center"), border=None)
    ws.row_dimensions[TITLE_ROW].height = 34

    # -- who, what, when ----------------------------------------------------------------------
    for row, (label1, value1, label2, value2) in zip(INFO_ROWS, info, strict=True):
        _label(ws, row, 1, 1, label1)
        _merge_text(ws, row, 2, 4, value1, align=_align())
        _label(ws, row, 5, 5, label2)
        _merge_text(ws, row, 6, 7, value2, align=_align())
        ws.row_dimensions[row].height = _height(
            (value1, span(2, 4)), (value2, span(6, 7)), (label1, span(1, 1)),
            (label2, span(5, 5)), minimum=20)
    ws.row_dimensions[HEADER_ROW - 1].height = 8

    # -- the indicator table ----------------------------------------------------------------------
    headers = (_("Dimension"), _("Indicator"), _("Max points"), _("Guidance"),
               _("Reported data"), _("Score"), _("Comment"))
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(HEADER_ROW, col)
        set_text(cell, text)
        cell.font = _font(bold=True)
        cell.alignment = _align("center")
        cell.fill = _HEADER_FILL
        cell.border = _BOX
    ws.row_dimensions[HEADER_ROW].height = _height(
        *((text, widths[i]) for i, text in enumerate(headers)), minimum=22)

    row = FIRST_ROW
    subtotals = {s.dimension: s for s in content.subtotals}
    groups: list[list] = []
    for item in content.rows:
        if not groups or groups[-1][0].dimension != item.dimension:
            groups.append([])
        groups[-1].append(item)
    for group in groups:
        first = row
        for item in group:
            _body(ws, row, COL_INDICATOR, f"{item.indicator_id} {clean_text(item.indicator)}")
            _body(ws, row, COL_MAX, item.max, horizontal="center")
            _body(ws, row, COL_GUIDANCE, clean_text(item.guidance), size=9)
            _body(ws, row, COL_DATA, clean_text(item.evidence), size=9)
            score = _body(ws, row, COL_SCORE, item.score, horizontal="center", bold=True)
            score.number_format = "@"
            _body(ws, row, COL_COMMENT, clean_text(item.comment), size=9)
            ws.row_dimensions[row].height = _height(
                (f"{item.indicator_id} {item.indicator}", widths[1]),
                (item.guidance, widths[3], 9), (item.evidence, widths[4], 9),
                (item.comment, widths[6], 9), (item.dimension, widths[0]), minimum=20)
            row += 1
        subtotal = subtotals.get(group[0].dimension)
        _subtotal_row(ws, row, _("Subtotal"), subtotal.max if subtotal else "",
                      subtotal.score if subtotal else "")
        # the dimension name, merged down its indicators and its subtotal
        _merge_text(ws, first, COL_DIMENSION, COL_DIMENSION, clean_text(group[0].dimension),
                    last_row=row, font=_font(bold=True), align=_align("center"))
        row += 1
    total_row = row
    _subtotal_row(ws, total_row, _("Total"), content.total_max, content.total, total=True)
    _merge_cells(ws, total_row, COL_DIMENSION, COL_INDICATOR)

    # -- opinion ------------------------------------------------------------------------------
    row = total_row + 1
    _merge_text(ws, row, 1, LAST_COL, _("Expert opinion"), font=_font(bold=True),
                align=_align("left"), fill=_HEADER_FILL)
    ws.row_dimensions[row].height = 22
    for label, text in opinion:
        row += 1
        text = clean_text(text)
        _label(ws, row, 1, 1, label, vertical="top")
        _merge_text(ws, row, 2, LAST_COL, text, align=_align("left", "top"))
        ws.row_dimensions[row].height = _height((text, span(2, LAST_COL)), minimum=40)

    # -- signature ----------------------------------------------------------------------------
    row += 1
    sign_row = row
    _label(ws, sign_row, 1, 1, _("Expert signature"))
    _merge_text(ws, sign_row, 2, 4, "", align=_align())
    _label(ws, sign_row, 5, 5, _("Date"))
    _merge_text(ws, sign_row, 6, 7, content.date, align=_align())
    ws.row_dimensions[sign_row].height = 48
    if signature_png:
        _add_signature_image(ws, sign_row, signature_png, span(2, 4))
    row += 1
    note = _("Signed electronically by {expert} on {date} (payload fingerprint {fingerprint}). "
             "The signed data is stored in this workbook; any change to the cells above is "
             "detected when the sheet is imported.").format(
        expert=clean_text(payload.expert_name), date=content.date,
        fingerprint=content.fingerprint)
    _merge_text(ws, row, 1, LAST_COL, note, font=_font(size=8, color="595959", italic=True),
                align=_align("left", "top"), border=None)
    ws.row_dimensions[row].height = _height((note, span(1, LAST_COL), 8), minimum=24)
    last_row = row

    _page_setup(ws, content, last_row)
    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    ws.sheet_view.showGridLines = False

    wb.properties.title = clean_text(content.title)
    wb.properties.subject = f"{payload.centre_id} {clean_text(payload.centre_name)}"[:250]
    wb.properties.creator = "CMRC Desktop"
    wb.properties.lastModifiedBy = "CMRC Desktop"
    _embed(wb, payload.canonical(), signature, chain)
    atomic_save(wb, path)


def _column_widths(first_column_words: list[str]) -> list[float]:
    """The column widths; column A is widened for a long word that would break mid-word."""
    widths = list(COLUMN_WIDTHS)
    longest = max((_width_units(word, BODY_SIZE) * 1.1 + 1.5
                   for text in first_column_words for word in clean_text(text).split()),
                  default=0.0)
    grow = min(max(math.ceil(longest) - widths[0], 0), MAX_FIRST_COLUMN - widths[0])
    widths[0] += grow
    widths[COL_GUIDANCE - 1] -= grow
    return widths


def _label(ws, row: int, first: int, last: int, text: str, vertical: str = "center") -> None:
    _merge_text(ws, row, first, last, text, font=_font(bold=True),
                align=_align("center", vertical), fill=_LABEL_FILL)


def _body(ws, row: int, col: int, text: str, *, horizontal: str = "left", bold: bool = False,
          size: float = BODY_SIZE):
    cell = ws.cell(row, col)
    set_text(cell, text)
    cell.font = _font(bold=bold, size=size)
    cell.alignment = _align(horizontal, "center")
    cell.border = _BOX
    return cell


def _subtotal_row(ws, row: int, label: str, max_points: str, score: str,
                  total: bool = False) -> None:
    fill = _TOTAL_FILL if total else _LABEL_FILL
    cell = _body(ws, row, COL_INDICATOR, label, horizontal="center", bold=True)
    cell.fill = fill
    if total:
        set_text(ws.cell(row, COL_DIMENSION), label)
        ws.cell(row, COL_DIMENSION).font = _font(bold=True)
        ws.cell(row, COL_DIMENSION).alignment = _align("center")
    for col in (COL_DIMENSION, COL_MAX, COL_GUIDANCE, COL_DATA, COL_SCORE, COL_COMMENT):
        ws.cell(row, col).border = _BOX
        ws.cell(row, col).fill = fill
    _body(ws, row, COL_MAX, max_points, horizontal="center", bold=True).fill = fill
    score_cell = _body(ws, row, COL_SCORE, score, horizontal="center", bold=True)
    score_cell.fill = fill
    score_cell.number_format = "@"
    _merge_cells(ws, row, COL_GUIDANCE, COL_DATA)
    ws.row_dimensions[row].height = 20


def _merge_cells(ws, row: int, first: int, last: int, last_row: int | None = None) -> None:
    last_row = last_row or row
    if first != last or last_row != row:
        ws.merge_cells(start_row=row, start_column=first, end_row=last_row, end_column=last)


def _merge_text(ws, row: int, first: int, last: int, text: str, *, font: Font | None = None,
                align: Alignment | None = None, fill: PatternFill | None = None,
                border: Border | None = _BOX, last_row: int | None = None) -> None:
    last_row = last_row or row
    cell = ws.cell(row, first)
    set_text(cell, text)
    cell.font = font or _font()
    cell.alignment = align or _align()
    for r in range(row, last_row + 1):
        for c in range(first, last + 1):
            target = ws.cell(r, c)
            if border is not None:
                target.border = border
            if fill is not None:
                target.fill = fill
    _merge_cells(ws, row, first, last, last_row)


def _width_units(text: str, size: float) -> float:
    """Approximate width of ``text`` in Excel character units at font ``size``."""
    scale = size / 11
    units = 0.0
    for char in text:
        wide = unicodedata.east_asian_width(char) in ("W", "F")
        units += (2.1 if wide else 1.05) * scale
    return units


def _height(*cells: tuple, minimum: float = 18) -> float:
    """Row height (points) that shows every ``(text, width[, size])`` in full when wrapped."""
    best = minimum
    for spec in cells:
        text, width = spec[0], spec[1]
        size = spec[2] if len(spec) > 2 else BODY_SIZE
        if not text:
            continue
        usable = max(width - 1.2, 1.0)
        lines = sum(max(1, math.ceil(_width_units(part, size) / usable))
                    for part in str(text).split("\n"))
        best = max(best, lines * LINE_SPACING * size + 5)
    return min(best, MAX_ROW_HEIGHT)


def _add_signature_image(ws, row: int, png: bytes, width: float) -> None:
    try:
        from openpyxl.drawing.image import Image
        from PIL import Image as PILImage
    except ImportError:  # Pillow missing: the box stays empty for a pen
        return
    try:
        with PILImage.open(io.BytesIO(png)) as probe:
            probe.verify()
        image = Image(io.BytesIO(png))
    except Exception:  # noqa: BLE001 - any undecodable image is the same to the user
        raise InputError(_("the signature image cannot be read")) from None
    box_w, box_h = width * 7 - 12, 48 / 0.75 - 8   # pixels
    scale = min(box_w / max(image.width, 1), box_h / max(image.height, 1), 1.0)
    image.width, image.height = int(image.width * scale), int(image.height * scale)
    ws.add_image(image, f"{get_column_letter(2)}{row}")


def _hf(text: str) -> str:
    """Text for a header or footer: '&' is a control character there."""
    return text.replace("&", "&&")


def _page_setup(ws, content: SheetContent, last_row: int) -> None:
    payload = content.payload
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.6
    ws.page_margins.header = 0.25
    ws.page_margins.footer = 0.25
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{get_column_letter(LAST_COL)}{last_row}"
    font = f"{BODY_FONT},Regular"
    header_left = _hf(f"{payload.centre_id} {clean_text(payload.centre_name)}"[:80])
    header_right = _hf(_("Expert: {name}").format(name=clean_text(payload.expert_name)[:40]))
    footer_left = _hf(_("Fingerprint {fingerprint}").format(fingerprint=content.fingerprint))
    footer_centre = _("Page &P of &N")
    for part, text in ((ws.oddHeader.left, header_left), (ws.oddHeader.right, header_right),
                       (ws.oddFooter.left, footer_left), (ws.oddFooter.center, footer_centre)):
        part.text = text.replace("\n", " ")
        part.size = 8
        part.font = font


def _chunks(text: str) -> list[str]:
    return [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]


def _embed(wb: Workbook, payload: bytes, signature: bytes, chain: list[x509.Certificate]) -> None:
    parts = {"payload": payload, "signature": signature}
    for index, cert in enumerate(chain):
        parts[f"cert{index}"] = cert.public_bytes(serialization.Encoding.DER)
    props = wb.custom_doc_props
    props.append(StringProperty(name=PREFIX + "format", value=FORMAT))
    props.append(StringProperty(name=PREFIX + "cert.count", value=str(len(chain))))
    for part, data in parts.items():
        chunks = _chunks(base64.b64encode(data).decode("ascii"))
        props.append(StringProperty(name=f"{PREFIX}{part}.count", value=str(len(chunks))))
        for index, chunk in enumerate(chunks):
            props.append(StringProperty(name=f"{PREFIX}{part}.{index:03d}", value=chunk))


# == reading ================================================================================
def read_sheet_xlsx(path: str | os.PathLike[str]) -> XlsxSheet:
    """Read a signed scoresheet workbook, or raise :class:`InputError` in plain words."""
    name = Path(path).name
    with reading(name, _("this is a folder, not an Excel workbook")):
        data = Path(path).read_bytes()
    return read_sheet_xlsx_bytes(data, name=name)


def read_sheet_xlsx_bytes(data: bytes, *, name: str = "") -> XlsxSheet:
    """:func:`read_sheet_xlsx` for a workbook already in memory; ``name`` is used in messages."""
    file = name or None
    if not data:
        raise InputError(_("the file is empty; expected an Excel workbook (.xlsx)"), file=file)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_sizes(archive, file)     # declared sizes and ratios, before unpacking
            _screen(archive, data, file)    # macros and DTDs, before any parser runs
            props = _custom_properties(archive, data, file)
    except zipfile.BadZipFile:
        raise InputError(_not_a_workbook(), file=file) from None
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError,
            RuntimeError, zlib.error):
        raise InputError(_not_a_workbook(), file=file) from None
    if props.get(PREFIX + "format") is None:
        raise InputError(_("this workbook is not a CMRC scoresheet: it carries no signed "
                           "scoresheet data"), file=file)
    if props[PREFIX + "format"] != FORMAT:
        raise InputError(_("this scoresheet was made in a format this version does not know "
                           "({format}); update CMRC Desktop").format(
            format=props[PREFIX + "format"][:40]), file=file)
    payload = _assemble(props, "payload", file)
    signature = _assemble(props, "signature", file)
    count = _count(props, "cert", file)
    if count < 1:
        raise InputError(_("the signature data in the file is incomplete"), file=file)
    certs = []
    for index in range(count):
        der = _assemble(props, f"cert{index}", file)
        try:
            certs.append(_certificate(der))
        except ValueError:
            raise InputError(_("the signature data in the file is damaged"), file=file) from None
    cells, sheet_name = _visible_cells(data, file)
    return XlsxSheet(payload, signature, tuple(certs), cells, sheet_name)


_PEEK = 256     # bytes of each part read to find its root element (more when needed)


def _damaged(file: str | None, part: str = "") -> InputError:
    if part:
        return InputError(_("the file is damaged or oversized: the part {part} of the workbook "
                            "is too large to unpack safely").format(part=shown(part)),
                          file=file, field=shown(part))
    return InputError(_("the file is damaged or oversized: a part of the workbook is too large "
                        "to unpack safely"), file=file)


def _check_sizes(archive: zipfile.ZipFile, file: str | None) -> None:
    """Declared sizes, ratios and encryption of every part, read from the zip directory
    before anything is unpacked."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _damaged(file)
    total = 0
    for info in infos:
        total += info.file_size
        if info.flag_bits & 0x1:
            raise InputError(_("the part {part} of the workbook is encrypted; a scoresheet is "
                               "never encrypted — export it again from CMRC Desktop").format(
                                   part=shown(info.filename)), file=file,
                             field=shown(info.filename))
        if info.file_size > MAX_MEMBER or total > MAX_TOTAL:
            raise _damaged(file, info.filename)
        if info.file_size > 4096 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _damaged(file, info.filename)


def _read_member(archive: zipfile.ZipFile, data: bytes, member: str) -> bytes | None:
    """A whole part (its size was checked by ``_check_sizes``), or None if absent."""
    try:
        info = archive.getinfo(member)
    except KeyError:
        return None
    return inflate(data, info)


_CERTS: dict[bytes, x509.Certificate] = {}


def _certificate(der: bytes) -> x509.Certificate:
    """Certificates by their bytes: a folder of sheets holds a few dozen, not thousands."""
    cert = _CERTS.get(der)
    if cert is None:
        if len(_CERTS) > 1024:
            _CERTS.clear()
        cert = _CERTS[der] = x509.load_der_x509_certificate(der)
    return cert


def _screen(archive: zipfile.ZipFile, data: bytes, file: str | None) -> None:
    """``xlsx_safety``'s rules, peeking at the first bytes of each part (a DTD can only
    stand before the root element) instead of unpacking the whole workbook twice."""
    for info in archive.infolist():
        if info.is_dir():
            continue
        screen_part(info.filename, inflate(data, info, _PEEK),
                    lambda info=info: inflate(data, info), name=file)


def _custom_properties(archive: zipfile.ZipFile, data: bytes,
                       file: str | None) -> dict[str, str]:
    """The ``cmrc.*`` custom document properties of the package, by name (from the usual
    part; the package relationships are consulted only when it is elsewhere)."""
    target = _DEFAULT_CUSTOM
    rels = None if _DEFAULT_CUSTOM in archive.NameToInfo else \
        _read_member(archive, data, "_rels/.rels")
    if rels is not None:
        for rel in _parse(rels, file).iter(_RELS_NS + "Relationship"):
            if (rel.get("Type") or "").endswith(_CUSTOM_REL) and rel.get("Target"):
                target = posixpath.normpath(rel.get("Target").lstrip("/"))
                break
    xml = _read_member(archive, data, target)
    return {} if xml is None else _properties(xml, target, file)


def _properties(xml: bytes, part: str, file: str | None) -> dict[str, str]:
    """``<property name="cmrc.…"><vt:lpwstr>text</vt:lpwstr></property>`` → {name: text},
    the text being that of the property's first child, as ElementTree's ``prop[0].text``.

    Read with expat's own callbacks rather than defusedxml's tree builder: a scoresheet
    holds some fifty properties and the pure-Python builder was a tenth of a merge. The
    protection is the same — a DTD, and so any entity, is refused.
    """
    props: dict[str, str] = {}
    depth = 0
    name: str | None = None        # of the cmrc.* property being read
    text: list[str] | None = None  # of its first child, while it is being read
    first = True                   # the next child of the property is its first

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth, name, text, first
        depth += 1
        if depth == 2:
            key = attrs.get("name") or ""
            name = key if tag == _PROPERTY and key.startswith(PREFIX) else None
            first = True
        elif depth == 3 and name is not None and first:
            text = []
        elif depth == 4 and text is not None:   # a child's .text ends at its first child
            props[name] = "".join(text)          # type: ignore[index]
            text = None

    def end(_tag: str) -> None:
        nonlocal depth, text, first
        if depth == 3:
            if text is not None:
                props[name] = "".join(text)      # type: ignore[index]
                text = None
            first = False
        depth -= 1

    def characters(chunk: str) -> None:
        if text is not None:
            text.append(chunk)

    def refuse(*_args: object) -> None:
        raise dtd_refused(part, file)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(xml, True)
    except expat.ExpatError:
        raise InputError(_not_a_workbook(), file=file) from None
    return props


def _parse(xml: bytes, file: str | None):
    try:
        return fromstring(xml)
    except (ParseError, DefusedXmlException, ValueError):
        raise InputError(_not_a_workbook(), file=file) from None


def _count(props: dict[str, str], part: str, file: str | None) -> int:
    text = props.get(f"{PREFIX}{part}.count", "")
    if not text.isascii() or not text.strip().isdigit():
        raise InputError(_("the signature data in the file is incomplete"), file=file)
    return int(text)


def _assemble(props: dict[str, str], part: str, file: str | None) -> bytes:
    count = _count(props, part, file)
    stem = f"{PREFIX}{part}."
    present = set()
    for key in props:
        if key.startswith(stem):
            suffix = key[len(stem):]
            if suffix.isascii() and suffix.isdigit():
                present.add(int(suffix))
    if count < 1 or present != set(range(count)):
        raise InputError(_("the signature data in the file is incomplete"), file=file)
    text = "".join(props[f"{stem}{index:03d}"] if f"{stem}{index:03d}" in props
                   else props[f"{stem}{index}"] for index in range(count))
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InputError(_("the signature data in the file is damaged"), file=file) from None


def _visible_cells(data: bytes, file: str | None) -> tuple[tuple[tuple[Any, ...], ...], str]:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        index = 0
        for position, meta in enumerate(book.sheets_metadata):
            if meta.visible == SheetVisibleEnum.Visible:
                index = position
                break
        sheet = book.get_sheet_by_index(index)
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, OSError, ValueError, IndexError):
        raise InputError(_not_a_workbook(), file=file) from None
    return tuple(tuple(r) for r in rows), sheet.name


# == comparing ==============================================================================
def _ref(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def _short(text: str, limit: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _shown_text(value: Any) -> str:
    return clean_text(cell_text(value))


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        try:
            return Decimal(repr(value))
        except InvalidOperation:
            return None
    if isinstance(value, str):
        return parse_decimal(clean_text(value))
    return None


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value == value and value not in (float("inf"),
                                                                      float("-inf")):
        return plain(Decimal(repr(value)))
    return _shown_text(value).strip()


def check_visible(sheet: XlsxSheet, payload: SheetPayload) -> list[str]:
    """Every difference between the cells a person reads and the signed ``payload``.

    An empty list means the sheet shows exactly what was signed. Indicator rows are found
    by the indicator id at the start of the 指标 cell (column B), so the message names the
    cell and the indicator; texts are compared after the payload's text rule.
    """
    problems: list[str] = []
    empty = _("(empty)")

    # ``what`` names the cell in a message, so it is only worked out for a difference
    def text_differs(row: int, col: int, what: Callable[[], str], signed: str) -> None:
        signed = clean_text(signed)
        shown = _shown_text(sheet.value(row, col))
        if shown != signed:
            problems.append(_("cell {cell} ({what}): the signed text is “{signed}”, the sheet "
                              "shows “{shown}”").format(
                cell=_ref(row, col), what=what(), signed=_short(signed) or empty,
                shown=_short(shown) or empty))

    def number_differs(row: int, col: int, what: Callable[[], str],
                       signed: Decimal | None) -> None:
        value = sheet.value(row, col)
        signed_text = "" if signed is None else plain(signed)
        if signed is None:
            same = _shown_text(value).strip() == ""
        elif isinstance(value, str) and clean_text(value) == signed_text:
            same = True
        else:
            shown_value = _as_decimal(value)
            same = shown_value is not None and shown_value == signed
        if not same:
            problems.append(_("cell {cell} ({what}): the signed value is {signed}, the sheet "
                              "shows {shown}").format(
                cell=_ref(row, col), what=what(), signed=signed_text or empty,
                shown=_short(_number_text(value)) or empty))

    text_differs(*CELL_BATCH, lambda: _("Evaluation batch"), payload.batch_name)
    text_differs(*CELL_DATE, lambda: _("Date"), payload.signed_at[:10])
    text_differs(*CELL_CENTRE_NAME, lambda: _("Centre name"), payload.centre_name)
    text_differs(*CELL_CENTRE_ID, lambda: _("Centre ID"), payload.centre_id)
    text_differs(*CELL_HOST, lambda: _("Host institution"), payload.host)
    text_differs(*CELL_REVISION, lambda: _("Revision"), str(payload.revision))
    text_differs(*CELL_EXPERT, lambda: _("Expert"), payload.expert_name)
    text_differs(*CELL_INSTITUTION, lambda: _("Institution"), payload.institution)

    # the table: runs of indicator rows, each closed by its subtotal row, then the total row
    ids = set(payload.scores)
    found: dict[str, list[int]] = {}
    row = FIRST_ROW
    total_row = None
    grand = Decimal(0)
    while row <= len(sheet.cells):
        group: list[str] = []
        while row <= len(sheet.cells):
            token = (_shown_text(sheet.value(row, COL_INDICATOR)).split(maxsplit=1)
                     or [""])[0]
            if token not in ids:
                break
            found.setdefault(token, []).append(row)
            group.append(token)
            row += 1
        if not group:
            total_row = row
            break
        subtotal = sum((payload.scores[i] for i in group if payload.scores[i] is not None),
                       Decimal(0))
        grand += subtotal
        number_differs(row, COL_SCORE, lambda group=group: _("subtotal of {indicators}").format(
            indicators=f"{group[0]}–{group[-1]}" if len(group) > 1 else group[0]), subtotal)
        row += 1
    for ind in sorted(ids):
        rows = found.get(ind, [])
        if not rows:
            problems.append(_("indicator {id} is signed but the sheet has no row for it "
                              "(column {letter})").format(id=ind, letter="B"))
            continue
        if len(rows) > 1:
            problems.append(_("indicator {id} appears in more than one row ({rows})").format(
                id=ind, rows=", ".join(str(r) for r in rows)))
        at = rows[0]

        def label(at: int = at) -> str:
            return _short(_shown_text(sheet.value(at, COL_INDICATOR)).strip(), 30)

        number_differs(at, COL_SCORE, lambda label=label: _("{indicator}, score").format(
            indicator=label()), payload.scores[ind])
        text_differs(at, COL_COMMENT, lambda label=label: _("{indicator}, comment").format(
            indicator=label()), payload.comments.get(ind, ""))
    if total_row is not None and found:
        number_differs(total_row, COL_SCORE, lambda: _("Total"), grand)
        opinion = ((lambda: _("Main achievements"), payload.achievements),
                   (lambda: _("Problems"), payload.problems),
                   (lambda: _("Recommendations"), payload.recommendations))
        for offset, (what, signed) in enumerate(opinion, start=2):
            text_differs(total_row + offset, COL_INDICATOR, what, signed)
    return problems
