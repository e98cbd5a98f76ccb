"""Where the program finds its bundled resources.

Resources live in the top-level ``resources/`` folder of a checkout (the package is
installed editable) and beside the executable in a frozen build (``sys._MEIPASS``);
nothing here ever reads ``../shared``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# the panel package's file name suffix, here so the window can recognise a dropped file
# without importing the package reader (and cryptography) at start-up
PACKAGE_SUFFIX = ".cmrcpkg"


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def schemes_dir() -> Path:
    return resources_dir() / "schemes"


def locale_dir() -> Path:
    return resources_dir() / "locale"
