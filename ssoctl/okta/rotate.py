"""``okta rotate-cert``: a new signing key for an app, switched to and verified, reversible.

Order: find the app and its active key -> (dry run stops here) -> confirm -> generate a key
(``validityYears`` 2..10; it is inactive until switched to) -> write a backup naming the
previous and the new key id (0600; key ids and fingerprints only, no secrets) -> PUT the
app with ``credentials.signing.kid`` = the new key -> read the app and its IdP metadata
back: the metadata must carry the new certificate -> optionally push the new certificate
to the SP profile (:mod:`ssoctl.sp`) -> done.

Okta is switched before the SP is pushed: if the push fails, putting back the previous
key id makes Okta sign again with the certificate the SP still holds. Any failure after the
switch puts the previous key back (exit 7; exit 8 when that fails too). ``--rollback
BACKUP`` switches back on request, verified the same way.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Callable

from ssoctl.errors import (InputError, RollbackFailedError, RolledBackError, SsoctlError,
                           UsageError)
from ssoctl.findings.console import okta
from ssoctl.okta import api
from ssoctl.okta.apps import SamlApp, update_body
from ssoctl.okta.checks import KeyInfo, read_keys
from ssoctl.okta.client import OktaClient

ROTATE_FORMAT = "ssoctl-okta-rotate-backup/1"
MIN_YEARS, MAX_YEARS = 2, 10

Pusher = Callable[[bytes, str], dict[str, Any]]
"""``push(metadata_xml, source_url) -> summary``: writes the IdP values to the SP."""


@dataclass(frozen=True)
class RotatePlan:
    org: str
    app: SamlApp
    keys: tuple[KeyInfo, ...]
    years: int
    push_to: str | None
    """The SP profile that gets the new certificate, if any."""

    @property
    def current(self) -> KeyInfo | None:
        return next((k for k in self.keys if k.active), None)

    def to_dict(self) -> dict[str, Any]:
        return {"org": self.org, "app_id": self.app.id, "label": self.app.label,
                "current_kid": self.app.kid, "validity_years": self.years,
                "push_to": self.push_to, "keys": [k.to_dict() for k in self.keys]}


@dataclass(frozen=True)
class RotateResult:
    """``outcome``: dry_run, declined, rotated, rolled_back (on request)."""

    outcome: str
    plan: RotatePlan
    new_key: KeyInfo | None = None
    previous_kid: str | None = None
    backup: str | None = None
    pushed: dict[str, Any] | None = None
    steps: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "plan": self.plan.to_dict(),
                "new_key": None if self.new_key is None else self.new_key.to_dict(),
                "previous_kid": self.previous_kid, "backup": self.backup,
                "pushed": self.pushed, "steps": list(self.steps)}


def check_years(years: int) -> int:
    if not MIN_YEARS <= years <= MAX_YEARS:
        raise UsageError(f"--validity-years {years}: Okta accepts {MIN_YEARS} to {MAX_YEARS}",
                         hint="e.g. --validity-years 2", code="OKTA_BAD_VALIDITY")
    return years


def plan_rotation(client: OktaClient, ref: str, *, years: int, now: dt.datetime,
                  push_to: str | None = None) -> RotatePlan:
    app = api.find_app(client, ref)
    keys = read_keys(api.keys(client, app.id), app.kid, now=now)
    return RotatePlan(client.org, app, keys, check_years(years), push_to)


def rotate(client: OktaClient, ref: str, *, years: int, now: dt.datetime,
           confirm: Callable[[RotatePlan], bool], dry_run: bool = False,
           backup_dir: str | None = None, push: Pusher | None = None,
           push_to: str | None = None) -> RotateResult:
    plan = plan_rotation(client, ref, years=years, now=now, push_to=push_to)
    if dry_run:
        return RotateResult("dry_run", plan, previous_kid=plan.app.kid)
    if not confirm(plan):
        return RotateResult("declined", plan, previous_kid=plan.app.kid)
    app = plan.app
    jwk = api.generate_key(client, app.id, plan.years)
    new_key = read_keys([jwk], jwk["kid"], now=now)[0]
    if new_key.certificate is None:
        raise InputError(f"the new key {jwk['kid']} came without a readable certificate",
                         hint="look at the app's Sign On tab; the key was not switched to",
                         code="OKTA_BAD_ANSWER")
    backup = _backup(backup_dir, client.org, app, plan.current, new_key, now=now)
    steps = [f"generated key {new_key.kid} (valid until "
             f"{new_key.certificate.not_after.date().isoformat()})", f"backup {backup}"]
    _switch(client, app, new_key)
    try:
        _verify(client, app, new_key, now=now)
        steps.append(f"switched app {app.id} to key {new_key.kid}; metadata reads back the "
                     "new certificate")
        pushed = None
        if push is not None:
            url, xml = api.metadata_xml(client, app)
            pushed = push(xml, url)
            steps.append(f"pushed the new certificate to SP profile {push_to}")
    except SsoctlError as exc:
        _undo(client, app, app.kid, backup, reason=exc)
        raise AssertionError("unreachable")  # pragma: no cover (_undo always raises)
    return RotateResult("rotated", plan, new_key=new_key, previous_kid=app.kid, backup=backup,
                        pushed=pushed, steps=tuple(steps))


def _switch(client: OktaClient, app: SamlApp, key: KeyInfo) -> None:
    body = update_body(app, {})
    body.setdefault("credentials", {}).setdefault("signing", {})["kid"] = key.kid
    api.replace_app(client, app.id, body)


def _verify(client: OktaClient, app: SamlApp, key: KeyInfo, *, now: dt.datetime) -> None:
    from ssoctl.metadata import reader

    back = api.get_app(client, app.id)
    if back.kid != key.kid:
        raise RolledBackError(f"app {app.id} reads back key {back.kid}, not {key.kid}",
                              code="OKTA_READBACK_MISMATCH")
    url, xml = api.metadata_xml(client, back)
    settings = reader.load(xml, source=url, now=now)
    want = key.certificate.sha256 if key.certificate else None
    have = {c.sha256 for c in settings.signing_certificates}
    if want not in have:
        raise RolledBackError(f"app {app.id}'s IdP metadata does not carry the new "
                              "certificate", code="OKTA_READBACK_MISMATCH")


def _undo(client: OktaClient, app: SamlApp, previous: str | None, backup: str, *,
          reason: SsoctlError) -> None:
    """Put the previous key back after a failure; always raises (exit 7 or 8)."""
    try:
        if previous:
            body = update_body(app, {})
            body.setdefault("credentials", {}).setdefault("signing", {})["kid"] = previous
            api.replace_app(client, app.id, body)
            if api.get_app(client, app.id).kid != previous:
                raise RolledBackError(f"app {app.id} does not read back key {previous}",
                                      code="OKTA_READBACK_MISMATCH")
    except SsoctlError as exc:
        raise RollbackFailedError(
            f"rotating the key of app {app.id} failed ({reason.message}) and switching back "
            f"to key {previous} failed too: {exc.message}",
            hint=f"switch back with: ssoctl okta rotate-cert {app.id} --rollback {backup}; or "
                 + okta("signing_certificates", f"Actions → Activate on key {previous}"),
            code="OKTA_ROLLBACK_FAILED") from None
    raise RolledBackError(f"rotating the key of app {app.id} failed: {reason.message}; the "
                          f"previous key {previous} is active again",
                          hint=reason.hint or f"backup: {backup}", code="OKTA_ROTATE_ROLLED_BACK")


def _backup(folder: str | None, org: str, app: SamlApp, current: KeyInfo | None,
            new: KeyInfo, *, now: dt.datetime) -> str:
    from ssoctl.okta.configure import write_backup

    extra = {"format": ROTATE_FORMAT, "previous_kid": app.kid,
             "previous_certificate_sha256": current.certificate.sha256
             if current and current.certificate else None,
             "new_kid": new.kid,
             "new_certificate_sha256": new.certificate.sha256 if new.certificate else None}
    return write_backup(folder, org, app, now=now, extra=extra, kind="rotate")


# ---------------------------------------------------------------- rollback on request

@dataclass(frozen=True)
class RotateBackup:
    path: str
    org: str
    app_id: str
    previous_kid: str
    new_kid: str | None


def read_backup(path: str) -> RotateBackup:
    from ssoctl.files import read_source

    data = read_source(path, max_bytes=4 * 1024 * 1024, what="rotate-cert backup").data
    try:
        doc = json.loads(data.decode("utf-8"))
        if doc.get("format") != ROTATE_FORMAT or not doc.get("previous_kid"):
            raise ValueError
        return RotateBackup(path, str(doc["org"]), str(doc["app_id"]), str(doc["previous_kid"]),
                            doc.get("new_kid"))
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise InputError(f"{path} is not a rotate-cert backup",
                         hint="give the backup file rotate-cert printed (okta-rotate-….json)",
                         code="OKTA_BACKUP_INVALID") from None


def roll_back(client: OktaClient, ref: str, backup_path: str, *, now: dt.datetime,
              confirm: Callable[[RotatePlan], bool], dry_run: bool = False,
              push: Pusher | None = None, push_to: str | None = None) -> RotateResult:
    """Switch the app back to the key named in a rotate-cert backup, verified."""
    saved = read_backup(backup_path)
    if saved.org != client.org:
        raise UsageError(f"the backup is from {saved.org}, not {client.org}",
                         hint=f"use --org {saved.org}", code="OKTA_BACKUP_OTHER_APP")
    plan = plan_rotation(client, ref, years=MIN_YEARS, now=now, push_to=push_to)
    if plan.app.id != saved.app_id:
        raise UsageError(f"the backup is for app {saved.app_id}, not {plan.app.id}",
                         hint=f"run: ssoctl okta rotate-cert {saved.app_id} --rollback "
                              f"{backup_path}", code="OKTA_BACKUP_OTHER_APP")
    target = next((k for k in plan.keys if k.kid == saved.previous_kid), None)
    if target is None:
        raise UsageError(f"key {saved.previous_kid} is no longer among the app's keys",
                         hint="pick a certificate in the Admin Console (Sign On tab)",
                         code="OKTA_BACKUP_OTHER_APP")
    if plan.app.kid == target.kid:
        return RotateResult("no_changes", plan, previous_kid=plan.app.kid, backup=backup_path)
    if dry_run:
        return RotateResult("dry_run", plan, new_key=target, previous_kid=plan.app.kid,
                            backup=backup_path)
    if not confirm(plan):
        return RotateResult("declined", plan, previous_kid=plan.app.kid, backup=backup_path)
    _switch(client, plan.app, target)
    try:
        _verify(client, plan.app, target, now=now)
        pushed = None
        if push is not None:
            url, xml = api.metadata_xml(client, plan.app)
            pushed = push(xml, url)
    except SsoctlError as exc:
        _undo(client, plan.app, plan.app.kid, backup_path, reason=exc)
        raise AssertionError("unreachable")  # pragma: no cover
    return RotateResult("rolled_back", plan, new_key=target, previous_kid=plan.app.kid,
                        backup=backup_path, pushed=pushed,
                        steps=(f"switched app {plan.app.id} back to key {target.kid}",))


def sp_pusher(profile_name: str, *, config: str | None, now: dt.datetime,
              backup_dir: str | None = None) -> Pusher:
    """A :data:`Pusher` writing the metadata's three values to an SP profile through
    ``ssoctl push``'s machinery (plan, backup, write, read back)."""
    def push(xml: bytes, url: str) -> dict[str, Any]:
        import tempfile
        from pathlib import Path

        from ssoctl.config.profiles import load_profile
        from ssoctl.sp import service

        profile = load_profile(profile_name, config_path=config)
        with tempfile.TemporaryDirectory(prefix="ssoctl-okta-") as folder:
            path = Path(folder) / "okta-metadata.xml"
            path.write_bytes(xml)
            result = service.push(profile, service.PushOptions(metadata=str(path),
                                                               backup_dir=backup_dir),
                                  now=now, confirm=lambda plan: True)
        if result.outcome == "refused":
            codes = ", ".join(f.code for f in result.findings if f.is_error)
            raise UsageError(f"the SP push was refused by its checks ({codes})",
                             hint=f"run `ssoctl push --profile {profile_name}` to see why",
                             code="OKTA_PUSH_REFUSED")
        return {"profile": result.profile, "outcome": result.outcome, "backup": result.backup,
                "changed_fields": [c.field for c in result.changes if c.changed],
                "source": url}
    return push
