"""Processing instructions in a signed message, and two signing certificates
(docs/threat-model.md, "Signatures").

A processing instruction inserted into a signed Assertion after signing changes the
canonical form (exclusive c14n keeps PIs), so the digest no longer matches: xmlsec1 and
signxml with its own parser say so. ssoctl verifies what was received (its parser keeps
PIs), so it agrees with them, and with the SP. A PI that was there when the message was
signed still verifies. When the Response and the Assertion are signed with different
trusted certificates, both must be valid.
"""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from ssoctl import xmlsafe

from .conftest import NOW, assert_refused

PLACES = {
    "in-nameid": lambda a: a.find("saml:Subject/saml:NameID", xmlsafe.NS),
    "in-assertion": lambda a: a,
    "in-attribute-value": lambda a: a.find(".//saml:AttributeValue", xmlsafe.NS),
}


def _signed(**kw) -> bytes:
    from ssoctl.rehearsal import samlgen

    return samlgen.response(now=NOW, **kw)


def _insert_pi(xml: bytes, place: str) -> bytes:
    root = etree.fromstring(xml, xmlsafe.make_parser())
    target = PLACES[place](root.find("saml:Assertion", xmlsafe.NS))
    target.append(etree.ProcessingInstruction("evil", "admin@"))
    return etree.tostring(root)


@pytest.mark.parametrize("place", sorted(PLACES))
def test_a_pi_inserted_after_signing_breaks_the_signature(verify, place):
    xml = _insert_pi(_signed(), place)
    result = verify(xml)
    # In the NameID the comment/PI check stops it first; elsewhere the digest does.
    expected = "SIG_COMMENT_IN_NAMEID" if place == "in-nameid" else "SIG_INVALID"
    assert_refused(result, expected)
    if expected == "SIG_INVALID":
        assert "digest mismatch" in " ".join(f.message for f in result.findings)


@pytest.mark.parametrize("place", sorted(PLACES))
def test_signxml_with_its_own_parser_agrees(idp_pem, place):
    """The oracle: signxml's default parser (PIs kept) reports the same digest mismatch."""
    from signxml import XMLVerifier
    from signxml.exceptions import InvalidDigest

    xml = _insert_pi(_signed(), place)
    with pytest.raises(InvalidDigest):
        XMLVerifier().verify(xml, x509_cert=idp_pem, id_attribute="ID")


def test_a_pi_present_when_signing_still_verifies(verify):
    """A PI the IdP signed is part of the message: it verifies (it used to fail, because
    the parser dropped it before canonicalization)."""
    from ssoctl.rehearsal import samlgen
    from ssoctl.rehearsal.samlsign import sign_element

    key, cert = samlgen.default_idp()
    unsigned = _insert_pi(_signed(sign="none"), "in-assertion")
    xml = sign_element(unsigned, key=key, cert=cert, target="assertion")
    assert b"<?evil" in xml
    assert verify(xml).status == "verified"


def test_the_pi_attack_through_the_command_line_is_exit_4(cli, tmp_path, idp_pem):
    capture, cert = tmp_path / "response.xml", tmp_path / "idp.pem"
    capture.write_bytes(_insert_pi(_signed(), "in-nameid"))
    cert.write_text(idp_pem)
    result = cli("decode-response", capture, "--cert", cert, "--now", NOW.isoformat())
    assert result.exit_code == 4
    assert "verified with" not in result.stdout


# ---------------------------------------------------------------- two certificates

@pytest.fixture(scope="module")
def two_idps():
    """(key, cert) pairs: one valid at NOW, one expired before NOW."""
    from ssoctl.rehearsal import pki

    valid_key = pki.cached_rsa_key("two-certs-valid")
    expired_key = pki.cached_rsa_key("two-certs-expired")
    valid = pki.certificate(valid_key, pki.okta_name("dev-valid"),
                            not_before=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    expired = pki.certificate(expired_key, pki.okta_name("dev-expired"),
                              not_before=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc),
                              days=365)
    return (valid_key, valid), (expired_key, expired)


def _two_signatures(assertion_pair, response_pair) -> bytes:
    from ssoctl.rehearsal.samlsign import sign_element

    xml = _signed(sign="none")
    xml = sign_element(xml, key=assertion_pair[0], cert=assertion_pair[1], target="assertion")
    return sign_element(xml, key=response_pair[0], cert=response_pair[1], target="response")


@pytest.mark.parametrize("expired_signs", ["response", "assertion"])
def test_each_signature_s_certificate_is_checked_for_expiry(verify, two_idps, expired_signs):
    from ssoctl.rehearsal import pki

    valid, expired = two_idps
    pairs = (valid, expired) if expired_signs == "response" else (expired, valid)
    xml = _two_signatures(*pairs)
    trusted = [pki.cert_pem(valid[1]), pki.cert_pem(expired[1])]
    result = verify(xml, trusted_pems=trusted)
    codes = [f.code for f in result.findings]
    assert "SIG_CERT_EXPIRED" in codes, codes
    assert result.status == "failed"
    allowed = verify(xml, trusted_pems=trusted, allow_expired_cert=True)
    assert allowed.status == "verified"
    assert [f.code for f in allowed.findings if f.code == "SIG_CERT_EXPIRED"] == \
        ["SIG_CERT_EXPIRED"]


def test_two_valid_certificates_verify(verify, two_idps):
    from ssoctl.rehearsal import pki

    valid, _ = two_idps
    from ssoctl.rehearsal import samlgen

    other = samlgen.default_idp()
    xml = _two_signatures(valid, other)
    result = verify(xml, trusted_pems=[pki.cert_pem(valid[1]), pki.cert_pem(other[1])])
    assert result.status == "verified", [f.code for f in result.findings]
