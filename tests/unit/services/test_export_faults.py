"""Exporting a signed sheet when the disk fills up or fails part-way (issue #8, item 2).

The fault is made where it happens for real: the writer of one format writes half of
its file and then the operating system says "no space left on device" (or "input/output
error"). Whatever fails, the destination folder must hold exactly what it held before —
the previous export of the same sheet untouched (same bytes, same file), no
half-written file, no temporary file left behind — the error must say what happened
and what to do, and the workspace must not record an export that did not happen.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pytest

from cmrc_desktop.domain.errors import InputError, WorkspaceError
from cmrc_desktop.domain.workspace import SheetState
from cmrc_desktop.exchange import sheet_pdf, sheet_xlsx
from cmrc_desktop.services import keyring, scoring, verify
from cmrc_desktop.services.demo import build_demo
from cmrc_desktop.services.packages import export_package, import_package
from cmrc_desktop.services.sheets import export_sheet, sign_sheet
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.storage import audit, expert_repo, score_repo, signing_repo

PASSWORD = "test-password-1"
EXPERT = "E01"
VERIFY = verify.verify_file     # the real one, also while a test replaces it


@pytest.fixture(scope="module")
def signed_template(tmp_path_factory) -> tuple[Path, str]:
    """A closed expert workspace whose first sheet is signed and exported once."""
    base = tmp_path_factory.mktemp("export_faults")
    summary = build_demo(base / "demo", centres=2, experts=3, seed=3, password=PASSWORD,
                         with_experts=False)
    with open_workspace(summary.secretary) as sec:
        pkg = export_package(sec, EXPERT, base, PASSWORD)
    ws = import_package(base / "expert", pkg.path, pkg.one_time_password, PASSWORD)
    try:
        centre = expert_repo.list_assignments(ws.db)[0][1]
        scoring.record_sheet(ws, EXPERT, centre,
                             {i.id: i.max - i.step for i in ws.scheme.expert_indicators})
        scoring.set_sheet_state(ws, EXPERT, centre, SheetState.FINAL)
        signer = keyring.open_own_key(ws, PASSWORD)
        sign_sheet(ws, EXPERT, centre, signer)
    finally:
        ws.close()
    return base / "expert", centre


@pytest.fixture
def exported(signed_template, tmp_path):
    """(ws, centre, signer, out folder, {path: (bytes, inode)}) after a first export."""
    template, centre = signed_template
    ws = open_workspace(shutil.copytree(template, tmp_path / "expert"))
    signer = keyring.open_own_key(ws, PASSWORD)
    out = tmp_path / "out"
    first = export_sheet(ws, EXPERT, centre, out, signer)
    before = {p: (p.read_bytes(), p.stat().st_ino) for p in first.paths}
    yield ws, centre, signer, out, before
    ws.close()


def _half_then(err: int, writer):
    """A writer that writes half of what ``writer`` writes, then fails with ``err``."""

    def broken(path, *args, **kwargs):
        writer(path, *args, **kwargs)
        data = Path(path).read_bytes()
        Path(path).write_bytes(data[: len(data) // 2])
        raise OSError(err, __import__("os").strerror(err), str(path))

    return broken


def _records(ws, centre):
    return (len(signing_repo.exported_formats(ws.db, EXPERT, centre, 1)),
            len(audit.entries(ws.db, action="sheet.export")),
            score_repo.find_sheet(ws.db, EXPERT, centre))


def _assert_untouched(ws, out: Path, before: dict[Path, tuple[bytes, int]]) -> None:
    assert sorted(out.iterdir()) == sorted(before)        # no half file, no .part file
    for path, (data, inode) in before.items():
        assert path.read_bytes() == data, path.name
        assert path.stat().st_ino == inode, f"{path.name} was replaced"
        assert VERIFY(path, ws).ok


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_a_full_disk_part_way_leaves_the_previous_export_intact(exported, monkeypatch, fmt):
    ws, centre, signer, out, before = exported
    records = _records(ws, centre)
    module, name = (sheet_xlsx, "write_sheet_xlsx") if fmt == "xlsx" else \
        (sheet_pdf, "write_sheet_pdf")
    monkeypatch.setattr(module, name, _half_then(errno.ENOSPC, getattr(module, name)))
    with pytest.raises(WorkspaceError) as refused:
        export_sheet(ws, EXPERT, centre, out, signer)
    message = str(refused.value)
    assert refused.value.file == str(out / f"{ws.batch.id}_{centre}_{EXPERT}_r1.{fmt}")
    assert "disk is full" in refused.value.message
    assert "exported before are unchanged" in message and "Free some space" in message
    _assert_untouched(ws, out, before)
    assert _records(ws, centre) == records        # no export recorded, still signed
    assert records[2].state == SheetState.SIGNED


def test_an_io_error_part_way_says_so_and_leaves_the_previous_export(exported, monkeypatch):
    ws, centre, signer, out, before = exported
    records = _records(ws, centre)
    monkeypatch.setattr(sheet_pdf, "write_sheet_pdf",
                        _half_then(errno.EIO, sheet_pdf.write_sheet_pdf))
    with pytest.raises(WorkspaceError, match="could not be written") as refused:
        export_sheet(ws, EXPERT, centre, out, signer, formats=("pdf", "xlsx"))
    assert "exported before are unchanged" in str(refused.value)
    _assert_untouched(ws, out, before)
    assert _records(ws, centre) == records


def test_a_file_failing_its_own_verification_does_not_destroy_the_previous_one(
        exported, monkeypatch):
    ws, centre, signer, out, before = exported
    records = _records(ws, centre)
    real = verify.verify_file

    def refuse_pdf(path, *args, **kwargs):
        result = real(path, *args, **kwargs)
        if Path(path).suffix == ".pdf":
            return verify.VerifyResult(Path(path), False, "pdf", "made to fail")
        return result

    monkeypatch.setattr(verify, "verify_file", refuse_pdf)
    with pytest.raises(InputError, match="failed its own verification: made to fail"):
        export_sheet(ws, EXPERT, centre, out, signer)
    _assert_untouched(ws, out, before)
    assert _records(ws, centre) == records


def test_a_first_export_onto_a_full_disk_leaves_nothing(exported, monkeypatch, tmp_path):
    ws, centre, signer, _out, _before = exported
    fresh = tmp_path / "usb"
    fresh.mkdir()
    records = _records(ws, centre)
    monkeypatch.setattr(sheet_pdf, "write_sheet_pdf",
                        _half_then(errno.ENOSPC, sheet_pdf.write_sheet_pdf))
    with pytest.raises(WorkspaceError, match="disk is full"):
        export_sheet(ws, EXPERT, centre, fresh, signer)
    assert list(fresh.iterdir()) == []                   # not even the xlsx alone
    assert _records(ws, centre) == records
