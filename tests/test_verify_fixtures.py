"""The committed fixtures in fixtures/saml/ behave as their names say."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ssoctl.errors import ExitCode
from ssoctl.findings import exit_code_for
from ssoctl.saml.verify import verify_response

HERE = Path(__file__).resolve().parent.parent / "fixtures" / "saml"
NOW = dt.datetime(2026, 6, 1, 12, 1, tzinfo=dt.timezone.utc)


def _verify(name: str, **kw):
    pem = (HERE / "okta-idp.pem").read_text()
    return verify_response((HERE / name).read_bytes(), trusted_pems=[pem], now=NOW, **kw)


@pytest.mark.parametrize("name", ["response-assertion-signed.xml", "response-response-signed.xml",
                                  "response-both-signed.xml"])
def test_good_fixtures_verify(name):
    result = _verify(name)
    assert result.status == "verified" and result.findings == ()


def test_encrypted_fixture_opens_with_the_test_key():
    key = (HERE / "TEST-ONLY-sp-decryption-key.pem").read_bytes()
    assert b"TEST KEY" in key
    assert _verify("response-encrypted.xml", sp_key_pem=key).status == "verified"
    assert [f.code for f in _verify("response-encrypted.xml").findings] == ["SIG_ENCRYPTED_NO_KEY"]


def test_sha1_fixture():
    assert _verify("response-sha1.xml").status == "failed"
    assert _verify("response-sha1.xml", allow_sha1=True).status == "verified"


@pytest.mark.parametrize("path", sorted(HERE.glob("attack-*.xml")), ids=lambda p: p.name)
def test_attack_fixtures_are_refused(path):
    result = _verify(path.name)
    assert result.status == "failed"
    assert exit_code_for(result.findings) == ExitCode.TRUST
    assert result.signed_assertion is None
