"""The signed Excel scoresheet (评分表.xlsx): a print-ready form that carries its own proof.

What a person sees is the plan of :mod:`sheet_xlsx_layout` (title, batch, centre, expert,
the indicator table with 小计 and 总分, 评审意见, the declaration, 专家签名). What the
program trusts is stored in the workbook's *custom document properties*, each value
base64-encoded and cut into chunks of at most 240 characters (Excel's limit for a property
value is 255), named ``cmrc.payload.000``, ``cmrc.payload.001``, …:

* the canonical payload, the expert's signature over it and the certificate chain (expert
  first, then the batch CA) — what the merge takes;
* the *parts manifest*: the SHA-256 of every other part of the package as written, with
  the payload's digest, signed again by the expert — so that a workbook verifies only
  byte for byte as the expert's program wrote it. A re-save by Excel, WPS, LibreOffice or
  openpyxl changes the parts (shared strings, styles, dates) and is refused with a
  sentence asking for the original file or its PDF: a re-saved workbook cannot be told
  from a forged one cheaply enough to be safe.

The manifest guards against anyone who handles the file without the expert's key; against
a client that holds a genuine key and signs something odd, :mod:`sheet_xlsx_check` reads
the workbook strictly (:mod:`sheet_xlsx_parts`) and compares every cell, look, merged
range, height, width, header and footer with the plan the payload draws to.

Every text cell is written through :func:`set_text`, so a centre called ``=HYPERLINK(…)``
stays text.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from openpyxl import Workbook
from openpyxl.packaging.custom import CustomPropertyList, StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.xml.functions import tostring

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.limits import MAX_SHEET_XLSX
from cmrc_desktop.exchange.atomic_file import atomic_path
from cmrc_desktop.exchange.input_file import read_input
from cmrc_desktop.exchange.sheet_content import SheetContent, drawn_in
from cmrc_desktop.exchange.sheet_xlsx_layout import (
    BODY_FONT,
    COL_COMMENT,
    COL_DATA,
    COL_DIMENSION,
    COL_GUIDANCE,
    COL_INDICATOR,
    COL_MAX,
    COL_SCORE,
    FIRST_ROW,
    HEADER_ROW,
    SIGNATURE_ROW_HEIGHT,
    Look,
    SheetPlan,
    plan_sheet,
)
from cmrc_desktop.exchange.sheet_xlsx_parts import (
    CUSTOM_PART,
    ReadWorkbook,
    parse_properties,
    read_parts,
    read_workbook,
)
from cmrc_desktop.exchange.xlsx_safety import _not_a_workbook, set_text
from cmrc_desktop.i18n import _
from cmrc_desktop.signing.keys import KeyPair
from cmrc_desktop.signing.payload import SheetPayload, canonical_json, sign

__all__ = ["CHUNK", "COL_COMMENT", "COL_DATA", "COL_DIMENSION", "COL_GUIDANCE",
           "COL_INDICATOR", "COL_MAX", "COL_SCORE", "FIRST_ROW", "FORMAT", "HEADER_ROW",
           "XlsxSheet", "parts_manifest", "read_sheet_xlsx", "read_sheet_xlsx_bytes",
           "write_sheet_xlsx"]

FORMAT = "cmrc-sheet-xlsx/2"
PARTS_FORMAT = "cmrc-sheet-parts/1"
PREFIX = "cmrc."
CHUNK = 240                       # characters per property value (Excel allows 255)
EMU_PER_PIXEL = 9525


@dataclass(frozen=True)
class XlsxSheet:
    """What a scoresheet workbook holds: the signed data and the workbook as read."""

    payload_bytes: bytes
    signature: bytes
    certs: tuple[x509.Certificate, ...]   # expert certificate first, then the batch CA
    manifest: bytes                       # canonical JSON of the parts' digests
    manifest_signature: bytes
    parts: dict[str, bytes]               # every part, inflated
    book: ReadWorkbook | None             # None when the parts are not a scoresheet's …
    odd: str = ""                         # … and this says why

    @property
    def payload(self) -> SheetPayload:
        """The embedded payload, parsed (raises :class:`InputError` when it is not canonical)."""
        return SheetPayload.from_bytes(self.payload_bytes)

    @property
    def sheet_name(self) -> str:
        return self.book.sheet_name if self.book else ""

    def value(self, row: int, col: int) -> str | None:
        """The text of a cell by 1-based row and column; None when it holds none."""
        cell = self.book.cells.get((row, col)) if self.book else None
        return None if cell is None else cell.text


# == writing ================================================================================
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _style(cell, look: Look) -> None:
    """Give ``cell`` the look (a merged range shows its first cell's; openpyxl copies its
    lines to the range's edges when the range is merged)."""
    cell._style = _style_array(look, cell.parent.parent)


def _style_array(look: Look, wb: Workbook):
    """The workbook's style array of ``look``, made once per workbook: setting font,
    alignment, fill and lines one by one was a third of writing a sheet. The arrays are
    kept on the workbook itself: they index its own lists of fonts and lines, and a
    cache keyed by ``id(wb)`` handed a later workbook (at the same address once the first
    was freed) indexes it did not have."""
    cache = wb.__dict__.setdefault("_cmrc_style_arrays", {})
    found = cache.get(look)
    if found is None:
        probe = wb.active.cell(1, 1)
        saved = probe._style
        probe._style = StyleArray()
        probe.font = Font(name=look.font, size=look.size, bold=look.bold, italic=look.italic,
                          color=look.colour)
        probe.alignment = Alignment(horizontal=look.horizontal, vertical=look.vertical,
                                    wrap_text=True)
        if look.fill:
            probe.fill = PatternFill("solid", fgColor=look.fill)
        if look.boxed:
            probe.border = _BOX
        if look.as_text:
            probe.number_format = "@"
        found = copy.copy(probe._style)
        probe._style = saved
        cache[look] = found
    return copy.copy(found)


def write_sheet_xlsx(path: str | os.PathLike[str], content: SheetContent, signer: KeyPair, *,
                     signature: bytes | None = None,
                     signature_png: bytes | None = None) -> None:
    """Write the signed scoresheet ``content`` to ``path`` (atomically), signed by
    ``signer`` (the expert's key pair; ``signature`` is the stored signature over the
    payload when there is one). ``signature_png`` is the hand-drawn signature shown beside
    专家签名; its hash must be the payload's."""
    payload = content.payload
    png_hash = hashlib.sha256(signature_png).hexdigest() if signature_png else ""
    if payload.signature_png != png_hash:
        raise InputError(_("the drawn signature is not the one the sheet was signed with"))
    data = sheet_xlsx_bytes(content, signer, signature=signature,
                            signature_png=signature_png)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def sheet_xlsx_bytes(content: SheetContent, signer: KeyPair, *,
                     signature: bytes | None = None,
                     signature_png: bytes | None = None) -> bytes:
    """The workbook of ``content`` with its payload, signatures and parts manifest."""
    payload = content.payload
    plan = plan_sheet(content)
    image = _signature_image(signature_png) if signature_png else None
    with drawn_in(payload):
        wb = _workbook(plan, content, image)
    chain = [signer.cert, *signer.chain]
    data = payload.canonical()
    props = _properties({"payload": data,
                         "signature": signature or sign(signer.key, data)}, chain)
    wb.custom_doc_props = props
    out = io.BytesIO()
    wb.save(out)
    # the parts as openpyxl wrote them, then their manifest signed into the properties
    manifest = parts_manifest(_parts_of(out.getvalue()), payload)
    for name, value in (("parts", manifest), ("parts_signature", sign(signer.key, manifest))):
        _append(props, name, value)
    return _replace_part(out.getvalue(), CUSTOM_PART, tostring(props.to_tree()))


def _workbook(plan: SheetPlan, content: SheetContent, image) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = plan.sheet_name
    for index, width in enumerate(plan.widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    for block in plan.blocks:
        _style(ws.cell(block.row, block.col), block.look)
        if block.text:
            set_text(ws.cell(block.row, block.col), block.text)
        if block.merged:
            ws.merge_cells(start_row=block.row, start_column=block.col,
                           end_row=block.bottom, end_column=block.right)
    for row, height in plan.heights.items():
        ws.row_dimensions[row].height = height
    if image is not None:
        box_w, box_h = signature_box(plan)
        scale = min(box_w / max(image.width, 1), box_h / max(image.height, 1), 1.0)
        image.width, image.height = int(image.width * scale), int(image.height * scale)
        ws.add_image(image, f"{get_column_letter(2)}{plan.signature_row}")
    _page_setup(ws, plan)
    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    ws.sheet_view.showGridLines = False
    moment = content.payload.signed_moment.replace(tzinfo=None)
    wb.properties.title = plan.title
    wb.properties.subject = plan.subject
    wb.properties.creator = "CMRC Desktop"
    wb.properties.lastModifiedBy = "CMRC Desktop"
    wb.properties.created = moment
    return wb


def signature_box(plan: SheetPlan) -> tuple[int, int]:
    """The most pixels the drawn signature may take (width, height) in its cell."""
    return int(plan.signature_width * 7 - 12), int(SIGNATURE_ROW_HEIGHT / 0.75 - 8)


def _signature_image(png: bytes):
    """The drawn signature as openpyxl's picture (its bytes kept as they are: the payload
    signs their hash)."""
    from openpyxl.drawing.image import Image
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(png)) as probe:
            if probe.format != "PNG":
                raise ValueError(probe.format)
            probe.verify()
        return Image(io.BytesIO(png))
    except Exception:  # noqa: BLE001 - any undecodable image is the same to the user
        raise InputError(_("the signature image cannot be read")) from None


def _page_setup(ws, plan: SheetPlan) -> None:
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
    ws.print_title_rows = plan.print_titles
    ws.print_area = plan.print_area
    ws.HeaderFooter.oddHeader, ws.HeaderFooter.oddFooter = _header_footer(plan)


def _header_footer(plan: SheetPlan):
    from openpyxl.worksheet.header_footer import HeaderFooterItem

    header, footer = HeaderFooterItem(), HeaderFooterItem()
    for part, text in ((header.left, plan.header_left), (header.right, plan.header_right),
                       (footer.left, plan.footer_left), (footer.center, plan.footer_centre)):
        part.text = text
        part.size = 9
        part.font = f"{BODY_FONT},Regular"
    return header, footer


def header_footer_texts(plan: SheetPlan) -> dict[str, str]:
    """The page header and footer as the workbook stores them."""
    return dict(_header_footer_texts(plan.header_left, plan.header_right, plan.footer_left,
                                     plan.footer_centre))


@lru_cache(maxsize=256)
def _header_footer_texts(left: str, right: str, footer_left: str, footer_centre: str):
    plan = SheetPlan("", header_left=left, header_right=right, footer_left=footer_left,
                     footer_centre=footer_centre)
    header, footer = _header_footer(plan)
    return (("oddHeader", str(header)), ("oddFooter", str(footer)))


def _chunks(text: str) -> list[str]:
    return [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]


def _properties(parts: dict[str, bytes], chain: list[x509.Certificate]) -> CustomPropertyList:
    props = CustomPropertyList()
    props.append(StringProperty(name=PREFIX + "format", value=FORMAT))
    props.append(StringProperty(name=PREFIX + "cert.count", value=str(len(chain))))
    for part, data in parts.items():
        _append(props, part, data)
    for index, cert in enumerate(chain):
        _append(props, f"cert{index}", cert.public_bytes(serialization.Encoding.DER))
    return props


def _append(props: CustomPropertyList, part: str, data: bytes) -> None:
    chunks = _chunks(base64.b64encode(data).decode("ascii"))
    props.append(StringProperty(name=f"{PREFIX}{part}.count", value=str(len(chunks))))
    for index, chunk in enumerate(chunks):
        props.append(StringProperty(name=f"{PREFIX}{part}.{index:03d}", value=chunk))


def _parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def parts_manifest(parts: dict[str, bytes], payload: SheetPayload) -> bytes:
    """What the expert signs of the package: every part but the custom properties (which
    carry the signatures), by its digest, tied to the payload."""
    return canonical_json({
        "format": PARTS_FORMAT, "payload": payload.digest,
        "parts": {name: hashlib.sha256(body).hexdigest()
                  for name, body in sorted(parts.items()) if name != CUSTOM_PART}})


def _replace_part(data: bytes, part: str, body: bytes) -> bytes:
    """The package ``data`` with one part's content replaced, every other part unchanged
    and in its order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fresh = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            fresh.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fresh, body if info.filename == part else source.read(info))
    return out.getvalue()


# == reading ================================================================================
def read_sheet_xlsx(path: str | os.PathLike[str]) -> XlsxSheet:
    """Read a signed scoresheet workbook, or raise :class:`InputError` in plain words."""
    name = Path(path).name
    data = read_input(path, limit=MAX_SHEET_XLSX, what=_("a scoresheet"),
                      folder=_("this is a folder, not an Excel workbook"), shown_as=name)
    return read_sheet_xlsx_bytes(data, name=name)


def read_sheet_xlsx_bytes(data: bytes, *, name: str = "") -> XlsxSheet:
    """:func:`read_sheet_xlsx` for a workbook already in memory; ``name`` is used in messages.

    Refuses what is no scoresheet at all (not a workbook, hostile zip or XML, no signed
    data, another format); a workbook whose parts are not a scoresheet's is returned with
    the reason in ``odd``, so that the verifier can tell a re-saved file from a forged one.
    """
    file = name or None
    if not data:
        raise InputError(_("the file is empty; expected an Excel workbook (.xlsx)"), file=file)
    if not data.startswith(b"PK"):
        raise InputError(_not_a_workbook(), file=file)
    parts = read_parts(data, file)
    props = _signed_properties(parts, file)
    count = _count(props, "cert", file)
    certs = []
    for index in range(count):
        try:
            certs.append(_certificate(_assemble(props, f"cert{index}", file)))
        except ValueError:
            raise InputError(_("the signature data in the file is damaged"), file=file) from None
    try:
        book, why = read_workbook(parts, file), ""
    except InputError as exc:
        book, why = None, exc.message
    return XlsxSheet(_assemble(props, "payload", file), _assemble(props, "signature", file),
                     tuple(certs), _assemble(props, "parts", file),
                     _assemble(props, "parts_signature", file), parts, book, why)


def _signed_properties(parts: dict[str, bytes], file: str | None) -> dict[str, str]:
    """The cmrc.* properties, read first so that a workbook that is no scoresheet at all,
    or one of another format, is told so before its structure is judged."""
    not_ours = InputError(_("this workbook is not a CMRC scoresheet: it carries no signed "
                            "scoresheet data"), file=file)
    if CUSTOM_PART not in parts:
        raise not_ours
    try:
        props = parse_properties(parts[CUSTOM_PART], file)
    except InputError:
        if b"cmrc.format" not in parts[CUSTOM_PART]:
            raise not_ours from None
        raise
    fmt = props.get(PREFIX + "format")
    if fmt is None:
        raise not_ours
    if fmt != FORMAT:
        if fmt == "cmrc-sheet-xlsx/1":
            raise InputError(_("this scoresheet was exported by an earlier version of CMRC "
                               "Desktop, whose workbooks cannot be checked cell for cell; ask "
                               "the expert to export it again with this version (or use its "
                               "PDF if that was exported by this version)"), file=file)
        raise InputError(_("this scoresheet was made in a format this version does not know "
                           "({format}); update CMRC Desktop").format(format=fmt[:40]),
                         file=file)
    return props


_CERTS: dict[bytes, x509.Certificate] = {}


def _certificate(der: bytes) -> x509.Certificate:
    """Certificates by their bytes: a folder of sheets holds a few dozen, not thousands."""
    cert = _CERTS.get(der)
    if cert is None:
        if len(_CERTS) > 1024:
            _CERTS.clear()
        cert = _CERTS[der] = x509.load_der_x509_certificate(der)
    return cert


def _count(props: dict[str, str], part: str, file: str | None) -> int:
    text = props.get(f"{PREFIX}{part}.count", "")
    if not text.isascii() or not text.strip().isdigit() or len(text) > 6:
        raise InputError(_("the signature data in the file is incomplete"), file=file)
    return int(text)


def _assemble(props: dict[str, str], part: str, file: str | None) -> bytes:
    count = _count(props, part, file)
    stem = f"{PREFIX}{part}."
    present = set()
    for key in props:
        if key.startswith(stem):
            suffix = key[len(stem):]
            if suffix.isascii() and suffix.isdigit() and len(suffix) <= 6:
                present.add(int(suffix))
    if count < 1 or present != set(range(count)):
        raise InputError(_("the signature data in the file is incomplete"), file=file)
    text = "".join(props[f"{stem}{index:03d}"] if f"{stem}{index:03d}" in props
                   else props[f"{stem}{index}"] for index in range(count))
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InputError(_("the signature data in the file is damaged"), file=file) from None
