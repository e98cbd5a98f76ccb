"""Kill -9 while saving scores and while merging: nothing acknowledged is lost, nothing
is half-written (issue #8, item 1).

    python bench/stress_kill.py --kills 1000 --merge-kills 50 [--demo DIR] [--tmp DIR] [--seed N]

Scoring: a child process opens a copy of an expert workspace (its sheets reopened) and
calls ``scoring.record_score`` in a loop, writing ``<centre> <indicator> <value>`` to a
pipe only after the call has returned (committed). The parent sends SIGKILL after a
random delay, then opens the workspace as the program would after a crash and checks:
``PRAGMA integrity_check`` is ok; the new ``score.set`` audit rows begin with exactly the
acknowledged saves, in order, with at most one more (committed in the instant before
the kill); and the scores table equals the scores at the start replayed with every
audit row since. The same workspace goes on to the next kill, so each child also opens
a database left by a killed one.

Merge: a child merges the demo's folder of signed sheets into a fresh copy of the
secretary workspace and is killed, in turn, at a random moment of the run (its length
measured uninterrupted first), just after a random file was applied, and just after the
last one (when the files are committed and the run logged). Then: integrity ok; every received sheet has exactly one merge-log row and
every accepted file its sheet; every current sheet's scores are exactly its payload's
and no other pair has scores; each finished run's logged counts match its rows and a
killed run logged whole chunks or nothing; and merging the folder again completes with
the same scores, sheets and received rows as the uninterrupted merge.

Children are forked (POSIX), so a kill costs milliseconds, not an interpreter start; no
database connection is open in the parent when it forks. The workspace must be on a real
disk for ``synchronous = FULL`` to mean anything: give ``--tmp`` if the temporary folder
is a tmpfs. Without ``--demo`` a demo is built first (``--centres 12 --experts 5``: about
50 sheets, under a minute). Prints the figures and exits 1 if anything was lost.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cmrc_desktop.domain.numbers import plain  # noqa: E402
from cmrc_desktop.domain.workspace import SheetState  # noqa: E402
from cmrc_desktop.services import merge, scoring  # noqa: E402
from cmrc_desktop.services.workspace import open_workspace  # noqa: E402
from cmrc_desktop.signing.payload import SheetPayload  # noqa: E402
from cmrc_desktop.storage import audit, expert_repo, merge_repo, score_repo  # noqa: E402

PASSWORD = "stress-password-1"
CLEARED = "-"            # an acknowledged clearing of a score


# -- demo -------------------------------------------------------------------------------
def build(folder: Path, *, centres: int = 12, experts: int = 5, seed: int = 8) -> Path:
    """A demo whose sheets are signed and exported but not merged."""
    from cmrc_desktop.services.demo import build_demo

    return build_demo(folder, centres=centres, experts=experts, seed=seed,
                      password=PASSWORD, formats=("xlsx",), merge=False, force=True).folder


def scoring_workspace(demo: Path, target: Path) -> tuple[Path, str, list[tuple[str, str]]]:
    """A copy of the demo's first expert workspace with every sheet reopened (a draft):
    (folder, expert, [(centre, indicator)] it may score)."""
    source = sorted((demo / "experts").iterdir())[0]
    shutil.copytree(source, target)
    with open_workspace(target) as ws:
        expert = ws.batch.owner_expert_id
        centres = [c for e, c in expert_repo.list_assignments(ws.db, expert_id=expert)]
        for centre in centres:
            scoring.set_sheet_state(ws, expert, centre, SheetState.DRAFT)
        pairs = [(c, i.id) for c in centres for i in ws.scheme.expert_indicators]
    return target, expert, pairs


# -- forked children ----------------------------------------------------------------------
def _fork(body) -> tuple[int, int]:
    """Run ``body(write_fd)`` in a forked child; (pid, read_fd). The child never returns."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 0
        try:
            os.close(read_fd)
            body(write_fd)
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def _say(fd: int, line: str) -> None:
    os.write(fd, (line + "\n").encode())


def _score_loop(folder: Path, expert: str, pairs: list[tuple[str, str]], seed: int,
                save=scoring.record_score):
    def body(fd: int) -> None:
        rng = random.Random(seed)
        ws = open_workspace(folder)
        _say(fd, "ready")
        while True:
            centre, indicator_id = rng.choice(pairs)
            indicator = ws.scheme.indicator(indicator_id)
            old = score_repo.find_score(ws.db, expert, centre, indicator_id)
            values = [indicator.max - indicator.step * k for k in range(5)
                      if indicator.max - indicator.step * k >= 0] + [None]
            value = rng.choice([v for v in values if old is None or v != old.value])
            save(ws, expert, centre, indicator_id, value)
            _say(fd, f"{centre} {indicator_id} {CLEARED if value is None else plain(value)}")
    return body


def _merge_run(folder: Path, sheets: Path):
    def body(fd: int) -> None:
        with open_workspace(folder) as ws:
            _say(fd, "ready")
            merge.merge_files(ws, [sheets],
                              progress=lambda done, total, name: _say(fd, f"file {done}"))
        _say(fd, "done")
    return body


def _run_and_kill(body, delay: float | None, *, after_line: str | None = None
                  ) -> tuple[list[str], bool]:
    """Start ``body`` in a child, SIGKILL it ``delay`` seconds after it started, or after
    it wrote ``after_line`` (None: let it end); the lines it wrote, and whether it was
    killed before it ended."""
    pid, fd = _fork(body)
    started = None if after_line else time.monotonic()
    chunks: list[bytes] = []
    eof = False
    try:
        while not eof:
            left = None
            if delay is not None and started is not None:
                left = started + delay - time.monotonic()
                if left <= 0:
                    break
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                data = os.read(fd, 65536)
                eof = not data
                chunks.append(data)
                if started is None and f"\n{after_line}\n".encode() in b"\n" + b"".join(chunks):
                    started = time.monotonic()
        if not eof:
            os.kill(pid, signal.SIGKILL)
    finally:
        _, status = os.waitpid(pid, 0)
        while data := os.read(fd, 65536):   # written before it died: acknowledged too
            chunks.append(data)
        os.close(fd)
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    if not killed and os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"the child failed (exit status {status}); see its traceback")
    return b"".join(chunks).decode().splitlines(), killed


# -- scoring ------------------------------------------------------------------------------
def _integrity(ws) -> list[str]:
    return [row[0] for row in ws.db.execute("PRAGMA integrity_check").fetchall()]


def _last_audit_id(ws) -> int:
    return ws.db.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]


def _stored(ws, expert: str) -> dict[tuple[str, str], str]:
    return {(s.centre_id, s.indicator): plain(s.value)
            for s in score_repo.list_scores(ws.db, expert_id=expert) if s.value is not None}


@dataclass
class ScoringFigures:
    kills: int = 0
    kills_before_first_save: int = 0
    acknowledged: int = 0
    committed_unacknowledged: int = 0   # saved in the instant before the kill
    lost: int = 0
    integrity_failures: int = 0
    mismatches: int = 0                 # scores table != scores replayed from the audit log
    problems: list[str] = field(default_factory=list)

    def ok(self) -> bool:
        return not (self.lost or self.integrity_failures or self.mismatches or self.problems)


def score_kills(folder: Path, expert: str, pairs: list[tuple[str, str]], kills: int, *,
                seed: int = 0, max_delay: float = 0.25, save=scoring.record_score,
                report=None) -> ScoringFigures:
    """``kills`` children, each killed after a uniform random delay in [0, max_delay];
    ``save`` stands for ``scoring.record_score`` (tests give a faulty one)."""
    rng = random.Random(seed)
    figures = ScoringFigures()
    with open_workspace(folder) as ws:
        expected = _stored(ws, expert)
        last_id = _last_audit_id(ws)
    for n in range(kills):
        lines, killed = _run_and_kill(
            _score_loop(folder, expert, pairs, rng.randrange(2**32), save),
            rng.uniform(0, max_delay))
        if not killed:
            figures.problems.append(f"kill {n}: the child ended by itself")
            continue
        figures.kills += 1
        acks = [tuple(line.split()) for line in lines if line != "ready"]
        figures.kills_before_first_save += not acks
        figures.acknowledged += len(acks)
        last_id = _check_scores(folder, expert, acks, last_id, expected, figures, n)
        if report:
            report(n + 1, figures)
    return figures


def _check_scores(folder: Path, expert: str, acks: list[tuple], after_id: int,
                  expected: dict, figures: ScoringFigures, n: int) -> int:
    with open_workspace(folder) as ws:
        if _integrity(ws) != ["ok"]:
            figures.integrity_failures += 1
            figures.problems.append(f"kill {n}: integrity_check {_integrity(ws)}")
        saves = [(centre, entity.removeprefix("score:"), new or CLEARED)
                 for centre, entity, new in ws.db.execute(
                     "SELECT centre_id, entity, new FROM audit WHERE action = 'score.set' "
                     "AND expert_id = ? AND id > ? ORDER BY id", [expert, after_id])]
        stored = _stored(ws, expert)
        last_id = _last_audit_id(ws)
    # every acknowledged save has its committed audit row, in the order acknowledged
    figures.lost += sum(1 for k, ack in enumerate(acks) if k >= len(saves) or saves[k] != ack)
    extra = len(saves) - len(acks)
    if extra > 1:
        figures.problems.append(f"kill {n}: {extra} saves committed but not acknowledged")
    figures.committed_unacknowledged += max(extra, 0)
    for centre, indicator, value in saves:
        if value == CLEARED:
            expected.pop((centre, indicator), None)
        else:
            expected[(centre, indicator)] = value
    if stored != expected:
        figures.mismatches += 1
        figures.problems.append(f"kill {n}: scores differ from the audit log: "
                                f"{set(stored.items()) ^ set(expected.items())}")
        expected.clear()
        expected.update(stored)
    return last_id


# -- merge --------------------------------------------------------------------------------
def merge_state(ws) -> dict:
    """What a merge leaves that must not depend on how often it was interrupted."""
    return {
        "scores": sorted((s.expert_id, s.centre_id, s.indicator, plain(s.value)
                          if s.value is not None else None)
                         for s in score_repo.list_scores(ws.db)),
        "sheets": sorted((s.expert_id, s.centre_id, str(s.state), s.revision)
                         for s in score_repo.list_sheets(ws.db)),
        "received": sorted((r.expert_id, r.centre_id, r.revision, r.digest, r.status)
                           for r in merge_repo.list_received(ws.db)),
    }


def merge_problems(ws, total_files: int) -> list[str]:
    """The invariants of a merge log against the rows it describes (empty: all hold)."""
    problems = []
    if _integrity(ws) != ["ok"]:
        problems.append(f"integrity_check: {_integrity(ws)}")
    logged = merge_repo.all_files(ws.db)
    kept = Counter(r.digest for r in logged if r.outcome in (
        merge.ACCEPTED, merge.SUPERSEDED, merge.CONFLICT))
    received = merge_repo.list_received(ws.db)
    if sorted(kept.elements()) != sorted(r.digest for r in received):
        problems.append("received sheets and their merge-log rows differ")
    scored = {(s.expert_id, s.centre_id): {} for s in score_repo.list_scores(ws.db)}
    for s in score_repo.list_scores(ws.db):
        if s.value is not None:
            scored[(s.expert_id, s.centre_id)][s.indicator] = s.value
    for r in received:
        if r.status != "current":
            continue
        payload = SheetPayload.from_bytes(r.payload)
        want = {k: v for k, v in payload.scores.items() if v is not None}
        if scored.pop((r.expert_id, r.centre_id), {}) != want:
            problems.append(f"{r.expert_id}/{r.centre_id}: scores are not the accepted sheet's")
        sheet = score_repo.find_sheet(ws.db, r.expert_id, r.centre_id)
        if sheet is None or (sheet.state, sheet.revision) != (SheetState.SIGNED, r.revision):
            problems.append(f"{r.expert_id}/{r.centre_id}: sheet is not the signed revision")
    if any(scored.values()):
        problems.append(f"scores without an accepted sheet: {sorted(scored)}")
    finished = {e.entity: e for e in audit.entries(ws.db, action="merge.run")}
    for (run_id,) in ws.db.execute("SELECT id FROM merge_runs").fetchall():
        rows = Counter(r.outcome for r in logged if r.run_id == run_id)
        entry = finished.get(f"merge:{run_id}")
        if entry is not None:
            counts = {k: v for k, v in json.loads(entry.new).items() if v}
            if counts != dict(rows):
                problems.append(f"run {run_id}: logged counts {counts} but rows {dict(rows)}")
        elif sum(rows.values()) % merge.CHUNK and sum(rows.values()) != total_files:
            problems.append(f"run {run_id}: killed with {sum(rows.values())} files logged, "
                            "not whole chunks")
    return problems


@dataclass
class MergeFigures:
    files: int = 0
    kills: int = 0
    killed_mid_files: int = 0         # before the last file was checked and applied
    killed_before_commit: int = 0     # nothing of the run in the log
    killed_after_commit: int = 0      # files logged, the run's audit row not yet
    ended_before_kill: int = 0
    seconds_uninterrupted: float = 0.0
    problems: list[str] = field(default_factory=list)

    def ok(self) -> bool:
        return not self.problems


def merge_kills(demo: Path, work: Path, kills: int, *, seed: int = 0,
                report=None) -> MergeFigures:
    sheets = demo / "scoresheets"
    figures = MergeFigures(files=len(merge.collect_files([sheets])))
    reference = work / "reference"
    shutil.copytree(demo / "secretary", reference)
    with open_workspace(reference) as ws:
        assert not score_repo.list_scores(ws.db), "the secretary must start without scores"
    durations = []
    for n in range(3):   # the shortest of three uninterrupted runs: caches warm
        folder = work / f"uninterrupted-{n}"
        shutil.copytree(demo / "secretary", folder)
        started = time.monotonic()
        _run_and_kill(_merge_run(folder, sheets), None)
        durations.append(time.monotonic() - started)
        shutil.rmtree(folder)
    figures.seconds_uninterrupted = took = min(durations)
    _run_and_kill(_merge_run(reference, sheets), None)
    with open_workspace(reference) as ws:
        figures.problems += [f"uninterrupted: {p}" for p in merge_problems(ws, figures.files)]
        want = merge_state(ws)
    rng = random.Random(seed)
    for n in range(kills):
        folder = work / f"merge-{n}"
        shutil.copytree(demo / "secretary", folder)
        # a random moment of the run; just after a random file was applied (uncommitted);
        # just after the last one, when the files are committed and the run logged
        body = _merge_run(folder, sheets)
        if n % 3 == 0:
            lines, killed = _run_and_kill(body, rng.uniform(0, took))
        else:
            end = n % 3 == 2
            lines, killed = _run_and_kill(
                body, rng.uniform(0, 0.008 if end else 0.002),
                after_line=f"file {figures.files if end else rng.randint(1, figures.files)}")
        figures.killed_mid_files += killed and f"file {figures.files}" not in lines
        if not killed:
            figures.ended_before_kill += 1
        else:
            figures.kills += 1
        with open_workspace(folder) as ws:
            logged = len(merge_repo.all_files(ws.db))
            if killed:
                figures.killed_after_commit += bool(logged)
                figures.killed_before_commit += not logged
            figures.problems += [f"kill {n}: {p}" for p in merge_problems(ws, figures.files)]
            again = merge.merge_files(ws, [sheets])
            if again.count(merge.CONFLICT) or again.refused:
                figures.problems.append(f"kill {n}: merging again gave {again.counts}")
            figures.problems += [f"kill {n}, merged again: {p}"
                                 for p in merge_problems(ws, figures.files)]
            if merge_state(ws) != want:
                figures.problems.append(f"kill {n}: merged again, the result differs from "
                                        "an uninterrupted merge")
        shutil.rmtree(folder)
        if report:
            report(n + 1, figures)
    return figures


# -- command line -------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=1000, help="scoring processes killed")
    parser.add_argument("--merge-kills", type=int, default=50, help="merge processes killed")
    parser.add_argument("--demo", type=Path, help="a demo built with --no-merge")
    parser.add_argument("--tmp", type=Path, help="work folder (on a real disk)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--max-delay", type=float, default=0.25,
                        help="longest wait before a scoring kill, seconds")
    args = parser.parse_args(argv)
    if not hasattr(os, "fork"):
        parser.error("needs os.fork and SIGKILL (Linux or macOS)")
    work = Path(tempfile.mkdtemp(prefix="cmrc-kill-", dir=args.tmp))
    demo = args.demo
    if demo is None:
        print("building the demo ...", flush=True)
        demo = build(work / "demo")
    ok = True
    if args.kills:
        folder, expert, pairs = scoring_workspace(demo, work / "scoring")
        started = time.monotonic()

        def progress(n: int, f: ScoringFigures) -> None:
            if n % 100 == 0 or n == args.kills:
                print(f"  {n} kills, {f.acknowledged} scores acknowledged, {f.lost} lost",
                      flush=True)

        f = score_kills(folder, expert, pairs, args.kills, seed=args.seed,
                        max_delay=args.max_delay, report=progress)
        print(f"scoring: kills survived {f.kills}, of them before the first save "
              f"{f.kills_before_first_save}; scores acknowledged {f.acknowledged}, "
              f"committed in the instant before a kill {f.committed_unacknowledged}; "
              f"scores lost {f.lost}; integrity_check failures {f.integrity_failures}; "
              f"scores differing from the audit log {f.mismatches} "
              f"({time.monotonic() - started:.0f} s)")
        for problem in f.problems[:20]:
            print("  PROBLEM", problem)
        ok &= f.ok()
    if args.merge_kills:
        started = time.monotonic()

        def merge_progress(n: int, f: MergeFigures) -> None:
            if n % 10 == 0 or n == args.merge_kills:
                print(f"  {n} merge runs, {len(f.problems)} problems", flush=True)

        m = merge_kills(demo, work, args.merge_kills, seed=args.seed, report=merge_progress)
        print(f"merge of {m.files} files ({m.seconds_uninterrupted:.2f} s uninterrupted): "
              f"kills survived {m.kills} ({m.killed_mid_files} amid the files, "
              f"{m.killed_before_commit} before the commit, {m.killed_after_commit} after it), runs that ended first "
              f"{m.ended_before_kill}; half-merged files, log mismatches and integrity "
              f"failures {len(m.problems)}; merging again matched the uninterrupted merge "
              f"{'every time' if m.ok() else 'NOT every time'} "
              f"({time.monotonic() - started:.0f} s)")
        for problem in m.problems[:20]:
            print("  PROBLEM", problem)
        ok &= m.ok()
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
