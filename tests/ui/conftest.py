"""Fixtures for the window's tests (pytest-qt's ``qtbot`` provides the QApplication).

- ``inline_tasks``: background tasks run synchronously on the calling thread; their
  callbacks have run when ``run_task`` returns.
- ``demo_dir`` (session, from ``tests/conftest.py``): the small demo; copy a workspace
  (``copy_workspace``) before writing.
- ``secretary``: a copy of the demo's secretary workspace folder (closed), to write into.
- ``secretary_ws``: that copy opened (actor ``secretary-test``), closed after the test.
- ``expert_ws``: an open copy of the first expert's workspace, closed after the test.
- ``prompts``: a ``RecordingPrompts`` that answers the default and records every question.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cmrc_desktop.services.workspace import Workspace, open_workspace
from tests.conftest import DEMO_PASSWORD, copy_workspace

__all__ = ["DEMO_PASSWORD", "copy_workspace"]   # the UI tests import them from here


@pytest.fixture
def inline_tasks(monkeypatch):
    """Make ``cmrc_desktop.ui.tasks.run_task`` run its job inline."""
    from cmrc_desktop.ui import tasks

    monkeypatch.setattr(tasks, "_start", tasks._start_inline)
    return tasks


@pytest.fixture
def secretary(demo_dir, tmp_path) -> Path:
    return copy_workspace(demo_dir / "secretary", tmp_path / "secretary")


@pytest.fixture
def secretary_ws(secretary) -> Iterator[Workspace]:
    with open_workspace(secretary, actor="secretary-test") as ws:
        yield ws


@pytest.fixture
def prompts():
    from cmrc_desktop.ui.prompts import RecordingPrompts

    return RecordingPrompts()


@pytest.fixture
def expert_ws(demo_dir, tmp_path) -> Iterator[Workspace]:
    first = sorted((demo_dir / "experts").iterdir())[0]
    ws = open_workspace(copy_workspace(first, tmp_path / "expert" / first.name))
    try:
        yield ws
    finally:
        ws.close()
