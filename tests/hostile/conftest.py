"""One real batch (secretary, three experts with keys, signed xlsx sheets, nothing merged)
built once; each test that merges gets its own copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.forge import build_batch, copy_batch


@pytest.fixture(scope="session")
def pristine(tmp_path_factory) -> Path:
    return build_batch(tmp_path_factory.mktemp("batch"))


@pytest.fixture
def batch(pristine, tmp_path) -> Path:
    return copy_batch(pristine, tmp_path / "batch")
