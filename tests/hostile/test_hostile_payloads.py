"""Payloads signed with a genuine expert key that still must not be merged (issue #14): a
buggy or malicious client can sign a score of 999, an indicator the scheme does not have,
a revision of 2^63 or a time after its certificate expired. Each is refused naming the
file and the reason, nothing is written, the batch still grades — and one such file in a
folder never stops the genuine sheets beside it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from decimal import Decimal

import pytest

from cmrc_desktop.cli import main
from cmrc_desktop.services import merge as merge_service
from cmrc_desktop.services.merge import merge_files
from cmrc_desktop.services.results import grade_workspace
from cmrc_desktop.services.verify import verify_file
from cmrc_desktop.services.workspace import open_workspace
from tests.hostile.forge import database_state, genuine, payload_of, replaced, resign
from tests.hostile.test_hostile_xlsx import refused_everywhere


def scores(payload, **changes):
    return {**payload.scores, **{k: (None if v is None else Decimal(v))
                                 for k, v in changes.items()}}


def without(payload, indicator):
    return {k: v for k, v in payload.scores.items() if k != indicator}


CASES = {
    "score-999": (lambda p: dict(scores=scores(p, A1="999")), "outside [0, 6]"),
    "score-negative": (lambda p: dict(scores=scores(p, A1="-1")), "outside [0, 6]"),
    "score-nan": (lambda p: dict(scores=scores(p, A1="NaN")), "scores.A1.score"),
    "score-infinity": (lambda p: dict(scores=scores(p, A1="Infinity")), "scores.A1.score"),
    "score-off-step": (lambda p: dict(scores=scores(p, A1="0.001")), "multiple of the step"),
    "unknown-indicator": (lambda p: dict(scores=scores(p, Z9="1")), "“Z9”"),
    "missing-indicator": (lambda p: dict(scores=without(p, "B2")), "indicator B2"),
    "revision-0": (lambda p: dict(revision=0), "field revision"),
    "revision-negative": (lambda p: dict(revision=-3), "field revision"),
    "revision-2**63": (lambda p: dict(revision=2**63), "field revision"),
    "other-scheme-id-same-hash": (lambda p: dict(scheme_id="nat-perf-2017"),
                                  "names the scheme “nat-perf-2017”"),
    "signed-after-the-certificate-expired": (
        lambda p: dict(signed_at="2099-01-01T00:00:00Z"), "certificate was not valid"),
    "signed-before-the-certificate": (
        lambda p: dict(signed_at="2001-01-01T00:00:00Z"), "certificate was not valid"),
    "another-layout": (lambda p: dict(layout=1), "layout 1"),
    "unknown-language": (lambda p: dict(lang="fr"), "language"),
    "evidence-not-the-schemes": (lambda p: dict(evidence={"made_up": Decimal(1)}),
                                 "reported data"),
    "unregistered-centre": (lambda p: dict(centre_id="C999"), "C999"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_genuinely_signed_payload_that_breaks_the_scheme_is_refused(batch, capsys, case):
    change, words = CASES[case]
    base = payload_of(genuine(batch, "E02"))
    path = resign(batch, replaced(base, **change(base)), "E02", batch / f"{case}.xlsx")
    refused_everywhere(batch, path, words, capsys=capsys)
    with open_workspace(batch / "secretary") as ws:      # the batch still grades
        merge_files(ws, [batch / "scoresheets"])
        assert grade_workspace(ws).centres


def test_a_bad_sheet_in_a_folder_never_stops_the_genuine_ones(batch):
    inbox = batch / "inbox"
    shutil.copytree(batch / "scoresheets", inbox)
    genuine_count = len(list(inbox.glob("*.xlsx")))
    base = payload_of(genuine(batch, "E02"))
    resign(batch, replaced(base, revision=2**63), "E02", inbox / "huge-revision.xlsx")
    resign(batch, replaced(base, revision=2, scores=scores(base, A1="999")), "E02",
           inbox / "score-999.xlsx")
    with open_workspace(batch / "secretary") as ws:
        report = merge_files(ws, [inbox])
        outcomes = {f.path.name: f.outcome for f in report.files}
    assert outcomes.pop("huge-revision.xlsx") == outcomes.pop("score-999.xlsx") == "refused"
    assert list(outcomes.values()) == ["accepted"] * genuine_count
    assert main(["grade", "--workspace", str(batch / "secretary")]) == 0


def test_an_error_inside_one_file_is_that_file_s_refusal(batch, monkeypatch):
    """The last line of defence: whatever escapes the checks of one file (here made to
    happen on purpose) is that file's refusal, and the other files merge."""
    victim = genuine(batch, "E02")
    real_check, real_apply = merge_service.verify_file, merge_service._apply

    def check(path, **kwargs):
        if path.name == victim.name:
            raise RecursionError("deep")
        return real_check(path, **kwargs)

    monkeypatch.setattr(merge_service, "verify_file", check)
    other = genuine(batch, "E03")

    def apply(ws, path, payload, signature, pairs):
        if path.name == other.name:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return real_apply(ws, path, payload, signature, pairs)

    monkeypatch.setattr(merge_service, "_apply", apply)
    before = database_state(batch / "secretary")
    with open_workspace(batch / "secretary") as ws:
        files = {f.path.name: f for f in merge_files(ws, [batch / "scoresheets"]).files}
    assert files[victim.name].outcome == files[other.name].outcome == "refused"
    assert "RecursionError" in files[victim.name].reason
    assert "OverflowError" in files[other.name].reason
    accepted = [f for f in files.values() if f.outcome == "accepted"]
    assert len(accepted) == len(files) - 2
    after = database_state(batch / "secretary")
    assert after["received_sheets"] == before["received_sheets"] + len(accepted)


def test_a_centre_named_otherwise_is_merged_under_its_registered_name_with_a_note(batch):
    base = payload_of(genuine(batch, "E02"))
    path = resign(batch, replaced(base, revision=2, centre_name="伪造中心"), "E02",
                  batch / "named.xlsx")
    with open_workspace(batch / "secretary") as ws:
        report = merge_files(ws, [path])
        (row,) = report.files
        registered = ws.db.execute("SELECT name FROM centres WHERE id = ?",
                                   [base.centre_id]).fetchone()[0]
    assert row.outcome == "accepted"
    assert "“伪造中心”" in row.reason and f"registered as “{registered}”" in row.reason
    assert registered != "伪造中心"


def test_a_clock_ahead_of_this_machine_is_a_note_not_a_refusal(batch):
    base = payload_of(genuine(batch, "E02"))
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = resign(batch, replaced(base, revision=2, signed_at=ahead), "E02",
                  batch / "ahead.xlsx")
    with open_workspace(batch / "secretary") as ws:
        result = verify_file(path, ws)
        assert result.ok and "one of the two clocks is wrong" in result.line()
        (row,) = merge_files(ws, [path]).files
    assert row.outcome == "accepted" and "clocks" in row.reason


def test_a_payload_round_trip_keeps_every_field_of_format_2(batch):
    payload = payload_of(genuine(batch, "E02"))
    assert payload.format == "cmrc-sheet/2" and payload.layout == 2
    assert payload.evidence and payload.program
    again = dataclasses.replace(payload)
    assert again.canonical() == payload.canonical()
