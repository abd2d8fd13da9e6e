"""ssoctl decode-response on large browser HARs (issue 14): streamed from the file with
bounded memory, with the output a small capture read whole gives, and one-line errors for
a cut-off, invalid or foreign file (docs/threat-model.md, "Resource exhaustion")."""

from __future__ import annotations

import base64
import json
import os
import random
import subprocess
import sys
import zlib
from pathlib import Path
from urllib.parse import quote

import pytest

from ssoctl.rehearsal import samlgen
from ssoctl.saml import capture

from conftest import NOW
from terminal.screen import run_with_terminal_stderr

ROOT = Path(__file__).resolve().parents[2]
AT = "2026-06-01T12:01:00Z"
MiB = 1024 * 1024


def _deflate(data: bytes) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush()


def asset(number: int, text: str, mime: str = "image/png") -> dict:
    return {"startedDateTime": "2026-06-01T12:00:00.000Z", "time": 3,
            "request": {"method": "GET", "url": f"https://cdn.example/{number}",
                        "headers": [{"name": "accept", "value": "*/*"}]},
            "response": {"status": 200, "headers": [], "content": {
                "mimeType": mime, "text": text, "encoding": "base64"}},
            "timings": {"wait": 1}}


def login_entries() -> list[dict]:
    """The SP's AuthnRequest (Redirect) and the POST of the Response to the ACS."""
    request = base64.b64encode(_deflate(samlgen.authn_request(now=NOW, id="_r1"))).decode()
    response = base64.b64encode(samlgen.response(now=NOW, in_response_to="_r1")).decode()
    return [
        {"startedDateTime": "2026-06-01T12:00:00.000Z",
         "request": {"method": "GET", "url": f"https://idp.example/sso?SAMLRequest="
                                             f"{quote(request, safe='')}&RelayState=r1",
                     "headers": [{"name": "Cookie", "value": "sid=secret"}]},
         "response": {"status": 200, "headers": [], "content": {"mimeType": "text/html"}}},
        {"startedDateTime": "2026-06-01T12:00:01.000Z",
         "request": {"method": "POST", "url": samlgen.ACS_URL, "headers": [],
                     "postData": {"mimeType": "application/x-www-form-urlencoded",
                                  "text": f"SAMLResponse={quote(response, safe='')}"}},
         "response": {"status": 302, "headers": [{"name": "Location",
                                                  "value": "https://app.example/"}],
                      "content": {"mimeType": "text/plain"}}},
    ]


def write_large_har(path: Path, megabytes: int) -> int:
    """Page assets (large base64 bodies) first, the login's SAML entries at the very end."""
    body = base64.b64encode(random.Random(14).randbytes(6 * MiB)).decode()  # 8 MiB, reused
    count = 0
    with path.open("w") as out:
        out.write('{"log": {"version": "1.2", "creator": {"name": "test"}, "entries": [')
        while out.tell() < megabytes * MiB:
            out.write(("," if count else "") + json.dumps(asset(count, body)))
            count += 1
        for item in login_entries():
            out.write("," + json.dumps(item))
        out.write("]}}")
    return count + 2


@pytest.fixture
def streamed(monkeypatch):
    """Every JSON capture given as a file is streamed (small ones too)."""
    monkeypatch.setattr(capture, "STREAM_FROM", 0)


@pytest.fixture
def small_har(tmp_path) -> tuple[Path, bytes]:
    entries = [asset(0, "QUJD" * 100), *login_entries(), asset(3, "QUJD")]
    data = json.dumps({"log": {"version": "1.2", "entries": entries}}).encode()
    path = tmp_path / "login.har"
    path.write_bytes(data)
    return path, data


def _same(streamed_json: dict, whole_json: dict, path: Path) -> None:
    assert streamed_json["data"]["source"] == str(path)
    streamed_json["data"]["source"] = whole_json["data"]["source"]
    assert streamed_json == whole_json


@pytest.mark.parametrize("options", [["--list"], ["--entry", "1"], ["--entry", "2"], ["--all"],
                                     []])
def test_a_streamed_file_reads_like_the_same_bytes_on_stdin(cli, streamed, small_har, options):
    path, data = small_har
    from_file = cli("decode-response", path, *options, "--now", AT, "--json")
    from_stdin = cli("decode-response", "-", *options, "--now", AT, "--json", input=data)
    assert from_file.exit_code == from_stdin.exit_code
    _same(from_file.json(), from_stdin.json(), path)
    human_file = cli("decode-response", path, *options, "--now", AT)
    human_stdin = cli("decode-response", "-", *options, "--now", AT, input=data)
    assert human_file.stdout.replace(str(path), "stdin") == human_stdin.stdout


#: Runs ``python -m ssoctl ...`` and writes the process's peak memory (VmHWM, KiB) to
#: the file named first. Not ru_maxrss: on Linux it also counts the memory of the
#: process that started the child before exec (the test worker), so it would measure
#: pytest, not ssoctl.
_PEAK = """
import atexit, runpy, sys

def _peak(path=sys.argv[1]):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                with open(path, "w") as out:
                    out.write(line.split()[1])

atexit.register(_peak)
sys.argv = ["ssoctl", *sys.argv[2:]]
runpy.run_module("ssoctl", run_name="__main__", alter_sys=True)
"""


def _run(argv: list[str], tmp_path: Path) -> tuple[int, str, str, int]:
    """ssoctl in a child process: exit code, stdout, stderr, its peak memory in bytes."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", COLUMNS="120")
    peak = tmp_path / "peak.txt"
    done = subprocess.run([sys.executable, "-c", _PEAK, str(peak), *argv],
                          capture_output=True, stdin=subprocess.DEVNULL, env=env, timeout=300)
    return (done.returncode, done.stdout.decode(), done.stderr.decode(),
            int(peak.read_text()) * 1024)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_the_saml_entry_after_55_mb_of_assets_in_bounded_memory(tmp_path):
    """The login's messages are the last entries after 55 MiB of page assets: found and
    decoded, and the process stays far below what loading the file would take (the
    benchmark, benchmarks/har_large.py, measures 300 MB)."""
    path = tmp_path / "large.har"
    entries = write_large_har(path, 55)
    assert path.stat().st_size > 55 * MiB
    code, out, err, peak = _run(["decode-response", str(path), "--all", "--json", "--now", AT],
                                tmp_path)
    assert code in (0, 1), err
    doc = json.loads(out)["data"]
    assert doc["form"] == "har" and doc["messages_found"] == 2
    assert [m["parameter"] for m in doc["messages"]] == ["SAMLRequest", "SAMLResponse"]
    assert doc["messages"][1]["method"] == "POST"
    assert peak < 150 * MiB, f"peak memory {peak / MiB:.0f} MiB"
    code, out, err, peak = _run(["decode-response", str(path), "--list", "--json"], tmp_path)
    assert code == 0 and len(json.loads(out)["data"]["messages"]) == 2
    assert peak < 150 * MiB, f"peak memory {peak / MiB:.0f} MiB"
    # cut off in the middle of an asset: one line, a hint, exit 3, never a traceback
    cut = tmp_path / "cut.har"
    with path.open("rb") as source, cut.open("wb") as target:
        target.write(source.read(path.stat().st_size // 2))
    code, out, err, _ = _run(["decode-response", str(cut)], tmp_path)
    assert code == 3 and out == ""
    assert err.startswith("error: ") and "cut off" in err and "Traceback" not in err
    assert "save the HAR" in err
    assert entries > 6


def test_a_cut_off_capture_is_exit_3_in_json_too(cli, streamed, small_har, monkeypatch):
    from ssoctl.saml import decode

    path, data = small_har
    path.write_bytes(data[: len(data) * 2 // 3])
    monkeypatch.setattr(decode, "MAX_INPUT_BYTES", 1000)  # too large to be read whole
    result = cli("decode-response", path, "--json")
    assert result.exit_code == 3
    error = result.json()["error"]
    assert error["code"] == "HAR_MALFORMED" and "cut off" in error["message"]
    human = cli("decode-response", path)
    assert human.exit_code == 3 and "Traceback" not in human.stderr
    assert human.stderr.startswith("error: ") and "cut off" in human.stderr


@pytest.mark.parametrize("text, code", [
    ('{"log": {"entries": [{"time": 1}, {"time": NaN}]}}', "HAR_MALFORMED"),
    ('{"log": {"entries": [}', "HAR_MALFORMED"),
    ('{"data": {"rows": [1, 2, 3]}, "log": "text"}', "SAML_INPUT_UNRECOGNISED"),
    ('{"log": {"pages": []}}', "HAR_MALFORMED"),
    ('{"log": {"entries": [{"request": {"url": "https://example.org/"}}]}}', "SAML_NO_MESSAGE"),
])
def test_invalid_json_or_not_a_har_is_exit_3(cli, streamed, tmp_path, monkeypatch, text, code):
    from ssoctl.saml import decode

    path = tmp_path / "odd.har"
    path.write_text(text + " " * 2000)
    monkeypatch.setattr(decode, "MAX_INPUT_BYTES", 1000)  # streamed, not read whole
    result = cli("decode-response", path, "--json")
    assert result.exit_code == 3 and result.json()["error"]["code"] == code
    assert result.json()["error"]["hint"]
    human = cli("decode-response", path, "--list")
    assert human.exit_code == 3 and human.stderr.startswith("error: ")
    assert "Traceback" not in human.stderr


def test_hostile_message_in_a_streamed_capture_is_refused(cli, streamed, tmp_path):
    laughs = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
              b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="x" '
              b'Version="2.0">&b;</samlp:Response>')
    value = quote(base64.b64encode(laughs).decode(), safe="")
    entries = [asset(0, "QUJD" * 1000),
               {"request": {"method": "POST", "url": samlgen.ACS_URL,
                            "postData": {"text": f"SAMLResponse={value}"}}}]
    path = tmp_path / "hostile.har"
    path.write_text(json.dumps({"log": {"entries": entries}}))
    result = cli("decode-response", path, "--json", "--now", AT)
    assert result.exit_code == 3 and result.json()["error"]["code"] == "XML_DOCTYPE"


def test_a_capture_over_the_file_bound_says_how_to_make_a_smaller_one(cli, streamed,
                                                                     small_har, monkeypatch):
    path, _ = small_har
    monkeypatch.setattr(capture, "MAX_CAPTURE_FILE", 100)
    result = cli("decode-response", path, "--json")
    assert result.exit_code == 3
    error = result.json()["error"]
    assert error["code"] == "INPUT_TOO_LARGE" and "jq '.log.entries" in error["hint"]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")
@pytest.mark.parametrize("columns", ["60", "120"])
def test_a_streamed_capture_shows_its_size_while_decoding_on_a_terminal(tmp_path, columns):
    """What a person sees: the spinner on stderr names the file and its size (streamed
    captures too), then the usual report; nothing of the page assets."""
    path = tmp_path / "session.har"
    write_large_har(path, 6)  # over STREAM_FROM: streamed
    returncode, text, shown = run_with_terminal_stderr(
        ["decode-response", path.name, "--all", "--now", AT], cwd=tmp_path, columns=int(columns),
        timeout=120, env={"SSOCTL_CONFIG": str(tmp_path / "none.toml"), "PYTHONPATH": str(ROOT)})
    assert returncode in (0, 1), shown
    assert "decoding session.har (" in shown and " MB)" in shown
    assert "Summary: 2 messages decoded" in text and "AuthnRequest" in text
    assert "cdn.example" not in text
