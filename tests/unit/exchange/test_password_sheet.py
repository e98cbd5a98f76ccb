"""The one-time password sheet: every slip with name, institution, package file and the
password exactly as it is typed; the warning to hand it over in person; slips whole on
one page; Chinese with the bundled font; written for its owner only."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from cmrc_desktop.exchange.password_sheet import (
    PasswordSlip,
    SheetHeader,
    write_password_sheet,
)
from tests.unit.exchange.chinese_overlay import chinese

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="poppler-utils not installed")

HEADER = SheetHeader("B2026-0000abcd", "2026年度山东省临床医学研究中心绩效评估", 2026)
MOMENT = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))

# The msgids of password_sheet.py with the Chinese they should get in cmrc.po (the tests
# and the rendered pages read as they will once the catalogue has them).
ZH = {
    "One-time passwords of the panel packages": "评审包一次性密码单",
    "Confidential: hand over in person": "机密 · 当面交付",
    "page {page} of {pages}": "第 {page} 页，共 {pages} 页",
    "cut here": "沿此线剪开",
    "No package was exported.": "未导出任何评审包。",
    "Hand each slip to its expert in person, together with the package but never inside "
    "it: do not send a one-time password by e-mail, chat or post, and do not copy this "
    "sheet onto the USB stick with the packages.":
        "请将每张密码条当面交给对应专家，可与评审包同时交付，但绝不可放入评审包：不得通过电子邮件、"
        "聊天工具或邮寄发送一次性密码，也不得将本密码单拷入存放评审包的U盘。",
    "Each password opens only its own package, once; the expert then chooses a password "
    "of their own. Shred slips that were not handed over.":
        "每个一次性密码只能打开对应的评审包，且仅用一次；之后由专家设置自己的密码。未交付的密码条请销毁。",
    "Cut along the dashed lines. The expert signs the slip on receipt; keep the signed "
    "slips with the batch records.":
        "请沿虚线剪开。专家签收时在密码条上签名；签收后的密码条随评审批次档案保存。",
    "Expert": "评审专家",
    "{name} ({id})": "{name}（{id}）",
    "Panel package": "评审包",
    "Institution": "所在单位",
    "Centres in the package": "评审中心数",
    "One-time password": "一次性密码",
    "Received by (signature)": "签收人（签名）",
    "Date": "日期",
}





def slips(n: int) -> list[PasswordSlip]:
    names = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周婷"]
    return [PasswordSlip(f"E{i + 1:02d}", names[i % len(names)], f"山东省第{i + 1}人民医院",
                         f"{HEADER.batch_id}_E{i + 1:02d}.cmrcpkg",
                         f"{'ABCD'[i % 4]}7K2-M9PQ-R{i % 10}ST", 3 + i) for i in range(n)]


def pages_of(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return ["".join(page.split()) for page in out.split("\f") if page.strip()]


def test_the_file_is_a_pdf_for_its_owner_only(tmp_path):
    path = write_password_sheet(tmp_path / "otp.pdf", HEADER, slips(2), moment=MOMENT)
    assert path.read_bytes().startswith(b"%PDF")
    assert path.stat().st_mode & 0o077 == 0
    assert not list(tmp_path.glob("*.part"))


def test_a_slip_never_shows_its_password_in_a_log():
    slip = slips(1)[0]
    assert slip.one_time_password not in repr(slip)


@needs_poppler
def test_every_slip_is_printed_whole_on_one_page(tmp_path):
    many = slips(9)
    pages = pages_of(write_password_sheet(tmp_path / "otp.pdf", HEADER, many, moment=MOMENT))
    assert len(pages) >= 3
    for slip in many:
        holding = [p for p in pages if slip.one_time_password in p]
        assert len(holding) == 1, slip.expert_id
        page = holding[0]
        for text in (slip.name, slip.expert_id, slip.institution, slip.package_file,
                     "Receivedby(signature)"):
            assert text in page
    assert "Handeachslip" in pages[0] and "neverinside" in pages[0]
    assert all("Confidential:handoverinperson" in p for p in pages)
    assert pages[0].count("cuthere") == sum(1 for s in many[:-1]
                                            if s.one_time_password in pages[0])


@needs_poppler
def test_the_sheet_reads_in_chinese(tmp_path):
    with chinese(ZH):
        path = write_password_sheet(tmp_path / "otp.pdf", HEADER, slips(2), moment=MOMENT)
    (page,) = pages_of(path)
    for text in ("评审包一次性密码单", HEADER.batch_name, "张伟（E01）", "签收人（签名）",
                 "沿此线剪开", "不得通过电子邮件", "第1页，共1页", "A7K2-M9PQ-R0ST"):
        assert text in page, text


@needs_poppler
def test_an_empty_sheet_says_so(tmp_path):
    (page,) = pages_of(write_password_sheet(tmp_path / "otp.pdf", HEADER, [], moment=MOMENT))
    assert "Nopackagewasexported." in page
