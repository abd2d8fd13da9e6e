"""Finding codes for the whole Okta → sipgate connection (``ssoctl setup``, ``ssoctl doctor``).

Plain data: import nothing heavy here. These are the checks that look at both sides at
once (what Okta signs with against what sipgate holds), the public metadata URL, the
e-mail domain's DNS record, and what ``setup`` leaves for a person to do.
"""

from ssoctl.findings import CodeInfo, Severity
from ssoctl.findings.console import okta

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

SIPGATE_SSO = "sipgate: Account → Single Sign-on"
OKTA_CERTS = okta("signing_certificates")

CODES: tuple[CodeInfo, ...] = (
    CodeInfo("CONN_CERT_DRIFT", E,
             "sipgate holds another certificate than the one Okta signs with",
             "Okta signs every SAML response with the app's active signing key. When sipgate's "
             "Certificate field holds a different certificate (typically after someone "
             "generated or activated a new key in Okta), sipgate rejects every login's "
             "signature.",
             f"paste Okta's active certificate into {SIPGATE_SSO} → Certificate (`ssoctl okta "
             "metadata APP --cert-out okta.pem` writes it), or switch Okta back to the key "
             "sipgate holds"),
    CodeInfo("CONN_SSO_URL_DRIFT", E, "sipgate's SSO URL is not the Okta app's Sign on URL",
             "sipgate sends users to its SSO URL to sign in; it must be the app's Sign on URL "
             "(the SingleSignOnService location in the app's metadata), or logins start at "
             "the wrong place.",
             "copy the Sign on URL (" + okta("metadata_details") + f") into {SIPGATE_SSO} → "
             "SSO URL"),
    CodeInfo("CONN_ISSUER_DRIFT", E, "sipgate's Entity ID is not the Okta app's Issuer",
             "sipgate only accepts responses whose Issuer is the Entity ID it holds; each Okta "
             "app has its own Issuer (http://www.okta.com/exk…).",
             "copy the Issuer (" + okta("metadata_details") + f") into {SIPGATE_SSO} → "
             "Entity ID"),
    CodeInfo("CONN_SP_NOT_CONFIGURED", E, "sipgate holds no IdP settings yet",
             "The SP's SSO URL, Entity ID or Certificate is empty, so the connection cannot "
             "work and cannot be compared with Okta.",
             "run `ssoctl setup` (or paste the three values printed by `ssoctl okta metadata "
             "APP`)"),
    CodeInfo("CONN_SP_NOT_COMPARED", I, "sipgate's side was not compared",
             "Without an SP profile, a certificate file or a fingerprint of what sipgate holds, "
             "doctor cannot tell whether Okta and sipgate still agree.",
             "pass --sp-profile NAME, --sp-cert FILE (the PEM you pasted into sipgate) or "
             "--sp-fingerprint SHA256"),
    CodeInfo("CONN_CERT_EXPIRED", E, "the active signing certificate has expired",
             "sipgate rejects responses signed with an expired certificate: nobody can sign in.",
             okta("new_certificate") + f", and paste it into {SIPGATE_SSO} → Certificate "
             "(or `ssoctl okta rotate-cert APP`)"),
    CodeInfo("CONN_CERT_EXPIRING", W, "the active signing certificate expires soon",
             "On the expiry date logins stop working unless Okta signs with a new key and "
             "sipgate holds its certificate by then.",
             "plan the switch: `ssoctl okta rotate-cert APP` generates and activates a new "
             "key; paste its certificate into sipgate at the same time"),
    CodeInfo("CONN_NEXT_CERT_EXPIRING", W, "the app's next (inactive) certificate expires soon",
             "A signing key prepared for the next rollover is close to (or past) its expiry; "
             "switching to it would not help for long.",
             f"{OKTA_CERTS}: generate a fresh key instead (`ssoctl okta rotate-cert APP`)"),
    CodeInfo("CONN_METADATA_UNREACHABLE", E, "the app's public metadata URL cannot be read",
             "Anything that reads the IdP metadata by URL (sipgate support, monitoring, other "
             "SPs) gets an error instead of the current certificate.",
             "open the metadata URL in a browser; check that the app is active and the URL "
             "is the app's own (" + okta("metadata_url") + ")"),
    CodeInfo("CONN_METADATA_MISMATCH", E, "the public metadata differs from the API's view",
             "The metadata served at the public URL names another certificate, SSO URL or "
             "Issuer than the management API reports for the app: one of them is stale or "
             "belongs to another app.",
             "compare the two (" + okta("metadata_details") + "); pass the app's own "
             "--metadata-url"),
    CodeInfo("CONN_DNS_TXT_MISSING", E, "the e-mail domain has no TXT verification record",
             "sipgate verifies the company's e-mail domain through a DNS TXT record before SSO "
             "can be used. The domain has no TXT record (or none with the value sipgate "
             "gave), so the verification fails.",
             "publish the TXT record sipgate shows on its Single Sign-on page at your DNS "
             "provider (it can take up to 24 h to be visible), then check again"),
    CodeInfo("CONN_DNS_LOOKUP_FAILED", E, "the DNS lookup for the verification record failed",
             "The DNS server did not answer, or answered with an error (SERVFAIL, REFUSED), "
             "so the TXT record could not be checked.",
             "check --dns-server (or the system resolver) and try again"),
    CodeInfo("CONN_DNS_TXT_UNCHECKED", I, "TXT records found; their value was not compared",
             "Without the expected value (--txt-value) doctor can only say that the domain "
             "publishes TXT records, not that sipgate's is among them.",
             "pass --txt-value with the value sipgate's Single Sign-on page shows"),
    CodeInfo("CONN_CHECK_FAILED", E, "a check could not be run",
             "Reading one side of the connection failed (network, permissions, an SP that "
             "does not answer), so this check has no result; the other checks still ran.",
             "the message names the error; fix it and run doctor again"),
    CodeInfo("CONN_MANUAL_STEPS", I, "steps remain that only a person can do in sipgate",
             "sipgate publishes no API for its SSO settings: the values have to be pasted "
             "into its Single Sign-on page and SSO switched on there.",
             "follow the checklist, then run the doctor command it prints"),
)
