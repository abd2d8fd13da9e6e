"""``okta rotate-cert --push-profile``: the new certificate reaches the SP (the fake SP of
ssoctl's contract) through push's own machinery; when the SP refuses it, Okta is switched
back to the previous key, so Okta and the SP keep agreeing (exit 7)."""

from __future__ import annotations

import pytest

from ssoctl.rehearsal import pki

from conftest import NOW
from support.fake_sp import serving

SP_TOKEN_ID, SP_TOKEN = "token-ROTATE1", "3d2e8c11-rotate-push-sp-token"


@pytest.fixture
def fake_sp():
    with serving(token=SP_TOKEN, token_id=SP_TOKEN_ID) as running:
        yield running


@pytest.fixture
def run(cli, okta_org_tls, ca_bundle, okta_token, fake_sp, tmp_path):
    _, sp_url = fake_sp
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.acme]\nbase_url = "{sp_url}"\ntoken_id = "{SP_TOKEN_ID}"\n'
                      f'backup_dir = "{tmp_path / "backups"}"\n')
    env = {"SSOCTL_OKTA_TOKEN": okta_token, "SSOCTL_CONFIG": str(config), "SSOCTL_PROFILE": "",
           "SSOCTL_OKTA_ORG": "", "SSOCTL_OKTA_CLIENT_ID": "", "SSOCTL_TOKEN": SP_TOKEN}

    def invoke(*args):
        return cli("okta", "rotate-cert", *args, "--org", okta_org_tls.url, "--ca-bundle",
                   ca_bundle, "--now", NOW.isoformat(), "--backup-dir",
                   str(tmp_path / "okta-backups"), "--yes", "--json", env=env)
    return invoke


def test_the_new_certificate_is_pushed_to_the_sp(run, okta_org_tls, fake_sp):
    sp, _ = fake_sp
    app_id = okta_org_tls.add_app("sipgate", user_name_template="${source.email}")
    result = run("sipgate", "--push-profile", "acme")
    assert result.exit_code == 0, result.stdout
    data = result.json()["data"]
    assert data["pushed"]["profile"] == "acme" and data["pushed"]["outcome"] == "applied"
    new_pem = pki.cert_pem(okta_org_tls.app_certificate(app_id))
    assert data["new_key"]["certificate_pem"] == new_pem
    assert sp.settings["certificate"].split() == new_pem.split()
    assert sp.settings["sso_url"] == okta_org_tls.sso_url(app_id)


def test_a_refused_push_switches_okta_back(run, okta_org_tls, fake_sp):
    sp, _ = fake_sp
    app_id = okta_org_tls.add_app("sipgate", user_name_template="${source.email}")
    old_kid = okta_org_tls.app(app_id)["credentials"]["signing"]["kid"]
    sp.faults = frozenset({"reject-writes"})
    result = run("sipgate", "--push-profile", "acme")
    assert result.exit_code == 7, result.stdout
    assert result.json()["error"]["code"] == "OKTA_ROTATE_ROLLED_BACK"
    assert okta_org_tls.app(app_id)["credentials"]["signing"]["kid"] == old_kid
    assert sp.settings["certificate"] is None


def test_rollback_on_request_pushes_the_previous_certificate_back(run, okta_org_tls, fake_sp):
    sp, _ = fake_sp
    app_id = okta_org_tls.add_app("sipgate", user_name_template="${source.email}")
    old_pem = pki.cert_pem(okta_org_tls.app_certificate(app_id))
    rotated = run("sipgate", "--push-profile", "acme")
    assert rotated.exit_code == 0, rotated.stdout
    backup = rotated.json()["data"]["backup"]
    assert sp.settings["certificate"].split() != old_pem.split()
    back = run("sipgate", "--rollback", backup, "--push-profile", "acme")
    assert back.exit_code == 0, back.stdout
    assert back.json()["data"]["outcome"] == "rolled_back"
    assert sp.settings["certificate"].split() == old_pem.split()
    again = run("sipgate", "--rollback", backup)
    assert again.exit_code == 0 and again.json()["data"]["outcome"] == "no_changes"
