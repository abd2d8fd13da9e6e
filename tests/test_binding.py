"""ssoctl.saml.binding: every pasted form of one SAML message, strict decoding
(docs/threat-model.md, "Decoding")."""

from __future__ import annotations

import base64
import datetime as dt
import textwrap
from urllib.parse import quote

import pytest

from ssoctl.errors import ExitCode, InputError, UsageError
from ssoctl.saml import binding
from ssoctl.saml.binding import FORMS, DecodedInput, decode_input, list_messages, select
from ssoctl.saml.codec import MAX_INFLATED, b64decode_strict, elide_url, inflate

from conftest import NOW
from support.captures import b64, deflate




@pytest.fixture(scope="module")
def response() -> bytes:
    from ssoctl.rehearsal import samlgen

    # Vary the name until the base64 holds several '+' so the repair paths are exercised.
    for n in range(200):
        xml = samlgen.response(now=NOW, name_id=f"alice{n}@example.com",
                               response_id="id1", assertion_id="id2")
        text = b64(xml)
        if text.count("+") >= 3:
            return xml
    raise AssertionError("no response with '+' in its base64")


@pytest.fixture(scope="module")
def request_xml() -> bytes:
    from ssoctl.rehearsal import samlgen

    return samlgen.authn_request(now=NOW, id="_req1")


def codes(decoded: DecodedInput) -> set[str]:
    return {f.code for f in decoded.findings}


def one(decoded: DecodedInput):
    assert len(decoded.messages) == 1
    return decoded.messages[0]


# ---------------------------------------------------------------- each input form

def test_raw_xml_is_passed_through_and_typed_by_root(response, request_xml):
    got = decode_input(response)
    assert got.form == "xml"
    msg = one(got)
    assert msg.xml == response and msg.parameter == "SAMLResponse" and msg.binding == "none"
    assert msg.index == 1 and msg.form == "xml"
    assert one(decode_input(request_xml)).parameter == "SAMLRequest"


def test_xml_with_other_root_is_unknown():
    xml = b'<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="a"/>'
    assert one(decode_input(xml)).parameter == "unknown"


def test_logout_messages_are_typed(request_xml):
    from ssoctl.rehearsal import samlgen

    assert one(decode_input(samlgen.logout_request(now=NOW))).parameter == "SAMLRequest"
    assert one(decode_input(samlgen.logout_response(now=NOW))).parameter == "SAMLResponse"


def test_plain_base64(response):
    got = decode_input(b64(response).encode() + b"\n")
    assert got.form == "base64" and one(got).xml == response and one(got).parameter == "SAMLResponse"
    assert not got.findings


def test_base64_with_line_breaks_is_repaired_and_reported(response):
    wrapped = "\r\n".join(textwrap.wrap(b64(response), 76))
    got = decode_input(wrapped.encode())
    assert one(got).xml == response
    assert "BINDING_WHITESPACE_REMOVED" in codes(got)


def test_base64_wrapped_with_spaces_at_fixed_width(response):
    wrapped = " ".join(textwrap.wrap(b64(response), 64))
    got = decode_input(wrapped.encode())
    assert one(got).xml == response
    assert "BINDING_WHITESPACE_REMOVED" in codes(got)


def test_plus_turned_into_spaces_is_restored(response):
    text = b64(response).replace("+", " ")
    got = decode_input(text.encode())
    assert one(got).xml == response
    assert "BINDING_PLUS_RESTORED" in codes(got)


def test_trailing_plus_turned_into_space_is_restored():
    xml = b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1"><x/></samlp:Response>'
    text = b64(xml)
    assert text.endswith("+")  # the case where the lost '+' is at the very end
    assert one(decode_input(text.replace("+", " ").encode())).xml == xml


def test_url_encoded_base64(response):
    got = decode_input(quote(b64(response), safe="").encode())
    assert got.form == "urlencoded" and one(got).xml == response
    assert "BINDING_URL_ENCODED" in codes(got)


def test_urlsafe_alphabet_is_decoded_with_a_warning(response):
    text = b64(response).replace("+", "-").replace("/", "_")
    got = decode_input(text.encode())
    assert one(got).xml == response
    warn = [f for f in got.findings if f.code == "BINDING_URLSAFE_BASE64"]
    assert warn and warn[0].severity.value == "warning"


def test_deflated_base64_is_the_redirect_binding(request_xml):
    got = decode_input(b64(deflate(request_xml)).encode())
    assert got.form == "deflated"
    msg = one(got)
    assert msg.xml == request_xml and msg.binding == "HTTP-Redirect"
    assert msg.parameter == "SAMLRequest" and msg.form == "deflated"


def test_full_redirect_url_with_relay_state_and_signature(request_xml):
    url = ("https://dev-1.okta.com/app/x/sso/saml?SAMLRequest="
           + quote(b64(deflate(request_xml)), safe="")
           + "&RelayState=" + quote("https://app/x?y=1", safe="")
           + "&SigAlg=" + quote("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", safe="")
           + "&Signature=" + quote("AB+/cd==", safe=""))
    got = decode_input(url.encode())
    assert got.form == "url"
    msg = one(got)
    assert msg.xml == request_xml and msg.parameter == "SAMLRequest"
    assert msg.binding == "HTTP-Redirect" and msg.method == "GET"
    assert msg.relay_state == "https://app/x?y=1"
    assert msg.sig_alg == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    assert msg.signature == "AB+/cd=="
    assert msg.url == "https://dev-1.okta.com/app/x/sso/saml?SAMLRequest=…&RelayState=…&SigAlg=…&Signature=…"
    assert {"BINDING_RELAY_STATE", "BINDING_REDIRECT_SIGNED"} <= codes(got)
    assert "BINDING_URL_ENCODED" not in codes(got)  # expected in a URL, not worth a note


def test_url_with_undeflated_message_is_flagged(response):
    url = "https://sp.example/acs?SAMLResponse=" + quote(b64(response), safe="")
    got = decode_input(url.encode())
    assert one(got).xml == response
    assert "BINDING_REDIRECT_NOT_DEFLATED" in codes(got)


def test_form_body(response):
    body = f"SAMLResponse={quote(b64(response), safe='')}&RelayState=abc"
    got = decode_input(body.encode())
    assert got.form == "form-body"
    msg = one(got)
    assert msg.xml == response and msg.binding == "HTTP-POST" and msg.relay_state == "abc"
    assert msg.method == "POST"


def test_form_body_with_literal_plus_and_relay_state_first(response):
    # Some tools leave '+' unescaped; it is base64's '+', not a space.
    body = f"RelayState=x&SAMLResponse={b64(response)}"
    msg = one(decode_input(body.encode()))
    assert msg.xml == response and msg.relay_state == "x"


def test_deflated_post_is_flagged(response):
    body = f"SAMLResponse={quote(b64(deflate(response)), safe='')}"
    got = decode_input(body.encode())
    assert one(got).xml == response
    assert "BINDING_POST_DEFLATED" in codes(got)


def test_html_auto_submit_form_with_character_references(response):
    value = b64(response).replace("+", "&#x2b;").replace("=", "&#x3d;")
    page = f"""<!DOCTYPE html><html><head><script>alert(1)</script></head>
      <body onload="document.forms[0].submit()">
      <form id="appForm" action="https://sp.example/acs" method="POST">
      <input name="SAMLResponse" type="hidden" value="{value}"/>
      <input name="RelayState" type="hidden" value="r&amp;s"/></form></body></html>"""
    got = decode_input(page.encode())
    assert got.form == "html-form"
    msg = one(got)
    assert msg.xml == response and msg.url == "https://sp.example/acs"
    assert msg.binding == "HTTP-POST" and msg.relay_state == "r&s"


def test_utf16_file_with_bom(response):
    data = b64(response).encode("utf-16")
    assert one(decode_input(data)).xml == response


@pytest.mark.parametrize("name", FORMS)
def test_input_format_names_are_accepted(name):
    assert binding.check_format(name.upper()) == name


def test_forced_format_overrides_detection(request_xml):
    blob = b64(deflate(request_xml)).encode()
    assert decode_input(blob, input_format="deflated").form == "deflated"
    with pytest.raises(InputError) as err:
        decode_input(b64(request_xml).encode(), input_format="deflated")
    assert err.value.code in ("SAML_INFLATE_FAILED", "SAML_NOT_XML")


def test_forced_xml_on_base64_is_an_xml_error(response):
    with pytest.raises(InputError) as err:
        decode_input(b64(response).encode(), input_format="xml")
    assert err.value.code == "XML_MALFORMED"


def test_unknown_input_format_is_a_usage_error_listing_the_forms():
    with pytest.raises(UsageError) as err:
        decode_input(b"x", input_format="pcap")
    assert err.value.code == "INPUT_FORMAT_UNKNOWN"
    assert err.value.exit_code == ExitCode.USAGE
    for name in FORMS:
        assert name in err.value.hint


# ---------------------------------------------------------------- B7: strict base64

def test_bad_character_is_reported_with_position():
    # Python's default b64decode silently drops the '$' (docs/threat-model.md, "Decoding").
    with pytest.raises(InputError) as err:
        decode_input(b"YWJj$ZGVm")
    assert err.value.code == "SAML_BASE64_INVALID"
    assert "'$'" in err.value.message and "character 5" in err.value.message
    assert err.value.exit_code == ExitCode.INPUT
    assert "network tab" in err.value.hint


def test_cut_off_base64_says_so(response):
    with pytest.raises(InputError) as err:
        decode_input(b64(response)[:-3].encode())
    assert err.value.code == "SAML_BASE64_INVALID" and "cut off" in err.value.message


def test_mixed_alphabets_are_refused():
    with pytest.raises(InputError) as err:
        b64decode_strict("ab+_cd==")
    assert err.value.code == "SAML_BASE64_INVALID"


def test_base64_of_non_xml_is_refused():
    with pytest.raises(InputError) as err:
        decode_input(b64(b"\x01\x02hello binary\xff" * 4).encode())
    assert err.value.code == "SAML_NOT_XML"


def test_base64_of_deflated_non_xml_is_refused():
    with pytest.raises(InputError) as err:
        decode_input(b64(deflate(b"hello, not xml")).encode())
    assert err.value.code == "SAML_NOT_XML"


# ---------------------------------------------------------------- B6: bounded inflate

def test_inflate_bomb_is_refused_quickly():
    bomb = deflate(b"A" * (64 * 1024 * 1024))
    assert len(bomb) < 100_000
    with pytest.raises(InputError) as err:
        decode_input(b64(bomb).encode())
    assert err.value.code == "SAML_INFLATE_TOO_LARGE"
    assert "inflated message exceeds 256 KiB" in err.value.message
    assert err.value.exit_code == ExitCode.INPUT


def test_inflate_exactly_at_the_limit_is_accepted_and_one_byte_more_is_not():
    body = b"<a>" + b"x" * (MAX_INFLATED - 7) + b"</a>"
    assert len(body) == MAX_INFLATED
    assert inflate(deflate(body)) == body
    with pytest.raises(InputError) as err:
        inflate(deflate(body + b" "))
    assert err.value.code == "SAML_INFLATE_TOO_LARGE"


def test_truncated_deflate_stream_is_refused(request_xml):
    with pytest.raises(InputError) as err:
        inflate(deflate(request_xml)[:-4])
    assert err.value.code == "SAML_INFLATE_FAILED" and "truncated" in err.value.message


def test_trailing_data_after_deflate_stream_is_refused(request_xml):
    with pytest.raises(InputError) as err:
        inflate(deflate(request_xml) + b"trailing")
    assert err.value.code == "SAML_INFLATE_FAILED" and "unexpected bytes" in err.value.message


def test_committed_bomb_fixture_is_small_and_refused():
    from conftest import FIXTURES

    path = FIXTURES / "captures" / "inflate-bomb.deflated"
    assert path.stat().st_size < 64 * 1024
    with pytest.raises(InputError) as err:
        decode_input(path.read_bytes())
    assert err.value.code == "SAML_INFLATE_TOO_LARGE"


# ---------------------------------------------------------------- other errors

@pytest.mark.parametrize("data, code", [
    (b"", "INPUT_EMPTY"),
    (b"   \n", "INPUT_EMPTY"),
    (b"https://sp.example/acs?foo=bar", "SAML_NO_MESSAGE"),
    (b"RelayState=x&SAMLart=AAQAAMFbLinlXaCM%2BFIxiDwGOLAy2T", "SAML_ARTIFACT_ONLY"),
    (b'{"foo": 1}', "SAML_INPUT_UNRECOGNISED"),
    (b'{"log": ', "HAR_MALFORMED"),
    (b"<html><body>no form here</body></html>", "SAML_NO_MESSAGE"),
    (b"\x00\x01\x02\x03" * 10, "INPUT_BINARY"),
])
def test_unusable_input_is_a_one_line_input_error(data, code):
    with pytest.raises(InputError) as err:
        decode_input(data)
    assert err.value.code == code
    assert "\n" not in err.value.message and err.value.hint


# ---------------------------------------------------------------- select and list

def _three(response, request_xml) -> DecodedInput:
    msgs = tuple(binding.SamlMessage(parameter=p, xml=x, binding="HTTP-POST", index=i,
                                     url=f"https://h/{i}?a=…", method="POST",
                                     time=dt.datetime(2026, 6, 1, 12, 0, i, tzinfo=dt.timezone.utc),
                                     form="har")
                 for i, (p, x) in enumerate([("SAMLRequest", request_xml),
                                             ("SAMLResponse", response),
                                             ("SAMLResponse", response)], start=1))
    return DecodedInput("har", msgs, ())


def test_select_single_message_needs_no_entry(response):
    decoded = decode_input(response)
    assert select(decoded) == decoded.messages
    assert select(decoded, entry=1) == decoded.messages


def test_select_several_without_entry_lists_them(response, request_xml):
    decoded = _three(response, request_xml)
    with pytest.raises(UsageError) as err:
        select(decoded)
    assert err.value.code == "SAML_ENTRY_REQUIRED"
    assert err.value.message == "3 SAML messages found, use --entry N or --all"
    assert "1: SAMLRequest POST https://h/1?a=…" in err.value.hint
    assert "3: SAMLResponse" in err.value.hint


def test_select_entry_and_all(response, request_xml):
    decoded = _three(response, request_xml)
    assert select(decoded, entry=2) == (decoded.messages[1],)
    assert select(decoded, all_entries=True) == decoded.messages
    for bad in (0, 4, -1):
        with pytest.raises(UsageError) as err:
            select(decoded, entry=bad)
        assert err.value.code == "SAML_ENTRY_OUT_OF_RANGE"
    with pytest.raises(UsageError):
        select(decoded, entry=1, all_entries=True)


def test_list_messages_rows(response, request_xml):
    rows = list_messages(_three(response, request_xml))
    assert [r.index for r in rows] == [1, 2, 3]
    assert rows[0].cells() == ("1", "SAMLRequest", "POST", "https://h/1?a=…", "2026-06-01 12:00:01")
    assert rows[1].parameter == "SAMLResponse" and rows[1].time.second == 2


def test_elide_url_hides_query_values_and_credentials():
    assert elide_url("https://u:pw@h.example/p?SAMLRequest=abc&token=s3cret#frag") == \
        "https://h.example/p?SAMLRequest=…&token=…"
    assert elide_url("https://h.example/p") == "https://h.example/p"


def test_parsed_payload_view_with_colons(response):
    # Chrome/Firefox "parsed" payload view: one "name: value" per line, values decoded.
    text = f"SAMLResponse: {b64(response)}\nRelayState: https://app/x?y=1\n"
    got = decode_input(text.encode())
    assert got.form == "form-body"
    msg = one(got)
    assert msg.xml == response and msg.relay_state == "https://app/x?y=1"


def test_quoted_base64_value(response):
    assert one(decode_input(f'"{b64(response)}"'.encode())).xml == response


def test_html_fragment_with_only_the_input_field(response):
    got = decode_input(f'<input type="hidden" name="SAMLResponse" value="{b64(response)}"/>'.encode())
    assert got.form == "html-form" and one(got).xml == response


def test_artifact_next_to_a_message_is_noted():
    """A capture with an artifact and a real message: the message is decoded and the
    artifact noted (its message never crossed the browser)."""
    from ssoctl.rehearsal import samlgen
    import datetime as dt
    from urllib.parse import quote

    xml = samlgen.response(now=dt.datetime(2026, 6, 1, 12, tzinfo=dt.timezone.utc))
    url = ("https://sp.example/acs?SAMLart=AAQAAMFbLinlXaCM%2BFIxiDwGOLAy2T&SAMLResponse="
           + quote(base64.b64encode(xml).decode(), safe=""))
    decoded = decode_input(url.encode())
    assert [m.parameter for m in decoded.messages] == ["SAMLResponse"]
    assert "BINDING_ARTIFACT" in [f.code for f in decoded.findings]
