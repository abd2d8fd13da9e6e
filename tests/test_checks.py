"""Checks against what the SP expects: every finding, with expected vs received and the
Okta or sipgate field to change."""

from __future__ import annotations

import datetime as dt

import pytest

from ssoctl import xmlsafe
from ssoctl.rehearsal import samlgen
from ssoctl.findings import Severity
from ssoctl.saml.checks import (CertSummary, Expectations, TrustFacts, check_message,
                                check_trust)
from ssoctl.saml.response import IdentitySource, read_message

from conftest import NOW

STATUS = "urn:oasis:names:tc:SAML:2.0:status:"
MIN = dt.timedelta(minutes=1)
SP = dict(sp_entity_id=samlgen.SP_ENTITY_ID, acs_url=samlgen.ACS_URL,
          idp_entity_id=samlgen.IDP_ENTITY_ID)


def check(xml: bytes, *, now: dt.datetime = NOW, source=None, **expect):
    settings = {**SP, **expect}
    root = xmlsafe.parse(xml)
    msg = read_message(root, source) if source else read_message(root)
    return list(check_message(msg, Expectations(now=now, **settings)))


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def one(findings, code: str):
    matches = [f for f in findings if f.code == code]
    assert len(matches) == 1, codes(findings)
    return matches[0]


def test_good_okta_response_is_clean():
    found = check(samlgen.response(now=NOW, in_response_to="_r1"), request_id="_r1")
    assert found == []


def test_idp_initiated_is_a_note():
    found = check(samlgen.response(now=NOW))
    assert codes(found) == ["SAML_IDP_INITIATED"]
    assert found[0].severity is Severity.INFO


def test_status_not_success_names_the_okta_fix():
    found = check(samlgen.response(now=NOW, status=STATUS + "Responder",
                                   status_message="User is not assigned"))
    item = one(found, "SAML_STATUS_NOT_SUCCESS")
    assert item.severity is Severity.ERROR
    assert (item.expected, item.received) == ("Success", "Responder")
    assert "Assignments" in item.hint and "'User is not assigned'" in item.message
    assert "SAML_NO_ASSERTION" not in codes(found)


def test_status_sub_code_picks_the_hint():
    found = check(samlgen.response(now=NOW, status=STATUS + "Requester",
                                   sub_status=STATUS + "InvalidNameIDPolicy"))
    item = one(found, "SAML_STATUS_NOT_SUCCESS")
    assert item.received == "Requester/InvalidNameIDPolicy"
    assert "Name ID format" in item.hint


def test_success_without_assertion():
    found = check(samlgen.response(now=NOW, with_assertion=False, sign="none"))
    assert "SAML_NO_ASSERTION" in codes(found)


def test_issuer_mismatch_names_sipgate_entity_id():
    found = check(samlgen.response(now=NOW, issuer="https://www.okta.com/exk1fixture0example"))
    item = [f for f in found if f.code == "SAML_ISSUER_MISMATCH"][0]
    assert item.field == "sipgate Entity ID"
    assert item.expected == samlgen.IDP_ENTITY_ID
    assert "http vs https" in item.message


def test_assertion_issuer_differs_from_response_issuer():
    xml = samlgen.response(now=NOW, sign="none").replace(
        f">{samlgen.IDP_ENTITY_ID}</saml2:Issuer>".encode(), b">https://other.example</saml2:Issuer>")
    xml = xml.replace(b">https://other.example</saml2:Issuer>",
                      f">{samlgen.IDP_ENTITY_ID}</saml2:Issuer>".encode(), 1)
    found = check(xml, idp_entity_id=None)
    item = one(found, "SAML_ISSUER_MISMATCH")
    assert (item.expected, item.received) == (samlgen.IDP_ENTITY_ID, "https://other.example")


def test_audience_mismatch_names_okta_audience_uri():
    found = check(samlgen.response(now=NOW, audience=samlgen.SP_ENTITY_ID + "/"))
    item = one(found, "SAML_AUDIENCE_MISMATCH")
    assert item.field == "Okta Audience URI (SP Entity ID)"
    assert item.received == samlgen.SP_ENTITY_ID + "/"
    assert "trailing slash" in item.message


def test_audience_missing_is_a_warning():
    item = one(check(samlgen.response(now=NOW, audience=None)), "SAML_AUDIENCE_MISSING")
    assert item.severity is Severity.WARNING


def test_destination_and_recipient_name_the_single_sign_on_url():
    found = check(samlgen.response(now=NOW, destination="https://sipgate.example/saml/ACS",
                                   recipient="https://sipgate.example/other"))
    dest, rec = one(found, "SAML_DESTINATION_MISMATCH"), one(found, "SAML_RECIPIENT_MISMATCH")
    assert dest.field == rec.field == "Okta Single sign-on URL"
    assert "upper/lower case" in dest.message
    assert "Recipient URL and Destination URL" in rec.hint
    assert rec.received == "https://sipgate.example/other"


def test_nothing_compared_without_sp_settings():
    found = check(samlgen.response(now=NOW, audience="x", destination="y", recipient="z",
                                   issuer="w"), sp_entity_id=None, acs_url=None,
                  idp_entity_id=None)
    assert not {"SAML_AUDIENCE_MISMATCH", "SAML_DESTINATION_MISMATCH",
                "SAML_RECIPIENT_MISMATCH", "SAML_ISSUER_MISMATCH"} & set(codes(found))


def test_name_id_not_an_email_and_wrong_format():
    found = check(samlgen.response(now=NOW, name_id="alice",
                                   name_id_format=samlgen.UNSPECIFIED))
    bad = one(found, "SAML_NAMEID_NOT_EMAIL")
    fmt = one(found, "SAML_NAMEID_FORMAT")
    assert bad.field == "Okta Application username" and bad.expected == "Email"
    assert fmt.field == "Okta Name ID format" and fmt.received == samlgen.UNSPECIFIED
    assert (bad.severity, fmt.severity) == (Severity.ERROR, Severity.WARNING)


def test_email_with_persistent_format_is_only_a_warning():
    found = check(samlgen.response(now=NOW, name_id_format=samlgen.PERSISTENT))
    assert "SAML_NAMEID_FORMAT" in codes(found) and "SAML_NAMEID_NOT_EMAIL" not in codes(found)


def test_missing_name_id():
    xml = samlgen.response(now=NOW, sign="none").replace(b">alice@example.com</saml2:NameID>",
                                                         b"/>", 1)
    xml = xml.replace(b'emailAddress"/>', b'emailAddress"></saml2:NameID>', 1) \
        if b"</saml2:NameID>" not in xml else xml
    assert "SAML_NAMEID_MISSING" in codes(check(xml))


def test_withheld_name_id_is_not_judged():
    found = check(samlgen.response(now=NOW, name_id="admin"), source=IdentitySource("withheld"))
    assert not {"SAML_NAMEID_NOT_EMAIL", "SAML_NAMEID_FORMAT"} & set(codes(found))
    assert all("admin" not in (f.message + str(f.received)) for f in found)


def test_stale_capture_is_explained():
    item = one(check(samlgen.response(now=NOW), now=NOW + dt.timedelta(hours=3)), "SAML_EXPIRED")
    assert "old capture" in item.message and "issued 3 h ago" in item.message
    assert "--now 2026-06-01T12:00:00Z" in item.hint
    assert item.expected == "before 2026-06-01T12:05:00Z"


def test_just_expired_is_a_slow_login_or_clock():
    item = one(check(samlgen.response(now=NOW), now=NOW + 9 * MIN), "SAML_EXPIRED")
    assert "expired only 4 min ago" in item.message and "clock" in item.message


def test_expiry_within_skew_is_a_warning():
    item = one(check(samlgen.response(now=NOW), now=NOW + 6 * MIN), "SAML_TIME_WITHIN_SKEW")
    assert item.severity is Severity.WARNING and "within the allowed clock skew of 3 min" in item.message
    found = check(samlgen.response(now=NOW), now=NOW + 6 * MIN, skew=dt.timedelta(0))
    assert "SAML_EXPIRED" in codes(found)


def test_not_yet_valid_is_a_clock_problem():
    item = one(check(samlgen.response(now=NOW), now=NOW - 10 * MIN), "SAML_NOT_YET_VALID")
    assert "clock problem" in item.message and "runs about 10 min ahead" in item.message
    near = one(check(samlgen.response(now=NOW), now=NOW - 2 * MIN), "SAML_TIME_WITHIN_SKEW")
    assert near.field == "NotBefore"


def test_far_future_message_points_at_now_option():
    item = one(check(samlgen.response(now=NOW), now=NOW - dt.timedelta(days=30)),
               "SAML_NOT_YET_VALID")
    assert "--now" in item.hint


def test_bad_time_value():
    xml = samlgen.response(now=NOW, sign="none").replace(b'NotOnOrAfter="', b'NotOnOrAfter="x', 1)
    assert "SAML_BAD_TIME" in codes(check(xml))


def test_in_response_to_mismatch():
    found = check(samlgen.response(now=NOW, in_response_to="_old"), request_id="_new")
    item = [f for f in found if f.code == "SAML_IN_RESPONSE_TO_MISMATCH"][0]
    assert (item.expected, item.received) == ("_new", "_old")


def test_idp_initiated_when_a_request_id_was_expected():
    item = one(check(samlgen.response(now=NOW), request_id="_r1"), "SAML_IN_RESPONSE_TO_MISMATCH")
    assert item.received == "(none: IdP-initiated)"


def test_subject_in_response_to_differs_from_response():
    xml = samlgen.response(now=NOW, in_response_to="_r1", sign="none")
    xml = xml.replace(b'InResponseTo="_r1"', b'InResponseTo="_r2"', 2).replace(
        b'InResponseTo="_r2"', b'InResponseTo="_r1"', 1)
    item = one(check(xml), "SAML_IN_RESPONSE_TO_MISMATCH")
    assert (item.expected, item.received) == ("_r1", "_r2")


def test_authn_request_against_sp_settings():
    found = check(samlgen.authn_request(now=NOW, issuer="https://wrong", acs_url="https://acs2"))
    assert [f.received for f in found if f.code == "SAML_REQUEST_MISMATCH"] == [
        "https://wrong", "https://acs2"]
    assert check(samlgen.authn_request(now=NOW)) == []


def test_logout_response_error_status():
    found = check(samlgen.logout_response(now=NOW, status=STATUS + "Requester"))
    assert codes(found) == ["SAML_STATUS_NOT_SUCCESS"]


# ---------------------------------------------------------------- signatures

OKTA = CertSummary("C=US, O=Okta, CN=dev-12345678", "AA:" * 31 + "AA", NOW + dt.timedelta(days=900))
OLD = CertSummary("C=US, O=Okta, CN=dev-old", "BB:" * 31 + "BB", NOW + dt.timedelta(days=10))


def trust(status="verified", response_signed=False, assertion_signed=True, embedded=(OKTA,),
          anchors=(OKTA,), kind_xml=None):
    msg = read_message(xmlsafe.parse(kind_xml or samlgen.response(now=NOW)))
    return list(check_trust(msg, TrustFacts(status, response_signed, assertion_signed,
                                            embedded, anchors, "--cert okta.pem")))


def test_wrong_certificate_in_sipgate():
    item = one(trust(status="failed", anchors=(OLD,)), "SAML_SIGNING_CERT_MISMATCH")
    assert item.field == "sipgate Certificate" and int(item.exit_code) == 4
    assert "signed with CN=dev-12345678" in item.message and "CN=dev-old" in item.message
    assert "--cert okta.pem" in item.message
    assert item.received.startswith("CN=dev-12345678 (SHA-256 AA:AA")
    assert item.expected.startswith("CN=dev-old (SHA-256 BB:BB")


def test_right_certificate_but_failed_is_not_a_mismatch():
    assert "SAML_SIGNING_CERT_MISMATCH" not in codes(trust(status="failed"))
    assert "SAML_SIGNING_CERT_MISMATCH" not in codes(trust(status="not_verified", anchors=()))


def test_only_response_signed_warns_about_assertion_signature():
    item = one(trust(response_signed=True, assertion_signed=False), "SAML_ASSERTION_NOT_SIGNED")
    assert item.field == "Okta Assertion Signature" and item.severity is Severity.WARNING


def test_only_assertion_signed_is_a_note():
    item = one(trust(), "SAML_RESPONSE_NOT_SIGNED")
    assert item.severity is Severity.INFO
    assert trust(response_signed=True, assertion_signed=True) == []


def test_trust_checks_skip_requests():
    assert trust(kind_xml=samlgen.authn_request(now=NOW), status="failed", anchors=(OLD,)) == []


@pytest.mark.parametrize("subject, short", [
    ("C=US, CN=dev-1, emailAddress=x", "CN=dev-1"), ("O=Only Org", "O=Only Org")])
def test_cert_summary_short_subject(subject, short):
    assert CertSummary(subject, "AA").short_subject == short


@pytest.mark.parametrize("with_assertion", [True, False])
def test_response_without_status_is_an_error(with_assertion):
    import re

    xml = samlgen.response(now=NOW, sign="none").decode()
    xml = re.sub(r"<saml2p:Status>.*?</saml2p:Status>", "", xml, flags=re.S)
    if not with_assertion:
        xml = re.sub(r"<saml2:Assertion.*?</saml2:Assertion>", "", xml, flags=re.S)
    assert "Status>" not in xml
    found = check(xml.encode())
    assert one(found, "SAML_NO_STATUS").severity is Severity.ERROR
    assert "SAML_NO_ASSERTION" not in codes(found)
