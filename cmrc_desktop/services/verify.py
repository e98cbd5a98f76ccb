"""``cmrc verify``: is this file a genuine, unchanged scoresheet (or panel package)?

A sheet is OK when its signature is valid, its certificate chain is complete and
consistent with the payload (fingerprint, batch and expert named in the certificate),
and what a person sees equals what was signed (Excel cells; for a PDF, the signature
covers the entire file and the embedded payload is the signed one). With a workspace,
the chain must also end at that workspace's batch CA, for that batch and scheme, and
the signer must be a registered expert of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.i18n import _
from cmrc_desktop.services import keyring
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.signing import keys
from cmrc_desktop.signing.payload import SheetPayload, verify
from cmrc_desktop.storage import signing_repo


@dataclass(frozen=True)
class VerifyResult:
    path: Path
    ok: bool
    kind: str = ""                 # "xlsx", "pdf" or "package"
    reason: str = ""
    payload: SheetPayload | None = None
    batch_id: str = ""
    centre_id: str = ""
    expert_id: str = ""
    revision: int | None = None
    against_batch: bool = False    # checked against a workspace's batch CA
    signature: bytes = b""         # the expert's signature over the payload (xlsx)

    def line(self) -> str:
        if not self.ok:
            return _("{file}: REFUSED — {reason}").format(file=self.path, reason=self.reason)
        if self.kind == "package":
            text = _("{file}: OK — panel package, batch {batch}, expert {expert}").format(
                file=self.path, batch=self.batch_id, expert=self.expert_id)
        else:
            text = _("{file}: OK — batch {batch}, centre {centre}, expert {expert}, revision "
                     "{revision}").format(file=self.path, batch=self.batch_id,
                                          centre=self.centre_id, expert=self.expert_id,
                                          revision=self.revision)
        if not self.against_batch:
            text += _(" (signer not checked against a batch: give --workspace)")
        return text


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def file_kind(data: bytes, path: Path) -> str | None:
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK"):
        if path.suffix.lower() == ".cmrcpkg" or b"manifest.json" in data[:200]:
            return "package"
        return "xlsx"
    return None


class ChainCache:
    """Certificate checks remembered across the files of one run: a folder of a thousand
    sheets holds a few dozen certificates, and each chain needs checking once."""

    def __init__(self) -> None:
        self._chains: dict[tuple[bytes, bytes], bool] = {}
        self._registered: dict[str, str | None] = {}
        self._facts: dict[x509.Certificate, tuple[str, tuple[str | None, str | None]]] = {}

    def chain_ok(self, signer: x509.Certificate, ca: x509.Certificate) -> bool:
        key = (self.facts(signer)[0], self.facts(ca)[0])
        if key not in self._chains:
            self._chains[key] = keys.is_issued_by(signer, ca) and keys.is_issued_by(ca, ca)
        return self._chains[key]

    def facts(self, cert: x509.Certificate) -> tuple[str, tuple[str | None, str | None]]:
        """(fingerprint, identity) of a certificate, computed once per certificate."""
        found = self._facts.get(cert)  # certificates hash and compare by their DER bytes
        if found is None:
            found = (keys.fingerprint(cert), keys.identity(cert))
            self._facts[cert] = found
        return found

    def batch(self, ws: Workspace):
        if not hasattr(self, "_batch"):
            self._batch = ws.batch
            self._root = keyring.batch_ca(ws)
        return self._batch, self._root

    def registered(self, ws: Workspace, fingerprint: str) -> str | None:
        if fingerprint not in self._registered:
            self._registered[fingerprint] = signing_repo.expert_by_fingerprint(ws.db,
                                                                               fingerprint)
        return self._registered[fingerprint]


def verify_file(path: str | Path, ws: Workspace | None = None, *,
                cache: ChainCache | None = None, data: bytes | None = None) -> VerifyResult:
    """Verify one file; every refusal is a plain reason, never an exception."""
    path = Path(path)
    cache = cache or ChainCache()
    if data is None:
        try:
            data = path.read_bytes()
        except IsADirectoryError:
            return VerifyResult(path, False, reason=_("this is a folder"))
        except OSError as exc:
            return VerifyResult(path, False, reason=_("cannot read the file: {reason}").format(
                reason=exc.strerror or exc))
    kind = file_kind(data, path)
    try:
        if not data:
            raise _Refused(_("the file is empty"))
        if kind is None:
            raise _Refused(_("not a scoresheet or panel package (neither a PDF nor a zip file)"))
        if kind == "package":
            return _verify_package(path, data, ws)
        payload, signer, ca, signature = (_xlsx(path, data) if kind == "xlsx"
                                          else _pdf(path, data, ws, cache))
        _check_consistent(payload, signer, ca, cache)
        if ws is not None:
            _check_against_batch(ws, payload, signer, ca, cache)
    except _Refused as refused:
        return VerifyResult(path, False, kind or "", refused.reason)
    except CmrcError as exc:
        return VerifyResult(path, False, kind or "", exc.message)
    return VerifyResult(path, True, kind, payload=payload, batch_id=payload.batch_id,
                        centre_id=payload.centre_id, expert_id=payload.expert_id,
                        revision=payload.revision, against_batch=ws is not None,
                        signature=signature)


def _xlsx(path: Path, data: bytes
          ) -> tuple[SheetPayload, x509.Certificate, x509.Certificate, bytes]:
    from cmrc_desktop.exchange.sheet_xlsx import check_visible, read_sheet_xlsx_bytes

    sheet = read_sheet_xlsx_bytes(data, name=path.name)
    if len(sheet.certs) < 2:
        raise _Refused(_("the certificate chain in the file is incomplete"))
    signer, ca = sheet.certs[0], sheet.certs[-1]
    if not verify(signer.public_key(), sheet.payload_bytes, sheet.signature):
        raise _Refused(_("the signature does not match the signed data: the file was "
                         "modified after signing"))
    payload = SheetPayload.from_bytes(sheet.payload_bytes)
    differences = check_visible(sheet, payload)
    if differences:
        raise _Refused(_("the visible sheet differs from what was signed: {diff}").format(
            diff="; ".join(differences[:3]) + ("…" if len(differences) > 3 else "")))
    return payload, signer, ca, sheet.signature


def _pdf(path: Path, data: bytes, ws: Workspace | None, cache: ChainCache
         ) -> tuple[SheetPayload, x509.Certificate, x509.Certificate, bytes]:
    from cmrc_desktop.exchange.sheet_pdf import verify_sheet_pdf

    root = cache.batch(ws)[1] if ws is not None else None
    result = verify_sheet_pdf(data, trust_root=root)
    if not result.chain:
        raise _Refused(_("the certificate chain in the file is incomplete"))
    payload = SheetPayload.from_bytes(result.payload)
    return payload, result.signer, result.chain[-1], b""


def _check_consistent(payload: SheetPayload, signer: x509.Certificate, ca: x509.Certificate,
                      cache: ChainCache) -> None:
    """The chain holds together and names what the payload says, whoever made it."""
    if not cache.chain_ok(signer, ca):
        raise _Refused(_("the signer's certificate was not issued by the batch certificate "
                         "in the file"))
    signer_fp, signer_id = cache.facts(signer)
    if payload.cert_fingerprint != signer_fp:
        raise _Refused(_("the signed data names a different certificate from the one "
                         "that signed it"))
    if signer_id != (payload.batch_id, payload.expert_id) or \
            cache.facts(ca)[1][0] != payload.batch_id:
        raise _Refused(_("the certificate was issued for another batch or another expert"))


def _check_against_batch(ws: Workspace, payload: SheetPayload, signer: x509.Certificate,
                         ca: x509.Certificate, cache: ChainCache) -> None:
    batch, root = cache.batch(ws)
    if root is None:
        raise _Refused(_("the workspace has no batch certificate to check against"))
    if cache.facts(ca)[0] != cache.facts(root)[0]:
        if cache.facts(ca)[1][0] == batch.id:
            raise _Refused(_("unknown signer: the certificate was not issued by this batch's "
                             "key"))
        raise _Refused(_("the sheet belongs to another batch ({batch})").format(
            batch=payload.batch_id))
    if payload.batch_id != batch.id:
        raise _Refused(_("the sheet belongs to another batch ({batch})").format(
            batch=payload.batch_id))
    if payload.scheme_sha256 != batch.scheme_sha256:
        raise _Refused(_("the sheet was filled under another version of the scheme"))
    registered = cache.registered(ws, cache.facts(signer)[0])
    if registered != payload.expert_id:
        raise _Refused(_("unknown signer: no registered expert of this batch has this "
                         "certificate"))


def _verify_package(path: Path, data: bytes, ws: Workspace | None) -> VerifyResult:
    from cmrc_desktop.exchange.package import read_package

    expected = keyring.batch_ca(ws) if ws is not None else None
    opened = read_package(data, expected_ca=expected, shown_as=path.name)
    return VerifyResult(path, True, "package", batch_id=opened.batch_id,
                        expert_id=opened.expert_id, against_batch=ws is not None)
