"""samlgen makes Okta-shaped messages that a pinned signxml call accepts."""

from __future__ import annotations

import datetime as dt

import pytest
from signxml import SignatureConfiguration, XMLVerifier

from ssoctl import xmlsafe
from ssoctl.rehearsal import pki, samlgen

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
A = "./{urn:oasis:names:tc:SAML:2.0:assertion}Assertion/"


def _verify(xml: bytes, location: str, **kw):
    _, cert = samlgen.default_idp()
    cfg = SignatureConfiguration(location=location, expect_references=1, **kw)
    return XMLVerifier().verify(xml, x509_cert=pki.cert_pem(cert), id_attribute="ID",
                                expect_config=cfg)


def test_okta_layout():
    root = xmlsafe.parse(samlgen.response(now=NOW, in_response_to="_req1"))
    assert root.tag == xmlsafe.qname("samlp", "Response")
    assert root.prefix == "saml2p"
    assert [c.tag.split("}")[1] for c in root] == ["Issuer", "Status", "Assertion"]
    assertion = root.find(xmlsafe.qname("saml", "Assertion"))
    assert assertion.prefix == "saml2"
    names = [c.tag.split("}")[1] for c in assertion]
    assert names == ["Issuer", "Signature", "Subject", "Conditions", "AuthnStatement",
                     "AttributeStatement"]
    ns = xmlsafe.NS
    assert assertion.findtext("saml:Issuer", namespaces=ns) == samlgen.IDP_ENTITY_ID
    nid = assertion.find("saml:Subject/saml:NameID", ns)
    assert nid.text == "alice@example.com" and nid.get("Format") == samlgen.EMAIL
    data = assertion.find("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", ns)
    assert data.get("Recipient") == samlgen.ACS_URL
    assert data.get("NotOnOrAfter") == "2026-06-01T12:05:00.000Z"
    assert data.get("InResponseTo") == "_req1" and root.get("InResponseTo") == "_req1"
    cond = assertion.find("saml:Conditions", ns)
    assert cond.get("NotBefore") == "2026-06-01T11:55:00.000Z"
    assert cond.findtext("saml:AudienceRestriction/saml:Audience", namespaces=ns) == \
        samlgen.SP_ENTITY_ID
    value = assertion.find("saml:AttributeStatement/saml:Attribute/saml:AttributeValue", ns)
    assert value.get(xmlsafe.qname("xsi", "type")) == "xs:string"
    sig = assertion.find("ds:Signature", ns)
    assert sig.find("ds:SignedInfo/ds:SignatureMethod", ns).get("Algorithm").endswith("rsa-sha256")
    assert sig.find("ds:SignedInfo/ds:Reference/ds:DigestMethod", ns).get("Algorithm") \
        .endswith("sha256")
    incl = sig.find(".//{http://www.w3.org/2001/10/xml-exc-c14n#}InclusiveNamespaces")
    assert incl.get("PrefixList") == "xs"
    assert sig.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", ns).text


@pytest.mark.parametrize("sign,location,tag", [
    ("assertion", A, "Assertion"), ("response", "./", "Response"), ("both", A, "Assertion"),
    ("both", "./", "Response")])
def test_signatures_verify(sign, location, tag):
    result = _verify(samlgen.response(now=NOW, sign=sign), location)
    assert result.signed_xml.tag.endswith(tag)


def test_response_signature_sits_after_issuer():
    root = xmlsafe.parse(samlgen.response(now=NOW, sign="response"))
    assert [c.tag.split("}")[1] for c in root][:3] == ["Issuer", "Signature", "Status"]


def test_unsigned_and_error_status():
    root = xmlsafe.parse(samlgen.response(now=NOW, sign="none",
                                          status="urn:oasis:names:tc:SAML:2.0:status:Responder",
                                          sub_status="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed",
                                          status_message="denied"))
    assert root.find(".//ds:Signature", xmlsafe.NS) is None
    assert root.find("saml:Assertion", xmlsafe.NS) is None
    assert root.findtext("samlp:Status/samlp:StatusMessage", namespaces=xmlsafe.NS) == "denied"


def test_sha1_is_opt_in_for_signxml():
    xml = samlgen.response(now=NOW, digest="sha1", signature="rsa-sha1")
    with pytest.raises(Exception):
        _verify(xml, A)
    from signxml.algorithms import DigestAlgorithm, SignatureMethod
    ok = _verify(xml, A, signature_methods=frozenset({SignatureMethod.RSA_SHA1}),
                 digest_algorithms=frozenset({DigestAlgorithm.SHA1}))
    assert ok.signed_xml is not None


def test_encrypted_assertion_shape():
    _, sp_cert = samlgen.default_sp()
    root = xmlsafe.parse(samlgen.response(now=NOW, encrypt_for=sp_cert, encryption="aes256-gcm"))
    assert root.find("saml:Assertion", xmlsafe.NS) is None
    enc = root.find("saml:EncryptedAssertion/xenc:EncryptedData", xmlsafe.NS)
    assert enc.find("xenc:EncryptionMethod", xmlsafe.NS).get("Algorithm").endswith("aes256-gcm")
    assert enc.find("ds:KeyInfo/xenc:EncryptedKey/xenc:CipherData/xenc:CipherValue",
                    xmlsafe.NS).text


def test_other_messages():
    req = xmlsafe.parse(samlgen.authn_request(now=NOW, id="_abc"))
    assert req.get("ID") == "_abc" and req.get("Destination") == samlgen.SSO_URL
    assert req.get("AssertionConsumerServiceURL") == samlgen.ACS_URL
    assert xmlsafe.parse(samlgen.logout_request(now=NOW)).tag.endswith("LogoutRequest")
    assert xmlsafe.parse(samlgen.logout_response(now=NOW, in_response_to="_x")).get(
        "InResponseTo") == "_x"


def test_now_is_required():
    with pytest.raises(TypeError):
        samlgen.response()  # type: ignore[call-arg]
