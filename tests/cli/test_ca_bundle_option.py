"""``--ca-bundle`` is checked before any request: a missing or wrong file is the user's
mistake (exit 2, one line), not a traceback and not the server's TLS failure."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES
from ssoctl import http
from ssoctl.errors import UsageError

ORG = "https://127.0.0.1:9"  # nothing listens: a request would fail differently (exit 6)
COMMANDS = [
    ["import-metadata", "https://127.0.0.1:9/metadata.xml"],
    ["okta", "list", "--org", ORG],
    ["setup", "--org", ORG, "--acs-url", "https://sp.example/acs", "--sp-entity-id",
     "https://sp.example", "--dry-run"],
    ["doctor", "--org", ORG],
    ["decode-response", str(FIXTURES / "saml" / "response-assertion-signed.xml"),
     "--metadata", "https://127.0.0.1:9/metadata.xml"],
]


def _wrong_files(tmp_path):
    key = tmp_path / "key.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n")
    empty = tmp_path / "empty.pem"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.pem"
    binary.write_bytes(bytes(range(256)) * 8)
    return {"missing": (tmp_path / "nope.pem", "does not exist"), "a key": (key, "no PEM"),
            "empty": (empty, "no PEM"), "binary": (binary, "no PEM")}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_wrong_ca_bundle_is_a_usage_error_before_any_request(cli, tmp_path, command):
    for name, (path, words) in _wrong_files(tmp_path).items():
        result = cli("--json", *command, "--ca-bundle", str(path), input=b"",
                     env={"SSOCTL_OKTA_TOKEN": "00abcdefghijklmnop1234"})
        doc = json.loads(result.stdout)
        assert result.exit_code == 2, (name, result.stdout)
        assert doc["error"]["code"] == "CA_BUNDLE_UNREADABLE" and words in doc["error"]["message"]
        assert "PRIVATE" not in result.stdout + result.stderr


def test_a_pem_bundle_or_a_folder_of_certificates_is_taken(ca_bundle, tmp_path):
    assert http.checked_ca_bundle(ca_bundle) == ca_bundle
    assert http.checked_ca_bundle(str(tmp_path)) == str(tmp_path)
    with pytest.raises(UsageError):
        http.checked_ca_bundle(str(tmp_path / "missing.pem"))


def test_a_ca_bundle_removed_during_a_run_is_one_error_not_a_traceback(ca_bundle, tmp_path):
    """The bundle is checked for every request, not remembered: one removed after the
    first request (a long bulk run) is CA_BUNDLE_UNREADABLE at the next."""
    import shutil

    path = tmp_path / "ca.pem"
    shutil.copy(ca_bundle, path)
    settings = http.HttpSettings(ca_bundle=str(path), read_timeout=2, retries=0)
    session = http.make_session(settings)
    path.unlink()
    with pytest.raises(UsageError) as err:
        http.request(session, "GET", "https://127.0.0.1:9/x", settings=settings)
    assert err.value.code == "CA_BUNDLE_UNREADABLE"


@pytest.mark.parametrize("command", [["sp", "status"], ["push", "--sso-url", "https://idp.example/sso",
                                                         "--entity-id", "https://idp.example",
                                                         "--cert", str(FIXTURES / "certs" / "okta.cert"),
                                                         "--yes"]],
                         ids=["sp status", "push"])
def test_a_profiles_ca_bundle_without_a_certificate_stops_before_any_request(cli, tmp_path,
                                                                            command):
    key = tmp_path / "key.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n")
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.acme]\nbase_url = "https://127.0.0.1:9/v2"\n'
                      f'ca_bundle = "{key}"\nbackup_dir = "{tmp_path / "backups"}"\n')
    result = cli("--json", *command, "--config", str(config),
                 env={"SSOCTL_TOKEN": "0b9e7c55-token", "SSOCTL_TOKEN_ID": "token-X"})
    doc = json.loads(result.stdout)
    assert result.exit_code == 2 and doc["error"]["code"] == "CA_BUNDLE_UNREADABLE", result.stdout
    assert "PRIVATE" not in result.stdout + result.stderr
    assert not (tmp_path / "backups").exists()  # nothing read, nothing written
