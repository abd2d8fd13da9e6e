"""Another editor changes the SP's settings while ssoctl works (docs/threat-model.md,
"Concurrent edits"): ssoctl never writes over a value it did not write.

A write the SP refuses with 412 changed nothing, so nothing is restored (exit 5, with what
changed meanwhile); a restore carries If-Match with the ETag of the state ssoctl left (or,
without ETags, reads again and compares) and stops with exit 8 when someone else got there
first. The fake SP's ``race`` fault is the other editor.
"""

from __future__ import annotations

import pytest

from ssoctl.sp.contract import fingerprint

from .fake_sp import FakeSp, fake_sp, sp_server  # noqa: F401  (fixtures)
from .push_helpers import (ENV, NOW, SSO_URL, backups, cert_pem, contract_profile,  # noqa: F401
                           fake_clock, push_args, write_cert, write_config)

OLD = dict(sso_url="https://old.example.test/sso", idp_entity_id="http://www.okta.com/exkOLD",
           enabled=True)
THEIRS = "https://colleague.example.test/sso/saml"


@pytest.fixture
def setup(tmp_path, fake_sp, fake_clock):
    fake_sp.set(certificate=cert_pem("old-idp"), **OLD)
    config = write_config(tmp_path, {"acme": contract_profile(fake_sp)})
    cert = write_cert(tmp_path)
    return lambda *extra: push_args(config, tmp_path, "--yes", *extra, cert=cert)


def test_a_write_refused_with_412_restores_nothing(cli, setup, fake_sp, tmp_path):
    fake_sp.fault("PUT", "race", values={"sso_url": THEIRS})
    result = cli(*setup(), env=ENV)
    assert result.exit_code == 5, result.stderr
    assert fake_sp.state["sso_url"] == THEIRS  # the other editor's value stays
    assert fake_sp.count("PUT") == 1  # no restore was written over it
    assert f"SSO URL: {OLD['sso_url']} -> {THEIRS}" in result.stderr
    assert "nothing was changed on the SP" in result.stderr
    assert "re-run push to plan against the current settings" in result.stderr
    assert "restored and verified" not in result.stderr


def test_a_412_race_in_json_lists_what_changed(cli, setup, fake_sp):
    fake_sp.fault("PUT", "race", values={"sso_url": THEIRS, "enabled": False})
    result = cli(*setup("--json"), env=ENV)
    assert result.exit_code == 5
    error = result.json()["error"]
    assert error["code"] == "SP_CHANGED_MEANWHILE"
    changed = {row["field"]: row for row in error["changed_meanwhile"]}
    assert set(changed) == {"sso_url", "enabled"}
    assert changed["sso_url"]["read"] == OLD["sso_url"] and changed["sso_url"]["now"] == THEIRS
    assert fake_sp.state["enabled"] is False


def test_a_race_before_sso_is_switched_on_leaves_it_off(cli, setup, fake_sp):
    """Settings written and verified; then someone edits before the enable step's PUT."""
    fake_sp.set(enabled=False)
    fake_sp.fault("PUT", "race", values={"sso_url": THEIRS}, after=1)
    result = cli(*setup("--enable", "--json"), env=ENV)
    assert result.exit_code == 5, result.stdout
    error = result.json()["error"]
    assert error["code"] == "SP_CHANGED_MEANWHILE" and "not switched on" in error["message"]
    assert error["backup"]
    assert fake_sp.state["enabled"] is False and fake_sp.state["sso_url"] == THEIRS
    assert fake_sp.count("PUT") == 2


def test_a_restore_meets_someone_elses_change_and_stops_with_exit_8(cli, setup, fake_sp,
                                                                      tmp_path):
    """The SP mangles ssoctl's write (a restore is due), and before the restore someone
    else saves: the restore's If-Match fails, their value stays."""
    fake_sp.fault("PUT", "mangle")
    fake_sp.fault("PUT", "race", values={"sso_url": THEIRS})
    result = cli(*setup("--json"), env=ENV)
    assert result.exit_code == 8, result.stdout
    error = result.json()["error"]
    assert error["code"] == "ROLLBACK_FAILED"
    assert "changed by someone else" in error["message"] and THEIRS in error["message"]
    assert fake_sp.state["sso_url"] == THEIRS
    [backup] = backups(tmp_path)
    assert error["backup"] == str(backup) and str(backup) in error["hint"]
    restore = fake_sp.requests[-2]  # the refused restore PUT, then the re-read GET
    assert restore[0] == "PUT" and restore[2]["If-Match"] == '"v3"'


def test_without_etags_a_restore_reads_again_and_compares(cli, tmp_path, sp_server,
                                                          fake_clock):
    sp = FakeSp(sp_server, etags=False)
    sp.set(certificate=cert_pem("old-idp"), **OLD)
    config = write_config(tmp_path, {"acme": contract_profile(sp)})
    sp.fault("PUT", "mangle")
    # GETs: plan, read-back after the write, the re-read before restoring (the race)
    sp.fault("GET", "race", values={"idp_entity_id": "http://www.okta.com/exkTHEIRS"}, after=2)
    result = cli(*push_args(config, tmp_path, "--yes", "--json", cert=write_cert(tmp_path)),
                 env=ENV)
    assert result.exit_code == 8, result.stdout
    assert "exkTHEIRS" in result.json()["error"]["message"]
    assert sp.count("PUT") == 1  # the restore was never written
    assert sp.state["idp_entity_id"] == "http://www.okta.com/exkTHEIRS"


def test_after_a_failed_write_a_foreign_value_is_not_restored_over(cli, setup, fake_sp):
    """500 after the SP applied ssoctl's write, then someone else changes a field before
    ssoctl looks again: a value neither old nor ssoctl's is left alone."""
    fake_sp.fault("PUT", "status", status=500, apply=True)
    fake_sp.fault("GET", "race", values={"sso_url": THEIRS}, after=1)
    result = cli(*setup("--json"), env=ENV)
    assert result.exit_code == 8, result.stdout
    assert THEIRS in result.json()["error"]["message"]
    assert fake_sp.state["sso_url"] == THEIRS and fake_sp.count("PUT") == 1


def test_a_restore_with_no_race_still_works(cli, setup, fake_sp):
    """The If-Match on the restore is the ETag of the read-back: an SP left alone accepts it."""
    fake_sp.fault("PUT", "mangle")
    result = cli(*setup("--json"), env=ENV)
    assert result.exit_code == 7, result.stdout
    assert fake_sp.state["sso_url"] == OLD["sso_url"]
    assert fingerprint(fake_sp.state["certificate"]) == fingerprint(cert_pem("old-idp"))
    puts = [headers for method, _, headers in fake_sp.requests if method == "PUT"]
    assert [h.get("If-Match") for h in puts] == ['"v2"', '"v3"']


def test_a_retried_restore_that_meets_its_own_etag_is_a_restore(cli, setup, fake_sp,
                                                                 fake_clock):
    """The restore's answer is lost after the SP applied it; the retry meets 412 (the
    ETag the first attempt changed). The SP holds the backup: that is exit 7, not 8."""
    fake_sp.fault("PUT", "mangle")
    fake_sp.fault("PUT", "reset", apply=True)
    result = cli(*setup("--json"), env=ENV)
    assert result.exit_code == 7, result.stdout
    assert fake_sp.state["sso_url"] == OLD["sso_url"]
    assert fake_sp.count("PUT") == 3 and fake_clock.sleeps == [0.5]


def test_the_rollback_command_does_not_overwrite_a_concurrent_edit(cli, setup, fake_sp,
                                                                   tmp_path):
    first = cli(*setup(), env=ENV)
    assert first.exit_code == 0, first.stderr
    [backup] = backups(tmp_path)
    fake_sp.fault("PUT", "race", values={"sso_url": THEIRS})
    config = setup()[setup().index("--config") + 1]
    result = cli("rollback", str(backup), "--profile", "acme", "--config", config, "--yes",
                 "--backup-dir", str(tmp_path / "backups"), "--now", NOW, env=ENV)
    assert result.exit_code == 5, result.stderr
    assert "re-run rollback to plan against the current settings" in result.stderr
    assert fake_sp.state["sso_url"] == THEIRS


def test_bulk_push_reports_a_race_per_tenant(cli, tmp_path, sp_server, fake_clock):
    a, b = FakeSp(sp_server, prefix="/a"), FakeSp(sp_server, prefix="/b")
    for sp in (a, b):
        sp.set(certificate=cert_pem("old-idp"), **OLD)
    b.fault("PUT", "race", values={"sso_url": THEIRS})
    config = write_config(tmp_path, {"a": contract_profile(a), "b": contract_profile(b)})
    cert = write_cert(tmp_path)
    args = ["push", "--config", config, "--profiles", "a,b", "--yes", "--json", "--backup-dir",
            str(tmp_path / "backups"), "--now", NOW, "--sso-url", SSO_URL, "--entity-id",
            "http://www.okta.com/exk1fcx7ab2CDEf3G4h8", "--cert", cert]
    result = cli(*args, env=ENV)
    assert result.exit_code == 5, result.stdout
    tenants = {t["profile"]: t for t in result.json()["data"]["tenants"]}
    assert tenants["a"]["ok"] and tenants["a"]["outcome"] == "applied"
    assert tenants["b"]["exit_code"] == 5
    assert tenants["b"]["error"]["code"] == "SP_CHANGED_MEANWHILE"
    assert b.state["sso_url"] == THEIRS and b.count("PUT") == 1
    assert a.state["sso_url"] == SSO_URL
