"""Shared test set-up: headless Qt, English messages unless a test asks for Chinese,
a ``data_dir`` that keeps every path under ``tmp_path``, and ``demo_dir`` (session): a
small demo (3 centres, 4 experts, xlsx sheets, password ``DEMO_PASSWORD``):
``<demo>/secretary``, ``<demo>/experts/<id>``, ``<demo>/scoresheets``. Treat it as
read-only: copy a workspace (``copy_workspace``) before writing."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "test-password-1"


@pytest.fixture(autouse=True)
def _english_messages(monkeypatch):
    from cmrc_desktop import i18n

    monkeypatch.setenv("CMRC_LANG", "en")
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """Point the program's per-user data and settings at ``tmp_path``."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    return home


def run_cmrc(*args: str, env: dict | None = None, cwd: Path | None = None):
    """Run ``cmrc`` as a separate process, as a user would."""
    import subprocess

    full_env = {**os.environ, "CMRC_LANG": "en", "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "cmrc_desktop", *args], capture_output=True,
                          text=True, env=full_env, cwd=cwd, timeout=300)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    from cmrc_desktop import i18n
    from cmrc_desktop.services.demo import build_demo

    before = i18n.language()
    i18n.set_language("en")
    try:
        summary = build_demo(tmp_path_factory.mktemp("demo") / "demo", centres=3, experts=4,
                             seed=1, password=DEMO_PASSWORD, formats=("xlsx",))
    finally:
        i18n.set_language(before)
    return summary.folder


def copy_workspace(source: Path, target: Path) -> Path:
    """A copy of a (closed) workspace folder to write into."""
    shutil.copytree(source, target)
    return target
