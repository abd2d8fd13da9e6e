"""Make SAML messages shaped like Okta's, signed with throw-away test keys.

Used by tests, fixtures and benchmarks. Every message is built from explicit inputs
(``now`` is required; the real clock is never read), so a test can say exactly what it
expects. The shape follows domain.md, "Okta SAML response, as Okta sends it":
``saml2p``/``saml2`` prefixes, the ``ds:Signature`` right after the ``Issuer``, exclusive
c14n with ``InclusiveNamespaces PrefixList="xs"``, rsa-sha256 + sha256, the certificate in
``KeyInfo``, ``xsi:type="xs:string"`` attribute values.

Nothing here is secure or secret: it exists to exercise ssoctl.
"""

from __future__ import annotations

import datetime as dt
import secrets
from functools import lru_cache
from typing import Mapping, Sequence

from lxml import etree

from ssoctl.rehearsal import pki
# Signing and encryption live in samlsign; their names stay importable from here.
from ssoctl.rehearsal.samlsign import (SAML, encrypt_assertion, sign_element)
from ssoctl.rehearsal.samlsign import serialize as _serialize

IDP_ENTITY_ID = "http://www.okta.com/exk1fixture0example"
SP_ENTITY_ID = "https://sipgate.example/saml/metadata"
ACS_URL = "https://sipgate.example/saml/acs"
SSO_URL = "https://dev-12345678.okta.com/app/sipgate/exk1fixture0example/sso/saml"
SLO_URL = "https://dev-12345678.okta.com/app/sipgate/exk1fixture0example/slo/saml"

EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
ENTITY = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
PASSWORD_PROTECTED = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
ATTR_UNSPECIFIED = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"
POST_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
XS = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

DEFAULT_ATTRIBUTES: Mapping[str, Sequence[str]] = {
    "firstName": ["Alice"],
    "lastName": ["Example"],
    "email": ["alice@example.com"],
}


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def _ts(when: dt.datetime) -> str:
    """SAML's xs:dateTime in UTC with milliseconds, as Okta writes it."""
    when = when.astimezone(dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def new_id() -> str:
    """An Okta-looking message ID (``id`` + 25 digits)."""
    return "id" + "".join(str(secrets.randbelow(10)) for _ in range(25))


@lru_cache(maxsize=1)
def default_idp():
    """The cached Okta-shaped test IdP ``(key, certificate)``, valid 2026-01-01..2036-01-01."""
    return pki.okta_certificate(pki.cached_rsa_key("okta-idp"))


@lru_cache(maxsize=1)
def default_sp():
    """A cached test SP ``(key, certificate)`` for encrypted assertions."""
    key = pki.cached_rsa_key("sp-encryption")
    return key, pki.certificate(key, pki.simple_name("sipgate.example TEST SP"))


# --------------------------------------------------------------------------- building


def _issuer(parent: etree._Element, issuer: str) -> etree._Element:
    el = etree.SubElement(parent, _q(SAML, "Issuer"), nsmap={"saml2": SAML}, Format=ENTITY)
    el.text = issuer
    return el


def build_assertion(*, now: dt.datetime, issuer: str = IDP_ENTITY_ID,
                    name_id: str = "alice@example.com", name_id_format: str | None = EMAIL,
                    recipient: str | None = ACS_URL, audience: str | None = SP_ENTITY_ID,
                    in_response_to: str | None = None,
                    attributes: Mapping[str, Sequence[str]] | None = DEFAULT_ATTRIBUTES,
                    validity_minutes: int = 5, assertion_id: str | None = None,
                    session_index: str | None = None) -> etree._Element:
    """An unsigned ``saml2:Assertion`` element, Okta's layout."""
    not_before = now - dt.timedelta(minutes=validity_minutes)
    not_after = now + dt.timedelta(minutes=validity_minutes)
    assertion = etree.Element(_q(SAML, "Assertion"), nsmap={"saml2": SAML, "xs": XS})
    assertion.set("ID", assertion_id or new_id())
    assertion.set("IssueInstant", _ts(now))
    assertion.set("Version", "2.0")
    _issuer(assertion, issuer)
    subject = etree.SubElement(assertion, _q(SAML, "Subject"))
    nid = etree.SubElement(subject, _q(SAML, "NameID"))
    if name_id_format:
        nid.set("Format", name_id_format)
    nid.text = name_id
    conf = etree.SubElement(subject, _q(SAML, "SubjectConfirmation"), Method=BEARER)
    data = etree.SubElement(conf, _q(SAML, "SubjectConfirmationData"))
    if in_response_to:
        data.set("InResponseTo", in_response_to)
    data.set("NotOnOrAfter", _ts(not_after))
    if recipient:
        data.set("Recipient", recipient)
    conditions = etree.SubElement(assertion, _q(SAML, "Conditions"),
                                  NotBefore=_ts(not_before), NotOnOrAfter=_ts(not_after))
    if audience:
        restriction = etree.SubElement(conditions, _q(SAML, "AudienceRestriction"))
        etree.SubElement(restriction, _q(SAML, "Audience")).text = audience
    authn = etree.SubElement(assertion, _q(SAML, "AuthnStatement"), AuthnInstant=_ts(now),
                             SessionIndex=session_index or assertion.get("ID"))
    ctx = etree.SubElement(authn, _q(SAML, "AuthnContext"))
    etree.SubElement(ctx, _q(SAML, "AuthnContextClassRef")).text = PASSWORD_PROTECTED
    if attributes:
        statement = etree.SubElement(assertion, _q(SAML, "AttributeStatement"))
        for name, values in attributes.items():
            attr = etree.SubElement(statement, _q(SAML, "Attribute"), Name=name,
                                    NameFormat=ATTR_UNSPECIFIED)
            for value in values:
                val = etree.SubElement(attr, _q(SAML, "AttributeValue"), nsmap={"xsi": XSI})
                val.set(_q(XSI, "type"), "xs:string")
                val.text = value
    return assertion


def build_response(*, now: dt.datetime, assertion: etree._Element | None,
                   issuer: str = IDP_ENTITY_ID, destination: str | None = ACS_URL,
                   in_response_to: str | None = None, status: str = SUCCESS,
                   sub_status: str | None = None, status_message: str | None = None,
                   response_id: str | None = None) -> etree._Element:
    """An unsigned ``saml2p:Response`` around ``assertion`` (which may be ``None``)."""
    resp = _status_response("Response", now=now, issuer=issuer, destination=destination,
                            in_response_to=in_response_to, status=status,
                            sub_status=sub_status, status_message=status_message,
                            id=response_id)
    if assertion is not None:
        resp.append(assertion)
    return resp


def _status_response(local: str, *, now: dt.datetime, issuer: str, destination: str | None,
                     in_response_to: str | None, status: str, sub_status: str | None = None,
                     status_message: str | None = None, id: str | None = None) -> etree._Element:
    """A ``saml2p:Response`` or ``saml2p:LogoutResponse`` up to its Status, Okta's layout."""
    resp = etree.Element(_q(SAMLP, local), nsmap={"saml2p": SAMLP})
    if destination:
        resp.set("Destination", destination)
    resp.set("ID", id or new_id())
    if in_response_to:
        resp.set("InResponseTo", in_response_to)
    resp.set("IssueInstant", _ts(now))
    resp.set("Version", "2.0")
    _issuer(resp, issuer)
    st = etree.SubElement(resp, _q(SAMLP, "Status"))
    code = etree.SubElement(st, _q(SAMLP, "StatusCode"), Value=status)
    if sub_status:
        etree.SubElement(code, _q(SAMLP, "StatusCode"), Value=sub_status)
    if status_message:
        etree.SubElement(st, _q(SAMLP, "StatusMessage")).text = status_message
    return resp


# --------------------------------------------------------------------------- messages


def response(*, now: dt.datetime, key=None, cert=None, sign: str = "assertion",
             name_id: str = "alice@example.com", name_id_format: str | None = EMAIL,
             issuer: str = IDP_ENTITY_ID, destination: str | None = ACS_URL,
             recipient: str | None = ACS_URL, audience: str | None = SP_ENTITY_ID,
             in_response_to: str | None = None, status: str = SUCCESS,
             sub_status: str | None = None, status_message: str | None = None,
             attributes: Mapping[str, Sequence[str]] | None = DEFAULT_ATTRIBUTES,
             validity_minutes: int = 5, digest: str = "sha256", signature: str = "rsa-sha256",
             encrypt_for=None, encryption: str = "aes256-cbc", key_transport: str = "rsa-oaep",
             response_id: str | None = None, assertion_id: str | None = None,
             with_assertion: bool | None = None) -> bytes:
    """An Okta-shaped ``saml2p:Response`` as bytes.

    ``sign``: ``"assertion"`` (Okta's default), ``"response"``, ``"both"`` or ``"none"``.
    ``key``/``cert`` default to :func:`default_idp`. ``encrypt_for`` is an SP certificate:
    the (signed) assertion is then wrapped in an ``EncryptedAssertion``. A non-success
    ``status`` gives a Response without an Assertion unless ``with_assertion=True``.
    """
    if sign not in ("assertion", "response", "both", "none"):
        raise ValueError(f"sign must be assertion, response, both or none, not {sign!r}")
    if key is None or cert is None:
        key, cert = default_idp()
    assertion = None
    if with_assertion is None:
        with_assertion = status == SUCCESS
    if with_assertion:
        assertion = build_assertion(now=now, issuer=issuer, name_id=name_id,
                                    name_id_format=name_id_format, recipient=recipient,
                                    audience=audience, in_response_to=in_response_to,
                                    attributes=attributes, validity_minutes=validity_minutes,
                                    assertion_id=assertion_id)
    root = build_response(now=now, assertion=assertion, issuer=issuer, destination=destination,
                          in_response_to=in_response_to, status=status, sub_status=sub_status,
                          status_message=status_message, response_id=response_id)
    xml = _serialize(root)
    if sign in ("assertion", "both") and assertion is not None:
        xml = sign_element(xml, key=key, cert=cert, target="assertion", digest=digest,
                           signature=signature)
    if encrypt_for is not None and assertion is not None:
        xml = encrypt_assertion(xml, sp_cert=encrypt_for, content=encryption,
                                key_transport=key_transport)
    if sign in ("response", "both"):
        xml = sign_element(xml, key=key, cert=cert, target="response", digest=digest,
                           signature=signature)
    return xml


def authn_request(*, now: dt.datetime, issuer: str = SP_ENTITY_ID, acs_url: str = ACS_URL,
                  destination: str = SSO_URL, id: str | None = None,
                  force_authn: bool = False) -> bytes:
    """An unsigned SP ``samlp:AuthnRequest`` (sipgate's shape: POST binding, emailAddress)."""
    root = etree.Element(_q(SAMLP, "AuthnRequest"), nsmap={"samlp": SAMLP, "saml": SAML})
    root.set("ID", id or "_" + secrets.token_hex(20))
    root.set("Version", "2.0")
    root.set("IssueInstant", _ts(now))
    root.set("Destination", destination)
    root.set("AssertionConsumerServiceURL", acs_url)
    root.set("ProtocolBinding", POST_BINDING)
    if force_authn:
        root.set("ForceAuthn", "true")
    etree.SubElement(root, _q(SAML, "Issuer")).text = issuer
    etree.SubElement(root, _q(SAMLP, "NameIDPolicy"), Format=EMAIL, AllowCreate="true")
    return _serialize(root)


def logout_request(*, now: dt.datetime, issuer: str = SP_ENTITY_ID, destination: str = SLO_URL,
                   name_id: str = "alice@example.com", name_id_format: str = EMAIL,
                   session_index: str | None = None, id: str | None = None) -> bytes:
    """An unsigned ``samlp:LogoutRequest`` from the SP."""
    root = etree.Element(_q(SAMLP, "LogoutRequest"), nsmap={"samlp": SAMLP, "saml": SAML})
    root.set("ID", id or "_" + secrets.token_hex(20))
    root.set("Version", "2.0")
    root.set("IssueInstant", _ts(now))
    root.set("Destination", destination)
    etree.SubElement(root, _q(SAML, "Issuer")).text = issuer
    nid = etree.SubElement(root, _q(SAML, "NameID"), Format=name_id_format)
    nid.text = name_id
    if session_index:
        etree.SubElement(root, _q(SAMLP, "SessionIndex")).text = session_index
    return _serialize(root)


def logout_response(*, now: dt.datetime, issuer: str = IDP_ENTITY_ID,
                    destination: str = "https://sipgate.example/saml/slo",
                    in_response_to: str | None = None, status: str = SUCCESS,
                    id: str | None = None) -> bytes:
    """An unsigned ``saml2p:LogoutResponse`` from the IdP."""
    return _serialize(_status_response("LogoutResponse", now=now, issuer=issuer,
                                       destination=destination, in_response_to=in_response_to,
                                       status=status, id=id))


__all__ = ["ACS_URL", "EMAIL", "IDP_ENTITY_ID", "SP_ENTITY_ID", "SSO_URL", "authn_request",
           "build_assertion", "build_response", "default_idp", "default_sp", "encrypt_assertion",
           "logout_request", "logout_response", "new_id", "response", "sign_element"]
