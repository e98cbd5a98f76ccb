"""Grading results as a flat table: CSV for scripts, a print-ready xlsx for people."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cmrc_desktop.domain.numbers import fmt
from cmrc_desktop.exchange.xlsx_safety import atomic_save, set_text
from cmrc_desktop.i18n import _
from cmrc_desktop.scoring.grading import GradingResult


def result_rows(result: GradingResult) -> tuple[list[str], list[list[str]]]:
    scheme = result.scheme
    decimals = scheme.aggregation.decimals
    header = ["centre", "experts", "final", "grade", "rank", "flags",
              *[d.id for d in scheme.dimensions], "expert_totals"]
    rows = []
    for r in result.centres:
        rows.append([
            r.centre,
            str(r.experts),
            fmt(r.final, decimals) if r.final is not None else "",
            r.grade.label if r.grade else "",
            str(r.rank) if r.rank is not None else "",
            ";".join(r.flags),
            *[fmt(r.dimensions[d.id], decimals) if d.id in r.dimensions else ""
              for d in scheme.dimensions],
            ";".join(f"{e}={fmt(t, decimals)}" for e, t in sorted(r.expert_totals.items())),
        ])
    return header, rows


def results_csv(result: GradingResult) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header, rows = result_rows(result)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def write_results_xlsx(result: GradingResult, path: str | Path) -> None:
    from decimal import Decimal

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.page import PageMargins

    scheme = result.scheme
    wb = Workbook()
    ws = wb.active
    ws.title = _("Results")
    titles = [_("Centre"), _("Complete sheets"), _("Final score"), _("Grade"), _("Rank"),
              _("Flags"), *[d.display for d in scheme.dimensions], _("Expert totals")]
    ws.append(titles)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    number_format = "0." + "0" * scheme.aggregation.decimals if scheme.aggregation.decimals \
        else "0"
    _header, rows = result_rows(result)
    numeric = {2, *range(6, 6 + len(scheme.dimensions))}
    for row in rows:
        values: list = []
        for i, text in enumerate(row):
            if i in numeric and text:
                values.append(Decimal(text))
            elif i in (1, 4) and text:
                values.append(int(text))
            else:
                values.append(text)
        ws.append(values)
        for i in numeric:
            ws.cell(ws.max_row, i + 1).number_format = number_format
        for i, value in enumerate(values):
            if isinstance(value, str):
                set_text(ws.cell(ws.max_row, i + 1), value)
    from openpyxl.utils import get_column_letter

    widths = [10, 10, 10, 10, 7, 20, *[10] * len(scheme.dimensions), 82]
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            last = cell.column == len(widths)
            cell.alignment = Alignment(horizontal="left" if last else "center",
                                       vertical="center")
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.7, bottom=0.7)
    ws.oddFooter.center.text = "&P / &N"
    atomic_save(wb, path)
