"""The consolidated result of a batch: the files a committee keeps and re-checks.

``results.json`` is exactly what ``cmrc grade`` prints, and ``scores.csv``,
``scheme.toml`` (the stored text, byte for byte), ``metrics.csv`` and ``vetoes.csv`` are
its inputs, so anyone can reproduce the result with ``cmrc grade``. The method comparison
goes to ``sensitivity.json`` (it is not a GRADING.md flag). The workbook and the signed
PDF are for people.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from cmrc_desktop.domain.numbers import fmt, plain
from cmrc_desktop.domain.scheme import METHODS
from cmrc_desktop.exchange.atomic_file import write_bytes_atomic
from cmrc_desktop.exchange.report_data import METHOD_SENSITIVE, MergeRow, MethodFigure, ReportData
from cmrc_desktop.i18n import _
from cmrc_desktop.scoring.csv_inputs import METRICS_HEADER, VETOES_HEADER, write_scores_csv
from cmrc_desktop.scoring.grading import GradingInput, GradingResult, grade, result_to_json
from cmrc_desktop.services import keyring
from cmrc_desktop.services.results import workspace_grading_input
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.storage import audit, centre_repo, expert_repo, merge_repo, review_repo


def sensitivity(ws: Workspace, data: GradingInput | None = None
                ) -> tuple[dict[str, dict[str, MethodFigure]], frozenset[str]]:
    """Final score and grade of every centre under each method; the centres whose grade
    differs between methods are *method-sensitive*."""
    data = data or workspace_grading_input(ws)
    decimals = ws.scheme.aggregation.decimals
    by_method = {m: grade(ws.scheme, data, method=m) for m in METHODS}
    table: dict[str, dict[str, MethodFigure]] = {}
    for method, result in by_method.items():
        for r in result.centres:
            table.setdefault(r.centre, {})[method] = MethodFigure(
                fmt(r.final, decimals) if r.final is not None else None,
                r.grade.label if r.grade else None)
    sensitive = frozenset(c for c, figures in table.items()
                          if len({f.grade for f in figures.values()}) > 1)
    return table, sensitive


def sensitivity_json(table: dict[str, dict[str, MethodFigure]], sensitive: frozenset[str],
                     scheme_id: str) -> dict:
    return {"scheme": scheme_id, "centres": [
        {"centre": c, **{m: {"final": f.final, "grade": f.grade}
                         for m, f in sorted(figures.items())},
         "method_sensitive": c in sensitive}
        for c, figures in sorted(table.items())]}


def gather(ws: Workspace) -> tuple[ReportData, GradingInput, GradingResult]:
    data = workspace_grading_input(ws)
    result = grade(ws.scheme, data)
    table, sensitive = sensitivity(ws, data)
    matrix: dict[str, dict[str, dict[str, str]]] = {}
    for (centre, expert), sheet in data.scores.items():
        matrix.setdefault(centre, {})[expert] = {i: plain(v) for i, v in sheet.items()}
    vetoes: dict[str, list[tuple[str, str]]] = {}
    for v in review_repo.list_vetoes(ws.db):
        vetoes.setdefault(v.centre_id, []).append((v.veto_id, v.reason))
    rows = tuple(MergeRow(Path(f.path).name, f.outcome, f.reason, f.expert_id, f.centre_id,
                          f.revision) for f in merge_repo.all_files(ws.db))
    report = ReportData(
        batch=ws.batch, scheme=ws.scheme,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        .replace("+00:00", "Z"),
        centres={c.id: c for c in centre_repo.list_centres(ws.db)},
        experts={e.id: e for e in expert_repo.list_experts(ws.db)},
        result=result, sensitivity=table, method_sensitive=sensitive, vetoes=vetoes,
        merge_rows=rows, matrix=matrix)
    return report, data, result


def write_report(ws: Workspace, out: str | Path, password: str) -> list[Path]:
    """Write the consolidated result into ``out``; returns the files written."""
    from cmrc_desktop.exchange.report_pdf import write_report_pdf
    from cmrc_desktop.exchange.report_xlsx import write_report_xlsx

    signer = keyring.open_batch_ca(ws, password)  # the password is checked first
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    report, data, result = gather(ws)
    written: list[Path] = []

    def put(name: str, content: bytes) -> None:
        write_bytes_atomic(out / name, content)
        written.append(out / name)

    put("results.json", (json.dumps(result_to_json(result), ensure_ascii=False, indent=2)
                         + "\n").encode("utf-8"))
    buffer = io.StringIO()
    write_scores_csv(data, buffer)
    put("scores.csv", buffer.getvalue().encode("utf-8"))
    put("scheme.toml", ws.batch.scheme_text.encode("utf-8"))
    if ws.scheme.automatic_indicators:
        put("metrics.csv", _csv(METRICS_HEADER, [
            (c, m, plain(v)) for c, values in sorted(data.metrics.items())
            for m, v in sorted(values.items())]))
    if ws.scheme.vetoes:
        put("vetoes.csv", _csv(VETOES_HEADER, [
            (c, v) for c, ids in sorted(data.vetoes.items()) for v in sorted(ids)]))
    put("sensitivity.json", (json.dumps(sensitivity_json(
        report.sensitivity, report.method_sensitive, ws.scheme.id), ensure_ascii=False,
        indent=2) + "\n").encode("utf-8"))
    stem = ws.batch.id
    xlsx_name = _("consolidated results")
    xlsx = out / f"{stem}_{xlsx_name}.xlsx"
    write_report_xlsx(xlsx, report)
    written.append(xlsx)
    pdf_name = _("result report")
    pdf = out / f"{stem}_{pdf_name}.pdf"
    write_report_pdf(pdf, report, signer)
    written.append(pdf)
    with ws.db.atomic():
        audit.append(ws.db, actor=ws.actor, action="report.write", entity="report",
                     new=str(out), extra={"files": [p.name for p in written],
                                          "method_sensitive": sorted(report.method_sensitive)})
    return written


def _csv(header: tuple[str, ...], rows: list[tuple]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


__all__ = ["METHOD_SENSITIVE", "gather", "sensitivity", "write_report"]
