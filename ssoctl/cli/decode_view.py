"""Human presentation of a ``decode-response`` result: summary tables, then the XML.

Plain functions from the result records to :mod:`ssoctl.render` blocks. Identity
values come only from the model, which already withheld them when a signature check
failed; this module never looks at XML.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ssoctl.render import Block, Code, Fields, Table, Text
from ssoctl.saml.response import IdentityState, SignatureStatus
from ssoctl.saml.status import short_name

if TYPE_CHECKING:  # pragma: no cover
    from ssoctl.saml.checks import CertSummary
    from ssoctl.saml.decode import DecodeResult, MessageResult, SignatureReport
    from ssoctl.saml.response import Assertion, Message

WITHHELD_TEXT = "[withheld: signature check failed]"
_STATUS_WORDS = {
    "verified": "verified",
    "not_verified": "NOT verified (no trusted certificate given: add --cert, --metadata or "
                    "--fingerprint)",
    "failed": "FAILED (see the findings; identity data withheld)",
}


def blocks(result: "DecodeResult") -> tuple[Block, ...]:
    """Every block for the run: one section per message."""
    out: list[Block] = []
    if result.messages_found > 1:
        out.append(Text(f"{result.messages_found} SAML messages in {result.source} "
                        f"({result.form}); showing {len(result.messages)}.\n"))
    for item in result.messages:
        out += message_blocks(item)
    return tuple(out)


def message_blocks(item: "MessageResult") -> list[Block]:
    msg = item.message
    out: list[Block] = [Fields(_title(item), _envelope(item))]
    if msg.request is not None:
        out.append(Fields("Request", _request_rows(msg)))
    if item.signature is not None:
        out.append(Fields("Signature", _signature_rows(
            item.signature, sealed=bool(msg.encrypted_assertions and not msg.assertions))))
    for number, assertion in enumerate(msg.assertions, 1):
        label = f"Assertion {number}" if len(msg.assertions) > 1 else "Assertion"
        out.append(Fields(f"{label} ({_identity_label(assertion.identity)})",
                          _assertion_rows(assertion)))
        if assertion.attributes:
            out.append(Table(f"Attributes ({_identity_label(assertion.identity)})",
                             ("Name", "Friendly name", "Values"),
                             [(a.name or "-", a.friendly_name or "-", "; ".join(a.values))
                              for a in assertion.attributes]))
        elif assertion.identity == IdentityState.WITHHELD:
            out.append(Text(f"Attributes: {WITHHELD_TEXT}\n"))
    if msg.encrypted_assertions and not msg.assertions:
        out.append(Text(f"{msg.encrypted_assertions} encrypted assertion(s): give the SP "
                        "private key with --sp-key to read them.\n"))
    if item.xml is not None:
        out += _xml_blocks(item)
    return out


def _title(item: "MessageResult") -> str:
    via = item.binding if item.binding != "none" else "pasted"
    return f"{item.parameter} #{item.index} ({item.message.kind}, {via})"


def _envelope(item: "MessageResult") -> list[tuple[str, str | None]]:
    msg = item.message
    rows: list[tuple[str, str | None]] = [
        ("Type", msg.kind),
        ("Sent to", f"{item.method + ' ' if item.method else ''}{item.url}" if item.url else None),
        ("Captured", _time(item.time)),
        ("Issuer", msg.issuer),
        ("Destination", msg.destination),
        ("ID", msg.id),
    ]
    if msg.kind in ("Response", "LogoutResponse"):
        rows.append(("InResponseTo", msg.in_response_to or "(none: not an answer to a request)"))
    rows.append(("IssueInstant", _time(msg.issue_instant)))
    if item.signature is None:  # requests and logout messages: no Signature section
        rows.append(("Signed (XML)", _yes(msg.signed)))
    if msg.status is not None:
        rows += [("Status", short_name(msg.status.code) or "(none)"),
                 ("Status detail", short_name(msg.status.sub_code)),
                 ("Status message", msg.status.message),
                 ("Meaning", msg.status.explanation)]
    rows += [("RelayState", item.relay_state),
             ("Redirect signature", f"present ({item.redirect_sig_alg})"
              if item.redirect_sig_alg else None)]
    return rows


def _request_rows(msg: "Message") -> list[tuple[str, str | None]]:
    req = msg.request
    assert req is not None
    name_id = req.name_id
    if msg.identity == IdentityState.WITHHELD:
        name_id = WITHHELD_TEXT
    elif name_id is not None:
        name_id += "  (unverified)"
    return [
        ("ACS URL", req.acs_url),
        ("ProtocolBinding", req.protocol_binding),
        ("NameIDPolicy", req.name_id_policy_format),
        ("ForceAuthn", req.force_authn),
        ("IsPassive", req.is_passive),
        ("AuthnContext", ", ".join(req.requested_authn_context) or None),
        ("NameID", name_id),
        ("SessionIndex", ", ".join(req.session_indexes) or None),
        ("Reason", req.reason),
        ("NotOnOrAfter", _time(req.not_on_or_after)),
    ]


def _signature_rows(sig: "SignatureReport", *,
                   sealed: bool = False) -> list[tuple[str, str | None]]:
    """``sealed``: the Assertion is still encrypted, so its signature is out of sight."""
    result = _STATUS_WORDS.get(sig.status, sig.status)
    unsigned = not (sig.response_signed or sig.assertion_signed)
    source = f" with {sig.trust_source}" if sig.trust_source else ""
    if sealed and sig.status == SignatureStatus.VERIFIED:
        # The Response signature checked out, but the Assertion is still out of sight.
        result = (f"Response verified{source}; the Assertion is encrypted (give the SP "
                  "private key with --sp-key to read it)")
    elif sealed:
        result = ("NOT verified: the Assertion is encrypted (give the SP private key with "
                  "--sp-key)" if sig.status != SignatureStatus.FAILED else result)
    elif sig.status == SignatureStatus.NOT_VERIFIED and unsigned:
        result = "nothing to verify (the message is not signed)"
    elif sig.status == SignatureStatus.FAILED and unsigned:
        result = "FAILED: nothing is signed (identity data withheld)"
    elif sig.status == SignatureStatus.VERIFIED:
        result += source
    rows: list[tuple[str, str | None]] = [
        ("Result", result),
        ("Response", _signed_word(sig.response_signed, sig.response_verified)),
        ("Assertion", "encrypted (its signature is inside)" if sealed
         else _signed_word(sig.assertion_signed, sig.assertion_verified)),
        ("Algorithm", " / ".join(a for a in (sig.signature_algorithm, sig.digest_algorithm) if a)
         or None),
    ]
    if sig.integrity == "intact":
        rows.append(("Integrity", "intact: the signature matches the certificate inside the "
                                  "message (that alone does not prove who signed it)"))
    elif sig.integrity == "broken":
        rows.append(("Integrity", "BROKEN: the message was changed after it was signed"))
    for number, cert in enumerate(sig.embedded_certificates, 1):
        rows.append((f"Cert in message{_n(number, sig.embedded_certificates)}", _cert(cert)))
    for number, cert in enumerate(sig.trusted_certificates, 1):
        rows.append((f"Trusted cert{_n(number, sig.trusted_certificates)}", _cert(cert)))
    return rows


def _assertion_rows(a: "Assertion") -> list[tuple[str, str | None]]:
    name_id = a.name_id
    if a.identity == IdentityState.WITHHELD:
        name_id = WITHHELD_TEXT
    elif a.identity == IdentityState.UNVERIFIED and name_id is not None:
        name_id += "  (unverified)"
    rows: list[tuple[str, str | None]] = [
        ("ID", a.id), ("Issuer", a.issuer), ("IssueInstant", _time(a.issue_instant)),
        ("Signed", _yes(a.signed)), ("NameID", name_id or "(none)"),
        ("NameID format", a.name_id_format),
    ]
    for sc in a.subject_confirmations:
        rows += [("Confirmation", short_name(sc.method) if sc.method else None),
                 ("  Recipient", sc.recipient),
                 ("  NotBefore", _time(sc.not_before)),
                 ("  NotOnOrAfter", _time(sc.not_on_or_after)),
                 ("  InResponseTo", sc.in_response_to)]
    if a.conditions is not None:
        rows += [("NotBefore", _time(a.conditions.not_before)),
                 ("NotOnOrAfter", _time(a.conditions.not_on_or_after)),
                 ("Audience", ", ".join(a.conditions.audiences) or "(none)")]
    for statement in a.authn_statements:
        rows += [("AuthnInstant", _time(statement.authn_instant)),
                 ("SessionIndex", statement.session_index),
                 ("AuthnContext", statement.authn_context_class_ref)]
    return rows


def _xml_blocks(item: "MessageResult") -> list[Block]:
    out: list[Block] = []
    failed = item.signature is not None and item.signature.status == SignatureStatus.FAILED
    if failed or item.message.identity == IdentityState.WITHHELD:
        out.append(Text("WARNING: the signature check failed, so this XML may be forged. Its "
                        "structure is shown, but every text value outside the signature "
                        "(NameID, attributes, ...) is replaced by '[withheld]'.",
                        style="bold red"))
    elif item.signature is not None and item.signature.status == SignatureStatus.NOT_VERIFIED:
        out.append(Text("Note: the signature was not verified; nothing in this XML is proven "
                        "to come from the IdP.", style="yellow"))
    out.append(Code(item.xml or "", lexer="xml", title=f"XML of {item.parameter} #{item.index}"))
    return out


def _identity_label(state: str) -> str:
    return {"verified": "verified", "unverified": "UNVERIFIED",
            "withheld": "identity withheld: signature check failed"}.get(state, state)


def _signed_word(signed: bool, verified: bool) -> str:
    if not signed:
        return "not signed"
    return "signed, verified" if verified else "signed"


def _cert(cert: "CertSummary") -> str:
    return cert.describe()


def _n(number: int, items: tuple) -> str:
    return f" {number}" if len(items) > 1 else ""


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _time(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
