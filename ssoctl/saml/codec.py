"""Turning one captured SAML parameter value into XML bytes, strictly and with bounds.

The bounded inflate and strict base64 of docs/threat-model.md ("Decoding") live here.
Nothing in this module parses XML: a value counts as XML when its first non-blank byte is ``<``; the caller
decides whether to run the hardened parser.
"""

import binascii
import re
import zlib
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator, NamedTuple
from urllib.parse import unquote, unquote_to_bytes, urlsplit, urlunsplit

from ssoctl.errors import ExitCode, InputError, SsoctlError
from ssoctl.findings import Finding, finding

#: Upper bound for an inflated HTTP-Redirect message (ruby-saml uses 250000 bytes).
MAX_INFLATED = 256 * 1024
#: What all the messages of one run may inflate to together (docs/threat-model.md,
#: "Resource exhaustion"): thousands of small compressed messages, each under the
#: per-message limit, must not add up to gigabytes.
MAX_INFLATED_TOTAL = 64 * 1024 * 1024
_BUDGET: ContextVar["list[int] | None"] = ContextVar("ssoctl_inflate_budget", default=None)


class InflateBudgetError(SsoctlError):
    """The run's inflate budget is spent: stops the whole run (it is not one unreadable
    message among others, which capture readers skip and report)."""

    exit_code = ExitCode.INPUT
    default_code = "SAML_INFLATE_BUDGET"


@contextmanager
def inflate_budget(total: int = MAX_INFLATED_TOTAL) -> Iterator[None]:
    """Within this block, :func:`inflate` may produce at most ``total`` bytes in all.

    A command sets it once per run; library callers without it have only the
    per-message limit. (Worker processes forked inside the block each start from the
    budget left at the fork.)"""
    token = _BUDGET.set([total])
    try:
        yield
    finally:
        _BUDGET.reset(token)

_B64_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_URLSAFE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_B64_TEXT = re.compile(r"[A-Za-z0-9+/=]*")
_WHITESPACE = re.compile(r"\s+")
#: The ASCII characters ``str.isspace`` (and ``\s``) count as whitespace.
_ASCII_WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"

_BREAKS = "\r\n\t\f\v\ufeff"
HINT_COPY = ("copy the whole SAMLResponse (or SAMLRequest) value from the browser's network "
             "tab, or save the whole exchange as a HAR file")


class DecodedValue(NamedTuple):
    """One parameter value decoded to XML bytes, with what was repaired on the way."""

    xml: bytes
    deflated: bool
    notes: tuple[Finding, ...]


def looks_like_xml(data: bytes) -> bool:
    """True when the first non-blank byte (after a UTF-8 BOM) is ``<``."""
    head = data[:64].lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<")


def inflate(raw: bytes, *, what: str = "message", limit: int = MAX_INFLATED) -> bytes:
    """Raw-DEFLATE decompress ``raw`` with an output bound (docs/threat-model.md, "Decoding").

    Rejects output over ``limit`` (``unconsumed_tail`` left), truncated streams (not
    ``eof``) and trailing bytes (``unused_data``), each with a one-line InputError.
    """
    decomp = zlib.decompressobj(-15)
    try:
        out = decomp.decompress(raw, limit)
    except zlib.error as exc:
        raise InputError(f"{what} is not valid DEFLATE data ({exc})", hint=HINT_COPY,
                         code="SAML_INFLATE_FAILED") from None
    # At the limit, the rest may sit in unconsumed_tail or inside zlib's window
    # (then eof is False with all input consumed): both mean "too large".
    if decomp.unconsumed_tail or (not decomp.eof and len(out) >= limit):
        raise InputError(f"{what}: inflated message exceeds {limit // 1024} KiB",
                         hint="a real SAML message is far smaller; this input is corrupt "
                              "or hostile (a compression bomb)",
                         code="SAML_INFLATE_TOO_LARGE")
    if not decomp.eof:
        raise InputError(f"{what}: DEFLATE data is truncated", hint=HINT_COPY,
                         code="SAML_INFLATE_FAILED")
    if decomp.unused_data:
        raise InputError(f"{what}: {len(decomp.unused_data)} unexpected bytes after the "
                         "DEFLATE data", hint=HINT_COPY, code="SAML_INFLATE_FAILED")
    budget = _BUDGET.get()
    if budget is not None:
        budget[0] -= len(out)
        if budget[0] < 0:
            raise InflateBudgetError("the compressed SAML messages in this input inflate to more "
                             f"than {MAX_INFLATED_TOTAL // (1024 * 1024)} MiB in all",
                             hint="a real login has a few messages of a few kilobytes; save "
                                  "only the requests of one login, or decode one message "
                                  "with --entry N", code="SAML_INFLATE_BUDGET")
    return out


def b64decode_strict(text: str, *, what: str = "message") -> bytes:
    """Decode standard base64 with ``validate=True`` (no character silently dropped).

    ``text`` must already be free of whitespace. A bad character is reported with its
    1-based position; a cut-off value with its length.
    """
    try:  # the common case in one C call: strict_mode rejects any stray character
        return binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        problem = str(exc)
    # Say exactly what is wrong.
    if not _B64_TEXT.fullmatch(text):
        pos, char = next((i, c) for i, c in enumerate(text, start=1) if c not in _B64_CHARS)
        raise InputError(f"{what} is not valid base64: unexpected {char!r} at "
                         f"character {pos}", hint=HINT_COPY, code="SAML_BASE64_INVALID")
    if len(text) % 4:
        raise InputError(f"{what} is not valid base64: {len(text)} characters is not a "
                         "multiple of 4 (the value looks cut off)", hint=HINT_COPY,
                         code="SAML_BASE64_INVALID")
    raise InputError(f"{what} is not valid base64: {problem}", hint=HINT_COPY,
                     code="SAML_BASE64_INVALID")


def decode_value(value: str, *, what: str, expect_deflate: bool | None = None,
                 context: str = "", note_urlencoding: bool = True) -> DecodedValue:
    """Decode one SAMLRequest/SAMLResponse value (or a bare pasted blob) to XML bytes.

    Steps: URL-decode once if it has %XX escapes; remove whitespace, restoring '+' where
    spaces replaced it; accept the URL-safe alphabet (with a warning); strict base64;
    then plain XML or bounded raw inflate. ``expect_deflate`` True forces inflate,
    False forbids it, None decides by content. ``context`` prefixes finding messages.
    """
    notes: list[Finding] = []
    # Keep spaces at the ends: a trailing space may be a '+' lost to URL decoding.
    text = value.strip(_BREAKS)
    if "%" in text and _PERCENT.search(text):
        text = _percent_decoded(text).strip(_BREAKS)
        if note_urlencoding:
            notes.append(finding("BINDING_URL_ENCODED", f"{context}the value was URL-encoded; "
                                 "decoded it once"))
    if not text.strip():
        raise InputError(f"{what} is empty", hint=HINT_COPY, code="SAML_BASE64_INVALID")
    candidates = _whitespace_candidates(text, context)
    last_error: InputError | None = None
    for cleaned, note in candidates:
        try:
            raw, extra = _base64(cleaned, what=what, context=context)
            xml, deflated = _payload(raw, what=what, expect_deflate=expect_deflate)
        except InputError as exc:
            last_error = last_error or exc
            continue
        return DecodedValue(xml, deflated, tuple(notes + ([note] if note else []) + extra))
    assert last_error is not None
    raise last_error


def _has_whitespace(text: str) -> bool:
    """Whether ``text`` holds any character ``\\s`` matches. A SAML value of several
    kilobytes is ASCII: one C-speed search per whitespace character instead of a regular
    expression stepping through every character."""
    if text.isascii():
        return any(char in text for char in _ASCII_WHITESPACE)
    return _WHITESPACE.search(text) is not None


def _percent_decoded(text: str) -> str:
    """``urllib.parse.unquote(text, errors="replace")``: %XX escapes decoded, the bytes
    read as UTF-8. ASCII text (a URL-encoded SAML value) is decoded in one step, without
    first splitting it into ASCII and non-ASCII runs."""
    if text.isascii():
        return unquote_to_bytes(text).decode("utf-8", "replace")
    return unquote(text, errors="replace")


def _whitespace_candidates(text: str, context: str = "") -> list[tuple[str, Finding | None]]:
    """Ways to clean whitespace out of a base64 value, most likely first.

    Line breaks are wrapping and go. A single space is usually a '+' lost to URL
    decoding, unless the spaces come in runs or at a fixed interval (wrapping with
    spaces). Both readings are returned; the caller keeps the first that decodes.
    """
    if not _has_whitespace(text):
        return [(text, None)]
    unwrapped = re.sub(r"[\t\r\n\f\v]+", "", text)
    stripped = unwrapped.replace(" ", "")
    wrap_note = finding("BINDING_WHITESPACE_REMOVED", f"{context}line breaks or spaces "
                        "removed from the base64 value")
    if " " not in unwrapped:
        return [(stripped, wrap_note)]
    plus = (unwrapped.replace(" ", "+"),
            finding("BINDING_PLUS_RESTORED", f"{context}{unwrapped.count(' ')} spaces in "
                    "the base64 value were turned back into '+'"))
    wrap = (stripped, wrap_note)
    return [wrap, plus] if _looks_wrapped(unwrapped) else [plus, wrap]


def _looks_wrapped(text: str) -> bool:
    """Spaces in runs, or every segment but the last of one length (>= 40)."""
    if "  " in text:
        return True
    lengths = {len(seg) for seg in text.split(" ")[:-1]}
    return len(text.split(" ")) >= 3 and len(lengths) == 1 and lengths.pop() >= 40


def _base64(text: str, *, what: str, context: str) -> tuple[bytes, list[Finding]]:
    if ("-" in text or "_" in text) and not ("+" in text or "/" in text) \
            and set(text) <= _URLSAFE_CHARS:
        raw = b64decode_strict(text.replace("-", "+").replace("_", "/"), what=what)
        return raw, [finding("BINDING_URLSAFE_BASE64",
                             f"{context}the value uses the URL-safe base64 alphabet")]
    return b64decode_strict(text, what=what), []


def _payload(raw: bytes, *, what: str, expect_deflate: bool | None) -> tuple[bytes, bool]:
    if expect_deflate is not True and looks_like_xml(raw):
        return raw, False
    if expect_deflate is False:
        raise InputError(f"{what} decodes to binary data, not XML",
                         hint=HINT_COPY, code="SAML_NOT_XML")
    inflated = inflate(raw, what=what) if expect_deflate else _try_inflate(raw, what)
    if not looks_like_xml(inflated):
        raise InputError(f"{what} decodes to something that is not XML",
                         hint=HINT_COPY, code="SAML_NOT_XML")
    return inflated, True


def _try_inflate(raw: bytes, what: str) -> bytes:
    """Inflate when the content decides; a plain non-XML, non-deflate blob says so."""
    try:
        return inflate(raw, what=what)
    except InputError as exc:
        if exc.code == "SAML_INFLATE_TOO_LARGE":
            raise
        raise InputError(f"{what} decodes to binary data that is neither XML nor DEFLATE-"
                         "compressed XML", hint=HINT_COPY, code="SAML_NOT_XML") from None


def split_params(query: str) -> list[tuple[str, str]]:
    """Split ``a=1&b=2`` into (name, value) pairs, percent-decoding names only.

    Values stay as given (decode_value URL-decodes them): '+' is kept literally, because
    in a SAML value a literal '+' is almost always base64's '+', not a space.
    """
    pairs = []
    for part in re.split(r"[&;]", query):
        if not part:
            continue
        name, _, val = part.partition("=")
        pairs.append((unquote(name.strip()), val))
    return pairs


def param_value(raw: str) -> str:
    """A non-SAML parameter value (RelayState, SigAlg, Signature) as text."""
    return unquote(raw) if _PERCENT.search(raw) else raw


def elide_url(url: str | None) -> str | None:
    """``url`` with every query value replaced by ``…`` and any user:password removed.

    Query values can hold whole messages, session tokens or one-time codes; lists and
    messages show names only.
    """
    if not url:
        return url
    try:
        parts = urlsplit(url.strip())
        netloc = parts.netloc.rpartition("@")[2]
        query = "&".join(f"{name}=…" if "=" in p else name
                         for p in parts.query.split("&") if p
                         for name in [p.partition("=")[0]])
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except ValueError:
        return "(unreadable URL)"


# ---------------------------------------------------------------- candidates

SAML_PARAMETERS = ("SAMLResponse", "SAMLRequest")


class Candidate(NamedTuple):
    """A SAML parameter found in a capture, before decoding.

    Exactly one of ``value`` (as carried: base64, maybe URL-encoded or deflated) and
    ``xml`` (already decoded by the capturing tool, e.g. SAML-tracer) is set.
    ``origin`` is "request" (the browser sent it) or "response" (a redirect Location or
    an HTML form the browser received); ``entry`` orders candidates within a capture.
    """

    parameter: str
    binding: str
    value: str | None = None
    xml: bytes | None = None
    relay_state: str | None = None
    sig_alg: str | None = None
    signature: str | None = None
    url: str | None = None
    time: object = None
    method: str | None = None
    origin: str = "request"
    entry: int = 0
    step: int = 0


def params_candidates(pairs: list[tuple[str, str]], *, binding: str, url: str | None = None,
                      method: str | None = None, time: object = None, origin: str = "request",
                      entry: int = 0, step: int = 0, decoded: bool = False) -> list[Candidate]:
    """Candidates for every SAMLRequest/SAMLResponse/SAMLart in ``pairs``.

    ``decoded`` says the values were already URL-decoded (HTML attributes, HAR params
    from some browsers); RelayState, SigAlg and Signature travel with each message.
    """
    first: dict[str, str] = {}
    for name, val in pairs:
        first.setdefault(name, val)

    def extra(name: str) -> str | None:
        raw = first.get(name)
        return None if raw is None else (raw if decoded else param_value(raw))

    out = []
    for index, (name, val) in enumerate(pairs):
        if name in SAML_PARAMETERS or name == "SAMLart":
            out.append(Candidate(
                parameter=name, binding=binding, value=val, relay_state=extra("RelayState"),
                sig_alg=extra("SigAlg"), signature=extra("Signature"), url=elide_url(url),
                time=time, method=method, origin=origin, entry=entry, step=step + index))
    return out
