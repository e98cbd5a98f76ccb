"""The printed scheme: pdftotext reads back every dimension, indicator, maximum, step and
scoring guidance, the grade bands, the vetoes and formal-review checks, and the scheme id
with its full SHA-256 on every page; in Chinese and in English; written atomically."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.domain.workspace import Batch, BatchKind, Role, Stage
from cmrc_desktop.exchange.scheme_pdf import scheme_pdf_bytes, write_scheme_pdf
from cmrc_desktop.scoring.builtin import builtin_scheme, builtin_schemes
from cmrc_desktop.scoring.scheme_loader import parse_scheme
from tests.unit.exchange.chinese_overlay import chinese

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils not installed")

# The msgids scheme_pdf.py adds, with their Chinese, so the pages read as they will once
# cmrc.po holds them.
ZH = {
    "automatic from {metric}: full points at {full_at}": "自动计分：取自{metric}，达到 {full_at} 得满分",
    "at most {share} of the graded centres": "不超过已评定中心的 {share}",
    "Evaluation scheme {id}, version {version}": "指标体系 {id}，版本 {version}",
    "Scheme {id} · SHA-256 {sha256}": "指标体系 {id} · SHA-256 {sha256}",
    "Evaluation scheme · version {version}": "评估指标体系 · 版本 {version}",
    "Indicators": "评估指标",
    "A veto gives the centre the lowest grade whatever its score, and no rank.":
        "触发一票否决的中心，无论得分均评为最低等级，且不参与排名。",
    "Formal review": "形式审查",
    "A centre must pass every check of the formal review before it is scored.":
        "形式审查全部通过的中心方可进入评分。",
    "Scheme ID": "指标体系编号",
    "Version": "版本",
    "Total points": "满分",
    "Minimum complete sheets": "最少有效评分表",
    "Disagreement threshold": "专家分歧阈值",
    "{points} points": "{points} 分",
    "Figures are rounded half-up to {decimals} decimals.": "分数四舍五入保留 {decimals} 位小数。",
    "Description": "说明",
    "Printed": "打印日期",
    "Step": "步长",
    "Evidence: {metrics}": "佐证数据：{metrics}",
    "Minimum score": "最低分",
    "Quota": "名额比例",
    "ID": "编号",
    "Veto": "否决事项",
    "Check": "审查项目",
    "How it is checked": "审查方式",
    "automatic: {metric} at least {value}": "自动：{metric}不少于 {value}",
    "ticked by the secretary": "秘书人工核对",
}

AUTOMATIC_SCHEME = """
[scheme]
id = "auto-test"
name = "自动计分测试方案"
name_en = "Automatic test scheme"
version = "1"
kind = "performance"
total = 10

[aggregation]
method = "mean"

[[grades]]
label = "合格"
label_en = "Pass"
min = 6

[[grades]]
label = "不合格"
label_en = "Fail"
min = 0

[[dimensions]]
id = "A"
name = "产出"
name_en = "Output"

[[indicators]]
id = "A1"
dimension = "A"
name = "指南共识"
name_en = "Guidelines"
max = 4
source = "metric:guidelines_led"
full_at = 5

[[indicators]]
id = "A2"
dimension = "A"
name = "专家评价"
name_en = "Expert view"
max = 6
step = 1
guidance = "第一行\\n第二行 <b>不是标记</b> & 符号"
"""





def pages_of(path: Path) -> list[str]:
    """The text of each page, white space removed (pdftotext breaks lines)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True).stdout.decode("utf-8")
    return ["".join(page.split()) for page in out.split("\f")[:-1]]


def squeeze(text: str) -> str:
    return "".join(text.split())


def layout_of(path: Path) -> list[str]:
    """The lines of the PDF as laid out: the cells of a table row share a line."""
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
                         check=True, capture_output=True).stdout.decode("utf-8")
    return out.splitlines()


def in_order(text: str, phrase: str, gap: int = 300) -> bool:
    """The words of ``phrase`` appear in ``text`` in order, each within ``gap`` characters
    of the one before (a cell that wraps puts other cells' text between its lines)."""
    pattern = rf".{{0,{gap}}}?".join(re.escape(w) for w in phrase.split())
    return re.search(pattern, text, re.DOTALL) is not None


def row_of(lines: list[str], indicator_id: str) -> str:
    """The line that starts the indicator's cell and its neighbours (a cell of two lines
    puts the points and step between them)."""
    n = next(i for i, line in enumerate(lines) if re.search(rf"\b{indicator_id} ", line))
    return " ".join(lines[n - 1:n + 2])


@pytest.mark.parametrize("scheme_id", [s.id for s in builtin_schemes()])
def test_every_indicator_with_points_step_and_guidance_is_printed(tmp_path, scheme_id):
    scheme = builtin_scheme(scheme_id)
    path = write_scheme_pdf(tmp_path / "scheme.pdf", scheme)
    pages = pages_of(path)
    text = "".join(pages)
    assert squeeze(scheme.name_en) in text
    for dimension in scheme.dimensions:
        assert squeeze(dimension.name_en) in text
    lines = layout_of(path)
    for indicator in scheme.indicators:
        assert in_order("\n".join(lines), f"{indicator.id} {indicator.name_en}"), indicator.id
        points = (rf"\s{re.escape(plain(indicator.max))}\s+"
                  rf"{re.escape(plain(indicator.step))}(\s|$)")
        assert re.search(points, row_of(lines, indicator.id)), indicator.id
        assert squeeze(indicator.guidance)[:12] in text
    for grade in scheme.grades:
        assert squeeze(grade.label_en) in text
    rows = squeeze(" ".join(lines))
    for veto in scheme.vetoes:
        assert squeeze(f"{veto.id}{veto.name_en}") in rows
    footer = squeeze(f"Scheme {scheme.id} · SHA-256 {scheme.sha256}")
    assert len(scheme.sha256) == 64
    for n, page in enumerate(pages, 1):
        assert footer in page and f"page{n}of{len(pages)}" in page


def test_chinese_print_of_the_default_scheme(tmp_path):
    scheme = builtin_scheme("sd-perf-5d")
    with chinese(ZH):
        path = write_scheme_pdf(tmp_path / "scheme.pdf", scheme)
    pages = pages_of(path)
    text = "".join(pages)
    assert squeeze(scheme.name) in pages[0]
    assert "评估指标体系·版本2026.1" in pages[0]
    assert "满分100" in text and "计分方法" in text and "等级划分" in text
    assert "优秀" in text and "一票否决" in text and "弄虚作假、数据造假" in text
    assert "评分要点" in text and "步长" in text and "总分100" in text
    for indicator in scheme.indicators:
        assert squeeze(f"{indicator.id} {indicator.name}") in text
    assert "建设效益小计20" in text                     # the subtotal of dimension A
    assert "佐证数据：" in text                          # evidence metrics by catalogue name
    assert f"第1页/共{len(pages)}页" in pages[0]
    # the overview stands on the first page; the indicators start a page of their own
    assert "等级划分" in pages[0] and "评分要点" not in pages[0]


def test_application_scheme_prints_its_formal_review_checks(tmp_path):
    scheme = builtin_scheme("application-review")
    assert scheme.checks
    path = write_scheme_pdf(tmp_path / "app.pdf", scheme)
    text = "".join(pages_of(path))
    rows = squeeze(" ".join(layout_of(path)))
    assert "Formalreview" in text
    for check in scheme.checks:
        assert squeeze(f"{check.id}{check.name_en}") in rows
    assert "automatic:Coreresearch-networkmembersatleast3" in text
    assert "tickedbythesecretary" in text


def test_batch_name_and_id_are_printed_when_given(tmp_path):
    scheme = builtin_scheme("sd-perf-5d")
    batch = Batch(id="B2026-test", name="2026 年度绩效评估", year=2026,
                  kind=BatchKind.PERFORMANCE, stage=Stage.DOSSIER_REVIEW,
                  scheme_id=scheme.id, scheme_text=scheme.text,
                  scheme_sha256=scheme.sha256, role=Role.SECRETARY,
                  created_at="2026-01-01T00:00:00Z")
    path = tmp_path / "scheme.pdf"
    path.write_bytes(scheme_pdf_bytes(scheme, batch))
    first = pages_of(path)[0]
    assert "Evaluationbatch2026年度绩效评估" in first and "BatchIDB2026-test" in first


def test_automatic_indicator_and_markup_in_guidance(tmp_path):
    scheme = parse_scheme(AUTOMATIC_SCHEME)
    text = "".join(pages_of(write_scheme_pdf(tmp_path / "auto.pdf", scheme)))
    assert in_order("\n".join(layout_of(tmp_path / "auto.pdf")),
                    "automatic from Guidelines/consensus led: full points at 5")
    assert "第一行第二行<b>不是标记</b>&符号" in text          # escaped, not markup
    assert "Total10" in text


def test_writing_replaces_the_file_whole(tmp_path):
    path = tmp_path / "scheme.pdf"
    path.write_bytes(b"old")
    write_scheme_pdf(path, builtin_scheme("nat-perf-2017"))
    assert path.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir()] == ["scheme.pdf"]   # no temporary left


# -- the command-line twin ----------------------------------------------------------------
def test_cmrc_scheme_print_of_a_builtin_and_of_a_workspace(tmp_path, capsys):
    from cmrc_desktop.cli import main
    from cmrc_desktop.services.workspace import create_workspace

    out = tmp_path / "app.pdf"
    assert main(["--lang", "en", "scheme", "print", "application-review", "--out",
                 str(out)]) == 0
    scheme = builtin_scheme("application-review")
    assert scheme.sha256 in capsys.readouterr().out
    assert "Formalreview" in "".join(pages_of(out))

    scheme = builtin_scheme("sd-perf-5d")
    create_workspace(tmp_path / "ws", name="2026 年度绩效评估", year=2026, kind="performance",
                     stage="dossier_review", scheme=scheme, role="secretary",
                     batch_id="B2026-cli").close()
    out = tmp_path / "ws.pdf"
    assert main(["--lang", "en", "scheme", "print", "--workspace", str(tmp_path / "ws"),
                 "--out", str(out)]) == 0
    first = pages_of(out)[0]
    assert "BatchIDB2026-cli" in first and squeeze(scheme.sha256) in first


@pytest.mark.parametrize(("args", "message"), [
    ([], "give a scheme (built-in id or file) or --workspace, not both"),
    (["no-such-scheme"], "no built-in scheme with id 'no-such-scheme'"),
    (["sd-perf-5d", "--workspace", "ws"], "not both"),
])
def test_cmrc_scheme_print_refuses_unclear_requests(tmp_path, capsys, args, message):
    from cmrc_desktop.cli import main

    code = main(["--lang", "en", "scheme", "print", *args, "--out", str(tmp_path / "x.pdf")])
    assert code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_cmrc_scheme_print_names_a_folder_it_cannot_write(tmp_path, capsys):
    from cmrc_desktop.cli import main

    out = tmp_path / "missing" / "x.pdf"
    assert main(["--lang", "en", "scheme", "print", "sd-perf-5d", "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == f"{out}: cannot write the file: No such file " \
                                              "or directory"
