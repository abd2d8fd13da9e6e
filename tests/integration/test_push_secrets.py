"""A malicious SP that echoes the API token everywhere it can (docs/threat-model.md,
"Secrets"): in the reason phrase, headers, ETag, Location, the settings it stores and its
error messages, in every encoding. Whatever ssoctl does with it -- stdout, stderr, --json,
--debug logs, backup files -- the token shows up in none of them, in no encoding."""

from __future__ import annotations

import base64
import json
import logging
import secrets
from urllib.parse import quote, quote_plus

import pytest

from .hostile import json_body
from .push_helpers import NOW, SSO_URL, write_cert, write_config

TOKEN_ID = "token-ECHO01"
PATH = "/v2/sso/settings"


def make_token(*, host_safe: bool = False) -> str:
    """A fresh token per test; with characters that URL-encoding and repr change."""
    core = secrets.token_hex(12) if host_safe else secrets.token_urlsafe(18)
    return f"tk{core}" if host_safe else f"Tk-{core}+/=%x"


def encodings(token: str) -> dict[str, str]:
    """Every form the token must never appear in (built here independently of ssoctl)."""
    basic = base64.b64encode(f"{TOKEN_ID}:{token}".encode()).decode()
    forms = {"plain": token, "lower": token.lower(), "upper": token.upper(),
             "url": quote(token, safe=""), "url_plus": quote_plus(token),
             "repr": repr(token)[1:-1], "json": json.dumps(token)[1:-1],
             "basic": basic, "b64": base64.b64encode(token.encode()).decode()}
    for pad in range(3):  # base64 of the token at each alignment inside longer data
        encoded = base64.b64encode(b"A" * pad + token.encode()).decode()
        forms[f"b64@{pad}"] = encoded[4:-4]
    return forms


def assert_clean(token: str, *texts: str) -> None:
    for name, form in encodings(token).items():
        for text in texts:
            assert form not in text, f"the token ({name}) leaked: ...{_around(text, form)}..."


def _around(text: str, form: str) -> str:
    at = text.find(form)
    return text[max(0, at - 40):at + len(form) + 40]


class EchoSp:
    """The contract resource, answering with the token echoed in every place."""

    def __init__(self, server, token: str) -> None:
        self.server, self.token = server, token
        self.etag_version = 1
        t = token
        self.state = {"sso_url": f"https://idp.example.test/{quote(t, safe='')}?x={t.lower()}",
                      "idp_entity_id": f"http://www.okta.com/{t.upper()}",
                      "certificate": None, "enabled": False}
        self.put_answer = "store"  # store | refuse | redirect | error
        self.reason_extra = ""  # appended to every reason phrase (latin-1)
        server.route(PATH)(self.handle)

    def echo_headers(self, request) -> dict[str, str]:
        t = self.token
        return {"ETag": f'"{t}-v{self.etag_version}"', "X-Echo": t,
                "X-Echo-Auth": request.headers.get("authorization", ""),
                "X-Echo-B64": base64.b64encode(t.encode()).decode(),
                "Content-Type": "application/json"}

    def handle(self, request, wire) -> None:
        t = self.token
        headers = self.echo_headers(request)
        reason = f"OK {t} {request.headers.get('authorization', '')}{self.reason_extra}"
        if request.method == "GET":
            wire.answer(200, json_body(self.state), reason=reason, headers=headers)
            return
        if self.put_answer == "redirect":
            wire.answer(302, reason=f"Found {t}",
                        headers={**headers, "Location": f"https://{t.lower()}.evil.test/{t}"})
        elif self.put_answer == "refuse":
            detail = (f"token {t!r} of {request.headers.get('authorization')} lacks the "
                      f"scope ({quote(t, safe='')}, {t.upper()})")
            wire.answer(422, json_body({"errors": [{"status": "422", "detail": detail}]}),
                        reason=f"Unprocessable {t}{self.reason_extra}", headers=headers)
        elif self.put_answer == "error":
            wire.answer(503, json_body({"message": f"down, {t}"}), reason=f"Busy {t}",
                        headers={**headers, "Retry-After": "0"})
        else:
            doc = json.loads(request.body)
            doc["sso_url"] = (doc["sso_url"] or "") + f"#{t}"  # keeps something else
            self.state = doc
            self.etag_version += 1
            wire.answer(204, reason=f"Stored {t}", headers=headers)


@pytest.fixture
def setup(tmp_path, hostile):
    def make(token: str, **profile):
        sp = EchoSp(hostile, token)
        table = {"target": "sipgate", "base_url": hostile.url("/v2"), "path": "/sso/settings",
                 "auth": "basic", "read_timeout": 2.0, "retries": 1, "deadline": 5.0}
        table.update(profile)
        config = write_config(tmp_path, {"acme": table})
        env = {"SSOCTL_TOKEN": token, "SSOCTL_TOKEN_ID": TOKEN_ID, "SSOCTL_CONFIG": "",
               "SSOCTL_PROFILE": ""}
        return sp, config, env
    return make


def _push(config, tmp_path, *extra):
    return ["--debug", "push", "--config", config, "--profile", "acme", "--yes",
            "--backup-dir", str(tmp_path / "backups"), "--now", NOW, "--sso-url", SSO_URL,
            "--entity-id", "http://www.okta.com/exk1fcx7ab2CDEf3G4h8",
            "--cert", write_cert(tmp_path), *extra]


def _files(tmp_path) -> list[str]:
    folder = tmp_path / "backups"
    return [p.read_text() for p in sorted(folder.glob("*.json"))] if folder.exists() else []


@pytest.mark.parametrize("answer,code", [("store", 8), ("refuse", 5), ("redirect", 6),
                                         ("error", 6)])
@pytest.mark.parametrize("json_out", [False, True])
def test_push_never_shows_the_token(cli, setup, tmp_path, caplog, answer, code, json_out):
    token = make_token(host_safe=answer == "redirect")
    sp, config, env = setup(token)
    sp.put_answer = answer
    caplog.set_level(logging.DEBUG)
    result = cli(*_push(config, tmp_path, *(["--json"] if json_out else [])), env=env)
    assert result.exit_code == code, result.stdout + result.stderr
    files = _files(tmp_path)
    assert files, "a backup is written before any write"
    assert_clean(token, result.stdout, result.stderr, caplog.text, *files)
    assert any(r.name == "ssoctl.http" for r in caplog.records)  # --debug did log


def test_sp_status_never_shows_the_token(cli, setup, caplog):
    token = make_token()
    _, config, env = setup(token)
    caplog.set_level(logging.DEBUG)
    for extra in ([], ["--json"]):
        result = cli("--debug", "sp", "status", "--config", config, "--profile", "acme",
                     "--now", NOW, *extra, env=env)
        assert result.exit_code in (0, 1), result.stderr
        assert_clean(token, result.stdout, result.stderr, caplog.text)
        assert "<hidden>" in result.stdout


def test_a_backup_holding_the_token_is_scrubbed_and_not_restored(cli, setup, tmp_path):
    token = make_token()
    sp, config, env = setup(token)
    sp.put_answer = "refuse"
    assert cli(*_push(config, tmp_path), env=env).exit_code == 5
    [path] = sorted((tmp_path / "backups").glob("*.json"))
    doc = json.loads(path.read_text())
    assert doc["redacted"] == ["sso_url", "idp_entity_id"]
    assert "<hidden>" in doc["etag"] and "<hidden>" in doc["settings"]["sso_url"]
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    result = cli("rollback", str(path), "--config", config, "--yes", "--json", env=env)
    assert result.exit_code == 3
    assert result.json()["error"]["code"] == "BACKUP_REDACTED"


@pytest.mark.parametrize("bad", ["\r\nX-Injected: 1", "\n", "\x1b[2J", " and more", "\u00e9"])
def test_a_token_with_a_line_break_or_control_character_is_refused_up_front(cli, setup,
                                                                           tmp_path, bad):
    token = make_token()
    sp, config, env = setup(token)
    env["SSOCTL_TOKEN"] = f"{token[:10]}{bad}{token[10:]}"
    result = cli(*_push(config, tmp_path, "--json"), env=env)
    assert result.exit_code == 2, result.stdout
    error = result.json()["error"]
    assert error["code"] == "TOKEN_INVALID" and "\n" not in error["message"]
    assert token[:10] not in result.stdout + result.stderr
    assert token[10:] not in result.stdout + result.stderr
    assert sp.server.log == []  # nothing was sent
