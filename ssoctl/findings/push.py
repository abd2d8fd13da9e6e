"""Finding codes for the push area. Plain data: import nothing heavy here."""

from ssoctl.errors import ExitCode  # noqa: F401  (used by trust-failure entries)
from ssoctl.findings import CodeInfo, Severity
from ssoctl.findings.console import okta
from ssoctl.links import SP_API

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

CODES: tuple[CodeInfo, ...] = (
    # -- what push is asked to write (checked before any network call)
    CodeInfo("PUSH_SSO_URL_MISSING", E, "no SSO URL to push",
             "sipgate's SSO URL field would be empty, so no login could start.",
             "give --sso-url (Okta's Sign on URL: " + okta("metadata_details") + ") or --metadata"),
    CodeInfo("PUSH_SSO_URL_NOT_HTTPS", E, "the SSO URL is not https",
             "sipgate's SSO URL must be an https:// address; over plain http the login "
             "could be read or altered on the way.",
             "use the https:// Sign on URL from Okta (" + okta("metadata_details") + ")"),
    CodeInfo("PUSH_SSO_URL_INVALID", E, "the SSO URL is not a URL",
             "The value for sipgate's SSO URL is not an absolute URL with a host name.",
             "copy Okta's Sign on URL again (" + okta("metadata_details") + ")"),
    CodeInfo("PUSH_ENTITY_ID_MISSING", E, "no IdP Entity ID to push",
             "sipgate's Entity ID field would be empty; sipgate could not match the Issuer "
             "of Okta's responses.",
             "give --entity-id (Okta's Issuer: " + okta("metadata_details") + ") or --metadata"),
    CodeInfo("PUSH_CERT_MISSING", E, "no certificate to push",
             "sipgate's Certificate field would be empty; sipgate could not verify any "
             "response.",
             "give --cert with the Okta signing certificate (" + okta("download_certificate")
             + "), or --metadata"),
    CodeInfo("PUSH_CERT_UNREADABLE", E, "the certificate cannot be read",
             "The certificate given with --cert is not a complete X.509 certificate.",
             "run `ssoctl check-cert FILE` on the --cert file; download the certificate from "
             "Okta (" + okta("download_certificate") + ") instead of copying it"),
    CodeInfo("PUSH_IDP_ENTITY_ID_MISMATCH", E, "the Entity ID is not the one this profile expects",
             "The profile's idp_entity_id says which Okta app (Issuer) this SP tenant belongs "
             "to; the Entity ID being pushed is a different one, so this may be the metadata "
             "of another app or tenant.",
             "check you picked the right Okta app, or update idp_entity_id in the profile"),
    # -- what the SP holds now (sp status, and the current side of a push)
    CodeInfo("SP_SSO_DISABLED", I, "SSO is switched off on the SP",
             "The settings are stored but the Single Sign-on toggle is off, so users still "
             "log in with their passwords.",
             "push with --enable once the settings are right"),
    CodeInfo("SP_SETTINGS_INCOMPLETE", W, "the SP's SSO settings are incomplete",
             "One or more of SSO URL, Entity ID and Certificate is empty on the SP.",
             "run `ssoctl push` with the IdP's metadata to fill them in"),
    CodeInfo("SP_ENABLED_INCOMPLETE", E, "SSO is switched on with incomplete settings",
             "SSO is on but one or more of SSO URL, Entity ID and Certificate is empty: "
             "SSO logins cannot work.",
             "push complete settings now, or switch SSO off on sipgate's Single Sign-on page"),
    CodeInfo("SP_CERT_UNREADABLE", E, "the SP holds a certificate that cannot be read",
             "The certificate stored on the SP is not a complete X.509 certificate, so no "
             "signature can be verified with it.",
             "push the certificate downloaded from Okta (" + okta("download_certificate") + ")"),
    CodeInfo("SP_IDP_ENTITY_ID_MISMATCH", W, "the SP trusts another IdP Entity ID",
             "The Entity ID stored on the SP differs from the profile's idp_entity_id.",
             "push the settings of the right Okta app, or update idp_entity_id in the profile"),
    # -- configuration (ssoctl config validate)
    CodeInfo("CONFIG_PROFILE_INVALID", E, "a profile is invalid",
             "The profile cannot be used as written (unknown key, wrong type, bad target).",
             "fix the profile in the configuration file (`ssoctl config path`)"),
    CodeInfo("CONFIG_URL_INSECURE", E, "a profile's base URL is not usable",
             "The base URL must be https:// (plain http only to this machine).",
             "set base_url to the https:// address of the API"),
    CodeInfo("CONFIG_CA_BUNDLE_MISSING", E, "the CA bundle file is missing or not a CA file",
             "ca_bundle names a file that cannot be found or read, or one without a PEM "
             "certificate in it (a key, an empty or binary file).",
             "point ca_bundle at your proxy's CA certificate file (PEM)"),
    CodeInfo("CONFIG_TOKEN_PROBLEM", W, "the token for a profile is not available",
             "No token is set for this profile, or its token file cannot be used. Commands "
             "that talk to the SP will ask on a terminal or fail in a script.",
             "set SSOCTL_TOKEN (or the profile's token_env) or a token_file with mode 0600"),
    CodeInfo("CONFIG_DEFAULT_SIPGATE_URL", W, "the profile points at an endpoint sipgate does not serve",
             "base_url and path are the sipgate target's defaults "
             "(https://api.sipgate.com/v2/sso/settings). sipgate publishes no SSO settings "
             "API, so push, rollback and sp status will get 404 there: the contract "
             f"({SP_API}) must be implemented by the SP or an adapter you run.",
             f"set base_url (and path) to the service implementing {SP_API}; to "
             "rehearse, run `ssoctl rehearse sp` and use http://127.0.0.1:8088/v2"),
    CodeInfo("CONFIG_SP_EXPECTATIONS_MISSING", I, "the profile does not say what the SP expects",
             "Without acs_url and sp_entity_id (sipgate's SSO page shows both), "
             "decode-response cannot check Destination, Recipient and Audience.",
             "ssoctl config set --profile NAME acs_url URL (and sp_entity_id)"),
)
