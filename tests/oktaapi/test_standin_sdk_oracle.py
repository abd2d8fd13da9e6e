"""The Okta SDK oracle can fail: an unknown field, a value outside an enum, a wrong type,
an endpoint nobody mapped, all refused; the guide's own body passes; and a refused body
fails the test that sent it even when the code under test swallowed the 400."""

from __future__ import annotations

import copy

import pytest
import requests

from support import okta_sdk

from . import conftest
from .test_standin_api import sipgate_body

APP = "/api/v1/apps/0oa1234567890abcdefg"


def test_the_guides_body_passes():
    okta_sdk.validate("POST", "/api/v1/apps", sipgate_body())
    body = sipgate_body()
    body["credentials"]["signing"] = {"kid": "x" * 43}
    okta_sdk.validate("PUT", APP, body)
    okta_sdk.validate("PUT", APP + "/groups/00g1234567890abcdefg", {"priority": 0})
    okta_sdk.validate("PUT", APP + "/groups/00g1234567890abcdefg", {})


@pytest.mark.parametrize("where, key", [
    ((), "labl"),
    (("settings", "signOn"), "ssoAcsURL"),         # case matters
    (("settings", "signOn"), "recipientUrl"),
    (("credentials",), "userName"),
    (("settings",), "manualProvisioning"),         # not in the SAML app's settings model
])
def test_unknown_fields_fail(where, key):
    body = sipgate_body()
    target = body
    for part in where:
        target = target[part]
    target[key] = "x"
    with pytest.raises(okta_sdk.SdkRejected, match=key):
        okta_sdk.validate("POST", "/api/v1/apps", body)


@pytest.mark.parametrize("field, value", [
    ("signatureAlgorithm", "RSA_SHA512"),
    ("digestAlgorithm", "SHA512"),
    ("subjectNameIdFormat", "urn:oasis:names:tc:SAML:1.1:nameid-format:email"),
    ("authnContextClassRef", "PasswordProtectedTransport"),
])
def test_values_outside_the_enums_fail(field, value):
    body = sipgate_body(**{field: value})
    with pytest.raises(okta_sdk.SdkRejected, match="enum"):
        okta_sdk.validate("POST", "/api/v1/apps", body)


def test_other_enum_and_type_mistakes_fail():
    body = sipgate_body()
    body["status"] = "ENABLED"
    with pytest.raises(okta_sdk.SdkRejected, match="ApplicationLifecycleStatus"):
        okta_sdk.validate("POST", "/api/v1/apps", body)
    body = sipgate_body(responseSigned="true")
    with pytest.raises(okta_sdk.SdkRejected, match="expected bool"):
        okta_sdk.validate("POST", "/api/v1/apps", body)
    body = sipgate_body()
    body["credentials"]["userNameTemplate"]["type"] = "EMAIL"
    with pytest.raises(okta_sdk.SdkRejected):
        okta_sdk.validate("POST", "/api/v1/apps", body)
    body = copy.deepcopy(sipgate_body())
    body["signOnMode"] = "SAML_3_0"
    with pytest.raises(okta_sdk.SdkRejected, match="signOnMode"):
        okta_sdk.validate("POST", "/api/v1/apps", body)
    with pytest.raises(okta_sdk.SdkRejected, match="priorty"):
        okta_sdk.validate("PUT", APP + "/groups/00g1234567890abcdefg", {"priorty": 1})


def test_a_body_for_an_unmapped_endpoint_fails():
    with pytest.raises(okta_sdk.SdkRejected, match="no SDK model"):
        okta_sdk.validate("POST", APP + "/lifecycle/activate", {"why": "not"})


def test_a_refused_body_fails_the_test_that_sent_it(okta_clock, okta_token):
    """What ``okta_org`` does: the stand-in answers 400 and teardown fails the test."""
    org = conftest._org(okta_clock)
    body = sipgate_body()
    body["settings"]["signOn"]["ssoAcsURL"] = "https://typo.example"
    answer = requests.post(org.url + "/api/v1/apps", json=body, timeout=30,
                           headers={"Authorization": f"SSWS {okta_token}"})
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "E0000001"
    assert "ssoAcsURL" in answer.json()["errorCauses"][0]["errorSummary"]
    assert org.app_ids() == []
    with pytest.raises(pytest.fail.Exception, match="ssoAcsURL"):
        conftest._teardown(org)
