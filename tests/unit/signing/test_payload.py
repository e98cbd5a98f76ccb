"""The canonical payload: one spelling per sheet, signed and checked."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.signing import keys
from cmrc_desktop.signing.payload import SheetPayload, clean_text, sign, verify


def payload(**changes) -> SheetPayload:
    base = dict(batch_id="B1", batch_name="批次", scheme_id="sd-perf-5d", scheme_sha256="ab" * 32,
                centre_id="C001", centre_name="=HYPERLINK(\"x\")", host="泉城医科大学第一附属医院",
                expert_id="E01", expert_name="王建国", institution="泉城医科大学",
                cert_fingerprint="cd" * 32, revision=1, signed_at="2026-11-22T08:00:00Z",
                scores={"A1": Decimal("5.50"), "A2": None}, comments={"A1": "良好\r\n继续"},
                achievements="成绩", problems="问题", recommendations="建议")
    base.update(changes)
    return SheetPayload(**base)


def test_canonical_bytes_round_trip_and_scores_are_decimal_strings():
    p = payload()
    data = p.canonical()
    assert b'"score":"5.5"' in data and b'"score":null' in data
    back = SheetPayload.from_bytes(data)
    assert back.canonical() == data
    assert back.scores["A1"] == Decimal("5.5")
    assert back.comments["A1"] == "良好\n继续"


def test_non_canonical_or_foreign_json_is_refused():
    data = payload().canonical()
    with pytest.raises(InputError, match="canonical"):
        SheetPayload.from_bytes(data.replace(b",", b", ", 1))
    with pytest.raises(InputError, match="not a CMRC"):
        SheetPayload.from_bytes(b'{"hello": 1}')
    with pytest.raises(InputError):
        SheetPayload.from_bytes(b"\xff\xfe")


def test_signature_covers_every_byte():
    ca = keys.make_batch_ca("B1", "批次")
    expert = keys.issue_expert_certificate(ca, "B1", "E01", "王建国", "泉城医科大学")
    data = payload().canonical()
    sig = sign(expert.key, data)
    assert verify(expert.cert.public_key(), data, sig)
    changed = payload(scores={"A1": Decimal("6"), "A2": None}).canonical()
    assert not verify(expert.cert.public_key(), changed, sig)
    assert not verify(ca.cert.public_key(), data, sig)


@given(st.text())
def test_clean_text_is_idempotent_and_keeps_no_control_characters(text):
    once = clean_text(text)
    assert clean_text(once) == once
    assert all(ch in "\n\t" or ord(ch) >= 0x20 and not 0x7F <= ord(ch) <= 0x9F for ch in once)
