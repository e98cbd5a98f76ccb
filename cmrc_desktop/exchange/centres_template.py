"""The centres template: an Excel file the secretary sends to centres and reads back.

Centres (and the people who fill in their forms) live in Excel, so the template is the
way centres, their networks and their reported metrics enter a workspace. It is written
with openpyxl and read with python-calamine; reading is all-or-nothing: one bad cell
anywhere means nothing is imported, and the error lists every bad cell (sheet, row as
Excel shows it, column header, value) so the secretary can fix the file in one pass
instead of one error per attempt.

Layout (the reader accepts exactly what the writer produces):

* sheet ``中心``: row 1 Chinese headers, row 2 English headers (optional on reading),
  one centre per row from row 3; the fixed columns of :data:`COLUMNS`, then one column
  per catalogue metric, headed by the metric's Chinese name (with its unit);
* sheet ``填写说明``: instructions; cell B3, right of the label ``填报期间`` in A3, holds
  the period the metric values belong to;
* hidden sheet ``lists``: the drop-down lists (levels, fields, specialties) the data
  validations point to — a list literal longer than 255 characters breaks Excel.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineError

from cmrc_desktop.domain.catalog import Catalog, Field, Level, Metric
from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.workspace import Centre, MemberRole, MetricValue, NetworkMember
from cmrc_desktop.exchange.xlsx_safety import (
    atomic_save,
    cell_decimal,
    cell_text,
    is_blank,
    open_xlsx,
    set_text,
)
from cmrc_desktop.i18n import _, ngettext

SHEET_CENTRES = "中心"
SHEET_HELP = "填写说明"
SHEET_LISTS = "lists"
HEADER_ROW = 1
ENGLISH_ROW = 2
FIRST_DATA_ROW = 3
PERIOD_LABEL = "填报期间"
PERIOD_CELL = "B3"  # on SHEET_HELP, right of PERIOD_LABEL in A3

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$", re.ASCII)
# Institutions in one cell: separated by a semicolon (full- or half-width) or a line break.
MEMBER_SEPARATORS = re.compile(r"[;；\r\n]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$", re.ASCII)
# How far down the reader looks for the header row, in case someone added a title above it.
_HEADER_SEARCH_ROWS = 10
_MAX_SHOWN_VALUE = 80

_SEPARATOR_HELP = "多个单位之间用分号（；或 ;）或单元格内换行（Alt+Enter）分隔；重复的单位只记一次。"


@dataclass(frozen=True)
class _Column:
    key: str
    zh: str
    en: str
    width: float
    required: bool = False
    help: str = ""


COLUMNS: tuple[_Column, ...] = (
    _Column("id", "中心编号", "Centre ID", 12, True,
            "1–32 位英文字母、数字、下划线（_）或连字符（-），如 C001；同一文件内不得重复。"),
    _Column("name", "中心名称", "Centre name", 32, True, "中心全称。"),
    _Column("level", "中心级别", "Level", 28, True, "从下拉列表中选择。"),
    _Column("field", "疾病领域", "Disease field", 22, True,
            "从下拉列表中选择（28 个疾病领域之一）。"),
    _Column("sub_field", "临床专科", "Clinical specialty", 18, False,
            "疾病领域下设临床专科的（如感染性疾病、中医），从下拉列表中选择该领域的专科或留空；"
            "其他疾病领域可留空或填写专科名称。"),
    _Column("host", "依托单位", "Host institution", 30, True, "依托（牵头）单位全称。"),
    _Column("province", "省份", "Province", 10, False, "如：山东省。"),
    _Column("city", "城市", "City", 10, False, "如：济南市。"),
    _Column("director", "中心主任", "Director", 12, False, "中心主任姓名。"),
    _Column("start_date", "建设起始日期", "Construction start date", 16, False,
            "格式为 YYYY-MM-DD，如 2021-03-01。"),
    _Column("core", "核心成员单位", "Core member institutions", 36, False, _SEPARATOR_HELP),
    _Column("member", "网络成员单位", "Network member institutions", 36, False, _SEPARATOR_HELP),
    _Column("promotion", "推广网络成员单位", "Promotion-network member institutions", 36, False,
            _SEPARATOR_HELP),
)
_COLUMN = {c.key: c for c in COLUMNS}
_MEMBER_COLUMNS = (("core", MemberRole.CORE), ("member", MemberRole.MEMBER),
                   ("promotion", MemberRole.PROMOTION))
_METRIC_WIDTH = 16


def metric_header(metric: Metric) -> str:
    """The Chinese header of a metric column: its name, with the unit when the name lacks it."""
    if metric.unit and metric.unit not in metric.name:
        return f"{metric.name}（{metric.unit}）"
    return metric.name


# --------------------------------------------------------------------------- errors


class TemplateProblem(InputError):
    """One bad cell (or missing header) of a centres template, located as Excel shows it."""

    def __init__(
        self,
        message: str,
        *,
        file: str,
        sheet: str,
        row: int | None,
        column: str = "",
        value: Any = None,
    ) -> None:
        super().__init__(message, file=file, line=row, field=column or None)
        self.sheet = sheet
        self.row = row
        self.column = column
        self.value = value

    def where(self) -> str:
        place = self.sheet
        if self.row is not None:
            place = _("{sheet} row {row}").format(sheet=self.sheet, row=self.row)
        if self.column:
            place = f"{place}, {self.column}"
        return f"{self.file}: {place}" if self.file else place


class TemplateProblems(InputError):
    """Every problem found in a centres template; raised instead of importing any of it.

    ``str()`` gives one line per problem, ready for a message box or the terminal.
    """

    def __init__(self, problems: Sequence[InputError], *, file: str) -> None:
        count = len(problems)
        super().__init__(
            ngettext(
                "{n} problem in the file; nothing was imported",
                "{n} problems in the file; nothing was imported",
                count,
            ).format(n=count),
            file=file,
        )
        self.problems: list[InputError] = list(problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


@dataclass(frozen=True)
class CentresImport:
    """What a filled-in template holds: centres with their networks, and reported metrics."""

    centres: list[Centre] = field(default_factory=list)
    metrics: list[MetricValue] = field(default_factory=list)
    period: str = ""


# --------------------------------------------------------------------------- writing


def write_centres_template(path: str | os.PathLike[str], catalog: Catalog, *, period: str) -> None:
    """Write an empty centres template for ``period`` (e.g. ``"2024"``) to ``path``."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    period = (period or "").strip()
    if not period:
        raise InputError(_("the period of the template must not be empty"))

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_CENTRES
    help_ws = wb.create_sheet(SHEET_HELP)
    lists_ws = wb.create_sheet(SHEET_LISTS)
    wb.properties.title = f"临床医学研究中心信息与指标数据（{period}）"
    wb.properties.creator = "CMRC Desktop"

    thin = Side(style="thin", color="A6A6A6")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_font = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="F8CBAD")
    optional_fill = PatternFill("solid", fgColor="DDEBF7")
    metric_fill = PatternFill("solid", fgColor="E2EFDA")
    english_font = Font(italic=True, color="595959", size=9)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrapped = Alignment(vertical="top", wrap_text=True)

    # -- hidden lists the drop-downs point to
    lists_ws.sheet_state = "hidden"
    for col, title in enumerate(("中心级别", "疾病领域", "临床专科", "临床专科所属疾病领域"), 1):
        set_text(lists_ws.cell(1, col), title)
    for row, level in enumerate(catalog.levels, 2):
        set_text(lists_ws.cell(row, 1), level.name)
    for row, fld in enumerate(catalog.fields, 2):
        set_text(lists_ws.cell(row, 2), fld.name)
    subs = [(sub, fld.name) for fld in catalog.fields for sub in fld.subs]
    for row, (sub, owner) in enumerate(subs, 2):
        set_text(lists_ws.cell(row, 3), sub)
        set_text(lists_ws.cell(row, 4), owner)

    # -- the centres sheet: headers
    headers: list[tuple[str, str, PatternFill, float]] = [
        (c.zh, c.en, required_fill if c.required else optional_fill, c.width) for c in COLUMNS
    ]
    headers += [(metric_header(m), m.name_en, metric_fill, _METRIC_WIDTH) for m in catalog.metrics]
    for col, (zh, en, fill, width) in enumerate(headers, 1):
        top = ws.cell(HEADER_ROW, col)
        set_text(top, zh)
        top.font, top.fill, top.alignment, top.border = header_font, fill, centred, border
        below = ws.cell(ENGLISH_ROW, col)
        set_text(below, en)
        below.font, below.fill, below.alignment, below.border = english_font, fill, centred, border
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = width
        # Styles of the empty column: text columns stay text ("001" stays 001, a date typed
        # as 2021-03-01 is not re-formatted), and long lists of institutions wrap.
        dim = ws.column_dimensions[letter]
        dim.alignment = wrapped
        if col <= len(COLUMNS):
            dim.number_format = "@"
    ws.row_dimensions[HEADER_ROW].height = 48
    ws.row_dimensions[ENGLISH_ROW].height = 30
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 3).coordinate  # headers, id and name stay visible
    ws.print_title_rows = f"{HEADER_ROW}:{ENGLISH_ROW}"
    ws.page_setup.orientation = "landscape"
    required_names = "、".join(c.zh for c in COLUMNS if c.required)
    ws.cell(HEADER_ROW, 1).comment = Comment(
        f"从第 {FIRST_DATA_ROW} 行起每个中心填写一行。橙色列为必填项（{required_names}）；"
        f"绿色列为 {period} 年度（期间）的指标数据。详见“{SHEET_HELP}”工作表。",
        "CMRC Desktop", width=320, height=110,
    )

    def column_range(key: str) -> str:
        letter = get_column_letter(list(_COLUMN).index(key) + 1)
        return f"{letter}{FIRST_DATA_ROW}:{letter}1048576"

    def add(dv: DataValidation, *sqrefs: str) -> None:
        for sqref in sqrefs:
            dv.add(sqref)
        ws.add_data_validation(dv)

    add(DataValidation(type="list", formula1=f"{SHEET_LISTS}!$A$2:$A${len(catalog.levels) + 1}",
                       allow_blank=True, showErrorMessage=True, errorTitle="中心级别",
                       error="请从下拉列表中选择中心级别。", showInputMessage=True,
                       promptTitle="中心级别", prompt="请从下拉列表中选择。"),
        column_range("level"))
    add(DataValidation(type="list", formula1=f"{SHEET_LISTS}!$B$2:$B${len(catalog.fields) + 1}",
                       allow_blank=True, showErrorMessage=True, errorTitle="疾病领域",
                       error="请从下拉列表中选择疾病领域。", showInputMessage=True,
                       promptTitle="疾病领域", prompt="请从下拉列表中选择。"),
        column_range("field"))
    if subs:
        # A warning, not a stop: fields without specialties may name one freely.
        add(DataValidation(type="list", formula1=f"{SHEET_LISTS}!$C$2:$C${len(subs) + 1}",
                           allow_blank=True, showErrorMessage=True, errorStyle="warning",
                           errorTitle="临床专科",
                           error="该专科不在目录中。疾病领域下设临床专科的，只能选择该领域的专科。",
                           showInputMessage=True, promptTitle="临床专科",
                           prompt="疾病领域下设专科的请选择该领域的专科，否则可留空。"),
            column_range("sub_field"))
    add(DataValidation(showInputMessage=True, promptTitle="建设起始日期",
                       prompt="格式 YYYY-MM-DD，如 2021-03-01。"),
        column_range("start_date"))
    add(DataValidation(showInputMessage=True, promptTitle="成员单位",
                       prompt="多个单位用分号（；）或 Alt+Enter 换行分隔。"),
        *(column_range(k) for k, _role in _MEMBER_COLUMNS))
    add(DataValidation(showInputMessage=True, promptTitle="中心编号",
                       prompt="字母、数字、_ 或 -，最长 32 位，如 C001；不得重复。"),
        column_range("id"))
    if catalog.metrics:
        first = get_column_letter(len(COLUMNS) + 1)
        last = get_column_letter(len(COLUMNS) + len(catalog.metrics))
        add(DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                           allow_blank=True, showErrorMessage=True, errorStyle="warning",
                           errorTitle="指标数据", error="请只填写不带单位的非负数字，未填报的留空。",
                           showInputMessage=True, promptTitle=f"{period} 指标数据",
                           prompt="非负数字（如 12 或 12.5），不带单位；未填报的留空。"),
            f"{first}{FIRST_DATA_ROW}:{last}1048576")

    _write_help(help_ws, catalog, period)
    wb.active = 0
    atomic_save(wb, path)


def _write_help(ws: Any, catalog: Catalog, period: str) -> None:
    """The 填写说明 sheet: the period cell the reader uses, the rules, and every column."""
    from openpyxl.styles import Alignment, Font, PatternFill

    wrapped = Alignment(vertical="top", wrap_text=True)
    bold = Font(bold=True)
    for letter, width in zip("ABCD", (24, 34, 8, 90), strict=True):
        ws.column_dimensions[letter].width = width

    set_text(ws["A1"], "临床医学研究中心基本信息与指标数据填报模板 — 填写说明")
    ws["A1"].font = Font(bold=True, size=14)
    set_text(ws["A2"], "Clinical research centres: details and reported metrics — instructions")
    ws["A2"].font = Font(italic=True, color="595959")
    set_text(ws["A3"], PERIOD_LABEL)
    ws["A3"].font = bold
    set_text(ws[PERIOD_CELL], period)
    ws[PERIOD_CELL].font = Font(bold=True, size=12)
    ws[PERIOD_CELL].fill = PatternFill("solid", fgColor="FFF2CC")
    set_text(ws["C3"], "← Period")
    set_text(ws["D3"], f"“{SHEET_CENTRES}”表中的指标数据均为该期间（{period}）的数据。")

    rules = (
        f"在“{SHEET_CENTRES}”工作表中每个中心填写一行，从第 {FIRST_DATA_ROW} 行开始。"
        f"第 {HEADER_ROW} 行为中文列名、第 {ENGLISH_ROW} 行为英文列名，请勿修改、删除或移动列名，"
        "也不要修改工作表名称。",
        "橙色列为必填项：" + "、".join(c.zh for c in COLUMNS if c.required)
        + "；蓝色列选填；绿色列为指标数据。",
        "中心级别、疾病领域请从下拉列表中选择；临床专科仅在该疾病领域下设专科时从下拉列表中选择，可留空。",
        "建设起始日期的格式为 YYYY-MM-DD（年-月-日），如 2021-03-01。",
        "核心成员单位、网络成员单位、推广网络成员单位：" + _SEPARATOR_HELP,
        f"指标数据为 {period} 期间的数据，只填写不带单位的非负数字（如 12 或 12.5）；"
        "不要填写负数、千位分隔符、百分号、文字或公式。未统计或不适用的请留空"
        "（留空表示未填报，不等于 0）。",
        "整行为空的行会被忽略。",
        "导入时逐格检查：任何一处不符合要求，整个文件都不会导入，并列出所有问题所在的工作表、"
        "行号、列名和内容，请一并修改后重新导入。",
        "请以 Excel 工作簿（.xlsx）格式保存，不要另存为 CSV 或 .xls。",
    )
    row = 5
    set_text(ws.cell(row, 1), "填写要求")
    ws.cell(row, 1).font = bold
    for number, text in enumerate(rules, 1):
        row += 1
        set_text(ws.cell(row, 1), f"{number}.")
        ws.cell(row, 1).alignment = Alignment(horizontal="right", vertical="top")
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        set_text(ws.cell(row, 2), text)
        ws.cell(row, 2).alignment = wrapped
        ws.row_dimensions[row].height = 32 if len(text) > 60 else 18

    row += 2
    set_text(ws.cell(row, 1), "各列说明")
    ws.cell(row, 1).font = bold
    row += 1
    for col, title in enumerate(("列名", "English", "必填", "说明"), 1):
        set_text(ws.cell(row, col), title)
        ws.cell(row, col).font = bold
        ws.cell(row, col).fill = PatternFill("solid", fgColor="D9D9D9")
    for column in COLUMNS:
        row += 1
        for col, text in enumerate((column.zh, column.en, "是" if column.required else "否",
                                    column.help), 1):
            set_text(ws.cell(row, col), text)
            ws.cell(row, col).alignment = wrapped
    for metric in catalog.metrics:
        row += 1
        unit = f"单位：{metric.unit}。" if metric.unit else "单位：个（项、次）。"
        texts = (metric_header(metric), metric.name_en, "否",
                 f"{period} 期间的数据。{unit}非负数字，未填报的留空。")
        for col, text in enumerate(texts, 1):
            set_text(ws.cell(row, col), text)
            ws.cell(row, col).alignment = wrapped


# --------------------------------------------------------------------------- reading


def read_centres_template(
    path: str | os.PathLike[str], catalog: Catalog, *, period: str | None = None
) -> CentresImport:
    """Read a filled-in centres template, or raise :class:`TemplateProblems` listing every fault.

    ``period`` overrides the period written in the file (cell B3 of 填写说明).
    Any other unreadable file raises a plain :class:`InputError`.
    """
    name = Path(path).name
    workbook = open_xlsx(path, shown_as=name)
    try:
        sheet_name, rows = _centres_rows(workbook, catalog, name)
        help_rows: list[list[Any]] = []
        if SHEET_HELP in workbook.sheet_names:
            help_rows = workbook.get_sheet_by_name(SHEET_HELP).to_python(skip_empty_area=False)
    except CalamineError:
        raise InputError(
            _("the workbook cannot be read; open it in Excel and save it again as .xlsx"),
            file=name,
        ) from None
    finally:
        workbook.close()
    return _Reader(catalog, name, sheet_name).read(rows, help_rows, period)


def _centres_rows(workbook: Any, catalog: Catalog, name: str) -> tuple[str, list[list[Any]]]:
    """The centres sheet: the one named 中心, else the first whose top rows hold a 中心编号 header."""
    if SHEET_CENTRES in workbook.sheet_names:
        return SHEET_CENTRES, workbook.get_sheet_by_name(SHEET_CENTRES).to_python(
            skip_empty_area=False
        )
    id_keys = {_key(_COLUMN["id"].zh), _key(_COLUMN["id"].en)}
    for sheet_name in workbook.sheet_names:
        rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        if _find_header(rows, id_keys) is not None:
            return sheet_name, rows
    raise InputError(
        _("the workbook has no sheet named '{sheet}' with a '{header}' column; is it the "
          "centres template?").format(sheet=SHEET_CENTRES, header=_COLUMN["id"].zh),
        file=name,
    )


def _key(text: str) -> str:
    """How headers and names are compared: width, spacing, line breaks and case don't matter."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def _find_header(rows: list[list[Any]], id_keys: set[str]) -> int | None:
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if any(_key(cell_text(cell)) in id_keys for cell in row):
            return index
    return None


def _shown(value: Any) -> str:
    text = cell_text(value).replace("\r\n", "\n").replace("\n", "⏎")
    if len(text) > _MAX_SHOWN_VALUE:
        text = text[: _MAX_SHOWN_VALUE - 1] + "…"
    return f"'{text}'"


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class _Reader:
    """One pass over a centres sheet, collecting every problem instead of stopping at one."""

    def __init__(self, catalog: Catalog, file: str, sheet: str) -> None:
        self.catalog = catalog
        self.file = file
        self.sheet = sheet
        self.problems: list[InputError] = []
        self.aliases: dict[str, str] = {}
        for column in COLUMNS:
            for alias in (column.zh, column.en, column.key):
                self.aliases.setdefault(_key(alias), column.key)
        for metric in catalog.metrics:
            for alias in (metric_header(metric), metric.name, metric.name_en, metric.id):
                if alias:
                    self.aliases.setdefault(_key(alias), "metric:" + metric.id)
        self.levels: dict[str, Level] = {}
        for level in catalog.levels:
            for alias in (level.id, level.name, level.name_en):
                if alias:
                    self.levels.setdefault(_key(alias), level)
        self.fields: dict[str, Field] = {}
        for fld in catalog.fields:
            for alias in (fld.name, fld.name_en):
                if alias:
                    self.fields.setdefault(_key(alias), fld)

    def problem(self, message: str, *, row: int | None, column: str = "", value: Any = None,
                sheet: str | None = None) -> None:
        self.problems.append(TemplateProblem(message, file=self.file, sheet=sheet or self.sheet,
                                             row=row, column=column, value=value))

    # -- whole file

    def read(self, rows: list[list[Any]], help_rows: list[list[Any]],
             period: str | None) -> CentresImport:
        id_keys = {k for k, v in self.aliases.items() if v == "id"}
        header_index = _find_header(rows, id_keys)
        header_row_number = (header_index if header_index is not None else 0) + 1
        columns, headers, unknown = self._columns(
            rows[header_index] if header_index is not None else [], header_row_number
        )
        missing = [c for c in COLUMNS if c.required and c.key not in columns]
        for column in missing:
            self.problem(_("the required column is missing (its header must read '{header}')")
                         .format(header=column.zh), row=header_row_number, column=column.zh)
        if missing:
            raise TemplateProblems(self.problems, file=self.file)

        period_text = self._period(help_rows, period)
        start = header_row_number  # index of the row after the header
        if start < len(rows) and _key(cell_text(rows[start][columns["id"]])) in id_keys:
            start += 1  # the English header row
        centres: list[Centre] = []
        metrics: list[MetricValue] = []
        first_row_of_id: dict[str, int] = {}
        stray_reported: set[int] = set()
        for index in range(start, len(rows)):
            cells = rows[index]
            if all(is_blank(c) for c in cells):
                continue
            row_number = index + 1
            for col, cell in enumerate(cells):
                if (col not in headers and col not in unknown and col not in stray_reported
                        and not is_blank(cell)):
                    stray_reported.add(col)
                    self.problem(_("a value in a column that has no header; give the column a "
                                   "template header or delete it"),
                                 row=row_number, column=_("column {letter}").format(
                                     letter=_column_letter(col)), value=cell)
            centre, values = self._row(cells, row_number, columns, headers, first_row_of_id)
            if centre is not None:
                centres.append(centre)
                metrics.extend(
                    MetricValue(centre.id, period_text or "", metric_id, value)
                    for metric_id, value in values
                )
        if metrics and not period_text:
            self.problem(
                _("the period is missing: write it next to '{label}' (cell {cell}), or give it "
                  "when importing").format(label=PERIOD_LABEL, cell=PERIOD_CELL),
                row=None, sheet=SHEET_HELP,
            )
        if self.problems:
            raise TemplateProblems(self.problems, file=self.file)
        return CentresImport(centres=centres, metrics=metrics, period=period_text or "")

    def _columns(self, header: list[Any], row_number: int
                 ) -> tuple[dict[str, int], dict[int, str], set[int]]:
        """Column index by key, header text by index, and indexes of unknown headers."""
        columns: dict[str, int] = {}
        headers: dict[int, str] = {}
        unknown: set[int] = set()
        for index, cell in enumerate(header):
            text = " ".join(cell_text(cell).split())
            if not text:
                continue
            headers[index] = text
            key = self.aliases.get(_key(text))
            if key is None:
                unknown.add(index)
                self.problem(_("'{header}' is not a column of the centres template; rename it to "
                               "a template header or delete the column").format(header=text),
                             row=row_number, column=text)
            elif key in columns:
                self.problem(_("this column appears twice (also column {letter})").format(
                    letter=_column_letter(columns[key])), row=row_number, column=text)
            else:
                columns[key] = index
        return columns, headers, unknown

    def _period(self, help_rows: list[list[Any]], override: str | None) -> str | None:
        if override is not None and override.strip():
            return override.strip()
        labels = {_key(PERIOD_LABEL), _key(PERIOD_LABEL + "：")}
        for cells in help_rows:
            for col, cell in enumerate(cells):
                if _key(cell_text(cell)) in labels:
                    value = cells[col + 1] if col + 1 < len(cells) else ""
                    return None if is_blank(value) else cell_text(value).strip()
        return None

    # -- one centre

    def _row(self, cells: list[Any], row_number: int, columns: dict[str, int],
             headers: dict[int, str], first_row_of_id: dict[str, int]
             ) -> tuple[Centre | None, list[tuple[str, Any]]]:
        before = len(self.problems)

        def raw(key: str) -> Any:
            index = columns.get(key)
            return cells[index] if index is not None and index < len(cells) else ""

        def header(key: str) -> str:
            index = columns.get(key)
            return headers[index] if index is not None else _COLUMN[key].zh

        def text(key: str) -> str:
            return cell_text(raw(key)).strip()

        def required(key: str) -> str:
            value = text(key)
            if not value:
                self.problem(_("required; this cell must not be empty"), row=row_number,
                             column=header(key), value="")
            return value

        centre_id = unicodedata.normalize("NFKC", required("id")).strip()
        if centre_id:
            if not ID_PATTERN.match(centre_id):
                self.problem(_("'{value}' is not a valid centre id (1–32 letters, digits, '_' or "
                               "'-', e.g. C001)").format(value=_shown(raw("id")).strip("'")),
                             row=row_number, column=header("id"), value=raw("id"))
            elif centre_id.casefold() in first_row_of_id:
                self.problem(_("{value} is used again (first in row {row}); each centre needs its "
                               "own id").format(value=_shown(raw("id")),
                                                row=first_row_of_id[centre_id.casefold()]),
                             row=row_number, column=header("id"), value=raw("id"))
            else:
                first_row_of_id[centre_id.casefold()] = row_number
        name = required("name")
        host = required("host")
        level = self._level(raw("level"), row_number, header("level"))
        fld = self._field(raw("field"), row_number, header("field"))
        sub_field = self._sub_field(fld, raw("sub_field"), row_number, header("sub_field"))
        start_date = self._date(raw("start_date"), row_number, header("start_date"))
        members = self._members([(raw(k), role) for k, role in _MEMBER_COLUMNS])
        values: list[tuple[str, Any]] = []
        for metric in self.catalog.metrics:
            index = columns.get("metric:" + metric.id)
            if index is None or index >= len(cells) or is_blank(cells[index]):
                continue
            value = cell_decimal(cells[index])
            if value is None:
                self.problem(_("{value} is not a plain non-negative number (write digits only, "
                               "e.g. 12 or 12.5, without units; leave the cell empty when not "
                               "reported)").format(value=_shown(cells[index])),
                             row=row_number, column=headers[index], value=cells[index])
            else:
                values.append((metric.id, value))
        if len(self.problems) > before or level is None or fld is None:
            return None, []
        return Centre(
            id=centre_id, name=name, level=level.id, field=fld.name, host=host,
            sub_field=sub_field, province=text("province"), city=text("city"),
            director=text("director"), start_date=start_date, members=members,
        ), values

    def _level(self, value: Any, row: int, column: str) -> Level | None:
        text = cell_text(value).strip()
        if not text:
            self.problem(_("required; choose a centre level from the list"), row=row,
                         column=column, value="")
            return None
        level = self.levels.get(_key(text))
        if level is None:
            allowed = ", ".join(lv.name for lv in self.catalog.levels)
            self.problem(_("{value} is not a centre level (allowed: {allowed})").format(
                value=_shown(value), allowed=allowed), row=row, column=column, value=value)
        return level

    def _field(self, value: Any, row: int, column: str) -> Field | None:
        text = cell_text(value).strip()
        if not text:
            self.problem(_("required; choose a disease field from the list"), row=row,
                         column=column, value="")
            return None
        fld = self.fields.get(_key(text))
        if fld is None:
            names = [f.name for f in self.catalog.fields]
            close = difflib.get_close_matches(text, names, n=1, cutoff=0.5)
            message = _("{value} is not one of the {n} disease fields of the catalogue").format(
                value=_shown(value), n=len(names))
            if close:
                message += "; " + _("did you mean '{name}'?").format(name=close[0])
            else:
                message += "; " + _("choose one from the drop-down list")
            self.problem(message, row=row, column=column, value=value)
        return fld

    def _sub_field(self, fld: Field | None, value: Any, row: int, column: str) -> str:
        text = cell_text(value).strip()
        if not text or fld is None or not fld.subs:
            return text
        for sub in fld.subs:
            if _key(sub) == _key(text):
                return sub
        self.problem(_("{value} is not a clinical specialty of {field} (allowed: {allowed}, or "
                       "leave it empty)").format(value=_shown(value), field=fld.name,
                                                 allowed=", ".join(fld.subs)),
                     row=row, column=column, value=value)
        return text

    def _date(self, value: Any, row: int, column: str) -> str:
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        text = unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else None
        if text == "":
            return ""
        match = _DATE.match(text) if text is not None else None
        if match is None:
            self.problem(_("{value} is not a date in the form YYYY-MM-DD (e.g. 2021-03-01)")
                         .format(value=_shown(value)), row=row, column=column, value=value)
            return ""
        try:
            return dt.date(*(int(part) for part in match.groups())).isoformat()
        except ValueError:
            self.problem(_("{value} is not a real date").format(value=_shown(value)),
                         row=row, column=column, value=value)
            return ""

    @staticmethod
    def _members(lists: list[tuple[Any, MemberRole]]) -> tuple[NetworkMember, ...]:
        """Institutions of the three lists; one named twice keeps its first (closest) role."""
        members: list[NetworkMember] = []
        seen: set[str] = set()
        for value, role in lists:
            for part in MEMBER_SEPARATORS.split(cell_text(value)):
                institution = " ".join(part.split())
                if institution and _key(institution) not in seen:
                    seen.add(_key(institution))
                    members.append(NetworkMember(institution, role))
        return tuple(members)
