"""Hostile text in the input never reaches a terminal raw, and never crashes an encoder
(docs/threat-model.md, "Terminal and output").

Values come from a HAR file (method, URL, RelayState), a SAML-tracer export, a
certificate subject, metadata (entityID, certificate) and a SAML Response (Issuer, NameID).
Each carries escape sequences (CSI clear screen, OSC 0 window title, OSC 8 hyperlink), an
8-bit CSI (U+009B), a carriage return, a right-to-left override (U+202E) or a lone
surrogate. Human output shows them as visible escapes; JSON is valid UTF-8 with them as
``\\uXXXX`` escapes. The terminal tests run ssoctl on a real pseudo-terminal, in colour at
two widths and without colour.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from ssoctl.textsafe import encodable, json_safe, visible

from conftest import FIXTURES, NOW, ROOT
from terminal.screen import read_terminal

HOSTILE = ("\x1b[2J\x1b]0;owned\x07\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
           "\x9b31m\u202egnp.exe\rX")
#: The same, for XML text (XML 1.0 allows no ESC or BEL; a CR is written as &#13;).
HOSTILE_XML = "\x9b31m\u202egnp.exe\rX"
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: What rich writes for colour: SGR sequences only.
SGR = re.compile(rb"\x1b\[[0-9;]*m")
#: What rich's transient progress line (stderr, terminals only) writes to redraw and then
#: remove itself: hide/show the cursor, erase the line, cursor up, carriage return.
LIVE = re.compile(rb"\x1b\[\?25[lh]|\x1b\[2K|\x1b\[[0-9]*A|\r(?=\x1b\[)")


# ---------------------------------------------------------------- textsafe

def test_visible_escapes_controls_bidi_and_surrogates_and_keeps_text():
    assert visible("plain ÄÖÜ 日本 text\twith tab\n") == "plain ÄÖÜ 日本 text\twith tab\n"
    shown = visible(HOSTILE + "\ud800\x7f")
    assert shown == ("\\x1b[2J\\x1b]0;owned\\x07\\x1b]8;;https://evil.example/\\x1b\\click"
                     "\\x1b]8;;\\x1b\\\\x9b31m\\u202egnp.exe\\x0dX\\ud800\\x7f")
    assert visible("a\tb\nc", one_line=True) == "a\\x09b\\x0ac"
    assert encodable("x\ud800y\x1b") == "x\\ud800y\x1b"


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.text() | st.integers() | st.none(),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20))
def test_json_safe_is_the_same_document_and_always_utf8(value):
    text = json_safe(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value
    text.encode("utf-8")  # never a UnicodeEncodeError
    assert not re.search("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]", text)
    assert not BIDI.search(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_visible_output_has_no_raw_control_bidi_or_surrogate(text):
    shown = visible(text)
    shown.encode("utf-8")
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]", shown)
    assert not BIDI.search(shown)


_FULL = {False: re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                          "\u2066-\u2069\u2028\u2029\ud800-\udfff]"),
         True: re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                          "\u2066-\u2069\u2028\u2029\ud800-\udfff]")}


def _reference(text: str, one_line: bool) -> str:
    return _FULL[one_line].sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                               else f"\\u{ord(m.group()):04x}", text)


@settings(max_examples=300, deadline=None)
@given(st.text() | st.text(alphabet=st.characters(max_codepoint=127)), st.booleans())
def test_visible_escapes_ascii_and_wider_text_alike(text, one_line):
    """ASCII text is searched with the ASCII part of the class only; the result must be
    what the whole class gives, for ASCII and for any other text."""
    assert visible(text, one_line=one_line) == _reference(text, one_line)
    arrow = "Applications \u2192 " + text  # printable non-ASCII text skips the search
    assert visible(arrow, one_line=one_line) == _reference(arrow, one_line)
    assert visible("ok \x1b[2J\x7f", one_line=one_line) == "ok \\x1b[2J\\x7f"


def test_json_safe_on_a_large_document_probes_it_piece_by_piece():
    """A document past the probe size (decode-response --all) is probed a piece at a
    time: a clean one comes back as it is (no copy), and a character to escape far past
    the first piece is still found."""
    from ssoctl import textsafe

    rows = ["x" * 100] * 2000
    clean = json.dumps({"hint": "Applications \u2192 Applications", "rows": rows},
                       ensure_ascii=False) + "\n"
    textsafe._COMPILED.clear()
    assert len(clean) > 2 * 64 * 1024 and json_safe(clean) is clean
    assert ("json", True) not in textsafe._COMPILED  # passed by the probe, not searched
    value = {"hint": "Applications \u2192 Applications", "rows": rows,
             "evil": "gnp\u202eexe\x85"}  # after the rows: in the last piece
    text = json_safe(json.dumps(value, ensure_ascii=False) + "\n")
    assert "\\u202e" in text and "\\u0085" in text and "\u2192" in text
    assert json.loads(text) == value
    assert visible("\u2192" + "y" * 200_000 + "\x1b") == "\u2192" + "y" * 200_000 + "\\x1b"


# ---------------------------------------------------------------- inputs

def _entry(url: str, method: str, relay: str, post: str | None = None) -> dict:
    request = {"method": method, "url": url, "headers": []}
    if post is not None:
        request["postData"] = {"mimeType": "application/x-www-form-urlencoded",
                               "params": [{"name": "SAMLResponse", "value": post},
                                          {"name": "RelayState", "value": relay}]}
    return {"startedDateTime": "2026-06-01T12:00:00.000Z", "request": request,
            "response": {"status": 200, "headers": [], "content": {"mimeType": "text/plain"}}}


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory) -> dict[str, Path]:
    import base64
    from urllib.parse import quote

    from cryptography import x509
    from cryptography.x509.oid import NameOID

    from ssoctl.rehearsal import pki, samlgen

    folder = tmp_path_factory.mktemp("hostile")
    key = pki.cached_rsa_key("hostile-subject")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp\u202egnp.exe\x9b"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Okta" + HOSTILE)])
    cert = pki.certificate(key, name, not_before=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    response = samlgen.response(now=NOW, key=key, cert=cert, name_id="alice" + HOSTILE_XML,
                                issuer="http://idp.example/" + HOSTILE_XML)
    encoded = base64.b64encode(response).decode()
    url = "https://sp.example/acs/" + HOSTILE + "\ud800"
    files = {}
    files["har"] = folder / "hostile.har"
    files["har"].write_text(json.dumps({"log": {"version": "1.2", "entries": [
        _entry(url, "POST" + HOSTILE, HOSTILE + "\ud800", post=encoded),
        _entry(url + "?SAMLResponse=" + quote(encoded) + "&RelayState=" + quote(HOSTILE),
               "GET" + HOSTILE, HOSTILE)]}}))
    files["tracer"] = folder / "hostile-tracer.json"
    files["tracer"].write_text(json.dumps({"requests": [
        {"method": "POST" + HOSTILE, "url": url, "post": [["SAMLResponse", encoded],
                                                          ["RelayState", HOSTILE]],
         "saml": response.decode("utf-8")}], "timestamp": 0}))
    files["tracer-surrogate"] = folder / "surrogate-tracer.json"
    files["tracer-surrogate"].write_text(json.dumps({"requests": [
        {"method": "POST", "url": url, "post": [["SAMLResponse", encoded]],
         "saml": response.decode("utf-8").replace("</", "\ud800</", 1)}], "timestamp": 0}))
    files["response"] = folder / "response.xml"
    files["response"].write_bytes(response)
    files["cert"] = folder / "hostile.pem"
    files["cert"].write_text(pki.cert_pem(cert))
    metadata = (FIXTURES / "metadata" / "okta.xml").read_text()
    entity = re.search(r'entityID="([^"]+)"', metadata).group(1)
    body = re.search(r"<ds:X509Certificate>([^<]+)</ds:X509Certificate>", metadata).group(1)
    der = base64.b64encode(pki.cert_der(cert)).decode()
    files["metadata"] = folder / "hostile-metadata.xml"
    files["metadata"].write_text(metadata.replace(entity, entity + HOSTILE_XML)
                                 .replace(body, der))
    return files


#: command -> argv (files substituted); every one prints a hostile value somewhere.
COMMANDS = {
    "har-list": ["decode-response", "--list", "{har}"],
    "har-entry": ["decode-response", "--entry", "1", "{har}"],
    "har-all": ["decode-response", "--all", "{har}"],
    "tracer-list": ["decode-response", "--list", "{tracer}"],
    "tracer-entry": ["decode-response", "--entry", "1", "{tracer}"],
    "response": ["decode-response", "{response}"],
    "check-cert": ["check-cert", "{cert}"],
    "import-metadata": ["import-metadata", "{metadata}"],
    "import-metadata-env": ["import-metadata", "--format", "env", "{metadata}"],
    "message-cert": ["decode-response", "--cert", "{cert}", "{response}"],
}


def _argv(name: str, files: dict[str, Path]) -> list[str]:
    return [part.format(**{k: str(v) for k, v in files.items()}) for part in COMMANDS[name]]


def _run_on_pty(argv: list[str], *, columns: int, colour: bool, cwd: Path) -> bytes:
    """Everything ssoctl writes to a terminal (stdout and stderr on one pty)."""
    master, slave = os.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "COLUMNS")}
    env.update(TERM="xterm-256color", COLUMNS=str(columns), LINES="40",
               PYTHONPATH=str(ROOT))
    if not colour:
        env["NO_COLOR"] = "1"
    proc = subprocess.Popen([sys.executable, "-m", "ssoctl", *argv, "--now", NOW.isoformat()],
                            stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env,
                            cwd=cwd)
    os.close(slave)
    try:
        seen, _ = read_terminal(master, proc, timeout=60)
    finally:
        os.close(master)
        proc.wait(timeout=30)
    assert proc.returncode in (0, 1, 3, 4), seen.decode("utf-8", "replace")
    return seen


def _assert_nothing_raw(seen: bytes) -> None:
    text = SGR.sub(b"", LIVE.sub(b"", seen)).decode("utf-8")  # valid UTF-8
    assert "Traceback" not in text
    assert "\x1b" not in text, text  # only rich's own colour sequences were removed
    assert not re.search("[\x80-\x9f]", text)  # no C1 control, U+009B included
    assert not BIDI.search(text)
    assert not re.search("\r(?!\n)", text)  # the pty turns \n into \r\n; no bare CR
    assert "\x07" not in text


@pytest.mark.parametrize("name", sorted(COMMANDS))
@pytest.mark.parametrize("columns,colour", [(60, True), (160, True), (100, False)])
def test_no_raw_control_or_bidi_byte_reaches_the_terminal(hostile_files, tmp_path, name,
                                                          columns, colour):
    seen = _run_on_pty(_argv(name, hostile_files), columns=columns, colour=colour,
                       cwd=tmp_path)
    _assert_nothing_raw(seen)
    squashed = re.sub(r"[\s│┃|]", "", SGR.sub(b"", seen).decode("utf-8"))  # undo folding
    assert "\\u202e" in squashed  # shown, escaped (URL, NameID, Issuer, subject, entityID)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_json_is_valid_utf8_with_controls_escaped(hostile_files, tmp_path, name):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "ssoctl", "--json", *_argv(name, hostile_files),
                           "--now", NOW.isoformat()], capture_output=True, env=env,
                          cwd=tmp_path, timeout=60)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode("utf-8", "replace")
    text = proc.stdout.decode("utf-8")  # strict: valid UTF-8
    json.loads(text)
    assert not re.search("[\x00-\x1f\x7f-\x9f\ud800-\udfff]", text.replace("\n", ""))
    assert not BIDI.search(text)


def test_a_lone_surrogate_in_a_tracer_export_is_malformed_input_not_a_crash(cli,
                                                                             hostile_files):
    result = cli("decode-response", "--entry", "1", str(hostile_files["tracer-surrogate"]))
    assert result.exit_code == 3 and "Traceback" not in result.stderr


# ---------------------------------------------------------------- rich markup

@pytest.mark.parametrize("profile", ["[/bold]", "[link=https://evil.example]x[/link]",
                                     "[bold", "\\[x]", ":warning:"])
def test_markup_in_a_profile_name_is_shown_as_written(tmp_path, profile):
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.{json.dumps(profile)}]\nbase_url = "https://sp.example"\n')
    master, slave = os.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(TERM="xterm-256color", COLUMNS="120", SSOCTL_CONFIG=str(config),
               PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "ssoctl", "config", "show"],
                          stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env,
                          cwd=tmp_path, timeout=60)
    os.close(slave)
    seen = b""
    while select.select([master], [], [], 0.2)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    text = SGR.sub(b"", seen).decode("utf-8")
    assert proc.returncode == 0, text
    assert "MarkupError" not in text and "Traceback" not in text
    assert f"Profile {profile}" in text


@pytest.mark.parametrize("command", [["check-cert"], ["import-metadata"], ["decode-response"]])
def test_a_line_break_in_a_file_name_does_not_break_the_one_line_error(cli, tmp_path, command):
    """The error quotes the file name; a name holding a line break (and text made to look
    like a hint) stays inside the error line, shown as an escape."""
    path = tmp_path / "nl\nhint: run this.pem"
    path.write_bytes(b"")
    result = cli(*command, str(path))
    lines = result.stderr.splitlines()
    assert result.exit_code == 3 and len(lines) == 2, result.stderr
    assert lines[0].startswith("error: ") and "\\x0a" in lines[0]
    assert lines[1].startswith("hint: ") and "run this" not in lines[1]


@pytest.mark.parametrize("text,shown", [
    ("https://bücher.example/sso", None),                 # printable, non-ASCII: as it is
    ("http://www.okta.com/exk1\t\rX", "http://www.okta.com/exk1\\t\\rX"),
    ("https://bücher.example/\u200bsso", "https://bücher.example/\\u200bsso"),
    ("https://x.example/\u00a0", "https://x.example/\\xa0"),  # a no-break space from a page
])
def test_invisible_characters_are_escaped_and_the_rest_kept(text, shown):
    from ssoctl.textsafe import invisible_escaped

    assert invisible_escaped(text) == shown
