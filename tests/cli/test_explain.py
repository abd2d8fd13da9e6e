"""`ssoctl explain` through the CLI: codes, texts, fuzzy matches, --list, --json, exit codes."""

from __future__ import annotations

import pytest

SIPGATE = "An error has occurred. Please try again. Back to login."


def test_finding_code(cli):
    r = cli("explain", "saml_audience_mismatch")
    assert r.exit_code == 0
    assert "SAML_AUDIENCE_MISMATCH" in r.stdout
    assert "Audience" in r.stdout and "Fix:" in r.stdout


def test_finding_code_json(cli):
    r = cli("explain", "--json", "SIG_SHA1")
    assert r.exit_code == 0
    doc = r.json()
    assert doc["ok"] is True
    match = doc["data"]["matches"][0]
    assert match["kind"] == "finding" and match["key"] == "SIG_SHA1"
    assert match["severity"] == "error" and match["exit_code"] == 4
    assert {"title", "explanation", "fix"} <= set(match)


def test_error_code(cli):
    r = cli("explain", "input_too_large")
    assert r.exit_code == 0 and "INPUT_TOO_LARGE" in r.stdout and "exit" in r.stdout


def test_sipgate_text_unquoted_words(cli):
    r = cli("explain", *SIPGATE.split())
    assert r.exit_code == 0
    assert "sipgate-stale-sso-link" in r.stdout
    assert "support" in r.stdout and "Cause:" in r.stdout


def test_text_from_stdin(cli):
    r = cli("explain", "-", input="Login failed:\n  " + SIPGATE.lower() + "\n")
    assert r.exit_code == 0 and "sipgate-stale-sso-link" in r.stdout


def test_partial_text_lists_other_candidates_ranked(cli):
    r = cli("--json", "explain", "Signature validation failed. SAML Response rejected")
    assert r.exit_code == 0
    matches = r.json()["data"]["matches"]
    assert matches[0]["key"] == "signature-invalid"
    assert len(matches) > 1
    scores = [m["score"] for m in matches]
    assert scores == sorted(scores, reverse=True)
    human = cli("explain", "Signature validation failed. SAML Response rejected")
    assert "Other possible matches" in human.stdout


def test_guess_is_marked(cli):
    r = cli("explain", "sipgate-stale-sso-link-de")
    assert r.exit_code == 0 and "guess" in r.stdout


def test_okta_not_assigned(cli):
    r = cli("explain", "--json", "Sorry, you can't access sipgate because you are not "
            "assigned this app in Okta.")
    doc = r.json()
    assert doc["data"]["matches"][0]["key"] == "okta-app-not-assigned"
    assert doc["data"]["matches"][0]["vendor"] == "Okta"


def test_unknown_text_exits_1_with_list_hint(cli):
    r = cli("explain", "the printer is on fire")
    assert r.exit_code == 1
    assert "ssoctl explain --list" in r.stdout


def test_unknown_text_json(cli):
    r = cli("explain", "--json", "zzzz qqqq")
    assert r.exit_code == 1
    doc = r.json()
    assert doc["ok"] is False and doc["data"]["matches"] == []


def test_list(cli):
    r = cli("explain", "--list")
    assert r.exit_code == 0
    for needle in ("Finding codes", "Known error texts", "SAML_AUDIENCE_MISMATCH",
                   "BINDING_PLUS_RESTORED", "sipgate-stale-sso-link", "(guess)"):
        assert needle in r.stdout


def test_list_json(cli):
    doc = cli("explain", "--list", "--json").json()
    data = doc["data"]
    assert any(c["code"] == "CERT_EXPIRED" for c in data["finding_codes"])
    assert any(c["code"] == "SAML_INFLATE_TOO_LARGE" for c in data["error_codes"])
    assert any(k["id"] == "okta-app-not-assigned" for k in data["known_errors"])
    assert {"code": "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed",
            "name": "AuthnFailed"} in data["saml_status_codes"]
    assert "SAML status codes" in cli("explain", "--list").stdout


@pytest.mark.parametrize("args", [(), ("",), ("   ",)])
def test_nothing_to_explain_is_usage(cli, args):
    r = cli("explain", *args)
    assert r.exit_code == 2
    assert "nothing to explain" in r.stderr


def test_nothing_to_explain_json(cli):
    r = cli("explain", "--json")
    assert r.exit_code == 2 and r.json()["error"]["code"] == "EXPLAIN_NOTHING"


def test_help(cli):
    r = cli("explain", "--help")
    assert r.exit_code == 0 and "TEXT-OR-CODE" in r.stdout and "--list" in r.stdout


def test_explain_stays_light():
    import subprocess
    import sys

    code = ("import sys\nfrom typer.testing import CliRunner\nfrom ssoctl.cli.app import app\n"
            "r = CliRunner().invoke(app, ['explain', 'An error has occurred'])\n"
            "assert r.exit_code == 0, r.output\n"
            "print(sorted(m for m in ('lxml', 'signxml', 'requests', 'cryptography')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


STATUS = "urn:oasis:names:tc:SAML:2.0:status:"


@pytest.mark.parametrize("query", [STATUS + "AuthnFailed", "AuthnFailed", "authnfailed"])
def test_saml_status_code(cli, query):
    """A status code from a SAML message or a log line, full or short, in plain words."""
    r = cli("explain", query)
    assert r.exit_code == 0
    assert "SAML status AuthnFailed" in r.stdout and "Okta System Log" in r.stdout
    assert "SAML_STATUS_NOT_SUCCESS" in r.stdout


def test_top_and_second_level_status_from_a_log_line(cli):
    line = f"StatusCode {STATUS}Responder / {STATUS}RequestDenied"
    doc = cli("explain", "--json", line).json()
    assert [m["key"] for m in doc["data"]["matches"]] == [STATUS + "Responder",
                                                          STATUS + "RequestDenied"]
    assert all(m["kind"] == "saml_status" for m in doc["data"]["matches"])
    text = cli("explain", line).stdout
    assert text.index("SAML status Responder") < text.index("SAML status RequestDenied")
    assert "Assignments" in text


def test_every_status_code_has_an_explanation():
    from ssoctl.explain import explain
    from ssoctl.saml.status import STATUS_TEXT

    for name in STATUS_TEXT:
        [match] = explain(STATUS + name).matches
        assert match.kind == "saml_status" and match.title == name and match.explanation


def test_approximate_code_says_it_is_not_exact(cli):
    r = cli("explain", "SAML_AUDIENSE_MISMATCH")
    assert r.exit_code == 0
    assert "No code is called 'SAML_AUDIENSE_MISMATCH'; the closest match:" in r.stdout
    assert "SAML_AUDIENCE_MISMATCH" in r.stdout and "(closest)" in r.stdout
    exact = cli("explain", "SAML_AUDIENCE_MISMATCH").stdout
    assert "closest" not in exact


def test_list_filters_by_code_or_title(cli):
    r = cli("explain", "--list", "audience")
    assert r.exit_code == 0
    assert "SAML_AUDIENCE_MISMATCH" in r.stdout and "audience-mismatch" in r.stdout
    assert "CERT_EXPIRED" not in r.stdout and "SAML status codes" not in r.stdout
    doc = cli("explain", "--list", "AUDIENCE", "--json").json()
    data = doc["data"]
    assert doc["ok"] is True and data["filter"] == "AUDIENCE"
    assert {c["code"] for c in data["finding_codes"]} >= {"SAML_AUDIENCE_MISMATCH"}
    assert all("audience" in (c["code"] + c["title"]).lower() for c in data["finding_codes"])
    assert all("audience" in (k["id"] + k["text"]).lower() for k in data["known_errors"])


def test_list_filter_matches_titles_statuses_and_ignores_dash_underscore(cli):
    data = cli("explain", "--list", "AuthnFailed", "--json").json()["data"]
    assert [s["name"] for s in data["saml_status_codes"]] == ["AuthnFailed"]
    data = cli("explain", "--list", "cert-expired", "--json").json()["data"]
    assert "CERT_EXPIRED" in {c["code"] for c in data["finding_codes"]}
    data = cli("explain", "--list", "not assigned", "--json").json()["data"]
    assert "okta-app-not-assigned" in {k["id"] for k in data["known_errors"]}


def test_list_filter_with_no_match_says_so_and_exits_1(cli):
    r = cli("explain", "--list", "printer", "fire")
    assert r.exit_code == 1
    assert "contains 'printer fire'" in r.stdout and "Finding codes" not in r.stdout
    # the suggested command can be pasted into a shell as it is
    assert "`ssoctl explain 'printer fire'`" in r.stdout
    doc = cli("explain", "--list", "printer", "--json").json()
    assert doc["ok"] is False and doc["data"]["filter"] == "printer"
    assert doc["data"]["finding_codes"] == [] == doc["data"]["known_errors"]


def test_list_without_filter_is_unchanged(cli):
    doc = cli("explain", "--list", "--json").json()
    assert doc["data"]["filter"] is None and len(doc["data"]["finding_codes"]) > 50


def test_list_filter_from_stdin(cli):
    data = cli("explain", "--list", "-", "--json", input="Audience\n").json()["data"]
    assert data["filter"] == "Audience"
    assert "SAML_AUDIENCE_MISMATCH" in {c["code"] for c in data["finding_codes"]}


def test_explain_from_empty_stdin_is_an_input_error_its_exit_codes_list():
    """``explain -`` with nothing (or binary) on stdin exits 3, and 3 is among the exit
    codes documented for explain (help epilog and docs/exit-codes.md)."""
    from ssoctl.errors import COMMAND_EXIT_CODES, ExitCode
    from ssoctl.cli.app import app
    from typer.testing import CliRunner

    for stdin in (b"", bytes(range(1, 32)) * 40):
        result = CliRunner().invoke(app, ["explain", "-"], input=stdin)
        assert result.exit_code == ExitCode.INPUT
    assert ExitCode.INPUT in COMMAND_EXIT_CODES["explain"]
