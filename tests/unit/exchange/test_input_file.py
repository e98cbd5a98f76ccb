"""A file handed in that cannot be read — missing, a folder, refused by the operating
system — is named in the message, in the same words for a sheet, a template and a
panel package, and says what was expected instead of a folder."""

from __future__ import annotations

import pytest

from cmrc_desktop.domain.errors import InputError
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
