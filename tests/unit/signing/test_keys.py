"""The batch CA and the experts' certificates, as a third party would check them."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from cmrc_desktop.signing import keys


@pytest.fixture(scope="module")
def ca():
    return keys.make_batch_ca("B2026-0001", "2026年度绩效评估")


@pytest.fixture(scope="module")
def expert(ca):
    return keys.issue_expert_certificate(ca, "B2026-0001", "E01", "王建国", "泉城医科大学")


def test_batch_ca_is_a_self_signed_ca_naming_the_batch(ca):
    cert = ca.cert
    assert cert.issuer == cert.subject
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    assert keys.identity(cert) == ("B2026-0001", None)
    assert keys.common_name(cert) == "2026年度绩效评估"
    assert keys.is_issued_by(cert, cert)


def test_expert_certificate_names_expert_and_batch_and_allows_signing(ca, expert):
    cert = expert.cert
    assert keys.is_issued_by(cert, ca.cert)
    assert keys.identity(cert) == ("B2026-0001", "E01")
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == \
        "泉城医科大学"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_a_certificate_from_another_batch_does_not_chain(expert):
    other = keys.make_batch_ca("B2026-0002", "另一批次")
    assert not keys.is_issued_by(expert.cert, other.cert)


def test_same_name_different_key_gives_a_different_fingerprint(ca, expert):
    twin = keys.issue_expert_certificate(ca, "B2026-0001", "E01", "王建国", "泉城医科大学")
    assert keys.fingerprint(twin.cert) != keys.fingerprint(expert.cert)
    assert len(keys.fingerprint(expert.cert)) == 64


def test_protected_key_opens_only_with_its_password(expert):
    blob = keys.protect(expert, "correct horse")
    opened = keys.unprotect(blob, "correct horse")
    assert keys.fingerprint(opened.cert) == keys.fingerprint(expert.cert)
    assert [keys.fingerprint(c) for c in opened.chain] == [keys.fingerprint(expert.chain[0])]
    with pytest.raises(keys.WrongPassword, match="password does not open"):
        keys.unprotect(blob, "wrong")
    assert b"BEGIN" not in blob  # binary PKCS#12, nothing in clear text


def test_pem_round_trip(expert):
    assert keys.load_cert_pem(keys.cert_pem(expert.cert)) == expert.cert


def test_long_chinese_names_fit_the_64_byte_limit():
    name = "2026年度山东省临床医学研究中心绩效评估（演示）现场考核第二组"
    ca = keys.make_batch_ca("B9", name)
    assert name.startswith(keys.common_name(ca.cert))
    assert len(keys.common_name(ca.cert).encode()) <= 64
