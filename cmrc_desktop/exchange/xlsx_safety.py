"""Writing and reading Excel cells so that what a person typed is what the program gets.

Shared by every workbook that crosses between people (templates, scoresheets, reports):

* text is written as text, so a name beginning with ``=`` never turns into a formula
  that Excel runs on the reader's machine;
* a workbook is saved beside its destination and moved into place, so a crash or a full
  disk never leaves a half-written file where a good one was;
* workbooks are opened with python-calamine (no XML entity expansion, no macros), and a
  file that is not a workbook is reported in plain words instead of a traceback;
* before anything parses a workbook that came from someone else, :func:`screen_workbook`
  reads it as a zip under :class:`~cmrc_desktop.exchange.safe_zip.SafeZip`'s rules (names,
  sizes, ratio: a zip bomb is refused from its headers) and refuses what an .xlsx written
  by Excel, LibreOffice or this program never holds: macros (``vbaProject.bin``, macro
  sheets, a macro-enabled content type) and XML document type declarations (the carrier
  of external entities and "billion laughs"), whichever parser would have read the part;
* numbers come back by the one rule of :mod:`cmrc_desktop.domain.numbers`, without ever
  passing through ``Decimal(float)``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from python_calamine import CalamineError, CalamineWorkbook

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.limits import MAX_CELL_TEXT, MAX_TEMPLATE
from cmrc_desktop.domain.numbers import parse_decimal
from cmrc_desktop.exchange.atomic_file import atomic_path
from cmrc_desktop.exchange.input_file import read_input
from cmrc_desktop.exchange.safe_zip import DamagedArchive, MiB, NotAnArchive, SafeZip, shown
from cmrc_desktop.i18n import _

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook.workbook import Workbook

# Excel shows at most 15 significant digits; a float with more (0.1 + 0.2 from a formula)
# is read as the person saw it, not as the binary noise behind it.
EXCEL_DIGITS = 15
# Workbooks exchanged here are forms and lists: far below these, a bomb far above them.
MAX_WORKBOOK_TOTAL = 100 * MiB
MAX_WORKBOOK_PART = 50 * MiB
MAX_WORKBOOK_RATIO = 100
_MACRO_PARTS = ("vbaproject.bin", "vbadata.xml", "vbaprojectsignature.bin")
_MACRO_FOLDERS = ("xl/macrosheets/", "xl/dialogsheets/")
_DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY")


def set_text(cell: Cell, value: str) -> None:
    """Put ``value`` in ``cell`` as a string, even when it looks like a formula.

    openpyxl turns any string starting with ``=`` into a formula; a centre called
    ``=HYPERLINK(...)`` would then become a live link (or worse) in the secretary's Excel.
    The quote prefix also keeps it text when someone edits the cell in Excel.
    """
    if len(value) > MAX_CELL_TEXT:
        raise InputError(
            _("the text is {length} characters long; an Excel cell holds at most {limit}, "
              "so it would be cut short. Shorten it").format(length=len(value),
                                                          limit=MAX_CELL_TEXT),
            field=cell.coordinate)
    cell.value = value
    cell.data_type = "s"
    if value[:1] in ("=", "+", "-", "@"):
        cell.quotePrefix = True


def atomic_save(workbook: Workbook, path: str | os.PathLike[str]) -> None:
    """Save ``workbook`` so that ``path`` holds either the old file or the whole new one."""
    with atomic_path(path) as tmp:
        workbook.save(tmp)


def open_xlsx(path: str | os.PathLike[str], *, shown_as: str | None = None) -> CalamineWorkbook:
    """Open an .xlsx workbook for reading, or raise an :class:`InputError` a person can act on.

    ``shown_as`` is the file name used in messages (defaults to the file's name).
    """
    name = shown_as or Path(path).name
    data = read_input(path, limit=MAX_TEMPLATE, what=_("a centres template"),
                      folder=_("this is a folder, not an Excel workbook"), shown_as=name)
    if not data:
        raise InputError(
            _("the file is empty; expected an Excel workbook (.xlsx)"), file=name
        )
    screen_workbook(data, name=name)
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, OSError, ValueError):
        raise InputError(_not_a_workbook(), file=name) from None


def screen_workbook(data: bytes, *, name: str | None) -> None:
    """Refuse a workbook by the rules of the module docstring (raises :class:`InputError`
    naming the file and the part); a workbook that passes can be handed to any parser."""
    try:
        archive = SafeZip(data, name=name or "", max_total=MAX_WORKBOOK_TOTAL,
                          max_entry=MAX_WORKBOOK_PART, max_ratio=MAX_WORKBOOK_RATIO)
    except (NotAnArchive, DamagedArchive):
        raise InputError(_not_a_workbook(), file=name) from None
    except InputError as exc:     # the part named in the reason: ``cmrc verify`` shows only that
        raise InputError(_("{reason} (part {part})").format(reason=exc.message, part=exc.field)
                         if exc.field else exc.message, file=name, field=exc.field) from None
    screen_parts(archive.entries().items(), name=name)


def screen_parts(parts: Iterable[tuple[str, bytes]], *, name: str | None) -> None:
    """The macro and DTD rules over a workbook's parts, however they were unpacked (the
    scoresheet reader unpacks each part once, for this and for its own reading)."""
    for part, content in parts:
        screen_part(part, content, lambda content=content: content, name=name)
        if declares_dtd(content):       # anywhere in the part, not only before the root
            raise dtd_refused(part, name)


# what may stand before the root element: the XML declaration, processing instructions,
# comments, white space — and a document type declaration, which is what we look for
_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)


def dtd_in_prolog(head: bytes) -> bool | None:
    """Whether an XML part declares a DTD, from its first bytes: a DTD can only stand
    before the root element, so once the root element starts the answer is known. None
    when ``head`` ends before that (read the whole part then)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:2] in (b"<\x00", b"\x00<"):
        return None                      # UTF-16: decide on the whole part
    rest = head[_PROLOG.match(head).end():]
    if rest.startswith((b"<?", b"<!--")):
        return None                      # a declaration or comment cut off by the peek
    if rest.startswith(b"<!"):
        return True
    if len(rest) >= 2 and rest[:1] == b"<":
        return False
    return None if len(rest) < 2 else False   # not XML at all: the parser will say so


def screen_part(part: str, head: bytes, whole: Callable[[], bytes], *,
                name: str | None) -> None:
    """The macro and DTD rules for one part, reading the whole part only when its first
    bytes do not settle it (the scoresheet reader peeks at each part instead of
    unpacking every part twice)."""
    lower = part.casefold()
    if lower.rsplit("/", 1)[-1] in _MACRO_PARTS or lower.startswith(_MACRO_FOLDERS) or (
            lower == "[content_types].xml" and b"macroenabled" in whole().lower()):
        raise InputError(
            _("the workbook contains macros ({part}); only macro-free .xlsx workbooks "
              "are accepted (save it in Excel as “Excel Workbook (*.xlsx)”)").format(
                part=shown(part)),
            file=name, field=shown(part))
    declared = dtd_in_prolog(head)
    if declared is None:
        declared = declares_dtd(whole())
    if declared:
        raise dtd_refused(part, name)


def dtd_refused(part: str, name: str | None) -> InputError:
    return InputError(
        _("the workbook part {part} contains an XML document type declaration (DTD), which "
          "Excel never writes and which can carry external entities; the file is refused")
        .format(part=shown(part)), file=name, field=shown(part))


def declares_dtd(content: bytes) -> bool:
    """A DTD in a part, whether the part is written in UTF-8 or in UTF-16."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or content[:2] in (b"<\x00", b"\x00<"):
        content = content.decode("utf-16", errors="replace").encode("utf-8")
    if b"<!" not in content:      # no markup declaration at all: the common case, fast
        return False
    text = content.upper()
    return any(mark in text for mark in _DTD_MARKS)


def _not_a_workbook() -> str:
    return _(
        "this is not a readable Excel .xlsx workbook (it may be damaged, cut short, or "
        "another kind of file such as CSV renamed to .xlsx); open it in Excel and save it "
        "as .xlsx"
    )


def is_blank(value: Any) -> bool:
    """An empty cell as calamine reports it: ``''``, or text made only of white space."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A calamine cell as the text a person sees in it.

    An id typed into a General cell comes back as the float ``1001.0``; the person typed
    ``1001``, so that is the text.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        number = _float_text(value)
        return number if number is not None else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def cell_decimal(value: Any) -> Decimal | None:
    """A non-negative number from a calamine cell by the rule of ``parse_decimal``; None if not one.

    Text goes through ``parse_decimal`` (full-width digits read as digits); numeric cells
    are first turned into the digits Excel shows, never through ``Decimal(float)``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return parse_decimal(str(value))
    if isinstance(value, float):
        text = _float_text(value)
        return parse_decimal(text) if text is not None else None
    if isinstance(value, str):
        return parse_decimal(value)
    return None


def _float_text(value: float) -> str | None:
    """Plain digits for a float (``12.5``, ``0.00001``, ``-3``), or None for NaN/infinity."""
    if value != value or value in (float("inf"), float("-inf")):
        return None
    if value.is_integer() and abs(value) < 2**63:
        return str(int(value))
    exact = Decimal(repr(value))
    if len(exact.as_tuple().digits) > EXCEL_DIGITS:
        exact = Decimal(format(value, f".{EXCEL_DIGITS}g"))
    text = format(exact, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
