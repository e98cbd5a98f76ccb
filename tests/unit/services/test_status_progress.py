"""The progress matrix (``services.status.progress``): the state of every assigned pair,
conflicts of interest apart from pairs simply not assigned, the counts per centre and
per expert, and what each expert still owes."""

from __future__ import annotations

from decimal import Decimal

from cmrc_desktop.domain.workspace import Conflict, ConflictKind, Expert
from cmrc_desktop.services import scoring
from cmrc_desktop.services import status as st
from cmrc_desktop.storage import expert_repo, merge_repo


def received(ws, expert: str, centre: str, revision: int, status: str, tag: str) -> None:
    merge_repo.add_received(ws.db, expert_id=expert, centre_id=centre, revision=revision,
                            digest=tag * 64, payload=b"{}", signature=b"", status=status)


def test_states_counts_and_what_is_missing(ws):
    db = ws.db
    with db.atomic():
        expert_repo.insert_expert(db, Expert("E3", "王五", "山东省立医院"))
        expert_repo.add_conflict(db, Conflict("E3", "C2", ConflictKind.AUTO, "同一单位"))
        expert_repo.assign(db, "E3", "C1")
        received(ws, "E2", "C2", 2, "current", "a")
        received(ws, "E2", "C2", 1, "superseded", "b")
        received(ws, "E3", "C1", 1, "conflict", "c")
        received(ws, "E3", "C1", 1, "conflict", "d")
    scoring.record_score(ws, "E1", "C1", "A1", Decimal("5"))   # typed here, not returned

    matrix = st.progress(ws)
    assert [c for c, _name in matrix.centres] == ["C1", "C2"]
    assert matrix.experts == (("E1", "张三"), ("E2", "李四"), ("E3", "王五"))
    assert matrix.state("C1", "E1") == st.DRAFT
    assert matrix.state("C2", "E2") == st.RECEIVED
    assert matrix.cells[("C2", "E2")].superseded == (1,)
    assert matrix.state("C1", "E3") == st.CONFLICT
    assert matrix.state("C2", "E3") == st.INTEREST
    assert matrix.interests[("C2", "E3")] == "同一单位"
    assert matrix.state("C2", "E1") is None                      # simply not assigned
    assert matrix.state("C1", "E2") == st.MISSING                # assigned despite interest
    assert matrix.interests[("C1", "E2")] == "works at a network member"

    assert matrix.centre_counts("C1") == (0, 3) and matrix.centre_counts("C2") == (1, 1)
    assert matrix.expert_counts("E2") == (1, 2)
    assert matrix.of_expert("E1", st.OUTSTANDING) == ["C1"]
    assert matrix.of_expert("E3", (st.CONFLICT,)) == ["C1"]
    assert matrix.totals() == {st.MISSING: 1, st.DRAFT: 1, st.SUPERSEDED: 0,
                               st.CONFLICT: 1, st.RECEIVED: 1}
    assert st.state_label(st.INTEREST) == "conflict of interest"


def test_a_pair_with_only_superseded_sheets_is_still_outstanding(ws):
    received(ws, "E2", "C2", 1, "superseded", "e")
    matrix = st.progress(ws)
    assert matrix.state("C2", "E2") == st.SUPERSEDED
    assert matrix.of_expert("E2", st.OUTSTANDING) == ["C1", "C2"]


def test_an_empty_batch_has_an_empty_matrix(bare_ws):
    matrix = st.progress(bare_ws)
    assert matrix.centres == () and matrix.experts == () and matrix.totals()[st.MISSING] == 0
