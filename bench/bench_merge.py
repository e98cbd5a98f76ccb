"""Merge of ~1,000 signed xlsx sheets into a fresh secretary workspace, against a
baseline measured in the same run that only reads the same files with python-calamine
and verifies one ECDSA signature per file. Also: peak memory for a quarter of the files
and for all of them (it must not grow with the number of files).

    .venv/bin/python bench/bench_merge.py [--demo DIR]

Sheets are verified in worker processes (one per core) while the main process writes;
the baseline runs in one process.

Without --demo it first builds one with
    cmrc demo --centres 50 --experts 20 --no-merge --formats xlsx
(about a minute). Goal (issue #4): merge <= 1.5 x baseline.
"""

from __future__ import annotations

import argparse
import io
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo", type=Path)
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

    start = time.perf_counter()
    for path in files:
        data = path.read_bytes()
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        signing.verify(key, ref.payload_bytes, ref.signature)
    baseline = time.perf_counter() - start

    with open_workspace(fresh_copy(demo, tmp, "warm")) as ws:  # imports, as the baseline's
        merge_files(ws, files[:100])                            # were imported above
    with open_workspace(fresh_copy(demo, tmp, "run")) as ws:
        start = time.perf_counter()
        report = merge_files(ws, [demo / "scoresheets"])
        merged = time.perf_counter() - start
    assert report.count("accepted") == len(files), "every demo sheet must be accepted"
    peaks = []
    for share in (4, 1):
        with open_workspace(fresh_copy(demo, tmp, f"mem{share}")) as ws:
            tracemalloc.start()
            merge_files(ws, files[: len(files) // share])
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()

    n = len(files)
    print(f"{n} sheets")
    print(f"baseline (calamine read + 1 ECDSA per file): {baseline:6.2f} s  "
          f"{baseline / n * 1000:5.2f} ms/file")
    print(f"merge into a fresh workspace:                {merged:6.2f} s  "
          f"{merged / n * 1000:5.2f} ms/file")
    print(f"ratio merge / baseline: {merged / baseline:4.2f}x  (goal <= 1.5x: "
          f"{'met' if merged / baseline <= 1.5 else 'NOT met'})")
    print(f"peak Python memory: {peaks[0] / 2**20:5.1f} MiB for {n // 4} files, "
          f"{peaks[1] / 2**20:5.1f} MiB for {n} files")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
