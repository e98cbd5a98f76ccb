"""What the secretary sees of returned scoresheets besides the merge itself
(``services.merge``): the report of the latest merge, that report as a file, and each
pair in conflict with its competing sheets side by side, so that choosing one is an
informed decision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from cmrc_desktop.exchange.table_file import Stopped, write_table
from cmrc_desktop.i18n import _
from cmrc_desktop.services import merge
from cmrc_desktop.services.merge import FileOutcome, outcome_label
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.signing.payload import SheetPayload
from cmrc_desktop.storage import centre_repo, expert_repo, merge_repo

Progress = Callable[[int, int, str], bool | None]   # return False to cancel


# -- the merge report ---------------------------------------------------------------------
@dataclass(frozen=True)
class MergeRun:
    run_id: int | None          # None: nothing was ever merged
    at: str                     # when its first file was merged (UTC), "" when empty
    files: tuple[FileOutcome, ...]
    cancelled: bool = False     # known only to the one who ran it


def merge_run(ws: Workspace, run_id: int | None = None, *, cancelled: bool = False
              ) -> MergeRun:
    """The files of merge ``run_id`` (by default the latest) and what became of each,
    from the merge log."""
    rows = merge_repo.run_files(ws.db, run_id)
    files = tuple(FileOutcome.of(r) for r in rows)
    if rows:
        run_id = rows[0].run_id
    return MergeRun(run_id, rows[0].at if rows else "", files, cancelled)


def report_header() -> tuple[str, ...]:
    return (_("File"), _("Outcome"), _("Expert"), _("Centre"), _("Revision"), _("Reason"),
            _("Fingerprint"), _("Folder"))


def report_row(item: FileOutcome) -> tuple[str, ...]:
    return (item.path.name, outcome_label(item.outcome), item.expert_id, item.centre_id,
            "" if item.revision is None else str(item.revision), item.reason, item.digest,
            str(item.path.parent))


def export_report(files: Sequence[FileOutcome], path: str | Path, *,
                  progress: Progress | None = None) -> int | None:
    """Write the report (CSV with a BOM, or xlsx by the name); returns the rows written,
    or None when ``progress`` answered False (then no file is written)."""
    name = Path(path).name

    def tick(done: int) -> bool:
        return progress is None or progress(done, len(files), name) is not False

    try:
        written = write_table(path, report_header(), (report_row(f) for f in files),
                              title=_("Merge report"), tick=tick)
    except Stopped:
        return None
    if progress is not None:
        progress(written, len(files), name)
    return written


# -- conflicts ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CompetingSheet:
    digest: str
    revision: int
    received_at: str
    signed_at: str
    files: tuple[str, ...]            # names of the files it arrived in
    points: Decimal                   # sum of the expert's scores on it
    scored: int                       # indicators with a score
    differs: tuple[str, ...]          # indicators scored otherwise on another sheet
    opinion_differs: bool

    @property
    def fingerprint(self) -> str:
        """The short form of the digest people compare (as ``cmrc resolve`` takes it)."""
        return self.digest[:12]


@dataclass(frozen=True)
class ConflictPair:
    expert_id: str
    expert_name: str
    centre_id: str
    centre_name: str
    sheets: tuple[CompetingSheet, ...]

    @property
    def key(self) -> str:
        return f"{self.centre_id}/{self.expert_id}"


def conflict_pairs(ws: Workspace) -> list[ConflictPair]:
    """Every expert × centre pair whose sheets are in conflict, by centre and expert."""
    db = ws.db
    grouped: dict[tuple[str, str], list[merge_repo.ReceivedSheet]] = {}
    for received in merge.conflicts(ws):
        grouped.setdefault((received.centre_id, received.expert_id), []).append(received)
    if not grouped:
        return []
    centres = {c.id: c.name for c in centre_repo.list_centres(db)}
    experts = {e.id: e.name for e in expert_repo.list_experts(db)}
    files: dict[str, list[str]] = {}
    for f in merge_repo.all_files(db):
        if f.digest and f.outcome in (merge.ACCEPTED, merge.CONFLICT, merge.ALREADY):
            names = files.setdefault(f.digest, [])
            if Path(f.path).name not in names:
                names.append(Path(f.path).name)
    pairs = []
    for (centre_id, expert_id), rows in sorted(grouped.items()):
        payloads = [SheetPayload.from_bytes(r.payload) for r in rows]
        sheets = []
        for r, p in zip(rows, payloads, strict=True):
            others = [o for o in payloads if o is not p]
            differs = sorted({ind for o in others
                              for ind in set(p.scores) | set(o.scores)
                              if p.scores.get(ind) != o.scores.get(ind)})
            opinion = (p.achievements, p.problems, p.recommendations)
            sheets.append(CompetingSheet(
                r.digest, r.revision, r.received_at, p.signed_at,
                tuple(files.get(r.digest, ())),
                sum((v for v in p.scores.values() if v is not None), Decimal(0)),
                sum(1 for v in p.scores.values() if v is not None), tuple(differs),
                any((o.achievements, o.problems, o.recommendations) != opinion
                    for o in others)))
        pairs.append(ConflictPair(expert_id, experts.get(expert_id, ""), centre_id,
                                  centres.get(centre_id, ""), tuple(sheets)))
    return pairs


def resolve(ws: Workspace, pair: ConflictPair, chosen: CompetingSheet, reason: str) -> None:
    """Use ``chosen`` for the pair (the others are kept, superseded); audited with the
    reason, which must not be empty."""
    merge.resolve_conflict(ws, pair.expert_id, pair.centre_id, chosen.digest, reason)
