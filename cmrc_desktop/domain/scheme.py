"""An evaluation scheme (评估指标体系) as loaded from its TOML text.

Every number is a ``Decimal`` so that nothing on the way from the file to a final score
passes through a binary float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from cmrc_desktop.i18n import Bilingual, pick

METHODS = ("mean", "trimmed_mean", "median")
KINDS = ("performance", "application")


@dataclass(frozen=True)
class Aggregation:
    method: str = "trimmed_mean"
    trim: int = 1
    trim_min_experts: int = 5
    min_experts: int = 3
    decimals: int = 2
    disagreement: Decimal = Decimal("15")


@dataclass(frozen=True)
class Grade:
    label: str
    label_en: str
    min: Decimal
    max_share: Decimal | None = None

    @property
    def display(self) -> str:
        return pick(self.label, self.label_en)


@dataclass(frozen=True)
class Dimension(Bilingual):
    id: str
    name: str
    name_en: str


@dataclass(frozen=True)
class Indicator(Bilingual):
    id: str
    dimension: str
    name: str
    name_en: str
    max: Decimal
    step: Decimal
    guidance: str = ""
    evidence: tuple[str, ...] = ()
    source_metric: str | None = None
    full_at: Decimal | None = None

    @property
    def automatic(self) -> bool:
        return self.source_metric is not None


@dataclass(frozen=True)
class Veto(Bilingual):
    id: str
    name: str
    name_en: str


@dataclass(frozen=True)
class Check(Bilingual):
    id: str
    name: str
    name_en: str
    metric: str | None = None
    at_least: Decimal | None = None


@dataclass(frozen=True)
class Scheme(Bilingual):
    id: str
    name: str
    name_en: str
    version: str
    kind: str
    total: Decimal
    aggregation: Aggregation
    grades: tuple[Grade, ...]
    dimensions: tuple[Dimension, ...]
    indicators: tuple[Indicator, ...]
    vetoes: tuple[Veto, ...] = ()
    checks: tuple[Check, ...] = ()
    description: str = ""
    text: str = field(default="", repr=False, compare=False)
    sha256: str = field(default="", compare=False)

    def indicator(self, indicator_id: str) -> Indicator | None:
        return self._indicators_by_id().get(indicator_id)

    def _indicators_by_id(self) -> dict[str, Indicator]:
        cache = self.__dict__.get("_by_id")
        if cache is None:
            cache = {i.id: i for i in self.indicators}
            object.__setattr__(self, "_by_id", cache)
        return cache

    @property
    def expert_indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if not i.automatic)

    @property
    def automatic_indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.automatic)

    def indicators_of(self, dimension_id: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.dimension == dimension_id)

    def dimension_max(self, dimension_id: str) -> Decimal:
        """The most points a dimension can give (its indicators' maxima added up): the
        yardstick of a radar chart and the subtotal line of a printed scheme."""
        return sum((i.max for i in self.indicators_of(dimension_id)), Decimal(0))

    def veto(self, veto_id: str) -> Veto | None:
        return next((v for v in self.vetoes if v.id == veto_id), None)
