"""Shared test set-up: headless Qt, English messages unless a test asks for Chinese,
and a ``data_dir`` that keeps every path under ``tmp_path``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent


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
