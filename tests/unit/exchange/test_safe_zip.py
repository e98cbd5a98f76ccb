"""SafeZip: a zip from someone else is read in memory, and every trick is refused by name.

Hostile archives are written byte by byte (``raw_zip``): the standard ``zipfile`` writer
will not produce most of them, and reading must not depend on how they were made.
"""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
import zlib
from dataclasses import dataclass

import pytest

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.exchange.safe_zip import (
    DamagedArchive,
    NotAnArchive,
    SafeZip,
    UnsafeArchive,
    fold,
    name_problem,
)

MiB = 1024 * 1024


@dataclass
class Raw:
    """One entry of a hand-made archive; every header field can lie."""

    name: str | bytes
    data: bytes = b""
    deflate: bool = False
    flags: int = 0
    mode: int = 0o100644
    compressed: bytes | None = None   # given compressed stream (then crc/size are needed)
    crc: int | None = None
    size: int | None = None           # declared uncompressed size
    offset: int | None = None         # declared local header offset (central directory)


def raw_zip(entries: list[Raw]) -> bytes:
    out = bytearray()
    central = bytearray()
    for e in entries:
        name = e.name.encode("utf-8") if isinstance(e.name, str) else e.name
        flags = 0x800 | e.flags
        method = 8 if (e.deflate or e.compressed is not None) else 0
        if e.compressed is not None:
            comp = e.compressed
        elif e.deflate:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            comp = c.compress(e.data) + c.flush()
        else:
            comp = e.data
        crc = zlib.crc32(e.data) if e.crc is None else e.crc
        size = len(e.data) if e.size is None else e.size
        offset = len(out)
        out += struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, flags, method, 0, 0x21,
                           crc, len(comp), size, len(name), 0) + name + comp
        central += struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, flags, method,
                               0, 0x21, crc, len(comp), size, len(name), 0, 0, 0, 0,
                               e.mode << 16, offset if e.offset is None else e.offset) + name
    start = len(out)
    out += central
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                       len(central), start, 0)
    return bytes(out)


def zeros_bomb(size_mib: int) -> Raw:
    """``size_mib`` MiB of zeros as one deflate stream of a few hundred KB, built from one
    compressed MiB repeated (full flushes make the blocks independent), so the test
    neither spends seconds compressing nor holds the unpacked bytes."""
    chunk = bytes(MiB)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH) == block
    crc = 0
    for _ in range(size_mib):
        crc = zlib.crc32(chunk, crc)
    stream = block * size_mib + c.flush(zlib.Z_FINISH)
    return Raw("zeros.bin", compressed=stream, crc=crc, size=size_mib * MiB)


def refused(data: bytes, cls: type[InputError] = UnsafeArchive, **limits) -> InputError:
    with pytest.raises(cls) as info:
        SafeZip(data, name="in.zip", **limits)
    assert info.value.file == "in.zip"
    return info.value


# -- what is accepted -------------------------------------------------------------------------
def test_reads_a_normal_archive_in_memory_keeping_order_and_ignoring_folders():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/", b"")
        zf.writestr("xl/workbook.xml", b"<workbook/>" * 100)
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("docProps/中文.xml", "中文".encode())
    archive = SafeZip(buf.getvalue(), name="book.xlsx")
    assert archive.names == ["xl/workbook.xml", "[Content_Types].xml", "docProps/中文.xml"]
    assert archive.read("xl/workbook.xml") == b"<workbook/>" * 100
    assert archive.entries()["docProps/中文.xml"] == "中文".encode()
    assert "xl/workbook.xml" in archive and len(archive) == 3
    with pytest.raises(InputError, match="no entry"):
        archive.read("missing.xml")


def test_an_empty_archive_has_no_entries():
    assert SafeZip(raw_zip([]), name="e.zip").names == []


def test_a_small_very_regular_entry_is_not_taken_for_a_bomb():
    archive = SafeZip(raw_zip([Raw("blank.xml", bytes(512 * 1024), deflate=True)]), name="b")
    assert len(archive.read("blank.xml")) == 512 * 1024


# -- names ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "words"), [
    ("../evil", "climbs out"),
    ("docs/../../evil", "climbs out"),
    ("/abs", "absolute"),
    ("C:/x", "drive letter"),
    ("c:x", "drive letter"),
    ("a\\b", "backslash"),
    ("..\\evil", "backslash"),
    ("\\abs", "backslash"),
    ("a\x00b", "control character"),
    ("a\nb", "control character"),
    ("", "empty"),
    ("a//b", "empty or '.' part"),
    ("./a", "empty or '.' part"),
])
def test_unsafe_names_are_refused_naming_the_entry(name, words):
    error = refused(raw_zip([Raw("ok.txt", b"fine"), Raw(name, b"evil")]))
    assert words in error.message
    assert error.field == name.replace("\x00", "\\x00").replace("\n", "\\n")
    assert name_problem(name)


def test_a_folder_entry_climbing_out_is_refused_too():
    assert "climbs out" in refused(raw_zip([Raw("../up/", b"")])).message


def test_duplicate_names_are_refused():
    error = refused(raw_zip([Raw("a.txt", b"one"), Raw("a.txt", b"two")]))
    assert "twice" in error.message and error.field == "a.txt"


def test_names_differing_only_in_case_are_refused():
    error = refused(raw_zip([Raw("Doc", b"one"), Raw("doc", b"two")]))
    assert "only in case or Unicode form" in error.message
    assert "Doc" in error.message and error.field == "doc"


def test_names_differing_only_in_unicode_normalisation_are_refused():
    nfc, nfd = "caf\u00e9.txt", "cafe\u0301.txt"
    assert nfc != nfd and fold(nfc) == fold(nfd)
    error = refused(raw_zip([Raw(nfc, b"one"), Raw(nfd, b"two")]))
    assert "only in case or Unicode form" in error.message


def test_names_differing_only_by_compatibility_form_are_refused():
    error = refused(raw_zip([Raw("a1.txt", b"one"), Raw("ａ１.txt", b"two")]))
    assert "Unicode form" in error.message


# -- entry kinds -----------------------------------------------------------------------------------
def test_encrypted_entries_are_refused():
    error = refused(raw_zip([Raw("secret.txt", b"xxxx", flags=0x1)]))
    assert "encrypted" in error.message and error.field == "secret.txt"


def test_symbolic_links_are_refused():
    error = refused(raw_zip([Raw("link", b"/etc/passwd", mode=0o120777)]))
    assert "symbolic link" in error.message and error.field == "link"


# -- sizes and bombs ---------------------------------------------------------------------------------
def test_a_zip_bomb_is_refused_from_its_headers_without_inflating_it():
    tracemalloc.start()
    started = time.perf_counter()
    data = raw_zip([zeros_bomb(300)])
    assert len(data) < 1 * MiB
    error = refused(data)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "zip bomb" in error.message and error.field == "zeros.bin"
    assert elapsed < 2
    assert peak < 100 * MiB


def test_an_entry_lying_about_its_size_cannot_inflate_past_it():
    bomb = zeros_bomb(8)
    bomb.size = 1000    # the header says 1000 bytes; the stream holds 8 MiB
    error = refused(raw_zip([bomb]), DamagedArchive)
    assert "damaged or incomplete" in error.message and error.field == "zeros.bin"


def test_an_entry_claiming_more_than_it_holds_is_damage():
    error = refused(raw_zip([Raw("short.txt", b"abc", size=10)]), DamagedArchive)
    assert "damaged or incomplete" in error.message


def test_a_wrong_crc_is_damage():
    error = refused(raw_zip([Raw("a.txt", b"abc", crc=1234)]), DamagedArchive)
    assert error.field == "a.txt"


def test_limits_on_entries_entry_size_and_total():
    three = raw_zip([Raw(f"{i}.txt", b"x" * 100) for i in range(3)])
    assert "more than 2 entries" in refused(three, max_entries=2).message
    assert "larger than" in refused(three, max_entry=50).message
    assert "unpacks to more than" in refused(three, max_total=250).message
    assert SafeZip(three, name="ok", max_entries=3, max_entry=100, max_total=300).names


def test_entries_sharing_their_bytes_are_refused():
    first = raw_zip([Raw("a.txt", b"x" * 1000)])
    # Two central directory records pointing at the same local header.
    data = raw_zip([Raw("a.txt", b"x" * 1000), Raw("b.txt", b"x" * 1000, offset=0)])
    assert SafeZip(first, name="one").names == ["a.txt"]
    assert "overlap" in refused(data).message


# -- not an archive ------------------------------------------------------------------------------------
def test_empty_text_truncated_and_damaged_files_are_refused_in_plain_words():
    good = raw_zip([Raw("a.txt", b"hello " * 1000, deflate=True)])
    assert "empty" in refused(b"", NotAnArchive).message
    assert "not a zip archive" in refused(b"name,score\n", NotAnArchive).message
    assert "damaged or incomplete" in refused(good[: len(good) // 2], DamagedArchive).message
    broken = bytearray(good)
    broken[40:60] = b"\xff" * 20
    assert "damaged or incomplete" in refused(bytes(broken), DamagedArchive).message
