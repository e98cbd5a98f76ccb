"""The panel package (评审包, ``.cmrcpkg``): what the secretary hands one expert.

A zip archive, always written with the same entry order and fixed timestamps, so the
same content gives the same bytes:

``manifest.json``
    Canonical JSON (:func:`cmrc_desktop.signing.payload.canonical_json`)::

        {"format": "cmrc-package/1",
         "batch": {"id", "name", "year", "kind", "stage"},
         "scheme": {"id", "sha256", "text"},          # sha256 of the UTF-8 text
         "expert": {"id", "name", "institution", "title", "specialty",
                    "cert_pem", "cert_sha256"},
         "ca_cert_pem": "...",                          # the batch CA
         "centres": [{"id", "name", "level", "field", "sub_field", "host", "province",
                      "city", "director", "start_date",
                      "members": [{"institution", "role"}],
                      "metrics": [{"period", "metric", "value"}],   # value: "12.5"
                      "documents": [{"id", "doc_type", "title", "filename",
                                     "sha256", "size"}]}],
         "files": {"expert-key.p12": sha256, "documents/<sha256>": sha256, ...},
         "created_at": "2025-05-01T08:00:00Z"}

``manifest.sig``
    ECDSA P-256 / SHA-256 signature (DER) of the manifest bytes by the batch CA key,
    deterministic (RFC 6979) so that rebuilding a package gives the same file.
``expert-key.p12``
    The expert's key, certificate and CA chain, protected by a one-time password that
    the secretary gives in person (:func:`cmrc_desktop.signing.keys.protect`).
``documents/<sha256>``
    Each attachment, named by the hash of its bytes, never by the user's file name.

:func:`read_package` checks everything in memory before the caller writes anything:
the archive (through :class:`SafeZip`), the manifest's canonical form, its signature by
the CA it carries (and, when known, that this CA is the expected one), the expert
certificate's issuer and identity, the scheme hash, and that the archive holds exactly
the files the manifest lists, each with its hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.limits import MAX_PACKAGE
from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.domain.workspace import (
    BatchKind,
    Centre,
    Document,
    DocumentType,
    Expert,
    MemberRole,
    MetricValue,
    NetworkMember,
    Stage,
)
from cmrc_desktop.exchange.atomic_file import atomic_path
from cmrc_desktop.exchange.input_file import read_input
from cmrc_desktop.exchange.safe_zip import (
    MAX_ENTRY,
    MAX_RATIO,
    MAX_TOTAL,
    RATIO_GRACE,
    NotAnArchive,
    SafeZip,
    shown,
)
from cmrc_desktop.i18n import _
from cmrc_desktop.paths import PACKAGE_SUFFIX
from cmrc_desktop.signing import keys
from cmrc_desktop.signing.keys import KeyPair
from cmrc_desktop.signing.payload import canonical_json, verify

FORMAT = "cmrc-package/1"
SUFFIX = PACKAGE_SUFFIX
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
EXPERT_KEY = "expert-key.p12"
DOCUMENTS = "documents/"
MAX_MANIFEST = 64 * 1024 * 1024

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DECIMAL = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?$")

DocumentSource = bytes | str | os.PathLike | Callable[[], bytes]


# -- domain objects <-> manifest entries ---------------------------------------------------
def batch_entry(batch_id: str, name: str, year: int, kind: BatchKind | str,
                stage: Stage | str) -> dict:
    return {"id": batch_id, "name": name, "year": year, "kind": str(BatchKind(kind)),
            "stage": str(Stage(stage))}


def expert_entry(expert: Expert) -> dict:
    return {"id": expert.id, "name": expert.name, "institution": expert.institution,
            "title": expert.title, "specialty": expert.specialty}


def centre_entry(centre: Centre, metrics: Iterable[MetricValue] = (),
                 documents: Iterable[Document] = ()) -> dict:
    """A centre as the manifest holds it, with its reported metrics and live documents."""
    return {
        "id": centre.id, "name": centre.name, "level": centre.level, "field": centre.field,
        "sub_field": centre.sub_field, "host": centre.host, "province": centre.province,
        "city": centre.city, "director": centre.director, "start_date": centre.start_date,
        "members": [{"institution": m.institution, "role": str(MemberRole(m.role))}
                    for m in centre.members],
        "metrics": [{"period": m.period, "metric": m.metric, "value": plain(m.value)}
                    for m in sorted(metrics, key=lambda m: (m.period, m.metric))],
        "documents": [{"id": d.id, "doc_type": str(DocumentType(d.doc_type)),
                       "title": d.title, "filename": d.filename, "sha256": d.sha256,
                       "size": d.size}
                      for d in sorted(documents, key=lambda d: d.id)
                      if d.removed_at is None],
    }


def centre_from_entry(entry: Mapping[str, Any]) -> Centre:
    return Centre(
        id=entry["id"], name=entry["name"], level=entry["level"], field=entry["field"],
        host=entry["host"], sub_field=entry["sub_field"], province=entry["province"],
        city=entry["city"], director=entry["director"], start_date=entry["start_date"],
        members=tuple(NetworkMember(m["institution"], MemberRole(m["role"]))
                      for m in entry["members"]))


def metrics_from_entry(entry: Mapping[str, Any]) -> list[MetricValue]:
    return [MetricValue(entry["id"], m["period"], m["metric"], Decimal(m["value"]))
            for m in entry["metrics"]]


# -- building --------------------------------------------------------------------------------
@dataclass
class PackageContent:
    """What goes into one expert's package.

    ``batch``: :func:`batch_entry`; ``expert``: :func:`expert_entry` (its certificate is
    ``expert_cert``); ``centres``: :func:`centre_entry` for each assigned centre;
    ``documents``: sha256 → the bytes, a path, or a function returning the bytes (read
    only while the package is written); ``created_at``: ISO time, "" for now.
    """

    batch: dict
    scheme_id: str
    scheme_text: str
    expert: dict
    expert_cert: x509.Certificate
    centres: list[dict]
    documents: Mapping[str, DocumentSource] = field(default_factory=dict)
    created_at: str = ""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def make_manifest(content: PackageContent, ca_cert: x509.Certificate,
                  expert_key_p12: bytes) -> dict:
    """The manifest for ``content`` (checked by the same rules as on reading)."""
    expert = {key: content.expert.get(key, "") for key in _EXPERT_FIELDS}
    expert["cert_pem"] = keys.cert_pem(content.expert_cert)
    expert["cert_sha256"] = keys.fingerprint(content.expert_cert)
    files = {EXPERT_KEY: sha256_hex(expert_key_p12)}
    for centre in content.centres:
        for doc in centre.get("documents", ()):
            files[DOCUMENTS + str(doc.get("sha256"))] = doc.get("sha256")
    manifest = {
        "format": FORMAT,
        "batch": dict(content.batch),
        "scheme": {"id": content.scheme_id,
                   "sha256": sha256_hex(content.scheme_text.encode("utf-8")),
                   "text": content.scheme_text},
        "expert": expert,
        "ca_cert_pem": keys.cert_pem(ca_cert),
        "centres": [dict(c) for c in content.centres],
        "files": files,
        "created_at": content.created_at or _now(),
    }
    _check_shape(manifest, "")
    return manifest


def build_package(out_path: str | os.PathLike[str], content: PackageContent, ca: KeyPair,
                  expert_key_p12: bytes) -> None:
    """Write the signed package for one expert; ``out_path`` holds the old file or the
    complete new one, never half of it."""
    if not keys.is_issued_by(content.expert_cert, ca.cert) or keys.identity(
            content.expert_cert) != (content.batch.get("id"), content.expert.get("id")):
        raise InputError(_("the expert certificate was not issued by this batch for this "
                           "expert"), field="expert")
    manifest = make_manifest(content, ca.cert, expert_key_p12)
    sizes = {doc["sha256"]: doc["size"] for centre in manifest["centres"]
             for doc in centre["documents"]}
    for sha, size in sizes.items():
        if sha not in content.documents:
            raise InputError(_("the document {sha256} has no content").format(sha256=sha),
                             field="documents")
        if size > MAX_ENTRY:
            raise InputError(_("the document {sha256} is larger than {limit} MiB").format(
                sha256=sha, limit=MAX_ENTRY // (1024 * 1024)), field="documents")
    if sum(sizes.values()) + len(expert_key_p12) > MAX_TOTAL:
        raise InputError(_("the documents are too large for one package (at most {limit} "
                           "MiB)").format(limit=MAX_TOTAL // (1024 * 1024)), field="documents")
    manifest_bytes = canonical_json(manifest)
    signature = ca.key.sign(manifest_bytes,
                            ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    entries: list[tuple[str, DocumentSource, str | None, int | None]] = [
        (MANIFEST, manifest_bytes, None, None),
        (SIGNATURE, signature, None, None),
        (EXPERT_KEY, expert_key_p12, None, None),
    ] + [(DOCUMENTS + sha, content.documents[sha], sha, sizes[sha]) for sha in sorted(sizes)]
    with atomic_path(out_path) as tmp:
        _write_zip(tmp, entries, stored=set())
        # A very regular attachment (a blank scan) could compress beyond what SafeZip
        # accepts as sane; such entries are stored uncompressed instead, so every package
        # this writes can be read back.
        with zipfile.ZipFile(tmp) as zf:
            stored = {i.filename for i in zf.infolist()
                      if i.file_size > RATIO_GRACE
                      and i.file_size / max(i.compress_size, 1) > MAX_RATIO * 0.9}
        if stored:
            _write_zip(tmp, entries, stored=stored)


def _write_zip(path: Path, entries, stored: set[str]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, source, sha, size in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            digest = hashlib.sha256()
            written = 0
            with zf.open(info, "w") as out:
                for chunk in _chunks(source):
                    digest.update(chunk)
                    written += len(chunk)
                    out.write(chunk)
            if sha is not None and (digest.hexdigest() != sha or written != size):
                raise InputError(_("the content of document {sha256} does not match its "
                                   "SHA-256 or size (was the file changed?)").format(sha256=sha),
                                 field="documents")


def _chunks(source: DocumentSource) -> Iterable[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        yield bytes(source)
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                yield chunk
    else:
        yield source()


# -- reading ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenedPackage:
    """A package whose every part has been verified; nothing has been written anywhere."""

    name: str
    manifest: dict
    manifest_bytes: bytes
    signature: bytes
    ca_cert: x509.Certificate
    expert_cert: x509.Certificate
    expert_key_p12: bytes
    documents: dict[str, bytes]

    @property
    def batch_id(self) -> str:
        return self.manifest["batch"]["id"]

    @property
    def expert_id(self) -> str:
        return self.manifest["expert"]["id"]

    @property
    def scheme_text(self) -> str:
        return self.manifest["scheme"]["text"]

    @property
    def scheme_sha256(self) -> str:
        return self.manifest["scheme"]["sha256"]

    @property
    def ca_fingerprint(self) -> str:
        """What the expert may compare with the fingerprint the secretary reads out."""
        return keys.fingerprint(self.ca_cert)

    def open_key(self, one_time_password: str) -> KeyPair:
        """The expert's key; :class:`WrongPassword` when the password does not open it."""
        pair = keys.unprotect(self.expert_key_p12, one_time_password,
                              what=_("the expert key in the package"))
        if (pair.key.public_key().public_numbers()
                != self.expert_cert.public_key().public_numbers()):
            raise InputError(_("the key in the package does not belong to the expert named "
                               "in it"), file=self.name, field=EXPERT_KEY)
        return KeyPair(pair.key, self.expert_cert, (self.ca_cert,))


def read_package(source: str | os.PathLike[str] | bytes, *,
                 expected_ca: x509.Certificate | None = None,
                 shown_as: str | None = None) -> OpenedPackage:
    """Open and verify a panel package in memory; any problem raises :class:`InputError`
    naming the file (and the entry or manifest field) in plain words."""
    name, data = _load(source, shown_as)

    def refuse(message: str, where: str | None = None) -> InputError:
        return InputError(message, file=name, field=where)

    if not data:
        raise refuse(_("the file is empty; expected a panel package (.cmrcpkg)"))
    try:
        archive = SafeZip(data, name=name)
    except NotAnArchive:
        raise refuse(_("this is not a panel package (.cmrcpkg)")) from None
    if MANIFEST not in archive:
        raise refuse(_("this is not a panel package (.cmrcpkg): it has no manifest"))
    if SIGNATURE not in archive:
        raise refuse(_("the package is not signed"), SIGNATURE)
    manifest_bytes, signature = archive.read(MANIFEST), archive.read(SIGNATURE)
    manifest = _parse_manifest(manifest_bytes, refuse)

    # 1. Who signed it: the CA in the manifest, and (when known) the expected one.
    if manifest.get("format") != FORMAT:
        raise refuse(_("the package is in format {format}, which this version cannot "
                       "read").format(format=str(manifest.get("format"))[:40]), "format")
    try:
        ca_cert = keys.load_cert_pem(manifest["ca_cert_pem"])
    except (KeyError, TypeError, ValueError, UnicodeEncodeError):
        raise refuse(_("the batch certificate in the package cannot be read"),
                     "ca_cert_pem") from None
    if not isinstance(ca_cert.public_key(), ec.EllipticCurvePublicKey) or not verify(
            ca_cert.public_key(), manifest_bytes, signature):
        raise refuse(_("the package signature does not match its manifest: the package was "
                       "changed after it was signed"), SIGNATURE)
    if expected_ca is not None and keys.fingerprint(ca_cert) != keys.fingerprint(expected_ca):
        raise refuse(_("the package was signed by another batch"), "ca_cert_pem")

    # 2. What it says: shape, CA and expert certificates, scheme.
    _check_shape(manifest, name)
    batch_id, expert = manifest["batch"]["id"], manifest["expert"]
    if not keys.is_issued_by(ca_cert, ca_cert) or keys.identity(ca_cert)[0] != batch_id:
        raise refuse(_("the batch certificate in the package is not that of batch {batch}")
                     .format(batch=batch_id), "ca_cert_pem")
    try:
        expert_cert = keys.load_cert_pem(expert["cert_pem"])
    except (ValueError, UnicodeEncodeError):
        raise refuse(_("the expert certificate in the package cannot be read"),
                     "expert.cert_pem") from None
    if not keys.is_issued_by(expert_cert, ca_cert):
        raise refuse(_("the expert certificate was not issued by the batch that signed the "
                       "package"), "expert.cert_pem")
    if keys.identity(expert_cert) != (batch_id, expert["id"]):
        raise refuse(_("the expert certificate names another batch or another expert"),
                     "expert.cert_pem")
    if keys.fingerprint(expert_cert) != expert["cert_sha256"]:
        raise refuse(_("the expert certificate does not match its fingerprint"),
                     "expert.cert_sha256")
    scheme = manifest["scheme"]
    if sha256_hex(scheme["text"].encode("utf-8")) != scheme["sha256"]:
        raise refuse(_("the scheme text does not match its SHA-256"), "scheme.sha256")

    # 3. The files: exactly those listed, each with its hash.
    files: dict[str, str] = manifest["files"]
    for entry, sha in files.items():
        if entry not in archive:
            raise refuse(_("the entry is listed in the manifest but missing from the "
                           "package"), entry)
        if sha256_hex(archive.read(entry)) != sha:
            raise refuse(_("the entry does not match the SHA-256 in the manifest (it was "
                           "changed or damaged)"), entry)
    for entry in archive.names:
        if entry not in files and entry not in (MANIFEST, SIGNATURE):
            raise refuse(_("the entry is not listed in the manifest"), entry)
    documents = {}
    for index, centre in enumerate(manifest["centres"]):
        for number, doc in enumerate(centre["documents"]):
            entry = DOCUMENTS + doc["sha256"]
            where = f"centres[{index}].documents[{number}]"
            if entry not in files:
                raise refuse(_("the document is not among the files of the package"), where)
            content = archive.read(entry)
            if len(content) != doc["size"]:
                raise refuse(_("the document's size does not match the manifest"), where)
            documents[doc["sha256"]] = content
    return OpenedPackage(name=name, manifest=manifest, manifest_bytes=manifest_bytes,
                         signature=signature, ca_cert=ca_cert, expert_cert=expert_cert,
                         expert_key_p12=archive.read(EXPERT_KEY), documents=documents)


def _load(source: str | os.PathLike[str] | bytes, shown_as: str | None) -> tuple[str, bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        return shown_as or _("panel package"), bytes(source)
    path = Path(source)
    name = shown_as or path.name
    return name, read_input(path, limit=MAX_PACKAGE, what=_("a panel package"),
                            folder=_("this is a folder, not a panel package"), shown_as=name)


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _no_constant(text: str) -> Any:
    raise ValueError(text)


def _parse_manifest(data: bytes, refuse: Callable[..., InputError]) -> dict:
    if len(data) > MAX_MANIFEST:
        raise refuse(_("the package manifest is too large"), MANIFEST)
    try:
        manifest = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates,
                              parse_constant=_no_constant)
    except _DuplicateKey as exc:
        raise refuse(_("the package manifest repeats the key {key}").format(
            key=exc.key[:80]), MANIFEST) from None
    except (ValueError, RecursionError):
        raise refuse(_("the package manifest is not valid JSON"), MANIFEST) from None
    if not isinstance(manifest, dict):
        raise refuse(_("the package manifest is not valid JSON"), MANIFEST)
    try:
        canonical = canonical_json(manifest)
    except (ValueError, TypeError, RecursionError, UnicodeEncodeError):
        canonical = b""
    if canonical != data:
        raise refuse(_("the package manifest is not in canonical form"), MANIFEST)
    return manifest


# -- the shape of a manifest -----------------------------------------------------------------
_BATCH_FIELDS = ("id", "name", "year", "kind", "stage")
_EXPERT_FIELDS = ("id", "name", "institution", "title", "specialty")
_CENTRE_TEXT = ("id", "name", "level", "field", "sub_field", "host", "province", "city",
                "director", "start_date")


class _Malformed(Exception):
    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


def _text(obj: Mapping, key: str, where: str, *, required: bool = False) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or (required and not value):
        raise _Malformed(f"{where}{key}")
    return value


def _obj(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise _Malformed(where)
    return value


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise _Malformed(where)
    return value


def _int(obj: Mapping, key: str, where: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _Malformed(f"{where}{key}")
    return value


def _choice(obj: Mapping, key: str, where: str, allowed: type) -> None:
    if obj.get(key) not in {str(v) for v in allowed}:
        raise _Malformed(f"{where}{key}")


def _check_shape(manifest: dict, name: str) -> None:
    """Every field the importer relies on is present with the right type and values."""
    try:
        _shape(manifest)
    except _Malformed as exc:
        raise InputError(_("the package manifest has a missing or malformed value"),
                         file=name or None, field=exc.where) from None


def _shape(m: dict) -> None:
    batch = _obj(m.get("batch"), "batch")
    _text(batch, "id", "batch.", required=True)
    _text(batch, "name", "batch.")
    _int(batch, "year", "batch.")
    _choice(batch, "kind", "batch.", BatchKind)
    _choice(batch, "stage", "batch.", Stage)
    scheme = _obj(m.get("scheme"), "scheme")
    _text(scheme, "id", "scheme.", required=True)
    _text(scheme, "text", "scheme.")
    if not _SHA256.match(_text(scheme, "sha256", "scheme.")):
        raise _Malformed("scheme.sha256")
    expert = _obj(m.get("expert"), "expert")
    for key in _EXPERT_FIELDS + ("cert_pem",):
        _text(expert, key, "expert.", required=key in ("id", "cert_pem"))
    if not _SHA256.match(_text(expert, "cert_sha256", "expert.")):
        raise _Malformed("expert.cert_sha256")
    _text(m, "ca_cert_pem", "", required=True)
    _text(m, "created_at", "")
    centre_ids = set()
    for i, centre in enumerate(_list(m.get("centres"), "centres")):
        where = f"centres[{i}]"
        centre = _obj(centre, where)
        for key in _CENTRE_TEXT:
            _text(centre, key, where + ".", required=key in ("id", "name"))
        if centre["id"] in centre_ids:
            raise _Malformed(where + ".id")
        centre_ids.add(centre["id"])
        for j, member in enumerate(_list(centre.get("members"), where + ".members")):
            at = f"{where}.members[{j}]"
            _text(_obj(member, at), "institution", at + ".", required=True)
            _choice(member, "role", at + ".", MemberRole)
        for j, metric in enumerate(_list(centre.get("metrics"), where + ".metrics")):
            at = f"{where}.metrics[{j}]."
            _obj(metric, at[:-1])
            _text(metric, "period", at)
            _text(metric, "metric", at, required=True)
            if not _DECIMAL.match(_text(metric, "value", at)):
                raise _Malformed(at + "value")
        for j, doc in enumerate(_list(centre.get("documents"), where + ".documents")):
            at = f"{where}.documents[{j}]."
            _obj(doc, at[:-1])
            _int(doc, "id", at)
            _choice(doc, "doc_type", at, DocumentType)
            _text(doc, "title", at)
            _text(doc, "filename", at)
            if not _SHA256.match(_text(doc, "sha256", at)):
                raise _Malformed(at + "sha256")
            _int(doc, "size", at)
    files = _obj(m.get("files"), "files")
    if EXPERT_KEY not in files:
        raise _Malformed("files." + EXPERT_KEY)
    for entry, sha in files.items():
        if not isinstance(sha, str) or not _SHA256.match(sha):
            raise _Malformed(f"files.{shown(entry)[:100]}")
        if entry != EXPERT_KEY and entry != DOCUMENTS + sha:
            raise _Malformed(f"files.{shown(entry)[:100]}")
