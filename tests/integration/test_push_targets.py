"""The rest target, TLS, ``ssoctl sp status`` and ``ssoctl rollback`` against fake SPs."""

from __future__ import annotations

import json
import ssl

import pytest
from pytest_httpserver import HTTPServer

from ssoctl.sp.contract import fingerprint

from .fake_sp import TOKEN, FakeSp, fake_rest_sp, fake_sp, sp_server  # noqa: F401
from .push_helpers import (ENTITY_ID, ENV, NOW, ROOT_FIXTURES, SSO_URL, backups, cert_pem,
                           contract_profile, push_args, rest_profile, write_cert, write_config)

REST_ENV = dict(ENV, SSOCTL_TOKEN_ID="")


# ---------------------------------------------------------------- rest target

def test_rest_target_push_verify_and_enable(cli, tmp_path, fake_rest_sp):
    config = write_config(tmp_path, {"acme": rest_profile(fake_rest_sp)})
    result = cli(*push_args(config, tmp_path, "--yes", "--enable", "--json",
                            cert=write_cert(tmp_path)), env=REST_ENV)
    assert result.exit_code == 0, result.stdout
    data = result.json()["data"]
    assert data["target"] == "rest" and data["outcome"] == "applied"
    first, second = fake_rest_sp.writes()
    assert first["saml"]["loginUrl"] == SSO_URL and first["active"] is False
    assert second["active"] is True
    assert [m for m, _, _ in fake_rest_sp.requests] == ["GET", "POST", "GET", "POST", "GET"]
    assert fake_rest_sp.state["enabled"] is True


def test_rest_target_second_run_no_changes(cli, tmp_path, fake_rest_sp):
    config = write_config(tmp_path, {"acme": rest_profile(fake_rest_sp)})
    cert = write_cert(tmp_path)
    assert cli(*push_args(config, tmp_path, "--yes", cert=cert), env=REST_ENV).exit_code == 0
    again = cli(*push_args(config, tmp_path, "--json", cert=cert), env=REST_ENV)
    assert again.json()["data"]["outcome"] == "no_changes"
    assert fake_rest_sp.count("POST") == 1


def test_rest_target_lost_write_rolls_back(cli, tmp_path, fake_rest_sp):
    fake_rest_sp.set(sso_url="https://old.example.test/sso", idp_entity_id="old",
                     certificate=cert_pem("old-idp"))
    fake_rest_sp.fault("POST", "drop", times=3)
    config = write_config(tmp_path, {"acme": rest_profile(fake_rest_sp)})
    result = cli(*push_args(config, tmp_path, "--yes", cert=write_cert(tmp_path)), env=REST_ENV)
    assert result.exit_code == 7
    assert fake_rest_sp.state["sso_url"] == "https://old.example.test/sso"


def test_rest_target_explicit_pointers(cli, tmp_path, fake_rest_sp):
    profile = rest_profile(fake_rest_sp)
    profile["rest"]["pointers"] = {"sso_url": "/saml/loginUrl"}
    config = write_config(tmp_path, {"acme": profile})
    result = cli(*push_args(config, tmp_path, "--yes", cert=write_cert(tmp_path)), env=REST_ENV)
    assert result.exit_code == 0, result.stderr


def test_rest_target_without_enabled_refuses_enable(cli, tmp_path, fake_rest_sp):
    profile = rest_profile(fake_rest_sp)
    del profile["rest"]["body"]["active"]
    config = write_config(tmp_path, {"acme": profile})
    result = cli(*push_args(config, tmp_path, "--yes", "--enable", "--json",
                            cert=write_cert(tmp_path)), env=REST_ENV)
    assert result.exit_code == 2
    assert result.json()["error"]["code"] == "PUSH_CANNOT_ENABLE"


# ---------------------------------------------------------------- TLS

@pytest.fixture
def tls_sp(ca):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=ctx, threaded=True)
    server.start()
    yield FakeSp(server)
    server.clear()
    server.stop()


def test_https_with_ca_bundle(cli, tmp_path, tls_sp, ca_bundle):
    config = write_config(tmp_path, {"acme": contract_profile(tls_sp, ca_bundle=ca_bundle)})
    result = cli(*push_args(config, tmp_path, "--yes", cert=write_cert(tmp_path)), env=ENV)
    assert result.exit_code == 0, result.stderr
    assert tls_sp.url.startswith("https://")


def test_https_untrusted_is_exit_6(cli, tmp_path, tls_sp, ca_bundle):
    config = write_config(tmp_path, {"acme": contract_profile(tls_sp)})
    result = cli(*push_args(config, tmp_path, "--yes", "--json", cert=write_cert(tmp_path)),
                 env=ENV)
    assert result.exit_code == 6
    assert result.json()["error"]["code"] == "TLS_ERROR"
    ok = cli(*push_args(config, tmp_path, "--yes", "--ca-bundle", ca_bundle,
                        cert=write_cert(tmp_path)), env=ENV)
    assert ok.exit_code == 0, ok.stderr


def test_plain_http_to_remote_host_refused(cli, tmp_path):
    config = write_config(tmp_path, {"acme": {"base_url": "http://sp.example.test/v2",
                                              "token_id": "token-X"}})
    result = cli(*push_args(config, tmp_path, "--yes", "--json", cert=write_cert(tmp_path)),
                 env=ENV)
    assert result.exit_code == 2
    assert result.json()["error"]["code"] == "INSECURE_URL"


# ---------------------------------------------------------------- sp status

def test_status_shows_settings(cli, tmp_path, fake_sp):
    fake_sp.set(sso_url=SSO_URL, idp_entity_id=ENTITY_ID, certificate=cert_pem(), enabled=True)
    config = write_config(tmp_path, {"acme": contract_profile(fake_sp)})
    result = cli("sp", "status", "--config", config, "--now", NOW, env=ENV)
    assert result.exit_code == 0, result.stderr
    assert SSO_URL in result.stdout and ENTITY_ID in result.stdout
    assert fingerprint(cert_pem()) in result.stdout and "expires 2035-12-30" in result.stdout
    assert "sipgate publishes no SSO settings API" in result.stdout
    doc = cli("sp", "status", "--config", config, "--now", NOW, "--json", env=ENV).json()
    assert doc["ok"] is True
    assert doc["data"]["settings"]["enabled"] is True
    assert doc["data"]["certificate"]["sha256"] == fingerprint(cert_pem())
    assert doc["data"]["etag"] == '"v2"'


def test_status_findings(cli, tmp_path, fake_sp):
    fake_sp.set(sso_url=SSO_URL, idp_entity_id=None, certificate=cert_pem("x", expired=True),
                enabled=True)
    config = write_config(tmp_path, {"acme": contract_profile(
        fake_sp, idp_entity_id="http://www.okta.com/exkOTHER")})
    result = cli("sp", "status", "--config", config, "--now", NOW, "--json", env=ENV)
    assert result.exit_code == 1
    codes = {f["code"] for f in result.json()["findings"]}
    assert {"SP_ENABLED_INCOMPLETE", "CERT_EXPIRED"} <= codes


def test_status_unreadable_certificate_and_disabled(cli, tmp_path, fake_sp):
    fake_sp.set(sso_url=SSO_URL, idp_entity_id="x", certificate="MIIB-not-a-cert")
    config = write_config(tmp_path, {"acme": contract_profile(fake_sp)})
    result = cli("sp", "status", "--config", config, "--json", env=ENV)
    codes = {f["code"] for f in result.json()["findings"]}
    assert {"SP_CERT_UNREADABLE", "SP_SSO_DISABLED"} <= codes


def test_status_bad_answer_is_exit_6(cli, tmp_path, sp_server):
    sp_server.expect_request("/v2/sso/settings").respond_with_data("<html>login</html>")
    config = write_config(tmp_path, {"acme": {"base_url": sp_server.url_for("/v2"),
                                              "auth": "bearer"}})
    result = cli("sp", "status", "--config", config, "--json", env=ENV)
    assert result.exit_code == 6
    assert result.json()["error"]["code"] == "SP_BAD_RESPONSE"


def test_status_wrong_path_is_exit_5(cli, tmp_path, fake_sp):
    config = write_config(tmp_path, {"acme": contract_profile(fake_sp, path="/nope")})
    result = cli("sp", "status", "--config", config, "--json", env=ENV)
    assert result.exit_code in (5, 6)  # pytest-httpserver answers unknown paths with 500


# ---------------------------------------------------------------- rollback

def _applied(cli, tmp_path, sp):
    sp.set(sso_url="https://old.example.test/sso", idp_entity_id="http://www.okta.com/exkOLD",
           certificate=cert_pem("old-idp"), enabled=True)
    config = write_config(tmp_path, {"acme": contract_profile(sp)})
    result = cli(*push_args(config, tmp_path, "--yes", "--json", cert=write_cert(tmp_path)),
                 env=ENV)
    assert result.exit_code == 0, result.stdout
    return config, result.json()["data"]["backup"]


def test_rollback_restores_and_is_itself_reversible(cli, tmp_path, fake_sp):
    config, backup = _applied(cli, tmp_path, fake_sp)
    assert fake_sp.state["sso_url"] == SSO_URL
    result = cli("rollback", backup, "--config", config, "--yes", "--json",
                 "--backup-dir", str(tmp_path / "backups"), "--now", "2026-06-01T13:00:00Z",
                 env=ENV)
    assert result.exit_code == 0, result.stdout
    data = result.json()["data"]
    assert data["outcome"] == "applied" and data["source"] == f"backup {backup}"
    assert fake_sp.state["sso_url"] == "https://old.example.test/sso"
    assert fingerprint(fake_sp.state["certificate"]) == fingerprint(cert_pem("old-idp"))
    assert len(backups(tmp_path)) == 2  # the state before the rollback was saved too
    newest = json.loads(open(data["backup"]).read())
    assert newest["settings"]["sso_url"] == SSO_URL


def test_rollback_dry_run_and_no_changes(cli, tmp_path, fake_sp):
    config, backup = _applied(cli, tmp_path, fake_sp)
    dry = cli("rollback", backup, "--config", config, "--dry-run", env=ENV)
    assert dry.exit_code == 0 and "dry run" in dry.stdout
    assert fake_sp.state["sso_url"] == SSO_URL
    cli("rollback", backup, "--config", config, "--yes", "--backup-dir",
        str(tmp_path / "backups"), env=ENV)
    again = cli("rollback", backup, "--config", config, "--json", env=ENV)
    assert again.json()["data"]["outcome"] == "no_changes"


def test_rollback_refuses_backup_of_another_endpoint(cli, tmp_path, fake_sp):
    config, backup = _applied(cli, tmp_path, fake_sp)
    other = write_config(tmp_path / "..", {"acme": contract_profile(fake_sp, path="/other")})
    result = cli("rollback", backup, "--config", other, "--yes", "--json", env=ENV)
    assert result.exit_code == 2
    assert result.json()["error"]["code"] == "BACKUP_OTHER_ENDPOINT"


def test_rollback_of_a_file_that_is_not_a_backup(cli, tmp_path, fake_sp):
    bogus = tmp_path / "x.json"
    bogus.write_text('{"hello": 1}')
    result = cli("rollback", str(bogus), "--profile", "acme", "--json", env=ENV)
    assert result.exit_code == 3
    assert result.json()["error"]["code"] == "BACKUP_INVALID"


KEY_PEM = (ROOT_FIXTURES / "certs" / "private-key.pem").read_text()


def _edited(tmp_path, backup, **settings):
    """A copy of ``backup`` with some settings changed, as someone might edit one."""
    doc = json.loads(open(backup).read())
    doc["settings"].update(settings)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc))
    return str(path)


@pytest.mark.parametrize("mode", [("--dry-run",), ("--yes",), ("--yes", "--json")])
def test_rollback_refuses_a_private_key_as_certificate_before_any_request(cli, tmp_path,
                                                                         fake_sp, mode):
    config, backup = _applied(cli, tmp_path, fake_sp)
    edited = _edited(tmp_path, backup, certificate=KEY_PEM)
    before, state = len(fake_sp.requests), dict(fake_sp.state)
    # no token either: the backup is judged before credentials are even looked for
    result = cli("rollback", edited, "--config", config, "--backup-dir",
                 str(tmp_path / "backups"), *mode, env=dict(ENV, SSOCTL_TOKEN=""))
    assert result.exit_code == 3, result.stdout + result.stderr
    if "--json" in mode:
        assert result.json()["error"]["code"] == "CERT_PRIVATE_KEY"
    else:
        assert result.stderr.startswith("error: ") and "private key" in result.stderr
    body = [line for line in KEY_PEM.splitlines() if len(line) > 40 and " " not in line]
    assert body and not any(line[:20] in result.stdout + result.stderr for line in body)
    assert len(fake_sp.requests) == before and fake_sp.state == state
    assert len(backups(tmp_path)) == 1  # no backup of the present settings either


@pytest.mark.parametrize("settings", [
    {"certificate": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"},
    {"certificate": "not a certificate"},
    {"sso_url": "dev-12345678.okta.com/app/sso/saml"},
])
def test_rollback_refuses_a_backup_value_that_is_not_what_it_claims(cli, tmp_path, fake_sp,
                                                                    settings):
    config, backup = _applied(cli, tmp_path, fake_sp)
    edited = _edited(tmp_path, backup, **settings)
    before = len(fake_sp.requests)
    for mode in ("--dry-run", "--yes"):
        result = cli("rollback", edited, "--config", config, "--backup-dir",
                     str(tmp_path / "backups"), mode, "--json", env=ENV)
        assert result.exit_code == 3, result.stdout
        assert result.json()["error"]["code"] == "BACKUP_INVALID"
    assert len(fake_sp.requests) == before and fake_sp.state["sso_url"] == SSO_URL


def test_rollback_restores_what_push_would_refuse_but_the_sp_held(cli, tmp_path, fake_sp):
    """An expired certificate, a plain-http SSO URL, another Entity ID than the profile
    expects: push refuses to write them (exit 1), but they are the state the SP was in, and
    the retry command of exit 8 must be able to put them back."""
    expired = cert_pem("old-idp", expired=True)
    fake_sp.set(sso_url="http://old.example.test/sso", idp_entity_id="http://www.okta.com/exkOLD",
                certificate=expired, enabled=False)
    config = write_config(tmp_path, {"acme": contract_profile(fake_sp, idp_entity_id=ENTITY_ID)})
    pushed = cli(*push_args(config, tmp_path, "--yes", "--json", cert=write_cert(tmp_path)),
                 env=ENV)
    assert pushed.exit_code == 0, pushed.stdout
    result = cli("rollback", pushed.json()["data"]["backup"], "--config", config, "--yes",
                 "--backup-dir", str(tmp_path / "backups"), "--now", NOW, "--json", env=ENV)
    assert result.exit_code == 0, result.stdout
    assert fake_sp.state["sso_url"] == "http://old.example.test/sso"
    assert fingerprint(fake_sp.state["certificate"]) == fingerprint(expired)


def test_status_rest_without_switch(cli, tmp_path, fake_rest_sp):
    fake_rest_sp.set(sso_url=SSO_URL, idp_entity_id=ENTITY_ID, certificate=cert_pem())
    profile = rest_profile(fake_rest_sp)
    del profile["rest"]["body"]["active"]
    config = write_config(tmp_path, {"acme": profile})
    result = cli("sp", "status", "--config", config, "--now", NOW, env=REST_ENV)
    assert result.exit_code == 0 and "SSO enabled: unknown" in result.stdout
    assert "SP_SSO_DISABLED" not in result.stdout
    doc = cli("sp", "status", "--config", config, "--now", NOW, "--json", env=REST_ENV).json()
    assert doc["data"]["settings"]["enabled"] is None


def test_default_sipgate_url_404_explains_the_contract(cli, tmp_path, sp_server):
    sp_server.expect_request("/v2/sso/settings").respond_with_data("", status=404)
    config = write_config(tmp_path, {"acme": {"base_url": sp_server.url_for("/v2"),
                                              "auth": "bearer"}})
    result = cli("sp", "status", "--config", config, "--json", env=ENV)
    assert result.exit_code == 5
    error = result.json()["error"]
    assert error["code"] == "HTTP_NOT_FOUND" and "publishes no SSO settings API" in error["hint"]


def test_interrupt_during_write_names_the_backup(cli, tmp_path, fake_sp, monkeypatch):
    from ssoctl.sp.sipgate import SipgateTarget

    def interrupted(self, settings, *, etag=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(SipgateTarget, "write", interrupted)
    config = write_config(tmp_path, {"acme": contract_profile(fake_sp)})
    result = cli(*push_args(config, tmp_path, "--yes", cert=write_cert(tmp_path)), env=ENV)
    assert result.exit_code == 130
    [backup] = backups(tmp_path)
    assert str(backup) in result.stderr and f"ssoctl rollback {backup}" in result.stderr


def test_rest_target_token_never_shown(cli, tmp_path, fake_rest_sp, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    fake_rest_sp.fault("POST", "status", status=401)
    config = write_config(tmp_path, {"acme": rest_profile(fake_rest_sp)})
    result = cli("--debug", *push_args(config, tmp_path, "--yes", cert=write_cert(tmp_path)),
                 env=REST_ENV)
    assert result.exit_code == 5
    assert "bearer token from environment variable SSOCTL_TOKEN" in result.stderr
    for text in (result.stdout, result.stderr, caplog.text):
        assert TOKEN not in text
    sent = [h for m, _, h in fake_rest_sp.requests if m == "POST"][0]
    assert sent["Authorization"] == f"Bearer {TOKEN}"  # the test would catch a missing header


def _bare_key_material() -> dict[str, str]:
    """A private key as text without a PEM label: base64 of its PKCS#8 DER, and a JWK."""
    import base64

    from cryptography.hazmat.primitives import serialization

    from ssoctl.rehearsal import pki

    key = pki.cached_rsa_key("okta-idp")
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    numbers = key.private_numbers()
    jwk = json.dumps({"kty": "RSA", "n": str(numbers.public_numbers.n),
                      "d": str(numbers.d), "p": str(numbers.p)})
    return {"base64": base64.encodebytes(der).decode(), "jwk": jwk}


@pytest.mark.parametrize("kind", ["base64", "jwk"])
@pytest.mark.parametrize("where", ["after", "before"])
def test_rollback_never_sends_key_material_around_the_certificate(cli, tmp_path, fake_sp, kind,
                                                                  where):
    """Unlabelled key material next to a certificate in an edited backup: rollback sends the
    text as stored, so anything but certificates in it is refused, and nothing is sent."""
    config, backup = _applied(cli, tmp_path, fake_sp)
    before = fake_sp.state["certificate"]
    material = _bare_key_material()[kind]
    text = cert_pem("old-idp") + material if where == "after" else material + "\n" + \
        cert_pem("old-idp")
    edited = _edited(tmp_path, backup, certificate=text)
    result = cli("rollback", edited, "--config", config, "--backup-dir",
                 str(tmp_path / "backups"), "--yes", "--json", env=ENV)
    assert result.exit_code == 3 and result.json()["error"]["code"] == "BACKUP_INVALID"
    assert fake_sp.state["certificate"] == before
    assert material.splitlines()[0][:40] not in result.stdout + result.stderr


def test_rollback_restores_two_certificates_the_sp_held(cli, tmp_path, fake_sp):
    """During a key rollover an SP may hold two certificates: push backs them up as they
    were, and rollback puts them back unchanged."""
    held = cert_pem("old-idp") + cert_pem("older-idp")
    fake_sp.set(sso_url="https://old.example.test/sso", idp_entity_id="http://www.okta.com/exkOLD",
                certificate=held, enabled=True)
    config = write_config(tmp_path, {"acme": contract_profile(fake_sp)})
    pushed = cli(*push_args(config, tmp_path, "--yes", "--json", cert=write_cert(tmp_path)),
                 env=ENV)
    assert pushed.exit_code == 0, pushed.stdout
    result = cli("rollback", pushed.json()["data"]["backup"], "--config", config, "--yes",
                 "--backup-dir", str(tmp_path / "backups"), "--json", env=ENV)
    assert result.exit_code == 0, result.stdout[:400]
    assert fake_sp.state["certificate"] == held
