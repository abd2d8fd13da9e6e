"""Presentation and interaction for ``ssoctl setup`` and ``ssoctl doctor``.

Imported only inside the command functions, so it may import the core freely.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import typer

from ssoctl.cli import okta_view
from ssoctl.errors import ExitCode, UsageError
from ssoctl.render import Code, Fields, Report, Text


def connect_options(**values: Any) -> Any:
    """The Okta connection options (:class:`ssoctl.okta.connect.ConnectOptions`)."""
    from ssoctl.okta.connect import ConnectOptions

    return ConnectOptions(**values)


# ---------------------------------------------------------------- setup

@dataclass(frozen=True)
class SetupArgs:
    acs_url: str | None
    sp_entity_id: str | None
    sp_metadata: str | None
    label: str
    app: str | None
    groups: tuple[str, ...]
    overwrite: bool
    sp_profile: str | None
    enable: bool
    cert_out: str
    domain: str | None
    txt_value: str | None
    dns_server: str | None
    state_dir: str | None
    warn_days: int
    yes: bool
    dry_run: bool
    backup_dir: str | None
    now: str | None
    json_output: bool


def _sp_values(args: SetupArgs, loaded: Any) -> Any:
    from ssoctl.connection.spmeta import sp_values_from_metadata
    from ssoctl.okta.connect import sp_values

    if args.sp_metadata:
        if args.acs_url or args.sp_entity_id:
            raise UsageError("give either --sp-metadata or --acs-url/--sp-entity-id, not both",
                             hint="--sp-metadata reads both values from the SP's metadata",
                             code="SETUP_INPUT_CONFLICT")
        return sp_values_from_metadata(args.sp_metadata)
    return sp_values(loaded, acs_url=args.acs_url, entity_id=args.sp_entity_id)


def run_setup(ctx: typer.Context, args: SetupArgs, options: Any) -> Report:
    from ssoctl.cli.push_view import interrupt_note
    from ssoctl.config.profiles import load_profile
    from ssoctl.connection.dns import check_domain
    from ssoctl.connection.setup import SetupRequest, setup

    if args.enable and not args.sp_profile:
        raise UsageError("--enable needs --sp-profile: sipgate's SSO toggle has no API",
                         hint="switch SSO on with the toggle on sipgate's Single Sign-on page "
                              "after pasting the values", code="SETUP_ENABLE_NEEDS_PUSH")
    from ssoctl.connection.dns import parse_server

    domain = check_domain(args.domain) if args.domain else None
    server = parse_server(args.dns_server) if args.dns_server else None
    need = ("read" if args.dry_run else "write") + ("+groups" if args.groups else "")
    with okta_view.client(options, need) as (client, loaded):
        sp_profile = load_profile(args.sp_profile, config_path=options.config) \
            if args.sp_profile else None
        request = SetupRequest(
            sp=_sp_values(args, loaded), label=args.label, app=args.app, groups=args.groups,
            overwrite=args.overwrite, sp_profile=sp_profile, enable=args.enable,
            cert_out=args.cert_out, dry_run=args.dry_run,
            backup_dir=args.backup_dir or getattr(loaded, "backup_dir", None),
            state_dir=args.state_dir, warn_days=args.warn_days, domain=domain,
            txt_value=args.txt_value, dns_server=server,
            config=options.config, profile=options.profile)
        with interrupt_note():
            result = setup(client, request, now=okta_view.when(args.now),
                           confirm=okta_view.confirmer(args.yes, plan_blocks,
                                                       "Apply this plan to Okta and the SP?"))
    return setup_report(result)


def plan_blocks(plan: Any) -> list:
    """The one plan: Okta's fields, the SP's fields, what stays manual."""
    blocks: list = []
    if plan.resuming:
        blocks.append(Text(f"resuming: an earlier run stopped after the {plan.resuming} step "
                           f"(state: {plan.state_path})", style="yellow"))
    blocks += okta_view.configure_plan_blocks(plan.okta)
    side = plan.sp
    rows: list[tuple[str, str | None]] = []
    if side.mode == "push":
        for change in side.changes:
            if plan.idp is None and change.field != "enabled":
                rows.append((change.label, f"now {change.current or '(empty)'}\nnew from the "
                                           "new app's metadata"))
            elif change.changed:
                rows.append((change.label, f"now {change.current or '(empty)'}\n"
                                           f"new {change.desired or '(empty)'}"))
            else:
                rows.append((change.label, f"{change.current or '(empty)'} (unchanged)"))
    elif plan.idp is not None:
        rows += [("SSO URL", plan.idp.sso_url), ("Entity ID", plan.idp.issuer),
                 ("Certificate", f"SHA-256 {plan.idp.sha256}" if plan.idp.sha256 else None)]
    rows.append(("what happens", side.detail))
    state = "changes" if side.pending else "no changes"
    blocks.append(Fields(f"{side.where}: {state}", rows))
    if plan.manual:
        blocks.append(Text("Stays manual:\n" + "\n".join(f"  - {m}" for m in plan.manual),
                           hang=4))
    return blocks


OUTCOMES = {
    "no_changes": "no changes: both sides are set up already; nothing was written",
    "dry_run": "dry run: nothing was written (run without --dry-run to apply)",
    "declined": "not confirmed: nothing was written",
    "applied": "done: Okta is configured and the values read back as planned",
    "blocked": "stopped: the app's metadata or certificate has errors; nothing was written "
               "to the SP (see Findings)",
}


def setup_report(result: Any) -> Report:
    blocks: list = plan_blocks(result.plan) if result.outcome.value != "no_changes" else []
    if result.outcome == "no_changes" and result.plan.resuming is None:
        blocks.append(Fields("Connection", [
            ("Okta app", f"{result.plan.okta.label} ({result.app_id})"),
            ("SP side", result.plan.sp.where), ("status", result.plan.sp.detail)]))
    blocks += [Text(f"- {step}", hang=2) for step in result.steps]
    manual = result.plan.sp.mode.value == "manual"
    if manual and result.outcome.value == "no_changes":
        blocks.append(Text("no changes: the Okta app is set up and sipgate's values were "
                           "handed over already; nothing was written"))
    else:
        blocks.append(Text(OUTCOMES[result.outcome.value]))
    kept = result.plan.okta.kept
    if kept:
        blocks.append(Text(f"{len(kept)} Okta field(s) differ from sipgate's guide and were "
                           f"kept ({', '.join(f.label for f in kept)}); `ssoctl doctor` "
                           "reports them, --overwrite changes them", style="yellow"))
    idp = result.idp
    if manual and idp is not None and result.outcome in ("applied", "no_changes"):
        blocks.append(Fields("sipgate's values (Account → Single Sign-on)", [
            ("SSO URL", idp.sso_url), ("Entity ID", idp.issuer),
            ("Certificate", f"the file {result.cert_file}")]))
        if idp.certificate is not None:
            blocks.append(Code(idp.certificate.pem, title=f"Certificate ({result.cert_file}):"))
    if result.checklist:
        blocks.append(Text("Left to do:\n" + "\n".join(
            f"  {i}. {item}" for i, item in enumerate(result.checklist, 1)), hang=5))
    if result.verify_command:
        blocks.append(Text(f"then verify with:\n  {result.verify_command}"))
    if result.okta_backup:
        blocks.append(Text(f"backup of the app's previous settings: {result.okta_backup}"))
    if result.sp_backup:
        blocks.append(Text(f"backup of the SP's previous settings: {result.sp_backup}"))
    pending = result.outcome == "dry_run"
    return Report(data=result, findings=result.findings, blocks=tuple(blocks),
                  exit_code=ExitCode.CHANGES_PENDING if pending else None)


# ---------------------------------------------------------------- doctor

@dataclass(frozen=True)
class DoctorArgs:
    app: str
    acs_url: str | None
    sp_entity_id: str | None
    sp_profile: str | None
    sp_cert: str | None
    sp_fingerprint: str | None
    warn_days: int
    domain: str | None
    txt_value: str | None
    dns_server: str | None
    metadata_url: str | None
    output_format: str
    now: str | None


FORMATS = ("text", "json", "junit")


def doctor_format(value: str, json_output: bool) -> str:
    fmt = value.strip().lower()
    if fmt not in FORMATS:
        raise UsageError(f"--format {value!r}: use text, json or junit",
                         hint="--format junit writes JUnit XML for CI test reports",
                         code="DOCTOR_BAD_FORMAT")
    if json_output and fmt == "junit":
        raise UsageError("--json and --format junit both ask for stdout",
                         hint="pick one: --format junit for CI test reports, --json for "
                              "scripts", code="DOCTOR_BAD_FORMAT")
    return "json" if json_output else fmt


def run_doctor(args: DoctorArgs, options: Any, *, strict: bool) -> Report:
    from ssoctl.connection import doctor as doc
    from ssoctl.connection.dns import parse_server
    from ssoctl.okta.connect import sp_values

    given = [n for n, v in (("--sp-profile", args.sp_profile), ("--sp-cert", args.sp_cert),
                            ("--sp-fingerprint", args.sp_fingerprint)) if v]
    if len(given) > 1:
        raise UsageError(f"give one of {', '.join(given)}",
                         hint="--sp-profile reads the SP; --sp-cert/--sp-fingerprint describe "
                              "what was pasted into sipgate", code="DOCTOR_INPUT_CONFLICT")
    when = okta_view.when(args.now)
    server = parse_server(args.dns_server) if args.dns_server else None
    reader = _sp_reader(args, options, when)
    with okta_view.client(options, "read") as (client, loaded):
        request = doc.DoctorRequest(
            app=args.app, sp=sp_values(loaded, acs_url=args.acs_url,
                                       entity_id=args.sp_entity_id),
            warn_days=args.warn_days, domain=args.domain, txt_value=args.txt_value,
            dns_server=server, metadata_url=args.metadata_url)
        result = doc.doctor(client, request, now=when, sp_reader=reader)
    return doctor_report(result, fmt=args.output_format, strict=strict, now=when)


def _sp_reader(args: DoctorArgs, options: Any, when: dt.datetime) -> Any:
    from ssoctl.connection import doctor as doc

    if args.sp_cert:
        held = doc.sp_from_cert_file(args.sp_cert, now=when)
        return lambda: held
    if args.sp_fingerprint:
        held = doc.sp_from_fingerprint(args.sp_fingerprint)
        return lambda: held
    if args.sp_profile:
        from ssoctl.config.profiles import load_profile

        profile = load_profile(args.sp_profile, config_path=options.config)

        def read():
            from ssoctl.sp import service

            return doc.sp_from_status(service.status(profile, now=when, warn_days=args.warn_days))
        return read
    return None


_MARK = {"pass": "ok  ", "warning": "WARN", "fail": "FAIL", "skipped": "skip"}


def doctor_report(result: Any, *, fmt: str, strict: bool, now: dt.datetime) -> Report:
    from ssoctl.connection import junit

    lines = [f"{_MARK[c.status.value]}  {c.title}: {c.summary}" for c in result.checks]
    head = Text(f"ssoctl doctor: Okta app {result.app_label!r} ({result.app_id}) in "
                f"{result.org}")
    failed = sum(1 for c in result.checks if junit.failing(c, strict=strict))
    tail = Text(f"{len(result.checks)} checks: {failed} failed" if failed
                else f"{len(result.checks)} checks: no failures")
    blocks = (head, Text("\n".join(lines), hang=6), tail)  # wrapped under the text
    if fmt == "junit":
        xml = junit.render(result.checks, suite=f"ssoctl doctor {result.org} "
                           f"{result.app_label} ({result.app_id})", now=now, strict=strict,
                           properties={"org": result.org, "app_id": result.app_id})
        return Report(data=result, findings=result.findings, blocks=blocks, payload=xml)
    return Report(data=result, findings=result.findings, blocks=blocks)


def junit_error_report(error: Any, *, now: str | None) -> Report:
    """``--format junit`` when doctor could not run at all (Okta unreachable, a bad
    option): one failed test case carrying the error, and the error's exit code."""
    from ssoctl.connection import junit
    from ssoctl.connection.doctor import Check, Status
    from ssoctl.findings import finding

    item = finding("CONN_CHECK_FAILED", f"{error.message} ({error.code})",
                   hint=error.hint or None)
    check = Check("doctor", "ssoctl doctor could not run", Status.FAIL, error.message, (item,))
    when = _parsed(now)
    xml = junit.render((check,), suite="ssoctl doctor", now=when)
    return Report(data={"error": error.to_dict()}, findings=(item,),
                  blocks=(Text(f"error: {error.message}"),), payload=xml,
                  exit_code=error.exit_code)


def _parsed(value: str | None) -> dt.datetime:
    from ssoctl.errors import SsoctlError

    try:
        return okta_view.when(value)
    except SsoctlError:  # the bad --now is the error being reported
        return dt.datetime.now(dt.timezone.utc)
