"""Long work shows progress on a terminal (stderr) and ends with a summary; pipes, CI logs
and --json get neither the spinner nor control characters."""

from __future__ import annotations

import sys

import pytest

from conftest import FIXTURES
from terminal.screen import run_with_terminal_stderr

HAR = FIXTURES / "captures" / "login.har"
AT = "2026-06-01T12:00:03Z"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")


def _run_with_terminal_stderr(args: list[str], tmp_path) -> tuple[int, str, str]:
    return run_with_terminal_stderr(args, env={"SSOCTL_CONFIG": str(tmp_path / "none.toml")})


def test_decode_all_shows_progress_on_a_terminal(tmp_path):
    status, out, screen = _run_with_terminal_stderr(
        ["decode-response", str(HAR), "--all", "--now", AT], tmp_path)
    assert status == 0, screen
    assert f"decoding {HAR}" in screen
    assert "\x1b[" not in out  # stdout is a pipe: plain text


def test_no_progress_with_json(tmp_path):
    status, out, screen = _run_with_terminal_stderr(
        ["decode-response", str(HAR), "--all", "--now", AT, "--json"], tmp_path)
    assert status == 0
    assert "decoding" not in screen


def test_no_progress_in_a_pipe(cli):
    result = cli("decode-response", HAR, "--all", "--now", AT)
    assert "decoding" not in result.stderr


def test_a_run_over_several_messages_ends_with_a_summary(cli):
    result = cli("decode-response", HAR, "--all", "--now", AT)
    out = result.stdout
    assert "Summary: 3 messages decoded" in out
    summary = out[out.index("Summary: 3 messages decoded"):]
    assert "AuthnRequest" in summary and "LogoutRequest" in summary and "Response" in summary
    assert "Findings by code" in summary and "SIG_NOT_VERIFIED" in summary
    single = cli("decode-response", HAR, "--entry", "2", "--now", AT)
    assert "Summary:" not in single.stdout
