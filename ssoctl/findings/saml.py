"""Finding codes for the saml area: what a decoded SAML message says, checked against
what the SP expects. Plain data: import nothing heavy here."""

from ssoctl.errors import ExitCode
from ssoctl.findings import CodeInfo, Severity
from ssoctl.findings.console import okta

_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

CODES: tuple[CodeInfo, ...] = (
    CodeInfo(
        "SAML_STATUS_NOT_SUCCESS", _E, "the IdP answered with an error status",
        "The Response's StatusCode is not Success, so it carries no usable assertion. The "
        "top-level code says who the IdP blames (Requester: the SP's request; Responder: the "
        "IdP itself); the second-level code and StatusMessage say why.",
        "read the status explanation; with Okta, Responder usually means the user is not "
        "assigned to the app (" + okta("assignments") + ")"),
    CodeInfo(
        "SAML_NO_STATUS", _E, "the Response has no Status",
        "Every SAML Response and LogoutResponse must carry a samlp:Status with a StatusCode. "
        "Without it no SP can tell success from failure and it rejects the message; Okta "
        "always sends one, so the capture is incomplete or the message was built by hand.",
        "capture the message again (whole SAMLResponse value or a HAR file); if it really "
        "comes from the IdP like this, report it to the IdP's administrator"),
    CodeInfo(
        "SAML_NO_ASSERTION", _E, "a successful Response without an assertion",
        "The status is Success but the Response holds no Assertion (and no "
        "EncryptedAssertion). No SP can log anyone in with it.",
        "check the app's SAML settings (" + okta("saml_settings") + "); capture the "
        "Response again"),
    CodeInfo(
        "SAML_ISSUER_MISMATCH", _E, "Issuer is not the IdP entity ID the SP expects",
        "The SP accepts messages only from the IdP entity ID it was configured with. Okta's "
        "Issuer looks like http://www.okta.com/exk... (http, not https) and must be copied "
        "exactly.",
        "copy Okta's Issuer (" + okta("metadata_details") + ") into the sipgate Entity ID "
        "field"),
    CodeInfo(
        "SAML_AUDIENCE_MISMATCH", _E, "Audience is not the SP entity ID",
        "The assertion is addressed to another service provider: none of its Audience values "
        "is the SP's entity ID, so the SP must refuse it.",
        "set Audience URI (SP Entity ID) to the sipgate Entity ID (" + okta("saml_settings")
        + ")"),
    CodeInfo(
        "SAML_AUDIENCE_MISSING", _W, "the assertion names no Audience",
        "Without an AudienceRestriction the assertion could be replayed at any SP; strict "
        "SPs refuse it.",
        "set Audience URI (SP Entity ID) to the sipgate Entity ID (" + okta("saml_settings")
        + ")"),
    CodeInfo(
        "SAML_DESTINATION_MISMATCH", _E, "Destination is not the SP's ACS URL",
        "The Response's Destination attribute must equal the URL it was posted to, the SP's "
        "Assertion Consumer Service (ACS) URL.",
        "set Single sign-on URL to the sipgate ACS URL and tick 'Use this for Recipient "
        "URL and Destination URL' (" + okta("saml_settings") + ")"),
    CodeInfo(
        "SAML_RECIPIENT_MISMATCH", _E, "SubjectConfirmation Recipient is not the SP's ACS URL",
        "The bearer confirmation's Recipient must equal the SP's ACS URL; otherwise the SP "
        "must refuse the assertion.",
        "set Single sign-on URL to the sipgate ACS URL and tick 'Use this for Recipient "
        "URL and Destination URL' (" + okta("saml_settings") + ")"),
    CodeInfo(
        "SAML_NAMEID_MISSING", _E, "the assertion has no NameID",
        "The SP identifies the user by the NameID in the Subject; there is none.",
        "set Name ID format to EmailAddress and Application username to Email ("
        + okta("saml_settings") + ")"),
    CodeInfo(
        "SAML_NAMEID_NOT_EMAIL", _E, "NameID is not an e-mail address",
        "sipgate finds the user by e-mail address; a NameID such as a user name or an Okta "
        "id matches no sipgate user.",
        "set Application username to Email (and Name ID format to EmailAddress) ("
        + okta("saml_settings") + ")"),
    CodeInfo(
        "SAML_NAMEID_FORMAT", _W, "NameID format is not emailAddress",
        "sipgate expects the NameID format urn:oasis:names:tc:SAML:1.1:nameid-format:"
        "emailAddress. Another format may work when the value is an e-mail address, but "
        "strict SPs refuse it.",
        "set Name ID format to EmailAddress (" + okta("saml_settings") + ")"),
    CodeInfo(
        "SAML_EXPIRED", _E, "the message has expired",
        "A NotOnOrAfter time (Conditions or SubjectConfirmationData) has passed, beyond the "
        "allowed clock skew. For a capture taken a while ago this is expected; for a live "
        "login it means the login took too long or a clock is wrong.",
        "capture a fresh login, or add --now with the login's time to check the rest"),
    CodeInfo(
        "SAML_NOT_YET_VALID", _E, "the message is not valid yet",
        "A NotBefore time (or the IssueInstant) lies in the future, beyond the allowed clock "
        "skew: the IdP's clock runs ahead of the SP's (or of this computer's).",
        "fix the clock (NTP) on the machine that is behind; Okta's clock is normally right"),
    CodeInfo(
        "SAML_TIME_WITHIN_SKEW", _W, "valid only thanks to clock-skew tolerance",
        "The message is just outside its validity window but within the allowed clock skew "
        "(--skew). An SP with a smaller tolerance refuses it.",
        "check the clocks (NTP) of the IdP and the SP"),
    CodeInfo(
        "SAML_BAD_TIME", _E, "a time value is not a valid xs:dateTime",
        "SAML times must look like 2026-01-31T12:00:00Z. An unreadable time makes the SP "
        "refuse the message.",
        "capture the message again; if it persists, report it to the IdP vendor"),
    CodeInfo(
        "SAML_IN_RESPONSE_TO_MISMATCH", _E, "InResponseTo does not match the request",
        "The Response answers another AuthnRequest than the one given with --request-id (or, "
        "in the assertion, a different one than the Response says). The SP refuses answers "
        "to requests it did not send.",
        "start the login again from sipgate's login page (SP-initiated) and capture both "
        "the AuthnRequest and the Response"),
    CodeInfo(
        "SAML_IDP_INITIATED", _I, "IdP-initiated login (no InResponseTo)",
        "The Response does not answer an AuthnRequest: the user started from the Okta "
        "dashboard. SPs that accept only SP-initiated logins refuse it.",
        "if sipgate refuses it, start the login from sipgate's login page instead"),
    CodeInfo(
        "SAML_SIGNING_CERT_MISMATCH", _E,
        "the IdP signed with another certificate than the one configured",
        "The certificate in the signature's KeyInfo (the one the IdP used) is not the "
        "certificate you gave as trust anchor. With --cert or --fingerprint holding what "
        "sipgate has, this is the 'uploaded the wrong certificate to sipgate' case: an old "
        "certificate, another Okta app's certificate, or a different key after a rotation. "
        "With --metadata, the IdP signed with a certificate its own metadata does not list: "
        "the metadata is stale or belongs to another app.",
        "download the active certificate (" + okta("download_certificate") + ") and paste "
        "that file's text into the sipgate Certificate field; with --metadata, download the "
        "app's metadata again",
        exit_code=ExitCode.TRUST),
    CodeInfo(
        "SAML_ASSERTION_NOT_SIGNED", _W, "only the Response is signed, not the assertion",
        "The Response signature covers the assertion too, so this is secure, but SPs that "
        "require a signed assertion (many do; sipgate's requirement is not documented) "
        "refuse it.",
        "set Assertion Signature to Signed (" + okta("advanced", "Assertion Signature") + ")"),
    CodeInfo(
        "SAML_RESPONSE_NOT_SIGNED", _I, "only the assertion is signed, not the Response",
        "Okta's default. The identity claims are covered by the assertion signature; the "
        "Response's Destination and Status are not. SPs that require a signed Response "
        "refuse it.",
        "only if the SP demands it: set Response to Signed (" + okta("advanced", "Response")
        + ")"),
    CodeInfo(
        "SAML_REQUEST_MISMATCH", _E, "the request does not match the SP settings",
        "An AuthnRequest names another SP entity ID (Issuer) or ACS URL than the ones given; "
        "the IdP answers to what the request says.",
        "compare sipgate's Entity ID and ACS URL with Audience URI and Single sign-on URL ("
        + okta("saml_settings") + ")"),
)
