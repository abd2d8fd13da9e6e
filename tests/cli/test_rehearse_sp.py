"""``ssoctl rehearse sp``: the fake SP from an installed ssoctl (no ``python -m``)."""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import subprocess
import sys
import time

import requests

from ssoctl.rehearsal import fakesp

TOKEN_ID, TOKEN = "token-TEST01", "rehearsal-test-token"


def _start(*args: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "SSOCTL_TOKEN": TOKEN, "SSOCTL_TOKEN_ID": TOKEN_ID}
    proc = subprocess.Popen([sys.executable, "-m", "ssoctl", "rehearse", "sp", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    seen, deadline = b"", time.monotonic() + 30
    while b"Ctrl-C stops it" not in seen and time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if select.select([proc.stderr], [], [], 0.5)[0]:
            seen += os.read(proc.stderr.fileno(), 4096)
    return proc, seen.decode()


def test_serves_the_contract_until_ctrl_c():
    proc, text = _start("--port", "0")
    try:
        match = re.search(r"base_url = (\S+)  path = (\S+)  token id = (\S+)", text)
        assert match, text
        base, path, token_id = match.groups()
        assert base.startswith("http://127.0.0.1:") and base.endswith("/v2")
        assert token_id == TOKEN_ID and TOKEN not in text  # a given token is not echoed
        assert "sp-api.md" in text  # where the contract is documented
        reply = requests.get(base + path, auth=(TOKEN_ID, TOKEN), timeout=10)
        assert reply.status_code == 200 and "ETag" in reply.headers
        assert requests.get(base + path, auth=(TOKEN_ID, "wrong"), timeout=10).status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and b"Traceback" not in err
    assert b"stopped" in err


def test_a_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "ssoctl", "rehearse", "sp", "--port",
                               str(port)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")
    assert "hint: " in proc.stderr and "Traceback" not in proc.stderr


def test_an_unknown_fault_is_a_usage_error():
    proc = subprocess.run([sys.executable, "-m", "ssoctl", "rehearse", "sp", "--fault", "nope"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "unknown --fault 'nope'" in proc.stderr
    assert all(kind in proc.stderr for kind in fakesp.FAULTS)


def test_a_path_without_its_leading_slash_is_served_where_a_profile_sends_it():
    """A profile's ``path = "sso/settings"`` is joined to base_url with one slash; the
    fake SP given ``--path sso/settings`` serves that resource (not 404 to every call)
    and prints the path with its slash."""
    from ssoctl.config.schema import join_url

    started = fakesp.start(port=0, path="sso/settings", token=TOKEN, token_id=TOKEN_ID)
    try:
        assert started.path == "/sso/settings"
        assert f"{started.base_url}/sso/settings\n" in fakesp.describe(started)
        answer = started.sp.handle("GET", "/sso/settings",
                                   {"Authorization": f"Bearer {TOKEN}"}, b"")
        assert answer[0] != 404
        assert join_url(started.base_url, "sso/settings").endswith(started.path)
    finally:
        started.server.server_close()


def test_a_path_with_a_query_or_fragment_is_a_usage_error():
    for given in ("/sso?x=1", "/sso#top"):
        proc = subprocess.run([sys.executable, "-m", "ssoctl", "rehearse", "sp", "--port", "0",
                               "--path", given], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith(f"error: --path {given!r}") and "hint: " in proc.stderr
