"""Making hostile and forged files from a real batch's genuine sheets (shared by the
hostile-file tests, the short fuzz run and ``bench/fuzz_long.py``)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

from cmrc_desktop.exchange.sheet_content import build_sheet_content
from cmrc_desktop.exchange.sheet_xlsx import read_sheet_xlsx, write_sheet_xlsx
from cmrc_desktop.exchange.sheet_xlsx_parts import IMAGE
from cmrc_desktop.scoring.builtin import catalog
from cmrc_desktop.services import keyring
from cmrc_desktop.services.demo import build_demo
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.signing.payload import SheetPayload

PASSWORD = "test-password-1"


def build_batch(folder: Path) -> Path:
    """A batch whose experts have signed and exported (xlsx) but nothing is merged yet."""
    build_demo(folder, centres=2, experts=3, seed=11, password=PASSWORD, merge=False,
               formats=("xlsx",))
    return folder


def copy_batch(pristine: Path, target: Path) -> Path:
    shutil.copytree(pristine, target)
    return target


def genuine(batch: Path, expert: str | None = None) -> Path:
    """A genuine signed sheet of the batch (of ``expert`` when given)."""
    sheets = sorted((batch / "scoresheets").glob("*.xlsx"))
    return next(p for p in sheets if expert is None or p.stem.split("_")[2] == expert)


def payload_of(path: Path) -> SheetPayload:
    return SheetPayload.from_bytes(read_sheet_xlsx(path).payload_bytes)


def resign(batch: Path, payload: SheetPayload, signer: str, out: Path) -> Path:
    """Write ``payload`` as a scoresheet signed with expert ``signer``'s real key (with
    the drawn signature whose hash the payload names, taken from the batch's sheets)."""
    with open_workspace(batch / "experts" / signer) as ews:
        pair = keyring.open_own_key(ews, PASSWORD)
        write_xlsx(out, payload, ews.scheme, pair, png=drawn_signature(batch, payload))
    return out


def drawn_signature(batch: Path, payload: SheetPayload) -> bytes | None:
    """The drawn signature (PNG) a payload names by hash, from a genuine sheet."""
    if not payload.signature_png:
        return None
    for path in sorted((batch / "scoresheets").glob("*.xlsx")):
        image = read_sheet_xlsx(path).parts.get(IMAGE)
        if image and hashlib.sha256(image).hexdigest() == payload.signature_png:
            return image
    return None


def write_xlsx(out: Path, payload: SheetPayload, scheme, pair, *,
               png: bytes | None = None) -> Path:
    """``payload`` written and signed as our program does, with ``pair``'s key and the
    drawn signature ``png`` (without one, the payload's hash of it is set to match)."""
    if png is None:
        payload = replaced(payload, signature_png="")
    write_sheet_xlsx(out, build_sheet_content(payload, scheme, catalog()), pair,
                     signature_png=png)
    return out


def replaced(payload: SheetPayload, **changes) -> SheetPayload:
    return dataclasses.replace(payload, **changes)


def rewrite_zip(src: Path, out: Path, change: Callable[[str, bytes], bytes | None] | None = None,
                extra: dict[str, bytes] | None = None) -> Path:
    """Copy the zip ``src`` member by member; ``change(name, data)`` may alter a member's
    bytes (or drop it by returning None); ``extra`` members are added at the end."""
    with zipfile.ZipFile(src) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            data = change(name, data) if change else data
            if data is not None:
                archive.writestr(name, data)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out


def database_state(secretary: Path) -> dict[str, int]:
    """What a merge writes, counted: a refused file must leave all of it unchanged."""
    with open_workspace(secretary) as ws:
        return {table: ws.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("scores", "opinions", "sheets", "received_sheets")}


def expert_key(batch: Path, expert: str):
    with open_workspace(batch / "experts" / expert) as ews:
        return keyring.open_own_key(ews, PASSWORD)


def resign_parts(batch: Path, src: Path, out: Path,
                 change: Callable[[str, bytes], bytes | None] | None = None,
                 extra: dict[str, bytes] | None = None, *, signer: str | None = None) -> Path:
    """``src`` with its parts changed and the parts manifest signed again with the
    expert's real key: what a client holding a genuine key could hand in (the payload
    and its signature untouched)."""
    sheet = read_sheet_xlsx(src)
    pair = expert_key(batch, signer or sheet.payload.expert_id)
    parts = {}
    for name, body in sheet.parts.items():
        body = change(name, body) if change else body
        if body is not None:
            parts[name] = body
    parts.update(extra or {})
    out.write_bytes(signed_parts(sheet, pair, parts))
    return out


def signed_parts(sheet, pair, parts: dict[str, bytes]) -> bytes:
    """A workbook of ``parts`` carrying ``sheet``'s payload and signature, its parts
    manifest signed with ``pair``."""
    from openpyxl.xml.functions import tostring

    from cmrc_desktop.exchange import sheet_xlsx
    from cmrc_desktop.exchange.sheet_xlsx_parts import CUSTOM_PART
    from cmrc_desktop.signing.payload import sign

    parts = dict(parts)
    manifest = sheet_xlsx.parts_manifest(parts, sheet.payload)
    props = sheet_xlsx._properties({"payload": sheet.payload_bytes,
                                    "signature": sheet.signature}, [pair.cert, *pair.chain])
    sheet_xlsx._append(props, "parts", manifest)
    sheet_xlsx._append(props, "parts_signature", sign(pair.key, manifest))
    parts[CUSTOM_PART] = tostring(props.to_tree())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()
