"""``ssoctl rehearse okta`` on a real terminal (a pseudo-terminal) of several widths: the
start-up report fits, the token is shown once with its warning, Ctrl-C stops it with 0."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import struct
import subprocess
import sys
import termios

import pytest

from conftest import ROOT
from terminal.screen import read_terminal

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_start_up_report_fits_the_terminal(columns):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {**os.environ, "COLUMNS": str(columns), "SSOCTL_OKTA_TOKEN": ""}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "ssoctl", "rehearse", "okta", "--port", "0",
                             "--quiet"], stdin=slave, stdout=slave, stderr=slave, env=env,
                            cwd=ROOT)
    os.close(slave)
    try:
        seen, _ = read_terminal(master, proc, timeout=60, until=b"Ctrl-C stops")
        proc.send_signal(signal.SIGINT)
        seen, _ = read_terminal(master, proc, timeout=60, until=b"stopped", seen=seen)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    text = ANSI.sub("", seen.decode(errors="replace")).replace("\r\n", "\n")
    assert proc.returncode == 0, text
    assert "\x1b[" in seen.decode(errors="replace")  # a colour terminal gets colour
    assert "Rehearsal org" in text and "Org URL" in text and "Legacy HR" in text
    assert text.count("export SSOCTL_OKTA_TOKEN=") == 1
    assert "local rehearsal token" in text
    report = text.split("API token (a local rehearsal token", 1)[0]
    # prose wraps at the width; only a value on a line of its own (a URL, one word) may
    # run past the edge, so that copying it gives it whole
    too_wide = [line for line in report.splitlines()
                if len(line) > columns and " " in line.strip()]
    assert not too_wide, too_wide
