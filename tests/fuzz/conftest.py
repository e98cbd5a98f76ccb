"""The fuzz run starts from the hostile-file tests' real batch."""

from tests.hostile.conftest import batch, pristine  # noqa: F401
