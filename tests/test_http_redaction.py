"""The run's one redaction point, ssoctl.http.Redactor (docs/threat-model.md, "Secrets"):
generated tokens, in every encoding a server or a library may turn them into."""

from __future__ import annotations

import base64
import json
import logging
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssoctl import http
from ssoctl.errors import NetworkError

TOKEN_CHARS = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
tokens = st.text(TOKEN_CHARS, min_size=8, max_size=64)
noise = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def _forms(token: str, token_id: str) -> list[str]:
    """Encodings built here, independently of http._forms."""
    basic = base64.b64encode(f"{token_id}:{token}".encode()).decode()
    out = [token, token.lower(), token.upper(), token.swapcase(), quote(token, safe=""),
           quote_plus(token), repr(token), json.dumps(token), basic, f"Basic {basic}",
           base64.b64encode(token.encode()).decode(),
           base64.urlsafe_b64encode(token.encode()).decode()]
    for pad in (b"x", b"xy", b"xyz"):
        out.append(base64.b64encode(pad + token.encode() + b"tail").decode())
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(token=tokens, token_id=st.from_regex(r"token-[A-Z0-9]{6}", fullmatch=True),
       before=noise, after=noise)
def test_no_encoding_of_a_token_survives(token, token_id, before, after):
    redactor = http.Redactor([token])
    for form in _forms(token, token_id):
        text = redactor(f"{before}{form}{after}")
        assert token not in text
        core = form.strip("'\"")
        if len(core) >= 12:  # base64: the middle is made of the token's bits only
            assert core[4:-4] not in text, (form, text)


@settings(max_examples=60, deadline=None)
@given(token=tokens)
def test_a_token_with_line_breaks_is_hidden_in_repr_form_and_in_pieces(token):
    secret = f"{token[:4]}\r\n{token[4:]}X-Injected: 1"
    redactor = http.Redactor([secret])
    message = f"Invalid return character or leading space in header: {secret!r}"
    assert redactor(message).count(http.REDACTED) >= 1
    assert secret.encode("unicode_escape").decode() not in redactor(message)
    piece = f"{token[4:]}X-Injected:"  # a line of the token, as a log may split it
    assert piece not in redactor(f"... {piece} ...")


def test_redaction_keeps_the_rest_of_the_text():
    redactor = http.Redactor(["tok-SECRET-123456"])
    assert redactor("Bearer tok-SECRET-123456 refused") == "Bearer <hidden> refused"
    assert redactor("nothing here") == "nothing here"
    assert http.Redactor([])("tok") == "tok" and not http.Redactor([None, "", "abc"])


def test_scrub_walks_results_and_keeps_unchanged_objects():
    from ssoctl.sp.contract import SsoSettings

    redactor = http.Redactor(["tok-SECRET-123456"])
    clean = SsoSettings("https://a.example.test/", None, None)
    assert redactor.scrub(clean) is clean
    dirty = SsoSettings("https://a.example.test/tok-secret-123456", "x", None, True)
    assert redactor.scrub(dirty) == SsoSettings("https://a.example.test/<hidden>", "x", None,
                                                True)
    doc = {"etag": '"TOK-SECRET-123456"', "list": [b"tok-SECRET-123456", 3]}
    assert redactor.scrub(doc) == {"etag": '"<hidden>"', "list": [b"<hidden>", 3]}


def test_errors_are_scrubbed_in_place_args_included():
    redactor = http.Redactor(["tok-SECRET-123456"])
    exc = NetworkError("redirect to tok-secret-123456.evil.test", hint="see tok-SECRET-123456")
    assert redactor.scrub_error(exc) is exc
    assert "tok" not in exc.message + exc.hint + str(exc) + repr(exc.args)


def test_the_run_registry_and_start_run():
    http.start_run()
    try:
        assert http.redact("a tok-RUN-SECRET-1 b") == "a tok-RUN-SECRET-1 b"
        http.protect(["tok-RUN-SECRET-1"])
        assert http.redact("a tok-RUN-SECRET-1 b") == "a <hidden> b"
        http.start_run()
        assert http.redact("a tok-RUN-SECRET-1 b") == "a tok-RUN-SECRET-1 b"
    finally:
        http.start_run()


def test_log_lines_and_tracebacks_pass_the_redactor(caplog):
    http.start_run()
    http.protect(["tok-LOG-SECRET-99"])
    try:
        caplog.set_level(logging.DEBUG)
        logging.getLogger("ssoctl.http").debug("header %s \x1b[2J", "Bearer tok-LOG-SECRET-99")
        try:
            raise RuntimeError("boom tok-log-secret-99")
        except RuntimeError:
            logging.getLogger("ssoctl").debug("error", exc_info=True)
        logging.getLogger("urllib3.connectionpool").debug("host tok-LOG-SECRET-99.example")
        text = caplog.text + "".join(r.getMessage() for r in caplog.records)
        assert "tok-LOG" not in text.upper().replace("TOK-LOG", "tok-LOG") and \
            "LOG-SECRET" not in text.upper()
        assert "\x1b" not in text and "\\x1b[2J" in text
    finally:
        http.start_run()


@pytest.mark.parametrize("text,shown", [("a\x1bb", "a\\x1bb"), ("\u202eevil", "\\u202eevil"),
                                        ("x\x9by", "x\\x9by"), ("line\nbreak", "line\\x0abreak"),
                                        ("\ud800", "\\ud800"), ("plain ü", "plain ü")])
def test_printable(text, shown):
    assert http.printable(text) == shown
