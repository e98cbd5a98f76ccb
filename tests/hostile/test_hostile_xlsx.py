"""Hostile workbooks: each refused before any parser reads it, with the file and the reason
named, and nothing written — by ``cmrc verify``, by the merge and by the centres importer.

A genuine signed sheet is the starting point, so a refusal can only come from the hostile
part that was added (the unaltered sheet verifies, see ``test_the_untouched_sheet_verifies``).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from defusedxml import DTDForbidden, EntitiesForbidden
from defusedxml import ElementTree as defused_et
from openpyxl import xml as openpyxl_xml

from cmrc_desktop.cli import main
from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.exchange import sheet_xlsx_parts
from cmrc_desktop.exchange.centres_template import read_centres_template, write_centres_template
from cmrc_desktop.scoring.builtin import catalog
from cmrc_desktop.services.merge import merge_files
from cmrc_desktop.services.verify import verify_file
from cmrc_desktop.services.workspace import open_workspace
from tests.hostile.forge import database_state, genuine, rewrite_zip

LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;")
                                                   * 10) for n in range(1, 10))
          + b"]>")
XXE = b'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def with_doctype(doctype: bytes, part: str):
    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        cut = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
        body = data[cut:]
        if b"&xxe;" not in body and doctype is XXE:   # make the entity used, as an attack would
            body = body.replace(b"<sheetData>", b"<sheetData><!-- &xxe; -->", 1)
        return data[:cut] + doctype + body
    return change


def refused_everywhere(batch: Path, path: Path, *words: str, capsys) -> str:
    """Refused by verify (alone and against the batch) and by the merge; nothing written."""
    secretary = batch / "secretary"
    with open_workspace(secretary) as ws:
        result = verify_file(path, ws)
    assert not result.ok and all(w in result.reason for w in words), result.reason
    code = main(["verify", "--workspace", str(secretary), str(path)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == 1 and path.name in text and "REFUSED" in text and "Traceback" not in text
    before = database_state(secretary)
    with open_workspace(secretary) as ws:
        report = merge_files(ws, [path])
        assert [(f.outcome, f.path.name) for f in report.files] == [("refused", path.name)]
        assert all(w in report.files[0].reason for w in words)
    assert database_state(secretary) == before
    return result.reason


def test_the_untouched_sheet_verifies(batch):
    copy = rewrite_zip(genuine(batch), batch / "copy.xlsx")
    with open_workspace(batch / "secretary") as ws:
        assert verify_file(copy, ws).ok


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "docProps/custom.xml",
                                  "xl/workbook.xml", "[Content_Types].xml", "_rels/.rels"])
@pytest.mark.parametrize("doctype", [LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_a_dtd_in_any_part_is_refused_naming_the_part(batch, capsys, part, doctype):
    path = rewrite_zip(genuine(batch), batch / "evil.xlsx", with_doctype(doctype, part))
    refused_everywhere(batch, path, "document type declaration", part, capsys=capsys)


def test_a_dtd_in_a_utf16_part_is_refused(batch, capsys):
    def utf16(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        return ('<?xml version="1.0" encoding="UTF-16"?>' + XXE.decode()
                + data.decode("utf-8")).encode("utf-16")
    path = rewrite_zip(genuine(batch), batch / "utf16.xlsx", utf16)
    refused_everywhere(batch, path, "document type declaration", capsys=capsys)


def test_the_xml_parsers_that_read_other_peoples_files_forbid_dtds():
    """Independently of the screening: every part of a scoresheet is parsed by expat with
    a handler refusing any DTD, the centres importer's defusedxml does the same, and
    openpyxl uses defusedxml."""
    with pytest.raises((DTDForbidden, EntitiesForbidden)):
        defused_et.fromstring(b'<?xml version="1.0"?>' + LAUGHS + b"<a>&lol9;</a>")
    for doctype in (LAUGHS, XXE):
        for part in ("docProps/custom.xml", "xl/worksheets/sheet1.xml"):
            with pytest.raises(InputError, match="document type declaration"):
                sheet_xlsx_parts.parse_part(
                    b'<?xml version="1.0"?>' + doctype + b"<a>&lol9;</a>", part, "evil.xlsx")
    assert openpyxl_xml.DEFUSEDXML is True     # openpyxl found defusedxml and uses it


@pytest.mark.parametrize("filler", [b"<?pad %s?>", b"<!-- %s -->"], ids=["pi", "comment"])
def test_a_dtd_behind_a_long_prolog_is_refused(batch, capsys, filler):
    """The screen peeks at the first bytes of each part; a DTD pushed past them by a long
    processing instruction or comment is still found (it once slipped through)."""
    def padded(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        cut = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
        return data[:cut] + filler % (b"x" * 5000) + XXE + data[cut:]
    path = rewrite_zip(genuine(batch), batch / "padded.xlsx", padded)
    refused_everywhere(batch, path, "document type declaration", "sheet1.xml", capsys=capsys)


@pytest.mark.parametrize("filler", [b"<?pad %s?>", b"<!-- %s -->"], ids=["pi", "comment"])
def test_a_long_prolog_without_a_dtd_is_not_taken_for_one(filler):
    from cmrc_desktop.exchange.xlsx_safety import dtd_in_prolog

    part = b'<?xml version="1.0"?>' + filler % (b"x" * 5000) + b"<worksheet/>"
    assert dtd_in_prolog(part[:256]) is None      # undecided: the whole part is read
    assert dtd_in_prolog(part) is False


@pytest.mark.parametrize("extra, words", [
    ({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(512)}, "xl/vbaProject.bin"),
    ({"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}, "xl/macrosheets/sheet1.xml"),
], ids=["vbaProject", "macrosheet"])
def test_a_macro_enabled_workbook_is_refused(batch, capsys, extra, words):
    path = rewrite_zip(genuine(batch), batch / "macro.xlsx", extra=extra)
    refused_everywhere(batch, path, "macros", words, capsys=capsys)


def test_a_macro_enabled_content_type_is_refused(batch, capsys):
    def xlsm(name: str, data: bytes) -> bytes:
        return data.replace(b"spreadsheetml.sheet.main+xml",
                            b"ms-excel.sheet.macroEnabled.main+xml") \
            if name == "[Content_Types].xml" else data
    path = rewrite_zip(genuine(batch), batch / "renamed.xlsm", xlsm)
    refused_everywhere(batch, path, "macros", capsys=capsys)


def test_a_zip_bomb_part_is_refused_from_its_header_before_parsing(batch, capsys):
    bomb = b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>"      # 60 MiB of spaces, deflates ~1000:1
    path = rewrite_zip(genuine(batch), batch / "bomb.xlsx", extra={"xl/bomb.xml": bomb})
    assert path.stat().st_size < 1024 * 1024
    refused_everywhere(batch, path, "xl/bomb.xml", capsys=capsys)


def cdfv2() -> bytes:
    """The start of a password-protected OOXML file: an OLE2 compound document (CDFV2)
    holding EncryptionInfo and EncryptedPackage, which is what Excel writes."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff"
    return header + bytes(512 - len(header)) + "EncryptedPackage".encode("utf-16-le") * 64


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (None, ""),                                           # truncated: the first half
    (cdfv2(), "neither a PDF nor a zip"),
    ("中心,专家,指标,分数\nC001,E01,A1,8\n".encode(), "neither a PDF nor a zip"),
    (b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", ""),
], ids=["empty", "truncated", "encrypted-cdfv2", "csv-renamed", "pdf-renamed"])
def test_files_that_are_not_workbooks_are_refused(batch, capsys, content, words):
    path = batch / "sheet.xlsx"
    good = genuine(batch).read_bytes()
    path.write_bytes(good[: len(good) // 2] if content is None else content)
    refused_everywhere(batch, path, words, capsys=capsys)


def test_an_encrypted_zip_entry_is_refused(batch, capsys):
    data = bytearray(genuine(batch).read_bytes())
    # set the "encrypted" flag of every entry (local and central headers)
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(sig, start)) >= 0:
            data[start + at] |= 0x1
            start += 4
    path = batch / "encrypted.xlsx"
    path.write_bytes(bytes(data))
    refused_everywhere(batch, path, "encrypted", capsys=capsys)


# -- the same rules for the centres importer (open_xlsx) -----------------------------------------
@pytest.fixture
def template(tmp_path) -> Path:
    path = tmp_path / "centres.xlsx"
    write_centres_template(path, catalog(), period="2024")
    return path


@pytest.mark.parametrize("make, words", [
    (lambda p: rewrite_zip(p, p.with_name("x.xlsx"), with_doctype(LAUGHS, "xl/workbook.xml")),
     "document type declaration"),
    (lambda p: rewrite_zip(p, p.with_name("x.xlsx"),
                           extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), "macros"),
    (lambda p: rewrite_zip(p, p.with_name("x.xlsx"),
                           extra={"xl/b.xml": b" " * (60 * 1024 * 1024)}), "zip bomb"),
], ids=["billion-laughs", "macros", "zip-bomb"])
def test_the_centres_importer_refuses_hostile_workbooks(template, make, words):
    path = make(template)
    with pytest.raises(InputError) as info:
        read_centres_template(path, catalog())
    assert info.value.file == "x.xlsx" and words in info.value.message


def test_a_genuine_template_still_reads(template):
    assert read_centres_template(template, catalog()).centres == []


def test_zip_members_are_never_inflated_by_testzip_before_the_ratio_check(template):
    """The importer used to CRC-check every member (inflating it) before any size check."""
    bomb = rewrite_zip(template, template.with_name("x.xlsx"),
                       extra={"xl/b.xml": b" " * (200 * 1024 * 1024)})
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo("xl/b.xml").compress_size < 1024 * 1024
    import time
    started = time.perf_counter()
    with pytest.raises(InputError, match="zip bomb"):
        read_centres_template(bomb, catalog())
    assert time.perf_counter() - started < 1.0
