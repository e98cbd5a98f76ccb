"""The canonical bytes of a format-2 payload, written out: every sheet ever signed is
checked against these bytes, so flipping ``sort_keys``, ``ensure_ascii``, the separators,
the text rule or a field's spelling must fail here before it fails in a committee's
merge. (Format 1: tests/unit/signing/test_payload_bytes.py.)"""

from __future__ import annotations

from decimal import Decimal

import pytest

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.signing.payload import SheetPayload, SignedDeclaration

EXPECTED = (
    '{"batch":{"id":"B2026-01","name":"2026年度（演示）批次"},'
    '"centre":{"host":"山东大学齐鲁医院","id":"C001","name":"山东省心血管病临床医学研究中心"},'
    '"declaration":{"at":"2026-12-04T01:00:00Z","integrity_concern":true,"note":"数据不实"},'
    '"evidence":{"biobanks":null,"guidelines_led":"2"},'
    '"expert":{"cert_sha256":"' + "cd" * 32 + '","id":"E01","institution":"泉城医科大学",'
    '"name":"王建国","title":"主任医师"},'
    '"format":"cmrc-sheet/2","lang":"zh_CN","layout":2,'
    '"opinion":{"achievements":"成绩","problems":"问题","recommendations":"建议"},'
    '"program":"0.1.0","revision":2,'
    '"scheme":{"id":"sd-perf-5d","sha256":"' + "ab" * 32 + '"},'
    '"scores":{"A1":{"comment":"良好\\n继续\\t保持","score":"5.5"},'
    '"A2":{"comment":"","score":null},"B1":{"comment":"café","score":"10"}},'
    '"signature_png":"' + "ef" * 32 + '","signed_at":"2026-12-04T02:03:04Z","utc_offset":480}'
).encode("utf-8")


def payload() -> SheetPayload:
    return SheetPayload(
        batch_id="B2026-01", batch_name="2026年度（演示）批次", scheme_id="sd-perf-5d",
        scheme_sha256="ab" * 32, centre_id="C001", centre_name="山东省心血管病临床医学研究中心",
        host="山东大学齐鲁医院", expert_id="E01", expert_name="王建国", institution="泉城医科大学",
        cert_fingerprint="cd" * 32, revision=2, signed_at="2026-12-04T02:03:04Z",
        scores={"A1": Decimal("5.50"), "A2": None, "B1": Decimal("10")},
        comments={"A1": "良好\r\n继续\t保持", "B1": "cafe\u0301"},
        achievements="成绩", problems="问题", recommendations="建议", lang="zh_CN",
        program="0.1.0", expert_title="主任医师",
        evidence={"guidelines_led": Decimal("2"), "biobanks": None},
        declaration=SignedDeclaration("2026-12-04T01:00:00Z", True, "数据不实"),
        signature_png="ef" * 32, utc_offset=480)


def test_the_canonical_bytes_are_exactly_these():
    assert payload().canonical() == EXPECTED


def test_the_bytes_read_back_to_the_same_payload_and_digest():
    back = SheetPayload.from_bytes(EXPECTED)
    assert back.canonical() == EXPECTED
    assert back.declaration == SignedDeclaration("2026-12-04T01:00:00Z", True, "数据不实")
    assert back.evidence == {"guidelines_led": Decimal(2), "biobanks": None}
    assert back.digest == payload().digest


@pytest.mark.parametrize("spelling", [
    EXPECTED.replace(b'"layout":2', b'"layout":2.0'),
    EXPECTED.replace(b'"utc_offset":480', b'"utc_offset":"480"'),
    EXPECTED.replace(b'"integrity_concern":true', b'"integrity_concern":1'),
    EXPECTED.replace(b',"utc_offset":480', b""),
    EXPECTED.replace(b'"score":"5.5"', b'"score":5.5'),
    EXPECTED.replace(b'"revision":2', b'"revision":true'),
    EXPECTED.replace("良好".encode(), b"\\u826f\\u597d"),      # ensure_ascii
    EXPECTED.replace(b'"lang":"zh_CN",', b'"lang": "zh_CN",'),
], ids=["layout-float", "offset-text", "concern-number", "offset-missing", "score-number",
        "revision-bool", "ascii-escapes", "white-space"])
def test_any_other_spelling_of_the_same_payload_is_refused(spelling):
    with pytest.raises(InputError):
        SheetPayload.from_bytes(spelling)
