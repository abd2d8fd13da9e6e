"""HAR files, SAML-tracer exports and HTML forms (docs/threat-model.md, "Decoding"): every
message, no secrets."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import quote

import pytest

from ssoctl.errors import InputError, SsoctlError
from ssoctl.saml import har as harmod
from ssoctl.saml.binding import decode_input, list_messages, select

from conftest import FIXTURES, NOW
from support.captures import b64, deflate

CAPTURES = FIXTURES / "captures"
MARKER = "FIXTURE-SECRET-"




@pytest.fixture(scope="module")
def xmls() -> dict[str, bytes]:
    from ssoctl.rehearsal import samlgen

    return {"request": samlgen.authn_request(now=NOW, id="_r1"),
            "response": samlgen.response(now=NOW, response_id="id1", assertion_id="id2",
                                         in_response_to="_r1")}


def entry(url: str, *, method: str = "GET", when: str = "2026-06-01T12:00:00.000Z",
          post=None, status: int = 200, location: str | None = None, html: str | None = None,
          headers=None) -> dict:
    request = {"method": method, "url": url, "headers": headers or []}
    if post is not None:
        request["postData"] = post
    response = {"status": status, "headers": [{"name": "Location", "value": location}]
                if location else [], "content": {"mimeType": "text/html", "text": html}
                if html else {"mimeType": "text/plain"}}
    return {"startedDateTime": when, "request": request, "response": response}


def har(*entries: dict) -> bytes:
    return json.dumps({"log": {"version": "1.2", "entries": list(entries)}}).encode()


def everything_printable(decoded) -> str:
    """Every string a command could print from a decode result."""
    parts = [repr(m) for m in decoded.messages]
    parts += [repr(f) for f in decoded.findings]
    parts += [repr(r) for r in list_messages(decoded)]
    parts += [m.xml.decode("utf-8", "replace") for m in decoded.messages]
    return "\n".join(parts)


# ---------------------------------------------------------------- the committed fixtures

def test_login_har_lists_every_message_with_url_and_time():
    decoded = decode_input((CAPTURES / "login.har").read_bytes(), label="login.har")
    assert decoded.form == "har"
    rows = list_messages(decoded)
    assert [(r.index, r.parameter, r.method) for r in rows] == [
        (1, "SAMLRequest", "GET"), (2, "SAMLResponse", "POST"), (3, "SAMLRequest", "GET")]
    assert rows[0].url.startswith("https://dev-12345678.okta.com/app/sipgate/")
    assert rows[0].url.endswith("/sso/saml?SAMLRequest=…&RelayState=…&SigAlg=…&Signature=…")
    assert rows[1].url == "https://sipgate.example/saml/acs"
    assert rows[1].time == dt.datetime(2026, 6, 1, 12, 0, 2, tzinfo=dt.timezone.utc)
    assert decoded.messages[0].binding == "HTTP-Redirect"
    assert decoded.messages[0].sig_alg.endswith("rsa-sha256")
    assert decoded.messages[1].binding == "HTTP-POST"
    assert decoded.messages[1].relay_state == "https://app.sipgate.example/w0/dashboard"
    assert b"AuthnRequest" in decoded.messages[0].xml
    assert b"LogoutRequest" in decoded.messages[2].xml
    assert all(m.form == "har" for m in decoded.messages)
    codes = {f.code for f in decoded.findings}
    assert {"BINDING_HAR_SECRETS", "BINDING_DUPLICATES_SKIPPED"} <= codes


def test_login_har_picks_the_posted_response_then_selects():
    decoded = decode_input((CAPTURES / "login.har").read_bytes())
    assert select(decoded) == (decoded.messages[1],)  # the one SAMLResponse POSTed
    assert select(decoded, entry=2)[0].parameter == "SAMLResponse"
    assert len(select(decoded, all_entries=True)) == 3


@pytest.mark.parametrize("name", ["login.har", "saml-tracer.json"])
def test_cookie_and_authorization_values_never_appear(name):
    data = (CAPTURES / name).read_bytes()
    assert MARKER.encode() in data  # the fixture really carries secrets
    decoded = decode_input(data)
    assert MARKER not in everything_printable(decoded)
    secrets = [f for f in decoded.findings if f.code == "BINDING_HAR_SECRETS"]
    assert secrets and "Cookie" in secrets[0].message


def test_saml_tracer_export():
    decoded = decode_input((CAPTURES / "saml-tracer.json").read_bytes())
    assert decoded.form == "saml-tracer"
    req, resp = decoded.messages
    assert req.parameter == "SAMLRequest" and req.binding == "HTTP-Redirect"
    assert req.relay_state == "https://app.sipgate.example/w0/dashboard"
    assert resp.parameter == "SAMLResponse" and resp.binding == "HTTP-POST"
    assert resp.xml == (CAPTURES / "response.xml").read_bytes()
    assert req.time is None  # SAML-tracer records no per-request time


def test_saml_tracer_with_obfuscated_post_values_uses_its_decoded_copy(xmls):
    export = {"requests": [{"method": "POST", "url": "https://sp/acs", "requestId": "r1",
                            "post": [["SAMLResponse", "b4d7e0c1-obfuscated"]],
                            "requestHeaders": [], "saml": xmls["response"].decode()}]}
    msg, = decode_input(json.dumps(export).encode()).messages
    assert msg.xml == xmls["response"] and msg.parameter == "SAMLResponse"


def test_saml_tracer_without_saml_field_decodes_parameters(xmls):
    export = {"requests": [{"method": "GET", "url": "https://idp/sso", "id": "legacy",
                            "get": [["SAMLRequest", b64(deflate(xmls["request"]))]],
                            "requestHeaders": [["Cookie", MARKER + "legacy"]]}]}
    decoded = decode_input(json.dumps(export).encode())
    assert decoded.messages[0].xml == xmls["request"]
    assert MARKER not in everything_printable(decoded)
    assert "BINDING_HAR_SECRETS" in {f.code for f in decoded.findings}


# ---------------------------------------------------------------- HAR shapes

def test_har_post_params_text_and_location(xmls):
    enc = quote(b64(xmls["response"]), safe="")
    redirect = "https://idp/sso?SAMLRequest=" + quote(b64(deflate(xmls["request"])), safe="")
    data = har(
        entry("https://sp/login", status=302, location=redirect),
        entry("https://sp/acs", method="POST", when="2026-06-01T12:00:03.000+02:00",
              post={"mimeType": "application/x-www-form-urlencoded",
                    "text": f"SAMLResponse={enc}&RelayState=rs"}),
    )
    decoded = decode_input(data)
    first, second = decoded.messages
    # Only the Location header carried the request (the browser's GET was not recorded).
    assert first.parameter == "SAMLRequest" and first.method == "GET"
    assert first.url == "https://idp/sso?SAMLRequest=…"
    assert second.xml == xmls["response"] and second.relay_state == "rs"
    assert second.time == dt.datetime(2026, 6, 1, 10, 0, 3, tzinfo=dt.timezone.utc)


def test_har_response_html_form_only(xmls):
    page = (f'<html><body><form method="post" action="https://sp/acs">'
            f'<input type="hidden" name="SAMLResponse" value="{b64(xmls["response"])}">'
            f'</form></body></html>')
    content_b64 = b64(page.encode())
    data = json.dumps({"log": {"entries": [{
        "startedDateTime": "2026-06-01T12:00:00Z",
        "request": {"method": "POST", "url": "https://idp/login"},
        "response": {"status": 200, "content": {"mimeType": "text/html; charset=utf-8",
                                                "text": content_b64, "encoding": "base64"}}}]}})
    msg, = decode_input(data.encode()).messages
    assert msg.xml == xmls["response"] and msg.url == "https://sp/acs" and msg.method == "POST"


def test_har_with_params_from_firefox_already_decoded(xmls):
    data = har(entry("https://sp/acs", method="POST",
                     post={"mimeType": "application/x-www-form-urlencoded",
                           "params": [{"name": "SAMLResponse", "value": b64(xmls["response"])}]}))
    assert decode_input(data).messages[0].xml == xmls["response"]


def test_har_skips_a_broken_message_but_keeps_the_others(xmls):
    data = har(entry("https://sp/acs?SAMLResponse=YWJj$ZGVm"),
               entry("https://sp/acs", method="POST",
                     post={"params": [{"name": "SAMLResponse", "value": b64(xmls["response"])}]}))
    decoded = decode_input(data)
    assert len(decoded.messages) == 1 and decoded.messages[0].index == 1
    skipped = [f for f in decoded.findings if f.code == "BINDING_MESSAGE_SKIPPED"]
    assert skipped and "'$'" in skipped[0].message


def test_har_with_only_broken_messages_raises_the_first_error():
    with pytest.raises(InputError) as err:
        decode_input(har(entry("https://sp/acs?SAMLResponse=YWJj$ZGVm"),
                         entry("https://sp/acs?SAMLResponse=%%%")))
    assert err.value.code == "SAML_BASE64_INVALID"


@pytest.mark.parametrize("count", [0, 3])
def test_har_without_saml_messages(count):
    entries = [entry(f"https://example.org/{i}", headers=[{"name": "Cookie", "value": MARKER}])
               for i in range(count)]
    with pytest.raises(InputError) as err:
        decode_input(har(*entries))
    assert err.value.code == "SAML_NO_MESSAGE"
    assert f"{count} HAR entries" in err.value.message
    assert "Preserve log" in err.value.hint
    assert MARKER not in err.value.message + err.value.hint


def test_har_entry_count_is_bounded(monkeypatch):
    monkeypatch.setattr(harmod, "MAX_HAR_ENTRIES", 5)
    with pytest.raises(InputError) as err:
        decode_input(har(*[entry("https://x/") for _ in range(6)]))
    assert err.value.code == "HAR_TOO_MANY_ENTRIES"


@pytest.mark.parametrize("doc", [
    {"log": {"entries": "nope"}},
    {"log": {}},
    {"log": {"entries": [1, None, "x", {"request": 5, "response": []}]}},
])
def test_har_odd_shapes_are_input_errors(doc):
    with pytest.raises(InputError) as err:
        decode_input(json.dumps(doc).encode())
    assert err.value.code in ("HAR_MALFORMED", "SAML_NO_MESSAGE")


def test_forced_har_on_a_tracer_export_is_malformed():
    data = (CAPTURES / "saml-tracer.json").read_bytes()
    with pytest.raises(InputError) as err:
        decode_input(data, input_format="har")
    assert err.value.code == "HAR_MALFORMED"
    with pytest.raises(InputError) as err:
        decode_input((CAPTURES / "login.har").read_bytes(), input_format="saml-tracer")
    assert err.value.code == "SAML_TRACER_MALFORMED"


def test_deeply_nested_json_is_an_input_error():
    with pytest.raises(InputError) as err:
        decode_input(b"[" * 100_000 + b"]" * 100_000)
    assert err.value.code in ("HAR_MALFORMED", "SAML_INPUT_UNRECOGNISED")


# ---------------------------------------------------------------- HTML

def test_html_parser_is_tolerant_of_broken_markup(xmls):
    page = ('<!DOCTYPE html><html><body><![if !IE]><p><form action=https://sp/acs method=post>'
            f'<input name=SAMLResponse value="{b64(xmls["response"])}"><input name=RelayState '
            'value=x></form><script>document.forms[0].submit()</scr')
    msg, = decode_input(page.encode()).messages
    assert msg.xml == xmls["response"] and msg.relay_state == "x"


def test_html_get_form_is_redirect_binding(xmls):
    page = (f'<html><form method="get" action="https://idp/sso"><input name="SAMLRequest" '
            f'value="{b64(deflate(xmls["request"]))}"></form></html>')
    msg, = decode_input(page.encode()).messages
    assert msg.binding == "HTTP-Redirect" and msg.method == "GET" and msg.xml == xmls["request"]


def test_html_forms_helper_reads_fields():
    forms = harmod.html_forms('<form action="/a"><input name="n" value="v&amp;w"><input>'
                              '</form><input name="loose" value="1">')
    assert forms[0]["action"] == "/a" and forms[0]["fields"] == [("n", "v&w"), ("loose", "1")]


def test_messages_are_frozen(xmls):
    msg = decode_input(xmls["response"]).messages[0]
    with pytest.raises(AttributeError):
        msg.xml = b""  # type: ignore[misc]


def test_errors_never_echo_header_values():
    bad = json.dumps({"log": {"entries": [{
        "request": {"method": "GET", "url": "https://sp/acs?SAMLResponse=%ZZ" + MARKER,
                    "headers": [{"name": "Authorization", "value": "SSWS " + MARKER}]},
        "response": {"headers": [{"name": "Set-Cookie", "value": MARKER}]}}]}})
    try:
        decode_input(bad.encode())
    except SsoctlError as exc:
        text = f"{exc.message} {exc.hint}"
        assert "SSWS" not in text
    else:
        pytest.fail("a broken SAMLResponse must not decode")


# ---------------------------------------------------------------- through the CLI

def _has_decode_command() -> bool:
    import typer.main

    from ssoctl.cli.app import app

    return "decode-response" in typer.main.get_command(app).commands


@pytest.mark.skipif(not _has_decode_command(), reason="decode-response is not registered yet")
@pytest.mark.parametrize("name", ["login.har", "saml-tracer.json"])
@pytest.mark.parametrize("extra", [(), ("--json",), ("--xml",), ("--entry", "9")])
def test_no_header_value_in_any_cli_output(cli, name, extra):
    args = ["--debug", "decode-response", str(CAPTURES / name)]
    args += list(extra) if "--entry" in extra else ["--all", *extra]
    result = cli(*args, "--now", "2026-06-01T12:01:00Z")
    assert result.exit_code in (0, 1, 2)
    assert MARKER not in result.stdout and MARKER not in result.stderr
    if "--entry" in extra:
        assert result.exit_code == 2
        assert "use a number from 1 to" in result.stderr


def test_the_same_message_posted_twice_is_kept_twice(xmls):
    post = {"params": [{"name": "SAMLResponse", "value": b64(xmls["response"])}]}
    decoded = decode_input(har(entry("https://sp/acs", method="POST", post=post),
                               entry("https://sp/acs", method="POST", post=post,
                                     when="2026-06-01T12:05:00.000Z")))
    assert [m.index for m in decoded.messages] == [1, 2]  # a replay stays visible


def test_a_thousand_entries_decode_quickly(xmls):
    import time

    entries = []
    for i in range(1000):
        value = b64(xmls["response"].replace(b'ID="id1"', f'ID="id{i:06d}"'.encode()))
        entries.append(entry("https://sp/acs", method="POST",
                             headers=[{"name": "Cookie", "value": MARKER}],
                             post={"params": [{"name": "SAMLResponse", "value": value}]}))
    data = har(*entries)
    start = time.perf_counter()
    decoded = decode_input(data)
    assert len(decoded.messages) == 1000 and decoded.messages[-1].index == 1000
    assert time.perf_counter() - start < 5
