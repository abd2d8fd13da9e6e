"""Finding codes for the Okta app checks (``ssoctl okta check`` and ``audit``).

Plain data: import nothing heavy here. Hints name the Okta Admin Console screen and field
(from the one table in :mod:`ssoctl.findings.console`).
"""

from ssoctl.findings import CodeInfo, Severity
from ssoctl.findings.console import okta

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

#: Where the SAML settings of an app are edited in the Admin Console.
SAML_SETTINGS = okta("saml_settings")

CODES: tuple[CodeInfo, ...] = (
    CodeInfo("OKTA_APP_INACTIVE", E, "the Okta app is inactive",
             "An inactive app signs nobody in: sipgate logins started from sipgate end on "
             "an Okta error page.",
             "activate it: " + okta("activate") + " (or `ssoctl okta configure`, which "
             "activates)"),
    CodeInfo("OKTA_APP_UNASSIGNED", E, "nobody is assigned to the Okta app",
             "Okta only signs in users who are assigned to the app, directly or through a "
             "group. With no assignment every sipgate login ends with \"User is not assigned "
             "to this application\".",
             okta("assign_groups") + " (or `ssoctl okta configure --assign-group NAME`)"),
    CodeInfo("OKTA_INACTIVE_ASSIGNED", W, "an inactive app still has assignments",
             "Users or groups are assigned to an app that is inactive: either the app should "
             "be active, or the assignments are left over.",
             "activate the app, or remove its assignments and delete it"),
    CodeInfo("OKTA_NAMEID_NOT_EMAIL", E, "Name ID format is not EmailAddress",
             "sipgate identifies users by e-mail address: Okta must send the NameID in the "
             "emailAddress format.",
             f"{SAML_SETTINGS} → Name ID format: EmailAddress"),
    CodeInfo("OKTA_USERNAME_NOT_EMAIL", E, "Application username is not the e-mail address",
             "The NameID Okta sends is the application username; sipgate matches it against "
             "the user's e-mail address, so it must be the Okta user's Email.",
             f"{SAML_SETTINGS} → Application username: Email"),
    CodeInfo("OKTA_ACS_URL_MISMATCH", E, "Single sign-on URL is not sipgate's ACS URL",
             "Okta posts the SAML response to the Single sign-on URL; it must be the ACS URL "
             "shown on sipgate's Single Sign-on page.",
             f"{SAML_SETTINGS} → Single sign-on URL: sipgate's ACS URL"),
    CodeInfo("OKTA_RECIPIENT_MISMATCH", E, "Recipient URL is not sipgate's ACS URL",
             "sipgate rejects a response whose SubjectConfirmationData Recipient is not its "
             "ACS URL.",
             f"{SAML_SETTINGS} → tick \"Use this for Recipient URL and Destination URL\""),
    CodeInfo("OKTA_DESTINATION_MISMATCH", E, "Destination URL is not sipgate's ACS URL",
             "sipgate rejects a response whose Destination is not its ACS URL.",
             f"{SAML_SETTINGS} → tick \"Use this for Recipient URL and Destination URL\""),
    CodeInfo("OKTA_AUDIENCE_MISMATCH", E, "Audience URI is not sipgate's Entity ID",
             "sipgate only accepts assertions whose Audience is its own Entity ID.",
             f"{SAML_SETTINGS} → Audience URI (SP Entity ID): sipgate's Entity ID"),
    CodeInfo("OKTA_SP_VALUES_MISSING", I, "sipgate's ACS URL and Entity ID were not given",
             "Without them the Single sign-on URL, Recipient, Destination and Audience cannot "
             "be compared with what sipgate expects.",
             "pass --acs-url and --sp-entity-id, or set acs_url and sp_entity_id in the "
             "profile"),
    CodeInfo("OKTA_SHA1", E, "the app signs with SHA-1",
             "SHA-1 signatures can be forged and sipgate expects RSA-SHA256 with a SHA256 "
             "digest.",
             okta("advanced", "Signature Algorithm: RSA-SHA256, Digest Algorithm: SHA256")),
    CodeInfo("OKTA_ASSERTION_UNSIGNED", E, "the assertion is not signed",
             "sipgate verifies the signature on the assertion; an unsigned assertion is "
             "rejected (and would be forgeable).",
             okta("advanced", "Assertion Signature: Signed")),
    CodeInfo("OKTA_SIGNING_KEY_MISSING", E, "the app's active signing key is not in its key store",
             "credentials.signing.kid names a key that the app's key list does not hold, so "
             "the certificate cannot be checked.",
             okta("new_certificate") + "; or run `ssoctl okta rotate-cert APP`"),
    CodeInfo("OKTA_SEVERAL_KEYS", I, "the app has several signing keys",
             "Only the active key signs; the others are rollover or old keys. sipgate holds "
             "exactly one certificate, which must be the active key's.",
             "compare sipgate's Certificate with the active one (`ssoctl okta metadata APP`)"),
    CodeInfo("OKTA_NOT_SIPGATE", I, "not a sipgate app: only the generic checks were run",
             "The app's Single sign-on URL and Audience do not point at sipgate, so the "
             "sipgate-specific checks (Name ID, username, URLs) were skipped.",
             "nothing to do, unless this app is meant for sipgate"),
)
