"""Files that are not files (issue #14): a link to /dev/zero, a named pipe or a 3 GiB sparse
file named like a scoresheet, dropped in a folder with genuine sheets. Each is refused from
what the system says of it before a byte is read, naming the file; the genuine sheets
merge; nothing hangs or fills the memory."""

from __future__ import annotations

import os
import shutil

from cmrc_desktop.cli import main
from cmrc_desktop.services.merge import merge_files
from cmrc_desktop.services.workspace import open_workspace


def test_non_files_in_a_folder_are_refused_and_the_sheets_beside_them_merge(batch, capsys):
    inbox = batch / "inbox"
    shutil.copytree(batch / "scoresheets", inbox)
    genuine = len(list(inbox.glob("*.xlsx")))
    (inbox / "zero.xlsx").symlink_to("/dev/zero")
    os.mkfifo(inbox / "pipe.pdf")
    with open(inbox / "sparse.xlsx", "wb") as fh:
        fh.truncate(3 * 1024**3)
    with open_workspace(batch / "secretary") as ws:
        files = {f.path.name: f for f in merge_files(ws, [inbox]).files}
    assert "device" in files["zero.xlsx"].reason
    assert "named pipe" in files["pipe.pdf"].reason
    assert "larger than 20 MiB" in files["sparse.xlsx"].reason
    assert {f.outcome for n, f in files.items() if n.endswith(("zero.xlsx", "pipe.pdf",
                                                               "sparse.xlsx"))} == {"refused"}
    assert sum(f.outcome == "accepted" for f in files.values()) == genuine
    code = main(["verify", str(inbox / "zero.xlsx"), str(inbox / "sparse.xlsx")])
    out = capsys.readouterr().out
    assert code == 1 and "zero.xlsx" in out and "sparse.xlsx" in out and "Traceback" not in out
