"""What a person sees on a real terminal (a pseudo-terminal at several widths) when another
editor races ssoctl, and when an SP echoes the token and escape sequences back
(docs/threat-model.md, "Concurrent edits" and "Secrets")."""

from __future__ import annotations

import os
import re
import threading

import pytest

from conftest import ROOT
from terminal.screen import converse
from ssoctl.rehearsal import fakesp

from .fake_sp import TOKEN, TOKEN_ID
from .test_push_secrets import EchoSp, encodings, make_token

METADATA = str(ROOT / "fixtures" / "metadata" / "okta.xml")


def _on_terminal(args: list[str], env: dict[str, str], cwd, columns: int) -> tuple[int, str]:
    """Run ``python -m ssoctl ARGS`` with stdin, stdout and stderr on a pseudo-terminal of
    ``columns`` columns; return the exit status and everything the terminal received."""
    env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}  # the pty decides
    code, seen, _ = converse(args, env=env, columns=columns, cwd=cwd)
    return code, seen


def _flat(text: str) -> str:
    """Terminal text without colours, with wrapped lines joined again."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def fake_sp_server():
    made = []

    def start(*faults: str) -> tuple[fakesp.ContractSp, str]:
        sp = fakesp.ContractSp(token=TOKEN, token_id=TOKEN_ID, faults=frozenset(faults))
        server = fakesp.serve(sp, port=0, log=open(os.devnull, "w"))
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        made.append(server)
        return sp, f"http://127.0.0.1:{server.server_address[1]}/v2"

    yield start
    for server in made:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("columns", [60, 120])
def test_a_concurrent_edit_reads_well_on_a_terminal(tmp_path, fake_sp_server, columns):
    sp, base_url = fake_sp_server("concurrent-edit")
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles."acme $x"]\nbase_url = "{base_url}"\ntoken_id = "{TOKEN_ID}"\n'
                      f'backup_dir = "{tmp_path / "backups"}"\n')
    env = {**{k: v for k, v in os.environ.items() if k != "NO_COLOR"}, "SSOCTL_TOKEN": TOKEN,
           "SSOCTL_CONFIG": str(config), "SSOCTL_PROFILE": "", "SSOCTL_TOKEN_ID": ""}
    code, terminal = _on_terminal(["push", "--metadata", METADATA, "--yes"], env, tmp_path,
                                  columns)
    assert code == 5, terminal
    flat = _flat(terminal)
    assert "Traceback" not in terminal
    assert "changed by someone else after ssoctl read them" in flat
    assert fakesp.COLLEAGUE_SSO_URL in flat.replace(" ", "") or \
        fakesp.COLLEAGUE_SSO_URL in flat
    assert "re-run push to plan against the current settings" in flat
    assert sp.settings["sso_url"] == fakesp.COLLEAGUE_SSO_URL
    for line in terminal.splitlines():
        assert len(re.sub(r"\x1b\[[0-9;]*m", "", line)) <= columns


@pytest.mark.parametrize("columns", [60, 120])
def test_an_echoing_sp_shows_no_token_and_no_escapes_on_a_terminal(tmp_path, hostile, columns):
    token = make_token()
    sp = EchoSp(hostile, token)
    sp.put_answer = "refuse"
    sp.reason_extra = " \x1b[2J\x1b]0;owned\x07\x9b31m"
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.acme]\nbase_url = "{hostile.url("/v2")}"\n'
                      f'token_id = "token-ECHO01"\nbackup_dir = "{tmp_path / "backups"}"\n'
                      f'retries = 0\ndeadline = 10\n')
    env = {**os.environ, "SSOCTL_TOKEN": token, "SSOCTL_CONFIG": str(config),
           "SSOCTL_PROFILE": "", "SSOCTL_TOKEN_ID": ""}
    code, terminal = _on_terminal(["--debug", "push", "--metadata", METADATA, "--yes"], env,
                                  tmp_path, columns)
    assert code == 5, terminal
    assert "Traceback" in terminal  # --debug shows it, and it passes the redactor too
    joined = terminal.replace("\r\n", "").replace("\n", "")
    for name, form in encodings(token).items():
        assert form not in terminal and form not in joined, name
    assert "<hidden>" in terminal
    assert "\x1b[2J" not in terminal and "\x1b]0;" not in terminal and "\x9b" not in terminal
    assert "\\x1b[2J" in terminal  # shown escaped (the --debug reason phrase)
