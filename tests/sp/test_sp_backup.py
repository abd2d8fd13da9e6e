"""Backups: private, atomic, never overwritten, and read back strictly."""

from __future__ import annotations

import datetime as dt
import stat

import pytest

from ssoctl.errors import InputError, UsageError
from ssoctl.sp.backup import backup_name, read_backup, write_backup
from ssoctl.sp.contract import SsoSettings

NOW = dt.datetime(2026, 6, 1, 12, 0, 5, 123, tzinfo=dt.timezone.utc)
S = SsoSettings("https://a", "b", None, True)


def _write(folder, profile="acme"):
    return write_backup(folder, profile=profile, target="sipgate", endpoint="https://sp/x",
                        settings=S, etag='"v1"', now=NOW)


def test_name_is_sortable_and_safe():
    assert backup_name("acme", NOW) == "acme-20260601T120005Z.json"
    assert backup_name("../../etc/x", NOW).startswith(".._.._etc_x-")


def test_write_and_read(tmp_path):
    folder = tmp_path / "deep" / "backups"
    saved = _write(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "acme-20260601T120005Z.json").stat().st_mode) == 0o600
    again = read_backup(saved.path)
    assert again.settings == S and again.etag == '"v1"' and again.taken_at == NOW.replace(microsecond=0)


def test_never_overwrites(tmp_path):
    first, second = _write(tmp_path), _write(tmp_path)
    assert first.path != second.path and second.path.endswith("-2.json")


def test_unwritable_dir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UsageError) as info:
        _write(blocker / "sub")
    assert info.value.code == "BACKUP_DIR_UNWRITABLE"


@pytest.mark.parametrize("text", ["not json", "[]", '{"format": "other"}',
                                  '{"format": "ssoctl-sp-backup/1", "settings": {}}',
                                  '{"format": "ssoctl-sp-backup/1", "profile": "a", "target": "s",'
                                  ' "endpoint": "e", "taken_at": "2026-01-01T00:00:00Z",'
                                  ' "settings": {"enabled": "no"}}'])
def test_not_a_backup(tmp_path, text):
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_backup(str(path))
    assert info.value.code == "BACKUP_INVALID"
