"""What a workspace holds: the batch, centres and their dossiers, experts, conflicts,
assignments, sheets, scores, opinions, vetoes, formal-review checks and the audit log.

Scores and metric values are ``Decimal`` (stored as TEXT so SQLite never turns 8.50 into
a binary float).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from cmrc_desktop.i18n import pick


class Role(StrEnum):
    SECRETARY = "secretary"
    EXPERT = "expert"


class BatchKind(StrEnum):
    PERFORMANCE = "performance"   # 绩效评估
    APPLICATION = "application"   # 申报评审


class Stage(StrEnum):
    DOSSIER_REVIEW = "dossier_review"          # 材料评估
    ON_SITE = "on_site"                        # 现场考核
    OVERALL = "overall"                        # 综合评价


STAGE_NAMES = {
    Stage.DOSSIER_REVIEW: ("材料评估", "Dossier review"),
    Stage.ON_SITE: ("现场考核", "On-site inspection"),
    Stage.OVERALL: ("综合评价", "Overall evaluation"),
}

KIND_NAMES = {
    BatchKind.PERFORMANCE: ("绩效评估", "Performance evaluation"),
    BatchKind.APPLICATION: ("申报评审", "Application review"),
}


class DocumentType(StrEnum):
    APPLICATION = "application"              # 申报书
    CONSTRUCTION_PLAN = "construction_plan"  # 建设实施方案
    ANNUAL_REPORT = "annual_report"          # 年度报告
    TASK_AGREEMENT = "task_agreement"        # 任务书
    SELF_EVALUATION = "self_evaluation"      # 自评报告
    OTHER = "other"                          # 其他


DOCUMENT_TYPE_NAMES = {
    DocumentType.APPLICATION: ("申报书", "Application"),
    DocumentType.CONSTRUCTION_PLAN: ("建设实施方案", "Construction plan"),
    DocumentType.ANNUAL_REPORT: ("年度报告", "Annual report"),
    DocumentType.TASK_AGREEMENT: ("任务书", "Task agreement"),
    DocumentType.SELF_EVALUATION: ("自评报告", "Self-evaluation"),
    DocumentType.OTHER: ("其他", "Other"),
}


class SheetState(StrEnum):
    DRAFT = "draft"
    FINAL = "final"
    SIGNED = "signed"


class ConflictKind(StrEnum):
    AUTO = "auto"          # detected: expert's institution is the host or a network member
    DECLARED = "declared"  # declared by the expert or recorded by the secretary


class MemberRole(StrEnum):
    CORE = "core"            # 核心成员单位
    MEMBER = "member"        # 网络成员单位
    PROMOTION = "promotion"  # 推广网络成员单位


SHEET_STATE_NAMES = {
    SheetState.DRAFT: ("草稿", "Draft"),
    SheetState.FINAL: ("已定稿", "Finalised"),
    SheetState.SIGNED: ("已签名", "Signed"),
}

_OTHER_NAMES = {ConflictKind.AUTO: ("自动识别", "Detected"),
                ConflictKind.DECLARED: ("主动申报", "Declared"),
                MemberRole.CORE: ("核心成员单位", "Core member"),
                MemberRole.MEMBER: ("网络成员单位", "Network member"),
                MemberRole.PROMOTION: ("推广网络成员单位", "Promotion-network member"),
                Role.SECRETARY: ("评审秘书", "Secretary"),
                Role.EXPERT: ("评审专家", "Expert")}
# keyed by (enum, value): BatchKind.APPLICATION and DocumentType.APPLICATION are both
# "application", and a StrEnum member hashes as its value
_NAMES: dict = {(type(k), k): v for names in (STAGE_NAMES, KIND_NAMES, DOCUMENT_TYPE_NAMES,
                                              SHEET_STATE_NAMES, _OTHER_NAMES)
                for k, v in names.items()}


def label(value: StrEnum) -> str:
    """The name of a state, kind, stage or type in the language of the moment."""
    names = _NAMES.get((type(value), value))
    if names is None:       # a plain string: the first enum with that value
        names = next((v for (_enum, k), v in _NAMES.items() if k == value), None)
    if names is None:
        raise KeyError(value)
    zh, en = names
    return pick(zh, en)


@dataclass(frozen=True)
class Batch:
    id: str
    name: str
    year: int
    kind: BatchKind
    stage: Stage
    scheme_id: str
    scheme_text: str
    scheme_sha256: str
    role: Role
    created_at: str
    ca_cert_pem: str = ""          # the batch CA certificate (PEM), once keys exist
    owner_expert_id: str = ""      # in an expert workspace: whose it is


@dataclass(frozen=True)
class NetworkMember:
    institution: str
    role: MemberRole = MemberRole.MEMBER


@dataclass(frozen=True)
class Centre:
    id: str
    name: str
    level: str                 # catalog level id
    field: str                 # catalog field name (Chinese)
    host: str
    sub_field: str = ""
    province: str = ""
    city: str = ""
    director: str = ""
    start_date: str = ""       # ISO date, construction start
    members: tuple[NetworkMember, ...] = ()


@dataclass(frozen=True)
class Document:
    id: int
    centre_id: str
    doc_type: DocumentType
    title: str
    filename: str
    sha256: str
    size: int
    added_at: str
    removed_at: str | None = None


@dataclass(frozen=True)
class MetricValue:
    centre_id: str
    period: str
    metric: str
    value: Decimal


@dataclass(frozen=True)
class Expert:
    id: str
    name: str
    institution: str
    title: str = ""
    specialty: str = ""


@dataclass(frozen=True)
class Conflict:
    expert_id: str
    centre_id: str
    kind: ConflictKind
    reason: str


@dataclass(frozen=True)
class Score:
    expert_id: str
    centre_id: str
    indicator: str
    value: Decimal | None
    comment: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class Sheet:
    expert_id: str
    centre_id: str
    state: SheetState = SheetState.DRAFT
    revision: int = 1
    updated_at: str = ""


@dataclass(frozen=True)
class SignedSheet:
    """A signature over one revision of a sheet; ``voided_at`` once edited again."""

    expert_id: str
    centre_id: str
    revision: int
    payload: bytes
    signature: bytes
    signed_at: str
    signature_png: bytes | None = None
    voided_at: str | None = None


@dataclass(frozen=True)
class Opinion:
    expert_id: str
    centre_id: str
    achievements: str = ""      # 主要成绩
    problems: str = ""          # 存在问题
    recommendations: str = ""   # 建议


@dataclass(frozen=True)
class VetoRecord:
    centre_id: str
    veto_id: str
    reason: str
    actor: str
    at: str


@dataclass(frozen=True)
class CheckResult:
    centre_id: str
    check_id: str
    passed: bool | None
    automatic: bool
    note: str = ""
    actor: str = ""
    at: str = ""


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    entity: str
    centre_id: str | None = None
    expert_id: str | None = None
    old: str | None = None
    new: str | None = None
    reason: str = ""
    extra: dict = field(default_factory=dict)
