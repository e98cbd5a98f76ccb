"""The three ways of turning expert totals into one figure, in exact fractions.

Fractions, not Decimals: a mean of three totals is rarely a terminating decimal, and
rounding 89.99666… must see every digit to decide between 89.99 and 90.00.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Decimal, localcontext
from fractions import Fraction

from cmrc_desktop.domain.scheme import Aggregation


def mean(values: Iterable[Decimal | Fraction]) -> Fraction:
    items = list(values)
    if not items:
        raise ValueError("mean of no values")
    if all(isinstance(v, Decimal) for v in items):
        # a sum of decimals is a decimal: added exactly (no precision limit), then
        # divided as a fraction; much faster than adding fractions on a large batch
        with localcontext() as context:
            context.prec = MAX_PREC
            context.Emax, context.Emin = MAX_EMAX, MIN_EMIN
            return Fraction(sum(items, Decimal(0))) / len(items)
    return sum((Fraction(v) for v in items), Fraction(0)) / len(items)


def median(values: Iterable[Decimal | Fraction]) -> Fraction:
    items = sorted(values)      # decimals sort exactly, and faster than fractions
    if not items:
        raise ValueError("median of no values")
    middle = len(items) // 2
    if len(items) % 2:
        return Fraction(items[middle])
    return (Fraction(items[middle - 1]) + Fraction(items[middle])) / 2


def trimmed_mean(values: Iterable[Decimal | Fraction], trim: int, trim_min_experts: int
                 ) -> Fraction:
    """Drop ``trim`` highest and lowest when there are at least ``trim_min_experts``."""
    items = sorted(values)
    if len(items) >= trim_min_experts and trim > 0:
        items = items[trim:len(items) - trim]
    return mean(items)


def aggregate(values: Iterable[Decimal | Fraction], aggregation: Aggregation,
              method: str | None = None) -> Fraction:
    method = method or aggregation.method
    if method == "mean":
        return mean(values)
    if method == "median":
        return median(values)
    if method == "trimmed_mean":
        return trimmed_mean(values, aggregation.trim, aggregation.trim_min_experts)
    raise ValueError(f"unknown method {method!r}")
