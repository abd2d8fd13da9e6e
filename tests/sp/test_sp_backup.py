"""Backups: private, atomic, never overwritten, and read back strictly."""

from __future__ import annotations

import datetime as dt
import json
import stat

import pytest

from ssoctl.errors import InputError, UsageError
from ssoctl.sp.backup import backup_name, list_backups, read_backup, write_backup
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


def _doc(taken_at, profile="acme"):
    return json.dumps({"format": "ssoctl-sp-backup/1", "profile": profile, "target": "sipgate",
                       "endpoint": "https://sp/x", "taken_at": taken_at, "etag": None,
                       "settings": {"sso_url": None, "idp_entity_id": None,
                                    "certificate": None, "enabled": False}})


@pytest.mark.parametrize("taken_at", ["2026-01-01T00:00:00", "2026-01-01"])
def test_a_taken_at_without_a_utc_offset_is_not_a_backup(tmp_path, taken_at):
    """ssoctl always writes the offset ("Z"); a time without one could be local time or UTC,
    and --latest would order backups by a guess."""
    path = tmp_path / "b.json"
    path.write_text(_doc(taken_at))
    with pytest.raises(InputError) as info:
        read_backup(str(path))
    assert info.value.code == "BACKUP_INVALID" and "offset" in info.value.message


@pytest.mark.parametrize("taken_at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_taken_at_outside_the_calendar_in_utc_is_not_a_backup(tmp_path, taken_at):
    path = tmp_path / "b.json"
    path.write_text(_doc(taken_at))
    with pytest.raises(InputError) as info:
        read_backup(str(path))
    assert info.value.code == "BACKUP_INVALID"


def test_taken_at_with_another_offset_is_read_as_utc(tmp_path):
    path = tmp_path / "b.json"
    path.write_text(_doc("2026-06-01T12:00:00+02:00"))
    taken = read_backup(str(path)).taken_at
    assert taken == dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.timezone.utc)
    assert taken.utcoffset() == dt.timedelta(0) and taken.hour == 10


def test_listing_skips_files_it_cannot_read_or_order(tmp_path):
    good = _write(tmp_path)
    (tmp_path / "acme-naive.json").write_text(_doc("2027-01-01T00:00:00"))
    (tmp_path / "acme-date.json").write_text(_doc("2027-01-01"))
    (tmp_path / "acme-year1.json").write_text(_doc("0001-01-01T00:00:00+01:00"))
    (tmp_path / "acme-broken.json").write_text("{")
    (tmp_path / "acme-dir.json").mkdir()
    assert [b.path for b in list_backups(tmp_path)] == [good.path]
    assert [b.path for b in list_backups(tmp_path, profile="acme")] == [good.path]


def test_listing_orders_backups_with_different_offsets_by_the_instant(tmp_path):
    (tmp_path / "a.json").write_text(_doc("2026-06-01T12:00:00+02:00"))  # 10:00 UTC
    (tmp_path / "b.json").write_text(_doc("2026-06-01T11:00:00Z"))
    assert [b.path.rsplit("/", 1)[-1] for b in list_backups(tmp_path)] == ["b.json", "a.json"]
