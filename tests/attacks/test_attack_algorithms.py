"""Algorithm policy (docs/threat-model.md, "Signatures"): SHA-1 is an error naming the Okta settings (verified
anyway with allow_sha1); HMAC, MD5 and unknown algorithms are never accepted."""

from __future__ import annotations

import pytest

from support import attacks
from ssoctl.rehearsal import samlgen
from ssoctl.findings import Severity

from .conftest import NOW, assert_refused


@pytest.mark.parametrize("name", ["hmac-with-certificate", "md5", "unknown-algorithm"])
def test_never_accepted(verify, name):
    for allow_sha1 in (False, True):
        assert_refused(verify(attacks.build(name, now=NOW), allow_sha1=allow_sha1),
                       "SIG_ALGORITHM_NOT_ALLOWED")


@pytest.mark.parametrize("digest,signature", [("sha1", "rsa-sha1"), ("sha256", "rsa-sha1"),
                                              ("sha1", "rsa-sha256")])
def test_sha1_is_an_error_naming_okta_settings(verify, digest, signature):
    xml = samlgen.response(now=NOW, digest=digest, signature=signature)
    result = verify(xml)
    assert_refused(result, "SIG_SHA1")
    sha1 = next(f for f in result.findings if f.code == "SIG_SHA1")
    assert "RSA_SHA256" in sha1.hint and "SHA256" in sha1.hint
    assert sha1.expected == "RSA_SHA256 / SHA256"


def test_allow_sha1_verifies_and_keeps_a_warning(verify):
    xml = samlgen.response(now=NOW, digest="sha1", signature="rsa-sha1")
    result = verify(xml, allow_sha1=True)
    assert result.status == "verified"
    assert result.signature_algorithm == "rsa-sha1" and result.digest_algorithm == "sha1"
    [sha1] = result.findings
    assert sha1.code == "SIG_SHA1" and sha1.severity is Severity.WARNING


def test_allow_sha1_still_catches_tampering(verify):
    xml = samlgen.response(now=NOW, digest="sha1", signature="rsa-sha1").replace(
        b"alice@example.com", b"admin@example.com")
    assert_refused(verify(xml, allow_sha1=True), "SIG_INVALID")


@pytest.mark.parametrize("signature", ["rsa-sha384", "rsa-sha512"])
def test_stronger_rsa_is_fine(verify, signature):
    result = verify(samlgen.response(now=NOW, signature=signature, digest="sha512"))
    assert result.status == "verified" and result.findings == ()
