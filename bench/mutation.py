"""Mutation testing of the rule code, with no dependency beyond pytest (issue #14, part 7).

A test suite that passes says little about whether it would notice a wrong rule. This
script makes small wrong versions of a module ("mutants": ``<`` for ``<=``, ``and`` for
``or``, ``max`` for ``min``, a dropped ``sort_keys=True``, ...), runs the chosen tests
against each, and counts the mutants the tests notice (*killed*) and those they do not
(*survived*). Every survivor is either a missing test or an *equivalent* mutant (one that
cannot change behaviour); equivalents are listed, with a reason, in an equivalents file
so the score can be read without them.

    .venv/bin/python bench/mutation.py cmrc_desktop/scoring/grading.py \\
        --functions _centre_totals,_assign_grades --tests tests/unit/scoring

The working tree is never written: ``cmrc_desktop``, ``tests``, ``resources`` and
``pyproject.toml`` are copied into a temporary folder per run (one copy per job), the
mutants are written there, one at a time per copy, and the copy's file is restored (and
its hash checked) after every mutant, also on Ctrl-C or an error. Other people may edit
the working tree meanwhile; a run sees the snapshot it copied at its start. If that
snapshot does not pass the tests unmutated, the run stops and says so (retry later).

Mutants are made on the syntax tree and spliced into the source text at their exact
position, so the rest of the file keeps its bytes (and line numbers). Left alone:
docstrings, annotations, f-strings, messages given to ``_()`` and the arguments of
``raise`` (messages, not rules; removing the ``raise`` itself is a mutant).
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COPIED = ("cmrc_desktop", "tests", "resources", "pyproject.toml")
DEFAULT_EQUIVALENTS = REPO / "bench" / "mutation_equivalents.txt"

_CMP = {ast.Lt: (ast.LtE, ast.Gt), ast.LtE: (ast.Lt, ast.GtE), ast.Gt: (ast.GtE, ast.Lt),
        ast.GtE: (ast.Gt, ast.LtE), ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,),
        ast.In: (ast.NotIn,), ast.NotIn: (ast.In,), ast.Is: (ast.IsNot,),
        ast.IsNot: (ast.Is,)}
_BIN = {ast.Add: (ast.Sub,), ast.Sub: (ast.Add,), ast.Mult: (ast.Div,), ast.Div: (ast.Mult,),
        ast.FloorDiv: (ast.Div,), ast.Mod: (ast.FloorDiv,), ast.Pow: (ast.Mult,)}
_BOOL = {ast.And: ast.Or, ast.Or: ast.And}
_NAMES = {"min": "max", "max": "min", "any": "all", "all": "any"}


@dataclass
class Mutant:
    index: int
    path: str                 # relative to the tree
    function: str             # qualified: Class.method.inner
    line: int
    kind: str
    original: str             # short display of the code before
    mutant: str               # and after
    start: int = 0            # byte offsets of the replaced text in the file
    end: int = 0
    replacement: str = ""
    status: str = ""          # killed | survived | timeout | error | equivalent-killed
    seconds: float = 0.0
    equivalent: str = ""      # the reason, when listed as equivalent
    killed_by: str = ""       # the first failing test (pytest's summary), when killed
    flaky: str = ""           # a failure seen once that did not happen again

    def key(self) -> tuple[str, str, str, str]:
        return (self.path, self.function, self.original, self.mutant)

    def describe(self) -> str:
        return (f"{self.path}:{self.line} {self.function}: "
                f"{self.original} \u2192 {self.mutant}")


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


class _Generator:
    """Walks a module and proposes mutants inside the selected functions."""

    def __init__(self, source: bytes, path: str, functions: set[str] | None,
                 strings: bool) -> None:
        self.source = source
        self.path = path
        self.functions = functions
        self.strings = strings
        self.tree = ast.parse(source)
        # a constant given as a keyword argument is shown as "name=value", another in
        # the expression around it
        self.keyword_of = {id(k.value): k.arg for k in ast.walk(self.tree)
                           if isinstance(k, ast.keyword) and k.arg is not None}
        self.parent_of = {id(child): parent for parent in ast.walk(self.tree)
                          for child in ast.iter_child_nodes(parent)}
        starts, offset = [], 0
        for line in source.splitlines(keepends=True):
            starts.append(offset)
            offset += len(line)
        starts.append(offset)
        self.line_starts = starts
        self.found: list[Mutant] = []

    # positions -----------------------------------------------------------------------
    def _span(self, node: ast.AST) -> tuple[int, int]:
        # col_offset counts UTF-8 bytes, so the splice is done on bytes
        return (self.line_starts[node.lineno - 1] + node.col_offset,
                self.line_starts[node.end_lineno - 1] + node.end_col_offset)

    def _add(self, scope: str, node: ast.AST, kind: str, replacement: str, original: str,
             mutant: str, expression: bool = True) -> None:
        start, end = self._span(node)
        text = f"({replacement})" if expression else replacement
        self.found.append(Mutant(0, self.path, scope, node.lineno, kind, _short(original),
                                 _short(mutant), start, end, text))

    # walking ---------------------------------------------------------------------------
    def run(self) -> list[Mutant]:
        self._visit(self.tree, "", self.functions is None, False)
        candidates, seen = [], set()
        for m in sorted(self.found, key=lambda m: (m.start, m.end, m.kind, m.replacement)):
            if (m.start, m.end, m.replacement) in seen:
                continue
            seen.add((m.start, m.end, m.replacement))
            new = self.source[:m.start] + m.replacement.encode() + self.source[m.end:]
            try:
                compile(new, self.path, "exec")
            except SyntaxError:
                continue
            candidates.append(m)
        seen_keys: Counter = Counter()
        for n, m in enumerate(candidates, 1):
            m.index = n
            seen_keys[m.key()] += 1
            if seen_keys[m.key()] > 1:   # told apart by their order in the function
                m.original = f"{m.original} #{seen_keys[m.key()]}"
        return candidates

    def _selected(self, qualname: str) -> bool:
        assert self.functions is not None
        return qualname in self.functions or qualname.rsplit(".", 1)[-1] in self.functions

    def _visit(self, node: ast.AST, scope: str, active: bool, quiet: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            qual = f"{scope}.{node.name}" if scope else node.name
            inner_active = active or (self.functions is not None and self._selected(qual))
            if isinstance(node, ast.ClassDef):
                inner_active = active  # a class selects nothing by itself
            body = node.body
            for name, value in ast.iter_fields(node):
                if name in ("returns", "type_comment", "type_params"):
                    continue
                if name == "decorator_list":
                    for d in value:
                        self._visit(d, scope, active, quiet)
                    continue
                if name == "args":
                    self._visit(value, qual, inner_active, True)
                    continue
                if name == "body":
                    self._visit_block(body, qual, inner_active, quiet, docstring=True,
                                      tail=True)
                    continue
                self._children(value, qual, inner_active, quiet)
            return
        if isinstance(node, ast.Module):
            self._visit_block(node.body, scope, active, quiet, docstring=True)
            return
        if isinstance(node, ast.JoinedStr):
            return  # f-strings: messages and formats, not rules
        if isinstance(node, ast.arg):
            return  # parameter annotations
        if isinstance(node, ast.AnnAssign):
            self._visit(node.target, scope, active, quiet)
            if node.value is not None:
                self._visit(node.value, scope, active, quiet)
            return
        if active and not quiet:
            self._mutate(node, scope)
        if isinstance(node, ast.Raise):
            quiet = True   # its message and exception type are not rules
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "_":
            return         # a translated message
        for name, value in ast.iter_fields(node):
            if name in ("body", "orelse", "finalbody", "handlers") and isinstance(value, list) \
                    and value and isinstance(value[0], ast.AST) \
                    and isinstance(value[0], ast.stmt):
                self._visit_block(value, scope, active, quiet, docstring=False)
            else:
                self._children(value, scope, active, quiet)

    def _children(self, value, scope: str, active: bool, quiet: bool) -> None:
        if isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST):
                    self._visit(item, scope, active, quiet)
        elif isinstance(value, ast.AST):
            self._visit(value, scope, active, quiet)

    def _visit_block(self, body: list[ast.stmt], scope: str, active: bool, quiet: bool,
                     docstring: bool, tail: bool = False) -> None:
        """``tail``: the function's own body, whose last return cannot be removed (that is
        the same as returning None, already a mutant)."""
        for i, stmt in enumerate(body):
            if docstring and i == 0 and isinstance(stmt, ast.Expr) \
                    and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                continue
            last = tail and i == len(body) - 1
            if active and not quiet and isinstance(stmt, ast.Return) and not last:
                self._add(scope, stmt, "remove-return", "pass",
                          ast.unparse(stmt), "(removed)", expression=False)
            self._visit(stmt, scope, active, quiet)

    # the mutations ---------------------------------------------------------------------
    def _mutate(self, node: ast.AST, scope: str) -> None:
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                for new_op in _CMP.get(type(op), ()):
                    new = copy.deepcopy(node)
                    new.ops[i] = new_op()
                    self._add(scope, node, "compare", ast.unparse(new), ast.unparse(node),
                              ast.unparse(new))
        elif isinstance(node, ast.BoolOp):
            new = copy.deepcopy(node)
            new.op = _BOOL[type(node.op)]()
            self._add(scope, node, "boolean", ast.unparse(new), ast.unparse(node),
                      ast.unparse(new))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
            operand = ast.unparse(node.operand)
            self._add(scope, node, "unary", operand, ast.unparse(node), operand)
        elif isinstance(node, ast.BinOp):
            for new_op in _BIN.get(type(node.op), ()):
                new = copy.deepcopy(node)
                new.op = new_op()
                self._add(scope, node, "arithmetic", ast.unparse(new), ast.unparse(node),
                          ast.unparse(new))
        elif isinstance(node, ast.AugAssign):
            for new_op in _BIN.get(type(node.op), ()):
                new = copy.deepcopy(node)
                new.op = new_op()
                self._add(scope, node, "arithmetic", ast.unparse(new), ast.unparse(node),
                          ast.unparse(new), expression=False)
        elif isinstance(node, ast.Constant):
            self._constant(node, scope)
        elif isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            self._add(scope, node, "return-none", "return None", ast.unparse(node),
                      "return None", expression=False)
        elif isinstance(node, ast.Raise):
            self._add(scope, node, "remove-raise", "pass", ast.unparse(node), "(removed)",
                      expression=False)
        elif isinstance(node, ast.Call):
            self._call(node, scope)
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            for bound in ("lower", "upper"):
                if getattr(node.slice, bound) is not None:
                    new = copy.deepcopy(node)
                    setattr(new.slice, bound, None)
                    self._add(scope, node, "slice", ast.unparse(new), ast.unparse(node),
                              ast.unparse(new))

    def _constant(self, node: ast.Constant, scope: str) -> None:
        value = node.value
        if isinstance(value, bool):
            news = [not value]
        elif isinstance(value, (int, float)):
            news = [value + 1, value - 1]
        elif isinstance(value, str) and self.strings:
            news = ["" if value else "x"]
        else:
            return
        for new in news:
            before, after = self._shown(node, new)
            self._add(scope, node, "constant", repr(new), before, after)

    def _shown(self, node: ast.Constant, new: object) -> tuple[str, str]:
        """How a changed constant is shown: as ``name=value`` for a keyword argument, in
        its expression when that is short (``n == 0`` → ``n == 1``), or alone."""
        if id(node) in self.keyword_of:
            label = self.keyword_of[id(node)] + "="
            return label + repr(node.value), label + repr(new)
        parent = self.parent_of.get(id(node))
        if isinstance(parent, ast.expr) and not isinstance(parent, (ast.Dict, ast.Tuple,
                                                                     ast.List, ast.Set)):
            text = ast.unparse(parent)
            if len(text) <= 60:
                changed = copy.deepcopy(parent)
                for child in ast.walk(changed):
                    if isinstance(child, ast.Constant) and \
                            (child.lineno, child.col_offset) == (node.lineno, node.col_offset):
                        child.value = new
                return text, ast.unparse(changed)
        return repr(node.value), repr(new)

    def _call(self, node: ast.Call, scope: str) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in _NAMES:
            swapped = _NAMES[node.func.id]
            before = ast.unparse(node)
            if len(before) <= 60:
                after = swapped + before[len(node.func.id):]
            else:
                before, after = node.func.id + "(\u2026)", swapped + "(\u2026)"
            self._add(scope, node.func, "name", swapped, before, after, expression=False)
        for i, kw in enumerate(node.keywords):
            if kw.arg is not None and isinstance(kw.value, ast.Constant):
                new = copy.deepcopy(node)
                del new.keywords[i]
                self._add(scope, node, "keyword", ast.unparse(new),
                          f"{kw.arg}={ast.unparse(kw.value)}", "(keyword dropped)")


def generate(source: bytes, path: str, functions: set[str] | None = None,
             strings: bool = True) -> list[Mutant]:
    return _Generator(source, path, functions, strings).run()


# equivalents -------------------------------------------------------------------------------
def read_equivalents(path: Path) -> dict[tuple[str, str, str, str], str]:
    """``path :: function :: original => mutant :: reason`` per line; # starts a comment."""
    found = {}
    if not path.exists():
        return found
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" :: ")]
        if len(parts) != 4 or " => " not in parts[2]:
            raise SystemExit(f"{path}:{number}: expected "
                             "'path :: function :: original => mutant :: reason'")
        original, mutant = (p.strip() for p in parts[2].split(" => ", 1))
        found[(parts[0], parts[1], original, mutant)] = parts[3]
    return found


# running -----------------------------------------------------------------------------------
@dataclass
class _Copy:
    root: Path
    module: Path
    original: bytes
    digest: str
    process: subprocess.Popen | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def _copy_tree(source: Path, target: Path) -> None:
    target.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis", ".pytest_cache", "*.pyc")
    for name in COPIED:
        item = source / name
        if item.is_dir():
            shutil.copytree(item, target / name, ignore=ignore, symlinks=True)
        elif item.exists():
            shutil.copy2(item, target / name)


def _forget_bytecode(module: Path) -> None:
    # a mutant of the same size written in the same second would otherwise be run from
    # the previous mutant's cached bytecode (pyc validity is mtime + size)
    cache = module.parent / "__pycache__"
    for pyc in cache.glob(module.stem + ".*.pyc") if cache.is_dir() else ():
        pyc.unlink(missing_ok=True)


class Runner:
    def __init__(self, tests: list[str], pytest_args: list[str], timeout: float | None,
                 python: str) -> None:
        self.tests = tests
        self.pytest_args = pytest_args
        self.timeout = timeout
        self.python = python
        self.stop = threading.Event()
        self.confirm = True
        self.copies: list[_Copy] = []

    def command(self, root: Path, tests: list[str] | None = None) -> list[str]:
        return [self.python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                "--hypothesis-seed=0", f"--basetemp={root / '.private' / 'pytest'}",
                *self.pytest_args, *(tests or self.tests)]

    def env(self, root: Path) -> dict[str, str]:
        """Each copy has its own home, settings and temporary folders: test runs of two
        jobs (or someone else's tests) must not see each other's files."""
        private = root / ".private"
        dirs = {"HOME": private / "home", "XDG_CONFIG_HOME": private / "config",
                "XDG_DATA_HOME": private / "data", "XDG_CACHE_HOME": private / "cache",
                "TMPDIR": private / "tmp"}
        for folder in dirs.values():
            folder.mkdir(parents=True, exist_ok=True)
        return {**os.environ, **{k: str(v) for k, v in dirs.items()},
                "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen",
                "PYTHONHASHSEED": "0", "CMRC_LANG": "en"}

    def run_tests(self, c: _Copy, timeout: float | None, tests: list[str] | None = None
                  ) -> tuple[str, float, str]:
        shutil.rmtree(c.root / ".hypothesis", ignore_errors=True)
        _forget_bytecode(c.module)
        started = time.monotonic()
        with c.lock:
            if self.stop.is_set():
                return "stopped", 0.0, ""
            c.process = subprocess.Popen(self.command(c.root, tests), cwd=c.root,
                                         env=self.env(c.root),
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        try:
            out, _err = c.process.communicate(timeout=timeout)
            code = c.process.returncode
        except subprocess.TimeoutExpired:
            _kill(c.process)
            c.process.communicate()
            return "timeout", time.monotonic() - started, ""
        finally:
            with c.lock:
                c.process = None
        seconds = time.monotonic() - started
        text = out.decode("utf-8", "replace")
        if self.stop.is_set():
            return "stopped", seconds, text
        if code == 0:
            return "survived", seconds, text
        if code == 5:
            return "error", seconds, text   # no test collected: the selection is wrong
        return "killed", seconds, text

    def try_mutant(self, c: _Copy, m: Mutant) -> None:
        mutated = c.original[:m.start] + m.replacement.encode() + c.original[m.end:]
        try:
            c.module.write_bytes(mutated)
            m.status, m.seconds, out = self.run_tests(c, self.timeout)
            if m.status == "killed":
                m.killed_by = _first_failure(out)
                if self.confirm:
                    self._confirm(c, m)
        finally:
            c.module.write_bytes(c.original)
            _forget_bytecode(c.module)
            restored = hashlib.sha256(c.module.read_bytes()).hexdigest()
            if restored != c.digest:  # never expected; stop rather than test a wrong file
                self.stop.set()
                raise RuntimeError(f"{c.module} was not restored")

    def _confirm(self, c: _Copy, m: Mutant) -> None:
        """A kill counts when it happens again: the failing test alone first (cheap), else
        the whole selection once more. A test that failed once and then passed twice
        (a time limit under load, say) is reported as flaky and the mutant as survived."""
        nodeid = m.killed_by.split(" ", 1)[1] if m.killed_by.startswith(
            ("FAILED ", "ERROR ")) else ""
        if nodeid and self.run_tests(c, self.timeout, [nodeid])[0] == "killed":
            return
        again, _seconds, out = self.run_tests(c, self.timeout)
        if again in ("survived", "error"):
            m.status, m.flaky = again, m.killed_by
        elif again == "killed":
            m.killed_by = _first_failure(out)

    def kill_all(self) -> None:
        self.stop.set()
        for c in self.copies:
            with c.lock:
                if c.process is not None:
                    _kill(c.process)


def _first_failure(out: str) -> str:
    """The test pytest names first in its short summary (FAILED/ERROR), if any."""
    for line in out.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            return line.split(" - ")[0][:200]
    return out.strip().splitlines()[-1][:200] if out.strip() else ""


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _work(runner: Runner, c: _Copy, queue: Iterator[Mutant], lock: threading.Lock,
          done: list[Mutant], total: int, errors: list[BaseException]) -> None:
    try:
        while not runner.stop.is_set():
            with lock:
                m = next(queue, None)
            if m is None:
                return
            runner.try_mutant(c, m)
            if m.status == "stopped":
                return
            with lock:
                done.append(m)
                print(f"[{len(done)}/{total}] {m.status:<8} {m.describe()} "
                      f"({m.seconds:.1f}s){'  ' + m.killed_by if m.killed_by else ''}",
                      flush=True)
    except BaseException as exc:  # reported by the main thread
        errors.append(exc)
        runner.stop.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("module", help="file to mutate, relative to the tree "
                        "(e.g. cmrc_desktop/scoring/grading.py)")
    parser.add_argument("--tests", nargs="+", default=[],
                        help="pytest selection, relative to the tree (required unless --list)")
    parser.add_argument("--functions", default="",
                        help="comma-separated function names (or Class.method) to mutate; "
                        "functions nested in them are included; default: the whole module")
    parser.add_argument("--tree", type=Path, default=REPO, help="checkout to copy (default: "
                        "this one)")
    parser.add_argument("--jobs", type=int, default=1, help="parallel copies (default 1)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds per mutant (default: 3 x the unmutated run + 30)")
    parser.add_argument("--no-strings", action="store_true",
                        help="do not mutate string constants")
    parser.add_argument("--lines", default="", help="only mutants on these lines, e.g. 120-140")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--equivalents", type=Path, default=DEFAULT_EQUIVALENTS,
                        help="reviewed equivalent mutants (default: "
                        "bench/mutation_equivalents.txt)")
    parser.add_argument("--json", type=Path, help="write every mutant and its outcome here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies")
    parser.add_argument("--no-confirm", action="store_true",
                        help="count a kill without running the failing test again")
    parser.add_argument("pytest_args", nargs="*", help="after --: extra pytest arguments")
    args = parser.parse_args(argv)
    if not args.tests and not args.list:
        parser.error("--tests is required (unless --list)")

    tree = args.tree.resolve()
    rel = Path(args.module)
    if rel.is_absolute():
        rel = rel.resolve().relative_to(tree)
    functions = {f.strip() for f in args.functions.split(",") if f.strip()} or None
    workdir = Path(tempfile.mkdtemp(prefix="cmrc-mutation-"))
    runner = Runner(args.tests, args.pytest_args, args.timeout, sys.executable)
    runner.confirm = not args.no_confirm
    previous_term = signal.signal(signal.SIGTERM, _interrupt)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started
    # in the background, where the shell ignores Ctrl-C
    try:
        # one snapshot of the tree; the other jobs copy the snapshot, not the live tree
        first = workdir / "job0"
        _copy_tree(tree, first)
        source = (first / rel).read_bytes()
        mutants = generate(source, rel.as_posix(), functions, strings=not args.no_strings)
        if functions:
            seen = {part for m in mutants for part in m.function.split(".")} | {
                m.function for m in mutants}
            missing = functions - seen
            if missing:
                print(f"no mutant in: {', '.join(sorted(missing))} (misspelt?)",
                      file=sys.stderr)
        if args.lines:
            low, _sep, high = args.lines.partition("-")
            mutants = [m for m in mutants if int(low) <= m.line <= int(high or low)]
        if args.list:
            for m in mutants:
                print(f"{m.index:4} {m.kind:<13} {m.describe()}")
            print(f"{len(mutants)} mutants")
            return 0
        if not mutants:
            print("no mutants", file=sys.stderr)
            return 2

        digest = hashlib.sha256(source).hexdigest()
        runner.copies.append(_Copy(first, first / rel, source, digest))
        print(f"snapshot of {tree} in {workdir}; {len(mutants)} mutants of {rel}", flush=True)
        status, seconds, out = runner.run_tests(runner.copies[0], None)
        if status != "survived":
            print(f"the unmutated tests do not pass ({status}); the tree may be mid-edit, "
                  f"retry later:\n{out[-3000:]}", file=sys.stderr)
            return 3
        if runner.timeout is None:
            runner.timeout = 3 * seconds + 30
        print(f"unmutated run: {seconds:.1f}s, timeout per mutant {runner.timeout:.0f}s",
              flush=True)
        for job in range(1, max(1, args.jobs)):
            root = workdir / f"job{job}"
            shutil.copytree(first, root, ignore=shutil.ignore_patterns(
                "__pycache__", ".hypothesis", ".private"))
            runner.copies.append(_Copy(root, root / rel, source, digest))

        queue, lock, done, errors = iter(mutants), threading.Lock(), [], []
        threads = [threading.Thread(target=_work, args=(runner, c, queue, lock, done,
                                                        len(mutants), errors), daemon=True)
                   for c in runner.copies]
        for t in threads:
            t.start()
        try:
            while any(t.is_alive() for t in threads):
                for t in threads:
                    t.join(0.2)
        except KeyboardInterrupt:
            print("interrupted: stopping the running tests and restoring the copies",
                  file=sys.stderr)
            runner.kill_all()
            for t in threads:
                t.join()
            return 130
        if errors:
            raise errors[0]
        return _report(mutants, read_equivalents(args.equivalents), args.json)
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        signal.signal(signal.SIGINT, previous_int)
        runner.kill_all()
        for c in runner.copies:   # the copies too are left as they were made
            if c.module.exists() and hashlib.sha256(c.module.read_bytes()).hexdigest() \
                    != c.digest:
                c.module.write_bytes(c.original)
        if args.keep:
            print(f"copies kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _interrupt(signum, frame):  # SIGTERM behaves as Ctrl-C: stop and clean up
    raise KeyboardInterrupt


def _report(mutants: list[Mutant], equivalents: dict, json_path: Path | None) -> int:
    for m in mutants:
        reason = equivalents.get(m.key())
        if reason is not None:
            m.equivalent = reason
    counts = Counter(m.status for m in mutants)
    killed = counts["killed"] + counts["timeout"]
    survivors = [m for m in mutants if m.status == "survived"]
    equivalent = [m for m in survivors if m.equivalent]
    wrongly = [m for m in mutants if m.equivalent and m.status != "survived"]
    counted = len(mutants) - len(equivalent) - counts["error"]
    print()
    by_function: dict[str, Counter] = defaultdict(Counter)
    for m in mutants:
        by_function[m.function or "<module>"][m.status] += 1
    for name, c in sorted(by_function.items()):
        print(f"  {name:<40} killed {c['killed'] + c['timeout']:>3} / {sum(c.values()):>3}")
    print(f"\n{len(mutants)} mutants: {counts['killed']} killed, {counts['timeout']} timed out, "
          f"{len(survivors)} survived ({len(equivalent)} listed as equivalent), "
          f"{counts['error']} errors")
    raw = killed / max(1, len(mutants) - counts["error"])
    score = killed / max(1, counted)
    print(f"mutation score {100 * raw:.1f}% "
          f"(without the listed equivalents: {100 * score:.1f}%)")
    if equivalent:
        print("\nequivalent (listed):")
        for m in equivalent:
            print(f"  {m.describe()}  -- {m.equivalent}")
    live = [m for m in survivors if not m.equivalent]
    if live:
        print("\nsurvived:")
        for m in live:
            print(f"  {m.describe()}")
            print(f"      {m.path} :: {m.function} :: {m.original} => {m.mutant} :: ?")
    for m in wrongly:
        print(f"note: listed as equivalent but {m.status}: {m.describe()}")
    for m in mutants:
        if m.flaky:
            print(f"note: flaky test, failed once then passed: {m.flaky} "
                  f"(with {m.describe()})")
    paths = {m.path for m in mutants}
    functions = {m.function for m in mutants}
    known = {m.key() for m in mutants}
    for key in equivalents:
        if key[0] in paths and key[1] in functions and key not in known:
            print(f"note: listed as equivalent, no such mutant (changed code?): "
                  f"{' :: '.join(key)}")
    for m in mutants:
        if m.status == "error":
            print(f"error (no test ran): {m.describe()}")
    if json_path:
        json_path.write_text(json.dumps(
            {"score": score, "raw_score": raw, "counts": dict(counts),
             "mutants": [{k: v for k, v in asdict(m).items()
                          if k not in ("start", "end")} for m in mutants]},
            ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
