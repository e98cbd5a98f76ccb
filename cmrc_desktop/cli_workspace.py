"""Workspace commands of ``cmrc``: batch, centres and dossiers, experts and conflicts,
assignments, scores, vetoes, checks, the audit log and the demo.

Each handler parses, calls one service, prints a short confirmation; the services do
the checking, so the window and the command line refuse the same things.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.numbers import parse_decimal
from cmrc_desktop.i18n import _

EXIT_OK = 0


def _open(args: argparse.Namespace):
    from cmrc_desktop.services.workspace import open_workspace

    return open_workspace(args.workspace, actor=getattr(args, "actor", None))


def _decimal(text: str, field: str) -> Decimal:
    value = parse_decimal(text)
    if value is None:
        raise InputError(_("'{text}' is not a non-negative number").format(text=text),
                         field=field)
    return value


# -- batch --------------------------------------------------------------------------------
def cmd_batch_create(args: argparse.Namespace) -> int:
    from cmrc_desktop.cli_passwords import get_password
    from cmrc_desktop.scoring.builtin import resolve_scheme
    from cmrc_desktop.services.keyring import check_new_password, create_batch_keys
    from cmrc_desktop.services.workspace import create_workspace

    scheme = resolve_scheme(args.scheme)
    password = get_password(args.password_file, prompt=_("Batch password"),
                            confirm=True)
    check_new_password(password)
    ws = create_workspace(args.workspace, name=args.name, year=args.year,
                          kind=args.kind or scheme.kind, stage=args.stage, scheme=scheme,
                          role="secretary", actor=args.actor)
    with ws:
        create_batch_keys(ws, password)
        print(_("created batch {id} “{name}” with scheme {scheme} in {folder}").format(
            id=ws.batch.id, name=ws.batch.name, scheme=scheme.id, folder=args.workspace))
    return EXIT_OK


def cmd_batch_show(args: argparse.Namespace) -> int:
    from cmrc_desktop.domain.workspace import label
    from cmrc_desktop.storage import centre_repo, expert_repo

    with _open(args) as ws:
        b = ws.batch
        print(_("batch {id}: {name} ({year}), {kind}, stage {stage}, scheme {scheme} "
                "(sha256 {sha})").format(id=b.id, name=b.name, year=b.year, kind=label(b.kind),
                                        stage=label(b.stage), scheme=b.scheme_id,
                                        sha=b.scheme_sha256[:12]))
        print(_("{c} centres, {e} experts, {a} assignments").format(
            c=len(centre_repo.list_centres(ws.db)), e=len(expert_repo.list_experts(ws.db)),
            a=len(expert_repo.list_assignments(ws.db))))
    return EXIT_OK


# -- centres and dossiers -----------------------------------------------------------------
def cmd_template_centres(args: argparse.Namespace) -> int:
    from cmrc_desktop.exchange.centres_template import write_centres_template
    from cmrc_desktop.scoring.builtin import catalog

    write_centres_template(args.out, catalog(), period=args.period)
    print(_("wrote the centres template to {file}").format(file=args.out))
    return EXIT_OK


def cmd_import_centres(args: argparse.Namespace) -> int:
    from cmrc_desktop.services.dossiers import import_centres

    with _open(args) as ws:
        summary = import_centres(ws, args.file, period=args.period)
    print(_("imported {file}: {added} centres added, {updated} updated, {metrics} metric "
            "values, {conflicts} conflicts of interest detected").format(
                file=args.file, added=len(summary.added), updated=len(summary.updated),
                metrics=summary.metrics, conflicts=len(summary.conflicts)))
    return EXIT_OK


def cmd_attach(args: argparse.Namespace) -> int:
    from cmrc_desktop.services.dossiers import add_document

    with _open(args) as ws:
        doc = add_document(ws, args.centre, args.type, args.file, title=args.title)
    print(_("added {title} to centre {centre} (sha256 {sha})").format(
        title=doc.title, centre=doc.centre_id, sha=doc.sha256[:12]))
    return EXIT_OK


def cmd_metric_set(args: argparse.Namespace) -> int:
    from cmrc_desktop.services.dossiers import set_metrics

    values = {}
    for item in args.values:
        metric, sep, text = item.partition("=")
        if not sep:
            raise InputError(_("write metric values as METRIC=VALUE, not '{text}'").format(
                text=item))
        values[metric.strip()] = _decimal(text, metric.strip())
    with _open(args) as ws:
        set_metrics(ws, args.centre, args.period, values)
    print(_("centre {centre}: {n} metric values set for {period}").format(
        centre=args.centre, n=len(values), period=args.period))
    return EXIT_OK


# -- experts, conflicts, assignments ------------------------------------------------------
def cmd_expert_add(args: argparse.Namespace) -> int:
    from cmrc_desktop.cli_passwords import get_password
    from cmrc_desktop.domain.workspace import Expert
    from cmrc_desktop.services.keyring import batch_ca
    from cmrc_desktop.services.panel import add_expert

    with _open(args) as ws:
        password = (get_password(args.password_file, prompt=_("Batch password"))
                    if batch_ca(ws) is not None else None)
        found = add_expert(ws, Expert(args.id, args.name, args.institution, args.title or "",
                                      args.specialty or ""), password=password)
    print(_("registered expert {id} {name}").format(id=args.id, name=args.name))
    for c in found:
        print(_("  conflict of interest with centre {centre}: {reason}").format(
            centre=c.centre_id, reason=_(c.reason)))
    return EXIT_OK


def cmd_expert_list(args: argparse.Namespace) -> int:
    from cmrc_desktop.domain.workspace import label
    from cmrc_desktop.storage import expert_repo

    with _open(args) as ws:
        conflicts = expert_repo.list_conflicts(ws.db)
        for e in expert_repo.list_experts(ws.db):
            mine = [c for c in conflicts if c.expert_id == e.id]
            print("\t".join([e.id, e.name, e.institution, e.title,
                             ", ".join(f"{c.centre_id}({label(c.kind)})" for c in mine)]))
    return EXIT_OK


def cmd_conflict_add(args: argparse.Namespace) -> int:
    from cmrc_desktop.services.panel import declare_conflict

    with _open(args) as ws:
        declare_conflict(ws, args.expert, args.centre, args.reason)
    print(_("declared a conflict of interest: expert {expert}, centre {centre}").format(
        expert=args.expert, centre=args.centre))
    return EXIT_OK


def _pair_with_reason(p: argparse.ArgumentParser) -> None:
    _ws(p)
    p.add_argument("--expert", required=True)
    p.add_argument("--centre", required=True)
    p.add_argument("--reason", required=True)


def cmd_conflict_withdraw(args: argparse.Namespace) -> int:
    from cmrc_desktop.services.panel import withdraw_conflict

    with _open(args) as ws:
        withdraw_conflict(ws, args.expert, args.centre, args.reason)
    print(_("withdrew the declared conflict of interest: expert {expert}, centre {centre}")
          .format(expert=args.expert, centre=args.centre))
    return EXIT_OK


def cmd_unassign(args: argparse.Namespace) -> int:
    from cmrc_desktop.services.panel import unassign

    with _open(args) as ws:
        unassign(ws, args.expert, args.centre, reason=args.reason)
    print(_("expert {expert} no longer scores centre {centre}").format(
        expert=args.expert, centre=args.centre))
    return EXIT_OK


def cmd_assign(args: argparse.Namespace) -> int:
    from cmrc_desktop.services import panel

    with _open(args) as ws:
        if args.auto is not None or args.all:
            result = panel.auto_assign(ws, None if args.all else args.auto)
            short = [c for c, experts in result.items()
                     if args.auto is not None and len(experts) < args.auto]
            per_expert, _per_centre = panel.panel_counts(ws)
            print(_("assignments per expert: {counts}").format(counts=", ".join(
                f"{e}={n}" for e, n in sorted(per_expert.items()))))
            for c in short:
                print(_("centre {centre} has only {n} experts free of conflicts").format(
                    centre=c, n=len(result[c])), file=sys.stderr)
            return 1 if short else EXIT_OK
        if not (args.expert and args.centre):
            raise InputError(_("give --expert and --centre, or --auto K, or --all"))
        panel.assign(ws, args.expert, args.centre)
    print(_("assigned expert {expert} to centre {centre}").format(expert=args.expert,
                                                                  centre=args.centre))
    return EXIT_OK


# -- scores, vetoes, checks ---------------------------------------------------------------
def cmd_score_set(args: argparse.Namespace) -> int:
    from cmrc_desktop.services.scoring import record_score

    value = None if args.value == "" else _decimal(args.value, args.indicator)
    with _open(args) as ws:
        record_score(ws, args.expert, args.centre, args.indicator, value, args.comment)
    print(_("saved: expert {expert}, centre {centre}, {indicator} = {value}").format(
        expert=args.expert, centre=args.centre, indicator=args.indicator,
        value=args.value or _("(empty)")))
    return EXIT_OK


def cmd_veto(args: argparse.Namespace) -> int:
    from cmrc_desktop.services.review import record_veto, withdraw_veto

    with _open(args) as ws:
        if args.withdraw:
            withdraw_veto(ws, args.centre, args.veto, args.reason)
            print(_("withdrew veto {veto} of centre {centre}").format(veto=args.veto,
                                                                     centre=args.centre))
        else:
            record_veto(ws, args.centre, args.veto, args.reason)
            print(_("recorded veto {veto} for centre {centre}").format(veto=args.veto,
                                                                      centre=args.centre))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from cmrc_desktop.services.review import run_automatic_checks, set_check
    from cmrc_desktop.storage import review_repo

    with _open(args) as ws:
        if args.auto:
            run_automatic_checks(ws)
        elif args.centre and args.check:
            verdict = {"pass": True, "fail": False, "open": None}[args.set]
            set_check(ws, args.centre, args.check, verdict, args.note or "")
        for c in review_repo.list_checks(ws.db, args.centre):
            verdict = {True: _("check passed"), False: _("check failed"),
                       None: _("not yet decided")}[c.passed]
            how = _("automatic") if c.automatic else c.actor
            print(f"{c.centre_id}\t{c.check_id}\t{verdict}\t{how}\t{c.note}")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    from cmrc_desktop.services import audit_log
    from cmrc_desktop.storage import audit

    log_filter = audit_log.LogFilter(centre_id=args.centre, expert_id=args.expert,
                                     kind=args.kind, action=args.action)
    with _open(args) as ws:
        if args.csv:
            written = audit_log.export(ws, args.csv, log_filter)
            print(_("{n} entries written to {file}").format(n=written, file=args.csv))
            return EXIT_OK
        for e in audit.iter_entries(ws.db, log_filter):
            if args.json:
                print(json.dumps(e.__dict__, ensure_ascii=False))
            else:
                print("\t".join(str(x) if x is not None else "" for x in (
                    e.id, e.at, e.actor, e.action, e.entity, e.centre_id, e.expert_id,
                    e.old, e.new, e.reason)))
    return EXIT_OK


# -- backups ------------------------------------------------------------------------------
def cmd_backup(args: argparse.Namespace) -> int:
    """The window's automatic backup, on demand (``--list`` shows them instead)."""
    from pathlib import Path

    from cmrc_desktop.domain.errors import WorkspaceError
    from cmrc_desktop.services import backup
    from cmrc_desktop.services.workspace import DB_NAME
    from cmrc_desktop.storage import health

    folder = Path(args.workspace)
    if not (folder / DB_NAME).is_file():
        raise WorkspaceError(_("The folder {folder} is not a CMRC Desktop workspace: it has no "
                               "{name}.").format(folder=folder, name=DB_NAME), file=str(folder))
    if args.list:
        for path in backup.backups(folder):
            print(f"{path}\t{backup.taken_at(path):%Y-%m-%d %H:%M:%S}Z")
        return EXIT_OK
    problems = health.quick_check(folder / DB_NAME)
    if problems:
        raise WorkspaceError(health.damage_text(folder / DB_NAME, problems),
                             file=str(folder / DB_NAME))
    made = backup.take_backup(folder, keep=args.keep)
    print(_("backup written to {file}").format(file=made))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cmrc_desktop.domain.errors import WorkspaceError
    from cmrc_desktop.services import backup

    folder = Path(args.workspace)
    source = Path(args.backup) if args.backup else next(iter(backup.backups(folder)), None)
    if source is None:
        raise WorkspaceError(_("There is no automatic backup in {folder} to restore from.")
                             .format(folder=backup.backups_dir(folder)), file=str(folder))
    done = backup.restore_backup(folder, source, actor=args.actor, reason=args.reason)
    print(_("The workspace was restored from {backup}. The damaged database is kept as "
            "{aside}.").format(backup=done.backup.name, aside=done.kept_aside.name))
    return EXIT_OK


# -- demo ---------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    import os

    from cmrc_desktop.cli_passwords import ENV_PASSWORD, get_password
    from cmrc_desktop.services.demo import DEMO_PASSWORD, build_demo

    if args.password_file or os.environ.get(ENV_PASSWORD):
        password = get_password(args.password_file)
        source = (_("the password from {file}").format(file=args.password_file)
                  if args.password_file else _("the password in {env}").format(env=ENV_PASSWORD))
    else:
        password, source = DEMO_PASSWORD, _("the demo password “{password}”").format(
            password=DEMO_PASSWORD)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    summary = build_demo(args.out, centres=args.centres, experts=args.experts, seed=args.seed,
                         per_centre=args.per_centre, force=args.force, password=password,
                         formats=formats, with_experts=not args.secretary_only,
                         merge=not args.no_merge)
    print(_("demo written to {folder}: batch {batch}, {c} centres, {e} experts, {s} scored "
            "sheets, {k} conflicts of interest").format(
                folder=summary.secretary, batch=summary.batch_id, c=summary.centres,
                e=summary.experts, s=summary.sheets, k=summary.conflicts))
    print(_("secretary workspace: {folder}").format(folder=summary.secretary))
    if summary.exported:
        print(_("panel packages: {packages}; expert workspaces: {experts}; {n} signed sheets "
                "in {sheets}").format(packages=summary.folder / "packages",
                                      experts=summary.folder / "experts", n=summary.exported,
                                      sheets=summary.folder / "scoresheets"))
    print(_("every key and workspace is protected with {source}").format(source=source))
    return EXIT_OK


# -- parser -------------------------------------------------------------------------------
def _ws(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workspace", required=True, metavar="DIR", help=_("workspace folder"))
    p.add_argument("--actor", help=_("name recorded in the audit log (default: your login)"))
    p.add_argument("--password-file", metavar="FILE",
                   help=_("read the password from the first line of FILE (else "
                          "CMRC_PASSWORD, else a prompt)"))


def add_commands(sub: argparse._SubParsersAction) -> None:
    batch = sub.add_parser("batch", help=_("create or show an evaluation batch"))
    bsub = batch.add_subparsers(dest="batch_command", required=True)
    p = bsub.add_parser("create", help=_("create a secretary workspace for a new batch"))
    _ws(p)
    p.add_argument("--name", required=True)
    p.add_argument("--year", required=True, type=int)
    p.add_argument("--kind", choices=("performance", "application"))
    p.add_argument("--stage", default="dossier_review",
                   choices=("dossier_review", "on_site", "overall"))
    p.add_argument("--scheme", default="sd-perf-5d", help=_("built-in id or scheme file"))
    p.set_defaults(handler=cmd_batch_create)
    p = bsub.add_parser("show", help=_("describe the batch of a workspace"))
    _ws(p)
    p.set_defaults(handler=cmd_batch_show)

    template = sub.add_parser("template", help=_("write import templates"))
    tsub = template.add_subparsers(dest="template_command", required=True)
    p = tsub.add_parser("centres", help=_("Excel template for centres and their metrics"))
    p.add_argument("--out", required=True, metavar="FILE.xlsx")
    p.add_argument("--period", default="2025", help=_("reporting period of the metrics"))
    p.set_defaults(handler=cmd_template_centres)

    imp = sub.add_parser("import", help=_("import centres from a filled template"))
    isub = imp.add_subparsers(dest="import_command", required=True)
    p = isub.add_parser("centres", help=_("import a filled centres template (all or nothing)"))
    _ws(p)
    p.add_argument("file", metavar="FILE.xlsx")
    p.add_argument("--period", help=_("override the period written in the file"))
    p.set_defaults(handler=cmd_import_centres)

    p = sub.add_parser("attach", help=_("add a dossier document to a centre"))
    _ws(p)
    p.add_argument("--centre", required=True)
    p.add_argument("--type", default="other", help=_(
        "application, construction_plan, annual_report, task_agreement, self_evaluation, "
        "other"))
    p.add_argument("--title")
    p.add_argument("file")
    p.set_defaults(handler=cmd_attach)

    metric = sub.add_parser("metric", help=_("set reported metrics of a centre"))
    msub = metric.add_subparsers(dest="metric_command", required=True)
    p = msub.add_parser("set", help=_("set METRIC=VALUE pairs for one period"))
    _ws(p)
    p.add_argument("--centre", required=True)
    p.add_argument("--period", required=True)
    p.add_argument("values", nargs="+", metavar="METRIC=VALUE")
    p.set_defaults(handler=cmd_metric_set)

    expert = sub.add_parser("expert", help=_("register and list experts"))
    esub = expert.add_subparsers(dest="expert_command", required=True)
    p = esub.add_parser("add", help=_("register an expert (conflicts are detected)"))
    _ws(p)
    p.add_argument("--id", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--institution", required=True)
    p.add_argument("--title")
    p.add_argument("--specialty")
    p.set_defaults(handler=cmd_expert_add)
    p = esub.add_parser("list", help=_("list experts with their conflicts"))
    _ws(p)
    p.set_defaults(handler=cmd_expert_list)

    conflict = sub.add_parser("conflict", help=_("declare or withdraw conflicts of interest"))
    csub = conflict.add_subparsers(dest="conflict_command", required=True)
    p = csub.add_parser("add", help=_("declare a conflict of interest with its reason"))
    _pair_with_reason(p)
    p.set_defaults(handler=cmd_conflict_add)
    p = csub.add_parser("withdraw", help=_("withdraw a declared conflict of interest, with "
                                           "the reason"))
    _pair_with_reason(p)
    p.set_defaults(handler=cmd_conflict_withdraw)

    p = sub.add_parser("assign", help=_("assign experts to centres"))
    _ws(p)
    p.add_argument("--expert")
    p.add_argument("--centre")
    p.add_argument("--auto", type=int, metavar="K", help=_("K experts per centre, balanced"))
    p.add_argument("--all", action="store_true", help=_("every expert on every centre "
                                                        "without a conflict"))
    p.set_defaults(handler=cmd_assign)

    p = sub.add_parser("unassign", help=_("take an expert off a centre, with the reason"))
    _pair_with_reason(p)
    p.set_defaults(handler=cmd_unassign)

    score = sub.add_parser("score", help=_("record scores"))
    ssub = score.add_subparsers(dest="score_command", required=True)
    p = ssub.add_parser("set", help=_("set one score (empty value clears it)"))
    _ws(p)
    p.add_argument("--expert", required=True)
    p.add_argument("--centre", required=True)
    p.add_argument("--indicator", required=True)
    p.add_argument("--value", required=True)
    p.add_argument("--comment")
    p.set_defaults(handler=cmd_score_set)

    p = sub.add_parser("veto", help=_("record (or withdraw) a veto for a centre"))
    _ws(p)
    p.add_argument("--centre", required=True)
    p.add_argument("--veto", required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--withdraw", action="store_true")
    p.set_defaults(handler=cmd_veto)

    p = sub.add_parser("check", help=_("formal-review checks (application schemes)"))
    _ws(p)
    p.add_argument("--auto", action="store_true", help=_("decide the metric-based checks"))
    p.add_argument("--centre")
    p.add_argument("--check")
    p.add_argument("--set", choices=("pass", "fail", "open"), default="pass")
    p.add_argument("--note")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("audit", help=_("print the audit log"))
    _ws(p)
    p.add_argument("--centre")
    p.add_argument("--expert")
    p.add_argument("--action")
    p.add_argument("--kind", help=_("one kind of change: the action before the dot "
                                    "(score, sheet, merge, veto, conflict, document, …)"))
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv", metavar="FILE",
                   help=_("write the entries to FILE as CSV (UTF-8, opens in Excel; a name "
                          "ending in .xlsx writes a workbook) instead of printing them"))
    p.set_defaults(handler=cmd_audit)

    p = sub.add_parser("backup", help=_("back up the workspace database (as the window "
                                        "does automatically)"))
    p.add_argument("--workspace", required=True, metavar="DIR", help=_("workspace folder"))
    p.add_argument("--list", action="store_true", help=_("list the backups, newest first"))
    p.add_argument("--keep", type=int, default=10, help=_("backups to keep (default: 10)"))
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", help=_("replace a damaged workspace database by a backup "
                                         "(close the workspace in the window first)"))
    p.add_argument("--workspace", required=True, metavar="DIR", help=_("workspace folder"))
    p.add_argument("backup", nargs="?", metavar="FILE",
                   help=_("the backup to restore (default: the newest)"))
    p.add_argument("--reason", required=True, help=_("why the workspace is restored"))
    p.add_argument("--actor", help=_("name recorded in the audit log (default: your login)"))
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("demo", help=_("build a complete demo workspace"))
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--centres", type=int, default=12)
    p.add_argument("--experts", type=int, default=7)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--per-centre", type=int, help=_("experts per centre (default: all "
                                                    "experts without a conflict)"))
    p.add_argument("--force", action="store_true", help=_("replace an earlier demo"))
    p.add_argument("--formats", default="xlsx,pdf", help="xlsx|pdf|xlsx,pdf")
    p.add_argument("--no-merge", action="store_true",
                   help=_("leave the exported sheets unmerged (to merge them by hand)"))
    p.add_argument("--secretary-only", action="store_true",
                   help=_("only the secretary workspace: no packages, no expert workspaces"))
    p.add_argument("--password-file", metavar="FILE",
                   help=_("read the password from the first line of FILE (else "
                          "CMRC_PASSWORD, else the documented demo password)"))
    p.set_defaults(handler=cmd_demo)
