"""``ssoctl rehearse okta`` as a person runs it: a real process serving on 127.0.0.1, the
start-up report on stdout (human or JSON), the token once on stderr or only in a 0600 file,
https with a throw-away CA, logins that decode-response verifies, Ctrl-C ends it with 0."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys

import pytest
import requests

from conftest import ROOT


def _start(*args, json_output=True):
    env = dict(os.environ, PYTHONUNBUFFERED="1", NO_COLOR="1", COLUMNS="100")
    env.pop("SSOCTL_OKTA_TOKEN", None)
    command = [sys.executable, "-m", "ssoctl"] + (["--json"] if json_output else []) + [
        "rehearse", "okta", "--port", "0", *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, env=env)


def _stop(proc):
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    return proc.returncode, out, err


@pytest.fixture
def running():
    procs = []

    def start(*args, json_output=True):
        proc = _start(*args, json_output=json_output)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_json_start_up_report_token_file_and_ctrl_c(running, tmp_path):
    token_file = tmp_path / "rehearsal.token"
    proc = running("--token-file", str(token_file), "--quiet")
    doc = json.loads(proc.stdout.readline())
    assert doc["ok"] is True
    data = doc["data"]
    assert data["url"].startswith("http://127.0.0.1:")
    assert data["users"] == ["alice@example.com", "bob@example.com"]
    assert data["group"]["name"] == "sipgate users"
    assert {a["label"] for a in data["apps"]} == {"Intranet", "Legacy HR", "Expenses",
                                                   "Old wiki", "Support portal"}
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = token_file.read_text().strip()
    apps = requests.get(data["url"] + "/api/v1/apps", timeout=10,
                        headers={"Authorization": f"SSWS {token}"})
    assert apps.status_code == 200 and len(apps.json()) == 5
    login = requests.get(data["url"] + "/rehearsal/login",
                         params={"app": "Expenses", "user": "bob@example.com"}, timeout=10)
    assert login.status_code == 200 and login.text.strip()
    code, out, err = _stop(proc)
    assert code == 0
    assert token not in out + err + json.dumps(doc)
    assert "stopped" in err


def test_token_is_shown_once_on_stderr_with_a_warning(running):
    proc = running(json_output=False)
    lines = []
    while not any("export SSOCTL_OKTA_TOKEN=" in line for line in lines):
        line = proc.stderr.readline()
        assert line, "the stand-in ended early"
        lines.append(line)
    token = lines[-1].split("=", 1)[1].strip()
    assert "local rehearsal token" in "".join(lines)
    stdout_line = proc.stdout.readline()
    url = None
    while "Org URL" not in stdout_line:
        stdout_line = proc.stdout.readline()
    url = stdout_line.split("Org URL:", 1)[1].strip()
    requests.get(url + "/api/v1/apps", headers={"Authorization": f"SSWS {token}"}, timeout=10)
    code, out, err = _stop(proc)
    assert code == 0
    assert token not in out and token not in err  # once, and only in what was read above
    assert '"GET /api/v1/apps HTTP/1.1" 200' in err


def test_tls_rehearsal_and_a_verified_login(running, tmp_path, cli):
    ca = tmp_path / "ca.pem"
    token_file = tmp_path / "t"
    proc = running("--tls", "--ca-out", str(ca), "--token-file", str(token_file), "--quiet",
                   "--no-demo-apps")
    data = json.loads(proc.stdout.readline())["data"]
    url = data["url"]
    assert url.startswith("https://127.0.0.1:") and data["ca_bundle"] == str(ca)
    headers = {"Authorization": f"SSWS {token_file.read_text().strip()}"}
    body = {"label": "sipgate", "signOnMode": "SAML_2_0", "settings": {"signOn": {
        "ssoAcsUrl": "https://sipgate.example/saml/acs",
        "recipient": "https://sipgate.example/saml/acs",
        "destination": "https://sipgate.example/saml/acs",
        "audience": "https://sipgate.example/saml/metadata",
        "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"}}}
    app = requests.post(url + "/api/v1/apps", json=body, headers=headers, verify=str(ca),
                        timeout=30).json()
    group = requests.get(url + "/api/v1/groups", params={"q": "sipgate"}, headers=headers,
                         verify=str(ca), timeout=10).json()[0]
    requests.put(f"{url}/api/v1/apps/{app['id']}/groups/{group['id']}", json={},
                 headers=headers, verify=str(ca), timeout=10).raise_for_status()
    metadata = requests.get(app["_links"]["metadata"]["href"], headers=headers,
                            verify=str(ca), timeout=10).content
    (tmp_path / "idp.xml").write_bytes(metadata)
    pem = tmp_path / "okta.pem"
    imported = cli("--json", "import-metadata", str(tmp_path / "idp.xml"), "--cert-out",
                   str(pem))
    assert imported.exit_code == 0, imported.stdout
    assert imported.json()["data"]["sso_url"].startswith(url + "/app/")
    login = requests.get(url + "/rehearsal/login", params={"app": "sipgate",
                                                           "user": "alice@example.com"},
                         verify=str(ca), timeout=10).text.strip()
    (tmp_path / "response.txt").write_text(login)
    decoded = cli("--json", "decode-response", str(tmp_path / "response.txt"), "--cert",
                  str(pem), "--acs-url", "https://sipgate.example/saml/acs",
                  "--sp-entity-id", "https://sipgate.example/saml/metadata")
    assert decoded.exit_code == 0, decoded.stdout
    assert not [f for f in decoded.json()["findings"] if f["severity"] == "error"]
    code, _, _ = _stop(proc)
    assert code == 0


def test_sigterm_stops_it_like_ctrl_c(running):
    proc = running("--quiet", "--no-demo-apps")
    assert json.loads(proc.stdout.readline())["ok"] is True
    proc.terminate()
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "stopped" in err


def test_a_port_in_use_is_a_usage_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "ssoctl", "--json", "rehearse", "okta", "--port", str(port)],
            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "USAGE" and str(port) in error["message"]
    assert "--port 0" in error["hint"]


def test_refusals_before_anything_starts(cli, tmp_path):
    existing = tmp_path / "token"
    existing.write_text("keep me")
    result = cli("--json", "rehearse", "okta", "--port", "0", "--token-file", str(existing))
    assert result.exit_code == 2 and result.json()["error"]["code"] == "OUTPUT_EXISTS"
    assert existing.read_text() == "keep me"
    result = cli("--json", "rehearse", "okta", "--port", "0", "--fault", "meteor")
    assert result.exit_code == 2 and "meteor" in result.json()["error"]["message"]
    result = cli("--json", "rehearse", "okta", "--port", "0", "--user", "not-an-email")
    assert result.exit_code == 2
    from ssoctl.rehearsal import pki

    private = tmp_path / "key.pem"
    private.write_text(pki.key_pem(pki.cached_rsa_key("okta-service-app")))
    result = cli("--json", "rehearse", "okta", "--port", "0", "--oauth-public-key",
                 str(private))
    assert result.exit_code == 3 and "private key" in result.json()["error"]["message"]
    assert "BEGIN" not in result.stdout


def test_oauth_service_app_from_a_public_key_file(running, tmp_path, okta_service_key):
    import datetime as dt
    from types import SimpleNamespace

    from cryptography.hazmat.primitives import serialization

    from .test_standin_oauth import DpopKey, assertion, token_request

    key, _ = okta_service_key
    public = tmp_path / "service.pub.pem"
    public.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    proc = running("--quiet", "--no-demo-apps", "--token-file", str(tmp_path / "t"),
                   "--oauth-public-key", str(public), "--client-id", "0oaServiceApp0000001")
    data = json.loads(proc.stdout.readline())["data"]
    assert data["oauth_client_id"] == "0oaServiceApp0000001" and data["dpop_required"]
    org = SimpleNamespace(url=data["url"], token_url=data["url"] + "/oauth2/v1/token",
                          now=lambda: dt.datetime.now(dt.timezone.utc))
    dpop = DpopKey()
    first = token_request(org, assertion(org, key, kid="whatever"),
                          dpop=dpop.proof(org, "POST", org.token_url))
    assert first.status_code == 400 and first.json()["error"] == "use_dpop_nonce"
    second = token_request(org, assertion(org, key, kid="whatever"), dpop=dpop.proof(
        org, "POST", org.token_url, nonce=first.headers["DPoP-Nonce"]))
    assert second.status_code == 200 and second.json()["token_type"] == "DPoP"
    code, _, _ = _stop(proc)
    assert code == 0
