"""Transform allowlist (docs/threat-model.md, "Signatures"): XSLT, XPath and #WithComments are refused even
when SignedInfo is validly re-signed (signxml alone silently ignores the first two)."""

from __future__ import annotations

import pytest

from support import attacks

from .conftest import NOW, assert_refused


@pytest.mark.parametrize("name", ["xslt-transform", "xpath-transform", "with-comments-transform"])
def test_transform_not_allowed(verify, name):
    xml = attacks.build(name, now=NOW)
    result = verify(xml)
    assert_refused(result, "SIG_TRANSFORM_NOT_ALLOWED")
    assert result.signed_assertion is None


def test_signxml_alone_accepts_the_xslt_shape(idp_pem):
    """Documents why the allowlist exists: the same message passes a bare pinned signxml call."""
    from signxml import SignatureConfiguration, XMLVerifier

    xml = attacks.build("xslt-transform", now=NOW)
    cfg = SignatureConfiguration(location="./{urn:oasis:names:tc:SAML:2.0:assertion}Assertion/",
                                 expect_references=1)
    result = XMLVerifier().verify(xml, x509_cert=idp_pem, id_attribute="ID", expect_config=cfg)
    assert result.signed_xml is not None


def test_transforms_refused_without_trust_anchor(verify):
    assert_refused(verify(attacks.build("xslt-transform", now=NOW), trusted_pems=None),
                   "SIG_TRANSFORM_NOT_ALLOWED")
