"""``ssoctl rollback --list`` and ``--latest``: find the backups push and rollback wrote.

Backups are read with :func:`ssoctl.sp.backup.list_backups` (the same reader ``rollback``
uses); nothing about their format is decided here.
"""

from __future__ import annotations

from pathlib import Path

from ssoctl.files import expand_user


def backup_folder(profile: str | None, config: str | None, backup_dir: str | None) -> Path:
    """Where push writes backups for this profile: ``--backup-dir``, else the profile's
    ``backup_dir``, else the user data folder (no profile needed to look there)."""
    from ssoctl.config.profiles import default_backup_dir, load_profile
    from ssoctl.errors import ConfigError

    if backup_dir:
        return expand_user(backup_dir, what="backup folder")
    try:
        loaded = load_profile(profile, config_path=config)
    except ConfigError:
        if profile is not None or config is not None:
            raise
        return default_backup_dir()
    return expand_user(loaded.backup_dir, what="backup folder") if loaded.backup_dir \
        else default_backup_dir()


def _profile_name(profile: str | None, config: str | None) -> str | None:
    """The profile asked for, or the configured default one (None when there is none)."""
    from ssoctl.config.profiles import load_profile
    from ssoctl.errors import ConfigError

    if profile is not None:
        return profile
    try:
        return load_profile(None, config_path=config).name
    except ConfigError:
        return None


def chosen(backup: str | None, *, latest: bool, profile: str | None, config: str | None,
           backup_dir: str | None) -> str:
    """The backup file to restore: BACKUP as given, or the profile's newest with --latest."""
    from ssoctl.errors import UsageError
    from ssoctl.sp.backup import list_backups

    if (backup is None) == (not latest):
        raise UsageError("give a BACKUP file or --latest (one of them)" if backup is None
                         else "give a BACKUP file or --latest, not both",
                         hint="ssoctl rollback --list shows the backups; ssoctl rollback "
                              "--latest --profile NAME restores the newest one",
                         code="USAGE")
    if backup is not None:
        return backup
    name = _profile_name(profile, config)
    folder = backup_folder(profile, config, backup_dir)
    found = list_backups(folder, profile=name)
    if not found:
        who = f" of profile {name!r}" if name else ""
        raise UsageError(f"no backups{who} in {folder}",
                         hint="push writes one before every change; give --backup-dir DIR if "
                              "they are elsewhere, or see `ssoctl rollback --list`",
                         code="BACKUP_NONE")
    if name is None and len({b.profile for b in found}) > 1:
        raise UsageError(f"backups of several profiles in {folder} and no profile chosen",
                         hint="add --profile NAME (see `ssoctl rollback --list`)",
                         code="USAGE")
    return found[0].path


def list_report(*, profile: str | None, config: str | None, backup_dir: str | None):
    """The backups in the backup folder, newest first (only ``profile``'s when given)."""
    import shlex

    from ssoctl.render import Report, Table, Text
    from ssoctl.sp.backup import list_backups

    folder = backup_folder(profile, config, backup_dir)
    found = list_backups(folder, profile=profile)
    data = {"folder": str(folder), "profile": profile,
            "backups": [{"path": b.path, "profile": b.profile, "target": b.target,
                         "endpoint": b.endpoint, "taken_at": b.taken_at,
                         "sso_enabled": b.settings.enabled} for b in found]}
    if not found:
        who = f" of profile {profile!r}" if profile else ""
        return Report(data=data, blocks=(Text(f"No backups{who} in {folder}."),))
    rows = [(b.taken_at.strftime("%Y-%m-%d %H:%M:%SZ"), b.profile, b.endpoint,
             Path(b.path).name) for b in found]
    newest = found[0]
    return Report(data=data, blocks=(
        Table(f"Backups in {folder} (newest first)", ("taken (UTC)", "profile", "endpoint",
                                                       "file"), rows),
        Text(f"restore the newest with: ssoctl rollback --latest --profile "
             f"{shlex.quote(newest.profile)}"),
        Text(f"or one of them with: ssoctl rollback {shlex.quote(newest.path)} --profile "
             f"{shlex.quote(newest.profile)}"),
    ))
