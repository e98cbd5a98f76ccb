"""A workbook that shows other numbers than it holds (issue #14): each presentation trick a
hostile reviewer used, made from a genuine signed sheet, is refused naming the file and
the reason, with nothing written — whether it was done by someone who handled the file
(no key: the signed parts manifest no longer matches) or by a client that holds the
expert's genuine key and signs what it drew (the manifest matches; the strict reading and
the cell-for-cell comparison with what the payload draws to catch it)."""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

import pytest

from cmrc_desktop.services.verify import verify_file
from cmrc_desktop.services.workspace import open_workspace
from tests.hostile.forge import genuine, payload_of, resign_parts, rewrite_zip
from tests.hostile.test_hostile_xlsx import refused_everywhere

SHEET = "xl/worksheets/sheet1.xml"
STYLES = "xl/styles.xml"
WORKBOOK = "xl/workbook.xml"
TYPES = "[Content_Types].xml"
WB_RELS = "xl/_rels/workbook.xml.rels"
SCORE = "F9"          # the first indicator's score (A1 of sd-perf-5d)
COMMENT = "G9"
ROW = 9
NO_KEY = "not the file the expert signed"
WITH_KEY = "shows something other than what the expert signed"


# -- XML edits ----------------------------------------------------------------------------
def cell_pattern(ref: str) -> re.Pattern:
    return re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)


def replace_cell(xml: bytes, ref: str, new: bytes) -> bytes:
    out, count = cell_pattern(ref).subn(new, xml, count=1)
    assert count == 1, ref
    return out


def style_of(xml: bytes, ref: str) -> bytes:
    return re.search(rb'<c r="' + ref.encode() + rb'" s="(\d+)"', xml).group(1)


def with_text(ref: str, style: bytes, text: str) -> bytes:
    return (b'<c r="' + ref.encode() + b'" s="' + style + b'" t="inlineStr"><is><t>'
            + text.encode() + b"</t></is></c>")


class Attack:
    """One presentation trick: parts changed and parts added."""

    def __init__(self, name: str, change, extra: dict[str, bytes] | None = None,
                 words: tuple[str, ...] = ()) -> None:
        self.name, self.change, self.extra, self.words = name, change, extra or {}, words

    def __repr__(self) -> str:
        return self.name


def score_format_attack() -> Attack:
    """The score cells' format (number format "@") turned into 0;-0;0;"0": a signed 6
    prints as 0."""
    def change(name: str, data: bytes) -> bytes:
        if name != STYLES:
            return data
        data = data.replace(b'<numFmts count="0"/>', b'<numFmts count="1"><numFmt '
                            b'numFmtId="164" formatCode="0;-0;0;&quot;0&quot;"/></numFmts>')
        return data.replace(b'numFmtId="49"', b'numFmtId="164"')
    return Attack("number-format", change, words=("number format",))


def white_font_attack() -> Attack:
    """The score cells in white 1-point type, and a 0 typed beside the first one."""
    def change(name: str, data: bytes) -> bytes:
        if name == STYLES:
            fonts = int(re.search(rb'<fonts count="(\d+)"', data).group(1))
            data = data.replace(b"</fonts>", b'<font><name val="&#23435;&#20307;"/><color '
                                b'rgb="FFFFFFFF"/><sz val="1"/></font></fonts>')
            return re.sub(rb'(<xf numFmtId="49" fontId=")\d+', rb"\g<1>" + str(fonts).encode(),
                          data)
        if name == SHEET:
            return replace_cell(data, COMMENT, with_text(COMMENT, style_of(data, COMMENT), "0"))
        return data
    return Attack("white-1pt-font-and-a-number-beside", change)


def sheet_edit(edit) -> callable:
    return lambda name, data: edit(data) if name == SHEET else data


def score_text(xml: bytes) -> str:
    return re.search(rb'<c r="F9"[^>]*><is><t>(.*?)</t>', xml).group(1).decode()


def second_sheet_parts() -> tuple:
    def change(name: str, data: bytes) -> bytes:
        if name == WORKBOOK:
            data = data.replace(b'activeTab="0"', b'activeTab="1"').replace(
                b"</sheets>", b'<sheet xmlns:r="http://schemas.openxmlformats.org/'
                b'officeDocument/2006/relationships" name="S2" sheetId="2" state="visible" '
                b'r:id="rId9"/></sheets>')
        if name == WB_RELS:
            data = data.replace(b"</Relationships>", b'<Relationship Type="http://schemas.'
                                b'openxmlformats.org/officeDocument/2006/relationships/'
                                b'worksheet" Target="/xl/worksheets/sheet2.xml" Id="rId9"/>'
                                b"</Relationships>")
        if name == TYPES:
            data = data.replace(b"</Types>", b'<Override PartName="/xl/worksheets/sheet2.xml" '
                                b'ContentType="application/vnd.openxmlformats-officedocument.'
                                b'spreadsheetml.worksheet+xml"/></Types>')
        return data
    return change


SHEET2 = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          b'<sheetData><row r="9"><c r="F9" t="inlineStr"><is><t>0</t></is></c></row>'
          b"</sheetData></worksheet>")


def picture_over_score(name: str, data: bytes) -> bytes:
    if name != "xl/drawings/drawing1.xml":
        return data
    anchor = re.search(rb"<oneCellAnchor>.*?</oneCellAnchor>", data, re.S).group(0)
    moved = re.sub(rb"<col>\d+</col>", b"<col>5</col>", anchor, count=1)
    moved = re.sub(rb"<row>\d+</row>", b"<row>8</row>", moved, count=1)
    return data.replace(b"</wsDr>", moved + b"</wsDr>")


def part_with_rel(part: str, body: bytes, rel_type: str, content_type: str):
    """A part of its own, linked from the workbook: external links, connections…"""
    def change(name: str, data: bytes) -> bytes:
        if name == WB_RELS:
            data = data.replace(b"</Relationships>", b'<Relationship Type="http://schemas.'
                                b'openxmlformats.org/officeDocument/2006/relationships/'
                                + rel_type.encode() + b'" Target="/' + part.encode()
                                + b'" Id="rId8"/></Relationships>')
        if name == TYPES:
            data = data.replace(b"</Types>", b'<Override PartName="/' + part.encode()
                                + b'" ContentType="' + content_type.encode() + b'"/></Types>')
        return data
    return change, {part: body}


EXTERNAL_LINK = part_with_rel(
    "xl/externalLinks/externalLink1.xml",
    b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<externalBook/></externalLink>", "externalLink",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml")
CONNECTION = part_with_rel(
    "xl/connections.xml",
    b'<connections xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<connection id="1" name="q" type="4" refreshOnLoad="1"><webPr url="http://x/"/>'
    b"</connection></connections>", "connections",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml")


def ATTACKS() -> list[Attack]:  # noqa: N802 - a table of cases
    return [
        score_format_attack(),
        Attack("formula-with-stale-value", sheet_edit(lambda x: replace_cell(
            x, SCORE, b'<c r="F9" s="' + style_of(x, SCORE) + b'"><f>0</f><v>'
            + score_text(x).encode() + b"</v></c>")), words=("formula",)),
        Attack("hidden-row", sheet_edit(lambda x: x.replace(
            b'<row r="9" ', b'<row r="9" hidden="1" ', 1)), words=("hidden",)),
        Attack("hidden-column", sheet_edit(lambda x: re.sub(
            rb'(<col [^>]*min="6" max="6")', rb'\1 hidden="1"', x, count=1)),
               words=("hidden",)),
        Attack("zero-height-row", sheet_edit(lambda x: re.sub(
            rb'<row r="9" ht="[^"]*"', b'<row r="9" ht="0.1"', x, count=1))),
        Attack("zero-width-column", sheet_edit(lambda x: re.sub(
            rb'<col width="[^"]*"( customWidth="1" min="6")', rb'<col width="0.1"\1', x,
            count=1))),
        Attack("rows-hidden-by-default", sheet_edit(lambda x: x.replace(
            b"<sheetFormatPr ", b'<sheetFormatPr zeroHeight="1" ', 1))),
        white_font_attack(),
        Attack("max-points-changed", sheet_edit(lambda x: replace_cell(
            x, "C9", with_text("C9", style_of(x, "C9"), "60")))),
        Attack("title-changed", sheet_edit(lambda x: replace_cell(
            x, "A1", with_text("A1", style_of(x, "A1"), "Forged")))),
        Attack("second-sheet-opening-first", second_sheet_parts(),
               {"xl/worksheets/sheet2.xml": SHEET2}),
        Attack("sheet-hidden", lambda n, d: d.replace(b'state="visible"', b'state="hidden"')
               if n == WORKBOOK else d, words=("hidden",)),
        Attack("picture-over-a-score", picture_over_score),
        Attack("external-link", *EXTERNAL_LINK),
        Attack("web-query-refresh-on-load", *CONNECTION),
        Attack("ole-object", lambda n, d: d, {"xl/embeddings/oleObject1.bin":
                                              b"\xd0\xcf\x11\xe0" + bytes(600)}),
        Attack("activex", lambda n, d: d, {"xl/activeX/activeX1.xml":
                                           b'<ax:ocx xmlns:ax="http://schemas.microsoft.com/'
                                           b'office/2006/activeX"/>'}),
        Attack("auto-open-name", lambda n, d: d.replace(
            b"</definedNames>", b'<definedName name="Auto_Open">\'S\'!$A$1</definedName>'
            b"</definedNames>") if n == WORKBOOK else d, words=("Auto_Open",)),
        Attack("conditional-format", sheet_edit(lambda x: x.replace(
            b"<printOptions", b'<conditionalFormatting sqref="F9"><cfRule type="expression" '
            b'dxfId="0" priority="1"><formula>TRUE</formula></cfRule>'
            b"</conditionalFormatting><printOptions", 1)), words=("conditional",)),
        Attack("merged-over-the-score", sheet_edit(lambda x: re.sub(
            rb"<mergeCells[^>]*>", b'<mergeCells><mergeCell ref="E9:F9"/>', x, count=1))),
        Attack("header-changed", sheet_edit(lambda x: re.sub(
            rb"<oddHeader>.*?</oddHeader>", b"<oddHeader>&amp;LForged</oddHeader>", x,
            count=1))),
        Attack("rich-text-run", sheet_edit(lambda x: replace_cell(
            x, SCORE, b'<c r="F9" s="' + style_of(x, SCORE) + b'" t="inlineStr"><is><r>'
            b'<rPr><sz val="1"/></rPr><t>' + score_text(x).encode() + b"</t></r><r><t>0</t>"
            b"</r></is></c>")), words=("several fonts",)),
    ]


def attack_ids() -> list[str]:
    return [a.name for a in ATTACKS()]


@pytest.mark.parametrize("index", range(len(attack_ids())), ids=attack_ids())
def test_a_trick_by_whoever_handled_the_file_is_refused(batch, capsys, index):
    attack = ATTACKS()[index]
    path = rewrite_zip(genuine(batch), batch / f"{attack.name}.xlsx", attack.change,
                       attack.extra)
    reason = refused_everywhere(batch, path, NO_KEY, capsys=capsys)
    assert "use the original file the expert exported, or its PDF" in reason


@pytest.mark.parametrize("index", range(len(attack_ids())), ids=attack_ids())
def test_the_same_trick_signed_with_the_experts_genuine_key_is_refused(batch, capsys, index):
    attack = ATTACKS()[index]
    path = resign_parts(batch, genuine(batch), batch / f"{attack.name}.xlsx", attack.change,
                        attack.extra)
    reason = refused_everywhere(batch, path, WITH_KEY, *attack.words, capsys=capsys)
    assert NO_KEY not in reason


def test_the_manifest_resigned_without_a_change_verifies(batch):
    """The forging tool makes acceptable files: the refusals above are the tricks'."""
    path = resign_parts(batch, genuine(batch), batch / "same.xlsx")
    with open_workspace(batch / "secretary") as ws:
        assert verify_file(path, ws).ok


def test_a_duplicate_sheet_part_with_the_forged_copy_first_is_refused(batch, capsys):
    source = genuine(batch)
    with zipfile.ZipFile(source) as archive:
        members = [(i.filename, archive.read(i)) for i in archive.infolist()]
    forged = dict(members)[SHEET].replace(b"<t>", b"<t>0", 1)
    path = batch / "duplicate.xlsx"
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        warnings.simplefilter("ignore")
        out.writestr(SHEET, forged)
        for name, data in members:
            out.writestr(name, data)
    refused_everywhere(batch, path, "twice", SHEET, capsys=capsys)


def test_a_workbook_signed_by_an_earlier_version_is_refused_with_a_sentence(batch, capsys):
    path = rewrite_zip(genuine(batch), batch / "old.xlsx", lambda n, d: d.replace(
        b"cmrc-sheet-xlsx/2", b"cmrc-sheet-xlsx/1") if n == "docProps/custom.xml" else d)
    refused_everywhere(batch, path, "earlier version of CMRC Desktop", capsys=capsys)


def test_every_refusal_leaves_the_genuine_sheet_acceptable(batch):
    """After all that, the genuine file still merges: nothing above was half-written."""
    with open_workspace(batch / "secretary") as ws:
        result = verify_file(genuine(batch), ws)
    assert result.ok and result.payload == payload_of(genuine(batch))


def test_a_genuine_sheet_names_where_it_was_checked(batch):
    with open_workspace(batch / "secretary") as ws:
        line = verify_file(genuine(batch), ws).line()
    assert "OK" in line and "not compared" not in line
    assert Path(genuine(batch)).name in line
