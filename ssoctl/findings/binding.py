"""Finding codes for the binding area: how a captured SAML message was read.

These describe the *transport* of a message (base64, URL encoding, deflate, HAR files),
not its contents. Plain data: import nothing heavy here.
"""

from ssoctl.errors import ExitCode  # noqa: F401  (used by trust-failure entries)
from ssoctl.findings import CodeInfo, Severity

CODES: tuple[CodeInfo, ...] = (
    CodeInfo(
        "BINDING_WHITESPACE_REMOVED", Severity.INFO,
        "line breaks or spaces removed from the base64 value",
        "The base64 text of the message contained line breaks or spaces (from wrapping in an "
        "editor, an e-mail, or an IdP such as Shibboleth that wraps at 76 columns). They are "
        "not part of the message and were removed before decoding.",
        "nothing to fix; when copying again, take the value from the browser's network tab",
    ),
    CodeInfo(
        "BINDING_PLUS_RESTORED", Severity.INFO,
        "'+' characters had turned into spaces and were restored",
        "Base64 uses '+'. When a value is URL-decoded once too often (copying it from a "
        "decoded form view, a log, or a query string), every '+' becomes a space. The spaces "
        "were turned back into '+' before decoding.",
        "nothing to fix; if decoding fails, copy the raw (still encoded) SAMLResponse value "
        "from the browser's network tab",
    ),
    CodeInfo(
        "BINDING_URL_ENCODED", Severity.INFO,
        "the value was URL-encoded and has been decoded",
        "The value contained %XX escapes (e.g. %2B for '+', %3D for '='), as it appears in a "
        "query string or form body. It was URL-decoded once before base64 decoding.",
    ),
    CodeInfo(
        "BINDING_URLSAFE_BASE64", Severity.WARNING,
        "the value uses the URL-safe base64 alphabet ('-' and '_')",
        "The SAML bindings use standard base64 ('+' and '/'). This value uses the URL-safe "
        "alphabet, which some tools and proxies produce. ssoctl decoded it anyway, but a "
        "service provider will usually reject it.",
        "capture the message again from the browser's network tab rather than from a tool "
        "that re-encodes it",
    ),
    CodeInfo(
        "BINDING_RELAY_STATE", Severity.INFO,
        "a RelayState travelled with the message",
        "RelayState is opaque state the SP (or IdP) sends along with the message and expects "
        "back unchanged, often the page to return to after login. It is not part of the SAML "
        "message and is not signed by the XML signature.",
    ),
    CodeInfo(
        "BINDING_REDIRECT_SIGNED", Severity.INFO,
        "the HTTP-Redirect URL carries a query-string signature",
        "With the HTTP-Redirect binding the signature is not inside the XML but in the "
        "SigAlg and Signature query parameters, computed over the raw query string. "
        "Checking it needs the exact query string as sent and the sender's certificate.",
    ),
    CodeInfo(
        "BINDING_REDIRECT_NOT_DEFLATED", Severity.WARNING,
        "a message in a URL was not deflated",
        "The HTTP-Redirect binding requires the XML to be DEFLATE-compressed before base64. "
        "This one was plain base64. Many SPs and IdPs refuse such a message.",
        "check the sender's binding settings (HTTP-Redirect must deflate; large messages "
        "such as Responses belong in an HTTP-POST form)",
    ),
    CodeInfo(
        "BINDING_POST_DEFLATED", Severity.WARNING,
        "a message in a POST form was deflated",
        "The HTTP-POST binding carries plain base64 XML; DEFLATE belongs to HTTP-Redirect. "
        "Many SPs and IdPs cannot read it.",
        "check the sender's binding settings: a message sent by HTTP-POST must not be "
        "compressed",
    ),
    CodeInfo(
        "BINDING_ARTIFACT", Severity.WARNING,
        "an artifact (SAMLart) was found, not a message",
        "With the HTTP-Artifact binding the browser carries only a reference; the SP fetches "
        "the message from the IdP over a back channel, so it is not in the capture.",
        "for Okta and sipgate use the HTTP-POST binding; to read an artifact flow, capture "
        "the back-channel exchange on the SP",
    ),
    CodeInfo(
        "BINDING_RESPONSE_PICKED", Severity.INFO,
        "several messages in the capture: the one Response posted to the SP was decoded",
        "A login capture holds the AuthnRequest, the Response the browser posted to the SP's "
        "ACS URL and often more (logout, repeated logins). With exactly one Response posted, "
        "that is the message decoded when no --entry is given; the others are still used "
        "(an AuthnRequest's ID is what InResponseTo must answer).",
        "to decode another message, list them with --list and pick one with --entry N, or "
        "decode every one with --all",
    ),
    CodeInfo(
        "BINDING_HAR_SECRETS", Severity.INFO,
        "the capture holds cookies or Authorization headers (values not shown)",
        "HAR files and SAML-tracer exports record request and response headers, including "
        "session cookies and Authorization headers. ssoctl never prints their values, but "
        "anyone holding the file can use those sessions until they expire.",
        "treat the file like a password: don't attach it to tickets; delete it when done, "
        "or sign out (ending the sessions) before sharing it",
    ),
    CodeInfo(
        "BINDING_DUPLICATES_SKIPPED", Severity.INFO,
        "the same message appeared more than once in the capture",
        "A message usually appears twice in a HAR file: in the IdP's answer (a redirect "
        "Location header or an auto-submit HTML form) and in the browser's next request. "
        "Each message is listed once, from the request that carried it.",
    ),
    CodeInfo(
        "BINDING_MESSAGE_SKIPPED", Severity.WARNING,
        "a SAML message in the capture could not be decoded and was skipped",
        "One of several messages in a HAR file or SAML-tracer export is damaged (cut off, "
        "not base64, not XML). The other messages were decoded; the message says why this "
        "one was not.",
        "capture the login again; in the browser's network tab tick 'Preserve log' so "
        "redirects are kept",
    ),
)
