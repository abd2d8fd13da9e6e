"""The spinner decode-response shows on a terminal is drawn with escape sequences (cursor
hide, line erase, colour): with NO_COLOR, TERM=dumb or --no-color none reaches the screen,
as for the okta progress bars."""

from __future__ import annotations

import pytest

from .screen import run

ARGS = ["decode-response", "fixtures/captures/login.har", "--all", "--now",
        "2026-06-01T12:00:00Z"]


@pytest.mark.parametrize("argv,env", [
    (ARGS, {"NO_COLOR": "1"}),
    (ARGS, {"TERM": "dumb"}),
    (["--no-color", *ARGS], {}),
    ([*ARGS, "--no-color"], {}),
], ids=["NO_COLOR", "TERM=dumb", "--no-color first", "--no-color last"])
def test_no_escape_sequence_from_the_decode_spinner(argv, env):
    screen = run(argv, columns=80, env=env)
    assert "\x1b" not in screen.raw
    assert "SAML messages in" in screen.text
