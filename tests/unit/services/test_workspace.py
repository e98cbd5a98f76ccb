"""Creating, opening and closing workspaces, and storing attachments."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from cmrc_desktop.domain.errors import InputError, WorkspaceError
from cmrc_desktop.domain.workspace import BatchKind, Role, Stage
from cmrc_desktop.scoring.builtin import builtin_scheme
from cmrc_desktop.services import workspace as workspace_service
from cmrc_desktop.services.workspace import (
    DB_NAME,
    Workspace,
    attachment_path,
    create_workspace,
    open_workspace,
    store_attachment,
)
from cmrc_desktop.storage import audit

SCHEME = builtin_scheme("sd-perf-5d")


def _create(folder: Path, **overrides: object) -> Workspace:
    params: dict[str, object] = dict(name="2026 绩效评估", year=2026, kind="performance",
                                     stage="dossier_review", scheme=SCHEME, role="expert",
                                     actor="expert-zhang")
    params.update(overrides)
    return create_workspace(folder, **params)  # type: ignore[arg-type]


def test_a_new_workspace_is_a_folder_with_database_attachments_and_keys(tmp_path: Path) -> None:
    with _create(tmp_path / "batch") as ws:
        batch = ws.batch
        assert ws.folder == tmp_path / "batch"
        assert ws.actor == "expert-zhang"
    folder = tmp_path / "batch"
    assert (folder / DB_NAME).is_file()
    assert (folder / "attachments").is_dir() and (folder / "keys").is_dir()
    assert re.fullmatch(r"B2026-[0-9a-f]{8}", batch.id)
    assert (batch.name, batch.year, batch.kind, batch.stage, batch.role) == (
        "2026 绩效评估", 2026, BatchKind.PERFORMANCE, Stage.DOSSIER_REVIEW, Role.EXPERT)
    assert batch.scheme_id == "sd-perf-5d" and batch.scheme_text == SCHEME.text
    assert batch.scheme_sha256 == hashlib.sha256(SCHEME.text.encode()).hexdigest()


def test_reopening_gives_the_same_batch_and_scheme(tmp_path: Path) -> None:
    with _create(tmp_path, batch_id="B2026-feedbeef") as ws:
        created = ws.batch
    with open_workspace(tmp_path, actor="secretary-wang") as ws:
        assert ws.batch == created
        assert ws.scheme == SCHEME and ws.scheme.sha256 == SCHEME.sha256
        assert ws.scheme is ws.scheme
        [entry] = audit.entries(ws.db)
        assert (entry.action, entry.entity, entry.actor) == (
            "batch.create", "batch:B2026-feedbeef", "expert-zhang")


def test_the_actor_defaults_to_the_system_user(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workspace_service.getpass, "getuser", lambda: "zhang3")
    with _create(tmp_path, actor=None) as ws:
        assert ws.actor == "zhang3"


def test_a_folder_that_already_holds_a_workspace_is_refused(tmp_path: Path) -> None:
    _create(tmp_path).close()
    before = (tmp_path / DB_NAME).read_bytes()
    with pytest.raises(WorkspaceError, match="already holds"):
        _create(tmp_path, name="another")
    assert (tmp_path / DB_NAME).read_bytes() == before


def test_opening_a_folder_without_a_workspace_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError) as caught:
        open_workspace(tmp_path)
    assert str(tmp_path) in caught.value.message
    assert DB_NAME in caught.value.message


@pytest.mark.parametrize(("overrides", "field"), [
    ({"kind": "annual"}, "kind"),
    ({"stage": "final"}, "stage"),
    ({"role": "leader"}, "role"),
    ({"name": "  "}, "name"),
    ({"year": 26}, "year"),
    ({"kind": "application"}, "scheme"),     # sd-perf-5d is a performance scheme
])
def test_bad_batch_details_are_refused_before_any_file_is_made(
        tmp_path: Path, overrides: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as caught:
        _create(tmp_path / "batch", **overrides)
    assert caught.value.field == field
    assert not (tmp_path / "batch").exists()


def test_closed_workspace_cannot_be_used(tmp_path: Path) -> None:
    ws = _create(tmp_path)
    ws.close()
    with pytest.raises(sqlite3.ProgrammingError):
        ws.db.execute("SELECT 1")


def test_attachments_are_stored_once_by_content(ws: Workspace, tmp_path: Path) -> None:
    report = tmp_path / "年度报告.pdf"
    report.write_bytes(b"%PDF-1.7 annual report" * 1000)
    digest = hashlib.sha256(report.read_bytes()).hexdigest()

    assert store_attachment(ws, report) == (digest, report.stat().st_size)
    copy = tmp_path / "renamed.pdf"
    copy.write_bytes(report.read_bytes())
    assert store_attachment(ws, copy) == (digest, report.stat().st_size)

    stored = attachment_path(ws, digest)
    assert stored == ws.folder / "attachments" / digest[:2] / digest
    assert stored.read_bytes() == report.read_bytes()
    files = [p for p in (ws.folder / "attachments").rglob("*") if p.is_file()]
    assert files == [stored]  # no second copy, no temporary file left behind


def test_a_missing_attachment_is_reported_with_its_name(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        store_attachment(ws, tmp_path / "missing.pdf")
    assert caught.value.file == str(tmp_path / "missing.pdf")
    assert [p for p in (ws.folder / "attachments").rglob("*") if p.is_file()] == []


def test_make_workspace_builds_the_scoring_fixture(
        make_workspace: Callable[..., Workspace], tmp_path: Path) -> None:
    from cmrc_desktop.storage import centre_repo, expert_repo

    ws = make_workspace(tmp_path)
    assert [c.id for c in centre_repo.list_centres(ws.db)] == ["C1", "C2"]
    assert expert_repo.list_assignments(ws.db) == [("E1", "C1"), ("E2", "C1"), ("E2", "C2")]
    assert [c.expert_id for c in expert_repo.list_conflicts(ws.db, centre_id="C1")] == ["E2"]
