"""The signed result report (评审结果报告): a real demo batch is graded, gathered into a
ReportData and written; pyHanko and ``verify_report_pdf`` check the batch signature over
the entire file, and pdftotext reads back the title, every centre and every final score.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from cmrc_desktop import i18n
from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.numbers import fmt
from cmrc_desktop.exchange import report_pdf
from cmrc_desktop.exchange.pdf_signing import simple_signer
from cmrc_desktop.exchange.report_data import ReportData
from cmrc_desktop.exchange.report_pdf import verify_report_pdf, write_report_pdf
from cmrc_desktop.scoring.grading import FLAG_INCOMPLETE, CentreResult
from cmrc_desktop.services import keyring, report, review
from cmrc_desktop.services.demo import build_demo
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.signing import keys
from cmrc_desktop.storage import expert_repo, score_repo
from tests.unit.exchange.chinese_overlay import chinese

PASSWORD = "test-password-1"
GENERATED = "2026-11-22T06:18:24Z"
TITLE_ZH = "临床医学研究中心评审结果报告"
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="poppler-utils not installed")

# The msgids report_pdf.py adds, with their Chinese (those it shares with the workbook as
# the workbook has them), and those of report_data.py: the tests and the render use them so
# that the pages read as they will once cmrc.po holds them.
ZH = {
    "Clinical research centre evaluation result report": TITLE_ZH,
    "Result report of the evaluation batch {batch}": "评估批次 {batch} 的评审结果报告",
    "the PDF is encrypted; a result report never is": "该 PDF 已加密；评审结果报告不会加密",
    "the PDF carries {count} signatures; a result report carries exactly one":
        "该 PDF 含有 {count} 个签名；评审结果报告只应含有一个签名",
    "the report is not signed with the key of this batch": "该报告不是用本评估批次的密钥签名的",
    "{year}-{month:02d}-{day:02d}": "{year}年{month}月{day}日",
    "Mean": "平均分",
    "Median": "中位数",
    "Mean without the highest and lowest totals": "去掉最高分和最低分后的平均分",
    "Final score: the mean of the expert totals after dropping the {trim} highest and the "
    "{trim} lowest; with fewer than {n} complete sheets, the plain mean.":
        "最终得分：去掉 {trim} 个最高和 {trim} 个最低的专家总分后取平均；已完成评分表少于 {n} 份时"
        "直接取平均分。",
    "Final score: the median of the expert totals.": "最终得分：专家总分的中位数。",
    "Final score: the mean of the expert totals.": "最终得分：专家总分的平均分。",
    "A centre with fewer than {n} complete sheets gets no final score, grade or rank; "
    "figures are rounded half-up to {decimals} decimals.":
        "已完成评分表少于 {n} 份的中心不计算最终得分、等级和排名；分数四舍五入保留 {decimals} 位小数。",
    "{grade} ≥ {min}": "{grade} ≥ {min}",
    "{grade} below {min}": "{grade} < {min}",
    "{band} (at most {share}% of the graded centres)": "{band}（不超过已评定中心的 {share}%）",
    "Year": "年度",
    "Evaluation type": "评估类型",
    "Evaluation stage": "评估阶段",
    "Scheme": "指标体系",
    "{name} (version {version})": "{name}（版本 {version}）",
    "Scheme SHA-256": "指标体系 SHA-256",
    "Aggregation method": "汇总方法",
    "Grade bands": "等级划分",
    "Centres evaluated": "参评中心数",
    "Report date": "报告日期",
    "Evaluation panel": "评审专家组",
    "No.": "序号",
    "Expert ID": "专家编号",
    "Name": "姓名",
    "Professional title": "职称",
    "Specialty": "专业",
    "Level": "级别",
    "Ranking of the centres": "中心排名",
    "{flag}: {meaning}": "{flag}：{meaning}",
    "{grade}: {n}": "{grade} {n} 个",
    "no grade": "未评定等级",
    "Grades: {counts}": "等级分布：{counts}",
    "Not graded: {n} complete sheets, the scheme requires at least {min}. There is no final "
    "score, grade or rank.":
        "未评定：已完成评分表 {n} 份，少于本方案要求的 {min} 份，不计算最终得分、等级和排名。",
    "No final score: {n} complete sheets, the scheme requires at least {min}; the veto gives "
    "the worst grade.": "无最终得分：已完成评分表 {n} 份，少于本方案要求的 {min} 份；因一票否决评为最低等级。",
    "Dimension scores": "维度得分",
    "Dimension scores are computed by the same method, each on its own, so they need not "
    "add up to the final score.": "维度得分按同一方法分别计算，相加不一定等于最终得分。",
    "Spread of the expert totals": "专家总分分布",
    "No complete scoresheet for this centre yet.": "该中心尚无已完成的评分表。",
    "Incomplete scoresheets, not counted: {sheets}.": "未完成的评分表（不计入）：{sheets}。",
    "Disease field": "疾病领域",
    "{rank} of {count}": "第 {rank} 名 / 共 {count} 名",
    "Points scored": "得分",
    "Share of max": "得分率",
    "{method} (this scheme)": "{method}（本方案）",
    "Method comparison": "方法比较",
    "The grade is the same under every method.": "各种汇总方法下等级一致。",
    "Flags and vetoes": "标记与一票否决",
    "{veto}: {reason}": "{veto}：{reason}",
    "Reason: {reason}": "理由：{reason}",
    "Panel leader (signature)": "评审组长（签字）",
    "Secretary (signature)": "评审秘书（签字）",
    "This document is signed electronically with the key of the evaluation batch ({name}) "
    "at {time}; certificate SHA-256 fingerprint: {fingerprint}. The signature covers the "
    "entire file: any change to the file breaks it.":
        "本文件已于 {time} 使用评估批次（{name}）的密钥进行电子签名，证书 SHA-256 指纹："
        "{fingerprint}。签名覆盖整个文件，对文件的任何改动都会使签名失效。",
    "The evaluation panel has reviewed the results of the {count} centres in this report "
    "(evaluation batch {batch}) and confirms the scores, grades and ranks it contains.":
        "评审组已审阅本报告所列 {count} 个中心的评审结果（评估批次：{batch}），确认其中的得分、"
        "等级和排名。",
    "Confirmation by the panel": "评审组确认",
    "This centre": "本中心",
    "Average of the graded centres": "已评定中心平均",
    "Final score {score}": "最终得分 {score}",
    # report_data.py (the lead's msgids), as the workbook's tests have them
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





# -- a real batch -----------------------------------------------------------------------------
def make_demo(out: Path, *, centres: int = 4, experts: int = 5, seed: int = 1) -> Path:
    """A demo batch with a veto on C001 and one sheet of C004 left incomplete (with seed 1,
    C003 has only two sheets: too few to grade)."""
    summary = build_demo(out, centres=centres, experts=experts, seed=seed, password=PASSWORD,
                         with_experts=False)
    with open_workspace(summary.secretary, actor="test") as ws:
        review.record_veto(ws, "C001", "V1", "年度报告中的临床研究数据与原始记录不符")
        last = max(e for e, c in expert_repo.list_assignments(ws.db) if c == "C004")
        score_repo.delete_score(ws.db, last, "C004", "B3")
    return summary.secretary


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[ReportData, keys.KeyPair]:
    i18n.set_language("en")
    with open_workspace(make_demo(tmp_path_factory.mktemp("report") / "demo")) as ws:
        data = dataclasses.replace(report.gather(ws)[0], generated_at=GENERATED,
                                   merge_rows=(), matrix={})
        return data, keyring.open_batch_ca(ws, PASSWORD)


@pytest.fixture(scope="module")
def data(batch) -> ReportData:
    return batch[0]


@pytest.fixture(scope="module")
def ca(batch) -> keys.KeyPair:
    return batch[1]


@pytest.fixture(scope="module")
def signed(tmp_path_factory, data, ca) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    with chinese(ZH):
        write_report_pdf(path, data, ca)
    return path


@pytest.fixture
def copy(signed, tmp_path) -> Path:
    """A private copy of the signed report, free to be tampered with."""
    return Path(shutil.copy(signed, tmp_path / "copy.pdf"))


def text_of(path: Path) -> str:
    """The text of the PDF with all white space removed (pdftotext breaks lines)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True).stdout.decode("utf-8")
    return "".join(out.split())


def pages_of(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True).stdout.decode("utf-8")
    return ["".join(page.split()) for page in out.split("\f")[:-1]]


def refused(path: Path, root) -> str:
    with pytest.raises(InputError) as info:
        verify_report_pdf(path, trust_root=root)
    assert info.value.file == str(path)
    return info.value.message


# -- the data the tests rely on ------------------------------------------------------------
def test_the_demo_batch_has_a_veto_an_ungraded_centre_and_an_incomplete_sheet(data):
    c001, c003, c004 = (data.result.centre(c) for c in ("C001", "C003", "C004"))
    assert c001.vetoes == ["V1"] and c001.rank is None and c001.final is not None
    assert c003.final is None and c003.experts == 2 and FLAG_INCOMPLETE in c003.flags
    assert c004.final is not None and len(c004.incomplete_experts) == 1
    assert sum(1 for r in data.result.centres if r.rank is not None) == 2


# -- the signature ----------------------------------------------------------------------------
def test_the_signature_is_pades_by_the_batch_key_over_the_entire_file(signed, ca):
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    with signed.open("rb") as fh:
        reader = PdfFileReader(fh)
        (sig,) = reader.embedded_signatures
        assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
        root = asn1_x509.Certificate.load(ca.cert.public_bytes(serialization.Encoding.DER))
        status = validate_pdf_signature(sig, ValidationContext(
            trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail"))
        assert status.intact and status.valid and status.trusted
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        assert status.md_algorithm == "sha256"
        assert sig.signer_cert.sha256.hex() == keys.fingerprint(ca.cert)
        in_cms = {c.chosen.sha256.hex() for c in sig.signed_data["certificates"]}
        assert in_cms == {keys.fingerprint(ca.cert)}       # the batch CA, nothing above it


def test_verify_accepts_the_report(signed, ca):
    verify_report_pdf(signed, trust_root=ca.cert)


def test_an_appended_byte_is_refused(copy, ca):
    copy.write_bytes(copy.read_bytes() + b"\n")
    assert refused(copy, ca.cert) == "the PDF was modified after signing"


@pytest.mark.parametrize("where", [0.2, 0.5, 0.8])
def test_a_flipped_byte_is_refused(copy, ca, where):
    data = bytearray(copy.read_bytes())
    data[int(len(data) * where)] ^= 0x20
    copy.write_bytes(bytes(data))
    refused(copy, ca.cert)


def test_an_incremental_update_is_refused(copy, ca):
    with copy.open("rb+") as fh:
        writer = IncrementalPdfFileWriter(fh)
        writer.root["/Lang"] = generic.TextStringObject("en")
        writer.update_root()
        writer.document_meta.title = "altered"
        writer.write_in_place()
    assert refused(copy, ca.cert) == "the PDF was modified after signing"


def test_a_second_signature_is_refused(copy, ca):
    from pyhanko.sign import fields, signers

    with copy.open("rb+") as fh:
        writer = IncrementalPdfFileWriter(fh)
        signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name="Second", md_algorithm="sha256",
                                         subfilter=fields.SigSeedSubFilter.PADES),
            signer=simple_signer(ca)).sign_pdf(writer, in_place=True)
    assert refused(copy, ca.cert) == ("the PDF carries 2 signatures; a result report "
                                      "carries exactly one")


def test_a_report_signed_by_another_batch_is_refused(tmp_path, data, ca):
    other = keys.make_batch_ca(data.batch.id, data.batch.name)   # same names, other key
    path = tmp_path / "other.pdf"
    write_report_pdf(path, data, other)
    verify_report_pdf(path, trust_root=other.cert)
    assert refused(path, ca.cert) == "the report is not signed with the key of this batch"


def test_a_report_signed_by_an_expert_of_the_batch_is_refused(tmp_path, data, ca):
    expert = keys.issue_expert_certificate(ca, data.batch.id, "E01", "专家", "医院")
    path = tmp_path / "expert.pdf"
    write_report_pdf(path, data, expert)
    assert refused(path, ca.cert) == "the report is not signed with the key of this batch"


def test_an_unsigned_or_missing_file_is_refused(tmp_path, data, ca):
    path = tmp_path / "unsigned.pdf"
    path.write_bytes(report_pdf._Report(data, ca, report_pdf.dt.datetime.now()).build())
    assert refused(path, ca.cert) == "the PDF is not signed"
    with pytest.raises(InputError, match="does not exist"):
        verify_report_pdf(tmp_path / "nowhere.pdf", trust_root=ca.cert)
    (tmp_path / "empty.pdf").write_bytes(b"")
    assert refused(tmp_path / "empty.pdf", ca.cert) == "the file is empty"


def test_a_failed_write_leaves_the_destination_untouched(tmp_path, data, ca, monkeypatch):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"the previous report")

    def broken(*_args, **_kwargs):
        raise InputError("signing failed")

    monkeypatch.setattr(report_pdf, "sign_pdf", broken)
    with pytest.raises(InputError):
        write_report_pdf(path, data, ca)
    assert path.read_bytes() == b"the previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


# -- what it says -----------------------------------------------------------------------------
def page_count(path: Path) -> int:
    with path.open("rb") as fh:
        return int(PdfFileReader(fh).root["/Pages"]["/Count"])


def test_cover_ranking_one_page_per_centre_and_the_signature_page(signed, data):
    assert page_count(signed) == 2 + len(data.result.centres) + 1


@needs_poppler
def test_the_text_holds_the_title_every_centre_and_every_final_score(signed, data):
    text = text_of(signed)
    assert TITLE_ZH in text
    assert "".join(data.batch.name.split()) in text
    for centre in data.centres.values():
        assert "".join(centre.name.split()) in text, centre.name
    finals = [r.final_rounded for r in data.result.centres if r.final_rounded is not None]
    assert len(finals) == 3
    for final in finals:
        assert fmt(final, 2) in text
    for expert in data.experts.values():
        assert expert.name in text and expert.institution in text


@needs_poppler
def test_each_page_says_what_it_should(signed, data):
    pages = pages_of(signed)
    cover, ranking, *centres, last = pages
    assert TITLE_ZH in cover and "评审专家组" in cover and data.scheme.version in cover
    assert data.scheme.sha256[:16] in cover and "2026年11月22日" in cover
    # ranking: ranked first by rank, then the unranked by id
    ordered = sorted((r for r in data.result.centres if r.rank is not None),
                     key=lambda r: (r.rank, r.centre))
    ordered += sorted((r for r in data.result.centres if r.rank is None), key=lambda r: r.centre)
    names = [data.centres[r.centre].name for r in ordered]
    positions = [ranking.index("".join(n.split())) for n in names]
    assert positions == sorted(positions)
    assert "一票否决V1" in ranking and "评分表不足" in ranking
    for r, page in zip(sorted(data.result.centres, key=lambda r: r.centre), centres,
                       strict=True):
        centre = data.centres[r.centre]
        assert "".join(centre.name.split()) in page and centre.host in page
        for total in r.expert_totals.values():
            assert fmt(total, 2) in page
        if r.final is None:
            assert "未评定：已完成评分表2份" in page
            assert "最终得分" not in page.split("专家总分分布")[1].split("标记")[0]
        else:
            assert f"最终得分{fmt(r.final_rounded, 2)}" in page
            for d in data.scheme.dimensions:
                assert fmt(r.dimensions[d.id], 2) in page
    veto_page = centres[0]
    assert "年度报告中的临床研究数据与原始记录不符" in veto_page and "一票否决V1" in veto_page
    assert "评审组长（签字）" in last and "评审秘书（签字）" in last and "日期" in last
    assert "任何改动都会使签名失效" in last
    assert all(data.batch.name.replace(" ", "") in p and f"共{len(pages)}页" in p for p in pages)


@needs_poppler
def test_the_report_is_chinese_by_default_once_the_catalogue_has_it(tmp_path, data, ca):
    i18n.set_language("zh_CN")
    try:
        title = report_pdf.report_title()
        path = tmp_path / "default.pdf"
        write_report_pdf(path, data, ca)
    finally:
        i18n.set_language("en")
    if title != TITLE_ZH:
        pytest.skip("the zh_CN catalogue does not hold the report's msgids yet")
    assert TITLE_ZH in text_of(path)


@needs_poppler
def test_english_when_asked(tmp_path, data, ca):
    path = tmp_path / "en.pdf"
    write_report_pdf(path, data, ca)
    text = text_of(path)
    assert "Clinicalresearchcentreevaluationresultreport" in text
    assert "Panelleader(signature)" in text


# -- the charts -------------------------------------------------------------------------------
def _shapes(drawing, kind):
    from reportlab.graphics.shapes import Group

    found = []
    for item in drawing.contents:
        if isinstance(item, Group):
            found += _shapes(item, kind)
        elif isinstance(item, kind):
            found.append(item)
    return found


def test_the_radar_polygon_is_each_dimension_as_a_share_of_its_maximum(data, ca):
    from reportlab.graphics.shapes import Polygon

    layout = report_pdf._Report(data, ca, report_pdf.dt.datetime.now())
    r = data.result.centre("C002")
    axes = layout.axes(r)
    drawing = report_pdf._radar_chart(layout, axes, layout.average_shares)
    *webs, polygon = _shapes(drawing, Polygon)
    assert len(webs) == 5                                 # 20, 40, 60, 80, 100 %
    outer = webs[-1].points
    centre_x = sum(outer[0::2]) / len(axes)
    centre_y = sum(outer[1::2]) / len(axes)
    for i, d in enumerate(data.scheme.dimensions):
        maximum = sum(ind.max for ind in data.scheme.indicators_of(d.id))
        share = Fraction(r.dimensions[d.id]) / Fraction(maximum)
        assert axes[i].share == share
        px, py = polygon.points[2 * i] - centre_x, polygon.points[2 * i + 1] - centre_y
        ox, oy = outer[2 * i] - centre_x, outer[2 * i + 1] - centre_y
        assert abs((px * px + py * py) ** 0.5 / (ox * ox + oy * oy) ** 0.5 - float(share)) < 1e-6
        assert abs(px * oy - py * ox) < 1e-6               # on the dimension's own spoke


def test_a_centre_without_any_complete_sheet_gets_no_chart(tmp_path, data, ca):
    nothing = CentreResult("C004", {}, {}, ["E01"], {}, None, None, [], flags=[FLAG_INCOMPLETE])
    centres = [nothing if r.centre == "C004" else r for r in data.result.centres]
    empty = dataclasses.replace(data, result=dataclasses.replace(data.result, centres=centres))
    layout = report_pdf._Report(empty, ca, report_pdf.dt.datetime.now())
    page = layout._centre_page(nothing)
    from reportlab.graphics.shapes import Drawing

    assert not any(isinstance(f, Drawing) for f in page)
    path = tmp_path / "empty.pdf"
    write_report_pdf(path, empty, ca)
    verify_report_pdf(path, trust_root=ca.cert)
    if shutil.which("pdftotext"):
        assert "No complete scoresheet for this centre yet." in " ".join(
            subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                           text=True).stdout.split())


def test_fewer_than_three_dimensions_are_drawn_as_bars(data, ca):
    from reportlab.graphics.shapes import Polygon, Rect

    layout = report_pdf._Report(data, ca, report_pdf.dt.datetime.now())
    axes = layout.axes(data.result.centre("C002"))[:2]
    drawing = report_pdf._radar_chart(layout, axes, None)
    assert not _shapes(drawing, Polygon)
    bars = _shapes(drawing, Rect)
    assert len(bars) == 2
    assert abs(bars[0].width / bars[1].width - float(axes[0].share / axes[1].share)) < 1e-9


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_every_font_is_the_bundled_one_embedded_as_a_subset(signed):
    out = subprocess.run(["pdffonts", str(signed)], check=True, capture_output=True,
                         text=True).stdout.splitlines()[2:]
    assert out
    for line in out:
        assert "WenQuanYiMicroHei" in line, line
        assert line.split()[-5:-2] == ["yes", "yes", "yes"], line   # emb sub uni
