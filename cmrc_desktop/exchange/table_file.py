"""A table (a header and rows of text) written for a person to open in Excel: CSV in
UTF-8 with a byte-order mark (without it Excel reads Chinese as gibberish), or xlsx.

Both are written beside the destination and moved into place, so a cancelled or failed
export never leaves half a file. A cell that Excel would run as a formula (``=…``,
``+…``, ``@…``) is written so that it stays text: in xlsx as a text cell, in CSV behind
an apostrophe (a name or a reason typed by someone must never run on the reader's
machine).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from cmrc_desktop.exchange.atomic_file import atomic_path
from cmrc_desktop.exchange.xlsx_safety import atomic_save, set_text

CSV, XLSX = "csv", "xlsx"
_FORMULA_START = ("=", "+", "@", "\t", "\r")

Row = Sequence[str]
Tick = Callable[[int], bool]   # rows written so far → False to stop


class Stopped(Exception):  # noqa: N818 (a signal to stop, not an error)
    """Raised by a writer when ``tick`` answered False; nothing was written."""


def format_of(path: str | Path) -> str:
    """xlsx for a name ending in .xlsx, CSV otherwise."""
    return XLSX if Path(path).suffix.lower() == ".xlsx" else CSV


def csv_cell(text: str) -> str:
    """``text`` as it must stand in a CSV cell so that Excel shows it as text."""
    if text.startswith(_FORMULA_START) or (text.startswith("-") and not _is_number(text)):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_table(path: str | Path, header: Row, rows: Iterable[Row], *, title: str = "",
                tick: Tick | None = None) -> int:
    """Write ``rows`` under ``header`` as CSV or xlsx (by the file name); returns the rows
    written. ``tick(n)`` is called every 500 rows; answering False stops the export and
    raises ``Stopped`` (the destination is left as it was)."""
    if format_of(path) == XLSX:
        return _write_xlsx(Path(path), header, rows, title, tick)
    return _write_csv(Path(path), header, rows, tick)


def _write_csv(path: Path, header: Row, rows: Iterable[Row], tick: Tick | None) -> int:
    written = 0
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow([csv_cell(str(c)) for c in header])
        for row in rows:
            writer.writerow([csv_cell(str(c)) for c in row])
            written += 1
            _tick(tick, written)
    return written


def _write_xlsx(path: Path, header: Row, rows: Iterable[Row], title: str,
                tick: Tick | None) -> int:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.title = title[:31]   # Excel's limit for a sheet name
    bold = Font(bold=True)
    widths = [len(str(c)) for c in header]
    for column, text in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=column)
        set_text(cell, str(text))
        cell.font = bold
    written = 0
    for written, row in enumerate(rows, start=1):
        for column, text in enumerate(row, start=1):
            set_text(sheet.cell(row=written + 1, column=column), str(text))
            if column <= len(widths):
                widths[column - 1] = max(widths[column - 1], min(len(str(text)), 60))
        _tick(tick, written)
    from openpyxl.utils import get_column_letter

    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width * 1.3 + 2
    sheet.freeze_panes = "A2"
    atomic_save(workbook, path)
    return written


def _tick(tick: Tick | None, written: int) -> None:
    if tick is not None and written % 500 == 0 and tick(written) is False:
        raise Stopped
