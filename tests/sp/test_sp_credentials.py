"""Tokens: where they come from, what is refused, and that they never show."""

from __future__ import annotations

import base64
import os

import pytest

from ssoctl.config.schema import Profile
from ssoctl.errors import ConfigError
from ssoctl.sp.credentials import describe_source, profile_env_prefix, read_token_file, resolve

TOKEN = "0f8e9d7c-SECRET-TOKEN"


def _profile(**kw):
    kw.setdefault("token_id", "token-ABC")
    return Profile(name="acme-eu", **kw)


def test_env_order():
    env = {"SSOCTL_TOKEN": "general", "SSOCTL_ACME_EU_TOKEN": "named", "MINE": "own"}
    assert resolve(_profile(token_env="MINE"), environ=env, is_tty=lambda: False).token == "own"
    assert resolve(_profile(), environ=env, is_tty=lambda: False).token == "named"
    del env["SSOCTL_ACME_EU_TOKEN"]
    got = resolve(_profile(), environ=env, is_tty=lambda: False)
    assert got.token == "general" and got.source == "environment variable SSOCTL_TOKEN"


def test_prefix():
    assert profile_env_prefix("acme-eu.1") == "SSOCTL_ACME_EU_1_"


def test_basic_header_and_secrets():
    got = resolve(_profile(), environ={"SSOCTL_TOKEN": TOKEN}, is_tty=lambda: False)
    header = got.headers()["Authorization"]
    assert header == "Basic " + base64.b64encode(f"token-ABC:{TOKEN}".encode()).decode()
    assert TOKEN in got.secrets and header.split()[1] in got.secrets
    assert TOKEN not in repr(got)


def test_bearer_and_custom_header():
    got = resolve(_profile(auth="bearer"), environ={"SSOCTL_TOKEN": TOKEN}, is_tty=lambda: False)
    assert got.headers() == {"Authorization": f"Bearer {TOKEN}"}
    got = resolve(_profile(auth="header", auth_header="X-Api-Key"),
                  environ={"SSOCTL_TOKEN": TOKEN}, is_tty=lambda: False)
    assert got.headers() == {"X-Api-Key": TOKEN}


def test_token_id_from_env_wins_over_profile():
    got = resolve(_profile(), environ={"SSOCTL_TOKEN": TOKEN, "SSOCTL_TOKEN_ID": "token-ENV"},
                  is_tty=lambda: False)
    assert got.token_id == "token-ENV"


def test_id_colon_token_in_one_value():
    got = resolve(_profile(token_id=None), environ={"SSOCTL_TOKEN": f"token-X:{TOKEN}"},
                  is_tty=lambda: False)
    assert (got.token_id, got.token) == ("token-X", TOKEN)


def test_basic_without_token_id_is_refused():
    with pytest.raises(ConfigError) as info:
        resolve(_profile(token_id=None), environ={"SSOCTL_TOKEN": TOKEN}, is_tty=lambda: False)
    assert info.value.code == "TOKEN_ID_MISSING"


def test_missing_token_without_terminal():
    with pytest.raises(ConfigError) as info:
        resolve(_profile(), environ={}, is_tty=lambda: False)
    assert info.value.code == "TOKEN_MISSING" and "command line" in info.value.hint


def test_prompt_on_terminal():
    asked = []
    got = resolve(_profile(), environ={}, is_tty=lambda: True,
                  prompt=lambda text: asked.append(text) or f" {TOKEN} ")
    assert got.token == TOKEN and got.source == "prompt" and "acme-eu" in asked[0]


def test_token_file(tmp_path):
    path = tmp_path / "t"
    path.write_text(TOKEN + "\n")
    os.chmod(path, 0o600)
    got = resolve(_profile(token_file=str(path)), environ={}, is_tty=lambda: False)
    assert got.token == TOKEN


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_token_file_readable_by_others_is_refused(tmp_path, mode):
    path = tmp_path / "t"
    path.write_text(TOKEN)
    os.chmod(path, mode)
    with pytest.raises(ConfigError) as info:
        read_token_file(str(path))
    assert info.value.code == "TOKEN_FILE_INSECURE" and "chmod 600" in info.value.hint
    assert TOKEN not in info.value.message + info.value.hint


def test_token_file_problems(tmp_path):
    with pytest.raises(ConfigError) as info:
        read_token_file(str(tmp_path / "missing"))
    assert info.value.code == "TOKEN_FILE_MISSING"
    two = tmp_path / "two"
    two.write_text("a\nb\n")
    os.chmod(two, 0o600)
    with pytest.raises(ConfigError):
        read_token_file(str(two))


def test_describe_source_never_shows_value():
    text = describe_source(_profile(), environ={"SSOCTL_TOKEN": TOKEN})
    assert "SSOCTL_TOKEN" in text and TOKEN not in text
    assert "not set" in describe_source(_profile(), environ={})


def test_describe_source_says_a_token_file_is_unusable(tmp_path):
    path = tmp_path / "t.token"
    path.write_text(TOKEN)
    path.chmod(0o644)
    text = describe_source(_profile(token_file=str(path)), environ={})
    assert "unusable" in text and "chmod 600" in text and TOKEN not in text
    path.chmod(0o600)
    assert describe_source(_profile(token_file=str(path)), environ={}) == f"token file {path}"
    missing = describe_source(_profile(token_file=str(tmp_path / "none")), environ={})
    assert "does not exist" in missing


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and modes are POSIX")
def test_a_token_file_that_is_not_a_regular_file_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "token"
    os.mkfifo(fifo, 0o600)  # reading it would wait for a writer forever
    with pytest.raises(ConfigError) as info:
        read_token_file(str(fifo))
    assert info.value.code == "TOKEN_FILE_UNREADABLE" and "not a regular file" in info.value.message


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and modes are POSIX")
def test_a_token_file_swapped_for_a_fifo_at_the_last_moment_is_refused_without_blocking(
        tmp_path, monkeypatch):
    """The file is examined through the descriptor that reads it: replacing the path by a
    FIFO just before it is opened (a race with another local user) cannot make ssoctl wait
    for a writer forever, and what it refuses is what it opened."""
    import threading

    path = tmp_path / "token"
    path.write_text(TOKEN)
    path.chmod(0o600)
    real_open = os.open

    def swap_then_open(target, flags, *args):
        if str(target) == str(path):
            path.unlink()
            os.mkfifo(path, 0o600)
        return real_open(target, flags, *args)

    monkeypatch.setattr(os, "open", swap_then_open)
    outcome: list[BaseException] = []
    worker = threading.Thread(target=lambda: outcome.append(
        pytest.raises(ConfigError, read_token_file, str(path)).value), daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "reading the token file blocked on a FIFO"
    assert outcome and outcome[0].code == "TOKEN_FILE_UNREADABLE"
    assert "not a regular file" in outcome[0].message


def test_a_huge_token_file_is_refused(tmp_path):
    big = tmp_path / "token"
    big.write_bytes(b"x" * (1024 * 1024))
    big.chmod(0o600)
    with pytest.raises(ConfigError) as info:
        read_token_file(str(big))
    assert info.value.code == "TOKEN_FILE_UNREADABLE" and "larger than" in info.value.message
