"""ssoctl config show|set|validate|path, in-process."""

from __future__ import annotations

import os

ENV = {"SSOCTL_CONFIG": "", "SSOCTL_TOKEN": "", "SSOCTL_PROFILE": ""}
SECRET = "f00dbabe-secret-token-value"


def _cfg(tmp_path):
    return str(tmp_path / "config.toml")


def test_path(cli, tmp_path):
    result = cli("config", "path", "--config", _cfg(tmp_path), env=ENV)
    assert result.exit_code == 0 and result.stdout.strip() == _cfg(tmp_path)
    doc = cli("config", "path", "--config", _cfg(tmp_path), "--json", env=ENV).json()
    assert doc["data"] == {"path": _cfg(tmp_path), "exists": False}


def test_path_from_environment(cli, tmp_path):
    result = cli("config", "path", env=dict(ENV, SSOCTL_CONFIG=_cfg(tmp_path)))
    assert result.stdout.strip() == _cfg(tmp_path)


def test_set_then_show(cli, tmp_path):
    path = _cfg(tmp_path)
    for key, value in [("base_url", "https://sp.example/v2"), ("token_id", "token-ABC"),
                       ("acs_url", "https://sp.example/acs"), ("sp_entity_id", "https://sp.example")]:
        result = cli("config", "set", "--profile", "acme", key, value, "--config", path, env=ENV)
        assert result.exit_code == 0, result.stderr
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    shown = cli("config", "show", "--config", path, env=dict(ENV, SSOCTL_TOKEN=SECRET))
    assert "https://sp.example/v2" in shown.stdout
    assert "environment variable SSOCTL_TOKEN (set)" in shown.stdout
    assert SECRET not in shown.stdout + shown.stderr
    doc = cli("config", "show", "--config", path, "--json", env=ENV).json()
    assert doc["data"]["profiles"]["acme"]["token_id"] == "token-ABC"


def test_show_redacts_secrets_written_by_hand(cli, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(f'[profiles.a]\ntoken = "{SECRET}"\n')
    result = cli("config", "show", "--config", str(path), env=ENV)
    assert result.exit_code == 0
    assert SECRET not in result.stdout and "<hidden>" in result.stdout
    validated = cli("config", "validate", "--config", str(path), "--json", env=ENV)
    assert validated.exit_code == 1 and SECRET not in validated.stdout
    [first] = [f for f in validated.json()["findings"] if f["code"] == "CONFIG_PROFILE_INVALID"]
    assert "SSOCTL_TOKEN" in first["hint"]  # the specific fix, not a generic one


def test_set_refuses_a_token(cli, tmp_path):
    result = cli("config", "set", "--profile", "a", "token", SECRET, "--config", _cfg(tmp_path),
                 "--json", env=ENV)
    assert result.exit_code == 2
    assert result.json()["error"]["code"] == "CONFIG_SECRET_IN_FILE"
    assert SECRET not in result.stdout


def test_validate(cli, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[profiles.good]\nbase_url = "https://sp.example/v2"\ntoken_id = "t"\n'
                    'acs_url = "https://a"\nsp_entity_id = "https://e"\n'
                    '[profiles.bad]\nbase_url = "http://sp.example/v2"\nca_bundle = "/no/such.pem"\n')
    result = cli("config", "validate", "--config", str(path), "--json",
                 env=dict(ENV, SSOCTL_TOKEN="x"))
    assert result.exit_code == 1
    found = {(f["code"], f["field"]) for f in result.json()["findings"]}
    assert ("CONFIG_URL_INSECURE", "profile bad") in found
    assert ("CONFIG_CA_BUNDLE_MISSING", "profile bad") in found
    assert ("CONFIG_TOKEN_PROBLEM", "profile bad") in found  # no token id for Basic
    assert not any(field == "profile good" for _, field in found)
    only_good = cli("config", "validate", "--config", str(path), "--profile", "good",
                    env=dict(ENV, SSOCTL_TOKEN="x"))
    assert only_good.exit_code == 0 and "configuration is valid" in only_good.stdout


def test_validate_without_file(cli, tmp_path):
    result = cli("config", "validate", "--config", _cfg(tmp_path), "--json", env=ENV)
    assert result.exit_code == 2 and result.json()["error"]["code"] == "CONFIG_NOT_FOUND"


def test_bad_toml(cli, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[profiles\n")
    result = cli("config", "show", "--config", str(path), env=ENV)
    assert result.exit_code == 2 and "not valid TOML" in result.stderr


def test_validate_says_sipgate_serves_no_sso_api(cli, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[profiles.a]\ntoken_id = "token-X"\n')  # every URL left at its default
    result = cli("config", "validate", "--config", str(path), "--json", env=ENV)
    codes = [f["code"] for f in result.json()["findings"]]
    assert "CONFIG_DEFAULT_SIPGATE_URL" in codes and result.exit_code == 0
    assert cli("config", "validate", "--config", str(path), "--strict", env=ENV).exit_code == 1
    path.write_text('[profiles.a]\ntoken_id = "token-X"\nbase_url = "https://sso.acme.example/v2"\n')
    again = cli("config", "validate", "--config", str(path), "--json", env=ENV)
    assert "CONFIG_DEFAULT_SIPGATE_URL" not in [f["code"] for f in again.json()["findings"]]


# ------------------------------------------------------------- profile names

import pytest  # noqa: E402


@pytest.mark.parametrize("name", ["", " ", "\t", "acme corp", "a,b", "-acme", ".hidden",
                                  "müller", "x" * 65, "acme\n"])
def test_set_refuses_a_profile_name_that_cannot_be_selected(cli, tmp_path, name):
    path = _cfg(tmp_path)
    result = cli("config", "set", "--profile", name, "base_url", "https://sp.example/v2",
                 "--config", path, env=ENV)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"error: --profile {name!r}: ") and lines[1].startswith("hint: ")
    assert len(lines) == 2 and result.stdout == ""
    assert not os.path.exists(path)  # nothing written
    doc = cli("config", "set", "--profile", name, "base_url", "https://sp.example/v2",
              "--config", path, "--json", env=ENV).json()
    assert doc["error"]["code"] == "CONFIG_BAD_PROFILE_NAME"


@pytest.mark.parametrize("name", ["acme", "acme-eu", "tenant_042", "acme.prod", "7up",
                                  "A" * 64])
def test_set_accepts_selectable_profile_names(cli, tmp_path, name):
    path = _cfg(tmp_path)
    assert cli("config", "set", "--profile", name, "base_url", "https://sp.example/v2",
               "--config", path, env=ENV).exit_code == 0
    shown = cli("config", "show", "--profile", name, "--config", path, "--json", env=ENV)
    assert shown.exit_code == 0 and list(shown.json()["data"]["profiles"]) == [name]


def test_existing_hand_written_profile_keeps_working(cli, tmp_path):
    path = _cfg(tmp_path)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('[profiles."acme corp"]\nbase_url = "https://sp.example/v2"\n')
    os.chmod(path, 0o600)
    result = cli("config", "set", "--profile", "acme corp", "read_timeout", "12",
                 "--config", path, env=ENV)
    assert result.exit_code == 0, result.stderr
    assert cli("config", "show", "--profile", "acme corp", "--config", path,
               env=ENV).exit_code == 0


@pytest.mark.parametrize("command", ["show", "validate"])
@pytest.mark.parametrize("name", ["", "  "])
def test_show_and_validate_refuse_an_empty_profile_name(cli, tmp_path, command, name):
    path = _cfg(tmp_path)
    cli("config", "set", "--profile", "acme", "base_url", "https://sp.example/v2",
        "--config", path, env=ENV)
    result = cli("config", command, "--profile", name, "--config", path, env=ENV)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --profile {name!r}: a profile name cannot be empty")
    doc = cli("config", command, "--profile", name, "--config", path, "--json", env=ENV).json()
    assert doc["error"]["code"] == "CONFIG_BAD_PROFILE_NAME"


def test_validate_checks_the_ca_bundle_as_requests_will(cli, tmp_path, ca_bundle):
    """config validate applies the check every request makes: a key or an empty file
    where the CA bundle should be is reported there, not only when a command fails."""
    key = tmp_path / "key.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n")
    path = tmp_path / "config.toml"
    path.write_text(f'[profiles.key]\nbase_url = "https://sp.example/v2"\nca_bundle = "{key}"\n'
                    f'[profiles.ok]\nbase_url = "https://sp.example/v2"\nca_bundle = "{ca_bundle}"\n')
    result = cli("config", "validate", "--config", str(path), "--json",
                 env=dict(ENV, SSOCTL_TOKEN="x", SSOCTL_TOKEN_ID="t"))
    found = [(f["code"], f["field"]) for f in result.json()["findings"]]
    assert ("CONFIG_CA_BUNDLE_MISSING", "profile key") in found
    assert not any(code == "CONFIG_CA_BUNDLE_MISSING" and field == "profile ok"
                   for code, field in found)
    assert "PRIVATE" not in result.stdout
