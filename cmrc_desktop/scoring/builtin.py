"""The built-in schemes and the catalogue shipped in ``resources/schemes/``."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from cmrc_desktop.domain.catalog import Catalog, Field, Level, Metric
from cmrc_desktop.domain.errors import NotFoundError
from cmrc_desktop.domain.scheme import Scheme
from cmrc_desktop.i18n import _
from cmrc_desktop.paths import schemes_dir
from cmrc_desktop.scoring.scheme_loader import load_scheme_file

DEFAULT_SCHEME = "sd-perf-5d"
CATALOG_FILE = "catalog.toml"


def builtin_scheme_files() -> list[Path]:
    return sorted(p for p in schemes_dir().glob("*.toml") if p.name != CATALOG_FILE)


def builtin_schemes() -> list[Scheme]:
    return [load_scheme_file(p) for p in builtin_scheme_files()]


def builtin_scheme(scheme_id: str) -> Scheme:
    for path in builtin_scheme_files():
        if path.stem == scheme_id:
            return load_scheme_file(path)
    for scheme in builtin_schemes():
        if scheme.id == scheme_id:
            return scheme
    raise NotFoundError(_("no built-in scheme with id '{id}'").format(id=scheme_id))


def resolve_scheme(name_or_path: str) -> Scheme:
    """A scheme named by built-in id or by file path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return load_scheme_file(path)
    return builtin_scheme(name_or_path)


@cache
def catalog() -> Catalog:
    data = tomllib.loads((schemes_dir() / CATALOG_FILE).read_text("utf-8"))
    return Catalog(
        levels=tuple(Level(d["id"], d["name"], d.get("name_en", "")) for d in data["levels"]),
        fields=tuple(Field(d["seq"], d["name"], d.get("name_en", ""), tuple(d.get("subs", ())))
                     for d in data["fields"]),
        metrics=tuple(Metric(d["id"], d["name"], d.get("name_en", ""), d.get("unit", ""))
                      for d in data["metrics"]),
    )
