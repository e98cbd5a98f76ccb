"""Rows come back as the domain dataclasses, numbers as exact Decimals."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from cmrc_desktop.domain.errors import NotFoundError, WorkspaceError
from cmrc_desktop.domain.workspace import (
    Batch,
    BatchKind,
    Centre,
    CheckResult,
    Conflict,
    ConflictKind,
    DocumentType,
    Expert,
    MemberRole,
    NetworkMember,
    Opinion,
    Role,
    Score,
    SheetState,
    Stage,
    VetoRecord,
)
from cmrc_desktop.storage import (
    Database,
    batch_repo,
    centre_repo,
    dossier_repo,
    expert_repo,
    review_repo,
    score_repo,
)

CENTRE = Centre(id="C1", name="山东省心血管病临床医学研究中心", level="provincial",
                field="心血管疾病", host="山东大学齐鲁医院", city="济南",
                members=(NetworkMember("济南市中心医院", MemberRole.CORE),
                         NetworkMember("青岛市市立医院")))


def _batch() -> Batch:
    return Batch("B2026-00000001", "2026 绩效评估", 2026, BatchKind.PERFORMANCE,
                 Stage.DOSSIER_REVIEW, "sd-perf-5d", "[scheme]\n", "ab" * 32, Role.SECRETARY,
                 "2026-01-01T00:00:00Z")


@pytest.fixture
def scored(db: Database) -> Database:
    """C1 with E1 assigned, so that sheets and scores can be written."""
    centre_repo.insert_centre(db, CENTRE)
    expert_repo.insert_expert(db, Expert("E1", "张三", "北京协和医院"))
    expert_repo.assign(db, "E1", "C1")
    return db


def test_batch_round_trip_and_only_one_per_workspace(db: Database) -> None:
    with pytest.raises(WorkspaceError):
        batch_repo.get_batch(db)
    batch_repo.insert_batch(db, _batch())
    assert batch_repo.get_batch(db) == _batch()
    assert batch_repo.update_batch(db, stage=Stage.ON_SITE).stage is Stage.ON_SITE
    with pytest.raises(sqlite3.IntegrityError):
        batch_repo.insert_batch(db, Batch(**{**_batch().__dict__, "id": "B2026-00000002"}))


def test_centre_round_trip_with_network_members(db: Database) -> None:
    centre_repo.insert_centre(db, CENTRE)
    assert centre_repo.get_centre(db, "C1") == CENTRE
    changed = Centre(**{**CENTRE.__dict__, "director": "王五",
                        "members": (NetworkMember("泰安市中心医院", MemberRole.PROMOTION),)})
    centre_repo.update_centre(db, changed)
    assert centre_repo.list_centres(db) == [changed]
    with pytest.raises(NotFoundError):
        centre_repo.get_centre(db, "C9")


def test_deleting_a_centre_takes_its_dossier_but_not_scored_sheets(scored: Database) -> None:
    db = scored
    score_repo.touch_sheet(db, "E1", "C1")
    with pytest.raises(sqlite3.IntegrityError):
        centre_repo.delete_centre(db, "C1")
    db.execute("DELETE FROM sheets")
    centre_repo.delete_centre(db, "C1")
    assert db.execute("SELECT count(*) FROM network_members").fetchone()[0] == 0
    assert expert_repo.list_assignments(db) == []


def test_documents_are_removed_softly(db: Database) -> None:
    centre_repo.insert_centre(db, CENTRE)
    doc = dossier_repo.add_document(db, centre_id="C1", doc_type=DocumentType.ANNUAL_REPORT,
                                    title="2025年度报告", filename="report.pdf",
                                    sha256="cd" * 32, size=1234)
    assert dossier_repo.list_documents(db, "C1") == [doc]
    removed = dossier_repo.remove_document(db, doc.id)
    assert removed.removed_at is not None
    assert dossier_repo.list_documents(db, "C1") == []
    assert dossier_repo.list_documents(db, "C1", include_removed=True) == [removed]


def test_metrics_keep_their_exact_value(db: Database) -> None:
    centre_repo.insert_centre(db, CENTRE)
    dossier_repo.set_metric(db, "C1", "2025", "patents", Decimal("0.1"))
    dossier_repo.set_metric(db, "C1", "2025", "patents", Decimal("12.50"))
    [metric] = dossier_repo.list_metrics(db, "C1")
    assert metric.value == Decimal("12.5")
    assert db.execute("SELECT typeof(value) FROM metrics").fetchone()[0] == "text"


def test_experts_conflicts_and_assignments(scored: Database) -> None:
    db = scored
    assert expert_repo.get_expert(db, "E1") == Expert("E1", "张三", "北京协和医院")
    conflict = Conflict("E1", "C1", ConflictKind.AUTO, "host institution")
    expert_repo.add_conflict(db, conflict)
    expert_repo.add_conflict(db, conflict)
    assert expert_repo.conflicts_of(db, "E1", "C1") == [conflict]
    assert expert_repo.is_assigned(db, "E1", "C1")
    expert_repo.unassign(db, "E1", "C1")
    assert not expert_repo.is_assigned(db, "E1", "C1")


def test_scores_are_text_decimals_and_need_their_sheet(scored: Database) -> None:
    db = scored
    with pytest.raises(sqlite3.IntegrityError):
        score_repo.upsert_score(db, Score("E1", "C1", "A1", Decimal("8.5")))
    score_repo.touch_sheet(db, "E1", "C1")
    stored = score_repo.upsert_score(db, Score("E1", "C1", "A1", Decimal("8.50"), "好"))
    assert (stored.value, stored.comment) == (Decimal("8.5"), "好")
    assert db.execute("SELECT value, typeof(value) FROM scores").fetchone() == ("8.5", "text")
    db.execute("UPDATE scores SET value = 7.5")  # even a float from elsewhere stays text
    assert db.execute("SELECT typeof(value) FROM scores").fetchone() == ("text",)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE scores SET value = X'00'")
    assert score_repo.find_sheet(db, "E1", "C1").state is SheetState.DRAFT


def test_opinion_round_trip(scored: Database) -> None:
    db = scored
    score_repo.touch_sheet(db, "E1", "C1")
    opinion = Opinion("E1", "C1", "成果显著", "网络建设不足", "加强推广")
    score_repo.upsert_opinion(db, opinion)
    assert score_repo.find_opinion(db, "E1", "C1") == opinion


def test_vetoes_and_checks_round_trip(db: Database) -> None:
    centre_repo.insert_centre(db, CENTRE)
    veto = VetoRecord("C1", "V1", "数据造假", "secretary", "2026-01-01T00:00:00Z")
    review_repo.put_veto(db, veto)
    assert review_repo.list_vetoes(db, "C1") == [veto]
    check = CheckResult("C1", "F1", None, True, "awaiting metric")
    review_repo.put_check(db, check)
    assert review_repo.find_check(db, "C1", "F1") == check
    passed = CheckResult("C1", "F1", True, False, "seen", "secretary", "2026-01-02T00:00:00Z")
    review_repo.put_check(db, passed)
    assert review_repo.list_checks(db) == [passed]
