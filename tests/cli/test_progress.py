"""Long work shows progress on a terminal (stderr) and ends with a summary; pipes, CI logs
and --json get neither the spinner nor control characters."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from conftest import FIXTURES

HAR = FIXTURES / "captures" / "login.har"
AT = "2026-06-01T12:00:03Z"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")


def _run_with_terminal_stderr(args: list[str], tmp_path) -> tuple[int, str, str]:
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "SSOCTL_CONFIG": str(tmp_path / "none.toml")}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "ssoctl", *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    screen = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    out, _ = proc.communicate(timeout=60)
    os.close(master)
    return proc.returncode, out.decode(), screen.decode(errors="replace")


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
