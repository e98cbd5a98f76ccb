"""Keys and certificates of a batch: the batch CA and one certificate per expert.

ECDSA P-256 everywhere (small signatures, fast, accepted by PDF readers). An expert is
identified by the SHA-256 fingerprint of their certificate, never by the name written
in it: anyone can put any name in a certificate, only the batch CA can issue one that
chains to this batch. Private keys are stored as PKCS#12 with PBES2 (PBKDF2-HMAC-SHA256,
AES-256-CBC) and a high iteration count, so a lost USB stick does not give the key away.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from cmrc_desktop.domain.errors import CmrcError, InputError
from cmrc_desktop.i18n import _

KDF_ROUNDS = 600_000  # OWASP 2023 figure for PBKDF2-HMAC-SHA256
BATCH_URN = "urn:cmrc:batch:"
EXPERT_URN = "urn:cmrc:expert:"
CA_YEARS = 10
EXPERT_YEARS = 5


class WrongPassword(CmrcError):
    """The password does not open the key; the user is asked again."""


@dataclass(frozen=True)
class KeyPair:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()  # the CA certificate(s) above ``cert``


def generate_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _fit(text: str, limit: int = 64) -> str:
    """Cut ``text`` to X.509's 64-byte limit for names, never inside a character."""
    data = text.encode("utf-8")[:limit]
    return data.decode("utf-8", errors="ignore")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _serial(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(seed.encode() + x509.random_serial_number()
                                         .to_bytes(20, "big")).digest()[:19], "big") | 1


def make_batch_ca(batch_id: str, batch_name: str) -> KeyPair:
    """A self-signed CA certificate naming the batch (id in the SAN, name as CN)."""
    key = generate_key()
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, _fit(batch_name) or batch_id),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CMRC Desktop"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _fit(f"batch {batch_id}")),
    ])
    now = _now()
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(public)
        .serial_number(_serial(batch_id))
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.SubjectAlternativeName(
            [x509.UniformResourceIdentifier(BATCH_URN + batch_id)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return KeyPair(key, cert)


def issue_expert_certificate(ca: KeyPair, batch_id: str, expert_id: str, name: str,
                             institution: str) -> KeyPair:
    """A key and certificate for one expert, signed by the batch CA."""
    key = generate_key()
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, _fit(name) or expert_id),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(institution) or "-"),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, _fit(expert_id)),
    ])
    now = _now()
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(ca.cert.subject)
        .public_key(public)
        .serial_number(_serial(batch_id + expert_id))
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(min(now + dt.timedelta(days=365 * EXPERT_YEARS),
                             ca.cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False,
            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                       critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            ca.cert.public_key()), critical=False)
        .add_extension(x509.SubjectAlternativeName([
            x509.UniformResourceIdentifier(BATCH_URN + batch_id),
            x509.UniformResourceIdentifier(EXPERT_URN + expert_id)]), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return KeyPair(key, cert, (ca.cert,))


def identity(cert: x509.Certificate) -> tuple[str | None, str | None]:
    """(batch id, expert id) written in a certificate's SAN; None where absent."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None, None
    batch = expert = None
    for uri in san.get_values_for_type(x509.UniformResourceIdentifier):
        if uri.startswith(BATCH_URN):
            batch = uri[len(BATCH_URN):]
        elif uri.startswith(EXPERT_URN):
            expert = uri[len(EXPERT_URN):]
    return batch, expert


def common_name(cert: x509.Certificate) -> str:
    attrs = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else ""


def is_issued_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    """``cert`` carries a valid signature of ``ca``'s key and names it as issuer."""
    if cert.issuer != ca.subject:
        return False
    try:
        cert.verify_directly_issued_by(ca)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


# -- storing keys under a password ----------------------------------------------------------
def protect(pair: KeyPair, password: str, friendly_name: str = "cmrc") -> bytes:
    if not password:
        raise InputError(_("a password is needed to protect the key"), field="password")
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode("utf-8"))
    )
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode("utf-8"), pair.key, pair.cert, list(pair.chain) or None,
        encryption)


def unprotect(data: bytes, password: str, what: str = "") -> KeyPair:
    """Open a protected key; a wrong password raises ``WrongPassword`` in plain words."""
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, password.encode("utf-8"))
    except ValueError:
        raise WrongPassword(_("the password does not open {what}").format(
            what=what or _("the key"))) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or cert is None:
        raise CmrcError(_("{what} holds no usable signing key").format(what=what or _("file")))
    return KeyPair(key, cert, tuple(chain or ()))


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def load_cert_pem(text: str | bytes) -> x509.Certificate:
    data = text.encode("ascii") if isinstance(text, str) else text
    return x509.load_pem_x509_certificate(data)
