"""Local checks before a push: values, certificate, --allow."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import FIXTURES
from ssoctl.rehearsal import pki
from ssoctl.errors import InputError, UsageError
from ssoctl.findings import Severity, finding
from ssoctl.sp.contract import SsoSettings
from ssoctl.sp.desired import (allow, check_allow_codes, check_backup_values,
                               expectation_findings, from_values, value_findings)

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)


def _codes(items):
    return [f.code for f in items]


def test_value_findings():
    assert _codes(value_findings(SsoSettings(None, None, None))) == [
        "PUSH_SSO_URL_MISSING", "PUSH_ENTITY_ID_MISSING", "PUSH_CERT_MISSING"]
    assert _codes(value_findings(SsoSettings("http://x/sso", "e", "c"))) == ["PUSH_SSO_URL_NOT_HTTPS"]
    assert _codes(value_findings(SsoSettings("x.example/sso", "e", "c"))) == ["PUSH_SSO_URL_INVALID"]
    assert _codes(value_findings(SsoSettings("https://[::1/sso", "e", "c"))) == ["PUSH_SSO_URL_INVALID"]
    assert value_findings(SsoSettings("https://x/sso", "e", "c")) == ()


def test_certificate_file_is_cleaned(tmp_path):
    cert = pki.okta_certificate(pki.cached_rsa_key("okta-idp"))[1]
    body = "".join(pki.cert_pem(cert).splitlines()[1:-1])
    path = tmp_path / "c.txt"
    path.write_text(body + "\r\n")  # only the base64 body, as the copy button gives it
    got = from_values(sso_url="https://x/sso", entity_id=" e ", cert_path=str(path), now=NOW)
    assert got.settings.certificate == pki.cert_pem(cert)
    assert got.settings.idp_entity_id == "e" and not got.blocked
    repaired = [f for f in got.findings if "repaired" in f.message]
    assert repaired and all(f.severity is Severity.INFO for f in repaired)


def test_unreadable_certificate(tmp_path):
    path = tmp_path / "c.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\nMIIBcut\n-----END CERTIFICATE-----\n")
    got = from_values(sso_url="https://x/sso", entity_id="e", cert_path=str(path), now=NOW)
    assert "CERT_TRUNCATED" in _codes(got.findings) and got.blocked
    assert "PUSH_CERT_MISSING" not in _codes(got.findings)
    assert got.settings.certificate is None


def test_not_a_certificate_at_all(tmp_path):
    path = tmp_path / "c.pem"
    path.write_text("hello, this is not a certificate\n")
    got = from_values(sso_url="https://x/sso", entity_id="e", cert_path=str(path), now=NOW)
    assert got.blocked and got.settings.certificate is None


def test_expectation():
    s = SsoSettings("https://x", "http://www.okta.com/exkA", "c")
    assert expectation_findings(s, None) == ()
    assert _codes(expectation_findings(s, "http://www.okta.com/exkB")) == ["PUSH_IDP_ENTITY_ID_MISMATCH"]


def test_allow_downgrades_only_the_named_code():
    items = (finding("PUSH_CERT_MISSING"), finding("PUSH_ENTITY_ID_MISSING"))
    out = allow(items, check_allow_codes(["push_cert_missing"]))
    assert out[0].severity is Severity.WARNING and "--allow PUSH_CERT_MISSING" in out[0].message
    assert out[1].severity is Severity.ERROR


def test_unknown_allow_code():
    with pytest.raises(UsageError) as info:
        check_allow_codes(["NOT_A_CODE"])
    assert info.value.code == "UNKNOWN_FINDING_CODE"


# ---------------------------------------------------------------- values read from a backup

KEY_PEM = (FIXTURES / "certs" / "private-key.pem").read_text()


def _okta_pem():
    return pki.cert_pem(pki.okta_certificate(pki.cached_rsa_key("okta-idp"))[1])


def test_a_backup_holding_a_private_key_is_refused_like_push_refuses_it():
    with pytest.raises(InputError) as info:
        check_backup_values(SsoSettings("https://x/sso", "e", KEY_PEM), path="b.json", now=NOW)
    assert info.value.code == "CERT_PRIVATE_KEY" and info.value.exit_code == 3
    shown = info.value.message + info.value.hint
    assert "b.json" in info.value.message
    body = [line for line in KEY_PEM.splitlines() if len(line) > 40 and " " not in line]
    assert body and not any(line[:20] in shown for line in body)  # never echoed


@pytest.mark.parametrize("text", [
    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\nMIIBcut\n-----END CERTIFICATE-----\n",
    "hello, this is not a certificate",
    "   ",
    "\x00\x01binary",
    "\ud800",
    (FIXTURES / "certs" / "public-key.pem").read_text(),
])
def test_a_backup_certificate_that_is_no_certificate_is_refused(text):
    with pytest.raises(InputError) as info:
        check_backup_values(SsoSettings("https://x/sso", "e", text), path="b.json", now=NOW)
    assert info.value.code == "BACKUP_INVALID" and info.value.exit_code == 3
    assert "Certificate" in info.value.message and "b.json" in info.value.message


@pytest.mark.parametrize("url", ["x.example/sso", "https://[::1/sso", "ftp://x.example/sso",
                                 "https:///sso"])
def test_a_backup_sso_url_that_is_not_a_url_is_refused(url):
    with pytest.raises(InputError) as info:
        check_backup_values(SsoSettings(url, "e", _okta_pem()), path="b.json", now=NOW)
    assert info.value.code == "BACKUP_INVALID" and "SSO URL" in info.value.message


def test_what_an_sp_may_have_held_before_a_push_is_restorable():
    """Empty fields, plain http, an expired certificate or one with repairable shape
    defects: the state the SP was in. Push would refuse to write some of them, but a
    rollback (and the retry command exit 8 prints) must be able to put them back."""
    expired = (FIXTURES / "certs" / "expired.pem").read_text()
    no_armor = (FIXTURES / "certs" / "no-armor.txt").read_text()
    for settings in (SsoSettings(None, None, None),
                     SsoSettings("http://idp.example/sso", "e", expired, True),
                     SsoSettings("https://idp.example/sso", None, no_armor)):
        check_backup_values(settings, path="b.json", now=NOW)


def test_a_refused_backup_certificate_names_the_cause_before_the_shape():
    cut = "\n".join(_okta_pem().splitlines()[:5])  # BEGIN and 4 lines: no END, cut off
    with pytest.raises(InputError) as info:
        check_backup_values(SsoSettings("https://x/sso", "e", cut), path="b.json", now=NOW)
    assert "cut off" in info.value.message and "END" not in info.value.message
