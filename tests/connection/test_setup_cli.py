"""``ssoctl setup`` end to end against the local Okta stand-in and the fake SP: from nothing
to a rehearsed login in one command, nothing written on a second run, a stopped run that
continues, failures that say what was changed, and sipgate's hand-over by hand."""

from __future__ import annotations

import json
import os
import shlex
import stat
from pathlib import Path

import pytest

from support.dns_server import DnsServer

from .conftest import ACS_URL, NOW_TEXT, OKTA_TOKEN, SP_ENTITY_ID, SP_TOKEN

GROUP = ("--assign-group", "sipgate users")
WRITES = ("POST", "PUT", "DELETE")


def _okta_writes(okta, since: int = 0) -> list[str]:
    return [f"{r.method} {r.path}" for r in okta.requests[since:] if r.method in WRITES]


def _the_app(okta) -> dict:
    [app_id] = [i for i in okta.app_ids() if okta.app(i)["label"] == "sipgate"]
    return okta.app(app_id)


def test_setup_from_nothing_to_a_rehearsed_login(world, tmp_path):
    result = world.run("setup", "--sp-profile", "acme", *GROUP, "--enable", "--yes", "--json")
    assert result.exit_code == 0, result.stdout
    data = result.json()["data"]
    assert data["outcome"] == "applied"
    app = _the_app(world.okta)
    assert app["status"] == "ACTIVE" and data["app_id"] == app["id"]
    sign_on = app["settings"]["signOn"]
    assert (sign_on["ssoAcsUrl"], sign_on["recipient"], sign_on["destination"],
            sign_on["audience"]) == (ACS_URL, ACS_URL, ACS_URL, SP_ENTITY_ID)
    # the SP holds exactly what Okta publishes, and SSO is on
    held = world.sp.settings
    assert held["enabled"] is True
    assert held["idp_entity_id"] == data["idp"]["entity_id"].strip()
    assert held["sso_url"] == data["idp"]["sso_url"]
    # a simulated Okta login verifies against the certificate the SP stores
    login = world.okta.login(app["id"], "alice@example.com")
    (tmp_path / "sp.pem").write_text(held["certificate"])
    (tmp_path / "response.b64").write_text(login.saml_response)
    decoded = world.cli("--json", "decode-response", str(tmp_path / "response.b64"),
                        "--cert", str(tmp_path / "sp.pem"), "--sp-entity-id", SP_ENTITY_ID,
                        "--acs-url", ACS_URL, "--idp-entity-id", held["idp_entity_id"],
                        "--now", NOW_TEXT, env=world.env)
    assert decoded.exit_code == 0, decoded.stdout
    assert not [f for f in decoded.json()["findings"] if f["severity"] == "error"]
    # backups of both sides' previous state, and the state file: 0600, no secrets
    assert os.listdir(world.backups)
    [state_file] = Path(world.state_dir).iterdir()
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
    text = state_file.read_text()
    assert OKTA_TOKEN not in text and SP_TOKEN not in text and "BEGIN" not in text
    assert json.loads(text)["app_id"] == app["id"]


def test_setup_again_changes_nothing(world):
    first = world.run("setup", "--sp-profile", "acme", *GROUP, "--yes")
    assert first.exit_code == 0, first.stdout
    state_file = next(Path(world.state_dir).iterdir())
    before = (len(world.okta.requests), world.sp.version, state_file.stat().st_mtime_ns,
              sorted(os.listdir(world.backups)))
    again = world.run("setup", "--sp-profile", "acme", *GROUP)  # no --yes needed: no change
    assert again.exit_code == 0, again.stdout + again.stderr
    assert "no changes: both sides are set up already; nothing was written" in again.stdout
    assert _okta_writes(world.okta, before[0]) == []
    assert len(world.okta.requests) > before[0]  # it did read Okta
    assert world.sp.version == before[1]  # the SP was read, not written
    assert state_file.stat().st_mtime_ns == before[2]
    assert sorted(os.listdir(world.backups)) == before[3]


def test_dry_run_shows_one_plan_for_both_sides_and_exits_10(world):
    result = world.run("setup", "--sp-profile", "acme", *GROUP, "--dry-run")
    assert result.exit_code == 10, result.stdout + result.stderr
    out = result.stdout
    assert "New SAML 2.0 app 'sipgate'" in out and "Audience URI (SP Entity ID)" in out
    assert f"SP profile acme ({world.sp_url}/sso/settings): changes" in out
    assert "Stays manual:" in out and "DNS TXT record" in out
    assert "dry run: nothing was written" in out
    assert _okta_writes(world.okta) == [] and world.sp.version == 1
    assert not Path(world.state_dir).exists()


def test_a_run_stopped_by_okta_resumes_where_it_stopped(world):
    world.okta.inject(r"/api/v1/apps/[^/]+/groups/", method="PUT", status=500,
                              times=None)
    failed = world.run("setup", "--sp-profile", "acme", *GROUP, "--yes")
    assert failed.exit_code == 6, failed.stdout + failed.stderr
    app = _the_app(world.okta)
    assert f"already done: Okta: created app {app['id']}" in failed.stderr
    assert "run the same `ssoctl setup` again to continue" in failed.stderr
    assert f"to undo: Okta: deactivate and delete app {app['id']}" in failed.stderr
    assert world.sp.version == 1  # the SP was not touched
    world.okta.clear_faults()
    writes_before = len(world.okta.requests)
    resumed = world.run("setup", "--sp-profile", "acme", *GROUP, "--yes")
    assert resumed.exit_code == 0, resumed.stdout + resumed.stderr
    # the app was not created twice; only the missing assignment was made
    assert len([i for i in world.okta.app_ids() if world.okta.app(i)["label"] == "sipgate"]) == 1
    assert [w.split(" ")[0] for w in _okta_writes(world.okta, writes_before)] == ["PUT"]
    assert app["name"] in world.sp.settings["sso_url"] and world.sp.settings["certificate"]
    assert world.okta.app(app["id"])["status"] == "ACTIVE"


def test_a_run_stopped_by_the_sp_resumes_and_says_what_okta_got(world):
    world.sp.faults = frozenset({"reject-writes"})
    failed = world.run("setup", "--sp-profile", "acme", *GROUP, "--yes", "--json")
    assert failed.exit_code == 5, failed.stdout
    error = failed.json()["error"]
    app = _the_app(world.okta)
    assert f"created app {app['id']}" in error["message"]
    assert "assigned group sipgate users" in error["message"]
    assert "run the same `ssoctl setup` again" in error["hint"]
    assert world.sp.settings["certificate"] is None  # the SP kept what it had
    state = json.loads(next(Path(world.state_dir).iterdir()).read_text())
    assert set(state["steps"]) == {"okta", "metadata"}
    world.sp.faults = frozenset()
    since = len(world.okta.requests)
    resumed = world.run("setup", "--sp-profile", "acme", *GROUP, "--yes")
    assert resumed.exit_code == 0, resumed.stdout + resumed.stderr
    assert "resuming: an earlier run stopped after the metadata step" in resumed.stdout
    assert _okta_writes(world.okta, since) == []  # Okta was done already
    assert world.sp.settings["certificate"] and world.sp.settings["enabled"] is False


def test_an_sp_that_does_not_keep_the_values_is_rolled_back_exit_7(world):
    world.sp.faults = frozenset({"drop-writes"})
    failed = world.run("setup", "--sp-profile", "acme", "--yes")
    assert failed.exit_code == 7, failed.stdout + failed.stderr
    assert "previous settings were restored" in failed.stderr
    assert "already done: Okta: created app" in failed.stderr
    assert world.sp.settings["sso_url"] is None


def test_sipgate_by_hand_values_pem_checklist_and_the_doctor_command(world):
    with DnsServer() as dns:  # example.com has no TXT record yet
        dns.txt["example.com"] = []
        result = world.run("setup", *GROUP, "--yes", "--domain", "example.com",
                           "--dns-server", dns.address)
    assert result.exit_code == 0, result.stdout + result.stderr
    app = _the_app(world.okta)
    pem = Path("okta-sipgate.pem")
    cert = world.okta.app_certificate(app["id"])
    checked = world.cli("--json", "check-cert", str(pem), env=world.env)
    assert checked.exit_code == 0 and checked.json()["data"]["paste_ready"] is True
    assert "Entity ID:   http://www.okta.com/" in result.stdout
    assert "Left to do:" in result.stdout and "switch SSO on with the toggle" in result.stdout
    assert "verify the e-mail domain example.com: publish the TXT record sipgate shows at " \
        "your DNS provider (not visible yet" in result.stdout
    assert "warning CONN_DNS_TXT_MISSING" in result.stdout
    command = next(line.strip() for line in result.stdout.splitlines()
                   if line.strip().startswith("ssoctl doctor "))
    assert "--sp-cert okta-sipgate.pem" in command and "--domain example.com" in command
    assert cert is not None
    # the printed command verifies the connection (here without the DNS part)
    args = shlex.split(command)[1:]
    cut = args.index("--domain")
    verified = world.cli(*args[:cut], "--ca-bundle", _ca(world), "--now", NOW_TEXT,
                         env=world.env)
    assert verified.exit_code == 0, verified.stdout + verified.stderr
    assert "sipgate Certificate: matches Okta (certificate file okta-sipgate.pem)" \
        in verified.stdout


def test_sipgate_by_hand_again_writes_nothing_and_a_rotated_key_is_handed_over_again(world):
    assert world.run("setup", "--yes").exit_code == 0
    pem = Path("okta-sipgate.pem")
    written = (pem.stat().st_mtime_ns, pem.read_text())
    since = len(world.okta.requests)
    again = world.run("setup")
    assert again.exit_code == 0
    assert "no changes: the Okta app is set up and sipgate's values were handed over already" \
        in again.stdout
    assert _okta_writes(world.okta, since) == []
    assert (pem.stat().st_mtime_ns, pem.read_text()) == written
    # someone switches the app to a new key in Okta: setup hands the new one over
    app = _the_app(world.okta)
    world.okta.add_key(app["id"], activate=True)
    plan = world.run("setup", "--dry-run")
    assert plan.exit_code == 10
    assert "the certificate changed since it was handed over" in plan.stdout
    assert world.run("setup", "--yes").exit_code == 0
    assert pem.read_text() != written[1]


def test_sp_values_from_sp_metadata(world, tmp_path):
    (tmp_path / "sp.xml").write_text(
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'entityID="{SP_ENTITY_ID}"><md:SPSSODescriptor protocolSupportEnumeration='
        '"urn:oasis:names:tc:SAML:2.0:protocol"><md:AssertionConsumerService index="0" '
        'Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
        f'Location="{ACS_URL}"/></md:SPSSODescriptor></md:EntityDescriptor>')
    config = tmp_path / "bare.toml"
    config.write_text(Path(world.config).read_text().replace(f'acs_url = "{ACS_URL}"\n', "")
                      .replace(f'sp_entity_id = "{SP_ENTITY_ID}"\n', ""))
    result = world.cli("setup", "--sp-metadata", str(tmp_path / "sp.xml"), "--dry-run",
                       "--config", str(config), "--state-dir", world.state_dir, env=world.env)
    assert result.exit_code == 10, result.stdout + result.stderr
    assert ACS_URL in result.stdout and SP_ENTITY_ID in result.stdout
    both = world.cli("setup", "--sp-metadata", str(tmp_path / "sp.xml"), "--acs-url", ACS_URL,
                     "--dry-run", "--config", str(config), env=world.env)
    assert both.exit_code == 2
    assert "either --sp-metadata or --acs-url" in both.stderr


@pytest.mark.parametrize("args,words", [
    (("--enable",), "--enable needs --sp-profile"),
    (("--domain", "not a domain"), "is not a domain name"),
])
def test_usage_errors(world, args, words):
    result = world.run("setup", *args, "--yes")
    assert result.exit_code == 2 and words in result.stderr
    assert _okta_writes(world.okta) == []


def test_without_a_terminal_or_yes_nothing_is_written(world):
    result = world.run("setup", "--sp-profile", "acme")
    assert result.exit_code == 2 and "add --yes" in result.stderr
    assert _okta_writes(world.okta) == [] and world.sp.version == 1


def _ca(world) -> str:
    text = Path(world.config).read_text()
    return text.split('ca_bundle = "', 1)[1].split('"', 1)[0]


def test_a_failed_rollback_on_the_sp_is_exit_8_with_the_way_back(okta, ca_bundle, cli,
                                                                 tmp_path, monkeypatch):
    """The SP mangles the write and then refuses the restore: exit 8, the backup and the
    `ssoctl rollback` command, and what Okta already got."""
    from integration.fake_sp import TOKEN, TOKEN_ID, FakeSp
    from pytest_httpserver import HTTPServer

    from .conftest import write_config

    monkeypatch.chdir(tmp_path)
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        fake = FakeSp(server)
        fake.fault("PUT", "mangle")
        fake.fault("PUT", "status", status=500, times=50)
        config = tmp_path / "config.toml"
        write_config(config, okta_url=okta.url, sp_url=fake.url, backups=str(tmp_path / "b"),
                     ca_bundle=ca_bundle)
        config.write_text(config.read_text().replace('token_id = "token-CONN01"',
                                                     f'token_id = "{TOKEN_ID}"\nretries = 0'))
        env = {"SSOCTL_OKTA_TOKEN": OKTA_TOKEN, "SSOCTL_TOKEN": TOKEN, "NO_COLOR": "1"}
        result = cli("setup", "--sp-profile", "acme", "--yes", "--json", "--config",
                     str(config), "--state-dir", str(tmp_path / "state"), "--now", NOW_TEXT,
                     env=env)
    finally:
        server.stop()
    assert result.exit_code == 8, result.stdout
    error = result.json()["error"]
    assert error["code"] == "ROLLBACK_FAILED"
    assert error["rollback_command"].startswith("ssoctl rollback ")
    assert "already done: Okta: created app" in error["message"]
    assert "to undo: Okta: deactivate and delete app" in error["hint"]


def test_a_metadata_error_after_okta_stops_before_the_sp(sp, cli, tmp_path, monkeypatch,
                                                          okta_clock):
    """Plain-http Sign on URL (an org on http): setup configures Okta, then refuses to hand
    the values to the SP (exit 1), says what Okta got, and leaves the SP untouched."""
    from ssoctl.rehearsal.okta import OktaStandIn

    from .conftest import write_config

    monkeypatch.chdir(tmp_path)
    state, sp_url = sp
    with OktaStandIn(org="dev-13579", now=okta_clock) as plain:
        plain.add_token(OKTA_TOKEN)
        plain.start()
        config = tmp_path / "config.toml"
        write_config(config, okta_url=plain.url, sp_url=sp_url, backups=str(tmp_path / "b"),
                     ca_bundle=str(tmp_path / "unused.pem"))
        config.write_text("\n".join(line for line in config.read_text().splitlines()
                                    if not line.startswith("ca_bundle")) + "\n")
        env = {"SSOCTL_OKTA_TOKEN": OKTA_TOKEN, "SSOCTL_TOKEN": SP_TOKEN, "NO_COLOR": "1"}
        result = cli("setup", "--sp-profile", "acme", "--yes", "--json", "--config",
                     str(config), "--state-dir", str(tmp_path / "state"), "--now", NOW_TEXT,
                     env=env)
    assert result.exit_code == 1, result.stdout
    doc = result.json()
    assert doc["data"]["outcome"] == "blocked"
    assert "METADATA_SSO_URL_NOT_HTTPS" in {f["code"] for f in doc["findings"]}
    assert doc["data"]["steps"][0].startswith("Okta: created app")
    assert state.version == 1 and state.settings["sso_url"] is None


def test_fields_an_admin_set_differently_are_kept_and_said(world):
    world.okta.add_app("sipgate", acs_url=ACS_URL, audience=SP_ENTITY_ID,
                       user_name_template="${source.login}", groups=[world.group_id])
    result = world.run("setup", "--sp-profile", "acme", "--yes")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "1 Okta field(s) differ from sipgate's guide and were kept (Application username)" \
        in result.stdout
    assert _the_app(world.okta)["credentials"]["userNameTemplate"]["template"] == \
        "${source.login}"
    again = world.run("setup", "--sp-profile", "acme")
    assert again.exit_code == 0 and "were kept (Application username)" in again.stdout
    overwritten = world.run("setup", "--sp-profile", "acme", "--overwrite", "--yes")
    assert overwritten.exit_code == 0
    assert _the_app(world.okta)["credentials"]["userNameTemplate"]["template"] == \
        "${source.email}"


def test_a_published_domain_record_is_ticked_off(world):
    assert world.run("setup", "--sp-profile", "acme", "--yes").exit_code == 0
    with DnsServer() as dns:
        dns.txt["example.com"] = ["sipgate-verify=1234"]
        result = world.run("setup", "--sp-profile", "acme", "--domain", "example.com",
                           "--txt-value", "sipgate-verify=1234", "--dns-server", dns.address,
                           "--json")
    assert result.exit_code == 0 and result.json()["findings"] == []
    data = result.json()["data"]
    assert data["outcome"] == "no_changes"
    assert "e-mail domain example.com: publishes the expected TXT record" in data["checklist"][0]
    assert data["verify_command"].endswith("--domain example.com --txt-value sipgate-verify=1234")
