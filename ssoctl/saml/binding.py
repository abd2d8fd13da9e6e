"""Captured input in any form -> the SAML messages it carries (issue 4, "Input").

Accepted forms (auto-detected, or forced with ``input_format``): raw XML; base64 (with
line breaks, spaces or '+' turned into spaces); URL-encoded base64; DEFLATE + base64
(HTTP-Redirect); a full URL with SAMLRequest/SAMLResponse in the query; a
form-urlencoded POST body; a saved HTML auto-submit form; a HAR file; a SAML-tracer
JSON export. See docs/input-forms.md.

The result lists every message with where it came from; the XML is returned as bytes,
not parsed (only bare XML and bare base64 are parsed, with the hardened parser, to tell
a request from a response). Header values from captures (cookies, Authorization) are
never copied into any result or error.
"""

import datetime as dt
import re
from typing import TYPE_CHECKING, NamedTuple

from ssoctl.errors import InputError, UsageError
from ssoctl.findings import Finding, finding, plural
from ssoctl.saml.codec import HINT_COPY, Candidate, decode_value, elide_url
from ssoctl.saml.detect import PERCENT, InputFormat, detect, find_candidates

if TYPE_CHECKING:  # pragma: no cover
    from ssoctl.saml.capture import CaptureFile

#: Every input form, in the order the docs describe them.
FORMS: tuple[InputFormat, ...] = tuple(InputFormat)

_REQUEST_ROOTS = {"AuthnRequest", "LogoutRequest", "AttributeQuery", "ArtifactResolve",
                  "AuthnQuery", "AuthzDecisionQuery", "ManageNameIDRequest", "NameIDMappingRequest"}
_RESPONSE_ROOTS = {"Response", "LogoutResponse", "ArtifactResponse",
                   "ManageNameIDResponse", "NameIDMappingResponse"}


class SamlMessage(NamedTuple):
    """One SAML message found in the input, decoded to XML bytes but not parsed.

    ``url`` is the address it was sent to with every query value elided (``…``);
    ``relay_state``, ``sig_alg`` and ``signature`` are the binding parameters that
    travelled with it (already URL-decoded).
    """

    parameter: str
    """"SAMLResponse", "SAMLRequest", or "unknown" (bare XML with another root)."""
    xml: bytes
    binding: str
    """"HTTP-POST", "HTTP-Redirect" or "none" (pasted without its transport)."""
    relay_state: str | None = None
    sig_alg: str | None = None
    signature: str | None = None
    url: str | None = None
    time: dt.datetime | None = None
    method: str | None = None
    index: int = 1  # type: ignore[assignment]  # shadows tuple.index; the name is in the JSON
    form: str = "xml"
    notes: tuple[Finding, ...] = ()
    """With ``defer_from`` (:func:`decode_input`): the notes decoding this message made."""
    pending: "Pending | None" = None
    """Not decoded yet (``xml`` is empty): :func:`complete` decodes it."""


class Pending(NamedTuple):
    """What :func:`complete` needs to decode a deferred message exactly as
    :func:`decode_input` would have."""

    candidate: Candidate
    label: str
    context: str
    forced_deflate: bool


class DeferredFailed(Exception):
    """A deferred message cannot be decoded: decoding it up front would have skipped it
    and numbered the later messages differently, so the caller starts again without
    deferring (:func:`ssoctl.saml.decode.decode`). Never reaches a user."""


class DecodedInput(NamedTuple):
    """What :func:`decode_input` found: the input form, the messages, and notes."""

    form: str
    messages: tuple[SamlMessage, ...]
    findings: tuple[Finding, ...] = ()
    deferred: bool = False
    """Decoded for deferral (``defer_from``): ``findings`` holds only the notes about the
    whole input and each message carries its own (``notes``) -- also when no message was
    actually left pending for :func:`complete` (a capture of requests only)."""


class MessageRow(NamedTuple):
    """One line of :func:`list_messages`: enough to pick a message with ``--entry``."""

    index: int  # type: ignore[assignment]  # shadows tuple.index (never called on a row)
    parameter: str
    method: str | None
    url: str | None
    time: dt.datetime | None

    def cells(self) -> tuple[str, str, str, str, str]:
        """Plain-text table cells."""
        when = self.time.strftime("%Y-%m-%d %H:%M:%S") if self.time else "-"
        return (str(self.index), self.parameter, self.method or "-", self.url or "-", when)


# ---------------------------------------------------------------- public API

def decode_input(data: "bytes | CaptureFile", *, input_format: str | None = None,
                 label: str = "input", defer_from: int | None = None) -> DecodedInput:
    """Find and decode every SAML message in ``data`` (size-checked by the caller), or in
    a large HAR or SAML-tracer file (:class:`~ssoctl.saml.capture.CaptureFile`, read
    as a stream).

    ``input_format`` forces one of :data:`FORMS`; otherwise the form is detected.
    ``defer_from``: when the input holds at least this many messages, SAMLResponse
    values are left encoded (``pending``) for :func:`complete` -- in the processes that
    decode a large capture in parallel, so their base64 is decoded there, not here.
    Raises :class:`UsageError` for an unknown format name and :class:`InputError`
    (exit 3) when nothing can be decoded, with a one-line message and a hint.
    """
    forced = check_format(input_format)
    if not isinstance(data, bytes):
        from ssoctl.saml.harstream import read_or_stream

        streamed = read_or_stream(data, forced, label)
        if not isinstance(streamed, bytes):
            return _decoded(*streamed[:2], label, streamed[2], forced, defer_from)
        data = streamed
    from ssoctl.files import decode_text

    if not data or data.isspace():  # no stripped copy of a large input
        raise InputError(f"{label} is empty", hint=HINT_COPY, code="INPUT_EMPTY")
    raw_text = decode_text(data, what=label).text
    text = raw_text.strip()
    form, doc = (forced, None) if forced else detect(text, label)
    if form in (InputFormat.BASE64, InputFormat.URLENCODED, InputFormat.DEFLATED):
        text = raw_text.strip("\r\n\t\f\v\ufeff")  # a trailing space may be a lost '+'
    notes: list[Finding] = []
    if form == InputFormat.XML:
        return DecodedInput(InputFormat.XML, (_bare_xml(data, label),), ())
    candidates, form = find_candidates(form, text, doc, label, notes)
    return _decoded(candidates, form, label, notes, forced, defer_from)


def _decoded(candidates: list[Candidate], form: InputFormat, label: str, notes: list[Finding],
             forced: InputFormat | None, defer_from: int | None) -> DecodedInput:
    messages = _decode_all(candidates, form, label, notes, forced_deflate=forced == InputFormat.DEFLATED,
                           defer_from=defer_from)
    if form == InputFormat.BASE64 and messages and messages[0].binding == "HTTP-Redirect":
        form = InputFormat.DEFLATED
        messages = tuple(_with_form(m, form) for m in messages)
    # Deferred decoding keeps every message's notes with the message (requests included,
    # which were decoded here): the caller must gather them even if none is pending.
    deferred = any(m.pending is not None or m.notes for m in messages)
    return DecodedInput(form, messages, tuple(unique_notes(notes)), deferred=deferred)


def complete(msg: SamlMessage) -> SamlMessage:
    """A deferred message (``pending``) decoded, with the notes decoding made, exactly as
    :func:`decode_input` would have done it; any other message as it is. Raises
    :class:`DeferredFailed` when the value cannot be decoded."""
    if msg.pending is None:
        return msg
    cand, label, context, forced = msg.pending
    own: list[Finding] = []
    try:
        return _decode_one(cand, msg.form, label, msg.index, context, own, forced, keep=True)
    except InputError:
        raise DeferredFailed(msg.index) from None


def check_format(input_format: str | None) -> InputFormat | None:
    """Validate an ``--input-format`` name (case-insensitive); None means detect."""
    if input_format is None:
        return None
    name = input_format.strip().lower().replace("_", "-")
    if name in ("auto", ""):
        return None
    if name not in FORMS:
        raise UsageError(f"unknown input format {input_format!r}",
                         hint="use one of: " + ", ".join(FORMS) + " (or leave it out to "
                              "detect the form)", code="INPUT_FORMAT_UNKNOWN")
    return InputFormat(name)


def select(decoded: DecodedInput, *, entry: int | None = None,
           all_entries: bool = False) -> tuple[SamlMessage, ...]:
    """The messages a command should work on (``--entry N`` / ``--all``).

    One message: it. Several without ``entry`` or ``all_entries``: the one SAMLResponse
    POSTed to the SP when there is exactly one (:func:`posted_response`), else a
    UsageError listing them. ``entry`` is 1-based.
    """
    messages = decoded.messages
    count = len(messages)
    if entry is not None and all_entries:
        raise UsageError("--entry and --all cannot be used together",
                         hint="give --entry N for one message or --all for every one",
                         code="USAGE")
    if entry is not None:
        if not 1 <= entry <= count:
            raise UsageError(f"--entry {entry}: the input has {count} SAML "
                             f"{plural(count, 'message')}",
                             hint=f"use a number from 1 to {count}: " + _summary(decoded),
                             code="SAML_ENTRY_OUT_OF_RANGE")
        return (messages[entry - 1],)
    if all_entries or count == 1:
        return messages
    posted = posted_response(decoded)
    if posted is not None:
        return (posted,)
    raise EntryRequired(f"{count} SAML messages found, use --entry N or --all",
                        hint=_summary(decoded), code="SAML_ENTRY_REQUIRED", decoded=decoded)


class EntryRequired(UsageError):
    """Several messages and none picked (``SAML_ENTRY_REQUIRED``, exit 2). ``decoded``:
    what was read, so the caller can list the messages without reading the input again
    (a browser capture may be hundreds of megabytes)."""

    def __init__(self, message: str, *, hint: str, code: str, decoded: DecodedInput) -> None:
        super().__init__(message, hint=hint, code=code)
        self.decoded = decoded


def posted_response(decoded: DecodedInput) -> SamlMessage | None:
    """The one SAMLResponse the browser POSTed (to the SP's ACS URL) in a capture with
    several messages, or None when there is no such message or more than one: the
    message a person decoding a login capture means when they name no ``--entry``."""
    posted = [m for m in decoded.messages
              if m.parameter == "SAMLResponse" and (m.method or "").upper() == "POST"]
    return posted[0] if len(posted) == 1 and len(decoded.messages) > 1 else None


def list_messages(decoded: DecodedInput) -> list[MessageRow]:
    """One row per message (index, parameter, method, URL without query values, time)."""
    return [MessageRow(m.index, m.parameter, m.method, m.url, m.time) for m in decoded.messages]


# ---------------------------------------------------------------- decoding

def _decode_all(cands: list[Candidate], form: str, label: str, notes: list[Finding], *,
                forced_deflate: bool = False,
                defer_from: int | None = None) -> tuple[SamlMessage, ...]:
    artifacts = [c for c in cands if c.parameter == "SAMLart"]
    cands = _dedupe([c for c in cands if c.parameter != "SAMLart"], notes)
    if artifacts:
        notes.append(finding("BINDING_ARTIFACT", f"{len(artifacts)} SAML "
                             f"{plural(len(artifacts), 'artifact')} (SAMLart) found; "
                             "the messages they stand for are not in the capture"))
    if not cands:
        raise InputError(f"{label}: only SAML artifacts (SAMLart) found, no SAML message",
                         hint="the HTTP-Artifact binding keeps the message off the browser; "
                              "use the HTTP-POST binding", code="SAML_ARTIFACT_ONLY")
    several = len(cands) > 1
    if defer_from is not None and len(cands) >= defer_from:
        return tuple(_deferred(cands, form, label, forced_deflate))
    messages: list[SamlMessage] = []
    first_error: InputError | None = None
    for cand in cands:
        context = f"message {len(messages) + 1}: " if several else ""
        try:
            msg = _decode_one(cand, form, label, len(messages) + 1, context, notes,
                              forced_deflate)
        except InputError as exc:
            if not several:
                raise
            first_error = first_error or exc
            notes.append(finding("BINDING_MESSAGE_SKIPPED", f"a {cand.parameter} at "
                                 f"{cand.url or 'an unknown URL'} could not be decoded: "
                                 f"{exc.message}"))
            continue
        messages.append(msg)
    if not messages:
        assert first_error is not None
        raise first_error
    return tuple(messages)


def _deferred(cands: list[Candidate], form: str, label: str,
              forced_deflate: bool) -> list[SamlMessage]:
    """Each candidate as a message numbered as if every one decodes: SAMLResponse values
    left for :func:`complete`, the rest (requests, already decoded XML) decoded now. Any
    that fails raises :class:`DeferredFailed` (skipping it would renumber the rest)."""
    out = []
    for index, cand in enumerate(cands, 1):
        context = f"message {index}: " if len(cands) > 1 else ""
        if cand.parameter == "SAMLResponse" and cand.xml is None:
            out.append(SamlMessage(
                parameter=cand.parameter, xml=b"", binding=cand.binding, index=index,
                form=form, pending=Pending(cand, label, context, forced_deflate)))
            continue
        try:
            out.append(_decode_one(cand, form, label, index, context, [], forced_deflate,
                                   keep=True))
        except InputError:
            raise DeferredFailed(index) from None
    return out


def _decode_one(cand: Candidate, form: str, label: str, index: int, context: str,
                notes: list[Finding], forced_deflate: bool, *,
                keep: bool = False) -> SamlMessage:
    """Decode one candidate; its notes are added to ``notes`` and, with ``keep``, kept
    in the message too (deferred decoding: :func:`complete`)."""
    what = cand.parameter if cand.parameter != "unknown" else label
    if cand.xml is not None:
        xml, deflated = cand.xml, cand.binding == "HTTP-Redirect"
    else:
        expect = True if forced_deflate else None
        decoded = decode_value(cand.value or "", what=what, expect_deflate=expect,
                               context=context, note_urlencoding=cand.parameter == "unknown")
        xml, deflated = decoded.xml, decoded.deflated
        notes.extend(decoded.notes)
        _binding_notes(cand, deflated, context, notes)
    parameter = cand.parameter
    binding = cand.binding
    if parameter == "unknown":
        parameter = _parameter_from_root(xml, what)
        binding = "HTTP-Redirect" if deflated else "none"
    if cand.relay_state:
        notes.append(finding("BINDING_RELAY_STATE", f"{context}RelayState present "
                             f"({len(cand.relay_state)} "
                             f"{plural(len(cand.relay_state), 'character')})"))
    if cand.sig_alg or cand.signature:
        notes.append(finding("BINDING_REDIRECT_SIGNED", f"{context}the URL carries a "
                             f"query-string signature (SigAlg {cand.sig_alg or 'missing'})"))
    return SamlMessage(parameter=parameter, xml=xml, binding=binding,
                       relay_state=cand.relay_state, sig_alg=cand.sig_alg,
                       signature=cand.signature, url=cand.url,
                       time=cand.time if isinstance(cand.time, dt.datetime) else None,
                       method=cand.method, index=index, form=form,
                       notes=tuple(notes) if keep else ())


def _binding_notes(cand: Candidate, deflated: bool, context: str,
                   notes: list[Finding]) -> None:
    if cand.binding == "HTTP-Redirect" and not deflated:
        notes.append(finding("BINDING_REDIRECT_NOT_DEFLATED",
                             f"{context}the {cand.parameter} in the URL is not deflated"))
    if cand.binding == "HTTP-POST" and deflated:
        notes.append(finding("BINDING_POST_DEFLATED",
                             f"{context}the {cand.parameter} in the POST form is deflated"))


def _parameter_from_root(xml: bytes, what: str) -> str:
    """SAMLRequest/SAMLResponse from the root element (hardened parser), else unknown."""
    from ssoctl.xmlsafe import parse

    root = parse(xml, what=what)
    tag = root.tag if isinstance(root.tag, str) else ""
    local = tag.rpartition("}")[2]
    if local in _REQUEST_ROOTS:
        return "SAMLRequest"
    if local in _RESPONSE_ROOTS:
        return "SAMLResponse"
    return "unknown"


def _bare_xml(data: bytes, label: str) -> SamlMessage:
    return SamlMessage(parameter=_parameter_from_root(data, label), xml=data, binding="none",
                       form="xml")


def _dedupe(cands: list[Candidate], notes: list[Finding]) -> list[Candidate]:
    """Drop copies of a message the browser only received; keep every one it sent."""
    def key(c: Candidate) -> tuple[str, object]:
        if c.xml is not None:
            return c.parameter, c.xml
        value = c.value or ""
        if PERCENT.search(value):
            from urllib.parse import unquote

            value = unquote(value)
        return c.parameter, re.sub(r"[\s+]", "", value)

    # Requests the browser sent are all kept (the same message sent twice is a replay
    # worth seeing); a copy it only received (Location header, HTML form) is dropped
    # when a request carried it, or when it was received before.
    keep = [c for c in cands if c.origin == "request"]
    if len(keep) == len(cands):  # nothing to compare: skip normalising every value
        return sorted(keep, key=lambda c: (c.entry, c.step))
    seen = {key(c) for c in keep}
    for cand in cands:
        k = key(cand)
        if cand.origin != "request" and k not in seen:
            seen.add(k)
            keep.append(cand)
    skipped = len(cands) - len(keep)
    if skipped:
        notes.append(finding("BINDING_DUPLICATES_SKIPPED", f"{skipped} repeated cop"
                             f"{'ies' if skipped > 1 else 'y'} of messages skipped"))
    return sorted(keep, key=lambda c: (c.entry, c.step))


def _with_form(msg: SamlMessage, form: str) -> SamlMessage:
    return msg._replace(form=form)


def unique_notes(notes: "list[Finding] | tuple[Finding, ...]") -> list[Finding]:
    """``notes`` without repeats (same code and message), first ones kept, in order."""
    seen: set[tuple[str, str]] = set()
    out = []
    for note in notes:
        if (note.code, note.message) not in seen:
            seen.add((note.code, note.message))
            out.append(note)
    return out


def _summary(decoded: DecodedInput, limit: int = 10) -> str:
    rows = [(f"{r.index}: {r.parameter} {r.method or ''} {r.url or ''}".replace("  ", " ").strip()
             + (r.time.strftime(" at %H:%M:%SZ") if r.time else ""))
            for r in list_messages(decoded)[:limit]]
    more = len(decoded.messages) - limit
    return "; ".join(rows) + (f"; … {more} more (--list shows every one)" if more > 0 else "")


__all__ = ["FORMS", "DecodedInput", "DeferredFailed", "MessageRow", "Pending", "SamlMessage",
           "check_format", "complete", "decode_input", "elide_url", "list_messages",
           "posted_response", "select",
           "unique_notes"]
