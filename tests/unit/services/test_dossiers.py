"""Registering centres and their dossiers as a secretary does it: import the filled-in
template, fix it, import it again, set metrics, add and remove documents."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from cmrc_desktop.domain.errors import InputError, NotFoundError
from cmrc_desktop.domain.workspace import (
    Centre,
    ConflictKind,
    DocumentType,
    Expert,
    MemberRole,
    NetworkMember,
)
from cmrc_desktop.exchange.centres_template import (
    COLUMNS,
    FIRST_DATA_ROW,
    SHEET_CENTRES,
    TemplateProblems,
    metric_header,
    write_centres_template,
)
from cmrc_desktop.scoring.builtin import catalog
from cmrc_desktop.services import panel
from cmrc_desktop.services.dossiers import (
    ImportSummary,
    add_centre,
    add_document,
    import_centres,
    remove_document,
    set_metrics,
)
from cmrc_desktop.services.workspace import Workspace, attachment_path
from cmrc_desktop.storage import audit, centre_repo, dossier_repo, expert_repo

HEART = {
    "中心编号": "C001",
    "中心名称": "山东省心血管病临床医学研究中心",
    "中心级别": "省临床医学研究中心",
    "疾病领域": "心血管系统疾病",
    "依托单位": "山东大学齐鲁医院",
    "省份": "山东省",
    "城市": "济南市",
    "中心主任": "张三",
    "建设起始日期": "2021-03-01",
    "核心成员单位": "山东省立医院；青岛大学附属医院",
    "网络成员单位": "烟台毓璜顶医院",
    "协同创新网络成员单位数": 35,
    "授权专利数": 12,
}
CANCER = {
    "中心编号": "C002",
    "中心名称": "山东省肿瘤临床医学研究中心",
    "中心级别": "provincial",
    "疾病领域": "恶性肿瘤",
    "依托单位": "山东省肿瘤医院",
    "生物样本量（份）": 12.5,
}


def column(header: str) -> int:
    headers = [c.zh for c in COLUMNS] + [metric_header(m) for m in catalog().metrics]
    return headers.index(header) + 1


def template(tmp_path: Path, rows: list[dict[str, object]], *, name: str = "centres.xlsx",
             period: str = "2024") -> Path:
    """A template written by the program and filled in the way a secretary would."""
    path = tmp_path / name
    write_centres_template(path, catalog(), period=period)
    wb = openpyxl.load_workbook(path)
    sheet = wb[SHEET_CENTRES]
    for offset, values in enumerate(rows):
        for header, value in values.items():
            sheet.cell(FIRST_DATA_ROW + offset, column(header), value)
    wb.save(path)
    return path


def metrics(ws: Workspace, centre_id: str) -> dict[tuple[str, str], Decimal]:
    return {(m.period, m.metric): m.value for m in dossier_repo.list_metrics(ws.db, centre_id)}


def snapshot(ws: Workspace) -> tuple:
    return (centre_repo.list_centres(ws.db), dossier_repo.list_metrics(ws.db),
            expert_repo.list_conflicts(ws.db), len(audit.entries(ws.db)))


# -- importing the template -------------------------------------------------------------
def test_import_adds_centres_with_networks_metrics_and_audit_rows(bare_ws: Workspace,
                                                                 tmp_path: Path) -> None:
    summary = import_centres(bare_ws, template(tmp_path, [HEART, CANCER]))

    assert summary == ImportSummary(added=["C001", "C002"], updated=[], metrics=3,
                                    period="2024", conflicts=[])
    heart = centre_repo.get_centre(bare_ws.db, "C001")
    assert (heart.name, heart.level, heart.field, heart.host) == (
        "山东省心血管病临床医学研究中心", "provincial", "心血管系统疾病", "山东大学齐鲁医院")
    assert heart.members == (NetworkMember("山东省立医院", MemberRole.CORE),
                             NetworkMember("青岛大学附属医院", MemberRole.CORE),
                             NetworkMember("烟台毓璜顶医院", MemberRole.MEMBER))
    assert metrics(bare_ws, "C001") == {("2024", "network_members"): Decimal("35"),
                                        ("2024", "patents_granted"): Decimal("12")}
    assert metrics(bare_ws, "C002") == {("2024", "biobank_samples"): Decimal("12.5")}
    added = audit.entries(bare_ws.db, action="centre.add")
    assert [(e.centre_id, e.actor) for e in added] == [("C001", "secretary-wang"),
                                                       ("C002", "secretary-wang")]
    assert "山东大学齐鲁医院" in added[0].new and "烟台毓璜顶医院" in added[0].new
    assert len(audit.entries(bare_ws.db, action="metric.set")) == 3


def test_a_file_with_one_bad_row_imports_nothing(bare_ws: Workspace, tmp_path: Path) -> None:
    import_centres(bare_ws, template(tmp_path, [CANCER], name="first.xlsx"))
    before = snapshot(bare_ws)
    bad = {**HEART, "中心编号": "C003", "疾病领域": "心脏病"}
    path = template(tmp_path, [{**HEART, "中心名称": "改过的名称"}, bad,
                               {**CANCER, "依托单位": "另一家医院"}])

    with pytest.raises(TemplateProblems) as excinfo:
        import_centres(bare_ws, path)

    assert "row 4" in str(excinfo.value) and "心脏病" in str(excinfo.value)
    assert snapshot(bare_ws) == before


def test_reimport_updates_details_members_and_that_periods_metrics(bare_ws: Workspace,
                                                                  tmp_path: Path) -> None:
    import_centres(bare_ws, template(tmp_path, [HEART, CANCER], name="first.xlsx"))
    set_metrics(bare_ws, "C001", "2023", {"patents_granted": Decimal("7")})
    fixed = {**HEART, "中心主任": "李四", "核心成员单位": "山东省立医院",
             "协同创新网络成员单位数": 40, "授权专利数": None}
    before = len(audit.entries(bare_ws.db))

    summary = import_centres(bare_ws, template(tmp_path, [fixed, CANCER], name="second.xlsx"))

    assert (summary.added, summary.updated) == ([], ["C001", "C002"])
    heart = centre_repo.get_centre(bare_ws.db, "C001")
    assert heart.director == "李四"
    assert heart.members == (NetworkMember("山东省立医院", MemberRole.CORE),
                             NetworkMember("烟台毓璜顶医院", MemberRole.MEMBER))
    # the 2024 values are the file's (a blank cell removes the old one); 2023 is untouched
    assert metrics(bare_ws, "C001") == {("2024", "network_members"): Decimal("40"),
                                        ("2023", "patents_granted"): Decimal("7")}
    new_rows = audit.entries(bare_ws.db)[before:]
    [update] = [e for e in new_rows if e.action == "centre.update"]
    assert update.centre_id == "C001"
    assert "张三" in update.old and "李四" in update.new
    assert "青岛大学附属医院" in update.old and "青岛大学附属医院" not in update.new
    changes = sorted((e.entity, e.old, e.new) for e in new_rows if e.action == "metric.set")
    assert changes == [("metric:network_members", "35", "40"),
                       ("metric:patents_granted", "12", None)]
    # the unchanged centre wrote nothing
    assert not [e for e in new_rows if e.centre_id == "C002"]


def test_period_given_on_import_overrides_the_file(bare_ws: Workspace, tmp_path: Path) -> None:
    summary = import_centres(bare_ws, template(tmp_path, [CANCER]), period="2025H1")
    assert summary.period == "2025H1"
    assert metrics(bare_ws, "C002") == {("2025H1", "biobank_samples"): Decimal("12.5")}


def test_import_detects_conflicts_of_experts_already_on_the_panel(bare_ws: Workspace,
                                                                  tmp_path: Path) -> None:
    panel.add_expert(bare_ws, Expert("E1", "王五", "山东大学 齐鲁医院"))
    panel.add_expert(bare_ws, Expert("E2", "赵六", "青岛大学附属医院（本部）"))
    panel.add_expert(bare_ws, Expert("E3", "钱七", "北京协和医院"))
    row = {**HEART, "核心成员单位": "青岛大学附属医院(本部)"}

    summary = import_centres(bare_ws, template(tmp_path, [row, CANCER]))

    assert sorted((c.expert_id, c.centre_id, c.reason) for c in summary.conflicts) == [
        ("E1", "C001", "The expert's institution is the centre's host institution"),
        ("E2", "C001",
         "The expert's institution is a network member of the centre (core member)"),
    ]
    assert expert_repo.list_conflicts(bare_ws.db) == summary.conflicts


def test_import_refuses_an_unreadable_file_without_writing(bare_ws: Workspace,
                                                           tmp_path: Path) -> None:
    before = snapshot(bare_ws)
    with pytest.raises(InputError):
        import_centres(bare_ws, tmp_path / "missing.xlsx")
    assert snapshot(bare_ws) == before


# -- one centre -------------------------------------------------------------------------
def centre(ident: str = "C001", **changes: object) -> Centre:
    fields = dict(id=ident, name="山东省呼吸病临床医学研究中心", level="provincial",
                  field="呼吸系统疾病", host="山东省立医院",
                  members=(NetworkMember("济南市中心医院", MemberRole.CORE),))
    fields.update(changes)
    return Centre(**fields)  # type: ignore[arg-type]


def test_add_centre_is_audited_and_detects_conflicts(bare_ws: Workspace) -> None:
    panel.add_expert(bare_ws, Expert("E1", "王五", "济南市中心医院"))

    conflicts = add_centre(bare_ws, centre())

    assert centre_repo.get_centre(bare_ws.db, "C001") == centre()
    assert [(c.expert_id, c.kind) for c in conflicts] == [("E1", ConflictKind.AUTO)]
    assert [e.centre_id for e in audit.entries(bare_ws.db, action="centre.add")] == ["C001"]


@pytest.mark.parametrize(("changes", "says"), [
    ({"id": "C 1"}, "not a valid centre id"),
    ({"host": " "}, "host institution must not be empty"),
    ({"level": "county"}, "unknown level 'county'"),
    ({"field": "心脏病"}, "not a disease field"),
])
def test_add_centre_refuses_bad_details(bare_ws: Workspace, changes: dict, says: str) -> None:
    with pytest.raises(InputError, match=says):
        add_centre(bare_ws, centre(**changes))
    assert centre_repo.list_centres(bare_ws.db) == []


def test_add_centre_refuses_a_duplicate_id(bare_ws: Workspace) -> None:
    add_centre(bare_ws, centre())
    audit_rows = len(audit.entries(bare_ws.db))
    with pytest.raises(InputError, match="already a centre with id 'C001'"):
        add_centre(bare_ws, centre(name="另一个中心"))
    assert centre_repo.get_centre(bare_ws.db, "C001").name == "山东省呼吸病临床医学研究中心"
    assert len(audit.entries(bare_ws.db)) == audit_rows


# -- metrics ----------------------------------------------------------------------------
def test_set_metrics_records_each_change_once(bare_ws: Workspace) -> None:
    add_centre(bare_ws, centre())
    set_metrics(bare_ws, "C001", "2024", {"patents_granted": Decimal("3"),
                                          "monographs": Decimal("1")})
    set_metrics(bare_ws, "C001", "2024", {"patents_granted": Decimal("3.0"),
                                          "monographs": Decimal("2")})

    assert metrics(bare_ws, "C001") == {("2024", "patents_granted"): Decimal("3"),
                                        ("2024", "monographs"): Decimal("2")}
    rows = [(e.entity, e.old, e.new, e.extra["period"])
            for e in audit.entries(bare_ws.db, action="metric.set")]
    assert rows == [("metric:patents_granted", None, "3", "2024"),
                    ("metric:monographs", None, "1", "2024"),
                    ("metric:monographs", "1", "2", "2024")]


@pytest.mark.parametrize(("values", "says"), [
    ({"patents_granted": Decimal("1"), "patents": Decimal("2")}, "unknown metric ids: patents"),
    ({"patents_granted": Decimal("-1")}, "not a non-negative number"),
    ({"patents_granted": Decimal("NaN")}, "not a non-negative number"),
])
def test_set_metrics_refuses_unknown_ids_and_bad_values(bare_ws: Workspace, values: dict,
                                                        says: str) -> None:
    add_centre(bare_ws, centre())
    with pytest.raises(InputError, match=says):
        set_metrics(bare_ws, "C001", "2024", values)
    assert metrics(bare_ws, "C001") == {}
    assert audit.entries(bare_ws.db, action="metric.set") == []


def test_set_metrics_of_an_unknown_centre_refused(bare_ws: Workspace) -> None:
    with pytest.raises(NotFoundError):
        set_metrics(bare_ws, "C404", "2024", {"patents_granted": Decimal("1")})


# -- documents --------------------------------------------------------------------------
def stored_files(ws: Workspace) -> list[Path]:
    return sorted(p for p in ws.attachments_dir.rglob("*") if p.is_file())


def test_the_same_file_added_twice_is_stored_once(bare_ws: Workspace, tmp_path: Path) -> None:
    add_centre(bare_ws, centre())
    report = tmp_path / "2024年度报告.pdf"
    report.write_bytes(b"%PDF-1.7 annual report")
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(report.read_bytes())

    first = add_document(bare_ws, "C001", DocumentType.ANNUAL_REPORT, report)
    second = add_document(bare_ws, "C001", "self_evaluation", copy, title="自评报告")

    assert (first.title, first.filename, first.doc_type) == (
        "2024年度报告", "2024年度报告.pdf", DocumentType.ANNUAL_REPORT)
    assert first.sha256 == second.sha256 and first.id != second.id
    assert stored_files(bare_ws) == [attachment_path(bare_ws, first.sha256)]
    assert attachment_path(bare_ws, first.sha256).read_bytes() == b"%PDF-1.7 annual report"
    assert [d.title for d in dossier_repo.list_documents(bare_ws.db, "C001")] == [
        "2024年度报告", "自评报告"]
    assert [e.entity for e in audit.entries(bare_ws.db, action="document.add")] == [
        f"document:{first.id}", f"document:{second.id}"]


def test_a_missing_file_is_refused_by_name(bare_ws: Workspace, tmp_path: Path) -> None:
    add_centre(bare_ws, centre())
    with pytest.raises(InputError) as excinfo:
        add_document(bare_ws, "C001", "application", tmp_path / "申报书.pdf")
    assert "申报书.pdf" in str(excinfo.value)
    assert dossier_repo.list_documents(bare_ws.db, "C001") == []


def test_an_unknown_document_type_lists_the_allowed_ones(bare_ws: Workspace,
                                                         tmp_path: Path) -> None:
    add_centre(bare_ws, centre())
    path = tmp_path / "x.pdf"
    path.write_bytes(b"x")
    with pytest.raises(InputError) as excinfo:
        add_document(bare_ws, "C001", "minutes", path)
    assert "minutes" in str(excinfo.value)
    for kind in DocumentType:
        assert str(kind) in str(excinfo.value)
    assert stored_files(bare_ws) == []


def test_remove_document_is_soft_and_audited(bare_ws: Workspace, tmp_path: Path) -> None:
    add_centre(bare_ws, centre())
    path = tmp_path / "plan.docx"
    path.write_bytes(b"plan")
    document = add_document(bare_ws, "C001", "construction_plan", path)

    with pytest.raises(InputError, match="needs a reason"):
        remove_document(bare_ws, document.id, reason="  ")
    removed = remove_document(bare_ws, document.id, reason="上传错了文件")

    assert removed.removed_at is not None
    assert dossier_repo.list_documents(bare_ws.db, "C001") == []
    assert dossier_repo.list_documents(bare_ws.db, "C001", include_removed=True) == [removed]
    assert attachment_path(bare_ws, document.sha256).exists()
    [entry] = audit.entries(bare_ws.db, action="document.remove")
    assert (entry.entity, entry.centre_id, entry.reason) == (
        f"document:{document.id}", "C001", "上传错了文件")
    # removing it again changes nothing
    assert remove_document(bare_ws, document.id, reason="again") == removed
    assert len(audit.entries(bare_ws.db, action="document.remove")) == 1
