"""Exact numbers: the one rule for reading a typed score, and half-up rounding.

The score rule (used identically by the scoring form, the CSV and Excel importers and
the merge): the text is NFKC-normalised, so full-width digits and the full-width point
(８．５) read as 8.5; surrounding white space is ignored; what remains must be plain
digits with at most one decimal point (``8``, ``8.5``, ``.5``, ``8.``), and at most
``MAX_NUMBER_DIGITS`` (15) digits not counting zeros in front or after the decimal point.
Signs, exponents, thousands separators, commas (also as a decimal comma), NaN and
infinity are refused: in a score a comma is more likely a typo than a separator, and
guessing is worse than asking. The digit bound keeps exact arithmetic exact (Decimal
rounds past 28 digits) and a pasted 5,000-digit number out of the sums.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from fractions import Fraction

from cmrc_desktop.domain.limits import MAX_NUMBER_DIGITS

_PLAIN_NUMBER = re.compile(r"^(?:\d+(?:\.\d*)?|\.\d+)$", re.ASCII)


def parse_decimal(text: str) -> Decimal | None:
    """Read a non-negative decimal by the rule above; None when it is not one."""
    normal = _plain_number(text)
    if normal is None or _digits(normal) > MAX_NUMBER_DIGITS:
        return None
    return Decimal(normal)


def too_many_digits(text: str) -> bool:
    """Whether ``text`` is refused only for its length, to say so instead of "not a
    number"."""
    normal = _plain_number(text)
    return normal is not None and _digits(normal) > MAX_NUMBER_DIGITS


def _plain_number(text: str) -> str | None:
    if not isinstance(text, str):
        return None
    normal = unicodedata.normalize("NFKC", text).strip()
    normal = normal.replace("。", ".") if normal.count("。") == 1 else normal
    return normal if _PLAIN_NUMBER.match(normal) else None


def _digits(normal: str) -> int:
    whole, _point, fraction = normal.partition(".")
    return len(whole.lstrip("0")) + len(fraction.rstrip("0"))


def round_half_up(value: Decimal | Fraction | int, decimals: int) -> Decimal:
    """Round to ``decimals`` places, halves away from zero (四舍五入), without floats."""
    exact = Fraction(value)
    scaled = exact * 10**decimals
    magnitude = math.floor(abs(scaled) + Fraction(1, 2))
    units = magnitude if scaled >= 0 else -magnitude
    return Decimal(units).scaleb(-decimals).quantize(Decimal(1).scaleb(-decimals))


def fmt(value: Decimal | Fraction | int, decimals: int) -> str:
    """A reported figure: rounded half-up, with exactly ``decimals`` decimals."""
    return format(round_half_up(value, decimals), "f")


def plain(value: Decimal) -> str:
    """A decimal as a person writes it: 10, 0.5, never 1E+1."""
    return format(value.normalize(), "f")


def is_multiple(value: Decimal, step: Decimal) -> bool:
    return value % step == 0
