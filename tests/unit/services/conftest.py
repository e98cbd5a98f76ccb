"""A small workspace to score in: the built-in scheme, two centres, two experts.

E1 is assigned to C1 only; E2 is assigned to C1 and C2 but has a declared conflict
with C1 (so E1/C1 is the one pair that may be scored, E1/C2 is unassigned, E2/C1 is
conflicted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cmrc_desktop.domain.scheme import Scheme
from cmrc_desktop.domain.workspace import (
    Centre,
    Conflict,
    ConflictKind,
    Expert,
    MemberRole,
    NetworkMember,
)
from cmrc_desktop.scoring.builtin import builtin_scheme
from cmrc_desktop.scoring.scheme_loader import parse_scheme
from cmrc_desktop.services.workspace import Workspace, create_workspace
from cmrc_desktop.storage import centre_repo, expert_repo

AUTOMATIC_INDICATOR = "E3"


def build_workspace(tmp_path: Path, scheme: Scheme | None = None) -> Workspace:
    """The helper itself, for tests that need it outside a fixture (and child processes)."""
    ws = create_workspace(
        tmp_path / "ws", name="2026年度绩效评估", year=2026, kind="performance",
        stage="dossier_review", scheme=scheme or builtin_scheme("sd-perf-5d"),
        role="secretary", actor="secretary-wang", batch_id="B2026-0000abcd")
    db = ws.db
    centre_repo.insert_centre(db, Centre(
        id="C1", name="山东省心血管病临床医学研究中心", level="provincial", field="心血管疾病",
        host="山东大学齐鲁医院",
        members=(NetworkMember("济南市中心医院", MemberRole.CORE),
                 NetworkMember("青岛市市立医院"))))
    centre_repo.insert_centre(db, Centre(
        id="C2", name="山东省肿瘤临床医学研究中心", level="provincial", field="肿瘤",
        host="山东省肿瘤医院"))
    expert_repo.insert_expert(db, Expert("E1", "张三", "北京协和医院", "主任医师"))
    expert_repo.insert_expert(db, Expert("E2", "李四", "济南市中心医院"))
    expert_repo.assign(db, "E1", "C1")
    expert_repo.assign(db, "E2", "C1")
    expert_repo.assign(db, "E2", "C2")
    expert_repo.add_conflict(db, Conflict("E2", "C1", ConflictKind.DECLARED,
                                          "works at a network member"))
    return ws


@pytest.fixture
def automatic_scheme() -> Scheme:
    """The built-in scheme with E3 turned into an indicator scored from a metric."""
    text = builtin_scheme("sd-perf-5d").text
    marker = f'id = "{AUTOMATIC_INDICATOR}"\n'
    assert marker in text
    text = text.replace(marker, marker + 'source = "metric:integrity_cases"\nfull_at = 10\n')
    return parse_scheme(text)


@pytest.fixture
def make_workspace() -> Iterator[Callable[..., Workspace]]:
    """``make_workspace(tmp_path)``; every workspace made is closed after the test."""
    made: list[Workspace] = []

    def make(tmp_path: Path, scheme: Scheme | None = None) -> Workspace:
        ws = build_workspace(tmp_path, scheme)
        made.append(ws)
        return ws

    yield make
    for ws in made:
        ws.close()


@pytest.fixture
def ws(make_workspace: Callable[..., Workspace], tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path)


@pytest.fixture
def bare_ws(tmp_path: Path) -> Iterator[Workspace]:
    """A workspace with its batch only: no centres, no experts (for the dossier and panel
    use cases, which build what they need through the services)."""
    ws = create_workspace(
        tmp_path / "bare", name="2026年度绩效评估", year=2026, kind="performance",
        stage="dossier_review", scheme=builtin_scheme("sd-perf-5d"), role="secretary",
        actor="secretary-wang", batch_id="B2026-0000beef")
    yield ws
    ws.close()
