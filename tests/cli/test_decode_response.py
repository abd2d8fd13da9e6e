"""ssoctl decode-response: every input path, every option, exit codes, stdout/stderr, JSON."""

from __future__ import annotations

import base64
import json
import re
import zlib
from urllib.parse import quote

import pytest

from support import attacks
from ssoctl.rehearsal import pki, samlgen

from conftest import FIXTURES, NOW

CAPTURES = FIXTURES / "captures"
AT = "2026-06-01T12:01:00Z"
SP = ["--sp-entity-id", samlgen.SP_ENTITY_ID, "--acs-url", samlgen.ACS_URL,
      "--idp-entity-id", samlgen.IDP_ENTITY_ID]
STATUS = "urn:oasis:names:tc:SAML:2.0:status:"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Messages and certificates on disk, made with the session's test IdP key."""
    out = tmp_path_factory.mktemp("decode")
    _, cert = samlgen.default_idp()
    sp_key, sp_cert = samlgen.default_sp()
    old = pki.okta_certificate(pki.cached_rsa_key("old-okta"), org="dev-old")[1]
    made = {
        "okta.pem": pki.cert_pem(cert).encode(),
        "old.pem": pki.cert_pem(old).encode(),
        "sp-key.pem": pki.key_pem(sp_key).encode(),
        "good.xml": samlgen.response(now=NOW, in_response_to="_r1"),
        "bad-audience.b64": base64.b64encode(samlgen.response(
            now=NOW, audience="https://sipgate.example/wrong")),
        "denied.xml": samlgen.response(now=NOW, status=STATUS + "Responder",
                                       status_message="User is not assigned to this app"),
        "encrypted.xml": samlgen.response(now=NOW, encrypt_for=sp_cert),
        "sha1.xml": samlgen.response(now=NOW, digest="sha1", signature="rsa-sha1"),
        "username.xml": samlgen.response(now=NOW, name_id="alice",
                                         name_id_format=samlgen.UNSPECIFIED),
    }
    for name, data in made.items():
        (out / name).write_bytes(data)
    md = (f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
          f'entityID="{samlgen.IDP_ENTITY_ID}"><md:IDPSSODescriptor '
          f'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
          f'<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
          f'<ds:X509Data><ds:X509Certificate>{base64.b64encode(pki.cert_der(cert)).decode()}'
          f'</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>'
          f'<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
          f'Location="{samlgen.SSO_URL}"/></md:IDPSSODescriptor></md:EntityDescriptor>')
    (out / "metadata.xml").write_text(md)
    return out


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch, tmp_path):
    """A configuration on the test machine must not change what is checked."""
    monkeypatch.setenv("SSOCTL_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.delenv("SSOCTL_PROFILE", raising=False)


def codes(result) -> list[str]:
    return [f["code"] for f in result.json()["findings"]]


# ---------------------------------------------------------------- input forms

@pytest.mark.parametrize("name, kind", [
    ("response.xml", "Response"), ("response.b64", "Response"),
    ("response-wrapped.b64", "Response"), ("response-plus-as-space.b64", "Response"),
    ("response-urlsafe.b64", "Response"), ("response.urlencoded", "Response"),
    ("post-body.txt", "Response"), ("okta-post-form.html", "Response"),
    ("authn-request.deflated", "AuthnRequest"), ("authn-request-url.txt", "AuthnRequest"),
    ("logout-request-url.txt", "LogoutRequest"), ("logout-response.xml", "LogoutResponse"),
])
def test_every_input_form(cli, name, kind):
    human = cli("decode-response", CAPTURES / name, "--now", AT, *SP)
    assert human.exit_code == 0, human.stdout + human.stderr
    assert "Type:" in human.stdout and kind in human.stdout
    doc = cli("decode-response", CAPTURES / name, "--now", AT, *SP, "--json").json()
    assert doc["ok"] is True
    assert doc["data"]["messages"][0]["message"]["kind"] == kind


def test_stdin(cli):
    raw = (CAPTURES / "response.b64").read_bytes()
    result = cli("decode-response", "-", "--now", AT, input=raw)
    assert result.exit_code == 0 and "SAMLResponse #1 (Response, pasted)" in result.stdout
    assert cli("decode-response", "--now", AT, input=raw).exit_code == 0  # '-' is the default


def test_redirect_url_built_on_the_spot(cli):
    deflated = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = deflated.compress(samlgen.authn_request(now=NOW, id="_x1")) + deflated.flush()
    url = f"{samlgen.SSO_URL}?SAMLRequest={quote(base64.b64encode(body))}&RelayState=r1"
    doc = cli("decode-response", "-", "--now", AT, "--json", input=url).json()
    message = doc["data"]["messages"][0]
    assert message["binding"] == "HTTP-Redirect" and message["relay_state"] == "r1"
    assert message["message"]["request"]["acs_url"] == samlgen.ACS_URL


@pytest.mark.parametrize("name", ["login.har", "saml-tracer.json"])
def test_capture_with_one_posted_response_decodes_it(cli, name):
    """Several messages, one SAMLResponse POSTed to the SP: that one, and a note saying so."""
    result = cli("decode-response", CAPTURES / name, "--now", AT, "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert [m["index"] for m in doc["data"]["messages"]] == [2]
    picked = [f for f in doc["findings"] if f["code"] == "BINDING_RESPONSE_PICKED"]
    assert picked and picked[0]["message"].startswith("message 2 of ")
    same = cli("decode-response", CAPTURES / name, "--entry", "2", "--now", AT, "--json")
    assert same.json()["data"]["messages"] == doc["data"]["messages"]
    assert not [f for f in same.json()["findings"] if f["code"] == "BINDING_RESPONSE_PICKED"]
    assert "FIXTURE-SECRET" not in result.stdout + result.stderr + same.stdout


def test_har_all_json_is_one_document(cli):
    result = cli("decode-response", CAPTURES / "login.har", "--all", "--now", AT, *SP, "--json")
    doc = result.json()
    assert result.exit_code == 0 and doc["ok"] is True
    assert [m["message"]["kind"] for m in doc["data"]["messages"]] == [
        "AuthnRequest", "Response", "LogoutRequest"]
    assert doc["data"]["messages_found"] == 3 and doc["data"]["form"] == "har"
    assert "FIXTURE-SECRET" not in result.stdout
    human = cli("decode-response", CAPTURES / "login.har", "--all", "--now", AT)
    assert "3 SAML messages in" in human.stdout and "SAMLRequest #3" in human.stdout


def test_entry_out_of_range(cli):
    result = cli("decode-response", CAPTURES / "login.har", "--entry", "9", "--json")
    assert result.exit_code == 2 and result.json()["error"]["code"] == "SAML_ENTRY_OUT_OF_RANGE"


@pytest.mark.parametrize("name, code", [("inflate-bomb.deflated", "SAML_INFLATE_TOO_LARGE"),
                                        ("make.py", "SAML_BASE64_INVALID")])
def test_unreadable_input_exits_3(cli, name, code):
    result = cli("decode-response", CAPTURES / name, "--json")
    assert result.exit_code == 3 and result.json()["error"]["code"] == code
    human = cli("decode-response", CAPTURES / name)
    assert human.stderr.startswith("error: ") and "Traceback" not in human.stderr


def test_missing_file_and_metadata_given_as_message(cli):
    assert cli("decode-response", "/no/such/file").exit_code == 3
    result = cli("decode-response", FIXTURES / "metadata" / "okta.xml", "--json")
    assert result.exit_code == 3 and result.json()["error"]["code"] == "SAML_NOT_A_MESSAGE"


def test_oversized_input_is_refused_before_decoding(cli, tmp_path):
    """docs/threat-model.md, "Resource exhaustion": an input over the limit (32 MiB, a large
    HAR) is exit 3 at once;
    a 50 MB file is well over it."""
    from ssoctl.saml.decode import MAX_INPUT_BYTES

    assert MAX_INPUT_BYTES < 50 * 1000 * 1000
    path = tmp_path / "huge.har"
    with path.open("wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)
    result = cli("decode-response", path)
    assert result.exit_code == 3 and "exceeds" in result.stderr
    assert cli("decode-response", path, "--json").json()["error"]["code"] == "INPUT_TOO_LARGE"


def test_dtd_is_refused(cli):
    result = cli("decode-response", "-", input=b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    assert result.exit_code == 3 and "DOCTYPE" in result.stderr


# ---------------------------------------------------------------- verification

def test_verified_with_cert(cli, files):
    result = cli("decode-response", files / "good.xml", "--cert", files / "okta.pem",
                 "--request-id", "_r1", "--now", AT, *SP)
    assert result.exit_code == 0, result.stdout
    assert "Result:          verified with --cert" in result.stdout
    assert "NameID:         alice@example.com\n" in result.stdout
    assert "(unverified)" not in result.stdout


@pytest.mark.parametrize("sign, response, assertion, expect_codes", [
    ("assertion", "not signed", "signed, verified", {"SAML_RESPONSE_NOT_SIGNED"}),  # Okta's default
    ("response", "signed, verified", "not signed", {"SAML_ASSERTION_NOT_SIGNED"}),
    ("both", "signed, verified", "signed, verified", set()),
])
def test_every_okta_signing_setting_verifies(cli, tmp_path, files, sign, response, assertion,
                                             expect_codes):
    """Okta signs the Assertion, the Response or both: none of them is a failure; the
    single-signature cases are a note (assertion only) or a warning (response only)."""
    path = tmp_path / f"{sign}.xml"
    path.write_bytes(samlgen.response(now=NOW, sign=sign, in_response_to="_r1"))
    args = ["decode-response", path, "--cert", files / "okta.pem", "--request-id", "_r1",
            "--now", AT, *SP]
    result = cli(*args)
    assert result.exit_code == 0, result.stdout
    assert f"Response:        {response}\n" in result.stdout
    assert f"Assertion:       {assertion}\n" in result.stdout
    assert "NameID:         alice@example.com\n" in result.stdout
    doc = cli(*args, "--json").json()
    assert doc["ok"] is True and doc["data"]["messages"][0]["signature"]["status"] == "verified"
    assert {f["code"] for f in doc["findings"]} == expect_codes
    assert all(f["severity"] != "error" for f in doc["findings"])
    # Without a certificate: not verified (a warning), still not a failure.
    bare = cli("decode-response", path, "--request-id", "_r1", "--now", AT, *SP, "--json")
    assert bare.exit_code == 0, bare.stdout
    assert bare.json()["data"]["messages"][0]["signature"]["status"] == "not_verified"
    assert {f["code"] for f in bare.json()["findings"]} == expect_codes | {"SIG_NOT_VERIFIED"}


def test_unsigned_response_without_certificate_says_why_it_fails(cli, tmp_path):
    """Nothing signed, no trust anchor: exit 4 because no SP accepts it; no advice to pass
    --cert (a certificate would not help); the user is not shown."""
    path = tmp_path / "unsigned.xml"
    path.write_bytes(samlgen.response(now=NOW, sign="none"))
    result = cli("decode-response", path, "--now", AT)
    assert result.exit_code == 4
    assert re.search(r"Result: +FAILED: nothing is signed", result.stdout)
    assert "SIG_UNSIGNED: neither the Response nor the Assertion is signed: sipgate" in result.stdout
    assert "SIG_NOT_VERIFIED" not in result.stdout and "--cert" not in result.stdout
    assert "alice@example.com" not in result.stdout
    assert codes(cli("decode-response", path, "--now", AT, "--json"))[0] == "SIG_UNSIGNED"


def test_unsigned_error_response_is_about_the_status(cli, tmp_path, files):
    """An unsigned error Response has nothing to verify, with or without --cert: a note,
    and the Status is the error."""
    path = tmp_path / "denied.xml"
    path.write_bytes(samlgen.response(now=NOW, sign="none", status=STATUS + "Responder"))
    for extra in ([], ["--cert", str(files / "okta.pem")]):
        result = cli("decode-response", path, "--now", AT, *extra)
        assert result.exit_code == 1, result.stdout
        assert re.search(r"Result: +nothing to verify \(the message is not signed\)",
                         result.stdout)
        doc = cli("decode-response", path, "--now", AT, "--json", *extra).json()
        severities = {f["code"]: f["severity"] for f in doc["findings"]}
        assert severities["SAML_STATUS_NOT_SUCCESS"] == "error"
        assert severities["SIG_NOT_VERIFIED"] == "info"


def test_unverified_is_marked_and_strict_fails(cli, files):
    result = cli("decode-response", files / "good.xml", "--now", AT)
    assert result.exit_code == 0
    assert "alice@example.com  (unverified)" in result.stdout
    assert "Attributes (UNVERIFIED)" in result.stdout and "SIG_NOT_VERIFIED" in result.stdout
    assert cli("decode-response", files / "good.xml", "--now", AT, "--strict").exit_code == 1


def test_wrong_certificate_and_wrong_audience(cli, files):
    """The troubleshooting walk-through: exit 4, both problems named, user withheld."""
    result = cli("decode-response", files / "bad-audience.b64", "--cert", files / "old.pem",
                 "--now", AT, *SP, "--json")
    assert result.exit_code == 4
    doc = result.json()
    assert doc["ok"] is False
    found = {f["code"]: f for f in doc["findings"]}
    assert found["SAML_SIGNING_CERT_MISMATCH"]["field"] == "sipgate Certificate"
    assert found["SAML_AUDIENCE_MISMATCH"]["received"] == "https://sipgate.example/wrong"
    assert "alice@" not in result.stdout
    human = cli("decode-response", files / "bad-audience.b64", "--cert", files / "old.pem",
                "--now", AT, *SP)
    assert "[withheld: signature check failed]" in human.stdout and "alice@" not in human.stdout


def test_metadata_is_a_trust_anchor_and_names_the_idp(cli, files):
    result = cli("decode-response", files / "good.xml", "--metadata", files / "metadata.xml",
                 "--now", AT, "--json")
    doc = result.json()
    assert result.exit_code == 0, doc
    assert doc["data"]["messages"][0]["signature"]["status"] == "verified"
    assert doc["data"]["checked_against"]["idp_entity_id"] == samlgen.IDP_ENTITY_ID


def test_fingerprint(cli, files):
    from cryptography import x509

    from ssoctl.certs import facts

    sha = facts.fingerprint(x509.load_pem_x509_certificate((files / "okta.pem").read_bytes()))
    ok = cli("decode-response", files / "good.xml", "--fingerprint", sha, "--now", AT)
    assert ok.exit_code == 0 and "verified with --fingerprint" in ok.stdout
    bad = cli("decode-response", files / "good.xml", "--fingerprint", "AB" * 32, "--now", AT)
    assert bad.exit_code == 4 and "SAML_SIGNING_CERT_MISMATCH" in bad.stdout
    usage = cli("decode-response", files / "good.xml", "--fingerprint", "12:34")
    assert usage.exit_code == 2 and "not a SHA-256 fingerprint" in usage.stderr


def test_encrypted_assertion_with_sp_key(cli, files):
    without = cli("decode-response", files / "encrypted.xml", "--cert", files / "okta.pem",
                  "--now", AT, "--json")
    assert "SIG_ENCRYPTED_NO_KEY" in codes(without) and without.exit_code == 1
    with_key = cli("decode-response", files / "encrypted.xml", "--cert", files / "okta.pem",
                   "--sp-key", files / "sp-key.pem", "--now", AT)
    assert with_key.exit_code == 0 and "NameID:         alice@example.com\n" in with_key.stdout
    assert "PRIVATE KEY" not in with_key.stdout + with_key.stderr


def test_sha1_needs_allow_sha1(cli, files):
    args = ("decode-response", files / "sha1.xml", "--cert", files / "okta.pem", "--now", AT)
    refused = cli(*args, "--json")
    assert refused.exit_code == 4 and "SIG_SHA1" in codes(refused)
    allowed = cli(*args, "--allow-sha1", "--json")
    assert allowed.exit_code == 0 and "SIG_SHA1" in codes(allowed)
    assert allowed.json()["data"]["messages"][0]["signature"]["status"] == "verified"


def test_bad_cert_file_is_input_error(cli, files):
    result = cli("decode-response", files / "good.xml", "--cert", files / "sp-key.pem")
    assert result.exit_code == 3 and "private key" in result.stderr
    assert "BEGIN" not in result.stderr


# ---------------------------------------------------------------- checks

def test_error_status_explained(cli, files):
    result = cli("decode-response", files / "denied.xml", "--now", AT)
    assert result.exit_code == 1
    assert re.search(r"^  Status: +Responder$", result.stdout, re.M)
    assert re.search(r"^  Status message: +User is not assigned to this app$", result.stdout, re.M)
    assert "SAML_STATUS_NOT_SUCCESS" in result.stdout and "Assignments" in result.stdout


def test_user_name_instead_of_email(cli, files):
    result = cli("decode-response", files / "username.xml", "--cert", files / "okta.pem",
                 "--now", AT, "--json")
    assert result.exit_code == 1
    assert {"SAML_NAMEID_NOT_EMAIL", "SAML_NAMEID_FORMAT"} <= set(codes(result))


def test_expired_capture_and_skew(cli, files):
    late = cli("decode-response", files / "good.xml", "--now", "2026-06-01T15:00:00Z", "--json")
    assert late.exit_code == 1 and "SAML_EXPIRED" in codes(late)
    assert "--now 2026-06-01T12:00:00Z" in json.dumps(late.json()["findings"])
    edge = ("decode-response", files / "good.xml", "--now", "2026-06-01T12:06:00Z", "--json")
    assert "SAML_TIME_WITHIN_SKEW" in codes(cli(*edge))
    assert "SAML_EXPIRED" in codes(cli(*edge, "--skew", "0"))
    assert cli("decode-response", files / "good.xml", "--now", "tomorrow").exit_code == 2


def test_request_id_mismatch(cli, files):
    result = cli("decode-response", files / "good.xml", "--request-id", "_other", "--now", AT,
                 "--json")
    found = [f for f in result.json()["findings"] if f["code"] == "SAML_IN_RESPONSE_TO_MISMATCH"]
    assert result.exit_code == 1 and found[0]["expected"] == "_other"


# ---------------------------------------------------------------- --xml and attacks

def test_xml_output(cli, files):
    result = cli("decode-response", files / "good.xml", "--xml", "--now", AT)
    assert "XML of SAMLResponse #1" in result.stdout and "\n  <saml2:Issuer" in result.stdout
    assert "the signature was not verified" in result.stdout
    doc = cli("decode-response", files / "good.xml", "--xml", "--now", AT, "--json").json()
    assert doc["data"]["messages"][0]["xml"].startswith("<saml2p:Response")


@pytest.mark.parametrize("name", sorted(attacks.ATTACKS))
def test_attacks_exit_4_and_never_show_the_attacker(cli, files, name):
    xml = attacks.build(name, now=NOW)
    for extra in ([], ["--xml"], ["--json"], ["--xml", "--json"]):
        result = cli("decode-response", "-", "--cert", files / "okta.pem", "--now", AT, *extra,
                     input=xml)
        assert result.exit_code == 4, (extra, result.stdout[-800:])
        assert "admin@" not in result.stdout + result.stderr, extra


@pytest.mark.parametrize("name", ["xsw1", "xsw3", "xsw5", "multiple-assertions", "foreign-root",
                                  "strip-signature", "stray-digest"])
def test_attacks_without_certificate_still_exit_4(cli, name):
    result = cli("decode-response", "-", "--xml", "--now", AT, input=attacks.build(name, now=NOW))
    assert result.exit_code == 4 and "admin@" not in result.stdout + result.stderr
    assert "WARNING: the signature check failed" in result.stdout


def test_help_and_docs_page(cli):
    result = cli("decode-response", "--help")
    assert result.exit_code == 0
    for option in ("--input-format", "--entry", "--all", "--cert", "--fingerprint", "--metadata",
                   "--ca-bundle", "--sp-key", "--allow-sha1", "--sp-entity-id", "--acs-url",
                   "--idp-entity-id", "--request-id", "--now", "--skew", "--xml", "--json",
                   "--strict"):
        assert option in result.stdout


# ---------------------------------------------------------------- docs/troubleshooting.md

WALK = FIXTURES / "troubleshooting"


def test_walk_through_fixtures(cli):
    """The scenario docs/troubleshooting.md shows stays true."""
    first = cli("decode-response", WALK / "login-failed.b64", "--now", AT, *SP[:4], "--json")
    assert first.exit_code == 1 and "SAML_AUDIENCE_MISMATCH" in codes(first)
    second = cli("decode-response", WALK / "login-failed.b64", "--cert",
                 WALK / "sipgate-certificate.pem", "--now", AT, *SP[:4], "--json")
    assert second.exit_code == 4
    assert {"SAML_SIGNING_CERT_MISMATCH", "SAML_AUDIENCE_MISMATCH"} <= set(codes(second))
    assert "alice@" not in second.stdout
    fixed = cli("decode-response", WALK / "login-fixed.b64", "--cert", WALK / "okta-signing.pem",
                "--request-id", "_fixture0authn0request0id0000000000000001", "--now", AT, *SP)
    assert fixed.exit_code == 0 and "Result:          verified with --cert" in fixed.stdout


def test_profile_supplies_sp_settings(cli, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('default_profile = "acme"\n[profiles.acme]\n'
                      f'sp_entity_id = "{samlgen.SP_ENTITY_ID}"\n'
                      'acs_url = "https://sipgate.example/saml/other-acs"\n')
    monkeypatch.setenv("SSOCTL_CONFIG", str(config))
    result = cli("decode-response", CAPTURES / "response.xml", "--now", AT, "--json")
    doc = result.json()
    assert result.exit_code == 1 and "SAML_DESTINATION_MISMATCH" in codes(result)
    assert doc["data"]["checked_against"]["profile"] == "acme"
    overridden = cli("decode-response", CAPTURES / "response.xml", "--now", AT,
                     "--acs-url", samlgen.ACS_URL)
    assert overridden.exit_code == 0
    assert overridden.stdout.startswith("Checking against the SP settings of profile 'acme'.")
    missing = cli("decode-response", CAPTURES / "response.xml", "--profile", "nope")
    assert missing.exit_code == 2 and "no profile named 'nope'" in missing.stderr


# ---------------------------------------------------------------- JSON contract

GOLDEN = __import__("pathlib").Path(__file__).parent / "golden"


@pytest.mark.parametrize("name, args", [
    ("decode-response-har-entry2", ["--entry", "2", *SP,
                                    "--request-id", "_fixture0authn0request0id0000000000000001"]),
    ("decode-response-wrong-cert", ["--cert", str(WALK / "sipgate-certificate.pem"), *SP]),
])
def test_json_matches_golden_file(cli, name, args):
    """The JSON document is a contract: a change here must be deliberate (regenerate
    with SSOCTL_UPDATE_GOLDEN=1 and review the diff)."""
    import os

    source = CAPTURES / "login.har" if "har" in name else WALK / "login-failed.b64"
    doc = cli("decode-response", source, "--now", AT, "--json", *args).json()
    doc["data"]["source"] = "<source>"
    doc["data"]["checked_against"]["trust_source"] = None
    for message in doc["data"]["messages"]:
        if message["signature"]:
            message["signature"]["trust_source"] = None
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    text = text.replace(str(WALK), "<fixtures>")
    path = GOLDEN / f"{name}.json"
    if os.environ.get("SSOCTL_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()


# Docs show real output: tests/test_doc_transcripts.py runs every transcript.


def test_expired_trusted_certificate(cli, files, tmp_path):
    """D32: a trusted certificate past its validity is an error (exit 4) unless
    --allow-expired-cert, which still reports it."""
    late = "2036-02-01T12:01:00Z"
    xml = samlgen.response(now=NOW.replace(year=2036, month=2))
    (tmp_path / "late.xml").write_bytes(xml)
    args = ("decode-response", tmp_path / "late.xml", "--cert", files / "okta.pem", "--now", late)
    refused = cli(*args, "--json")
    assert refused.exit_code == 4 and "SIG_CERT_EXPIRED" in codes(refused)
    allowed = cli(*args, "--allow-expired-cert", "--json")
    assert allowed.exit_code == 0 and "SIG_CERT_EXPIRED" in codes(allowed)


def test_encrypted_without_key_does_not_claim_unsigned(cli, files):
    """Without --sp-key the Assertion (and its signature) cannot be seen: say so, rather
    than 'not signed' or 'nothing to verify'."""
    result = cli("decode-response", files / "encrypted.xml", "--cert", files / "okta.pem",
                 "--now", AT)
    assert result.exit_code == 1
    assert re.search(r"Result: +NOT verified: the Assertion is encrypted \(give the SP "
                     r"private key with --sp-key\)", result.stdout)
    assert re.search(r"Assertion: +encrypted \(its signature is inside\)", result.stdout)
    assert "nothing to verify" not in result.stdout
    assert "SIG_ENCRYPTED_NO_KEY" in codes(cli("decode-response", files / "encrypted.xml",
                                               "--now", AT, "--json"))


def test_encrypted_with_a_verified_response_signature_does_not_say_not_verified(cli, tmp_path):
    """Only the Response is signed and the Assertion is encrypted: the Response signature
    is verified, so the Result line says that (it said 'NOT verified ... with --cert')."""
    _, sp_cert = samlgen.default_sp()
    path = tmp_path / "enc-response-signed.xml"
    path.write_bytes(samlgen.response(now=NOW, encrypt_for=sp_cert, sign="response"))
    pem = tmp_path / "okta.pem"
    pem.write_bytes(pki.cert_pem(samlgen.default_idp()[1]).encode())
    result = cli("decode-response", path, "--cert", pem, "--now", AT)
    assert result.exit_code == 1
    assert re.search(r"Result: +Response verified with --cert \S+okta.pem; the Assertion is "
                     r"encrypted \(give the SP private key with --sp-key to read it\)",
                     result.stdout)
    assert re.search(r"Response: +signed, verified", result.stdout)
    assert "NOT verified" not in result.stdout


def test_list_shows_every_message_with_url_and_time(cli):
    """--list: number, parameter, kind, method, URL (query values elided), time; no secrets."""
    result = cli("decode-response", CAPTURES / "login.har", "--list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "3 SAML messages in " + str(CAPTURES / "login.har") + " (har)"
    assert re.search(r"2 +SAMLResponse \(Response\) +POST +https://sipgate.example/saml/acs "
                     r"+2026-06-01 12:00:02Z", result.stdout)
    assert "SAMLRequest (LogoutRequest)" in result.stdout
    assert "FIXTURE-SECRET" not in result.stdout + result.stderr
    doc = cli("decode-response", CAPTURES / "saml-tracer.json", "--list", "--json").json()
    assert [m["kind"] for m in doc["data"]["messages"]] == ["AuthnRequest", "Response"]
    assert doc["data"]["messages"][1]["time"] is None  # SAML-tracer requests carry no time
    har = cli("decode-response", CAPTURES / "login.har", "--list", "--json").json()
    assert har["data"]["messages"][1]["time"] == "2026-06-01T12:00:02Z"


def test_list_cannot_be_combined_with_entry(cli):
    result = cli("decode-response", CAPTURES / "login.har", "--list", "--entry", "2")
    assert result.exit_code == 2 and "--list cannot be combined" in result.stderr


def test_many_messages_point_to_list(cli, tmp_path):
    """The usage error for a large capture names the first ten and points to --list."""
    xml = (CAPTURES / "response.xml").read_bytes()
    entries = [{"startedDateTime": f"2026-06-01T12:00:{i:02d}.000Z", "request": {
        "method": "POST", "url": "https://sipgate.example/saml/acs", "headers": [],
        "postData": {"mimeType": "application/x-www-form-urlencoded", "params": [
            {"name": "SAMLResponse", "value": quote(base64.b64encode(xml).decode(), safe="")}]}},
        "response": {"status": 302, "headers": [], "content": {}}} for i in range(12)]
    path = tmp_path / "many.har"
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    result = cli("decode-response", path, "--json")
    assert result.exit_code == 2
    assert "… 2 more (--list shows every one)" in result.json()["error"]["hint"]
    listed = cli("decode-response", path, "--list", "--json").json()
    assert len(listed["data"]["messages"]) == 12


def _logins_har(path, count: int):
    """A HAR of ``count`` logins: each a Response (its own ID) posted to sipgate's ACS."""
    xml = (CAPTURES / "response.xml").read_bytes()
    entries = [{"startedDateTime": f"2026-06-01T12:00:{i:02d}.000Z", "request": {
        "method": "POST", "url": "https://sipgate.example/saml/acs", "headers": [],
        "postData": {"mimeType": "application/x-www-form-urlencoded", "params": [
            {"name": "SAMLResponse", "value": quote(base64.b64encode(
                xml.replace(b"id10000000000000000000000001", f"idX{i}".encode())).decode(),
                safe="")}]}},
        "response": {"status": 302, "headers": [], "content": {}}} for i in range(count)]
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    return path


def test_ambiguous_capture_prints_the_list_table(cli, tmp_path):
    """Two Responses posted (two logins): no guess; the --list table, the commands with the
    file name given, exit 2."""
    path = _logins_har(tmp_path / "two logins.har", 2)
    result = cli("decode-response", path)
    assert result.exit_code == 2
    out = result.stdout
    assert "2 SAML messages found" in out
    assert "#" in out and "SAMLResponse (Response)" in out  # the table's header and rows
    assert "hint:" not in out + result.stderr
    assert f"ssoctl decode-response '{path}' --entry N" in out


@pytest.mark.parametrize("streamed", [False, True], ids=["read-whole", "streamed"])
def test_ambiguous_capture_is_read_once(cli, tmp_path, monkeypatch, streamed):
    """The table shown for an ambiguous capture lists what the decode attempt already
    read: a browser capture of hundreds of megabytes is not read a second time. The
    table and its notes are the ones --list prints."""
    from ssoctl.saml import binding, capture

    if streamed:  # as a HAR over 4 MiB is read
        monkeypatch.setattr(capture, "STREAM_FROM", 0)
    path = _logins_har(tmp_path / "three logins.har", 3)
    reads = []
    real = binding.decode_input
    monkeypatch.setattr(binding, "decode_input",
                        lambda *a, **k: reads.append(1) or real(*a, **k))
    result = cli("decode-response", path)
    assert result.exit_code == 2 and "3 SAML messages found" in result.stdout
    assert result.stdout.count("SAMLResponse (Response)") == 3
    assert len(reads) == 1
    listed = cli("decode-response", path, "--list").stdout
    table = listed.split("Decode one with")[0].strip()
    assert table.count("sipgate.example/saml/acs") == 3 and table in result.stdout


def test_metadata_aggregate_is_picked_with_idp_entity_id(cli):
    """A federation aggregate as --metadata: without --idp-entity-id the error names that
    option; with it, the IdP is read from the aggregate."""
    from conftest import FIXTURES

    aggregate = FIXTURES / "metadata" / "shibboleth-aggregate.xml"
    source = CAPTURES / "login.har"
    result = cli("decode-response", source, "--entry", "2", "--metadata", aggregate,
                 "--now", AT, "--json")
    error = result.json()["error"]
    assert result.exit_code == 2 and "--idp-entity-id" in error["message"] + error["hint"]
    import re

    ids = re.findall(r'<(?:md:)?EntityDescriptor[^>]*entityID="([^"]+)"[^>]*>\s*<(?:md:)?IDPSSODescriptor',
                     aggregate.read_text())
    assert ids
    picked = cli("decode-response", source, "--entry", "2", "--metadata", aggregate,
                 "--idp-entity-id", ids[0], "--now", AT, "--json")
    assert picked.exit_code in (0, 1, 4), picked.stdout
    assert "error" not in picked.json()


# --jobs: a large capture is decoded in worker processes; the output must not change.

@pytest.fixture
def forkable(monkeypatch):
    """Server threads left by other tests keep ssoctl serial; these tests want workers."""
    from ssoctl.saml import parallel

    monkeypatch.setattr(parallel, "_threads_running", lambda: False)


@pytest.fixture(scope="module")
def big_capture(tmp_path_factory):
    """60 responses: good, tampered (exit 4), expired and wrong-audience, interleaved."""
    from test_decode_parallel import har, mixed_messages

    path = tmp_path_factory.mktemp("jobs") / "sixty.har"
    path.write_bytes(har(mixed_messages(60)))
    return path


def test_jobs_do_not_change_the_output(cli, files, big_capture, forkable):
    args = ["decode-response", big_capture, "--all", "--cert", files / "okta.pem", *SP,
            "--now", AT, "--json"]
    runs = [cli(*args, *jobs) for jobs in ([], ["--jobs", "1"], ["--jobs", "2"], ["-j", "3"])]
    assert {r.exit_code for r in runs} == {4}  # tampered messages: trust failure
    assert len({r.stdout for r in runs}) == 1 and {r.stderr for r in runs} == {""}
    doc = runs[0].json()
    assert [m["index"] for m in doc["data"]["messages"]] == list(range(1, 61))
    codes = {f["code"] for f in doc["findings"]}
    assert {"SAML_EXPIRED", "SAML_AUDIENCE_MISMATCH"} <= codes


def test_jobs_error_from_a_worker_is_reported_as_in_serial(cli, tmp_path, forkable):
    from test_decode_parallel import har, mixed_messages

    messages = mixed_messages(60)
    messages[7] = b'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>'
    path = tmp_path / "bad.har"
    path.write_bytes(har(messages))
    for extra in ([], ["--json"]):
        serial = cli("decode-response", path, "--all", "--now", AT, "--jobs", "1", *extra)
        together = cli("decode-response", path, "--all", "--now", AT, "--jobs", "2", *extra)
        assert serial.exit_code == together.exit_code == 3
        assert (serial.stdout, serial.stderr) == (together.stdout, together.stderr)
    assert together.json()["error"]["code"] == "SAML_NOT_A_MESSAGE"


def test_jobs_must_be_positive(cli, big_capture):
    result = cli("decode-response", big_capture, "--all", "--jobs", "0")
    assert result.exit_code == 2 and "--jobs" in result.stderr
