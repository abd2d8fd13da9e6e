"""``ssoctl setup``: the whole Okta → sipgate connection in one command, plan first.

Order: read both sides -> one plan (Okta fields to create or change, SP fields to change,
what stays manual) -> stop when nothing changes, or on ``--dry-run`` -> confirm ->
configure the Okta app (create or update, activate, assign groups: :mod:`ssoctl.okta.configure`,
with its backup, read-back and rollback) -> read the app's IdP metadata through the API
and check it and its certificate -> either push the three values to the SP profile
(:mod:`ssoctl.sp.plan`: backup, write, read back, roll back on mismatch; SSO switched on
last and only with ``enable``), or, for sipgate (no SSO settings API), write a clean PEM
file and hand over the three values with the checklist of what a person still does.

Resuming: every run reads both sides again and does only what is missing, so a run that
stopped half-way continues where it stopped; :mod:`ssoctl.connection.state` keeps what
cannot be read back (the app id, what was handed over by hand). A failure after Okta was
changed keeps the exit code of the failure (5, 6, 7, 8) and says what was changed, how to
continue and how to undo it.
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any, Callable

from ssoctl.connection import state as st
from ssoctl.errors import ApiRefusedError, SsoctlError
from ssoctl.findings import Finding, finding
from ssoctl.okta.apps import ConfigurePlan, SpValues, sipgate_settings

SIPGATE_PAGE = "sipgate → Account → Single Sign-on"
#: The steps a run records in the state file, in order.
STEPS = ("okta", "metadata", "sp", "done")


class Outcome(str, Enum):
    NO_CHANGES = "no_changes"
    DRY_RUN = "dry_run"
    DECLINED = "declined"
    APPLIED = "applied"
    BLOCKED = "blocked"
    """A check failed after Okta was configured; nothing was written to the SP."""


class SpMode(str, Enum):
    PUSH = "push"
    """An SP profile with ssoctl's SSO-settings API."""
    MANUAL = "manual"
    """sipgate: the values are handed over for pasting."""


@dataclass(frozen=True)
class SetupRequest:
    """What ``ssoctl setup`` was asked. ``sp_profile`` (a :class:`ssoctl.config.profiles.Profile`)
    makes the SP side a push; without it the SP side is handed over by hand."""

    sp: SpValues
    label: str = "sipgate"
    app: str | None = None
    groups: tuple[str, ...] = ()
    overwrite: bool = False
    sp_profile: Any = None
    enable: bool = False
    cert_out: str = "okta-sipgate.pem"
    dry_run: bool = False
    backup_dir: str | None = None
    state_dir: str | None = None
    warn_days: int = 30
    domain: str | None = None
    """The company's e-mail domain: its TXT record is looked up at the end."""
    txt_value: str | None = None
    dns_server: Any = None
    """:class:`ssoctl.connection.dns.DnsServer` to ask instead of the system resolver."""
    config: str | None = None
    """The configuration file given with --config (repeated in the printed commands)."""
    profile: str | None = None
    """The profile given with --profile (repeated in the printed doctor command)."""
    sp_connection: Any = None
    """:class:`ssoctl.sp.service.Connection` (tests inject the environment)."""


@dataclass(frozen=True)
class IdpValues:
    """sipgate's three values as the Okta app's metadata gives them."""

    sso_url: str | None
    issuer: str | None
    certificate: Any
    """:class:`ssoctl.certs.facts.CertInfo` of the signing certificate (None when absent)."""

    @property
    def sha256(self) -> str | None:
        return None if self.certificate is None else self.certificate.sha256

    def to_dict(self) -> dict[str, Any]:
        cert = self.certificate
        return {"sso_url": self.sso_url, "entity_id": self.issuer,
                "certificate_sha256": self.sha256,
                "certificate_expires": None if cert is None else cert.not_after}


@dataclass(frozen=True)
class SpSide:
    """The SP half of the plan. ``mode``: push (an SP profile) or manual (sipgate)."""

    mode: SpMode
    where: str
    pending: bool
    detail: str
    changes: tuple[Any, ...] = ()
    """:class:`ssoctl.sp.contract.FieldChange` rows (push, when the values are known)."""

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode.value, "where": self.where, "pending": self.pending,
                "detail": self.detail, "changes": [c.__dict__ for c in self.changes],
                "changed_fields": [c.field for c in self.changes if c.changed]}


@dataclass(frozen=True)
class SetupPlan:
    """Both sides, before anything is written."""

    okta: ConfigurePlan
    idp: IdpValues | None
    """The existing app's values (None: the app is created by this run)."""
    sp: SpSide
    manual: tuple[str, ...]
    state_path: str
    previous: st.State | None = None

    @property
    def has_changes(self) -> bool:
        return self.okta.has_changes or self.sp.pending

    @property
    def resuming(self) -> str | None:
        """The last step an unfinished earlier run reached, if any."""
        prev = self.previous
        if prev is None or "done" in prev.steps or not set(prev.steps) & set(STEPS):
            return None
        return [step for step in STEPS if step in prev.steps][-1]

    def to_dict(self) -> dict[str, Any]:
        return {"okta": self.okta.to_dict(),
                "idp": None if self.idp is None else self.idp.to_dict(),
                "sp": self.sp.to_dict(), "manual": list(self.manual),
                "state_file": self.state_path, "resuming_after": self.resuming,
                "has_changes": self.has_changes}


@dataclass(frozen=True)
class SetupResult:
    """``outcome``: no_changes, dry_run, declined, applied, blocked (a check failed after
    Okta was configured; nothing was written to the SP)."""

    outcome: Outcome
    plan: SetupPlan
    app_id: str | None = None
    idp: IdpValues | None = None
    steps: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    cert_file: str | None = None
    okta_backup: str | None = None
    sp_backup: str | None = None
    checklist: tuple[str, ...] = ()
    verify_command: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome.value, "app_id": self.app_id,
                "idp": None if self.idp is None else self.idp.to_dict(),
                "certificate_pem": None if self.idp is None or self.idp.certificate is None
                else self.idp.certificate.pem,
                "steps": list(self.steps), "cert_file": self.cert_file,
                "okta_backup": self.okta_backup, "sp_backup": self.sp_backup,
                "checklist": list(self.checklist), "verify_command": self.verify_command,
                "plan": self.plan.to_dict()}


Confirm = Callable[[SetupPlan], bool]


# ---------------------------------------------------------------- plan

def make_plan(client: Any, request: SetupRequest, *, now: dt.datetime) -> SetupPlan:
    """Read both sides and say what a run would do (nothing is written)."""
    from ssoctl.okta import configure as cfg

    sipgate_settings(request.sp)  # refuses missing or malformed sipgate values first
    path = st.path_for(request.state_dir, client.org, str(request.sp.entity_id))
    previous = st.load(path, org=client.org, sp_entity_id=str(request.sp.entity_id))
    app_ref = request.app or _known_app(client, previous)
    okta = cfg.make_plan(client, _configure_request(request, app_ref))
    idp = None
    if okta.app is not None:
        idp = _idp_values(client, okta.app, now=now, warn_days=request.warn_days)[0]
    if request.sp_profile is not None:
        side = _push_side(request, idp, now=now)
    else:
        side = _manual_side(request, idp, previous, okta_changes=okta.has_changes)
    return SetupPlan(okta=okta, idp=idp, sp=side, manual=_manual_list(request),
                     state_path=str(path), previous=previous)


def _configure_request(request: SetupRequest, app_ref: str | None) -> Any:
    from ssoctl.okta.configure import ConfigureRequest

    return ConfigureRequest(sp=request.sp, label=request.label, app=app_ref,
                            groups=request.groups, overwrite=request.overwrite,
                            backup_dir=request.backup_dir)


def _known_app(client: Any, previous: st.State | None) -> str | None:
    """The app id an earlier run recorded, if that app still exists."""
    from ssoctl.okta import api

    if previous is None or not previous.app_id:
        return None
    try:
        api.get_app(client, previous.app_id)
    except ApiRefusedError as exc:
        if exc.status == 404:
            return None  # deleted since: find or create it by label again
        raise
    return previous.app_id


def _idp_values(client: Any, app: Any, *, now: dt.datetime,
                warn_days: int) -> tuple[IdpValues, tuple[Finding, ...]]:
    """The app's metadata through the API, read by :func:`ssoctl.metadata.reader.load` (its
    certificate, SSO URL and entity checks included)."""
    from ssoctl.metadata import reader
    from ssoctl.okta import api

    url, xml = api.metadata_xml(client, app)
    idp = reader.load(xml, now=now, warn_days=warn_days, source=url)
    return IdpValues(idp.sso_url, idp.entity_id or None, idp.certificate), idp.findings


def _desired(idp: IdpValues) -> Any:
    from ssoctl.sp.contract import SsoSettings

    return SsoSettings(sso_url=idp.sso_url, idp_entity_id=idp.issuer,
                       certificate=None if idp.certificate is None else idp.certificate.pem,
                       enabled=False)


def _target(request: SetupRequest) -> Any:
    from ssoctl.sp import credentials as creds
    from ssoctl.sp.service import Connection
    from ssoctl.sp.service import make_target
    from ssoctl.sp.targets import http_settings

    profile = request.sp_profile
    conn = request.sp_connection or Connection()
    credentials = creds.resolve(profile, environ=conn.environ, prompt=conn.prompt,
                                is_tty=conn.is_tty)
    return make_target(profile, credentials, http_settings(profile, **dict(conn.http)))


def _push_side(request: SetupRequest, idp: IdpValues | None, *, now: dt.datetime) -> SpSide:
    from ssoctl.sp.contract import diff
    from ssoctl.sp.plan import make_plan as sp_plan

    profile = request.sp_profile
    where = f"SP profile {profile.name} ({profile.endpoint})"
    target = _target(request)
    try:
        if idp is None:
            current = target.read().settings
            rows = diff(current, current.with_enabled(True) if request.enable else current,
                        now=now)
            return SpSide(SpMode.PUSH, where, True, "SSO URL, Entity ID and Certificate are set "
                          "from the new app's metadata", rows)
        plan = sp_plan(target, _desired(idp), enable=True if request.enable else None, now=now)
    finally:
        target.close()
    detail = "the SP holds these values already" if not plan.has_changes else \
        "written, read back, rolled back on mismatch"
    return SpSide(SpMode.PUSH, where, plan.has_changes, detail, plan.changes)


def _manual_side(request: SetupRequest, idp: IdpValues | None, previous: st.State | None, *,
                 okta_changes: bool) -> SpSide:
    where = f"sipgate, by hand ({SIPGATE_PAGE}; sipgate has no SSO settings API)"
    _refuse_foreign_file(request.cert_out, idp, previous)
    if idp is None:
        return SpSide(SpMode.MANUAL, where, True, f"the new app's values are printed and its "
                      f"certificate is written to {request.cert_out}")
    handed = (previous.handed_over or {}) if previous else {}
    same = (handed.get("sso_url") == idp.sso_url and handed.get("issuer") == idp.issuer
            and handed.get("certificate_sha256") == idp.sha256)
    if same and _file_holds(request.cert_out, idp.sha256):
        return SpSide(SpMode.MANUAL, where, okta_changes,
                      f"handed over on {previous.steps.get('sp', '?') if previous else '?'}; "
                      f"certificate in {request.cert_out}")
    why = "the certificate changed since it was handed over" if handed and not same \
        else "not handed over yet"
    return SpSide(SpMode.MANUAL, where, True, f"{why}: the values are printed and the "
                  f"certificate is written to {request.cert_out}")


def _refuse_foreign_file(path: str, idp: IdpValues | None, previous: st.State | None) -> None:
    """``--cert-out`` may replace a file an earlier setup wrote, never anyone else's."""
    from ssoctl.errors import UsageError

    ours = bool(previous and previous.handed_over
                and previous.handed_over.get("cert_file") == path)
    if not Path(path).exists() or ours or (idp is not None and _file_holds(path, idp.sha256)):
        return
    raise UsageError(f"{path} already exists and was not written by ssoctl setup",
                     hint="choose another file with --cert-out, or move that one away",
                     code="OUTPUT_EXISTS")


def _file_holds(path: str, sha256: str | None) -> bool:
    from ssoctl.sp.contract import fingerprint

    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")[:65536]
    except OSError:
        return False
    return sha256 is not None and fingerprint(text) == sha256


def _manual_list(request: SetupRequest) -> tuple[str, ...]:
    out = []
    if request.sp_profile is None:
        out.append(f"paste SSO URL, Entity ID and Certificate into {SIPGATE_PAGE}")
    if request.sp_profile is None or not request.enable:
        out.append("switch SSO on with the toggle on sipgate's Single Sign-on page"
                   if request.sp_profile is None else
                   "switch SSO on (ssoctl setup --enable, or the SP's own admin page)")
    out.append("verify the company's e-mail domain with the DNS TXT record sipgate shows "
               "(can take up to 24 h)")
    return tuple(out)


# ---------------------------------------------------------------- apply

def setup(client: Any, request: SetupRequest, *, now: dt.datetime,
          confirm: Confirm) -> SetupResult:
    """Plan, then (unless dry run / nothing to do / not confirmed) apply both sides."""
    plan = make_plan(client, request, now=now)
    app_id = plan.okta.app.id if plan.okta.app else None
    if not plan.has_changes:
        line, found = domain_check(request)
        return SetupResult(Outcome.NO_CHANGES, plan, app_id=app_id, idp=plan.idp,
                           findings=found, checklist=_checklist(request, plan.idp, line),
                           verify_command=verify_command(client.org, request, app_id),
                           cert_file=request.cert_out if request.sp_profile is None else None)
    if request.dry_run:
        return SetupResult(Outcome.DRY_RUN, plan, app_id=app_id, idp=plan.idp)
    if not confirm(plan):
        return SetupResult(Outcome.DECLINED, plan, app_id=app_id, idp=plan.idp)
    return _Run(client, request, plan, now).go()


@dataclass
class _Run:
    """One application of a plan, keeping track of what was changed (for the messages
    after a failure) and of the state file."""

    client: Any
    request: SetupRequest
    plan: SetupPlan
    now: dt.datetime
    steps: list[str] = field(default_factory=list)
    undo: list[str] = field(default_factory=list)
    okta_backup: str | None = None

    def go(self) -> SetupResult:
        path = Path(self.plan.state_path)
        state = self.plan.previous or st.State(org=self.client.org,
                                              sp_entity_id=str(self.request.sp.entity_id))
        state = replace(state, acs_url=self.request.sp.acs_url, label=self.request.label,
                        sp_profile=getattr(self.request.sp_profile, "name", None))
        state = state.forget("done")
        try:
            app = self._okta()
            state = state.done("okta", now=self.now, app_id=app.id, label=app.label)
            st.save(path, state)
            idp, found = _idp_values(self.client, app, now=self.now,
                                     warn_days=self.request.warn_days)
            found = found + self._cert_findings(idp)
            if any(f.is_error for f in found):
                return SetupResult(Outcome.BLOCKED, self.plan, app_id=app.id, idp=idp,
                                   steps=tuple(self.steps), findings=found,
                                   okta_backup=self.okta_backup)
            state = state.done("metadata", now=self.now)
            st.save(path, state)
            result = self._sp(app, idp, found, state, path)
        except SsoctlError as exc:
            _explain(exc, self.steps, self.undo, self.request)
            raise
        return result

    # -- Okta
    def _okta(self) -> Any:
        from ssoctl.okta import api
        from ssoctl.okta.configure import configure

        okta = self.plan.okta
        if not okta.has_changes:
            assert okta.app is not None
            return okta.app
        try:
            done = configure(self.client, _configure_request(self.request, okta.app.id
                                                             if okta.app else None),
                             now=self.now, confirm=lambda plan: True)
        except SsoctlError:
            self._created_before_failure()
            raise
        self.okta_backup = done.backup
        label = okta.label
        self.steps += [f"Okta: {s}" for s in done.steps]
        if done.outcome == "created":
            self.undo.append(f"Okta: deactivate and delete app {done.app_id} ({label!r}) under "
                             "Applications → the app → General")
        elif done.backup:
            self.undo.append(f"Okta: the app's previous settings are in {done.backup}")
        if okta.activate and okta.app is not None:
            self.undo.append(f"Okta: deactivate app {okta.app.id} under Applications → the "
                             "app → General")
        for group in okta.groups:
            if not group.assigned and done.outcome != "created":
                self.undo.append(f"Okta: remove group {group.name!r} under the app's "
                                 "Assignments")
        return api.get_app(self.client, str(done.app_id))

    def _created_before_failure(self) -> None:
        """configure failed after creating the app (e.g. while assigning a group): say so."""
        from ssoctl.okta import api

        if not self.plan.okta.create:
            return
        try:
            app = api.by_label(self.client, self.plan.okta.label)
        except SsoctlError:
            return
        if app is not None:
            self.steps.append(f"Okta: created app {app.id} ({app.label}), {app.status.lower()}")
            self.undo.append(f"Okta: deactivate and delete app {app.id} ({app.label!r}) under "
                             "Applications → the app → General")

    def _cert_findings(self, idp: IdpValues) -> tuple[Finding, ...]:
        """The certificate through check-cert's diagnosis: is the PEM paste-ready?"""
        from ssoctl.certs.diagnose import diagnose

        if idp.certificate is None:
            return ()  # reader.load already reported METADATA_NO_SIGNING_CERT
        diag = diagnose(idp.certificate.pem.encode(), now=self.now,
                        warn_days=self.request.warn_days,
                        source="the app's signing certificate")
        # expiry and key findings are in the metadata's findings already
        return tuple(f for f in diag.findings if not f.code.startswith(("CERT_EXPIR",
                                                                        "CERT_NOT_YET",
                                                                        "CERT_WEAK",
                                                                        "CERT_SHA1",
                                                                        "CERT_MD5",
                                                                        "CERT_NOT_V3")))

    # -- the SP
    def _sp(self, app: Any, idp: IdpValues, found: tuple[Finding, ...], state: st.State,
            path: Path) -> SetupResult:
        request = self.request
        line, dns_found = domain_check(request)
        found = found + dns_found
        common = dict(app_id=app.id, idp=idp, findings=found, okta_backup=self.okta_backup,
                      checklist=_checklist(request, idp, line),
                      verify_command=verify_command(self.client.org, request, app.id))
        if request.sp_profile is not None:
            backup = self._push(idp)
            state = state.done("sp", now=self.now).done("done", now=self.now)
            st.save(path, state)
            return SetupResult(Outcome.APPLIED, self.plan, steps=tuple(self.steps),
                               sp_backup=backup, **common)
        written = self._hand_over(idp)
        handed = {"sso_url": idp.sso_url or "", "issuer": idp.issuer or "",
                  "certificate_sha256": idp.sha256 or "", "cert_file": written}
        state = state.done("sp", now=self.now, handed_over=handed).done("done", now=self.now)
        st.save(path, state)
        note = (finding("CONN_MANUAL_STEPS", f"{len(common['checklist'])} steps remain in "
                        "sipgate", field=SIPGATE_PAGE),)
        common["findings"] = found + note
        return SetupResult(Outcome.APPLIED, self.plan, steps=tuple(self.steps), cert_file=written,
                           **common)

    def _push(self, idp: IdpValues) -> str | None:
        from ssoctl.config.profiles import default_backup_dir
        from ssoctl.sp.plan import apply
        from ssoctl.sp.plan import make_plan as sp_plan

        request = self.request
        profile = request.sp_profile
        target = _target(request)
        try:
            plan = sp_plan(target, _desired(idp), enable=True if request.enable else None,
                           now=self.now)
            if not plan.has_changes:
                return None
            folder = request.backup_dir or profile.backup_dir or default_backup_dir()
            done = apply(target, plan, backup_dir=Path(folder), profile=profile.name,
                         now=self.now)
        finally:
            target.close()
        changed = ", ".join(c.label for c in plan.changes if c.changed)
        self.steps.append(f"SP profile {profile.name}: {changed} written and read back")
        return done.backup.path

    def _hand_over(self, idp: IdpValues) -> str:
        from ssoctl.files import write_file

        out = self.request.cert_out
        if not _file_holds(out, idp.sha256):
            write_file(out, idp.certificate.pem, force=True)
            self.steps.append(f"certificate written to {out}")
        return out


def _explain(exc: SsoctlError, steps: list[str], undo: list[str], request: SetupRequest) -> None:
    """Say what this run changed before it failed, how to continue, how to undo it."""
    if steps:
        exc.message = f"{exc.message} (already done: {'; '.join(steps)})"
    again = "run the same `ssoctl setup` again to continue where it stopped"
    parts = [exc.hint] if exc.hint else []
    if steps:
        parts.append(again)
        if undo:
            parts.append("to undo: " + "; ".join(undo))
    exc.hint = "; ".join(parts)


def domain_check(request: SetupRequest) -> tuple[str | None, tuple[Finding, ...]]:
    """The checklist line about the e-mail domain's TXT record, and findings (as warnings:
    right after a set-up the record may simply not be visible yet)."""

    from ssoctl.connection.dns import check_txt
    from ssoctl.findings import Severity

    if not request.domain:
        return None, ()
    got = check_txt(request.domain, expected=request.txt_value, server=request.dns_server)
    found = tuple(f._replace(severity=Severity.WARNING) if f.is_error else f
                  for f in got.findings)
    if got.present:
        what = "the expected TXT record" if request.txt_value else "TXT records (not compared " \
            "with sipgate's value: --txt-value)"
        return f"e-mail domain {got.domain}: publishes {what}; sipgate verifies it on its " \
               "Single Sign-on page", found
    return (f"verify the e-mail domain {got.domain}: publish the TXT record sipgate shows at "
            f"your DNS provider (not visible yet; it can take up to 24 h)"), found


def _checklist(request: SetupRequest, idp: IdpValues | None,
               domain_line: str | None = None) -> tuple[str, ...]:
    out = []
    if request.sp_profile is None and idp is not None:
        out += [f"{SIPGATE_PAGE} → SSO URL: {idp.sso_url}",
                f"{SIPGATE_PAGE} → Entity ID: {idp.issuer}",
                f"{SIPGATE_PAGE} → Certificate: paste the whole of {request.cert_out} "
                "(BEGIN and END lines included)"]
    out.append(domain_line or "verify the e-mail domain: publish the TXT record sipgate "
               "shows at your DNS provider (can take up to 24 h)")
    if request.sp_profile is None:
        out.append("switch SSO on with the toggle on sipgate's Single Sign-on page")
    elif not request.enable:
        out.append("switch SSO on: ssoctl setup … --enable (or the SP's own admin page)")
    return tuple(out)


def verify_command(org: str, request: SetupRequest, app_id: str | None) -> str:
    """The ``ssoctl doctor`` command that checks this connection afterwards."""
    args = ["ssoctl", "doctor", "--org", org, "--app", app_id or request.label,
            "--acs-url", str(request.sp.acs_url), "--sp-entity-id", str(request.sp.entity_id)]
    args += ["--profile", request.profile] if request.profile else []
    args += ["--config", request.config] if request.config else []
    if request.sp_profile is not None:
        args += ["--sp-profile", request.sp_profile.name]
    else:
        args += ["--sp-cert", request.cert_out]
    args += ["--domain", request.domain] if request.domain else []
    args += ["--txt-value", request.txt_value] if request.domain and request.txt_value else []
    return shlex.join(args)
