"""The rehearsal docs/rehearsal.md describes, end to end with the real commands: configure
the sipgate app in the Okta stand-in (https, every body checked against the SDK's models),
read its metadata, push the three values to the fake SP, sign in through the stand-in, and
verify that login with decode-response against the certificate the SP now holds. Then
rotate the certificate without pushing it: the SP's stored certificate no longer verifies
the next login (exactly the outage rotate-cert --push-profile exists to avoid)."""

from __future__ import annotations

import pytest

from conftest import NOW
from support.fake_sp import serving

ACS = "https://sipgate.example/saml/acs"
SP_ENTITY = "https://sipgate.example/saml/metadata"
SP_TOKEN_ID, SP_TOKEN = "token-DEMO01", "6f1c2a9e-rehearsal-sp-token"
WHEN = ("--now", NOW.isoformat())


@pytest.fixture
def fake_sp():
    with serving(token=SP_TOKEN, token_id=SP_TOKEN_ID) as running:
        yield running


@pytest.mark.slow
def test_configure_metadata_push_login_verify_then_rotate(cli, okta_org_tls, ca_bundle,
                                                          okta_token, fake_sp, tmp_path):
    from ssoctl.rehearsal import pki

    org = okta_org_tls
    sp, sp_url = fake_sp
    alice = org.add_user("alice@example.com")
    org.add_group("sipgate users", members=[alice])
    config = str(tmp_path / "config.toml")
    env = {"SSOCTL_OKTA_TOKEN": okta_token, "SSOCTL_CONFIG": config, "SSOCTL_PROFILE": "",
           "SSOCTL_OKTA_ORG": "", "SSOCTL_OKTA_CLIENT_ID": "", "SSOCTL_TOKEN": SP_TOKEN,
           "SSOCTL_TOKEN_ID": SP_TOKEN_ID}
    okta = ("--org", org.url, "--ca-bundle", ca_bundle, *WHEN)
    sp_values = ("--acs-url", ACS, "--sp-entity-id", SP_ENTITY)
    for key, value in (("base_url", sp_url), ("token_id", SP_TOKEN_ID),
                       ("backup_dir", str(tmp_path / "backups"))):
        assert cli("config", "set", "--profile", "acme", key, value, env=env).exit_code == 0

    # 1. configure: dry run, then for real with the group assigned
    dry = cli("okta", "configure", *okta, *sp_values, "--assign-group", "sipgate users",
              "--backup-dir", str(tmp_path / "okta-backups"), "--dry-run", env=env)
    assert dry.exit_code == 10, dry.stdout + dry.stderr
    assert org.app_ids() == []
    done = cli("okta", "configure", *okta, *sp_values, "--assign-group", "sipgate users",
               "--backup-dir", str(tmp_path / "okta-backups"), "--yes", env=env)
    assert done.exit_code == 0, done.stdout + done.stderr
    (app_id,) = org.app_ids()
    check = cli("okta", "check", "sipgate", *okta, *sp_values, "--json", env=env)
    assert check.exit_code == 0, check.stdout

    # 2. metadata: sipgate's three values and the certificate file
    pem = tmp_path / "okta-signing.pem"
    meta = cli("okta", "metadata", "sipgate", *okta, "--cert-out", str(pem), "--json",
               env=env)
    assert meta.exit_code == 0, meta.stdout
    values = meta.json()["data"]["sipgate"]
    assert values["sso_url"] == org.sso_url(app_id)

    # 3. push them to the fake SP
    pushed = cli("push", "--profile", "acme", "--sso-url", values["sso_url"], "--entity-id",
                 values["entity_id"], "--cert", str(pem), "--yes", "--json", *WHEN, env=env)
    assert pushed.exit_code == 0, pushed.stdout + pushed.stderr
    stored = tmp_path / "sp-stored.pem"
    stored.write_text(sp.settings["certificate"])
    assert sp.settings["idp_entity_id"] == values["entity_id"]

    # 4. alice signs in; decode-response verifies against what the SP holds
    def verify(cert_file):
        response = tmp_path / "response.txt"
        response.write_text(org.login(app_id, "alice@example.com").saml_response)
        return cli("--json", "decode-response", str(response), "--cert", str(cert_file),
                   *sp_values, "--idp-entity-id", sp.settings["idp_entity_id"], *WHEN)

    result = verify(stored)
    assert result.exit_code == 0, result.stdout
    doc = result.json()
    assert not [f for f in doc["findings"] if f["severity"] == "error"]
    assert doc["data"]["messages"][0]["signature"]["status"] == "verified"

    # 5. rotate in Okta without pushing: the SP's certificate is now the wrong one
    rotated = cli("okta", "rotate-cert", "sipgate", *okta, "--validity-years", "2",
                  "--backup-dir", str(tmp_path / "okta-backups"), "--yes", env=env)
    assert rotated.exit_code == 0, rotated.stdout + rotated.stderr
    new_cert = org.app_certificate(app_id)
    assert pki.cert_pem(new_cert) != sp.settings["certificate"]
    stale = verify(stored)
    assert stale.exit_code == 4, stale.stdout
    fresh = tmp_path / "new.pem"
    fresh.write_text(pki.cert_pem(new_cert))
    assert verify(fresh).exit_code == 0
