"""Chinese is the default language, so every message of the program must have a Chinese
translation, with the same placeholders, and the compiled catalogue must match it."""

from __future__ import annotations

import io
import re
import string

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from cmrc_desktop import i18n
from cmrc_desktop.paths import locale_dir
from tests.conftest import REPO

PO = locale_dir() / "zh_CN" / "LC_MESSAGES" / "cmrc.po"
MO = PO.with_suffix(".mo")


def source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
            REPO / "cmrc_desktop", keywords={"_": None, "N_": None, "ngettext": (1, 2)}):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def placeholders(text: str) -> set[str]:
    return {f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f is not None}


def test_every_message_has_a_chinese_translation_with_the_same_placeholders():
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    missing, broken = [], []
    for msgid in sorted(source_messages()):
        entry = catalog.get(msgid)
        text = entry.string if entry else ""
        text = text[0] if isinstance(text, tuple) else text
        if not text:
            missing.append(msgid)
        elif placeholders(text) != placeholders(msgid):
            broken.append(msgid)
    assert missing == [], f"untranslated: {missing[:10]}"
    assert broken == [], f"placeholders differ: {broken[:10]}"
    assert not any(m.fuzzy for m in catalog if m.id), "fuzzy entries in cmrc.po"


def test_compiled_catalogue_matches_the_po_file():
    def key(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    with PO.open("rb") as fh:
        po = {key(m.id): key(m.string) for m in read_po(fh) if m.id}
    mo = {key(m.id): key(m.string) for m in read_mo(io.BytesIO(MO.read_bytes())) if m.id}
    assert po == mo, "cmrc.mo is stale: run pybabel compile -d resources/locale -D cmrc"


def test_default_language_is_chinese(monkeypatch):
    monkeypatch.delenv("CMRC_LANG", raising=False)
    assert i18n.set_language() == "zh_CN"
    assert re.search(r"[\u4e00-\u9fff]", i18n._("score {value} is outside [0, {max}]"))
    assert i18n.set_language("en") == "en"
    assert i18n._("score {value} is outside [0, {max}]").startswith("score")


@pytest.mark.parametrize("alias", ["zh", "zh-CN", "zh_cn"])
def test_language_aliases(alias):
    assert i18n.set_language(alias) == "zh_CN"


def test_the_batch_password_has_one_chinese_name():
    """One name per idea: the password that protects the batch key is 评估批次密码 in
    every dialog, prompt and message (it was also 批次密钥密码 in the report dialog)."""
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    named = [m for m in catalog if m.id and "batch password" in str(m.id).lower()]
    assert len(named) >= 4
    assert [m.id for m in named if "评估批次密码" not in m.string] == []
    assert [m.id for m in catalog
            if m.id and re.search("批次密钥(的)?密码", str(m.string))] == []
