"""Creating and opening a workspace: a folder with ``cmrc.sqlite``, ``attachments/`` and
``keys/``.

A folder (not a single file) so that dossier attachments and signing keys travel with
the database when a secretary copies the batch to another machine. Attachments are
stored by content hash, so the same PDF added twice takes the space once and a
renamed file still resolves.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import io
import os
import secrets
import tempfile
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, TypeVar

from cmrc_desktop.domain.errors import InputError, WorkspaceError
from cmrc_desktop.domain.limits import MAX_DOCUMENT
from cmrc_desktop.domain.scheme import Scheme
from cmrc_desktop.domain.workspace import Batch, BatchKind, Role, Stage, label
from cmrc_desktop.exchange.input_file import open_input, too_large
from cmrc_desktop.i18n import _
from cmrc_desktop.scoring.scheme_loader import parse_scheme
from cmrc_desktop.storage import Database, audit, batch_repo, open_db, utc_now

DB_NAME = "cmrc.sqlite"
ATTACHMENTS_DIR = "attachments"
KEYS_DIR = "keys"
_CHUNK = 1024 * 1024
_E = TypeVar("_E", bound=StrEnum)


def default_actor() -> str:
    """Who the audit log names when nobody said: the operating-system user."""
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError):
        return "unknown"


class Workspace:
    """An open workspace. ``batch`` is read fresh each time (the stage can change);
    ``scheme`` is parsed once per stored scheme text. ``read_only`` says why nothing
    can be written (None when it can)."""

    read_only: str | None = None

    def __init__(self, folder: Path, db: Database, *, actor: str | None = None) -> None:
        self.folder = folder
        self.db = db
        self.actor = actor or default_actor()
        self._scheme: tuple[str, Scheme] | None = None

    @property
    def db_path(self) -> Path:
        return self.folder / DB_NAME

    @property
    def attachments_dir(self) -> Path:
        return self.folder / ATTACHMENTS_DIR

    @property
    def keys_dir(self) -> Path:
        return self.folder / KEYS_DIR

    @property
    def batch(self) -> Batch:
        return batch_repo.get_batch(self.db)

    @property
    def scheme(self) -> Scheme:
        batch = self.batch
        if self._scheme is None or self._scheme[0] != batch.scheme_sha256:
            scheme = parse_scheme(batch.scheme_text, source=f"{self.db_path} (scheme)")
            self._scheme = (batch.scheme_sha256, scheme)
        return self._scheme[1]

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workspace({str(self.folder)!r})"


def create_workspace(
    folder: str | Path,
    *,
    name: str,
    year: int,
    kind: BatchKind | str,
    stage: Stage | str,
    scheme: Scheme,
    role: Role | str,
    actor: str | None = None,
    batch_id: str | None = None,
) -> Workspace:
    """Make a new workspace for one evaluation batch under ``scheme``."""
    folder = Path(folder)
    if (folder / DB_NAME).exists():
        raise WorkspaceError(_("The folder {folder} already holds a CMRC Desktop workspace.")
                             .format(folder=folder), file=str(folder / DB_NAME))
    batch = _new_batch(name=name, year=year, kind=kind, stage=stage, scheme=scheme, role=role,
                       batch_id=batch_id)
    _make_folders(folder)
    db = open_db(folder / DB_NAME)
    ws = Workspace(folder, db, actor=actor)
    try:
        with db.atomic():
            batch_repo.insert_batch(db, batch)
            audit.append(db, actor=ws.actor, action="batch.create", entity=f"batch:{batch.id}",
                         new=batch.name, extra={
                             "year": batch.year, "kind": str(batch.kind),
                             "stage": str(batch.stage), "role": str(batch.role),
                             "scheme_id": batch.scheme_id,
                             "scheme_sha256": batch.scheme_sha256})
    except BaseException:
        ws.close()
        _remove_database(folder / DB_NAME)
        raise
    return ws


def open_workspace(folder: str | Path, *, actor: str | None = None) -> Workspace:
    folder = Path(folder)
    if not (folder / DB_NAME).is_file():
        raise WorkspaceError(_("The folder {folder} is not a CMRC Desktop workspace: it has no "
                               "{name}.").format(folder=folder, name=DB_NAME),
                             file=str(folder))
    db = open_db(folder / DB_NAME)
    try:
        batch_repo.get_batch(db)
        _make_folders(folder)
    except BaseException:
        db.close()
        raise
    return Workspace(folder, db, actor=actor)


def open_workspace_read_only(folder: str | Path, reason: str, *,
                            actor: str | None = None) -> Workspace:
    """Open for reading only (a read-only folder or disk, a damaged file): no write, not
    even a migration or a missing sub-folder, reaches the disk."""
    folder = Path(folder)
    if not (folder / DB_NAME).is_file():
        raise WorkspaceError(_("The folder {folder} is not a CMRC Desktop workspace: it has no "
                               "{name}.").format(folder=folder, name=DB_NAME),
                             file=str(folder))
    db = open_db(folder / DB_NAME, read_only=True)
    try:
        batch_repo.get_batch(db)
    except BaseException:
        db.close()
        raise
    ws = Workspace(folder, db, actor=actor)
    ws.read_only = reason
    return ws


def _new_batch(*, name: str, year: int, kind: BatchKind | str, stage: Stage | str,
               scheme: Scheme, role: Role | str, batch_id: str | None) -> Batch:
    """Check everything before a file is created, so a refused batch leaves no workspace."""
    kind_ = _enum(BatchKind, kind, "kind")
    stage_ = _enum(Stage, stage, "stage")
    role_ = _enum(Role, role, "role")
    if not name or not name.strip():
        raise InputError(_("the batch needs a name"), field="name")
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 9999:
        raise InputError(_("the year must be a four-digit year, not {value!r}")
                         .format(value=year), field="year")
    if not scheme.text:
        raise InputError(_("scheme {id} has no source text to store").format(id=scheme.id),
                         field="scheme")
    if scheme.kind and scheme.kind != kind_:
        raise InputError(_("scheme {id} is for {scheme_kind} but the batch is {kind}").format(
            id=scheme.id, scheme_kind=_kind_label(scheme.kind), kind=label(kind_)),
            field="scheme")
    return Batch(
        id=batch_id or f"B{year}-{secrets.token_hex(4)}", name=name.strip(), year=year,
        kind=kind_, stage=stage_, scheme_id=scheme.id, scheme_text=scheme.text,
        scheme_sha256=hashlib.sha256(scheme.text.encode("utf-8")).hexdigest(),
        role=role_, created_at=utc_now())


def _kind_label(kind: str) -> str:
    try:
        return label(BatchKind(kind))
    except ValueError:
        return kind


def _enum(enum: type[_E], value: object, field: str) -> _E:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(str(m) for m in enum)
        raise InputError(_("unknown {field} '{value}' (allowed: {allowed})").format(
            field=field, value=value, allowed=allowed), field=field) from None


def _make_folders(folder: Path) -> None:
    try:
        for path in (folder, folder / ATTACHMENTS_DIR, folder / KEYS_DIR):
            path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(_("cannot create the folder {folder}: {reason}").format(
            folder=exc.filename or folder, reason=exc.strerror), file=str(folder)) from None


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(path) + suffix).unlink()


# -- attachments ------------------------------------------------------------------------
def attachment_path(ws: Workspace, sha256: str) -> Path:
    return ws.attachments_dir / sha256[:2] / sha256


def store_attachment(ws: Workspace, path: str | Path) -> tuple[str, int]:
    """Copy a file into the workspace by content hash; returns (sha256, size).

    The copy is hashed as it is written (one read of the source, so a file that changes
    meanwhile cannot be stored under a wrong name), then fsynced and renamed into place:
    a crash leaves either the whole file or only a stray temporary file. Only an ordinary
    file of at most ``MAX_DOCUMENT`` bytes is copied (a link to ``/dev/zero`` would fill
    the disk), and the copy stops there if the file grows meanwhile.
    """
    name = str(path)
    source = open_input(path, limit=MAX_DOCUMENT, what=_("a dossier document"),
                        folder=_("this is a folder, not a document"))
    return _store(ws, source, limit=MAX_DOCUMENT, name=name)


def store_attachment_bytes(ws: Workspace, data: bytes, *, expected_sha256: str | None = None
                           ) -> tuple[str, int]:
    """Like ``store_attachment`` for bytes already in memory (from a panel package)."""
    digest = hashlib.sha256(data).hexdigest()
    if expected_sha256 is not None and digest != expected_sha256:
        raise InputError(_("the document does not match its SHA-256"))
    return _store(ws, io.BytesIO(data))


def _store(ws: Workspace, source: BinaryIO, *, limit: int | None = None, name: str = ""
           ) -> tuple[str, int]:
    ws.attachments_dir.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".incoming-", dir=ws.attachments_dir)
    temp = Path(temp_name)
    try:
        with source, os.fdopen(fd, "wb") as out:
            digest, size = _copy_hashing(source, out, limit, name)
            out.flush()
            os.fsync(out.fileno())
        target = attachment_path(ws, digest)
        if target.exists():
            temp.unlink()
        else:
            target.parent.mkdir(exist_ok=True)
            os.replace(temp, target)
            _fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    return digest, size


def _copy_hashing(source: BinaryIO, out: BinaryIO, limit: int | None, name: str
                  ) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    while chunk := source.read(_CHUNK):
        size += len(chunk)
        if limit is not None and size > limit:     # a document that grew after the check
            raise too_large(limit, _("a dossier document"), name)
        sha.update(chunk)
        out.write(chunk)
    return sha.hexdigest(), size


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; Windows cannot open a directory, and needs not."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
