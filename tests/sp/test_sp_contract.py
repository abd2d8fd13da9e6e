"""The contract model: parsing SP answers, certificate identity, the diff."""

from __future__ import annotations

import datetime as dt

import pytest

from ssoctl.rehearsal import pki
from ssoctl.errors import NetworkError
from ssoctl.sp.contract import (SsoSettings, der_of, diff, differing, fingerprint,
                                settings_from_dict, show, summarize)

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def pem():
    return pki.cert_pem(pki.okta_certificate(pki.cached_rsa_key("okta-idp"))[1])


def test_round_trip():
    s = SsoSettings("https://a", "b", "c", True)
    assert settings_from_dict(s.to_dict(), where="x") == s


def test_nulls_and_empty_strings_mean_unset():
    s = settings_from_dict({"sso_url": "", "idp_entity_id": None}, where="x")
    assert s == SsoSettings(None, None, None, False)


@pytest.mark.parametrize("body", [[], "x", {"sso_url": 3}, {"enabled": "yes"},
                                  {"certificate": {"pem": "x"}}])
def test_malformed_answers_are_the_sps_fault(body):
    with pytest.raises(NetworkError) as info:
        settings_from_dict(body, where="https://sp/x")
    assert info.value.code == "SP_BAD_RESPONSE" and "https://sp/x" in info.value.message


def test_fingerprint_ignores_wrapping_and_crlf(pem):
    body = "".join(pem.splitlines()[1:-1])
    assert fingerprint(body) == fingerprint(pem) == fingerprint(pem.replace("\n", "\r\n"))
    assert fingerprint(pem).count(":") == 31 and fingerprint(pem).isupper()


def test_fingerprint_of_garbage():
    assert fingerprint("not base64 !!") is None and fingerprint(None) is None
    assert der_of("") is None


def test_certificates_compared_by_fingerprint(pem):
    a = SsoSettings("u", "e", pem, False)
    b = SsoSettings("u", "e", "".join(pem.splitlines()[1:-1]), False)
    assert differing(a, b) == ()
    c = SsoSettings("u", "e", "garbage", False)
    assert differing(a, c) == ("certificate",)
    assert differing(SsoSettings("u", "e", "x y", False), SsoSettings("u", "e", " x y ", False)) == ()


def test_diff_rows_show_fingerprint_and_expiry(pem):
    rows = diff(SsoSettings(None, None, None, False), SsoSettings("https://a", "e", pem, True),
                now=NOW)
    cert = [r for r in rows if r.field == "certificate"][0]
    assert cert.changed and cert.current is None
    assert cert.desired.startswith("SHA-256 ") and "expires 2035-12-30" in cert.desired
    assert [r.label for r in rows] == ["SSO URL", "Entity ID", "Certificate", "SSO enabled"]
    assert show("enabled", SsoSettings(None, None, None, True)) == "on"


def test_summary_of_unreadable_certificate():
    summary = summarize("AAAA", now=NOW)
    assert summary.not_after is None and summary.describe().startswith("SHA-256")
    assert summarize("@@@", now=NOW).describe() == "unreadable certificate text"
