"""Check a decoded message against what the SP expects.

Each check returns findings with expected vs received and the Okta or sipgate field to
change. Checks read only the model (:mod:`ssoctl.saml.response`) and small fact objects,
never XML: identity data the model withheld cannot leak through a finding.
"""

import datetime as dt
import re
from typing import TYPE_CHECKING, NamedTuple

from ssoctl.certs.facts import normalize_fingerprint
from ssoctl.findings import Finding, finding
from ssoctl.saml.response import Assertion, IdentityState, Message, SignatureStatus
from ssoctl.saml.status import STATUS_HINTS, short_name
from ssoctl.saml.timing import validity

if TYPE_CHECKING:  # pragma: no cover
    from ssoctl.certs.facts import CertInfo

EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
DEFAULT_SKEW = dt.timedelta(seconds=180)
_NO_AT_OR_SPACE = re.compile(r"[^@\s]+")


def _looks_like_email(value: str) -> bool:
    r"""``local@domain.tld``: one ``@``, no whitespace, a dot inside the domain. (Not one
    regular expression: ``[^@\s]+\.[^@\s]+`` backtracks over every dot, quadratic in a
    hostile NameID.)"""
    local, at, domain = value.removesuffix("\n").partition("@")
    return (bool(at) and _NO_AT_OR_SPACE.fullmatch(local) is not None
            and _NO_AT_OR_SPACE.fullmatch(domain) is not None and "." in domain[1:-1])

_ACS_FIELD = "Okta Single sign-on URL"
_STATUS_HINTS = STATUS_HINTS  # plain data in ssoctl.saml.status (explain reads it too)


class Expectations(NamedTuple):
    """What the SP is configured with. ``None`` skips the corresponding check."""

    now: dt.datetime
    sp_entity_id: str | None = None
    acs_url: str | None = None
    idp_entity_id: str | None = None
    request_id: str | None = None
    skew: dt.timedelta = DEFAULT_SKEW
    capture_request_ids: tuple[str, ...] = ()
    """IDs of the AuthnRequests in the same capture (HAR, SAML-tracer): without
    ``request_id``, a Response must answer one of them."""


class CertSummary(NamedTuple):
    """The parts of a certificate a person compares: who, which one, until when."""

    subject: str
    sha256: str
    not_after: dt.datetime | None = None

    @classmethod
    def of(cls, info: "CertInfo") -> "CertSummary":
        """The summary of a :class:`ssoctl.certs.facts.CertInfo`."""
        return cls(subject=info.subject, sha256=info.sha256, not_after=info.not_after)

    def describe(self) -> str:
        """``CN=dev-123 (SHA-256 AB:..., valid until 2036-01-01)``: the common name is
        what Okta and sipgate show; the full subject only when there is none."""
        until = f", valid until {self.not_after:%Y-%m-%d}" if self.not_after else ""
        return f"{self.short_subject} (SHA-256 {self.sha256}{until})"

    def brief(self) -> str:
        """``CN=dev-123 (SHA-256 AB:CD:EF:01…)``: enough to tell two apart in a sentence."""
        return f"{self.short_subject} (SHA-256 {self.sha256[:11]}…)"

    @property
    def short_subject(self) -> str:
        for part in self.subject.split(","):
            if part.strip().upper().startswith("CN="):
                return part.strip()
        return self.subject


class TrustFacts(NamedTuple):
    """What signature verification found, as far as the checks need it."""

    status: SignatureStatus
    """``verified``, ``not_verified`` (no trust anchor) or ``failed``."""
    response_signed: bool
    assertion_signed: bool
    embedded: tuple[CertSummary, ...] = ()
    anchors: tuple[CertSummary, ...] = ()
    anchor_source: str = ""
    """Where the anchors came from, in the user's words (``--cert okta.pem``)."""


# ---------------------------------------------------------------- message checks

def check_message(msg: Message, exp: Expectations) -> tuple[Finding, ...]:
    """Every content check that applies to ``msg``'s kind."""
    out: list[Finding] = []
    out += _problems(msg)
    if msg.kind in ("Response", "LogoutResponse"):
        out += _status(msg)
    if msg.kind == "Response" and msg.issuer is not None:  # optional; the assertion's is not
        out += _issuer(msg.issuer, exp, msg.kind)
    if msg.kind.startswith("Logout") and msg.issuer != exp.sp_entity_id:
        # Logout runs both ways: from the SP (its entity ID) or from the IdP.
        out += _issuer(msg.issuer, exp, msg.kind)
    if msg.kind == "Response":
        out += _destination(msg, exp)
        out += _in_response_to(msg, exp)
        out += _assertions(msg, exp)
    elif msg.kind == "AuthnRequest":
        out += _authn_request(msg, exp)
    elif msg.kind == "LogoutRequest":
        if msg.request is not None:
            out += validity([("LogoutRequest NotOnOrAfter", None, msg.request.not_on_or_after)],
                             msg.issue_instant, exp)
    return tuple(out)


def _problems(msg: Message) -> list[Finding]:
    return [finding("SAML_BAD_TIME", problem) for problem in msg.problems]


def _status(msg: Message) -> list[Finding]:
    status = msg.status
    if status is None:
        return [finding("SAML_NO_STATUS", f"the {msg.kind} has no Status (StatusCode)",
                        field="StatusCode", expected="a samlp:Status element",
                        received="none")]
    if status.success:
        return []
    top, sub = short_name(status.code), short_name(status.sub_code)
    code_text = f"{top}/{sub}" if sub else f"{top}"
    text = f"the IdP answered {code_text}: {status.explanation}"
    if status.message:
        text += f" IdP message: {status.message!r}."
    hint = _STATUS_HINTS.get(sub or "") or _STATUS_HINTS.get(top or "")
    return [finding("SAML_STATUS_NOT_SUCCESS", text, hint=hint, field="StatusCode",
                    expected="Success", received=code_text)]


def _issuer(issuer: str | None, exp: Expectations, where: str) -> list[Finding]:
    if exp.idp_entity_id is None or issuer == exp.idp_entity_id:
        return []
    return [finding("SAML_ISSUER_MISMATCH",
                    f"{where} Issuer {issuer!r} is not the IdP entity ID the SP expects"
                    + _near_miss(exp.idp_entity_id, issuer),
                    field="sipgate Entity ID", expected=exp.idp_entity_id,
                    received=issuer or "(no Issuer)")]


def _destination(msg: Message, exp: Expectations) -> list[Finding]:
    if exp.acs_url is None or msg.destination is None or msg.destination == exp.acs_url:
        return []
    return [finding("SAML_DESTINATION_MISMATCH",
                    "Response Destination is not the SP's ACS URL"
                    + _near_miss(exp.acs_url, msg.destination),
                    field=_ACS_FIELD, expected=exp.acs_url, received=msg.destination)]


def _in_response_to(msg: Message, exp: Expectations) -> list[Finding]:
    out: list[Finding] = []
    if msg.in_response_to is None:
        if exp.request_id is not None:
            out.append(finding("SAML_IN_RESPONSE_TO_MISMATCH",
                               "the Response answers no AuthnRequest (IdP-initiated login), "
                               "but --request-id was given",
                               field="InResponseTo", expected=exp.request_id,
                               received="(none: IdP-initiated)"))
        else:
            out.append(finding("SAML_IDP_INITIATED", "IdP-initiated login: the Response has "
                               "no InResponseTo (the user started from the Okta dashboard)"))
    elif exp.request_id is not None and msg.in_response_to != exp.request_id:
        out.append(finding("SAML_IN_RESPONSE_TO_MISMATCH",
                           "the Response answers another AuthnRequest than --request-id",
                           field="InResponseTo", expected=exp.request_id,
                           received=msg.in_response_to))
    elif (exp.request_id is None and exp.capture_request_ids
          and msg.in_response_to not in exp.capture_request_ids):
        # A second login tab, a back button or a replayed Response: the SP matches the
        # answer to the request it sent and refuses this one.
        out.append(finding("SAML_IN_RESPONSE_TO_MISMATCH",
                           "the Response answers an AuthnRequest that is not in this capture",
                           field="InResponseTo", expected=" or ".join(exp.capture_request_ids),
                           received=msg.in_response_to))
    return out


def _assertions(msg: Message, exp: Expectations) -> list[Finding]:
    success = msg.status is None or msg.status.success
    if not msg.assertions:
        if success and not msg.encrypted_assertions and msg.status is not None:
            return [finding("SAML_NO_ASSERTION")]  # no Status at all: SAML_NO_STATUS said it
        return []
    out: list[Finding] = []
    for assertion in msg.assertions:
        out += _assertion(assertion, msg, exp)
    return out


def _assertion(a: Assertion, msg: Message, exp: Expectations) -> list[Finding]:
    out: list[Finding] = []
    if a.issuer != msg.issuer:
        if exp.idp_entity_id is not None:
            out += _issuer(a.issuer, exp, "Assertion")
        elif msg.issuer is not None:
            out.append(finding("SAML_ISSUER_MISMATCH",
                               "the assertion's Issuer differs from the Response's Issuer",
                               field="sipgate Entity ID", expected=msg.issuer,
                               received=a.issuer or "(no Issuer)"))
    out += _audience(a, exp)
    out += _confirmations(a, msg, exp)
    out += _name_id(a)
    windows: list[tuple[str, dt.datetime | None, dt.datetime | None]] = []
    if a.conditions is not None:
        windows.append(("Conditions", a.conditions.not_before, a.conditions.not_on_or_after))
    for sc in a.subject_confirmations:
        windows.append(("SubjectConfirmationData", sc.not_before, sc.not_on_or_after))
    windows.append(("Assertion IssueInstant", a.issue_instant, None))
    out += validity(windows, msg.issue_instant or a.issue_instant, exp)
    return out


def _audience(a: Assertion, exp: Expectations) -> list[Finding]:
    audiences = a.conditions.audiences if a.conditions is not None else ()
    if not audiences:
        return [finding("SAML_AUDIENCE_MISSING", field="Okta Audience URI (SP Entity ID)",
                        expected=exp.sp_entity_id)]
    if exp.sp_entity_id is None or exp.sp_entity_id in audiences:
        return []
    received = ", ".join(audiences)
    return [finding("SAML_AUDIENCE_MISMATCH",
                    "the assertion is addressed to another SP (Audience)"
                    + _near_miss(exp.sp_entity_id, audiences[0] if len(audiences) == 1 else None),
                    field="Okta Audience URI (SP Entity ID)", expected=exp.sp_entity_id,
                    received=received)]


def _confirmations(a: Assertion, msg: Message, exp: Expectations) -> list[Finding]:
    out: list[Finding] = []
    for sc in a.subject_confirmations:
        if sc.method != BEARER:
            continue
        if exp.acs_url is not None and sc.recipient != exp.acs_url:
            out.append(finding("SAML_RECIPIENT_MISMATCH",
                               "SubjectConfirmationData Recipient is not the SP's ACS URL"
                               + _near_miss(exp.acs_url, sc.recipient),
                               field=_ACS_FIELD, expected=exp.acs_url,
                               received=sc.recipient or "(no Recipient)"))
        if sc.in_response_to != msg.in_response_to:
            expected = exp.request_id or msg.in_response_to or "(none)"
            out.append(finding("SAML_IN_RESPONSE_TO_MISMATCH",
                               "SubjectConfirmationData InResponseTo differs from the "
                               "Response's InResponseTo", field="InResponseTo",
                               expected=expected, received=sc.in_response_to or "(none)"))
    return out


def _name_id(a: Assertion) -> list[Finding]:
    if a.identity not in (IdentityState.VERIFIED, IdentityState.UNVERIFIED):
        return []  # withheld: say nothing about a NameID nobody should trust
    out: list[Finding] = []
    if not a.name_id:
        return [finding("SAML_NAMEID_MISSING", field="Okta Application username",
                        expected="the user's e-mail address", received="(no NameID)")]
    if not _looks_like_email(a.name_id):
        out.append(finding("SAML_NAMEID_NOT_EMAIL",
                           f"NameID {a.name_id!r} is not an e-mail address",
                           field="Okta Application username", expected="Email",
                           received=a.name_id))
    if a.name_id_format != EMAIL_FORMAT:
        out.append(finding("SAML_NAMEID_FORMAT", field="Okta Name ID format",
                           expected=EMAIL_FORMAT, received=a.name_id_format or "(no Format)"))
    return out


def _authn_request(msg: Message, exp: Expectations) -> list[Finding]:
    out: list[Finding] = []
    if exp.sp_entity_id is not None and msg.issuer != exp.sp_entity_id:
        out.append(finding("SAML_REQUEST_MISMATCH",
                           "the AuthnRequest's Issuer is not the SP entity ID given",
                           field="sipgate Entity ID / Okta Audience URI (SP Entity ID)",
                           expected=exp.sp_entity_id, received=msg.issuer or "(no Issuer)"))
    acs = msg.request.acs_url if msg.request is not None else None
    if exp.acs_url is not None and acs is not None and acs != exp.acs_url:
        out.append(finding("SAML_REQUEST_MISMATCH",
                           "the AuthnRequest asks for another ACS URL than the one given",
                           field=_ACS_FIELD, expected=exp.acs_url, received=acs))
    return out


def _near_miss(expected: str, received: str | None) -> str:
    """A short explanation when two URLs differ only trivially."""
    if received is None or expected == received:
        return ""
    if expected.rstrip("/") == received.rstrip("/"):
        return " (they differ only by a trailing slash)"
    if expected.lower() == received.lower():
        return " (they differ only in upper/lower case)"
    if expected.split("://", 1)[-1] == received.split("://", 1)[-1]:
        return " (they differ only in http vs https)"
    return ""


# ---------------------------------------------------------------- signature checks

def check_trust(msg: Message, facts: TrustFacts) -> tuple[Finding, ...]:
    """Which parts are signed, whether a trust anchor was given, and whether the IdP
    signed with the certificate the SP has."""
    if msg.kind != "Response":
        return ()
    out: list[Finding] = []
    if facts.response_signed and not facts.assertion_signed and msg.assertions:
        out.append(finding("SAML_ASSERTION_NOT_SIGNED", field="Okta Assertion Signature",
                           expected="Signed", received="Unsigned"))
    elif facts.assertion_signed and not facts.response_signed:
        out.append(finding("SAML_RESPONSE_NOT_SIGNED", field="Okta Response",
                           expected="Signed (only if the SP demands it)", received="Unsigned"))
    mismatch = _cert_mismatch(facts)
    if mismatch is not None:
        out.append(mismatch)
    return tuple(out)


def _cert_mismatch(facts: TrustFacts) -> Finding | None:
    if facts.status != SignatureStatus.FAILED or not facts.embedded or not facts.anchors:
        return None
    trusted = {normalize_fingerprint(a.sha256) for a in facts.anchors}
    if any(normalize_fingerprint(c.sha256) in trusted for c in facts.embedded):
        return None  # the right certificate, so the failure is something else (tampering)
    used = facts.embedded[0]
    configured = "; ".join(a.describe() for a in facts.anchors)
    source = facts.anchor_source or ""
    mine = ", ".join(dict.fromkeys(a.brief() for a in facts.anchors))
    if source.startswith("--metadata") and "," not in source:
        # Compared with the IdP's own metadata: nothing here says what sipgate holds.
        return finding("SAML_SIGNING_CERT_MISMATCH",
                       f"the IdP signed with {used.brief()}, which is not a signing "
                       f"certificate in the IdP metadata given ({source}: {mine}); the "
                       "metadata is out of date or belongs to another app",
                       field="IdP metadata signing certificates", expected=configured,
                       received=used.describe())
    given = f" ({source})" if source else ""
    return finding("SAML_SIGNING_CERT_MISMATCH",
                   f"the IdP signed with {used.brief()}, but the certificate configured"
                   f"{given} is {mine}: the SP holds the wrong certificate",
                   field="sipgate Certificate", expected=configured, received=used.describe())


__all__ = ["CertSummary", "DEFAULT_SKEW", "EMAIL_FORMAT", "Expectations", "TrustFacts",
           "check_message", "check_trust"]
