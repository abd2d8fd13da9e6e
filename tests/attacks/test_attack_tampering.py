"""Signature exclusion, certificate faking, KeyInfo ambiguity, xml-crypto shapes, stray
digests and duplicate IDs (docs/threat-model.md, "Signatures")."""

from __future__ import annotations

import pytest

from support import attacks
from ssoctl.rehearsal import samlgen

from .conftest import NOW, assert_refused

CASES = {
    "strip-signature": ("SIG_UNSIGNED",),
    "strip-both-signatures": ("SIG_UNSIGNED",),
    "empty-signature-value": ("SIG_MALFORMED",),
    "fake-certificate": ("SIG_CERT_MISMATCH",),
    "keyvalue-mismatch": ("SIG_KEYINFO_AMBIGUOUS",),
    "comment-in-digest": ("SIG_MALFORMED",),
    "two-signed-infos": ("SIG_MALFORMED",),
    "wrapped-signed-info": ("SIG_MALFORMED",),
    "stray-digest": ("SIG_INVALID",),
    "duplicate-id": ("SIG_DUPLICATE_ID",),
    "duplicate-namespaced-id": ("SIG_DUPLICATE_ID",),
    "decoy-Id": ("SIG_DUPLICATE_ID",),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_tampering_is_refused(verify, name):
    assert_refused(verify(attacks.build(name, now=NOW)), *CASES[name])


def test_unsigned_is_refused_even_without_trust_anchor(verify):
    assert_refused(verify(attacks.build("strip-signature", now=NOW), trusted_pems=None),
                   "SIG_UNSIGNED")


def test_fake_certificate_names_both_fingerprints(verify, idp_pem):
    from cryptography import x509

    from ssoctl.certs.facts import fingerprint

    result = verify(attacks.build("fake-certificate", now=NOW))
    mismatch = next(f for f in result.findings if f.code == "SIG_CERT_MISMATCH")
    trusted = fingerprint(x509.load_pem_x509_certificate(idp_pem.encode()))
    attacker = fingerprint(attacks.attacker()[1])
    assert mismatch.expected == trusted and mismatch.received == attacker
    # KeyInfo is shown, never trusted.
    assert [c.sha256 for c in result.embedded_certificates] == [attacker]


def test_fake_certificate_verifies_only_against_its_own_cert():
    """The attacker's message is a valid signature -- by the attacker. Pinning decides."""
    from ssoctl.rehearsal import pki
    from ssoctl.saml.verify import verify_response

    xml = attacks.build("fake-certificate", now=NOW)
    own = verify_response(xml, trusted_pems=[pki.cert_pem(attacks.attacker()[1])], now=NOW)
    assert own.status == "verified"


def test_stray_digest_value_is_not_picked_up(verify):
    from ssoctl import xmlsafe

    xml = attacks.build("stray-digest", now=NOW)
    assert xmlsafe.parse(xml).find("samlp:Status/samlp:StatusDetail/ds:DigestValue",
                                   xmlsafe.NS) is not None
    assert_refused(verify(xml), "SIG_INVALID")


def test_changed_content_without_wrapping_is_a_digest_failure(verify):
    xml = samlgen.response(now=NOW).replace(b"alice@example.com", b"admin@example.com")
    assert_refused(verify(xml), "SIG_INVALID")


def test_changed_signed_info_is_a_signature_failure(verify):
    xml = samlgen.response(now=NOW)
    tampered = xml.replace(b"<ds:DigestValue>", b"<ds:DigestValue>AAAA", 1)
    result = verify(tampered)
    assert result.status == "failed"
    assert {"SIG_INVALID", "SIG_MALFORMED"} & {f.code for f in result.findings}


def test_response_signature_tampering(verify):
    xml = samlgen.response(now=NOW, sign="response").replace(b"alice@", b"admin@")
    assert_refused(verify(xml), "SIG_INVALID")


def test_both_signed_one_broken_fails(verify):
    """Response signature intact but the Assertion's own signature broken: failed."""
    from support.attacks import resign

    xml = samlgen.response(now=NOW, sign="assertion")
    broken = resign(xml, lambda info: None, key=attacks.attacker()[0])
    both = samlgen.sign_element(broken, key=samlgen.default_idp()[0],
                                cert=samlgen.default_idp()[1], target="response")
    result = verify(both)
    assert result.status == "failed"
    assert result.response_verified and not result.assertion_verified
    assert result.signed_assertion is None and result.signed_response is None


@pytest.mark.parametrize("name", ["empty-signature-value",
                                  "two-signed-infos", "wrapped-signed-info", "comment-in-digest",
                                  "relative-namespace", "md5", "hmac-with-certificate",
                                  "xsw6", "keyvalue-mismatch"])
def test_signxml_exceptions_become_findings(verify, monkeypatch, name):
    """With ssoctl's own signature checks off, signxml/lxml see the hostile shapes directly:
    every exception they raise (TypeError, C14NError, InvalidInput, schema errors...) must
    come back as a trust finding, never a traceback."""
    from ssoctl.saml import policy

    monkeypatch.setattr(policy, "check_signature", lambda facts, allow_sha1: ())
    monkeypatch.setattr(policy, "check_assertion_count", lambda root: ())
    assert_refused(verify(attacks.build(name, now=NOW)))


def test_removing_any_signature_part_never_crashes(verify):
    """Delete each element of the Assertion's ds:Signature in turn."""
    from lxml import etree

    from ssoctl import xmlsafe

    xml = samlgen.response(now=NOW)
    count = len(list(xmlsafe.parse(xml).find("saml:Assertion/ds:Signature", xmlsafe.NS).iter()))
    for index in range(1, count):
        root = xmlsafe.parse(xml)
        target = list(root.find("saml:Assertion/ds:Signature", xmlsafe.NS).iter())[index]
        target.getparent().remove(target)
        result = verify(etree.tostring(root))
        if target.tag.endswith(("KeyInfo", "X509Data", "X509Certificate", "InclusiveNamespaces")):
            continue  # not signed (KeyInfo) or not needed here: may still verify
        assert result.status == "failed", target.tag
        assert result.signed_assertion is None
