"""Signature wrapping, multiple assertions and foreign roots (docs/threat-model.md, "Signatures")."""

from __future__ import annotations

import pytest
from lxml import etree

from support import attacks
from ssoctl.rehearsal import samlgen
from ssoctl.saml import policy

from .conftest import NOW, assert_refused

XSW = {
    "xsw1": ("SIG_MULTIPLE_ASSERTIONS", "SIG_WRONG_ELEMENT"),
    "xsw2": ("SIG_MULTIPLE_ASSERTIONS", "SIG_WRONG_ELEMENT"),
    "xsw3": ("SIG_MULTIPLE_ASSERTIONS",),
    "xsw4": ("SIG_MULTIPLE_ASSERTIONS", "SIG_MISPLACED_SIGNATURE"),
    "xsw5": ("SIG_MULTIPLE_ASSERTIONS", "SIG_WRONG_ELEMENT"),
    "xsw6": ("SIG_MULTIPLE_ASSERTIONS", "SIG_WRONG_ELEMENT"),
    "xsw6-object": ("SIG_MULTIPLE_ASSERTIONS", "SIG_WRONG_ELEMENT"),
    "xsw7": ("SIG_MULTIPLE_ASSERTIONS", "SIG_DUPLICATE_ID"),
    "xsw8": ("SIG_MULTIPLE_ASSERTIONS", "SIG_DUPLICATE_ID"),
    "hidden-in-extensions": ("SIG_MULTIPLE_ASSERTIONS", "SIG_MISPLACED_SIGNATURE"),
    "multiple-assertions": ("SIG_MULTIPLE_ASSERTIONS",),
    "foreign-root": ("SIG_WRONG_ROOT",),
}


@pytest.mark.parametrize("name", sorted(XSW))
def test_wrapping_is_refused(verify, name):
    xml = attacks.build(name, now=NOW)
    assert attacks.EVIL.encode() in xml  # the attack really carries the attacker's NameID
    assert_refused(verify(xml), *XSW[name])


@pytest.mark.parametrize("name", sorted(XSW))
def test_wrapping_is_refused_without_trust_anchor(verify, name):
    """Structural checks run with no certificate at all: still 'failed', never 'not_verified'."""
    result = verify(attacks.build(name, now=NOW), trusted_pems=None)
    assert_refused(result, *XSW[name])


def test_evil_copy_alone_reads_as_admin():
    """Sanity check of the fixtures: a naive reader of ./Assertion would see the attacker."""
    from ssoctl import xmlsafe

    root = xmlsafe.parse(attacks.build("xsw3", now=NOW))
    assert root.findtext("saml:Assertion/saml:Subject/saml:NameID",
                         namespaces=xmlsafe.NS) == attacks.EVIL


@pytest.mark.parametrize("name", ["xsw3", "xsw5"])
def test_mutation_without_assertion_count_check(verify, monkeypatch, name):
    """C31: with the Assertion-count check switched off, the signed-element identity
    check alone still refuses XSW3/XSW5 and nothing unsigned is returned."""
    monkeypatch.setattr(policy, "check_assertion_count", lambda root: ())
    result = verify(attacks.build(name, now=NOW))
    assert "SIG_MULTIPLE_ASSERTIONS" not in [f.code for f in result.findings]
    assert_refused(result, "SIG_WRONG_ELEMENT")
    assert result.signed_assertion is None and result.signed_response is None


def test_mutation_xsw3_reaches_signxml_identity_check(verify, monkeypatch):
    """With both structural checks off, XSW3's signature verifies in signxml, and only the
    comparison of signed element and consumed element stops it."""
    monkeypatch.setattr(policy, "check_assertion_count", lambda root: ())
    monkeypatch.setattr(policy, "check_structure", lambda root: ())
    result = verify(attacks.build("xsw3", now=NOW))
    assert_refused(result, "SIG_WRONG_ELEMENT")
    wrong = [f for f in result.findings if f.code == "SIG_WRONG_ELEMENT"]
    assert "valid but covers another element" in wrong[0].message


@pytest.mark.parametrize("name", sorted(XSW))
def test_no_attack_leaks_with_all_structure_checks_off(verify, monkeypatch, name):
    """Defence in depth: even without the structural checks nothing evil is returned."""
    monkeypatch.setattr(policy, "check_assertion_count", lambda root: ())
    monkeypatch.setattr(policy, "check_structure", lambda root: ())
    result = verify(attacks.build(name, now=NOW))
    if name == "foreign-root":
        # Without the root check the Wrapper has no Response signature to verify at all.
        assert result.signed_assertion is None and result.signed_response is None
        assert result.status != "verified"
        return
    if name == "multiple-assertions":
        # The consumed (first) Assertion is the genuine signed one: reading only what is
        # signed yields Alice, never the appended copy.
        assert result.status == "verified"
        assert b"alice@example.com" in etree.tostring(result.signed_assertion)
        assert b"admin@" not in etree.tostring(result.signed_assertion)
        return
    assert_refused(result)


def test_genuine_message_passes_the_same_checks(verify):
    for sign in ("assertion", "response", "both"):
        result = verify(samlgen.response(now=NOW, sign=sign))
        assert result.status == "verified", result.findings
        assert result.findings == ()


def test_the_only_assertion_hidden_in_extensions_is_misplaced(verify):
    """The signed Assertion moved into samlp:Extensions with nothing at the top level: one
    Assertion, but not one an SP consumes; refused, and nobody is shown."""
    from ssoctl import xmlsafe

    root = xmlsafe.parse(samlgen.response(now=NOW, sign="assertion"))
    assertion = root.find("saml:Assertion", xmlsafe.NS)
    extensions = etree.SubElement(root, "{urn:oasis:names:tc:SAML:2.0:protocol}Extensions")
    root.remove(assertion)
    root.find("saml:Issuer", xmlsafe.NS).addnext(extensions)
    extensions.append(assertion)
    result = verify(etree.tostring(root))
    assert_refused(result, "SIG_MISPLACED_ASSERTION")
    assert result.signed_assertion is None
