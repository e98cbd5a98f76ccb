"""Reference catalogues: centre levels, the 28 disease fields, dossier metrics."""

from __future__ import annotations

from dataclasses import dataclass

from cmrc_desktop.i18n import Bilingual


@dataclass(frozen=True)
class Level(Bilingual):
    id: str
    name: str
    name_en: str


@dataclass(frozen=True)
class Field(Bilingual):
    seq: int
    name: str
    name_en: str
    subs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Metric(Bilingual):
    id: str
    name: str
    name_en: str
    unit: str = ""


@dataclass(frozen=True)
class Catalog:
    levels: tuple[Level, ...]
    fields: tuple[Field, ...]
    metrics: tuple[Metric, ...]

    def level(self, ident: str) -> Level | None:
        return next((lv for lv in self.levels if ident in (lv.id, lv.name, lv.name_en)), None)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if name in (f.name, f.name_en)), None)

    def metric(self, ident: str) -> Metric | None:
        return next((m for m in self.metrics if m.id == ident), None)

    @property
    def metric_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.metrics)
