"""The consolidated result of a batch: the files a committee keeps and re-checks.

``results.json`` is exactly what ``cmrc grade`` prints, and ``scores.csv``,
``scheme.toml`` (the stored text, byte for byte), ``metrics.csv`` and ``vetoes.csv`` are
its inputs, so anyone can reproduce the result with ``cmrc grade``. The method comparison
goes to ``sensitivity.json`` (it is not a GRADING.md flag). The workbook and the signed
PDF are for people.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from cmrc_desktop.domain.numbers import fmt, plain
from cmrc_desktop.domain.scheme import Scheme
from cmrc_desktop.exchange.atomic_file import write_bytes_atomic
from cmrc_desktop.exchange.report_data import METHOD_SENSITIVE, MergeRow, MethodFigure, ReportData
from cmrc_desktop.i18n import _
from cmrc_desktop.scoring.csv_inputs import METRICS_HEADER, VETOES_HEADER, write_scores_csv
from cmrc_desktop.scoring.grading import GradingInput, GradingResult, result_to_json
from cmrc_desktop.services import keyring
from cmrc_desktop.services.results import (
    grade_by_method,
    method_sensitive,
    workspace_grading_input,
)
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.storage import audit, centre_repo, expert_repo, merge_repo, review_repo


def sensitivity(ws: Workspace, data: GradingInput | None = None
                ) -> tuple[dict[str, dict[str, MethodFigure]], frozenset[str]]:
    """Final score and grade of every centre under each method; the centres whose grade
    differs between methods are *method-sensitive*."""
    data = data or workspace_grading_input(ws)
    return sensitivity_table(ws.scheme, grade_by_method(ws.scheme, data))


def sensitivity_table(scheme: Scheme, by_method: dict[str, GradingResult]
                      ) -> tuple[dict[str, dict[str, MethodFigure]], frozenset[str]]:
    """``sensitivity`` from results already graded under every method."""
    decimals = scheme.aggregation.decimals
    table: dict[str, dict[str, MethodFigure]] = {}
    for method, result in by_method.items():
        for r in result.centres:
            table.setdefault(r.centre, {})[method] = MethodFigure(
                fmt(r.final, decimals) if r.final is not None else None,
                r.grade.label if r.grade else None)
    return table, method_sensitive(by_method)


def sensitivity_json(table: dict[str, dict[str, MethodFigure]], sensitive: frozenset[str],
                     scheme_id: str) -> dict:
    return {"scheme": scheme_id, "centres": [
        {"centre": c, **{m: {"final": f.final, "grade": f.grade}
                         for m, f in sorted(figures.items())},
         "method_sensitive": c in sensitive}
        for c, figures in sorted(table.items())]}


def gather(ws: Workspace) -> tuple[ReportData, GradingInput, GradingResult]:
    data = workspace_grading_input(ws)
    scheme = ws.scheme
    by_method = grade_by_method(scheme, data)
    result = by_method[scheme.aggregation.method]
    table, sensitive = sensitivity_table(scheme, by_method)
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


Progress = Callable[[int, int, str], bool]
STEPS = 5


def write_report(ws: Workspace, out: str | Path, password: str, *,
                 progress: Progress | None = None) -> list[Path]:
    """Write the consolidated result into ``out``; returns the files written.

    The password is checked before anything is made. The files are written into a
    hidden folder inside ``out`` and moved in only once all of them are done, so a
    failure or a stop leaves ``out`` as it was. ``progress(done, total, text)`` hears of
    each step; when it answers False the run stops before the next one and returns no
    files (the workbook and the PDF take seconds on a real batch).
    """
    from cmrc_desktop.exchange.report_pdf import write_report_pdf
    from cmrc_desktop.exchange.report_xlsx import write_report_xlsx

    def going_on(done: int, text: str) -> bool:
        return progress is None or progress(done, STEPS, text) is not False

    going_on(0, _("Opening the batch key…"))
    signer = keyring.open_batch_ca(ws, password)  # the password is checked first
    if not going_on(1, _("Grading under every method…")):
        return []
    report, data, result = gather(ws)
    if not going_on(2, _("Writing the results and their inputs…")):
        return []
    out = Path(out)
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".report-", dir=out))
    names: list[str] = []
    moved = False
    try:
        def put(name: str, content: bytes) -> None:
            write_bytes_atomic(staging / name, content)
            names.append(name)

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
        if not going_on(3, _("Writing the workbook…")):
            return []
        xlsx_name = "{stem}_{name}.xlsx".format(stem=stem, name=_("consolidated results"))
        write_report_xlsx(staging / xlsx_name, report)
        names.append(xlsx_name)
        if not going_on(4, _("Writing and signing the PDF report…")):
            return []
        pdf_name = "{stem}_{name}.pdf".format(stem=stem, name=_("result report"))
        write_report_pdf(staging / pdf_name, report, signer)
        names.append(pdf_name)
        for name in names:
            os.replace(staging / name, out / name)
        moved = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not moved and made:
            with contextlib.suppress(OSError):
                out.rmdir()   # only if empty: made by this run and left unused
    written = [out / name for name in names]
    with ws.db.atomic():
        audit.append(ws.db, actor=ws.actor, action="report.write", entity="report",
                     new=str(out), extra={"files": names,
                                          "method_sensitive": sorted(report.method_sensitive)})
    going_on(STEPS, _("Done"))
    return written


def _csv(header: tuple[str, ...], rows: list[tuple]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


__all__ = ["METHOD_SENSITIVE", "gather", "sensitivity", "sensitivity_table", "write_report"]
