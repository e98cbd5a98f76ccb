"""Fixtures for the window's tests (pytest-qt's ``qtbot`` provides the QApplication).

- ``inline_tasks``: background tasks run synchronously on the calling thread; their
  callbacks have run when ``run_task`` returns.
- ``demo_dir`` (session): a small demo (3 centres, 4 experts, xlsx sheets, password
  ``DEMO_PASSWORD``): ``<demo>/secretary``, ``<demo>/experts/<id>``,
  ``<demo>/scoresheets``. Treat it as read-only: copy a workspace before writing.
- ``expert_ws``: an open copy of the first expert's workspace, closed after the test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cmrc_desktop.services.workspace import Workspace, open_workspace

DEMO_PASSWORD = "test-password-1"


@pytest.fixture
def inline_tasks(monkeypatch):
    """Make ``cmrc_desktop.ui.tasks.run_task`` run its job inline."""
    from cmrc_desktop.ui import tasks

    monkeypatch.setattr(tasks, "_start", tasks._start_inline)
    return tasks


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


@pytest.fixture
def expert_ws(demo_dir, tmp_path) -> Iterator[Workspace]:
    first = sorted((demo_dir / "experts").iterdir())[0]
    ws = open_workspace(copy_workspace(first, tmp_path / "expert" / first.name))
    try:
        yield ws
    finally:
        ws.close()
