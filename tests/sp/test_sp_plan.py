"""plan/apply/verify/rollback against an in-memory target: every branch of the recovery."""

from __future__ import annotations

import datetime as dt
import json
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssoctl.errors import ApiRefusedError, NetworkError, RollbackFailedError, RolledBackError
from ssoctl.sp.backup import read_backup
from ssoctl.sp.contract import SsoSettings
from ssoctl.sp.plan import (ChangedMeanwhile, _steps, apply, make_plan, rollback_command,
                            rollback_plan)

from .memtarget import MemTarget

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.timezone.utc)
OLD = SsoSettings("https://old.example.test/sso", "http://www.okta.com/exkOLD", None, True)
NEW = SsoSettings("https://new.example.test/sso", "http://www.okta.com/exkNEW", None, False)


def _run(target, tmp_path, desired=NEW, enable=None):
    plan = make_plan(target, desired, enable=enable, now=NOW)
    return apply(target, plan, backup_dir=tmp_path, profile="acme", now=NOW)


def test_plan_keeps_sso_switch_unless_asked():
    target = MemTarget(OLD)
    plan = make_plan(target, NEW, now=NOW)
    assert plan.desired.enabled is True
    assert [c.field for c in plan.changes if c.changed] == ["sso_url", "idp_entity_id"]
    assert make_plan(target, NEW, enable=False, now=NOW).desired.enabled is False


def test_no_changes_plan():
    target = MemTarget(OLD)
    assert not make_plan(target, OLD, now=NOW).has_changes


def test_apply_backs_up_first_then_writes(tmp_path):
    target = MemTarget(OLD)
    done = _run(target, tmp_path)
    saved = read_backup(done.backup.path)
    assert saved.settings == OLD and saved.etag == '"v1"'
    assert stat.S_IMODE((tmp_path / "acme-20260601T120000Z.json").stat().st_mode) == 0o600
    assert target.settings == NEW.with_enabled(True)


def test_turning_on_is_a_separate_last_step(tmp_path):
    target = MemTarget(OLD.with_enabled(False))
    done = _run(target, tmp_path, enable=True)
    assert [w.enabled for w in target.writes] == [False, True]
    assert done.steps == ("settings written and verified", "SSO enabled and verified")


def test_steps():
    assert _steps(OLD.with_enabled(False), NEW.with_enabled(True)) == (
        NEW.with_enabled(False), NEW.with_enabled(True))
    assert _steps(NEW.with_enabled(False), NEW.with_enabled(True)) == (NEW.with_enabled(True),)
    assert _steps(OLD, NEW) == (NEW,)


def test_lost_write_is_restored(tmp_path):
    target = MemTarget(OLD)
    target.write_script = {1: "drop"}
    with pytest.raises(RolledBackError) as info:
        _run(target, tmp_path)
    assert "SSO URL, Entity ID" in info.value.message
    assert target.settings == OLD and target.writes[-1] == OLD


def test_failed_write_that_changed_nothing_is_reported_as_is(tmp_path):
    target = MemTarget(OLD)
    target.write_script = {1: "500"}
    with pytest.raises(NetworkError) as info:
        _run(target, tmp_path)
    assert "nothing was changed" in info.value.hint
    assert len(target.writes) == 1


def test_failed_write_that_changed_something_is_restored(tmp_path):
    target = MemTarget(OLD)
    target.write_script = {1: "500-applied"}
    with pytest.raises(RolledBackError):
        _run(target, tmp_path)
    assert target.settings == OLD


def test_own_retry_conflict_with_proof_is_success(tmp_path):
    target = MemTarget(OLD)
    target.write_script = {1: "412"}
    target.settings = NEW.with_enabled(True)  # as if an earlier attempt landed

    plan = make_plan(MemTarget(OLD), NEW, now=NOW)
    done = apply(target, plan, backup_dir=tmp_path, profile="acme", now=NOW)
    assert done.result == NEW.with_enabled(True)


def test_conflict_with_someone_else_is_refused(tmp_path):
    target = MemTarget(OLD)
    target.write_script = {1: "412"}
    with pytest.raises(ApiRefusedError):
        _run(target, tmp_path)


def test_restore_failing_is_exit_8_with_command(tmp_path):
    target = MemTarget(OLD)
    target.write_script = {1: "mangle", 2: "500"}
    with pytest.raises(RollbackFailedError) as info:
        _run(target, tmp_path)
    path = str(tmp_path / "acme-20260601T120000Z.json")
    assert path in info.value.hint
    assert f"ssoctl rollback {path} --profile acme" in info.value.hint


def test_restore_not_reading_back_is_exit_8(tmp_path):
    target = MemTarget(OLD)
    target.write_script = {1: "mangle", 2: "mangle"}
    with pytest.raises(RollbackFailedError) as info:
        _run(target, tmp_path)
    assert "did not read back either" in info.value.message


def test_unreadable_after_write_then_restore(tmp_path):
    target = MemTarget(OLD)
    target.read_script = {2: "fail", 3: "fail"}
    with pytest.raises(RolledBackError):
        _run(target, tmp_path)
    assert target.settings == OLD


def test_second_step_failing_restores_everything(tmp_path):
    target = MemTarget(OLD.with_enabled(False))
    target.write_script = {2: "drop"}
    with pytest.raises(RolledBackError):
        _run(target, tmp_path, enable=True)
    assert target.settings == OLD.with_enabled(False)


def test_two_backups_in_one_second_both_kept(tmp_path):
    target = MemTarget(OLD)
    _run(target, tmp_path)
    _run(target, tmp_path, desired=OLD)
    assert len(list(tmp_path.glob("acme-*.json"))) == 2


def test_rollback_plan_restores_switch_state(tmp_path):
    target = MemTarget(OLD)
    done = _run(target, tmp_path, enable=False)
    assert target.settings.enabled is False
    plan = rollback_plan(target, read_backup(done.backup.path), now=NOW)
    assert plan.desired == OLD


def test_rollback_command_quotes_paths():
    assert rollback_command("/tmp/a b.json", "acme") == "ssoctl rollback '/tmp/a b.json' --profile acme"


def test_backup_holds_no_more_than_the_settings(tmp_path):
    target = MemTarget(OLD)
    done = _run(target, tmp_path)
    doc = json.loads(open(done.backup.path).read())
    assert set(doc) == {"format", "profile", "target", "endpoint", "taken_at", "etag", "settings"}


ACTIONS = st.sampled_from(["ok", "500", "500-applied", "drop", "mangle", "412"])


@settings(max_examples=60, deadline=None)
@given(st.lists(ACTIONS, min_size=1, max_size=4), st.booleans())
def test_sp_ends_as_wanted_or_as_it_was(tmp_path_factory, script, enable):
    """Whatever the SP does, the outcome is either success with the new settings in
    place, or an error after which the SP holds the old settings, or exit 8 -- or a write
    the SP refused as a concurrent change (412), after which nothing is restored and the
    SP holds what it held when the write was refused: the old settings, or (before SSO is
    switched on) the settings ssoctl had written and verified (docs/threat-model.md,
    "Concurrent edits")."""
    folder = tmp_path_factory.mktemp("b")
    start = OLD.with_enabled(False)
    target = MemTarget(start)
    target.write_script = dict(enumerate(script, start=1))
    try:
        done = _run(target, folder, enable=enable)
    except RollbackFailedError:
        return
    except ChangedMeanwhile as exc:
        assert target.settings == (start if exc.backup is None else NEW.with_enabled(False))
        return
    except (RolledBackError, NetworkError, ApiRefusedError):
        assert target.settings == start
        return
    assert target.settings == done.result
