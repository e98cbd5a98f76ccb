"""Short fuzz run (CI): mutated signed sheets and panel packages are verified with the
original payload or refused with the program's own reason, never a crash, never a partial
merge. The long run (>= 10,000 cases) is ``bench/fuzz_long.py``."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmrc_desktop.services.merge import merge_files
from cmrc_desktop.services.verify import BatchContext
from cmrc_desktop.services.workspace import open_workspace
from tests.fuzz.mutate import ACCEPTED_IDENTICAL, REFUSED, judge, mutants
from tests.hostile.forge import genuine, payload_of

SETTINGS = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def test_mutated_sheets_verify_identically_or_are_refused_and_never_half_merge(batch,
                                                                                tmp_path):
    sheet = genuine(batch)
    original = sheet.read_bytes()
    payload = payload_of(sheet).canonical()
    seen: Counter = Counter()
    with open_workspace(batch / "secretary") as ws:
        merge_files(ws, [sheet])              # the genuine one is in: mutants change nothing
        context = BatchContext.of(ws)

        @SETTINGS
        @given(data=st.data())
        def case(data):
            mutant = data.draw(mutants(original))
            verdict, detail = judge(mutant, "mutant.xlsx", context, payload, ws, tmp_path)
            seen[verdict] += 1
            assert verdict in (ACCEPTED_IDENTICAL, REFUSED), detail

        case()
    assert seen[REFUSED] > 0 and sum(seen.values()) >= 150


def test_mutated_packages_open_or_are_refused(batch):
    package = sorted((batch / "packages").glob("*.cmrcpkg"))[0]
    original = package.read_bytes()
    with open_workspace(batch / "secretary") as ws:
        context = BatchContext.of(ws)

    @settings(max_examples=100, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def case(data):
        verdict, detail = judge(data.draw(mutants(original)), package.name, context, None)
        assert verdict in (ACCEPTED_IDENTICAL, REFUSED), detail

    case()
