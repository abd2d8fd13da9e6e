"""``ssoctl okta`` end to end against the local Okta stand-in (every request body checked
against the Okta SDK's models by the ``okta_org`` fixture): every command, human and
``--json``, and every fault the stand-in injects (429 with reset, 401 E0000011, 403 E0000006,
404, 500, slow answers, the DPoP nonce challenge). Tokens and keys never appear in any
output or backup."""

from __future__ import annotations

import json
import shlex
import os
import stat
from pathlib import Path

import pytest

from ssoctl.rehearsal import pki

from conftest import NOW

ACS = "https://sipgate.example/saml/acs"
SP_ENTITY = "https://sipgate.example/saml/metadata"
SP = ("--acs-url", ACS, "--sp-entity-id", SP_ENTITY)
WHEN = ("--now", NOW.isoformat())
UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"


@pytest.fixture
def env(tmp_path, okta_token):
    return {"SSOCTL_OKTA_TOKEN": okta_token, "SSOCTL_CONFIG": str(tmp_path / "none.toml"),
            "SSOCTL_PROFILE": "", "SSOCTL_OKTA_ORG": "", "SSOCTL_OKTA_CLIENT_ID": ""}


@pytest.fixture
def okta(cli, okta_org, env, tmp_path):
    """``okta("check", "sipgate", ...)``: the command against the stand-in, with --org,
    --now and a backup dir in tmp_path."""
    backups = tmp_path / "backups"

    def run(command, *args, org=None, extra_env=None):
        argv = ["okta", command, *args, "--org", org or okta_org.url, *WHEN]
        if command in ("configure", "rotate-cert"):
            argv += ["--backup-dir", str(backups)]
        return cli(*argv, env={**env, **(extra_env or {})})
    run.backups = backups
    return run


def sipgate_app(okta_org, **options):
    options.setdefault("user_name_template", "${source.email}")
    options.setdefault("acs_url", ACS)
    options.setdefault("audience", SP_ENTITY)
    return okta_org.add_app("sipgate", **options)


def writes(okta_org):
    return [r for r in okta_org.requests if r.method in ("POST", "PUT", "DELETE")
            and r.path.startswith("/api/")]


# ---------------------------------------------------------------- list

def test_list_shows_saml_apps_only_with_expiry_and_algorithm(okta, okta_org):
    sipgate_app(okta_org)
    okta_org.add_app("Legacy CRM", acs_url="https://crm.example/acs", audience="crm",
                     signature_algorithm="RSA_SHA1", digest_algorithm="SHA1")
    okta_org.add_app("Intranet", sign_on_mode="BOOKMARK")
    result = okta("list")
    assert result.exit_code == 0, result.stderr
    assert "sipgate" in result.stdout and "Legacy CRM" in result.stdout
    assert "Intranet" not in result.stdout and "RSA-SHA1" in result.stdout
    doc = okta("list", "--json").json()
    assert doc["ok"] is True and doc["data"]["count"] == 2
    row = next(a for a in doc["data"]["apps"] if a["label"] == "sipgate")
    assert row["status"] == "ACTIVE" and row["sso_url"] == ACS
    assert row["signature_algorithm"] == "RSA_SHA256" and row["certificate_expires"].endswith("Z")


def test_list_filters_by_label(okta, okta_org):
    sipgate_app(okta_org)
    okta_org.add_app("Legacy CRM", acs_url="https://crm.example/acs", audience="crm")
    doc = okta("list", "--label", "SIPG", "--json").json()
    assert [a["label"] for a in doc["data"]["apps"]] == ["sipgate"]


# ---------------------------------------------------------------- configure

def test_configure_dry_run_shows_the_plan_and_exits_10(okta, okta_org):
    result = okta("configure", *SP, "--dry-run")
    assert result.exit_code == 10, result.stderr
    for label in ("Single sign-on URL", "Recipient URL", "Destination URL",
                  "Audience URI (SP Entity ID)", "Name ID format", "Application username",
                  "EmailAddress", "Email", "RSA-SHA256", "Signed", "dry run"):
        assert label in result.stdout
    assert writes(okta_org) == []
    doc = okta("configure", *SP, "--dry-run", "--json").json()
    assert doc["ok"] is False and doc["data"]["outcome"] == "dry_run"
    assert doc["data"]["plan"]["create"] is True and doc["data"]["plan"]["has_changes"]


def test_configure_creates_the_guide_s_app_then_a_rerun_writes_nothing(okta, okta_org):
    group = okta_org.add_group("sipgate users")
    created = okta("configure", *SP, "--assign-group", "sipgate users", "--yes", "--json")
    assert created.exit_code == 0, created.stdout
    data = created.json()["data"]
    app = okta_org.app(data["app_id"])
    sign_on = app["settings"]["signOn"]
    assert sign_on["ssoAcsUrl"] == sign_on["recipient"] == sign_on["destination"] == ACS
    assert sign_on["audience"] == SP_ENTITY
    assert sign_on["subjectNameIdFormat"].endswith(":emailAddress")
    assert sign_on["signatureAlgorithm"] == "RSA_SHA256" and sign_on["digestAlgorithm"] == "SHA256"
    assert sign_on["assertionSigned"] is True and app["status"] == "ACTIVE"
    assert app["credentials"]["userNameTemplate"]["template"] == "${source.email}"
    assert "name" not in okta_org.requests[[r.method for r in okta_org.requests].index("POST")].body
    assert any(r.path.endswith(f"/groups/{group}") and r.method == "PUT"
               for r in okta_org.requests)
    before = len(writes(okta_org))
    again = okta("configure", *SP, "--assign-group", "sipgate users", "--yes")
    assert again.exit_code == 0 and "no changes" in again.stdout
    assert len(writes(okta_org)) == before
    dry = okta("configure", *SP, "--dry-run", "--json")
    assert dry.exit_code == 0 and dry.json()["data"]["outcome"] == "no_changes"


def test_configure_keeps_what_the_admin_set_unless_overwrite(okta, okta_org):
    app_id = sipgate_app(okta_org, signature_algorithm="RSA_SHA1", status="INACTIVE")
    kept = okta("configure", *SP, "--yes", "--json")
    assert kept.exit_code == 0
    plan = kept.json()["data"]["plan"]
    assert plan["kept_fields"] == ["signature_algorithm"] and plan["activate"] is True
    assert okta_org.app(app_id)["settings"]["signOn"]["signatureAlgorithm"] == "RSA_SHA1"
    assert okta_org.app(app_id)["status"] == "ACTIVE"
    human = okta("configure", *SP, "--dry-run")
    assert "kept: sipgate needs RSA-SHA256" in human.stdout
    over = okta("configure", *SP, "--overwrite", "--yes", "--json")
    assert over.exit_code == 0 and over.json()["data"]["outcome"] == "updated"
    assert okta_org.app(app_id)["settings"]["signOn"]["signatureAlgorithm"] == "RSA_SHA256"
    backup = over.json()["data"]["backup"]
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    saved = json.loads(Path(backup).read_text())
    assert saved["app"]["settings"]["signOn"]["signatureAlgorithm"] == "RSA_SHA1"


def test_configure_without_a_terminal_needs_yes(okta, okta_org):
    result = okta("configure", *SP, "--json")
    assert result.exit_code == 2
    assert result.json()["error"]["code"] == "CONFIRMATION_REQUIRED"
    assert writes(okta_org) == []


def test_configure_without_sp_values_or_with_an_unknown_group(okta, okta_org):
    missing = okta("configure", "--dry-run", "--json")
    assert missing.exit_code == 2 and missing.json()["error"]["code"] == "OKTA_SP_VALUES_REQUIRED"
    nogroup = okta("configure", *SP, "--assign-group", "nobody", "--yes", "--json")
    assert nogroup.exit_code == 2 and nogroup.json()["error"]["code"] == "OKTA_GROUP_NOT_FOUND"
    assert writes(okta_org) == []


def test_configure_reads_the_org_and_sp_values_from_a_profile(cli, okta_org, env, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.acme]\nokta_org = "{okta_org.url}"\nacs_url = "{ACS}"\n'
                      f'sp_entity_id = "{SP_ENTITY}"\nbackup_dir = "{tmp_path / "b"}"\n')
    result = cli("okta", "configure", "--profile", "acme", "--config", str(config), "--yes",
                 "--json", env=env)
    assert result.exit_code == 0, result.stdout
    assert result.json()["data"]["outcome"] == "created"


# ---------------------------------------------------------------- check

def test_check_a_good_app_is_clean(okta, okta_org):
    user = okta_org.add_user("ada@example.com")
    sipgate_app(okta_org, users=[user])
    result = okta("check", "sipgate", *SP)
    assert result.exit_code == 0, result.stdout
    assert "matches what sipgate needs" in result.stdout
    doc = okta("check", "sipgate", *SP, "--json").json()
    assert doc["ok"] is True and doc["findings"] == [] and doc["data"]["assigned"] is True


def test_check_reports_every_difference(okta, okta_org):
    app_id = okta_org.add_app("sipgate", acs_url="https://other.example/acs",
                              status="INACTIVE", name_id_format=UNSPECIFIED,
                              signature_algorithm="RSA_SHA1", assertion_signed=False,
                              cert_not_before=NOW.replace(year=2024), cert_days=740)
    okta_org.add_key(app_id)
    result = okta("check", app_id, *SP, "--json", "--warn-days", "60")
    assert result.exit_code == 1
    codes = {f["code"] for f in result.json()["findings"]}
    assert {"OKTA_APP_INACTIVE", "OKTA_APP_UNASSIGNED", "OKTA_NAMEID_NOT_EMAIL",
            "OKTA_USERNAME_NOT_EMAIL", "OKTA_ACS_URL_MISMATCH", "OKTA_RECIPIENT_MISMATCH",
            "OKTA_DESTINATION_MISMATCH", "OKTA_SHA1", "OKTA_ASSERTION_UNSIGNED",
            "CERT_EXPIRING_SOON", "OKTA_SEVERAL_KEYS"} <= codes
    human = okta("check", app_id, *SP)
    assert "Name ID format: EmailAddress" in human.stdout


def test_check_an_unknown_app_or_label(okta, okta_org):
    okta_org.add_app("twin")
    okta_org.add_app("twin")
    missing = okta("check", "0oaDoesNotExist123456", "--json")
    assert missing.exit_code == 5 and missing.json()["error"]["code"] == "OKTA_NOT_FOUND"
    nolabel = okta("check", "nothing-like-it", "--json")
    assert nolabel.exit_code == 5 and nolabel.json()["error"]["code"] == "OKTA_NOT_FOUND"
    twins = okta("check", "twin", "--json")
    assert twins.exit_code == 2 and twins.json()["error"]["code"] == "OKTA_APP_AMBIGUOUS"


# ---------------------------------------------------------------- metadata

def test_metadata_gives_sipgate_s_three_values_like_import_metadata(cli, okta_org_tls,
                                                                   ca_bundle, env, tmp_path):
    app_id = sipgate_app(okta_org_tls)
    pem_path = tmp_path / "okta.pem"
    base = ["okta", "metadata", "sipgate", "--org", okta_org_tls.url, "--ca-bundle",
            ca_bundle, *WHEN]
    result = cli(*base, "--cert-out", str(pem_path), "--json", env=env)
    assert result.exit_code == 0, result.stdout
    data = result.json()["data"]
    assert data["sipgate"]["sso_url"] == okta_org_tls.sso_url(app_id)
    assert data["sipgate"]["entity_id"].startswith("http://www.okta.com/exk")
    cert = okta_org_tls.app_certificate(app_id)
    assert pem_path.read_text() == pki.cert_pem(cert)
    assert data["cert_out"] == str(pem_path)
    lines = cli(*base, "--format", "env", env=env)
    assert lines.exit_code == 0
    assert f"SSOCTL_SSO_URL={okta_org_tls.sso_url(app_id)}" in lines.stdout


def test_metadata_that_fails_a_check_writes_nothing(cli, okta_org_tls, ca_bundle, env,
                                                    tmp_path):
    # like import-metadata: no --cert-out file and no env lines from values that failed
    sipgate_app(okta_org_tls)
    pem_path = tmp_path / "okta.pem"
    base = ["okta", "metadata", "sipgate", "--org", okta_org_tls.url, "--ca-bundle",
            ca_bundle, "--now", "2099-01-01T00:00:00Z"]  # the certificate has expired
    result = cli(*base, "--cert-out", str(pem_path), env=env)
    assert result.exit_code == 1, result.stdout
    assert not pem_path.exists()
    assert "--cert-out wrote nothing" in result.stdout
    lines = cli(*base, "--format", "env", env=env)
    assert lines.exit_code == 1 and "SSOCTL_SSO_URL" not in lines.stdout


# ---------------------------------------------------------------- rotate-cert

def test_rotate_dry_run_then_rotate_then_roll_back(okta, okta_org):
    app_id = sipgate_app(okta_org)
    old_kid = okta_org.app(app_id)["credentials"]["signing"]["kid"]
    dry = okta("rotate-cert", "sipgate", "--dry-run", "--json")
    assert dry.exit_code == 10 and dry.json()["data"]["outcome"] == "dry_run"
    assert writes(okta_org) == []
    done = okta("rotate-cert", "sipgate", "--validity-years", "3", "--yes", "--json")
    assert done.exit_code == 0, done.stdout
    data = done.json()["data"]
    new_kid = data["new_key"]["kid"]
    assert new_kid != old_kid and data["previous_kid"] == old_kid
    assert okta_org.app(app_id)["credentials"]["signing"]["kid"] == new_kid
    assert data["new_key"]["certificate_pem"] == pki.cert_pem(okta_org.app_certificate(app_id))
    backup = json.loads(Path(data["backup"]).read_text())
    assert backup["previous_kid"] == old_kid and backup["new_kid"] == new_kid
    assert stat.S_IMODE(os.stat(data["backup"]).st_mode) == 0o600
    back = okta("rotate-cert", "sipgate", "--rollback", data["backup"], "--yes", "--json")
    assert back.exit_code == 0, back.stdout
    assert back.json()["data"]["outcome"] == "rolled_back"
    assert okta_org.app(app_id)["credentials"]["signing"]["kid"] == old_kid


def test_rotate_rolls_back_when_the_metadata_does_not_confirm(okta, okta_org):
    app_id = sipgate_app(okta_org)
    old_kid = okta_org.app(app_id)["credentials"]["signing"]["kid"]
    okta_org.inject(r"/sso/saml/metadata$", status=404, times=None)
    result = okta("rotate-cert", "sipgate", "--yes", "--json")
    assert result.exit_code == 7, result.stdout
    assert result.json()["error"]["code"] == "OKTA_ROTATE_ROLLED_BACK"
    assert okta_org.app(app_id)["credentials"]["signing"]["kid"] == old_kid


def test_rotate_exit_8_when_switching_back_fails_too(okta, okta_org, monkeypatch):
    app_id = sipgate_app(okta_org)
    okta_org.inject(r"/sso/saml/metadata$", status=404, times=None)  # no confirmation
    real, puts = okta_org.handle, []

    def second_put_fails(method, target, headers, body):
        if method == "PUT" and target.startswith(f"/api/v1/apps/{app_id}"):
            puts.append(target)
            if len(puts) > 1:  # the switch back
                doc = {"errorCode": "E0000001", "errorSummary": "Api validation failed",
                       "errorLink": "E0000001", "errorId": "oaeX", "errorCauses": []}
                return 400, {"Content-Type": "application/json"}, json.dumps(doc).encode()
        return real(method, target, headers, body)

    monkeypatch.setattr(okta_org, "handle", second_put_fails)
    result = okta("rotate-cert", app_id, "--yes", "--json")
    assert result.exit_code == 8, result.stdout
    error = result.json()["error"]
    assert error["code"] == "OKTA_ROLLBACK_FAILED" and "--rollback" in error["hint"]
    assert len(puts) == 2


@pytest.mark.parametrize("years", ["1", "11"])
def test_rotate_validity_years_outside_2_to_10(okta, okta_org, years):
    sipgate_app(okta_org)
    result = okta("rotate-cert", "sipgate", "--validity-years", years, "--yes", "--json")
    assert result.exit_code == 2 and result.json()["error"]["code"] == "OKTA_BAD_VALIDITY"


# ---------------------------------------------------------------- audit

def test_audit_sipgate_apps_fully_and_others_generically(okta, okta_org):
    sipgate_app(okta_org)
    okta_org.add_app("Legacy CRM", acs_url="https://crm.example/acs", audience="crm",
                     signature_algorithm="RSA_SHA1")
    okta_org.add_app("Wiki", acs_url="https://wiki.example/acs", audience="wiki")
    result = okta("audit", *SP, "--json")
    assert result.exit_code == 1
    data = result.json()["data"]
    assert data["summary"] == {"apps": 3, "sipgate": 1, "ok": 1, "warning": 0, "error": 2}
    by_label = {a["label"]: a for a in data["apps"]}
    assert {f["code"] for f in by_label["Legacy CRM"]["findings"]} >= {"OKTA_SHA1"}
    assert by_label["sipgate"]["sipgate"] is True
    assert {f["code"] for f in by_label["sipgate"]["findings"]} == {"OKTA_APP_UNASSIGNED"}
    human = okta("audit", *SP)
    assert "3 SAML apps (1 sipgate)" in human.stdout


@pytest.mark.slow  # ~30 s: the stand-in answers each key list in ~40 ms
def test_audit_of_an_org_with_2000_apps(cli, okta_clock, env, tmp_path):
    from ssoctl.rehearsal.okta import OktaStandIn

    standin = OktaStandIn(org="big", now=okta_clock, rate_limit=100_000).start()
    try:
        standin.add_token(env["SSOCTL_OKTA_TOKEN"])
        standin.add_apps(1999, acs_url="https://app.example/acs", audience="app")
        standin.add_app("sipgate", acs_url=ACS, audience=SP_ENTITY,
                        user_name_template="${source.email}")
        result = cli("okta", "audit", "--org", standin.url, *SP, *WHEN, "--jobs", "8",
                     "--json", env=env)
    finally:
        standin.stop()
    assert result.exit_code == 1  # the sipgate app has nobody assigned
    data = result.json()["data"]
    assert data["summary"]["apps"] == 2000 and data["summary"]["sipgate"] == 1
    assert len({a["id"] for a in data["apps"]}) == 2000
    assert all(a["error"] is None for a in data["apps"])


# ---------------------------------------------------------------- faults, for every command

COMMANDS = [
    ("list",), ("check", "sipgate"), ("metadata", "sipgate"),
    ("configure", *SP, "--dry-run"), ("rotate-cert", "sipgate", "--dry-run"), ("audit",),
]


@pytest.fixture
def profile_env(env, tmp_path, okta_org):
    """A profile with one retry, so 5xx faults stay quick."""
    config = tmp_path / "fast.toml"
    config.write_text(f'[profiles.fast]\nokta_org = "{okta_org.url}"\nretries = 1\n')
    return {**env, "SSOCTL_CONFIG": str(config), "SSOCTL_PROFILE": "fast"}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("status, code, exit_code", [
    (401, "OKTA_BAD_TOKEN", 5), (403, "OKTA_FORBIDDEN", 5), (404, "OKTA_NOT_FOUND", 5),
    (500, "OKTA_SERVER_ERROR", 6),
])
def test_every_command_turns_okta_errors_into_one_line(cli, okta_org, profile_env, command,
                                                       status, code, exit_code):
    sipgate_app(okta_org)
    okta_org.inject(r"^/api/v1/", status=status, times=None)
    result = cli("okta", *command, *WHEN, "--json", env=profile_env)
    assert result.exit_code == exit_code, result.stdout
    error = result.json()["error"]
    assert error["code"] == code and "\n" not in error["message"]
    if code == "OKTA_FORBIDDEN":
        assert "okta.apps.read" in error["hint"]
    human = cli("okta", *command, *WHEN, env=profile_env)
    assert human.exit_code == exit_code
    assert "Traceback" not in human.stderr and human.stderr.startswith("error:")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_every_command_waits_out_a_429_until_the_reset(cli, okta_org, profile_env, command):
    sipgate_app(okta_org)
    okta_org.inject(r"^/api/v1/apps", status=429, times=1, reset_in=0)
    result = cli("okta", *command, *WHEN, "--json", env=profile_env)
    assert result.exit_code in (0, 1, 10), result.stdout  # 1: findings in the app itself
    assert "error" not in result.json()
    assert [r.status for r in okta_org.requests if r.path.startswith("/api/")][:2] == [429, 200]


def test_a_slow_okta_is_a_timeout_exit_6(okta, okta_org):
    okta_org.inject(r"^/api/v1/apps$", method="POST", status=None, delay=2.5, times=1)
    result = okta("configure", *SP, "--yes", "--timeout", "1", "--json")
    assert result.exit_code == 6, result.stdout
    assert result.json()["error"]["code"] == "HTTP_TIMEOUT"


def test_oauth_with_dpop_through_the_command_line(cli, okta_org, okta_clock, okta_service_key,
                                                  env, tmp_path):
    import datetime as dt

    okta_clock.set(dt.datetime.now(dt.timezone.utc))  # the command signs with the real clock
    key, public = okta_service_key
    okta_org.register_service_app("0oaCliService", public, ["okta.apps.read"],
                                  require_dpop=True)
    sipgate_app(okta_org)
    key_file = tmp_path / "service.pem"
    key_file.write_text(pki.key_pem(key))
    key_file.chmod(0o600)
    result = cli("okta", "list", "--org", okta_org.url, "--client-id", "0oaCliService",
                 "--private-key", str(key_file), "--key-id", "test-key-1", "--json",
                 env={**env, "SSOCTL_OKTA_TOKEN": ""})
    assert result.exit_code == 0, result.stdout
    assert result.json()["data"]["count"] == 1
    nonce = [r for r in okta_org.requests if r.path == "/oauth2/v1/token" and r.status == 400]
    assert nonce, "the stand-in asked for a DPoP nonce first"
    write = cli("okta", "configure", *SP, "--org", okta_org.url, "--client-id", "0oaCliService",
                "--private-key", str(key_file), "--key-id", "test-key-1", "--yes", "--json",
                "--backup-dir", str(tmp_path), env={**env, "SSOCTL_OKTA_TOKEN": ""})
    assert write.exit_code == 5  # only okta.apps.read was granted
    assert "okta.apps.manage" in write.json()["error"]["hint"]


# ---------------------------------------------------------------- secrets

def test_the_token_and_key_never_appear_anywhere(cli, okta_org, okta_token, env, tmp_path,
                                                 okta_service_key):
    sipgate_app(okta_org)
    backups = tmp_path / "b"
    outputs = []
    for args in (("configure", *SP, "--overwrite", "--yes"), ("rotate-cert", "sipgate", "--yes"),
                 ("check", "sipgate"), ("audit",)):
        extra = ["--backup-dir", str(backups)] if args[0] in ("configure", "rotate-cert") else []
        for flags in ((), ("--json",)):
            result = cli("--debug", "okta", *args, "--org", okta_org.url, *WHEN, *extra,
                         *flags, env=env)
            outputs += [result.stdout, result.stderr]
    okta_org.inject(r"^/api/", status=401, times=None)
    bad = cli("--debug", "okta", "list", "--org", okta_org.url, env=env)
    outputs += [bad.stdout, bad.stderr]
    key, _ = okta_service_key
    key_body = pki.key_pem(key).splitlines()[3]
    files = [p.read_text() for p in backups.glob("*.json")]
    assert files, "backups were written"
    for text in outputs + files:
        assert okta_token not in text
        assert key_body not in text


def test_a_token_written_into_the_profile_is_refused_and_not_shown(cli, okta_org, env,
                                                                   tmp_path):
    config = tmp_path / "secret.toml"
    config.write_text(f'[profiles.acme]\nokta_org = "{okta_org.url}"\n'
                      'okta_token = "00SecretInTheFile-123456"\n')
    result = cli("okta", "list", "--profile", "acme", "--config", str(config), "--json",
                 env=env)
    assert result.exit_code == 2
    assert result.json()["error"]["code"] == "CONFIG_SECRET_IN_FILE"
    assert "00SecretInTheFile" not in result.stdout + result.stderr


def test_no_org_anywhere_is_a_usage_error(cli, env):
    result = cli("okta", "list", "--json", env=env)
    assert result.exit_code == 2
    error = result.json()["error"]
    assert error["code"] == "OKTA_NO_ORG" and "--org" in error["hint"]
    http = cli("okta", "list", "--org", "http://acme.okta.com", "--json", env=env)
    assert http.exit_code == 2 and http.json()["error"]["code"] == "OKTA_BAD_ORG"


def test_rotate_s_undo_command_works_as_printed(cli, okta_org, env, tmp_path):
    # the org comes from a profile in a config file with a space in its path: the printed
    # command must carry them (shell-quoted) to reach the same org
    app_id = sipgate_app(okta_org)
    old_kid = okta_org.app(app_id)["credentials"]["signing"]["kid"]
    config = tmp_path / "my config" / "config.toml"
    config.parent.mkdir()
    config.write_text(f'[profiles.acme]\nokta_org = "{okta_org.url}"\n'
                      f'backup_dir = "{tmp_path / "b"}"\n')
    done = cli("okta", "rotate-cert", "sipgate", "--profile", "acme", "--config", str(config),
               "--yes", *WHEN, env=env)
    assert done.exit_code == 0, done.stdout
    undo = next(line for line in done.stdout.splitlines() if line.startswith("undo with: "))
    argv = shlex.split(undo.removeprefix("undo with: "))
    assert argv[:2] == ["ssoctl", "okta"] and "--profile" in argv and str(config) in argv
    back = cli(*argv[1:], "--yes", *WHEN, env=env)
    assert back.exit_code == 0, back.stdout
    assert okta_org.app(app_id)["credentials"]["signing"]["kid"] == old_kid
