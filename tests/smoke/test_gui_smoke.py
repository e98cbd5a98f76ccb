"""``cmrc gui --smoke`` as a user (and the frozen-build check) starts it: a separate
process on the offscreen platform, on the demo's secretary and expert workspaces, in
Chinese and in English."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import copy_workspace, run_cmrc


@pytest.fixture
def demo(demo_dir, tmp_path):
    """A copy of the shared demo's secretary and first expert workspaces."""
    first = sorted((demo_dir / "experts").iterdir())[0]
    copy_workspace(demo_dir / "secretary", tmp_path / "demo" / "secretary")
    copy_workspace(first, tmp_path / "demo" / "experts" / first.name)
    return tmp_path / "demo"


def _env(tmp_path) -> dict:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"QT_QPA_PLATFORM": "offscreen", "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"), "CMRC_LANG": ""}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize("role", ["secretary", "expert"])
def test_gui_smoke_on_the_demo_workspaces(demo, tmp_path, role, lang):
    folder = demo / "secretary" if role == "secretary" else \
        sorted((demo / "experts").iterdir())[0]
    proc = run_cmrc("gui", "--smoke", "--workspace", str(folder), "--lang", lang,
                    env=_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    views = ("batch, centres, experts, assignments, returns, progress, results, audit"
             if role == "secretary" else "my_centres")
    assert views in proc.stdout
    assert not (tmp_path / "home" / ".config" / "CMRC").exists()   # settings untouched


def test_gui_smoke_without_a_workspace_shows_the_start_page(tmp_path):
    proc = run_cmrc("gui", "--smoke", env=_env(tmp_path))
    assert proc.returncode == 0, proc.stderr


def test_gui_smoke_on_a_folder_that_is_no_workspace_exits_2(tmp_path):
    proc = run_cmrc("gui", "--smoke", "--workspace", str(tmp_path / "nothing"), "--lang", "en",
                    env=_env(tmp_path))
    assert proc.returncode == 2
    assert "cannot open the workspace" in proc.stderr and "Traceback" not in proc.stderr


def test_help_still_works_and_lists_gui(tmp_path):
    proc = run_cmrc("--help", env=_env(tmp_path))
    assert proc.returncode == 0 and "gui" in proc.stdout
    proc = run_cmrc("gui", "--help", env=_env(tmp_path))
    assert proc.returncode == 0 and "--smoke" in proc.stdout


def test_plain_cmrc_starts_the_window(monkeypatch):
    from cmrc_desktop import cli, cli_gui

    seen = []
    monkeypatch.setattr(cli_gui, "cmd_gui", lambda args: seen.append(args) or 0)
    assert cli.main([]) == 0
    assert cli.main(["--lang", "en"]) == 0
    assert [a.command for a in seen] == ["gui", "gui"]
    assert seen[1].lang == "en" and not seen[1].smoke


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="always has a display")
def test_without_a_display_cmrc_says_so_instead_of_aborting(tmp_path):
    env = {**_env(tmp_path), "QT_QPA_PLATFORM": "", "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    proc = run_cmrc("--lang", "en", env=env)
    assert proc.returncode == 2
    assert "graphical display" in proc.stderr and "Traceback" not in proc.stderr
