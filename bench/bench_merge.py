"""Merge of ~1,000 signed xlsx sheets into a fresh secretary workspace, against a
baseline measured in the same run that only reads the same files with python-calamine
and verifies one ECDSA signature per file. Also: peak memory for a quarter of the files
and for all of them (it must not grow with the number of files).

    .venv/bin/python bench/bench_merge.py [--demo DIR] [--runs 5]

Sheets are verified in worker processes (one per core) while the main process writes;
the baseline runs in one process. Baseline and merge alternate --runs times (each merge
into a fresh copy); the run with the median ratio is shown, with the CPU each process
spent, since on a machine with few cores the ratio is bound by the total CPU.

Without --demo it first builds one with
    cmrc demo --centres 50 --experts 20 --no-merge --formats xlsx
(about a minute). Goal (issue #4): merge <= 1.5 x baseline.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path


def build(folder: Path) -> None:
    subprocess.run([sys.executable, "-m", "cmrc_desktop", "--lang", "en", "demo", "--out",
                    str(folder), "--centres", "50", "--experts", "20", "--no-merge",
                    "--formats", "xlsx"], check=True, stdout=subprocess.DEVNULL)


def fresh_copy(demo: Path, tmp: Path, name: str) -> Path:
    target = tmp / name
    shutil.copytree(demo / "secretary", target)
    return target


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cmrc-merge-bench-"))
    demo = args.demo
    if demo is None:
        demo = tmp / "demo"
        build(demo)

    from python_calamine import CalamineWorkbook

    import cmrc_desktop.exchange.sheet_xlsx as sheet_xlsx
    from cmrc_desktop.services.merge import collect_files, merge_files
    from cmrc_desktop.services.workspace import open_workspace
    from cmrc_desktop.signing import payload as signing

    files = collect_files([demo / "scoresheets"])
    ref = sheet_xlsx.read_sheet_xlsx(files[0])
    key = ref.certs[0].public_key()

    def read_and_verify_each() -> float:
        start = time.perf_counter()
        for path in files:
            data = path.read_bytes()
            CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
            signing.verify(key, ref.payload_bytes, ref.signature)
        return time.perf_counter() - start

    def merge_into_a_fresh_copy(name: str):
        with open_workspace(fresh_copy(demo, tmp, name)) as ws:
            children = _children_cpu()
            main_cpu = time.process_time()
            start = time.perf_counter()
            report = merge_files(ws, [demo / "scoresheets"])
            merged = time.perf_counter() - start
            main_cpu = time.process_time() - main_cpu
            children = _children_cpu() - children     # the workers, joined by the merge
        return merged, main_cpu, children, report

    read_and_verify_each()                                      # warm-up: page cache
    with open_workspace(fresh_copy(demo, tmp, "warm")) as ws:  # imports, as the baseline's
        merge_files(ws, files[:100])                            # were imported above
    pairs = []
    for run in range(args.runs):      # alternating, so a drifting machine skews neither
        baseline = read_and_verify_each()
        merged, main_cpu, children, report = merge_into_a_fresh_copy(f"run{run}")
        pairs.append((merged / baseline, baseline, merged, main_cpu, children))
    ratio, baseline, merged, main_cpu, children = sorted(pairs)[len(pairs) // 2]
    assert report.count("accepted") == len(files), "every demo sheet must be accepted"
    peaks = []
    for share in (4, 1):
        with open_workspace(fresh_copy(demo, tmp, f"mem{share}")) as ws:
            tracemalloc.start()
            merge_files(ws, files[: len(files) // share])
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()

    n = len(files)
    print(f"{n} sheets; the run with the median ratio of {args.runs} alternating runs:")
    print(f"baseline (calamine read + 1 ECDSA per file): {baseline:6.2f} s  "
          f"{baseline / n * 1000:5.2f} ms/file")
    print(f"merge into a fresh workspace:                {merged:6.2f} s  "
          f"{merged / n * 1000:5.2f} ms/file")
    print(f"  CPU per file: main process {main_cpu / n * 1000:5.2f} ms (SQLite), worker "
          f"processes {children / n * 1000:5.2f} ms (verification), on {os.cpu_count()} "
          f"cores; the baseline's CPU is its time")
    print(f"ratio merge / baseline: {ratio:4.2f}x  (goal <= 1.5x: "
          f"{'met' if ratio <= 1.5 else 'NOT met'}; all runs: "
          f"{', '.join(f'{p[0]:.2f}' for p in pairs)})")
    print(f"peak Python memory: {peaks[0] / 2**20:5.1f} MiB for {n // 4} files, "
          f"{peaks[1] / 2**20:5.1f} MiB for {n} files")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
