"""Large HAR files and SAML-tracer exports read as a stream (ssoctl/saml/harstream.py).

The streamed reading must give what reading the whole document gives: the same messages,
numbering, notes and errors (each case is run both ways and compared), whatever the chunk
boundaries cut, with either of the parser's backends. Long page assets are dropped while
streaming; SAML values are kept and then decoded and parsed like any other
(docs/threat-model.md, "Resource exhaustion" and "Decoding").
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssoctl.errors import InputError
from ssoctl.saml import capture, harstream
from ssoctl.saml.binding import decode_input
from ssoctl.saml.capture import CaptureFile

from conftest import FIXTURES, NOW
from support.captures import b64, deflate

CAPTURES = FIXTURES / "captures"
LIMIT = 32 * 1024 * 1024




@pytest.fixture(scope="module")
def xmls() -> dict[str, bytes]:
    from ssoctl.rehearsal import samlgen

    return {"request": samlgen.authn_request(now=NOW, id="_r1"),
            "response": samlgen.response(now=NOW, response_id="id1", assertion_id="id2",
                                         in_response_to="_r1")}


def entry(url: str, *, method: str = "GET", post=None, location: str | None = None,
          html: str | None = None, body: str | None = None, mime: str = "text/html",
          encoding: str | None = None, headers=None, cookies=None) -> dict:
    request = {"method": method, "url": url, "headers": headers or [],
               "cookies": cookies or []}
    if post is not None:
        request["postData"] = post
    content: dict = {"mimeType": mime}
    if html is not None or body is not None:
        content["text"] = html if html is not None else body
    if encoding:
        content["encoding"] = encoding
    response = {"status": 302 if location else 200,
                "headers": [{"name": "Location", "value": location}] if location else [],
                "content": content, "timings": {"wait": 1.5}, "_initiator": {"stack": [[1]]}}
    return {"startedDateTime": "2026-06-01T12:00:00.000Z", "request": request,
            "response": response, "cache": {}}


def har_text(*entries: object, indent: int | None = None) -> str:
    return json.dumps({"log": {"version": "1.2", "creator": {"name": "t"},
                               "entries": list(entries)}}, indent=indent)


def both_ways(tmp_path: Path, data: bytes, *, input_format: str | None = None,
              limit: int = LIMIT):
    """decode_input on the bytes and on the file streamed: (result or error) twice."""
    path = tmp_path / "capture.har"
    path.write_bytes(data)
    out = []
    for source in (data, CaptureFile(str(path), len(data), limit)):
        try:
            out.append(decode_input(source, input_format=input_format, label="capture.har"))
        except InputError as exc:
            out.append((exc.code, exc.message, exc.hint))
    return out


@pytest.fixture(params=[1 << 20, 7, 64], ids=["1MiB-chunks", "7-byte-chunks", "64-byte-chunks"])
def chunks(request, monkeypatch):
    """Chunk sizes that cut strings, escapes and surrogate pairs everywhere."""
    monkeypatch.setattr(harstream, "_CHUNK", request.param)
    return request.param


@pytest.fixture(params=["yajl2_c", "python"])
def backend(request, monkeypatch):
    monkeypatch.setattr(harstream, "BACKENDS", (request.param,))
    return request.param


def documents(xmls) -> dict[str, str]:
    """Captures of every shape the HAR reader knows, and odd ones."""
    response, request = b64(xmls["response"]), b64(deflate(xmls["request"]))
    form = (f'<html><body><form method="post" action="https://sp/acs"><input name='
            f'"SAMLResponse" value="{response}"><input name="RelayState" value="r&amp;1">'
            "</form></body></html>")
    tracer = {"requests": [
        {"method": "GET", "url": f"https://idp/sso?SAMLRequest={quote(request)}",
         "get": [["SAMLRequest", request]], "requestHeaders": [["Cookie", "x"]]},
        {"method": "POST", "url": "https://sp/acs", "post": [["SAMLResponse", response]],
         "saml": xmls["response"].decode(), "responseHeaders": [{"name": "Set-Cookie"}]},
    ], "timestamp": "2026-06-01T12:00:00Z"}
    asset = "function x(){return \"\\\\\";}\n" * 50
    login = har_text(
        entry(f"https://idp/sso?SAMLRequest={quote(request)}&RelayState=a%20b",
              headers=[{"name": "Cookie", "value": "secret"}]),
        entry("https://cdn/app.js", body=asset, mime="application/javascript"),
        entry("https://cdn/logo.png", body=b64(bytes(range(256)) * 20), mime="image/png",
              encoding="base64"),
        entry("https://idp/form", html=form),
        entry("https://idp/form-b64", html=b64(form.encode()), encoding="base64"),
        entry("https://sp/acs", method="POST", location="https://sp/home?SAMLart=AAQ",
              post={"mimeType": "application/x-www-form-urlencoded",
                    "text": f"SAMLResponse={quote(response)}&RelayState=r%261",
                    "params": [{"name": "SAMLResponse", "value": quote(response)},
                               {"value": "r%261", "name": "RelayState"}]},
              cookies=[{"name": "sid", "value": "s"}]),
        entry("https://sp/slo", location=f"https://idp/slo?SAMLRequest={quote(request)}"),
        entry("https://sp/text-only", method="POST",
              post={"text": f"RelayState=x&SAMLResponse={response}"}),
        "not an entry", None, 5,
        {"request": 5, "response": []},
    )
    return {
        "login": login,
        "login-indented": json.dumps(json.loads(login), indent=2),
        "login-with-bom": "\ufeff" + login,
        "tracer": json.dumps(tracer),
        "unicode-and-pairs": har_text(entry(
            "https://sp/acs", method="POST",
            post={"text": f"SAMLResponse={quote(response)}&RelayState=\U0001F600\u00e9"})),
        "escaped-quotes-and-backslashes": har_text(
            entry("https://x/a", body='\\"' * 300 + '\\\\' * 301 + '"'),
            entry(f"https://idp/sso?SAMLRequest={quote(request)}")),
        "no-saml": har_text(entry("https://example.org/"), entry("https://example.org/2")),
        "entries-not-a-list": json.dumps({"log": {"entries": "nope"}}),
        "log-without-entries": json.dumps({"log": {"pages": []}}),
        "log-not-a-dict": json.dumps({"log": [1, 2], "other": {"requests": []}}),
        "neither": json.dumps({"hello": {"log": {"entries": []}}, "list": [1, 2, 3]}),
        "har-and-tracer": json.dumps({"requests": tracer["requests"],
                                      "log": json.loads(login)["log"]}),
        "tracer-then-log-not-dict": json.dumps({"requests": tracer["requests"], "log": 5}),
        "dotted-keys": json.dumps({"log.entries": [entry("https://x/?SAMLRequest=a")],
                                   "log": {"entries": [entry(
                                       f"https://idp/sso?SAMLRequest={quote(request)}")]}}),
        "only-artifacts": har_text(entry("https://sp/acs?SAMLart=AAQ")),
        "bad-base64-skipped": har_text(
            entry("https://sp/acs?SAMLResponse=%%%"),
            entry(f"https://idp/sso?SAMLRequest={quote(request)}")),
        "numbers-and-literals": har_text({**entry(f"https://idp/sso?SAMLRequest={quote(request)}"),
                                          "x": [1.5e300, -0.0, True, False, None, 123456789]}),
    }


DUPLICATE_KEYS = (  # json.loads keeps the last of a repeated key; so must the stream
    '{"log": {"entries": [{"request": {"url": "https://a/?SAMLRequest=AAAA"}}]}, '
    '"log": {"entries": [{"request": {"url": "https://b/?SAMLRequest=%s"}}], '
    '"entries": [{"request": {"url": "https://c/?SAMLRequest=%s"}}]}}')


@pytest.mark.parametrize("name", [
    "login", "login-indented", "login-with-bom", "tracer", "unicode-and-pairs",
    "escaped-quotes-and-backslashes", "no-saml", "entries-not-a-list", "log-without-entries",
    "log-not-a-dict", "neither", "har-and-tracer", "tracer-then-log-not-dict", "dotted-keys",
    "only-artifacts", "bad-base64-skipped", "numbers-and-literals"])
def test_streamed_reading_gives_what_reading_whole_gives(tmp_path, xmls, chunks, backend, name):
    whole, streamed = both_ways(tmp_path, documents(xmls)[name].encode("utf-8"))
    assert streamed == whole


@pytest.mark.parametrize("name", ["login.har", "saml-tracer.json"])
@pytest.mark.parametrize("input_format", [None, "har", "saml-tracer"])
def test_the_committed_captures_stream_alike(tmp_path, chunks, name, input_format):
    whole, streamed = both_ways(tmp_path, (CAPTURES / name).read_bytes(),
                                input_format=input_format)
    assert streamed == whole


def test_repeated_keys_keep_the_last_like_json_loads(tmp_path, xmls, chunks):
    request = quote(b64(deflate(xmls["request"])))
    whole, streamed = both_ways(tmp_path, (DUPLICATE_KEYS % (request, request)).encode())
    assert streamed == whole
    assert [m.url for m in whole.messages] == ["https://c/?SAMLRequest=…"]


def test_another_forced_form_reads_the_file_whole(tmp_path, xmls):
    whole, streamed = both_ways(tmp_path, documents(xmls)["login"].encode(),
                                input_format="base64")
    assert streamed == whole and whole[0] == "SAML_BASE64_INVALID"


def test_a_lone_surrogate_in_a_saml_value_is_refused_not_replaced(tmp_path, xmls, chunks):
    """A lone surrogate escape is legal JSON but no character; the parser would make it
    "?" silently. The message holding it is refused, as when the file is read whole."""
    response = b64(xmls["response"])
    for value in (response[:100] + "\\ud800" + response[100:],
                  response[:100] + "\\udc00\\ud800" + response[100:]):
        text = '{"log": {"entries": [{"request": {"method": "POST", "url": "https://sp/acs", ' \
               '"postData": {"text": "SAMLResponse=' + value + '"}}}]}}'
        whole, streamed = both_ways(tmp_path, text.encode())
        assert whole[0] == streamed[0] == "SAML_BASE64_INVALID"
    tracer = json.dumps({"requests": [{"url": "https://sp/acs", "post": [["SAMLResponse", "x"]],
                                       "saml": "<samlp:Response/>"}]})
    tracer = tracer.replace("<samlp:Response/>", "<samlp:Response>\\ud800</samlp:Response>")
    whole, streamed = both_ways(tmp_path, tracer.encode())
    assert whole.messages[0].xml != streamed.messages[0].xml  # the bytes for the parser differ
    from ssoctl import xmlsafe

    for result in (whole, streamed):  # ... and both are refused by the hardened parser
        with pytest.raises(InputError):
            xmlsafe.parse(result.messages[0].xml, what="SAMLResponse")


def test_an_escaped_backslash_before_ud800_is_text_not_an_escape(tmp_path, xmls, chunks):
    text = har_text(entry(f"https://idp/sso?SAMLRequest={quote(b64(deflate(xmls['request'])))}",
                          headers=[{"name": "X", "value": "\\ud800 literal"}]))
    whole, streamed = both_ways(tmp_path, text.encode())
    assert streamed == whole


# ---------------------------------------------------------------- long strings

def test_long_assets_are_dropped_and_saml_values_kept(tmp_path, xmls, monkeypatch, chunks):
    """With a small keep size: an asset longer than it is dropped (the HTML page with the
    form is then not scanned, as a page over the scan limit is not), a long value that
    starts with SAML is kept whole."""
    monkeypatch.setattr(harstream, "KEEP_BYTES", 200)
    response = quote(b64(xmls["response"]))
    text = har_text(
        entry("https://cdn/app.js", body="x" * 5000, mime="application/javascript"),
        entry("https://sp/acs", method="POST",
              post={"text": f"SAMLResponse={response}&RelayState=r"}))
    path = tmp_path / "c.har"
    path.write_text(text)
    decoded = decode_input(CaptureFile(str(path), path.stat().st_size, LIMIT), label="c.har")
    msg, = decoded.messages
    assert msg.xml == xmls["response"] and msg.relay_state == "r"


def test_a_long_value_with_saml_past_its_start_is_refused(tmp_path, monkeypatch, chunks):
    monkeypatch.setattr(harstream, "KEEP_BYTES", 200)
    text = har_text(entry("https://sp/acs", method="POST",
                          post={"text": "a=" + "x" * 1000 + "&SAMLResponse=PHg+"}))
    path = tmp_path / "c.har"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        decode_input(CaptureFile(str(path), path.stat().st_size, LIMIT), label="c.har")
    assert err.value.code == "INPUT_TOO_LARGE" and "mentions SAML only after" in err.value.message
    assert "--text" in err.value.hint


def test_an_asset_mentioning_saml_late_is_no_error(tmp_path, xmls, monkeypatch, chunks):
    """A script that names SAMLResponse somewhere (Okta's sign-in widget does) is a page
    asset: dropped, no error."""
    monkeypatch.setattr(harstream, "KEEP_BYTES", 200)
    text = har_text(
        entry("https://cdn/widget.js", body="x" * 1000 + "SAMLResponse", mime="text/javascript"),
        entry(f"https://idp/sso?SAMLRequest={quote(b64(deflate(xmls['request'])))}"))
    path = tmp_path / "c.har"
    path.write_text(text)
    decoded = decode_input(CaptureFile(str(path), path.stat().st_size, LIMIT), label="c.har")
    assert [m.parameter for m in decoded.messages] == ["SAMLRequest"]


def test_each_saml_value_and_all_of_them_are_bounded(tmp_path, xmls, monkeypatch, chunks):
    """docs/threat-model.md, "Resource exhaustion": what is kept of SAML messages is
    bounded, per value, per entry and in all."""
    monkeypatch.setattr(harstream, "KEEP_BYTES", 200)
    response = quote(b64(xmls["response"]))
    path = tmp_path / "c.har"
    path.write_text(har_text(entry("https://sp/acs", method="POST",
                                   post={"text": f"SAMLResponse={response}" + "A" * 5000})))
    with pytest.raises(InputError) as err:
        decode_input(CaptureFile(str(path), path.stat().st_size, 4000), label="c.har")
    assert err.value.code == "INPUT_TOO_LARGE" and "SAML value" in err.value.message
    path.write_text(har_text(entry("https://sp/acs", method="POST", headers=[
        {"name": f"X-{i}", "value": "v" * 150} for i in range(40)])))
    with pytest.raises(InputError) as err:
        decode_input(CaptureFile(str(path), path.stat().st_size, 4000), label="c.har")
    assert err.value.code == "INPUT_TOO_LARGE" and "an entry holds" in err.value.message
    many = [entry("https://sp/acs", method="POST", post={"text": f"SAMLResponse={response}"})
            for _ in range(20)]
    path.write_text(har_text(*many))
    with pytest.raises(InputError) as err:
        decode_input(CaptureFile(str(path), path.stat().st_size, 10 * len(response)),
                     label="c.har")
    assert err.value.code == "INPUT_TOO_LARGE" and "add up to" in err.value.message


def test_hostile_content_in_a_kept_message_is_still_refused(tmp_path, xmls):
    """The streamed messages meet the same decoder and hardened parser: a compression
    bomb is refused while decoding, a DOCTYPE with entities by the parser, as when the
    file is read whole (the whole command: tests/cli/test_decode_response_large_har.py)."""
    from ssoctl import xmlsafe

    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
              b'"&lol;&lol;&lol;&lol;">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:'
              b'SAML:2.0:protocol">&lol2;</samlp:Response>')
    text = har_text(entry("https://sp/acs", method="POST",
                          post={"text": f"SAMLResponse={quote(b64(laughs))}"}))
    whole, streamed = both_ways(tmp_path, text.encode())
    assert streamed == whole and streamed.messages[0].xml == laughs
    with pytest.raises(InputError) as err:
        xmlsafe.parse(streamed.messages[0].xml, what="SAMLResponse")
    assert err.value.code == "XML_DOCTYPE"
    bomb = b64(deflate(b"<a>" + b"A" * (8 * 1024 * 1024) + b"</a>"))
    whole, streamed = both_ways(tmp_path, har_text(
        entry(f"https://idp/sso?SAMLRequest={quote(bomb)}")).encode())
    assert streamed == whole and whole[0] == "SAML_INFLATE_TOO_LARGE"


# ---------------------------------------------------------------- not a capture

def test_a_cut_off_capture_is_one_error(tmp_path, xmls, chunks):
    full = documents(xmls)["login"].encode()
    for cut in (len(full) // 3, len(full) // 2, len(full) - 3):
        path = tmp_path / "cut.har"
        path.write_bytes(full[:cut])
        with pytest.raises(InputError) as err:
            decode_input(CaptureFile(str(path), cut, cut - 1), label="cut.har")
        assert err.value.code == "HAR_MALFORMED" and err.value.exit_code == 3
        assert "cut off" in err.value.message and "save" in err.value.hint


@pytest.mark.parametrize("text", [
    '{"log": {"entries": [{"time": NaN}]}}',
    '{"log": {"entries": []}} trailing',
    '{"log": {"entries": [1 2]}}',
    '{"log": {"entries": [{"request": {"url": "\x01"}}]}}',
])
def test_invalid_json_is_one_error_either_way(tmp_path, text, backend):
    """Larger than what may be read whole: the stream's own words; smaller: read whole,
    with json's line and column, exactly as before."""
    path = tmp_path / "bad.har"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        decode_input(CaptureFile(str(path), len(text), 10), label="bad.har")
    assert err.value.code == "HAR_MALFORMED" and "not valid JSON" in err.value.message
    whole, streamed = both_ways(tmp_path, text.encode())
    assert streamed == whole


def test_latin1_bytes_in_a_small_file_are_read_as_before(tmp_path, xmls):
    text = har_text(entry(f"https://idp/sso?SAMLRequest={quote(b64(deflate(xmls['request'])))}",
                          headers=[{"name": "X-Name", "value": "caf\u00e9"}]))
    whole, streamed = both_ways(tmp_path, text.encode("latin-1"))
    assert streamed == whole


def test_too_deep_and_too_many(tmp_path, monkeypatch):
    deep = '{"log": {"entries": [{"x": ' + "[" * 100 + "]" * 100 + "}]}}"
    whole, streamed = both_ways(tmp_path, deep.encode())
    assert streamed == whole and whole[0] == "HAR_MALFORMED"
    from ssoctl.saml import har as harmod

    monkeypatch.setattr(harmod, "MAX_HAR_ENTRIES", 5)
    path = tmp_path / "many.har"
    path.write_text(har_text(*[entry("https://x/") for _ in range(6)]))
    with pytest.raises(InputError) as err:
        decode_input(CaptureFile(str(path), path.stat().st_size, LIMIT), label="many.har")
    assert err.value.code == "HAR_TOO_MANY_ENTRIES" and "more than 5" in err.value.message


# ---------------------------------------------------------------- which files stream

def test_read_capture_streams_only_large_json_files(tmp_path, monkeypatch):
    monkeypatch.setattr(capture, "STREAM_FROM", 100)
    small, large, other = tmp_path / "s.har", tmp_path / "l.har", tmp_path / "x.b64"
    small.write_text('{"log": {"entries": []}}')
    large.write_text("\ufeff  \n" + har_text(*[entry("https://x/") for _ in range(5)]))
    other.write_text("A" * 500)
    assert isinstance(capture.read_capture(str(small), max_bytes=LIMIT, what="SAML input"),
                      capture.Source)
    got = capture.read_capture(str(large), max_bytes=LIMIT, what="SAML input")
    assert isinstance(got, capture.StreamedSource) and len(got.data) == large.stat().st_size
    assert got.label == str(large) and got.data.limit == LIMIT
    assert capture.read_capture(str(other), max_bytes=LIMIT, what="SAML input").data == b"A" * 500
    monkeypatch.setattr(capture, "MAX_CAPTURE_FILE", 200)
    with pytest.raises(InputError) as err:
        capture.read_capture(str(large), max_bytes=LIMIT, what="SAML input")
    assert err.value.code == "INPUT_TOO_LARGE" and "smaller capture" in err.value.hint
    for missing, code in ((tmp_path / "nope.har", "INPUT_NOT_FOUND"),
                          (tmp_path, "INPUT_NOT_A_FILE")):
        with pytest.raises(InputError) as err:
            capture.read_capture(str(missing), max_bytes=LIMIT, what="SAML input")
        assert err.value.code == code


@pytest.mark.parametrize("run", [1, 2, 3, 600_001, 600_002])
def test_runs_of_backslashes_across_chunks(tmp_path, xmls, chunks, run):
    """Escaped backslashes in runs of any length, also longer than a chunk, ending a
    string or followed by an escaped quote: cut anywhere, read as when read whole, in one
    pass (no rereading per chunk)."""
    request = quote(b64(deflate(xmls["request"])))
    if chunks < 1024 and run > 10:
        pytest.skip("a long run in tiny chunks only repeats the short cases slowly")
    body = "\\" * (2 * run) + '\\"' + "\\" * (2 * (run % 7))
    text = har_text(entry("https://x/a", body=body), entry("https://x/b", body="\\" * run),
                    entry(f"https://idp/sso?SAMLRequest={request}"))
    whole, streamed = both_ways(tmp_path, text.encode())
    assert streamed == whole and [m.parameter for m in whole.messages] == ["SAMLRequest"]


def test_a_long_form_value_is_read_from_the_post_body(tmp_path, xmls, monkeypatch, chunks):
    """A SAMLResponse value longer than the keep size names no parameter itself and is
    dropped from postData.params; the POST body names it and is read instead, as when the
    file is read whole. Without such a body, or in a SAML-tracer export without its
    decoded copy, it is one clear error, never an empty message."""
    monkeypatch.setattr(harstream, "KEEP_BYTES", 300)
    value = quote(b64(xmls["response"]))
    post = {"text": f"SAMLResponse={value}&RelayState=r",
            "params": [{"name": "SAMLResponse", "value": value},
                       {"name": "RelayState", "value": "r"}]}
    path = tmp_path / "c.har"
    text = har_text(entry("https://sp/acs", method="POST", post=post))
    path.write_text(text)
    streamed = decode_input(CaptureFile(str(path), len(text), LIMIT), label="c.har")
    whole = decode_input(text.encode(), label="c.har")
    assert [m.xml for m in streamed.messages] == [m.xml for m in whole.messages] \
        == [xmls["response"]]
    assert streamed.messages[0].relay_state == "r"
    del post["text"]
    path.write_text(har_text(entry("https://sp/acs", method="POST", post=post)))
    with pytest.raises(InputError) as err:
        decode_input(CaptureFile(str(path), path.stat().st_size, LIMIT), label="c.har")
    assert err.value.code == "INPUT_TOO_LARGE" and "HAR entry 1 carries a SAMLResponse" \
        in err.value.message
    tracer = {"requests": [{"method": "POST", "url": "https://sp/acs",
                            "post": [["SAMLResponse", b64(xmls["response"])]],
                            "saml": xmls["response"].decode()}]}
    path.write_text(json.dumps(tracer))
    msg, = decode_input(CaptureFile(str(path), path.stat().st_size, LIMIT),
                        label="c.json").messages
    assert msg.xml == xmls["response"]
    del tracer["requests"][0]["saml"]
    path.write_text(json.dumps(tracer))
    with pytest.raises(InputError) as err:
        decode_input(CaptureFile(str(path), path.stat().st_size, LIMIT), label="c.json")
    assert "SAML-tracer request 1 carries a SAMLResponse" in err.value.message


def test_base64_assets_are_dropped_even_when_they_spell_saml(tmp_path, xmls, monkeypatch):
    """Four letters S, A, M, L turn up in one base64 image of 2 MiB in eight; only a
    parameter name or a SAML namespace keeps a long value."""
    monkeypatch.setattr(harstream, "KEEP_BYTES", 300)
    image = "QUJD" * 50 + "xSAMLx" + "QUJD" * 200
    text = har_text(entry("https://cdn/i.png", body=image, mime="image/png", encoding="base64"),
                    entry(f"https://idp/sso?SAMLRequest={quote(b64(deflate(xmls['request'])))}"))
    strings = harstream._Strings(__import__("io").BytesIO(text.encode()), LIMIT)
    out = b"".join(iter(lambda: strings.read(1 << 16), b""))
    assert image.encode() not in out and harstream._CUT_JSON + b"-" in out


@pytest.mark.parametrize("ascii_only,char", [(True, "\u00e9"), (False, "\u00e9"),
                                             (True, "\U0001F600")],
                         ids=["escaped", "utf-8", "escaped-pairs"])
def test_a_page_long_in_bytes_but_not_in_characters_is_still_scanned(
        tmp_path, xmls, monkeypatch, chunks, ascii_only, char):
    """The in-memory reader scans a page up to its length in characters; JSON escapes
    (\\u00e9 is six bytes) and UTF-8 make its text longer in bytes. A page within the
    scan size whose form lies past that many bytes is still read, not dropped unseen."""
    monkeypatch.setattr(harstream, "KEEP_BYTES", 20000)
    monkeypatch.setattr(harstream.har, "MAX_HTML_SCAN", 20000)
    form = (f'<html><body><form method="post" action="https://sp/acs"><input name='
            f'"SAMLResponse" value="{b64(xmls["response"])}"></form></body></html>')
    page = char * (10000 if ascii_only else 12000) + form
    assert len(page) <= 20000
    text = json.dumps({"log": {"entries": [entry("https://idp/form", html=page)]}},
                      ensure_ascii=ascii_only)
    assert text.encode().find(b"SAMLResponse") > 20000
    whole, streamed = both_ways(tmp_path, text.encode())
    assert [m.xml for m in whole.messages] == [xmls["response"]]
    assert streamed == whole


@pytest.mark.parametrize("cookies", [[{"name": "sid", "value": "s"}], ["odd"], [[]]],
                         ids=["object", "string", "array"])
def test_cookies_without_a_cookie_header_are_still_noted(tmp_path, xmls, backend, cookies):
    """A HAR entry whose cookies travel only in its "cookies" list (no Cookie header)
    gets the same note that the capture holds secrets as when the file is read whole."""
    request = b64(deflate(xmls["request"]))
    text = har_text(entry(f"https://idp/sso?SAMLRequest={quote(request)}", cookies=cookies))
    whole, streamed = both_ways(tmp_path, text.encode())
    assert [f.code for f in whole.findings] == ["BINDING_HAR_SECRETS"]
    assert streamed == whole


@pytest.mark.parametrize("headers", [
    [None] * 20000, [[]] * 20000, [{}] * 20000,
    [{f"k{i:05}" + "x" * 100: 0 for i in range(200)}],
], ids=["nulls", "arrays", "objects", "long-keys"])
def test_what_an_entry_keeps_is_bounded_whatever_its_values(tmp_path, backend, headers):
    """docs/threat-model.md, "Resource exhaustion": the per-entry bound counts every value
    kept of an entry (numbers, nulls, arrays, objects and their keys), not only its
    strings: a header list of millions of empty arrays would otherwise be built whole."""
    path = tmp_path / "c.har"
    path.write_text(har_text(entry("https://sp/acs", headers=headers)))
    with pytest.raises(InputError) as err:
        decode_input(CaptureFile(str(path), path.stat().st_size, 16000), label="c.har")
    assert err.value.code == "INPUT_TOO_LARGE" and "an entry holds" in err.value.message


@pytest.mark.parametrize("value", ["\u0000\ufdd0S99999999", "\u0000\ufdd0-5", "\u0000\ufdd0"])
def test_a_value_spelling_the_dropped_marker_is_read_as_text(tmp_path, xmls, value):
    """What a dropped value becomes while streaming cannot be forged by the file: a
    header or form value that starts like it is read as the text it is, as when the file
    is read whole (not refused as a 95 MiB SAML value, nor taken for a dropped one)."""
    request = b64(deflate(xmls["request"]))
    text = har_text(
        entry(f"https://idp/sso?SAMLRequest={quote(request)}",
              headers=[{"name": "X-Odd", "value": value}]),
        entry("https://sp/acs", method="POST",
              post={"text": f"SAMLResponse={quote(b64(xmls['response']))}",
                    "params": [{"name": "SAMLResponse", "value": value}]}))
    whole, streamed = both_ways(tmp_path, text.encode())
    assert whole.messages and streamed == whole


def test_a_capture_growing_past_the_file_bound_while_read_is_refused(tmp_path, monkeypatch,
                                                                       chunks):
    """The bound on a streamed capture holds for what is read, not only for the size the
    file had when it was looked at: a file still being written (or one that never ends)
    is not read on and on."""
    path = tmp_path / "c.har"
    path.write_text(har_text(*[entry(f"https://cdn/{i}.js") for i in range(50)]))
    monkeypatch.setattr(capture, "MAX_CAPTURE_FILE", 2000)
    with pytest.raises(InputError) as err:  # it had 1,500 bytes when looked at
        decode_input(CaptureFile(str(path), 1500, LIMIT), label="c.har")
    assert err.value.code == "INPUT_TOO_LARGE" and "c.har grew past" in err.value.message


@pytest.mark.parametrize("number", ["1e400", "-1e400", "123456789012345678901234567890"])
def test_numbers_json_reads_are_read_when_streamed_too(tmp_path, xmls, backend, number):
    """Numbers past a 64-bit integer or a float's range are valid JSON (json.loads reads
    them): a capture too large to be read whole holding one is not "not valid JSON"."""
    request = b64(deflate(xmls["request"]))
    text = har_text(entry(f"https://idp/sso?SAMLRequest={quote(request)}"))
    text = text.replace('"wait": 1.5', f'"wait": {number}')
    assert number in text
    path = tmp_path / "c.har"
    path.write_text(text)
    streamed = decode_input(CaptureFile(str(path), len(text), len(text) - 1), label="c.har")
    assert streamed == decode_input(text.encode(), label="c.har")


# ---------------------------------------------------------------- chunking

_PIECES = st.lists(st.sampled_from(["a", "é", "\"", "\\", "\n", "SAMLResponse=", ":SAML:",
                                    "x" * 9, "y" * 17]), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(_PIECES, min_size=1, max_size=8), keep=st.integers(6, 40),
       limit=st.integers(1, 120))
def test_the_filtered_stream_is_the_same_whatever_the_chunk_size(values, keep, limit):
    """A chunk no longer than KEEP_BYTES only has its quotes counted; a longer one is
    scanned string by string. Both must give the same filtered JSON: the string values
    of random lengths (escaped quotes and backslashes, SAML marks, non-ASCII) are read in
    chunks of every size from one byte to the whole document. (KEEP_BYTES is 2 MiB; the
    smallest bound tried is 6, the length of the SAML marks looked for.)"""
    import io

    data = json.dumps({"log": {"entries": values}}, ensure_ascii=False).encode()
    outputs = set()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(harstream, "KEEP_BYTES", keep)
        for size in sorted({1, 2, 3, 5, keep, keep + 1, keep + 2, len(data) + 1}):
            patch.setattr(harstream, "_CHUNK", size)
            stream = harstream._Strings(io.BytesIO(data), limit)
            parts = []
            while True:
                part = stream.read()
                if not part:
                    break
                parts.append(part)
            outputs.add(b"".join(parts).replace(harstream._NONCE.encode(), b"N"))
    assert len(outputs) == 1
