"""PAdES signing of our PDFs with a :class:`KeyPair`, and the verification that a
signature is intact, valid and covers every byte of the file.

Both signed PDFs (the expert's scoresheet and the batch's result report) are signed here:
ETSI.CAdES.detached, SHA-256, with the signer's certificate and the certificates above it
in the signature. A signed PDF is accepted only when its one signature is intact and valid
and covers the entire file: no appended revision, no trailing byte, and not a byte changed
in the few places a signature cannot cover (its own value, the certificates and the
unsigned fields of the CMS envelope). What the signer must be (an expert issued by the
batch, or the batch itself) is for each document to decide.

pyHanko is imported only when a PDF is signed or read.
"""

from __future__ import annotations

import binascii
import datetime as dt
import io
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.limits import MAX_SHEET_PDF
from cmrc_desktop.exchange.input_file import read_input
from cmrc_desktop.i18n import _
from cmrc_desktop.signing.keys import KeyPair, is_issued_by

# pyHanko logs the reason of every failed check as a warning with a traceback (even for
# an unsigned chain when no trust root is given); with no logging configured Python would
# print those to stderr. The verdict reaches the user as an InputError instead.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

T = TypeVar("T")

_EOF_TAIL = re.compile(rb"%%EOF(\r\n|\r|\n)?\Z")


# -- signing ---------------------------------------------------------------------------------
def simple_signer(pair: KeyPair):
    """A pyHanko signer for ``pair``, carrying its certificate and the ones above it (so
    the signature holds the full chain)."""
    from asn1crypto import keys as asn1_keys
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = asn1_keys.PrivateKeyInfo.load(pair.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return signers.SimpleSigner(
        signing_cert=_asn1_cert(pair.cert), signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in pair.chain]))


def sign_pdf(writer, pair: KeyPair, *, field_name: str, name: str, reason: str,
             moment: dt.datetime, stamp_style=None, field_spec=None) -> bytes:
    """Sign the document of ``writer`` (an ``IncrementalPdfFileWriter``) as PAdES with
    ``pair`` at ``moment`` (the signature dictionary's /M and the CMS signing time);
    ``field_spec`` places a visible signature, otherwise the field is invisible."""
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES, name=name, reason=reason)
    _imported, pdf_signer_at = pyhanko_classes()
    pdf_signer = pdf_signer_at(
        moment, meta, signer=simple_signer(pair), stamp_style=stamp_style,
        new_field_spec=field_spec or fields.SigFieldSpec(sig_field_name=field_name))
    return pdf_signer.sign_pdf(writer).getvalue()


@cache
def pyhanko_classes() -> tuple[type, type]:
    """Two small pyHanko extensions (pyHanko is imported only when a PDF is signed):
    ``ImportedPdf(data)``, the first page of a PDF in memory as the content of a signature
    appearance, and ``PdfSignerAt(moment, ...)``, a signer that signs at a given moment."""
    from pyhanko.pdf_utils.content import PdfContent
    from pyhanko.pdf_utils.layout import BoxConstraints
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.signers import PdfSigner

    class ImportedPdf(PdfContent):
        """The first page of a PDF held in memory, as the content of a signature
        appearance (pyHanko's ``ImportedPdfPage`` reads it from a file name)."""

        def __init__(self, data: bytes) -> None:
            super().__init__()
            self.data = data

        def render(self) -> bytes:
            xobj = self._ensure_writer.import_page_as_xobject(
                PdfFileReader(io.BytesIO(self.data)))
            name = b"/Appearance" + binascii.hexlify(uuid.uuid4().bytes)
            self.resources.xobject[name.decode("ascii")] = xobj
            x1, y1, x2, y2 = xobj.get_object()["/BBox"]
            self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
            return name + b" Do"

    class PdfSignerAt(PdfSigner):
        """A ``PdfSigner`` that signs at a given moment (the one printed on the page),
        for the signature dictionary's /M and the CMS signing time."""

        def __init__(self, moment: dt.datetime, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._moment = moment

        def init_signing_session(self, *args, **kwargs):
            session = super().init_signing_session(*args, **kwargs)
            session.system_time = self._moment
            return session

    return ImportedPdf, PdfSignerAt


# -- reading ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckedSignature:
    """A signature found intact, valid and covering the entire file."""

    signature: Any                          # pyHanko's EmbeddedPdfSignature
    status: Any                             # pyHanko's PdfSignatureStatus
    signer: x509.Certificate                # the certificate that made the signature
    chain: tuple[x509.Certificate, ...]     # the other certificates in the signature

    @property
    def trusted(self) -> bool:
        return bool(self.status.trusted)

    @property
    def signed_at(self) -> dt.datetime | None:
        return self.status.signer_reported_dt


def read_pdf_file(path: str | Path, limit: int = MAX_SHEET_PDF) -> bytes:
    """A signed PDF handed in, read bounded (see :func:`read_input`)."""
    return read_input(path, limit=limit, what=_("a signed PDF"),
                      folder=_("this is a folder, not a PDF file"), shown_as=str(path))


def guarded(data: bytes, check: Callable[[bytes], T]) -> T:
    """Run ``check`` on the bytes of a PDF; anything but an ``InputError`` it raises (pyHanko
    and its parsers raise many kinds) becomes 'the PDF file is damaged'."""
    if not data:
        raise InputError(_("the file is empty"))
    if b"%PDF-" not in data[:1024]:
        raise InputError(_("not a PDF file"))
    try:
        return check(data)
    except InputError:
        raise
    except Exception:  # noqa: BLE001 - none may escape
        raise InputError(_("the PDF file is damaged")) from None


def single_signature(data: bytes, *, encrypted: str, several: str):
    """The reader of ``data`` and its one embedded signature; ``encrypted`` and ``several``
    (with ``{count}``) are the document's own words for those two refusals."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data))
    if reader.encrypted:
        raise InputError(encrypted)
    signatures = reader.embedded_signatures
    if not signatures:
        raise InputError(_("the PDF is not signed"))
    if len(signatures) != 1:
        raise InputError(several.format(count=len(signatures)))
    return reader, signatures[0]


def check_entire_file(data: bytes, sig, trust_root: x509.Certificate | None
                      ) -> CheckedSignature:
    """Validate ``sig`` (of the PDF ``data``), trusting ``trust_root`` when given; refuse
    with 'the PDF was modified after signing' unless it is intact, valid and covers every
    byte of the file. Whether the signer is the right one is left to the caller."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    modified = _("the PDF was modified after signing")
    roots = [] if trust_root is None else [_asn1_cert(trust_root)]
    context = ValidationContext(trust_roots=roots, allow_fetching=False,
                                revocation_mode="soft-fail")
    status = validate_pdf_signature(sig, context, skip_diff=True)
    if not (status.intact and status.valid):
        raise InputError(modified)
    if (status.coverage != SignatureCoverageLevel.ENTIRE_FILE or not _EOF_TAIL.search(data)
            or not _signature_value_untouched(data, sig)):
        raise InputError(modified)
    signer = _crypto_cert(sig.signer_cert)
    chain = tuple(_crypto_cert(c) for c in sig.other_embedded_certs)
    if not (_certificates_untouched(signer, chain) and _envelope_as_written(sig)
            and all(c["signature_value"].contents[:1] == b"\0"
                    for c in (sig.signer_cert, *sig.other_embedded_certs))):
        raise InputError(modified)
    return CheckedSignature(sig, status, signer, chain)


def is_ca(cert: x509.Certificate) -> bool:
    """A CA certificate: the batch's own, which signs certificates and the result report."""
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _signature_value_untouched(data: bytes, sig) -> bool:
    """The one part of the file the signature cannot cover is its own value, /Contents: a
    hex string holding the CMS object and zero padding. Check that it is written exactly
    as a signer writes it (one case of hex digits, no white space, nothing but zeros
    after the CMS object), so that not a single byte of the file can change unnoticed."""
    from asn1crypto import parser

    start, end = int(sig.byte_range[1]), int(sig.byte_range[2])
    contents = bytes(sig.sig_object["/Contents"])
    hexed = binascii.hexlify(contents)
    if data[start:end] not in (b"<" + hexed + b">", b"<" + hexed.upper() + b">"):
        return False
    _class, _method, _tag, header, body, _trailer = parser.parse(contents)
    return not contents[len(header) + len(body):].strip(b"\0")


def _certificates_untouched(signer: x509.Certificate,
                            chain: tuple[x509.Certificate, ...]) -> bool:
    """The certificates travel in the signature but outside what it signs: each one whose
    issuer is in the set (a root is its own) must still carry that issuer's valid
    signature, so a changed byte in any of them is seen even without a trust root."""
    certs = (signer, *chain)
    for cert in certs:
        issuers = [c for c in certs if c.subject == cert.issuer]
        if issuers and not any(is_issued_by(cert, issuer) for issuer in issuers):
            return False
    return True


def _envelope_as_written(sig) -> bool:
    """The few fields of the CMS envelope that nothing signs hold what a PAdES signer
    writes: SignedData and SignerInfo version 1, the one digest algorithm used, no
    revocation data and no unsigned attributes (our PDFs are signed offline).
    (The other unsigned byte, the unused-bits count of each certificate's signature bit
    string, is checked by the caller: it must be zero.)"""
    signed_data = sig.signed_data
    (info,) = signed_data["signer_infos"]
    return (signed_data["version"].native == "v1" and info["version"].native == "v1"
            and [a.dump() for a in signed_data["digest_algorithms"]]
            == [info["digest_algorithm"].dump()]
            and not signed_data["crls"] and not info["unsigned_attrs"])


def _asn1_cert(cert: x509.Certificate):
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _crypto_cert(cert) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())
