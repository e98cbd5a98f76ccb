"""Commands that cross between machines: panel packages, signing and exporting sheets,
and ``cmrc verify``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cmrc_desktop.cli_passwords import ENV_ONE_TIME, get_password
from cmrc_desktop.cli_workspace import _open, _ws
from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.i18n import _

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
VERIFIABLE = (".xlsx", ".xlsm", ".pdf", ".cmrcpkg")


def _password(args: argparse.Namespace, prompt: str, *, confirm: bool = False) -> str:
    return get_password(getattr(args, "password_file", None), prompt=prompt, confirm=confirm)


# -- packages -----------------------------------------------------------------------------
def cmd_package_export(args: argparse.Namespace) -> int:
    from cmrc_desktop.services.packages import (
        export_package,
        export_packages,
        write_password_sheet,
    )

    with _open(args) as ws:
        password = _password(args, _("Batch password"))
        out = Path(args.out)
        if args.expert and not (out.is_dir() or args.out.endswith(("/", "\\"))):
            run_exported = [export_package(ws, args.expert, out, password)]
            failed = None
        else:
            run = export_packages(ws, [args.expert] if args.expert else None, out, password)
            run_exported, failed = run.exported, run.failed
        for exported in run_exported:
            print(_("{file}: package for expert {expert} ({n} centres); one-time password "
                    "{otp}").format(file=exported.path, expert=exported.expert_id,
                                    n=len(exported.centres), otp=exported.one_time_password))
        if args.password_sheet and run_exported:
            sheet = write_password_sheet(ws, run_exported, args.password_sheet)
            print(_("one-time passwords printed on {file}").format(file=sheet))
    print(_("Hand each one-time password to its expert in person; never send it with the "
            "package."), file=sys.stderr)
    if failed is not None:
        raise InputError(_("expert {expert}: {reason}").format(expert=failed[0],
                                                               reason=failed[1]))
    return EXIT_OK


def cmd_package_import(args: argparse.Namespace) -> int:
    from cmrc_desktop.services.packages import import_package

    one_time = get_password(args.one_time_file, env=ENV_ONE_TIME,
                            prompt=_("One-time password from the secretary"),
                            option="--one-time-file")
    password = _password(args, _("New password for your key"), confirm=True)
    ws = import_package(args.workspace, args.file, one_time, password, actor=args.actor)
    with ws:
        from cmrc_desktop.signing import keys
        from cmrc_desktop.storage import expert_repo

        centres = expert_repo.list_assignments(ws.db)
        ca = keys.fingerprint(keys.load_cert_pem(ws.batch.ca_cert_pem))
        print(_("created the expert workspace {folder}: batch {batch}, {n} centres to "
                "score").format(folder=args.workspace, batch=ws.batch.id, n=len(centres)))
        print(_("batch certificate fingerprint {fp} — compare it with the one the "
                "secretary gives you").format(fp=" ".join(ca[i:i + 4] for i in range(0, 16,
                                                                                    4))))
    return EXIT_OK


# -- signing and export -------------------------------------------------------------------
def _sheets_to_handle(ws, args) -> list[tuple[str, str]]:
    from cmrc_desktop.storage import score_repo

    expert = args.expert or ws.batch.owner_expert_id
    if not expert:
        raise InputError(_("this is not an expert's workspace: give --expert"))
    sheets = score_repo.list_sheets(ws.db, expert_id=expert)
    if args.centre:
        sheets = [s for s in sheets if s.centre_id == args.centre]
    return [(s.expert_id, s.centre_id) for s in sheets]


def cmd_sheet_sign(args: argparse.Namespace) -> int:
    from cmrc_desktop.domain.workspace import SheetState
    from cmrc_desktop.services.keyring import open_own_key
    from cmrc_desktop.services.scoring import set_sheet_state
    from cmrc_desktop.services.sheets import sign_sheet
    from cmrc_desktop.storage import score_repo

    png = None
    if args.signature_image:
        from cmrc_desktop.domain.limits import MAX_SIGNATURE_IMAGE
        from cmrc_desktop.exchange.input_file import read_input

        png = read_input(args.signature_image, limit=MAX_SIGNATURE_IMAGE,
                         what=_("a signature image"),
                         folder=_("this is a folder, not a signature image"))
    with _open(args) as ws:
        signer = open_own_key(ws, _password(args, _("Password of your key")))
        for expert, centre in _sheets_to_handle(ws, args):
            sheet = score_repo.find_sheet(ws.db, expert, centre)
            if sheet.state == SheetState.DRAFT:
                set_sheet_state(ws, expert, centre, SheetState.FINAL)
            if score_repo.find_sheet(ws.db, expert, centre).state == SheetState.FINAL:
                signed = sign_sheet(ws, expert, centre, signer, signature_png=png)
                print(_("signed: centre {centre}, revision {revision}").format(
                    centre=centre, revision=signed.revision))
    return EXIT_OK


def cmd_sheet_export(args: argparse.Namespace) -> int:
    from cmrc_desktop.domain.workspace import SheetState
    from cmrc_desktop.services.keyring import open_own_key
    from cmrc_desktop.services.sheets import export_sheet
    from cmrc_desktop.storage import score_repo

    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    with _open(args) as ws:
        signer = open_own_key(ws, _password(args, _("Password of your key")))
        done = 0
        for expert, centre in _sheets_to_handle(ws, args):
            if score_repo.find_sheet(ws.db, expert, centre).state != SheetState.SIGNED:
                continue
            exported = export_sheet(ws, expert, centre, args.out, signer, formats=formats)
            for path in exported.paths:
                print(_("{file}: exported and verified").format(file=path))
            done += 1
        if not done:
            raise InputError(_("no signed sheet to export; sign the sheets first"))
    return EXIT_OK


# -- verify -------------------------------------------------------------------------------
def cmd_verify(args: argparse.Namespace) -> int:
    from cmrc_desktop.services.merge import collect_files
    from cmrc_desktop.services.verify import verify_file

    paths = collect_files(args.files, suffixes=VERIFIABLE)   # sheets and packages
    context = None
    if args.workspace:
        from cmrc_desktop.services.verify import BatchContext
        from cmrc_desktop.services.workspace import open_workspace

        with open_workspace(args.workspace) as ws:
            context = BatchContext.of(ws)
    refused = 0
    for path in paths:
        result = verify_file(path, context=context)
        print(result.line())
        refused += not result.ok
    return EXIT_REFUSED if refused else EXIT_OK


# -- parser -------------------------------------------------------------------------------
def add_commands(sub: argparse._SubParsersAction) -> None:
    package = sub.add_parser("package", help=_("export and import panel packages"))
    psub = package.add_subparsers(dest="package_command", required=True)
    p = psub.add_parser("export", help=_("write the panel package of one or every expert"))
    _ws(p)
    p.add_argument("--expert", help=_("one expert (default: every assigned expert)"))
    p.add_argument("--out", required=True, metavar="FILE|DIR")
    p.add_argument("--password-sheet", metavar="FILE.pdf",
                   help=_("also print the one-time passwords on a PDF to cut into slips "
                          "and hand over in person (keep it apart from the packages)"))
    p.set_defaults(handler=cmd_package_export)
    p = psub.add_parser("import", help=_("create an expert workspace from a panel package"))
    _ws(p)
    p.add_argument("--one-time-file", metavar="FILE",
                   help=_("read the one-time password from FILE (else "
                          "CMRC_ONE_TIME_PASSWORD, else a prompt)"))
    p.add_argument("file", metavar="FILE.cmrcpkg")
    p.set_defaults(handler=cmd_package_import)

    sheet = sub.add_parser("sheet", help=_("sign and export scoresheets"))
    ssub = sheet.add_subparsers(dest="sheet_command", required=True)
    p = ssub.add_parser("sign", help=_("finalise and sign complete sheets"))
    _ws(p)
    p.add_argument("--expert")
    p.add_argument("--centre")
    p.add_argument("--signature-image", metavar="PNG", help=_("PNG image of the hand-written signature"))
    p.set_defaults(handler=cmd_sheet_sign)
    p = ssub.add_parser("export", help=_("write signed sheets as xlsx and pdf, verified"))
    _ws(p)
    p.add_argument("--expert")
    p.add_argument("--centre")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--formats", default="xlsx,pdf", help="xlsx|pdf|xlsx,pdf")
    p.set_defaults(handler=cmd_sheet_export)

    p = sub.add_parser("verify", help=_("verify signed scoresheets and panel packages"))
    p.add_argument("--workspace", metavar="DIR",
                   help=_("also check against this workspace's batch"))
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(handler=cmd_verify)


# -- merge and status ---------------------------------------------------------------------
def cmd_merge(args: argparse.Namespace) -> int:
    from cmrc_desktop.services.merge import merge_files, outcome_label

    with _open(args) as ws:
        report = merge_files(ws, args.paths)
        files = report.files  # read from the merge log while the workspace is open
    width = max((len(str(f.path)) for f in files), default=0)
    for f in files:
        who = (_("expert {expert}, centre {centre}, revision {revision}").format(
            expert=f.expert_id, centre=f.centre_id, revision=f.revision)
            if f.expert_id else "")
        detail = " — ".join(x for x in (who, f.reason) if x)
        print(f"{str(f.path):<{width}}  {outcome_label(f.outcome)}"
              + (f"  {detail}" if detail else ""))
    counts = {o: report.count(o) for o in ("accepted", "already_merged", "superseded",
                                           "conflict", "refused")}
    print(_("merge {run}: {accepted} accepted, {already} already merged, {superseded} "
            "superseded, {conflict} in conflict, {refused} refused").format(
                run=report.run_id, accepted=counts["accepted"],
                already=counts["already_merged"], superseded=counts["superseded"],
                conflict=counts["conflict"], refused=counts["refused"]))
    if counts["conflict"]:
        print(_("conflicting sheets are not used until you choose one: cmrc resolve"),
              file=sys.stderr)
    return EXIT_REFUSED if report.refused else EXIT_OK


def cmd_merge_resolve(args: argparse.Namespace) -> int:
    from cmrc_desktop.services.merge import resolve_conflict

    with _open(args) as ws:
        resolve_conflict(ws, args.expert, args.centre, args.choose, args.reason)
    print(_("expert {expert}, centre {centre}: sheet {digest} chosen").format(
        expert=args.expert, centre=args.centre, digest=args.choose))
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from cmrc_desktop.services.status import MISSING, RECEIVED, completeness, state_label
    from cmrc_desktop.storage import centre_repo

    with _open(args) as ws:
        table = completeness(ws)
        names = {c.id: c.name for c in centre_repo.list_centres(ws.db)}
        min_experts = ws.scheme.aggregation.min_experts
    missing_total = 0
    for centre_id, statuses in table.items():
        got = sum(1 for s in statuses if s.state == RECEIVED)
        mark = "✓" if got >= min_experts and got == len(statuses) else " "
        print(f"{mark} {centre_id} {names[centre_id]}  " + _("{got}/{n} received").format(
            got=got, n=len(statuses)))
        for s in statuses:
            extra = ""
            if s.revision:
                extra = _(" (revision {rev})").format(rev=s.revision)
            if s.superseded:
                extra += _(", superseded: {revs}").format(
                    revs=", ".join(str(r) for r in s.superseded))
            print(f"    {s.expert_id}  {state_label(s.state)}{extra}")
            missing_total += s.state == MISSING
    return EXIT_OK


def add_merge_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("merge", help=_("merge returned scoresheets (files and folders)"))
    _ws(p)
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(handler=cmd_merge)
    r = sub.add_parser("resolve", help=_("choose between conflicting merged sheets"))
    _ws(r)
    r.add_argument("--expert", required=True)
    r.add_argument("--centre", required=True)
    r.add_argument("--choose", required=True, metavar="FINGERPRINT",
                   help=_("the first characters of the chosen sheet's fingerprint"))
    r.add_argument("--reason", required=True)
    r.set_defaults(handler=cmd_merge_resolve)

    p = sub.add_parser("status", help=_("which sheets are missing, received or in conflict"))
    _ws(p)
    p.set_defaults(handler=cmd_status)


def cmd_report(args: argparse.Namespace) -> int:
    from cmrc_desktop.services.report import write_report

    with _open(args) as ws:
        written = write_report(ws, args.out, _password(args, _("Batch password")))
    for path in written:
        print(path)
    return EXIT_OK


def add_report_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help=_("write the consolidated result (json, csv, xlsx, "
                                        "signed pdf)"))
    _ws(p)
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(handler=cmd_report)
