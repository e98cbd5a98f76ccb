"""Long fuzz run (issues #8 and #14): mutated signed sheets and panel packages.

    PYTHONPATH=. .venv/bin/python bench/fuzz_long.py --cases 10000

Every case is a genuine sheet (or package) of a real demo batch mutated by the strategies
of ``tests/fuzz/mutate.py`` (bytes flipped, cut, inserted; zip members edited, dropped,
added, renamed) or, for a share of the cases (``--structured-share``), by the
structure-aware changes of ``tests/fuzz/structured.py``: a workbook's number formats,
hidden rows and columns, heights and widths, fonts, fills, extra parts, cell texts and
merged ranges, changed without the key or signed again with the expert's genuine key; and
a PDF whose signing step, made with the genuine key, also draws a content stream, an
annotation, a catalogue entry or a page box (``--pdf-share``). A sheet case is verified
against the batch and merged into a secretary workspace that already holds the genuine
sheet; it must be accepted with the original payload (merge: already merged) or refused
with the program's own reason, and the workspace must not change; a change a person would
see must be refused. Prints cases, accepted-identical, refused-with-our-error, crashes,
partial merges and forged sheets accepted (all three must be 0); exits 1 otherwise.
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
from tests.fuzz.structured import pdf_tampers, workbook_mutants
from tests.hostile.forge import build_batch, expert_key, payload_of, signed_parts

FORGED = "forged-accepted"


def run(kind, cases, originals, package_bytes, context, ws, folder, counts, failures,
        batch=None):
    """``cases`` hypothesis examples of one kind, tallied into ``counts``."""
    keys: dict = {}

    def resign_with(sheet):
        expert = sheet.payload.expert_id
        if expert not in keys:
            keys[expert] = expert_key(batch, expert)
        return lambda parts: signed_parts(sheet, keys[expert], parts)

    @settings(max_examples=cases, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def case(data):
        if kind == "sheet":
            original, payload = data.draw(st.sampled_from(originals))
            mutant = data.draw(mutants(original))
            verdict, detail = judge(mutant, "case.xlsx", context, payload, ws, folder)
        elif kind == "structured":
            original, payload = data.draw(st.sampled_from(originals))
            from cmrc_desktop.exchange.sheet_xlsx import read_sheet_xlsx_bytes
            sheet = read_sheet_xlsx_bytes(original, name="case.xlsx")
            mutant = data.draw(workbook_mutants(original, resign_with(sheet)))
            verdict, detail = judge(mutant.data, "case.xlsx", context, payload, ws, folder)
            if verdict == ACCEPTED_IDENTICAL and mutant.visible:
                verdict, detail = FORGED, mutant.kind
        elif kind == "pdf":
            verdict, detail = pdf_case(data, batch, context, folder)
        else:
            mutant = data.draw(mutants(data.draw(st.sampled_from(package_bytes))))
            verdict, detail = judge(mutant, "case.cmrcpkg", context, None)
        counts["cases"] += 1
        counts[kind] += 1
        counts[verdict] += 1
        if verdict in (CRASH, PARTIAL, FORGED) and len(failures) < 20:
            failures.append(f"{kind}: {verdict}: {detail}")

    case()


def pdf_case(data, batch, context, folder):
    """A genuine sheet's payload drawn and signed with the expert's key by a signing step
    that also draws something (``tests/fuzz/structured.pdf_tampers``): must be refused."""
    from pyhanko.pdf_utils import incremental_writer

    from cmrc_desktop.services.verify import verify_file
    from tests.hostile.test_hostile_pdf import content_of, tampering_writer, write_pdf

    sheets = sorted((batch / "scoresheets").glob("*.xlsx"))
    payload = payload_of(data.draw(st.sampled_from(sheets)))
    kind, tamper = data.draw(pdf_tampers())
    real = incremental_writer.IncrementalPdfFileWriter
    incremental_writer.IncrementalPdfFileWriter = tampering_writer(tamper)
    try:
        path = write_pdf(batch, folder / "case.pdf", content_of(batch, payload))
    finally:
        incremental_writer.IncrementalPdfFileWriter = real
    try:
        result = verify_file(path, context=context)
    except Exception as exc:     # noqa: BLE001 - exactly what the fuzzer looks for
        return CRASH, f"pdf {kind}: {type(exc).__name__}: {exc}"
    return (FORGED, f"pdf {kind}") if result.ok else (REFUSED, result.reason)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--package-share", type=float, default=0.2,
                        help="share of the cases that mutate a panel package")
    parser.add_argument("--structured-share", type=float, default=0.3,
                        help="share of the cases that change a workbook's presentation")
    parser.add_argument("--pdf-share", type=float, default=0.03,
                        help="share of the cases that tamper with a PDF's signing step")
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
            n_structured = int(args.cases * args.structured_share)
            n_pdf = int(args.cases * args.pdf_share)
            plan = [("sheet", args.cases - n_packages - n_structured - n_pdf),
                    ("structured", n_structured), ("pdf", n_pdf), ("package", n_packages)]
            for kind, cases in plan:
                if cases:
                    run(kind, cases, originals, package_bytes, context, ws, folder, counts,
                        failures, batch)
    elapsed = time.perf_counter() - started
    print(f"cases:                   {counts['cases']} ({counts['sheet']} sheets, "
          f"{counts['structured']} structure-aware workbooks, {counts['pdf']} PDFs, "
          f"{counts['package']} packages) in {elapsed:.0f} s")
    print(f"accepted-identical:      {counts[ACCEPTED_IDENTICAL]}")
    print(f"refused-with-our-error:  {counts[REFUSED]}")
    print(f"crashes:                 {counts[CRASH]}")
    print(f"partial merges:          {counts[PARTIAL]}")
    print(f"forged sheets accepted:  {counts[FORGED]}")
    for line in failures:
        print("  " + line)
    return 1 if counts[CRASH] or counts[PARTIAL] or counts[FORGED] else 0


if __name__ == "__main__":
    sys.exit(main())
