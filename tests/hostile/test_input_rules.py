"""One score rule (domain.numbers.parse_decimal) gives the same decision in the scoring
form, the centres importer and the merge (a score cell of a returned sheet); text cells
keep formula-looking text as text, control characters are cleaned without breaking the
signature, and text longer than an Excel cell is refused rather than cut."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.exchange.centres_template import (
    TemplateProblems,
    read_centres_template,
    write_centres_template,
)
from cmrc_desktop.exchange.sheet_xlsx import COL_SCORE
from cmrc_desktop.exchange.xlsx_safety import MAX_CELL_TEXT
from cmrc_desktop.scoring.builtin import builtin_scheme, catalog
from cmrc_desktop.services.verify import verify_file
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.signing.payload import clean_text
from cmrc_desktop.ui.scoring_form.score_input import check_score
from tests.hostile.forge import genuine, payload_of, replaced, resign
from tests.unit.exchange.test_centres_template import GOOD, fill

BLANK, REFUSED = "blank", "refused"
FIVE_AND_A_HALF = Decimal("5.5")
# the documented rule, input by input (GRADING.md / domain/numbers.py)
RULE = [
    ("5.5", FIVE_AND_A_HALF),
    ("５．５", FIVE_AND_A_HALF),             # full-width digits and point: NFKC
    (" 5.5 ", FIVE_AND_A_HALF),             # surrounding spaces ignored
    ("5.5\u00a0", FIVE_AND_A_HALF),         # no-break space is a space
    ("", BLANK),
    ("NaN", REFUSED), ("inf", REFUSED), ("Infinity", REFUSED),
    ("-0", REFUSED), ("−1", REFUSED), ("-5.5", REFUSED),
    ("٥٫٥", REFUSED),                       # Arabic-Indic digits: not plain digits
    ("1,000", REFUSED), ("5,5", REFUSED),   # no thousands separator, no decimal comma
    ("1e1", REFUSED), ("5.5.5", REFUSED), ("5 .5", REFUSED),
]
TEXTS = [text for text, _decision in RULE]


def form_decisions() -> list:
    indicator = next(i for i in builtin_scheme("sd-perf-5d").indicators if i.id == "B1")
    out = []
    for text in TEXTS:
        value, problem = check_score(indicator, text)
        out.append(REFUSED if problem else (BLANK if value is None else value))
    return out


def importer_decisions(tmp_path) -> list:
    out = []
    for n, text in enumerate(TEXTS):
        path = tmp_path / f"centres{n}.xlsx"
        write_centres_template(path, catalog(), period="2024")
        fill(path, [{**GOOD, "授权专利数": text}])   # as the secretary types it
        try:
            found = {m.metric: m.value for m in read_centres_template(path, catalog()).metrics}
        except TemplateProblems:
            out.append(REFUSED)
            continue
        out.append(found.get("patents_granted", BLANK))
    return out


def merge_decisions(batch) -> list:
    base = payload_of(genuine(batch, "E02"))
    signed = {FIVE_AND_A_HALF: resign(batch, replaced(base, scores={**base.scores,
                                                                    "B1": FIVE_AND_A_HALF}),
                                      "E02", batch / "b1.xlsx"),
              BLANK: resign(batch, replaced(base, scores={**base.scores, "B1": None}),
                            "E02", batch / "blank.xlsx")}
    out = []
    with open_workspace(batch / "secretary") as ws:
        for n, text in enumerate(TEXTS):
            source = signed[BLANK if not text.strip() else FIVE_AND_A_HALF]
            wb = openpyxl.load_workbook(source)
            sheet = wb.active
            row = next(c.row for r in sheet.iter_rows() for c in r
                       if isinstance(c.value, str) and c.value.startswith("B1 "))
            sheet.cell(row, COL_SCORE).value = text       # what the person typed in Excel
            path = batch / f"typed{n}.xlsx"
            wb.save(path)
            result = verify_file(path, ws)
            if not result.ok:
                out.append(REFUSED)
            else:
                out.append(BLANK if result.payload.scores["B1"] is None
                           else result.payload.scores["B1"])
    return out


def test_the_score_rule_decides_alike_in_form_and_importer(tmp_path):
    expected = [decision for _text, decision in RULE]
    assert form_decisions() == expected
    assert importer_decisions(tmp_path) == expected


def test_a_score_retyped_in_excel_is_refused_whatever_it_says(batch):
    """The merge never reads a number from a cell: it takes the signed payload, and a
    workbook whose cells were typed over (even with the same value, ５．５ for 5.5) is not
    the file the expert signed. Before #14 an equal value was accepted; a re-saved
    workbook cannot be told from a forged one cheaply enough to be safe."""
    assert merge_decisions(batch) == [REFUSED] * len(RULE)


def test_formula_looking_text_is_written_as_text_and_read_back_equal(batch):
    evil = {"A1": "=1+1", "A2": "+1", "A3": "-1+2", "A4": "@SUM(A1:A2)", "B1": "\t=cmd|' /C calc'!A0"}
    base = payload_of(genuine(batch, "E02"))
    payload = replaced(base, comments={**base.comments, **evil}, problems="=HYPERLINK(\"x\")")
    path = resign(batch, payload, "E02", batch / "formulas.xlsx")
    cells = {c.value: c for r in openpyxl.load_workbook(path).active.iter_rows() for c in r
             if isinstance(c.value, str)}
    for text in [*evil.values(), "=HYPERLINK(\"x\")"]:
        assert cells[text].data_type == "s", text
    with open_workspace(batch / "secretary") as ws:
        result = verify_file(path, ws)
    assert result.ok, result.reason
    assert {k: result.payload.comments[k] for k in evil} == evil


def test_control_characters_are_cleaned_and_the_signature_stays_valid(batch):
    typed = "line one\r\nline two\x07\x1b[31m\x00 cafe\u0301\tend"
    base = payload_of(genuine(batch, "E02"))
    path = resign(batch, replaced(base, comments={**base.comments, "A1": typed},
                                  achievements=typed), "E02", batch / "control.xlsx")
    with open_workspace(batch / "secretary") as ws:
        result = verify_file(path, ws)
    assert result.ok, result.reason
    assert result.payload.comments["A1"] == clean_text(typed) == \
        "line one\nline two[31m caf\u00e9\tend"
    assert result.payload.achievements == clean_text(typed)


def test_a_comment_longer_than_an_excel_cell_is_refused_not_cut(batch):
    base = payload_of(genuine(batch, "E02"))
    long = "评" * (MAX_CELL_TEXT + 1)
    out = batch / "long.xlsx"
    with pytest.raises(InputError) as info:
        resign(batch, replaced(base, comments={**base.comments, "A1": long}), "E02", out)
    assert "32767" in info.value.message and info.value.field
    assert not out.exists()
    # exactly at the limit is kept whole
    at_limit = "评" * MAX_CELL_TEXT
    resign(batch, replaced(base, comments={**base.comments, "A1": at_limit}), "E02", out)
    with open_workspace(batch / "secretary") as ws:
        result = verify_file(out, ws)
    assert result.ok and result.payload.comments["A1"] == at_limit
