"""Every command that reads a file handed in from outside refuses a link to /dev/zero, a
named pipe nobody writes to and a 3 GiB sparse file with one sentence naming the file and
the reason (exit 2), at once, without a traceback and without writing anything."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pytest

from cmrc_desktop.cli import main
from tests.unit.scoring.schemes import small_scheme_text
from tests.unit.services.test_dossiers import HEART, template

pytestmark = pytest.mark.skipif(sys.platform == "win32" or not Path("/dev/zero").exists(),
                                reason="needs /dev/zero and named pipes")

PASSWORD = "secretary-password"
GIB = 1024**3
KINDS = ("device", "pipe", "sparse")


@contextmanager
def within(seconds: int):
    """Fail, instead of hanging the test run, when a command blocks on its input."""
    def give_up(_signum, _frame):
        raise TimeoutError(f"the command was still reading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def hostile(folder: Path, kind: str, name: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    if kind == "device":
        path.symlink_to("/dev/zero")
    elif kind == "pipe":
        os.mkfifo(path)
    else:
        with path.open("wb") as fh:
            fh.truncate(3 * GIB)               # no disk space, 3 GiB of memory if read whole
    return path


def reason(kind: str, limit: str, what: str) -> str:
    return {"device": "this is a device, not an ordinary file",
            "pipe": "this is a named pipe (FIFO), not an ordinary file",
            "sparse": f"the file is larger than {limit}, the most {what} can be"}[kind]


def cmrc(capsys, *args: str) -> tuple[int, str, str]:
    with within(10):
        code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def secretary(tmp_path_factory) -> Path:
    """A batch with one centre, to import into and attach to."""
    folder = tmp_path_factory.mktemp("secretary")
    secret = folder / "password.txt"
    secret.write_text(PASSWORD)
    ws = folder / "batch"
    assert main(["batch", "create", "--workspace", str(ws), "--name", "批次", "--year",
                 "2026", "--password-file", str(secret)]) == 0
    assert main(["import", "centres", "--workspace", str(ws),
                 str(template(folder, [HEART]))]) == 0
    return ws


@pytest.fixture
def grading_inputs(tmp_path) -> tuple[Path, Path]:
    scheme = tmp_path / "scheme.toml"
    scheme.write_text(small_scheme_text(method="mean", min_experts=1), "utf-8")
    scores = tmp_path / "scores.csv"
    scores.write_text("centre,expert,indicator,score\nC01,E1,A1,9\n", "utf-8")
    return scheme, scores


def centres_of(ws: Path, capsys) -> str:
    assert main(["batch", "show", "--workspace", str(ws)]) == 0
    return capsys.readouterr().out


# (command, what the file should have been, its limit, the name shown: the path as given
# or only the file name)
Command = Callable[..., list[str]]
COMMANDS: dict[str, tuple[str, Command, str, str, bool]] = {
    "scheme check": ("scheme.toml", lambda h, **_: ["scheme", "check", h],
                     "1 MiB", "a scheme file", True),
    "grade --scheme": ("scheme.toml", lambda h, scheme, scores, **_: [
        "grade", "--scheme", h, "--scores", scores], "1 MiB", "a scheme file", True),
    "grade --scores": ("scores.csv", lambda h, scheme, scores, **_: [
        "grade", "--scheme", scheme, "--scores", h], "50 MiB", "a CSV file", True),
    "grade --metrics": ("metrics.csv", lambda h, scheme, scores, **_: [
        "grade", "--scheme", scheme, "--scores", scores, "--metrics", h], "50 MiB",
        "a CSV file", True),
    "grade --vetoes": ("vetoes.csv", lambda h, scheme, scores, **_: [
        "grade", "--scheme", scheme, "--scores", scores, "--vetoes", h], "50 MiB",
        "a CSV file", True),
    "batch create --password-file": ("password.txt", lambda h, new, **_: [
        "batch", "create", "--workspace", new, "--name", "批次", "--year", "2026",
        "--password-file", h], "64 KiB", "a password file", True),
    "package import": ("E1.cmrcpkg", lambda h, new, **_: [
        "package", "import", "--workspace", new, h], "528 MiB", "a panel package", False),
    "sheet sign --signature-image": ("signature.png", lambda h, new, **_: [
        "sheet", "sign", "--workspace", new, "--signature-image", h], "5 MiB",
        "a signature image", True),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_hostile_input_is_refused_naming_the_file(command, kind, tmp_path, capsys,
                                                    grading_inputs, monkeypatch):
    monkeypatch.setenv("CMRC_PASSWORD", PASSWORD)
    monkeypatch.setenv("CMRC_ONE_TIME_PASSWORD", "ABCD-EFGH-JKLM")
    name, argv, limit, what, full_path = COMMANDS[command]
    path = hostile(tmp_path / "from-outside", kind, name)
    new = tmp_path / "new-workspace"
    scheme, scores = grading_inputs
    code, out, err = cmrc(capsys, *argv(str(path), new=str(new), scheme=str(scheme),
                                        scores=str(scores)))
    shown = str(path) if full_path else path.name
    assert (code, out, err) == (2, "", f"{shown}: {reason(kind, limit, what)}\n")
    assert not new.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_import_centres_refuses_a_hostile_template_and_imports_nothing(kind, secretary,
                                                                       tmp_path, capsys):
    path = hostile(tmp_path, kind, "centres.xlsx")
    code, out, err = cmrc(capsys, "import", "centres", "--workspace", str(secretary),
                          str(path))
    assert (code, out) == (2, "")
    assert err == f"centres.xlsx: {reason(kind, '20 MiB', 'a centres template')}\n"
    assert "1 centres" in centres_of(secretary, capsys)


@pytest.mark.parametrize("kind", KINDS)
def test_attach_refuses_a_hostile_document_and_stores_nothing(kind, secretary, tmp_path,
                                                              capsys):
    path = hostile(tmp_path, kind, "申报书.pdf")
    before = sorted((secretary / "attachments").rglob("*"))
    code, out, err = cmrc(capsys, "attach", "--workspace", str(secretary), "--centre",
                          "C001", str(path))
    assert (code, out) == (2, "")
    assert err == f"{path}: {reason(kind, '256 MiB', 'a dossier document')}\n"
    assert sorted((secretary / "attachments").rglob("*")) == before


def test_the_attacks_on_a_scheme_exit_2_naming_file_and_key(tmp_path, capsys):
    good = small_scheme_text(step="0.5")
    files = {
        "digits.toml": good.replace("total = 100", "total = " + "1" * 5000),
        "e400.toml": good.replace("max = 10", "max = 1e400", 1),
        "arrays.toml": good + "\nx = " + "[" * 50_000 + "]" * 50_000 + "\n",
        "tables.toml": good + "\nx = " + "{b=" * 50_000 + "1" + "}" * 50_000 + "\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, "utf-8")
    code, out, err = cmrc(capsys, "scheme", "check", *(str(tmp_path / n) for n in files))
    assert (code, out) == (2, "")
    total_line, x_line = good[:good.index("total")].count("\n") + 1, good.count("\n") + 2
    assert err.splitlines() == [
        f"{tmp_path / 'digits.toml'}:{total_line}: a number has more than 40 digits",
        f"{tmp_path / 'e400.toml'}: indicators[1] (A1).max: the number is out of range: "
        "numbers in a scheme lie between -9,999,999,999 and 9,999,999,999",
        f"{tmp_path / 'e400.toml'}: scheme.total: total is 100 but the indicator maxima sum "
        "to 90",                                  # A1 counts as 0 once refused
        f"{tmp_path / 'arrays.toml'}:{x_line}: arrays or inline tables are nested more than "
        "32 deep",
        f"{tmp_path / 'tables.toml'}:{x_line}: arrays or inline tables are nested more than "
        "32 deep",
    ]


@pytest.mark.parametrize(("row", "field", "words"), [
    ("C01,E1,A2," + "1" * 5000, "score", "'111111111111111111111111…' has more than 15 digits"),
    ("C01,E1,A2,1e999999", "score", "'1e999999' is not a number"),
    ("C01,E1,A2," + "9" * 200_000, "", "a value is longer than 131,072 characters"),
])
def test_a_huge_score_is_refused_naming_file_line_and_field(row, field, words, tmp_path,
                                                            capsys, grading_inputs):
    scheme, scores = grading_inputs
    scores.write_text(scores.read_text("utf-8") + row + "\n", "utf-8")
    out_file = tmp_path / "results.json"
    code, out, err = cmrc(capsys, "grade", "--scheme", str(scheme), "--scores", str(scores),
                          "--out", str(out_file))
    where = f"{scores}:3: {field}: " if field else f"{scores}:3: "
    assert (code, out) == (2, "")
    assert err.startswith(where) and words in err and "Traceback" not in err
    assert not out_file.exists()


def test_a_huge_metric_is_refused_naming_file_line_and_field(tmp_path, capsys,
                                                             grading_inputs):
    scheme, scores = grading_inputs
    metrics = tmp_path / "metrics.csv"
    metrics.write_text("centre,metric,value\nC01,guidelines_led," + "7" * 5000 + "\n", "utf-8")
    code, out, err = cmrc(capsys, "grade", "--scheme", str(scheme), "--scores", str(scores),
                          "--metrics", str(metrics))
    assert (code, out) == (2, "")
    assert err == f"{metrics}:2: value: '777777777777777777777777…' has more than 15 digits\n"
