"""Signing a finished sheet and exporting it as signed Excel and PDF files.

Signing freezes one revision: the canonical payload and its signature are stored, the
sheet becomes ``signed``. Editing afterwards reopens it as the next revision and voids
the old signature (see ``scoring.set_sheet_state``). Export writes the files, then reads
them back and verifies them before it reports success: a file that would be refused by
the secretary is never handed out as done.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from cmrc_desktop.disk_faults import disk_fault
from cmrc_desktop.domain.errors import InputError, WorkspaceError
from cmrc_desktop.domain.workspace import SheetState, SignedSheet
from cmrc_desktop.exchange.atomic_file import atomic_path
from cmrc_desktop.i18n import _
from cmrc_desktop.scoring.builtin import catalog
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.signing import keys
from cmrc_desktop.signing.keys import KeyPair
from cmrc_desktop.signing.payload import FORMAT_V1, SheetPayload, SignedDeclaration, sign
from cmrc_desktop.storage import (
    audit,
    centre_repo,
    dossier_repo,
    expert_repo,
    score_repo,
    signing_repo,
)

FORMATS = ("xlsx", "pdf")


@dataclass(frozen=True)
class ExportedSheet:
    expert_id: str
    centre_id: str
    revision: int
    paths: tuple[Path, ...]


def build_payload(ws: Workspace, expert_id: str, centre_id: str, cert_sha256: str,
                  revision: int, signed_at: str, *, signature_png: bytes | None = None,
                  utc_offset: int | None = None) -> SheetPayload:
    """The payload of a sheet as it stands: the scores and opinion, and everything the
    documents will show besides the scheme (the evidence as reported now, the declaration,
    the expert's title, the drawn signature's hash), in the window's language."""
    from cmrc_desktop import __version__
    from cmrc_desktop.exchange.sheet_content import shown_metrics
    from cmrc_desktop.i18n import language
    from cmrc_desktop.services.declarations import find_declaration

    batch = ws.batch
    scheme = ws.scheme
    centre = centre_repo.get_centre(ws.db, centre_id)
    expert = expert_repo.get_expert(ws.db, expert_id)
    stored = {s.indicator: s for s in score_repo.list_scores(ws.db, expert_id=expert_id,
                                                             centre_id=centre_id)}
    scores: dict[str, Decimal | None] = {}
    comments: dict[str, str] = {}
    for ind in scheme.expert_indicators:
        s = stored.get(ind.id)
        scores[ind.id] = s.value if s else None
        comments[ind.id] = s.comment if s else ""
    opinion = score_repo.find_opinion(ws.db, expert_id, centre_id)
    reported = sheet_metrics(ws, centre_id)
    declared = find_declaration(ws, expert_id, centre_id)
    if utc_offset is None:
        offset = dt.datetime.now().astimezone().utcoffset() or dt.timedelta(0)
        utc_offset = int(offset.total_seconds()) // 60
    return SheetPayload(
        batch_id=batch.id, batch_name=batch.name, scheme_id=scheme.id,
        scheme_sha256=batch.scheme_sha256, centre_id=centre.id, centre_name=centre.name,
        host=centre.host, expert_id=expert.id, expert_name=expert.name,
        institution=expert.institution, cert_fingerprint=cert_sha256, revision=revision,
        signed_at=signed_at, scores=scores, comments=comments,
        achievements=opinion.achievements if opinion else "",
        problems=opinion.problems if opinion else "",
        recommendations=opinion.recommendations if opinion else "",
        lang=language(), program=__version__, expert_title=expert.title,
        evidence={m: reported.get(m) for m in shown_metrics(scheme)},
        declaration=None if declared is None else SignedDeclaration(
            _utc_stamp(declared.at), declared.integrity_concern, declared.note),
        signature_png=hashlib.sha256(signature_png).hexdigest() if signature_png else "",
        utc_offset=utc_offset)


def _utc_stamp(stored: str) -> str:
    """An audit time (SQLite's ``2026-12-04 10:00:00``, UTC) as a payload writes times."""
    moment = dt.datetime.fromisoformat(stored.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_sheet(ws: Workspace, expert_id: str, centre_id: str, signer: KeyPair, *,
               signature_png: bytes | None = None, now: dt.datetime | None = None
               ) -> SignedSheet:
    """Sign the current revision of a final sheet with the expert's key."""
    from cmrc_desktop.services.scoring import set_sheet_state

    sheet = score_repo.find_sheet(ws.db, expert_id, centre_id)
    if sheet is None or sheet.state != SheetState.FINAL:
        raise InputError(_("expert {expert}, centre {centre}: only a finalised sheet can be "
                           "signed").format(expert=expert_id, centre=centre_id))
    cert_expert = keys.identity(signer.cert)[1]
    if cert_expert != expert_id:
        raise InputError(_("this key belongs to expert {other}, not to {expert}").format(
            other=cert_expert or "?", expert=expert_id))
    moment = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    payload = build_payload(ws, expert_id, centre_id, keys.fingerprint(signer.cert),
                            sheet.revision, moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                            signature_png=signature_png)
    data = payload.canonical()
    signed = SignedSheet(expert_id, centre_id, sheet.revision, data, sign(signer.key, data),
                         payload.signed_at, signature_png)
    with ws.db.atomic():
        signing_repo.add_signature(ws.db, signed)
        set_sheet_state(ws, expert_id, centre_id, SheetState.SIGNED)
        audit.append(ws.db, actor=ws.actor, action="sheet.sign", entity="sheet",
                     centre_id=centre_id, expert_id=expert_id, new=payload.digest,
                     extra={"revision": sheet.revision})
    return signed


def sheet_metrics(ws: Workspace, centre_id: str) -> dict[str, Decimal]:
    """The centre's latest reported metrics, shown as evidence on the sheet."""
    latest: dict[str, Decimal] = {}
    period = ""
    for m in dossier_repo.list_metrics(ws.db, centre_id):
        if m.period != period:
            period, latest = m.period, {}
        latest[m.metric] = m.value
    return latest


def export_sheet(ws: Workspace, expert_id: str, centre_id: str, folder: str | Path,
                 signer: KeyPair, *, formats: Iterable[str] = FORMATS) -> ExportedSheet:
    """Write the signed sheet as xlsx and/or pdf into ``folder``, verified on the way out."""
    from cmrc_desktop.exchange.sheet_content import build_sheet_content
    from cmrc_desktop.exchange.sheet_pdf import write_sheet_pdf
    from cmrc_desktop.exchange.sheet_xlsx import write_sheet_xlsx
    from cmrc_desktop.services.verify import verify_file

    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise InputError(_("unknown export format {value} (allowed: xlsx, pdf)").format(
            value=",".join(unknown) or "—"), field="formats")
    signed = signing_repo.current_signature(ws.db, expert_id, centre_id)
    sheet = score_repo.find_sheet(ws.db, expert_id, centre_id)
    if signed is None or sheet is None or sheet.state != SheetState.SIGNED \
            or signed.revision != sheet.revision:
        raise InputError(_("expert {expert}, centre {centre}: the sheet is not signed").format(
            expert=expert_id, centre=centre_id))
    payload = SheetPayload.from_bytes(signed.payload)
    if payload.format == FORMAT_V1:
        raise InputError(_("expert {expert}, centre {centre}: the sheet was signed by an "
                           "earlier version of CMRC Desktop, whose files can no longer be "
                           "checked; reopen it and sign it again").format(
                               expert=expert_id, centre=centre_id))
    content = build_sheet_content(payload, ws.scheme, catalog())
    folder = Path(folder)
    stem = f"{ws.batch.id}_{centre_id}_{expert_id}_r{signed.revision}"
    paths = [folder / f"{stem}.{fmt}" for fmt in formats]
    # Every file is written and verified beside its destination first; only when all
    # are good do they replace the destinations. A full disk, a pulled-out stick or a
    # file that fails verification leaves the files exported before as they were, and
    # no half-written file behind.
    current = folder     # what was being written, for the message
    digests: dict[Path, str] = {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as stack:
            for path in paths:
                current = path
                tmp = stack.enter_context(atomic_path(path))
                if path.suffix == ".xlsx":
                    write_sheet_xlsx(tmp, content, signer, signature=signed.signature,
                                     signature_png=signed.signature_png)
                else:
                    write_sheet_pdf(tmp, content, signer, signature_png=signed.signature_png)
                data = tmp.read_bytes()
                digests[path] = hashlib.sha256(data).hexdigest()
                result = verify_file(path, ws, data=data)
                if not result.ok:
                    raise InputError(_("the exported file failed its own verification: "
                                       "{reason}").format(reason=result.reason),
                                     file=str(path))
    except OSError as exc:
        raise _write_failure(exc, current) from exc
    with ws.db.atomic():
        for path in paths:
            signing_repo.add_export(ws.db, expert_id=expert_id, centre_id=centre_id,
                                    revision=signed.revision, fmt=path.suffix[1:],
                                    path=str(path), sha256=digests[path])
        audit.append(ws.db, actor=ws.actor, action="sheet.export", entity="sheet",
                     centre_id=centre_id, expert_id=expert_id,
                     new=", ".join(p.name for p in paths), extra={"revision": signed.revision})
    return ExportedSheet(expert_id, centre_id, signed.revision, tuple(paths))


def _write_failure(exc: OSError, path: Path) -> WorkspaceError:
    """A write that failed, in words that say what is left and what to do; named by
    the file meant (the temporary file beside it means nothing to the user)."""
    where = str(path)
    if disk_fault(exc) == "full":
        return WorkspaceError(_("the disk is full, so the sheet was not exported; the files "
                                "exported before are unchanged. Free some space or choose "
                                "another folder, then export again."), file=where)
    return WorkspaceError(_("the sheet could not be written ({reason}), so it was not "
                            "exported; the files exported before are unchanged. Check the "
                            "folder or choose another one, then export again.").format(
                                reason=exc.strerror or exc), file=where)

