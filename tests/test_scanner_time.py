"""No text scanner in ssoctl is slow on hostile input (docs/threat-model.md, "Resource
exhaustion").

Every function that runs regular expressions or a hand-written scan over text a person
or a server supplied is called on inputs up to 64 KB: deterministic adversarial shapes
(the ones that made the old patterns backtrack: ``-----BEGIN`` and 1,000 spaces took
18-35 s) and hypothesis-built repetitions of the characters those patterns care about.
The bound is generous (1 s per call; a linear scan of 64 KB takes 0.01-0.4 s on a slow
CI machine, the old quadratic patterns took minutes): it separates linear from
quadratic, not fast from slow. It is measured in CPU time of this process
(``time.process_time``), so other work on a loaded machine does not make it flaky.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import NOW

LIMIT = 64 * 1024
# s of CPU per call: linear scanners take milliseconds, the old quadratic ones 18 s to
# minutes; the margin absorbs a loaded CI machine
BOUND = 2.0


def _certs(text: str) -> None:
    from ssoctl.certs import text as certtext
    from ssoctl.certs.diagnose import diagnose
    from ssoctl.errors import SsoctlError

    certtext.tokenize(text)
    try:
        diagnose(text.encode("utf-8", "surrogatepass"), now=NOW)
    except SsoctlError:
        pass


def _capture(text: str) -> None:
    from ssoctl.errors import SsoctlError
    from ssoctl.saml.binding import decode_input

    try:
        decode_input(text.encode("utf-8", "surrogatepass"), label="x")
    except SsoctlError:
        pass


def _detect(text: str) -> None:
    from ssoctl.errors import SsoctlError
    from ssoctl.saml.detect import detect, find_candidates

    try:
        form, doc = detect(text, "x")
        find_candidates(form, text, doc, "x", [])
    except SsoctlError:
        pass


def _html(text: str) -> None:
    from ssoctl.saml.har import html_forms

    html_forms(text)


def _explain(text: str) -> None:
    from ssoctl import knownerrors

    knownerrors.match(text)


def _small_scanners(text: str) -> None:
    from ssoctl import textsafe
    from ssoctl.saml.checks import _looks_like_email
    from ssoctl.saml.codec import split_params
    from ssoctl.sp.contract import der_of
    from ssoctl.xmlsafe import _first_line

    _looks_like_email(text)
    der_of(text)
    _first_line(ValueError(text))
    split_params(text)
    textsafe.visible(text)
    textsafe.json_safe(text)


SCANNERS = {"certs": _certs, "capture": _capture, "detect": _detect, "html": _html,
            "explain": _explain, "small": _small_scanners}


def _fill(unit: str, *, head: str = "", tail: str = "") -> str:
    room = LIMIT - len(head) - len(tail)
    return head + unit * max(room // max(len(unit), 1), 0) + tail


#: Shapes that made a backtracking pattern quadratic or worse, each filled to 64 KB.
ADVERSARIAL = {
    "begin-spaces": _fill(" ", head="-----BEGIN"),
    "dashes-spaces-begin": _fill(" ", head="--", tail="BEGIN x"),
    "begin-label-dashes": _fill("-", head="--BEGIN A", tail="x"),
    "begin-label-spaced-dashes": _fill(" -", head="--BEGIN A"),
    "dash-run-then-begin": _fill("-", tail=" x BEGIN"),
    "loose-words": _fill("A ", head="BEGIN ", tail="---- x"),
    "loose-tabs": _fill(" \t", head="BEGIN CERTIFICATE", tail="x"),
    "many-begins": _fill("-----BEGIN CERTIFICATE-----"),
    "many-begins-lines": _fill("-----BEGIN CERTIFICATE-----\n"),
    "payload-blank-lines": _fill("\n", head="SAMLResponse: x"),
    "payload-spaces": _fill(" ", head="SAMLResponse", tail="x"),
    "email-dots": _fill(".", head="a@", tail="@"),
    "email-dots-space": _fill(".", head="a@", tail=" "),
    "libxml-noise": _fill(" ", head="x", tail="y (<string>, line 1"),
    "html-lt": _fill("<", head="SAMLResponse"),
    "html-end-tags": _fill("</", head="SAMLResponse"),
    "html-comments": _fill("<!--", head="<form>SAMLResponse"),
    "html-open-quotes": _fill("<a b='", head="SAMLResponse"),
    "html-attrs": _fill(" b", head="<input name=SAMLResponse"),
    "html-declarations": _fill("<!", head="<html>SAMLResponse"),
    "html-pis": _fill("<?", head="<html>SAMLResponse"),
    "html-cdata": _fill("<![CDATA[", head="<html>SAMLResponse"),
    "html-charrefs": _fill("&#", head="<input name=SAMLResponse value='"),
    "percent": _fill("%", head="SAMLResponse="),
    "query-separators": _fill("&;=", head="https://x/?SAMLResponse="),
    "entities": _fill("&#x", head="-----BEGIN CERTIFICATE-----\n"),
    "backslashes": _fill("\\", head="-----BEGIN CERTIFICATE-----\n"),
    "explain-words": _fill("signature invalid audience ", head="Error: "),
}


@pytest.mark.parametrize("shape", sorted(ADVERSARIAL))
@pytest.mark.parametrize("scanner", sorted(SCANNERS))
def test_adversarial_inputs_are_scanned_in_linear_time(scanner, shape):
    text = ADVERSARIAL[shape]
    assert len(text.encode("utf-8")) <= LIMIT
    start = time.process_time()
    SCANNERS[scanner](text)
    elapsed = time.process_time() - start
    assert elapsed < BOUND, f"{scanner} took {elapsed:.2f} s on {shape}"


#: The characters the patterns treat specially, as the building blocks of generated text.
_PIECES = st.sampled_from([
    " ", "\t", "\n", "\r", "-", "\u2013", "BEGIN", "END", "CERTIFICATE", "KEY", "A", "=",
    "+", "/", "@", ".", "<", ">", "</", "<!--", "-->", "'", '"', "&#", ";", "x", "%2",
    "SAMLResponse", ":", "&", "?", "<form", "<input", "name=", "value=", "\\", "#",
    "(<string>, line 1)", "\u00a0", "\ud800",
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit=st.lists(_PIECES, min_size=1, max_size=6).map("".join),
       head=st.lists(_PIECES, max_size=4).map("".join),
       tail=st.lists(_PIECES, max_size=4).map("".join),
       scanner=st.sampled_from(sorted(SCANNERS)))
def test_no_generated_input_up_to_64_kb_is_slow(unit, head, tail, scanner):
    text = _fill(unit, head=head, tail=tail)
    while len(text.encode("utf-8", "surrogatepass")) > LIMIT:
        text = text[: len(text) * 3 // 4]
    start = time.process_time()
    SCANNERS[scanner](text)
    elapsed = time.process_time() - start
    assert elapsed < BOUND, f"{scanner} took {elapsed:.2f} s on {text[:60]!r}..."


# ---------------------------------------------------------------- HTML form extraction

def test_a_400_kb_hostile_page_around_a_real_form_is_read_quickly():
    """The shapes that make html.parser quadratic (CVE-2025-6069) wrapped around an
    auto-submit form: the form is still found, and fast."""
    from ssoctl.saml.har import html_forms

    form = ('<form method="post" action="https://sp.example/acs">'
            '<input type="hidden" name="SAMLResponse" value="PHNhbWw+"/>'
            '<input type=hidden name=RelayState value="a&amp;b"></form>')
    for unit in ("<!", "</", "<a b c ", "<?", "<"):
        junk = unit * (200_000 // len(unit))
        # The ">" closes an unfinished tag of the junk, as it would for a browser.
        page = "<html><body>" + junk[: len(junk) // 2] + ">\n" + form + "\n"
        page += junk[len(junk) // 2:]
        start = time.process_time()
        forms = html_forms(page)
        assert time.process_time() - start < 5  # html.parser took 27 s on such a page
        found = [f for f in forms if ("SAMLResponse", "PHNhbWw+") in f["fields"]]
        assert found, unit
        assert found[0]["action"] == "https://sp.example/acs"
        assert ("RelayState", "a&b") in found[0]["fields"]


@pytest.mark.parametrize("page,expected", [
    ("<FORM ACTION='/a' METHOD=get><INPUT NAME=SAMLRequest VALUE=abc></FORM>",
     [("/a", "get", [("SAMLRequest", "abc")])]),
    ('<form action="/a"><!-- <input name="SAMLResponse" value="commented"> -->'
     '<input name="SAMLResponse" value="real"></form>', [("/a", "post", [("SAMLResponse", "real")])]),
    ('<script>var s = "<form action=/evil><input name=SAMLResponse value=x>";</script>'
     '<form action="/b"><input name="SAMLResponse" value="y"></form>',
     [("/b", "post", [("SAMLResponse", "y")])]),
    ('<form action="/c"><textarea name="SAMLResponse">PHN&amp;h</textarea></form>',
     [("/c", "post", [("SAMLResponse", "PHN&h")])]),
    ('<input name="SAMLResponse" value="outside">', [("", "post", [("SAMLResponse", "outside")])]),
    ('<form action="/d"><input name="SAMLResponse" value="unterminated',
     [("/d", "post", [("SAMLResponse", "unterminated")])]),
    ('<form action = "/e" ><input value="v" name = "SAMLResponse" value="second"/></form>',
     [("/e", "post", [("SAMLResponse", "v")])]),
])
def test_html_forms_reads_what_a_browser_would_submit(page, expected):
    from ssoctl.saml.har import html_forms

    forms = html_forms(page)
    assert [(f["action"], f["method"], f["fields"]) for f in forms] == expected


@settings(max_examples=100, deadline=None)
@given(junk=st.text(alphabet="<>!-/?'\"= abcSAML&#;\n", max_size=200),
       value=st.from_regex(r"[A-Za-z0-9+/]{1,40}={0,2}", fullmatch=True))
def test_a_form_after_any_junk_is_found(junk, value):
    """Junk before the form may swallow it only the way a browser would: an unclosed
    quote, comment or raw-text element. Otherwise the form is read."""
    from ssoctl.saml.har import html_forms

    page = junk + f'<form action="/acs"><input name="SAMLResponse" value="{value}"></form>'
    forms = html_forms(page)
    opened = ("'" in junk or '"' in junk or "<!--" in junk)
    if not opened:
        assert any(("SAMLResponse", value) in f["fields"] for f in forms)
