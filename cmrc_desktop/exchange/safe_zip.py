"""Read a zip archive that came from someone else, entirely in memory, without trusting it.

Used for panel packages and, later, for .xlsx workbooks. Nothing is ever extracted to
disk by the name written in the archive: entries are read into memory by iterating the
central directory, after every name and every declared size has been checked. An archive
is refused, with the file and the entry named, when:

* an entry name could mean another place on some system: empty, ``..``/``.``/empty
  parts, absolute (``/x``, ``\\x``), a drive letter (``C:``), a backslash, a NUL or other
  control character;
* two entries share a name, or differ only in case or Unicode form (``Doc``/``doc``,
  NFC/NFD ``é``), which would overwrite each other on a case-insensitive or normalising
  file system and lets two readers see two different files;
* an entry is encrypted or is a symbolic link;
* the declared sizes are too large, the compression ratio is that of a zip bomb, or the
  entries overlap one another in the file.

Declared sizes are checked before anything is decompressed, and every entry is then read
with a bounded read, so a header that lies about its size cannot make the reader inflate
more than the limit (the CRC check then reports the lie as damage).
"""

from __future__ import annotations

import io
import stat
import struct
import unicodedata
import zipfile
import zlib

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.i18n import _

MiB = 1024 * 1024
MAX_ENTRIES = 2000
MAX_TOTAL = 512 * MiB
MAX_ENTRY = 256 * MiB
MAX_RATIO = 200
# Below this unpacked size the ratio is not checked: a small, very regular entry (a
# blank sheet, a run of spaces) can compress 1000:1 and still cannot hurt anyone.
RATIO_GRACE = 1 * MiB

_LOCAL_HEADER = b"PK\x03\x04"
_EMPTY_ARCHIVE = b"PK\x05\x06"
_LOCAL_HEADER_SIZE = 30
_FLAG_ENCRYPTED = 0x1
_FLAG_UTF8 = 0x800


class NotAnArchive(InputError):
    """The bytes are not a zip archive at all (a text file, a PDF, an empty file)."""


class DamagedArchive(InputError):
    """A zip archive that is cut short or whose data does not match its headers."""


class UnsafeArchive(InputError):
    """A readable zip archive that breaks a safety rule (names, sizes, links)."""


def shown(name: str) -> str:
    """An entry name fit for a message: control characters written as escapes."""
    return "".join(
        ch if unicodedata.category(ch) != "Cc" else ch.encode("unicode_escape").decode("ascii")
        for ch in name)


def fold(name: str) -> str:
    """The key under which two names count as the same file on some system."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a safe entry name, or None. A directory ends with ``/``."""
    if not name or name == "/":
        return _("the entry name is empty")
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return _("the entry name contains a NUL or another control character")
    if "\\" in name:
        return _("the entry name contains a backslash")
    if name.startswith("/"):
        return _("the entry name is an absolute path")
    if len(name) >= 2 and name[1] == ":" and name[0].isascii() and name[0].isalpha():
        return _("the entry name starts with a drive letter")
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    if ".." in parts:
        return _("the entry name climbs out of the archive (..)")
    if any(part in ("", ".") for part in parts):
        return _("the entry name has an empty or '.' part")
    return None


def _stored_name(info: zipfile.ZipInfo) -> bytes:
    """The entry name as the bytes written in the archive (UTF-8 flag or cp437)."""
    try:
        return info.orig_filename.encode("utf-8" if info.flag_bits & _FLAG_UTF8 else "cp437")
    except UnicodeEncodeError:
        return info.orig_filename.encode("utf-8")


_LOCAL = struct.Struct("<4s22xHH")   # signature, …, name length, extra field length


def inflate(data: bytes | memoryview, info: zipfile.ZipInfo, limit: int | None = None) -> bytes:
    """The unpacked bytes of one entry, straight from the archive's bytes: the whole entry
    (its length and CRC checked), or only its first ``limit`` bytes.

    Never more than the smaller of ``limit`` and the entry's declared size is inflated, so
    a header that lies cannot make it unpack more. zipfile's own reader costs ~15 µs an
    entry, which was most of checking a scoresheet; this is the same work in zlib.
    Raises ``zipfile.BadZipFile`` for damage and ``NotImplementedError`` for a compression
    method other than stored or deflated.
    """
    view = memoryview(data)
    try:
        signature, name_length, extra_length = _LOCAL.unpack_from(view, info.header_offset)
    except struct.error:
        raise zipfile.BadZipFile("local header out of range") from None
    start = info.header_offset + _LOCAL_HEADER_SIZE
    if signature != _LOCAL_HEADER or \
            view[start:start + name_length] != _stored_name(info):
        raise zipfile.BadZipFile("local header does not match the directory")
    start += name_length + extra_length
    packed = view[start:start + info.compress_size]
    if len(packed) != info.compress_size:
        raise zipfile.BadZipFile("entry cut short")
    whole = limit is None or limit >= info.file_size
    want = info.file_size if whole else limit
    if info.compress_type == zipfile.ZIP_STORED:
        unpacked = bytes(packed[:want])
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        try:
            unpacked = zlib.decompressobj(-15).decompress(packed, want)
        except zlib.error:
            raise zipfile.BadZipFile("entry damaged") from None
    else:
        raise NotImplementedError(info.compress_type)
    if whole and (len(unpacked) != info.file_size or zlib.crc32(unpacked) != info.CRC):
        raise zipfile.BadZipFile("entry damaged")
    return unpacked


def _mib(size: int) -> str:
    return f"{size / MiB:.0f}" if size >= MiB else f"{size / MiB:.2f}"


class SafeZip:
    """A zip archive read into memory after every check; ``entries()`` gives its files.

    ``name`` is the file name shown in messages. Directory entries are accepted (their
    names are checked) and otherwise ignored.
    """

    def __init__(self, data: bytes, *, name: str, max_entries: int = MAX_ENTRIES,
                 max_total: int = MAX_TOTAL, max_entry: int = MAX_ENTRY,
                 max_ratio: float = MAX_RATIO, ratio_grace: int = RATIO_GRACE) -> None:
        self.name = name
        self._entries: dict[str, bytes] = {}
        if not data:
            raise NotAnArchive(_("the file is empty"), file=name)
        if not data.startswith((_LOCAL_HEADER, _EMPTY_ARCHIVE)):
            raise NotAnArchive(_("the file is not a zip archive"), file=name)
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
                struct.error, NotImplementedError):
            raise DamagedArchive(_("the file is damaged or incomplete"), file=name) from None
        with zf:
            infos = zf.infolist()
            if len(infos) > max_entries:
                raise UnsafeArchive(_("the archive has more than {limit} entries").format(
                    limit=max_entries), file=name)
            self._check_names(infos)
            files = [info for info in infos if not info.orig_filename.endswith("/")]
            self._check_layout(infos, zf.start_dir)
            total = 0
            for info in files:
                self._check_entry(info, max_entry, max_ratio, ratio_grace)
                total += info.file_size
                if total > max_total:
                    raise UnsafeArchive(
                        _("the archive unpacks to more than {limit} MiB").format(
                            limit=_mib(max_total)), file=name)
            for info in files:
                self._entries[info.orig_filename] = self._read(data, info)

    # -- checks --------------------------------------------------------------------------
    def _refuse(self, message: str, entry: str, cls: type[InputError] = UnsafeArchive):
        return cls(message, file=self.name, field=shown(entry))

    def _check_names(self, infos: list[zipfile.ZipInfo]) -> None:
        seen: dict[str, str] = {}
        folded: dict[str, str] = {}
        for info in infos:
            # ``orig_filename`` is the name as stored: ``filename`` has been cut at a NUL
            # and, on Windows, had its backslashes turned into slashes.
            raw = info.orig_filename
            problem = name_problem(raw)
            if problem:
                raise self._refuse(problem, raw)
            key = raw.rstrip("/")
            if key in seen:
                raise self._refuse(_("the entry appears twice in the archive"), raw)
            seen[key] = raw
            fkey = fold(key)
            if fkey in folded:
                raise self._refuse(
                    _("the entry name differs from {other} only in case or Unicode form")
                    .format(other=shown(folded[fkey])), raw)
            folded[fkey] = raw

    def _check_layout(self, infos: list[zipfile.ZipInfo], start_dir: int) -> None:
        """Entries must not share or overlap their bytes (the overlapping zip bomb)."""
        spans = sorted(infos, key=lambda i: i.header_offset)
        for index, info in enumerate(spans):
            following = spans[index + 1] if index + 1 < len(spans) else None
            end = (info.header_offset + _LOCAL_HEADER_SIZE
                   + len(_stored_name(info)) + info.compress_size)
            limit = start_dir if following is None else following.header_offset
            if info.header_offset < 0 or end > limit:
                raise self._refuse(_("the entries of the archive overlap (zip bomb)"),
                                   info.orig_filename)

    def _check_entry(self, info: zipfile.ZipInfo, max_entry: int, max_ratio: float,
                     ratio_grace: int) -> None:
        raw = info.orig_filename
        if info.flag_bits & _FLAG_ENCRYPTED:
            raise self._refuse(_("the entry is encrypted"), raw)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise self._refuse(_("the entry is a symbolic link"), raw)
        if (info.file_size > ratio_grace
                and info.file_size / max(info.compress_size, 1) > max_ratio):
            raise self._refuse(
                _("the entry would unpack to {ratio} times its packed size (zip bomb)").format(
                    ratio=info.file_size // max(info.compress_size, 1)), raw)
        if info.file_size > max_entry:
            raise self._refuse(_("the entry is larger than {limit} MiB").format(
                limit=_mib(max_entry)), raw)

    def _read(self, data: bytes, info: zipfile.ZipInfo) -> bytes:
        try:
            return inflate(data, info)
        except NotImplementedError:
            raise self._refuse(_("the entry uses a compression method that is not supported"),
                               info.orig_filename) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
                struct.error):
            raise self._refuse(_("the file is damaged or incomplete"), info.orig_filename,
                               DamagedArchive) from None

    # -- access --------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        """Names of the file entries, in archive order (directories left out)."""
        return list(self._entries)

    def entries(self) -> dict[str, bytes]:
        return dict(self._entries)

    def read(self, name: str) -> bytes:
        try:
            return self._entries[name]
        except KeyError:
            raise InputError(_("the archive has no entry {entry}").format(entry=shown(name)),
                             file=self.name) from None

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __len__(self) -> int:
        return len(self._entries)
