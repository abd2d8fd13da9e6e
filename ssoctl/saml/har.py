"""SAML messages inside browser captures: HAR files, SAML-tracer exports, saved HTML forms.

Only the places a SAML message can travel are read: request URLs, POST bodies, redirect
``Location`` headers and auto-submit HTML forms in responses. Headers are looked at by
*name* only (to say that cookies or Authorization headers are present); their values are
never copied anywhere. HTML is read with the standard library's tolerant HTML parser
(tags and attributes only, nothing is executed); the SAML XML is not parsed here.
"""

from __future__ import annotations

import binascii
import datetime as dt
from html.parser import HTMLParser

from ssoctl.errors import InputError
from ssoctl.findings import Finding, finding
from ssoctl.saml.codec import (SAML_PARAMETERS, Candidate, elide_url, params_candidates,
                               split_params)

#: More entries than this is not a login capture (a long browsing session, or hostile).
MAX_HAR_ENTRIES = 10_000
#: Response bodies larger than this are not scanned for auto-submit forms.
MAX_HTML_SCAN = 2 * 1024 * 1024

#: How to make a capture small enough (over the size or entry limit).
SMALLER_CAPTURE = (
    "make a smaller capture: clear the browser's network log, log in once and save the HAR "
    "again; or keep only the SAML requests: jq '.log.entries |= map(select((.request.url + "
    "(.request.postData.text // \"\")) | test(\"SAML(Response|Request)\")))' big.har > "
    "saml.har; or copy only the SAMLResponse value of the POST to the SP and decode that "
    "(ssoctl decode-response --text VALUE)")

_SECRET_HEADERS = {"cookie", "set-cookie", "authorization", "proxy-authorization"}
_HAR_HINT = ("in the browser's developer tools open Network, tick 'Preserve log', log in "
             "again, then 'Save all as HAR'")


# ---------------------------------------------------------------- HTML forms

class _FormParser(HTMLParser):
    """Collects ``<form>`` actions/methods and their ``<input name value>`` fields."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": values.get("action", ""),
                               "method": values.get("method", "post"), "fields": []})
        elif tag in ("input", "textarea", "button") and values.get("name"):
            if not self.forms:  # a field outside any form still counts
                self.forms.append({"action": "", "method": "post", "fields": []})
            fields = self.forms[-1]["fields"]
            assert isinstance(fields, list)
            fields.append((values["name"], values.get("value", "")))


def html_forms(text: str) -> list[dict[str, object]]:
    """Every form in an HTML page, as dicts with action, method and (name, value) fields."""
    parser = _FormParser()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError, IndexError, TypeError):
        # html.parser is tolerant, but a few malformed declarations still raise; keep
        # whatever forms were read before that point.
        pass
    return parser.forms


def html_candidates(text: str, label: str, *, entry: int = 0, time: object = None,
                    base_url: str | None = None, origin: str = "request") -> list[Candidate]:
    """Candidates from the auto-submit forms in an HTML page (a saved IdP page)."""
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
        raise InputError(f"{label} is not a HAR file (no log.entries list)", hint=_HAR_HINT,
                         code="HAR_MALFORMED")
    if len(entries) > MAX_HAR_ENTRIES:
        raise InputError(f"{label} has {len(entries)} HAR entries; the limit is "
                         f"{MAX_HAR_ENTRIES}", hint=SMALLER_CAPTURE, code="HAR_TOO_MANY_ENTRIES")
    out: list[Candidate] = []
    secrets: set[str] = set()
    for number, entry in enumerate(entries):
        if isinstance(entry, dict):
            out += _har_entry(entry, number, label, secrets)
    _secret_note(secrets, notes)
    if not out:
        raise InputError(f"{label}: no SAML message in {len(entries)} HAR entries",
                         hint=_HAR_HINT, code="SAML_NO_MESSAGE")
    return out


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
        raise InputError(f"{label} is not a SAML-tracer export (no requests list)",
                         hint="use SAML-tracer's Export button and give the .json file",
                         code="SAML_TRACER_MALFORMED")
    if len(requests) > MAX_HAR_ENTRIES:
        raise InputError(f"{label} has {len(requests)} requests; the limit is "
                         f"{MAX_HAR_ENTRIES}", hint="clear SAML-tracer, then log in again",
                         code="HAR_TOO_MANY_ENTRIES")
    out: list[Candidate] = []
    secrets: set[str] = set()
    for number, req in enumerate(requests):
        if isinstance(req, dict):
            secrets |= _secret_names(req.get("requestHeaders"), None)
            secrets |= _secret_names(req.get("responseHeaders"), None)
            out += _tracer_request(req, number)
    _secret_note(secrets, notes)
    if not out:
        raise InputError(f"{label}: no SAML message in {len(requests)} SAML-tracer requests",
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
        from dataclasses import replace

        return [replace(first, value=None, xml=xml)]
    if isinstance(saml, str) and saml.strip():
        return [Candidate(parameter="unknown", binding="none", url=elide_url(url),
                          method=method, entry=number, xml=saml.strip().encode("utf-8"))]
    return in_get + in_post


def _tracer_xml(saml: str, *, from_get: bool) -> bytes:
    # For inflated (GET) messages SAML-tracer builds the string one byte per character,
    # so Latin-1 gives back the original bytes; POST messages are proper Unicode.
    if from_get:
        try:
            return saml.encode("latin-1")
        except UnicodeEncodeError:
            pass
    return saml.encode("utf-8")


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
