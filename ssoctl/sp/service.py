"""The one-call entry points the CLI uses: :func:`push`, :func:`rollback`, :func:`status`.

Each resolves what it needs (local checks, token, target), runs the plan/apply/verify
machinery of :mod:`ssoctl.sp.plan`, and returns a frozen result; refusals and failures
are :class:`~ssoctl.errors.SsoctlError` subclasses with the exit codes of docs/exit-codes.md.
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from enum import StrEnum
from typing import Any, Callable, Mapping

from ssoctl import http
from ssoctl.config.profiles import default_backup_dir
from ssoctl.config.schema import Profile
from ssoctl.errors import InputError, SsoctlError, UsageError
from ssoctl.findings import Finding, Severity, finding
from ssoctl.sp import credentials as creds
from ssoctl.sp import desired as want
from ssoctl.sp.backup import read_backup
from ssoctl.sp.contract import (CONTRACT_NOTE, LABELS, FieldChange, SsoSettings, describe_cert,
                                fingerprint)
from ssoctl.sp.plan import Plan, apply, make_plan, rollback_plan
from ssoctl.sp.credentials import Credentials
from ssoctl.sp.targets import Target, http_settings

Confirm = Callable[[Plan], bool]


@dataclass(frozen=True)
class Connection:
    """How to reach the SP: injectable pieces for tests (clock, sleep, environment)."""

    http: Mapping[str, Any] = field(default_factory=dict)
    """Overrides for :class:`ssoctl.http.HttpSettings` (e.g. ``sleep``, ``clock``)."""
    environ: Mapping[str, str] | None = None
    prompt: Callable[[str], str] | None = None
    is_tty: Callable[[], bool] | None = None


class PushOutcome(StrEnum):
    """What a push or rollback did (JSON ``outcome``: the member's value)."""

    REFUSED = "refused"
    NO_CHANGES = "no_changes"
    DRY_RUN = "dry_run"
    DECLINED = "declined"
    APPLIED = "applied"


@dataclass(frozen=True)
class PushResult:
    """What a push or rollback did (``outcome``: a :class:`PushOutcome`)."""

    profile: str
    target: str
    endpoint: str
    outcome: PushOutcome
    source: str
    changes: tuple[FieldChange, ...] = ()
    findings: tuple[Finding, ...] = ()
    backup: str | None = None
    enabled: bool | None = None
    steps: tuple[str, ...] = ()
    note: str = CONTRACT_NOTE

    def to_dict(self) -> dict[str, Any]:
        return {"profile": self.profile, "target": self.target, "endpoint": self.endpoint,
                "outcome": self.outcome, "source": self.source,
                "changes": [c.__dict__ for c in self.changes],
                "changed_fields": [c.field for c in self.changes if c.changed],
                "backup": self.backup, "enabled": self.enabled, "steps": list(self.steps),
                "note": self.note}


@dataclass(frozen=True)
class PushOptions:
    """Everything ``ssoctl push`` was asked, in one place."""

    metadata: str | None = None
    metadata_entity_id: str | None = None
    sso_url: str | None = None
    entity_id: str | None = None
    cert: str | None = None
    allow: tuple[str, ...] = ()
    enable: bool = False
    dry_run: bool = False
    backup_dir: str | None = None
    strict: bool = False
    """Warnings block the push too."""
    retry_hint: str = ""


def _scrubbed(work: Callable[..., Any]) -> Callable[..., Any]:
    """Results and errors leave this package only through the run's redactor
    (:func:`ssoctl.http.redactor`): an SP that echoes the token in a value, an ETag or an
    error reason cannot make ssoctl print it."""
    import functools

    @functools.wraps(work)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            result = work(*args, **kwargs)  # first: it registers the token it resolves
        except SsoctlError as exc:
            raise http.redactor().scrub_error(exc) from None
        return http.redactor().scrub(result)
    return run


@_scrubbed
def push(profile: Profile, options: PushOptions, *, now: dt.datetime, confirm: Confirm,
         connection: Connection = Connection()) -> PushResult:
    """Check locally, plan, confirm, back up, write, verify (see :mod:`ssoctl.sp.plan`)."""
    allowed = want.check_allow_codes(options.allow)
    settings = http_settings(profile, **dict(connection.http))
    desired = _desired(profile, options, now=now, settings=settings)
    findings = want.allow(desired.findings + want.expectation_findings(
        desired.settings, profile.idp_entity_id), allowed)
    base: dict[str, Any] = dict(profile=profile.name, target=profile.target, endpoint=profile.endpoint,
                source=desired.source)
    if any(f.is_error or (options.strict and f.severity is Severity.WARNING) for f in findings):
        return PushResult(outcome=PushOutcome.REFUSED, findings=findings, **base)
    target = _connect(profile, connection, settings)
    try:
        _check_enable(target, options.enable)
        plan = make_plan(target, desired.settings, enable=True if options.enable else None,
                         now=now)
        return _carry_out(target, plan, profile=profile, findings=findings, now=now,
                          dry_run=options.dry_run, confirm=confirm,
                          backup_dir=options.backup_dir, retry_hint=options.retry_hint, base=base)
    finally:
        target.close()


@_scrubbed
def rollback(profile: Profile, backup_path: str, *, now: dt.datetime, confirm: Confirm,
             dry_run: bool = False, backup_dir: str | None = None, retry_hint: str = "",
             connection: Connection = Connection()) -> PushResult:
    """Restore a backup through the same plan/backup/write/verify path as a push."""
    saved = read_backup(backup_path)
    if saved.endpoint != profile.endpoint:
        raise UsageError(f"the backup was taken from {saved.endpoint}, but profile "
                         f"{profile.name!r} writes to {profile.endpoint}",
                         hint=f"use the profile the backup came from "
                              f"(--profile {shlex.quote(saved.profile)})",
                         code="BACKUP_OTHER_ENDPOINT")
    if saved.redacted:
        raise InputError(f"{backup_path} cannot be restored as it is: secrets were removed from "
                         f"{', '.join(saved.redacted)} when it was written (the SP held the API "
                         "token there)", hint="set those values on the SP by hand; the SP's "
                         "settings should never contain an API token", code="BACKUP_REDACTED")
    # push's checks on the values, before any token or request (a dry run fails the same way)
    want.check_backup_values(saved.settings, path=backup_path, now=now)
    target = _connect(profile, connection, http_settings(profile, **dict(connection.http)))
    base = dict(profile=profile.name, target=profile.target, endpoint=profile.endpoint,
                source=f"backup {backup_path}")
    try:
        _check_enable(target, saved.settings.enabled)
        plan = rollback_plan(target, saved, now=now)
        return _carry_out(target, plan, profile=profile, findings=(), now=now, dry_run=dry_run,
                          confirm=confirm, backup_dir=backup_dir, retry_hint=retry_hint,
                          base=base, verb="rollback")
    finally:
        target.close()


def _carry_out(target: Target, plan: Plan, *, profile: Profile, findings: tuple[Finding, ...],
               now: dt.datetime, dry_run: bool, confirm: Confirm, backup_dir: str | None,
               retry_hint: str, base: dict[str, Any], verb: str = "push") -> PushResult:
    common = dict(changes=plan.changes, findings=findings, **base)
    if not plan.has_changes:
        return PushResult(outcome=PushOutcome.NO_CHANGES, enabled=plan.current.settings.enabled, **common)
    if dry_run:
        return PushResult(outcome=PushOutcome.DRY_RUN, enabled=plan.current.settings.enabled, **common)
    if not confirm(plan):
        return PushResult(outcome=PushOutcome.DECLINED, enabled=plan.current.settings.enabled, **common)
    folder = backup_dir or profile.backup_dir or default_backup_dir()
    done = apply(target, plan, backup_dir=Path(folder), profile=profile.name, now=now,
                 retry_hint=retry_hint, verb=verb)
    return PushResult(outcome=PushOutcome.APPLIED, backup=done.backup.path, enabled=done.result.enabled,
                      steps=done.steps, **common)


def _desired(profile: Profile, options: PushOptions, *, now: dt.datetime,
             settings: http.HttpSettings) -> want.Desired:
    values = (options.sso_url, options.entity_id, options.cert)
    if options.metadata and any(values):
        raise UsageError("give either --metadata or --sso-url/--entity-id/--cert, not both",
                         hint="--metadata reads all three values from the IdP's metadata",
                         code="PUSH_INPUT_CONFLICT")
    if options.metadata:
        return want.from_metadata(options.metadata, now=now, http_settings=settings,
                                  entity_id=options.metadata_entity_id)
    if not any(values):
        raise UsageError("nothing to push",
                         hint="give --metadata FILE|URL, or --sso-url, --entity-id and --cert",
                         code="PUSH_NO_INPUT")
    return want.from_values(sso_url=options.sso_url, entity_id=options.entity_id,
                            cert_path=options.cert, now=now)


def _connect(profile: Profile, connection: Connection, settings: http.HttpSettings) -> Target:
    credentials = creds.resolve(profile, environ=connection.environ, prompt=connection.prompt,
                                is_tty=connection.is_tty)
    http.protect(credentials.secrets)
    return make_target(profile, credentials, settings)


def _check_enable(target: Target, enable: bool) -> None:
    if enable and not target.supports_enabled:
        raise UsageError("this profile's SP API has no on/off switch for SSO",
                         hint="add \"{enabled}\" to rest.body in the profile, or switch SSO on "
                              "in the SP's own admin page", code="PUSH_CANNOT_ENABLE")


# ---------------------------------------------------------------- status

@dataclass(frozen=True)
class SpStatus:
    """The SP's current SSO settings as ``ssoctl sp status`` shows them."""

    profile: str
    target: str
    endpoint: str
    settings: SsoSettings
    etag: str | None
    certificate: Any
    """:class:`ssoctl.certs.facts.CertInfo` of the stored certificate, when readable."""
    certificate_sha256: str | None
    findings: tuple[Finding, ...]
    enabled_known: bool = True
    """False for a ``rest`` profile whose body has no ``{enabled}``: the switch is unknown."""
    note: str = CONTRACT_NOTE

    def to_dict(self) -> dict[str, Any]:
        settings = self.settings.to_dict()
        if not self.enabled_known:
            settings["enabled"] = None
        return {"profile": self.profile, "target": self.target, "endpoint": self.endpoint,
                "settings": settings, "etag": self.etag,
                "certificate": self.certificate, "certificate_sha256": self.certificate_sha256,
                "note": self.note}


@_scrubbed
def status(profile: Profile, *, now: dt.datetime, warn_days: int = 30,
           connection: Connection = Connection()) -> SpStatus:
    """Read the SP's settings and check them (completeness, certificate validity)."""
    target = _connect(profile, connection, http_settings(profile, **dict(connection.http)))
    known = target.supports_enabled
    try:
        current = target.read()
    finally:
        target.close()
    pem = current.settings.certificate
    info = describe_cert(pem, now=now) if pem else None
    return SpStatus(profile=profile.name, target=profile.target, endpoint=profile.endpoint,
                    settings=current.settings, etag=current.etag, certificate=info,
                    certificate_sha256=fingerprint(pem),
                    findings=status_findings(current.settings, profile, info=info, now=now,
                                             warn_days=warn_days, enabled_known=known),
                    enabled_known=known)


def status_findings(settings: SsoSettings, profile: Profile, *, info: Any, now: dt.datetime,
                    warn_days: int = 30, enabled_known: bool = True) -> tuple[Finding, ...]:
    """Findings about what the SP holds now; ``info`` is the stored certificate's
    :class:`ssoctl.certs.facts.CertInfo` (None when there is none or it is unreadable)."""
    from ssoctl.certs import facts

    out: list[Finding] = []
    missing = [name for name in ("sso_url", "idp_entity_id", "certificate")
               if not getattr(settings, name)]
    if missing:
        code = "SP_ENABLED_INCOMPLETE" if settings.enabled and enabled_known \
            else "SP_SETTINGS_INCOMPLETE"
        labels = ", ".join(LABELS[name] for name in missing)
        out.append(finding(code, f"empty on the SP: {labels}", field=f"sipgate {labels}"))
    if enabled_known and not settings.enabled:
        out.append(finding("SP_SSO_DISABLED", field="sipgate SSO toggle"))
    if settings.certificate:
        if info is None:
            out.append(finding("SP_CERT_UNREADABLE", field="sipgate Certificate"))
        else:
            out.extend(facts.check_info(info, now=now, warn_days=warn_days,
                                        field="sipgate Certificate"))
    if profile.idp_entity_id and settings.idp_entity_id and \
            settings.idp_entity_id != profile.idp_entity_id:
        out.append(finding("SP_IDP_ENTITY_ID_MISMATCH", field="sipgate Entity ID",
                           expected=profile.idp_entity_id, received=settings.idp_entity_id))
    return tuple(out)


def make_target(profile: Profile, credentials: Credentials,
                settings: http.HttpSettings | None = None) -> Target:
    """The target a profile names, ready to use."""
    settings = settings or http_settings(profile)
    if profile.target == "rest":
        from ssoctl.sp.rest import RestTarget

        return RestTarget(profile, credentials, settings)
    from ssoctl.sp.sipgate import SipgateTarget

    return SipgateTarget(profile, credentials, settings)
