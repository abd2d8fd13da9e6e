"""Comment injection in NameID (docs/threat-model.md, "Signatures"; CVE-2017-11427 and relatives)."""

from __future__ import annotations

from lxml import etree

from ssoctl import xmlsafe
from support import attacks

from .conftest import NOW

FULL = "admin@example.com.evil.com"


def test_comment_in_nameid_is_refused_with_full_value(verify):
    xml = attacks.comment_in_nameid(now=NOW)
    root = xmlsafe.parse(xml)
    nid = root.find("saml:Assertion/saml:Subject/saml:NameID", xmlsafe.NS)
    assert nid.text == "admin@example.com"  # what a naive reader sees
    result = verify(xml)
    assert result.status == "failed"
    codes = [f.code for f in result.findings]
    assert codes == ["SIG_COMMENT_IN_NAMEID"]
    found = result.findings[0]
    assert found.received == FULL and FULL in found.message
    # The truncated identity never appears on its own anywhere.
    text = found.message.replace(FULL, "")
    assert "admin@example.com" not in text
    assert result.signed_assertion is None


def test_signature_itself_is_valid_so_only_the_comment_check_stops_it(verify, monkeypatch):
    """Without the comment check, signxml verifies it and the *signed* copy carries the
    full string (canonicalization drops the comment and joins the text)."""
    from ssoctl.saml import policy

    monkeypatch.setattr(policy, "check_nameid_comments", lambda assertion: ())
    result = verify(attacks.comment_in_nameid(now=NOW))
    assert result.status == "verified"
    nid = result.signed_assertion.find("saml:Subject/saml:NameID", xmlsafe.NS)
    assert nid.text == FULL
    assert not any(isinstance(n, etree._Comment) for n in nid.iter())


def test_comment_in_nameid_without_trust_anchor(verify):
    result = verify(attacks.comment_in_nameid(now=NOW), trusted_pems=None)
    assert result.status == "failed"
    assert result.findings[0].received == FULL
