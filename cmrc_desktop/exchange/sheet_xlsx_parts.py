"""The parts of a scoresheet workbook, read strictly: only what our writer writes.

A workbook can show other numbers than its cells hold (a number format, a hidden row, a
white one-point font, a second sheet that opens first, a picture laid over a cell, a
formula with a stale cached value). So a scoresheet is read as the program writes it and
nothing else: exactly the parts below, each parsed with expat (a DTD refused by the parser
itself, after the screening of :mod:`xlsx_safety`), and every element and attribute that
could change what a person sees either understood and returned for comparison (cells with
their resolved look, merged ranges, row heights, column widths, headers and footers, the
print area, the picture's anchor) or refused, naming the part. What the cells must say
and how they must look is :mod:`sheet_xlsx_check`'s business.

Zip level: no two entries of one name (a reader takes the first, another the last), the
entries back to back from the first byte to the central directory (no hidden entry that a
streaming reader would find), sizes and ratios checked before anything is inflated.
"""

from __future__ import annotations

import hashlib
import posixpath
import struct
import xml.etree.ElementTree as ET  # noqa: N817 - after the DTD screening, see parse_part
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.exchange.safe_zip import fold, inflate, shown
from cmrc_desktop.exchange.xlsx_safety import (
    _not_a_workbook,
    declares_dtd,
    dtd_refused,
    screen_part,
)
from cmrc_desktop.i18n import _

MAX_MEMBER = 5 * 1024 * 1024      # uncompressed bytes of one zip member
MAX_TOTAL = 50 * 1024 * 1024      # uncompressed bytes of the whole workbook
MAX_RATIO = 100                   # uncompressed / compressed size of one member
MAX_MEMBERS = 64                  # a scoresheet has 14
MAX_CELLS = 20_000                # a scoresheet of 60 indicators has ~700
_PEEK = 256                       # bytes of each part read to find its root element

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
DML = "http://schemas.openxmlformats.org/drawingml/2006/main"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CORE = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
APP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

CONTENT_TYPES = "[Content_Types].xml"
ROOT_RELS = "_rels/.rels"
APP_PART = "docProps/app.xml"
CORE_PART = "docProps/core.xml"
CUSTOM_PART = "docProps/custom.xml"
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
STYLES = "xl/styles.xml"
THEME = "xl/theme/theme1.xml"
SHEET = "xl/worksheets/sheet1.xml"
SHEET_RELS = "xl/worksheets/_rels/sheet1.xml.rels"
DRAWING = "xl/drawings/drawing1.xml"
DRAWING_RELS = "xl/drawings/_rels/drawing1.xml.rels"
IMAGE = "xl/media/image1.png"
BASE_PARTS = frozenset({CONTENT_TYPES, ROOT_RELS, APP_PART, CORE_PART, CUSTOM_PART, WORKBOOK,
                        WORKBOOK_RELS, STYLES, THEME, SHEET})
PICTURE_PARTS = frozenset({SHEET_RELS, DRAWING, DRAWING_RELS, IMAGE})

_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_PKG_REL_TYPE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
# every relationship a scoresheet has: part -> {(type, target part)}
_RELATIONSHIPS = {
    ROOT_RELS: {(_REL_TYPE + "officeDocument", WORKBOOK),
                (_PKG_REL_TYPE + "core-properties", CORE_PART),
                (_REL_TYPE + "extended-properties", APP_PART),
                (_REL_TYPE + "custom-properties", CUSTOM_PART)},
    WORKBOOK_RELS: {(_REL_TYPE + "worksheet", SHEET), (_REL_TYPE + "styles", STYLES),
                    (_REL_TYPE + "theme", THEME)},
    SHEET_RELS: {(_REL_TYPE + "drawing", DRAWING)},
    DRAWING_RELS: {(_REL_TYPE + "image", IMAGE)},
}
_OFFICE = "application/vnd.openxmlformats-officedocument."
_CONTENT_TYPE_OF = {
    WORKBOOK: _OFFICE + "spreadsheetml.sheet.main+xml",
    STYLES: _OFFICE + "spreadsheetml.styles+xml",
    THEME: _OFFICE + "theme+xml",
    SHEET: _OFFICE + "spreadsheetml.worksheet+xml",
    DRAWING: _OFFICE + "drawing+xml",
    CORE_PART: "application/vnd.openxmlformats-package.core-properties+xml",
    APP_PART: _OFFICE + "extended-properties+xml",
    CUSTOM_PART: _OFFICE + "custom-properties+xml",
}
_DEFAULT_TYPES = {"rels": "application/vnd.openxmlformats-package.relationships+xml",
                  "xml": "application/xml", "png": "image/png"}


# == a tree ==================================================================================
class Node:
    """An XML element as the checks below read it: local name, namespace, attributes (a
    namespaced attribute keeps ``{ns}name``), children and the text directly inside it;
    a thin view of an ElementTree element, made only where a check looks."""

    __slots__ = ("el",)

    def __init__(self, el: ET.Element) -> None:
        self.el = el

    @property
    def tag(self) -> str:
        tag = self.el.tag
        return tag[tag.rfind("}") + 1:]

    @property
    def ns(self) -> str:
        tag = self.el.tag
        return tag[1:tag.index("}")] if tag[:1] == "{" else ""

    @property
    def attrs(self) -> dict[str, str]:
        return self.el.attrib

    @property
    def children(self) -> list[Node]:
        return [Node(child) for child in self.el]

    @property
    def text(self) -> str:
        return self.el.text or ""

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.el.get(key, default)


def parse_part(xml: bytes, part: str, file: str | None) -> Node:
    """``xml`` as a tree, by expat in C. A DTD (the only way to declare an entity) is
    refused before the parser sees the part — here as well as by the screening every part
    went through — so no entity is ever expanded."""
    if declares_dtd(xml):
        raise dtd_refused(part, file)
    parser = ET.XMLParser()
    try:
        parser.feed(xml)
        return Node(parser.close())
    except ET.ParseError:
        raise InputError(_("the workbook part {part} is not well-formed XML").format(
            part=shown(part)), file=file, field=shown(part)) from None


# == what a workbook is made of ===============================================================
@dataclass(frozen=True)
class Look:
    """A cell's look as the workbook resolves it (font, fill, lines, alignment, number
    format) in the terms of :class:`sheet_xlsx_layout.Look`; two cells look alike when
    their looks are equal."""

    font: tuple
    fill: tuple
    border: tuple
    alignment: tuple
    number_format: str


@dataclass(frozen=True)
class Cell:
    text: str | None      # None: the cell holds no value
    look: Look


@dataclass
class ReadWorkbook:
    """A scoresheet workbook read strictly (see the module docstring)."""

    parts: dict[str, bytes]                        # every part, inflated
    props: dict[str, str]                          # the cmrc.* custom properties
    sheet_name: str = ""
    defined_names: dict[str, str] = field(default_factory=dict)
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merges: set[tuple[int, int, int, int]] = field(default_factory=set)
    heights: dict[int, float] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    header_footer: dict[str, str] = field(default_factory=dict)
    core: dict[str, str] = field(default_factory=dict)
    picture: tuple[int, int, int, int] | None = None   # row, col (0-based), cx, cy (EMU)
    frozen_rows: int = 0


class Odd(InputError):
    """A part holds something a scoresheet never does (named by part and what)."""


def odd(part: str, what: str, file: str | None) -> Odd:
    return Odd(_("the workbook part {part} holds {what}, which CMRC Desktop never writes in "
                 "a scoresheet").format(part=shown(part), what=what), file=file,
               field=shown(part))


# == reading ==================================================================================
def read_parts(data: bytes, file: str | None) -> dict[str, bytes]:
    """Every part of the workbook ``data``, inflated once, after the zip-level checks and
    the macro/DTD screening (whether the parts are a scoresheet's is
    :func:`read_workbook`'s question)."""
    import io
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            start_dir = archive.start_dir
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError,
            OSError, ValueError, RuntimeError, struct.error):
        raise InputError(_not_a_workbook(), file=file) from None
    _check_sizes(infos, file)
    _check_names_and_layout(infos, start_dir, data, file)
    parts: dict[str, bytes] = {}
    try:
        for info in infos:           # macros and DTDs first, with the words people know
            screen_part(info.filename, inflate(data, info, _PEEK),
                        lambda info=info: inflate(data, info), name=file)
        for info in infos:
            parts[info.filename] = inflate(data, info)
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError,
            struct.error):
        raise InputError(_not_a_workbook(), file=file) from None
    return parts


def _check_part_names(parts: dict[str, bytes], file: str | None) -> None:
    for name in parts:
        if name not in BASE_PARTS | PICTURE_PARTS:
            raise odd(name, _("a part of its own"), file)
    missing = sorted(BASE_PARTS - parts.keys())
    if missing:
        raise InputError(_("the workbook has no part {part}; it is not a scoresheet as CMRC "
                           "Desktop writes it").format(part=missing[0]), file=file)
    picture = PICTURE_PARTS & parts.keys()
    if picture and picture != PICTURE_PARTS:
        raise InputError(_("the workbook's signature picture is incomplete (part {part} is "
                           "missing)").format(part=sorted(PICTURE_PARTS - picture)[0]),
                         file=file)


def _damaged(file: str | None, part: str = "") -> InputError:
    if part:
        return InputError(_("the file is damaged or oversized: the part {part} of the workbook "
                            "is too large to unpack safely").format(part=shown(part)),
                          file=file, field=shown(part))
    return InputError(_("the file is damaged or oversized: a part of the workbook is too large "
                        "to unpack safely"), file=file)


def _check_sizes(infos: list[zipfile.ZipInfo], file: str | None) -> None:
    """Declared sizes, ratios and encryption of every part, read from the zip directory
    before anything is unpacked."""
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


_LOCAL = struct.Struct("<4s22xHH")
_DESCRIPTOR = b"PK\x07\x08"


def _check_names_and_layout(infos: list[zipfile.ZipInfo], start_dir: int, data: bytes,
                            file: str | None) -> None:
    """One entry per name (also up to case), and the entries back to back from the start
    of the file to the central directory: nothing hidden between or before them."""
    seen: set[str] = set()
    for info in infos:
        key = fold(info.orig_filename)
        if key in seen:
            raise InputError(_("the workbook holds the part {part} twice; a reader may show "
                               "one copy and the program read the other, so the file is "
                               "refused").format(part=shown(info.orig_filename)), file=file,
                             field=shown(info.orig_filename))
        seen.add(key)
    expected = 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        if info.header_offset != expected:
            raise InputError(_("the workbook holds data outside its parts (before the part "
                               "{part}); it is not a file CMRC Desktop wrote").format(
                                   part=shown(info.orig_filename)), file=file)
        try:   # the local header's own name and extra field lengths
            _sig, name_length, extra_length = _LOCAL.unpack_from(data, info.header_offset)
        except struct.error:
            raise InputError(_not_a_workbook(), file=file) from None
        expected = (info.header_offset + 30 + name_length + extra_length
                    + info.compress_size)
        if info.flag_bits & 0x8:    # a data descriptor follows the data
            expected += 16 if data[expected:expected + 4] == _DESCRIPTOR else 12
    if infos and expected != start_dir:
        raise InputError(_("the workbook holds data outside its parts (before its "
                           "directory); it is not a file CMRC Desktop wrote"), file=file)


def parse_properties(xml: bytes, file: str | None) -> dict[str, str]:
    """The custom properties: ``cmrc.*`` strings only, nothing else."""
    root = parse_part(xml, CUSTOM_PART, file)
    if (root.ns, root.tag) != (CUSTOM, "Properties"):
        raise odd(CUSTOM_PART, _("another kind of content"), file)
    props: dict[str, str] = {}
    for prop in root.children:
        name = prop.get("name") or ""
        if (prop.ns, prop.tag) != (CUSTOM, "property") or not name.startswith("cmrc.") \
                or len(prop.children) != 1 or prop.children[0].tag != "lpwstr" \
                or prop.children[0].children or name in props:
            raise odd(CUSTOM_PART, _("a document property of its own ({name})").format(
                name=shown(name[:40])), file)
        props[name] = prop.children[0].text
    return props


def read_workbook(parts: dict[str, bytes], file: str | None) -> ReadWorkbook:
    """Read the parts of a scoresheet workbook strictly (module docstring)."""
    _check_part_names(parts, file)
    book = ReadWorkbook(parts, parse_properties(parts[CUSTOM_PART], file))
    names = frozenset(parts)
    _once((CONTENT_TYPES, names), parts[CONTENT_TYPES], lambda: _content_types(parts, file))
    for rels in _RELATIONSHIPS:
        if rels in parts:
            _once(rels, parts[rels], lambda rels=rels: _relationships(parts, rels, file))
    book.sheet_name, names_defined = _once(WORKBOOK, parts[WORKBOOK],
                                           lambda: _workbook(parts[WORKBOOK], file))
    book.defined_names = dict(names_defined)
    looks = _once(STYLES, parts[STYLES], lambda: _styles(parts[STYLES], file))
    _sheet(book, looks, file)
    _core(book, file)
    _once(APP_PART, parts[APP_PART], lambda: _app(parts[APP_PART], file))
    if DRAWING in parts:
        _drawing(book, file)
    return book


_ONCE: dict[tuple, object] = {}


def _once(kind: object, body: bytes, check):
    """``check()``'s result for a part read before with the same bytes: the styles, the
    relationships and the workbook part are the same in every sheet of a batch. Only a
    part that passed is remembered (a refusal is worked out, and said, every time)."""
    key = (kind, hashlib.sha256(body).digest())
    if key in _ONCE:
        return _ONCE[key]
    result = check()
    if len(_ONCE) > 512:
        _ONCE.clear()
    _ONCE[key] = result
    return result


def _content_types(parts: dict[str, bytes], file: str | None) -> None:
    root = parse_part(parts[CONTENT_TYPES], CONTENT_TYPES, file)
    defaults, overrides = {}, {}
    for child in root.children:
        if child.tag == "Default":
            defaults[(child.get("Extension") or "").lower()] = child.get("ContentType")
        elif child.tag == "Override":
            overrides[(child.get("PartName") or "").lstrip("/")] = child.get("ContentType")
        else:
            raise odd(CONTENT_TYPES, _("an entry of its own"), file)
    for ext, kind in defaults.items():
        if _DEFAULT_TYPES.get(ext) != kind:
            raise odd(CONTENT_TYPES, _("a content type of its own ({kind})").format(
                kind=shown(str(kind)[:60])), file)
    for part, kind in overrides.items():
        if part not in parts or _CONTENT_TYPE_OF.get(part) != kind:
            raise odd(CONTENT_TYPES, _("a content type of its own ({kind})").format(
                kind=shown(str(kind)[:60])), file)
    for part in parts:
        if part in _CONTENT_TYPE_OF and overrides.get(part) != _CONTENT_TYPE_OF[part]:
            raise odd(CONTENT_TYPES, _("a content type of its own ({kind})").format(
                kind=shown(str(overrides.get(part))[:60])), file)


def _relationships(parts: dict[str, bytes], rels: str, file: str | None) -> None:
    root = parse_part(parts[rels], rels, file)
    base = posixpath.dirname(posixpath.dirname(rels))     # the folder of the source part
    found = set()
    for child in root.children:
        target = child.get("Target") or ""
        if child.tag != "Relationship" or child.get("TargetMode", "Internal") != "Internal":
            raise odd(rels, _("a link to another file"), file)
        part = posixpath.normpath(target.lstrip("/") if target.startswith("/")
                                  else posixpath.join(base, target))
        found.add((child.get("Type"), part))
    if found != _RELATIONSHIPS[rels]:
        raise odd(rels, _("relationships of its own"), file)


_WORKBOOK_CHILDREN = {"fileVersion", "workbookPr", "workbookProtection", "bookViews", "sheets",
                      "definedNames", "calcPr"}


def _workbook(xml: bytes, file: str | None) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The one sheet's name and the defined names (print area and titles only)."""
    root = parse_part(xml, WORKBOOK, file)
    sheet_name, defined = "", {}
    for child in root.children:
        if child.tag not in _WORKBOOK_CHILDREN:
            raise odd(WORKBOOK, _("the element {element}").format(element=child.tag), file)
        if child.tag == "bookViews":
            for view in child.children:
                if view.get("visibility", "visible") != "visible" or \
                        view.get("activeTab", "0") != "0" or view.get("firstSheet", "0") != "0":
                    raise odd(WORKBOOK, _("a hidden window or another sheet opening first"),
                              file)
        elif child.tag == "sheets":
            if len(child.children) != 1:
                raise odd(WORKBOOK, _("more than one sheet"), file)
            sheet = child.children[0]
            if sheet.tag != "sheet" or sheet.get("state", "visible") != "visible":
                raise odd(WORKBOOK, _("a hidden sheet"), file)
            sheet_name = sheet.get("name") or ""
        elif child.tag == "definedNames":
            for name in child.children:
                key = name.get("name") or ""
                if key not in ("_xlnm.Print_Titles", "_xlnm.Print_Area") or \
                        name.get("localSheetId", "0") != "0" or key in defined or \
                        set(name.attrs) - {"name", "localSheetId"}:
                    raise odd(WORKBOOK, _("the defined name {name}").format(
                        name=shown(key[:40])), file)
                defined[key] = name.text
    return sheet_name, tuple(sorted(defined.items()))


# -- styles --------------------------------------------------------------------------------------
# "colors" is a palette: no cell of ours uses an indexed colour, and a look that does never
# equals the plan's
_STYLE_CHILDREN = {"numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs",
                   "cellStyles", "dxfs", "tableStyles", "colors"}
_FONT_KEYS = {"name", "b", "i", "u", "strike", "color", "sz", "family", "charset", "scheme",
              "vertAlign", "outline", "shadow", "condense", "extend"}


def _flag(node: Node | None) -> bool:
    return node is not None and node.get("val", "1") not in ("0", "false")


def _colour(node: Node | None, part: str, file: str | None) -> str | None:
    """An RGB colour as six hex digits, None for none; theme and indexed colours (which the
    theme or a palette can redefine) are refused where a scoresheet uses its own."""
    if node is None:
        return None
    if set(node.attrs) - {"rgb"}:
        raise odd(part, _("a colour taken from the theme or a palette"), file)
    rgb = node.get("rgb") or ""
    if len(rgb) not in (6, 8):
        raise odd(part, _("a colour of its own"), file)
    return rgb[-6:].upper()


def _styles(xml: bytes, file: str | None) -> list[Look | None]:
    """The look of each cell format (index ``s`` of a cell); a format a scoresheet could
    not have is None and refused when a cell uses it."""
    root = parse_part(xml, STYLES, file)
    groups: dict[str, Node] = {}
    for child in root.children:
        if child.tag not in _STYLE_CHILDREN or child.tag in groups:
            raise odd(STYLES, _("the element {element}").format(element=child.tag), file)
        groups[child.tag] = child
    if groups.get("numFmts") is not None and groups["numFmts"].children:
        raise odd(STYLES, _("a number format of its own ({format})").format(
            format=shown((groups["numFmts"].children[0].get("formatCode") or "")[:40])), file)
    if groups.get("dxfs") is not None and groups["dxfs"].children:
        raise odd(STYLES, _("conditional formats"), file)
    fonts = [_font(f, file) for f in (groups.get("fonts") or Node("", "", {})).children]
    fills = [_fill(f, file) for f in (groups.get("fills") or Node("", "", {})).children]
    borders = [_border(b, file) for b in (groups.get("borders") or Node("", "", {})).children]
    style_xfs = (groups.get("cellStyleXfs") or Node("", "", {})).children
    if len(style_xfs) != 1 or any(style_xfs[0].get(k, "0") != "0" for k in
                                  ("numFmtId", "fontId", "fillId", "borderId")):
        raise odd(STYLES, _("cell styles of its own"), file)
    looks: list[Look | None] = []
    for xf in (groups.get("cellXfs") or Node("", "", {})).children:
        looks.append(_look(xf, fonts, fills, borders, file))
    return looks


def _font(node: Node, file: str | None) -> tuple:
    parts = {}
    for child in node.children:
        if child.tag not in _FONT_KEYS or child.tag in parts:
            raise odd(STYLES, _("a font setting of its own ({setting})").format(
                setting=child.tag), file)
        parts[child.tag] = child
    if "scheme" in parts and parts["scheme"].get("val") not in (None, "none"):
        name = None                 # the theme's font, whatever the name says
    else:
        name = parts["name"].get("val") if "name" in parts else None
    try:     # normalised: 10 and 10.0 are one size
        size = Decimal(parts["sz"].get("val") or "").normalize() if "sz" in parts else None
    except InvalidOperation:
        size = None
    colour = None
    if "color" in parts:        # a theme colour stays unresolved: no cell of ours uses one
        node = parts["color"]
        rgb = node.get("rgb") or ""
        colour = rgb[-6:].upper() if set(node.attrs) == {"rgb"} and len(rgb) in (6, 8) \
            else "theme or palette"
    return (name, size, _flag(parts.get("b")), _flag(parts.get("i")),
            (parts["u"].get("val", "single") if "u" in parts else None),
            _flag(parts.get("strike")), colour,
            parts["vertAlign"].get("val") if "vertAlign" in parts else None,
            _flag(parts.get("outline")), _flag(parts.get("shadow")))


def _fill(node: Node, file: str | None) -> tuple:
    if len(node.children) != 1 or node.children[0].tag != "patternFill":
        raise odd(STYLES, _("a fill of its own"), file)
    pattern = node.children[0]
    kind = pattern.get("patternType", "none")
    colours = {c.tag: _colour(c, STYLES, file) for c in pattern.children
               if c.tag in ("fgColor", "bgColor")}
    if len(colours) != len(pattern.children):
        raise odd(STYLES, _("a fill of its own"), file)
    if kind == "none":
        return ("none",)
    if kind == "solid":
        return ("solid", colours.get("fgColor"))
    return (kind, colours.get("fgColor"), colours.get("bgColor"))


def _border(node: Node, file: str | None) -> tuple:
    sides = []
    for side in ("left", "right", "top", "bottom", "diagonal"):
        found = [c for c in node.children if c.tag == side]
        style = found[0].get("style") if found else None
        colour = None
        if found and found[0].children:
            colour = _colour(found[0].children[0], STYLES, file)
        sides.append((style, colour) if style else None)
    if node.get("diagonalUp", "0") not in ("0", "false") or \
            node.get("diagonalDown", "0") not in ("0", "false"):
        sides.append("crossed")
    if any(c.tag not in ("left", "right", "top", "bottom", "diagonal", "start", "end",
                         "vertical", "horizontal") for c in node.children):
        raise odd(STYLES, _("a border of its own"), file)
    return tuple(sides)


_XF_ATTRS = {"numFmtId", "fontId", "fillId", "borderId", "xfId", "applyAlignment",
             "applyFont", "applyFill", "applyBorder", "applyNumberFormat", "applyProtection",
             "pivotButton", "quotePrefix"}
_ALIGN_ATTRS = {"horizontal", "vertical", "wrapText"}


def _look(xf: Node, fonts: list, fills: list, borders: list, file: str | None) -> Look | None:
    """None when the format holds anything beyond a scoresheet's (refused if used)."""
    if set(xf.attrs) - _XF_ATTRS or xf.get("xfId", "0") != "0" or \
            xf.get("pivotButton", "0") not in ("0", "false") or \
            any(xf.get(k, "1") in ("0", "false") for k in xf.attrs if k.startswith("apply")):
        return None
    alignment: tuple = ("general", "bottom", False)
    for child in xf.children:
        if child.tag == "alignment":
            if set(child.attrs) - _ALIGN_ATTRS:
                return None
            alignment = (child.get("horizontal", "general"), child.get("vertical", "bottom"),
                         child.get("wrapText", "0") in ("1", "true"))
        elif child.tag != "protection":
            return None
    try:
        font = fonts[int(xf.get("fontId", "0"))]
        fill = fills[int(xf.get("fillId", "0"))]
        border = borders[int(xf.get("borderId", "0"))]
    except (ValueError, IndexError):
        return None
    number = {"0": "General", "49": "@"}.get(xf.get("numFmtId", "0"))
    if number is None:
        return None
    return Look(font, fill, border, alignment, number)


# -- the worksheet ----------------------------------------------------------------------------
_SHEET_CHILDREN = {"sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData",
                   "mergeCells", "printOptions", "pageMargins", "pageSetup", "headerFooter",
                   "drawing"}
_SHEET_PR = {"outlinePr", "pageSetUpPr"}
_VIEW_ATTRS = {"showGridLines", "workbookViewId", "tabSelected", "zoomScale",
               "zoomScaleNormal", "zoomScalePageLayoutView", "view", "topLeftCell"}
_ROW_ATTRS = {"r", "ht", "customHeight", "spans", "s", "customFormat"}
_COL_ATTRS = {"min", "max", "width", "customWidth", "style", "bestFit"}
_CELL_ATTRS = {"r", "s", "t"}
_PRINT_ATTRS = {"horizontalCentered", "verticalCentered"}
_SETUP_ATTRS = {"orientation", "paperSize", "fitToHeight", "fitToWidth", "scale"}
_HEADER_PARTS = ("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader",
                 "firstFooter")


def _number(value: str | None, part: str, file: str | None) -> float:
    try:
        number = float(value or "")
    except ValueError:
        raise odd(part, _("a number that is no number"), file) from None
    if not number == number or number in (float("inf"), float("-inf")):
        raise odd(part, _("a number that is no number"), file)
    return number


@lru_cache(maxsize=8192)
def cell_ref(ref: str) -> tuple[int, int] | None:
    """'F12' → (12, 6); None for anything else (remembered: every sheet of a batch has the
    same cells)."""
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters):]
    if not letters or not digits or len(letters) > 3 or not letters.isalpha() or \
            not letters.isupper() or digits.startswith("0") or len(digits) > 7:
        return None
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits), col


def _sheet(book: ReadWorkbook, looks: list[Look | None], file: str | None) -> None:
    part = SHEET
    root = parse_part(book.parts[part], part, file)
    seen: set[str] = set()
    for child in root.children:
        if child.tag not in _SHEET_CHILDREN or child.tag in seen:
            raise odd(part, _describe(child.tag), file)
        seen.add(child.tag)
        handler = _SHEET_HANDLERS.get(child.tag)
        if handler is not None:
            handler(book, child, looks, file)


def _describe(tag: str) -> str:
    return {
        "conditionalFormatting": _("conditional formatting"),
        "dataValidations": _("data validation"),
        "hyperlinks": _("hyperlinks"),
        "legacyDrawing": _("comments or form controls"),
        "oleObjects": _("embedded (OLE) objects"),
        "controls": _("ActiveX controls"),
        "picture": _("a background picture"),
        "autoFilter": _("a filter that hides rows"),
        "tableParts": _("tables"),
        "sheetProtection": _("sheet protection"),
        "rowBreaks": _("page breaks"),
        "colBreaks": _("page breaks"),
        "extLst": _("extensions"),
    }.get(tag, _("the element {element}").format(element=tag))


def _sheet_pr(book: ReadWorkbook, node: Node, _looks, file: str | None) -> None:
    if set(node.attrs) or any(c.tag not in _SHEET_PR for c in node.children):
        raise odd(SHEET, _("sheet settings of its own"), file)
    for child in node.children:
        if child.tag == "outlinePr" and set(child.attrs) - {"summaryBelow", "summaryRight"}:
            raise odd(SHEET, _("sheet settings of its own"), file)
        if child.tag == "pageSetUpPr" and set(child.attrs) - {"fitToPage"}:
            raise odd(SHEET, _("sheet settings of its own"), file)


def _sheet_views(book: ReadWorkbook, node: Node, _looks, file: str | None) -> None:
    if len(node.children) != 1:
        raise odd(SHEET, _("more than one view"), file)
    view = node.children[0]
    if set(view.attrs) - _VIEW_ATTRS:
        raise odd(SHEET, _("view settings of its own"), file)
    zoom = _number(view.get("zoomScale", "100"), SHEET, file)
    if not 50 <= zoom <= 400 or view.get("view", "normal") not in ("normal", "pageLayout",
                                                                    "pageBreakPreview"):
        raise odd(SHEET, _("view settings of its own"), file)
    for child in view.children:
        if child.tag == "pane":
            if child.get("state") == "frozen":
                book.frozen_rows = int(_number(child.get("ySplit", "0"), SHEET, file))
        elif child.tag != "selection":
            raise odd(SHEET, _("view settings of its own"), file)


def _format_pr(book: ReadWorkbook, node: Node, _looks, file: str | None) -> None:
    if node.get("zeroHeight", "0") not in ("0", "false") or \
            set(node.attrs) - {"baseColWidth", "defaultRowHeight", "defaultColWidth"}:
        raise odd(SHEET, _("rows hidden by default"), file)


def _cols(book: ReadWorkbook, node: Node, _looks, file: str | None) -> None:
    for col in node.children:
        if col.tag != "col" or set(col.attrs) - _COL_ATTRS:
            raise odd(SHEET, _("a hidden or grouped column"), file)
        first = int(_number(col.get("min"), SHEET, file))
        last = int(_number(col.get("max"), SHEET, file))
        if not 1 <= first <= last <= 16384 or last - first > 64:
            raise odd(SHEET, _("columns of its own"), file)
        width = _number(col.get("width", "-1"), SHEET, file)
        for index in range(first, last + 1):
            if index in book.widths:
                raise odd(SHEET, _("columns of its own"), file)
            book.widths[index] = width


_ROW, _C, _F, _IS, _T = (f"{{{MAIN}}}{tag}" for tag in ("row", "c", "f", "is", "t"))


def _sheet_data(book: ReadWorkbook, node: Node, looks: list[Look | None],
                file: str | None) -> None:
    """The rows and cells, read on the elements themselves: the one part that differs
    from sheet to sheet and holds most of the workbook."""
    cells = book.cells
    for row in node.el:
        attrs = row.attrib
        if row.tag != _ROW or not _ROW_ATTRS.issuperset(attrs):
            raise odd(SHEET, _("a hidden or grouped row"), file)
        number = int(_number(attrs.get("r"), SHEET, file))
        if attrs.get("customFormat", "0") not in ("0", "false") or number in book.heights:
            raise odd(SHEET, _("rows of its own"), file)
        book.heights[number] = _number(attrs.get("ht", "-1"), SHEET, file)
        for cell in row:
            at, value = _cell(cell, number, looks, file)
            if at in cells:
                raise odd(SHEET, _("cells of its own"), file)
            cells[at] = value
        if len(cells) > MAX_CELLS:
            raise _damaged(file, SHEET)


def _cell(cell: ET.Element, row: int, looks: list[Look | None],
          file: str | None) -> tuple[tuple[int, int], Cell]:
    attrs = cell.attrib
    ref = attrs.get("r") or ""
    at = cell_ref(ref)
    if cell.tag != _C or not _CELL_ATTRS.issuperset(attrs) or at is None or at[0] != row:
        raise odd(SHEET, _("cells of its own"), file)
    style = attrs.get("s", "0")
    look = looks[int(style)] if style.isdigit() and int(style) < len(looks) else None
    if look is None:
        raise odd(SHEET, _("a cell format of its own (cell {cell})").format(cell=ref), file)
    kind = attrs.get("t", "n")
    text: str | None = None
    for child in cell:
        if child.tag == _F:
            raise odd(SHEET, _("a formula (cell {cell})").format(cell=ref), file)
        if kind == "inlineStr" and child.tag == _IS and text is None:
            inner = list(child)
            if len(inner) != 1 or inner[0].tag != _T or len(inner[0]):
                raise odd(SHEET, _("text in several fonts (cell {cell})").format(cell=ref),
                          file)
            text = inner[0].text or ""
        else:
            raise odd(SHEET, _("a value that is not text (cell {cell})").format(cell=ref),
                      file)
    if kind not in ("n", "inlineStr") or (kind == "inlineStr" and text is None):
        raise odd(SHEET, _("a value that is not text (cell {cell})").format(cell=ref), file)
    return at, Cell(text, look)


def _merges(book: ReadWorkbook, node: Node, _looks, file: str | None) -> None:
    for merge in node.children:
        first, _sep, last = (merge.get("ref") or "").partition(":")
        a, b = cell_ref(first), cell_ref(last)
        if merge.tag != "mergeCell" or a is None or b is None:
            raise odd(SHEET, _("merged cells of its own"), file)
        book.merges.add((a[0], a[1], b[0], b[1]))


def _print_options(book: ReadWorkbook, node: Node, _looks, file: str | None) -> None:
    if set(node.attrs) - _PRINT_ATTRS:
        raise odd(SHEET, _("print settings of its own"), file)


def _page_setup(book: ReadWorkbook, node: Node, _looks, file: str | None) -> None:
    if set(node.attrs) - _SETUP_ATTRS:
        raise odd(SHEET, _("print settings of its own"), file)


def _header_footer(book: ReadWorkbook, node: Node, _looks, file: str | None) -> None:
    if set(node.attrs) - {"differentOddEven", "differentFirst", "scaleWithDoc",
                          "alignWithMargins"} or \
            node.get("differentOddEven", "0") not in ("0", "false") or \
            node.get("differentFirst", "0") not in ("0", "false"):
        raise odd(SHEET, _("headers or footers of its own"), file)
    for child in node.children:
        if child.tag not in _HEADER_PARTS or child.children:
            raise odd(SHEET, _("headers or footers of its own"), file)
        book.header_footer[child.tag] = child.text


def _drawing_ref(book: ReadWorkbook, node: Node, _looks, file: str | None) -> None:
    if DRAWING not in book.parts:
        raise odd(SHEET, _("a drawing"), file)


def _nothing(*_args) -> None:
    """Elements read only for their presence (their content cannot change a cell)."""


_SHEET_HANDLERS = {
    "sheetPr": _sheet_pr, "dimension": _nothing, "sheetViews": _sheet_views,
    "sheetFormatPr": _format_pr, "cols": _cols, "sheetData": _sheet_data,
    "mergeCells": _merges, "printOptions": _print_options, "pageMargins": _nothing,
    "pageSetup": _page_setup, "headerFooter": _header_footer, "drawing": _drawing_ref,
}


# -- properties and the picture ------------------------------------------------------------
_CORE_KEYS = {(DC, "creator"), (DC, "title"), (DC, "subject"), (DCTERMS, "created"),
              (DCTERMS, "modified"), (CORE, "lastModifiedBy")}


def _core(book: ReadWorkbook, file: str | None) -> None:
    root = parse_part(book.parts[CORE_PART], CORE_PART, file)
    for child in root.children:
        if (child.ns, child.tag) not in _CORE_KEYS or child.children:
            raise odd(CORE_PART, _("a document property of its own ({name})").format(
                name=child.tag), file)
        book.core[child.tag] = child.text


_APP_KEYS = {"Application", "AppVersion", "DocSecurity", "ScaleCrop", "LinksUpToDate",
             "SharedDoc", "HyperlinksChanged", "Company"}


def _app(xml: bytes, file: str | None) -> None:
    root = parse_part(xml, APP_PART, file)
    for child in root.children:
        if child.tag not in _APP_KEYS or child.children:
            raise odd(APP_PART, _("a document property of its own ({name})").format(
                name=child.tag), file)


def _drawing(book: ReadWorkbook, file: str | None) -> None:
    """One picture, the drawn signature, anchored at one cell with its size (checked
    against the signature box by the caller); no shape, text box, chart or OLE frame."""
    root = parse_part(book.parts[DRAWING], DRAWING, file)
    if len(root.children) != 1 or root.children[0].tag != "oneCellAnchor":
        raise odd(DRAWING, _("shapes or pictures besides the signature"), file)
    anchor = root.children[0]
    tags = [c.tag for c in anchor.children]
    if tags != ["from", "ext", "pic", "clientData"]:
        raise odd(DRAWING, _("shapes or pictures besides the signature"), file)
    start = {c.tag: c.text for c in anchor.children[0].children}
    ext = anchor.children[1]
    pic = anchor.children[2]
    found = [Node(el).tag for el in pic.el.iter()]
    links = [tag for tag in found if tag in ("hlinkClick", "hlinkHover")]
    blips = [tag for tag in found if tag == "blip"]
    if links or len(blips) != 1 or set(start) != {"col", "colOff", "row", "rowOff"} or \
            start["colOff"] != "0" or start["rowOff"] != "0":
        raise odd(DRAWING, _("shapes or pictures besides the signature"), file)
    book.picture = (int(_number(start["row"], DRAWING, file)),
                    int(_number(start["col"], DRAWING, file)),
                    int(_number(ext.get("cx"), DRAWING, file)),
                    int(_number(ext.get("cy"), DRAWING, file)))
