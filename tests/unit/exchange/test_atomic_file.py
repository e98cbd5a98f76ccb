"""Writing a file whole or not at all — and saying so plainly when the folder is missing."""

from __future__ import annotations

import pytest

from cmrc_desktop.cli import main
from cmrc_desktop.exchange.atomic_file import write_bytes_atomic


def test_a_missing_folder_is_named_not_our_temporary_file(tmp_path):
    target = tmp_path / "no-such-folder" / "report.pdf"
    with pytest.raises(FileNotFoundError) as info:
        write_bytes_atomic(target, b"x")
    assert info.value.filename == str(target) and ".part" not in str(info.value)
    assert not target.parent.exists()


def test_the_previous_file_stays_whole_when_a_write_fails(tmp_path):
    target = tmp_path / "sheet.xlsx"
    target.write_bytes(b"old")

    class Boom(Exception):
        pass

    from cmrc_desktop.exchange.atomic_file import atomic_path

    with pytest.raises(Boom), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise Boom
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.xlsx"]


def test_the_password_sheet_goes_into_a_folder_made_for_it(tmp_path, capsys, monkeypatch):
    """As the packages' folder is made, so is the password sheet's (it was an "internal
    error" naming our temporary file)."""
    from cmrc_desktop.cli import main as cli_main

    monkeypatch.setenv("CMRC_PASSWORD", "atomic-test-1")
    demo = tmp_path / "demo"
    assert cli_main(["--lang", "en", "demo", "--out", str(demo), "--centres", "2",
                     "--experts", "3", "--secretary-only"]) == 0
    capsys.readouterr()
    sheet = tmp_path / "nowhere" / "deeper" / "pw.pdf"
    code = main(["--lang", "en", "package", "export", "--workspace", str(demo / "secretary"),
                 "--out", str(tmp_path / "packages"), "--password-sheet", str(sheet)])
    err = capsys.readouterr().err
    assert code == 0 and sheet.exists() and "internal error" not in err, err
