"""ssoctl.knownerrors: the catalogue of login error texts and the matcher behind `explain`."""

from __future__ import annotations

import pytest

from ssoctl import explain as lookup
from ssoctl.explain import explain
from ssoctl.findings import catalogue
from ssoctl.knownerrors import KNOWN_ERRORS, match, normalize

SIPGATE = "An error has occurred. Please try again. Back to login."


def test_ids_are_unique_slugs_and_entries_complete():
    ids = [e.id for e in KNOWN_ERRORS]
    assert len(ids) == len(set(ids))
    for entry in KNOWN_ERRORS:
        assert entry.id == entry.id.lower() and " " not in entry.id
        assert entry.texts and entry.cause and entry.fix and entry.source
        assert entry.confidence in ("documented", "guess")


def test_related_codes_exist_in_the_finding_catalogue():
    known = set(catalogue())
    for entry in KNOWN_ERRORS:
        missing = set(entry.codes) - known
        assert not missing, f"{entry.id} names unknown finding codes {missing}"


def test_sipgate_text_is_known_with_the_support_fix():
    best = match(SIPGATE)[0]
    assert best.error.id == "sipgate-stale-sso-link" and best.score == 1.0
    assert "support" in best.error.fix and "deleted" in best.error.cause
    assert best.error.confidence == "documented"


@pytest.mark.parametrize("query", [
    SIPGATE.upper(),
    "an error has occurred please try again back to login",
    "Fehlermeldung: 'An error has occurred. Please try again. Back to login.' (seit gestern)",
    "An error has occurred",
    "error has occured. please try again",
])
def test_sipgate_text_matches_despite_case_punctuation_and_partial_text(query):
    assert match(query)[0].error.id == "sipgate-stale-sso-link"


@pytest.mark.parametrize("query, expected", [
    ("Sorry, you can't access sipgate because you are not assigned this app in Okta.",
     "okta-app-not-assigned"),
    ("403 App Not Assigned", "okta-app-not-assigned"),
    ("You are not allowed to access this app. To request access, contact an admin.",
     "okta-policy-denied"),
    ("Signature validation failed. SAML Response rejected", "signature-invalid"),
    ("invalid signature", "signature-invalid"),
    ("wrong certificate", "signature-invalid"),
    ("No Signature found. SAML Response rejected", "signature-missing"),
    ("Invalid audience for this Response (expected 'https://sipgate/x', got 'https://y')",
     "audience-mismatch"),
    ("Invalid issuer in the Assertion/Response (expected 'http://www.okta.com/exk1', got 'x')",
     "issuer-mismatch"),
    ("The response was received at http://a/acs instead of https://a/acs",
     "destination-mismatch"),
    ("Current time is on or after NotOnOrAfter condition", "assertion-expired"),
    ("expired", "assertion-expired"),
    ("Current time is earlier than NotBefore condition", "assertion-not-yet-valid"),
    ("The InResponseTo of the Response: id123, does not match the ID of the AuthNRequest "
     "sent by the SP: _abc", "in-response-to-mismatch"),
    ("SAML response not valid", "invalid-response-generic"),
])
def test_common_texts(query, expected):
    assert match(query)[0].error.id == expected


def test_several_candidates_are_ranked():
    found = match("Signature validation failed. SAML Response rejected")
    assert len(found) >= 2
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert found[0].score > found[1].score


def test_unrelated_text_matches_nothing():
    assert match("the printer is on fire") == []
    assert explain("the printer is on fire").matches == ()


def test_normalize():
    assert normalize("  Can't  LOG-in!  ") == "cant log in"


def test_explain_exact_finding_code_is_case_insensitive():
    result = explain("saml-audience-mismatch")
    assert len(result.matches) == 1
    item = result.matches[0]
    assert item.kind == "finding" and item.key == "SAML_AUDIENCE_MISMATCH"
    assert item.area == "saml" and item.fix


def test_explain_every_catalogued_code():
    for code in catalogue():
        assert explain(code.lower()).matches[0].key == code


def test_explain_error_code_from_docs():
    item = explain("SAML_INFLATE_TOO_LARGE").matches[0]
    assert item.kind == "error_code" and item.exit_code == 3


def test_explain_known_error_by_id():
    item = explain("sipgate-stale-sso-link").matches[0]
    assert item.kind == "known_error" and item.text == SIPGATE


def test_explain_fuzzy_code():
    keys = [m.key for m in explain("SAML_AUDIENCE_MISMACH").matches]
    assert keys[0] == "SAML_AUDIENCE_MISMATCH"


def test_explain_long_pasted_page_is_fast_and_still_matches():
    page = ("<html><body>" + "lorem ipsum dolor " * 3000 + SIPGATE + "</body></html>")
    assert explain(page).matches[0].key == "sipgate-stale-sso-link"


def test_explain_one_long_pasted_word_is_not_compared_letter_by_letter(monkeypatch):
    # A pasted base64 blob is one code-like "word": comparing all of it with every code
    # took seconds (12 s for 60,000 characters). Only the first MAX_FUZZY characters may
    # ever go into a letter-by-letter comparison.
    import difflib

    from ssoctl.knownerrors import MAX_FUZZY

    compared = []
    ratio = difflib.SequenceMatcher.ratio
    monkeypatch.setattr(difflib.SequenceMatcher, "ratio",
                        lambda self: compared.append(len(self.a)) or ratio(self))
    blob = "PHNhbWxwOlJlc3BvbnNl" * 3000
    assert explain(blob).matches == ()
    assert compared and max(compared) <= MAX_FUZZY
    assert explain("SAML_AUDIENCE_MISMACH").matches[0].key == "SAML_AUDIENCE_MISMATCH"
    assert [m.error.id for m in match("expird")]


def test_guessed_entries_say_so():
    guesses = [e for e in KNOWN_ERRORS if e.confidence == "guess"]
    assert guesses
    for entry in guesses:
        assert "unverified" in entry.source or "not confirmed" in entry.source


def test_error_codes_missing_docs_is_not_fatal(monkeypatch, tmp_path):
    monkeypatch.setattr(lookup, "__file__", str(tmp_path / "ssoctl" / "explain.py"))
    assert lookup.error_code_entries() == []
