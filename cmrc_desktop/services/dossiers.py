"""Registering centres and what they submit: details, networks, reported metrics, documents.

Each use case checks its input first, then makes its changes and their audit rows in one
``with ws.db.atomic():``, so a refusal or a crash leaves all of them or none. Centres
change who may score them (an expert working at the host or a network member is in
conflict), so every use case that writes a centre re-detects the automatic conflicts in
the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cmrc_desktop.domain.catalog import Catalog
from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.domain.workspace import Centre, Conflict, Document, DocumentType, MetricValue
from cmrc_desktop.exchange.centres_template import ID_PATTERN, read_centres_template
from cmrc_desktop.i18n import _
from cmrc_desktop.scoring.builtin import catalog
from cmrc_desktop.services import panel, status
from cmrc_desktop.services.workspace import Workspace, store_attachment
from cmrc_desktop.storage import Database, audit, centre_repo, dossier_repo

_CENTRE_FIELDS = ("name", "level", "field", "sub_field", "host", "province", "city",
                  "director", "start_date")


@dataclass
class ImportSummary:
    """What ``import_centres`` did: centre ids added and updated (both in file order), the
    number of metric values read, their period, and the conflicts newly detected."""

    added: list[str]
    updated: list[str]
    metrics: int
    period: str | None
    conflicts: list[Conflict]


# -- centres ----------------------------------------------------------------------------
def import_centres(ws: Workspace, path: str | Path, *,
                   period: str | None = None) -> ImportSummary:
    """Import a filled-in centres template, all or nothing.

    A file with any bad cell raises ``TemplateProblems`` (listing all of them) and the
    workspace is left untouched. A centre whose id is already in the workspace is
    updated: its details and network members are replaced by the file's, and so are its
    metric values of the file's period (a blank cell removes an old value). ``period``
    overrides the period written in the file.
    """
    data = read_centres_template(path, catalog(), period=period)
    period_text = data.period or None
    values: dict[str, dict[str, Decimal]] = {}
    for value in data.metrics:
        values.setdefault(value.centre_id, {})[value.metric] = value.value
    added: list[str] = []
    updated: list[str] = []
    db = ws.db
    with db.atomic():
        for centre in data.centres:
            old = centre_repo.find_centre(db, centre.id)
            if old is None:
                _insert_centre(ws, centre)
                added.append(centre.id)
            else:
                _update_centre(ws, old, centre)
                updated.append(centre.id)
            if period_text is not None:
                _replace_metrics(ws, centre.id, period_text, values.get(centre.id, {}))
        conflicts = panel.detect_conflicts(ws)
    return ImportSummary(added=added, updated=updated, metrics=len(data.metrics),
                         period=period_text, conflicts=conflicts)


def add_centre(ws: Workspace, centre: Centre) -> list[Conflict]:
    """Register one centre; returns the conflicts of interest this detected."""
    _check_centre(centre, catalog())
    db = ws.db
    with db.atomic():
        if centre_repo.find_centre(db, centre.id) is not None:
            raise InputError(_("there is already a centre with id '{id}'").format(id=centre.id),
                             field="id")
        _insert_centre(ws, centre)
        return panel.detect_conflicts(ws)


def set_metrics(ws: Workspace, centre_id: str, period: str,
                values: Mapping[str, Decimal]) -> None:
    """Set reported metric values of one centre for ``period``; others are left as they are.

    Every metric id must be one of the catalogue's and every value a non-negative
    Decimal; one bad entry refuses them all.
    """
    period = (period or "").strip()
    if not period:
        raise InputError(_("the period of the metric values must not be empty"),
                         field="period")
    checked = _check_metrics(values, catalog())
    db = ws.db
    with db.atomic():
        centre_repo.get_centre(db, centre_id)
        current = _metrics_of(db, centre_id, period)
        for metric, value in checked.items():
            old = current.get(metric)
            if old is not None and old == value:
                continue
            dossier_repo.set_metric(db, centre_id, period, metric, value)
            _audit_metric(ws, centre_id, period, metric, old, value)


def clear_metrics(ws: Workspace, centre_id: str, period: str,
                  metric_ids: Iterable[str]) -> list[str]:
    """Remove reported values of one centre for ``period`` (a value taken back: "not
    reported" again); returns the metric ids that had a value. Audited like ``set_metrics``."""
    period = (period or "").strip()
    if not period:
        raise InputError(_("the period of the metric values must not be empty"),
                         field="period")
    wanted = list(dict.fromkeys(metric_ids))
    _check_metrics({m: Decimal(0) for m in wanted}, catalog())
    cleared: list[str] = []
    db = ws.db
    with db.atomic():
        centre_repo.get_centre(db, centre_id)
        current = _metrics_of(db, centre_id, period)
        for metric in wanted:
            if metric in current:
                dossier_repo.delete_metric(db, centre_id, period, metric)
                _audit_metric(ws, centre_id, period, metric, current[metric], None)
                cleared.append(metric)
    return cleared


def update_metrics(ws: Workspace, centre_id: str, period: str,
                   values: Mapping[str, Decimal | None]) -> None:
    """What the window's metrics table saves: values to set, and None for values taken
    back, all in one transaction (one bad value refuses them all)."""
    with ws.db.atomic():
        given = {m: v for m, v in values.items() if v is not None}
        if given:
            set_metrics(ws, centre_id, period, given)
        taken_back = [m for m, v in values.items() if v is None]
        if taken_back:
            clear_metrics(ws, centre_id, period, taken_back)


def metric_periods(ws: Workspace, centre_id: str) -> list[str]:
    """The periods one centre reported metrics for, the latest first."""
    periods = {v.period for v in dossier_repo.list_metrics(ws.db, centre_id)}
    return sorted(periods, reverse=True)


def default_period(ws: Workspace) -> str:
    """The period to show and to write in a new template: the latest period any centre
    reported for, else the year before the batch's (a 2026 evaluation reads 2025)."""
    periods = {v.period for v in dossier_repo.list_metrics(ws.db)}
    return max(periods) if periods else str(ws.batch.year - 1)


def metrics_of(ws: Workspace, centre_id: str, period: str) -> dict[str, Decimal]:
    """One centre's reported values for ``period``, by metric id."""
    return _metrics_of(ws.db, centre_id, period)


# -- the secretary's overview -----------------------------------------------------------
# Where the sheets of a centre stand, from what the merge received (``status.completeness``):
UNASSIGNED = "unassigned"   # no expert is assigned
AWAITING = "awaiting"       # experts assigned, no sheet received
PARTIAL = "partial"         # some of the assigned experts' sheets received
COMPLETE = "complete"       # every assigned expert's sheet received
DISAGREEING = "conflict"    # two sheets of one expert and revision disagree: to resolve
SHEET_STATUSES = (UNASSIGNED, AWAITING, PARTIAL, COMPLETE, DISAGREEING)


@dataclass(frozen=True)
class CentreOverview:
    """One row of the secretary's centres table."""

    centre: Centre
    experts: int          # assigned
    documents: int        # dossier documents on file (removed ones not counted)
    received: int         # assigned experts whose sheet was received
    disagreeing: int      # assigned experts with sheets in conflict

    @property
    def sheets(self) -> str:
        """One of ``SHEET_STATUSES``."""
        if self.disagreeing:
            return DISAGREEING
        if not self.experts:
            return UNASSIGNED
        if not self.received:
            return AWAITING
        return COMPLETE if self.received >= self.experts else PARTIAL


def centre_overview(ws: Workspace) -> list[CentreOverview]:
    """Every centre of the batch with its experts, documents and received sheets, by id.

    A few queries for the whole batch (150 centres × 30 experts in well under 0.1 s), so
    the window can sort and filter every centre without reading one at a time.
    """
    db = ws.db
    sheets = status.completeness(ws)
    rows = []
    for centre in centre_repo.list_centres(db):
        states = [s.state for s in sheets.get(centre.id, [])]
        rows.append(CentreOverview(
            centre=centre, experts=len(states),
            documents=len(dossier_repo.list_documents(db, centre.id)),
            received=sum(1 for s in states if s == status.RECEIVED),
            disagreeing=sum(1 for s in states if s == status.CONFLICT)))
    return rows


# -- documents --------------------------------------------------------------------------
def add_document(ws: Workspace, centre_id: str, doc_type: DocumentType | str,
                 path: str | Path, *, title: str | None = None) -> Document:
    """Store a dossier file in the workspace (by content hash) and list it under the centre.

    The same file added twice is stored once; each addition is still its own document.
    """
    try:
        kind = DocumentType(doc_type)
    except ValueError:
        allowed = ", ".join(str(t) for t in DocumentType)
        raise InputError(_("unknown document type '{value}' (allowed: {allowed})").format(
            value=doc_type, allowed=allowed), field="doc_type") from None
    path = Path(path)
    centre_repo.get_centre(ws.db, centre_id)  # refuse before copying anything
    sha256, size = store_attachment(ws, path)  # refuses what is not an ordinary file
    title = (title or "").strip() or path.stem
    db = ws.db
    with db.atomic():
        centre_repo.get_centre(db, centre_id)
        document = dossier_repo.add_document(db, centre_id=centre_id, doc_type=kind,
                                             title=title, filename=path.name, sha256=sha256,
                                             size=size)
        audit.append(db, actor=ws.actor, action="document.add",
                     entity=f"document:{document.id}", centre_id=centre_id, new=title,
                     extra={"doc_type": str(kind), "filename": path.name, "sha256": sha256,
                            "size": size})
    return document


def remove_document(ws: Workspace, document_id: int, *, reason: str) -> Document:
    """Take a document off a centre's dossier; the row and the stored file stay (soft
    delete), so the audit log and packages made earlier still resolve it. Removing a
    removed document again changes nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError(_("removing a document needs a reason"), field="reason")
    db = ws.db
    with db.atomic():
        old = dossier_repo.get_document(db, document_id)
        if old.removed_at is not None:
            return old
        document = dossier_repo.remove_document(db, document_id)
        audit.append(db, actor=ws.actor, action="document.remove",
                     entity=f"document:{document_id}", centre_id=document.centre_id,
                     old=document.title, reason=reason,
                     extra={"doc_type": str(document.doc_type), "filename": document.filename,
                            "sha256": document.sha256})
    return document


# -- helpers ----------------------------------------------------------------------------
def _check_centre(centre: Centre, cat: Catalog) -> None:
    if not ID_PATTERN.match(centre.id or ""):
        raise InputError(_("'{value}' is not a valid centre id (1–32 letters, digits, '_' or "
                           "'-', e.g. C001)").format(value=centre.id), field="id")
    if not (centre.name or "").strip():
        raise InputError(_("centre {id}: the centre name must not be empty").format(
            id=centre.id), field="name")
    if not (centre.host or "").strip():
        raise InputError(_("centre {id}: the host institution must not be empty").format(
            id=centre.id), field="host")
    if centre.level not in {lv.id for lv in cat.levels}:
        allowed = ", ".join(lv.id for lv in cat.levels)
        raise InputError(_("centre {id}: unknown level '{value}' (allowed: {allowed})").format(
            id=centre.id, value=centre.level, allowed=allowed), field="level")
    if cat.field(centre.field) is None:
        raise InputError(_("centre {id}: '{value}' is not a disease field of the catalogue")
                         .format(id=centre.id, value=centre.field), field="field")
    seen: set[str] = set()
    for member in centre.members:
        if not member.institution.strip():
            raise InputError(_("centre {id}: a network member has no institution name")
                             .format(id=centre.id), field="members")
        if member.institution in seen:
            raise InputError(_("centre {id}: the network member {name} is listed twice")
                             .format(id=centre.id, name=member.institution), field="members")
        seen.add(member.institution)


def _check_metrics(values: Mapping[str, Decimal], cat: Catalog) -> dict[str, Decimal]:
    known = set(cat.metric_ids)
    unknown = [m for m in values if m not in known]
    if unknown:
        raise InputError(_("unknown metric ids: {ids} (the catalogue's metrics are: "
                           "{allowed})").format(ids=", ".join(unknown),
                                                allowed=", ".join(cat.metric_ids)),
                         field=unknown[0])
    checked: dict[str, Decimal] = {}
    for metric, value in values.items():
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if not isinstance(value, Decimal):
            raise TypeError(f"a metric value must be a Decimal, not {type(value).__name__}")
        if not value.is_finite() or value < 0:
            raise InputError(_("metric {metric}: {value} is not a non-negative number").format(
                metric=metric, value=value), field=metric)
        checked[metric] = value
    return checked


def _insert_centre(ws: Workspace, centre: Centre) -> None:
    centre_repo.insert_centre(ws.db, centre)
    audit.append(ws.db, actor=ws.actor, action="centre.add", entity=f"centre:{centre.id}",
                 centre_id=centre.id, new=_json({k: v for k, v in _centre_dict(centre).items()
                                                 if v}))


def _update_centre(ws: Workspace, old: Centre, new: Centre) -> None:
    """Replace the centre's details and members; an unchanged centre writes nothing."""
    before, after = _centre_dict(old), _centre_dict(new)
    changed = [k for k in after if before[k] != after[k]]
    if not changed:
        return
    centre_repo.update_centre(ws.db, new)
    audit.append(ws.db, actor=ws.actor, action="centre.update", entity=f"centre:{new.id}",
                 centre_id=new.id, old=_json({k: before[k] for k in changed}),
                 new=_json({k: after[k] for k in changed}))


def _replace_metrics(ws: Workspace, centre_id: str, period: str,
                     values: dict[str, Decimal]) -> None:
    current = _metrics_of(ws.db, centre_id, period)
    for metric, old in current.items():
        if metric not in values:
            dossier_repo.delete_metric(ws.db, centre_id, period, metric)
            _audit_metric(ws, centre_id, period, metric, old, None)
    for metric, value in values.items():
        old = current.get(metric)
        if old is not None and old == value:
            continue
        dossier_repo.set_metric(ws.db, centre_id, period, metric, value)
        _audit_metric(ws, centre_id, period, metric, old, value)


def _metrics_of(db: Database, centre_id: str, period: str) -> dict[str, Decimal]:
    values: list[MetricValue] = dossier_repo.list_metrics(db, centre_id)
    return {v.metric: v.value for v in values if v.period == period}


def _audit_metric(ws: Workspace, centre_id: str, period: str, metric: str,
                  old: Decimal | None, new: Decimal | None) -> None:
    audit.append(ws.db, actor=ws.actor, action="metric.set", entity=f"metric:{metric}",
                 centre_id=centre_id, old=None if old is None else plain(old),
                 new=None if new is None else plain(new), extra={"period": period})


def _centre_dict(centre: Centre) -> dict[str, Any]:
    data: dict[str, Any] = {k: getattr(centre, k) for k in _CENTRE_FIELDS}
    data["members"] = [[m.institution, str(m.role)] for m in centre.members]
    return data


def _json(values: dict[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
