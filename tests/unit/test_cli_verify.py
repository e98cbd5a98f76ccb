"""``cmrc verify`` on the demo's real files, and on every kind of tampering the issue
names: each refused with exit 1 and a plain reason."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from cmrc_desktop.cli import main
from cmrc_desktop.services.demo import build_demo

PASSWORD = "test-password-1"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    build_demo(out, centres=2, experts=3, seed=11, password=PASSWORD)
    return out


@pytest.fixture(scope="module")
def other_batch(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("other")
    build_demo(out, centres=2, experts=4, seed=12, password=PASSWORD, formats=("xlsx",))
    return out


def verify(capsys, *args: str) -> tuple[int, str]:
    code = main(["verify", *args])
    out, err = capsys.readouterr()
    return code, out + err


def sheet(demo: Path, suffix: str, tmp_path: Path) -> Path:
    source = sorted((demo / "scoresheets").glob(f"*{suffix}"))[0]
    return Path(shutil.copy(source, tmp_path / source.name))


def test_every_demo_sheet_and_package_verifies_against_its_batch(demo, capsys):
    code, out = verify(capsys, "--workspace", str(demo / "secretary"),
                       str(demo / "scoresheets"), str(demo / "packages"))
    lines = [line for line in out.splitlines() if line.strip()]
    sheets = list((demo / "scoresheets").iterdir())
    assert code == 0, out
    assert len(lines) == len(sheets) + len(list((demo / "packages").glob("*.cmrcpkg")))
    assert all(": OK — " in line for line in lines)


def test_without_a_workspace_the_output_says_the_signer_was_not_checked(demo, tmp_path,
                                                                        capsys):
    code, out = verify(capsys, str(sheet(demo, ".pdf", tmp_path)))
    assert code == 0 and "signer not checked against a batch" in out


def test_an_edited_score_cell_is_refused_naming_the_cell(demo, tmp_path, capsys):
    path = sheet(demo, ".xlsx", tmp_path)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    cell = next(c for row in ws.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("A1 "))
    score = ws.cell(cell.row, 6)
    old = score.value
    score.value = "6" if old != "6" else "5"
    wb.save(path)
    code, out = verify(capsys, "--workspace", str(demo / "secretary"), str(path))
    assert code == 1
    assert "REFUSED" in out and f"F{cell.row}" in out and old in out


def test_removed_signature_data_is_refused(demo, tmp_path, capsys):
    from openpyxl.packaging.custom import CustomPropertyList

    path = sheet(demo, ".xlsx", tmp_path)
    wb = load_workbook(path)
    wb.custom_doc_props = CustomPropertyList()
    wb.save(path)
    code, out = verify(capsys, str(path))
    assert code == 1 and "not a CMRC scoresheet" in out


@pytest.mark.parametrize("damage", ["flip", "metadata", "annotation", "after_eof", "truncate"])
def test_a_changed_pdf_is_refused(demo, tmp_path, capsys, damage):
    path = sheet(demo, ".pdf", tmp_path)
    data = path.read_bytes()
    if damage == "flip":
        i = len(data) // 3
        path.write_bytes(data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:])
    elif damage == "after_eof":
        path.write_bytes(data + b"% appended\n")
    elif damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    else:
        with path.open("rb+") as fh:
            writer = IncrementalPdfFileWriter(fh)
            if damage == "metadata":
                writer.document_meta.title = "altered"
            else:
                page = writer.find_page_for_modification(0)[0]
                writer.register_annotation(page, writer.add_object(generic.DictionaryObject({
                    generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
                    generic.pdf_name("/Subtype"): generic.pdf_name("/Text"),
                    generic.pdf_name("/Rect"): generic.ArrayObject(
                        [generic.FloatObject(v) for v in (10, 10, 20, 20)]),
                    generic.pdf_name("/Contents"): generic.TextStringObject("满分")})))
            writer.write_in_place()
    code, out = verify(capsys, "--workspace", str(demo / "secretary"), str(path))
    assert code == 1 and "REFUSED" in out and "Traceback" not in out


@pytest.mark.parametrize("content, name, words", [
    (b"", "empty.xlsx", "empty"),
    (b"centre,expert,indicator,score\nC1,E1,A1,5\n", "renamed.xlsx", "neither a PDF nor a zip"),
    (b"PK\x03\x04broken", "broken.xlsx", ""),
])
def test_files_that_are_not_scoresheets_are_refused(tmp_path, capsys, content, name, words):
    path = tmp_path / name
    path.write_bytes(content)
    code, out = verify(capsys, str(path))
    assert code == 1 and "REFUSED" in out and words in out and "Traceback" not in out


def test_a_truncated_xlsx_is_refused(demo, tmp_path, capsys):
    path = sheet(demo, ".xlsx", tmp_path)
    path.write_bytes(path.read_bytes()[:-500])
    code, out = verify(capsys, str(path))
    assert code == 1 and "REFUSED" in out


def test_a_sheet_resigned_with_a_key_the_batch_did_not_certify_is_refused(demo, tmp_path,
                                                                          capsys):
    from cmrc_desktop.exchange.sheet_xlsx import read_sheet_xlsx
    from cmrc_desktop.scoring.builtin import builtin_scheme
    from cmrc_desktop.signing import keys
    from cmrc_desktop.signing.payload import SheetPayload
    from tests.hostile.forge import write_xlsx

    genuine = read_sheet_xlsx(sheet(demo, ".xlsx", tmp_path))
    original = SheetPayload.from_bytes(genuine.payload_bytes)
    forger_ca = keys.make_batch_ca(original.batch_id, original.batch_name)  # same batch id
    forger = keys.issue_expert_certificate(forger_ca, original.batch_id, original.expert_id,
                                           original.expert_name, original.institution)
    forged = dataclasses.replace(original, cert_fingerprint=keys.fingerprint(forger.cert))
    path = write_xlsx(tmp_path / "forged.xlsx", forged, builtin_scheme("sd-perf-5d"), forger)
    code, out = verify(capsys, str(path))
    assert code == 0  # consistent in itself…
    code, out = verify(capsys, "--workspace", str(demo / "secretary"), str(path))
    assert code == 1 and "unknown signer" in out  # …but not issued by this batch


def test_a_sheet_of_another_batch_is_refused(demo, other_batch, capsys):
    path = sorted((other_batch / "scoresheets").glob("*.xlsx"))[0]
    code, out = verify(capsys, "--workspace", str(demo / "secretary"), str(path))
    assert code == 1 and "another batch" in out


def test_missing_path_is_a_usage_error(tmp_path, capsys):
    code, out = verify(capsys, str(tmp_path / "nothing.pdf"))
    assert code == 2
