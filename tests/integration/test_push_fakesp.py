"""The runnable fake SP (``python -m ssoctl.rehearsal.fakesp``) and the walk-through that
docs/sp-api.md gives an admin: configure a profile, dry-run, push, see the diff, roll back."""

from __future__ import annotations

import json
import socket
import stat
import threading

import pytest

from conftest import ROOT
from ssoctl.rehearsal import fakesp

from .fake_sp import TOKEN, TOKEN_ID
from .push_helpers import ENV, NOW, fake_clock  # noqa: F401  (fixture)

METADATA = "fixtures/metadata/okta.xml"


@pytest.fixture
def running():
    """Start a fake SP on a free port; yield (ContractSp, base_url)."""
    made = []

    def start(*faults: str) -> tuple[fakesp.ContractSp, str]:
        sp = fakesp.ContractSp(token=TOKEN, token_id=TOKEN_ID, faults=frozenset(faults))
        server = fakesp.serve(sp, port=0, log=_Quiet())
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        made.append(server)
        return sp, f"http://127.0.0.1:{server.server_address[1]}/v2"

    yield start
    for server in made:
        server.shutdown()
        server.server_close()


class _Quiet:
    lines: list[str] = []

    def write(self, text: str) -> None:
        self.lines.append(text)

    def flush(self) -> None:
        pass


def _profile(cli, config, base_url, tmp_path):
    for key, value in (("base_url", base_url), ("token_id", TOKEN_ID),
                       ("backup_dir", str(tmp_path / "backups"))):
        result = cli("config", "set", "--config", config, "--profile", "acme", key, value,
                     env=ENV)
        assert result.exit_code == 0, result.stderr


def test_the_documented_walkthrough(cli, tmp_path, running, monkeypatch):
    monkeypatch.chdir(ROOT)
    sp, base_url = running()
    config = str(tmp_path / "config.toml")
    _profile(cli, config, base_url, tmp_path)
    assert cli("config", "validate", "--config", config, env=ENV).exit_code == 0
    common = ("--config", config, "--now", NOW)

    dry = cli("push", "--metadata", METADATA, "--dry-run", *common, env=ENV)
    assert dry.exit_code == 10, dry.stderr  # changes pending
    assert "Changes (3 of 4 fields)" in dry.stdout and "dry run" in dry.stdout
    assert sp.version == 1  # nothing written
    port = base_url.split(":")[2].split("/")[0]
    assert dry.stdout.replace(f":{port}/", ":8088/") == _documented(
        "$ ssoctl push --metadata fixtures/metadata/okta.xml --dry-run\n")

    applied = cli("push", "--metadata", METADATA, "--yes", "--json", *common, env=ENV)
    assert applied.exit_code == 0, applied.stderr
    data = applied.json()["data"]
    assert data["outcome"] == "applied" and sp.settings["sso_url"].startswith("https://")
    backup = data["backup"]
    assert stat.S_IMODE((tmp_path / "backups" / backup.rsplit("/", 1)[-1]).stat().st_mode) == 0o600
    assert TOKEN not in open(backup).read()

    again = cli("push", "--metadata", METADATA, "--yes", *common, env=ENV)
    assert again.exit_code == 0 and "no changes" in again.stdout

    status = cli("sp", "status", *common, env=ENV)
    assert status.exit_code == 0 and "dev-12345678.okta.com" in status.stdout

    back = cli("rollback", backup, "--yes", *common, env=ENV)
    assert back.exit_code == 0, back.stderr
    assert "restored" in back.stdout
    assert sp.settings == {"sso_url": None, "idp_entity_id": None, "certificate": None,
                           "enabled": False}


def _documented(command: str) -> str:
    """The output docs/sp-api.md shows under ``command``."""
    text = (ROOT / "docs" / "sp-api.md").read_text()
    return text.split(command, 1)[1].split("```", 1)[0]


def test_drop_writes_rehearses_a_rollback(cli, tmp_path, running, monkeypatch):
    monkeypatch.chdir(ROOT)
    sp, base_url = running("drop-writes")
    config = str(tmp_path / "config.toml")
    _profile(cli, config, base_url, tmp_path)
    result = cli("push", "--metadata", METADATA, "--yes", "--json", "--config", config,
                 "--now", NOW, env=ENV)
    assert result.exit_code == 7
    error = result.json()["error"]
    assert error["code"] == "ROLLED_BACK" and error["backup"].endswith(".json")


def test_reject_writes_shows_the_sps_reason(cli, tmp_path, running, monkeypatch):
    monkeypatch.chdir(ROOT)
    sp, base_url = running("reject-writes")
    config = str(tmp_path / "config.toml")
    _profile(cli, config, base_url, tmp_path)
    result = cli("push", "--metadata", METADATA, "--yes", "--config", config, "--now", NOW,
                 env=ENV)
    assert result.exit_code == 5
    assert "may not use SSO" in result.stderr and "nothing was changed" in result.stderr


def test_concurrent_edit_is_left_alone(cli, tmp_path, running, monkeypatch):
    """docs/threat-model.md, "Concurrent edits": the 412 restores nothing."""
    monkeypatch.chdir(ROOT)
    sp, base_url = running("concurrent-edit")
    config = str(tmp_path / "config.toml")
    _profile(cli, config, base_url, tmp_path)
    result = cli("push", "--metadata", METADATA, "--yes", "--config", config, "--now", NOW,
                 env=ENV)
    assert result.exit_code == 5, result.stderr
    assert sp.settings["sso_url"] == fakesp.COLLEAGUE_SSO_URL
    assert f"-> {fakesp.COLLEAGUE_SSO_URL}" in result.stderr
    assert "re-run push to plan against the current settings" in result.stderr
    again = cli("push", "--metadata", METADATA, "--yes", "--config", config, "--now", NOW,
                env=ENV)
    assert again.exit_code == 0, again.stderr  # the re-plan sees the colleague's value


def test_busy_is_retried_after_retry_after(cli, tmp_path, running, monkeypatch, fake_clock):
    monkeypatch.chdir(ROOT)
    sp, base_url = running("busy")
    config = str(tmp_path / "config.toml")
    _profile(cli, config, base_url, tmp_path)
    result = cli("sp", "status", "--config", config, "--now", NOW, env=ENV)
    assert result.exit_code == 0, result.stderr
    assert fake_clock.sleeps == [1.0]


# ---------------------------------------------------------------- the contract's rules

def _sp() -> fakesp.ContractSp:
    return fakesp.ContractSp(token=TOKEN, token_id=TOKEN_ID)


def _auth() -> dict[str, str]:
    import base64

    return {"Authorization": "Basic " + base64.b64encode(f"{TOKEN_ID}:{TOKEN}".encode()).decode()}


def _put(sp, doc, **headers):
    return sp.handle("PUT", fakesp.DEFAULT_PATH, {**_auth(), **headers}, json.dumps(doc).encode())


GOOD = {"sso_url": "https://idp.example/sso", "idp_entity_id": "http://idp.example",
        "certificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        "enabled": False}


def test_contract_rules():
    sp = _sp()
    assert sp.handle("GET", "/v2/other", _auth(), b"")[0] == 404
    assert sp.handle("GET", fakesp.DEFAULT_PATH, {"Authorization": "Bearer nope"}, b"")[0] == 401
    assert sp.handle("GET", fakesp.DEFAULT_PATH, {"Authorization": f"Bearer {TOKEN}"}, b"")[0] == 200
    assert sp.handle("POST", fakesp.DEFAULT_PATH, _auth(), b"{}")[0] == 405
    status, headers, body = sp.handle("GET", fakesp.DEFAULT_PATH, _auth(), b"")
    assert status == 200 and headers["ETag"] == '"v1"' and set(json.loads(body)) == set(GOOD)
    assert _put(sp, GOOD, **{"If-Match": '"v0"'})[0] == 412 and sp.version == 1
    assert _put(sp, {**GOOD, "extra": 1})[0] == 422
    assert _put(sp, {**GOOD, "sso_url": "http://idp.example/sso"})[0] == 422
    assert _put(sp, {**GOOD, "enabled": True, "certificate": None})[0] == 422
    assert _put(sp, GOOD, **{"If-Match": '"v1"'})[0] == 204 and sp.settings == GOOD
    status, _, body = _put(sp, {**GOOD, "enabled": "yes"})
    assert status == 422
    assert json.loads(body)["errors"][0]["source"] == {"pointer": "/enabled"}


def test_main_reports_a_port_in_use(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code = fakesp.main(["--port", str(taken.getsockname()[1])])
    assert code == 2
    assert "cannot listen" in capsys.readouterr().err


def test_confirmation_on_a_real_terminal(tmp_path, running):
    """The installed entry point on a pseudo-terminal: the diff and question on the
    terminal, nothing written on "n", written on "y"; the report on stdout (a pipe)."""
    import os
    import select
    import subprocess
    import sys
    import time

    sp, base_url = running()
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.acme]\nbase_url = "{base_url}"\ntoken_id = "{TOKEN_ID}"\n'
                      f'backup_dir = "{tmp_path / "backups"}"\n')
    env = {**os.environ, "SSOCTL_TOKEN": TOKEN, "SSOCTL_CONFIG": str(config), "NO_COLOR": "1",
           "SSOCTL_PROFILE": "", "SSOCTL_TOKEN_ID": ""}

    def answer(reply: str) -> tuple[int, str, str]:
        master, slave = os.openpty()
        proc = subprocess.Popen([sys.executable, "-m", "ssoctl", "push", "--metadata",
                                 str(ROOT / METADATA)], stdin=slave, stderr=slave,
                                stdout=subprocess.PIPE, env=env, cwd=tmp_path)
        os.close(slave)
        seen, deadline = b"", time.monotonic() + 30
        while b"[y/N]" not in seen and time.monotonic() < deadline:
            if select.select([master], [], [], 0.5)[0]:
                seen += os.read(master, 4096)
        os.write(master, reply.encode() + b"\n")
        out, _ = proc.communicate(timeout=30)
        os.close(master)
        return proc.returncode, seen.decode(), out.decode()

    code, terminal, stdout = answer("n")
    assert code == 0 and "not confirmed" in stdout and sp.version == 1
    assert "Changes (3 of 4 fields)" in terminal and "Write these settings to" in terminal
    code, terminal, stdout = answer("y")
    assert code == 0 and "applied" in stdout and sp.version == 2
    assert "\x1b[" not in stdout  # stdout is a pipe: plain text
