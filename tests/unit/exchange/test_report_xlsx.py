"""The consolidated workbook (汇总表): a real demo batch is graded, gathered into a
ReportData and written; the tests read the workbook back as the panel leader's Excel would
and compare it with the grading engine's own figures (``result_to_json``).
"""

from __future__ import annotations

import dataclasses
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from cmrc_desktop import i18n
from cmrc_desktop.domain.numbers import fmt
from cmrc_desktop.exchange.report_data import MergeRow, ReportData
from cmrc_desktop.exchange.report_xlsx import _title, write_report_xlsx
from cmrc_desktop.scoring.grading import result_to_json
from cmrc_desktop.services import report, review
from cmrc_desktop.services.demo import build_demo
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.storage import score_repo
from tests.unit.exchange.chinese_overlay import chinese

GENERATED = "2026-11-22T06:18:24Z"

# The msgids this module adds, with the Chinese the lead puts into cmrc.po (and, for the
# render, those of report_data.py). The demo render uses them so that the pages look as
# they will once the catalogue has them.
ZH = {
    "Summary": "汇总",
    "Method comparison": "方法比较",
    "Merge record": "合并记录",
    "{batch}: consolidated results": "{batch}汇总表",
    "Consolidated results": "汇总表",
    "Evaluation batch: {name} ({id})": "评估批次：{name}（{id}）",
    "Scheme: {name}, version {version}": "指标体系：{name}（版本 {version}）",
    "Final score: {method}, rounded half-up to {decimals} decimals; generated {time}":
        "最终得分：{method}，四舍五入保留 {decimals} 位小数；生成时间 {time}",
    "Generated {time}": "生成时间：{time}",
    "Level": "级别",
    "Disease field": "疾病领域",
    "Mean": "平均分",
    "Median": "中位数",
    "Mean without the highest and lowest totals": "去掉最高分和最低分后的平均分",
    "{method} (this scheme)": "{method}（本方案）",
    "Final score and grade under each aggregation method": "不同汇总方法下的最终得分与等级",
    "yes": "是",
    "{flag}: {meaning}": "{flag}：{meaning}",
    "Panel leader (signature)": "专家组组长（签名）",
    "Final score: the mean of the expert totals after dropping the {trim} highest and the "
    "{trim} lowest; with fewer than {n} complete sheets, the plain mean.":
        "最终得分：去掉 {trim} 个最高和 {trim} 个最低的专家总分后取平均；已完成评分表少于 {n} 份时"
        "直接取平均分。",
    "Final score: the median of the expert totals.": "最终得分：专家总分的中位数。",
    "Final score: the mean of the expert totals.": "最终得分：专家总分的平均分。",
    "Dimension scores are computed by the same method, each on its own, so they need not "
    "add up to the final score.": "维度得分按同一方法分别计算，相加不一定等于最终得分。",
    "A centre with fewer than {n} complete sheets gets no final score, grade or rank; "
    "incomplete sheets are not counted.":
        "已完成评分表少于 {n} 份的中心不计算最终得分、等级和排名；未完成的评分表不计入。",
    "The grade shown for the scheme's method is the one in the summary; the other methods "
    "are computed only to check how much the result depends on the method.":
        "本方案所用方法得出的等级即汇总表中的等级；其他方法仅用于检查结果对汇总方法的敏感程度。",
    "Scores of {centre}": "{centre} 评分明细",
    "Expert total": "专家总分",
    "{dimension} (dimension score)": "{dimension}（维度得分）",
    "Aggregation method": "计分方法",
    "Vetoes": "一票否决",
    "{veto}: {reason}": "{veto}：{reason}",
    "No complete scoresheet for this centre yet.": "该中心尚无已完成的评分表。",
    "{expert}: {scored} of {total} indicators scored": "{expert}：已评 {scored}/{total} 项指标",
    "Incomplete scoresheets, not counted: {sheets}.": "未完成的评分表（不计入）：{sheets}。",
    "Indicators scored automatically from the reported metrics count the same points for "
    "every expert.": "根据填报数据自动计分的指标，每位专家计入相同分数。",
    "Result": "评估结果",
    "Dimension scores": "维度得分",
    "{method} (fewer than {n} complete sheets)": "{method}（已完成评分表少于 {n} 份）",
    "Level: {level}; disease field: {field}; host institution: {host}":
        "级别：{level}；疾病领域：{field}；依托单位：{host}",
    "Record of merged scoresheets": "评分表合并记录",
    "No.": "序号",
    "File": "文件",
    "Outcome": "结果",
    "Reason": "原因",
    "Accepted": "已接收",
    "Already merged (duplicate)": "已合并（重复）",
    "Superseded": "已被取代",
    "Conflict": "冲突",
    "Refused": "拒绝",
    "{outcome}: {n}": "{outcome}：{n}",
    # report_data.py (the lead's msgids), for the render only
    "veto {id} ({name}): the worst grade whatever the score, no rank":
        "一票否决 {id}（{name}）：无论得分，均为最低等级，不排名",
    "fewer complete sheets than the scheme requires ({n}): no final score, grade or rank":
        "已完成评分表少于方案要求（{n} 份）：不计算最终得分、等级和排名",
    "expert totals differ by more than {points} points": "专家总分相差超过 {points} 分",
    "tied on the quota boundary: the committee decides the grade":
        "在名额比例界限上同分：等级由评审委员会决定",
    "the grade changes with the aggregation method (mean, median, trimmed mean)":
        "等级随汇总方法（平均分、中位数、去掉最高分和最低分后的平均分）而变",
    "veto {id}": "一票否决 {id}",
    "incomplete": "评分表不足",
    "disagreement": "专家分歧",
    "quota tie": "名额同分",
    "method-sensitive": "方法敏感",
}





MERGE_ROWS = (
    MergeRow("评分表_E01_C001.xlsx", "accepted", "签名有效，已导入", "E01", "C001", 1),
    MergeRow("评分表_E01_C001 (1).xlsx", "already_merged", "与已导入的修订版本 1 相同",
             "E01", "C001", 1),
    MergeRow("E02_C002.pdf", "superseded", "已有更新的修订版本 2", "E02", "C002", 1),
    MergeRow("E03_C004.xlsx", "conflict", "修订版本 1 与已导入的内容不同", "E03", "C004", 1),
    MergeRow("说明.docx", "refused", "不是评分表文件"),
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "demo"
    summary = build_demo(out, centres=4, experts=5, seed=1, password="test-password-1",
                         with_experts=False)
    with open_workspace(summary.secretary) as ws:   # one sheet left incomplete
        score_repo.delete_score(ws.db, "E02", "C004", "B3")
    return summary.secretary


@pytest.fixture(scope="module")
def demo_with_veto(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report-veto") / "demo"
    summary = build_demo(out, centres=4, experts=5, seed=1, password="test-password-1",
                         with_experts=False)
    with open_workspace(summary.secretary, actor="test") as ws:
        review.record_veto(ws, "C001", "V1", "年度报告数据与原始记录不符")
    return summary.secretary


@pytest.fixture(scope="module")
def data(demo) -> ReportData:
    i18n.set_language("en")
    with open_workspace(demo) as ws:
        return dataclasses.replace(report.gather(ws)[0], generated_at=GENERATED,
                                   merge_rows=MERGE_ROWS)


@pytest.fixture(scope="module")
def book(data, tmp_path_factory) -> openpyxl.Workbook:
    # module fixtures run before the function-scoped autouse one that selects English
    i18n.set_language("en")
    path = tmp_path_factory.mktemp("book") / "report.xlsx"
    write_report_xlsx(path, data)
    return openpyxl.load_workbook(path)


def dec(value) -> Decimal | None:
    """A number cell as the exact decimal it shows (openpyxl hands back floats)."""
    if value is None:
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def find_row(ws, col: int, text: str) -> int:
    for row in range(1, ws.max_row + 1):
        if ws.cell(row, col).value == text:
            return row
    raise AssertionError(f"{text!r} not in column {col}")


def header_map(ws, row: int) -> dict[str, int]:
    return {str(ws.cell(row, c).value): c for c in range(1, ws.max_column + 1)
            if ws.cell(row, c).value is not None}


def summary_rows(ws) -> tuple[dict[str, int], list[int]]:
    header = find_row(ws, 2, "Centre ID")
    cols = header_map(ws, header)
    rows = []
    row = header + 1
    while ws.cell(row, 2).value:
        rows.append(row)
        row += 1
    return cols, rows


# -- 汇总 ------------------------------------------------------------------------------------
def test_summary_lists_every_centre_with_the_engine_figures(book, data):
    ws = book["Summary"]
    cols, rows = summary_rows(ws)
    expected = {c["centre"]: c for c in result_to_json(data.result)["centres"]}
    seen = {}
    for row in rows:
        centre = ws.cell(row, cols["Centre ID"]).value
        final = dec(ws.cell(row, cols["Final score"]).value)
        seen[centre] = {
            "final": format(final.quantize(Decimal("0.01")), "f") if final is not None else None,
            "grade": ws.cell(row, cols["Grade"]).value or None,
            "rank": ws.cell(row, cols["Rank"]).value,
            "experts": ws.cell(row, cols["Complete sheets"]).value,
            "name": ws.cell(row, cols["Centre name"]).value,
        }
    assert set(seen) == set(expected) == set(data.centres)
    for centre, figures in expected.items():
        assert seen[centre]["final"] == figures["final"], centre
        assert seen[centre]["rank"] == figures["rank"], centre
        assert seen[centre]["experts"] == figures["experts"], centre
        grade = data.result.centre(centre).grade
        assert seen[centre]["grade"] == (grade.display if grade else None), centre
        assert seen[centre]["name"] == data.centres[centre].name
    # dimension scores by display name
    for row in rows:
        centre = ws.cell(row, cols["Centre ID"]).value
        for dim in data.scheme.dimensions:
            value = dec(ws.cell(row, cols[dim.display]).value)
            want = expected[centre]["dimensions"].get(dim.id)
            assert (format(value.quantize(Decimal("0.01")), "f") if value is not None
                    else None) == want


def test_summary_is_ordered_by_rank_then_unranked_by_id(book, data):
    ws = book["Summary"]
    cols, rows = summary_rows(ws)
    order = [ws.cell(r, cols["Centre ID"]).value for r in rows]
    ranked = sorted((r for r in data.result.centres if r.rank is not None),
                    key=lambda r: (r.rank, r.centre))
    unranked = sorted(r.centre for r in data.result.centres if r.rank is None)
    assert order == [r.centre for r in ranked] + unranked
    assert unranked, "the demo has an incomplete centre (fewer complete sheets)"


def test_figures_are_numbers_with_the_schemes_decimals(book, data):
    ws = book["Summary"]
    cols, rows = summary_rows(ws)
    numeric = [cols["Final score"], *[cols[d.display] for d in data.scheme.dimensions]]
    checked = 0
    for row in rows:
        for col in numeric:
            cell = ws.cell(row, col)
            assert cell.number_format == "0.00"
            if cell.value is not None:
                assert cell.data_type == "n" and isinstance(cell.value, int | float)
                checked += 1
        assert ws.cell(row, cols["Rank"]).data_type == "n"
    assert checked > 0


def test_flags_are_short_labels_and_explained_under_the_table(book, data):
    ws = book["Summary"]
    cols, rows = summary_rows(ws)
    flags = {ws.cell(r, cols["Centre ID"]).value: ws.cell(r, cols["Flags"]).value or ""
             for r in rows}
    incomplete = [r.centre for r in data.result.centres if "incomplete" in r.flags]
    assert incomplete and all("incomplete" in flags[c] for c in incomplete)
    for centre in data.method_sensitive:
        assert "method-sensitive" in flags[centre]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("need not add up to the final score" in t for t in texts)
    assert any(t.startswith("incomplete: fewer complete sheets") for t in texts)
    assert any("Panel leader" in t for t in texts)


def test_method_comparison_shows_each_method_and_marks_sensitive_centres(book, data):
    ws = book["Method comparison"]
    top = find_row(ws, 2, "Centre ID")
    assert data.method_sensitive, "the demo (seed 1) has a centre whose grade depends on it"
    groups = [ws.cell(top, c).value for c in range(4, 10, 2)]
    assert groups[0] == "Mean without the highest and lowest totals (this scheme)"
    assert set(groups[1:]) == {"Mean", "Median"}
    method_at = {"trimmed_mean": 4, **{("mean" if g == "Mean" else "median"): 4 + 2 * i
                                       for i, g in enumerate(groups) if i}}
    marker = ws.max_column
    for row in range(top + 2, top + 2 + len(data.result.centres)):
        centre = ws.cell(row, 2).value
        for method, col in method_at.items():
            figure = data.sensitivity[centre][method]
            value = dec(ws.cell(row, col).value)
            assert (format(value.quantize(Decimal("0.01")), "f") if value is not None
                    else None) == figure.final
            grade = next((g for g in data.scheme.grades if g.label == figure.grade), None)
            assert (ws.cell(row, col + 1).value or None) == (grade.display if grade else None)
        assert (ws.cell(row, marker).value == "yes") == (centre in data.method_sensitive)


# -- one sheet per centre ---------------------------------------------------------------------
def matrix_of(ws, scheme) -> tuple[dict[str, int], dict[str, int], int]:
    header = find_row(ws, 1, "Dimension")
    experts = {}
    for col in range(4, ws.max_column + 1):
        text = ws.cell(header, col).value
        if isinstance(text, str) and "\n" in text:
            experts[text.split("\n")[1]] = col
    rows = {}
    for row in range(header + 1, ws.max_row + 1):
        label = ws.cell(row, 2).value
        if isinstance(label, str) and label.split(" ")[0] in {i.id for i in scheme.indicators}:
            rows[label.split(" ")[0]] = row
    return experts, rows, header


def test_centre_sheet_matrix_columns_add_up_to_the_expert_totals(book, data):
    for result in data.result.centres:
        ws = book[result.centre]
        experts, rows, _header = matrix_of(ws, data.scheme)
        assert sorted(experts) == sorted(result.expert_totals)
        assert sorted(rows) == sorted(i.id for i in data.scheme.indicators)
        total_row = find_row(ws, 1, "Expert total")
        for expert, col in experts.items():
            cells = [ws.cell(rows[i], col) for i in rows]
            assert all(c.data_type == "n" for c in cells)
            column_sum = sum((dec(c.value) for c in cells), Decimal(0))
            assert column_sum == result.expert_totals[expert]
            assert dec(ws.cell(total_row, col).value) == result.expert_totals[expert]
            for ind_id, row in rows.items():
                assert dec(ws.cell(row, col).value) == Decimal(
                    data.matrix[result.centre][expert][ind_id])


def test_centre_sheet_shows_the_result_and_names_incomplete_sheets(book, data):
    incomplete = next(r for r in data.result.centres if r.incomplete_experts)
    ws = book[incomplete.centre]
    texts = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "Incomplete scoresheets, not counted" in texts
    for expert in incomplete.incomplete_experts:
        assert f"{data.experts[expert].name} ({expert})" in texts
    # C004 lost a sheet: four complete ones are too few to trim, so the plain mean is used
    label_col = next(c for c in range(1, ws.max_column + 1)
                     if any(ws.cell(r, c).value == "Aggregation method" for r in range(1, 12)))
    assert ws.cell(find_row(ws, label_col, "Aggregation method"), label_col + 1).value == \
        "Mean (fewer than 5 complete sheets)"
    graded = next(r for r in data.result.centres if r.rank == 1)
    ws = book[graded.centre]
    label_col = next(c for c in range(1, ws.max_column + 1)
                     if any(ws.cell(r, c).value == "Final score" for r in range(1, 12)))
    row = find_row(ws, label_col, "Final score")
    assert dec(ws.cell(row, label_col + 1).value) == Decimal(fmt(graded.final, 2))
    assert ws.cell(find_row(ws, label_col, "Rank"), label_col + 1).value == 1
    assert ws.cell(find_row(ws, label_col, "Grade"), label_col + 1).value == \
        graded.grade.display


def test_vetoes_appear_with_their_reason(demo_with_veto, tmp_path):
    with open_workspace(demo_with_veto) as ws:
        data = dataclasses.replace(report.gather(ws)[0], generated_at=GENERATED, merge_rows=())
    path = tmp_path / "veto.xlsx"
    write_report_xlsx(path, data)
    wb = openpyxl.load_workbook(path)
    ws = wb["C001"]
    texts = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "V1 Fraud or falsified data: 年度报告数据与原始记录不符" in texts
    cols, rows = summary_rows(wb["Summary"])
    summary = wb["Summary"]
    row = next(r for r in rows if summary.cell(r, cols["Centre ID"]).value == "C001")
    assert "veto V1" in summary.cell(row, cols["Flags"]).value
    assert summary.cell(row, cols["Rank"]).value is None
    assert summary.cell(row, cols["Grade"]).value == data.scheme.grades[-1].display


def test_a_formula_like_centre_name_stays_text(data, tmp_path):
    evil = '=HYPERLINK("x")'
    centres = dict(data.centres)
    centres["C001"] = dataclasses.replace(centres["C001"], name=evil, host="+cmd|' /C calc'!A0")
    path = tmp_path / "evil.xlsx"
    write_report_xlsx(path, dataclasses.replace(data, centres=centres))
    wb = openpyxl.load_workbook(path)
    cols, rows = summary_rows(wb["Summary"])
    row = next(r for r in rows if wb["Summary"].cell(r, 2).value == "C001")
    cell = wb["Summary"].cell(row, cols["Centre name"])
    assert cell.value == evil and cell.data_type == "s"
    title = wb["C001"].cell(1, 1)
    assert title.value == f"Scores of C001 {evil}" and title.data_type == "s"
    assert "host institution: +cmd|' /C calc'!A0" in wb["C001"].cell(2, 1).value
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n)
                                  for n in sheets)


# -- 合并记录 -----------------------------------------------------------------------------------
def test_merge_sheet_lists_every_row_with_its_outcome_in_words(book):
    ws = book["Merge record"]
    header = find_row(ws, 2, "File")
    cols = header_map(ws, header)
    got = []
    for row in range(header + 1, header + 1 + len(MERGE_ROWS)):
        got.append((ws.cell(row, cols["File"]).value, ws.cell(row, cols["Outcome"]).value,
                    ws.cell(row, cols["Reason"]).value, ws.cell(row, cols["Centre"]).value,
                    ws.cell(row, cols["Revision"]).value))
    assert got == [
        ("评分表_E01_C001.xlsx", "Accepted", "签名有效，已导入", "C001", 1),
        ("评分表_E01_C001 (1).xlsx", "Already merged (duplicate)", "与已导入的修订版本 1 相同",
         "C001", 1),
        ("E02_C002.pdf", "Superseded", "已有更新的修订版本 2", "C002", 1),
        ("E03_C004.xlsx", "Conflict", "修订版本 1 与已导入的内容不同", "C004", 1),
        ("说明.docx", "Refused", "不是评分表文件", None, None),
    ]
    expert = ws.cell(header + 1, cols["Expert"]).value
    assert expert.startswith("E01 ")


# -- print-ready --------------------------------------------------------------------------------
def test_every_sheet_is_a4_fit_to_width_with_titles_header_and_footer(book, data):
    assert book.sheetnames == ["Summary", "Method comparison",
                               *sorted(r.centre for r in data.result.centres), "Merge record"]
    for ws in book.worksheets:
        assert int(ws.page_setup.paperSize) == 9, ws.title   # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        # one page wide; a sheet a little taller than a page is shrunk onto one (1), a
        # longer one runs over as many pages as it needs (0)
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight in (0, 1), ws.title
        assert ws.print_title_rows, ws.title
        assert ws.freeze_panes, ws.title
        assert data.batch.name in ws.oddHeader.left.text
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        assert ws.oddFooter.left.text.startswith("Generated ")
    for title in ("Summary", *[r.centre for r in data.result.centres]):
        assert book[title].page_setup.orientation == "landscape", title
    for title in ("Method comparison", "Merge record"):
        assert book[title].page_setup.orientation == "portrait", title


def test_sheet_titles_are_valid_and_unique():
    used = {"summary"}
    assert _title("Summary", used) == "Summary~2"
    title = _title("C/1:[x]*?\\" + "y" * 40, used)
    assert len(title) <= 31 and not set(title) & set("[]:*?/\\")
    assert _title("'quoted'", used) == "quoted"
    assert _title("", used) == "_"


def test_the_workbook_speaks_chinese_by_default(data, tmp_path):
    path = tmp_path / "zh.xlsx"
    with chinese(ZH):
        write_report_xlsx(path, data)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:2] == ["汇总", "方法比较"] and wb.sheetnames[-1] == "合并记录"
    ws = wb["汇总"]
    assert ws.cell(1, 1).value == f"{data.batch.name}汇总表"
    header = find_row(ws, 2, "中心编号")
    assert [ws.cell(header, c).value for c in (1, 3, 4, 5)] == ["排名", "中心名称", "级别",
                                                                 "疾病领域"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("维度得分按同一方法分别计算，相加不一定等于最终得分" in t for t in texts)
    assert any("省临床医学研究中心" in t for t in texts)   # level names from the catalogue
    merge = wb["合并记录"]
    outcomes = {merge.cell(r, 3).value for r in range(1, merge.max_row + 1)}
    assert {"已接收", "已合并（重复）", "已被取代", "冲突", "拒绝"} <= outcomes


def test_every_new_message_of_the_workbook_has_its_chinese_here():
    """The msgids report_xlsx adds are all in ``ZH`` (the list handed to the catalogue)."""
    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po

    from cmrc_desktop.exchange import report_xlsx
    from cmrc_desktop.paths import locale_dir

    with (locale_dir() / "zh_CN" / "LC_MESSAGES" / "cmrc.po").open("rb") as fh:
        catalogue = read_po(fh)
    used = {m[1] for m in extract_from_file("python", report_xlsx.__file__,
                                            keywords={"_": None})}
    missing = sorted(m for m in used
                     if not (catalogue.get(m) and catalogue.get(m).string) and m not in ZH)
    assert missing == []
