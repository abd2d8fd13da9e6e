"""Which form a captured input has, and the SAML parameters it carries (before decoding).

Split from :mod:`ssoctl.saml.binding`: :func:`detect` guesses the form from the text
(JSON documents come back parsed), :func:`find_candidates` lists the SAMLRequest /
SAMLResponse / SAMLart values of that form with where they came from. Nothing here
decodes base64 or parses XML.
"""

from __future__ import annotations

import json
import re

from ssoctl.errors import InputError
from ssoctl.findings import Finding
from ssoctl.saml.codec import HINT_COPY, Candidate, params_candidates, split_params

_HTML_START = re.compile(r"<!doctype\s+html|<(html|head|body|form|input)[\s>/]")
_SAML_PARAM = re.compile(r"(?:^|[?&;])(SAMLResponse|SAMLRequest|SAMLart)=")
PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# "SAMLResponse: PHNh…" lines, as copied from the browser's parsed payload view.
_COLON_LINE = re.compile(r"^\s*(SAMLResponse|SAMLRequest|SAMLart|RelayState|SigAlg|Signature)"
                         r"\s*:\s*(.*)$", re.M)


def detect(text: str, label: str) -> tuple[str, object]:
    """Guess the form of ``text``; JSON documents are returned parsed."""
    head = text[:2048].lower()
    if text.startswith("<"):
        return ("html-form" if _HTML_START.search(head) else "xml"), None
    if text.startswith(("{", "[")):
        doc = load_json(text, label)
        if isinstance(doc, dict) and isinstance(doc.get("log"), dict):
            return "har", doc
        if isinstance(doc, dict) and isinstance(doc.get("requests"), list):
            return "saml-tracer", doc
        raise InputError(f"{label} is JSON, but neither a HAR file nor a SAML-tracer export",
                         hint="in the browser's network tab use 'Save all as HAR', or "
                              "SAML-tracer's Export button", code="SAML_INPUT_UNRECOGNISED")
    if re.match(r"\s*(SAMLResponse|SAMLRequest|SAMLart)\s*:", text):
        return "form-body", None
    match = _SAML_PARAM.search(text)
    if _SCHEME.match(text) or (match and match.group(0).startswith("?")):
        return "url", None
    if match:
        return "form-body", None
    if PERCENT.search(text):
        return "urlencoded", None
    return "base64", None


def load_json(text: str, label: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        where = (f" (line {exc.lineno}, column {exc.colno})"
                 if isinstance(exc, json.JSONDecodeError) else "")
        raise InputError(f"{label} is not valid JSON{where}",
                         hint="save the HAR or SAML-tracer export again; the file looks "
                              "cut off or edited", code="HAR_MALFORMED") from None


def find_candidates(form: str, text: str, doc: object, label: str,
                notes: list[Finding]) -> tuple[list[Candidate], str]:
    if form in ("base64", "urlencoded", "deflated"):
        binding = "HTTP-Redirect" if form == "deflated" else "none"
        return [Candidate(parameter="unknown", binding=binding, value=_unquote(text))], form
    if form == "url":
        return _url_candidates(text, label), form
    if form == "form-body":
        colon = _COLON_LINE.findall(text)
        pairs = [(n, v.strip()) for n, v in colon] if colon else split_params(text)
        cands = params_candidates(pairs, binding="HTTP-POST", method="POST",
                                  decoded=bool(colon))
        return _require(cands, label, "the POST body has no SAMLResponse or SAMLRequest "
                        "parameter"), form
    from ssoctl.saml import har

    if form == "html-form":
        return _require(har.html_candidates(text, label), label, "the HTML page has no form "
                        "field named SAMLResponse or SAMLRequest"), form
    if doc is None:
        doc = load_json(text, label)
    if form == "har":
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
