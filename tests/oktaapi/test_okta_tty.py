"""What a person sees on a real terminal (a pseudo-terminal, ssoctl as a subprocess):
configure's plan and question on the terminal, nothing written on "n", written on "y";
``okta list`` and ``okta check`` fitting terminals of several widths."""

from __future__ import annotations

import os
import re

import pytest

from conftest import NOW
from terminal.screen import converse

ACS = "https://sipgate.example/saml/acs"
SP_ENTITY = "https://sipgate.example/saml/metadata"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def env_for(okta_token, tmp_path, **extra):
    return {**os.environ, "SSOCTL_OKTA_TOKEN": okta_token,
            "SSOCTL_CONFIG": str(tmp_path / "none.toml"), "SSOCTL_PROFILE": "",
            "SSOCTL_OKTA_ORG": "", "SSOCTL_OKTA_CLIENT_ID": "", **extra}


def on_terminal(args, env, *, columns=100, reply=None, stdout_tty=False):
    """Run ``python -m ssoctl ARGS`` with stdin/stderr (and stdout) on a pty of ``columns``."""
    code, seen, out = converse(args, env={**env, "COLUMNS": str(columns)}, columns=columns,
                               answer=reply, stdout_tty=stdout_tty)
    return code, ANSI.sub("", seen), out


@pytest.mark.parametrize("reply, written", [("n", False), ("y", True)])
def test_configure_asks_on_a_terminal(okta_org, okta_token, tmp_path, reply, written):
    env = env_for(okta_token, tmp_path)
    code, terminal, stdout = on_terminal(
        ["okta", "configure", "--org", okta_org.url, "--acs-url", ACS, "--sp-entity-id",
         SP_ENTITY, "--backup-dir", str(tmp_path)], env, reply=reply)
    assert code == 0, terminal + stdout
    assert "Single sign-on URL" in terminal and "Write these settings to Okta?" in terminal
    created = any(r.method == "POST" and r.path == "/api/v1/apps" for r in okta_org.requests)
    assert created is written
    assert ("created" if written else "not confirmed") in stdout
    assert "\x1b[" not in stdout  # stdout is a pipe: plain text


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_list_and_check_fit_the_terminal(okta_org, okta_token, tmp_path, columns):
    okta_org.add_app("sipgate", acs_url=ACS, audience=SP_ENTITY,
                     user_name_template="${source.email}")
    okta_org.add_app("A rather long label for a legacy CRM integration",
                     acs_url="https://crm.example/saml/consumer/very/long/path", audience="crm")
    env = env_for(okta_token, tmp_path)
    for args in (["okta", "list"], ["okta", "check", "sipgate", "--acs-url", ACS,
                                    "--sp-entity-id", SP_ENTITY]):
        code, terminal, _ = on_terminal([*args, "--org", okta_org.url, "--now",
                                         NOW.isoformat()], env, columns=columns,
                                        stdout_tty=True)
        assert code in (0, 1), terminal
        lines = re.split(r"[\r\n]", terminal)  # the progress bar redraws with \r
        assert max(len(line) for line in lines) <= columns, terminal
        assert "sipgate" in terminal
        assert "Traceback" not in terminal
