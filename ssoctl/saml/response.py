"""A plain model of one SAML protocol message: Response, AuthnRequest, LogoutRequest,
LogoutResponse.

:func:`read_message` turns a parsed element into immutable records that the checks and
the renderer use. It never decides trust: the caller says where identity data (NameID,
attributes) may be read from (:class:`IdentitySource`). Identity is read only from the
element a signature covered when one was verified, withheld entirely when a signature
check failed, and marked unverified when nothing was checked (docs/threat-model.md, "Signatures").

All text is read with :func:`ssoctl.xmlsafe.text_of`, which joins every text node, so a
comment inside a NameID cannot shorten it (CVE-2017-11427 and friends).
"""

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from ssoctl.saml.status import explain_status
from ssoctl.xmlsafe import (NS, children, first_child, grandchildren, local_name, parse_time,
                            qname, text_of)

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

# Qualified names, computed once (read_message runs for every message of a capture).
_DS_SIGNATURE = qname("ds", "Signature")
_SAMLP_NAMEIDPOLICY = qname("samlp", "NameIDPolicy")
_SAMLP_REQUESTEDAUTHNCONTEXT = qname("samlp", "RequestedAuthnContext")
_SAMLP_SESSIONINDEX = qname("samlp", "SessionIndex")
_SAMLP_STATUS = qname("samlp", "Status")
_SAMLP_STATUSCODE = qname("samlp", "StatusCode")
_SAMLP_STATUSMESSAGE = qname("samlp", "StatusMessage")
_SAML_ASSERTION = qname("saml", "Assertion")
_SAML_ATTRIBUTE = qname("saml", "Attribute")
_SAML_ATTRIBUTESTATEMENT = qname("saml", "AttributeStatement")
_SAML_ATTRIBUTEVALUE = qname("saml", "AttributeValue")
_SAML_AUDIENCE = qname("saml", "Audience")
_SAML_AUDIENCERESTRICTION = qname("saml", "AudienceRestriction")
_SAML_AUTHNCONTEXT = qname("saml", "AuthnContext")
_SAML_AUTHNCONTEXTCLASSREF = qname("saml", "AuthnContextClassRef")
_SAML_AUTHNSTATEMENT = qname("saml", "AuthnStatement")
_SAML_CONDITIONS = qname("saml", "Conditions")
_SAML_ENCRYPTEDASSERTION = qname("saml", "EncryptedAssertion")
_SAML_ISSUER = qname("saml", "Issuer")
_SAML_NAMEID = qname("saml", "NameID")
_SAML_SUBJECT = qname("saml", "Subject")
_SAML_SUBJECTCONFIRMATION = qname("saml", "SubjectConfirmation")
_SAML_SUBJECTCONFIRMATIONDATA = qname("saml", "SubjectConfirmationData")

class IdentityState(StrEnum):
    """Where a message's identity data stands (its JSON value is the member's value)."""

    VERIFIED = "verified"
    """Read from signed XML."""
    UNVERIFIED = "unverified"
    """No trust anchor: read from the document as received."""
    WITHHELD = "withheld"
    """A signature check failed, so none is shown."""
    NONE = "none"
    """The message carries no identity (an error Response, an AuthnRequest)."""


class SignatureStatus(StrEnum):
    """The outcome of checking a message's signatures (JSON: the member's value)."""

    VERIFIED = "verified"
    FAILED = "failed"
    NOT_VERIFIED = "not_verified"

MESSAGE_KINDS = ("Response", "AuthnRequest", "LogoutRequest", "LogoutResponse")

_TIME_ATTRS = "issue_instant not_before not_on_or_after authn_instant".split()


class Status(NamedTuple):
    """``samlp:Status``: top-level and second-level codes, message, plain-words meaning."""

    code: str | None
    sub_code: str | None
    message: str | None
    explanation: str

    @property
    def success(self) -> bool:
        return self.code == "urn:oasis:names:tc:SAML:2.0:status:Success"


class SubjectConfirmation(NamedTuple):
    method: str | None
    recipient: str | None
    not_before: dt.datetime | None
    not_on_or_after: dt.datetime | None
    in_response_to: str | None


class Conditions(NamedTuple):
    not_before: dt.datetime | None
    not_on_or_after: dt.datetime | None
    audiences: tuple[str, ...]


class AuthnStatement(NamedTuple):
    authn_instant: dt.datetime | None
    session_index: str | None
    session_not_on_or_after: dt.datetime | None
    authn_context_class_ref: str | None


class Attribute(NamedTuple):
    name: str | None
    friendly_name: str | None
    values: tuple[str, ...]


class Assertion(NamedTuple):
    """One ``saml:Assertion``. ``name_id`` and ``attributes`` are empty unless
    ``identity`` is ``verified`` or ``unverified``."""

    id: str | None
    issuer: str | None
    issue_instant: dt.datetime | None
    signed: bool
    identity: IdentityState
    name_id: str | None
    name_id_format: str | None
    subject_confirmations: tuple[SubjectConfirmation, ...]
    conditions: Conditions | None
    authn_statements: tuple[AuthnStatement, ...]
    attributes: tuple[Attribute, ...]


class RequestDetails(NamedTuple):
    """What an AuthnRequest or LogoutRequest asks for (summarised)."""

    acs_url: str | None = None
    protocol_binding: str | None = None
    name_id_policy_format: str | None = None
    force_authn: str | None = None
    is_passive: str | None = None
    requested_authn_context: tuple[str, ...] = ()
    name_id: str | None = None
    session_indexes: tuple[str, ...] = ()
    reason: str | None = None
    not_on_or_after: dt.datetime | None = None


class Message(NamedTuple):
    """One decoded SAML protocol message."""

    kind: str
    """``Response``, ``AuthnRequest``, ``LogoutRequest``, ``LogoutResponse`` or the root's
    local name for anything else."""
    id: str | None
    issuer: str | None
    destination: str | None
    in_response_to: str | None
    issue_instant: dt.datetime | None
    version: str | None
    signed: bool
    """A ``ds:Signature`` is a direct child of the message root."""
    status: Status | None = None
    assertions: tuple[Assertion, ...] = ()
    encrypted_assertions: int = 0
    request: RequestDetails | None = None
    identity: IdentityState = IdentityState.NONE
    identity_note: str | None = None
    """Why identity data is withheld or unverified, in one sentence."""
    problems: tuple[str, ...] = ()
    """Values that could not be read (e.g. a time that is not xs:dateTime)."""


class IdentitySource(NamedTuple):
    """Where identity data may come from.

    ``state`` is the verification outcome mapped to an :data:`IdentityState`;
    ``assertions`` (when verified) are the elements a signature covered, read instead
    of the document's own assertions.
    """

    state: IdentityState
    assertions: tuple["etree._Element", ...] = ()
    note: str | None = None
    signed: tuple[bool, bool] | None = None
    """``(response signed, assertion signed)`` as the verifier saw the document: the
    elements a signature covered come back from signxml without their enveloped
    ``ds:Signature``, so reading that from them would say "unsigned"."""


UNVERIFIED = IdentitySource(IdentityState.UNVERIFIED, note="signature not verified: no trust anchor given")


def read_message(root: "etree._Element", source: IdentitySource = UNVERIFIED) -> Message:
    """Model the message rooted at ``root``; identity per ``source``."""
    problems: list[str] = []
    kind = local_name(root)
    status = _status(first_child(root, _SAMLP_STATUS))
    assertions: tuple[Assertion, ...] = ()
    encrypted = len(children(root, _SAML_ENCRYPTEDASSERTION))
    request = None
    if kind == "Response":
        elements = _assertion_elements(root, source)
        assertions = tuple(_assertion(el, source.state, problems,
                                      source.signed[1] if source.signed else None)
                           for el in elements)
    elif kind == "AuthnRequest":
        request = _authn_request(root)
    elif kind == "LogoutRequest":
        request = _logout_request(root, source.state, problems)
    identity = _identity_state(kind, assertions, request, source)
    return Message(
        kind=kind,
        id=root.get("ID"),
        issuer=_text(first_child(root, _SAML_ISSUER)),
        destination=root.get("Destination"),
        in_response_to=root.get("InResponseTo"),
        issue_instant=_time(root, "IssueInstant", problems),
        version=root.get("Version"),
        signed=source.signed[0] if source.signed else first_child(root, _DS_SIGNATURE) is not None,
        status=status,
        assertions=assertions,
        encrypted_assertions=encrypted,
        request=request,
        identity=identity,
        identity_note=source.note if identity in (IdentityState.WITHHELD, IdentityState.UNVERIFIED) else None,
        problems=tuple(problems),
    )


def _identity_state(kind: str, assertions: tuple[Assertion, ...],
                    request: RequestDetails | None, source: IdentitySource) -> IdentityState:
    if kind == "Response":
        return source.state if assertions else IdentityState.NONE
    if kind == "LogoutRequest" and request is not None:
        return (IdentityState.WITHHELD if source.state == IdentityState.WITHHELD
                else IdentityState.UNVERIFIED)
    return IdentityState.NONE


def _assertion_elements(root: "etree._Element",
                        source: IdentitySource) -> tuple["etree._Element", ...]:
    if source.state == IdentityState.VERIFIED:
        return source.assertions  # only what a signature covered, even if that is nothing
    # Direct children only: an Assertion hidden in Extensions or ds:Object is not one
    # the SP consumes (and the verifier has already failed such a document).
    return tuple(children(root, _SAML_ASSERTION))


def _assertion(el: "etree._Element", state: IdentityState, problems: list[str],
               signed: bool | None = None) -> Assertion:
    subject = first_child(el, _SAML_SUBJECT)
    show = state in (IdentityState.VERIFIED, IdentityState.UNVERIFIED)
    name_id_el = first_child(subject, _SAML_NAMEID) if subject is not None else None
    return Assertion(
        id=el.get("ID"),
        issuer=_text(first_child(el, _SAML_ISSUER)),
        issue_instant=_time(el, "IssueInstant", problems),
        signed=first_child(el, _DS_SIGNATURE) is not None if signed is None else signed,
        identity=state if state != IdentityState.NONE else IdentityState.UNVERIFIED,
        name_id=_text(name_id_el) if show else None,
        name_id_format=name_id_el.get("Format") if name_id_el is not None else None,
        subject_confirmations=_confirmations(subject, problems),
        conditions=_conditions(first_child(el, _SAML_CONDITIONS), problems),
        authn_statements=tuple(_authn_statement(s, problems)
                               for s in children(el, _SAML_AUTHNSTATEMENT)),
        attributes=_attributes(el) if show else (),
    )


def _confirmations(subject: "etree._Element | None",
                   problems: list[str]) -> tuple[SubjectConfirmation, ...]:
    if subject is None:
        return ()
    out = []
    for sc in children(subject, _SAML_SUBJECTCONFIRMATION):
        data = first_child(sc, _SAML_SUBJECTCONFIRMATIONDATA)
        get = (lambda name: data.get(name)) if data is not None else (lambda name: None)
        out.append(SubjectConfirmation(
            method=sc.get("Method"),
            recipient=get("Recipient"),
            not_before=_time(data, "NotBefore", problems),
            not_on_or_after=_time(data, "NotOnOrAfter", problems),
            in_response_to=get("InResponseTo"),
        ))
    return tuple(out)


def _conditions(el: "etree._Element | None", problems: list[str]) -> Conditions | None:
    if el is None:
        return None
    audiences = tuple(
        _text(a) or "" for a in grandchildren(el, _SAML_AUDIENCERESTRICTION, _SAML_AUDIENCE))
    return Conditions(not_before=_time(el, "NotBefore", problems),
                      not_on_or_after=_time(el, "NotOnOrAfter", problems),
                      audiences=audiences)


def _authn_statement(el: "etree._Element", problems: list[str]) -> AuthnStatement:
    ref = next(grandchildren(el, _SAML_AUTHNCONTEXT, _SAML_AUTHNCONTEXTCLASSREF), None)
    return AuthnStatement(
        authn_instant=_time(el, "AuthnInstant", problems),
        session_index=el.get("SessionIndex"),
        session_not_on_or_after=_time(el, "SessionNotOnOrAfter", problems),
        authn_context_class_ref=_text(ref),
    )


def _attributes(el: "etree._Element") -> tuple[Attribute, ...]:
    out = []
    for attr in grandchildren(el, _SAML_ATTRIBUTESTATEMENT, _SAML_ATTRIBUTE):
        values = tuple(_text(v) or "" for v in children(attr, _SAML_ATTRIBUTEVALUE))
        out.append(Attribute(attr.get("Name"), attr.get("FriendlyName"), values))
    return tuple(out)


def _status(el: "etree._Element | None") -> Status | None:
    if el is None:
        return None
    top = first_child(el, _SAMLP_STATUSCODE)
    sub = first_child(top, _SAMLP_STATUSCODE) if top is not None else None
    code = top.get("Value") if top is not None else None
    sub_code = sub.get("Value") if sub is not None else None
    return Status(code=code, sub_code=sub_code,
                  message=_text(first_child(el, _SAMLP_STATUSMESSAGE)),
                  explanation=explain_status(code, sub_code))


def _authn_request(root: "etree._Element") -> RequestDetails:
    policy = first_child(root, _SAMLP_NAMEIDPOLICY)
    refs = grandchildren(root, _SAMLP_REQUESTEDAUTHNCONTEXT, _SAML_AUTHNCONTEXTCLASSREF)
    return RequestDetails(
        acs_url=root.get("AssertionConsumerServiceURL"),
        protocol_binding=root.get("ProtocolBinding"),
        name_id_policy_format=policy.get("Format") if policy is not None else None,
        force_authn=root.get("ForceAuthn"),
        is_passive=root.get("IsPassive"),
        requested_authn_context=tuple(_text(r) or "" for r in refs),
    )


def _logout_request(root: "etree._Element", state: IdentityState,
                    problems: list[str]) -> RequestDetails:
    name_id = first_child(root, _SAML_NAMEID)
    return RequestDetails(
        name_id=_text(name_id) if state != IdentityState.WITHHELD else None,
        session_indexes=tuple(_text(s) or "" for s in children(root, _SAMLP_SESSIONINDEX)),
        reason=root.get("Reason"),
        not_on_or_after=_time(root, "NotOnOrAfter", problems),
    )


def _text(el: "etree._Element | None") -> str | None:
    value = text_of(el)
    return value.strip() if value is not None else None


def _time(el: "etree._Element | None", attr: str, problems: list[str]) -> dt.datetime | None:
    if el is None:
        return None
    raw = el.get(attr)
    if raw is None:
        return None
    parsed = parse_time(raw)
    if parsed is None:
        problems.append(f"{local_name(el)}/@{attr} is not a valid time: {raw[:60]!r}")
    return parsed


__all__ = ["Assertion", "Attribute", "AuthnStatement", "Conditions", "IdentitySource",
           "IdentityState", "MESSAGE_KINDS", "SignatureStatus", "Message", "RequestDetails", "Status",
           "SubjectConfirmation", "UNVERIFIED", "read_message", "NS"]
