"""Backups of an SP's SSO settings, written before any change and read by ``rollback``.

A backup is a small JSON file, mode 0600, written atomically, named
``<profile>-<UTC timestamp>.json`` in the backup directory. It holds the settings as read
from the SP and where they came from; never a token or any other credential: the whole
document passes the run's redactor (:func:`ssoctl.http.redactor`) before it is written,
so an SP that echoes the token in a value or an ETag cannot make ssoctl store it. A value
that lost a secret that way is listed under ``"redacted"``, and ``rollback`` refuses to
write such a backup back.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ssoctl import http
from ssoctl.errors import InputError, NetworkError, SsoctlError, UsageError
from ssoctl.files import expand_user
from ssoctl.files import TooDeep, load_json, read_source, write_file
from ssoctl.sp.contract import SsoSettings, settings_from_dict

FORMAT = "ssoctl-sp-backup/1"
MAX_BACKUP_BYTES = 256 * 1024


@dataclass(frozen=True)
class Backup:
    """One saved copy of an SP's SSO settings."""

    path: str
    profile: str
    target: str
    endpoint: str
    taken_at: dt.datetime
    settings: SsoSettings
    etag: str | None = None
    redacted: tuple[str, ...] = ()
    """Fields whose value in the file had a secret removed (restore refuses them)."""


def backup_name(profile: str, now: dt.datetime) -> str:
    """``acme-20260601T120000Z.json``: sortable, and safe as a file name."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", profile) or "profile"
    return f"{safe}-{now.astimezone(dt.timezone.utc).strftime('%Y%m%dT%H%M%SZ')}.json"


def write_backup(directory: str | Path, *, profile: str, target: str, endpoint: str,
                 settings: SsoSettings, etag: str | None, now: dt.datetime) -> Backup:
    """Save ``settings`` (0600, atomic) and return the backup; never overwrites one."""
    folder = expand_user(directory, what="backup folder")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise UsageError(f"cannot create the backup directory {folder}: {exc.strerror or exc}",
                         hint="pass a writable --backup-dir", code="BACKUP_DIR_UNWRITABLE") from None
    stamp = now.astimezone(dt.timezone.utc).replace(microsecond=0)
    base = backup_name(profile, stamp)
    path = folder / base
    counter = 2
    while path.exists():  # two runs in the same second: keep both
        path = folder / base.replace(".json", f"-{counter}.json")
        counter += 1
    values = settings.to_dict()
    scrub = http.redactor()
    clean = scrub.scrub(values)
    redacted = [name for name in values if clean[name] != values[name]]
    doc = {"format": FORMAT, "profile": profile, "target": target, "endpoint": endpoint,
           "taken_at": stamp.isoformat().replace("+00:00", "Z"), "etag": etag,
           "settings": clean}
    if redacted:
        doc["redacted"] = redacted
    text = scrub(json.dumps(scrub.scrub(doc), indent=2)) + "\n"
    write_file(path, text, private=True)
    return Backup(path=str(path), profile=profile, target=target, endpoint=endpoint,
                  taken_at=stamp, settings=settings, etag=etag)


def read_backup(path: str) -> Backup:
    """Load a backup file; raise :class:`InputError` (exit 3) when it is not one."""
    source = read_source(path, max_bytes=MAX_BACKUP_BYTES, what="backup")
    try:
        doc: Any = load_json(source.data.decode("utf-8"))
    except TooDeep as exc:
        raise _not_a_backup(path, str(exc)) from None
    except (UnicodeDecodeError, ValueError):
        raise _not_a_backup(path, "it is not JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _not_a_backup(path, f"it has no \"format\": \"{FORMAT}\"")
    try:
        settings = settings_from_dict(doc.get("settings"), where=path)
        taken = _taken_at(doc["taken_at"], path)
        redacted = doc.get("redacted") or []
        if not isinstance(redacted, list):
            raise TypeError("redacted is not a list")
        return Backup(path=path, profile=str(doc["profile"]), target=str(doc["target"]),
                      endpoint=str(doc["endpoint"]), taken_at=taken, settings=settings,
                      etag=doc.get("etag"), redacted=tuple(map(str, redacted)))
    except (KeyError, ValueError, TypeError) as exc:
        raise _not_a_backup(path, f"a field is missing or wrong ({exc})") from None
    except NetworkError as exc:  # settings_from_dict blames the SP; here the file is at fault
        raise _not_a_backup(path, exc.message) from None


def _taken_at(value: Any, path: str) -> dt.datetime:
    """``taken_at`` as a UTC time. ssoctl always writes the offset (``Z``); a time without
    one could be local time or UTC, and ``--latest`` picks what to write back by this
    order, so it is refused rather than guessed."""
    taken = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))  # ValueError: caught
    if taken.utcoffset() is None:
        raise _not_a_backup(path, f"taken_at {str(value)!r} has no UTC offset; ssoctl writes "
                                  "one (2026-06-01T12:00:00Z)")
    try:
        return taken.astimezone(dt.timezone.utc)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 falls before year 1 in UTC
        raise _not_a_backup(path, f"taken_at {str(value)!r} is outside the calendar in UTC") \
            from None


def _not_a_backup(path: str, why: str) -> InputError:
    return InputError(f"{path} is not an ssoctl backup: {why}",
                      hint="give a file written by `ssoctl push` (listed in its output)",
                      code="BACKUP_INVALID")


def list_backups(directory: str | Path, *, profile: str | None = None) -> tuple[Backup, ...]:
    """The backups in ``directory`` (read with :func:`read_backup`), newest first; only
    ``profile``'s when given. Files that are not backups (:func:`read_backup` refuses them:
    unreadable, not JSON, a ``taken_at`` without a UTC offset ...) are skipped, so one bad
    file never hides the others; a missing folder holds none."""
    folder = expand_user(directory, what="backup folder")
    try:
        names = sorted(p for p in folder.iterdir() if p.suffix == ".json" and p.is_file())
    except OSError:
        return ()
    found = []
    for path in names:
        try:
            backup = read_backup(str(path))
        except SsoctlError:
            continue
        if profile is None or backup.profile == profile:
            found.append(backup)
    return tuple(sorted(found, key=lambda b: (b.taken_at, b.path), reverse=True))
