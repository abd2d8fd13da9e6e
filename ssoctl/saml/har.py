"""SAML messages inside browser captures: HAR files, SAML-tracer exports, saved HTML forms.

Only the places a SAML message can travel are read: request URLs, POST bodies, redirect
``Location`` headers and auto-submit HTML forms in responses. Headers are looked at by
*name* only (to say that cookies or Authorization headers are present); their values are
never copied anywhere. HTML is read by a small linear scanner for form and field tags
(nothing is executed); the SAML XML is not parsed here.
"""

from __future__ import annotations

import binascii
import datetime as dt
import re

from ssoctl.errors import InputError
from ssoctl.findings import Finding, finding
from ssoctl.saml.capture import SMALLER_CAPTURE
from ssoctl.saml.codec import (SAML_PARAMETERS, Candidate, elide_url, params_candidates,
                               split_params)

#: More entries than this is not a login capture (a long browsing session, or hostile).
MAX_HAR_ENTRIES = 10_000
#: Response bodies larger than this are not scanned for auto-submit forms.
MAX_HTML_SCAN = 2 * 1024 * 1024

_SECRET_HEADERS = {"cookie", "set-cookie", "authorization", "proxy-authorization"}
_HAR_HINT = ("in the browser's developer tools open Network, tick 'Preserve log', log in "
             "again, then 'Save all as HAR'")


# ---------------------------------------------------------------- HTML forms

_TAG_START = re.compile(r"<(?:!--|[A-Za-z])")
_TAG_NAME = re.compile(r"[A-Za-z][^\s/>]*+")
_ATTR_GAP = re.compile(r"[\s/]*+")
_ATTR_NAME = re.compile(r"[^\s/>=]++")
_ATTR_EQUALS = re.compile(r"\s*+=\s*+")
_ATTR_UNQUOTED = re.compile(r"[^\s>]*+")
_RAW_TEXT = ("script", "style", "textarea", "title", "xmp", "noscript")
_FIELD_TAGS = ("input", "textarea", "button")
_closing: dict[str, re.Pattern[str]] = {}


def html_forms(text: str) -> list[dict[str, object]]:
    """Every form in an HTML page, as dicts with action, method and (name, value) fields.

    A single forward pass over the text, not a general HTML parser: the standard
    library's ``html.parser`` is quadratic on some malformed pages (CVE-2025-6069), and
    an IdP page needs only its ``<form>`` and field tags read. Comments and the contents
    of ``<script>``/``<style>`` are skipped; attribute values are unescaped like a
    browser does; a ``<textarea>`` without a value attribute takes its text. Every step
    moves forward, so the time is linear in the page's length whatever it holds
    (tests/test_scanner_time.py)."""
    import html

    forms: list[dict[str, object]] = []
    size, pos = len(text), 0
    while pos < size:
        start = _TAG_START.search(text, pos)  # a tag or a comment; "<" alone is text
        if start is None:
            break
        lt = start.start()
        if text.startswith("<!--", lt):
            close = text.find("-->", lt + 4)
            pos = size if close < 0 else close + 3
            continue
        name = _TAG_NAME.match(text, lt + 1)
        if name is None:
            pos = lt + 1
            continue
        tag = name.group().lower()
        attrs, pos = _attributes(text, name.end())
        content = ""
        if tag in _RAW_TEXT:
            pattern = _closing.get(tag) or _closing.setdefault(
                tag, re.compile("</" + tag + r"(?=[\s/>]|$)", re.I))
            found = pattern.search(text, pos)
            content, pos = text[pos:found.start() if found else size], (
                found.end() if found else size)
        if tag == "form":
            forms.append({"action": attrs.get("action") or "",
                          "method": attrs.get("method") or "post", "fields": []})
        elif tag in _FIELD_TAGS and attrs.get("name"):
            if not forms:  # a field outside any form still counts
                forms.append({"action": "", "method": "post", "fields": []})
            value = attrs.get("value")
            if value is None and tag == "textarea":
                value = html.unescape(content)
            fields = forms[-1]["fields"]
            assert isinstance(fields, list)
            fields.append((str(attrs["name"]), value or ""))
    return forms


def _attributes(text: str, pos: int) -> tuple[dict[str, str | None], int]:
    """The attributes of the tag whose name ends at ``pos`` (first occurrence wins, names
    lower-cased, values unescaped) and the position after its ``>``."""
    import html

    attrs: dict[str, str | None] = {}
    size = len(text)
    while True:
        gap = _ATTR_GAP.match(text, pos)
        pos = gap.end() if gap else pos
        if pos >= size:
            return attrs, size
        if text[pos] == ">":
            return attrs, pos + 1
        name = _ATTR_NAME.match(text, pos)
        if name is None:  # a stray "="
            pos += 1
            continue
        pos = name.end()
        value: str | None = None
        equals = _ATTR_EQUALS.match(text, pos)
        if equals is not None:
            pos = equals.end()
            if pos < size and text[pos] in "\"'":
                close = text.find(text[pos], pos + 1)
                end = size if close < 0 else close
                value, pos = text[pos + 1:end], min(end + 1, size)
            else:
                bare = _ATTR_UNQUOTED.match(text, pos)
                value, pos = (bare.group(), bare.end()) if bare else ("", pos + 1)
            value = html.unescape(value)
        attrs.setdefault(name.group().lower(), value)


def html_candidates(text: str, label: str, *, entry: int = 0, time: object = None,
                    base_url: str | None = None, origin: str = "request") -> list[Candidate]:
    """Candidates from the auto-submit forms in an HTML page (a saved IdP page)."""
    if len(text) > MAX_HTML_SCAN:
        raise InputError(f"{label}: the HTML page is larger than {MAX_HTML_SCAN // 1024 // 1024}"
                         " MiB", hint="save only the page with the SAML form (the IdP's "
                         "auto-submit page), or give the SAMLResponse value itself",
                         code="INPUT_TOO_LARGE")
    out: list[Candidate] = []
    for number, form in enumerate(html_forms(text)):
        fields = form["fields"]
        assert isinstance(fields, list)
        if not any(name in SAML_PARAMETERS or name == "SAMLart" for name, _ in fields):
            continue
        method = str(form["method"] or "post").upper()
        action = str(form["action"] or "") or base_url
        binding = "HTTP-Redirect" if method == "GET" else "HTTP-POST"
        out += params_candidates(fields, binding=binding, url=action, method=method,
                                 time=time, origin=origin, entry=entry, step=number * 100,
                                 decoded=True)
    return out


# ---------------------------------------------------------------- HAR

def har_candidates(doc: object, label: str, notes: list[Finding]) -> list[Candidate]:
    """Every SAML parameter in a HAR 1.2 document (``log.entries``)."""
    log = doc.get("log") if isinstance(doc, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise not_a_har(label)
    if len(entries) > MAX_HAR_ENTRIES:
        raise too_many_entries(label, len(entries), har=True)
    out: list[Candidate] = []
    secrets: set[str] = set()
    for number, entry in enumerate(entries):
        if isinstance(entry, dict):
            out += har_entry(entry, number, label, secrets)
    return har_found(out, len(entries), secrets, label, notes)


def not_a_har(label: str) -> InputError:
    """The error for a JSON document without a ``log.entries`` list."""
    return InputError(f"{label} is not a HAR file (no log.entries list)", hint=_HAR_HINT,
                      code="HAR_MALFORMED")


def too_many_entries(label: str, count: int | None, *, har: bool) -> InputError:
    """The error for a capture over :data:`MAX_HAR_ENTRIES` (``count`` None: a streamed
    capture, counted only up to the limit)."""
    what = "HAR entries" if har else "requests"
    many = f"more than {MAX_HAR_ENTRIES}" if count is None else str(count)
    return InputError(f"{label} has {many} {what}; the limit is {MAX_HAR_ENTRIES}",
                      hint=SMALLER_CAPTURE if har else "clear SAML-tracer, then log in again",
                      code="HAR_TOO_MANY_ENTRIES")


def har_found(out: list[Candidate], count: int, secrets: set[str], label: str,
              notes: list[Finding]) -> list[Candidate]:
    """The candidates of a whole HAR (``count`` entries), with the note on secrets."""
    _secret_note(secrets, notes)
    if not out:
        raise InputError(f"{label}: no SAML message in {count} HAR entries",
                         hint=_HAR_HINT, code="SAML_NO_MESSAGE")
    return out


def har_entry(entry: dict, number: int, label: str, secrets: set[str]) -> list[Candidate]:
    """The candidates of one HAR entry (``number`` from 0); the names of secret-bearing
    headers are added to ``secrets``."""
    return _har_entry(entry, number, label, secrets)


def _har_entry(entry: dict, number: int, label: str, secrets: set[str]) -> list[Candidate]:
    request = _dict(entry.get("request"))
    response = _dict(entry.get("response"))
    time = parse_time(entry.get("startedDateTime"))
    method = _str(request.get("method")).upper() or None
    url = _str(request.get("url")) or None
    secrets |= _secret_names(request.get("headers"), request.get("cookies"))
    secrets |= _secret_names(response.get("headers"), response.get("cookies"))
    step = number * 1000
    out = []
    if url and "?" in url:
        query = url.partition("?")[2].partition("#")[0]
        out += params_candidates(split_params(query), binding="HTTP-Redirect", url=url,
                                 method=method, time=time, entry=number, step=step)
    out += _har_post(_dict(request.get("postData")), url, method, time, number, step + 100)
    location = _header(response.get("headers"), "location") or _str(response.get("redirectURL"))
    if location and "?" in location:
        query = location.partition("?")[2].partition("#")[0]
        out += params_candidates(split_params(query), binding="HTTP-Redirect", url=location,
                                 method="GET", time=time, origin="response", entry=number,
                                 step=step + 200)
    html = _har_html(_dict(response.get("content")))
    if html:
        out += html_candidates(html, label, entry=number, time=time, base_url=url,
                               origin="response")
    return out


def _har_post(post: dict, url: str | None, method: str | None, time: object, number: int,
              step: int) -> list[Candidate]:
    params = post.get("params")
    if isinstance(params, list) and params:
        pairs = [(_str(p.get("name")), _str(p.get("value"))) for p in params
                 if isinstance(p, dict)]
        found = params_candidates(pairs, binding="HTTP-POST", url=url, method=method,
                                  time=time, entry=number, step=step)
        if found:
            return found
    text = _str(post.get("text"))
    if "SAML" in text:
        return params_candidates(split_params(text.strip()), binding="HTTP-POST", url=url,
                                 method=method, time=time, entry=number, step=step)
    return []


def _har_html(content: dict) -> str:
    """A response body worth scanning for an auto-submit form, else ""."""
    text = _str(content.get("text"))
    if not text or "html" not in _str(content.get("mimeType")).lower():
        return ""
    if len(text) > MAX_HTML_SCAN:
        return ""
    if _str(content.get("encoding")).lower() == "base64":
        try:
            text = binascii.a2b_base64(text.encode("ascii"), strict_mode=True) \
                .decode("utf-8", "replace")
        except (binascii.Error, ValueError, UnicodeEncodeError):
            return ""
    return text if ("SAMLResponse" in text or "SAMLRequest" in text) else ""


# ---------------------------------------------------------------- SAML-tracer

def tracer_candidates(doc: object, label: str, notes: list[Finding]) -> list[Candidate]:
    """Every SAML message in a SAML-tracer export (``{"requests": [...], "timestamp"}``).

    Each request has ``method``, ``url``, ``get``/``post`` as [name, value] pairs
    (already URL-decoded), ``saml`` (the message as SAML-tracer decoded it), and
    request/response headers. Requests carry no time of their own.
    """
    requests = doc.get("requests") if isinstance(doc, dict) else None
    if not isinstance(requests, list):
        raise not_a_tracer_export(label)
    if len(requests) > MAX_HAR_ENTRIES:
        raise too_many_entries(label, len(requests), har=False)
    out: list[Candidate] = []
    secrets: set[str] = set()
    for number, req in enumerate(requests):
        if isinstance(req, dict):
            out += tracer_request(req, number, secrets)
    return tracer_found(out, len(requests), secrets, label, notes)


def not_a_tracer_export(label: str) -> InputError:
    """The error for a JSON document without a ``requests`` list."""
    return InputError(f"{label} is not a SAML-tracer export (no requests list)",
                      hint="use SAML-tracer's Export button and give the .json file",
                      code="SAML_TRACER_MALFORMED")


def tracer_request(req: dict, number: int, secrets: set[str]) -> list[Candidate]:
    """The candidates of one SAML-tracer request (``number`` from 0); the names of
    secret-bearing headers are added to ``secrets``."""
    secrets |= _secret_names(req.get("requestHeaders"), None)
    secrets |= _secret_names(req.get("responseHeaders"), None)
    return _tracer_request(req, number)


def tracer_found(out: list[Candidate], count: int, secrets: set[str], label: str,
                 notes: list[Finding]) -> list[Candidate]:
    """The candidates of a whole SAML-tracer export, with the note on secrets."""
    _secret_note(secrets, notes)
    if not out:
        raise InputError(f"{label}: no SAML message in {count} SAML-tracer requests",
                         hint="SAML-tracer marks SAML requests with a SAML logo; export "
                              "while they are listed", code="SAML_NO_MESSAGE")
    return out


def _tracer_request(req: dict, number: int) -> list[Candidate]:
    url = _str(req.get("url")) or None
    method = _str(req.get("method")).upper() or None
    get_pairs = _pairs(req.get("get"))
    post_pairs = _pairs(req.get("post"))
    in_get = params_candidates(get_pairs, binding="HTTP-Redirect", url=url, method=method,
                               entry=number, decoded=True)
    in_post = params_candidates(post_pairs, binding="HTTP-POST", url=url, method=method,
                                entry=number, step=100, decoded=True)
    found = [c for c in in_get + in_post if c.parameter != "SAMLart"]
    saml = req.get("saml")
    if isinstance(saml, str) and saml.strip() and found:
        # Prefer SAML-tracer's own decoding: its export may have the POST values
        # hashed or obfuscated (its cookie-filter profiles), but keeps "saml".
        first = found[0]
        xml = _tracer_xml(saml, from_get=first.binding == "HTTP-Redirect")

        return [first._replace(value=None, xml=xml)]
    if isinstance(saml, str) and saml.strip():
        return [Candidate(parameter="unknown", binding="none", url=elide_url(url),
                          method=method, entry=number, xml=_utf8(saml.strip()))]
    return in_get + in_post


def _tracer_xml(saml: str, *, from_get: bool) -> bytes:
    # For inflated (GET) messages SAML-tracer builds the string one byte per character,
    # so Latin-1 gives back the original bytes; POST messages are proper Unicode.
    if from_get:
        try:
            return saml.encode("latin-1")
        except UnicodeEncodeError:
            pass
    return _utf8(saml)


def _utf8(text: str) -> bytes:
    """UTF-8 bytes of a string read from a JSON export. A lone surrogate (``"\\ud800"``
    is legal JSON, but no character) is kept as the bytes it stands for, which are not
    UTF-8: the XML parser then refuses the message as malformed (exit 3) instead of the
    encoder raising, and nothing is silently changed in a message that may be signed."""
    return text.encode("utf-8", "surrogatepass")


# ---------------------------------------------------------------- helpers

def parse_time(value: object) -> dt.datetime | None:
    """An ISO-8601 timestamp as aware UTC; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.timezone.utc)
        return parsed.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):  # overflow: a date at the edge of year 9999
        return None


def _secret_names(headers: object, cookies: object) -> set[str]:
    """Names (never values) of secret-bearing headers present."""
    found = set()
    if isinstance(headers, list):
        for header in headers:
            name = header.get("name") if isinstance(header, dict) else (
                header[0] if isinstance(header, list) and header else None)
            if isinstance(name, str) and name.lower() in _SECRET_HEADERS:
                found.add(name.title())
    if isinstance(cookies, list) and cookies:
        found.add("Cookie")
    return found


def _secret_note(names: set[str], notes: list[Finding]) -> None:
    if names:
        notes.append(finding("BINDING_HAR_SECRETS", "the capture holds "
                             + ", ".join(sorted(names)) + " headers (values not shown)"))


def _header(headers: object, wanted: str) -> str:
    if isinstance(headers, list):
        for header in headers:
            if isinstance(header, dict) and _str(header.get("name")).lower() == wanted:
                return _str(header.get("value"))
    return ""


def _pairs(value: object) -> list[tuple[str, str]]:
    out = []
    if isinstance(value, list):
        for item in value:
            if isinstance(item, list) and len(item) >= 2:
                out.append((_str(item[0]), _str(item[1])))
    return out


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""
