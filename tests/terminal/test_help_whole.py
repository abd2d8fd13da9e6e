"""``--help`` as a person reads it in a terminal 40, 80 and 120 columns wide: a URL, an
option name, a file name, an example command and a back-quoted command are never split
across lines, at a hyphen or anywhere else. One too long for the line goes to the next
line whole and runs past the edge (the terminal folds it; a copy of it is whole). On a
40-column terminal the page is laid out 40 wide, not at Click's 50-column minimum.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ssoctl.links import JSON_FORMAT

from .screen import ROOT, run_widths

WIDTHS = (40, 80, 120)
SP_API = "https://github.com/ssoctl/ssoctl/blob/main/docs/sp-api.md"
EXPLAIN = "`ssoctl explain N`"

#: command -> values that must appear whole on one line of its help
PAGES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("config", "show"): (JSON_FORMAT, EXPLAIN),
    ("config", "validate"): (JSON_FORMAT, EXPLAIN),
    ("explain",): (EXPLAIN,),
    ("setup",): (JSON_FORMAT, SP_API, "--assign-group", "--sp-profile", "--cert-out",
                 "--token-file", "--ca-bundle", "okta-sipgate.pem", "`ssoctl doctor`",
                 'ssoctl setup --profile acme --assign-group "sipgate users" '
                 "--domain example.com", EXPLAIN),
    ("doctor",): (JSON_FORMAT, "ssoctl doctor --profile acme --sp-cert okta-sipgate.pem "
                  "--format junit > doctor.xml", EXPLAIN),
    ("import-metadata",): (JSON_FORMAT, "https://{org}.okta.com/app/{exk…}/sso/saml/metadata",
                           "--cert-out", "HTTP-Redirect", "--entity-id", EXPLAIN),
    ("decode-response",): (JSON_FORMAT, "--idp-entity-id", "saml-tracer", EXPLAIN),
    ("rehearse", "okta"): (JSON_FORMAT,),
    ("okta", "configure"): ('ssoctl okta configure --profile acme --assign-group '
                            '"sipgate users" --dry-run', EXPLAIN),
    ("okta", "rotate-cert"): ("ssoctl okta rotate-cert sipgate --validity-years 3 "
                              "--push-profile acme", EXPLAIN),
    ("okta", "list"): ("ssoctl okta list --org https://acme.okta.com --label sipgate",),
    ("okta", "check"): ("ssoctl okta check sipgate --profile acme",),
    ("okta", "metadata"): ("ssoctl okta metadata sipgate --cert-out okta.pem --format env",),
    ("okta", "audit"): ("ssoctl okta audit --profile acme --json > audit.json",),
}


def _unwrapped_words(path: tuple[str, ...]) -> set[str]:
    """Every word of the help laid out so wide that nothing wraps (a pipe, COLUMNS huge)."""
    env = {**os.environ, "COLUMNS": "100000"}
    env.pop("NO_COLOR", None)
    out = subprocess.run([sys.executable, "-m", "ssoctl", *path, "--help"], env=env,
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return set(out.split())


@pytest.mark.parametrize("path", list(PAGES), ids=" ".join)
def test_help_keeps_values_whole(path):
    words = _unwrapped_words(path)
    for screen in run_widths([*path, "--help"], widths=WIDTHS):
        assert screen.exit_code == 0, screen.text
        for value in PAGES[path]:
            assert screen.has_whole(value), (
                f"{value!r} is broken at {screen.columns} columns:\n{screen.text}")
        split = [word for word in screen.text.split() if word not in words]
        assert not split, f"split at {screen.columns} columns: {split}\n{screen.text}"


@pytest.mark.parametrize("path", [("import-metadata",), ("setup",), ("check-cert",)],
                         ids=" ".join)
def test_help_fits_a_narrow_terminal(path):
    """At 40 columns the only lines past the edge hold one unbreakable word or an example
    command (indented, kept as typed)."""
    (screen,) = run_widths([*path, "--help"], widths=(40,))
    assert screen.exit_code == 0, screen.text
    for line in screen.lines:
        if len(line) > 40:
            assert len(line.split()) == 1 or line.startswith("    ssoctl "), (
                f"{line!r} runs past 40 columns:\n{screen.text}")


@pytest.mark.parametrize("path", [("okta",), ("rehearse",), ("config",), ("sp",)],
                         ids=" ".join)
def test_a_group_lists_each_command_with_its_whole_first_sentence(path):
    words = _unwrapped_words(path)
    for screen in run_widths([*path, "--help"], widths=WIDTHS):
        assert screen.exit_code == 0, screen.text
        listed = screen.text.split("Commands:", 1)[1].split("\n\n", 1)[0]
        assert "..." not in listed, f"cut at {screen.columns} columns:\n{screen.text}"
        split = [word for word in screen.text.split() if word not in words]
        assert not split, f"split at {screen.columns} columns: {split}\n{screen.text}"
    if path == ("rehearse",):
        assert screen.has_whole("`ssoctl push`") and screen.has_whole("`ssoctl okta`")
