"""Fuzzing decode_input: any bytes give a DecodedInput or an SsoctlError, never anything else."""

from __future__ import annotations

import base64
import json
import zlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssoctl.errors import SsoctlError
from ssoctl.saml.binding import FORMS, DecodedInput, decode_input

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

_XML = b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1"/>'


def _outcome(data: bytes, input_format: str | None = None) -> None:
    try:
        result = decode_input(data, input_format=input_format)
    except SsoctlError as exc:
        assert exc.message and "\n" not in exc.message
        return
    assert isinstance(result, DecodedInput) and result.messages
    for index, msg in enumerate(result.messages, start=1):
        assert msg.index == index and isinstance(msg.xml, bytes)


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    _outcome(data)


@SETTINGS
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_% \n&?:<>\"'{}[]",
               max_size=600),
       st.sampled_from((None,) + FORMS))
def test_text_near_the_accepted_alphabets(text, input_format):
    _outcome(text.encode(), input_format)


@SETTINGS
@given(st.sampled_from(["SAMLResponse=", "https://h/p?SAMLRequest=", "", "<html><form>"
                        "<input name=SAMLResponse value='"]),
       st.binary(max_size=300), st.integers(min_value=0, max_value=400),
       st.sampled_from(["", "\n", " ", "%", "+", "$"]))
def test_mutated_real_values(prefix, noise, cut, junk):
    good = base64.b64encode(zlib.compress(_XML)[2:-4] if cut % 2 else _XML).decode()
    value = good[:cut] + junk + good[cut:] if cut < len(good) else good + junk
    _outcome(prefix.encode() + value.encode() + noise[:10])


@SETTINGS
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["log", "entries", "request", "response",
                                                       "url", "postData", "params", "name",
                                                       "value", "headers", "content", "text",
                                                       "requests", "saml", "get", "post"]),
                                      inner, max_size=5),
                    max_leaves=30))
def test_json_shapes(doc):
    for wrapped in (doc, {"log": {"entries": [doc]}}, {"requests": [doc]}):
        _outcome(json.dumps(wrapped).encode())


@SETTINGS
@given(st.text(max_size=400), st.sampled_from(["<!DOCTYPE html><html>", "<form action='x'>",
                                               "<input name=SAMLResponse value='", "<![if ",
                                               "<!--", "<html><body><form><input name=RelayState "]))
def test_html_like_text(text, prefix):
    _outcome((prefix + text).encode())
    _outcome((prefix + text).encode(), "html-form")


# The value decoder's quick paths for ASCII text give what their general forms give.

_VALUE_TEXT = st.lists(st.characters(max_codepoint=127) | st.sampled_from(
    list("AZaz09+/=%-_ .") + ["%2B", "%2f", "%3D", "%C3%A9", "%FF", "%", "%4", "\t", "\n", "\r",
                              "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u2028", "é"]),
    max_size=80).map("".join)


@SETTINGS
@given(_VALUE_TEXT)
def test_whitespace_test_matches_the_regular_expression(text):
    import re

    from ssoctl.saml import codec

    assert codec._has_whitespace(text) == (re.search(r"\s", text) is not None)


@SETTINGS
@given(_VALUE_TEXT)
def test_percent_decoding_matches_urllib(text):
    from urllib.parse import unquote

    from ssoctl.saml import codec

    assert codec._percent_decoded(text) == unquote(text, errors="replace")
