"""``okta check`` findings from an app, its keys, its assignments and sipgate's values (pure),
with the clock injected."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from ssoctl.rehearsal import pki
from ssoctl.findings import Severity
from ssoctl.okta.apps import SpValues, from_json
from ssoctl.okta.checks import check_app, is_sipgate, read_keys

from conftest import NOW

from support.okta_apps import ACS, SP, okta_app


SPV = SpValues(ACS, SP)


def jwk(kid, *, not_before=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), days=3650):
    key = pki.cached_rsa_key("okta-check")
    cert = pki.certificate(key, pki.okta_name("acme"), not_before=not_before, days=days)
    return {"kid": kid, "kty": "RSA", "use": "sig",
            "x5c": [base64.b64encode(pki.cert_der(cert)).decode()],
            "expiresAt": cert.not_valid_after_utc.isoformat().replace("+00:00", "Z")}


def codes(app_doc, keys=None, *, assigned=True, sp=SPV, now=NOW, warn_days=30, sipgate=True):
    app = from_json(app_doc)
    key_list = read_keys(keys if keys is not None else [jwk("kid-1")], app.kid, now=now)
    return [f.code for f in check_app(app, key_list, assigned=assigned, sp=sp, now=now,
                                      warn_days=warn_days, sipgate=sipgate)]


def test_an_app_as_the_guide_says_has_no_findings():
    assert codes(okta_app()) == []


def test_inactive_and_unassigned():
    assert codes(dict(okta_app(), status="INACTIVE"), assigned=False) == \
        ["OKTA_APP_INACTIVE", "OKTA_APP_UNASSIGNED"]


@pytest.mark.parametrize("changes, code", [
    ({"subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"},
     "OKTA_NAMEID_NOT_EMAIL"),
    ({"subjectNameIdTemplate": "${user.login}"}, "OKTA_NAMEID_NOT_EMAIL"),
    ({"ssoAcsUrl": "https://other/acs"}, "OKTA_ACS_URL_MISMATCH"),
    ({"recipient": "https://other/acs"}, "OKTA_RECIPIENT_MISMATCH"),
    ({"destination": None}, "OKTA_DESTINATION_MISMATCH"),
    ({"audience": "https://other"}, "OKTA_AUDIENCE_MISMATCH"),
    ({"signatureAlgorithm": "RSA_SHA1"}, "OKTA_SHA1"),
    ({"digestAlgorithm": "SHA1"}, "OKTA_SHA1"),
    ({"assertionSigned": False}, "OKTA_ASSERTION_UNSIGNED"),
])
def test_each_difference_from_sipgate_s_needs_is_one_error(changes, code):
    found = codes(okta_app(**changes))
    assert found == [code]


def test_the_username_must_be_the_email():
    doc = okta_app()
    doc["credentials"]["userNameTemplate"]["template"] = "${source.login}"
    app = from_json(doc)
    findings = check_app(app, read_keys([jwk("kid-1")], app.kid, now=NOW), assigned=True,
                         sp=SPV, now=NOW)
    assert [(f.code, f.received) for f in findings] == [("OKTA_USERNAME_NOT_EMAIL",
                                                        "Okta username")]


def test_mismatch_findings_carry_expected_and_received():
    app = from_json(okta_app(audience="https://other"))
    (finding,) = check_app(app, read_keys([jwk("kid-1")], app.kid, now=NOW), assigned=True,
                           sp=SPV, now=NOW)
    assert finding.expected == SP and finding.received == "https://other"
    assert "Audience URI" in finding.field


def test_without_sp_values_the_urls_are_not_compared_and_it_says_so():
    assert codes(okta_app(audience="https://other"), sp=SpValues()) == ["OKTA_SP_VALUES_MISSING"]


def test_expiry_uses_the_injected_clock_and_warn_days():
    soon = [jwk("kid-1", not_before=dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc), days=750)]
    assert codes(okta_app(), soon, warn_days=30) == ["CERT_EXPIRING_SOON"]
    assert codes(okta_app(), soon, warn_days=5) == []
    assert codes(okta_app(), soon, now=NOW + dt.timedelta(days=60)) == ["CERT_EXPIRED"]


def test_several_keys_name_the_active_one():
    app = from_json(okta_app())
    keys = read_keys([jwk("kid-0"), jwk("kid-1")], app.kid, now=NOW)
    findings = check_app(app, keys, assigned=True, sp=SPV, now=NOW)
    (several,) = [f for f in findings if f.code == "OKTA_SEVERAL_KEYS"]
    assert several.severity is Severity.INFO
    assert "kid-1 (active)" in several.message and several.received == "kid-1"


def test_an_active_kid_missing_from_the_keys_is_an_error():
    assert codes(okta_app(), [jwk("other")]) == ["OKTA_SIGNING_KEY_MISSING"]


def test_other_apps_get_only_the_generic_checks():
    doc = okta_app(ssoAcsUrl="https://crm.example/acs", audience="crm",
                   subjectNameIdFormat="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
                   signatureAlgorithm="RSA_SHA1")
    doc["status"] = "INACTIVE"
    assert codes(doc, assigned=True, sipgate=False, sp=SpValues()) == \
        ["OKTA_INACTIVE_ASSIGNED", "OKTA_SHA1", "OKTA_NOT_SIPGATE"]


def test_which_apps_are_sipgate_s():
    assert is_sipgate(from_json(okta_app()), SpValues())  # a sipgate host
    other = from_json(okta_app(ssoAcsUrl="https://crm.example/acs", audience="crm"))
    assert not is_sipgate(dict and from_json(dict(other.raw, label="CRM")), SpValues())
    assert is_sipgate(from_json(dict(other.raw, label="CRM")),
                      SpValues("https://crm.example/acs", None))
    assert is_sipgate(from_json(dict(other.raw, label="sipgate (test)")), SpValues())
