"""Mutations of a genuine signed sheet or panel package, and the one verdict every mutant
must get: verified with the original payload, or refused with the program's own reason —
never another exception, and never a partial merge (shared by the short CI run and
``bench/fuzz_long.py``)."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

from hypothesis import strategies as st

from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.services.merge import merge_files
from cmrc_desktop.services.verify import BatchContext, verify_file
from cmrc_desktop.services.workspace import Workspace

ACCEPTED_IDENTICAL, REFUSED, CRASH, PARTIAL = "accepted-identical", "refused", "crash", "partial"


def _members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(i.filename, archive.read(i)) for i in archive.infolist()]


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore")          # duplicate names are one of the mutations
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


@st.composite
def mutants(draw, original: bytes) -> bytes:
    """Raw byte damage, or a well-formed zip whose members were altered."""
    kind = draw(st.sampled_from(["flip", "truncate", "insert", "member", "drop", "add",
                                 "rename"]))
    if kind == "flip":
        data = bytearray(original)
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] = draw(st.integers(0, 255))
        return bytes(data)
    if kind == "truncate":
        return original[:draw(st.integers(0, len(original) - 1))]
    if kind == "insert":
        at = draw(st.integers(0, len(original)))
        return original[:at] + draw(st.binary(min_size=1, max_size=64)) + original[at:]
    members = _members(original)
    index = draw(st.integers(0, len(members) - 1))
    name, data = members[index]
    if kind == "member":   # edit the member's text: replace a slice with other text
        if data:
            start = draw(st.integers(0, len(data) - 1))
            end = draw(st.integers(start, min(len(data), start + 64)))
        else:
            start = end = 0
        piece = draw(st.one_of(st.binary(max_size=32), st.text(max_size=16).map(str.encode),
                               st.sampled_from([b"<", b">", b"&amp;", b"<!DOCTYPE a>",
                                                b'"', b"0", b"9", b"-", b"=", b"\x00"])))
        members[index] = (name, data[:start] + piece + data[end:])
    elif kind == "drop":
        del members[index]
    elif kind == "add":
        members.append((draw(st.sampled_from(["../evil", "/abs", "C:x", name.upper(),
                                              name, "xl/vbaProject.bin", "x.xml"])),
                        draw(st.binary(max_size=64))))
    else:
        members[index] = (draw(st.sampled_from([name.upper(), name + "/", "a/../" + name,
                                                name.replace("/", "\\")])), data)
    return _zip(members)


def judge(data: bytes, name: str, context: BatchContext, original_payload: bytes | None,
          ws: Workspace | None = None, folder: Path | None = None) -> tuple[str, str]:
    """The verdict on one mutant; with ``ws`` and ``folder`` the mutant is also merged and
    the merge must change nothing unless the payload is the original one."""
    path = Path(folder or "/nonexistent") / name
    try:
        result = verify_file(path, context=context, data=data)
    except CmrcError as exc:            # the program's own error: fine, but verify never raises
        return REFUSED, exc.message
    except Exception as exc:            # noqa: BLE001 - exactly what the fuzzer is looking for
        return CRASH, f"{type(exc).__name__}: {exc}"
    if result.ok and result.kind != "package" and (
            result.payload is None or result.payload.canonical() != original_payload):
        return CRASH, "accepted with a payload other than the original"
    verdict = (ACCEPTED_IDENTICAL, "") if result.ok else (REFUSED, result.reason)
    if ws is not None and folder is not None and result.kind != "package":
        path.write_bytes(data)
        before = _state(ws)
        try:
            report = merge_files(ws, [path])
        except Exception as exc:        # noqa: BLE001
            return CRASH, f"merge: {type(exc).__name__}: {exc}"
        outcome = report.files[0].outcome if report.files else "none"
        if _state(ws) != before or outcome not in ("refused", "already_merged"):
            return PARTIAL, f"merge {outcome} changed the workspace"
    return verdict


def _state(ws: Workspace) -> tuple[int, ...]:
    return tuple(ws.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("scores", "opinions", "sheets", "received_sheets"))
