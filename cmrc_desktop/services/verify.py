"""``cmrc verify``: is this file a genuine, unchanged scoresheet (or panel package)?

A sheet is OK when its signature is valid, its certificate chain is complete and
consistent with the payload (fingerprint, batch and expert named in the certificate),
and what a person sees equals what was signed (Excel cells; for a PDF, the signature
covers the entire file and the embedded payload is the signed one). With a workspace,
the chain must also end at that workspace's batch CA, for that batch and scheme, and
the signer must be a registered expert of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.domain.limits import MAX_PACKAGE, MAX_SHEET_PDF, MAX_SHEET_XLSX
from cmrc_desktop.domain.scheme import Scheme
from cmrc_desktop.exchange.input_file import read_input
from cmrc_desktop.i18n import _
from cmrc_desktop.services import sheet_rules
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.signing import keys
from cmrc_desktop.signing.payload import SheetPayload, verify
from cmrc_desktop.storage import centre_repo, signing_repo


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
    drawn: bool = True             # what it shows was compared with what the payload draws
    note: str = ""                 # worth saying, not a refusal (a clock that is off)

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
        elif not self.drawn:
            text += _(" (pages not compared: the scheme is unknown)")
        if self.note:
            text += " — " + self.note
        return text


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_handed_in(path: Path) -> bytes:
    """A file handed in to be verified or merged, read bounded: a package may be large, a
    scoresheet never is (anything that is not an ordinary file is refused, see
    :func:`read_input`)."""
    if path.suffix.lower() == ".cmrcpkg":
        return read_input(path, limit=MAX_PACKAGE, what=_("a panel package"),
                          folder=_("this is a folder"), shown_as=path.name)
    return read_input(path, limit=max(MAX_SHEET_XLSX, MAX_SHEET_PDF), what=_("a scoresheet"),
                      folder=_("this is a folder"), shown_as=path.name)


def file_kind(data: bytes, path: Path) -> str | None:
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK"):
        if path.suffix.lower() == ".cmrcpkg" or b"manifest.json" in data[:200]:
            return "package"
        return "xlsx"
    return None


@dataclass(frozen=True)
class BatchContext:
    """What checking a file against a batch needs, read from the workspace once.

    A snapshot (plain, picklable data) rather than the workspace itself, so verification
    never touches the database: it can run in a worker thread or process.
    """

    batch_id: str
    scheme_sha256: str
    root_pem: str
    registered: dict[str, str]      # certificate fingerprint -> expert id
    scheme: Scheme | None = None    # the batch's, which every payload must obey
    centres: frozenset[str] = frozenset()   # the registered centres' ids

    @classmethod
    def of(cls, ws: Workspace) -> BatchContext:
        batch = ws.batch
        return cls(batch.id, batch.scheme_sha256, batch.ca_cert_pem,
                   signing_repo.experts_by_fingerprint(ws.db), ws.scheme,
                   frozenset(c.id for c in centre_repo.list_centres(ws.db)))

    def root(self) -> x509.Certificate | None:
        if not self.root_pem:
            return None
        cert = _ROOTS.get(self.root_pem)
        if cert is None:
            cert = _ROOTS[self.root_pem] = keys.load_cert_pem(self.root_pem)
        return cert


_ROOTS: dict[str, x509.Certificate] = {}


class ChainCache:
    """Certificate checks remembered across the files of one run: a folder of a thousand
    sheets holds a few dozen certificates, and each chain needs checking once."""

    def __init__(self) -> None:
        self._chains: dict[tuple[bytes, bytes], bool] = {}
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



def verify_file(path: str | Path, ws: Workspace | None = None, *,
                context: BatchContext | None = None, cache: ChainCache | None = None,
                data: bytes | None = None) -> VerifyResult:
    """Verify one file; every refusal is a plain reason, never an exception. With a
    workspace (or its ``context``) the file is also checked against that batch."""
    path = Path(path)
    cache = cache or ChainCache()
    if context is None and ws is not None:
        context = BatchContext.of(ws)
    if data is None:
        try:
            data = read_handed_in(path)
        except CmrcError as exc:
            return VerifyResult(path, False, reason=exc.message)
    kind = file_kind(data, path)
    try:
        if not data:
            raise _Refused(_("the file is empty"))
        if kind is None:
            raise _Refused(_("not a scoresheet or panel package (neither a PDF nor a zip file)"))
        if kind == "package":
            return _verify_package(path, data, context)
        opened = _xlsx(path, data) if kind == "xlsx" else _pdf(data, context)
        payload, signer, ca = opened.payload, opened.signer, opened.ca
        _check_consistent(payload, signer, ca, cache)
        scheme = _scheme_for(payload, context)
        if context is not None:
            _check_against_batch(context, payload, signer, ca, cache)
        if scheme is not None:
            problem = sheet_rules.scheme_problem(payload, scheme)
            if problem:
                raise _Refused(problem)
        problem = sheet_rules.time_problem(payload, signer)
        if problem:
            raise _Refused(problem)
        opened.check_drawn(scheme)
    except _Refused as refused:
        return VerifyResult(path, False, kind or "", refused.reason)
    except CmrcError as exc:
        return VerifyResult(path, False, kind or "", exc.message)
    return VerifyResult(path, True, kind, payload=payload, batch_id=payload.batch_id,
                        centre_id=payload.centre_id, expert_id=payload.expert_id,
                        revision=payload.revision, against_batch=context is not None,
                        signature=opened.signature, drawn=scheme is not None,
                        note=sheet_rules.clock_note(payload))


def _scheme_for(payload: SheetPayload, context: BatchContext | None) -> Scheme | None:
    """The scheme a sheet is drawn and checked with: the batch's, or without a workspace a
    built-in scheme whose hash the payload names (else only what needs no scheme)."""
    if context is not None:
        return context.scheme
    from cmrc_desktop.scoring.builtin import builtin_schemes

    return next((s for s in builtin_schemes() if s.sha256 == payload.scheme_sha256), None)


@dataclass(frozen=True)
class _Opened:
    """A sheet file read and its signature checked; ``check_drawn`` compares what it shows
    with what its payload draws to (last, after the payload is known to fit the batch)."""

    payload: SheetPayload
    signer: x509.Certificate
    ca: x509.Certificate
    signature: bytes
    check: Callable[[Scheme | None], None]

    def check_drawn(self, scheme: Scheme | None) -> None:
        self.check(scheme)


def _xlsx(path: Path, data: bytes) -> _Opened:
    from cmrc_desktop.exchange.sheet_xlsx import read_sheet_xlsx_bytes
    from cmrc_desktop.exchange.sheet_xlsx_check import check_sheet
    from cmrc_desktop.scoring.builtin import catalog

    sheet = read_sheet_xlsx_bytes(data, name=path.name)
    if len(sheet.certs) < 2:
        raise _Refused(_("the certificate chain in the file is incomplete"))
    signer, ca = sheet.certs[0], sheet.certs[-1]
    if not verify(signer.public_key(), sheet.payload_bytes, sheet.signature):
        raise _Refused(_("the signature does not match the signed data: the file was "
                         "modified after signing"))
    payload = SheetPayload.from_bytes(sheet.payload_bytes)

    def check(scheme: Scheme | None) -> None:
        problem = check_sheet(sheet, payload, scheme, catalog())
        if problem:
            raise _Refused(problem)

    return _Opened(payload, signer, ca, sheet.signature, check)


def _pdf(data: bytes, context: BatchContext | None) -> _Opened:
    from cmrc_desktop.exchange.sheet_content import build_sheet_content
    from cmrc_desktop.exchange.sheet_pdf import draw_pages, verify_sheet_pdf
    from cmrc_desktop.scoring.builtin import catalog

    root = context.root() if context is not None else None
    result = verify_sheet_pdf(data, trust_root=root)
    if not result.chain:
        raise _Refused(_("the certificate chain in the file is incomplete"))
    payload = SheetPayload.from_bytes(result.payload)

    def check(scheme: Scheme | None) -> None:
        if scheme is not None:
            result.check_pages(draw_pages(build_sheet_content(payload, scheme, catalog())))

    return _Opened(payload, result.signer, result.chain[-1], b"", check)


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


def _check_against_batch(context: BatchContext, payload: SheetPayload,
                         signer: x509.Certificate, ca: x509.Certificate, cache: ChainCache
                         ) -> None:
    root = context.root()
    if root is None:
        raise _Refused(_("the workspace has no batch certificate to check against"))
    if cache.facts(ca)[0] != cache.facts(root)[0]:
        if cache.facts(ca)[1][0] == context.batch_id:
            raise _Refused(_("unknown signer: the certificate was not issued by this batch's "
                             "key"))
        raise _Refused(_("the sheet belongs to another batch ({batch})").format(
            batch=payload.batch_id))
    if payload.batch_id != context.batch_id:
        raise _Refused(_("the sheet belongs to another batch ({batch})").format(
            batch=payload.batch_id))
    if payload.scheme_sha256 != context.scheme_sha256:
        raise _Refused(_("the sheet was filled under another version of the scheme"))
    if payload.centre_id not in context.centres:
        raise _Refused(_("centre {centre} is not registered in this batch").format(
            centre=payload.centre_id[:40]))
    registered = context.registered.get(cache.facts(signer)[0])
    if registered != payload.expert_id:
        raise _Refused(_("unknown signer: no registered expert of this batch has this "
                         "certificate"))


def _verify_package(path: Path, data: bytes, context: BatchContext | None) -> VerifyResult:
    from cmrc_desktop.exchange.package import read_package

    expected = context.root() if context is not None else None
    opened = read_package(data, expected_ca=expected, shown_as=path.name)
    return VerifyResult(path, True, "package", batch_id=opened.batch_id,
                        expert_id=opened.expert_id, against_batch=context is not None)
