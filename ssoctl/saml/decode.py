"""The one core call behind ``ssoctl decode-response``.

Input bytes -> the SAML messages in them (:mod:`ssoctl.saml.binding`) -> the signature
verdict (:mod:`ssoctl.saml.verdict`: :mod:`ssoctl.saml.verify` only when a trust anchor is
given or a signature is present, so the common fast path never imports signxml) -> the model
(:mod:`ssoctl.saml.response`) -> checks (:mod:`ssoctl.saml.checks`) -> a frozen result.

Trust comes only from what the user gives (``--cert``, ``--fingerprint``,
``--metadata``); the certificate inside the message is described and compared, never
trusted. Identity data is read only from what a verified signature covered, withheld when
a check failed, and marked unverified when nothing could be checked.
"""

import copy
import datetime as dt
import re
from typing import TYPE_CHECKING, Any, NamedTuple

from ssoctl import xmlsafe
from ssoctl.errors import InputError
from ssoctl.findings import Finding, finding, plural
from ssoctl.saml.checks import check_message, check_trust
from ssoctl.saml.options import DecodeOptions
from ssoctl.saml.response import (MESSAGE_KINDS, UNVERIFIED, IdentityState, Message,
                                  read_message)
from ssoctl.saml.verdict import SignatureReport, judge, trust_facts
from ssoctl.xmlsafe import qname

if TYPE_CHECKING:  # pragma: no cover
    from typing import Sequence

    from lxml import etree

    from ssoctl.saml.binding import SamlMessage
    from ssoctl.saml.capture import CaptureFile

#: An input read whole (stdin, ``--text``, a small file) is refused over this before
#: anything is parsed (exit 3). A large HAR or SAML-tracer file is streamed instead
#: (:mod:`ssoctl.saml.harstream`), and this bounds what is kept of its SAML messages:
#: 1,000 Okta responses with both the Response and the Assertion signed take about 21 MB.
MAX_INPUT_BYTES = 32 * 1024 * 1024
WITHHELD = "[withheld]"
_METADATA_ROOTS = ("EntityDescriptor", "EntitiesDescriptor")
_ABOUT = re.compile(r"message (\d+): ")
_NOT_VERIFIED_KINDS = ("AuthnRequest", "LogoutRequest", "LogoutResponse")
_SAML1_PROTOCOLS = ("urn:oasis:names:tc:SAML:1.0:protocol",
                    "urn:oasis:names:tc:SAML:1.1:protocol")


class MessageResult(NamedTuple):
    """One decoded message: where it came from, what it says, what is wrong with it."""

    index: int  # type: ignore[assignment]  # shadows tuple.index; "index" is a JSON key
    parameter: str
    binding: str
    url: str | None
    time: dt.datetime | None
    method: str | None
    relay_state: str | None
    redirect_sig_alg: str | None
    message: Message
    signature: SignatureReport | None
    findings: tuple[Finding, ...]
    xml: str | None = None
    """Pretty-printed XML (``--xml``); identity values replaced when withheld."""
    input_notes: tuple[Finding, ...] = ()
    """Notes decoding this message from its capture made, when that was left to the
    process decoding it (:func:`ssoctl.saml.binding.complete`); they join
    :attr:`DecodeResult.input_findings`. Not part of the message's JSON."""


_RESULT_FIELDS = tuple(name for name in MessageResult._fields if name != "input_notes")


class DecodeResult(NamedTuple):
    """The whole run: the input, the selected messages, every finding."""

    source: str
    form: str
    messages_found: int
    messages: tuple[MessageResult, ...]
    input_findings: tuple[Finding, ...]

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Input findings, then each message's (numbered when there are several)."""
        out = list(self.input_findings)
        several = len(self.messages) > 1
        for result in self.messages:
            if not several:
                out.extend(result.findings)
                continue
            for item in result.findings:  # built directly: a capture has thousands
                out.append(Finding(item.code, item.severity, f"#{result.index}: {item.message}",
                                   item.hint, item.field, item.expected, item.received,
                                   item.exit_code))
        return tuple(out)

    def summary_dict(self) -> dict[str, Any]:
        """:meth:`to_dict` without ``messages``."""
        return {"source": self.source, "form": self.form, "messages_found": self.messages_found}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (see :mod:`ssoctl.saml.export`); each message's findings in their
        JSON form."""
        return {**self.summary_dict(), "messages": [message_dict(m) for m in self.messages]}


def message_dict(result: MessageResult) -> dict[str, Any]:
    """One message as JSON types: the items of ``messages`` in :meth:`DecodeResult.to_dict`."""
    from ssoctl.saml.export import plain

    return {name: [f.to_dict() for f in result.findings] if name == "findings"
            else plain(getattr(result, name)) for name in _RESULT_FIELDS}


def decode_source(source: str, options: DecodeOptions) -> DecodeResult:
    """Read ``source`` (a path or ``-``) and :func:`decode` it."""
    from ssoctl.saml.capture import read_capture

    got = read_capture(source, max_bytes=MAX_INPUT_BYTES, what="SAML input")
    return decode(got.data, options, label=got.label)


def decode(data: "bytes | CaptureFile", options: DecodeOptions, *,
           label: str = "input") -> DecodeResult:
    """Decode, verify and check every selected message in ``data`` (many of them in
    several processes: ``options.jobs``, :mod:`ssoctl.saml.parallel`)."""
    from ssoctl.saml import binding, parallel

    # With --all on a large capture decoded in parallel, each SAMLResponse's base64 is
    # decoded by the process that checks it (binding.complete), not all of them here
    # first. The results are the same; if a value cannot be decoded, start again the
    # plain way, which skips it and numbers the rest as always.
    if options.all_entries and options.jobs != 1 and parallel.can_fork():
        try:
            return _decode(data, options, label, defer_from=parallel.MIN_PARALLEL)
        except binding.DeferredFailed:
            pass
    return _decode(data, options, label, defer_from=None)


def _decode(data: "bytes | CaptureFile", options: DecodeOptions, label: str,
            defer_from: int | None) -> DecodeResult:
    from ssoctl.saml import binding, parallel

    decoded = binding.decode_input(data, input_format=options.input_format, label=label,
                                   defer_from=defer_from)
    chosen = binding.select(decoded, entry=options.entry, all_entries=options.all_entries)
    ids = _request_ids(decoded.messages) if len(decoded.messages) > 1 else ()
    if ids:
        options = options._replace(
            expect=options.expect._replace(capture_request_ids=ids))
    results = parallel.map_in_order(lambda msg: decode_message(msg, options), chosen,
                                    options.jobs, prepare=lambda: _warm(chosen, options))
    found = decoded.findings
    if decoded.deferred:  # each message's own notes, in message order
        found = tuple(binding.unique_notes(
            [*found, *(n for m, r in zip(decoded.messages, results)
                       for n in (r.input_notes if m.pending is not None else m.notes))]))
    selected = {m.index for m in chosen}
    notes = tuple(f for f in found if _about(f) in selected or _about(f) is None)
    if (options.entry is None and not options.all_entries and len(chosen) == 1
            and len(decoded.messages) > 1):
        notes += (finding("BINDING_RESPONSE_PICKED",
                          f"message {chosen[0].index} of {len(decoded.messages)}: the one "
                          f"SAMLResponse posted to the SP (--list shows them all)"),)
    notes += _anchor_unused(results, options)
    return DecodeResult(source=label, form=decoded.form, messages_found=len(decoded.messages),
                        messages=results, input_findings=notes)


def _warm(messages: "Sequence[SamlMessage]", options: DecodeOptions) -> None:
    """Before the worker processes start: import and prepare here, once, what each of
    them would otherwise do by itself after the fork.

    The first message is decoded before this. When it is not a Response (a capture
    usually starts with the SP's AuthnRequest), the first Response is decoded too and its
    result thrown away: that loads signxml and everything verifying needs, as far as this
    capture needs it (unsigned messages checked without an anchor never load signxml).
    Its errors are left for the real run to report."""
    if messages[0].parameter == "SAMLResponse":
        return
    probe = next((m for m in messages[1:64] if m.parameter == "SAMLResponse"), None)
    if probe is not None:
        try:
            decode_message(probe, options)
        except Exception:  # noqa: BLE001 -- only warming up: the real run reports it
            pass


def _anchor_unused(results: tuple[MessageResult, ...],
                   options: DecodeOptions) -> tuple[Finding, ...]:
    """One note when a trust anchor was given but some decoded messages are not
    Responses (only those are verified): the certificate did nothing for them."""
    if not options.anchors.given:
        return ()
    other = [r for r in results if r.message.kind in _NOT_VERIFIED_KINDS]
    if not other:
        return ()
    kinds = ", ".join(dict.fromkeys(r.message.kind for r in other))
    where = options.anchors.source or "the trusted certificate"
    if len(other) == len(results) == 1:
        article = "an" if kinds[:1] in "AEIOU" else "a"
        text = f"{where} was not used: this is {article} {kinds}; only Responses are verified"
    else:
        text = (f"{where} was used only for Responses: {len(other)} other "
                f"{plural(len(other), 'message')} ({kinds}) decoded without a signature check")
    return (finding("SIG_ANCHOR_NOT_USED", text),)


def _request_ids(messages: "tuple[SamlMessage, ...]") -> tuple[str, ...]:
    """IDs of the AuthnRequests in a capture (unreadable ones are simply not counted)."""
    ids = []
    for msg in messages:
        if msg.parameter != "SAMLRequest":
            continue
        try:
            root = xmlsafe.parse(msg.xml, what="AuthnRequest")
        except InputError:
            continue
        if root.tag == qname("samlp", "AuthnRequest") and root.get("ID"):
            ids.append(root.get("ID"))
    return tuple(dict.fromkeys(ids))


def _about(item: Finding) -> int | None:
    """The message an input finding is about (``message 3: ...``), if it names one: notes
    about messages not selected with ``--entry`` are left out."""
    match = _ABOUT.match(item.message)
    return int(match.group(1)) if match else None


def decode_message(msg: "SamlMessage", options: DecodeOptions) -> MessageResult:
    """One message: parse, verify when useful, model, check (a deferred one is decoded
    from its capture first: :func:`ssoctl.saml.binding.complete`)."""
    notes: tuple[Finding, ...] = ()
    if msg.pending is not None:
        from ssoctl.saml.binding import complete

        msg = complete(msg)
        notes = msg.notes
    root = xmlsafe.parse(msg.xml, what=f"{msg.parameter} #{msg.index}")
    kind = _kind(root)
    findings: list[Finding] = []
    report: SignatureReport | None = None
    source = UNVERIFIED
    model_root = display = root
    if kind == "Response" or kind not in MESSAGE_KINDS:
        report, source, model_root, display, more = judge(msg.xml, root, options)
        findings += more
    model = read_message(model_root, source)
    if report is not None:
        findings += check_trust(model, trust_facts(report, options.anchors))
    findings += check_message(model, options.expect)
    xml = _pretty(display, withhold=source.state == IdentityState.WITHHELD) if options.want_xml else None
    return MessageResult(
        index=msg.index, parameter=msg.parameter, binding=msg.binding, url=msg.url,
        time=msg.time, method=msg.method, relay_state=msg.relay_state,
        redirect_sig_alg=msg.sig_alg, message=model, signature=report,
        findings=_ordered(_dedupe(findings)), xml=xml, input_notes=notes)


def _kind(root: "etree._Element") -> str:
    tag = root.tag if isinstance(root.tag, str) else ""
    namespace, _, local = tag[1:].rpartition("}") if tag.startswith("{") else ("", "", tag)
    if local in MESSAGE_KINDS and namespace == xmlsafe.NS["samlp"]:
        return local
    if local in _METADATA_ROOTS:
        raise InputError("this is SAML metadata, not a SAML message",
                         hint="read metadata with `ssoctl import-metadata FILE`",
                         code="SAML_NOT_A_MESSAGE")
    # A foreign root around a Response or Assertion is a wrapping attack: let the
    # verifier judge it (exit 4). Anything else is simply not a SAML 2.0 message.
    if root.find(f".//{qname('samlp', 'Response')}") is None and \
            root.find(f".//{qname('saml', 'Assertion')}") is None:
        if namespace in _SAML1_PROTOCOLS:
            raise InputError(f"this is a SAML 1.x {local} ({namespace}), not SAML 2.0",
                             hint="ssoctl reads SAML 2.0 messages, which Okta and sipgate "
                                  "use; SAML 1.1 comes from WS-Federation or legacy setups",
                             code="SAML_NOT_A_MESSAGE")
        where = (f" (its namespace is {namespace or 'missing'}, not {xmlsafe.NS['samlp']})"
                 if local in MESSAGE_KINDS else "")
        raise InputError(f"the XML root <{local}> is not a SAML protocol message{where}",
                         hint="give a SAMLResponse, SAMLRequest, or a capture holding one",
                         code="SAML_NOT_A_MESSAGE")
    return local



def _dedupe(findings: list[Finding]) -> tuple[Finding, ...]:
    """Drop exact repeats and say a certificate mismatch once, in the richer words of
    SAML_SIGNING_CERT_MISMATCH (which names both certificates)."""
    codes = {f.code for f in findings}
    seen: set[tuple[str, str]] = set()
    out = []
    for item in findings:
        if item.code == "SIG_CERT_MISMATCH" and "SAML_SIGNING_CERT_MISMATCH" in codes:
            continue
        key = (item.code, item.message)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)


def _ordered(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Errors first (trust failures before the rest), then warnings, then notes."""
    rank = {"error": 0, "warning": 1, "info": 2}
    return tuple(sorted(findings, key=lambda f: (rank[f.severity.value],
                                                 0 if f.exit_code == 4 else 1)))


def _pretty(root: "etree._Element", *, withhold: bool) -> str:
    """The message as indented XML; identity values replaced when ``withhold``."""
    from lxml import etree

    doc = copy.deepcopy(root)
    if withhold:
        # An attacker may put the forged user anywhere (NameID, attributes, StatusDetail,
        # an element in a made-up namespace), so every text outside the signature goes;
        # the structure and attributes stay, which is what shows a wrapping attack.
        ds = "{" + xmlsafe.NS["ds"] + "}"
        for el in doc.iter():
            if not isinstance(el.tag, str):
                el.text = ""  # comments and the like
                continue
            if not el.tag.startswith(ds) and el.text and el.text.strip():
                el.text = WITHHELD
            if el.tail and el.tail.strip():
                el.tail = ""
    etree.indent(doc, space="  ")
    return etree.tostring(doc, encoding="unicode")


__all__ = ["DecodeOptions", "DecodeResult", "MAX_INPUT_BYTES", "MessageResult",
           "SignatureReport", "WITHHELD", "decode", "decode_message", "decode_source",
           "message_dict"]
