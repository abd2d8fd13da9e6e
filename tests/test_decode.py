"""The core call behind decode-response: input -> messages -> verification -> model -> checks."""

from __future__ import annotations

import base64
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from support import attacks
from ssoctl.rehearsal import pki, samlgen
from ssoctl.errors import ExitCode, InputError, SsoctlError, UsageError
from ssoctl.findings import exit_code_for
from ssoctl.saml.anchors import TrustAnchors, from_pems, load_anchors
from ssoctl.saml.checks import Expectations
from ssoctl.saml.options import DecodeOptions
from ssoctl.saml.decode import WITHHELD, decode

from conftest import FIXTURES, NOW

EXPECT = Expectations(now=NOW, sp_entity_id=samlgen.SP_ENTITY_ID, acs_url=samlgen.ACS_URL,
                      idp_entity_id=samlgen.IDP_ENTITY_ID)


@pytest.fixture(scope="module")
def idp_pem() -> str:
    return pki.cert_pem(samlgen.default_idp()[1])


@pytest.fixture(scope="module")
def old_pem() -> str:
    return pki.cert_pem(pki.okta_certificate(pki.cached_rsa_key("old-okta"), org="dev-old")[1])


def run(xml: bytes, *pems: str, **options):
    anchors = options.pop("anchors", None) or from_pems(
        pems, source="--cert test.pem" if pems else "", now=NOW)
    opts = DecodeOptions(expect=options.pop("expect", EXPECT), anchors=anchors, **options)
    result = decode(xml, opts)
    return result, result.messages[0]


def codes(item) -> list[str]:
    return [f.code for f in item.findings]


def test_verified_response_reads_identity_from_signed_xml(idp_pem):
    result, item = run(samlgen.response(now=NOW, in_response_to="_r"), idp_pem)
    assert item.signature.status == "verified" and item.signature.assertion_verified
    assert item.message.identity == "verified"
    assert item.message.assertions[0].name_id == "alice@example.com"
    assert item.message.assertions[0].signed  # from the verifier, not the stripped copy
    assert exit_code_for(result.findings) == ExitCode.OK
    assert codes(item) == ["SAML_RESPONSE_NOT_SIGNED"]


def test_response_signature_only(idp_pem):
    _, item = run(samlgen.response(now=NOW, sign="response"), idp_pem)
    assert item.signature.status == "verified" and item.message.identity == "verified"
    assert item.message.assertions[0].name_id == "alice@example.com"
    assert "SAML_ASSERTION_NOT_SIGNED" in codes(item)


@pytest.mark.parametrize("sign", ["response", "both"])
def test_signed_flags_come_from_the_verifier(idp_pem, sign):
    """signxml returns the signed Response without its ds:Signature; the model still says
    it was signed -- also for an error Response, which carries no Assertion."""
    _, item = run(samlgen.response(now=NOW, sign=sign), idp_pem)
    assert item.signature.status == "verified"
    assert item.message.signed and item.message.assertions[0].signed is (sign == "both")
    responder = "urn:oasis:names:tc:SAML:2.0:status:Responder"
    _, error = run(samlgen.response(now=NOW, sign=sign, status=responder), idp_pem)
    assert error.signature.response_verified and error.message.assertions == ()
    assert error.message.signed


def test_without_trust_anchor_identity_is_unverified():
    result, item = run(samlgen.response(now=NOW))
    assert item.signature.status == "not_verified" and item.signature.integrity == "intact"
    assert item.message.identity == "unverified"
    assert item.message.assertions[0].name_id == "alice@example.com"
    assert "SIG_NOT_VERIFIED" in codes(item)
    assert exit_code_for(result.findings) == ExitCode.OK
    assert exit_code_for(result.findings, strict=True) == ExitCode.FINDINGS


def test_tampered_without_trust_anchor_is_caught_by_integrity_check():
    xml = samlgen.response(now=NOW).replace(b">alice@example.com</saml2:NameID>",
                                            b">admin@example.com</saml2:NameID>")
    result, item = run(xml)
    assert item.signature.integrity == "broken" and item.signature.status == "failed"
    assert item.message.identity == "withheld"
    assert exit_code_for(result.findings) == ExitCode.TRUST
    assert "admin@" not in repr(item)


def test_wrong_certificate_is_named_and_identity_withheld(old_pem):
    result, item = run(samlgen.response(now=NOW), old_pem)
    assert item.signature.status == "failed"
    assert "SAML_SIGNING_CERT_MISMATCH" in codes(item)
    assert "SIG_CERT_MISMATCH" not in codes(item)  # said once, in the richer words
    assert item.message.assertions[0].name_id is None
    assert exit_code_for(result.findings) == ExitCode.TRUST


def test_unsigned_response_is_a_trust_failure_without_signxml(tmp_path):
    """No signature and no anchor: SIG_UNSIGNED, identity withheld, signxml never imported."""
    path = tmp_path / "unsigned.xml"
    path.write_bytes(samlgen.response(now=NOW, sign="none"))
    code = (
        "import sys, datetime as dt\n"
        "from ssoctl.saml.options import DecodeOptions\n"
        "from ssoctl.saml.decode import decode\n"
        "from ssoctl.saml.checks import Expectations\n"
        "now = dt.datetime(2026, 6, 1, 12, tzinfo=dt.timezone.utc)\n"
        f"r = decode(open({str(path)!r}, 'rb').read(), DecodeOptions(expect=Expectations(now=now)))\n"
        "m = r.messages[0]\n"
        "print([f.code for f in m.findings], m.signature.status, m.message.identity,\n"
        "      'signxml' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert "'SIG_UNSIGNED'" in out and out.strip().endswith("failed withheld False")


def test_fingerprint_pins_the_embedded_certificate(idp_pem):
    from ssoctl.certs import facts
    from cryptography import x509

    sha = facts.fingerprint(x509.load_pem_x509_certificate(idp_pem.encode()))
    good = TrustAnchors(fingerprints=(sha.replace(":", ""),), source="--fingerprint")
    _, item = run(samlgen.response(now=NOW), anchors=good)
    assert item.signature.status == "verified"
    bad = TrustAnchors(fingerprints=("AB" * 32,), source="--fingerprint",
                       certs=(_pinned()._replace(sha256="AB:" * 31 + "AB"),))
    result, item = run(samlgen.response(now=NOW), anchors=bad)
    assert item.signature.status == "failed" and item.message.identity == "withheld"
    assert "SAML_SIGNING_CERT_MISMATCH" in codes(item)
    assert exit_code_for(result.findings) == ExitCode.TRUST


def _pinned():
    from ssoctl.saml.checks import CertSummary

    return CertSummary(subject="(pinned with --fingerprint)", sha256="")


def test_encrypted_assertion_needs_the_sp_key(idp_pem):
    sp_key, sp_cert = samlgen.default_sp()
    xml = samlgen.response(now=NOW, encrypt_for=sp_cert)
    _, item = run(xml, idp_pem)
    assert "SIG_ENCRYPTED_NO_KEY" in codes(item) and item.message.encrypted_assertions == 1
    _, item = run(xml, idp_pem, sp_key_pem=pki.key_pem(sp_key))
    assert item.signature.status == "verified"
    assert item.message.assertions[0].name_id == "alice@example.com"
    _, item = run(xml, sp_key_pem=pki.key_pem(sp_key))  # decrypted but not verified
    assert item.message.identity == "unverified"
    assert item.message.assertions[0].conditions.audiences == (samlgen.SP_ENTITY_ID,)


def test_xml_output_withholds_every_text_when_failed(idp_pem):
    xml = attacks.build("xsw3", now=NOW)
    _, item = run(xml, idp_pem, want_xml=True)
    assert item.signature.status == "failed"
    assert attacks.EVIL not in item.xml and WITHHELD in item.xml
    assert "<ds:SignatureValue>" in item.xml  # the structure stays visible
    _, item = run(samlgen.response(now=NOW), idp_pem, want_xml=True)
    assert "alice@example.com" in item.xml and "\n  <saml2:Issuer" in item.xml


@pytest.mark.parametrize("name", ["xsw3", "multiple-assertions", "foreign-root",
                                  "hidden-in-extensions", "xsw7"])
def test_structural_attacks_fail_even_without_a_certificate(name):
    result, item = run(attacks.build(name, now=NOW), want_xml=True)
    assert item.signature.status == "failed"
    assert exit_code_for(result.findings) == ExitCode.TRUST
    assert attacks.EVIL not in repr(result)


def test_metadata_is_not_a_message():
    with pytest.raises(InputError) as err:
        run((FIXTURES / "metadata" / "okta.xml").read_bytes())
    assert err.value.code == "SAML_NOT_A_MESSAGE" and "import-metadata" in err.value.hint


def test_other_xml_is_not_a_message():
    with pytest.raises(InputError) as err:
        run(b"<note><to>x</to></note>")
    assert err.value.code == "SAML_NOT_A_MESSAGE"


def test_saml1_response_is_not_read_as_tampered_saml2():
    """A SAML 1.1 Response (WS-Federation, legacy IdPs) is a different protocol: exit 3
    saying so, not 'root is not samlp:Response, treat it as tampered' (exit 4)."""
    saml1 = (b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" '
             b'xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" MajorVersion="1" '
             b'MinorVersion="1" ResponseID="_r"><samlp:Status><samlp:StatusCode '
             b'Value="samlp:Success"/></samlp:Status><saml:Assertion AssertionID="_a">'
             b'<saml:AuthenticationStatement><saml:Subject><saml:NameIdentifier>bob@x'
             b'</saml:NameIdentifier></saml:Subject></saml:AuthenticationStatement>'
             b'</saml:Assertion></samlp:Response>')
    with pytest.raises(InputError) as err:
        run(saml1)
    assert err.value.code == "SAML_NOT_A_MESSAGE" and "SAML 1.x Response" in err.value.message
    with pytest.raises(InputError) as err:
        run(b'<AuthnRequest ID="_x"/>')
    assert "namespace is missing" in err.value.message


def test_foreign_namespace_root_around_a_saml2_assertion_stays_a_trust_failure():
    """A look-alike Response root in another namespace wrapping a SAML 2.0 Assertion is
    still judged by the verifier (exit 4), as any foreign root around one is."""
    xml = samlgen.response(now=NOW).replace(b"urn:oasis:names:tc:SAML:2.0:protocol",
                                            b"urn:example:lookalike")
    result, item = run(xml)
    assert item.signature.status == "failed"
    assert exit_code_for(result.findings) == ExitCode.TRUST


def test_har_all_numbers_the_findings():
    result = decode((FIXTURES / "captures" / "login.har").read_bytes(),
                    DecodeOptions(expect=EXPECT, all_entries=True), label="login.har")
    assert result.form == "har" and result.messages_found == 3 == len(result.messages)
    kinds = [m.message.kind for m in result.messages]
    assert kinds == ["AuthnRequest", "Response", "LogoutRequest"]
    assert any(f.message.startswith("#2: ") for f in result.findings)
    data = result.to_dict()
    assert [m["index"] for m in data["messages"]] == [1, 2, 3]
    assert "FIXTURE-SECRET" not in repr(data) + repr(result.findings)
    assert "BINDING_HAR_SECRETS" in [f.code for f in result.findings]


def test_one_posted_response_is_picked_from_a_capture():
    result = decode((FIXTURES / "captures" / "login.har").read_bytes(),
                    DecodeOptions(expect=EXPECT))
    assert [m.message.kind for m in result.messages] == ["Response"]
    assert "BINDING_RESPONSE_PICKED" in {f.code for f in result.findings}


def test_base64_input():
    _, item = run(base64.b64encode(samlgen.response(now=NOW)))
    assert item.message.kind == "Response"


# ---------------------------------------------------------------- trust anchors

def test_load_anchors_from_pem_der_and_bare_base64(tmp_path, idp_pem):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert = x509.load_pem_x509_certificate(idp_pem.encode())
    der = cert.public_bytes(serialization.Encoding.DER)
    files = {"a.pem": idp_pem.replace("\n", "\r\n").encode(), "b.der": der,
             "c.txt": base64.b64encode(der),
             # as Windows editors save it, and as check-cert reads it
             "d.pem": b"\xff\xfe" + idp_pem.encode("utf-16-le"),
             "e.pem": idp_pem.encode("utf-16-be"), "f.pem": b"\xef\xbb\xbf" + idp_pem.encode()}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    anchors = load_anchors(cert_files=[str(tmp_path / n) for n in files], now=NOW)
    assert len(anchors.pems) == 6 and len(set(anchors.pems)) == 1
    assert anchors.source.startswith("--cert ") and anchors.given
    assert anchors.certs[0].short_subject == "CN=dev-12345678"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_private_key_is_refused_without_echo(tmp_path, encoding):
    path = tmp_path / "key.pem"
    path.write_bytes(pki.key_pem(pki.cached_rsa_key("okta-idp")).encode(encoding))
    with pytest.raises(InputError) as err:
        load_anchors(cert_files=[str(path)], now=NOW)
    assert err.value.code == "TRUST_CERT_IS_KEY" and "MII" not in str(err.value.to_dict())


def test_garbage_certificate(tmp_path):
    path = tmp_path / "x.pem"
    path.write_text("hello, this is not a certificate")
    with pytest.raises(InputError) as err:
        load_anchors(cert_files=[str(path)], now=NOW)
    assert err.value.code == "TRUST_CERT_UNREADABLE" and "check-cert" in err.value.hint


@pytest.mark.parametrize("value, fragment", [("AB" * 20, "SHA-1"), ("xyz", "not a SHA-256")])
def test_bad_fingerprint(value, fragment):
    with pytest.raises(UsageError) as err:
        load_anchors(fingerprints=[value], now=NOW)
    assert err.value.code == "BAD_FINGERPRINT" and fragment in err.value.message


def test_metadata_anchors_carry_entity_id():
    anchors = load_anchors(metadata=str(FIXTURES / "metadata" / "okta.xml"), now=NOW)
    assert anchors.pems and anchors.metadata_entity_id.startswith("http://www.okta.com/")
    assert anchors.source.startswith("--metadata ")


def test_entry_keeps_only_notes_about_the_chosen_message():
    result = decode((FIXTURES / "captures" / "login.har").read_bytes(),
                    DecodeOptions(expect=EXPECT, entry=2), label="login.har")
    messages = [f.message for f in result.input_findings]
    assert not any(m.startswith("message 1:") for m in messages), messages
    assert any(m.startswith("message 2:") for m in messages)
    assert "BINDING_HAR_SECRETS" in [f.code for f in result.input_findings]


_XML_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@settings(max_examples=40, deadline=None)
@given(when=_XML_TEXT, audience=_XML_TEXT, name=_XML_TEXT)
def test_odd_values_never_crash(when, audience, name):
    """Whatever the IdP (or an attacker) puts into times, audiences and names, decoding
    ends in a result or an SsoctlError, never a traceback."""
    from xml.sax.saxutils import quoteattr, escape

    base = _UNSIGNED.decode()
    xml = (base.replace('IssueInstant="2026-06-01T12:00:00.000Z"',
                        f"IssueInstant={quoteattr(when)}", 1)
           .replace(f">{samlgen.SP_ENTITY_ID}<", f">{escape(audience)}<")
           .replace(">alice@example.com</saml2:NameID>", f">{escape(name)}</saml2:NameID>"))
    try:
        result = decode(xml.encode(), DecodeOptions(expect=EXPECT))
    except SsoctlError:
        return
    assert result.messages[0].message.kind == "Response"


_UNSIGNED = samlgen.response(now=NOW, sign="none")


def test_response_must_answer_a_request_in_the_capture():
    """A HAR file whose Response answers another AuthnRequest than the one captured (two
    login tabs, the back button): the SP refuses it, so ssoctl says so."""
    other = samlgen.response(now=NOW, in_response_to="_another_tab")
    good = decode((FIXTURES / "captures" / "login.har").read_bytes(),
                  DecodeOptions(expect=EXPECT, entry=2))
    assert "SAML_IN_RESPONSE_TO_MISMATCH" not in [f.code for f in good.findings]
    from ssoctl.saml.binding import SamlMessage
    from ssoctl.saml.decode import decode_message

    opts = DecodeOptions(expect=EXPECT._replace(
        capture_request_ids=("_fixture0authn0request0id0000000000000001",)))
    item = decode_message(SamlMessage("SAMLResponse", other, "HTTP-POST", index=2), opts)
    found = [f for f in item.findings if f.code == "SAML_IN_RESPONSE_TO_MISMATCH"]
    assert found and found[0].received == "_another_tab"
    assert "not in this capture" in found[0].message


def test_decode_result_dict_is_made_only_of_json_types():
    """decode-response hands ``to_dict()['messages']`` to the renderer verbatim
    (render.Verbatim), so it must already be plain JSON: nothing left to convert."""
    import json

    from ssoctl.render import to_jsonable
    from ssoctl.saml.checks import Expectations
    from ssoctl.saml.options import DecodeOptions
    from ssoctl.saml.decode import decode

    xml = samlgen.response(now=NOW, sign="both")
    result = decode(xml, DecodeOptions(expect=Expectations(now=NOW)))
    messages = result.to_dict()["messages"]
    assert to_jsonable(messages) == messages
    assert json.loads(json.dumps(messages)) == messages


def test_a_certificate_given_for_requests_says_it_was_not_used(idp_pem):
    """--cert on an AuthnRequest (or a capture holding requests) is not silently ignored."""
    result, item = run(samlgen.authn_request(now=NOW), idp_pem)
    notes = [f for f in result.input_findings if f.code == "SIG_ANCHOR_NOT_USED"]
    assert item.message.kind == "AuthnRequest" and len(notes) == 1
    assert "this is an AuthnRequest" in notes[0].message and "--cert test.pem" in notes[0].message
    assert exit_code_for(result.findings) == ExitCode.OK  # a note, not a failure
    # Without a certificate there is nothing to say.
    bare, _ = run(samlgen.authn_request(now=NOW))
    assert "SIG_ANCHOR_NOT_USED" not in codes(bare)
    # A capture: one note counting the messages the certificate did nothing for.
    from test_decode_parallel import login_capture

    anchors = from_pems([idp_pem], source="--cert okta.pem", now=NOW)
    capture = decode(login_capture(3), DecodeOptions(expect=EXPECT, anchors=anchors,
                                                     all_entries=True, jobs=1))
    notes = [f.message for f in capture.input_findings if f.code == "SIG_ANCHOR_NOT_USED"]
    assert notes == ["--cert okta.pem was used only for Responses: 3 other messages "
                     "(AuthnRequest) decoded without a signature check"]
    # A Response alone: the certificate was used.
    single, _ = run(samlgen.response(now=NOW), idp_pem)
    assert "SIG_ANCHOR_NOT_USED" not in codes(single)
