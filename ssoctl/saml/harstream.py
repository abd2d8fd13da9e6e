"""Browser captures too large to read whole: a HAR or SAML-tracer export read as a stream.

A HAR that Chrome or Firefox saves from a login carries every script, font and image of
the pages (50-300 MB is common); the SAML messages in it are a few kilobytes. A JSON
capture given as a file larger than :data:`ssoctl.saml.capture.STREAM_FROM` is therefore
never read whole (:func:`ssoctl.saml.capture.read_capture` decides):

1. :class:`_Strings` reads the file in chunks and passes the JSON on with every string
   value longer than :data:`KEEP_BYTES` replaced by a short marker, unless its first
   :data:`KEEP_BYTES` name a SAML parameter or namespace (then it is kept whole, up to
   the limit of one SAML message, :data:`ssoctl.saml.decode.MAX_INPUT_BYTES`). Page
   assets are dropped as they stream; memory stays bounded whatever the file holds.
2. The incremental JSON parser (``ijson``, its C backend when installed, else its
   pure-Python one) turns what is left into events; :func:`_build` keeps, of each HAR
   entry or SAML-tracer request, only the fields a SAML message can travel in (the
   ones :mod:`ssoctl.saml.har` reads) and hands the entry to it at once, keeping only
   the SAML parameters found.

The result is the list of candidates :func:`ssoctl.saml.har.har_candidates` gives for
the same document read whole: the same messages, numbering, notes and errors. What is
kept of the SAML messages is bounded in all (:data:`ssoctl.saml.decode.MAX_INPUT_BYTES`),
each message is then decoded with its own limits and parsed by the hardened parser like
any other (docs/threat-model.md, "Resource exhaustion"), and the file itself is bounded
by :data:`ssoctl.saml.capture.MAX_CAPTURE_FILE`.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Iterator

from ssoctl.errors import InputError
from ssoctl.files import MAX_NESTING, MiB, read_source
from ssoctl.findings import Finding
from ssoctl.saml import capture as capture_module
from ssoctl.saml import har
from ssoctl.saml.capture import SMALLER_CAPTURE, CaptureFile
from ssoctl.saml.codec import SAML_PARAMETERS, Candidate
from ssoctl.saml.detect import InputFormat

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

#: String values longer than this are dropped while streaming unless their start
#: mentions SAML. A saved IdP page is scanned for a form only up to this size anyway.
KEEP_BYTES = har.MAX_HTML_SCAN
_CHUNK = MiB
# What a dropped string becomes (as JSON text): a NUL, a noncharacter, a random word
# made for this run (so no file can spell the marker), then "S" when the dropped part
# mentions SAML ("-" when not), then its length in bytes.
_NONCE = secrets.token_hex(8)
_CUT_JSON = b"\\u0000\\ufdd0" + _NONCE.encode()
_CUT = "\x00\ufdd0" + _NONCE
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_HIGH_SURROGATE = re.compile(rb"\\u[dD][89abAB]")
_TRUNCATED = ("premature EOF", "Incomplete JSON")
_SAVE_AGAIN = ("save the HAR or SAML-tracer export again and wait until the browser has "
               "written all of it; the file looks cut off or edited")


class NotJson(InputError):
    """A streamed capture is cut off or not JSON (``HAR_MALFORMED``). A file small
    enough to be read whole is then read whole, to say what json.loads says."""


# ---------------------------------------------------------------- the candidates

def capture_candidates(capture: CaptureFile, label: str, notes: list[Finding],
                       forced: InputFormat | None) -> tuple[list[Candidate], InputFormat]:
    """Every SAML parameter in the HAR or SAML-tracer export ``capture``, streamed.

    ``forced`` is :attr:`InputFormat.HAR`, :attr:`InputFormat.SAML_TRACER` or None
    (detect). Raises :class:`InputError` (exit 3) like the in-memory readers, and for a
    file cut off or not JSON (``HAR_MALFORMED``)."""
    scans = {}
    if forced in (None, InputFormat.HAR):
        scans["har"] = _Scan(label, capture.limit, har=True)
    if forced in (None, InputFormat.SAML_TRACER):
        scans["tracer"] = _Scan(label, capture.limit, har=False)
    root = _root_schema(scans)
    try:
        with open(capture.path, "rb") as handle:
            doc = _parse(handle, root, label, capture.limit)
    except OSError as exc:
        raise InputError(f"cannot read {label}: {exc.strerror or exc}", hint="check the path",
                         code="INPUT_UNREADABLE") from None
    log = doc.get("log") if isinstance(doc, dict) else None
    form = forced
    if form is None:
        if isinstance(log, dict):
            form = InputFormat.HAR
        elif isinstance(doc, dict) and isinstance(doc.get("requests"), list):
            form = InputFormat.SAML_TRACER
        else:
            raise InputError(f"{label} is JSON, but neither a HAR file nor a SAML-tracer "
                             "export", hint="in the browser's network tab use 'Save all as "
                             "HAR', or SAML-tracer's Export button",
                             code="SAML_INPUT_UNRECOGNISED")
    if form == InputFormat.HAR:
        if not (isinstance(log, dict) and isinstance(log.get("entries"), list)):
            raise har.not_a_har(label)
        scan = scans["har"]
        return har.har_found(scan.out, scan.count, scan.secrets, label, notes), form
    if not (isinstance(doc, dict) and isinstance(doc.get("requests"), list)):
        raise har.not_a_tracer_export(label)
    scan = scans["tracer"]
    return har.tracer_found(scan.out, scan.count, scan.secrets, label, notes), form


class _Scan:
    """The candidates of the streamed entries (HAR) or requests (SAML-tracer) so far."""

    def __init__(self, label: str, limit: int, *, har: bool) -> None:
        self.label, self.limit, self.har = label, limit, har
        self.reset()

    def _dropped_values(self, item: dict, number: int) -> None:
        """A SAMLRequest or SAMLResponse form value longer than :data:`KEEP_BYTES` was
        dropped (a value names no parameter itself): the entry's POST body carries it
        too (then that is read, and the value is left out), or SAML-tracer's decoded copy
        is used; otherwise say so rather than decode an empty value."""
        if self.har:
            request = item.get("request")
            post = request.get("postData") if isinstance(request, dict) else None
            if not (isinstance(post, dict) and isinstance(post.get("params"), list)):
                return
            text, kept = post.get("text"), []
            for param in post["params"]:
                if isinstance(param, dict) and param.get("name") in SAML_PARAMETERS \
                        and isinstance(param.get("value"), _Cut):
                    if not (isinstance(text, str) and f"{param['name']}=" in text):
                        raise self._too_long(param["name"], param["value"], number)
                    continue
                kept.append(param)
            post["params"] = kept
            return
        saml = item.get("saml")
        for key in ("get", "post"):
            pairs = item.get(key)
            for pair in pairs if isinstance(pairs, list) else ():
                if isinstance(pair, list) and len(pair) >= 2 and pair[0] in SAML_PARAMETERS \
                        and isinstance(pair[1], _Cut):
                    if not (isinstance(saml, str) and saml.strip()):
                        raise self._too_long(pair[0], pair[1], number)
                    pair[1] = ""

    def _too_long(self, name: str, cut: "_Cut", number: int) -> InputError:
        where = f"HAR entry {number + 1}" if self.har else f"SAML-tracer request {number + 1}"
        return InputError(f"{self.label}: {where} carries a {name} of {cut.size / MiB:,.1f} "
                          f"MiB, longer than {_mb(KEEP_BYTES)}, which is read only from a "
                          "POST body naming it", hint="copy the value from the browser's "
                          "network tab and decode it with --text VALUE",
                          code="INPUT_TOO_LARGE")

    def reset(self) -> None:
        """The list starts (again: a repeated key replaces it, as in json.loads)."""
        self.out: list[Candidate] = []
        self.secrets: set[str] = set()
        self.count = 0
        self.kept = 0

    def start(self) -> int:
        """One more item; its number (from 0)."""
        if self.count >= har.MAX_HAR_ENTRIES:
            raise har.too_many_entries(self.label, None, har=self.har)
        self.count += 1
        return self.count - 1

    def item(self, number: int, value: object) -> None:
        """The item ``number`` is complete: keep its SAML parameters."""
        if not isinstance(value, dict):
            return
        self._dropped_values(value, number)
        found = (har.har_entry(value, number, self.label, self.secrets) if self.har
                 else har.tracer_request(value, number, self.secrets))
        if not found:
            return
        self.kept += sum(len(c.value or "") + len(c.xml or b"") for c in found)
        if self.kept > self.limit:
            raise InputError(f"{self.label}: the SAML messages in it add up to more than "
                             f"{_mb(self.limit)}", hint=SMALLER_CAPTURE,
                             code="INPUT_TOO_LARGE")
        self.out += found


# ---------------------------------------------------------------- what is kept

class _Cut:
    """A string value dropped while streaming (:class:`_Strings`)."""

    __slots__ = ("size", "saml")

    def __init__(self, size: int, saml: bool) -> None:
        self.size, self.saml = size, saml


_FIELD = "field"
"""Kept whole; a dropped string here that mentions SAML is an error (a SAML message
may travel in it)."""
_BODY = "body"
"""Kept whole; a dropped string here is simply absent (a page asset)."""


@dataclass(frozen=True)
class _Each:
    """An array whose items are kept with ``item``."""

    item: object


@dataclass(frozen=True)
class _Stream:
    """An array whose items are built with ``item``, handed to ``scan`` and forgotten."""

    item: object
    scan: _Scan


_HEADERS = _Each(_FIELD)
_PRESENT = "present"
"""Only that the value is there: kept as None (a container's content is skipped)."""
_COOKIES = _Each(_PRESENT)  # only whether there are any
_PAIRS = _Each(_Each(_FIELD))
_HAR_ENTRY = {
    "startedDateTime": _FIELD,
    "request": {"method": _FIELD, "url": _FIELD, "headers": _HEADERS, "cookies": _COOKIES,
                "postData": {"params": _Each({"name": _FIELD, "value": _FIELD}),
                             "text": _FIELD}},
    "response": {"headers": _HEADERS, "cookies": _COOKIES, "redirectURL": _FIELD,
                 "content": {"mimeType": _FIELD, "encoding": _FIELD, "text": _BODY}},
}
_TRACER_REQUEST = {"url": _FIELD, "method": _FIELD, "get": _PAIRS, "post": _PAIRS,
                   "saml": _FIELD, "requestHeaders": _FIELD, "responseHeaders": _FIELD}


def _root_schema(scans: dict[str, _Scan]) -> dict:
    root: dict[str, object] = {}
    if "har" in scans:
        root["log"] = {"entries": _Stream(_HAR_ENTRY, scans["har"])}
    if "tracer" in scans:
        root["requests"] = _Stream(_TRACER_REQUEST, scans["tracer"])
    return root


class _Frame:
    """An open JSON object or array being kept."""

    __slots__ = ("schema", "value", "key", "number")

    def __init__(self, schema: object, value: "Any", number: int | None) -> None:
        self.schema, self.value, self.number = schema, value, number
        self.key: object = None


def _child(frame: _Frame) -> object:
    """What to keep of the next value inside ``frame``."""
    schema = frame.schema
    if schema is _FIELD or schema is _BODY:
        return schema
    if isinstance(frame.value, dict):
        return schema.get(frame.key) if isinstance(schema, dict) else None
    if isinstance(schema, (_Each, _Stream)):
        return schema.item
    return None


def _parse(handle: BinaryIO, root: dict, label: str, limit: int) -> dict:
    """The document in ``handle`` with only what ``root`` says is kept; the streamed
    arrays' items are handed to their scans on the way."""
    import ijson

    from ssoctl.errors import SsoctlError

    strings = _Strings(handle, limit, label)
    events = _events(strings)
    try:
        return _build(events, root, label, limit)
    except SsoctlError:
        raise
    except (ijson.JSONError, ValueError) as exc:  # the pure-Python backend: also ValueError
        if strings.eof and any(text in str(exc) for text in _TRUNCATED):
            raise NotJson(f"{label} is cut off: the JSON ends after "
                             f"{strings.consumed:,} bytes before the capture is complete",
                             hint=_SAVE_AGAIN, code="HAR_MALFORMED") from None
        raise NotJson(f"{label} is not valid JSON (in its first {_mb(strings.consumed)})",
                         hint=_SAVE_AGAIN, code="HAR_MALFORMED") from None


def _mb(size: int) -> str:
    return f"{size:,} bytes" if size < MiB else f"{size / MiB:,.0f} MiB"


def read_or_stream(capture: CaptureFile, forced: InputFormat | None, label: str
                   ) -> "bytes | tuple[list[Candidate], InputFormat, list[Finding]]":
    """The candidates of a large capture file, streamed, with the notes made; or its
    bytes, to be read whole as before, when another input form is forced or a file small
    enough to be read whole turns out not to be JSON (json.loads then says what is wrong,
    with line and column)."""
    if forced in (None, InputFormat.HAR, InputFormat.SAML_TRACER):
        notes: list[Finding] = []
        try:
            candidates, form = capture_candidates(capture, label, notes, forced)
            return candidates, form, notes
        except NotJson:
            if capture.size > capture.limit:
                raise
    try:
        return read_source(capture.path, max_bytes=capture.limit, what="SAML input").data
    except InputError as exc:
        if exc.code != "INPUT_TOO_LARGE":
            raise
        raise InputError(exc.message, hint=SMALLER_CAPTURE, code=exc.code) from None


#: The parser's backends, the first one installed is used: its C backend (wheels for
#: the usual platforms), else its pure-Python one (slower, but what it is handed is
#: small: the long strings are gone).
BACKENDS = ("yajl2_c", "python")


def _events(strings: "_Strings") -> Iterator[tuple[str, object]]:
    """The parser's events."""
    import ijson

    for name in BACKENDS:
        try:
            backend = ijson.get_backend(name)
            break
        except ImportError:
            continue
    else:  # pragma: no cover -- the pure-Python backend is always there
        raise ImportError("no ijson backend")
    # Numbers as the backend's exact types (int, Decimal): with floats, a number past a
    # 64-bit integer or a float's range (valid JSON, read by json.loads) is an error.
    return backend.basic_parse(strings, buf_size=_CHUNK, use_float=False)


def _build(events: Iterator[tuple[str, object]], root: dict, label: str, limit: int) -> dict:
    """Keep what the schema says, skip the rest without building it (``limit``: what
    one entry may keep)."""
    stack: list[_Frame] = []
    top: dict = {}
    skip = held = 0
    for event, value in events:
        if skip:
            if event == "start_map" or event == "start_array":
                skip += 1
                if skip + len(stack) > MAX_NESTING:
                    raise _too_deep(label)
            elif event == "end_map" or event == "end_array":
                skip -= 1
            continue
        if event == "map_key":
            stack[-1].key = value
            continue
        if event == "end_map" or event == "end_array":
            done = stack.pop()
            if stack:
                _attach(stack[-1], done.value, done.number, label)
            else:
                top = done.value
            continue
        parent = stack[-1] if stack else None
        schema: object = _child(parent) if parent is not None else root
        number = None
        if parent is not None and isinstance(parent.schema, _Stream) \
                and isinstance(parent.value, list):
            number = parent.schema.scan.start()
            held = 0
        if schema is _PRESENT and parent is not None:
            held = _held(held + _cost(parent, None), limit, label)
            _attach(parent, None, number, label)
            if event == "start_map" or event == "start_array":
                skip = 1
                if len(stack) + 1 > MAX_NESTING:
                    raise _too_deep(label)
            continue
        if event == "start_map" or event == "start_array":
            if schema is None:
                skip = 1
                if len(stack) + 1 > MAX_NESTING:
                    raise _too_deep(label)
                continue
            if len(stack) + 1 > MAX_NESTING:
                raise _too_deep(label)
            if event == "start_array" and isinstance(schema, _Stream):
                schema.scan.reset()
            if parent is not None and number is None:  # an entry itself is handed on
                held = _held(held + _cost(parent, None), limit, label)
            stack.append(_Frame(schema, {} if event == "start_map" else [], number))
            continue
        if schema is None or parent is None:
            if number is not None and parent is not None:  # a bare value as an entry counts
                _attach(parent, None, number, label)
            continue
        if isinstance(value, str) and value.startswith(_CUT):
            value = _cut(value, schema, label, limit)
        if number is None:
            held = _held(held + _cost(parent, value), limit, label)
        _attach(parent, value, number, label)
    return top


#: What one kept value other than a string (a number, null, array, object) is counted
#: as against the per-entry bound: about what the smallest of them takes in memory.
_VALUE = 64


def _cost(parent: _Frame, value: object) -> int:
    """What keeping ``value`` (None: an array or object) in ``parent`` counts against the
    per-entry bound: a string its length; any other value, and its key, only where their
    number is not fixed by the schema (lists, and within fields kept whole)."""
    size = len(value) if isinstance(value, str) else 0
    if isinstance(parent.schema, dict):
        return size
    key = parent.key if isinstance(parent.value, dict) else None
    return size + (len(key) if isinstance(key, str) else 0) \
        + (0 if isinstance(value, str) else _VALUE)


def _held(held: int, limit: int, label: str) -> int:
    """``held``, what an entry keeps so far, unless that is more than one message's
    worth (``limit``)."""
    if held > limit:
        raise InputError(f"{label}: an entry holds more than {_mb(limit)} of "
                         "URLs, headers and form values", hint=SMALLER_CAPTURE,
                         code="INPUT_TOO_LARGE")
    return held


def _attach(parent: _Frame, value: object, number: int | None, label: str) -> None:
    if number is not None:
        assert isinstance(parent.schema, _Stream)
        parent.schema.scan.item(number, value)
    elif isinstance(parent.value, dict):
        parent.value[parent.key] = value
    else:
        parent.value.append(value)


def _cut(value: str, schema: object, label: str, limit: int) -> _Cut:
    """A dropped string; an error when it may hold a SAML message that was not read."""
    digits = value[len(_CUT) + 1:]
    cut = _Cut(int(digits) if digits.isascii() and digits.isdigit() else 0,
               value[len(_CUT):len(_CUT) + 1] == "S")
    if cut.saml and schema is _FIELD:
        reason = (f"a SAML value of {cut.size / MiB:,.1f} MiB; each message is read up to "
                  f"{_mb(limit)}" if cut.size > limit else
                  f"a value of {cut.size / MiB:,.1f} MiB that mentions SAML only after its "
                  f"first {_mb(KEEP_BYTES)}, which is not read")
        raise InputError(f"{label}: {reason}",
                         hint="copy the SAMLResponse value from the browser's network tab "
                              "and decode it with --text VALUE; or " + SMALLER_CAPTURE,
                         code="INPUT_TOO_LARGE")
    return cut


def _too_deep(label: str) -> InputError:
    return InputError(f"{label} is not a browser capture: it nests deeper than "
                      f"{MAX_NESTING} levels", hint="a HAR file or SAML-tracer export nests "
                      "about 8 levels; give the file the browser saved", code="HAR_MALFORMED")


# ---------------------------------------------------------------- long strings

class _Strings:
    """A binary file read in chunks with long JSON string values dropped.

    Every real quote of a chunk is found with two C-speed replacements (escaped
    backslashes, then escaped quotes, become two letters each: the positions do not
    move). A chunk no longer than :data:`KEEP_BYTES` cannot hold a whole string longer
    than that, so its quotes are only counted (an odd count: the last one opens a string
    running into the next chunk); a longer chunk is scanned one step per string, never
    per byte. A chunk that ends in an
    odd run of backslashes keeps the last one for the next chunk, so no escape is cut in
    two where it matters. A lone UTF-16 surrogate escape (legal JSON, but no character)
    becomes ``\\u0000``: the parser would replace it with "?" silently, and a message
    holding it must be refused as it is when read whole, not altered; this is checked
    on whole strings only, so a pair is never taken apart."""

    def __init__(self, raw: BinaryIO, limit: int, label: str = "the capture") -> None:
        self.raw, self.chunk, self.limit, self.label = raw, _CHUNK, limit, label
        self.consumed = 0
        self.eof = False
        self.first = True
        self.carry = b""  # a backslash that escapes the first byte of the next chunk
        self.in_string = False
        self.pending: list[bytes] = []
        self.size = 0
        # 0: may be kept; 1: kept (mentions SAML); 2: dropped; 3: longer than KEEP_BYTES
        # in bytes, kept while its text may still be no longer than that in characters
        # (a page the in-memory reader scans for a form: har.MAX_HTML_SCAN characters)
        self.mode = 0
        self.chars = 0  # at least how many characters the open string's text holds
        self.saml = False  # a dropped string mentions SAML (:func:`_mentions`)
        self.tail = b""  # its last 5 bytes so far

    def read(self, size: int = -1) -> bytes:
        """The next part of the filtered JSON (b"" only at the end); ``size`` is a hint."""
        if size == 0:
            return b""
        while True:
            data = self.raw.read(self.chunk)
            if not data:
                self.eof = True
                carry, self.carry = self.carry, b""
                return carry if not self.in_string else b""  # JSON broken either way
            self.consumed += len(data)
            bound = capture_module.MAX_CAPTURE_FILE
            if self.consumed > bound:  # it grew since it was looked at
                raise InputError(f"{self.label} grew past {_mb(bound)} while it was read; "
                                 "captures are read up to that size",
                                 hint="wait until the browser has finished saving the file, "
                                      "then try again; or " + SMALLER_CAPTURE,
                                 code="INPUT_TOO_LARGE")
            if self.first:
                data = data.removeprefix(b"\xef\xbb\xbf")
                self.first = False
            if self.carry:
                data, self.carry = self.carry + data, b""
            if data.endswith(b"\\") and (len(data) - len(data.rstrip(b"\\"))) % 2:
                data, self.carry = data[:-1], data[-1:]
            out = self._filter(data)
            if out:
                return out

    def _filter(self, data: bytes) -> bytes:
        masked = data
        if b"\\" in data:
            masked = data.replace(b"\\\\", b"XX").replace(b'\\"', b"XX")
        find = masked.find
        out: list[bytes] = []
        size, emit, pos = len(data), 0, 0
        if self.in_string:
            close = find(b'"')
            self._take(data, 0, size if close < 0 else close)
            if close < 0:
                return b""
            out.append(self._close())
            emit = pos = close + 1
        if size - pos <= KEEP_BYTES:
            # No string that opens and closes in what is left can be longer than
            # KEEP_BYTES: only one still open at the end (an odd number of quotes) needs
            # a look. Counting in C spares a step per string (a HAR holds tens of
            # thousands of short ones).
            pos = size if masked.count(b'"', pos) % 2 == 0 else masked.rfind(b'"')
        while True:
            opening = find(b'"', pos)
            if opening < 0:
                break
            close = find(b'"', opening + 1)
            if close >= 0 and close - opening <= KEEP_BYTES:
                pos = close + 1  # a whole short string: passed on as it is
                continue
            out.append(_checked(data[emit:opening + 1], masked[emit:opening + 1]))
            self._start()
            self._take(data, opening + 1, size if close < 0 else close)
            if close < 0:
                emit = size
                break
            out.append(self._close())
            emit = pos = close + 1
        if emit < size:
            out.append(_checked(data[emit:], masked[emit:]))
        return b"".join(out)

    def _start(self) -> None:
        self.in_string, self.pending, self.size, self.mode, self.saml = True, [], 0, 0, False
        self.tail, self.chars = b"", 0

    def _take(self, data: bytes, start: int, end: int) -> None:
        """A part of the open string (``data[start:end]``)."""
        self.size += end - start
        if self.mode == 2:
            if not self.saml:  # a mark may straddle two chunks: the last bytes join in
                self.saml = _mentions(self.tail + data[start:start + 5]) \
                    or _mentions(data, start, end)
                self.tail = (self.tail + data[max(start, end - 5):end])[-5:]
            return
        self.pending.append(data[start:end])
        if self.mode != 1:  # escapes and UTF-8 make the text shorter than its bytes
            self.chars += _most_chars(data[start:end])
        if self.mode == 0 and self.size > KEEP_BYTES:
            joined = b"".join(self.pending)
            if _mentions(joined, 0, KEEP_BYTES):  # it starts with its SAML part
                self.mode, self.pending = 1, [joined]
            else:  # kept while it may still be short enough for the page scan
                self.mode, self.pending = 3, [joined]
        if self.mode == 3 and (self.chars > KEEP_BYTES or self.size > self.limit):
            joined = b"".join(self.pending)
            self.mode, self.pending, self.tail = 2, [], joined[-5:]
            self.saml = _mentions(joined, max(0, KEEP_BYTES - 5))
        if self.mode == 1 and self.size > self.limit:
            self.mode, self.pending, self.saml = 2, [], True

    def _close(self) -> bytes:
        """The open string's text (or its marker) and its closing quote."""
        self.in_string = False
        if self.mode == 2:
            return b"%s%s%d\"" % (_CUT_JSON, b"S" if self.saml else b"-", self.size)
        text = b"".join(self.pending)
        self.pending = []
        if b"\\u" in text:
            text = _checked(text, text.replace(b"\\\\", b"XX"))
        return text + b'"'


def _mentions(data: bytes, start: int = 0, end: int | None = None) -> bool:
    """Whether ``data[start:end]`` names a SAML parameter (``SAMLRequest``,
    ``SAMLResponse``) or a SAML namespace (``urn:oasis:names:tc:SAML:2.0:...``, in a
    decoded message). Not just "SAML": base64 page assets hold those four letters by
    chance (about one 2 MiB image in eight), and would then be kept whole."""
    return data.find(b"SAMLRe", start, end) >= 0 or data.find(b":SAML:", start, end) >= 0


_CONTINUATION = bytes(range(0x80, 0xC0))


def _most_chars(part: bytes) -> int:
    """At least how many characters ``part`` of a JSON string's text decodes to (a
    string is dropped only when it surely exceeds the scan size): its bytes less UTF-8
    continuation bytes, what escapes take beyond their character, and one for each high
    surrogate escape (a pair is one character). An escape split over two parts is
    counted whole with the first."""
    count = len(part) - (len(part) - len(part.translate(None, _CONTINUATION)))
    if b"\\" in part:
        pairs = part.count(b"\\\\")
        escapes = part.count(b"\\") - pairs
        masked = part.replace(b"\\\\", b"XX")
        units = masked.count(b"\\u")
        count -= escapes + 4 * units + len(_HIGH_SURROGATE.findall(masked))
    return count


def _checked(data: bytes, masked: bytes) -> bytes:
    """``data`` (whole strings and what lies between them) with lone surrogate escapes
    replaced (:func:`_lone_surrogates`)."""
    # One byte is searched for much faster than two: most captures hold no backslash.
    return _lone_surrogates(data, masked) if b"\\" in data and b"\\u" in masked else data


def _lone_surrogates(data: bytes, masked: bytes) -> bytes:
    """``data`` with every unpaired ``\\uD800``-``\\uDFFF`` escape replaced by
    ``\\u0000`` (``masked``: the same text with escaped backslashes and quotes hidden, so
    an escaped backslash followed by "ud800" is not taken for an escape)."""
    found = [(m.start(), int(m.group()[2:], 16)) for m in _SURROGATE.finditer(masked)]
    lone = []
    index = 0
    while index < len(found):
        start, value = found[index]
        if value < 0xDC00 and index + 1 < len(found) and found[index + 1][0] == start + 6 \
                and found[index + 1][1] >= 0xDC00:
            index += 2
            continue
        lone.append(start)
        index += 1
    if not lone:
        return data
    patched = bytearray(data)
    for start in lone:
        patched[start:start + 6] = b"\\u0000"
    return bytes(patched)


__all__ = ["KEEP_BYTES", "NotJson", "capture_candidates",
           "read_or_stream"]
