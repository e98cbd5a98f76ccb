"""Structure-aware mutations of signed scoresheets (issue #14): instead of random bytes, the
changes that make a document *show* something else — a number format, a hidden row, a font
size or colour, a row height, an extra part, a cell's text, a merged range for a workbook;
another content stream, an annotation, a catalogue entry, a page box for a PDF — made
either by someone without the key (the workbook's parts rewritten) or by a client that
holds the expert's genuine key and signs what it drew.

Each mutant says whether it changes what a person sees (``visible``). The one rule:
a visible mutant is refused; any mutant accepted carries the original payload. A visible
mutant accepted is a *forged sheet accepted* and fails the run.
"""

from __future__ import annotations

import io
import re
import zipfile

from hypothesis import strategies as st

SHEET = "xl/worksheets/sheet1.xml"
STYLES = "xl/styles.xml"


class Mutant:
    """A mutated file, what was done to it and whether a person would see it."""

    def __init__(self, data: bytes, kind: str, visible: bool) -> None:
        self.data, self.kind, self.visible = data, kind, visible

    def __repr__(self) -> str:
        return f"Mutant({self.kind}, visible={self.visible}, {len(self.data)} bytes)"


def _members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(i.filename, archive.read(i)) for i in archive.infolist()]


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


FORMATS = [b"0", b"0.0", b'0;-0;0;"0"', b'"0"', b";;;", b"0%", b"#,##0", b"[Red]0",
           b"@;@;@;\"9\""]
COLOURS = [b"FFFFFFFF", b"00FFFFFF", b"FFF2F2F2", b"FF000000", b"FFFF0000", b"FFE0E0E0"]
EXTRA_PARTS = ["xl/sharedStrings.xml", "xl/worksheets/sheet2.xml", "xl/vmlDrawing1.vml",
               "xl/printerSettings/printerSettings1.bin", "docProps/thumbnail.jpeg",
               "xl/calcChain.xml", "xl/comments1.xml", "customXml/item1.xml"]


@st.composite
def workbook_edits(draw, parts: dict[str, bytes]) -> tuple[str, dict[str, bytes], bool]:
    """(kind, parts after the edit, visible) for one structure-aware change."""
    parts = dict(parts)
    sheet, styles = parts[SHEET], parts[STYLES]
    rows = [int(r) for r in re.findall(rb'<row r="(\d+)"', sheet)]
    refs = [r.decode() for r in re.findall(rb'<c r="([A-Z]+\d+)"', sheet)]
    kind = draw(st.sampled_from([
        "number-format", "hidden-row", "row-height", "column-width", "hidden-column",
        "font-size", "font-colour", "fill", "extra-part", "cell-text", "cell-number",
        "cell-removed", "merge", "zoom", "sheet-state", "alignment"]))
    visible = True
    if kind == "number-format":
        code = draw(st.sampled_from(FORMATS))
        styles = styles.replace(b'<numFmts count="0"/>', b'<numFmts count="1"><numFmt numFmtId='
                                b'"170" formatCode="' + code.replace(b'"', b"&quot;")
                                + b'"/></numFmts>')
        target = draw(st.sampled_from([b'numFmtId="49"', b'numFmtId="0" fontId="3"']))
        styles = styles.replace(target, target.replace(b"49", b"170").replace(
            b'numFmtId="0"', b'numFmtId="170"'), 1)
    elif kind == "hidden-row":
        row = draw(st.sampled_from(rows))
        sheet = sheet.replace(b'<row r="%d" ' % row, b'<row r="%d" hidden="1" ' % row, 1)
    elif kind == "row-height":
        row = draw(st.sampled_from(rows))
        height = draw(st.sampled_from([b"0", b"0.5", b"3", b"409"]))
        sheet = re.sub(rb'<row r="%d" ht="[^"]*"' % row, b'<row r="%d" ht="%s"' % (row, height),
                       sheet, count=1)
    elif kind == "column-width":
        col = draw(st.integers(1, 7))
        width = draw(st.sampled_from([b"0", b"0.2", b"1", b"255"]))
        sheet = re.sub(rb'<col width="[^"]*"( customWidth="1" min="%d")' % col,
                       b'<col width="' + width + rb'"\1', sheet, count=1)
    elif kind == "hidden-column":
        col = draw(st.integers(1, 7))
        sheet = re.sub(rb'(<col [^>]*min="%d" max="%d")' % (col, col), rb'\1 hidden="1"',
                       sheet, count=1)
    elif kind == "font-size":
        size = draw(st.sampled_from([b"1", b"2", b"4", b"72"]))
        fonts = re.findall(rb'<sz val="[^"]*"/>', styles)
        index = draw(st.integers(1, len(fonts) - 1))     # 0: the default, used by none
        styles = _nth_sub(styles, rb'<sz val="[^"]*"/>', b'<sz val="' + size + b'"/>', index)
    elif kind == "font-colour":
        colour = draw(st.sampled_from(COLOURS))
        styles = styles.replace(b'<sz val="10"/></font>', b'<color rgb="' + colour
                                + b'"/><sz val="10"/></font>', 1)
        visible = colour not in (b"FF000000",)
    elif kind == "fill":
        colour = draw(st.sampled_from(COLOURS))
        styles = styles.replace(b'<fgColor rgb="00F2F2F2"/>', b'<fgColor rgb="' + colour
                                + b'"/>', 1)
        visible = not colour.endswith(b"F2F2F2")      # another alpha: the same grey
    elif kind == "extra-part":
        parts[draw(st.sampled_from(EXTRA_PARTS))] = draw(st.binary(max_size=64)) or b"<x/>"
    elif kind == "cell-text":
        ref = draw(st.sampled_from(refs)).encode()
        text = draw(st.sampled_from([b"0", b"99", b"", b"Forged", b"&#20013;"]))
        sheet, count = re.subn(rb'(<c r="' + ref + rb'"[^>]*><is><t[^>]*>)(.*?)(</t>)',
                               lambda m: m.group(1) + text + m.group(3), sheet, count=1)
        visible = bool(count)
    elif kind == "cell-number":
        ref = draw(st.sampled_from(refs)).encode()
        sheet, count = re.subn(rb'<c r="' + ref + rb'"( s="\d+")? t="inlineStr"><is><t[^>]*>'
                               rb'(.*?)</t></is></c>',
                               lambda m: b'<c r="' + ref + b'"' + (m.group(1) or b"")
                               + b'><v>0</v></c>', sheet, count=1)
        visible = bool(count)
    elif kind == "cell-removed":
        ref = draw(st.sampled_from(refs)).encode()
        sheet = re.sub(rb'<c r="' + ref + rb'"[^>]*?(?:/>|>.*?</c>)', b"", sheet, count=1,
                       flags=re.S)
    elif kind == "merge":
        row = draw(st.sampled_from(rows))
        sheet = re.sub(rb"<mergeCells[^>]*>", b'<mergeCells><mergeCell ref="E%d:G%d"/>'
                       % (row, row), sheet, count=1)
    elif kind == "zoom":
        sheet = sheet.replace(b'<sheetView ', b'<sheetView zoomScale="'
                              + draw(st.sampled_from([b"10", b"120", b"400"])) + b'" ', 1)
        visible = False          # a zoom shows the same cells bigger or smaller
    elif kind == "sheet-state":
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
            b'state="visible"', draw(st.sampled_from([b'state="hidden"',
                                                      b'state="veryHidden"'])))
    elif kind == "alignment":
        styles = styles.replace(b'horizontal="center"', draw(st.sampled_from(
            [b'horizontal="fill"', b'horizontal="distributed"', b'horizontal="right"'])), 1)
    if sheet == parts[SHEET] and styles == parts[STYLES] and kind not in (
            "extra-part", "sheet-state"):
        visible = False          # the edit found nothing to change
    parts[SHEET], parts[STYLES] = sheet, styles
    return kind, parts, visible


def _nth_sub(text: bytes, pattern: bytes, new: bytes, index: int) -> bytes:
    matches = list(re.finditer(pattern, text))
    match = matches[index]
    return text[:match.start()] + new + text[match.end():]


@st.composite
def workbook_mutants(draw, original: bytes, resign=None) -> Mutant:
    """A structure-aware mutant of the signed workbook ``original``: rewritten as it is
    (no key), or, with ``resign(parts) -> bytes``, signed again with the genuine key."""
    members = _members(original)
    parts = dict(members)
    kind, changed, visible = draw(workbook_edits(parts))
    with_key = resign is not None and draw(st.booleans())
    if with_key:
        return Mutant(resign(changed), kind + "+key", visible)
    order = [name for name, _data in members] + [n for n in changed if n not in parts]
    return Mutant(_zip([(name, changed[name]) for name in order]), kind,
                  visible or changed != parts)


@st.composite
def pdf_tampers(draw):
    """A change made in the signing step of a PDF by a client holding the key: another
    content stream drawn on a page, an annotation, a catalogue entry, a page box."""
    from pyhanko.pdf_utils import generic

    kind = draw(st.sampled_from(["content", "annotation", "catalogue", "media-box",
                                 "rotate"]))
    ops = draw(st.sampled_from([b"1 1 1 rg 100 600 80 20 re f",
                                b"BT /F1 12 Tf 420 700 Td (0) Tj ET", b"q 0 0 0 RG Q"]))
    key = draw(st.sampled_from(["/OpenAction", "/AA", "/OCProperties", "/PageLabels"]))

    def tamper(writer):
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        if kind == "content":
            stream = writer.add_object(generic.StreamObject(stream_data=ops))
            old = page.raw_get("/Contents")
            page[generic.NameObject("/Contents")] = generic.ArrayObject([old, stream])
            writer.update_container(page)
        elif kind == "annotation":
            annot = writer.add_object(generic.DictionaryObject({
                generic.NameObject("/Type"): generic.NameObject("/Annot"),
                generic.NameObject("/Subtype"): generic.NameObject(draw(st.sampled_from(
                    ["/FreeText", "/Square", "/Stamp", "/Link"]))),
                generic.NameObject("/Rect"): generic.ArrayObject(
                    [generic.FloatObject(v) for v in (300, 300, 360, 330)])}))
            page[generic.NameObject("/Annots")] = generic.ArrayObject([annot])
            writer.update_container(page)
        elif kind == "catalogue":
            writer.root[generic.NameObject(key)] = generic.DictionaryObject()
            writer.update_root()
        elif kind == "media-box":
            page[generic.NameObject("/MediaBox")] = generic.ArrayObject(
                [generic.FloatObject(v) for v in (0, 0, 300, 300)])
            writer.update_container(page)
        else:
            page[generic.NameObject("/Rotate")] = generic.NumberObject(90)
            writer.update_container(page)

    return kind, tamper
