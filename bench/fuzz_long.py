"""Long fuzz run (issue #8, item 5): mutated signed sheets and panel packages.

    PYTHONPATH=. /work/venv/bin/python bench/fuzz_long.py --cases 10000

Every case is a genuine sheet (or package) of a real demo batch mutated by the strategies
of ``tests/fuzz/mutate.py`` (bytes flipped, cut, inserted; zip members edited, dropped,
added, renamed). A sheet case is verified against the batch and merged into a secretary
workspace that already holds the genuine sheet; it must be accepted with the original
payload (merge: already merged) or refused with the program's own reason, and the
workspace must not change. Prints cases, accepted-identical, refused-with-our-error,
crashes (must be 0) and partial merges (must be 0); exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmrc_desktop.services.merge import merge_files
from cmrc_desktop.services.verify import BatchContext
from cmrc_desktop.services.workspace import open_workspace
from tests.fuzz.mutate import ACCEPTED_IDENTICAL, CRASH, PARTIAL, REFUSED, judge, mutants
from tests.hostile.forge import build_batch, payload_of


def run(kind, cases, originals, package_bytes, context, ws, folder, counts, failures):
    """``cases`` hypothesis examples of one kind, tallied into ``counts``."""

    @settings(max_examples=cases, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def case(data):
        if kind == "sheet":
            original, payload = data.draw(st.sampled_from(originals))
            mutant = data.draw(mutants(original))
            verdict, detail = judge(mutant, "case.xlsx", context, payload, ws, folder)
        else:
            mutant = data.draw(mutants(data.draw(st.sampled_from(package_bytes))))
            verdict, detail = judge(mutant, "case.cmrcpkg", context, None)
        counts["cases"] += 1
        counts[kind] += 1
        counts[verdict] += 1
        if verdict in (CRASH, PARTIAL) and len(failures) < 20:
            failures.append(f"{kind}: {verdict}: {detail}")

    case()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--package-share", type=float, default=0.2,
                        help="share of the cases that mutate a panel package")
    args = parser.parse_args()
    counts: Counter = Counter()
    failures: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        batch = build_batch(Path(tmp) / "batch")
        sheets = sorted((batch / "scoresheets").glob("*.xlsx"))
        packages = sorted((batch / "packages").glob("*.cmrcpkg"))
        originals = [(p.read_bytes(), payload_of(p).canonical()) for p in sheets]
        package_bytes = [p.read_bytes() for p in packages]
        folder = Path(tmp) / "cases"
        folder.mkdir()
        with open_workspace(batch / "secretary") as ws:
            merge_files(ws, sheets)
            context = BatchContext.of(ws)
            n_packages = int(args.cases * args.package_share)
            plan = [("sheet", args.cases - n_packages), ("package", n_packages)]
            for kind, cases in plan:
                if cases:
                    run(kind, cases, originals, package_bytes, context, ws, folder, counts,
                        failures)
    elapsed = time.perf_counter() - started
    print(f"cases:                   {counts['cases']} ({counts['sheet']} sheets, "
          f"{counts['package']} packages) in {elapsed:.0f} s")
    print(f"accepted-identical:      {counts[ACCEPTED_IDENTICAL]}")
    print(f"refused-with-our-error:  {counts[REFUSED]}")
    print(f"crashes:                 {counts[CRASH]}")
    print(f"partial merges:          {counts[PARTIAL]}")
    for line in failures:
        print("  " + line)
    return 1 if counts[CRASH] or counts[PARTIAL] else 0


if __name__ == "__main__":
    sys.exit(main())
