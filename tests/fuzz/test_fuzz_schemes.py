"""Short fuzz run (CI): mutated schemes and mutated CSVs of ``cmrc grade`` are read, or
refused with a sentence naming the file — never another exception; and what is read can
be graded without one either.

The built-in schemes and a valid set of scores, metrics and vetoes are mutated by
values no committee writes (an integer of 5,000 digits, ``1e400``, ``nan``, nesting
50,000 deep, a field of 200,000 characters, NUL, bytes that are not UTF-8) and by lines
dropped, doubled, swapped or cut. A longer run of the same property:

    CMRC_FUZZ_CASES=20000 python -m pytest -q tests/fuzz/test_fuzz_schemes.py
"""

from __future__ import annotations

import os
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmrc_desktop.domain.errors import InputError, SchemeError
from cmrc_desktop.domain.scheme import Scheme
from cmrc_desktop.paths import schemes_dir
from cmrc_desktop.scoring.builtin import CATALOG_FILE
from cmrc_desktop.scoring.csv_inputs import read_metrics, read_scores, read_vetoes
from cmrc_desktop.scoring.grading import GradingInput, grade
from cmrc_desktop.scoring.scheme_loader import load_scheme_file, parse_scheme
from tests.unit.scoring.schemes import auto_scheme

CASES = int(os.environ.get("CMRC_FUZZ_CASES", "150"))
SETTINGS = settings(max_examples=CASES, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))

SCHEMES = [p.read_bytes() for p in sorted(schemes_dir().glob("*.toml"))
           if p.name != CATALOG_FILE]
NUMBERS = ["1" * 5000, "0x" + "f" * 5000, "0b" + "1" * 5000, "1e400", "-1e400", "1e-400",
           "1e9999999999999999999", "1e99999", "nan", "-inf", "0.1234567890123456789",
           "99999999999", "-0", "0e400", "0e-400", "1_000", "3.0e2", "0.000000001", "-5",
           "0", "1979-05-27", "07:32:00", "true", '"ten"', "[1, [2]]", "{a = 1}", "''",
           '"' + "x" * 100_000 + '"']
SNIPPETS = ["[" * 50_000, "{a=" * 50_000, "[{a=" * 20, "]", "}", '"', "'", '"""', "'''",
            "\\", "#", "=", ",", ".", "\0", "\n", "\r\n", "\t", "\ufeff", "é",
            "\n[[indicators]]\n", "\n[scheme]\n", "\n[aggregation]\n", "\n[[grades]]\n",
            "a" + ".a" * 50_000 + " = 1\n", "x = " + "1" * 300 + "\n"]
FIELDS = ["1" * 5000, "1e999999", "9" * 200_000, "-1", "NaN", "inf", "８．５", "8,5",
          "0." + "0" * 30 + "1", "0000000000000000000000008.5", "10", "0", "", " ",
          '"', '"a""b"', '"unterminated', "\0", "\r", "a\nb", "C01", "E1", "A1", "V1",
          "guidelines_led", "x" * 1000]
SENTENCE = 400   # characters: a refusal quotes at most a little of what it refuses
_VALUE = re.compile(rb"(?m)^(\s*[A-Za-z_]+\s*=\s*)(.*)$")


def _line_edit(data: bytes, op: str, where: int) -> bytes:
    lines = data.split(b"\n")
    n = where % max(len(lines), 1)
    if op == "drop":
        del lines[n]
    elif op == "double":
        lines.insert(n, lines[n] if lines else b"")
    elif op == "swap" and len(lines) > 1:
        m = (n + 1) % len(lines)
        lines[n], lines[m] = lines[m], lines[n]
    return b"\n".join(lines)


def _byte_edit(data: bytes, op: str, where: int, byte: int) -> bytes:
    n = where % (len(data) + 1)
    if op == "flip" and data:
        n %= len(data)
        return data[:n] + bytes([data[n] ^ (byte or 1)]) + data[n + 1:]
    if op == "cut":
        return data[:n]
    return data[:n] + bytes([byte]) + data[n:]          # insert: 0x80.. are not UTF-8


@st.composite
def scheme_mutants(draw) -> bytes:
    data = draw(st.sampled_from(SCHEMES))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["value", "value", "value", "insert", "insert", "drop",
                                   "double", "swap", "flip", "cut", "byte"]))
        where = draw(st.integers(0, 2**31))
        if op == "value":
            values = list(_VALUE.finditer(data))
            found = values[where % len(values)] if values else None
            if found:
                new = draw(st.sampled_from(NUMBERS)).encode()
                data = data[:found.start(2)] + new + data[found.end(2):]
        elif op == "insert":
            at = where % (len(data) + 1)
            data = data[:at] + draw(st.sampled_from(SNIPPETS)).encode("utf-8") + data[at:]
        elif op in ("drop", "double", "swap"):
            data = _line_edit(data, op, where)
        else:
            data = _byte_edit(data, {"byte": "insert"}.get(op, op), where,
                              draw(st.integers(0, 255)))
    return data


def _refused_properly(exc: Exception, source: str) -> None:
    """Each problem a sentence naming the file: not empty, and not a dump of the input."""
    problems = getattr(exc, "problems", None) or [exc]
    assert all(p.file == source and p.message.strip() for p in problems), str(exc)
    assert all(line.startswith(source) and len(line) < SENTENCE
               for line in str(exc).splitlines()), str(exc)[:SENTENCE]


def _grade_everything(scheme: Scheme) -> None:
    """An accepted scheme grades a full set of scores without an exception of its own."""
    data = GradingInput()
    for centre in ("C01", "C02"):
        for expert in ("E1", "E2", "E3", "E4", "E5"):
            data.scores[(centre, expert)] = {i.id: i.max for i in scheme.indicators
                                             if not i.automatic}
        data.metrics[centre] = {i.source_metric: Decimal(7) for i in scheme.indicators
                                if i.automatic}
    try:
        grade(scheme, data)
    except InputError:
        pass


def test_mutated_schemes_are_read_or_refused_naming_the_file(tmp_path):
    seen: Counter = Counter()

    @SETTINGS
    @given(mutant=scheme_mutants())
    def case(mutant):
        try:
            scheme = parse_scheme(mutant, source="mutant.toml")
        except SchemeError as exc:
            _refused_properly(exc, "mutant.toml")
            seen["refused"] += 1
            return
        _grade_everything(scheme)
        seen["accepted"] += 1

    case()
    assert seen["refused"] > 0 and sum(seen.values()) >= min(CASES, 100)
    # through a file too, as `cmrc scheme check` reads it
    path = tmp_path / "mutant.toml"
    path.write_bytes(SCHEMES[0].replace(b"total = 100", b"total = " + b"9" * 5000))
    try:
        load_scheme_file(path)
    except SchemeError as exc:
        _refused_properly(exc, str(path))
    else:
        raise AssertionError("a 5,000-digit total was accepted")


def _valid_csvs(scheme: Scheme) -> dict[str, bytes]:
    scores = ["centre,expert,indicator,score"]
    for centre in ("C01", "C02"):
        for expert in ("E1", "E2", "E3"):
            scores += [f"{centre},{expert},{i.id},{i.max - i.step}" for i in scheme.indicators
                       if not i.automatic]
    metrics = ["centre,metric,value", "C01,guidelines_led,2", "C02,guidelines_led,4.5"]
    vetoes = ["centre,veto", "C02,V1"]
    return {name: ("\n".join(rows) + "\n").encode("utf-8") for name, rows in
            (("scores", scores), ("metrics", metrics), ("vetoes", vetoes))}


@st.composite
def csv_mutants(draw, original: bytes) -> bytes:
    data = original
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["field", "field", "field", "drop", "double", "swap",
                                   "flip", "cut", "byte", "bom"]))
        where = draw(st.integers(0, 2**31))
        if op == "field":
            lines = data.split(b"\n")
            n = where % len(lines)
            cells = lines[n].split(b",")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(FIELDS)).encode()
            lines[n] = b",".join(cells)
            data = b"\n".join(lines)
        elif op == "bom":
            data = b"\xef\xbb\xbf" + data
        elif op in ("drop", "double", "swap"):
            data = _line_edit(data, op, where)
        else:
            data = _byte_edit(data, {"byte": "insert"}.get(op, op), where,
                              draw(st.integers(0, 255)))
    return data


def test_mutated_grading_csvs_are_read_or_refused_naming_the_file(tmp_path):
    scheme = auto_scheme()
    valid = _valid_csvs(scheme)
    paths = {name: tmp_path / f"{name}.csv" for name in valid}
    seen: Counter = Counter()

    @SETTINGS
    @given(which=st.sampled_from(sorted(valid)), data=st.data())
    def case(which, data):
        for name, path in paths.items():
            path.write_bytes(valid[name])
        target: Path = paths[which]
        target.write_bytes(data.draw(csv_mutants(valid[which])))
        try:
            graded = read_scores(paths["scores"], scheme)
            read_metrics(paths["metrics"], graded)
            read_vetoes(paths["vetoes"], scheme, graded)
        except InputError as exc:
            _refused_properly(exc, str(target))
            seen["refused"] += 1
            return
        try:
            grade(scheme, graded)
        except InputError as exc:           # a metric or a sheet missing: said plainly
            assert exc.message.strip()
        seen["read"] += 1

    case()
    assert seen["refused"] > 0 and seen["read"] > 0
