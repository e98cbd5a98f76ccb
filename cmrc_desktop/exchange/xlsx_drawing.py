"""Drawing helpers shared by the workbooks a committee prints (the consolidated report's
sheets): fonts, fills, lines, merged text blocks and row heights that show wrapped text
in full. The scoresheet draws from its own plan (:mod:`sheet_xlsx_layout`), with the same
measures."""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from cmrc_desktop.exchange.sheet_xlsx_layout import (
    BODY_FONT,
    BODY_SIZE,
    HEADER_FILL,
    LABEL_FILL,
    TITLE_FONT,
    TOTAL_FILL,
    row_height,
    width_units,
)
from cmrc_desktop.exchange.xlsx_safety import set_text

__all__ = ["BODY_FONT", "BOX", "HEADER", "LABEL", "TITLE_FONT", "TOTAL", "align", "font",
           "hf", "merge_cells", "merge_text", "row_height", "width_units"]

_THIN = Side(style="thin", color="000000")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
LABEL = PatternFill("solid", fgColor=LABEL_FILL)
HEADER = PatternFill("solid", fgColor=HEADER_FILL)
TOTAL = PatternFill("solid", fgColor=TOTAL_FILL)


def font(bold: bool = False, size: float = BODY_SIZE, name: str = BODY_FONT,
         color: str | None = None, italic: bool = False) -> Font:
    return Font(name=name, size=size, bold=bold, color=color, italic=italic)


def align(horizontal: str = "left", vertical: str = "center", wrap: bool = True) -> Alignment:
    return Alignment(horizontal=horizontal, vertical=vertical, wrap_text=wrap)


_default_font, _default_align = font, align


def merge_cells(ws, row: int, first: int, last: int, last_row: int | None = None) -> None:
    last_row = last_row or row
    if first != last or last_row != row:
        ws.merge_cells(start_row=row, start_column=first, end_row=last_row, end_column=last)


def merge_text(ws, row: int, first: int, last: int, text: str, *, font: Font | None = None,
               align: Alignment | None = None, fill: PatternFill | None = None,
               border: Border | None = BOX, last_row: int | None = None) -> None:
    """``text`` in a block of cells merged into one, lined and filled as a whole."""
    last_row = last_row or row
    cell = ws.cell(row, first)
    set_text(cell, text)
    cell.font = font or _default_font()
    cell.alignment = align or _default_align()
    for r in range(row, last_row + 1):
        for c in range(first, last + 1):
            target = ws.cell(r, c)
            if border is not None:
                target.border = border
            if fill is not None:
                target.fill = fill
    merge_cells(ws, row, first, last, last_row)


def hf(text: str) -> str:
    """Text for a header or footer: '&' is a control character there."""
    return text.replace("&", "&&")
