"""Known login error texts: what a failed SSO login page says, why, and what to do.

``ssoctl explain "TEXT"`` matches what the user saw against this catalogue (case,
punctuation and partial text do not matter). Each entry says where the text is documented
(``source``); entries whose wording is not confirmed by a public source are marked
``confidence="guess"`` and say so when shown. Texts may contain ``{placeholders}`` for
the parts that vary (an app name, an URL, an ID).

Plain data and the standard library only: ``ssoctl explain`` must start fast.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

from ssoctl.findings.console import okta

#: The OneLogin SAML toolkits (php-saml, python3-saml, ruby-saml, java-saml) are used by
#: many service providers; their error texts reach users verbatim.
ONELOGIN = "SP using a OneLogin SAML toolkit (php-saml, python3-saml, ruby-saml, java-saml)"
ONELOGIN_SRC = "OneLogin SAML toolkits' source and tests (php-saml, python3-saml, ruby-saml)"


@dataclass(frozen=True)
class KnownError:
    """One known error text with its cause and fix."""

    id: str
    vendor: str
    texts: tuple[str, ...]
    cause: str
    fix: str
    source: str
    confidence: str = "documented"
    """"documented" (text confirmed by the source) or "guess" (wording not confirmed)."""
    codes: tuple[str, ...] = ()
    """Related finding codes (``ssoctl explain CODE``)."""
    keywords: tuple[str, ...] = ()
    """Words a user may type instead of the text ("expired", "wrong certificate")."""

    @property
    def text(self) -> str:
        """The main text, as shown on the page."""
        return self.texts[0]


KNOWN_ERRORS: tuple[KnownError, ...] = (
    KnownError(
        id="sipgate-stale-sso-link",
        vendor="sipgate",
        texts=("An error has occurred. Please try again. Back to login.",),
        cause="The web user logged in with SSO before, was then deleted and created again "
              "as a new web user. sipgate's SSO side still links the old user, so the login "
              "of the new one fails.",
        fix="Only sipgate support can remove the stale SSO link: contact sipgate support, "
            "name the user's e-mail address, and ask them to delete the old SSO entry. Then "
            "try the SSO login again. Changing Okta or sipgate SSO settings does not help.",
        source="sipgate help centre, 'How do I set up SAML SSO with Okta?', Errors and "
               "solutions",
        keywords=("deleted user", "re-created user", "recreated user"),
    ),
    KnownError(
        id="sipgate-stale-sso-link-de",
        vendor="sipgate (German interface)",
        texts=("Es ist ein Fehler aufgetreten. Bitte versuche es erneut. Zurück zum Login.",),
        cause="Probably the same as sipgate-stale-sso-link: a web user deleted and created "
              "again while the old SSO link remains.",
        fix="Contact sipgate support and ask them to delete the old SSO entry of the user.",
        source="unverified German wording of the documented English message",
        confidence="guess",
    ),
    KnownError(
        id="okta-app-not-assigned",
        vendor="Okta",
        texts=("Sorry, you can't access {app} because you are not assigned this app in Okta. "
               "If you're wondering why this is happening, please contact your administrator.",
               "Sorry, you can't access {app} because you are not assigned this app in Okta.",
               "Sorry, you cannot access {app} because you are not assigned this app in Okta.",
               "403 App Not Assigned", "Not Assigned App"),
        cause="The user (or a group they belong to) is not assigned to the SAML app in Okta, "
              "or the assignment has an error. Okta refuses to send a SAML response.",
        fix="In the Okta Admin Console open Applications > Applications > (the sipgate app) > "
            "Assignments and assign the user or their group; check the user's profile > "
            "Applications for assignment errors. Then log in again.",
        source="Okta support: 'App Sign-on Error 403 User attempted unauthorized access to app'",
        keywords=("not assigned", "assignment", "assign user"),
    ),
    KnownError(
        id="okta-policy-denied",
        vendor="Okta",
        texts=("You are not allowed to access this app. To request access, contact an admin.",),
        cause="An Okta authentication policy (Okta Identity Engine) denies this user access "
              "to the app, even though the user may be assigned.",
        fix="In the Okta Admin Console open the app's Sign On tab > User authentication and "
            "check its authentication policy rules (e.g. the Catch-all Rule) for this user.",
        source="Okta support: 'You are not allowed to access this app. To request access, "
               "contact an admin.'",
        keywords=("authentication policy", "not allowed"),
    ),
    KnownError(
        id="okta-400-saml-request",
        vendor="Okta",
        texts=("400 Bad Request", "/error/400_SAML"),
        cause="Okta rejected the SP's AuthnRequest: typically 'Validate SAML requests with "
              "signature certificates' is on and the request is unsigned, signed with another "
              "certificate, or lacks AssertionConsumerServiceURL/NameIDPolicy.",
        fix="Decode the AuthnRequest (ssoctl decode-response on a HAR of the login). In Okta, "
            "app > General > SAML Settings > Show Advanced Settings > Signed Requests: turn "
            "validation off, or upload the SP's current signing certificate.",
        source="Auth0 support: 'Okta SAML Integration with Signed Requests'",
        codes=("SAML_REQUEST_MISMATCH",),
        keywords=("signed requests", "400"),
    ),
    KnownError(
        id="signature-invalid",
        vendor=ONELOGIN,
        texts=("Signature validation failed. SAML Response rejected",
               "Signature did not validate against the credential's key",
               "Invalid signature"),
        cause="The SP checks the signature with a different certificate than the one the "
              "IdP signs with: a certificate from another Okta app, an old certificate after "
              "a key rollover, or a certificate damaged by copy and paste.",
        fix="Download the signing certificate (" + okta("download_certificate") + "; not "
            "Copy) and paste it into sipgate's Certificate field. Check it with "
            "`ssoctl check-cert FILE`; compare with `ssoctl decode-response --cert FILE`.",
        source=ONELOGIN_SRC + "; ServiceNow docs 'Common IdP connection errors'",
        codes=("SIG_INVALID", "SIG_CERT_MISMATCH", "SAML_SIGNING_CERT_MISMATCH"),
        keywords=("signature", "certificate mismatch", "wrong certificate", "certificate"),
    ),
    KnownError(
        id="signature-missing",
        vendor=ONELOGIN,
        texts=("No Signature found. SAML Response rejected",),
        cause="The SP requires a signed Response (or signed Assertion) and the message it got "
              "carries no signature there.",
        fix="In Okta open the app > General > SAML Settings > Show Advanced Settings and set "
            "Response and Assertion Signature to Signed, as the SP requires.",
        source=ONELOGIN_SRC,
        codes=("SIG_UNSIGNED", "SAML_ASSERTION_NOT_SIGNED", "SAML_RESPONSE_NOT_SIGNED"),
        keywords=("unsigned", "no signature"),
    ),
    KnownError(
        id="audience-mismatch",
        vendor=ONELOGIN + "; OpenSAML; ServiceNow",
        texts=("Invalid audience for this Response (expected '{sp}', got '{audience}')",
               "Local entity is not the intended audience of the assertion in at least one "
               "AudienceRestriction",
               "AudienceRestriction validation failed"),
        cause="The Audience in the assertion (Okta's Audience URI) is not the SP's entity ID.",
        fix="In Okta set Audience URI (SP Entity ID) to sipgate's Entity ID exactly "
            "(scheme, host, path, trailing slash).",
        source=ONELOGIN_SRC + "; Software AG API Gateway docs; ServiceNow docs",
        codes=("SAML_AUDIENCE_MISMATCH", "SAML_AUDIENCE_MISSING"),
        keywords=("audience", "audience uri", "sp entity id"),
    ),
    KnownError(
        id="issuer-mismatch",
        vendor=ONELOGIN + "; ServiceNow",
        texts=("Invalid issuer in the Assertion/Response (expected '{idp}', got '{issuer}')",
               "Assertion issuer is invalid"),
        cause="The Issuer of the response (Okta's Issuer, http://www.okta.com/exk…) is not "
              "the IdP entity ID configured on the SP.",
        fix="Copy Okta's Issuer (" + okta("metadata_details") + ") into sipgate's Entity ID "
            "field; "
            "note Okta's Issuer starts with http://, not https://.",
        source=ONELOGIN_SRC + "; ServiceNow docs 'Common IdP connection errors'",
        codes=("SAML_ISSUER_MISMATCH",),
        keywords=("issuer", "idp entity id"),
    ),
    KnownError(
        id="destination-mismatch",
        vendor=ONELOGIN,
        texts=("The response was received at {url} instead of {acs}",),
        cause="The Destination in the response (Okta's Single sign-on URL) is not the URL the "
              "SP received it at (its ACS URL), e.g. http vs https behind a proxy or an old URL.",
        fix="In Okta set Single sign-on URL to sipgate's ACS URL and tick 'Use this for "
            "Recipient URL and Destination URL'.",
        source=ONELOGIN_SRC,
        codes=("SAML_DESTINATION_MISMATCH", "SAML_RECIPIENT_MISMATCH"),
        keywords=("destination", "recipient", "acs url", "single sign on url"),
    ),
    KnownError(
        id="assertion-expired",
        vendor=ONELOGIN,
        texts=("Current time is on or after NotOnOrAfter condition",),
        cause="The assertion's validity window (Okta: about 5 minutes) had ended when the SP "
              "checked it: a response used late (back button, bookmark, replay) or clocks "
              "that differ between IdP and SP.",
        fix="Start the login again from the sipgate login page. If it keeps failing, compare "
            "the IdP and SP clocks (`ssoctl decode-response --now` shows the times).",
        source=ONELOGIN_SRC,
        codes=("SAML_EXPIRED", "SAML_TIME_WITHIN_SKEW"),
        keywords=("expired", "clock skew", "notonorafter", "too late"),
    ),
    KnownError(
        id="assertion-not-yet-valid",
        vendor=ONELOGIN,
        texts=("Current time is earlier than NotBefore condition",),
        cause="The SP's clock is behind the IdP's: the assertion is not valid yet from the "
              "SP's point of view.",
        fix="Fix the clock (NTP) of the SP server, or allow some clock skew on the SP.",
        source=ONELOGIN_SRC,
        codes=("SAML_NOT_YET_VALID", "SAML_TIME_WITHIN_SKEW"),
        keywords=("clock", "clock skew", "notbefore", "not yet valid", "too early"),
    ),
    KnownError(
        id="in-response-to-mismatch",
        vendor=ONELOGIN,
        texts=("The InResponseTo of the Response: {id}, does not match the ID of the "
               "AuthNRequest sent by the SP: {request}",),
        cause="The response answers another login attempt than the one the SP remembers: "
              "several login tabs, a lost session cookie, or an IdP-initiated login (from the "
              "Okta dashboard) where the SP expected its own request.",
        fix="Close other login tabs and start again from the sipgate login page; if users "
            "start from the Okta dashboard, the SP must accept IdP-initiated logins.",
        source=ONELOGIN_SRC,
        codes=("SAML_IN_RESPONSE_TO_MISMATCH", "SAML_IDP_INITIATED"),
        keywords=("inresponseto", "idp initiated", "unsolicited"),
    ),
    KnownError(
        id="invalid-response-generic",
        vendor=ONELOGIN,
        texts=("invalid_response", "SAML Response not valid", "Invalid SAML Response"),
        cause="A generic rejection: the SP found the SAML response invalid; the specific "
              "reason is in the SP's log (or the error's detail text).",
        fix="Capture the login as a HAR file and run `ssoctl decode-response login.har --all "
            "--cert okta.cert` to see which check fails.",
        source=ONELOGIN_SRC + " (the 'invalid_response' error code); the other wordings are "
               "common variants and not confirmed for a specific product",
        confidence="guess",
        codes=("SAML_STATUS_NOT_SUCCESS",),
    ),
)


@dataclass(frozen=True)
class Match:
    """A known error that matches the user's text, with a score in 0..1."""

    error: KnownError
    score: float
    matched_text: str


def normalize(text: str) -> str:
    """Lower case, letters and digits only, single spaces: what matching compares."""
    return " ".join(re.sub(r"[^0-9a-zäöüß]+", " ", text.lower().replace("'", "")).split())


#: Longer input (a whole saved error page) is cut before the letter-by-letter comparison.
MAX_FUZZY = 500
_STOPWORDS = frozenset("a an the is are was be to of in on at for and or this that it its "
                       "you your please if why".split())


def _fragments(pattern: str) -> list[str]:
    return [f for f in (normalize(p) for p in re.split(r"\{[^}]*\}", pattern)) if f]


@functools.lru_cache(maxsize=4)
def _words(text: str) -> frozenset[str]:
    """The words of ``text`` without stop words (cached: one query is compared with every
    known error, and a pasted page may be 64 KB)."""
    return frozenset(w for w in text.split() if w not in _STOPWORDS)


def score_text(query: str, pattern: str) -> float:
    """How well ``query`` (normalized) matches ``pattern`` (raw, with placeholders).

    1.0 when every fixed part of the pattern occurs, in order, in the query (the user
    pasted the whole message, maybe with more around it). Otherwise the best of: the
    query is a piece of the message; most of the query's words are in the message
    (partial paste); or the texts are similar letter by letter (typos).
    """
    frags = _fragments(pattern)
    if not frags or not query:
        return 0.0
    pos, whole = 0, True
    for frag in frags:
        found = query.find(frag, pos)
        if found < 0:
            whole = False
            break
        pos = found + len(frag)
    if whole:
        return 1.0
    joined = " ".join(frags)
    scores = [difflib.SequenceMatcher(None, query[:MAX_FUZZY], joined, autojunk=False).ratio()]
    if len(query) >= 12 and query in joined:
        scores.append(0.6 + 0.35 * len(query) / len(joined))
    q_words, p_words = _words(query), _words(joined)
    if len(q_words) >= 2 and p_words:
        common = len(q_words & p_words)
        scores.append(0.6 * common / len(q_words) + 0.35 * common / len(p_words))
    return max(scores)


def _keyword(query: str, keyword: str) -> bool:
    word = normalize(keyword)
    return bool(word) and f" {word} " in f" {query} "


def _near_keyword(query: str, keyword: str) -> bool:
    """A one- or two-word query that is a typo of a keyword ("expird")."""
    word = normalize(keyword)
    if len(query) < 5 or len(query.split()) > 2:
        return False
    matcher = difflib.SequenceMatcher(None, query, word)
    # The length bound first: a long pasted word must not cost a full comparison.
    return matcher.real_quick_ratio() >= 0.85 and matcher.ratio() >= 0.85


def match(text: str, *, threshold: float = 0.55, limit: int = 5) -> list[Match]:
    """Known errors matching ``text``, best first (at most ``limit``)."""
    query = normalize(text)
    found = []
    for error in KNOWN_ERRORS:
        best = max(((score_text(query, t), t) for t in error.texts), key=lambda s: s[0])
        if best[0] < 0.7 and any(_keyword(query, k) for k in error.keywords):
            best = (0.7, error.text)
        elif best[0] < 0.6 and any(_near_keyword(query, k) for k in error.keywords):
            best = (0.6, error.text)
        if best[0] >= threshold:
            found.append(Match(error, round(best[0], 3), best[1]))
    found.sort(key=lambda m: (-m.score, m.error.confidence != "documented", m.error.id))
    return found[:limit]


def by_id(error_id: str) -> KnownError | None:
    """The entry with this id (case-insensitive), or None."""
    wanted = error_id.strip().lower()
    return next((e for e in KNOWN_ERRORS if e.id == wanted), None)
