"""The keys of a workspace, kept in ``keys/`` as password-protected PKCS#12 files.

Secretary workspace: ``keys/batch-ca.p12`` (the batch CA) and ``keys/experts/<id>.p12``
(each expert's key until it is handed over in a panel package, under the secretary's
password). Expert workspace: ``keys/expert.p12`` under the expert's own password.
Certificates (public) are also in the database, so verification never needs a password.
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509

from cmrc_desktop.domain.errors import InputError, WorkspaceError
from cmrc_desktop.domain.limits import MAX_KEY_FILE
from cmrc_desktop.exchange.atomic_file import write_bytes_atomic
from cmrc_desktop.exchange.input_file import read_input
from cmrc_desktop.i18n import _
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.signing import keys
from cmrc_desktop.signing.keys import KeyPair
from cmrc_desktop.storage import audit, batch_repo, expert_repo, signing_repo

BATCH_CA_FILE = "batch-ca.p12"
EXPERT_KEY_FILE = "expert.p12"
MIN_PASSWORD = 8


def check_new_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InputError(_("a password needs at least {n} characters").format(n=MIN_PASSWORD),
                         field="password")


def batch_ca(ws: Workspace) -> x509.Certificate | None:
    pem = ws.batch.ca_cert_pem
    return keys.load_cert_pem(pem) if pem else None


def create_batch_keys(ws: Workspace, password: str) -> x509.Certificate:
    """Create the batch CA once; its key is stored under ``password``."""
    check_new_password(password)
    if batch_ca(ws) is not None:
        raise WorkspaceError(_("this batch already has its keys"))
    batch = ws.batch
    ca = keys.make_batch_ca(batch.id, batch.name)
    path = ws.keys_dir / BATCH_CA_FILE
    ws.keys_dir.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, keys.protect(ca, password, "batch CA"))
    with ws.db.atomic():
        batch_repo.update_batch(ws.db, ca_cert_pem=keys.cert_pem(ca.cert))
        audit.append(ws.db, actor=ws.actor, action="keys.batch_ca", entity="batch",
                     new=keys.fingerprint(ca.cert))
    return ca.cert


def open_batch_ca(ws: Workspace, password: str) -> KeyPair:
    path = ws.keys_dir / BATCH_CA_FILE
    if not path.exists():
        raise WorkspaceError(_("this workspace holds no batch key ({file})").format(file=path))
    return keys.unprotect(_read_key(path), password, _("the batch key"))


def _expert_key_path(ws: Workspace, expert_id: str) -> Path:
    return ws.keys_dir / "experts" / f"{expert_id}.p12"


def issue_expert_key(ws: Workspace, expert_id: str, password: str, *,
                     ca: KeyPair | None = None) -> KeyPair:
    """A key and certificate for a registered expert, signed by the batch CA; the key is
    kept under the batch password until it goes into the expert's panel package (the
    pair is returned too, so a caller about to package it need not open it again)."""
    ca = ca or open_batch_ca(ws, password)
    expert = expert_repo.get_expert(ws.db, expert_id)
    pair = keys.issue_expert_certificate(ca, ws.batch.id, expert.id, expert.name,
                                         expert.institution)
    path = _expert_key_path(ws, expert_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, keys.protect(pair, password, expert_id))
    sha = keys.fingerprint(pair.cert)
    with ws.db.atomic():
        old = signing_repo.expert_cert(ws.db, expert_id)
        signing_repo.set_expert_cert(ws.db, expert_id, keys.cert_pem(pair.cert), sha)
        audit.append(ws.db, actor=ws.actor, action="keys.expert", entity="certificate",
                     expert_id=expert_id, old=old[1] if old else None, new=sha)
    return pair


def expert_certificate(ws: Workspace, expert_id: str) -> x509.Certificate | None:
    found = signing_repo.expert_cert(ws.db, expert_id)
    return keys.load_cert_pem(found[0]) if found else None


def open_expert_key(ws: Workspace, expert_id: str, password: str) -> KeyPair:
    """Secretary side: an expert's key, to put into their panel package."""
    path = _expert_key_path(ws, expert_id)
    if not path.exists():
        raise WorkspaceError(_("expert {id} has no key yet").format(id=expert_id))
    return keys.unprotect(_read_key(path), password, _("the key of expert {id}").format(
        id=expert_id))


def install_own_key(ws: Workspace, pair: KeyPair, password: str) -> None:
    """Expert side: keep the expert's key under the password they chose."""
    check_new_password(password)
    ws.keys_dir.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(ws.keys_dir / EXPERT_KEY_FILE, keys.protect(pair, password, "expert"))


def open_own_key(ws: Workspace, password: str) -> KeyPair:
    path = ws.keys_dir / EXPERT_KEY_FILE
    if not path.exists():
        raise WorkspaceError(_("this workspace holds no expert key ({file})").format(file=path))
    return keys.unprotect(_read_key(path), password, _("your key"))


def _read_key(path: Path) -> bytes:
    """A key file of the workspace, which may have come from anywhere on a USB stick."""
    return read_input(path, limit=MAX_KEY_FILE, what=_("a key file"),
                      folder=_("this is a folder, not a key file"))
