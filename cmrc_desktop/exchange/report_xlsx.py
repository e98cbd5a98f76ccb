"""The consolidated workbook (汇总表): what the panel leader prints, checks and signs.

Sheets, in this order:

* 汇总 — one row per centre, ranked first (by rank, then id), then the unranked by id:
  rank, centre, level, field, complete sheets, final score, the dimension scores, grade
  and flags; under the table what the figures mean (method, rounding, dimension scores
  that need not add up, every flag that occurs in words) and a signature line.
* 方法比较 — the sensitivity check: final score and grade of every centre under the
  mean, the median and the trimmed mean, the scheme's own method first, and which
  centres change grade (方法敏感). It is a sheet of its own so that the summary's
  repeated print titles never stand above a table with other columns.
* one sheet per centre (by id, titled with the id) — the expert × indicator matrix of the
  complete sheets, with dimension subtotals and each expert's total, the incomplete
  sheets in a note, and on the right the centre's final score, dimension scores, grade,
  rank, flags and vetoes with their reasons.
* 合并记录 — what happened to every returned file.

Everything comes from one :class:`ReportData` snapshot; nothing here reads the database.
Figures are number cells holding ``Decimal(fmt(...))`` (exact half-up, never a float),
formatted with the scheme's decimals, so they sort and sum in Excel and print as the JSON
says. Every text cell goes through :func:`set_text`, so a centre called ``=HYPERLINK(…)``
stays text. The look (宋体 body, 黑体 titles, thin black borders, grey headers, A4 with
header and footer) is the one of the signed scoresheet (:mod:`sheet_xlsx`).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from cmrc_desktop.domain.numbers import fmt, plain
from cmrc_desktop.domain.scheme import Indicator, Scheme
from cmrc_desktop.domain.workspace import Centre
from cmrc_desktop.exchange.report_data import (
    METHOD_SENSITIVE,
    MergeRow,
    ReportData,
    final_score_rule,
    flag_label,
    flag_text,
    method_name,
)
from cmrc_desktop.exchange.xlsx_drawing import BODY_FONT, TITLE_FONT
from cmrc_desktop.exchange.xlsx_drawing import BOX as _BOX
from cmrc_desktop.exchange.xlsx_drawing import HEADER as _HEADER_FILL
from cmrc_desktop.exchange.xlsx_drawing import LABEL as _LABEL_FILL
from cmrc_desktop.exchange.xlsx_drawing import TOTAL as _TOTAL_FILL
from cmrc_desktop.exchange.xlsx_drawing import align as _align
from cmrc_desktop.exchange.xlsx_drawing import font as _font
from cmrc_desktop.exchange.xlsx_drawing import hf as _hf
from cmrc_desktop.exchange.xlsx_drawing import merge_text as _merge_text
from cmrc_desktop.exchange.xlsx_drawing import row_height as _height
from cmrc_desktop.exchange.xlsx_drawing import width_units as _width_units
from cmrc_desktop.exchange.xlsx_safety import atomic_save, set_text
from cmrc_desktop.i18n import _, is_chinese
from cmrc_desktop.scoring.builtin import catalog
from cmrc_desktop.scoring.grading import CentreResult
from cmrc_desktop.signing.payload import clean_text

METHODS = ("mean", "median", "trimmed_mean")
SHEET_TITLE_MAX = 31
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_NOTE_FONT_SIZE = 9
_INDENT_UNITS = 1.5      # the width one indent step takes, in Excel character units
# A4 less the margins below, in points: (landscape, portrait) × (width, height)
_PRINTABLE = {True: (770.0, 494.0), False: (523.0, 741.0)}
_SQUEEZE = 1.35          # shrink a sheet onto one page when it needs at most this many
_DEFAULT_ROW = 15.0


def write_report_xlsx(path: str | os.PathLike[str], data: ReportData) -> None:
    """Write the consolidated workbook of ``data`` to ``path`` (atomically)."""
    wb = Workbook()
    used: set[str] = set()
    summary = wb.active
    summary.title = _title(_("Summary"), used)
    _summary_sheet(summary, data)
    _methods_sheet(wb.create_sheet(_title(_("Method comparison"), used)), data)
    merge_title = _title(_("Merge record"), used)
    for result in sorted(data.result.centres, key=lambda r: r.centre):
        _centre_sheet(wb.create_sheet(_title(result.centre, used)), data, result)
    _merge_sheet(wb.create_sheet(merge_title), data)

    wb.properties.title = _("{batch}: consolidated results").format(
        batch=clean_text(data.batch.name))[:250]
    wb.properties.subject = clean_text(data.scheme.display)[:250]
    wb.properties.creator = "CMRC Desktop"
    wb.properties.lastModifiedBy = "CMRC Desktop"
    atomic_save(wb, path)


# == shared pieces ===========================================================================
@dataclass
class _Figures:
    """How figures look in this workbook: the scheme's decimals, half-up."""

    decimals: int

    @property
    def number_format(self) -> str:
        return "0." + "0" * self.decimals if self.decimals > 0 else "0"

    def value(self, value: Decimal | Fraction | int | None) -> Decimal | None:
        return None if value is None else Decimal(fmt(value, self.decimals))


def _title(wanted: str, used: set[str]) -> str:
    """A valid, unique worksheet title: at most 31 characters, none of []:*?/\\ ."""
    base = _BAD_TITLE.sub("_", clean_text(wanted).replace("\n", " ")).strip().strip("'")
    base = base[:SHEET_TITLE_MAX] or "_"
    title, n = base, 1
    while title.casefold() in used:
        n += 1
        suffix = f"~{n}"
        title = base[:SHEET_TITLE_MAX - len(suffix)] + suffix
    used.add(title.casefold())
    return title


def _clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _colon(label: str) -> str:
    return label + ("：" if is_chinese() else ":")


def _sep() -> str:
    return "、" if is_chinese() else ", "


def _local_time(iso: str) -> str:
    """The generation time as the reader's clock shows it: 2026-11-22 14:18."""
    try:
        moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


def outcome_name(outcome: str) -> str:
    names = {"accepted": _("Accepted"), "already_merged": _("Already merged (duplicate)"),
             "superseded": _("Superseded"), "conflict": _("Conflict"),
             "refused": _("Refused")}
    return names.get(outcome, outcome)


def _level(centre: Centre | None) -> str:
    if centre is None:
        return ""
    level = catalog().level(centre.level)
    return level.display if level else centre.level


def _field(centre: Centre | None) -> str:
    if centre is None:
        return ""
    found = catalog().field(centre.field)
    text = found.display if found else centre.field
    return f"{text}（{centre.sub_field}）" if centre.sub_field else text


def _grade_display(scheme: Scheme, label: str | None) -> str:
    """A grade label as stored (Chinese) in the language of the moment."""
    if not label:
        return ""
    band = next((g for g in scheme.grades if g.label == label), None)
    return band.display if band else label


def _flags(data: ReportData, result: CentreResult) -> list[str]:
    flags = list(result.flags)
    if result.centre in data.method_sensitive and METHOD_SENSITIVE not in flags:
        flags.append(METHOD_SENSITIVE)
    return flags


def _flag_note(flag: str, scheme: Scheme) -> str:
    """'label: meaning' for a flag; a veto's meaning already names it."""
    if flag.startswith("veto:"):
        return flag_text(flag, scheme)
    return _("{flag}: {meaning}").format(flag=flag_label(flag), meaning=flag_text(flag, scheme))


def _ordered(data: ReportData) -> list[CentreResult]:
    """Ranked centres by rank (then id), then the unranked by id."""
    ranked = sorted((r for r in data.result.centres if r.rank is not None),
                    key=lambda r: (r.rank, r.centre))
    unranked = sorted((r for r in data.result.centres if r.rank is None),
                      key=lambda r: r.centre)
    return ranked + unranked


def _set_widths(ws: Worksheet, widths: list[float]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _left(vertical: str = "center") -> Alignment:
    """Left-aligned, wrapped, one step in from the border."""
    return Alignment(horizontal="left", vertical=vertical, wrap_text=True, indent=1)


def _fits(text: str, width: float, size: float = 10) -> tuple[str, float, float]:
    """A ``(text, width, size)`` for :func:`_height`, less the indent of :func:`_left`."""
    return (text, max(width - _INDENT_UNITS, 1.0), size)


def _text(ws: Worksheet, row: int, col: int, text: str, *, bold: bool = False,
          horizontal: str = "left", size: float = 10, fill=None, border=_BOX,
          vertical: str = "center"):
    cell = ws.cell(row, col)
    set_text(cell, text)
    cell.font = _font(bold=bold, size=size)
    cell.alignment = _left(vertical) if horizontal == "left" else _align(horizontal, vertical)
    if border is not None:
        cell.border = border
    if fill is not None:
        cell.fill = fill
    return cell


def _number(ws: Worksheet, row: int, col: int, value: Decimal | int | None, number_format: str,
            *, bold: bool = False, fill=None):
    cell = ws.cell(row, col)
    cell.value = value
    cell.number_format = number_format
    cell.font = _font(bold=bold)
    cell.alignment = _align("center", wrap=False)
    cell.border = _BOX
    if fill is not None:
        cell.fill = fill
    return cell


def _header(ws: Worksheet, row: int, col: int, text: str, last_col: int | None = None):
    _merge_text(ws, row, col, last_col or col, text, font=_font(bold=True),
                align=_align("center"), fill=_HEADER_FILL)


def _title_row(ws: Worksheet, row: int, last_col: int, text: str, size: float = 16) -> None:
    _merge_text(ws, row, 1, last_col, text, font=_font(bold=True, size=size, name=TITLE_FONT),
                align=_align("center"), border=None)
    ws.row_dimensions[row].height = 34 if size >= 16 else 28


def _line(ws: Worksheet, row: int, last_col: int, text: str, widths: list[float], *,
          size: float = 10, color: str | None = None, bold: bool = False,
          first_col: int = 1) -> None:
    """A line of running text across the sheet, without borders, wrapped to fit."""
    _merge_text(ws, row, first_col, last_col, text,
                font=_font(size=size, color=color, bold=bold),
                align=_align("left", "top"), border=None)
    ws.row_dimensions[row].height = _height(
        (text, sum(widths[first_col - 1:last_col]), size), minimum=size * 1.3 + 5)


def _pages_high(ws: Worksheet, widths: list[float], last_row: int, landscape: bool) -> float:
    """How many pages tall the sheet prints at fit-to-width (an estimate)."""
    width_pt = sum((7 * w + 5) * 0.75 for w in widths)
    height_pt = sum(ws.row_dimensions[r].height or _DEFAULT_ROW for r in range(1, last_row + 1))
    page_w, page_h = _PRINTABLE[landscape]
    return height_pt * min(1.0, page_w / width_pt) / page_h


def _page_setup(ws: Worksheet, data: ReportData, *, landscape: bool, title_rows: str | None,
                last_row: int, widths: list[float], subject: str) -> None:
    """A4, fit to the page width; a sheet a little taller than a page is shrunk onto one,
    a longer one runs over pages with its header rows repeated."""
    last_col = len(widths)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = (ws.ORIENTATION_LANDSCAPE if landscape
                                 else ws.ORIENTATION_PORTRAIT)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if _pages_high(ws, widths, last_row, landscape) <= _SQUEEZE \
        else 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = 0.7
    ws.page_margins.bottom = 0.7
    ws.page_margins.header = 0.3
    ws.page_margins.footer = 0.3
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
    ws.sheet_view.showGridLines = False
    font = f"{BODY_FONT},Regular"
    parts = (
        (ws.oddHeader.left, _hf(_clip(clean_text(data.batch.name), 60))),
        (ws.oddHeader.right, _hf(_clip(clean_text(subject), 60))),
        (ws.oddFooter.left, _hf(_("Generated {time}").format(
            time=_local_time(data.generated_at)))),
        (ws.oddFooter.center, _("Page &P of &N")),
    )
    for part, text in parts:
        part.text = text.replace("\n", " ")
        part.size = 8
        part.font = font


def _heading_lines(ws: Worksheet, data: ReportData, first_row: int, last_col: int,
                   widths: list[float]) -> int:
    """Batch, scheme and method lines under a title; returns the next free row."""
    scheme = data.scheme
    agg = scheme.aggregation
    lines = (
        _("Evaluation batch: {name} ({id})").format(name=clean_text(data.batch.name),
                                                     id=data.batch.id),
        _("Scheme: {name}, version {version}").format(name=clean_text(scheme.display),
                                                      version=scheme.version),
        _("Final score: {method}, rounded half-up to {decimals} decimals; generated "
          "{time}").format(method=method_name(agg.method), decimals=agg.decimals,
                           time=_local_time(data.generated_at)),
    )
    row = first_row
    for text in lines:
        _line(ws, row, last_col, text, widths)
        row += 1
    return row


# == 汇总 ====================================================================================
def _summary_sheet(ws: Worksheet, data: ReportData) -> None:
    scheme = data.scheme
    figures = _Figures(scheme.aggregation.decimals)
    dims = scheme.dimensions
    headers = [_("Rank"), _("Centre ID"), _("Centre name"), _("Level"), _("Disease field"),
               _("Complete sheets"), _("Final score"), *[d.display for d in dims], _("Grade"),
               _("Flags")]
    widths = [6.0, 9.0, 38.0, 16.0, 14.0, 8.0, 9.0, *[9.0] * len(dims), 8.0, 20.0]
    for i, d in enumerate(dims):   # a long (English) name gets a wider column
        widths[7 + i] = min(max(9.0, _width_units(d.display, 10) / 2 + 2), 14.0)
    last_col = len(headers)
    col_final, col_grade, col_flags = 7, 8 + len(dims), 9 + len(dims)
    _set_widths(ws, widths)

    _title_row(ws, 1, last_col, _("{batch}: consolidated results").format(
        batch=clean_text(data.batch.name)))
    row = _heading_lines(ws, data, 2, last_col, widths)
    ws.row_dimensions[row].height = 6
    header_row = row + 1
    for col, text in enumerate(headers, start=1):
        _header(ws, header_row, col, text)
    ws.row_dimensions[header_row].height = _height(
        *((text, widths[i]) for i, text in enumerate(headers)), minimum=22)

    row = header_row + 1
    occurring: list[str] = []
    for result in _ordered(data):
        centre = data.centres.get(result.centre)
        name = clean_text(centre.name) if centre else ""
        level, field = _level(centre), _field(centre)
        flags = _flags(data, result)
        occurring += [f for f in flags if f not in occurring]
        flag_labels = _sep().join(flag_label(f) for f in flags)
        _number(ws, row, 1, result.rank, "0")
        _text(ws, row, 2, result.centre, horizontal="center")
        _text(ws, row, 3, name)
        _text(ws, row, 4, level, horizontal="center")
        _text(ws, row, 5, field, horizontal="center")
        _number(ws, row, 6, result.experts, "0")
        _number(ws, row, col_final, figures.value(result.final), figures.number_format,
                bold=True)
        for i, d in enumerate(dims):
            _number(ws, row, 8 + i, figures.value(result.dimensions.get(d.id)),
                    figures.number_format)
        _text(ws, row, col_grade, result.grade.display if result.grade else "",
              horizontal="center", bold=True)
        _text(ws, row, col_flags, flag_labels)
        ws.row_dimensions[row].height = _height(
            (result.centre, widths[1]), _fits(name, widths[2]), (level, widths[3]),
            (field, widths[4]), _fits(flag_labels, widths[col_flags - 1]), minimum=22)
        row += 1
    if not data.result.centres:
        _merge_text(ws, row, 1, last_col, _("none"), align=_align("center"))
        row += 1

    # -- what the figures mean ---------------------------------------------------------------
    row += 1
    ws.row_dimensions[row - 1].height = 8
    _line(ws, row, last_col, _("Notes"), widths, bold=True, size=_NOTE_FONT_SIZE)
    row += 1
    notes = _method_notes(scheme) + [_flag_note(f, scheme) for f in sorted(occurring)]
    for text in notes:
        _line(ws, row, last_col, text, widths, size=_NOTE_FONT_SIZE)
        row += 1

    # -- signature -----------------------------------------------------------------------------
    ws.row_dimensions[row].height = 14
    row += 1
    _line(ws, row, 5, _colon(_("Panel leader (signature)")), widths)
    _line(ws, row, last_col, _colon(_("Date")), widths, first_col=col_final)
    ws.row_dimensions[row].height = 30
    last_row = row

    ws.freeze_panes = ws.cell(header_row + 1, 4)
    _page_setup(ws, data, landscape=True, title_rows=f"{header_row}:{header_row}",
                last_row=last_row, widths=widths, subject=_("Consolidated results"))


def _method_notes(scheme: Scheme) -> list[str]:
    agg = scheme.aggregation
    return [final_score_rule(scheme),
            _("Dimension scores are computed by the same method, each on its own, so they "
              "need not add up to the final score."),
            _("A centre with fewer than {n} complete sheets gets no final score, grade or "
              "rank; incomplete sheets are not counted.").format(n=agg.min_experts)]


# == 方法比较 =================================================================================
def _methods_sheet(ws: Worksheet, data: ReportData) -> None:
    scheme = data.scheme
    own = scheme.aggregation.method
    methods = [own, *[m for m in METHODS if m != own]]
    widths = [6.0, 9.0, 36.0, *[9.0, 8.0] * len(methods), 9.0]
    last_col = len(widths)
    col_marker = last_col
    _set_widths(ws, widths)
    figures_format = _Figures(scheme.aggregation.decimals).number_format

    _title_row(ws, 1, last_col, _("Final score and grade under each aggregation method"),
               size=14)
    row = _heading_lines(ws, data, 2, last_col, widths)
    ws.row_dimensions[row].height = 6
    top = row + 1
    sub = top + 1
    for col, text in ((1, _("Rank")), (2, _("Centre ID")), (3, _("Centre name")),
                      (col_marker, flag_label(METHOD_SENSITIVE))):
        _merge_text(ws, top, col, col, text, font=_font(bold=True), align=_align("center"),
                    fill=_HEADER_FILL, last_row=sub)
    group_texts = []
    for index, method in enumerate(methods):
        first = 4 + 2 * index
        text = method_name(method)
        if method == own:
            text = _("{method} (this scheme)").format(method=text)
        group_texts.append((text, widths[first - 1] + widths[first]))
        _header(ws, top, first, text, first + 1)
        _header(ws, sub, first, _("Final score"))
        _header(ws, sub, first + 1, _("Grade"))
    ws.row_dimensions[top].height = _height(*group_texts, minimum=20)
    ws.row_dimensions[sub].height = 20

    row = sub + 1
    for result in _ordered(data):
        centre = data.centres.get(result.centre)
        name = clean_text(centre.name) if centre else ""
        _number(ws, row, 1, result.rank, "0")
        _text(ws, row, 2, result.centre, horizontal="center")
        _text(ws, row, 3, name)
        by_method = data.sensitivity.get(result.centre, {})
        for index, method in enumerate(methods):
            figure = by_method.get(method)
            final = Decimal(figure.final) if figure and figure.final else None
            _number(ws, row, 4 + 2 * index, final, figures_format, bold=method == own)
            _text(ws, row, 5 + 2 * index,
                  _grade_display(scheme, figure.grade if figure else None),
                  horizontal="center", bold=method == own)
        sensitive = result.centre in data.method_sensitive
        _text(ws, row, col_marker, _("yes") if sensitive else "", horizontal="center",
              bold=True)
        ws.row_dimensions[row].height = _height(_fits(name, widths[2]), minimum=22)
        row += 1
    if not data.result.centres:
        _merge_text(ws, row, 1, last_col, _("none"), align=_align("center"))
        row += 1

    ws.row_dimensions[row].height = 8
    row += 1
    _line(ws, row, last_col, _("Notes"), widths, bold=True, size=_NOTE_FONT_SIZE)
    row += 1
    for text in (_("The grade shown for the scheme's method is the one in the summary; the "
                   "other methods are computed only to check how much the result depends on "
                   "the method."),
                 _flag_note(METHOD_SENSITIVE, scheme)):
        _line(ws, row, last_col, text, widths, size=_NOTE_FONT_SIZE)
        row += 1
    last_row = row - 1

    ws.freeze_panes = ws.cell(sub + 1, 4)
    _page_setup(ws, data, landscape=False, title_rows=f"{top}:{sub}", last_row=last_row,
                widths=widths, subject=_("Method comparison"))


# == one sheet per centre ======================================================================
def _score_places(scheme: Scheme) -> int:
    """Decimals an indicator score can have (0.5 steps: 1), so the matrix reads 5.5, 6.0."""
    places = 0
    for ind in scheme.indicators:
        exponent = ind.step.normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            places = max(places, -exponent)
        if ind.automatic:
            places = max(places, scheme.aggregation.decimals)
    return places


def _centre_sheet(ws: Worksheet, data: ReportData, result: CentreResult) -> None:
    scheme = data.scheme
    figures = _Figures(scheme.aggregation.decimals)
    places = _score_places(scheme)
    score_format = "0." + "0" * places if places else "0"
    centre = data.centres.get(result.centre)
    experts = sorted(result.expert_totals)
    matrix = data.matrix.get(result.centre, {})

    col_dim, col_ind, col_max, first_exp = 1, 2, 3, 4
    n_cols = max(len(experts), 1)
    col_gap = first_exp + n_cols
    col_label, col_value = col_gap + 1, col_gap + 2
    last_col = col_value
    # column A grows (to 16) for a long word, so "Construction" does not break mid-word
    longest = max((_width_units(word, 10) * 1.1 + 1.5 for d in scheme.dimensions
                   for word in clean_text(d.display).split()), default=0.0)
    widths = [min(max(10.0, float(math.ceil(longest))), 16.0), 30.0, 6.0, *[9.0] * n_cols,
              2.0, 16.0, 28.0]
    _set_widths(ws, widths)

    name = clean_text(centre.name) if centre else ""
    _title_row(ws, 1, last_col, _("Scores of {centre}").format(
        centre=f"{result.centre} {name}".strip()), size=14)
    about = _("Level: {level}; disease field: {field}; host institution: {host}").format(
        level=_level(centre), field=_field(centre),
        host=clean_text(centre.host) if centre else "")
    _line(ws, 2, last_col, about, widths)
    ws.row_dimensions[3].height = 6
    header_row = 4

    # -- matrix header ----------------------------------------------------------------------
    _header(ws, header_row, col_dim, _("Dimension"))
    _header(ws, header_row, col_ind, _("Indicator"))
    _header(ws, header_row, col_max, _("Max points"))
    header_texts = []
    for i, expert_id in enumerate(experts):
        expert = data.experts.get(expert_id)
        text = f"{clean_text(expert.name)}\n{expert_id}" if expert else expert_id
        header_texts.append((text, widths[first_exp - 1 + i]))
        _header(ws, header_row, first_exp + i, text)
    if not experts:
        _header(ws, header_row, first_exp, _("Expert"))
    _header(ws, header_row, col_label, _("Result"), col_value)
    ws.row_dimensions[header_row].height = _height(*header_texts, minimum=30)

    # -- indicator rows, dimension subtotals, the total ---------------------------------------
    rows: list[int] = []
    row = header_row + 1
    for dim in scheme.dimensions:
        indicators = scheme.indicators_of(dim.id)
        auto = [i for i in indicators if i.automatic]
        first = row
        for ind in indicators:
            label = f"{ind.id} {clean_text(ind.display)}"
            _text(ws, row, col_ind, label)
            _text(ws, row, col_max, plain(ind.max), horizontal="center")
            for i, expert_id in enumerate(experts):
                value = _matrix_value(result, matrix, expert_id, dim.id, ind, indicators, auto)
                _number(ws, row, first_exp + i, value, score_format)
            if not experts:
                _text(ws, row, first_exp, "")
            ws.row_dimensions[row].height = _height(_fits(label, widths[1]), minimum=18)
            rows.append(row)
            row += 1
        sub_label = _("{dimension} subtotal").format(dimension=clean_text(dim.display))
        _text(ws, row, col_ind, sub_label, bold=True, horizontal="center", fill=_LABEL_FILL)
        max_sum = sum((i.max for i in indicators), Decimal(0))
        _text(ws, row, col_max, plain(max_sum), bold=True, horizontal="center",
              fill=_LABEL_FILL)
        for i, expert_id in enumerate(experts):
            subtotal = result.dimension_totals.get(expert_id, {}).get(dim.id)
            _number(ws, row, first_exp + i, figures.value(subtotal), figures.number_format,
                    bold=True, fill=_LABEL_FILL)
        if not experts:
            _text(ws, row, first_exp, "", fill=_LABEL_FILL)
        ws.row_dimensions[row].height = _height((sub_label, widths[1]), minimum=18)
        rows.append(row)
        _merge_text(ws, first, col_dim, col_dim, clean_text(dim.display), last_row=row,
                    font=_font(bold=True), align=_align("center"))
        row += 1
    total_row = row
    _merge_text(ws, total_row, col_dim, col_ind, _("Expert total"), font=_font(bold=True),
                align=_align("center"), fill=_TOTAL_FILL)
    _text(ws, total_row, col_max, plain(scheme.total), bold=True, horizontal="center",
          fill=_TOTAL_FILL)
    for i, expert_id in enumerate(experts):
        _number(ws, total_row, first_exp + i, figures.value(result.expert_totals[expert_id]),
                figures.number_format, bold=True, fill=_TOTAL_FILL)
    if not experts:
        _text(ws, total_row, first_exp, "", fill=_TOTAL_FILL)
    ws.row_dimensions[total_row].height = 20
    rows.append(total_row)

    # -- the centre's result on the right ---------------------------------------------------
    _result_panel(ws, data, result, rows, col_label, widths, figures)

    # -- notes under the matrix ---------------------------------------------------------------
    row = max(rows) + 1
    ws.row_dimensions[row].height = 6
    row += 1
    notes = []
    if not experts:
        notes.append(_("No complete scoresheet for this centre yet."))
    if result.incomplete_experts:
        notes.append(_("Incomplete scoresheets, not counted: {sheets}.").format(
            sheets=_sep().join(_incomplete(data, result, matrix))))
    if any(i.automatic for i in scheme.indicators):
        notes.append(_("Indicators scored automatically from the reported metrics count the "
                       "same points for every expert."))
    notes.append(_("Dimension scores are computed by the same method, each on its own, so "
                   "they need not add up to the final score."))
    for text in notes:
        _line(ws, row, last_col, text, widths, size=_NOTE_FONT_SIZE)
        row += 1
    last_row = row - 1

    ws.freeze_panes = ws.cell(header_row + 1, first_exp)
    _page_setup(ws, data, landscape=True, title_rows=f"{header_row}:{header_row}",
                last_row=last_row, widths=widths, subject=f"{result.centre} {name}".strip())


def _incomplete(data: ReportData, result: CentreResult, matrix: dict[str, dict[str, str]]
                ) -> list[str]:
    """Each incomplete sheet as 'name (id): k of n indicators scored'."""
    expert_indicators = [i.id for i in data.scheme.expert_indicators]
    parts = []
    for expert_id in result.incomplete_experts:
        expert = data.experts.get(expert_id)
        if expert is None:
            who = expert_id
        elif is_chinese():
            who = f"{clean_text(expert.name)}（{expert_id}）"
        else:
            who = f"{clean_text(expert.name)} ({expert_id})"
        scored = sum(1 for i in expert_indicators
                     if (matrix.get(expert_id, {}).get(i) or "").strip())
        parts.append(_("{expert}: {scored} of {total} indicators scored").format(
            expert=who, scored=scored, total=len(expert_indicators)))
    return parts


def _matrix_value(result: CentreResult, matrix: dict[str, dict[str, str]], expert_id: str,
                  dimension: str, ind: Indicator, indicators: tuple[Indicator, ...],
                  auto: list[Indicator]) -> Decimal | None:
    """An expert's points for one indicator as a number.

    Automatic points are not in the matrix (experts do not score them); with one automatic
    indicator in a dimension they are the dimension subtotal less the expert's own scores.
    """
    sheet = matrix.get(expert_id, {})

    def score(indicator_id: str) -> Decimal | None:
        text = (sheet.get(indicator_id) or "").strip()
        try:
            return Decimal(text) if text else None
        except ArithmeticError:
            return None

    if not ind.automatic:
        return score(ind.id)
    subtotal = result.dimension_totals.get(expert_id, {}).get(dimension)
    if len(auto) != 1 or subtotal is None:
        return None
    return subtotal - sum((score(i.id) or Decimal(0) for i in indicators if not i.automatic),
                          Decimal(0))


def _centre_method(scheme: Scheme, result: CentreResult) -> str:
    """The method that made this centre's final score: a trimmed mean over too few complete
    sheets is the plain mean (GRADING.md)."""
    agg = scheme.aggregation
    if agg.method == "trimmed_mean" and result.final is not None \
            and result.experts < agg.trim_min_experts:
        return _("{method} (fewer than {n} complete sheets)").format(
            method=method_name("mean"), n=agg.trim_min_experts)
    return method_name(agg.method)


def _result_panel(ws: Worksheet, data: ReportData, result: CentreResult, rows: list[int],
                  col_label: int, widths: list[float], figures: _Figures) -> None:
    """Final score, grade, rank, dimension scores, flags and vetoes beside the matrix."""
    scheme = data.scheme
    col_value = col_label + 1
    label_width, value_width = widths[col_label - 1], widths[col_value - 1]
    # (label, value, bold, heading): a heading spans both columns
    entries: list[tuple[str, object, bool, bool]] = [
        (_("Final score"), figures.value(result.final), True, False),
        (_("Grade"), result.grade.display if result.grade else "", True, False),
        (_("Rank"), result.rank, True, False),
        (_("Complete sheets"), result.experts, False, False),
        (_("Aggregation method"), _centre_method(scheme, result), False, False),
        (_("Dimension scores"), None, True, True),
        *[(clean_text(d.display), figures.value(result.dimensions.get(d.id)), False, False)
          for d in scheme.dimensions],
    ]
    flags = _flags(data, result)
    entries.append((_("Flags"), "\n".join(_flag_note(f, scheme) for f in flags) or _("none"),
                    False, False))
    vetoes = data.vetoes.get(result.centre, [])
    if vetoes or scheme.vetoes:
        lines = []
        for veto_id, reason in vetoes:
            veto = scheme.veto(veto_id)
            what = f"{veto_id} {clean_text(veto.display)}" if veto else veto_id
            lines.append(_("{veto}: {reason}").format(veto=what, reason=clean_text(reason))
                         if reason else what)
        entries.append((_("Vetoes"), "\n".join(lines) or _("none"), False, False))

    while len(rows) < len(entries):   # a tiny scheme: the panel runs on below the matrix
        rows.append(rows[-1] + 1)
    for row, (label, value, bold, heading) in zip(rows, entries, strict=False):
        if heading:
            _merge_text(ws, row, col_label, col_value, label, font=_font(bold=True),
                        align=_align("center"), fill=_LABEL_FILL)
            continue
        _text(ws, row, col_label, label, bold=True, horizontal="center", fill=_LABEL_FILL)
        if isinstance(value, str):
            size = _NOTE_FONT_SIZE if "\n" in value or len(value) > 12 else 10
            _text(ws, row, col_value, value, bold=bold, size=size)
            need = _height((label, label_width), _fits(value, value_width, size), minimum=18)
        else:
            cell = _number(ws, row, col_value, value,
                           "0" if isinstance(value, int) else figures.number_format, bold=bold)
            cell.alignment = _left()
            need = _height((label, label_width), minimum=18)
        ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or _DEFAULT_ROW, need)


# == 合并记录 ==================================================================================
def _merge_sheet(ws: Worksheet, data: ReportData) -> None:
    headers = [_("No."), _("File"), _("Outcome"), _("Reason"), _("Expert"), _("Centre"),
               _("Revision")]
    widths = [5.0, 28.0, 15.0, 34.0, 13.0, 8.0, 9.0]
    last_col = len(widths)
    _set_widths(ws, widths)
    _title_row(ws, 1, last_col, _("Record of merged scoresheets"), size=14)
    _line(ws, 2, last_col, _("Evaluation batch: {name} ({id})").format(
        name=clean_text(data.batch.name), id=data.batch.id), widths)
    ws.row_dimensions[3].height = 6
    header_row = 4
    for col, text in enumerate(headers, start=1):
        _header(ws, header_row, col, text)
    ws.row_dimensions[header_row].height = _height(
        *((text, widths[i]) for i, text in enumerate(headers)), minimum=22)
    row = header_row + 1
    for index, item in enumerate(data.merge_rows, start=1):
        _merge_row(ws, row, index, item, data, widths)
        row += 1
    if not data.merge_rows:
        _merge_text(ws, row, 1, last_col, _("none"), align=_align("center"))
        row += 1
    counts: dict[str, int] = {}
    for item in data.merge_rows:
        counts[item.outcome] = counts.get(item.outcome, 0) + 1
    if counts:
        ws.row_dimensions[row].height = 8
        row += 1
        summary = _sep().join(_("{outcome}: {n}").format(outcome=outcome_name(o), n=n)
                              for o, n in counts.items())
        _line(ws, row, last_col, summary, widths, size=_NOTE_FONT_SIZE)
        row += 1
    last_row = row - 1
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    _page_setup(ws, data, landscape=False, title_rows=f"{header_row}:{header_row}",
                last_row=last_row, widths=widths, subject=_("Merge record"))


def _merge_row(ws: Worksheet, row: int, index: int, item: MergeRow, data: ReportData,
               widths: list[float]) -> None:
    expert = data.experts.get(item.expert_id) if item.expert_id else None
    who = f"{item.expert_id} {clean_text(expert.name)}" if expert else item.expert_id
    outcome = outcome_name(item.outcome)
    file = clean_text(item.file)
    reason = clean_text(item.reason)
    _number(ws, row, 1, index, "0")
    _text(ws, row, 2, file)
    _text(ws, row, 3, outcome, horizontal="center", bold=item.outcome in ("conflict", "refused"))
    _text(ws, row, 4, reason)
    _text(ws, row, 5, who, horizontal="center")
    _text(ws, row, 6, item.centre_id, horizontal="center")
    _number(ws, row, 7, item.revision, "0")
    ws.row_dimensions[row].height = _height(
        _fits(file, widths[1]), (outcome, widths[2]), _fits(reason, widths[3]),
        (who, widths[4]), (item.centre_id, widths[5]), minimum=20)
