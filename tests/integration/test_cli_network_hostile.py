"""Every command that talks HTTP meets the same deadline, redirect and size rules, because
they all go through ssoctl.http's one request path (docs/threat-model.md, "Network"):
import-metadata, push --metadata URL, push and sp status to both target kinds, rollback."""

from __future__ import annotations

import json
import shlex
import time
from pathlib import Path

import pytest

from .fake_sp import FakeSp, fake_sp, sp_server  # noqa: F401  (fixtures)
from .hostile import json_body
from .push_helpers import (ENV, NOW, SSO_URL, backups, cert_pem, contract_profile,  # noqa: F401
                           fake_clock, push_args, write_cert, write_config)

SETTINGS = {"sso_url": "https://old.example.test/sso", "idp_entity_id": "http://x/old",
            "certificate": None, "enabled": False}
REST_BODY = {"active": "{enabled}", "saml": {"loginUrl": "{sso_url}",
                                             "issuer": "{idp_entity_id}",
                                             "x509": "{certificate}"}}


def _trickle_json(request, wire):
    body = json_body(SETTINGS)
    wire.head(200, headers={"Content-Type": "application/json"}, length=len(body))
    wire.trickle(body, every=0.25)


def _sp_config(tmp_path, server, target):
    table = {"target": target, "base_url": server.url("/v2"), "auth": "bearer",
             "read_timeout": 2.0, "retries": 0, "deadline": 1.0}
    if target == "rest":
        table["rest"] = {"read_url": "/sso/settings", "write_method": "PUT", "body": REST_BODY}
    else:
        table["path"] = "/sso/settings"
    return write_config(tmp_path, {"acme": table})


@pytest.mark.parametrize("target", ["sipgate", "rest"])
@pytest.mark.parametrize("command", ["push", "sp status"])
def test_a_trickling_sp_meets_the_profile_deadline(cli, tmp_path, hostile, target, command):
    hostile.route("/v2/sso/settings")(_trickle_json)
    config = _sp_config(tmp_path, hostile, target)
    if command == "push":
        args = push_args(config, tmp_path, "--yes", "--json", cert=write_cert(tmp_path))
    else:
        args = ["sp", "status", "--config", config, "--profile", "acme", "--json"]
    started = time.monotonic()
    result = cli(*args, env=ENV)
    assert result.exit_code == 6, result.stdout
    error = result.json()["error"]
    assert error["code"] == "HTTP_TIMEOUT" and "within 1 s" in error["message"]
    assert time.monotonic() - started < 10  # a guard against hanging, not a measurement
    assert backups(tmp_path) == []


def test_a_trickling_metadata_server_meets_import_metadata_timeout(cli, hostile_tls, ca_bundle):
    """The outside test's case: --timeout 5 ran past 400 s. --timeout is the limit for the
    whole download now (1 s here)."""
    @hostile_tls.route("/md")
    def slow(request, wire):
        body = (Path(__file__).parents[2] / "fixtures" / "metadata" / "okta.xml").read_bytes()
        wire.head(200, headers={"Content-Type": "application/xml"}, length=len(body))
        wire.trickle(body, every=0.25)

    started = time.monotonic()
    result = cli("import-metadata", hostile_tls.url("/md"), "--ca-bundle", ca_bundle,
                 "--timeout", "1", "--json")
    assert result.exit_code == 6, result.stdout
    assert result.json()["error"]["code"] == "HTTP_TIMEOUT"
    assert time.monotonic() - started < 10


def test_push_metadata_url_meets_the_deadline(cli, tmp_path, hostile, fake_sp):
    @hostile.route("/md")
    def slow(request, wire):
        wire.head(200, headers={"Content-Type": "application/xml"}, length=5000)
        wire.trickle(b"<" * 5000, every=0.25)

    config = write_config(tmp_path, {"acme": contract_profile(fake_sp, deadline=1.0)})
    result = cli("push", "--config", config, "--profile", "acme", "--metadata",
                 hostile.url("/md"), "--yes", "--json", "--now", NOW, "--backup-dir",
                 str(tmp_path / "backups"), env=ENV)
    assert result.exit_code == 6, result.stdout
    assert result.json()["error"]["code"] == "HTTP_TIMEOUT"
    assert fake_sp.count("GET") == 0


def test_import_metadata_refuses_an_https_to_http_redirect(cli, hostile_tls, hostile, ca_bundle):
    hostile.route("/internal-admin")(lambda request, wire: wire.answer(200, b"<admin/>"))
    hostile_tls.route("/md")(lambda request, wire: wire.answer(
        302, headers={"Location": hostile.url("/internal-admin")}))
    result = cli("import-metadata", hostile_tls.url("/md"), "--ca-bundle", ca_bundle, "--json")
    assert result.exit_code == 6
    assert result.json()["error"]["code"] == "HTTP_REDIRECT"
    assert hostile.hits("/internal-admin") == 0


def test_import_metadata_refuses_a_redirect_to_cloud_metadata(cli, hostile_tls, ca_bundle):
    hostile_tls.route("/md")(lambda request, wire: wire.answer(
        301, headers={"Location": "https://169.254.169.254/latest/meta-data/iam/"}))
    result = cli("import-metadata", hostile_tls.url("/md"), "--ca-bundle", ca_bundle, "--json")
    assert result.exit_code == 6
    assert result.json()["error"]["code"] == "HTTP_REDIRECT_PRIVATE"


@pytest.mark.parametrize("content_type,body", [
    ("text/html", b"<html><body>Sign in</body></html>"),
    ("application/json", b'"a string, not an object"'),
    ("application/json", b"[" * 100_000),
    ("application/octet-stream", b"\x00\xff" * 100),
])
def test_an_sp_answering_with_the_wrong_shape_is_exit_6(cli, tmp_path, hostile, content_type,
                                                        body):
    hostile.route("/v2/sso/settings")(lambda request, wire: wire.answer(
        200, body, headers={"Content-Type": content_type}))
    config = _sp_config(tmp_path, hostile, "sipgate")
    result = cli("sp", "status", "--config", config, "--profile", "acme", "--json", env=ENV)
    assert result.exit_code == 6, result.stdout
    assert result.json()["error"]["code"] == "SP_BAD_RESPONSE"


def test_an_sp_answering_with_a_huge_body_is_refused(cli, tmp_path, hostile):
    @hostile.route("/v2/sso/settings")
    def huge(request, wire):
        wire.head(200, headers={"Content-Type": "application/json", "Connection": "close"})
        for _ in range(40):
            wire.send(b" " * 65536)

    config = _sp_config(tmp_path, hostile, "sipgate")
    result = cli("sp", "status", "--config", config, "--profile", "acme", "--json", env=ENV)
    assert result.exit_code == 3, result.stdout
    assert result.json()["error"]["code"] == "INPUT_TOO_LARGE"


# ---------------------------------------------------------------- shell quoting

ODD = "acme $HOME x"


@pytest.fixture
def odd_setup(tmp_path, fake_sp, fake_clock):
    fake_sp.set(certificate=cert_pem("old-idp"), sso_url="https://old.example.test/sso",
                idp_entity_id="http://www.okta.com/exkOLD", enabled=True)
    folder = tmp_path / "my configs; rm -rf"
    folder.mkdir()
    config = write_config(folder, {ODD: contract_profile(fake_sp)})
    cert = write_cert(tmp_path)
    return config, cert


def _pasted(command: str) -> list[str]:
    """What a POSIX shell makes of a printed command line (no expansion happens inside
    single quotes; shlex.split follows the same rules)."""
    words = shlex.split(command)
    assert words[0] == "ssoctl"
    return words[1:]


def test_the_undo_line_is_safe_to_paste(cli, tmp_path, odd_setup, fake_sp):
    config, cert = odd_setup
    result = cli(*push_args(config, tmp_path, "--yes", cert=cert, profile=ODD), env=ENV)
    assert result.exit_code == 0, result.stderr
    [line] = [ln for ln in result.stdout.splitlines() if ln.startswith("undo with: ")]
    command = line.removeprefix("undo with: ")
    [backup] = backups(tmp_path)
    assert _pasted(command) == ["rollback", str(backup), "--profile", ODD, "--config", config]
    assert "'acme $HOME x'" in command  # quoted: the shell will not expand $HOME
    again = cli(*_pasted(command), "--yes", "--backup-dir", str(tmp_path / "backups"),
                "--now", "2026-06-01T12:05:00Z", env=ENV)
    assert again.exit_code == 0, again.stderr
    assert fake_sp.state["sso_url"] == "https://old.example.test/sso"


def test_the_retry_command_of_exit_8_is_safe_to_paste(cli, tmp_path, odd_setup, fake_sp):
    config, cert = odd_setup
    fake_sp.fault("PUT", "mangle")
    fake_sp.fault("PUT", "status", status=500)
    result = cli(*push_args(config, tmp_path, "--yes", "--json", cert=cert, profile=ODD),
                 env=ENV)
    assert result.exit_code == 8, result.stdout
    error = result.json()["error"]
    [backup] = backups(tmp_path)
    assert _pasted(error["rollback_command"]) == ["rollback", str(backup), "--profile", ODD,
                                                  "--config", config]
    assert error["rollback_command"] in error["hint"]


def test_other_printed_commands_are_quoted(cli, tmp_path, odd_setup, fake_sp, sp_server):
    config, cert = odd_setup
    assert cli(*push_args(config, tmp_path, "--yes", cert=cert, profile=ODD),
               env=ENV).exit_code == 0
    [backup] = backups(tmp_path)
    other = FakeSp(sp_server, prefix="/other")
    config2 = write_config(tmp_path, {"b": contract_profile(other)})
    result = cli("rollback", str(backup), "--profile", "b", "--config", config2, "--yes",
                 "--json", env=ENV)
    assert result.exit_code == 2
    hint = result.json()["error"]["hint"]
    assert f"--profile {shlex.quote(ODD)}" in hint
    token_file = tmp_path / "a token; file"
    token_file.write_text("tok-12345678")
    token_file.chmod(0o644)
    config3 = write_config(tmp_path, {"c": dict(contract_profile(other), auth="bearer",
                                                token_file=str(token_file))})
    result = cli("sp", "status", "--config", config3, "--profile", "c", "--json",
                 env={"SSOCTL_CONFIG": "", "SSOCTL_PROFILE": ""})
    assert result.exit_code == 2
    hint = result.json()["error"]["hint"]
    assert hint == f"run: chmod 600 {shlex.quote(str(token_file))}"
    assert json.loads(result.stdout)["ok"] is False


@pytest.mark.parametrize("content_type,body,code", [
    ("text/html", b"<!DOCTYPE html><html><body>Sign in to Okta</body></html>", 3),
    ("application/json", b'{"error": "not metadata"}', 3),
    ("application/xml", b"", 3),
])
def test_a_metadata_server_answering_with_the_wrong_shape(cli, hostile_tls, ca_bundle,
                                                          content_type, body, code):
    hostile_tls.route("/md")(lambda request, wire: wire.answer(
        200, body, headers={"Content-Type": content_type}))
    result = cli("import-metadata", hostile_tls.url("/md"), "--ca-bundle", ca_bundle, "--json")
    assert result.exit_code == code, result.stdout
    assert result.json()["ok"] is False and result.stderr == ""


def test_a_huge_metadata_download_is_streamed_not_held(cli, hostile_tls, ca_bundle):
    """12.5 MB of one text node: a download over 1 MiB is read as a stream (a federation
    aggregate), parsed as it arrives and never held whole; the text node passes libxml2's
    10 MB limit and is refused there (the 4 GiB sanity bound on the download itself:
    tests/integration/test_metadata_url_stream.py)."""
    @hostile_tls.route("/md")
    def huge(request, wire):
        wire.head(200, headers={"Content-Type": "application/xml", "Connection": "close"})
        wire.send(b"<EntityDescriptor>")
        for _ in range(200):
            wire.send(b" " * 65536)

    result = cli("import-metadata", hostile_tls.url("/md"), "--ca-bundle", ca_bundle, "--json")
    assert result.exit_code == 3, result.stdout
    assert result.json()["error"]["code"] == "XML_TOO_LARGE"


@pytest.mark.parametrize("etag", ['"v1\x1b[2J"', '"v1\x00"', "\x7f"])
def test_an_etag_that_cannot_be_sent_back_is_the_sps_fault(cli, tmp_path, hostile, etag):
    hostile.route("/v2/sso/settings")(lambda request, wire: wire.answer(
        200, json_body(SETTINGS), headers={"Content-Type": "application/json", "ETag": etag}))
    config = _sp_config(tmp_path, hostile, "sipgate")
    result = cli(*push_args(config, tmp_path, "--yes", "--json", cert=write_cert(tmp_path)),
                 env=ENV)
    assert result.exit_code == 6, result.stdout
    assert result.json()["error"]["code"] == "SP_BAD_RESPONSE"
    assert [r.method for r in hostile.log] == ["GET"]
