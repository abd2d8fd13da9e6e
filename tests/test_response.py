"""The message model: every field the issue's "Output" lists, and where identity comes from."""

from __future__ import annotations

import datetime as dt

import pytest

from ssoctl import xmlsafe
from ssoctl.rehearsal import samlgen
from ssoctl.saml.response import IdentitySource, read_message
from ssoctl.xmlsafe import parse_time
from ssoctl.saml.status import STATUS_TEXT, explain_status, short_name

from conftest import NOW

STATUS = "urn:oasis:names:tc:SAML:2.0:status:"


def model(xml: bytes, source: IdentitySource | None = None):
    root = xmlsafe.parse(xml)
    return read_message(root, source) if source else read_message(root)


def test_okta_response_fields():
    msg = model(samlgen.response(now=NOW, in_response_to="_req1", response_id="idR",
                                 assertion_id="idA"))
    assert (msg.kind, msg.id, msg.in_response_to, msg.version) == ("Response", "idR", "_req1", "2.0")
    assert msg.issuer == samlgen.IDP_ENTITY_ID
    assert msg.destination == samlgen.ACS_URL
    assert msg.issue_instant == NOW
    assert msg.status.success and msg.status.sub_code is None
    assert msg.identity == "unverified" and "no trust anchor" in msg.identity_note
    (a,) = msg.assertions
    assert (a.id, a.issuer, a.signed) == ("idA", samlgen.IDP_ENTITY_ID, True)
    assert (a.name_id, a.name_id_format) == ("alice@example.com", samlgen.EMAIL)
    (sc,) = a.subject_confirmations
    assert sc.method == samlgen.BEARER and sc.recipient == samlgen.ACS_URL
    assert sc.in_response_to == "_req1"
    assert sc.not_on_or_after == NOW + dt.timedelta(minutes=5)
    assert a.conditions.not_before == NOW - dt.timedelta(minutes=5)
    assert a.conditions.audiences == (samlgen.SP_ENTITY_ID,)
    (st,) = a.authn_statements
    assert st.authn_instant == NOW and st.session_index == "idA"
    assert st.authn_context_class_ref == samlgen.PASSWORD_PROTECTED
    assert {attr.name: attr.values for attr in a.attributes} == {
        "firstName": ("Alice",), "lastName": ("Example",), "email": ("alice@example.com",)}
    assert msg.problems == ()


def test_error_status_is_explained():
    msg = model(samlgen.response(now=NOW, status=STATUS + "Responder",
                                 sub_status=STATUS + "RequestDenied",
                                 status_message="User is not assigned to this application"))
    assert not msg.status.success and msg.assertions == ()
    assert msg.status.message == "User is not assigned to this application"
    assert "problem on its own side" in msg.status.explanation
    assert "detail: the IdP chose not to answer" in msg.status.explanation
    assert msg.identity == "none"


@pytest.mark.parametrize("name", sorted(STATUS_TEXT))
def test_every_standard_status_has_plain_words(name):
    text = explain_status(STATUS + name)
    assert text.endswith(".") and "non-standard" not in text
    assert short_name(STATUS + name) == name


def test_unknown_status_code():
    assert explain_status("urn:x:weird") == "Non-standard status code urn:x:weird."
    assert explain_status(None) == "no status code in the message"


def test_withheld_identity_has_no_name_or_attributes():
    msg = model(samlgen.response(now=NOW), IdentitySource("withheld", note="failed"))
    (a,) = msg.assertions
    assert a.name_id is None and a.attributes == () and a.identity == "withheld"
    assert a.name_id_format == samlgen.EMAIL  # structure is still shown
    assert a.conditions.audiences == (samlgen.SP_ENTITY_ID,)
    assert msg.identity_note == "failed"


def test_verified_source_reads_only_the_signed_elements():
    """A verified source with nothing signed must not fall back to the document."""
    msg = model(samlgen.response(now=NOW), IdentitySource("verified", ()))
    assert msg.assertions == ()
    signed = xmlsafe.parse(samlgen.response(now=NOW, name_id="bob@example.com"))
    assertion = signed.find(xmlsafe.qname("saml", "Assertion"))
    msg = model(samlgen.response(now=NOW), IdentitySource("verified", (assertion,)))
    assert msg.assertions[0].name_id == "bob@example.com"
    assert msg.identity == "verified" and msg.identity_note is None


def test_comment_in_name_id_reads_the_whole_value():
    xml = samlgen.response(now=NOW, name_id="admin@example.com.evil.com", sign="none")
    xml = xml.replace(b"admin@example.com.evil.com", b"admin@example.com<!---->.evil.com")
    assert model(xml).assertions[0].name_id == "admin@example.com.evil.com"


def test_bad_time_is_a_problem_not_a_crash():
    xml = samlgen.response(now=NOW, sign="none").replace(b'Version="2.0"', b'Version="2.0"', 1)
    xml = xml.replace(b"NotBefore=\"", b"NotBefore=\"yesterday", 1)
    msg = model(xml)
    assert msg.assertions[0].conditions.not_before is None
    assert any("NotBefore" in p and "yesterday" in p for p in msg.problems)


@pytest.mark.parametrize("text, expected", [
    ("2026-06-01T12:00:00Z", NOW),
    ("2026-06-01T12:00:00.123456789Z", NOW.replace(microsecond=123456)),
    ("2026-06-01T14:00:00+02:00", NOW),
    ("2026-06-01T12:00:00", NOW),
    ("2026-06-01", None),
    ("soon", None),
])
def test_parse_time(text, expected):
    assert parse_time(text) == expected


def test_authn_request_summary():
    msg = model(samlgen.authn_request(now=NOW, id="_abc", force_authn=True))
    assert msg.kind == "AuthnRequest" and msg.id == "_abc" and msg.identity == "none"
    req = msg.request
    assert req.acs_url == samlgen.ACS_URL and req.protocol_binding == samlgen.POST_BINDING
    assert req.name_id_policy_format == samlgen.EMAIL and req.force_authn == "true"
    assert msg.issuer == samlgen.SP_ENTITY_ID


def test_logout_messages_summary():
    req = model(samlgen.logout_request(now=NOW, session_index="s1"))
    assert req.kind == "LogoutRequest" and req.request.name_id == "alice@example.com"
    assert req.request.session_indexes == ("s1",) and req.identity == "unverified"
    hidden = model(samlgen.logout_request(now=NOW), IdentitySource("withheld"))
    assert hidden.request.name_id is None
    resp = model(samlgen.logout_response(now=NOW, in_response_to="_lr"))
    assert resp.kind == "LogoutResponse" and resp.status.success and resp.in_response_to == "_lr"


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00",
                                   "9999-12-31T23:59:59.123456789-01:00"])
def test_parse_time_at_the_edge_of_the_calendar_is_unreadable_not_a_crash(value):
    from ssoctl.saml import har

    assert parse_time(value) is None
    assert har.parse_time(value) is None


def test_parse_time_keeps_the_offset_after_nanoseconds():
    got = parse_time("2026-06-01T12:00:00.123456789+02:00")
    assert got == dt.datetime(2026, 6, 1, 10, 0, 0, 123456, tzinfo=dt.timezone.utc)
