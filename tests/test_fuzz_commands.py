"""A bounded fuzz run over every command that reads input (docs/threat-model.md, "What
the outside test taught").

Each command gets its fixture inputs mutated by a seeded mutation loop: bytes flipped,
cut, repeated and spliced with the fragments hostile inputs are made of (escape
sequences, lone surrogates, deep brackets, armor lines, comments, entities, huge
numbers). The CLI runs in-process; every run must end in a documented exit code with no
traceback. The seed is fixed, so a failure is reproducible; the number of runs is chosen
to keep the whole module well under a minute on two workers.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES

NOW = "2026-06-01T12:00:00Z"
#: docs/exit-codes.md (10: a dry run found changes to make).
DOCUMENTED = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 130}
RUNS = 16
MAX_INPUT = 64 * 1024

FRAGMENTS = [
    b"\x1b[2J", b"\x1b]0;t\x07", b"\xc2\x9b", b"\xe2\x80\xae", b"\r", b"\x00", b"\xff\xfe",
    b"\\ud800", b"\xed\xa0\x80", b"[" * 300, b"{" * 300, b"-----BEGIN", b"-----END",
    b" " * 200, b"-" * 200, b"<!--", b"-->", b"<!DOCTYPE r>", b"<?pi x?>", b"&#x41;",
    b"&amp;", b"]]>", b"<", b">", b"\"", b"'", b"=", b"%", b"%00", b"SAMLResponse=",
    b"SAMLRequest=", b"&", b"?", b"#", b"\n" * 50, b"9" * 400, b"1e999", b"-0", b"null",
    b"true", b"\t", b"@", b"." * 100, b"\\", b"/", b"+", b"\xef\xbb\xbf", b"\xf0\x9f\x98\x80",
]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random edits of ``data``, at most 64 KB."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(6)
        at = rng.randrange(len(out) + 1)
        if kind == 0 and out:  # flip a byte
            out[min(at, len(out) - 1)] = rng.randrange(256)
        elif kind == 1:  # insert a hostile fragment
            out[at:at] = rng.choice(FRAGMENTS)
        elif kind == 2 and out:  # cut a slice
            del out[at:at + rng.randint(1, 64)]
        elif kind == 3 and out:  # repeat a slice
            piece = bytes(out[at:at + rng.randint(1, 32)])
            out[at:at] = piece * rng.randint(2, 200)
        elif kind == 4:  # truncate
            del out[at:]
        else:  # replace a slice with a fragment
            out[at:at + rng.randint(1, 16)] = rng.choice(FRAGMENTS)
    return bytes(out[:MAX_INPUT])


def _certs() -> list[Path]:
    folder = FIXTURES / "certs"
    return sorted(p for p in folder.iterdir() if p.suffix in (".pem", ".cer", ".cert", ".txt"))


CASES = {
    "check-cert": (lambda: _certs(), lambda path: ["check-cert", path, "--now", NOW]),
    "check-cert-fix": (lambda: _certs(), lambda path: ["check-cert", "--fix", path, "--now", NOW]),
    "import-metadata": (lambda: [FIXTURES / "metadata" / n for n in
                                 ("okta.xml", "entra.xml", "adfs.xml")],
                        lambda path: ["import-metadata", path, "--now", NOW]),
    "decode-response": (lambda: [FIXTURES / "captures" / n for n in
                                 ("response.b64", "response.xml", "post-body.txt",
                                  "authn-request-url.txt", "okta-post-form.html")],
                        lambda path: ["decode-response", path, "--now", NOW]),
    "decode-response-capture": (lambda: [FIXTURES / "captures" / n for n in
                                         ("login.har", "saml-tracer.json")],
                                lambda path: ["decode-response", "--all", path, "--now", NOW]),
    "decode-response-list": (lambda: [FIXTURES / "captures" / n for n in
                                      ("login.har", "saml-tracer.json")],
                             lambda path: ["decode-response", "--list", path]),
}


def _run(args: list, *, env: dict | None = None, json_output: bool = False):
    from ssoctl.cli.app import app

    argv = (["--json"] if json_output else []) + [str(a) for a in args]
    result = CliRunner().invoke(app, argv, env=env, catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        (argv, repr(result.exception))
    output = result.stdout + result.stderr
    assert "Traceback" not in output, (argv, output[-2000:])
    assert result.exit_code in DOCUMENTED, (argv, result.exit_code, output[-500:])
    if json_output and result.stdout:
        json.loads(result.stdout)  # always one valid document
    return result


@pytest.mark.parametrize("case", sorted(CASES))
def test_mutated_inputs_never_crash_a_command(case, tmp_path):
    sources, command = CASES[case]
    rng = random.Random(f"ssoctl-fuzz-{case}")
    seeds = [path.read_bytes() for path in sources()]
    for number in range(RUNS):
        data = mutate(rng.choice(seeds), rng)
        path = tmp_path / f"input-{number}"
        path.write_bytes(data)
        _run(command(path), json_output=number % 2 == 1)


def test_mutated_explain_queries_never_crash(tmp_path):
    rng = random.Random("ssoctl-fuzz-explain")
    seeds = [b"SIG_INVALID", b"CERT_EXPIRED", b"The SAML response signature is invalid",
             b"Fehler bei der Anmeldung: Zertifikat abgelaufen", b"AADSTS50011"]
    for number in range(RUNS):
        text = mutate(rng.choice(seeds), rng)[:120].decode("utf-8", "surrogateescape")
        if "\x00" in text:
            text = text.replace("\x00", "")  # argv cannot carry NUL
        _run(["explain", text or "x"], json_output=number % 2 == 1)


def test_mutated_configurations_never_crash(tmp_path):
    rng = random.Random("ssoctl-fuzz-config")
    seed = (b'default_profile = "acme"\n[profiles.acme]\nbase_url = "https://sp.example"\n'
            b'token_id = "token-1"\ntimeout = 10\nretries = 2\n'
            b'[profiles.rest1]\nbase_url = "https://rest.example"\ntarget = "rest"\n'
            b'[profiles.rest1.rest]\nread_url = "/sso"\n'
            b'body = { sso_url = "{sso_url}", certificate = "{certificate}" }\n')
    config = tmp_path / "config.toml"
    for number in range(RUNS):
        config.write_bytes(mutate(seed, rng))
        env = {"SSOCTL_CONFIG": str(config), "SSOCTL_PROFILE": ""}
        argv = ["config", "validate"] if number % 2 else ["config", "show"]
        _run(argv, env=env, json_output=number % 4 < 2)


def test_mutated_backups_never_crash_rollback(tmp_path, okta_pair):
    from ssoctl.rehearsal import pki

    rng = random.Random("ssoctl-fuzz-rollback")
    config = tmp_path / "config.toml"
    # Port 9 (discard) is closed on the test machine: a backup that reads cleanly ends in
    # a quick network error (exit 6), never a request to anything real.
    config.write_text('[profiles.acme]\nbase_url = "http://127.0.0.1:9"\n'
                      'token_id = "token-1"\ntimeout = 2\nretries = 0\n')
    seed = json.dumps({
        "format": "ssoctl-sp-backup/1", "profile": "acme", "target": "sipgate",
        "endpoint": "http://127.0.0.1:9/v2/sso/settings", "taken_at": "2026-05-01T12:00:00Z",
        "etag": "\"v1\"", "settings": {"sso_url": "https://idp.example/sso",
                                       "idp_entity_id": "http://idp.example",
                                       "certificate": pki.cert_pem(okta_pair[1]),
                                       "enabled": True}}, indent=2).encode()
    backup = tmp_path / "backup.json"
    env = {"SSOCTL_CONFIG": str(config), "SSOCTL_TOKEN": "fuzz-token", "SSOCTL_PROFILE": ""}
    for number in range(RUNS):
        backup.write_bytes(mutate(seed, rng))
        result = _run(["rollback", backup, "--dry-run", "--yes"], env=env,
                      json_output=number % 2 == 1)
        assert "fuzz-token" not in result.stdout + result.stderr


def test_the_mutation_loop_is_deterministic():
    one = [mutate(b"abcdef" * 10, random.Random("x")) for _ in range(3)]
    two = [mutate(b"abcdef" * 10, random.Random("x")) for _ in range(3)]
    assert one == two
