"""Read a scheme's TOML text and enforce every rejection rule of GRADING.md.

All problems of a file are collected, so a secretary fixing an imported scheme sees the
whole list at once; each names the file and the offending key or id.

A scheme comes from outside (a file, a panel package), so nothing in it may make the
reader fail in a way that does not name the file: before the TOML parser runs, a cheap
scan refuses arrays and inline tables nested deeper than :data:`MAX_NESTING` (the parser
recurses once a level), dotted keys of more parts (it takes quadratic time over them) and
numbers longer than Python will convert (an integer of 5,000 digits); every number is then range-checked (:data:`NUMBER_LIMIT`, :data:`MAX_PLACES`,
``MAX_NUMBER_DIGITS`` significant digits) before any arithmetic or printing touches it.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from cmrc_desktop.domain.errors import InputError, SchemeError, shorten
from cmrc_desktop.domain.limits import MAX_NUMBER_DIGITS, MAX_SCHEME
from cmrc_desktop.domain.numbers import plain as _plain
from cmrc_desktop.domain.scheme import (
    KINDS,
    METHODS,
    Aggregation,
    Check,
    Dimension,
    Grade,
    Indicator,
    Scheme,
    Veto,
)
from cmrc_desktop.exchange.input_file import read_input, too_large
from cmrc_desktop.i18n import _

SCHEME_ID = re.compile(r"^[a-z0-9-]+$")
DEFAULT_STEP = Decimal("0.5")
MAX_DECIMALS = 6
# arrays and inline tables inside one another: a scheme needs 2 (a table header), a
# nested list of lists is already odd; 50,000 would overflow the parser's stack. The same
# bound holds for the parts of a dotted key (a.b.c), which cost the parser quadratic time
MAX_NESTING = 32
# every number of a scheme lies strictly between -NUMBER_LIMIT and NUMBER_LIMIT, with at
# most MAX_PLACES decimal places: a `max = 1e400` is a typo, not a scheme
MAX_INTEGER_DIGITS = 10
NUMBER_LIMIT = 10**MAX_INTEGER_DIGITS
MAX_PLACES = 9
# the longest run of digits the scan lets through to the parser (Python refuses to
# convert an integer of more than 4,300), and the longest exponent (Decimal refuses one
# of 19 digits); both far beyond any number that passes the range check
_MAX_DIGIT_RUN = 40
_MAX_EXPONENT_DIGITS = 6

# what the scan looks at: comments and strings are skipped whole (a bracket inside them
# nests nothing); a quote that opens no complete string stops the scan, where the parser
# will stop too
_SCAN = re.compile(
    r"(?P<skip>#[^\n]*"                      # a comment
    r'|"""(?:\\.|[^\\])*?""""{0,2}'            # a multi-line basic string
    r"|'''.*?''''{0,2}"                       # a multi-line literal string
    r'|"(?:\\.|[^"\\\n])*"'                  # a basic string
    r"|'[^'\n]*')"                          # a literal string
    r"|(?P<open>[\[{])|(?P<close>[\]}])|(?P<dot>\.)|(?P<key_end>[=,\n])"
    r"""|(?P<quote>["'])"""
    rf"|(?P<digits>[0-9][0-9_]{{{_MAX_DIGIT_RUN},}})"
    rf"|(?P<exponent>(?<=[0-9])[eE][+-]?[0-9_]{{{_MAX_EXPONENT_DIGITS},}})",
    re.S)


class SchemeProblems(SchemeError):
    """Several rule violations in one scheme file; ``problems`` lists each one."""

    def __init__(self, problems: list[SchemeError]) -> None:
        super().__init__(problems[0].message, file=problems[0].file, field=problems[0].field)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def load_scheme_file(path: str | Path) -> Scheme:
    try:
        raw = read_input(path, limit=MAX_SCHEME, what=_("a scheme file"),
                         folder=_("this is a folder, not a scheme file"))
    except InputError as exc:   # the window lists a scheme's problems: one kind of error
        raise SchemeError(exc.message, file=exc.file) from None
    return parse_scheme(raw, source=str(path))


def parse_scheme(raw: bytes | str, source: str = "<scheme>") -> Scheme:
    """A scheme from its text, or a :class:`SchemeError` naming ``source``: whatever the
    text holds, never another exception."""
    text = _text(raw, source)
    _scan(text, source)
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(_("not valid TOML: {reason}").format(reason=exc), file=source) from None
    except (ValueError, ArithmeticError):   # a number the scan let through and Python cannot hold
        raise SchemeError(_("not valid TOML: a number is out of range"), file=source) from None
    except RecursionError:                   # the scan keeps the nesting far below this
        raise _too_deep(source, None) from None
    try:
        scheme = _Validator(data, source).build()
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    except SchemeError:
        raise
    except Exception as exc:   # a rule the validator lacks: still a refusal naming the file
        raise SchemeError(_("the scheme cannot be read ({reason})").format(
            reason=type(exc).__name__), file=source) from None
    object.__setattr__(scheme, "text", text)
    object.__setattr__(scheme, "sha256", digest)
    return scheme


def _text(raw: bytes | str, source: str) -> str:
    if len(raw) > MAX_SCHEME:       # a file was checked when read; this is a package's text
        raise SchemeError(too_large(MAX_SCHEME, _("a scheme file"), source).message,
                          file=source)
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SchemeError(_("the file is not UTF-8 text"), file=source,
                              line=raw[: exc.start].count(b"\n") + 1) from None
    else:
        text = raw
    if "\0" in text:
        raise SchemeError(_("the file contains NUL characters: it is not a text file"),
                          file=source, line=_line(text, text.index("\0")))
    return text


def _scan(text: str, source: str) -> None:
    """Refuse what would make the TOML parser fail without naming the file, or take
    minutes: nesting deeper than MAX_NESTING, dotted keys of more parts, and numbers with
    more digits than Python converts."""
    depth = dots = 0
    for match in _SCAN.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            if depth > MAX_NESTING:
                raise _too_deep(source, _line(text, match.start()))
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "dot":
            dots += 1
            if dots >= MAX_NESTING:
                raise SchemeError(_("a dotted key has more than {parts} parts").format(
                    parts=MAX_NESTING), file=source, line=_line(text, match.start()))
        elif kind == "key_end":
            dots = 0
        elif kind == "quote":
            return
        elif kind == "digits":
            raise SchemeError(_("a number has more than {digits} digits").format(
                digits=_MAX_DIGIT_RUN), file=source, line=_line(text, match.start()))
        elif kind == "exponent":
            raise SchemeError(_("a number's exponent has more than {digits} digits").format(
                digits=_MAX_EXPONENT_DIGITS), file=source, line=_line(text, match.start()))


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _too_deep(source: str, line: int | None) -> SchemeError:
    return SchemeError(_("arrays or inline tables are nested more than {depth} deep")
                       .format(depth=MAX_NESTING), file=source, line=line)


def number_problem(value: int | Decimal) -> str | None:
    """Why a number read from a scheme is out of range, or None; decided from its digits
    alone, since arithmetic on ``1e400`` fails and printing a 5,000-digit integer too."""
    if isinstance(value, int):
        return None if -NUMBER_LIMIT < value < NUMBER_LIMIT else _out_of_range()
    if not value.is_finite():
        return _("must be a finite number")
    _sign, digits, exponent = value.as_tuple()
    if not any(digits):
        return None                                 # zero, however it is written
    while len(digits) > 1 and digits[-1] == 0:     # 1.500 has the digits of 1.5
        digits, exponent = digits[:-1], exponent + 1
    if exponent + len(digits) > MAX_INTEGER_DIGITS:
        return _out_of_range()
    if exponent < -MAX_PLACES or len(digits) > MAX_NUMBER_DIGITS:
        return _("the number has too many digits: numbers in a scheme have at most "
                 "{digits} significant digits and {places} decimal places").format(
                     digits=MAX_NUMBER_DIGITS, places=MAX_PLACES)
    return None


def _out_of_range() -> str:
    return _("the number is out of range: numbers in a scheme lie between -{limit} and "
             "{limit}").format(limit=f"{NUMBER_LIMIT - 1:,}")


class _Validator:
    def __init__(self, data: dict[str, Any], source: str) -> None:
        self.data = data
        self.source = source
        self.problems: list[SchemeError] = []

    def fail(self, key: str, message: str) -> None:
        self.problems.append(SchemeError(message, file=self.source, field=key))

    # -- typed getters: each records a problem and returns a usable fallback ----------
    def table(self, obj: dict, key: str, where: str, required: bool = True) -> dict:
        value = obj.get(key)
        if value is None:
            if required:
                self.fail(where, _("missing table [{key}]").format(key=key))
            return {}
        if not isinstance(value, dict):
            self.fail(where, _("must be a table"))
            return {}
        return value

    def array(self, obj: dict, key: str, where: str, required: bool = True) -> list[dict]:
        value = obj.get(key)
        if value is None:
            if required:
                self.fail(where, _("missing [[{key}]] entries").format(key=key))
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(where, _("must be an array of tables [[{key}]]").format(key=key))
            return []
        return value

    def text(self, obj: dict, key: str, where: str, required: bool = True) -> str:
        value = obj.get(key)
        if value is None:
            if required:
                self.fail(where, _("missing key"))
            return ""
        if not isinstance(value, str):
            self.fail(where, _("must be text"))
            return ""
        if required and not value.strip():
            self.fail(where, _("must not be empty"))
        return value

    def number(self, obj: dict, key: str, where: str, required: bool = True,
               default: Decimal | None = None) -> Decimal | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.fail(where, _("missing key"))
            return default
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            self.fail(where, _("must be a number"))
            return default
        problem = number_problem(value)
        if problem:
            self.fail(where, problem)
            return default
        return Decimal(value) if value else Decimal(0)   # 0e400 is 0

    def integer(self, obj: dict, key: str, where: str, default: int, minimum: int) -> int:
        value = obj.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, _("must be a whole number"))
            return default
        problem = number_problem(value)
        if problem:
            self.fail(where, problem)
            return default
        if value < minimum:
            self.fail(where, _("must be at least {minimum}").format(minimum=minimum))
            return default
        return value

    # -- the scheme --------------------------------------------------------------------
    def build(self) -> Scheme:
        data = self.data
        if "scheme" not in data and "aggregation" not in data and "indicators" not in data:
            self.fail("scheme", _("this is not a scheme file: it has no [scheme], "
                                  "[aggregation] or [[indicators]]"))
            raise SchemeProblems(self.problems)
        head = self.table(data, "scheme", "scheme")
        scheme_id = self.text(head, "id", "scheme.id")
        if scheme_id and not SCHEME_ID.match(scheme_id):
            self.fail("scheme.id", _("'{value}' may only contain a-z, 0-9 and '-'").format(
                value=shorten(scheme_id)))
        kind = self.text(head, "kind", "scheme.kind")
        if kind and kind not in KINDS:
            self.fail("scheme.kind", _("unknown kind '{value}' (allowed: {allowed})").format(
                value=shorten(kind), allowed=", ".join(KINDS)))
        total = self.number(head, "total", "scheme.total")
        name = self.text(head, "name", "scheme.name")
        name_en = self.text(head, "name_en", "scheme.name_en", required=False)
        version = self.version(head)
        description = self.text(head, "description", "scheme.description", required=False)
        aggregation = self.aggregation(self.table(data, "aggregation", "aggregation"))
        grades = self.grades(self.array(data, "grades", "grades"))
        dimensions = self.dimensions(self.array(data, "dimensions", "dimensions"))
        indicators = self.indicators(self.array(data, "indicators", "indicators"),
                                     {d.id for d in dimensions})
        vetoes = self.vetoes(self.array(data, "vetoes", "vetoes", required=False))
        checks = self.checks(self.array(data, "checks", "checks", required=False))

        if total is not None and indicators and all(i.max is not None for i in indicators):
            summed = sum((i.max for i in indicators), Decimal(0))
            if summed != total:
                self.fail("scheme.total", _(
                    "total is {total} but the indicator maxima sum to {sum}").format(
                        total=_plain(total), sum=_plain(summed)))
        if self.problems:
            raise SchemeProblems(self.problems)
        return Scheme(
            id=scheme_id,
            name=name,
            name_en=name_en,
            version=version,
            kind=kind,
            total=total,
            aggregation=aggregation,
            grades=tuple(grades),
            dimensions=tuple(dimensions),
            indicators=tuple(indicators),
            vetoes=tuple(vetoes),
            checks=tuple(checks),
            description=description,
        )

    def version(self, head: dict) -> str:
        """Text, as GRADING.md writes it; a number or a date is taken as written."""
        value = head.get("version", "")
        if isinstance(value, bool | list | dict):
            self.fail("scheme.version", _("must be text"))
            return ""
        problem = number_problem(value) if isinstance(value, int | Decimal) else None
        if problem:
            self.fail("scheme.version", problem)
            return ""
        return str(value)

    def aggregation(self, agg: dict) -> Aggregation:
        method = agg.get("method", "trimmed_mean")
        if not isinstance(method, str):
            self.fail("aggregation.method", _("must be text"))
            method = ""
        elif method not in METHODS:
            self.fail("aggregation.method", _("unknown method '{value}' (allowed: {allowed})")
                      .format(value=shorten(method), allowed=", ".join(METHODS)))
        trim = self.integer(agg, "trim", "aggregation.trim", 1, 0)
        trim_min = self.integer(agg, "trim_min_experts", "aggregation.trim_min_experts", 5, 1)
        if trim_min <= 2 * trim:
            self.fail("aggregation.trim_min_experts", _(
                "trim_min_experts ({value}) must be greater than 2 × trim ({twice})").format(
                    value=trim_min, twice=2 * trim))
        min_experts = self.integer(agg, "min_experts", "aggregation.min_experts", 3, 1)
        decimals = self.integer(agg, "decimals", "aggregation.decimals", 2, 0)
        if decimals > MAX_DECIMALS:
            self.fail("aggregation.decimals", _("must be at most {maximum}").format(
                maximum=MAX_DECIMALS))
        disagreement = self.number(agg, "disagreement", "aggregation.disagreement",
                                   required=False, default=Decimal(15))
        if disagreement is not None and disagreement < 0:
            self.fail("aggregation.disagreement", _("must not be negative"))
        return Aggregation(method=str(method), trim=trim, trim_min_experts=trim_min,
                           min_experts=min_experts, decimals=decimals,
                           disagreement=disagreement if disagreement is not None else Decimal(15))

    def grades(self, rows: list[dict]) -> list[Grade]:
        grades: list[Grade] = []
        previous: Decimal | None = None
        for n, row in enumerate(rows, 1):
            label = self.text(row, "label", f"grades[{n}].label")
            where = f"grades[{n}] ({shorten(label)})" if label else f"grades[{n}]"
            low = self.number(row, "min", f"{where}.min")
            share = self.number(row, "max_share", f"{where}.max_share", required=False)
            if share is not None and not (Decimal(0) < share <= Decimal(1)):
                self.fail(f"{where}.max_share", _("max_share {value} must lie in (0, 1]")
                          .format(value=_plain(share)))
            if low is not None:
                if low < 0:
                    self.fail(f"{where}.min", _("must not be negative"))
                if previous is not None and low >= previous:
                    self.fail(f"{where}.min", _(
                        "grades must be strictly decreasing in min: {value} follows {previous}")
                        .format(value=_plain(low), previous=_plain(previous)))
                previous = low
            grades.append(Grade(label=label, label_en=self.text(
                row, "label_en", f"{where}.label_en", required=False),
                min=low if low is not None else Decimal(0), max_share=share))
        if grades and previous is not None and grades[-1].min != 0:
            self.fail(f"grades[{len(grades)}].min", _("the last grade must have min = 0"))
        return grades

    def _unique(self, seen: set[str], ident: str, where: str, what: str) -> None:
        if ident in seen:
            self.fail(where, _("{what} id '{id}' repeats").format(what=what,
                                                                   id=shorten(ident)))
        seen.add(ident)

    def dimensions(self, rows: list[dict]) -> list[Dimension]:
        seen: set[str] = set()
        result = []
        for n, row in enumerate(rows, 1):
            ident = self.text(row, "id", f"dimensions[{n}].id")
            self._unique(seen, ident, f"dimensions[{n}].id", _("dimension"))
            result.append(Dimension(ident, self.text(row, "name", f"dimensions[{n}].name"),
                                    self.text(row, "name_en", f"dimensions[{n}].name_en",
                                              required=False)))
        return result

    def indicators(self, rows: list[dict], dimension_ids: set[str]) -> list[Indicator]:
        seen: set[str] = set()
        result = []
        for n, row in enumerate(rows, 1):
            ident = self.text(row, "id", f"indicators[{n}].id")
            where = f"indicators[{n}] ({shorten(ident)})" if ident else f"indicators[{n}]"
            self._unique(seen, ident, f"{where}.id", _("indicator"))
            dimension = self.text(row, "dimension", f"{where}.dimension")
            if dimension and dimension not in dimension_ids:
                self.fail(f"{where}.dimension", _("unknown dimension '{value}'").format(
                    value=shorten(dimension)))
            maximum = self.number(row, "max", f"{where}.max")
            if maximum is not None and maximum <= 0:
                self.fail(f"{where}.max", _("max must be greater than 0, not {value}").format(
                    value=_plain(maximum)))
            step = self.number(row, "step", f"{where}.step", required=False,
                               default=DEFAULT_STEP)
            if step is not None and step <= 0:
                self.fail(f"{where}.step", _("step must be greater than 0, not {value}").format(
                    value=_plain(step)))
            elif step is not None and maximum is not None and maximum > 0 and maximum % step:
                self.fail(f"{where}.step", _("step {step} does not divide max {max}").format(
                    step=_plain(step), max=_plain(maximum)))
            evidence = row.get("evidence", [])
            if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
                self.fail(f"{where}.evidence", _("must be a list of metric ids"))
                evidence = []
            source_metric = None
            full_at = None
            if "source" in row or "full_at" in row:
                source = row.get("source")
                if source is not None and not isinstance(source, str):
                    self.fail(f"{where}.source", _("must be text"))
                elif not isinstance(source, str) or not re.fullmatch(r"metric:[a-z0-9_]+",
                                                                      source):
                    self.fail(f"{where}.source", _(
                        "an automatic indicator needs source = \"metric:<name>\", not {value!r}")
                        .format(value=shorten(source) if source else source))
                else:
                    source_metric = source.split(":", 1)[1]
                full_at = self.number(row, "full_at", f"{where}.full_at")
                if full_at is not None and full_at <= 0:
                    self.fail(f"{where}.full_at", _("full_at must be greater than 0, not {value}")
                              .format(value=_plain(full_at)))
            result.append(Indicator(
                id=ident, dimension=dimension,
                name=self.text(row, "name", f"{where}.name"),
                name_en=self.text(row, "name_en", f"{where}.name_en", required=False),
                max=maximum if maximum is not None else Decimal(0),
                step=step if step is not None else DEFAULT_STEP,
                guidance=self.text(row, "guidance", f"{where}.guidance", required=False),
                evidence=tuple(evidence), source_metric=source_metric, full_at=full_at))
        return result

    def vetoes(self, rows: list[dict]) -> list[Veto]:
        seen: set[str] = set()
        result = []
        for n, row in enumerate(rows, 1):
            ident = self.text(row, "id", f"vetoes[{n}].id")
            self._unique(seen, ident, f"vetoes[{n}].id", _("veto"))
            result.append(Veto(ident, self.text(row, "name", f"vetoes[{n}].name"),
                               self.text(row, "name_en", f"vetoes[{n}].name_en",
                                         required=False)))
        return result

    def checks(self, rows: list[dict]) -> list[Check]:
        seen: set[str] = set()
        result = []
        for n, row in enumerate(rows, 1):
            ident = self.text(row, "id", f"checks[{n}].id")
            where = f"checks[{n}] ({shorten(ident)})" if ident else f"checks[{n}]"
            self._unique(seen, ident, f"{where}.id", _("check"))
            metric = self.text(row, "metric", f"{where}.metric", required=False) or None
            at_least = self.number(row, "at_least", f"{where}.at_least", required=False)
            if metric and at_least is None:
                self.fail(f"{where}.at_least", _("a check that names a metric needs at_least"))
            result.append(Check(ident, self.text(row, "name", f"{where}.name"),
                                self.text(row, "name_en", f"{where}.name_en", required=False),
                                metric=metric, at_least=at_least))
        return result

