"""The installed command starts and answers, as the frozen build's check will do."""

from __future__ import annotations

from cmrc_desktop import __version__
from tests.conftest import run_cmrc


def test_version_and_help():
    proc = run_cmrc("--version")
    assert proc.returncode == 0 and __version__ in proc.stdout
    proc = run_cmrc("--help")
    assert proc.returncode == 0
    for command in ("grade", "scheme", "demo", "import", "batch"):
        assert command in proc.stdout


def test_unknown_command_is_a_usage_error():
    proc = run_cmrc("frobnicate")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
