"""The review panel as the secretary sees it: experts, conflicts of interest found and
declared, and assignments that never put an expert on a centre they are in conflict with."""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

import pytest

from cmrc_desktop.domain.errors import InputError, NotFoundError
from cmrc_desktop.domain.workspace import (
    Centre,
    Conflict,
    ConflictKind,
    Expert,
    MemberRole,
    NetworkMember,
)
from cmrc_desktop.services import dossiers
from cmrc_desktop.services.panel import (
    add_expert,
    assign,
    auto_assign,
    declare_conflict,
    detect_conflicts,
    panel_counts,
    same_institution,
    unassign,
    withdraw_conflict,
)
from cmrc_desktop.services.scoring import record_score
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.storage import audit, centre_repo, expert_repo

HOST_REASON = "The expert's institution is the centre's host institution"
CORE_REASON = "The expert's institution is a network member of the centre (core member)"
MEMBER_REASON = "The expert's institution is a network member of the centre"


def centre(ident: str, host: str, *members: tuple[str, MemberRole]) -> Centre:
    return Centre(id=ident, name=f"中心{ident}", level="provincial", field="恶性肿瘤",
                  host=host, members=tuple(NetworkMember(i, r) for i, r in members))


@pytest.fixture
def heart(bare_ws: Workspace) -> Workspace:
    """One centre, C1, hosted by 山东大学齐鲁医院 with a core and an ordinary member."""
    dossiers.add_centre(bare_ws, centre("C1", "山东大学齐鲁医院",
                                        ("青岛大学附属医院（本部）", MemberRole.CORE),
                                        ("烟台毓璜顶医院", MemberRole.MEMBER)))
    return bare_ws


def assignments(ws: Workspace) -> list[tuple[str, str]]:
    return expert_repo.list_assignments(ws.db)


# -- same institution -------------------------------------------------------------------
@pytest.mark.parametrize(("a", "b", "same"), [
    ("山东大学齐鲁医院", "山东大学齐鲁医院", True),
    ("山东大学齐鲁医院", " 山东大学　齐鲁医院\n", True),            # ideographic space, newline
    ("青岛大学附属医院（本部）", "青岛大学附属医院(本部)", True),
    ("青岛大学附属医院（本部）", "青岛大学附属医院 本部", True),
    ("ＰＬＡ总医院", "pla 总医院", True),                             # full-width letters, case
    ("山东大学齐鲁医院", "山东大学齐鲁医院（青岛）", False),
    ("山东省立医院", "山东省立医院东院", False),
    ("", "", False),
    ("（）", "", False),
])
def test_same_institution(a: str, b: str, same: bool) -> None:
    assert same_institution(a, b) is same
    assert same_institution(b, a) is same


# -- experts and automatic conflicts ----------------------------------------------------
def test_an_expert_at_the_host_or_a_member_is_in_conflict_with_the_reason(
        heart: Workspace) -> None:
    at_host = add_expert(heart, Expert("E1", "王五", "山东大学 齐鲁医院", "主任医师"))
    at_core = add_expert(heart, Expert("E2", "赵六", "青岛大学附属医院(本部)"))
    at_member = add_expert(heart, Expert("E3", "钱七", "烟台毓璜顶医院"))
    elsewhere = add_expert(heart, Expert("E4", "孙八", "北京协和医院"))

    assert at_host == [Conflict("E1", "C1", ConflictKind.AUTO, HOST_REASON)]
    assert at_core == [Conflict("E2", "C1", ConflictKind.AUTO, CORE_REASON)]
    assert at_member == [Conflict("E3", "C1", ConflictKind.AUTO, MEMBER_REASON)]
    assert elsewhere == []
    assert [c.reason for c in expert_repo.list_conflicts(heart.db, centre_id="C1")] == [
        HOST_REASON, CORE_REASON, MEMBER_REASON]
    assert [(e.expert_id, e.new) for e in audit.entries(heart.db, action="conflict.detect")] == [
        ("E1", HOST_REASON), ("E2", CORE_REASON), ("E3", MEMBER_REASON)]
    assert [e.expert_id for e in audit.entries(heart.db, action="expert.add")] == [
        "E1", "E2", "E3", "E4"]


@pytest.mark.parametrize(("expert", "says"), [
    (Expert("E1", "重名", "北京协和医院"), "already an expert with id 'E1'"),
    (Expert("E9", " ", "北京协和医院"), "name must not be empty"),
    (Expert("E9", "王五", ""), "institution must not be empty"),
    (Expert("", "王五", "北京协和医院"), "needs an id"),
])
def test_add_expert_refusals(bare_ws: Workspace, expert: Expert, says: str) -> None:
    add_expert(bare_ws, Expert("E1", "张三", "北京协和医院"))
    with pytest.raises(InputError, match=says):
        add_expert(bare_ws, expert)
    assert [e.name for e in expert_repo.list_experts(bare_ws.db)] == ["张三"]


def test_detection_follows_changes_of_the_network(heart: Workspace) -> None:
    add_expert(heart, Expert("E1", "钱七", "烟台毓璜顶医院"))
    declare_conflict(heart, "E1", "C1", "曾在该中心兼职")
    old = centre_repo.get_centre(heart.db, "C1")
    centre_repo.update_centre(heart.db, replace(old, members=()))

    assert detect_conflicts(heart) == []

    # the automatic conflict went, the declared one stays
    assert expert_repo.list_conflicts(heart.db) == [
        Conflict("E1", "C1", ConflictKind.DECLARED, "曾在该中心兼职")]
    [cleared] = audit.entries(heart.db, action="conflict.clear")
    assert (cleared.expert_id, cleared.centre_id, cleared.old) == ("E1", "C1", MEMBER_REASON)


def test_detecting_again_changes_nothing(heart: Workspace) -> None:
    add_expert(heart, Expert("E1", "王五", "山东大学齐鲁医院"))
    before = len(audit.entries(heart.db))
    assert detect_conflicts(heart) == []
    assert len(audit.entries(heart.db)) == before


def test_detection_inside_a_failed_outer_transaction_leaves_nothing(heart: Workspace) -> None:
    expert_repo.insert_expert(heart.db, Expert("E1", "王五", "山东大学齐鲁医院"))
    with pytest.raises(RuntimeError), heart.db.atomic():
        assert len(detect_conflicts(heart)) == 1
        raise RuntimeError("the import failed later")
    assert expert_repo.list_conflicts(heart.db) == []
    assert audit.entries(heart.db, action="conflict.detect") == []


# -- assigning --------------------------------------------------------------------------
def test_assigning_a_conflicted_pair_is_refused_naming_the_conflict(heart: Workspace) -> None:
    add_expert(heart, Expert("E1", "王五", "山东大学齐鲁医院"))
    with pytest.raises(InputError, match="host institution"):
        assign(heart, "E1", "C1")
    assert assignments(heart) == []


def test_assigning_unknown_ids_is_refused(heart: Workspace) -> None:
    add_expert(heart, Expert("E1", "王五", "北京协和医院"))
    with pytest.raises(NotFoundError):
        assign(heart, "E9", "C1")
    with pytest.raises(NotFoundError):
        assign(heart, "E1", "C9")


def test_assign_is_idempotent_and_audited(heart: Workspace) -> None:
    add_expert(heart, Expert("E1", "王五", "北京协和医院"))
    assign(heart, "E1", "C1")
    assign(heart, "E1", "C1")
    assert assignments(heart) == [("E1", "C1")]
    assert [(e.expert_id, e.centre_id) for e in audit.entries(heart.db,
                                                              action="assignment.add")] == [
        ("E1", "C1")]


def test_declaring_a_conflict_removes_an_unscored_assignment(heart: Workspace) -> None:
    add_expert(heart, Expert("E1", "王五", "北京协和医院"))
    assign(heart, "E1", "C1")

    conflict = declare_conflict(heart, "E1", "C1", "与中心主任合作承担项目")

    assert conflict == Conflict("E1", "C1", ConflictKind.DECLARED, "与中心主任合作承担项目")
    assert assignments(heart) == []
    [removed] = audit.entries(heart.db, action="assignment.remove")
    assert (removed.expert_id, removed.centre_id, removed.reason) == (
        "E1", "C1", "conflict declared")
    assert audit.entries(heart.db, action="conflict.declare")[0].new == "与中心主任合作承担项目"


def test_declaring_a_conflict_needs_a_reason(heart: Workspace) -> None:
    add_expert(heart, Expert("E1", "王五", "北京协和医院"))
    with pytest.raises(InputError, match="needs a reason"):
        declare_conflict(heart, "E1", "C1", " ")
    assert expert_repo.list_conflicts(heart.db) == []


def test_a_scored_pair_can_be_neither_declared_nor_unassigned(heart: Workspace) -> None:
    add_expert(heart, Expert("E1", "王五", "北京协和医院"))
    assign(heart, "E1", "C1")
    record_score(heart, "E1", "C1", "A1", Decimal("5"))

    with pytest.raises(InputError, match="already entered scores"):
        declare_conflict(heart, "E1", "C1", "后来才想起")
    with pytest.raises(InputError, match="already entered scores"):
        unassign(heart, "E1", "C1", reason="换人")

    assert assignments(heart) == [("E1", "C1")]
    assert expert_repo.list_conflicts(heart.db) == []


def test_unassign_an_unscored_pair(heart: Workspace) -> None:
    add_expert(heart, Expert("E1", "王五", "北京协和医院"))
    assign(heart, "E1", "C1")
    unassign(heart, "E1", "C1", reason="出差")
    assert assignments(heart) == []
    assert audit.entries(heart.db, action="assignment.remove")[0].reason == "出差"


def test_unassign_needs_a_reason_like_the_dialog(heart: Workspace) -> None:
    add_expert(heart, Expert("E1", "王五", "北京协和医院"))
    assign(heart, "E1", "C1")
    for reason in ("", "   "):
        with pytest.raises(InputError, match="say why the assignment is removed"):
            unassign(heart, "E1", "C1", reason=reason)
    assert assignments(heart) == [("E1", "C1")]
    assert audit.entries(heart.db, action="assignment.remove") == []


def test_a_declared_conflict_is_withdrawn_with_its_reason_and_the_pair_can_be_assigned(
        heart: Workspace) -> None:
    add_expert(heart, Expert("E1", "王五", "北京协和医院"))
    declare_conflict(heart, "E1", "C1", "误报：与另一中心混淆")
    with pytest.raises(InputError, match="conflict of interest"):
        assign(heart, "E1", "C1")
    with pytest.raises(InputError, match="say why the conflict of interest is withdrawn"):
        withdraw_conflict(heart, "E1", "C1", " ")
    assert len(expert_repo.list_conflicts(heart.db)) == 1

    withdrawn = withdraw_conflict(heart, "E1", "C1", "登记错误")

    assert withdrawn.reason == "误报：与另一中心混淆"
    assert expert_repo.list_conflicts(heart.db) == []
    entry = audit.entries(heart.db, action="conflict.withdraw")[0]
    assert (entry.expert_id, entry.centre_id, entry.old, entry.reason) == (
        "E1", "C1", "误报：与另一中心混淆", "登记错误")
    assert assignments(heart) == []          # not assigned again by itself
    assign(heart, "E1", "C1")
    assert assignments(heart) == [("E1", "C1")]


def test_a_detected_conflict_cannot_be_withdrawn_and_a_missing_one_is_named(
        heart: Workspace) -> None:
    add_expert(heart, Expert("E1", "王五", "山东大学齐鲁医院"))   # C1's host: detected
    add_expert(heart, Expert("E2", "赵六", "北京协和医院"))
    with pytest.raises(InputError, match="detected from their institutions"):
        withdraw_conflict(heart, "E1", "C1", "不认可")
    with pytest.raises(InputError, match="expert E2 has no declared conflict of interest "
                                         "with centre C1"):
        withdraw_conflict(heart, "E2", "C1", "不认可")
    with pytest.raises(NotFoundError):
        withdraw_conflict(heart, "E9", "C1", "不认可")
    assert [(c.expert_id, c.kind) for c in expert_repo.list_conflicts(heart.db)] == [
        ("E1", ConflictKind.AUTO)]
    assert audit.entries(heart.db, action="conflict.withdraw") == []


def test_a_conflict_detected_later_removes_an_unscored_assignment(heart: Workspace) -> None:
    add_expert(heart, Expert("E1", "王五", "济南市中心医院"))
    assign(heart, "E1", "C1")
    old = centre_repo.get_centre(heart.db, "C1")
    centre_repo.update_centre(heart.db, replace(
        old, members=old.members + (NetworkMember("济南市中心医院"),)))

    assert [c.expert_id for c in detect_conflicts(heart)] == ["E1"]
    assert assignments(heart) == []


# -- automatic assignment ---------------------------------------------------------------
def panel_of(ws: Workspace, n_centres: int, n_experts: int) -> None:
    for n in range(1, n_centres + 1):
        dossiers.add_centre(ws, centre(f"C{n}", f"医院{n}"))
    for n in range(1, n_experts + 1):
        add_expert(ws, Expert(f"E{n}", f"专家{n}", f"大学{n}"))


def loads(ws: Workspace) -> list[int]:
    return sorted(panel_counts(ws)[0].values())


def test_auto_assign_without_a_number_assigns_every_free_pair(bare_ws: Workspace) -> None:
    panel_of(bare_ws, 2, 3)
    declare_conflict(bare_ws, "E2", "C1", "亲属在该中心工作")

    result = auto_assign(bare_ws)

    assert result == {"C1": ["E1", "E3"], "C2": ["E1", "E2", "E3"]}
    assert len(audit.entries(bare_ws.db, action="assignment.add")) == 5


@pytest.mark.parametrize(("n_centres", "n_experts", "per_centre"),
                         [(5, 4, 2), (7, 5, 3), (3, 9, 2), (6, 6, 5)])
def test_auto_assign_balances_the_load(bare_ws: Workspace, n_centres: int, n_experts: int,
                                       per_centre: int) -> None:
    panel_of(bare_ws, n_centres, n_experts)

    result = auto_assign(bare_ws, per_centre)

    assert all(len(experts) == per_centre for experts in result.values())
    assert max(loads(bare_ws)) - min(loads(bare_ws)) <= 1
    assert panel_counts(bare_ws)[1] == dict.fromkeys(result, per_centre)


def test_auto_assign_never_assigns_a_conflicted_pair(bare_ws: Workspace) -> None:
    panel_of(bare_ws, 4, 4)
    # E1 works at C1's host, E2 at a member of C2; E3 declared a conflict with C3
    old = centre_repo.get_centre(bare_ws.db, "C2")
    centre_repo.update_centre(bare_ws.db, replace(
        old, members=(NetworkMember("大学2", MemberRole.CORE),)))
    expert_repo.update_expert(bare_ws.db, Expert("E1", "专家1", "医院1"))
    detect_conflicts(bare_ws)
    declare_conflict(bare_ws, "E3", "C3", "曾任该中心顾问")
    conflicted = {(c.expert_id, c.centre_id) for c in expert_repo.list_conflicts(bare_ws.db)}
    assert conflicted == {("E1", "C1"), ("E2", "C2"), ("E3", "C3")}

    result = auto_assign(bare_ws, 3)

    pairs = set(assignments(bare_ws))
    assert not pairs & conflicted
    assert all(len(experts) == 3 for experts in result.values())
    assert max(loads(bare_ws)) - min(loads(bare_ws)) <= 1


def test_auto_assign_tops_up_and_reports_a_centre_it_cannot_fill(bare_ws: Workspace) -> None:
    panel_of(bare_ws, 2, 3)
    assign(bare_ws, "E3", "C2")
    for expert in ("E1", "E2"):
        declare_conflict(bare_ws, expert, "C1", "同一课题组")

    result = auto_assign(bare_ws, 2)

    assert result == {"C1": ["E3"], "C2": ["E1", "E3"]}
    assert panel_counts(bare_ws) == ({"E1": 1, "E2": 0, "E3": 2}, {"C1": 1, "C2": 2})
    # running it again finds nothing more to do
    before = len(audit.entries(bare_ws.db))
    assert auto_assign(bare_ws, 2) == result
    assert len(audit.entries(bare_ws.db)) == before


def test_auto_assign_is_deterministic(bare_ws: Workspace) -> None:
    panel_of(bare_ws, 3, 4)
    assert auto_assign(bare_ws, 2) == {"C1": ["E1", "E2"], "C2": ["E3", "E4"],
                                       "C3": ["E1", "E2"]}


def test_auto_assign_refuses_a_negative_number(bare_ws: Workspace) -> None:
    with pytest.raises(InputError):
        auto_assign(bare_ws, -1)


def test_panel_counts_include_experts_and_centres_without_assignments(
        bare_ws: Workspace) -> None:
    panel_of(bare_ws, 2, 2)
    assign(bare_ws, "E1", "C2")
    assert panel_counts(bare_ws) == ({"E1": 1, "E2": 0}, {"C1": 0, "C2": 1})


def test_every_pair_is_checked(bare_ws: Workspace) -> None:
    """Small exhaustive check: whatever the conflicts, auto_assign keeps clear of them."""
    panel_of(bare_ws, 3, 3)
    pairs = [(f"E{e}", f"C{c}") for e, c in itertools.product(range(1, 4), range(1, 4))]
    for expert, centre_id in pairs[::2]:
        declare_conflict(bare_ws, expert, centre_id, "测试")
    auto_assign(bare_ws)
    assert set(assignments(bare_ws)) == set(pairs[1::2])
