"""Plan, apply, verify and roll back a change of an SP's SSO settings.

The order never changes (security.md E40): GET current -> diff -> (no change: stop) ->
confirm -> backup (0600, atomic) -> PUT -> GET and compare. When the SP does not read back
what was written, or the write fails after it may have changed something, the backup is
written back and read back too: success is exit 7 (rolled back), failure exit 8 with the
backup path and the exact command to retry. Turning SSO on happens only after the other
settings read back correctly, so a half-written configuration is never switched on.
"""

from __future__ import annotations

import datetime as dt
import logging
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NoReturn

from ssoctl.errors import RollbackFailedError, RolledBackError, SsoctlError
from ssoctl.sp.backup import Backup, write_backup
from ssoctl.sp.contract import (LABELS, Current, FieldChange, SsoSettings, diff, differing)
from ssoctl.sp.targets import Target
from ssoctl.links import SP_API

log = logging.getLogger("ssoctl.sp")


@dataclass(frozen=True)
class Plan:
    """What a push would change: the current state, the wanted one, the diff."""

    endpoint: str
    current: Current
    desired: SsoSettings
    changes: tuple[FieldChange, ...]

    @property
    def has_changes(self) -> bool:
        return any(row.changed for row in self.changes)


@dataclass(frozen=True)
class Applied:
    """A verified change: what the SP reads back now, and the backup taken before."""

    backup: Backup
    result: SsoSettings
    steps: tuple[str, ...]


def make_plan(target: Target, desired: SsoSettings, *, enable: bool | None = None,
              now: dt.datetime | None = None) -> Plan:
    """GET the current settings and diff them with ``desired``.

    ``enable`` None keeps the SP's current on/off state; True/False sets it.
    """
    current = target.read()
    wanted = desired.with_enabled(current.settings.enabled if enable is None else enable)
    return Plan(endpoint=target.endpoint, current=current, desired=wanted,
                changes=diff(current.settings, wanted, now=now))


def apply(target: Target, plan: Plan, *, backup_dir: str | Path, profile: str,
          now: dt.datetime, retry_hint: str = "") -> Applied:
    """Back up, write, verify; roll back on any doubt. See the module docstring."""
    backup = write_backup(backup_dir, profile=profile, target=target.name,
                          endpoint=plan.endpoint, settings=plan.current.settings,
                          etag=plan.current.etag, now=now)
    log.debug("backup written to %s", backup.path)
    try:
        return _write_steps(target, plan, backup, profile=profile, retry_hint=retry_hint)
    except KeyboardInterrupt:
        raise InterruptedWrite(backup.path, rollback_command(backup.path, profile, retry_hint)) \
            from None


class InterruptedWrite(KeyboardInterrupt):
    """Ctrl-C after the backup was written: the SP may hold a half-applied change."""

    def __init__(self, backup_path: str, command: str) -> None:
        super().__init__(backup_path)
        self.backup_path = backup_path
        self.command = command


def _write_steps(target: Target, plan: Plan, backup: Backup, *, profile: str,
                 retry_hint: str) -> Applied:
    steps = _steps(plan.current.settings, plan.desired)
    etag = plan.current.etag
    for index, step in enumerate(steps):
        try:
            target.write(step, etag=etag)
            readback = target.read()
        except SsoctlError as exc:
            readback = _after_failed_write(target, backup, step, exc, profile=profile,
                                           retry_hint=retry_hint)
        wrong = differing(readback.settings, step)
        if wrong:
            _restore(target, backup, readback, profile=profile, retry_hint=retry_hint,
                     cause=f"the SP did not keep what was written ({_labels(wrong)} differed "
                           "on read-back)")
        etag = readback.etag
        log.debug("step %d of %d read back correctly", index + 1, len(steps))
    names = ("settings written and verified", "SSO enabled and verified")
    return Applied(backup=backup, result=steps[-1], steps=names[:len(steps)])


def _steps(current: SsoSettings, desired: SsoSettings) -> tuple[SsoSettings, ...]:
    """Turning SSO on is a separate, last step, after the settings read back right."""
    if desired.enabled and not current.enabled:
        staged = desired.with_enabled(False)
        if differing(current, staged):
            return (staged, desired)
    return (desired,)


def _after_failed_write(target: Target, backup: Backup, step: SsoSettings, exc: SsoctlError, *,
                        profile: str, retry_hint: str) -> Current:
    """The write (or its read-back) failed: find out what the SP holds now.

    Unchanged: the original error is raised. Exactly what was written, after a 409/412:
    our own earlier attempt landed, return the read-back. Anything else: restore.
    """
    try:
        now_state = target.read()
    except SsoctlError:
        now_state = None
    if now_state is not None and not differing(now_state.settings, backup.settings):
        # Nothing changed on the SP: report the original failure as it is.
        exc.hint = (exc.hint + "; " if exc.hint else "") + "nothing was changed on the SP"
        raise exc
    if now_state is not None and _own_conflict(exc) and not differing(now_state.settings, step):
        # A retried PUT met the ETag our own first attempt changed: that attempt landed,
        # and the read-back above proves it.
        return now_state
    _restore(target, backup, now_state, profile=profile, retry_hint=retry_hint,
             cause=f"writing the settings failed after the SP may have changed them "
                   f"({exc.message})")


def _restore(target: Target, backup: Backup, seen: Current | None, *, profile: str,
             retry_hint: str, cause: str) -> NoReturn:
    """Write the backup back and verify it; raise exit 7 on success, exit 8 otherwise."""
    command = rollback_command(backup.path, profile, retry_hint)
    try:
        target.write(backup.settings, etag=seen.etag if seen else None)
        wrong = differing(target.read().settings, backup.settings)
    except SsoctlError as exc:
        raise RestoreFailed(
            f"{cause}; restoring the previous settings failed too: {exc.message}",
            hint=f"the previous settings are saved in {backup.path}; when the SP is reachable "
                 f"run: {command}", backup=backup.path, command=command) from None
    if wrong:
        raise RestoreFailed(
            f"{cause}; the restored settings did not read back either ({_labels(wrong)})",
            hint=f"the previous settings are saved in {backup.path}; check the SP, then run: "
                 f"{command}", backup=backup.path, command=command)
    raise Restored(f"{cause}; the previous settings were restored and verified",
                   hint=f"nothing changed on the SP; check the SP (or the adapter "
                        f"implementing {SP_API}); backup: {backup.path}",
                   backup=backup.path, command=command)


class Restored(RolledBackError):
    """Exit 7: the SP is as it was. The JSON ``error`` object also carries ``backup``."""

    def __init__(self, message: str, *, hint: str, backup: str, command: str) -> None:
        super().__init__(message, hint=hint, code="ROLLED_BACK")
        self.backup = backup
        self.command = command

    def to_dict(self) -> dict[str, str]:
        return {**super().to_dict(), "backup": self.backup}


class RestoreFailed(RollbackFailedError):
    """Exit 8. The JSON ``error`` object also carries ``backup`` and ``rollback_command``
    so a CI job can act on them without parsing the hint."""

    def __init__(self, message: str, *, hint: str, backup: str, command: str) -> None:
        super().__init__(message, hint=hint, code="ROLLBACK_FAILED")
        self.backup = backup
        self.command = command

    def to_dict(self) -> dict[str, str]:
        return {**super().to_dict(), "backup": self.backup, "rollback_command": self.command}


def _own_conflict(exc: SsoctlError) -> bool:
    return getattr(exc, "status", None) in (409, 412)


def rollback_command(path: str, profile: str, extra: str = "") -> str:
    """The exact command a person types to retry a restore."""
    parts = ["ssoctl", "rollback", path, "--profile", profile]
    return shlex.join(parts) + (f" {extra}" if extra else "")


def _labels(fields: tuple[str, ...]) -> str:
    return ", ".join(LABELS[name] for name in fields)


def rollback_plan(target: Target, backup: Backup, *, now: dt.datetime | None = None) -> Plan:
    """Plan restoring ``backup`` (its on/off state included) on ``target``."""
    return make_plan(target, backup.settings, enable=backup.settings.enabled, now=now)


Confirm = Callable[[Plan], bool]
