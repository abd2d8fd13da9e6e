"""Input the way people have it: a SAMLResponse pasted at a terminal, or given with --text.

A SAMLResponse is one line of 5-15 KB; a terminal in canonical mode keeps only 4,095 bytes
of a line. The paste is sent through a real pseudo-terminal, as a person's terminal would.
"""

from __future__ import annotations

import base64
import os
import pty
import subprocess
import sys
import threading
import time

import pytest

from ssoctl.rehearsal import samlgen

from conftest import NOW

AT = "2026-06-01T12:01:00Z"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")


@pytest.fixture(scope="module")
def big_value() -> str:
    """A SAMLResponse value of about 12 KB, on one line (Okta sends big attribute sets)."""
    attributes = {f"group{i:03d}": [f"sipgate-users-department-{i:03d}-" + "x" * 40]
                  for i in range(22)}
    value = base64.b64encode(samlgen.response(now=NOW, attributes=attributes)).decode()
    assert 11_000 < len(value) < 15_000
    return value


def _paste_through_pty(args: list[str], pasted: bytes, tmp_path) -> tuple[int, str, str]:
    """Run ssoctl with stdin (and stderr) on a pseudo-terminal; wait for the prompt, paste,
    then Ctrl-D, as a person would. Returns (exit status, stdout, terminal text)."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "SSOCTL_CONFIG": str(tmp_path / "none.toml")}
    proc = subprocess.Popen([sys.executable, "-m", "ssoctl", *args], stdin=slave,
                            stdout=subprocess.PIPE, stderr=slave, env=env, cwd=tmp_path)
    os.close(slave)
    seen = bytearray()
    prompted = threading.Event()

    def drain() -> None:  # the terminal's screen: prompt, echo of the paste
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            seen.extend(chunk)
            if b"Ctrl-D" in seen:
                prompted.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        assert prompted.wait(30), bytes(seen).decode(errors="replace")
        for start in range(0, len(pasted), 1024):  # a terminal delivers a paste in pieces
            os.write(master, pasted[start:start + 1024])
        time.sleep(0.2)
        os.write(master, b"\x04")
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(5)
        os.close(master)
    return proc.returncode, out.decode(), bytes(seen).decode(errors="replace")


def test_a_12kb_saml_response_pasted_at_a_terminal_arrives_whole(big_value, tmp_path):
    status, out, screen = _paste_through_pty(
        ["decode-response", "-", "--now", AT, "--json"], big_value.encode() + b"\n", tmp_path)
    assert "Paste the SAMLResponse" in screen and "Ctrl-D" in screen
    assert status == 0, out + screen[-300:]
    import json

    doc = json.loads(out)
    message = doc["data"]["messages"][0]["message"]
    assert message["kind"] == "Response"
    # every attribute made it: the value was not cut at 4,095 bytes
    names = {a["name"] for a in message["assertions"][0]["attributes"]}
    assert {f"group{i:03d}" for i in range(22)} <= names


def test_the_terminal_is_restored_after_the_paste(big_value, tmp_path):
    """After the paste the terminal is back in canonical mode (line editing works)."""
    import termios

    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    proc = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\nfrom ssoctl.cli.paste import read_paste\n"
         "data = read_paste(0, 1 << 20, prompt='ready')\nsys.stdout.write(str(len(data)))"],
        stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr.readline() == b"ready\n"  # shown once the terminal is switched
    os.write(master, b"abc\x7fd\n\x04")
    out, _ = proc.communicate(timeout=30)
    after = termios.tcgetattr(slave)
    os.close(slave)
    os.close(master)
    assert out == b"4"  # backspace removed the c: a, b, d, newline
    assert after[3] & termios.ICANON and after == before


def test_text_option_takes_the_value(cli, big_value):
    result = cli("decode-response", "--text", big_value, "--now", AT, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["data"]["source"] == "--text"


def test_text_option_and_a_file_are_a_usage_error(cli, tmp_path):
    (tmp_path / "r.b64").write_text("x")
    result = cli("decode-response", str(tmp_path / "r.b64"), "--text", "abc")
    assert result.exit_code == 2
    assert "not both" in result.stderr + result.stdout


def test_a_capture_over_the_size_limit_says_how_to_make_a_smaller_one(cli, monkeypatch):
    from conftest import FIXTURES
    from ssoctl.saml import decode

    monkeypatch.setattr(decode, "MAX_INPUT_BYTES", 1000)
    result = cli("decode-response", FIXTURES / "captures" / "login.har", "--json")
    assert result.exit_code == 3
    error = result.json()["error"]
    assert error["code"] == "INPUT_TOO_LARGE"
    assert "smaller capture" in error["hint"] and "jq '.log.entries" in error["hint"]


def test_too_many_har_entries_says_how_to_filter(cli, tmp_path):
    import json

    from ssoctl.saml.har import MAX_HAR_ENTRIES

    entries = [{"request": {"method": "GET", "url": f"https://x.example/{i}"}}
               for i in range(MAX_HAR_ENTRIES + 1)]
    path = tmp_path / "big.har"
    path.write_text(json.dumps({"log": {"entries": entries}}))
    result = cli("decode-response", path, "--json")
    assert result.exit_code == 3
    assert "SAML(Response|Request)" in result.json()["error"]["hint"]


def test_check_cert_paste_at_a_terminal(tmp_path):
    """check-cert - reads a paste the same way: the body as one long line arrives whole."""
    from conftest import FIXTURES

    body = (FIXTURES / "certs" / "no-armor-one-line.txt").read_bytes().strip()
    status, out, screen = _paste_through_pty(
        ["check-cert", "-", "--now", AT, "--json"], body + b"\n", tmp_path)
    import json

    doc = json.loads(out)
    assert "Paste the certificate" in screen
    assert doc["data"]["repairable"] is True and doc["data"]["source"] == "stdin"
