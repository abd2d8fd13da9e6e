"""Advice that is true: hints name commands that work as printed, with the user's own file
name; messages say what was compared with what; no advice to paste what failed a check."""

from __future__ import annotations

import re
import shlex

import pytest

from conftest import FIXTURES

CERTS = FIXTURES / "certs"
MD_DIR = FIXTURES / "metadata"
NOW = "2026-06-01"

LOGIN_PAGE = (b"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
              b"<title>dev-12345678 - Sign In</title></head><body><div id=\"okta-sign-in\">"
              b"</div></body></html>\n")


# ---------------------------------------------------------------- a web page, not metadata

@pytest.mark.parametrize("page", [LOGIN_PAGE, b"\xef\xbb\xbf  <html><body>404</body></html>",
                                  b"<?xml version=\"1.0\"?>\n<!-- saved -->\n<html xmlns="
                                  b"\"http://www.w3.org/1999/xhtml\"><head/></html>"])
def test_a_web_page_file_is_named_as_one(cli, tmp_path, page):
    path = tmp_path / "metadata.xml"
    path.write_bytes(page)
    result = cli("import-metadata", path, "--json")
    assert result.exit_code == 3
    error = result.json()["error"]
    assert error["code"] == "METADATA_IS_WEB_PAGE"
    assert "this is a web page" in error["message"] and "not SAML metadata" in error["message"]
    assert "hostile" not in error["message"] + error["hint"]
    assert "Metadata URL" in error["hint"] and "/sso/saml/metadata" in error["hint"]


def test_a_web_page_downloaded_instead_of_metadata(cli, httpserver):
    """What Okta serves for a link that needs a session: its sign-in page, as text/html."""
    httpserver.expect_request("/app/exk1/sso/saml/metadata").respond_with_data(
        LOGIN_PAGE, content_type="text/html")
    result = cli("import-metadata", httpserver.url_for("/app/exk1/sso/saml/metadata"),
                 "--allow-http")
    assert result.exit_code == 3
    assert "this is a web page (titled 'dev-12345678 - Sign In'), not SAML metadata" \
        in result.stderr
    assert "hostile" not in result.stderr and "DOCTYPE" not in result.stderr


def test_real_metadata_is_not_taken_for_a_web_page(cli):
    assert cli("import-metadata", MD_DIR / "okta.xml", "--now", NOW).exit_code == 0


# ---------------------------------------------------------------- commands in hints work

def test_check_cert_hint_is_the_command_that_works(cli, tmp_path, monkeypatch):
    """The verdict and the fix: lines print the whole command with the file given; run as
    printed (in a shell), it writes a clean PEM and exits 0."""
    import subprocess
    import sys

    name = tmp_path / "okta cert.txt"  # a space: the command must quote it
    name.write_bytes((CERTS / "no-armor.txt").read_bytes())
    result = cli("check-cert", name)
    assert result.exit_code == 1
    out = result.stdout + result.stderr
    commands = set(re.findall(r"`(ssoctl check-cert [^`]*--fix[^`]*)`", out))
    assert commands == {f"ssoctl check-cert {shlex.quote(str(name))} --fix > clean.pem"}
    command = commands.pop().replace("ssoctl", f"{shlex.quote(sys.executable)} -m ssoctl", 1)
    done = subprocess.run(command, shell=True, cwd=tmp_path, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "clean.pem").read_text().startswith("-----BEGIN CERTIFICATE-----\n")


def test_check_cert_hint_for_stdin_names_stdin(cli):
    result = cli("check-cert", "-", input=(CERTS / "no-armor.txt").read_bytes())
    assert "`ssoctl check-cert - --fix > clean.pem (with the same text on stdin)`" \
        in result.stdout


def _commands_in(text: str) -> list[list[str]]:
    """Every quoted ``ssoctl COMMAND [--option ...]`` (in backticks or quotes) in a text."""
    return [shlex.split(m.group(1).split(">")[0].replace("…", "x"))
            for m in re.finditer(r"[`']ssoctl ([^`']+)[`']", text)]


def _hint_texts() -> list[str]:
    from ssoctl import explain
    from ssoctl.findings.console import GET_METADATA

    texts = [e.fix for e in explain.finding_entries()] + [GET_METADATA]
    texts += [e.explanation for e in explain.finding_entries()]
    return [t for t in texts if "ssoctl " in t]


def test_every_command_a_hint_names_exists_with_its_options():
    """Audit: each `ssoctl X --opt` in a finding's fix or explanation is a real command
    with real options (a hint that exits 2 as written is worse than none)."""
    from ssoctl.cli.app import app
    import typer.main

    root = typer.main.get_command(app)
    checked = 0
    for text in _hint_texts():
        for words in _commands_in(text):
            command, rest = root, list(words)
            while rest and hasattr(command, "commands") and rest[0] in command.commands:
                command = command.commands[rest.pop(0)]
            assert command is not root, (words, text)
            known = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
            for word in rest:
                if word.startswith("-") and word != "-":
                    assert word in known, (word, words, text)
            checked += 1
    assert checked >= 5


# ---------------------------------------------------------------- failed checks come first

def test_failed_metadata_signature_gives_no_paste_advice(cli, tmp_path):
    out = tmp_path / "idp.pem"
    result = cli("import-metadata", MD_DIR / "entra.xml", "--now", NOW, "--verify-signature",
                 MD_DIR / "adfs-signing.pem", "--cert-out", out)
    assert result.exit_code == 4
    assert result.stdout.startswith("Do not use these values: metadata signature does not "
                                    "verify")
    assert "paste" not in result.stdout.lower()
    assert "BEGIN CERTIFICATE" not in result.stdout
    assert not out.exists()  # no write on a failed check
    env = cli("import-metadata", MD_DIR / "entra.xml", "--now", NOW, "--verify-signature",
              MD_DIR / "adfs-signing.pem", "--format", "env")
    assert env.exit_code == 4 and "SSOCTL_" not in env.stdout


# ---------------------------------------------------------------- no profile: one story

def test_no_profile_hint_and_config_validate_agree(cli, tmp_path, monkeypatch):
    """Following the no-profile hint's rehearsal command gives a profile that `config
    validate` does not then call unserved."""
    config = tmp_path / "config.toml"
    monkeypatch.setenv("SSOCTL_CONFIG", str(config))
    result = cli("sp", "status", "--json")
    assert result.exit_code == 2
    hint = result.json()["error"]["hint"]
    assert "api.sipgate.com" not in hint
    suggested = [c for c in re.findall(r"`(ssoctl config set [^`]*)`", hint)]
    assert suggested
    for command in suggested:
        assert cli(*shlex.split(command)[1:]).exit_code == 0
    validated = cli("config", "validate", "--json")
    codes = {f["code"] for f in validated.json()["findings"]}
    assert "CONFIG_DEFAULT_SIPGATE_URL" not in codes
