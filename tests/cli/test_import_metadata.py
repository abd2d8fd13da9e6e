"""``ssoctl import-metadata`` in-process: every fixture shape, human and JSON, and the options."""

from __future__ import annotations

import os
import shlex

import pytest

from conftest import FIXTURES

MD_DIR = FIXTURES / "metadata"
NOW = "2026-06-01T12:00:00Z"
OKTA_ENTITY = "http://www.okta.com/exk1fcx7ab2CDEf3G4h8"
OKTA_SSO = ("https://dev-12345678.okta.com/app/dev-12345678_sipgate_1/exk1fcx7ab2CDEf3G4h8"
            "/sso/saml")
SHIB_A = "https://idp.uni-a.example.edu/idp/shibboleth"

#: fixture -> (extra args, exit code, entity ID, SSO URL fragment, the finding codes expected)
SHAPES = {
    "okta.xml": ((), 0, OKTA_ENTITY, OKTA_SSO, []),
    "entra.xml": ((), 0, "https://sts.windows.net/0f3e7c1a-5b2d-4e8f-9a6c-1d2b3c4d5e6f/",
                  "login.microsoftonline.com", ["METADATA_ENTITY_ID_TRAILING_SLASH",
                                                "METADATA_MULTIPLE_SIGNING_CERTS",
                                                "METADATA_SIGNATURE_NOT_VERIFIED"]),
    "adfs.xml": ((), 0, "http://adfs.example.com/adfs/services/trust",
                 "https://adfs.example.com/adfs/ls/", ["METADATA_SIGNATURE_NOT_VERIFIED"]),
    "google.xml": ((), 0, "https://accounts.google.com/o/saml2?idpid=C01a2b3c4",
                   "https://accounts.google.com/o/saml2/idp?idpid=C01a2b3c4", []),
    "keycloak.xml": ((), 0, "https://sso.example.com/realms/acme",
                     "https://sso.example.com/realms/acme/protocol/saml",
                     ["METADATA_WANTS_SIGNED_REQUESTS"]),
    "onelogin.xml": ((), 0, "https://app.onelogin.com/saml/metadata/"
                     "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d", "http-redirect/sso", []),
    "shibboleth-aggregate.xml": (("--entity-id", SHIB_A), 0, SHIB_A,
                                 "https://idp.uni-a.example.edu/idp/profile/SAML2/Redirect/SSO",
                                 ["METADATA_SIGNATURE_NOT_VERIFIED"]),
    "defect-expired-cert.xml": ((), 1, OKTA_ENTITY, OKTA_SSO, ["CERT_EXPIRED"]),
    "defect-encryption-only.xml": ((), 1, OKTA_ENTITY, OKTA_SSO, ["METADATA_NO_SIGNING_CERT"]),
    "defect-valid-until-past.xml": ((), 1, OKTA_ENTITY, OKTA_SSO, ["METADATA_EXPIRED"]),
    "defect-http-sso-url.xml": ((), 1, OKTA_ENTITY, "http://dev-12345678.okta.com",
                                ["METADATA_SSO_URL_NOT_HTTPS"]),
    "defect-no-email-nameid.xml": ((), 0, OKTA_ENTITY, OKTA_SSO, ["METADATA_NO_EMAIL_NAMEID"]),
    "defect-entity-id-whitespace.xml": ((), 1, OKTA_ENTITY, OKTA_SSO,
                                        ["METADATA_ENTITY_ID_WHITESPACE"]),
    "defect-lookalike-namespace.xml": ((), 0, OKTA_ENTITY, OKTA_SSO,
                                       ["METADATA_FOREIGN_ELEMENTS_IGNORED"]),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_human(cli, name):
    args, code, entity, sso, findings = SHAPES[name]
    r = cli("import-metadata", MD_DIR / name, "--now", NOW, *args)
    assert r.exit_code == code, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    # The three sipgate fields come first, in sipgate's words.
    assert lines[0] == "sipgate → Account → Single Sign-on"
    assert lines[1].startswith("  SSO URL:") and sso in lines[1]
    assert lines[2].startswith("  Entity ID:") and lines[2].split(": ", 1)[1].strip() == entity
    if "METADATA_NO_SIGNING_CERT" in findings:
        assert "Certificate: none usable" in r.stdout
    else:
        assert "\nCertificate:\n-----BEGIN CERTIFICATE-----" in r.stdout
        assert "into sipgate's Certificate field" in r.stdout
    assert r.stdout.index("Entity ID") < r.stdout.index("Metadata details")
    for finding_code in findings:
        assert finding_code in r.stdout
    assert "Traceback" not in r.stdout + r.stderr


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_json(cli, name):
    args, code, entity, sso, findings = SHAPES[name]
    r = cli("import-metadata", MD_DIR / name, "--now", NOW, "--json", *args)
    assert r.exit_code == code
    doc = r.json()
    assert doc["ok"] is (code == 0)
    data = doc["data"]
    assert data["entity_id"] == entity and data["sipgate"]["entity_id"] == entity
    assert sso in data["sso_url"] and data["sipgate"]["sso_url"] == data["sso_url"]
    got = [f["code"] for f in doc["findings"]]
    assert sorted(set(got)) == sorted(findings)  # exactly these: no noise, nothing missing
    for key in ("sso_urls", "signing_certificates", "encryption_certificates", "name_id_formats",
                "want_authn_requests_signed", "slo_urls", "valid_until", "cache_duration",
                "signed", "signature_verified", "chosen_certificate_index", "entity_ids_found",
                "cert_out"):
        assert key in data
    if data["signing_certificates"]:
        chosen = data["signing_certificates"][data["chosen_certificate_index"]]
        assert data["sipgate"]["certificate"] == chosen["pem"]
        assert chosen["not_after"].endswith("Z") and ":" in chosen["sha256"]


def test_okta_json_details(cli):
    doc = cli("import-metadata", MD_DIR / "okta.xml", "--now", NOW, "--json").json()
    data = doc["data"]
    assert data["sso_binding"] == "HTTP-Redirect"
    assert data["sso_urls"] == {"HTTP-POST": OKTA_SSO, "HTTP-Redirect": OKTA_SSO}
    assert data["sipgate"]["certificate"] == (MD_DIR / "okta-signing.pem").read_text()
    assert data["signed"] is False and data["signature_verified"] is None
    assert doc["findings"] == []


def test_global_json_flag_works_too(cli):
    r = cli("--json", "import-metadata", MD_DIR / "okta.xml", "--now", NOW)
    assert r.json()["data"]["entity_id"] == OKTA_ENTITY


def test_entra_human_explains_rollover(cli):
    r = cli("import-metadata", MD_DIR / "entra.xml", "--now", NOW)
    assert "Certificate #1 of 2" in r.stdout
    assert "#2 is the newest" in r.stdout and "use #1" in r.stdout
    assert "sipgate" in r.stdout.split("Certificates\n", 1)[1]
    assert "newest" in r.stdout.split("Certificates\n", 1)[1]


def test_cert_index_picks_another_certificate(cli):
    one = cli("import-metadata", MD_DIR / "entra.xml", "--now", NOW, "--json").json()["data"]
    two = cli("import-metadata", MD_DIR / "entra.xml", "--now", NOW, "--json",
              "--cert-index", "2").json()["data"]
    assert two["chosen_certificate_index"] == 1
    assert two["sipgate"]["certificate"] != one["sipgate"]["certificate"]
    r = cli("import-metadata", MD_DIR / "entra.xml", "--now", NOW, "--cert-index", "3")
    assert r.exit_code == 2 and "METADATA_BAD_CERT_INDEX" not in r.stdout
    assert "--cert-index 3" in r.stderr
    assert cli("import-metadata", MD_DIR / "entra.xml", "--cert-index", "0").exit_code == 2


def test_binding_option(cli):
    r = cli("import-metadata", MD_DIR / "onelogin.xml", "--now", NOW, "--binding", "HTTP-POST",
            "--json")
    assert "http-post/sso" in r.json()["data"]["sso_url"]
    r = cli("import-metadata", MD_DIR / "google.xml", "--now", NOW, "--binding", "artifact")
    assert r.exit_code == 1 and "METADATA_BINDING_MISSING" in r.stdout
    r = cli("import-metadata", MD_DIR / "google.xml", "--binding", "smoke-signal", "--json")
    assert r.exit_code == 2 and r.json()["error"]["code"] == "METADATA_BAD_BINDING"


def test_aggregate_without_entity_id_lists_idps(cli):
    r = cli("import-metadata", MD_DIR / "shibboleth-aggregate.xml", "--now", NOW)
    assert r.exit_code == 2
    assert SHIB_A in r.stderr and "--entity-id" in r.stderr
    r = cli("import-metadata", MD_DIR / "shibboleth-aggregate.xml", "--json",
            "--entity-id", "https://nope.example/idp")
    assert r.exit_code == 2
    err = r.json()["error"]
    assert err["code"] == "METADATA_ENTITY_NOT_FOUND" and SHIB_A in err["message"]


def test_env_format_prints_only_key_value_lines_on_stdout(cli, tmp_path):
    out = tmp_path / "idp.pem"
    r = cli("import-metadata", MD_DIR / "google.xml", "--now", NOW, "--format", "env",
            "--cert-out", out)
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == [
        "SSOCTL_SSO_URL", "SSOCTL_ENTITY_ID", "SSOCTL_CERT_SHA256", "SSOCTL_CERT_PEM_FILE"]
    values = {k: shlex.split(v)[0] for k, v in (line.split("=", 1) for line in lines)}
    assert values["SSOCTL_SSO_URL"] == "https://accounts.google.com/o/saml2/idp?idpid=C01a2b3c4"
    assert values["SSOCTL_ENTITY_ID"] == "https://accounts.google.com/o/saml2?idpid=C01a2b3c4"
    assert values["SSOCTL_CERT_PEM_FILE"] == str(out)
    assert "SSO URL" in r.stderr  # the human report moved to stderr


def test_cert_out_writes_clean_pem_and_refuses_to_overwrite(cli, tmp_path):
    out = tmp_path / "okta.pem"
    r = cli("import-metadata", MD_DIR / "okta.xml", "--now", NOW, "--cert-out", out)
    assert r.exit_code == 0 and f"Certificate written to {out}" in r.stdout
    assert out.read_text() == (MD_DIR / "okta-signing.pem").read_text()
    assert oct(os.stat(out).st_mode & 0o777) == "0o644"
    r = cli("import-metadata", MD_DIR / "entra.xml", "--now", NOW, "--cert-out", out)
    assert r.exit_code == 2 and "--force" in r.stderr
    assert out.read_text() == (MD_DIR / "okta-signing.pem").read_text()
    r = cli("import-metadata", MD_DIR / "entra.xml", "--now", NOW, "--cert-out", out, "--force",
            "--json")
    assert r.exit_code == 0 and r.json()["data"]["cert_out"] == str(out)
    assert out.read_text() == (MD_DIR / "entra-metadata-signing.pem").read_text()


def test_cert_out_without_a_signing_certificate_writes_nothing(cli, tmp_path):
    out = tmp_path / "none.pem"
    r = cli("import-metadata", MD_DIR / "defect-encryption-only.xml", "--now", NOW,
            "--cert-out", out)
    assert r.exit_code == 1 and not out.exists()


def test_verify_signature_good_and_bad(cli):
    good = cli("import-metadata", MD_DIR / "entra.xml", "--now", NOW, "--verify-signature",
               MD_DIR / "entra-metadata-signing.pem", "--json")
    assert good.exit_code == 0 and good.json()["data"]["signature_verified"] is True
    human = cli("import-metadata", MD_DIR / "entra.xml", "--now", NOW, "--verify-signature",
                MD_DIR / "entra-metadata-signing.pem")
    assert "Signed:" in human.stdout and "yes, verified" in human.stdout
    bad = cli("import-metadata", MD_DIR / "entra.xml", "--now", NOW, "--verify-signature",
              MD_DIR / "adfs-signing.pem")
    assert bad.exit_code == 4 and "METADATA_SIGNATURE_INVALID" in bad.stdout
    assert "DOES NOT VERIFY" in bad.stdout
    unsigned = cli("import-metadata", MD_DIR / "okta.xml", "--now", NOW, "--json",
                   "--verify-signature", MD_DIR / "okta-signing.pem")
    assert unsigned.exit_code == 4
    assert [f["code"] for f in unsigned.json()["findings"]] == ["METADATA_UNSIGNED"]
    missing = cli("import-metadata", MD_DIR / "entra.xml", "--verify-signature", "/nope.pem")
    assert missing.exit_code == 3 and "INPUT" not in missing.stdout


def test_tampered_signed_metadata_exits_4(cli, tmp_path):
    data = (MD_DIR / "adfs.xml").read_bytes().replace(b"adfs.example.com/adfs/ls/",
                                                     b"evil.example.com/adfs/ls/")
    path = tmp_path / "tampered.xml"
    path.write_bytes(data)
    r = cli("import-metadata", path, "--now", NOW, "--json", "--verify-signature",
            MD_DIR / "adfs-signing.pem")
    assert r.exit_code == 4 and r.json()["ok"] is False


def test_strict_turns_warnings_into_exit_1(cli):
    assert cli("import-metadata", MD_DIR / "defect-no-email-nameid.xml",
               "--now", NOW).exit_code == 0
    assert cli("import-metadata", MD_DIR / "defect-no-email-nameid.xml", "--now", NOW,
               "--strict").exit_code == 1
    # info findings never fail, even under --strict
    assert cli("import-metadata", MD_DIR / "keycloak.xml", "--now", NOW,
               "--strict").exit_code == 0


def test_warn_days_and_now(cli):
    r = cli("import-metadata", MD_DIR / "okta.xml", "--now", "2035-12-01", "--json")
    assert "CERT_EXPIRING_SOON" in [f["code"] for f in r.json()["findings"]]
    r = cli("import-metadata", MD_DIR / "okta.xml", "--now", "2035-12-01", "--warn-days", "10",
            "--json")
    assert r.json()["findings"] == []
    r = cli("import-metadata", MD_DIR / "okta.xml", "--now", "yesterday")
    assert r.exit_code == 2 and "BAD_NOW" not in r.stdout


@pytest.mark.parametrize("url", ["ftp://idp.example/metadata", "file:///tmp/metadata.xml"])
def test_other_url_schemes_are_a_usage_error(cli, url):
    r = cli("import-metadata", url, "--json")
    assert r.exit_code == 2 and r.json()["error"]["code"] == "BAD_URL"


def test_stdin(cli):
    r = cli("import-metadata", "-", "--now", NOW, "--json",
            input=(MD_DIR / "okta.xml").read_bytes())
    assert r.exit_code == 0 and r.json()["data"]["source"] == "stdin"


@pytest.mark.parametrize("name", ["hostile-xxe.xml", "hostile-billion-laughs.xml"])
def test_hostile_fixtures_exit_3(cli, name):
    r = cli("import-metadata", MD_DIR / name, "--json")
    assert r.exit_code == 3 and r.json()["error"]["code"] == "XML_DOCTYPE"
    human = cli("import-metadata", MD_DIR / name)
    assert human.exit_code == 3 and human.stderr.startswith("error: ")
    assert len(human.stderr.splitlines()) == 2


def test_xxe_marker_never_in_output(cli, tmp_path):
    marker = "SSOCTL-CLI-XXE-MARKER-51c2"
    secret = tmp_path / "secret.txt"
    secret.write_text(marker)
    xxe = tmp_path / "xxe.xml"
    xxe.write_text(f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
                   '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
                   'entityID="&x;"><md:IDPSSODescriptor/></md:EntityDescriptor>')
    for extra in ((), ("--json",), ("--format", "env")):
        r = cli("import-metadata", xxe, *extra)
        assert r.exit_code == 3
        assert marker not in r.stdout + r.stderr


def test_xinclude_fixture_never_shows_passwd(cli):
    r = cli("import-metadata", MD_DIR / "hostile-xinclude.xml", "--now", NOW, "--json")
    assert r.exit_code == 0 and "root:" not in r.stdout


def test_not_metadata_exit_3(cli, tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Okta</title></head><body/></html>")
    r = cli("import-metadata", page)
    assert r.exit_code == 3 and "this is a web page (titled 'Okta'), not SAML metadata" in r.stderr
    assert "Metadata URL" in r.stderr
    assert cli("import-metadata", tmp_path / "missing.xml").exit_code == 3


def test_plain_http_url_refused_without_allow_http(cli):
    r = cli("import-metadata", "http://idp.example.com/metadata", "--json")
    assert r.exit_code == 2 and r.json()["error"]["code"] == "INSECURE_URL"


def test_help_mentions_sipgate_fields(cli):
    r = cli("import-metadata", "--help", env={"COLUMNS": "120"})
    assert r.exit_code == 0
    text = " ".join(r.stdout.split())
    for word in ("SSO URL", "Entity ID", "Certificate", "--verify-signature", "--format",
                 "--cert-out", "--ca-bundle", "--allow-http"):
        assert word in text


def test_oversized_fixture_exits_3_fast(cli):
    import time

    started = time.monotonic()
    r = cli("import-metadata", MD_DIR / "hostile-oversized.xml", "--json")
    # streamed (a file this size may be an aggregate), but its 10 MB comment is refused
    assert r.exit_code == 3 and r.json()["error"]["code"] == "XML_TOO_LARGE"
    assert time.monotonic() - started < 2.0
    r = cli("import-metadata", "-", input=(MD_DIR / "hostile-oversized.xml").read_bytes())
    assert r.exit_code == 3 and "exceeds" in r.stderr


@pytest.mark.parametrize("command", [
    "ssoctl import-metadata fixtures/metadata/okta.xml --now 2026-06-01",
    "ssoctl import-metadata fixtures/metadata/shibboleth-aggregate.xml",
    "ssoctl import-metadata fixtures/metadata/hostile-xxe.xml",
])
def test_docs_examples_are_real_runs(cli, monkeypatch, command):
    """The examples on docs/commands/import-metadata.md match what the command prints."""
    from conftest import ROOT

    page = (ROOT / "docs" / "commands" / "import-metadata.md").read_text()
    start = page.index(f"$ {command}\n") + len(command) + 3
    shown = page[start:page.index("```", start)].rstrip("\n")
    monkeypatch.chdir(ROOT)
    r = cli(*shlex.split(command)[1:])
    assert _keyless((r.stdout + r.stderr).rstrip("\n")) == _keyless(shown)


def _keyless(text: str) -> str:
    """Blank out what changes when fixtures/make_fixtures.py makes new keys (PEM body
    lines, fingerprints); everything else must match the docs exactly."""
    import re

    text = re.sub(r"^[A-Za-z0-9+/=]{8,64}$", "<base64>", text, flags=re.M)
    return re.sub(r"(?:[0-9A-F]{2}:){7,}[0-9A-F]{2}", "<fingerprint>", text)


def test_env_output_is_safe_to_eval_in_a_posix_shell(cli, tmp_path):
    """Hostile values in the metadata stay data: nothing runs, every value round-trips."""
    import subprocess

    marker = tmp_path / "PWNED"
    entity = f"http://idp.example/$(touch {marker})`touch {marker}`'x\";y &z"
    sso = f"https://idp.example/sso?a=1&b=$(touch {marker});c=' \\ $HOME"
    xml = ((MD_DIR / "okta.xml").read_text()
           .replace(OKTA_ENTITY, entity.replace("&", "&amp;").replace('"', "&quot;"))
           .replace(OKTA_SSO, sso.replace("&", "&amp;").replace('"', "&quot;")))
    src = tmp_path / "hostile.xml"
    src.write_text(xml)
    r = cli("import-metadata", src, "--now", NOW, "--format", "env")
    assert r.exit_code == 0, r.stderr
    script = r.stdout + 'printf "%s\\n%s\\n" "$SSOCTL_ENTITY_ID" "$SSOCTL_SSO_URL"\n'
    for shell in ("sh", "bash"):
        done = subprocess.run([shell, "-c", 'set -eu; eval "$1"', shell, script],
                              capture_output=True, text=True, timeout=10, check=True)
        assert done.stdout.splitlines() == [entity, sso]
    assert not marker.exists()


def test_reasons_for_binding_and_certificate_are_shown(cli):
    r = cli("import-metadata", MD_DIR / "entra.xml", "--now", NOW)
    assert "SSO binding used:" in r.stdout and "browser redirect" in r.stdout
    assert "Why this one: the first one listed that is valid now" in r.stdout
    one = cli("import-metadata", MD_DIR / "okta.xml", "--now", NOW)
    assert "Why this one" not in one.stdout  # a single certificate needs no reason
    data = cli("import-metadata", MD_DIR / "entra.xml", "--now", NOW, "--json").json()["data"]
    assert data["certificate_reason"].startswith("the first one listed")
    assert "browser redirect" in data["sso_binding_reason"]


def test_first_lines_are_the_three_sipgate_fields(cli):
    """What sipgate's form asks for comes first, in its own words and order."""
    lines = cli("import-metadata", MD_DIR / "okta.xml", "--now", NOW).stdout.splitlines()
    assert lines[0] == "sipgate → Account → Single Sign-on"
    assert lines[1].split() == ["SSO", "URL:", OKTA_SSO]
    assert lines[2].split() == ["Entity", "ID:", OKTA_ENTITY]
    assert lines[4] == "Certificate:" and lines[5] == "-----BEGIN CERTIFICATE-----"


def test_common_wrong_inputs_get_a_pointed_hint(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("import-metadata", "dev-123.okta.com/app/exk1/sso/saml/metadata", "--json")
    assert r.exit_code == 3
    err = r.json()["error"]
    assert err["code"] == "INPUT_NOT_FOUND"
    assert "https://dev-123.okta.com/app/exk1/sso/saml/metadata" in err["hint"]
    plain = cli("import-metadata", "missing.xml", "--json").json()["error"]
    assert "https://" not in plain["hint"]  # a plain missing file is not a URL
    r = cli("import-metadata", MD_DIR / "okta-signing.pem")
    assert r.exit_code == 3
    assert "this is a certificate, not IdP metadata" in r.stderr and "check-cert" in r.stderr


def test_long_foreign_binding_uris_do_not_widen_the_details(cli):
    r = cli("import-metadata", MD_DIR / "shibboleth-aggregate.xml", "--entity-id", SHIB_A,
            "--now", NOW)
    assert r.exit_code == 0
    details = r.stdout[r.stdout.index("Metadata details"):r.stdout.index("Certificates")]
    assert "SSO URL (other):" in details
    assert "binding urn:mace:shibboleth:1.0:profiles:AuthnRequest" in details
    assert max(len(line.split(": ", 1)[0]) for line in details.splitlines()
               if ": " in line) < 36


def test_cache_duration_is_shown_and_in_json(cli, tmp_path):
    src = tmp_path / "cached.xml"
    src.write_bytes((MD_DIR / "google.xml").read_bytes().replace(
        b'validUntil="2031-01-01T00:00:00.000Z"',
        b'validUntil="2031-01-01T00:00:00.000Z" cacheDuration="PT6H0M0.000S"'))
    r = cli("import-metadata", src, "--now", NOW)
    assert r.exit_code == 0
    assert [line.split() for line in r.stdout.splitlines() if "cacheDuration" in line] == [
        ["cacheDuration:", "PT6H0M0.000S"]]
    data = cli("import-metadata", src, "--now", NOW, "--json").json()["data"]
    assert data["cache_duration"] == "PT6H0M0.000S"
    assert data["valid_until"] == "2031-01-01T00:00:00Z"


@pytest.mark.parametrize("name", ["entra.xml", "adfs.xml", "okta.xml"])
def test_every_certificate_fingerprint_is_printed_whole(cli, name):
    """The SHA-256 of every certificate -- the rollover key and encryption keys too -- is
    in the text output whole, as --json has it: it is what a user compares with Okta's
    "SHA-256 fingerprint" (never shortened with an ellipsis)."""
    path = str(MD_DIR / name)
    doc = cli("import-metadata", path, "--json", "--now", NOW).json()
    text = cli("import-metadata", path, "--now", NOW).stdout
    prints = [c["sha256"] for use in ("signing_certificates", "encryption_certificates")
              for c in doc["data"].get(use) or ()]
    assert prints and all(len(p) == 95 and p in text for p in prints)
    assert not any(line.rstrip().endswith("…") for line in text.splitlines()
                   if ":" in line and "SHA-256" in line)


def test_several_certificates_in_one_file_name_each_by_its_whole_fingerprint(cli):
    from conftest import FIXTURES

    found = cli("check-cert", str(FIXTURES / "certs" / "several.pem"), "--json",
                "--now", NOW).json()
    message = next(f["message"] for f in found["findings"] if f["code"] == "CERT_SEVERAL")
    assert message.count("SHA-256 ") == 2 and "…" not in message
