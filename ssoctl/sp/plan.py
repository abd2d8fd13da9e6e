"""Plan, apply, verify and roll back a change of an SP's SSO settings.

The order never changes (docs/threat-model.md, "Concurrent edits"): GET current -> diff ->
(no change: stop) -> confirm -> backup (0600, atomic) -> PUT with ``If-Match`` -> GET and
compare. When the SP does not read back what was written, or the write fails after it may
have changed something, the backup is written back and read back too: success is exit 7
(rolled back), failure exit 8 with the backup path and the exact command to retry.
Turning SSO on happens only after the other settings read back correctly, so a
half-written configuration is never switched on.

Someone else's change is never overwritten: a write the SP refuses with 409/412 changed
nothing, so nothing is restored (exit 5, with what changed meanwhile); a restore carries
``If-Match`` with the ETag of the state ssoctl left, and stops (exit 8) when the SP holds
a value ssoctl did not write.
"""

from __future__ import annotations

import datetime as dt
import logging
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, NoReturn

from ssoctl.errors import ApiRefusedError, RollbackFailedError, RolledBackError, SsoctlError
from ssoctl.sp.backup import Backup, write_backup
from ssoctl.sp.contract import (FIELDS, LABELS, Current, FieldChange, SsoSettings, diff,
                                differing, same_value)
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
          now: dt.datetime, retry_hint: str = "", verb: str = "push") -> Applied:
    """Back up, write, verify; roll back on any doubt. See the module docstring."""
    backup = write_backup(backup_dir, profile=profile, target=target.name,
                          endpoint=plan.endpoint, settings=plan.current.settings,
                          etag=plan.current.etag, now=now)
    log.debug("backup written to %s", backup.path)
    try:
        return _write_steps(target, plan, backup, profile=profile, retry_hint=retry_hint,
                            verb=verb)
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
                 retry_hint: str, verb: str) -> Applied:
    steps = _steps(plan.current.settings, plan.desired)
    known = plan.current  # what ssoctl last read from the SP (and its ETag)
    for index, step in enumerate(steps):
        try:
            target.write(step, etag=known.etag)
        except SsoctlError as exc:
            if _own_conflict(exc):
                readback = _after_conflict(target, backup, known, step, exc, first=index == 0,
                                           verb=verb)
            else:
                readback = _after_failed_write(target, backup, step, exc, profile=profile,
                                               retry_hint=retry_hint)
        else:
            try:
                readback = target.read()
            except SsoctlError as exc:
                readback = _after_failed_write(target, backup, step, exc, profile=profile,
                                               retry_hint=retry_hint)
        wrong = differing(readback.settings, step)
        if wrong:
            _restore(target, backup, readback, ours=(step, readback.settings),
                     profile=profile, retry_hint=retry_hint,
                     cause=f"the SP did not keep what was written ({_labels(wrong)} differed "
                           "on read-back)")
        known = readback
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


def _after_conflict(target: Target, backup: Backup, known: Current, step: SsoSettings,
                    exc: SsoctlError, *, first: bool, verb: str) -> Current:
    """The SP refused the write with 409/412: its settings are no longer what ssoctl read.

    A refused write changed nothing, so nothing is restored: whatever the other editor
    wrote stays. One exception: a PUT retried after a lost answer meets the ETag its own
    first attempt changed; when the SP holds exactly what was written, that attempt
    landed and the push goes on.
    """
    try:
        now_state: Current | None = target.read()
    except SsoctlError:
        now_state = None
    if now_state is not None and not differing(now_state.settings, step):
        return now_state
    raise ChangedMeanwhile(known.settings, now_state, status=getattr(exc, "status", None),
                           first=first, backup=backup.path, verb=verb)


class ChangedMeanwhile(ApiRefusedError):
    """Exit 5: someone else changed the SP's settings between ssoctl's read and its write.
    Nothing is restored over their change. JSON ``error.changed_meanwhile`` lists the
    fields (as ssoctl read them and as they are now)."""

    def __init__(self, read: SsoSettings, now: Current | None, *, status: int | None,
                 first: bool, backup: str, verb: str = "push") -> None:
        self.changed = _changes(read, now.settings) if now is not None else ()
        if now is None:
            what = "reading the settings again failed, so what changed is not known"
        elif self.changed:
            what = "; ".join(f"{c.label}: {c.current or '(empty)'} -> {c.desired or '(empty)'}"
                             for c in self.changed if c.changed)
            what = f"changed meanwhile: {what}"
        else:
            what = "no field differs, but the SP's version (ETag) changed"
        if first:
            message = (f"the SP's SSO settings were changed by someone else after ssoctl read "
                       f"them; the SP refused ssoctl's write (HTTP {status}), so nothing was "
                       f"changed on the SP and nothing was restored over the other change; "
                       f"{what}")
        else:
            message = (f"the SP's SSO settings were changed by someone else after ssoctl wrote "
                       f"them and before SSO was switched on; SSO was not switched on and "
                       f"nothing was restored over the other change; {what}")
        hint = f"the SP keeps the other editor's settings; re-run {verb} to plan against " \
               "the current settings"
        if not first:
            hint += f" (the settings from before ssoctl's write are saved in {backup})"
        super().__init__(message, hint=hint, code="SP_CHANGED_MEANWHILE", status=status)
        self.backup = backup if not first else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {**super().to_dict(), "changed_meanwhile": [
            {"field": c.field, "label": c.label, "read": c.current, "now": c.desired}
            for c in self.changed if c.changed]}
        if self.backup:
            out["backup"] = self.backup
        return out


def _changes(before: SsoSettings, after: SsoSettings) -> tuple[FieldChange, ...]:
    return tuple(row for row in diff(before, after) if row.changed)


def _after_failed_write(target: Target, backup: Backup, step: SsoSettings, exc: SsoctlError, *,
                        profile: str, retry_hint: str) -> Current:
    """The write (or its read-back) failed: find out what the SP holds now.

    Unchanged: the original error is raised. Anything else: restore, if every field holds
    either the old value or the one ssoctl wrote (see :func:`_restore`).
    """
    try:
        now_state = target.read()
    except SsoctlError:
        now_state = None
    if now_state is not None and not differing(now_state.settings, backup.settings):
        # Nothing changed on the SP: report the original failure as it is.
        exc.hint = (exc.hint + "; " if exc.hint else "") + "nothing was changed on the SP"
        raise exc
    _restore(target, backup, now_state, ours=(step,), profile=profile,
             retry_hint=retry_hint,
             cause=f"writing the settings failed after the SP may have changed them "
                   f"({exc.message})")


def _restore(target: Target, backup: Backup, seen: Current | None, *,
             ours: tuple[SsoSettings, ...], profile: str, retry_hint: str,
             cause: str) -> NoReturn:
    """Write the backup back and verify it; raise exit 7 on success, exit 8 otherwise.

    Never over a value ssoctl did not write: every field must hold the backup's value or
    one of ``ours`` (what ssoctl wrote, or what the SP read back right after that write),
    and the PUT carries ``If-Match`` with the ETag of that state, so a change made by
    someone else in between makes the SP refuse it (412). An SP without ETags is read
    again just before, and the values compared.
    """
    command = rollback_command(backup.path, profile, retry_hint)
    try:
        if seen is None or not seen.etag:
            fresh = target.read()
            if seen is not None and differing(fresh.settings, seen.settings):
                _not_restored(cause, fresh, backup, command)
            seen = fresh
    except SsoctlError as exc:
        raise RestoreFailed(
            f"{cause}; the SP could not be read to check that nobody else changed it, so the "
            f"previous settings were not restored: {exc.message}",
            hint=f"the previous settings are saved in {backup.path}; when the SP is reachable "
                 f"check it, then run: {command}", backup=backup.path, command=command) from None
    allowed = (backup.settings, *ours)
    if any(not any(same_value(name, seen.settings, s) for s in allowed) for name in FIELDS):
        _not_restored(cause, seen, backup, command)
    try:
        target.write(backup.settings, etag=seen.etag)
        wrong = differing(target.read().settings, backup.settings)
    except SsoctlError as exc:
        if _own_conflict(exc):
            try:
                now_state = target.read()
            except SsoctlError as again:
                raise RestoreFailed(
                    f"{cause}; the SP refused the restore because its settings changed "
                    f"meanwhile, and reading them again failed: {again.message}",
                    hint=f"the previous settings are saved in {backup.path}; check the SP, "
                         f"then run: {command}", backup=backup.path, command=command) from None
            if not differing(now_state.settings, backup.settings):
                wrong = ()  # a retried restore met the ETag its own first attempt changed
            else:
                _not_restored(cause, now_state, backup, command)
        else:
            raise RestoreFailed(
                f"{cause}; restoring the previous settings failed too: {exc.message}",
                hint=f"the previous settings are saved in {backup.path}; when the SP is "
                     f"reachable run: {command}", backup=backup.path, command=command) from None
    if wrong:
        raise RestoreFailed(
            f"{cause}; the restored settings did not read back either ({_labels(wrong)})",
            hint=f"the previous settings are saved in {backup.path}; check the SP, then run: "
                 f"{command}", backup=backup.path, command=command)
    raise Restored(f"{cause}; the previous settings were restored and verified",
                   hint=f"nothing changed on the SP; check the SP (or the adapter "
                        f"implementing {SP_API}); backup: {backup.path}",
                   backup=backup.path, command=command)


def _not_restored(cause: str, there: Current, backup: Backup, command: str) -> NoReturn:
    """Exit 8: the SP holds values ssoctl did not write; they are left alone."""
    now = "; ".join(f"{row.label}: {row.current or '(empty)'}" for row in
                    diff(there.settings, there.settings))
    raise RestoreFailed(
        f"{cause}; the SP's settings were then changed by someone else, so the previous "
        f"settings were not restored over that change; the SP now holds {now}",
        hint=f"check with the other editor which settings are right; the previous settings "
             f"are saved in {backup.path}; to put them back anyway run: {command}",
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
