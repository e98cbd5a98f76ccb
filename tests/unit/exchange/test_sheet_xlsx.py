"""The signed Excel scoresheet: written by the expert's program, read by the secretary's.

A real batch CA and expert certificate sign a full sd-perf-5d payload; the tests then do
to the file what people do to files (re-save it in openpyxl or LibreOffice, retype a
score, rename a CSV) and check that the reader says what happened in plain words.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.exchange.sheet_content import build_sheet_content, shown_metrics
from cmrc_desktop.exchange.sheet_xlsx import (
    CHUNK,
    COL_COMMENT,
    COL_INDICATOR,
    COL_SCORE,
    FIRST_ROW,
    FORMAT,
    HEADER_ROW,
    XlsxSheet,
    read_sheet_xlsx,
    write_sheet_xlsx,
)
from cmrc_desktop.exchange.sheet_xlsx_check import check_sheet, plan_problems
from cmrc_desktop.scoring.builtin import builtin_scheme, catalog
from cmrc_desktop.signing import keys
from cmrc_desktop.signing.payload import SheetPayload, verify
from tests.unit.exchange.chinese_overlay import chinese

SCHEME = "sd-perf-5d"
BATCH = "SD-2025-PERF"

# The msgids this module adds, with the Chinese the lead puts into cmrc.po. The demo
# render uses them so that the page looks as it will once the catalogue has them.
ZH = {
    "Clinical research centre evaluation scoresheet": "临床医学研究中心评估评分表",
    "Scoresheet": "评分表",
    "Evaluation batch": "评估批次",
    "Date": "日期",
    "Centre name": "中心名称",
    "Centre ID": "中心编号",
    "Host institution": "依托单位",
    "Revision": "修订版本",
    "Expert": "评审专家",
    "Institution": "所在单位",
    "Dimension": "维度",
    "Indicator": "指标",
    "Max points": "分值",
    "Guidance": "评分要点",
    "Reported data": "中心填报数据",
    "Score": "专家评分",
    "Comment": "说明",
    "Subtotal": "小计",
    "Total": "总分",
    "Expert opinion": "评审意见",
    "Main achievements": "主要成绩",
    "Problems": "存在问题",
    "Recommendations": "建议",
    "Expert signature": "专家签名",
    "Expert: {name}": "评审专家：{name}",
    "Signed electronically by {expert} on {date} (payload fingerprint {fingerprint}). "
    "The signed data is stored in this workbook; any change to the cells above is detected "
    "when the sheet is imported.":
        "本表已由 {expert} 于 {date} 电子签名（数据指纹 {fingerprint}），签名数据保存在本工作簿中；"
        "上述单元格内容如被改动，导入时将被发现。",
    "Fingerprint {fingerprint}": "数据指纹 {fingerprint}",
    "Page &P of &N": "第 &P 页 / 共 &N 页",
    "a signed scoresheet needs the expert's certificate": "签名评分表需要专家证书",
    "the signature image cannot be read": "无法读取签名图像",
    "this workbook is not a CMRC scoresheet: it carries no signed scoresheet data":
        "该工作簿不是 CMRC 评分表：其中没有已签名的评分数据",
    "this scoresheet was made in a format this version does not know ({format}); "
    "update CMRC Desktop": "该评分表的格式（{format}）本版本无法识别，请更新 CMRC Desktop",
    "the signature data in the file is incomplete": "文件中的签名数据不完整",
    "the signature data in the file is damaged": "文件中的签名数据已损坏",
    "the file is damaged or oversized: a part of the workbook is too large to unpack "
    "safely": "文件已损坏或过大：工作簿中有部分内容过大，无法安全解压",
    "cell {cell} ({what}): the signed text is “{signed}”, the sheet shows “{shown}”":
        "单元格 {cell}（{what}）：签名内容为“{signed}”，表中显示为“{shown}”",
    "cell {cell} ({what}): the signed value is {signed}, the sheet shows {shown}":
        "单元格 {cell}（{what}）：签名值为 {signed}，表中显示为 {shown}",
    "subtotal of {indicators}": "{indicators} 小计",
    "indicator {id} is signed but the sheet has no row for it (column {letter})":
        "指标 {id} 已签名，但表中（{letter} 列）没有该指标的行",
    "indicator {id} appears in more than one row ({rows})": "指标 {id} 出现在多行中（{rows}）",
    "{indicator}, score": "{indicator}，评分",
    "{indicator}, comment": "{indicator}，说明",
}





@pytest.fixture(scope="module")
def pki():
    ca = keys.make_batch_ca(BATCH, "2025年度山东省临床医学研究中心绩效评估")
    expert = keys.issue_expert_certificate(ca, BATCH, "E07", "李明", "山东大学齐鲁医院")
    return ca, expert


COMMENTS = {
    "A1": "样本库规模较大，已通过 ISO 20387 认证；共享次数偏少。",
    "A3": "核心团队稳定，青年骨干比例偏低。",
    "B1": "牵头制定团体标准 2 项，被采纳指南 3 项。",
    "C1": "牵头多中心研究 5 项，入组进度良好。",
    "D1": "基层培训覆盖 16 市，线上线下结合，成效明显。",
    "E2": "伦理审查制度健全，生物安全管理有记录可查。",
}
SCORES = ["5.5", "5", "3.5", "4", "7", "4.5", "5", "2.5", "3", "7.5",
          "5", "5.5", "4", "7", "5.5", "2.5", "3", "3.5", "3", "2.5"]


def make_payload(expert: keys.KeyPair, **changes) -> SheetPayload:
    scheme = builtin_scheme(SCHEME)
    fields = dict(
        batch_id=BATCH, batch_name="2025年度山东省临床医学研究中心绩效评估",
        scheme_id=scheme.id, scheme_sha256=scheme.sha256, centre_id="C001",
        centre_name="山东省心血管疾病临床医学研究中心", host="山东大学齐鲁医院",
        expert_id="E07", expert_name="李明", institution="山东第一医科大学附属省立医院",
        cert_fingerprint=keys.fingerprint(expert.cert), revision=1,
        signed_at="2025-06-18T02:42:05Z", evidence={
            m: METRICS.get(m) for m in shown_metrics(scheme)},
        scores={ind.id: Decimal(s) for ind, s in zip(scheme.indicators, SCORES, strict=True)},
        comments=dict(COMMENTS),
        achievements="中心建设目标基本完成：建成覆盖全省 16 市的协同网络，牵头制定诊疗规范 2 项，"
                     "多中心临床研究入组 3200 例，适宜技术在基层推广成效明显。",
        problems="1. 成果转化偏少，专利转化率低；\n2. 青年研究人员比例偏低；\n3. 数据共享机制尚未形成制度。",
        recommendations="加强与企业合作推动成果转化；完善人才梯队；建立数据共享管理办法并定期公开共享情况。")
    fields.update(changes)
    return SheetPayload(**fields)


METRICS = {"biobanks": Decimal(4), "biobank_samples": Decimal(120000),
           "network_members": Decimal(86), "core_members": Decimal(24),
           "promotion_members": Decimal(62), "cities_covered": Decimal(16),
           "sub_centres": Decimal(5), "core_staff": Decimal(38),
           "funding_host": Decimal("850.5"), "funding_competitive": Decimal(1230),
           "guidelines_led": Decimal(2), "guidelines_adopted": Decimal(3),
           "new_technologies": Decimal(7), "multicentre_led": Decimal(5),
           "cohorts": Decimal(3), "cohort_population": Decimal(21000),
           "trained_personnel": Decimal(4200)}


def write(path: Path, pki, *, signature_png: bytes | None = None, **changes) -> SheetPayload:
    _ca, expert = pki
    if signature_png:
        changes["signature_png"] = hashlib.sha256(signature_png).hexdigest()
    payload = make_payload(expert, **changes)
    content = build_sheet_content(payload, builtin_scheme(SCHEME), catalog())
    write_sheet_xlsx(path, content, expert, signature_png=signature_png)
    return payload


def check(path: Path, payload: SheetPayload) -> str | None:
    """Why the verifier refuses the workbook at ``path`` (None: it shows ``payload``)."""
    return check_sheet(read_sheet_xlsx(path), payload, builtin_scheme(SCHEME), catalog())


def problems(path: Path, payload: SheetPayload) -> list[str]:
    """Every cell-level difference the verifier finds (of a workbook still readable)."""
    sheet = read_sheet_xlsx(path)
    assert sheet.book is not None, sheet.odd
    return plan_problems(sheet.book, payload, builtin_scheme(SCHEME), catalog())


def signature_png() -> bytes:
    """A hand-drawn looking signature (a few strokes), as the signing pad produces."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (360, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    strokes = [[(20, 80), (45, 30), (60, 90), (80, 35), (95, 85)],
               [(120, 60), (150, 40), (170, 70), (160, 95), (135, 80), (200, 50)],
               [(215, 85), (240, 30), (255, 75), (290, 45), (330, 70)]]
    for stroke in strokes:
        draw.line(stroke, fill=(20, 30, 90, 255), width=5, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def row_of(ws, indicator: str) -> int:
    for row in range(FIRST_ROW, ws.max_row + 1):
        if str(ws.cell(row, COL_INDICATOR).value or "").startswith(indicator + " "):
            return row
    raise AssertionError(indicator)


def custom_props(path: Path) -> dict[str, str]:
    wb = openpyxl.load_workbook(path)
    return {p.name: p.value for p in wb.custom_doc_props}


# -- writing and reading back -------------------------------------------------------------------
def test_round_trip_keeps_payload_signature_and_chain(tmp_path, pki):
    ca, expert = pki
    path = tmp_path / "sheet.xlsx"
    payload = write(path, pki)
    sheet = read_sheet_xlsx(path)
    assert isinstance(sheet, XlsxSheet)
    assert sheet.payload_bytes == payload.canonical()
    assert sheet.payload == payload.__class__.from_bytes(payload.canonical())
    assert verify(sheet.certs[0].public_key(), sheet.payload_bytes, sheet.signature)
    assert [keys.fingerprint(c) for c in sheet.certs] == [keys.fingerprint(expert.cert),
                                                          keys.fingerprint(ca.cert)]
    assert keys.is_issued_by(sheet.certs[0], sheet.certs[1])
    assert keys.is_issued_by(sheet.certs[1], ca.cert)
    assert check(path, sheet.payload) is None


def test_properties_are_chunked_and_counted(tmp_path, pki):
    path = tmp_path / "sheet.xlsx"
    write(path, pki)
    props = custom_props(path)
    assert props["cmrc.format"] == FORMAT
    assert props["cmrc.cert.count"] == "2"
    assert all(len(v) <= CHUNK for v in props.values())
    count = int(props["cmrc.payload.count"])
    assert count > 1
    assert [k for k in props if k.startswith("cmrc.payload.0")] == [
        f"cmrc.payload.{i:03d}" for i in range(count)]
    assert "cmrc.signature.000" in props and "cmrc.cert1.000" in props
    # nothing tucked away in hidden sheets: one visible worksheet
    wb = openpyxl.load_workbook(path)
    assert [ws.sheet_state for ws in wb.worksheets] == ["visible"]


def test_every_score_is_a_text_cell_holding_the_payload_string(tmp_path, pki):
    path = tmp_path / "sheet.xlsx"
    payload = write(path, pki)
    ws = openpyxl.load_workbook(path).active
    for ind, value in payload.scores.items():
        cell = ws.cell(row_of(ws, ind), COL_SCORE)
        assert cell.data_type == "s"
        assert cell.value == format(value, "f")
    assert ws.cell(row_of(ws, "A1"), COL_COMMENT).value == COMMENTS["A1"]


def test_labels_go_through_the_translation(tmp_path, pki):
    path = tmp_path / "sheet.xlsx"
    with chinese(ZH):
        write(path, pki)
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[HEADER_ROW]] == [
        "维度", "指标", "分值", "评分要点", "中心填报数据", "专家评分", "说明"]
    assert ws["A1"].value == "临床医学研究中心评估评分表"
    assert ws.cell(row_of(ws, "A1"), COL_INDICATOR).value == "A1 平台建设与共享"
    values = {c.value for row in ws.iter_rows() for c in row if c.value}
    assert {"小计", "总分", "评审意见", "主要成绩", "存在问题", "建议", "专家签名"} <= values
    assert ws.oddFooter.center.text == "第 &P 页 / 共 &N 页"


def test_formula_like_names_stay_text(tmp_path, pki):
    path = tmp_path / "sheet.xlsx"
    evil = '=HYPERLINK("http://x","y")'
    payload = write(path, pki, centre_name=evil, host="+cmd|' /C calc'!A0",
                    comments={"A1": "=1+1"}, problems="@SUM(A1:A2)")
    ws = openpyxl.load_workbook(path).active
    texts = {c.coordinate: c for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value[:1] in "=+@"}
    assert {c.value for c in texts.values()} >= {evil, "+cmd|' /C calc'!A0", "=1+1",
                                                 "@SUM(A1:A2)"}
    assert all(c.data_type == "s" for c in texts.values())
    assert check(path, payload) is None


def test_signature_image_is_embedded(tmp_path, pki):
    path = tmp_path / "sheet.xlsx"
    write(path, pki, signature_png=signature_png())
    with zipfile.ZipFile(path) as archive:
        assert any(n.startswith("xl/media/") for n in archive.namelist())
    assert check(path, read_sheet_xlsx(path).payload) is None


def test_unreadable_signature_image_is_refused(tmp_path, pki):
    with pytest.raises(InputError, match="signature image"):
        write(tmp_path / "sheet.xlsx", pki, signature_png=b"not a png")
    assert not (tmp_path / "sheet.xlsx").exists()


def test_print_setup(tmp_path, pki):
    path = tmp_path / "sheet.xlsx"
    write(path, pki)
    ws = openpyxl.load_workbook(path).active
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert ws.print_area
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    payload = make_payload(pki[1])
    assert payload.digest[:16] in ws.oddFooter.left.text


# -- what people do to files --------------------------------------------------------------------
def edit(path: Path, fn) -> None:
    wb = openpyxl.load_workbook(path)
    fn(wb.active)
    wb.save(path)


def test_a_changed_score_is_refused_naming_cell_and_values(tmp_path, pki):
    path = tmp_path / "sheet.xlsx"
    payload = write(path, pki)
    row = {}

    def change(ws):
        row["A3"] = row_of(ws, "A3")
        ws.cell(row["A3"], COL_SCORE).value = "4"

    edit(path, change)
    reason = check(path, payload)
    assert reason.startswith("the workbook is not the file the expert signed: "
                             f"cell F{row['A3']} (A3, score): the signed text is “3.5”, the "
                             "sheet shows “4”")
    assert "use the original file the expert exported, or its PDF" in reason
    # the printed subtotal and total still say the signed sums; only the score differs
    assert problems(path, payload) == [
        f"cell F{row['A3']} (A3, score): the signed text is “3.5”, the sheet shows “4”"]


def test_changed_totals_comments_opinion_and_names_are_found(tmp_path, pki):
    path = tmp_path / "sheet.xlsx"
    payload = write(path, pki)

    def change(ws):
        ws.cell(row_of(ws, "B1"), COL_COMMENT).value = "很好"
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == payload.problems:
                    cell.value = "无"
                if cell.value == payload.expert_name:
                    cell.value = "王五"
        ws.cell(row_of(ws, "E3") + 2, COL_SCORE).value = "99"   # the total row

    edit(path, change)
    found = problems(path, payload)
    text = "\n".join(found)
    assert len(found) == 4, text
    assert "(B1, comment): the signed text is “牵头制定团体标准 2 项，被采纳指南 3 项。”, " \
           "the sheet shows “很好”" in text
    assert "(Problems)" in text and "the sheet shows “无”" in text
    assert "(Expert): the signed text is “李明”, the sheet shows “王五”" in text
    assert "(Total): the signed text is “89”, the sheet shows “99”" in text


def test_a_score_retyped_as_a_number_is_refused_even_with_the_same_value(tmp_path, pki):
    """A number cell can show another figure than it holds (its format decides), so a
    scoresheet holds text only; a retyped score is refused whatever its value."""
    path = tmp_path / "sheet.xlsx"
    payload = write(path, pki)
    edit(path, lambda ws: setattr(ws.cell(row_of(ws, "A1"), COL_SCORE), "value", 5.5))
    reason = check(path, payload)
    assert "not the file the expert signed" in reason
    assert f"a value that is not text (cell F{FIRST_ROW})" in reason


def test_a_removed_or_duplicated_indicator_row_is_named(tmp_path, pki):
    path = tmp_path / "sheet.xlsx"
    payload = write(path, pki)

    def damage(ws):
        ws.cell(row_of(ws, "C2"), COL_INDICATOR).value = "研究队列"
        ws.cell(row_of(ws, "D1"), COL_INDICATOR).value = "A1 平台建设与共享"

    edit(path, damage)
    text = "\n".join(problems(path, payload))
    assert "the sheet shows “研究队列”" in text
    assert "the sheet shows “A1 平台建设与共享”" in text


def test_an_openpyxl_round_trip_is_refused_as_a_resave(tmp_path, pki):
    """Before #14 a workbook re-saved by openpyxl still verified; the cells are the same,
    but the parts are not what the expert signed, and a re-save cannot be told from a
    forgery cheaply enough to be safe."""
    path = tmp_path / "sheet.xlsx"
    payload = write(path, pki)
    before = custom_props(path)
    wb = openpyxl.load_workbook(path)
    wb.properties.lastModifiedBy = "张三"     # as Excel records who saved it
    wb.save(path)
    assert custom_props(path) == before
    sheet = read_sheet_xlsx(path)
    assert sheet.payload_bytes == payload.canonical()
    reason = check(path, payload)
    assert reason.startswith("the workbook is not the file the expert signed: the part "
                             "docProps/core.xml differs from the one the expert signed. ")
    assert reason.endswith("If it was opened and saved again in Excel, WPS or LibreOffice, "
                           "use the original file the expert exported, or its PDF")


def test_a_libreoffice_round_trip_is_refused_as_a_resave(tmp_path, pki):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed")
    src = tmp_path / "in" / "sheet.xlsx"
    src.parent.mkdir()
    payload = write(src, pki, signature_png=signature_png())
    out = tmp_path / "out"
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=180)
    resaved = out / "sheet.xlsx"
    assert resaved.read_bytes() != src.read_bytes()
    sheet = read_sheet_xlsx(resaved)
    assert sheet.payload_bytes == payload.canonical()
    assert verify(sheet.certs[0].public_key(), sheet.payload_bytes, sheet.signature)
    reason = check(resaved, payload)
    assert reason.startswith("the workbook is not the file the expert signed: ")
    assert "use the original file the expert exported, or its PDF" in reason


# -- files that are not what they claim ---------------------------------------------------------
def test_not_a_workbook_is_refused_in_plain_words(tmp_path, pki):
    csv = tmp_path / "scores.xlsx"
    csv.write_text("centre,expert,indicator,score\nC001,E07,A1,5.5\n", "utf-8")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    good = tmp_path / "good.xlsx"
    write(good, pki)
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    for path, words in ((csv, "not a readable Excel"), (empty, "empty"),
                        (truncated, "not a readable Excel"),
                        (tmp_path / "missing.xlsx", "does not exist")):
        with pytest.raises(InputError, match=words) as info:
            read_sheet_xlsx(path)
        assert info.value.file == path.name


def test_a_workbook_without_cmrc_data_is_not_a_scoresheet(tmp_path):
    path = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "评分表"
    wb.save(path)
    with pytest.raises(InputError, match="not a CMRC scoresheet"):
        read_sheet_xlsx(path)


def rewrite_custom(path: Path, fn) -> None:
    """Rewrite docProps/custom.xml of ``path`` with ``fn(xml_text) -> xml_text``."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            if info.filename == "docProps/custom.xml":
                data = fn(data.decode("utf-8")).encode("utf-8")
            archive.writestr(info.filename, data)


def drop_property(name: str):
    pattern = re.compile(r'<property [^>]*name="' + re.escape(name) + r'".*?</property>')
    return lambda xml: pattern.sub("", xml, count=1)


@pytest.mark.parametrize("name", ["cmrc.payload.001", "cmrc.signature.000", "cmrc.cert1.000",
                                  "cmrc.payload.count", "cmrc.cert.count"])
def test_missing_chunks_are_incomplete(tmp_path, pki, name):
    path = tmp_path / "sheet.xlsx"
    write(path, pki)
    rewrite_custom(path, drop_property(name))
    with pytest.raises(InputError, match="signature data in the file is incomplete"):
        read_sheet_xlsx(path)


def test_non_contiguous_chunks_are_incomplete(tmp_path, pki):
    path = tmp_path / "sheet.xlsx"
    write(path, pki)
    rewrite_custom(path, lambda xml: xml.replace('name="cmrc.payload.001"',
                                                 'name="cmrc.payload.041"'))
    with pytest.raises(InputError, match="incomplete"):
        read_sheet_xlsx(path)


def test_garbled_chunks_are_damaged(tmp_path, pki):
    path = tmp_path / "sheet.xlsx"
    write(path, pki)
    rewrite_custom(path, lambda xml: re.sub(
        r'(name="cmrc.signature.000".*?<vt:lpwstr[^>]*>)', r"\1!!", xml, count=1))
    with pytest.raises(InputError, match="signature data in the file is damaged"):
        read_sheet_xlsx(path)


def test_a_newer_format_is_named(tmp_path, pki):
    path = tmp_path / "sheet.xlsx"
    write(path, pki)
    rewrite_custom(path, lambda xml: xml.replace(FORMAT, "cmrc-sheet-xlsx/9"))
    with pytest.raises(InputError, match="cmrc-sheet-xlsx/9"):
        read_sheet_xlsx(path)


def test_an_oversized_or_bomb_member_is_refused(tmp_path, pki):
    path = tmp_path / "sheet.xlsx"
    write(path, pki)
    rewrite_custom(path, lambda xml: xml.replace(
        "</Properties>", "<!--" + " " * (6 * 1024 * 1024) + "--></Properties>"))
    with pytest.raises(InputError, match="damaged or oversized"):
        read_sheet_xlsx(path)
    rewrite_custom(path, lambda xml: xml[:-len("</Properties>")] + " " * 600_000
                   + "</Properties>")
    with pytest.raises(InputError, match="damaged or oversized"):
        read_sheet_xlsx(path)


def test_xml_entities_in_the_properties_are_refused(tmp_path, pki):
    path = tmp_path / "sheet.xlsx"
    write(path, pki)
    rewrite_custom(path, lambda xml: '<!DOCTYPE p [<!ENTITY a "aaaa">]>' + xml)
    with pytest.raises(InputError, match="document type declaration"):
        read_sheet_xlsx(path)


def test_many_sheets_in_a_row_in_both_languages_all_verify(tmp_path, pki):
    """A style cache keyed by ``id(workbook)`` once handed a new workbook (at a freed
    workbook's address) style indexes it did not have: ``cmrc --lang en demo
    --centres 50`` ended in IndexError. Each workbook keeps its own styles now."""
    import gc

    for n in range(24):
        lang = "en" if n % 2 else "zh_CN"
        path = tmp_path / f"s{n}.xlsx"
        payload = write(path, pki, lang=lang, revision=1 + n % 3,
                        comments={} if n % 3 else dict(COMMENTS))
        gc.collect()
        assert check(path, payload) is None, n
