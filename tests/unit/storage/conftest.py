from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cmrc_desktop.storage import Database, open_db


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cmrc.sqlite"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """A migrated workspace database on disk (WAL needs a real file)."""
    database = open_db(db_path)
    yield database
    database.close()


