"""Expired or not-yet-valid IdP certificate (docs/threat-model.md, "Signatures") and key rollover."""

from __future__ import annotations

import datetime as dt

from ssoctl.rehearsal import pki, samlgen
from ssoctl.findings import Severity

from .conftest import NOW, assert_refused

LATER = dt.datetime(2036, 6, 1, tzinfo=dt.timezone.utc)   # after the 10-year test cert
EARLIER = dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc)  # before it


def test_expired_certificate_is_an_error(verify):
    result = verify(samlgen.response(now=LATER), now=LATER)
    assert_refused(result, "SIG_CERT_EXPIRED")
    expired = next(f for f in result.findings if f.code == "SIG_CERT_EXPIRED")
    assert expired.message.startswith("certificate expired 2035-12-30")
    assert result.signed_assertion is None


def test_expired_certificate_override(verify):
    result = verify(samlgen.response(now=LATER), now=LATER, allow_expired_cert=True)
    assert result.status == "verified"
    [only] = result.findings
    assert only.code == "SIG_CERT_EXPIRED" and only.severity is Severity.WARNING


def test_not_yet_valid_certificate(verify):
    result = verify(samlgen.response(now=EARLIER), now=EARLIER)
    assert_refused(result, "SIG_CERT_NOT_YET_VALID")


def test_expired_certificate_with_tampering_is_still_invalid(verify):
    xml = samlgen.response(now=LATER).replace(b"alice@", b"admin@")
    assert_refused(verify(xml, now=LATER, allow_expired_cert=True), "SIG_INVALID")


def test_rollover_any_trusted_certificate_verifies(verify, idp_pem):
    _, other = pki.okta_certificate(pki.cached_rsa_key("rollover-next"))
    result = verify(samlgen.response(now=NOW), trusted_pems=[pki.cert_pem(other), idp_pem])
    assert result.status == "verified"
    assert result.trusted_sha256 == result.embedded_certificates[0].sha256


def test_new_key_signs_old_certificate_trusted(verify):
    """Okta rotated its key, sipgate still has the old certificate: a clear mismatch."""
    key, cert = pki.okta_certificate(pki.cached_rsa_key("rollover-next"))
    xml = samlgen.response(now=NOW, key=key, cert=cert)
    assert_refused(verify(xml), "SIG_CERT_MISMATCH")
