"""Presentation and interaction for ``ssoctl okta``: reports, confirmation, progress.

Imported only inside the command functions, so it may import the core freely.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from typing import Any, Callable, Iterator, Sequence

import typer

from ssoctl.cli import common
from ssoctl.errors import ExitCode, UsageError
from ssoctl.files import stdin_is_tty
from ssoctl.findings import plural
from ssoctl.okta.apps import Action, ConfigurePlan, show
from ssoctl.render import Code, Fields, Report, Table, Text, copyable, plain_text

#: OAuth scopes per kind of work (least privilege).
SCOPES = {
    "read": ("okta.apps.read",),
    "write": ("okta.apps.manage",),
    "read+groups": ("okta.apps.read", "okta.groups.read"),
    "write+groups": ("okta.apps.manage", "okta.groups.read"),
}


@contextlib.contextmanager
def client(options, need: str) -> Iterator[tuple[Any, Any]]:
    """An :class:`OktaClient` (and the profile, or None) for this command, closed after."""
    from ssoctl.okta.connect import connect, load_profile

    profile = load_profile(options)
    okta = connect(options, scopes=SCOPES[need], profile=profile)
    try:
        yield okta, profile
    finally:
        okta.close()


def when(value: str | None) -> dt.datetime:
    return common.parse_now(value) or dt.datetime.now(dt.timezone.utc)


def progress(ctx: typer.Context, json_output: bool, what: str):
    """A progress callback drawing a bar on stderr when it is a terminal; None otherwise."""
    from ssoctl.render import use_color

    state = common.app_state(ctx)
    if json_output or state.json_output or not use_color(sys.stderr, state.no_color):
        return None
    import threading

    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(file=sys.stderr), transient=True)
    lock = threading.Lock()
    task: list[Any] = []

    def update(done: int, total: int) -> None:
        with lock:
            if not task:
                bar.start()
                task.append(bar.add_task(what, total=total))
            bar.update(task[0], completed=done, total=total)
            if done >= total:
                bar.stop()
    return update


def confirmer(yes: bool, blocks: Callable[[Any], list], question: str):
    """``--yes`` → go; a terminal → show the plan on stderr and ask; otherwise refuse."""
    def confirm(plan: Any) -> bool:
        if yes:
            return True
        if not stdin_is_tty():
            raise UsageError("changes need confirmation, and this is not a terminal",
                             hint="add --yes to apply without asking (or --dry-run to only "
                                  "see the plan)", code="CONFIRMATION_REQUIRED")
        sys.stderr.write(plain_text(blocks(plan), []))
        return typer.confirm(question, default=False, err=True)
    return confirm


def _date(value: dt.datetime | None) -> str:
    return value.date().isoformat() if value else "-"


# ---------------------------------------------------------------- list

def list_report(result) -> Report:
    rows = [(a.label, a.id, a.status.lower(), a.sso_url or "-",
             "error: " + a.error["code"] if a.error else _date(a.certificate_expires),
             show("signature_algorithm", a.signature_algorithm)
             if a.signature_algorithm else "-") for a in result.apps]
    what = f" with {result.label_filter!r} in the label" if result.label_filter else ""
    blocks: list = [Table(f"SAML 2.0 apps in {result.org}",
                          ("label", "id", "status", "Single sign-on URL", "cert expires",
                           "signature"), rows),
                    Text(f"{len(rows)} SAML 2.0 {plural(len(rows), 'app')}{what}")]
    failed = [a for a in result.apps if a.error]
    return Report(data=result, blocks=tuple(blocks),
                  exit_code=ExitCode.NETWORK if failed and len(failed) == len(rows) else None)


# ---------------------------------------------------------------- configure

OUTCOMES = {
    "no_changes": "no changes: the app already has these settings; nothing was written",
    "dry_run": "dry run: nothing was written (run without --dry-run to apply)",
    "declined": "not confirmed: nothing was written",
    "created": "created: the app reads back exactly as planned",
    "updated": "updated: the app reads back exactly as planned",
}


def configure_plan_blocks(plan: ConfigurePlan) -> list:
    rows: list[tuple[str, str]] = []
    for f in plan.fields:
        now, new = show(f.key, f.current), show(f.key, f.desired)
        # The values as Okta's screens show them ("Application username", a URL): each
        # kept whole on its line, never wrapped inside.
        if plan.create:
            rows.append((f.label, copyable(new)))
        elif f.action is Action.UNCHANGED:
            rows.append((f.label, f"{now} (unchanged)"))
        elif f.action is Action.KEEP:
            rows.append((f.label, f"{now} (kept: sipgate needs {new}; --overwrite changes it)"))
        else:
            rows.append((f.label, copyable(f"now {now}\nnew {new}")))
    app = plan.app
    status = "Active" if app is None else (
        f"now {app.status.title()}\nnew Active" if plan.activate else "Active (unchanged)")
    rows.append(("Application status", status))
    for g in plan.groups:
        rows.append((f"Assignment: group {g.name}",
                     "assigned (unchanged)" if g.assigned else "assign"))
    title = (f"New SAML 2.0 app {plan.label!r} in {plan.org}" if app is None else
             f"App {plan.label!r} ({app.id}) in {plan.org}")
    changing = len(plan.writes) + (1 if plan.activate else 0) + \
        sum(1 for g in plan.groups if not g.assigned)
    return [Fields(f"{title}: {changing} {plural(changing, 'change')}", rows)]


def configure_report(result) -> Report:
    plan = result.plan
    blocks = configure_plan_blocks(plan)
    blocks.append(Text(OUTCOMES[result.outcome]))
    if plan.kept:
        blocks.append(Text(f"{len(plan.kept)} field(s) differ from sipgate's guide and were "
                           "kept; `ssoctl okta check` reports them, --overwrite changes them",
                           style="yellow"))
    if result.backup:
        blocks.append(Text(f"backup of the previous settings: {result.backup}"))
    if result.app_id and result.outcome in ("created", "updated", "no_changes"):
        blocks.append(Text(f"next: ssoctl okta metadata {result.app_id} (sipgate's three "
                           "values)"))
    pending = result.outcome == "dry_run" and plan.has_changes
    return Report(data=result, blocks=tuple(blocks),
                  exit_code=ExitCode.CHANGES_PENDING if pending else None)


# ---------------------------------------------------------------- check

def check_report(result) -> Report:
    app = result.app
    key = result.active_key
    fields = Fields(f"Okta app {app.label!r} ({app.id})", [
        ("org", result.org), ("status", app.status.title()),
        ("assigned", None if result.assigned is None else ("yes" if result.assigned else "no")),
        *[(label, show(k, app.values.get(k))) for k, label in _CHECK_FIELDS],
        ("signing key", f"{key.kid}, expires {_date(key.expires_at)}" if key else "(none)"),
    ])
    blocks: list = [fields]
    if len(result.keys) > 1:
        blocks.append(Table("Signing keys", ("kid", "active", "expires", "SHA-256"),
                            [(k.kid, "yes" if k.active else "", _date(k.expires_at),
                              copyable(k.certificate.sha256) if k.certificate else "-")
                             for k in result.keys]))
    if not any(f.is_error for f in result.findings):
        blocks.append(Text("the app matches what sipgate needs" if result.sp.complete else
                           "no problems found (sipgate's values were not compared)"))
    return Report(data=result, findings=result.findings, blocks=tuple(blocks))


_CHECK_FIELDS = (("sso_acs_url", "Single sign-on URL"), ("recipient", "Recipient URL"),
                 ("destination", "Destination URL"), ("audience", "Audience URI"),
                 ("name_id_format", "Name ID format"),
                 ("username_template", "Application username"),
                 ("signature_algorithm", "Signature Algorithm"),
                 ("digest_algorithm", "Digest Algorithm"),
                 ("assertion_signed", "Assertion Signature"))


# ---------------------------------------------------------------- rotate-cert

def rotate_plan_blocks(plan) -> list:
    current = plan.current
    return [Fields(f"App {plan.app.label!r} ({plan.app.id}) in {plan.org}", [
        ("active key", f"{current.kid}, expires {_date(current.expires_at)}" if current
         else (plan.app.kid or "(none)")),
        ("new key", f"generated by Okta, valid {plan.years} years"),
        ("then", "switch the app to it, read the metadata back"
                 + (f", push to SP profile {plan.push_to}" if plan.push_to else "")),
    ])]


ROTATE_OUTCOMES = {
    "dry_run": "dry run: no key was generated and nothing was switched",
    "declined": "not confirmed: nothing was changed",
    "rotated": "rotated: the app signs with the new key; its metadata carries the new "
               "certificate",
    "rolled_back": "rolled back: the app signs with the previous key again",
    "no_changes": "no changes: the app already signs with that key",
}


def rotate_report(result, *, connection_args: Sequence[str] = ()) -> Report:
    blocks: list = rotate_plan_blocks(result.plan) if result.outcome in ("dry_run", "declined") \
        else []
    key = result.new_key
    if key is not None and key.certificate is not None and result.outcome != "dry_run":
        cert = key.certificate
        blocks.append(Fields("Signing key now", [
            ("kid", key.kid), ("previous kid", result.previous_kid),
            ("valid until", _date(cert.not_after)), ("SHA-256", cert.sha256)]))
        blocks.append(Code(cert.pem, title="Certificate (sipgate → Single Sign-on → "
                                           "Certificate):"))
    for step in result.steps:
        blocks.append(Text(f"- {step}"))
    blocks.append(Text(ROTATE_OUTCOMES[result.outcome]))
    if result.outcome == "rotated":
        if result.pushed is None:
            blocks.append(Text("sipgate still holds the previous certificate: paste the one "
                               "above into sipgate's Certificate field (or use --push-profile)",
                               style="yellow"))
        import shlex

        undo = ["ssoctl", "okta", "rotate-cert", result.plan.app.id, "--rollback",
                str(result.backup), *connection_args]
        blocks.append(Text(("undo with: ", copyable(shlex.join(undo)))))
    pending = result.outcome == "dry_run"
    return Report(data=result, blocks=tuple(blocks),
                  exit_code=ExitCode.CHANGES_PENDING if pending else None)


# ---------------------------------------------------------------- audit

def audit_report(result, *, strict: bool = False) -> Report:
    rows = []
    for e in result.entries:
        # The codes as --json and `ssoctl explain` know them (a shortened one named
        # another finding there).
        codes = ", ".join(dict.fromkeys(f.code for f in e.findings
                                        if f.code != "OKTA_NOT_SIPGATE" and
                                        f.severity.value != "info"))
        key = e.check.active_key if e.check else None
        rows.append((e.app.label, e.app.id, e.app.status.lower(),
                     "yes" if e.check and e.check.sipgate else "",
                     _date(key.expires_at) if key else "-", e.worst,
                     (e.error or {}).get("message", "") or codes or "-"))
    counts = result.counts()
    summary = (f"{counts['apps']} SAML apps ({counts['sipgate']} sipgate): {counts['ok']} ok, "
               f"{counts['warning']} with warnings, {counts['error']} with errors")
    blocks = (Table(f"SAML 2.0 apps in {result.org}",
                    ("label", "id", "status", "sipgate", "cert expires", "result", "problems"),
                    rows), Text(summary))
    # Findings stay with their app in data.apps[] (2,000 apps would bury a flat list);
    # the exit status still follows them.
    return Report(data=result, blocks=blocks, exit_code=_audit_status(result, strict))


def _audit_status(result, strict: bool) -> ExitCode:
    from ssoctl.findings import exit_code_for

    status = exit_code_for(result.findings, strict=strict)
    if status == ExitCode.OK and any(e.error for e in result.entries):
        return ExitCode.NETWORK
    return status
