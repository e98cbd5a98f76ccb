"""Build the frozen program with PyInstaller, then smoke-test what was built.

    python build_spec/build.py [--dist DIR] [--skip-build]

The smoke test runs the built ``cmrc`` the way a laptop without Python would: an empty
environment (PATH is an empty folder, so no Python; HOME is a new empty folder; only
``QT_QPA_PLATFORM=offscreen`` and the demo password are set), from a temporary folder:

1. ``cmrc --version``;
2. ``cmrc demo`` (a small demo: keys, packages, signed sheets, merge);
3. ``cmrc gui --smoke`` on the demo's secretary and expert workspaces (Chinese);
4. ``cmrc verify --workspace <secretary>`` of every exported sheet.

It prints the size of the build and exits non-zero on the first failure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "cmrc_desktop.spec"
PASSWORD = "frozen-smoke-1"


def build(dist: Path, work: Path) -> Path:
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                    "--log-level", "WARN", "--distpath", str(dist), "--workpath", str(work),
                    str(SPEC)], check=True, cwd=ROOT)
    exe = dist / "cmrc" / ("cmrc.exe" if sys.platform == "win32" else "cmrc")
    if not exe.exists():
        raise SystemExit(f"the build did not produce {exe}")
    return exe


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def smoke(exe: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="cmrc-frozen-smoke-") as tmp:
        tmp_path = Path(tmp)
        home = tmp_path / "home"
        home.mkdir()
        empty_bin = tmp_path / "bin"       # PATH names no Python (nor anything else)
        empty_bin.mkdir()
        env = {"QT_QPA_PLATFORM": "offscreen", "HOME": str(home), "CMRC_PASSWORD": PASSWORD,
               "PATH": str(empty_bin)}
        if os.name == "nt":
            env["SystemRoot"] = os.environ.get("SystemRoot", r"C:\Windows")

        def run(*args: str, expect: int = 0) -> str:
            start = time.perf_counter()
            proc = subprocess.run([str(exe), *args], env=env, cwd=tmp, capture_output=True,
                                  text=True, timeout=600)
            took = time.perf_counter() - start
            print(f"  cmrc {' '.join(args)[:90]}  → exit {proc.returncode} ({took:.1f} s)")
            if proc.returncode != expect or "Traceback" in proc.stderr:
                raise SystemExit(f"smoke test failed:\n{proc.stdout}\n{proc.stderr}")
            return proc.stdout

        print("smoke test of the frozen program (empty environment):")
        run("--version")
        demo = tmp_path / "demo"
        run("--lang", "en", "demo", "--out", str(demo), "--centres", "4", "--experts", "3")
        experts = sorted((demo / "experts").iterdir())
        for workspace in (demo / "secretary", experts[0]):
            out = run("gui", "--smoke", "--workspace", str(workspace), "--lang", "zh_CN")
            print("   ", out.strip().splitlines()[-1])
        out = run("--lang", "en", "verify", "--workspace", str(demo / "secretary"),
                  str(demo / "scoresheets"))
        sheets = [line for line in out.splitlines() if ": OK" in line]
        if not sheets:
            raise SystemExit("verify found no sheet to check")
        print(f"    verified {len(sheets)} sheets")
        if list(home.rglob("*")) and any((home / ".config").rglob("*.ini")):
            raise SystemExit("a smoke run wrote settings into HOME")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build")
    parser.add_argument("--skip-build", action="store_true",
                        help="smoke-test an existing build in --dist")
    args = parser.parse_args()
    if args.skip_build:
        exe = args.dist / "cmrc" / ("cmrc.exe" if sys.platform == "win32" else "cmrc")
    else:
        shutil.rmtree(args.dist / "cmrc", ignore_errors=True)
        start = time.perf_counter()
        exe = build(args.dist, args.work)
        print(f"built {exe} in {time.perf_counter() - start:.0f} s")
    print(f"size of the build: {folder_size(exe.parent) / 2**20:.0f} MiB "
          f"({sum(1 for _ in exe.parent.rglob('*'))} files)")
    smoke(exe)
    print("frozen build OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
