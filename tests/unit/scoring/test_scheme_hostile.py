"""A scheme file comes from outside: whatever it holds — an integer of 5,000 digits,
``max = 1e400``, arrays nested 50,000 deep, NUL bytes — it is refused with a sentence
naming the file and the key (or the line), never an internal error."""

from __future__ import annotations

import time

import pytest

from cmrc_desktop.domain.errors import SchemeError
from cmrc_desktop.scoring import scheme_loader
from cmrc_desktop.scoring.scheme_loader import parse_scheme
from tests.unit.scoring.schemes import AUTO_EXTRA, small_scheme_text

GOOD = small_scheme_text(step="0.5")
AUTO = GOOD.replace("max = 80", "max = 70") + AUTO_EXTRA
CHECKED = GOOD + ('\n[[checks]]\nid = "F1"\nname = "核心成员"\nmetric = "core_members"\n'
                  "at_least = 3\n")
DEEP = 50_000
HUGE_INT = "1" * 5000
HUGE_HEX = "0x" + "f" * 5000      # Python parses it (base 16 has no limit); str() cannot print it
OUT_OF_RANGE = ("the number is out of range: numbers in a scheme lie between -9,999,999,999 "
                "and 9,999,999,999")
TOO_PRECISE = ("the number has too many digits: numbers in a scheme have at most 15 significant "
               "digits and 9 decimal places")


def refusal(text: str | bytes) -> str:
    started = time.monotonic()
    with pytest.raises(SchemeError) as info:
        parse_scheme(text, source="hostile.toml")
    assert time.monotonic() - started < 2
    return str(info.value)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


# every key that holds a number, each set to a value no scheme means
NUMBER_KEYS = [
    (GOOD, "total = 100", "total = {v}", "scheme.total"),
    (GOOD, "trim = 1", "trim = {v}", "aggregation.trim"),
    (GOOD, "trim_min_experts = 5", "trim_min_experts = {v}", "aggregation.trim_min_experts"),
    (GOOD, "min_experts = 3", "min_experts = {v}", "aggregation.min_experts"),
    (GOOD, "decimals = 2", "decimals = {v}", "aggregation.decimals"),
    (GOOD, "disagreement = 15.0", "disagreement = {v}", "aggregation.disagreement"),
    (GOOD, "min = 90", "min = {v}", "grades[1] (优秀).min"),
    (small_scheme_text(step="0.5", share="0.2"), "max_share = 0.2", "max_share = {v}",
     "grades[1] (优秀).max_share"),
    (GOOD, "max = 10", "max = {v}", "indicators[1] (A1).max"),
    (GOOD, "step = 0.5", "step = {v}", "indicators[1] (A1).step"),
    (AUTO, "full_at = 3", "full_at = {v}", "indicators[4] (B2).full_at"),
    (CHECKED, "at_least = 3", "at_least = {v}", "checks[1] (F1).at_least"),
    (GOOD, 'version = "1"', "version = {v}", "scheme.version"),
]
WHOLE_NUMBER_KEYS = ("aggregation.trim", "aggregation.trim_min_experts",
                     "aggregation.min_experts", "aggregation.decimals")


@pytest.mark.parametrize(("text", "old", "new", "key"),
                         [pytest.param(*case, id=case[-1]) for case in NUMBER_KEYS])
def test_every_number_is_range_checked_naming_its_key(text, old, new, key):
    assert old in text
    huge = text.replace(old, new.format(v=HUGE_HEX), 1)
    assert f"hostile.toml: {key}: {OUT_OF_RANGE}" in refusal(huge).splitlines()
    if key not in WHOLE_NUMBER_KEYS:
        astronomic = text.replace(old, new.format(v="1e400"), 1)
        assert f"hostile.toml: {key}: {OUT_OF_RANGE}" in refusal(astronomic).splitlines()
        tiny = text.replace(old, new.format(v="1e-400"), 1)
        assert f"hostile.toml: {key}: {TOO_PRECISE}" in refusal(tiny).splitlines()


def test_an_integer_of_5000_digits_is_refused_naming_its_line():
    text = GOOD.replace("total = 100", f"total = {HUGE_INT}")
    assert refusal(text) == (f"hostile.toml:{line_of(text, HUGE_INT)}: a number has more "
                             "than 40 digits")


def test_an_exponent_decimal_cannot_hold_is_refused_naming_its_line():
    text = GOOD.replace("max = 10", "max = 1e9999999999999999999", 1)
    assert refusal(text) == (f"hostile.toml:{line_of(text, '1e99')}: a number's exponent "
                             "has more than 6 digits")


def test_max_1e400_is_refused_naming_the_key():
    text = GOOD.replace("max = 10", "max = 1e400", 1)
    assert f"hostile.toml: indicators[1] (A1).max: {OUT_OF_RANGE}" in refusal(text)


@pytest.mark.parametrize("value", [
    "[" * DEEP + "]" * DEEP,
    "{b=" * DEEP + "1" + "}" * DEEP,
    "[{a=" * (DEEP // 2) + "1" + "}]" * (DEEP // 2),
])
def test_arrays_or_inline_tables_50000_deep_are_refused_naming_the_line(value):
    text = GOOD + f"\nevidence_map = {value}\n"
    assert refusal(text) == (f"hostile.toml:{line_of(text, 'evidence_map')}: arrays or "
                             "inline tables are nested more than 32 deep")


def test_a_dotted_key_of_50000_parts_is_refused_at_once():
    text = GOOD + "\n" + "a" + ".a" * DEEP + " = 1\n"      # tomllib takes a minute over it
    assert refusal(text) == (f"hostile.toml:{line_of(text, 'a.a')}: a dotted key has more "
                             "than 32 parts")


def test_brackets_quotes_and_hashes_inside_strings_and_comments_nest_nothing():
    decoy = "[{" * 40
    text = GOOD.replace('name = "平台"', (
        f'name = "平台 {decoy} \\" {decoy}"\n'
        f"name_en = '{decoy} # not a comment'\n"
        f'guidance = """\n{decoy} "" \\""" {decoy}\n"""\n'
        f"# a comment {decoy}\n"
        f"evidence = ['''{decoy}\n''']"), 1)
    scheme = parse_scheme(text, source="decoy.toml")
    assert scheme.indicator("A1").guidance.startswith(decoy)


def test_numbers_a_committee_writes_still_load():
    text = (GOOD.replace("total = 100", "total = 1_00")
            .replace("disagreement = 15.0", "disagreement = 1.50000e1")
            .replace("min = 90", "min = 90.000000000000", 1))
    scheme = parse_scheme(text, source="ok.toml")
    assert (scheme.total, scheme.aggregation.disagreement, scheme.grades[0].min) == (100, 15, 90)


@pytest.mark.parametrize(("value", "words"), [
    ("method = " + HUGE_HEX, "aggregation.method: must be text"),
    ("method = [1, 2]", "aggregation.method: must be text"),
])
def test_a_method_that_is_not_text_is_refused_without_printing_it(value, words):
    text = GOOD.replace('method = "trimmed_mean"', value)
    assert f"hostile.toml: {words}" in refusal(text).splitlines()


def test_a_source_that_is_not_text_is_refused_without_printing_it():
    text = AUTO.replace('source = "metric:guidelines_led"', f"source = {HUGE_HEX}")
    assert "hostile.toml: indicators[4] (B2).source: must be text" in refusal(text).splitlines()


def test_a_name_that_is_not_text_is_refused_too():
    text = GOOD.replace('name = "测试方案"', "name = 5")
    assert "hostile.toml: scheme.name: must be text" in refusal(text).splitlines()


def test_nul_bytes_and_other_encodings_name_the_line():
    assert refusal((GOOD + "x = 1\0\n").encode()) == (
        f"hostile.toml:{GOOD.count(chr(10)) + 1}: the file contains NUL characters: it is "
        "not a text file")
    assert refusal(GOOD.encode() + "中".encode("gb18030")) == (
        f"hostile.toml:{GOOD.count(chr(10)) + 1}: the file is not UTF-8 text")


def test_a_scheme_text_over_the_limit_is_refused():
    text = GOOD + "# " + "x" * (1024 * 1024) + "\n"
    assert refusal(text) == ("hostile.toml: the file is larger than 1 MiB, the most a scheme "
                             "file can be")


def test_a_failure_the_rules_did_not_foresee_still_names_the_file(monkeypatch):
    def broken(self):
        raise ZeroDivisionError("a rule the validator lacks")

    monkeypatch.setattr(scheme_loader._Validator, "build", broken)
    assert refusal(GOOD) == "hostile.toml: the scheme cannot be read (ZeroDivisionError)"
