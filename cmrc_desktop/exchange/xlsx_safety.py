"""Writing and reading Excel cells so that what a person typed is what the program gets.

Shared by every workbook that crosses between people (templates, scoresheets, reports):

* text is written as text, so a name beginning with ``=`` never turns into a formula
  that Excel runs on the reader's machine;
* a workbook is saved beside its destination and moved into place, so a crash or a full
  disk never leaves a half-written file where a good one was;
* workbooks are opened with python-calamine (no XML entity expansion, no macros), and a
  file that is not a workbook is reported in plain words instead of a traceback;
* numbers come back by the one rule of :mod:`cmrc_desktop.domain.numbers`, without ever
  passing through ``Decimal(float)``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from python_calamine import CalamineError, CalamineWorkbook

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.numbers import parse_decimal
from cmrc_desktop.exchange.atomic_file import atomic_path
from cmrc_desktop.i18n import _

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook.workbook import Workbook

# Excel shows at most 15 significant digits; a float with more (0.1 + 0.2 from a formula)
# is read as the person saw it, not as the binary noise behind it.
EXCEL_DIGITS = 15


def set_text(cell: Cell, value: str) -> None:
    """Put ``value`` in ``cell`` as a string, even when it looks like a formula.

    openpyxl turns any string starting with ``=`` into a formula; a centre called
    ``=HYPERLINK(...)`` would then become a live link (or worse) in the secretary's Excel.
    The quote prefix also keeps it text when someone edits the cell in Excel.
    """
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
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(_("the file does not exist"), file=name) from None
    except IsADirectoryError:
        raise InputError(_("this is a folder, not an Excel workbook"), file=name) from None
    except OSError as exc:
        raise InputError(
            _("cannot read the file: {reason}").format(reason=exc.strerror or exc), file=name
        ) from None
    if not data:
        raise InputError(
            _("the file is empty; expected an Excel workbook (.xlsx)"), file=name
        )
    if not _is_zip(path):
        raise InputError(_not_a_workbook(), file=name)
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, OSError, ValueError):
        raise InputError(_not_a_workbook(), file=name) from None


def _is_zip(path: str | os.PathLike[str]) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return False


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
