"""``ssoctl check-cert`` through the CLI: one test per defect fixture, plus the options."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest

from ssoctl.rehearsal import pki

from conftest import FIXTURES, ROOT

CERTS = FIXTURES / "certs"
NOW = "2026-06-01T12:00:00Z"

#: fixture -> (exit status, finding codes that must be present)
CASES = {
    "okta.cert": (0, []),
    "no-armor.txt": (1, ["CERT_NO_ARMOR", "CERT_LINE_WIDTH"]),
    "no-armor-one-line.txt": (1, ["CERT_NO_ARMOR", "CERT_LINE_WIDTH"]),
    "urlsafe.txt": (1, ["CERT_URLSAFE_BASE64", "CERT_NO_ARMOR"]),
    "missing-begin.pem": (1, ["CERT_MISSING_BEGIN"]),
    "missing-end.pem": (1, ["CERT_MISSING_END"]),
    "misspelled-armor.pem": (1, ["CERT_ARMOR_MISSPELLED"]),
    "public-key.pem": (1, ["CERT_WRONG_TYPE"]),
    "csr.pem": (1, ["CERT_WRONG_TYPE"]),
    "truncated.pem": (1, ["CERT_TRUNCATED"]),
    "smart-quotes.pem": (1, ["CERT_INVALID_CHARS"]),
    "xml-cr-entities.pem": (1, ["CERT_INVALID_CHARS"]),
    "stray-cr.pem": (1, ["CERT_INVALID_CHARS"]),
    "spaces-in-body.pem": (1, ["CERT_INVALID_CHARS"]),
    "bad-padding.pem": (1, ["CERT_BAD_PADDING"]),
    "width-76.pem": (0, ["CERT_LINE_WIDTH"]),
    "trailing-garbage.pem": (1, ["CERT_TRAILING_DATA"]),
    "doubled-header.pem": (1, ["CERT_DOUBLED_ARMOR"]),
    "several.pem": (1, ["CERT_SEVERAL"]),
    "same-twice.pem": (1, ["CERT_SEVERAL"]),
    "one-line.pem": (1, ["CERT_NO_LINE_BREAKS"]),
    "base64-wrapped.txt": (1, ["CERT_BASE64_WRAPPED"]),
    "trailing-spaces.pem": (0, ["CERT_WHITESPACE"]),
    "crlf.pem": (0, ["CERT_LINE_ENDINGS"]),
    "cr.pem": (0, ["CERT_LINE_ENDINGS"]),
    "utf16.pem": (0, ["CERT_ENCODING", "CERT_LINE_ENDINGS"]),
    "bom.pem": (0, ["CERT_ENCODING"]),
    "okta.cer": (1, ["CERT_DER"]),
    "der-renamed.pem": (1, ["CERT_DER"]),
    "okta.p7b": (1, ["CERT_PKCS7"]),
    "okta-der.p7c": (1, ["CERT_PKCS7", "CERT_SEVERAL"]),
    "okta-metadata.xml": (1, ["CERT_WRONG_TYPE"]),
    "expired.pem": (1, ["CERT_EXPIRED"]),
    "not-yet-valid.pem": (1, ["CERT_NOT_YET_VALID"]),
    "weak-key.pem": (1, ["CERT_WEAK_KEY"]),
    "sha1.pem": (0, ["CERT_SHA1_SIGNATURE"]),
    "v1.pem": (0, ["CERT_NOT_V3"]),
}

#: fixtures that cannot be read at all: exit 3 with an error code
UNREADABLE = {
    "empty.pem": "CERT_EMPTY",
    "binary.bin": "CERT_BINARY",
    "private-key.pem": "CERT_PRIVATE_KEY",
}


def _codes(doc):
    return [f["code"] for f in doc["findings"]]


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_diagnosis(cli, name):
    status, codes = CASES[name]
    human = cli("check-cert", CERTS / name, "--now", NOW)
    assert human.exit_code == status, human.stdout + human.stderr
    assert human.stderr == ""
    first = human.stdout.splitlines()[0]
    if status == 0:
        assert first.startswith("Ready to paste into sipgate's Certificate field")
    else:
        assert not first.startswith("Ready")
    for code in codes:
        assert code in human.stdout
    as_json = cli("check-cert", "--json", CERTS / name, "--now", NOW)
    assert as_json.exit_code == status
    doc = as_json.json()
    assert doc["ok"] is (status == 0)
    assert set(codes) <= set(_codes(doc))
    if status == 0:
        assert not [f for f in doc["findings"] if f["severity"] == "error"]


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_unreadable_inputs_exit_3(cli, name):
    human = cli("check-cert", CERTS / name)
    assert human.exit_code == 3
    assert human.stdout == ""
    assert human.stderr.startswith("error: ") and "hint: " in human.stderr
    doc = cli("check-cert", CERTS / name, "--json").json()
    assert doc == {"ok": False, "error": doc["error"]}
    assert doc["error"]["code"] == UNREADABLE[name]


@pytest.mark.parametrize("now", ["yesterday", "9999-12-31T23:59:59-01:00",
                                 "0001-01-01T00:00:00+01:00"])
def test_unusable_now_is_a_usage_error(cli, now):
    r = cli("check-cert", CERTS / "okta.cert", "--now", now, "--json")
    assert r.exit_code == 2 and r.json()["error"]["code"] == "BAD_NOW"


def test_clean_certificate_details(cli):
    result = cli("check-cert", CERTS / "okta.cert", "--now", NOW)
    out = result.stdout
    for label in ("Subject:", "Issuer:", "Serial:", "Valid from:", "Valid until:", "Key:",
                  "Signature:", "SHA-256:", "SHA-1:", "Version:"):
        assert label in out
    assert "CN=dev-12345678" in out and "RSA 2048 bits" in out and "self-signed" in out
    assert "sha256WithRSAEncryption" in out and "X.509 v3" in out
    assert "2035-12-30" in out and "3498 days left" in out
    data = cli("check-cert", CERTS / "okta.cert", "--now", NOW, "--json").json()["data"]
    cert = data["certificates"][0]
    assert data["paste_ready"] is True and data["input_format"] == "pem"
    assert cert["key_type"] == "RSA" and cert["key_size"] == 2048 and cert["version"] == 3
    assert cert["not_after"] == "2035-12-30T00:00:00Z" and cert["self_signed"] is True
    assert len(cert["sha256"]) == 95 and cert["sha256"] == cert["sha256"].upper()
    assert cert["pem"] == (CERTS / "okta.cert").read_text()


def test_truncated_reports_missing_bytes(cli):
    doc = cli("check-cert", CERTS / "truncated.pem", "--json").json()
    cut = next(f for f in doc["findings"] if f["code"] == "CERT_TRUNCATED")
    der_len = len(pki.cert_der(_okta()))
    present = len(base64.b64decode("".join((CERTS / "truncated.pem").read_text().splitlines()[1:-1])))
    assert f"says {der_len} bytes" in cut["message"]
    assert f"only {present} are present ({der_len - present} bytes missing" in cut["message"]


def test_invalid_characters_say_which_and_where(cli):
    smart = cli("check-cert", CERTS / "smart-quotes.pem").stdout
    assert "smart quote '“' (U+201C) at 2:1" in smart and "U+201D" in smart
    entities = cli("check-cert", CERTS / "xml-cr-entities.pem").stdout
    assert "'&#13;' (XML character reference) at 2:65, 3:65" in entities
    stray = cli("check-cert", CERTS / "stray-cr.pem").stdout
    assert "carriage return '\\r' (U+000D) at 8:34" in stray
    spaced = cli("check-cert", CERTS / "spaces-in-body.pem").stdout
    assert "space at 6:21" in spaced


def test_width_names_oktas_76(cli):
    result = cli("check-cert", CERTS / "width-76.pem", "--now", NOW)
    assert "76 characters wide" in result.stdout and "Okta" in result.stdout


def test_several_lists_each(cli):
    doc = cli("check-cert", CERTS / "several.pem", "--json").json()
    several = next(f for f in doc["findings"] if f["code"] == "CERT_SEVERAL")
    shas = [c["sha256"] for c in doc["data"]["certificates"]]
    assert len(shas) == 2 and "#1" in several["message"] and "#2" in several["message"]
    assert all(sha[:11] in several["message"] for sha in shas)
    assert doc["data"]["repairable"] is False


# ---------------------------------------------------------------- --fix and --output


def test_fix_prints_clean_pem_on_stdout(cli):
    result = cli("check-cert", CERTS / "xml-cr-entities.pem", "--fix", "--now", NOW)
    assert result.exit_code == 0
    assert result.stdout == (CERTS / "okta.cert").read_text()
    assert "Repaired" in result.stderr and "(repaired by --fix)" in result.stderr


@pytest.mark.parametrize("name", ["no-armor.txt", "okta.cer", "okta.p7b", "utf16.pem",
                                  "base64-wrapped.txt", "one-line.pem", "missing-end.pem",
                                  "same-twice.pem", "misspelled-armor.pem", "bad-padding.pem",
                                  "urlsafe.txt"])
def test_fix_repairs_shape_defects(cli, name):
    result = cli("check-cert", CERTS / name, "--fix", "--now", NOW)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (CERTS / "okta.cert").read_text()
    doc = cli("check-cert", CERTS / name, "--fix", "--now", NOW, "--json").json()
    assert doc["ok"] is True and doc["data"]["fixed_pem"] == result.stdout
    assert doc["data"]["repaired"] is True


@pytest.mark.parametrize("name", ["truncated.pem", "several.pem", "csr.pem", "public-key.pem"])
def test_fix_beyond_repair_prints_no_pem(cli, name):
    result = cli("check-cert", CERTS / name, "--fix", "--now", NOW)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "BEGIN CERTIFICATE" not in result.stdout and "Not usable" in result.stderr


def test_fix_keeps_certificate_problems(cli):
    # A PEM on stdout means "paste this" (exit 0): an expired certificate is reported on
    # stderr, exit 1, and `--fix > clean.pem` leaves an empty file, not an expired one.
    result = cli("check-cert", CERTS / "expired.pem", "--fix", "--now", NOW)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "CERT_EXPIRED" in result.stderr and "--fix printed no PEM" in result.stderr
    doc = cli("check-cert", CERTS / "expired.pem", "--fix", "--now", NOW, "--json").json()
    assert doc["ok"] is False and "CERT_EXPIRED" in _codes(doc)
    assert doc["data"]["fixed_pem"].startswith("-----BEGIN CERTIFICATE-----")


@pytest.mark.parametrize("args, status, why", [
    (["weak-key.pem"], 1, "see the errors below"),
    (["okta.cert", "--expect-fingerprint", "AB" * 32], 1, "see the errors below"),
    (["okta.cert", "--metadata", FIXTURES / "certs" / "other-metadata.xml"], 1,
     "see the errors below"),
    (["sha1.pem", "--strict"], 1, "--strict is given and there are warnings"),
    (["several.pem"], 1, "nothing says which one to keep"),
    (["truncated.pem"], 1, "no intact certificate"),
])
def test_fix_prints_a_pem_only_when_it_exits_0(cli, tmp_path, args, status, why):
    name, *rest = args
    result = cli("check-cert", CERTS / name, "--fix", "--now", NOW, *rest)
    assert (result.exit_code, result.stdout) == (status, "")
    assert why in result.stderr
    target = tmp_path / "clean.pem"
    written = cli("check-cert", CERTS / name, "-o", target, "--now", NOW, *rest)
    assert written.exit_code == status and not target.exists()
    assert f"--fix wrote nothing to {target}" in written.stdout


def test_fix_with_warnings_still_prints_the_pem(cli):
    result = cli("check-cert", CERTS / "sha1.pem", "--fix", "--now", NOW)
    assert result.exit_code == 0 and result.stdout.startswith("-----BEGIN CERTIFICATE-----")
    assert "CERT_SHA1_SIGNATURE" in result.stderr


def test_output_writes_file_and_refuses_overwrite(cli, tmp_path):
    target = tmp_path / "clean.pem"
    first = cli("check-cert", CERTS / "no-armor.txt", "--output", target, "--now", NOW)
    assert first.exit_code == 0 and target.read_text() == (CERTS / "okta.cert").read_text()
    assert f"Wrote the clean PEM to {target}" in first.stdout
    again = cli("check-cert", CERTS / "no-armor.txt", "-o", target, "--now", NOW, "--json")
    assert again.exit_code == 2 and again.json()["error"]["code"] == "OUTPUT_EXISTS"
    forced = cli("check-cert", CERTS / "no-armor.txt", "-o", target, "--force", "--now", NOW)
    assert forced.exit_code == 0


def test_output_beyond_repair_writes_nothing(cli, tmp_path):
    target = tmp_path / "clean.pem"
    result = cli("check-cert", CERTS / "truncated.pem", "-o", target)
    assert result.exit_code == 1 and not target.exists()


# ---------------------------------------------------------------- comparisons


def _okta():
    from cryptography import x509

    return x509.load_pem_x509_certificate((CERTS / "okta.cert").read_bytes())


def _fingerprints():
    doc_cert = json.loads(_run_json("okta.cert"))["data"]["certificates"][0]
    return doc_cert["sha256"], doc_cert["sha1"]


def _run_json(name):
    from typer.testing import CliRunner

    from ssoctl.cli.app import app

    return CliRunner().invoke(app, ["check-cert", "--json", str(CERTS / name)]).stdout


@pytest.mark.parametrize("form", ["sha256", "sha256-lower-bare", "sha1", "sha1-lower", "prefixed"])
def test_expect_fingerprint_matches_any_notation(cli, form):
    sha256, sha1 = _fingerprints()
    value = {"sha256": sha256, "sha256-lower-bare": sha256.replace(":", "").lower(),
             "sha1": sha1, "sha1-lower": sha1.lower(), "prefixed": "SHA256:" + sha256}[form]
    result = cli("check-cert", CERTS / "okta.cert", "--expect-fingerprint", value, "--json")
    assert result.exit_code == 0
    assert result.json()["data"]["fingerprint_match"] is True


def test_expect_fingerprint_mismatch(cli):
    result = cli("check-cert", CERTS / "okta.cert", "--expect-fingerprint", "AB" * 32)
    assert result.exit_code == 1 and "CERT_FINGERPRINT_MISMATCH" in result.stdout
    assert "does NOT match" in result.stdout


def test_expect_fingerprint_bad_length_is_usage(cli):
    result = cli("check-cert", CERTS / "okta.cert", "--expect-fingerprint", "ABCD", "--json")
    assert result.exit_code == 2 and result.json()["error"]["code"] == "CERT_BAD_FINGERPRINT"


def test_expect_fingerprint_picks_one_of_several(cli):
    sha256, _ = _fingerprints()
    result = cli("check-cert", CERTS / "several.pem", "--fix", "--expect-fingerprint", sha256,
                 "--now", NOW)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (CERTS / "okta.cert").read_text()


def test_metadata_match_and_mismatch(cli):
    ok = cli("check-cert", CERTS / "no-armor.txt", "--metadata", CERTS / "okta-metadata.xml",
             "--now", NOW, "--json")
    assert ok.json()["data"]["metadata_match"] is True
    assert "CERT_NOT_IN_METADATA" not in _codes(ok.json())
    bad = cli("check-cert", CERTS / "okta.cert", "--metadata", CERTS / "other-metadata.xml",
              "--now", NOW, "--json")
    assert bad.exit_code == 1
    assert bad.json()["data"]["metadata_match"] is False
    assert "CERT_NOT_IN_METADATA" in _codes(bad.json())


def test_metadata_picks_one_of_several(cli):
    result = cli("check-cert", CERTS / "several.pem", "--fix", "--metadata",
                 CERTS / "okta-metadata.xml", "--now", NOW)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (CERTS / "okta.cert").read_text()


# ---------------------------------------------------------------- inputs and options


def test_text_option_and_stdin(cli):
    body = "".join((CERTS / "okta.cert").read_text().splitlines()[1:-1])
    by_text = cli("check-cert", "--text", body, "--json", "--now", NOW)
    assert by_text.exit_code == 1 and "CERT_NO_ARMOR" in _codes(by_text.json())
    assert by_text.json()["data"]["source"] == "--text"
    by_stdin = cli("check-cert", "-", "--now", NOW, input=(CERTS / "okta.cert").read_bytes())
    assert by_stdin.exit_code == 0


def test_text_option_with_full_pem(cli):
    pem = (CERTS / "okta.cert").read_text()
    result = cli("check-cert", "--text", pem, "--now", NOW)
    assert result.exit_code == 0 and result.stdout.startswith("Ready to paste")


def test_file_and_text_together_is_usage(cli):
    assert cli("check-cert", CERTS / "okta.cert", "--text", "x").exit_code == 2
    assert cli("check-cert").exit_code == 2


def test_missing_file_exit_3(cli, tmp_path):
    result = cli("check-cert", tmp_path / "nope.pem", "--json")
    assert result.exit_code == 3 and result.json()["error"]["code"] == "INPUT_NOT_FOUND"


def test_warn_days_and_strict(cli):
    near = "2035-12-01T00:00:00Z"
    warned = cli("check-cert", CERTS / "okta.cert", "--now", near)
    assert warned.exit_code == 0 and "CERT_EXPIRING_SOON" in warned.stdout
    assert cli("check-cert", CERTS / "okta.cert", "--now", near, "--strict").exit_code == 1
    assert "CERT_EXPIRING_SOON" not in cli("check-cert", CERTS / "okta.cert", "--now", near,
                                           "--warn-days", "10").stdout
    assert cli("check-cert", CERTS / "width-76.pem", "--strict", "--now", NOW).exit_code == 1


def test_global_json_before_command(cli):
    result = cli("--json", "check-cert", CERTS / "okta.cert", "--now", NOW)
    assert result.json()["ok"] is True


def test_help(cli):
    result = cli("check-cert", "--help")
    assert result.exit_code == 0
    for option in ("--text", "--fix", "--output", "--force", "--expect-fingerprint",
                   "--metadata", "--warn-days", "--now", "--strict", "--json"):
        assert option in result.stdout


# ---------------------------------------------------------------- private keys


def _key_lines(key_pem: str) -> list[str]:
    return [line for line in key_pem.splitlines() if line and not line.startswith("-----")]


def _key_inputs():
    from cryptography.hazmat.primitives import serialization

    key = pki.cached_rsa_key("check-cert-secret")
    pkcs8 = pki.key_pem(key)
    traditional = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.TraditionalOpenSSL,
                                    serialization.NoEncryption()).decode()
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    cert_pem = pki.cert_pem(pki.okta_certificate(key)[1])
    secret_lines = _key_lines(pkcs8) + _key_lines(traditional)
    return secret_lines, {
        "pkcs8": pkcs8.encode(), "traditional": traditional.encode(), "der": der,
        "bare-base64": base64.b64encode(der),
        "cert-then-key": (cert_pem + pkcs8).encode(),
        "misspelled-armor": pkcs8.replace("BEGIN PRIVATE KEY", "BEGIN CERTIFICATE").replace(
            "END PRIVATE KEY", "END CERTIFICATE").encode(),
    }


@pytest.mark.parametrize("form", ["pkcs8", "traditional", "der", "bare-base64", "cert-then-key",
                                  "misspelled-armor"])
@pytest.mark.parametrize("flags", [(), ("--json",), ("--fix",)])
def test_private_key_is_refused_and_never_echoed(cli, tmp_path, form, flags):
    secret_lines, inputs = _key_inputs()
    path = tmp_path / "input"
    path.write_bytes(inputs[form])
    result = cli("check-cert", path, *flags)
    assert result.exit_code == 3, result.stdout + result.stderr
    text = result.stdout + result.stderr
    assert "private key" in text
    for line in secret_lines:
        assert line not in text and line[:16] not in text
    if "--json" in flags:
        assert result.json()["error"]["code"] == "CERT_PRIVATE_KEY"


# ---------------------------------------------------------------- speed and layering


def test_check_cert_imports_nothing_heavy():
    """In a fresh process, check-cert never loads lxml, signxml, requests, rich or
    Pydantic (Typer 0.29 would load it: pyproject.toml asks for Typer 0.28)."""
    code = (
        "import sys\n"
        f"sys.argv = ['ssoctl', 'check-cert', {str(CERTS / 'okta.cert')!r}]\n"
        "from ssoctl.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = {'lxml', 'signxml', 'requests', 'rich', 'pydantic'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy), file=sys.stderr)\n"
    )
    for extra in ([], ["--json"], ["--fix"]):
        given = "'check-cert', " + "".join(f"{e!r}, " for e in extra)
        proc = subprocess.run([sys.executable, "-c", code.replace("'check-cert', ", given)],
                              capture_output=True, text=True, timeout=60, cwd=ROOT,
                              env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
        assert proc.stderr.strip().splitlines()[-1] == "[]", proc.stderr


def test_binary_input_reports_its_encoding_as_binary(cli):
    doc = cli("check-cert", CERTS / "okta.cer", "--json", "--now", NOW).json()
    assert (doc["data"]["input_format"], doc["data"]["encoding"]) == ("der", "binary")
    human = cli("check-cert", CERTS / "okta.cer", "--now", NOW).stdout
    assert "Input:       binary DER\n" in human


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix_is_suggested_only_when_it_can_help(cli, name):
    doc = cli("check-cert", "--json", CERTS / name, "--now", NOW).json()
    # the command as it works, with the file given (check-cert FILE --fix > clean.pem)
    suggests_fix = any(f"check-cert {CERTS / name} --fix" in f["hint"] for f in doc["findings"])
    if not doc["data"]["repairable"]:
        assert not suggests_fix, [f["code"] for f in doc["findings"]]
    elif any(f["code"] in ("CERT_NO_ARMOR", "CERT_DER", "CERT_INVALID_CHARS")
             for f in doc["findings"]):
        assert suggests_fix


def test_stdin_at_a_terminal_says_how_to_finish(capsys, monkeypatch):
    import io

    from ssoctl.cli import check_cert_report

    class Terminal(io.TextIOWrapper):
        def isatty(self):
            return True

    pasted = (CERTS / "okta.cert").read_bytes()
    monkeypatch.setattr(sys, "stdin", Terminal(io.BytesIO(pasted)))
    report = check_cert_report.work(file="-", text=None, fix=False, output=None, force=False,
                                    expect_fingerprint=None, metadata=None, warn_days=30,
                                    now=NOW)
    assert "Ctrl-D" in capsys.readouterr().err
    assert report.data["paste_ready"] is True and report.data["source"] == "stdin"
