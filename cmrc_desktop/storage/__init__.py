"""The workspace database: ``open_db`` plus migrations, the audit log and repositories
that turn rows into the dataclasses of ``cmrc_desktop.domain.workspace``.

This package is the only one that imports sqlite-utils; others name the connection
type as ``cmrc_desktop.storage.Database``.
"""

from __future__ import annotations

from sqlite_utils import Database

from cmrc_desktop.storage.db import APPLICATION_ID, open_db, utc_now
from cmrc_desktop.storage.migrations import SCHEMA_VERSION

__all__ = ["APPLICATION_ID", "SCHEMA_VERSION", "Database", "open_db", "utc_now"]
