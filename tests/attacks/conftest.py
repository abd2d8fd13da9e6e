"""Helpers for the attack tests: every attack must end in a refused message."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from ssoctl.errors import ExitCode
from ssoctl.findings import exit_code_for

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="session")
def idp_pem() -> str:
    from ssoctl.rehearsal import pki, samlgen

    return pki.cert_pem(samlgen.default_idp()[1])


@pytest.fixture
def verify(idp_pem):
    """``verify(xml, **kw)`` -> Verification against the test IdP certificate at NOW."""
    from ssoctl.saml.verify import verify_response

    def run(xml: bytes, **kw):
        kw.setdefault("trusted_pems", [idp_pem])
        kw.setdefault("now", NOW)
        return verify_response(xml, **kw)

    return run


def finding_text(verification) -> str:
    return " ".join(" ".join(str(v) for v in f.to_dict().values()) for f in verification.findings)


def assert_refused(verification, *codes: str, evil: str = "admin@") -> None:
    """status failed, a trust finding (exit 4), the expected codes, and the attacker's
    NameID nowhere in what ssoctl would show as signed or in any finding."""
    got = [f.code for f in verification.findings]
    assert verification.status == "failed", got
    assert exit_code_for(verification.findings) == ExitCode.TRUST, got
    for code in codes:
        assert code in got, (code, got)
    for element in (verification.signed_assertion, verification.signed_response):
        if element is not None:
            assert evil.encode() not in etree.tostring(element)
    assert evil not in finding_text(verification)
    assert verification.trusted_sha256 is None
