"""Commands in hints and fixes, in a real pseudo-terminal 40, 80 and 120 columns wide: a
command the user copies (``jq …``, ``openssl pkey …``, ``ssoctl check-cert … --fix``) and
an option with its value (``--now TIMESTAMP``) are each shown whole on one line; one too
long for the line gets a line of its own and runs past the edge."""

from __future__ import annotations

import json
import shlex
import shutil

from .screen import ROOT, run_widths

WIDTHS = (40, 80, 120)
JQ = ("jq '.log.entries |= map(select((.request.url + (.request.postData.text // \"\")) | "
      "test(\"SAML(Response|Request)\")))' big.har > saml.har")


def _assert_whole(screen, *values: str) -> None:
    for value in values:
        assert screen.has_whole(value), (
            f"{value!r} is broken at {screen.columns} columns:\n{screen.text}")


def test_the_jq_command_for_a_smaller_capture(tmp_path):
    entries = [{"request": {"method": "GET", "url": "https://app.example/"}}] * 10_001
    (tmp_path / "big.har").write_text(json.dumps({"log": {"entries": entries}}))
    for screen in run_widths(["decode-response", "big.har"], widths=WIDTHS, cwd=tmp_path):
        assert screen.exit_code == 3, screen.text
        _assert_whole(screen, f"`{JQ}`", "ssoctl decode-response --text VALUE")


def test_the_openssl_command_for_an_encrypted_key(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"))
    path = tmp_path / "encrypted.pem"
    path.write_bytes(key)
    path.chmod(0o600)
    for screen in run_widths(["okta", "list", "--org", "https://acme.okta.com", "--client-id",
                              "0oa1", "--private-key", "encrypted.pem", "--key-id", "k1"],
                             widths=WIDTHS, cwd=tmp_path):
        assert screen.exit_code == 3, screen.text
        _assert_whole(screen, "`openssl pkey -in KEY -out plain.pem`")


def test_the_openssl_command_for_a_public_key(tmp_path):
    (tmp_path / "not-a-key.pem").write_text("not a key\n")
    for screen in run_widths(["rehearse", "okta", "--oauth-public-key", "not-a-key.pem"],
                             widths=WIDTHS, cwd=tmp_path):
        assert screen.exit_code != 0, screen.text
        _assert_whole(screen, "`openssl pkey -in key.pem -pubout`")


def test_a_fix_command_for_a_file_name_with_a_backtick(tmp_path):
    name = "sp ace/a`b c d e.txt"
    (tmp_path / "sp ace").mkdir()
    shutil.copy(ROOT / "fixtures" / "certs" / "no-armor.txt", tmp_path / name)
    command = f"ssoctl check-cert {shlex.quote(name)} --fix > clean.pem"
    for screen in run_widths(["check-cert", name], widths=WIDTHS, cwd=tmp_path):
        assert screen.exit_code == 1, screen.text
        _assert_whole(screen, f"`{command}`")


def test_now_stays_with_its_timestamp():
    for screen in run_widths(["decode-response", "fixtures/captures/login.har", "--all"],
                             widths=(40, 60, 80, 120)):
        _assert_whole(screen, "`--now 2026-06-01T12:00:02Z`")


def test_prose_that_starts_with_ssoctl_wraps_as_prose():
    for screen in run_widths(["check-cert", "fixtures/certs/private-key.pem"], widths=WIDTHS):
        assert screen.exit_code == 3, screen.text
        lines = screen.lines
        for number, line in enumerate(lines):  # "ssoctl refuses to read it" is prose
            assert len(line) <= screen.columns, f"{line!r}:\n{screen.text}"
            if line.lstrip().startswith("ssoctl refuses"):  # only when "ssoctl" did not fit
                assert len(lines[number - 1]) + len(" ssoctl") > screen.columns, screen.text


def test_a_quoted_command_ends_at_its_closing_quote():
    command = "'ssoctl import-metadata fixtures/metadata/shibboleth-aggregate.xml --list'"
    for screen in run_widths(["import-metadata", "fixtures/metadata/shibboleth-aggregate.xml"],
                             widths=WIDTHS):
        assert screen.exit_code == 2, screen.text
        _assert_whole(screen, command)
        if screen.columns < 120:  # the prose after it wraps on its own
            assert "prints" not in screen.line_with(command), screen.text
