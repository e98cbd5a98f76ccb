"""Panel packages: the secretary exports one per expert, the expert imports it into a
new expert workspace.

Export puts the expert's key into the package under a one-time password (read out or
printed for the expert, never sent with the package). Import verifies everything —
signature, certificates, every file hash — and opens the key with the one-time password
before it creates a single file; then it builds the expert workspace and keeps the key
under the password the expert chooses.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cmrc_desktop.domain.errors import CmrcError, InputError, WorkspaceError
from cmrc_desktop.domain.workspace import Expert, Role
from cmrc_desktop.exchange import package as pkg
from cmrc_desktop.i18n import _
from cmrc_desktop.scoring.scheme_loader import parse_scheme
from cmrc_desktop.services import keyring
from cmrc_desktop.services.workspace import (
    DB_NAME,
    Workspace,
    attachment_path,
    create_workspace,
    store_attachment_bytes,
)
from cmrc_desktop.signing import keys
from cmrc_desktop.storage import (
    audit,
    batch_repo,
    centre_repo,
    dossier_repo,
    expert_repo,
    signing_repo,
)

# no 0/O, 1/I/L: read out over the phone or copied from a printed sheet
_OTP_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

Progress = Callable[[int, int, str], bool]   # (done, total, text) -> go on


def one_time_password() -> str:
    raw = "".join(secrets.choice(_OTP_ALPHABET) for _ in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


@dataclass(frozen=True)
class ExportedPackage:
    expert_id: str
    path: Path
    one_time_password: str
    centres: tuple[str, ...]


def export_package(ws: Workspace, expert_id: str, out: str | Path, password: str, *,
                   one_time: str | None = None, ca: keys.KeyPair | None = None
                   ) -> ExportedPackage:
    """Write the expert's panel package; ``out`` is a file or an existing folder."""
    batch = ws.batch
    expert = expert_repo.get_expert(ws.db, expert_id)
    ca = ca or keyring.open_batch_ca(ws, password)
    pair = (keyring.issue_expert_key(ws, expert_id, password, ca=ca)
            if keyring.expert_certificate(ws, expert_id) is None
            else keyring.open_expert_key(ws, expert_id, password))
    centre_ids = [c for e, c in expert_repo.list_assignments(ws.db, expert_id=expert_id)]
    if not centre_ids:
        raise InputError(_("expert {id} is not assigned to any centre").format(id=expert_id))
    centres, documents = [], {}
    for centre_id in centre_ids:
        centre = centre_repo.get_centre(ws.db, centre_id)
        docs = dossier_repo.list_documents(ws.db, centre_id)
        for d in docs:
            documents[d.sha256] = attachment_path(ws, d.sha256)
        centres.append(pkg.centre_entry(centre, dossier_repo.list_metrics(ws.db, centre_id),
                                        docs))
    one_time = one_time or one_time_password()
    out = Path(out)
    if out.is_dir():
        out = out / f"{batch.id}_{expert_id}.cmrcpkg"
    content = pkg.PackageContent(
        batch=pkg.batch_entry(batch.id, batch.name, batch.year, batch.kind, batch.stage),
        scheme_id=batch.scheme_id, scheme_text=batch.scheme_text,
        expert=pkg.expert_entry(expert), expert_cert=pair.cert, centres=centres,
        documents=documents)
    pkg.build_package(out, content, ca, keys.protect(pair, one_time, expert_id))
    with ws.db.atomic():
        audit.append(ws.db, actor=ws.actor, action="package.export", entity="package",
                     expert_id=expert_id, new=out.name, extra={"centres": centre_ids})
    return ExportedPackage(expert_id, out, one_time, tuple(centre_ids))


@dataclass
class PackageRun:
    """What ``export_packages`` did: the packages written (each with its one-time
    password, needed for the password sheet), and why it stopped early if it did."""

    exported: list[ExportedPackage] = field(default_factory=list)
    failed: tuple[str, str] | None = None     # (expert id, message)
    cancelled: bool = False

    def __repr__(self) -> str:  # one-time passwords never reach a log or a test report
        return (f"PackageRun(exported={[p.expert_id for p in self.exported]!r}, "
                f"failed={self.failed!r}, cancelled={self.cancelled})")


def assigned_experts(ws: Workspace) -> list[str]:
    """The experts who have a package to get: those assigned to a centre, by id."""
    return sorted({e for e, _c in expert_repo.list_assignments(ws.db)})


def export_packages(ws: Workspace, expert_ids: Sequence[str] | None, folder: str | Path,
                    password: str, *, progress: Progress | None = None) -> PackageRun:
    """Write the packages of ``expert_ids`` (None: every assigned expert) into ``folder``.

    The batch password is checked before anything is written. One expert's failure
    (not assigned to any centre, say) stops the run but keeps what was written, so the
    one-time passwords already issued still reach the password sheet. ``progress(done,
    total, text)`` answering False stops between two experts (``cancelled``).
    """
    experts = list(expert_ids) if expert_ids is not None else assigned_experts(ws)
    if not experts:
        raise InputError(_("no expert is assigned to a centre yet"))
    for expert_id in experts:
        expert_repo.get_expert(ws.db, expert_id)
    ca = keyring.open_batch_ca(ws, password)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    run = PackageRun()
    for done, expert_id in enumerate(experts):
        if progress is not None and not progress(
                done, len(experts), _("Exporting the package of expert {id}…").format(
                    id=expert_id)):
            run.cancelled = True
            break
        try:
            run.exported.append(export_package(ws, expert_id, folder, password, ca=ca))
        except CmrcError as exc:
            run.failed = (expert_id, str(exc))
            break
    if progress is not None and not run.cancelled:
        progress(len(experts), len(experts), _("Done"))
    return run


def write_password_sheet(ws: Workspace, exported: Sequence[ExportedPackage],
                         path: str | Path) -> Path:
    """Print the one-time passwords of ``exported`` on a PDF to cut into slips (see
    ``exchange.password_sheet``); audited without the passwords."""
    from cmrc_desktop.exchange import password_sheet

    if not exported:
        raise InputError(_("no package was exported: there is no one-time password to "
                           "print"))
    batch = ws.batch
    slips = []
    for package in exported:
        expert = expert_repo.get_expert(ws.db, package.expert_id)
        slips.append(password_sheet.PasswordSlip(expert.id, expert.name, expert.institution,
                                  package.path.name, package.one_time_password,
                                  len(package.centres)))
    Path(path).parent.mkdir(parents=True, exist_ok=True)   # as for the packages' folder
    path = password_sheet.write_password_sheet(
        path, password_sheet.SheetHeader(batch.id, batch.name, batch.year), slips)
    with ws.db.atomic():
        audit.append(ws.db, actor=ws.actor, action="package.password_sheet",
                     entity="package", new=path.name,
                     extra={"experts": [p.expert_id for p in exported]})
    return path


def import_package(folder: str | Path, package_file: str | Path, one_time: str,
                   new_password: str, *, actor: str | None = None) -> Workspace:
    """Create the expert workspace ``folder`` from a package; nothing is written unless
    the package verifies and the one-time password opens the key."""
    keyring.check_new_password(new_password)
    folder = Path(folder)
    if (folder / DB_NAME).exists():
        raise WorkspaceError(_("{folder} already holds a workspace").format(folder=folder))
    opened = pkg.read_package(Path(package_file), shown_as=Path(package_file).name)
    pair = opened.open_key(one_time)
    manifest = opened.manifest
    scheme = parse_scheme(opened.scheme_text, source=_("scheme in the package"))
    batch = manifest["batch"]
    existed = folder.exists()
    ws = create_workspace(folder, name=batch["name"], year=batch["year"], kind=batch["kind"],
                          stage=batch["stage"], scheme=scheme, role=Role.EXPERT,
                          actor=actor or manifest["expert"]["name"], batch_id=batch["id"])
    try:
        _fill(ws, opened, pair, new_password)
    except BaseException:
        ws.close()
        if existed:
            for child in (folder / DB_NAME, folder / "attachments", folder / "keys"):
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else \
                    child.unlink(missing_ok=True)
            for extra in folder.glob(DB_NAME + "-*"):
                extra.unlink(missing_ok=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return ws


def _fill(ws: Workspace, opened: pkg.OpenedPackage, pair: keys.KeyPair,
          new_password: str) -> None:
    manifest = opened.manifest
    info = manifest["expert"]
    expert = Expert(info["id"], info["name"], info["institution"], info.get("title", ""),
                    info.get("specialty", ""))
    for sha, data in opened.documents.items():
        store_attachment_bytes(ws, data, expected_sha256=sha)
    keyring.install_own_key(ws, pair, new_password)
    db = ws.db
    with db.atomic():
        batch_repo.update_batch(db, ca_cert_pem=keys.cert_pem(opened.ca_cert),
                                owner_expert_id=expert.id)
        expert_repo.insert_expert(db, expert)
        signing_repo.set_expert_cert(db, expert.id, keys.cert_pem(opened.expert_cert),
                                     keys.fingerprint(opened.expert_cert))
        for entry in manifest["centres"]:
            centre = pkg.centre_from_entry(entry)
            centre_repo.insert_centre(db, centre)
            for m in pkg.metrics_from_entry(entry):
                dossier_repo.set_metric(db, m.centre_id, m.period, m.metric, m.value)
            for d in entry["documents"]:
                dossier_repo.add_document(db, centre_id=centre.id, doc_type=d["doc_type"],
                                          title=d["title"], filename=d["filename"],
                                          sha256=d["sha256"], size=d["size"])
            expert_repo.assign(db, expert.id, centre.id)
        audit.append(db, actor=ws.actor, action="package.import", entity="package",
                     expert_id=expert.id, new=opened.ca_fingerprint,
                     extra={"centres": [c["id"] for c in manifest["centres"]]})
