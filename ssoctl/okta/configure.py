"""``okta configure``: create or update the sipgate app, idempotently, plan first.

Order: read (find the app by id or label, its groups) -> plan field by field -> stop when
nothing changes, or on ``--dry-run`` -> confirm -> back up the app's JSON (0600, no
secrets) -> create, or PUT the full app -> read back and compare -> activate -> assign
groups. When an update does not read back as written, the previous JSON is PUT back
(exit 7; exit 8 if that fails too, naming the backup).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Callable

from ssoctl.errors import RollbackFailedError, RolledBackError, SsoctlError
from ssoctl.files import expand_user
from ssoctl.okta import api
from ssoctl.okta.apps import (ConfigurePlan, GroupPlan, SamlApp, SpValues, create_body,
                              mismatches, plan_fields, restore_body, sipgate_settings,
                              update_body)
from ssoctl.okta.client import OktaClient

BACKUP_FORMAT = "ssoctl-okta-app-backup/1"


@dataclass(frozen=True)
class ConfigureRequest:
    """What ``okta configure`` was asked."""

    sp: SpValues
    label: str = "sipgate"
    app: str | None = None
    """An app id or label to update (default: the app labelled ``label``)."""
    groups: tuple[str, ...] = ()
    overwrite: bool = False
    dry_run: bool = False
    backup_dir: str | None = None


@dataclass(frozen=True)
class ConfigureResult:
    """``outcome``: no_changes, dry_run, declined, created, updated."""

    outcome: str
    plan: ConfigurePlan
    app_id: str | None = None
    backup: str | None = None
    steps: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "app_id": self.app_id, "backup": self.backup,
                "steps": list(self.steps), "plan": self.plan.to_dict()}


def make_plan(client: OktaClient, request: ConfigureRequest) -> ConfigurePlan:
    """Read the app (if it exists) and its groups, and diff them with the guide's settings."""
    desired = sipgate_settings(request.sp)
    app: SamlApp | None
    if request.app:
        app = api.find_app(client, request.app)
    else:
        app = api.by_label(client, request.label)
    groups = _group_plans(client, app, request.groups)
    return ConfigurePlan(org=client.org, label=app.label if app else request.label, app=app,
                         fields=plan_fields(app, desired, overwrite=request.overwrite),
                         activate=app is None or not app.active, groups=groups)


def _group_plans(client: OktaClient, app: SamlApp | None,
                 names: tuple[str, ...]) -> tuple[GroupPlan, ...]:
    if not names:
        return ()
    assigned = api.app_group_ids(client, app.id) if app is not None else set()
    out = []
    for name in dict.fromkeys(names):
        gid, real = api.find_group(client, name)
        out.append(GroupPlan(real, gid, gid in assigned))
    return tuple(out)


def configure(client: OktaClient, request: ConfigureRequest, *, now: dt.datetime,
              confirm: Callable[[ConfigurePlan], bool]) -> ConfigureResult:
    """Plan, then (unless dry run / nothing to do / not confirmed) write and verify."""
    plan = make_plan(client, request)
    if not plan.has_changes:
        return ConfigureResult("no_changes", plan, app_id=plan.app.id if plan.app else None)
    if request.dry_run:
        return ConfigureResult("dry_run", plan, app_id=plan.app.id if plan.app else None)
    if not confirm(plan):
        return ConfigureResult("declined", plan, app_id=plan.app.id if plan.app else None)
    if plan.create:
        return _create(client, plan)
    return _update(client, plan, request, now=now)


def _create(client: OktaClient, plan: ConfigurePlan) -> ConfigureResult:
    desired = {f.key: f.desired for f in plan.fields}
    app = api.create_app(client, create_body(plan.label, desired), activate=True)
    steps = [f"created app {app.id} ({plan.label}), active"]
    back = api.get_app(client, app.id)
    wrong = mismatches(back, desired)
    if wrong:
        raise RolledBackError(
            f"the new app {app.id} did not read back as written ({', '.join(wrong)}); "
            "nothing else was changed", hint=f"look at app {app.id} in the Admin Console, "
            "delete it, and run configure again", code="OKTA_READBACK_MISMATCH")
    steps += _assign(client, back.id, plan)
    return ConfigureResult("created", plan, app_id=back.id, steps=tuple(steps))


def _update(client: OktaClient, plan: ConfigurePlan, request: ConfigureRequest, *,
            now: dt.datetime) -> ConfigureResult:
    app = plan.app
    assert app is not None
    steps: list[str] = []
    backup = None
    writes = plan.writes
    if writes:
        backup = write_backup(request.backup_dir, client.org, app, now=now)
        api.replace_app(client, app.id, update_body(app, writes))
        back = api.get_app(client, app.id)
        wrong = mismatches(back, writes)
        if wrong:
            _roll_back(client, app, backup, wrong)
        steps.append(f"updated {', '.join(writes)}")
    if plan.activate:
        api.activate(client, app.id)
        steps.append("activated")
    steps += _assign(client, app.id, plan)
    return ConfigureResult("updated", plan, app_id=app.id, backup=backup, steps=tuple(steps))


def _assign(client: OktaClient, app_id: str, plan: ConfigurePlan) -> list[str]:
    steps = []
    for group in plan.groups:
        if not group.assigned:
            api.assign_group(client, app_id, group.id)
            steps.append(f"assigned group {group.name}")
    return steps


def _roll_back(client: OktaClient, app: SamlApp, backup: str, wrong: tuple[str, ...]) -> None:
    try:
        api.replace_app(client, app.id, restore_body(app))
    except SsoctlError as exc:
        raise RollbackFailedError(
            f"app {app.id} did not keep {', '.join(wrong)}, and putting back the previous "
            f"settings failed: {exc.message}",
            hint=f"restore it by hand from the backup {backup}", code="OKTA_ROLLBACK_FAILED"
        ) from None
    raise RolledBackError(f"app {app.id} did not keep {', '.join(wrong)}; the previous "
                          "settings were put back",
                          hint=f"check the app in the Admin Console; backup: {backup}",
                          code="OKTA_READBACK_MISMATCH")


def write_backup(folder: str | None, org: str, app: SamlApp, *, now: dt.datetime,
                 extra: dict[str, Any] | None = None, kind: str = "app") -> str:
    """The app's JSON before a change, 0600. App objects hold no secrets (no tokens)."""
    from ssoctl.config.profiles import default_backup_dir
    from ssoctl.errors import UsageError
    from ssoctl.files import write_file

    directory = expand_user(folder, what="backup folder") if folder else default_backup_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise UsageError(f"cannot create the backup directory {directory}: "
                         f"{exc.strerror or exc}", hint="pass a writable --backup-dir",
                         code="BACKUP_DIR_UNWRITABLE") from None
    stamp = now.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"okta-{kind}-{app.id}-{stamp}.json"
    counter = 2
    while path.exists():
        path = directory / f"okta-{kind}-{app.id}-{stamp}-{counter}.json"
        counter += 1
    doc = {"format": BACKUP_FORMAT, "org": org, "app_id": app.id, "label": app.label,
           "taken_at": now.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z"),
           "app": dict(app.raw), **(extra or {})}
    write_file(path, json.dumps(doc, indent=2) + "\n", private=True)
    return str(path)
