"""The CSV inputs of ``cmrc grade``: scores, metrics and vetoes.

Each reader checks everything it can against the scheme and raises an ``InputError``
naming file, line and field, so that a committee member can go straight to the cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from cmrc_desktop.domain.errors import InputError, shorten
from cmrc_desktop.domain.limits import MAX_CSV, MAX_NUMBER_DIGITS
from cmrc_desktop.domain.numbers import parse_decimal, plain, too_many_digits
from cmrc_desktop.domain.scheme import Scheme
from cmrc_desktop.exchange.input_file import read_input
from cmrc_desktop.i18n import _
from cmrc_desktop.scoring.grading import GradingInput, score_problem

SCORES_HEADER = ("centre", "expert", "indicator", "score")
METRICS_HEADER = ("centre", "metric", "value")
VETOES_HEADER = ("centre", "veto")


def _rows(path: Path, header: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) pairs of a UTF-8 CSV (BOM optional) with the named columns."""
    name = str(path)
    raw = read_input(path, limit=MAX_CSV, what=_("a CSV file"),
                     folder=_("this is a folder, not a CSV file"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(_("the file is not UTF-8 text"), file=name, line=line) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        columns = next(reader)
    except StopIteration:
        raise InputError(_("the file is empty; expected the header {header}").format(
            header=",".join(header)), file=name, line=1) from None
    except csv.Error as exc:
        raise _csv_error(exc, name, 1) from None
    columns = [c.strip() for c in columns]
    for col in header:
        if col not in columns:
            raise InputError(_("missing column '{column}' (expected the header {header})")
                             .format(column=col, header=",".join(header)),
                             file=name, line=1, field="header")
    index = {col: columns.index(col) for col in header}
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            values = {col: (row[i].strip() if i < len(row) else "") for col, i in index.items()}
            yield reader.line_num, values
    except csv.Error as exc:
        raise _csv_error(exc, name, reader.line_num) from None


def _csv_error(exc: csv.Error, name: str, line: int) -> InputError:
    limit = csv.field_size_limit()
    if str(exc).startswith("field larger than field limit"):
        return InputError(_("a value is longer than {limit} characters").format(
            limit=f"{limit:,}"), file=name, line=line)
    return InputError(_("not a CSV file: {reason}").format(reason=exc), file=name, line=line)


def _number(values: dict[str, str], col: str, path: Path, line: int) -> Decimal | None:
    """The value of ``col`` by the one number rule; None when it is not a number, unless
    it is one too long, which is refused here, saying so."""
    text = values[col]
    value = parse_decimal(text)
    if value is None and too_many_digits(text):
        raise InputError(_("'{text}' has more than {digits} digits").format(
            text=shorten(text), digits=MAX_NUMBER_DIGITS), file=str(path), line=line,
            field=col)
    return value


def _require(values: dict[str, str], col: str, path: Path, line: int) -> str:
    if not values[col]:
        raise InputError(_("empty value"), file=str(path), line=line, field=col)
    return values[col]


def read_scores(path: str | Path, scheme: Scheme, into: GradingInput | None = None
                ) -> GradingInput:
    """Scores per sheet; an empty score cell means "not scored" (an incomplete sheet)."""
    path = Path(path)
    data = into or GradingInput()
    seen: dict[tuple[str, str, str], int] = {}
    for line, v in _rows(path, SCORES_HEADER):
        centre = _require(v, "centre", path, line)
        expert = _require(v, "expert", path, line)
        ind_id = _require(v, "indicator", path, line)
        indicator = scheme.indicator(ind_id)
        if indicator is None:
            raise InputError(_("unknown indicator '{id}' (not in scheme {scheme})").format(
                id=shorten(ind_id), scheme=scheme.id), file=str(path), line=line,
                field="indicator")
        key = (centre, expert, ind_id)
        if key in seen:
            raise InputError(_("centre {centre}, expert {expert}, indicator {id} is already "
                               "scored on line {first}").format(
                                   centre=shorten(centre), expert=shorten(expert),
                                   id=ind_id, first=seen[key]),
                             file=str(path), line=line, field="indicator")
        seen[key] = line
        sheet = data.scores.setdefault((centre, expert), {})
        if not v["score"]:
            continue
        value = _number(v, "score", path, line)
        problem = (score_problem(indicator, value) if value is not None
                   else _("'{text}' is not a number").format(text=shorten(v["score"])))
        if problem:
            raise InputError(_("{problem} (centre {centre}, expert {expert}, indicator {id})")
                             .format(problem=problem, centre=shorten(centre),
                                     expert=shorten(expert), id=ind_id),
                             file=str(path), line=line, field="score")
        sheet[ind_id] = value
    return data


def read_metrics(path: str | Path, into: GradingInput) -> GradingInput:
    path = Path(path)
    seen: dict[tuple[str, str], int] = {}
    for line, v in _rows(path, METRICS_HEADER):
        centre = _require(v, "centre", path, line)
        metric = _require(v, "metric", path, line)
        if (centre, metric) in seen:
            raise InputError(_("metric {metric} of centre {centre} is already given on line "
                               "{first}").format(metric=shorten(metric), centre=shorten(centre),
                                                 first=seen[(centre, metric)]),
                             file=str(path), line=line, field="metric")
        seen[(centre, metric)] = line
        _require(v, "value", path, line)
        value = _number(v, "value", path, line)
        if value is None:
            raise InputError(_("'{text}' is not a non-negative number").format(
                text=shorten(v["value"])), file=str(path), line=line, field="value")
        into.metrics.setdefault(centre, {})[metric] = value
    return into


def read_vetoes(path: str | Path, scheme: Scheme, into: GradingInput) -> GradingInput:
    path = Path(path)
    for line, v in _rows(path, VETOES_HEADER):
        centre = _require(v, "centre", path, line)
        veto = _require(v, "veto", path, line)
        if scheme.veto(veto) is None:
            known = ", ".join(x.id for x in scheme.vetoes) or _("none")
            raise InputError(_("unknown veto '{id}' (the scheme has: {known})").format(
                id=shorten(veto), known=known), file=str(path), line=line, field="veto")
        into.vetoes.setdefault(centre, set()).add(veto)
    return into


def write_scores_csv(data: GradingInput, out: io.TextIOBase) -> None:
    """The inverse of ``read_scores``: the grading input format, one score a line."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SCORES_HEADER)
    for (centre, expert), sheet in sorted(data.scores.items()):
        for ind_id, value in sorted(sheet.items()):
            writer.writerow((centre, expert, ind_id, plain(value) if isinstance(value, Decimal)
                             else value))
