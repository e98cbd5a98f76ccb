"""The centres template as a secretary meets it: write, fill in, read back, hear what is wrong."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.workspace import Centre, MemberRole, MetricValue, NetworkMember
from cmrc_desktop.exchange.centres_template import (
    COLUMNS,
    FIRST_DATA_ROW,
    PERIOD_CELL,
    SHEET_CENTRES,
    SHEET_HELP,
    SHEET_LISTS,
    TemplateProblems,
    metric_header,
    read_centres_template,
    write_centres_template,
)
from cmrc_desktop.exchange.xlsx_safety import set_text
from cmrc_desktop.i18n import set_language
from cmrc_desktop.scoring.builtin import catalog


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, the language of the msgids."""
    set_language("en")
    yield
    set_language()


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "centres.xlsx"
    write_centres_template(path, catalog(), period="2024")
    return path


def column(header: str) -> int:
    """1-based column of a header in the written template."""
    headers = [c.zh for c in COLUMNS] + [metric_header(m) for m in catalog().metrics]
    return headers.index(header) + 1


GOOD = {
    "中心编号": "C001",
    "中心名称": "山东省心血管病临床医学研究中心",
    "中心级别": "省临床医学研究中心",
    "疾病领域": "心血管系统疾病",
    "依托单位": "山东大学齐鲁医院",
    "省份": "山东省",
    "城市": "济南市",
    "中心主任": "张三",
    "建设起始日期": "2021-03-01",
    "核心成员单位": "山东省立医院；青岛大学附属医院",
    "网络成员单位": "烟台毓璜顶医院;山东省立医院\n潍坊市人民医院",
    "推广网络成员单位": "",
}


def fill(path: Path, rows: list[dict[str, object]], *, first_row: int = FIRST_DATA_ROW) -> None:
    """Type rows into the template the way a secretary would (openpyxl standing in for Excel)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_CENTRES]
    for offset, values in enumerate(rows):
        for header, value in values.items():
            ws.cell(first_row + offset, column(header), value)
    wb.save(path)


def problems_of(excinfo: pytest.ExceptionInfo[TemplateProblems]) -> list[str]:
    return str(excinfo.value).splitlines()


# --------------------------------------------------------------------------- the template


def test_template_has_centres_sheet_instructions_and_hidden_lists(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == [SHEET_CENTRES, SHEET_HELP, SHEET_LISTS]
    assert wb[SHEET_LISTS].sheet_state == "hidden"
    assert wb.active.title == SHEET_CENTRES
    ws = wb[SHEET_CENTRES]
    headers = [ws.cell(1, c).value for c in range(1, ws.max_column + 1)]
    assert headers[:13] == ["中心编号", "中心名称", "中心级别", "疾病领域", "临床专科", "依托单位",
                            "省份", "城市", "中心主任", "建设起始日期", "核心成员单位",
                            "网络成员单位", "推广网络成员单位"]
    assert len(headers) == 13 + len(catalog().metrics) == 43
    assert "生物样本量（份）" in headers and "竞争性科研经费（万元）" in headers
    assert ws.cell(2, 1).value == "Centre ID"
    assert ws.freeze_panes == "C3"
    help_ws = wb[SHEET_HELP]
    assert help_ws["A3"].value == "填报期间" and help_ws[PERIOD_CELL].value == "2024"
    text = "\n".join(str(c.value) for row in help_ws.iter_rows() for c in row if c.value)
    for needle in ("非负数字", "YYYY-MM-DD", "分号", "中心编号", "协同创新网络成员单位数"):
        assert needle in text


def test_level_and_field_columns_have_dropdowns_from_the_hidden_sheet(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    ws, lists = wb[SHEET_CENTRES], wb[SHEET_LISTS]
    by_column = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            for rng in dv.sqref.ranges:
                by_column[rng.min_col] = dv
    level_dv = by_column[column("中心级别")]
    field_dv = by_column[column("疾病领域")]
    assert level_dv.formula1 == "lists!$A$2:$A$6"
    assert field_dv.formula1 == "lists!$B$2:$B$29"
    assert [r.coord for r in level_dv.sqref.ranges] == [f"C{FIRST_DATA_ROW}:C1048576"]
    assert [lists.cell(r, 1).value for r in range(2, 7)] == [lv.name for lv in catalog().levels]
    assert [lists.cell(r, 2).value for r in range(2, 30)] == [f.name for f in catalog().fields]


def test_writing_replaces_an_old_file_and_leaves_no_temporary(template: Path) -> None:
    write_centres_template(template, catalog(), period="2025")
    assert [p.name for p in template.parent.iterdir()] == ["centres.xlsx"]
    assert openpyxl.load_workbook(template)[SHEET_HELP][PERIOD_CELL].value == "2025"


def test_empty_period_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        write_centres_template(tmp_path / "x.xlsx", catalog(), period=" ")
    assert not (tmp_path / "x.xlsx").exists()


def test_empty_template_reads_as_nothing(template: Path) -> None:
    result = read_centres_template(template, catalog())
    assert result.centres == [] and result.metrics == [] and result.period == "2024"


# --------------------------------------------------------------------------- round trip


def test_filled_template_round_trips(template: Path) -> None:
    second = {
        "中心编号": "C002",
        "中心名称": "感染性疾病中心",
        "中心级别": "city",                                  # id accepted
        "疾病领域": "Infectious diseases",                   # English name accepted
        "临床专科": "结核病",
        "依托单位": "济南市传染病医院",
        "建设起始日期": "2022/7/5",
        "推广网络成员单位": "历城区人民医院",
    }
    fill(template, [
        {**GOOD, "协同创新网络成员单位数": 35, "生物样本量（份）": 12.5,
         "竞争性科研经费（万元）": "１２", "出版专著数": 0},
        second,
    ])
    result = read_centres_template(template, catalog())
    assert result.centres == [
        Centre(
            id="C001", name="山东省心血管病临床医学研究中心", level="provincial",
            field="心血管系统疾病", host="山东大学齐鲁医院", province="山东省", city="济南市",
            director="张三", start_date="2021-03-01",
            members=(
                NetworkMember("山东省立医院", MemberRole.CORE),
                NetworkMember("青岛大学附属医院", MemberRole.CORE),
                NetworkMember("烟台毓璜顶医院", MemberRole.MEMBER),
                NetworkMember("潍坊市人民医院", MemberRole.MEMBER),
            ),
        ),
        Centre(
            id="C002", name="感染性疾病中心", level="city", field="感染性疾病",
            sub_field="结核病", host="济南市传染病医院", start_date="2022-07-05",
            members=(NetworkMember("历城区人民医院", MemberRole.PROMOTION),),
        ),
    ]
    assert result.period == "2024"
    assert result.metrics == [
        MetricValue("C001", "2024", "network_members", Decimal("35")),
        MetricValue("C001", "2024", "biobank_samples", Decimal("12.5")),
        MetricValue("C001", "2024", "monographs", Decimal("0")),
        MetricValue("C001", "2024", "funding_competitive", Decimal("12")),
    ]
    values = {m.metric: m.value for m in result.metrics}
    assert str(values["network_members"]) == "35"           # not 35.0
    assert str(values["biobank_samples"]) == "12.5"          # not 12.5000000000000001...


def test_float_metric_reads_as_exact_decimal(template: Path) -> None:
    fill(template, [{**GOOD, "生物样本量（份）": 12.5, "队列覆盖人群（万人次）": 0.1 + 0.2}])
    values = {m.metric: m.value for m in read_centres_template(template, catalog()).metrics}
    assert values["biobank_samples"] == Decimal("12.5")
    assert values["cohort_population"] == Decimal("0.3")


def test_full_width_digits_read_as_numbers(template: Path) -> None:
    fill(template, [{**GOOD, "授权专利数": "１２", "出版专著数": "８．５"}])
    values = {m.metric: m.value for m in read_centres_template(template, catalog()).metrics}
    assert values == {"patents_granted": Decimal("12"), "monographs": Decimal("8.5")}


def test_excel_date_cell_accepted(template: Path) -> None:
    import datetime as dt

    fill(template, [{**GOOD, "建设起始日期": dt.datetime(2020, 12, 31)}])
    [centre] = read_centres_template(template, catalog()).centres
    assert centre.start_date == "2020-12-31"


def test_period_argument_overrides_the_file(template: Path) -> None:
    fill(template, [{**GOOD, "授权专利数": 3}])
    result = read_centres_template(template, catalog(), period="2023")
    assert result.period == "2023"
    assert [m.period for m in result.metrics] == ["2023"]


def test_blank_rows_ignored_and_english_row_optional(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    ws = wb[SHEET_CENTRES]
    ws.delete_rows(2)  # the secretary removed the English header row
    wb.save(template)
    fill(template, [GOOD, {"中心名称": "  "}, {**GOOD, "中心编号": "C002"}], first_row=2)
    centres = read_centres_template(template, catalog()).centres
    assert [c.id for c in centres] == ["C001", "C002"]


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "centres.xlsx"
    write_centres_template(path, catalog(), period="2024")
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_CENTRES]
    for header, value in GOOD.items():
        set_text(ws.cell(FIRST_DATA_ROW, column(header)), value)
    cell = ws.cell(FIRST_DATA_ROW, column("中心名称"))
    set_text(cell, '=HYPERLINK("http://x")')
    assert cell.data_type == "s"
    wb.save(path)
    reopened = openpyxl.load_workbook(path)[SHEET_CENTRES].cell(FIRST_DATA_ROW, column("中心名称"))
    assert reopened.data_type == "s" and reopened.value == '=HYPERLINK("http://x")'
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    [centre] = read_centres_template(path, catalog()).centres
    assert centre.name == '=HYPERLINK("http://x")'


# --------------------------------------------------------------------------- refusals


def test_one_bad_row_among_good_rows_names_sheet_row_column_and_value(template: Path) -> None:
    fill(template, [GOOD, {**GOOD, "中心编号": "C002"}, {**GOOD, "中心编号": "C003"},
                    {**GOOD, "中心编号": "C004"}, {**GOOD, "中心编号": "C005", "中心级别": "省级中心"}])
    with pytest.raises(TemplateProblems) as excinfo:
        read_centres_template(template, catalog())
    assert problems_of(excinfo) == [
        "centres.xlsx: 中心 row 7, 中心级别: '省级中心' is not a centre level (allowed: "
        "国家临床医学研究中心, 国家临床医学研究中心分中心, 省临床医学研究中心, "
        "省临床医学研究中心分中心, 市临床医学研究中心)"
    ]
    [problem] = excinfo.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "中心", 7, "中心级别", "省级中心")
    assert isinstance(excinfo.value, InputError)


def test_every_bad_row_is_listed(template: Path) -> None:
    fill(template, [
        {**GOOD, "中心编号": "C 001"},
        {**GOOD, "中心编号": "C002", "疾病领域": "心血管疾病"},
        {**GOOD, "中心编号": "C003", "依托单位": ""},
        {**GOOD, "中心编号": "C004", "授权专利数": -3, "出版专著数": "1,200"},
        {**GOOD, "中心编号": "C005", "建设起始日期": "2021-02-30"},
        {**GOOD, "中心编号": "C006", "疾病领域": "感染性疾病", "临床专科": "心内科"},
        {**GOOD, "中心编号": "C007", "建设起始日期": "March 2021"},
    ])
    with pytest.raises(TemplateProblems) as excinfo:
        read_centres_template(template, catalog())
    lines = problems_of(excinfo)
    assert len(lines) == len(excinfo.value.problems) == 8
    assert lines[0].startswith("centres.xlsx: 中心 row 3, 中心编号: 'C 001' is not a valid centre id")
    assert lines[1].startswith("centres.xlsx: 中心 row 4, 疾病领域: '心血管疾病' is not one of the 28")
    assert "did you mean '心血管系统疾病'?" in lines[1]
    assert lines[2] == "centres.xlsx: 中心 row 5, 依托单位: required; this cell must not be empty"
    assert lines[3].startswith("centres.xlsx: 中心 row 6, 授权专利数: '-3' is not a plain non-negative")
    assert lines[4].startswith("centres.xlsx: 中心 row 6, 出版专著数: '1,200' is not a plain")
    assert lines[5] == "centres.xlsx: 中心 row 7, 建设起始日期: '2021-02-30' is not a real date"
    assert lines[6].startswith("centres.xlsx: 中心 row 8, 临床专科: '心内科' is not a clinical "
                               "specialty of 感染性疾病 (allowed: 艾滋病, 病毒性肝炎")
    assert lines[7].startswith("centres.xlsx: 中心 row 9, 建设起始日期: 'March 2021' is not a date")


def test_duplicate_ids_refused(template: Path) -> None:
    fill(template, [GOOD, {**GOOD, "中心名称": "另一个中心"}, {**GOOD, "中心编号": "c001"}])
    with pytest.raises(TemplateProblems) as excinfo:
        read_centres_template(template, catalog())
    assert problems_of(excinfo) == [
        "centres.xlsx: 中心 row 4, 中心编号: 'C001' is used again (first in row 3); "
        "each centre needs its own id",
        "centres.xlsx: 中心 row 5, 中心编号: 'c001' is used again (first in row 3); "
        "each centre needs its own id",
    ]


def test_missing_required_header_is_named(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    ws = wb[SHEET_CENTRES]
    ws.cell(1, column("依托单位")).value = "牵头单位名称"
    wb.save(template)
    with pytest.raises(TemplateProblems) as excinfo:
        read_centres_template(template, catalog())
    text = str(excinfo.value)
    assert "centres.xlsx: 中心 row 1, 依托单位: the required column is missing" in text
    assert "'牵头单位名称' is not a column of the centres template" in text


def test_value_in_a_column_without_header_is_not_lost_silently(template: Path) -> None:
    fill(template, [GOOD])
    wb = openpyxl.load_workbook(template)
    wb[SHEET_CENTRES].cell(FIRST_DATA_ROW, 60).value = "备注"
    wb.save(template)
    with pytest.raises(TemplateProblems) as excinfo:
        read_centres_template(template, catalog())
    assert problems_of(excinfo) == [
        "centres.xlsx: 中心 row 3, column BH: a value in a column that has no header; "
        "give the column a template header or delete it"
    ]


def test_metrics_without_a_period_refused(template: Path) -> None:
    fill(template, [{**GOOD, "授权专利数": 3}])
    wb = openpyxl.load_workbook(template)
    wb[SHEET_HELP][PERIOD_CELL].value = None
    wb.save(template)
    with pytest.raises(TemplateProblems, match="填写说明: the period is missing"):
        read_centres_template(template, catalog())
    assert read_centres_template(template, catalog(), period="2024").period == "2024"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "the file is empty"),
        ("中心编号,中心名称\nC001,某中心\n".encode(), "not a readable Excel .xlsx workbook"),
        (b"PK\x03\x04 truncated", "not a readable Excel .xlsx workbook"),
    ],
    ids=["empty", "csv-renamed", "not-a-zip"],
)
def test_not_an_xlsx_refused_in_plain_words(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "centres.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError) as excinfo:
        read_centres_template(path, catalog())
    assert not isinstance(excinfo.value, TemplateProblems)
    assert str(excinfo.value).startswith("centres.xlsx: ")
    assert words in str(excinfo.value)


def test_truncated_xlsx_refused(template: Path) -> None:
    data = template.read_bytes()
    template.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="not a readable Excel .xlsx workbook"):
        read_centres_template(template, catalog())


def test_zip_that_is_not_a_workbook_refused(tmp_path: Path) -> None:
    path = tmp_path / "centres.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match="centres.xlsx: "):
        read_centres_template(path, catalog())


def test_workbook_without_centres_sheet_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hello"
    wb.save(path)
    with pytest.raises(InputError, match="no sheet named '中心'"):
        read_centres_template(path, catalog())


def test_missing_file_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_centres_template(tmp_path / "nope.xlsx", catalog())
