"""Which form a captured input has, and the SAML parameters it carries (before decoding).

Split from :mod:`ssoctl.saml.binding`: :func:`detect` guesses the form from the text
(JSON documents come back parsed), :func:`find_candidates` lists the SAMLRequest /
SAMLResponse / SAMLart values of that form with where they came from. Nothing here
decodes base64 or parses XML.
"""

from __future__ import annotations

import re
from enum import StrEnum

from ssoctl.errors import InputError
from ssoctl.findings import Finding
from ssoctl.saml.codec import HINT_COPY, Candidate, params_candidates, split_params

_HTML_START = re.compile(r"<!doctype\s+html|<(html|head|body|form|input)[\s>/]")
_SAML_PARAM = re.compile(r"(?:^|[?&;])(SAMLResponse|SAMLRequest|SAMLart)=")
PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# "SAMLResponse: PHNh…" lines, as copied from the browser's parsed payload view. The
# leading space may not span lines ([^\S\n], not \s): with \s every line start would
# rescan all the blank lines after it, quadratic in a paste of many empty lines.
_COLON_LINE = re.compile(r"^[^\S\n]*(SAMLResponse|SAMLRequest|SAMLart|RelayState|SigAlg|Signature)"
                         r"[^\S\n]*:\s*(.*)$", re.M)


class InputFormat(StrEnum):
    """The forms a captured input can have (``--input-format``; JSON ``form``)."""

    XML = "xml"
    BASE64 = "base64"
    URLENCODED = "urlencoded"
    DEFLATED = "deflated"
    URL = "url"
    FORM_BODY = "form-body"
    HTML_FORM = "html-form"
    HAR = "har"
    SAML_TRACER = "saml-tracer"


def detect(text: str, label: str) -> tuple[InputFormat, object]:
    """Guess the form of ``text``; JSON documents are returned parsed."""
    head = text[:2048].lower()
    if text.startswith("<"):
        return (InputFormat.HTML_FORM if _HTML_START.search(head) else InputFormat.XML), None
    if text.startswith(("{", "[")):
        doc = load_json(text, label)
        if isinstance(doc, dict) and isinstance(doc.get("log"), dict):
            return InputFormat.HAR, doc
        if isinstance(doc, dict) and isinstance(doc.get("requests"), list):
            return InputFormat.SAML_TRACER, doc
        raise InputError(f"{label} is JSON, but neither a HAR file nor a SAML-tracer export",
                         hint="in the browser's network tab use 'Save all as HAR', or "
                              "SAML-tracer's Export button", code="SAML_INPUT_UNRECOGNISED")
    if re.match(r"\s*(SAMLResponse|SAMLRequest|SAMLart)\s*:", text):
        return InputFormat.FORM_BODY, None
    match = _SAML_PARAM.search(text)
    if _SCHEME.match(text) or (match and match.group(0).startswith("?")):
        return InputFormat.URL, None
    if match:
        return InputFormat.FORM_BODY, None
    if PERCENT.search(text):
        return InputFormat.URLENCODED, None
    return InputFormat.BASE64, None


def load_json(text: str, label: str) -> object:
    from ssoctl.files import TooDeep, load_json as load_bounded

    try:
        return load_bounded(text)
    except TooDeep as exc:
        raise InputError(f"{label} is not a browser capture: {exc}",
                         hint="a HAR file or SAML-tracer export nests about 8 levels; give "
                              "the file the browser saved", code="HAR_MALFORMED") from None
    except ValueError as exc:
        where = (f" (line {getattr(exc, 'lineno')}, column {getattr(exc, 'colno', '?')})"
                 if hasattr(exc, "lineno") else "")
        raise InputError(f"{label} is not valid JSON{where}",
                         hint="save the HAR or SAML-tracer export again; the file looks "
                              "cut off or edited", code="HAR_MALFORMED") from None


def find_candidates(form: InputFormat, text: str, doc: object, label: str,
                notes: list[Finding]) -> tuple[list[Candidate], InputFormat]:
    if form in (InputFormat.BASE64, InputFormat.URLENCODED, InputFormat.DEFLATED):
        binding = "HTTP-Redirect" if form == InputFormat.DEFLATED else "none"
        return [Candidate(parameter="unknown", binding=binding, value=_unquote(text))], form
    if form == InputFormat.URL:
        return _url_candidates(text, label), form
    if form == InputFormat.FORM_BODY:
        colon = _COLON_LINE.findall(text)
        pairs = [(n, v.strip()) for n, v in colon] if colon else split_params(text)
        cands = params_candidates(pairs, binding="HTTP-POST", method="POST",
                                  decoded=bool(colon))
        return _require(cands, label, "the POST body has no SAMLResponse or SAMLRequest "
                        "parameter"), form
    from ssoctl.saml import har

    if form == InputFormat.HTML_FORM:
        return _require(har.html_candidates(text, label), label, "the HTML page has no form "
                        "field named SAMLResponse or SAMLRequest"), form
    if doc is None:
        doc = load_json(text, label)
    if form == InputFormat.HAR:
        return har.har_candidates(doc, label, notes), form
    return har.tracer_candidates(doc, label, notes), form


def _unquote(text: str) -> str:
    """Drop one pair of quotes around a value copied from JSON or a shell command."""
    core = text.strip()
    if len(core) >= 2 and core[0] == core[-1] and core[0] in "\"'":
        return core[1:-1]
    return text


def _url_candidates(text: str, label: str) -> list[Candidate]:
    url = text.split()[0] if text.split() else text
    query = url.partition("?")[2].partition("#")[0]
    cands = params_candidates(split_params(query), binding="HTTP-Redirect", method="GET",
                              url=url)
    return _require(cands, label, "the URL has no SAMLRequest or SAMLResponse parameter")


def _require(cands: list[Candidate], label: str, message: str) -> list[Candidate]:
    if not cands:
        raise InputError(f"{label}: {message}", hint=HINT_COPY, code="SAML_NO_MESSAGE")
    return cands


__all__ = ["PERCENT", "detect", "find_candidates", "load_json"]
