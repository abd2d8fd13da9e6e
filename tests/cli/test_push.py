"""ssoctl push / rollback / sp status: option handling that needs no SP."""

from __future__ import annotations

ENV = {"SSOCTL_CONFIG": "", "SSOCTL_TOKEN": "", "SSOCTL_TOKEN_ID": "", "SSOCTL_PROFILE": ""}


def _config(tmp_path, body='[profiles.acme]\nbase_url = "https://sp.example.test/v2"\n'
                          'token_id = "token-A"\n'):
    path = tmp_path / "config.toml"
    path.write_text(body)
    return str(path)


def test_help_mentions_the_contract(cli):
    result = cli("push", "--help")
    assert result.exit_code == 0 and "docs/sp-api.md" in result.stdout
    assert cli("sp", "status", "--help").exit_code == 0
    assert cli("rollback", "--help").exit_code == 0


def test_nothing_to_push(cli, tmp_path):
    result = cli("push", "--config", _config(tmp_path), "--json", env=ENV)
    assert result.exit_code == 2 and result.json()["error"]["code"] == "PUSH_NO_INPUT"


def test_metadata_and_values_conflict(cli, tmp_path):
    result = cli("push", "--config", _config(tmp_path), "--metadata", "x.xml", "--sso-url",
                 "https://x", "--json", env=ENV)
    assert result.exit_code == 2 and result.json()["error"]["code"] == "PUSH_INPUT_CONFLICT"


def test_unknown_allow_code(cli, tmp_path):
    result = cli("push", "--config", _config(tmp_path), "--sso-url", "https://x", "--allow",
                 "NOPE", "--json", env=ENV)
    assert result.exit_code == 2 and result.json()["error"]["code"] == "UNKNOWN_FINDING_CODE"


def test_refused_locally_never_needs_a_token(cli, tmp_path):
    result = cli("push", "--config", _config(tmp_path), "--sso-url", "http://idp.example/sso",
                 env=ENV)
    assert result.exit_code == 1
    assert "refused" in result.stdout
    assert "PUSH_SSO_URL_NOT_HTTPS" in result.stdout and "PUSH_CERT_MISSING" in result.stdout


def test_missing_token_is_exit_2(cli, tmp_path):
    cert = tmp_path / "c.pem"
    from ssoctl.rehearsal import pki

    cert.write_text(pki.cert_pem(pki.okta_certificate(pki.cached_rsa_key("okta-idp"))[1]))
    result = cli("push", "--config", _config(tmp_path), "--sso-url", "https://idp.example/sso",
                 "--entity-id", "e", "--cert", str(cert), "--now", "2026-06-01", "--json",
                 env=ENV)
    assert result.exit_code == 2 and result.json()["error"]["code"] == "TOKEN_MISSING"


def test_missing_profile(cli, tmp_path):
    result = cli("sp", "status", "--config", str(tmp_path / "none.toml"), "--json", env=ENV)
    assert result.exit_code == 2 and result.json()["error"]["code"] == "CONFIG_NO_PROFILE"


def test_bulk_requires_yes(cli, tmp_path):
    result = cli("push", "--config", _config(tmp_path), "--profiles", "acme", "--sso-url",
                 "https://x", "--json", env=ENV)
    assert result.exit_code == 2 and result.json()["error"]["code"] == "CONFIRMATION_REQUIRED"


def test_rollback_missing_file(cli, tmp_path):
    result = cli("rollback", str(tmp_path / "nope.json"), "--json", env=ENV)
    assert result.exit_code == 3 and result.json()["error"]["code"] == "INPUT_NOT_FOUND"


def test_aggregate_metadata_names_pushs_own_option(cli, tmp_path):
    from conftest import FIXTURES

    aggregate = str(FIXTURES / "metadata" / "shibboleth-aggregate.xml")
    result = cli("push", "--config", _config(tmp_path), "--metadata", aggregate, "--dry-run",
                 "--json", env=ENV)
    error = result.json()["error"]
    assert result.exit_code == 2
    assert "--metadata-entity-id" in error["message"] + error["hint"]
    assert "--entity-id " not in error["message"] + error["hint"]


def test_an_empty_profile_name_never_means_the_default_tenant(cli, tmp_path):
    """`push --profile "$UNSET"` in a script: refused (exit 2), not pushed to the
    configured default profile; the same for every command that reads a profile."""
    config = _config(tmp_path)
    for args in (["push", "--sso-url", "https://x"], ["sp", "status"],
                 ["decode-response", "-"]):
        for name in ("", "  "):
            result = cli(*args, "--config", config, "--profile", name, "--json", env=ENV,
                         input=b"x")
            assert result.exit_code == 2, (args, name, result.stdout)
            assert result.json()["error"]["code"] == "CONFIG_BAD_PROFILE_NAME"


def _backup_doc(taken_at, profile="acme"):
    import json

    return json.dumps({"format": "ssoctl-sp-backup/1", "profile": profile, "target": "sipgate",
                       "endpoint": "https://sp.example.test/v2/sso/settings",
                       "taken_at": taken_at, "etag": None,
                       "settings": {"sso_url": None, "idp_entity_id": None,
                                    "certificate": None, "enabled": False}})


def test_rollback_list_skips_a_backup_whose_time_has_no_utc_offset(cli, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "acme-20260601T120000Z.json").write_text(_backup_doc("2026-06-01T12:00:00Z"))
    (folder / "acme-edited.json").write_text(_backup_doc("2027-01-01T00:00:00"))
    listed = cli("rollback", "--list", "--backup-dir", str(folder), "--json", env=ENV)
    assert listed.exit_code == 0, listed.stdout + listed.stderr
    rows = listed.json()["data"]["backups"]
    assert [r["path"].rsplit("/", 1)[-1] for r in rows] == ["acme-20260601T120000Z.json"]
    human = cli("rollback", "--list", "--backup-dir", str(folder), env=ENV)
    assert human.exit_code == 0 and "acme-edited.json" not in human.stdout
    assert "Traceback" not in human.stdout + human.stderr


def test_rollback_list_shows_the_time_in_utc(cli, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "acme-x.json").write_text(_backup_doc("2026-06-01T14:00:00+02:00"))
    human = cli("rollback", "--list", "--backup-dir", str(folder), env=ENV)
    assert human.exit_code == 0 and "2026-06-01 12:00:00Z" in human.stdout


def _tenants_refused(cli, path):
    result = cli("push", "--tenants", str(path), "--yes", "--sso-url", "https://x.example/sso",
                 "--json", env=ENV)
    assert result.exit_code == 2, result.stdout
    error = result.json()["error"]
    assert error["code"] == "TENANTS_CSV_INVALID"
    human = cli("push", "--tenants", str(path), "--yes", "--sso-url", "https://x.example/sso",
                env=ENV)
    assert human.exit_code == 2 and human.stdout == ""
    lines = human.stderr.splitlines()
    assert [line.split(":", 1)[0] for line in lines] == ["error", "hint"], human.stderr
    return error


def test_a_tenants_csv_with_a_value_over_the_csv_field_limit_is_refused(cli, tmp_path):
    path = tmp_path / "tenants.csv"
    path.write_text("profile,metadata\nacme," + "x" * 140_000 + "\n")  # under the 1 MiB limit
    error = _tenants_refused(cli, path)
    assert "line 2" in error["message"] and "x" * 100 not in error["message"]


def test_a_tenants_csv_with_an_unclosed_quote_is_refused(cli, tmp_path):
    path = tmp_path / "tenants.csv"
    path.write_text('profile\n"acme\n')
    error = _tenants_refused(cli, path)
    assert "quote" in error["message"]


def test_a_tenants_csv_with_text_after_a_closing_quote_is_refused(cli, tmp_path):
    path = tmp_path / "tenants.csv"
    path.write_text('profile\n"acme"x\n')
    _tenants_refused(cli, path)


def test_a_tenants_csv_row_ends_only_at_a_line_break(tmp_path):
    """A value holding a character str.splitlines() would break at (U+2028, \\x1c) stays
    in its row: rows end at CSV's line breaks (\\n, \\r\\n) only."""
    from ssoctl.cli.push_view import _csv_tenants

    path = tmp_path / "tenants.csv"
    path.write_text("profile,metadata\r\nacme,md\u2028a.xml\r\nbeta,md\x1cb.xml\n", newline="")
    rows = _csv_tenants(str(path))
    assert [name for name, _ in rows] == ["acme", "beta"]
    assert rows[0][1].endswith("md\u2028a.xml") and rows[1][1].endswith("md\x1cb.xml")
