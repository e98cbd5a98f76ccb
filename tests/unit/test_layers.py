"""The layer rule of STYLE.md: only ``cmrc_desktop/ui`` may import Qt, and the core
never imports the window."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "cmrc_desktop"
QT = ("PySide6", "shiboken6", "PyQt5", "PyQt6")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_nothing_outside_ui_imports_qt():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "ui" in path.relative_to(PACKAGE).parts[:1]:
            continue
        for name in imported_modules(path):
            if name.split(".")[0] in QT or name.startswith("cmrc_desktop.ui"):
                offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
    assert offenders == []


def test_core_layers_do_not_import_services_or_cli():
    core = ("domain", "scoring", "storage", "signing", "exchange")
    offenders = []
    for layer in core:
        for path in (PACKAGE / layer).rglob("*.py"):
            for name in imported_modules(path):
                if name.startswith(("cmrc_desktop.services", "cmrc_desktop.cli")):
                    offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
    assert offenders == []


def test_only_storage_imports_sqlite_utils():
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if p.relative_to(PACKAGE).parts[0] != "storage"
                 and any(n.split(".")[0] == "sqlite_utils" for n in imported_modules(p))]
    assert offenders == []
