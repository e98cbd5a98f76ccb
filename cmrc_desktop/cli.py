"""The ``cmrc`` command: the window's twin over the same services.

Exit status (DESIGN.md): 0 success; 1 the inputs were read but something was refused;
2 bad usage or unreadable input. Errors are one plain line each on stderr, in the
user's language; a traceback reaches the user only with ``CMRC_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from cmrc_desktop import __version__
from cmrc_desktop.disk_faults import disk_fault
from cmrc_desktop.domain.errors import CmrcError, InputError, os_error_text
from cmrc_desktop.i18n import _, set_language

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a translated one-line message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(_("{prog}: error: {message}").format(prog=self.prog, message=message)
                         + "\n")
        raise SystemExit(EXIT_USAGE)


def _emit(data: bytes, out: str | None) -> None:
    """Write the finished output to ``out`` (atomically) or to stdout."""
    if out:
        from cmrc_desktop.exchange.atomic_file import write_bytes_atomic

        try:
            write_bytes_atomic(out, data)
        except OSError as exc:
            raise CmrcError(_("cannot write the file: {reason}").format(reason=exc.strerror),
                            file=out) from None
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


# -- scheme -------------------------------------------------------------------------------
def cmd_scheme_check(args: argparse.Namespace) -> int:
    from cmrc_desktop.scoring.builtin import catalog
    from cmrc_desktop.scoring.scheme_loader import load_scheme_file

    status = EXIT_OK
    for path in args.files:
        try:
            scheme = load_scheme_file(path)
        except CmrcError as exc:
            for line in str(exc).splitlines():
                print(line, file=sys.stderr)
            status = EXIT_USAGE
            continue
        known = set(catalog().metric_ids)
        used = {m for i in scheme.indicators for m in (*i.evidence, i.source_metric or "") if m}
        used |= {c.metric for c in scheme.checks if c.metric}
        for metric in sorted(used - known):
            print(_("{file}: warning: metric '{metric}' is not in the catalogue; centres "
                    "cannot report it").format(file=path, metric=metric), file=sys.stderr)
        print(_("{file}: OK — {id} {name}, {n} indicators in {d} dimensions, total {total}")
              .format(file=path, id=scheme.id, name=scheme.display, n=len(scheme.indicators),
                      d=len(scheme.dimensions), total=scheme.total))
    return status


def cmd_scheme_list(args: argparse.Namespace) -> int:
    from cmrc_desktop.scoring.builtin import builtin_schemes

    for scheme in builtin_schemes():
        print(f"{scheme.id}\t{scheme.version}\t{scheme.kind}\t{scheme.display}")
    return EXIT_OK


def cmd_scheme_print(args: argparse.Namespace) -> int:
    """The window's "Print the scheme…": a built-in id, a scheme file or a workspace's."""
    from cmrc_desktop.exchange.scheme_pdf import write_scheme_pdf

    if bool(args.scheme) == bool(args.workspace):
        raise InputError(_("give a scheme (built-in id or file) or --workspace, not both"))
    batch = None
    if args.workspace:
        from cmrc_desktop.services.workspace import open_workspace

        with open_workspace(args.workspace) as ws:
            scheme, batch = ws.scheme, ws.batch
    else:
        from cmrc_desktop.scoring.builtin import resolve_scheme

        scheme = resolve_scheme(args.scheme)
    write_scheme_pdf(args.out, scheme, batch)
    print(_("{file}: scheme {id}, version {version}, SHA-256 {sha256}").format(
        file=args.out, id=scheme.id, version=scheme.version, sha256=scheme.sha256))
    return EXIT_OK


# -- grade --------------------------------------------------------------------------------
def cmd_grade(args: argparse.Namespace) -> int:
    from cmrc_desktop.scoring import csv_inputs
    from cmrc_desktop.scoring.grading import grade

    if args.workspace:
        from cmrc_desktop.services.results import workspace_grading_input
        from cmrc_desktop.services.workspace import open_workspace

        with open_workspace(args.workspace) as ws:
            scheme = ws.scheme
            data = workspace_grading_input(ws)
    else:
        if not args.scheme or not args.scores:
            raise CmrcError(_("give --scheme and --scores, or --workspace"))
        from cmrc_desktop.scoring.builtin import resolve_scheme

        scheme = resolve_scheme(args.scheme)
        data = csv_inputs.read_scores(args.scores, scheme)
        if args.metrics:
            csv_inputs.read_metrics(args.metrics, data)
        if args.vetoes:
            csv_inputs.read_vetoes(args.vetoes, scheme, data)
    try:
        result = grade(scheme, data)
    except InputError as exc:
        if not exc.file:
            exc.file = args.metrics or args.scores or args.workspace
        raise
    for centre in result.centres:
        if centre.incomplete_experts:
            print(_("note: centre {centre}: incomplete sheets left out of grading: {experts}")
                  .format(centre=centre.centre, experts=", ".join(centre.incomplete_experts)),
                  file=sys.stderr)
    fmt = args.format or _format_from_suffix(args.out)
    if fmt == "json":
        from cmrc_desktop.scoring.grading import result_to_json

        text = json.dumps(result_to_json(result), ensure_ascii=False, indent=2) + "\n"
        _emit(text.encode("utf-8"), args.out)
    elif fmt == "csv":
        from cmrc_desktop.exchange.results_table import results_csv

        _emit(results_csv(result), args.out)
    else:
        if not args.out:
            raise CmrcError(_("--format xlsx needs --out FILE"))
        from cmrc_desktop.exchange.results_table import write_results_xlsx

        write_results_xlsx(result, args.out)
    return EXIT_OK


def _format_from_suffix(out: str | None) -> str:
    suffix = Path(out).suffix.lower() if out else ""
    return {".csv": "csv", ".xlsx": "xlsx"}.get(suffix, "json")


# -- parser -------------------------------------------------------------------------------
def build_parser(*, only_gui: bool = False) -> argparse.ArgumentParser:
    """The whole command line; ``only_gui`` leaves out every other command (and the
    modules defining them), which the window's start does not need."""
    parser = _Parser(prog="cmrc", description=_(
        "CMRC Desktop — offline evaluation of clinical research centres."))
    parser.add_argument("--version", action="version", version=f"cmrc {__version__}",
                        help=_("show program's version number and exit"))
    parser.add_argument("--lang", choices=("zh_CN", "en"),
                        help=_("language of messages (default: zh_CN, or CMRC_LANG)"))
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"), parser_class=_Parser)

    from cmrc_desktop import cli_gui

    cli_gui.add_gui_command(sub)
    if only_gui:
        return parser

    scheme = sub.add_parser("scheme", help=_("check and list evaluation schemes"))
    scheme_sub = scheme.add_subparsers(dest="scheme_command", required=True,
                                       parser_class=_Parser)
    check = scheme_sub.add_parser("check", help=_("validate scheme files"))
    check.add_argument("files", nargs="+", metavar="FILE.toml")
    check.set_defaults(handler=cmd_scheme_check)
    lst = scheme_sub.add_parser("list", help=_("list the built-in schemes"))
    lst.set_defaults(handler=cmd_scheme_list)
    prt = scheme_sub.add_parser("print", help=_("print a scheme to PDF"))
    prt.add_argument("scheme", nargs="?", metavar="SCHEME",
                     help=_("built-in scheme id or scheme file"))
    prt.add_argument("--workspace", help=_("print the scheme of this workspace"))
    prt.add_argument("--out", required=True, metavar="FILE.pdf", help=_("the PDF to write"))
    prt.set_defaults(handler=cmd_scheme_print)

    grade = sub.add_parser("grade", help=_("compute final scores, grades and ranks"))
    grade.add_argument("--scheme", help=_("scheme file or built-in scheme id"))
    grade.add_argument("--scores", help=_("CSV: centre,expert,indicator,score"))
    grade.add_argument("--metrics", help=_("CSV: centre,metric,value"))
    grade.add_argument("--vetoes", help=_("CSV: centre,veto"))
    grade.add_argument("--workspace", help=_("grade a workspace instead of CSV files"))
    grade.add_argument("--format", choices=("json", "csv", "xlsx"))
    grade.add_argument("--out", help=_("output file (default: standard output)"))
    grade.set_defaults(handler=cmd_grade)

    from cmrc_desktop import cli_exchange, cli_workspace

    cli_workspace.add_commands(sub)
    cli_exchange.add_commands(sub)
    cli_exchange.add_merge_commands(sub)
    cli_exchange.add_report_command(sub)
    return parser


def _starts_the_window(argv: list[str]) -> bool:
    """``cmrc``, ``cmrc gui …`` or ``cmrc --lang en``: the window, not another command
    and not the help listing every command."""
    if {"-h", "--help"} & set(argv):
        return False
    words = [a for i, a in enumerate(argv) if not a.startswith("-")
             and not (i and argv[i - 1] == "--lang")]
    return not words or words[0] == "gui"


def _database_error_text(exc: sqlite3.Error) -> str:
    """A write the workspace's database refused, in words: a full or failing disk, or a
    read-only workspace, are the user's to fix; anything else is ours."""
    fault = disk_fault(exc)
    if fault == "full":
        return _("the disk holding the workspace is full: the change in progress was not "
                 "saved (what was saved before stays). Free some space and run the command "
                 "again.")
    if fault == "io":
        return _("the disk holding the workspace could not be written (an input/output "
                 "error): the change in progress was not saved. Check the disk and run the "
                 "command again.")
    if "readonly" in str(exc).lower():
        return _("the workspace is read-only (its folder, file or disk cannot be written): "
                 "nothing was changed")
    return _("internal error: {kind}: {message} (set CMRC_DEBUG=1 for details)").format(
        kind=type(exc).__name__, message=exc)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = None
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
    set_language(lang)
    from cmrc_desktop.argparse_zh import translate_argparse

    translate_argparse()
    parser = build_parser(only_gui=_starts_the_window(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None and args.command is None:  # plain `cmrc`: the desktop program
        try:
            args = parser.parse_args([*argv, "gui"])
        except SystemExit as exc:
            return int(exc.code or 0)
        handler = args.handler
    if handler is None:
        parser.print_help()
        return EXIT_OK
    try:
        return handler(args)
    except CmrcError as exc:
        for line in str(exc).splitlines():
            print(line, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:  # `cmrc verify … | head`: the reader has seen enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # a file or folder the system refused: say which, and why
        if os.environ.get("CMRC_DEBUG"):
            traceback.print_exc()
        print(os_error_text(exc), file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.Error as exc:
        if os.environ.get("CMRC_DEBUG"):
            traceback.print_exc()
        print(_database_error_text(exc), file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # the last line of defence: never a bare traceback
        if os.environ.get("CMRC_DEBUG"):
            traceback.print_exc()
        print(_("internal error: {kind}: {message} (set CMRC_DEBUG=1 for details)").format(
            kind=type(exc).__name__, message=exc), file=sys.stderr)
        return EXIT_USAGE
