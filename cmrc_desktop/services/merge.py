"""Merging returned scoresheets into the secretary workspace (after ODK Central and
HotCRP).

A file is accepted only if it verifies against this batch (``verify_file`` with the
workspace), and its expert is assigned to its centre without a conflict of interest.
Then, per expert and centre:
- the same payload again (as xlsx, as pdf, or both) changes nothing: *already merged*;
- a higher revision supersedes the current one (both kept, audited): *accepted*;
- a lower revision arriving later is kept as superseded and changes nothing;
- the same revision with other content is a *conflict*: neither is used for grading
  until the secretary chooses one (``resolve_conflict``).

Each file is all-or-nothing (a savepoint); files are committed in chunks, and a merge
can always be run again, so a crash loses at most the chunk in flight, never half a
file. The merge log row of a file is written in the same savepoint as its effects.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cmrc_desktop.domain.errors import CmrcError, InputError, NotFoundError
from cmrc_desktop.domain.workspace import Opinion, Score, SheetState
from cmrc_desktop.i18n import _
from cmrc_desktop.services.verify import BatchContext, ChainCache, read_handed_in, verify_file
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.signing.payload import SheetPayload, clean_text
from cmrc_desktop.storage import audit, centre_repo, expert_repo, merge_repo, score_repo

SHEET_SUFFIXES = (".xlsx", ".pdf")
CHUNK = 200          # files per committed transaction
PARALLEL_MIN = 64    # fewer files are verified inline (starting workers costs more)
MAX_WORKERS = 4     # at most; never more than the cores
WORK_BATCH = 16      # files per task sent to a worker
ACCEPTED, ALREADY, SUPERSEDED, CONFLICT, REFUSED = (
    "accepted", "already_merged", "superseded", "conflict", "refused")

Progress = Callable[[int, int, str], bool | None]  # return False to cancel


@dataclass(frozen=True)
class FileOutcome:
    path: Path
    outcome: str
    reason: str = ""
    expert_id: str = ""
    centre_id: str = ""
    revision: int | None = None
    digest: str = ""       # of the signed payload

    @classmethod
    def of(cls, row: merge_repo.MergeFileRow) -> FileOutcome:
        """A row of the merge log, as the merge reported it."""
        return cls(Path(row.path), row.outcome, row.reason, row.expert_id, row.centre_id,
                   row.revision, row.digest)


@dataclass
class MergeReport:
    """Counts of one run; the per-file rows live in the merge log (``files`` reads them),
    so memory does not grow with the number of files merged."""

    ws: Workspace
    run_id: int
    counts: dict[str, int] = field(default_factory=dict)
    cancelled: bool = False

    def count(self, outcome: str) -> int:
        return self.counts.get(outcome, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def files(self) -> list[FileOutcome]:
        return [FileOutcome.of(r) for r in merge_repo.run_files(self.ws.db, self.run_id)]

    @property
    def refused(self) -> int:
        return self.count(REFUSED)


def outcome_label(outcome: str) -> str:
    return {ACCEPTED: _("accepted"), ALREADY: _("already merged"),
            SUPERSEDED: _("superseded"), CONFLICT: _("conflict"),
            REFUSED: _("refused")}[outcome]


def collect_files(paths: Iterable[str | Path], *,
                  suffixes: Iterable[str] = SHEET_SUFFIXES) -> list[Path]:
    """Files and folders (recursively) → the files with ``suffixes`` (sheets unless
    said otherwise; office lock files and hidden files left out), in a stable order."""
    suffixes = frozenset(suffixes)
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            # not only ordinary files: a pipe or a link to a device named .xlsx is listed,
            # to be refused by name, rather than passed over in silence
            found.extend(sorted(p for p in path.rglob("*") if not p.is_dir()
                                and p.suffix.lower() in suffixes
                                and not p.name.startswith(("~$", "."))))
        elif path.exists():
            found.append(path)
        else:
            raise InputError(_("no such file or folder"), file=str(path))
    return found


@dataclass(frozen=True)
class _Checked:
    """A file after reading and verification: what the database step needs."""

    path: Path
    file_sha256: str
    ok: bool
    reason: str = ""
    payload: SheetPayload | None = None   # parsed once, in the worker
    signature: bytes = b""
    note: str = ""                        # said of an accepted file (a clock that is off)


def _check(path: Path, context: BatchContext, cache: ChainCache) -> _Checked:
    """One file read and verified; whatever goes wrong becomes this file's refusal, so
    that one hostile file never stops the others (in a worker process an escaping error
    would end the whole merge)."""
    try:
        data = read_handed_in(path)
    except CmrcError as exc:
        return _Checked(path, "", False, exc.message)
    sha = hashlib.sha256(data).hexdigest()
    try:
        result = verify_file(path, context=context, cache=cache, data=data)
    except Exception as exc:  # noqa: BLE001 - contained: the file is refused, the run goes on
        return _Checked(path, sha, False, _unchecked(exc))
    if not result.ok:
        return _Checked(path, sha, False, result.reason)
    assert result.payload.digest  # computed in the worker, carried along in the pickle
    return _Checked(path, sha, True, payload=result.payload, signature=result.signature,
                    note=result.note)


def _unchecked(exc: BaseException) -> str:
    return _("the file could not be checked ({problem}); it is refused and the other files "
             "are merged").format(problem=type(exc).__name__)


# -- verification in worker processes ------------------------------------------------------
_WORKER: dict = {}


def _worker_init(context: BatchContext, language: str) -> None:
    from cmrc_desktop.i18n import set_language

    set_language(language)
    _WORKER["context"] = context
    _WORKER["cache"] = ChainCache()


def _worker_check(paths: list[Path]) -> list[_Checked]:
    return [_check(p, _WORKER["context"], _WORKER["cache"]) for p in paths]


def _can_fork() -> bool:
    """Worker processes only where forking is safe: POSIX, called from the main thread
    (the command line). The window merges on a worker thread and verifies inline, since
    forking a process whose other threads may hold locks can deadlock the child."""
    import multiprocessing
    import threading

    return ("fork" in multiprocessing.get_all_start_methods()
            and threading.current_thread() is threading.main_thread()
            and (os.cpu_count() or 1) > 1)


def _checked_files(files: list[Path], context: BatchContext) -> Iterator[_Checked]:
    """Files in order, verified: in parallel worker processes for large folders (the
    verification is pure CPU work and independent per file), inline otherwise."""
    if len(files) < PARALLEL_MIN or not _can_fork():
        cache = ChainCache()
        for path in files:
            yield _check(path, context, cache)
        return
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    from cmrc_desktop.i18n import language

    workers = min(MAX_WORKERS, os.cpu_count() or 1)
    batches = [files[i:i + WORK_BATCH] for i in range(0, len(files), WORK_BATCH)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=_worker_init,
                             initargs=(context, language())) as pool:
        pending: deque = deque()
        queue = iter(batches)
        for batch in queue:  # a bounded window keeps memory flat
            pending.append(pool.submit(_worker_check, batch))
            if len(pending) >= 2 * workers:
                break
        while pending:
            done = pending.popleft().result()
            following = next(queue, None)
            if following is not None:
                pending.append(pool.submit(_worker_check, following))
            yield from done


def merge_files(ws: Workspace, paths: Iterable[str | Path], *,
                progress: Progress | None = None) -> MergeReport:
    files = collect_files(paths)
    context = BatchContext.of(ws)
    with ws.db.atomic():
        run_id = merge_repo.start_run(ws.db, ws.actor)
    report = MergeReport(ws, run_id)
    pairs = _Pairs.of(ws)
    checked = _checked_files(files, context)
    try:
        while not report.cancelled:
            chunk = list(itertools.islice(checked, CHUNK))
            if not chunk:
                break
            with ws.db.atomic():
                for item in chunk:
                    outcome = _merge_one(ws, run_id, item, pairs).outcome
                    report.counts[outcome] = report.counts.get(outcome, 0) + 1
                    if progress and progress(report.total, len(files),
                                             item.path.name) is False:
                        report.cancelled = True
                        break
            del chunk  # before the next chunk is read: one chunk in memory at a time
    finally:
        if hasattr(checked, "close"):
            checked.close()
    with ws.db.atomic():
        audit.append(ws.db, actor=ws.actor, action="merge.run", entity=f"merge:{run_id}",
                     new=json.dumps({o: report.count(o) for o in
                                     (ACCEPTED, ALREADY, SUPERSEDED, CONFLICT, REFUSED)}),
                     extra={"files": report.total, "cancelled": report.cancelled})
    return report


@dataclass(frozen=True)
class _Pairs:
    """Assignments and conflicts of interest, read once per merge."""

    assigned: frozenset[tuple[str, str]]
    conflicted: frozenset[tuple[str, str]]
    centre_names: dict[str, str]
    expert_names: dict[str, str]

    @classmethod
    def of(cls, ws: Workspace) -> _Pairs:
        return cls(frozenset(expert_repo.list_assignments(ws.db)),
                   frozenset((c.expert_id, c.centre_id)
                             for c in expert_repo.list_conflicts(ws.db)),
                   {c.id: c.name for c in centre_repo.list_centres(ws.db)},
                   {e.id: e.name for e in expert_repo.list_experts(ws.db)})

    def name_note(self, payload: SheetPayload) -> str:
        """The registered names are the ones used everywhere; a sheet that calls the
        centre or the expert otherwise (a rename after the packages went out, or a client
        that lies) is said, never shown as the name."""
        centre = self.centre_names.get(payload.centre_id)
        if centre is not None and clean_text(centre) != clean_text(payload.centre_name):
            return _("the sheet calls centre {centre} “{named}”; it is registered as "
                     "“{name}”, the name used everywhere").format(
                centre=payload.centre_id, named=payload.centre_name[:60], name=centre)
        expert = self.expert_names.get(payload.expert_id)
        if expert is not None and clean_text(expert) != clean_text(payload.expert_name):
            return _("the sheet calls expert {expert} “{named}”; they are registered as "
                     "“{name}”, the name used everywhere").format(
                expert=payload.expert_id, named=payload.expert_name[:60], name=expert)
        return ""


def _merge_one(ws: Workspace, run_id: int, item: _Checked, pairs: _Pairs) -> FileOutcome:
    try:
        with ws.db.atomic():  # savepoint: the file's effects and its log row, or nothing
            outcome = _outcome(ws, item, pairs)
            _log(ws, run_id, item, outcome)
    except sqlite3.OperationalError:
        raise                 # the disk or the database: the run stops, said by the caller
    except Exception as exc:  # noqa: BLE001 - contained: this file refused, the others merge
        outcome = FileOutcome(item.path, REFUSED, _unchecked(exc))
        with ws.db.atomic():
            _log(ws, run_id, item, outcome)
    return outcome


def _outcome(ws: Workspace, item: _Checked, pairs: _Pairs) -> FileOutcome:
    if not item.ok:
        return FileOutcome(item.path, REFUSED, item.reason)
    outcome = _apply(ws, item.path, item.payload, item.signature, pairs)
    if outcome.outcome in (ACCEPTED, ALREADY):
        notes = [n for n in (outcome.reason, item.note, pairs.name_note(item.payload)) if n]
        outcome = dataclasses.replace(outcome, reason="; ".join(notes))
    return outcome


def _log(ws: Workspace, run_id: int, item: _Checked, outcome: FileOutcome) -> None:
    merge_repo.add_file(ws.db, run_id, path=str(item.path), file_sha256=item.file_sha256,
                        outcome=outcome.outcome, reason=outcome.reason,
                        expert_id=outcome.expert_id, centre_id=outcome.centre_id,
                        revision=outcome.revision, digest=outcome.digest)


def _apply(ws: Workspace, path: Path, payload: SheetPayload, signature: bytes,
           pairs: _Pairs) -> FileOutcome:
    db = ws.db
    e, c, rev = payload.expert_id, payload.centre_id, payload.revision
    digest = payload.digest
    done = _outcome_factory(path, e, c, rev, digest)
    if (e, c) not in pairs.assigned:
        return done(REFUSED, _("expert {expert} is not assigned to centre {centre}").format(
            expert=e, centre=c))
    if (e, c) in pairs.conflicted:
        return done(REFUSED, _("expert {expert} has a conflict of interest with centre "
                               "{centre}").format(expert=e, centre=c))
    rows = merge_repo.received_for(db, e, c)
    if any(r.digest == digest for r in rows):
        return done(ALREADY, _("this sheet was merged before"))
    live = [r for r in rows if r.status in ("current", "conflict")]
    top = max((r.revision for r in live), default=0)
    data = payload.canonical()

    def add(status: str) -> None:
        merge_repo.add_received(db, expert_id=e, centre_id=c, revision=rev, digest=digest,
                                payload=data, signature=signature, status=status)

    if rev < top or (not live and rows and rev <= max(r.revision for r in rows)):
        add("superseded")
        audit.append(db, actor=ws.actor, action="merge.superseded", entity="sheet",
                     centre_id=c, expert_id=e, new=digest,
                     reason=f"revision {rev} arrived after revision {top}")
        return done(SUPERSEDED, _("revision {rev} is older than revision {top} already "
                                  "merged; kept, not used").format(rev=rev, top=top))
    if rev == top:
        for r in live:
            merge_repo.set_status(db, r.id, "conflict")
        add("conflict")
        _clear_sheet(ws, e, c)
        audit.append(db, actor=ws.actor, action="merge.conflict", entity="sheet",
                     centre_id=c, expert_id=e, old=",".join(r.digest for r in live),
                     new=digest, reason=f"two different sheets with revision {rev}")
        return done(CONFLICT, _("another sheet with the same revision {rev} and different "
                                "content was merged before; neither is used until you "
                                "choose").format(rev=rev))
    for r in live:
        merge_repo.set_status(db, r.id, "superseded")
    add("current")
    old = _apply_payload(ws, payload)
    audit.append(db, actor=ws.actor, action="merge.accept", entity="sheet", centre_id=c,
                 expert_id=e, old=",".join(r.digest for r in live) or None, new=digest,
                 extra={"revision": rev, "file": path.name, "changed": old})
    return done(ACCEPTED, _("revision {rev} supersedes revision {top}").format(rev=rev, top=top)
                if live else "")


def _outcome_factory(path: Path, e: str, c: str, rev: int, digest: str):
    def done(outcome: str, reason: str) -> FileOutcome:
        return FileOutcome(path, outcome, reason, e, c, rev, digest)
    return done


def _apply_payload(ws: Workspace, payload: SheetPayload) -> dict[str, list]:
    """Make the payload's scores and opinion the pair's current sheet; returns the scores
    that changed as {indicator: [old, new]} for the audit row."""
    db = ws.db
    e, c = payload.expert_id, payload.centre_id
    before = {s.indicator: s.value for s in score_repo.list_scores(db, expert_id=e,
                                                                   centre_id=c)}
    changed = {ind: [_text(before.get(ind)), _text(value)]
               for ind, value in payload.scores.items() if before.get(ind) != value}
    changed.update({ind: [_text(old), None] for ind, old in before.items()
                    if ind not in payload.scores})
    score_repo.replace_sheet(
        db, e, c,
        scores=[Score(e, c, ind, value, payload.comments.get(ind, ""))
                for ind, value in payload.scores.items()],
        opinion=Opinion(e, c, payload.achievements, payload.problems,
                        payload.recommendations),
        state=SheetState.SIGNED, revision=payload.revision)
    return changed


def _text(value) -> str | None:
    return None if value is None else str(value)


def _clear_sheet(ws: Workspace, expert_id: str, centre_id: str) -> None:
    """A pair in conflict has no scores for grading until the secretary decides."""
    score_repo.clear_scores(ws.db, expert_id, centre_id)


def resolve_conflict(ws: Workspace, expert_id: str, centre_id: str, digest_prefix: str,
                     reason: str) -> None:
    """The secretary's explicit choice between conflicting sheets, audited."""
    if not reason.strip():
        raise InputError(_("choosing between conflicting sheets needs a reason"),
                         field="reason")
    db = ws.db
    with db.atomic():
        rows = [r for r in merge_repo.received_for(db, expert_id, centre_id)
                if r.status == "conflict"]
        chosen = [r for r in rows if r.digest.startswith(digest_prefix)]
        if not rows:
            raise NotFoundError(_("expert {expert} and centre {centre} have no conflict")
                                .format(expert=expert_id, centre=centre_id))
        if len(chosen) != 1 or not digest_prefix:
            raise InputError(_("give the fingerprint of one of: {choices}").format(
                choices=", ".join(r.digest[:12] for r in rows)), field="choose")
        for r in rows:
            merge_repo.set_status(db, r.id, "current" if r is chosen[0] else "superseded")
        _apply_payload(ws, SheetPayload.from_bytes(chosen[0].payload))
        audit.append(db, actor=ws.actor, action="merge.resolve", entity="sheet",
                     centre_id=centre_id, expert_id=expert_id,
                     old=",".join(r.digest for r in rows), new=chosen[0].digest,
                     reason=reason.strip())


def conflicts(ws: Workspace) -> Iterator[merge_repo.ReceivedSheet]:
    yield from merge_repo.list_received(ws.db, status="conflict")
