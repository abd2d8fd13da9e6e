"""One-parser rule for the verification code (docs/threat-model.md, "XML parsing"): no second XML parser,
no xml.etree/minidom, no regular expressions over XML, no .xinclude()."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILES = ["ssoctl/saml/verify.py", "ssoctl/saml/policy.py", "ssoctl/saml/decrypt.py"]
FORBIDDEN = [r"xml\.etree", r"minidom", r"xml\.sax", r"defusedxml", r"\bimport re\b",
             r"etree\.fromstring", r"etree\.XML\(", r"etree\.parse\(", r"XMLParser\(",
             r"\.xinclude\(", r"ignore_ambiguous_key_info"]


@pytest.mark.parametrize("path", FILES)
def test_no_second_parser(path):
    text = (ROOT / path).read_text()
    for pattern in FORBIDDEN:
        assert not re.search(pattern, text), (path, pattern)


def test_verifier_uses_the_hardened_parser_and_pins():
    text = (ROOT / "ssoctl/saml/verify.py").read_text()
    assert "parser=xmlsafe.make_parser()" in text
    assert "x509_cert=candidate.cert" in text
    assert "validate_schema=True" in text
    assert 'id_attribute="ID"' in text


def test_verification_uses_signxml_s_own_verifier_unchanged():
    """No subclass, no override of a signxml method: every check is signxml's own."""
    from signxml import XMLVerifier

    from ssoctl.saml.verify import _verifier_class

    assert _verifier_class() is XMLVerifier
