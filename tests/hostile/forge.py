"""Making hostile and forged files from a real batch's genuine sheets (shared by the
hostile-file tests, the short fuzz run and ``bench/fuzz_long.py``)."""

from __future__ import annotations

import dataclasses
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

from cmrc_desktop.exchange.sheet_content import build_sheet_content
from cmrc_desktop.exchange.sheet_xlsx import read_sheet_xlsx, write_sheet_xlsx
from cmrc_desktop.scoring.builtin import catalog
from cmrc_desktop.services import keyring
from cmrc_desktop.services.demo import build_demo
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.signing.payload import SheetPayload, sign

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
    """Write ``payload`` as a scoresheet signed with expert ``signer``'s real key."""
    with open_workspace(batch / "experts" / signer) as ews:
        pair = keyring.open_own_key(ews, PASSWORD)
        content = build_sheet_content(payload, ews.scheme, catalog(), {})
        write_sheet_xlsx(out, content, sign(pair.key, payload.canonical()),
                         [pair.cert, *pair.chain])
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
