"""A file handed in that cannot be read — missing, a folder, refused by the operating
system — is named in the message, in the same words for a sheet, a template and a
panel package, and says what was expected instead of a folder; and what is not an
ordinary file of a bounded size (a link to /dev/zero, a named pipe, a 3 GiB sparse file)
is refused before a byte of it is read."""

from __future__ import annotations

import os
import signal
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.exchange.input_file import read_input
from cmrc_desktop.exchange.package import read_package
from cmrc_desktop.exchange.sheet_xlsx import read_sheet_xlsx
from cmrc_desktop.exchange.xlsx_safety import open_xlsx

READERS = [
    pytest.param(read_sheet_xlsx, "this is a folder, not an Excel workbook", id="sheet"),
    pytest.param(open_xlsx, "this is a folder, not an Excel workbook", id="template"),
    pytest.param(read_package, "this is a folder, not a panel package", id="package"),
]


@pytest.mark.parametrize(("read", "folder"), READERS)
def test_missing_folder_and_unreadable_are_named(tmp_path, read, folder):
    with pytest.raises(InputError) as missing:
        read(tmp_path / "评分表.xlsx")
    assert (missing.value.message, missing.value.file) == ("the file does not exist",
                                                           "评分表.xlsx")
    (tmp_path / "returns").mkdir()
    with pytest.raises(InputError) as a_folder:
        read(tmp_path / "returns")
    assert (a_folder.value.message, a_folder.value.file) == (folder, "returns")
    too_long = "x" * 300 + ".xlsx"        # the system refuses the name (even for root)
    with pytest.raises(InputError) as refused:
        read(tmp_path / too_long)
    assert refused.value.message == "cannot read the file: File name too long"
    assert refused.value.file == too_long


# -- read_input: only an ordinary file of a bounded size is ever read -------------------
ONE_KIB = 1024


def read(path, limit=ONE_KIB):
    return read_input(path, limit=limit, what="a scoresheet",
                      folder="this is a folder, not an Excel workbook")


@contextmanager
def within(seconds: int):
    """Fail, instead of hanging the test run, when a read does not return in time."""
    def give_up(_signum, _frame):
        raise TimeoutError(f"the read was still blocked after {seconds} s")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_an_ordinary_file_and_a_link_to_one_are_read_whole(tmp_path):
    sheet = tmp_path / "评分表.xlsx"
    sheet.write_bytes(b"x" * ONE_KIB)
    (tmp_path / "link.xlsx").symlink_to(sheet)
    assert read(sheet) == b"x" * ONE_KIB
    assert read(tmp_path / "link.xlsx") == b"x" * ONE_KIB


def test_one_byte_over_the_limit_is_refused_naming_the_limit(tmp_path):
    sheet = tmp_path / "评分表.xlsx"
    sheet.write_bytes(b"x" * (ONE_KIB + 1))
    with pytest.raises(InputError) as refused:
        read(sheet)
    assert str(refused.value) == (f"{sheet}: the file is larger than 1 KiB, the most a "
                                  "scoresheet can be")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_link_to_dev_zero_is_refused_before_a_byte_is_read(tmp_path):
    link = tmp_path / "评分表.xlsx"
    link.symlink_to("/dev/zero")
    with within(5), pytest.raises(InputError) as refused:
        read(link, limit=20 * 1024 * 1024)
    assert str(refused.value) == f"{link}: this is a device, not an ordinary file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_nobody_writes_to_is_refused_without_waiting(tmp_path):
    pipe = tmp_path / "scheme.toml"
    os.mkfifo(pipe)
    with within(5), pytest.raises(InputError) as refused:
        read(pipe)
    assert str(refused.value) == f"{pipe}: this is a named pipe (FIFO), not an ordinary file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_swapped_in_after_the_check_does_not_hang_the_reader(tmp_path, monkeypatch):
    sheet = tmp_path / "评分表.xlsx"
    sheet.write_bytes(b"genuine")
    real_open = os.open

    def swap_then_open(path, flags, *args):
        if Path(path) == sheet:                 # between the stat and the open
            sheet.unlink()
            os.mkfifo(sheet)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", swap_then_open)
    with within(5), pytest.raises(InputError) as refused:
        read(sheet)
    assert refused.value.message == "this is a named pipe (FIFO), not an ordinary file"


def test_another_file_swapped_in_after_the_check_is_refused(tmp_path, monkeypatch):
    sheet, other = tmp_path / "评分表.xlsx", tmp_path / "other.xlsx"
    sheet.write_bytes(b"genuine")
    other.write_bytes(b"forged")
    real_open = os.open

    def swap_then_open(path, flags, *args):
        if Path(path) == sheet:
            os.replace(other, sheet)           # other still exists: its inode is not reused
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", swap_then_open)
    with pytest.raises(InputError) as refused:
        read(sheet)
    assert refused.value.message == ("the file was replaced while it was being opened; "
                                     "try again")


def test_a_3_gib_sparse_file_is_refused_from_its_size(tmp_path):
    big = tmp_path / "评分表.xlsx"
    with big.open("wb") as fh:
        fh.truncate(3 * 1024**3)               # costs no disk space, would cost 3 GiB of memory
    started = time.monotonic()
    with pytest.raises(InputError) as refused:
        read(big, limit=20 * 1024 * 1024)
    assert time.monotonic() - started < 1
    assert refused.value.message == "the file is larger than 20 MiB, the most a scoresheet can be"


def test_a_folder_and_a_missing_file_are_said_plainly(tmp_path):
    with pytest.raises(InputError) as folder:
        read(tmp_path)
    assert folder.value.message == "this is a folder, not an Excel workbook"
    with pytest.raises(InputError) as missing:
        read(tmp_path / "gone.xlsx")
    assert (missing.value.message, missing.value.file) == ("the file does not exist",
                                                           str(tmp_path / "gone.xlsx"))


def test_a_file_that_grows_past_the_limit_while_it_is_read_is_refused(tmp_path, monkeypatch):
    sheet = tmp_path / "评分表.xlsx"
    sheet.write_bytes(b"x" * 10)
    real_fstat = os.fstat
    calls = 0

    def fstat_then_grow(fd):
        nonlocal calls
        calls += 1
        found = real_fstat(fd)
        if calls == 2:                          # every check passed: now someone appends
            with sheet.open("ab") as fh:
                fh.write(b"y" * (2 * ONE_KIB))
        return found

    monkeypatch.setattr(os, "fstat", fstat_then_grow)
    with pytest.raises(InputError) as refused:
        read(sheet)
    assert calls == 2
    assert refused.value.message == "the file is larger than 1 KiB, the most a scoresheet can be"


def test_the_limits_agree_with_what_a_panel_package_can_hold():
    from cmrc_desktop.domain import limits
    from cmrc_desktop.exchange import safe_zip

    assert limits.MAX_PACKAGE >= safe_zip.MAX_TOTAL     # a full package is not refused
    assert limits.MAX_DOCUMENT <= safe_zip.MAX_ENTRY    # an accepted document can be sent
