"""Signed scoresheet export and verification, against baselines measured in the same run.

    .venv/bin/python bench/bench_sheets.py [--runs 20]

Export: one signed sheet as xlsx + pdf (payload signing, writing, PAdES signing), against
the baseline of writing an unsigned workbook of the same size with openpyxl.
Verify: one signed xlsx (read, check signature, chain and visible cells), against the
baseline of reading the same file with python-calamine and checking one ECDSA signature.
Goals (issue #3): under 0.3 s per exported sheet; under 10 ms per verified xlsx.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def median_seconds(fn, runs: int) -> float:
    fn()  # warm up: imports, fonts
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs

    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    from cmrc_desktop.services import keyring
    from cmrc_desktop.services.demo import build_demo
    from cmrc_desktop.services.sheets import export_sheet
    from cmrc_desktop.services.verify import verify_file
    from cmrc_desktop.services.workspace import open_workspace
    from cmrc_desktop.signing import payload as signing
    from cmrc_desktop.storage import score_repo

    tmp = Path(tempfile.mkdtemp(prefix="cmrc-bench-"))
    demo = build_demo(tmp / "demo", centres=2, experts=3, seed=1, password="bench-password",
                      formats=("xlsx",))
    expert_dir = next((tmp / "demo" / "experts").iterdir())
    ws = open_workspace(expert_dir)
    signer = keyring.open_own_key(ws, "bench-password")
    sheet = score_repo.list_sheets(ws.db)[0]
    out = tmp / "out"

    def export() -> None:
        export_sheet(ws, sheet.expert_id, sheet.centre_id, out, signer)

    def baseline_write() -> None:
        wb = Workbook()
        sheet_ = wb.active
        for row in range(40):
            sheet_.append([f"cell {row} {col}" for col in range(7)])
        wb.save(out / "plain.xlsx")

    out.mkdir(exist_ok=True)
    t_export = median_seconds(export, runs)
    t_plain = median_seconds(baseline_write, runs)

    xlsx = sorted((tmp / "demo" / "scoresheets").glob("*.xlsx"))[0]
    with open_workspace(demo.secretary) as sec:
        def verify() -> None:
            assert verify_file(xlsx, sec).ok

        from cmrc_desktop.exchange.sheet_xlsx import read_sheet_xlsx

        read = read_sheet_xlsx(xlsx)

        def baseline_read() -> None:
            data = xlsx.read_bytes()
            CalamineWorkbook.from_filelike(__import__("io").BytesIO(data)) \
                .get_sheet_by_index(0).to_python()
            signing.verify(read.certs[0].public_key(), read.payload_bytes, read.signature)

        t_verify = median_seconds(verify, runs * 5)
        t_read = median_seconds(baseline_read, runs * 5)
    ws.close()

    print(f"export one signed sheet (xlsx+pdf): {t_export * 1000:8.1f} ms   "
          f"baseline unsigned openpyxl write {t_plain * 1000:6.1f} ms   "
          f"ratio {t_export / t_plain:5.1f}x   goal < 300 ms: "
          f"{'met' if t_export < 0.3 else 'NOT met'}")
    print(f"verify one signed xlsx (with workspace): {t_verify * 1000:6.2f} ms   "
          f"baseline calamine read + 1 ECDSA {t_read * 1000:6.2f} ms   "
          f"ratio {t_verify / t_read:5.2f}x   goal < 10 ms: "
          f"{'met' if t_verify < 0.01 else 'NOT met'}")


if __name__ == "__main__":
    main()
