"""The signed bytes of a format-1 sheet ("cmrc-sheet/1"), written out in full.

Every sheet an expert has signed is a signature over exactly these bytes. If the
canonical form drifted (keys no longer sorted, Chinese escaped as \\uXXXX, a space after
a colon, the text rule no longer applied, 10 written as "10.0"), every sheet signed
before would stop verifying, and no other test would notice: they all compare a payload
with itself. So the expected bytes here are a literal, not computed. Format 2 has its own
test beside this one; a format-1 sheet must keep these bytes for ever.
"""

from __future__ import annotations

import dataclasses
import hashlib
from decimal import Decimal

import pytest

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.signing.payload import SheetPayload, clean_text


def v1_payload(**fields) -> SheetPayload:
    """A payload of format 1; from format 2 on, the format is a field of the payload, and
    a format-1 sheet names it."""
    if "format" in {f.name for f in dataclasses.fields(SheetPayload)}:
        fields["format"] = "cmrc-sheet/1"
    return SheetPayload(**fields)


# As typed, before the text rule: CR LF and a lone CR (become LF), a BEL, a NUL and a C1
# control character (removed), a combining accent (NFC: one character), a CJK
# compatibility ideograph (NFC: its unified twin), a tab, trailing spaces and quotes (kept).
TYPED = dict(
    batch_id="B2026-0000abcd",
    batch_name="2026年度绩效评估",
    scheme_id="sd-perf-5d",
    scheme_sha256="0123456789abcdef" * 4,
    centre_id="C01",
    centre_name="山东省心血管病临床医学研究中心\x07",
    host="山东大学齐鲁医院\x85",
    expert_id="E01",
    expert_name="王建\uf900",
    institution="泉城医科大学（Universite\u0301）",
    cert_fingerprint="fedcba9876543210" * 4,
    revision=2,
    signed_at="2026-11-22T08:00:00Z",
    scores={"B1": Decimal("10.0"), "A1": Decimal("5.50"), "A2": None, "A3": Decimal("0")},
    comments={"A1": "良好\r\n\t继续保持 \"示范\"", "B1": "\x00满分"},
    achievements="成果显著\r第二行",
    problems="\t缺少随访数据  ",
    recommendations="",
)

EXPECTED = (
    '{"batch":{"id":"B2026-0000abcd","name":"2026年度绩效评估"},'
    '"centre":{"host":"山东大学齐鲁医院","id":"C01","name":"山东省心血管病临床医学研究中心"},'
    '"expert":{"cert_sha256":"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",'
    '"id":"E01","institution":"泉城医科大学（Universit\u00e9）","name":"王建\u8c48"},'
    '"format":"cmrc-sheet/1",'
    '"opinion":{"achievements":"成果显著\\n第二行","problems":"\\t缺少随访数据  ",'
    '"recommendations":""},'
    '"revision":2,'
    '"scheme":{"id":"sd-perf-5d",'
    '"sha256":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},'
    '"scores":{"A1":{"comment":"良好\\n\\t继续保持 \\"示范\\"","score":"5.5"},'
    '"A2":{"comment":"","score":null},'
    '"A3":{"comment":"","score":"0"},'
    '"B1":{"comment":"满分","score":"10"}},'
    '"signed_at":"2026-11-22T08:00:00Z"}'
).encode("utf-8")


def test_a_format_1_sheet_has_exactly_these_bytes():
    """Sorted keys, no white space between tokens, UTF-8 Chinese (not \\u escapes),
    scores as plain decimal strings, None as null, the text rule applied."""
    assert v1_payload(**TYPED).canonical() == EXPECTED


def test_the_digest_of_a_format_1_sheet_is_the_sha256_of_those_bytes():
    """The digest is what the merge and the audit log name a sheet by."""
    assert v1_payload(**TYPED).digest == hashlib.sha256(EXPECTED).hexdigest()


def test_a_format_1_sheet_signed_before_still_reads_back_to_the_same_bytes():
    """A sheet of format 1 read from a file gives the same payload, and so the same
    bytes: its signature keeps verifying."""
    back = SheetPayload.from_bytes(EXPECTED)
    assert back.canonical() == EXPECTED
    assert back.scores == {"A1": Decimal("5.5"), "A2": None, "A3": Decimal("0"),
                           "B1": Decimal("10")}
    assert back.comments["A1"] == "良好\n\t继续保持 \"示范\""
    assert back.expert_name == "王建\u8c48"
    assert (back.revision, back.centre_id, back.expert_id) == (2, "C01", "E01")


def test_text_that_looks_the_same_gives_the_same_bytes():
    """The text rule is applied before signing: Windows line ends, a stray control
    character or a decomposed accent do not make a second spelling of the same sheet."""
    tidy = dict(TYPED, centre_name="山东省心血管病临床医学研究中心", host="山东大学齐鲁医院",
                expert_name="王建\u8c48", institution="泉城医科大学（Universit\u00e9）",
                comments={"A1": "良好\n\t继续保持 \"示范\"", "B1": "满分"},
                achievements="成果显著\n第二行",
                scores={"A1": Decimal("5.5"), "A2": None, "A3": Decimal("0.00"),
                        "B1": Decimal("1E+1")})
    assert v1_payload(**tidy).canonical() == EXPECTED


def test_a_sheet_naming_another_format_is_refused_as_no_payload_of_ours():
    """The format name is checked first: the same bytes naming a format this program
    does not know are 'not a CMRC scoresheet payload', whatever else they hold."""
    other = EXPECTED.replace(b'"format":"cmrc-sheet/1"', b'"format":"cmrc-sheet/9"')
    assert other != EXPECTED
    with pytest.raises(InputError) as info:
        SheetPayload.from_bytes(other)
    assert info.value.message == "the embedded payload is not a CMRC scoresheet payload"


def test_a_missing_text_is_signed_as_empty():
    """No text (None) and empty text are the same signed value: ""."""
    assert clean_text(None) == clean_text("") == ""
