"""Numbered schema migrations; ``PRAGMA user_version`` counts the ones applied.

``user_version`` is what ``open_db`` reads to refuse a workspace from a newer program
before touching it; it is set inside each migration's own transaction, so it can never
claim a migration whose tables were rolled back. A new migration is a new function at
the end of this file — never edit one that has shipped.

Design of 0001: every score and metric value is TEXT holding a decimal (a CHECK keeps a
float from slipping in); what an expert wrote (sheets, scores, opinions) cannot vanish
with a centre or an expert (ON DELETE RESTRICT) but goes with its sheet (CASCADE);
everything else that only describes a centre or an expert goes with it. The audit log
has no foreign keys, so it outlives what it describes, and triggers make it append-only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlite_utils

MIGRATION_SET = "cmrc"

migrations = sqlite_utils.Migrations(MIGRATION_SET)
_numbers: list[int] = []


def _migration(number: int, name: str) -> Callable[[Callable], Callable]:
    """Register migration ``number`` as "<number:04d>_<name>", bumping user_version."""
    if number != len(_numbers) + 1:
        raise ValueError(f"migration {number} registered out of order")
    _numbers.append(number)

    def inner(fn: Callable[[sqlite_utils.Database], None]) -> Callable:
        def run(db: sqlite_utils.Database) -> None:
            fn(db)
            db.execute(f"PRAGMA user_version = {number}")

        run.__name__ = f"{number:04d}_{name}"
        migrations(name=run.__name__)(run)
        return fn

    return inner


def migrate(db: sqlite_utils.Database) -> int:
    """Apply the pending migrations; returns how many were applied."""
    before = schema_version(db)
    if before == SCHEMA_VERSION:
        return 0
    migrations.apply(db)
    return schema_version(db) - before


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


_SCHEMA_0001 = """
CREATE TABLE batch (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('performance', 'application')),
    stage TEXT NOT NULL CHECK (stage IN ('dossier_review', 'on_site', 'overall')),
    scheme_id TEXT NOT NULL,
    scheme_text TEXT NOT NULL,
    scheme_sha256 TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('secretary', 'expert')),
    created_at TEXT NOT NULL
);
-- a workspace holds exactly one batch
CREATE UNIQUE INDEX batch_single_row ON batch ((1));

CREATE TABLE centres (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    field TEXT NOT NULL,
    sub_field TEXT NOT NULL DEFAULT '',
    host TEXT NOT NULL,
    province TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    director TEXT NOT NULL DEFAULT '',
    start_date TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE network_members (
    centre_id TEXT NOT NULL REFERENCES centres (id) ON DELETE CASCADE ON UPDATE CASCADE,
    institution TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('core', 'member', 'promotion')),
    PRIMARY KEY (centre_id, institution)
);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    centre_id TEXT NOT NULL REFERENCES centres (id) ON DELETE CASCADE ON UPDATE CASCADE,
    doc_type TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    filename TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE INDEX documents_by_centre ON documents (centre_id);

CREATE TABLE metrics (
    centre_id TEXT NOT NULL REFERENCES centres (id) ON DELETE CASCADE ON UPDATE CASCADE,
    period TEXT NOT NULL,
    metric TEXT NOT NULL,
    value TEXT NOT NULL CHECK (typeof(value) = 'text'),
    PRIMARY KEY (centre_id, period, metric)
);

CREATE TABLE experts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    institution TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    specialty TEXT NOT NULL DEFAULT ''
);

CREATE TABLE conflicts (
    expert_id TEXT NOT NULL REFERENCES experts (id) ON DELETE CASCADE ON UPDATE CASCADE,
    centre_id TEXT NOT NULL REFERENCES centres (id) ON DELETE CASCADE ON UPDATE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('auto', 'declared')),
    reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (expert_id, centre_id, kind)
);
CREATE INDEX conflicts_by_centre ON conflicts (centre_id);

CREATE TABLE assignments (
    expert_id TEXT NOT NULL REFERENCES experts (id) ON DELETE CASCADE ON UPDATE CASCADE,
    centre_id TEXT NOT NULL REFERENCES centres (id) ON DELETE CASCADE ON UPDATE CASCADE,
    PRIMARY KEY (expert_id, centre_id)
);
CREATE INDEX assignments_by_centre ON assignments (centre_id);

CREATE TABLE sheets (
    expert_id TEXT NOT NULL REFERENCES experts (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    centre_id TEXT NOT NULL REFERENCES centres (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'final', 'signed')),
    revision INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (expert_id, centre_id)
);
CREATE INDEX sheets_by_centre ON sheets (centre_id);

CREATE TABLE scores (
    expert_id TEXT NOT NULL,
    centre_id TEXT NOT NULL,
    indicator TEXT NOT NULL,
    value TEXT CHECK (value IS NULL OR typeof(value) = 'text'),
    comment TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (expert_id, centre_id, indicator),
    FOREIGN KEY (expert_id, centre_id) REFERENCES sheets (expert_id, centre_id)
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX scores_by_centre ON scores (centre_id, indicator);

CREATE TABLE opinions (
    expert_id TEXT NOT NULL,
    centre_id TEXT NOT NULL,
    achievements TEXT NOT NULL DEFAULT '',
    problems TEXT NOT NULL DEFAULT '',
    recommendations TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (expert_id, centre_id),
    FOREIGN KEY (expert_id, centre_id) REFERENCES sheets (expert_id, centre_id)
        ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE vetoes (
    centre_id TEXT NOT NULL REFERENCES centres (id) ON DELETE CASCADE ON UPDATE CASCADE,
    veto_id TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (centre_id, veto_id)
);

CREATE TABLE checks (
    centre_id TEXT NOT NULL REFERENCES centres (id) ON DELETE CASCADE ON UPDATE CASCADE,
    check_id TEXT NOT NULL,
    passed INTEGER CHECK (passed IS NULL OR passed IN (0, 1)),
    automatic INTEGER NOT NULL DEFAULT 0 CHECK (automatic IN (0, 1)),
    note TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (centre_id, check_id)
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    centre_id TEXT,
    expert_id TEXT,
    old TEXT,
    new TEXT,
    reason TEXT NOT NULL DEFAULT '',
    extra TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(extra))
);
CREATE INDEX audit_by_centre ON audit (centre_id);
CREATE INDEX audit_by_expert ON audit (expert_id);
CREATE INDEX audit_by_action ON audit (action);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
"""


@_migration(1, "initial")
def _initial(db: sqlite_utils.Database) -> None:
    _run_script(db, _SCHEMA_0001)


_SCHEMA_0002 = """
ALTER TABLE batch ADD COLUMN ca_cert_pem TEXT NOT NULL DEFAULT '';
ALTER TABLE batch ADD COLUMN owner_expert_id TEXT NOT NULL DEFAULT '';
ALTER TABLE experts ADD COLUMN cert_pem TEXT NOT NULL DEFAULT '';
ALTER TABLE experts ADD COLUMN cert_sha256 TEXT;
CREATE UNIQUE INDEX experts_by_cert ON experts (cert_sha256) WHERE cert_sha256 IS NOT NULL;
CREATE TABLE signatures (
    expert_id TEXT NOT NULL,
    centre_id TEXT NOT NULL,
    revision INTEGER NOT NULL CHECK (revision >= 1),
    payload BLOB NOT NULL,
    signature BLOB NOT NULL,
    signed_at TEXT NOT NULL,
    signature_png BLOB,
    voided_at TEXT,
    PRIMARY KEY (expert_id, centre_id, revision)
);
CREATE TABLE exports (
    id INTEGER PRIMARY KEY,
    expert_id TEXT NOT NULL,
    centre_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('xlsx', 'pdf')),
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX exports_by_sheet ON exports (expert_id, centre_id, revision);
"""


@_migration(2, "signing")
def _signing(db: sqlite_utils.Database) -> None:
    """Certificates of the batch CA and of experts; signed payloads; exported files."""
    _run_script(db, _SCHEMA_0002)


_SCHEMA_0003 = """
CREATE TABLE received_sheets (
    id INTEGER PRIMARY KEY,
    expert_id TEXT NOT NULL,
    centre_id TEXT NOT NULL,
    revision INTEGER NOT NULL CHECK (revision >= 1),
    digest TEXT NOT NULL,
    payload BLOB NOT NULL,
    signature BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('current', 'superseded', 'conflict')),
    received_at TEXT NOT NULL,
    UNIQUE (expert_id, centre_id, digest)
);
CREATE INDEX received_by_pair ON received_sheets (expert_id, centre_id, status);
CREATE INDEX received_by_centre ON received_sheets (centre_id);
CREATE TABLE merge_runs (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE TABLE merge_files (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES merge_runs (id),
    path TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN
        ('accepted', 'already_merged', 'superseded', 'conflict', 'refused')),
    reason TEXT NOT NULL DEFAULT '',
    expert_id TEXT NOT NULL DEFAULT '',
    centre_id TEXT NOT NULL DEFAULT '',
    revision INTEGER,
    digest TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX merge_files_by_run ON merge_files (run_id);
"""


@_migration(3, "merge")
def _merge(db: sqlite_utils.Database) -> None:
    """Sheets received from experts (every revision kept) and the log of each merge."""
    _run_script(db, _SCHEMA_0003)


_SCHEMA_0004 = """
CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
WHEN EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
"""


@_migration(4, "audit_no_replace")
def _audit_no_replace(db: sqlite_utils.Database) -> None:
    """INSERT OR REPLACE deletes the row it replaces without firing the delete trigger
    (unless the connection turned on recursive_triggers, which sqlite_utils does and
    another tool need not): refuse an insert onto an existing audit id."""
    _run_script(db, _SCHEMA_0004)


def _run_script(db: sqlite_utils.Database, script: str) -> None:
    """Run statements one by one: ``executescript`` would COMMIT the migration's
    transaction first and leave a half-built schema behind a crash."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            db.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement: {pending!r}")


SCHEMA_VERSION = len(_numbers)
