"""ssoctl push against a fake SP implementing the contract: the normal paths."""

from __future__ import annotations

import json
import stat

from ssoctl.sp.contract import fingerprint

from .fake_sp import TOKEN, fake_sp, sp_server  # noqa: F401  (fixtures)
from .push_helpers import (ENTITY_ID, ENV, ROOT_FIXTURES, SSO_URL, backups, cert_pem,
                           contract_profile, push_args, write_cert, write_config)


def _setup(tmp_path, sp, **extra):
    return write_config(tmp_path, {"acme": contract_profile(sp, **extra)})


def test_first_push_applies_backs_up_and_verifies(cli, tmp_path, fake_sp):
    config = _setup(tmp_path, fake_sp)
    cert = write_cert(tmp_path)
    result = cli(*push_args(config, tmp_path, "--yes", "--json", cert=cert), env=ENV)
    assert result.exit_code == 0, result.stdout + result.stderr
    doc = result.json()
    assert doc["ok"] is True and doc["data"]["outcome"] == "applied"
    assert doc["data"]["changed_fields"] == ["sso_url", "idp_entity_id", "certificate"]
    assert "sipgate publishes no SSO settings API" in doc["data"]["note"]
    assert fake_sp.count("PUT") == 1 and fake_sp.count("GET") == 2
    assert fake_sp.state["sso_url"] == SSO_URL and fake_sp.state["idp_entity_id"] == ENTITY_ID
    assert fingerprint(fake_sp.state["certificate"]) == fingerprint(cert_pem())
    assert fake_sp.state["enabled"] is False
    [backup] = backups(tmp_path)
    assert doc["data"]["backup"] == str(backup)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    saved = json.loads(backup.read_text())
    assert saved["settings"] == {"sso_url": None, "idp_entity_id": None, "certificate": None,
                                 "enabled": False}
    assert backup.name == "acme-20260601T120000Z.json"


def test_second_identical_run_writes_nothing(cli, tmp_path, fake_sp):
    config = _setup(tmp_path, fake_sp)
    cert = write_cert(tmp_path)
    assert cli(*push_args(config, tmp_path, "--yes", cert=cert), env=ENV).exit_code == 0
    puts = fake_sp.count("PUT")
    again = cli(*push_args(config, tmp_path, cert=cert), env=ENV)  # no --yes needed
    assert again.exit_code == 0
    assert "no changes" in again.stdout
    assert fake_sp.count("PUT") == puts
    assert len(backups(tmp_path)) == 1


def test_rewrapped_certificate_is_not_a_change(cli, tmp_path, fake_sp):
    pem = cert_pem()
    body = "".join(pem.splitlines()[1:-1])
    fake_sp.set(sso_url=SSO_URL, idp_entity_id=ENTITY_ID, certificate=body)  # one long line
    config = _setup(tmp_path, fake_sp)
    result = cli(*push_args(config, tmp_path, "--json", cert=write_cert(tmp_path)), env=ENV)
    assert result.json()["data"]["outcome"] == "no_changes"
    assert fake_sp.count("PUT") == 0


def test_dry_run_shows_diff_and_writes_nothing(cli, tmp_path, fake_sp):
    fake_sp.set(sso_url=SSO_URL, idp_entity_id=ENTITY_ID, certificate=cert_pem("old-idp"))
    config = _setup(tmp_path, fake_sp)
    result = cli(*push_args(config, tmp_path, "--dry-run", cert=write_cert(tmp_path)), env=ENV)
    assert result.exit_code == 10, result.stderr  # CHANGES_PENDING: drift, for CI
    assert "dry run" in result.stdout
    # People see both certificates by their whole fingerprint (what Okta shows) and
    # expiry, one value a line.
    old, new = fingerprint(cert_pem("old-idp")), fingerprint(cert_pem())
    assert f"now SHA-256 {old}, expires" in result.stdout
    assert f"new SHA-256 {new}, expires 2035-12-30" in result.stdout
    assert fake_sp.count("PUT") == 0 and backups(tmp_path) == []
    doc = cli(*push_args(config, tmp_path, "--dry-run", "--json", cert=write_cert(tmp_path)),
              env=ENV).json()
    [row] = [c for c in doc["data"]["changes"] if c["field"] == "certificate"]
    assert old in row["current"] and new in row["desired"]


def test_without_terminal_and_without_yes_nothing_is_written(cli, tmp_path, fake_sp):
    config = _setup(tmp_path, fake_sp)
    result = cli(*push_args(config, tmp_path, "--json", cert=write_cert(tmp_path)), env=ENV)
    assert result.exit_code == 2
    assert result.json()["error"]["code"] == "CONFIRMATION_REQUIRED"
    assert fake_sp.count("PUT") == 0 and backups(tmp_path) == []


def test_confirmation_on_a_terminal(cli, tmp_path, fake_sp, monkeypatch):
    from ssoctl.cli import push_view

    monkeypatch.setattr(push_view, "stdin_is_tty", lambda: True)
    config = _setup(tmp_path, fake_sp)
    cert = write_cert(tmp_path)
    declined = cli(*push_args(config, tmp_path, cert=cert), input="n\n", env=ENV)
    assert declined.exit_code == 0 and "not confirmed" in declined.stdout
    assert fake_sp.count("PUT") == 0
    accepted = cli(*push_args(config, tmp_path, cert=cert), input="y\n", env=ENV)
    assert accepted.exit_code == 0 and "applied" in accepted.stdout
    assert "Write these settings" in accepted.stderr and fake_sp.count("PUT") == 1


def test_enable_happens_only_after_settings_read_back(cli, tmp_path, fake_sp):
    config = _setup(tmp_path, fake_sp)
    result = cli(*push_args(config, tmp_path, "--yes", "--enable", "--json",
                            cert=write_cert(tmp_path)), env=ENV)
    assert result.exit_code == 0, result.stdout
    writes = fake_sp.writes()
    assert [w["enabled"] for w in writes] == [False, True]
    assert writes[0]["sso_url"] == SSO_URL
    assert fake_sp.state["enabled"] is True
    assert result.json()["data"]["steps"] == ["settings written and verified",
                                             "SSO enabled and verified"]


def test_enable_alone_is_one_write(cli, tmp_path, fake_sp):
    fake_sp.set(sso_url=SSO_URL, idp_entity_id=ENTITY_ID, certificate=cert_pem())
    config = _setup(tmp_path, fake_sp)
    result = cli(*push_args(config, tmp_path, "--yes", "--enable", "--json",
                            cert=write_cert(tmp_path)), env=ENV)
    assert result.json()["data"]["changed_fields"] == ["enabled"]
    assert [w["enabled"] for w in fake_sp.writes()] == [True]


def test_push_keeps_sso_switch_as_it_is(cli, tmp_path, fake_sp):
    fake_sp.set(sso_url=SSO_URL, idp_entity_id=ENTITY_ID, certificate=cert_pem("old-idp"),
                enabled=True)
    config = _setup(tmp_path, fake_sp)
    result = cli(*push_args(config, tmp_path, "--yes", cert=write_cert(tmp_path)), env=ENV)
    assert result.exit_code == 0
    assert [w["enabled"] for w in fake_sp.writes()] == [True]


def test_etag_is_sent_as_if_match(cli, tmp_path, fake_sp):
    config = _setup(tmp_path, fake_sp)
    cli(*push_args(config, tmp_path, "--yes", cert=write_cert(tmp_path)), env=ENV)
    [put] = [h for m, _, h in fake_sp.requests if m == "PUT"]
    assert put["If-Match"] == '"v1"'


def test_changed_underneath_is_refused_and_nothing_changes(cli, tmp_path, fake_sp):
    fake_sp.fault("PUT", "status", status=412)
    config = _setup(tmp_path, fake_sp)
    result = cli(*push_args(config, tmp_path, "--yes", cert=write_cert(tmp_path)), env=ENV)
    assert result.exit_code == 5
    assert "changed by someone else" in result.stderr
    assert "nothing was changed on the SP" in result.stderr
    assert fake_sp.state["sso_url"] is None


def test_sp_validation_reason_is_shown(cli, tmp_path, fake_sp):
    fake_sp.fault("PUT", "status", status=422)
    config = _setup(tmp_path, fake_sp)
    result = cli(*push_args(config, tmp_path, "--yes", "--json", cert=write_cert(tmp_path)),
                 env=ENV)
    assert result.exit_code == 5
    error = result.json()["error"]
    assert error["code"] == "HTTP_REFUSED" and "injected fault" in error["message"]


def test_wrong_token_exit_5_names_token_id(cli, tmp_path, fake_sp):
    config = _setup(tmp_path, fake_sp)
    env = dict(ENV, SSOCTL_TOKEN="wrong-token-value-1234")
    result = cli(*push_args(config, tmp_path, "--yes", cert=write_cert(tmp_path)), env=env)
    assert result.exit_code == 5
    assert "HTTP 401" in result.stderr and "token-T3ST01" in result.stderr
    assert "wrong-token-value-1234" not in result.stdout + result.stderr
    assert fake_sp.count("PUT") == 0


def test_expired_certificate_is_refused_before_any_request(cli, tmp_path, fake_sp):
    config = _setup(tmp_path, fake_sp)
    cert = write_cert(tmp_path, "expired-idp", expired=True)
    result = cli(*push_args(config, tmp_path, "--yes", "--json", cert=cert), env=ENV)
    assert result.exit_code == 1
    doc = result.json()
    assert doc["data"]["outcome"] == "refused"
    assert "CERT_EXPIRED" in [f["code"] for f in doc["findings"]]
    assert fake_sp.requests == []


def test_allow_overrides_one_finding(cli, tmp_path, fake_sp):
    config = _setup(tmp_path, fake_sp)
    cert = write_cert(tmp_path, "expired-idp", expired=True)
    result = cli(*push_args(config, tmp_path, "--yes", "--json", "--allow", "CERT_EXPIRED",
                            cert=cert), env=ENV)
    assert result.exit_code == 0, result.stdout
    [item] = [f for f in result.json()["findings"] if f["code"] == "CERT_EXPIRED"]
    assert item["severity"] == "warning" and "--allow" in item["message"]
    assert fake_sp.count("PUT") == 1


def test_plain_http_sso_url_is_refused(cli, tmp_path, fake_sp):
    config = _setup(tmp_path, fake_sp)
    args = ["push", "--config", config, "--sso-url", "http://idp.example.test/sso",
            "--entity-id", ENTITY_ID, "--cert", write_cert(tmp_path), "--yes", "--json"]
    result = cli(*args, env=ENV)
    assert result.exit_code == 1
    assert "PUSH_SSO_URL_NOT_HTTPS" in [f["code"] for f in result.json()["findings"]]


def test_profile_expects_another_idp(cli, tmp_path, fake_sp):
    config = _setup(tmp_path, fake_sp, idp_entity_id="http://www.okta.com/exkOTHER")
    result = cli(*push_args(config, tmp_path, "--yes", "--json", cert=write_cert(tmp_path)),
                 env=ENV)
    assert result.exit_code == 1
    [item] = [f for f in result.json()["findings"] if f["code"] == "PUSH_IDP_ENTITY_ID_MISMATCH"]
    assert item["expected"] == "http://www.okta.com/exkOTHER"


def test_push_from_metadata(cli, tmp_path, fake_sp):
    config = _setup(tmp_path, fake_sp)
    metadata = ROOT_FIXTURES / "metadata" / "okta.xml"
    result = cli("push", "--config", config, "--metadata", str(metadata), "--yes", "--json",
                 "--backup-dir", str(tmp_path / "backups"), "--now", "2026-06-01", env=ENV)
    assert result.exit_code == 0, result.stdout
    assert fake_sp.state["idp_entity_id"] == "http://www.okta.com/exk1fcx7ab2CDEf3G4h8"
    assert fake_sp.state["sso_url"].startswith("https://")
    assert "BEGIN CERTIFICATE" in fake_sp.state["certificate"]


def test_push_from_metadata_with_expired_certificate_is_refused(cli, tmp_path, fake_sp):
    config = _setup(tmp_path, fake_sp)
    metadata = ROOT_FIXTURES / "metadata" / "defect-expired-cert.xml"
    result = cli("push", "--config", config, "--metadata", str(metadata), "--yes", "--json",
                 "--now", "2026-06-01", env=ENV)
    assert result.exit_code == 1
    assert result.json()["data"]["outcome"] == "refused"
    assert fake_sp.requests == []


def test_bearer_token(cli, tmp_path, sp_server):
    from .fake_sp import FakeSp

    sp = FakeSp(sp_server, scheme="bearer")
    config = write_config(tmp_path, {"acme": contract_profile(sp)})
    env = dict(ENV, SSOCTL_TOKEN_ID="")
    result = cli(*push_args(config, tmp_path, "--yes", cert=write_cert(tmp_path)), env=env)
    assert result.exit_code == 0, result.stderr
    assert sp.state["sso_url"] == SSO_URL
    assert TOKEN not in result.stdout + result.stderr


def test_push_from_metadata_with_http_sso_url_reports_it_once(cli, tmp_path, fake_sp):
    config = _setup(tmp_path, fake_sp)
    metadata = ROOT_FIXTURES / "metadata" / "defect-http-sso-url.xml"
    result = cli("push", "--config", config, "--metadata", str(metadata), "--yes", "--json",
                 "--now", "2026-06-01", env=ENV)
    assert result.exit_code == 1
    codes = [f["code"] for f in result.json()["findings"]]
    assert "METADATA_SSO_URL_NOT_HTTPS" in codes and "PUSH_SSO_URL_NOT_HTTPS" not in codes
    assert fake_sp.requests == []


def test_strict_refuses_on_warnings(cli, tmp_path, fake_sp):
    import datetime as dt

    from ssoctl.rehearsal import pki

    key = pki.cached_rsa_key("soon")
    cert = pki.certificate(key, pki.okta_name(), days=365,
                           not_before=dt.datetime(2025, 6, 10, tzinfo=dt.timezone.utc))
    path = tmp_path / "soon.pem"
    path.write_text(pki.cert_pem(cert))
    config = _setup(tmp_path, fake_sp)
    strict = cli(*push_args(config, tmp_path, "--yes", "--json", "--strict", cert=str(path)),
                 env=ENV)
    assert strict.exit_code == 1 and strict.json()["data"]["outcome"] == "refused"
    assert "CERT_EXPIRING_SOON" in [f["code"] for f in strict.json()["findings"]]
    assert fake_sp.requests == []
    relaxed = cli(*push_args(config, tmp_path, "--yes", "--json", cert=str(path)), env=ENV)
    assert relaxed.exit_code == 0 and relaxed.json()["data"]["outcome"] == "applied"
