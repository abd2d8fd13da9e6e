"""Presentation and interaction for push, rollback and sp status: reports, confirmation,
and the bulk runner (several tenants, bounded concurrency, progress on a terminal only).

Imported only inside the command functions, so it may import the core freely.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import io
import shlex
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterator

import typer

from ssoctl.cli import common
from ssoctl.config.schema import Profile
from ssoctl.config.profiles import load_profile
from ssoctl.errors import ExitCode, SsoctlError, UsageError
from ssoctl.files import expand_user, stdin_is_tty
from ssoctl.links import SP_API
from ssoctl.render import Fields, Report, Table, Text, copyable, plain_text
from ssoctl.sp.contract import LABELS
from ssoctl.sp.plan import Plan
from ssoctl.sp.service import Connection, PushOptions, PushResult, SpStatus

#: CONTRACT_NOTE (kept whole in JSON) on two lines of under 80 columns for people.
NOTE = Text(("note: sipgate publishes no SSO settings API; this is ssoctl's contract,\n"
             "      implemented by the SP or an adapter in front of it: ", copyable(SP_API)),
            hang=6)

OUTCOME_TEXT = {
    "refused": "refused: error findings in what would be pushed; nothing was sent to the SP "
               "(fix them, or override one with --allow CODE)",
    "no_changes": "no changes: the SP already has these settings; nothing was written",
    "dry_run": "dry run: nothing was written (run without --dry-run to apply)",
    "declined": "not confirmed: nothing was written",
    "applied": "applied: the SP read back exactly what was written",
}


def start_run() -> None:
    """A new command run: forget secrets an earlier run in this process registered for
    redaction (every token this run resolves is added as it is resolved)."""
    from ssoctl import http

    http.start_run()


def config_args(config: str | None) -> str:
    """``--config FILE`` shell-quoted, for commands printed for a person to paste."""
    return shlex.join(["--config", config]) if config else ""


def profile(name: str | None, config: str | None, ca_bundle: str | None) -> Profile:
    """Load a profile, with ``--ca-bundle`` overriding the profile's."""
    loaded = load_profile(name, config_path=config)
    return dataclasses.replace(loaded, ca_bundle=ca_bundle) if ca_bundle else loaded


def now_or_real(value: str | None) -> dt.datetime:
    return common.parse_now(value) or dt.datetime.now(dt.timezone.utc)


def confirmer(yes: bool, *, is_tty: Callable[[], bool] | None = None) -> Callable[[Plan], bool]:
    """``--yes`` → always; a terminal → show the diff and ask; otherwise refuse (exit 2)."""
    def confirm(plan: Plan) -> bool:
        if yes:
            return True
        if not (is_tty or stdin_is_tty)():
            raise UsageError("changes need confirmation, and this is not a terminal",
                             hint="add --yes to apply without asking (or --dry-run to only "
                                  "see the diff)", code="CONFIRMATION_REQUIRED")
        from ssoctl import http

        changes = http.redactor().scrub(plan.changes)
        sys.stderr.write(plain_text([changes_block(changes)], []))
        return typer.confirm(f"Write these settings to {plan.endpoint}?", default=False,
                             err=True)
    return confirm


@contextlib.contextmanager
def interrupt_note() -> Iterator[None]:
    """Ctrl-C in the middle of a write: say where the backup is before exiting 130."""
    from ssoctl.sp.plan import InterruptedWrite

    try:
        yield
    except InterruptedWrite as exc:
        sys.stderr.write(f"interrupted while writing to the SP: it may hold a half-applied "
                         f"change.\nthe previous settings are in {exc.backup_path}\n"
                         f"check with `ssoctl sp status`; restore with: {exc.command}\n")
        raise KeyboardInterrupt from None


def short_value(text: str | None) -> str:
    """A diff value as shown: whole (a certificate's SHA-256 fingerprint is what a user
    compares with Okta's), an empty value named."""
    return text if text else "(empty)"


def changes_block(changes) -> Fields:
    """The diff, one field under another: readable at 80 columns and in a pipe, where a
    wide table with URLs and fingerprints would wrap into its neighbours' columns."""
    rows = []
    for c in changes:
        if c.changed:
            now, new = short_value(c.current), short_value(c.desired)
            rows.append((c.label, f"now {now}\nnew {new}"))
        else:
            rows.append((c.label, f"{short_value(c.current)} (unchanged)"))
    count = sum(1 for c in changes if c.changed)
    return Fields(f"Changes ({count} of {len(changes)} fields)", rows)


def push_report(result: PushResult, *, verb: str = "push", retry_hint: str = "") -> Report:
    """The human and JSON view of a push or rollback."""
    head = Fields("Rollback" if verb == "rollback" else "Push", [
        ("profile", result.profile), ("target", result.target),
        ("endpoint", copyable(result.endpoint)), ("values from", copyable(result.source)),
        ("backup", copyable(result.backup)),
        ("SSO enabled", None if result.enabled is None else ("on" if result.enabled else "off")),
    ])
    blocks: list[Any] = [head]
    if result.changes:
        blocks.append(changes_block(result.changes))
    outcome = OUTCOME_TEXT[result.outcome]
    if verb == "rollback" and result.outcome == "applied":
        outcome = "restored: the SP read back exactly the backup's settings"
    blocks.append(Text(outcome))
    if result.backup:
        from ssoctl.sp.plan import rollback_command

        blocks.append(Text(("undo with: ", copyable(rollback_command(
            result.backup, result.profile, retry_hint)))))
    blocks.append(NOTE)
    return Report(data=result, findings=result.findings, blocks=tuple(blocks))


def status_report(result: SpStatus) -> Report:
    """The human and JSON view of ``sp status``."""
    s = result.settings
    info = result.certificate
    cert = None
    if s.certificate:
        cert = "unreadable certificate text"
        if info is not None:
            cert = (f"SHA-256 {info.sha256}\nexpires {info.not_after.date().isoformat()} "
                    f"({info.days_left} days)\n{info.subject}")
    fields = Fields("SSO settings on the SP", [
        ("profile", result.profile), ("endpoint", copyable(result.endpoint)),
        ("SSO URL", copyable(s.sso_url) or "(empty)"),
        ("Entity ID", copyable(s.idp_entity_id) or "(empty)"),
        ("Certificate", cert or "(empty)"),
        ("SSO enabled", ("on" if s.enabled else "off") if result.enabled_known
         else "unknown (the rest profile's body has no {enabled})"),
        ("ETag", result.etag),
    ])
    return Report(data=result, findings=result.findings,
                  blocks=(fields, NOTE))


# ---------------------------------------------------------------- bulk

@dataclasses.dataclass(frozen=True)
class TenantResult:
    """One tenant's outcome in a bulk push."""

    profile: str
    exit_code: int
    outcome: str | None = None
    changed_fields: tuple[str, ...] = ()
    backup: str | None = None
    error: dict[str, str] | None = None
    findings: tuple[dict[str, Any], ...] = ()

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def to_dict(self) -> dict[str, Any]:
        return {"profile": self.profile, "ok": self.ok, "exit_code": self.exit_code,
                "outcome": self.outcome, "changed_fields": list(self.changed_fields),
                "backup": self.backup, "error": self.error, "findings": list(self.findings)}


def tenant_list(profiles: str | None, tenants: str | None) -> list[tuple[str, str | None]]:
    """(profile, metadata override) pairs from ``--profiles a,b`` and/or ``--tenants x.csv``.

    A relative ``metadata`` path in the CSV is relative to the CSV file's folder. A profile
    listed twice is refused: two writers on one SP would race each other's ETags.
    """
    out: list[tuple[str, str | None]] = [
        (name.strip(), None) for name in (profiles or "").split(",") if name.strip()]
    if tenants:
        out += _csv_tenants(tenants)
    if not out:
        raise UsageError("no tenants given", hint="--profiles a,b,c or --tenants FILE.csv",
                         code="TENANTS_CSV_INVALID")
    seen: set[str] = set()
    for name, _ in out:
        if name in seen:
            raise UsageError(f"profile {name!r} is listed twice",
                             hint="list every tenant once (in --profiles and --tenants together)",
                             code="TENANTS_CSV_INVALID")
        seen.add(name)
    return out


def _csv_tenants(tenants: str) -> list[tuple[str, str | None]]:
    from pathlib import Path

    from ssoctl.files import decode_text, read_source

    text = decode_text(read_source(tenants, max_bytes=1024 * 1024, what="tenants CSV").data,
                       what="tenants CSV").text
    # Rows end where CSV says (\n, \r\n), not at every character str.splitlines() takes
    # for a line break (\x1c, U+2028 in a value); strict: an unclosed quote or text after
    # a closing quote is an error, not a guess
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        columns = reader.fieldnames or []
        rows = list(reader)
    except csv.Error as exc:  # also a value over the csv module's field size limit
        # (the row reader's line count: DictReader's own is updated only after a good row)
        limit = csv.field_size_limit()
        raise UsageError(f"{tenants} is not a CSV ssoctl can read: line "
                         f"{reader.reader.line_num}: {_csv_problem(exc)}",
                         hint=f"one tenant per line: profile[,metadata]; close every quote "
                              f"(\"...\"), and keep each value under {limit} characters",
                         code="TENANTS_CSV_INVALID") from None
    if "profile" not in columns:
        raise UsageError(f"{tenants} has no 'profile' column",
                         hint="first line: profile[,metadata]", code="TENANTS_CSV_INVALID")
    folder = Path(tenants).parent if tenants != "-" else Path(".")
    out = []
    for row in rows:
        name = (row.get("profile") or "").strip()
        metadata = (row.get("metadata") or "").strip() or None
        if metadata and metadata != "-" and "://" not in metadata:
            metadata = str(folder / expand_user(metadata, what="metadata file"))
        if name:
            out.append((name, metadata))
    return out


def _csv_problem(exc: csv.Error) -> str:
    """The csv module's complaint, in the words of the tenants file."""
    text = str(exc)
    if text == "unexpected end of data":
        return "the file ends inside a quoted value (a closing \" is missing)"
    if text.startswith("field larger than field limit"):
        return f"a value is longer than {csv.field_size_limit()} characters"
    return text


def run_bulk(profiles: str | None, tenants: str | None, options: PushOptions, *,
             config: str | None, ca_bundle: str | None, now: str | None, yes: bool, jobs: int,
             quiet: bool, no_color: bool = False,
             connection: Connection | None = None) -> tuple[TenantResult, ...]:
    """Push to every tenant, ``jobs`` at a time; one tenant's failure stops no other. The
    progress bar is left out with ``quiet`` (JSON) and ``no_color`` (``--no-color``)."""
    if not (yes or options.dry_run):
        raise UsageError("bulk push never asks per tenant", hint="add --yes (or --dry-run)",
                         code="CONFIRMATION_REQUIRED")
    pairs = tenant_list(profiles, tenants)
    when = now_or_real(now)
    # No prompts from worker threads: tokens must come from the environment or files.
    conn = connection or Connection(is_tty=lambda: False)

    def one(pair: tuple[str, str | None]) -> TenantResult:
        name, metadata = pair
        # A tenant's own metadata (CSV) replaces whatever values the command line gave.
        opts = dataclasses.replace(options, metadata=metadata, sso_url=None, entity_id=None,
                                   cert=None) if metadata else options
        try:
            from ssoctl.sp import service

            result = service.push(profile(name, config, ca_bundle), opts, now=when,
                                  confirm=lambda plan: True, connection=conn)
        except SsoctlError as exc:  # exit 7/8 errors name the backup: keep it in the row
            return TenantResult(name, int(exc.exit_code), backup=getattr(exc, "backup", None),
                                error=exc.to_dict())
        status = Report(data=None, findings=result.findings).status(strict=options.strict)
        return TenantResult(name, int(status), result.outcome,
                            tuple(c.field for c in result.changes if c.changed), result.backup,
                            findings=tuple(f.to_dict() for f in result.findings))

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(one, pair) for pair in pairs]
        try:
            _progress(futures, quiet=quiet, no_color=no_color)
            return tuple(f.result() for f in futures)
        except KeyboardInterrupt:
            _interrupted([name for name, _ in pairs], futures)
            raise


def _interrupted(names: list[str], futures: list) -> None:
    """Ctrl-C in a bulk push: start no further tenant, let the running ones finish their
    verified write (stopping one mid-write would leave it half-applied), say who is where."""
    from concurrent.futures import wait

    skipped = [name for name, f in zip(names, futures) if f.cancel()]
    wait([f for f in futures if not f.cancelled()])
    done = [f"{name}: {_short(f.result())}" for name, f in zip(names, futures)
            if not f.cancelled()]
    sys.stderr.write("interrupted: no further tenant was started\n"
                     + "".join(f"  {line}\n" for line in done)
                     + (f"  not started: {', '.join(skipped)}\n" if skipped else ""))


def _short(result: TenantResult) -> str:
    if result.ok:
        return result.outcome or "ok"
    return f"exit {result.exit_code}" + (f", backup {result.backup}" if result.backup else "")


def _progress(futures: list, *, quiet: bool, no_color: bool = False) -> None:
    """A progress bar on a terminal only (stderr), never with ``--no-color``, ``NO_COLOR``
    or ``TERM=dumb`` (as the okta progress bars); pipes and CI logs get nothing."""
    from ssoctl.render import use_color

    if quiet or not use_color(sys.stderr, no_color):
        return
    from concurrent.futures import as_completed

    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task("pushing", total=len(futures))
        for _ in as_completed(futures):
            bar.advance(task)


def bulk_report(results: tuple[TenantResult, ...]) -> Report:
    """One row per tenant; exit status is the worst tenant's (0 only if all succeeded). A
    backup's path is kept whole: it is what ``ssoctl rollback PATH`` takes."""
    rows = [(r.profile, "ok" if r.ok else f"exit {r.exit_code}", r.outcome or "-",
             ", ".join(LABELS.get(f, f) for f in r.changed_fields) or "-",
             (r.error or {}).get("message", "") or (copyable(r.backup) if r.backup else ""))
            for r in results]
    worst = max((r.exit_code for r in results), default=0)
    failed = sum(1 for r in results if not r.ok)
    summary = f"{len(results) - failed} of {len(results)} tenants succeeded"
    return Report(data={"tenants": results, "failed": failed, "total": len(results)},
                  blocks=(Table("Tenants", ("profile", "status", "outcome", "changed", "detail"),
                                rows), Text(summary), NOTE),
                  exit_code=ExitCode(worst) if worst in set(ExitCode) else ExitCode.FINDINGS)
