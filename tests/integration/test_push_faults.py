"""Faults injected into the fake SP (docs/threat-model.md): every one leaves the SP as it was
or says exactly what to do; the token never shows up anywhere."""

from __future__ import annotations

import json
import logging

import pytest

from ssoctl.sp.contract import fingerprint

from .fake_sp import TOKEN, TOKEN_ID, fake_sp, sp_server  # noqa: F401  (fixtures)
from .push_helpers import (ENV, SSO_URL, backups, cert_pem, contract_profile,
                           fake_clock, push_args, write_cert, write_config)  # noqa: F401

OLD = dict(sso_url="https://old.example.test/sso", idp_entity_id="http://www.okta.com/exkOLD",
           enabled=True)


@pytest.fixture
def setup(tmp_path, fake_sp, fake_clock):
    fake_sp.set(certificate=cert_pem("old-idp"), **OLD)
    config = write_config(tmp_path, {"acme": contract_profile(fake_sp, read_timeout=0.3)})
    cert = write_cert(tmp_path)

    def run(*extra, env=ENV):
        return __import__("types").SimpleNamespace(
            args=push_args(config, tmp_path, "--yes", *extra, cert=cert), env=env)
    return run


def _unchanged(sp):
    assert sp.state["sso_url"] == OLD["sso_url"]
    assert sp.state["idp_entity_id"] == OLD["idp_entity_id"]
    assert fingerprint(sp.state["certificate"]) == fingerprint(cert_pem("old-idp"))
    assert sp.state["enabled"] is True


def _go(cli, job, *extra):
    return cli(*job.args, *extra, env=job.env)


def test_timeout_on_read(cli, setup, fake_sp, tmp_path):
    fake_sp.fault("GET", "hang", times=10, seconds=0.8)
    result = _go(cli, setup(), "--json")
    assert result.exit_code == 6
    assert result.json()["error"]["code"] == "HTTP_TIMEOUT"
    assert fake_sp.count("PUT") == 0 and backups(tmp_path) == []


def test_timeout_on_write_leaves_sp_as_it_was(cli, setup, fake_sp):
    fake_sp.fault("PUT", "hang", times=10, seconds=0.8)
    result = _go(cli, setup())
    assert result.exit_code == 6
    assert "timed out" in result.stderr and "nothing was changed on the SP" in result.stderr
    _unchanged(fake_sp)


def test_connection_reset_once_is_retried(cli, setup, fake_sp, fake_clock):
    fake_sp.fault("PUT", "reset", apply=True)
    result = _go(cli, setup(), "--json")
    assert result.exit_code == 0, result.stdout
    assert fake_sp.count("PUT") == 2 and fake_clock.sleeps == [0.5]
    assert fake_sp.state["sso_url"] == SSO_URL


def test_connection_reset_after_partial_apply_rolls_back(cli, setup, fake_sp, tmp_path):
    fake_sp.fault("PUT", "reset", apply=True, times=4)  # every attempt of the first write
    result = _go(cli, setup(), "--json")
    assert result.exit_code == 7, result.stdout
    error = result.json()["error"]
    assert error["code"] == "ROLLED_BACK" and "restored and verified" in error["message"]
    [backup] = backups(tmp_path)
    assert str(backup) in error["hint"]
    _unchanged(fake_sp)


def test_server_error_after_apply_rolls_back(cli, setup, fake_sp):
    fake_sp.fault("PUT", "status", status=500, apply=True)
    result = _go(cli, setup())
    assert result.exit_code == 7
    assert "HTTP 500" in result.stderr
    _unchanged(fake_sp)


def test_server_error_without_apply_is_exit_6(cli, setup, fake_sp):
    fake_sp.fault("PUT", "status", status=500)
    result = _go(cli, setup(), "--json")
    assert result.exit_code == 6
    assert result.json()["error"]["code"] == "HTTP_SERVER_ERROR"
    assert fake_sp.count("PUT") == 1  # 500 is not retried
    _unchanged(fake_sp)


def test_429_with_retry_after_is_honoured(cli, setup, fake_sp, fake_clock):
    fake_sp.fault("GET", "status", status=429, headers={"Retry-After": "7"})
    fake_sp.fault("PUT", "status", status=503, headers={"Retry-After": "2"})
    result = _go(cli, setup())
    assert result.exit_code == 0, result.stderr
    assert fake_clock.sleeps == [7.0, 2.0]
    assert fake_sp.state["sso_url"] == SSO_URL


def test_503_until_the_deadline_is_exit_6(cli, setup, fake_sp, fake_clock):
    fake_sp.fault("GET", "status", status=503, times=10, headers={"Retry-After": "1"})
    result = _go(cli, setup(), "--json")
    assert result.exit_code == 6 and fake_sp.count("GET") == 4
    assert result.json()["error"]["code"] == "HTTP_SERVER_ERROR"


@pytest.mark.parametrize("method", ["GET", "PUT"])
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_are_never_followed(cli, setup, fake_sp, method, status):
    fake_sp.fault(method, "redirect", status=status)
    result = _go(cli, setup(), "--json")
    assert result.exit_code == 6
    error = result.json()["error"]
    assert error["code"] == "HTTP_REDIRECT" and "elsewhere.example.test" in error["message"]
    _unchanged(fake_sp)


def test_write_accepted_but_not_persisted_rolls_back(cli, setup, fake_sp, tmp_path):
    fake_sp.fault("PUT", "drop", times=5)
    result = _go(cli, setup())
    assert result.exit_code == 7
    assert "did not keep what was written" in result.stderr
    assert "SSO URL" in result.stderr and "Certificate" in result.stderr
    writes = fake_sp.writes()
    assert writes[-1]["sso_url"] == OLD["sso_url"]  # the restore was written
    _unchanged(fake_sp)


def test_mangled_write_rolls_back(cli, setup, fake_sp):
    fake_sp.fault("PUT", "mangle")
    result = _go(cli, setup(), "--json")
    assert result.exit_code == 7
    assert "SSO URL" in result.json()["error"]["message"]
    _unchanged(fake_sp)


def test_rollback_failing_is_exit_8_with_retry_command(cli, setup, fake_sp, tmp_path):
    fake_sp.fault("PUT", "mangle")
    fake_sp.fault("PUT", "status", status=500, times=1)  # the restore fails
    job = setup()
    result = _go(cli, job)
    assert result.exit_code == 8, result.stderr
    [backup] = backups(tmp_path)
    assert str(backup) in result.stderr
    command = f"ssoctl rollback {backup} --profile acme"
    assert command in result.stderr
    assert fake_sp.state["sso_url"].endswith("/mangled")
    # ... and the printed command works once the SP behaves again
    config = job.args[job.args.index("--config") + 1]
    again = cli("rollback", str(backup), "--profile", "acme", "--config", config, "--yes",
                "--backup-dir", str(tmp_path / "backups"), "--now", "2026-06-01T12:05:00Z",
                env=ENV)
    assert again.exit_code == 0, again.stderr
    _unchanged(fake_sp)


def test_rollback_failing_json(cli, setup, fake_sp):
    fake_sp.fault("PUT", "drop")
    fake_sp.fault("PUT", "status", status=401)
    result = _go(cli, setup(), "--json")
    assert result.exit_code == 8
    error = result.json()["error"]
    assert error["code"] == "ROLLBACK_FAILED" and "ssoctl rollback" in error["hint"]


def test_enable_step_failing_restores_everything(cli, setup, fake_sp):
    fake_sp.set(enabled=False)
    fake_sp.fault("PUT", "status", status=500, apply=True, times=1)
    job = setup("--enable")
    # first PUT (settings, SSO off) fails after applying -> restore, SSO stays off
    result = _go(cli, job)
    assert result.exit_code == 7
    assert fake_sp.state["enabled"] is False
    assert fake_sp.state["sso_url"] == OLD["sso_url"]


SCENARIOS = {
    "applied": ([], 0),
    "unauthorized": ([("PUT", "status", {"status": 401})], 5),
    "rolled_back": ([("PUT", "drop", {"times": 3})], 7),
    "rollback_failed": ([("PUT", "mangle", {}), ("PUT", "status", {"status": 500})], 8),
    "server_error": ([("GET", "status", {"status": 502, "times": 9})], 6),
    "changed_underneath": ([("PUT", "status", {"status": 412})], 5),
    "unprocessable": ([("PUT", "status", {"status": 422})], 5),
    "redirect": ([("PUT", "redirect", {"status": 307})], 6),
    "reset_then_retried": ([("PUT", "reset", {})], 0),
}
#: Exit 7 and 8 also name the backup (and for 8 the command to retry) as JSON fields, so a
#: CI job need not parse the hint.
ERROR_KEYS = {7: {"code", "message", "hint", "backup"},
              8: {"code", "message", "hint", "backup", "rollback_command"}}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_token_never_appears_anywhere(cli, setup, fake_sp, tmp_path, caplog, name):
    faults, code = SCENARIOS[name]
    for method, kind, kw in faults:
        fake_sp.fault(method, kind, **kw)
    caplog.set_level(logging.DEBUG)
    job = setup()
    result = cli("--debug", *job.args, env=job.env)
    assert result.exit_code == code, result.stderr
    import base64

    basic = base64.b64encode(f"{TOKEN_ID}:{TOKEN}".encode()).decode()
    texts = [result.stdout, result.stderr, caplog.text]
    texts += [p.read_text() for p in backups(tmp_path)]
    for text in texts:
        assert TOKEN not in text and basic not in text
    assert any(r.name == "ssoctl.http" for r in caplog.records)  # --debug did log


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_json_for_every_outcome(cli, setup, fake_sp, name):
    faults, code = SCENARIOS[name]
    for method, kind, kw in faults:
        fake_sp.fault(method, kind, **kw)
    result = _go(cli, setup(), "--json")
    assert result.exit_code == code
    doc = json.loads(result.stdout)
    assert doc["ok"] is (code == 0)
    if code == 0:
        assert doc["data"]["outcome"] == "applied"
    else:
        extra = {"changed_meanwhile"} if doc["error"]["code"] == "SP_CHANGED_MEANWHILE" else set()
        assert set(doc["error"]) == ERROR_KEYS.get(code, {"code", "message", "hint"}) | extra
        if code in ERROR_KEYS:
            assert doc["error"]["backup"] in doc["error"]["hint"]
            assert doc["error"].get("rollback_command", "backup:") in doc["error"]["hint"]
    assert result.stderr == ""
