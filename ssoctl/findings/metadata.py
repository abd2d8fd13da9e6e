"""Finding codes for the metadata area (``import-metadata``, ``ssoctl.metadata.reader.load``).

Plain data: import nothing heavy here. Certificate problems inside metadata use the
``cert`` area's codes (CERT_EXPIRED, CERT_WEAK_KEY, ...), produced by the same checks as
``check-cert``.
"""

from ssoctl.errors import ExitCode
from ssoctl.findings import CodeInfo, Severity
from ssoctl.findings.console import okta

_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

CODES: tuple[CodeInfo, ...] = (
    CodeInfo(
        "METADATA_NO_SIGNING_CERT", _E, "metadata has no signing certificate",
        "The IDPSSODescriptor has no KeyDescriptor with use=\"signing\" (or without use). "
        "sipgate needs the IdP's signing certificate to check every login; encryption keys "
        "cannot be used for that.",
        "download the metadata of the SAML app itself (" + okta("metadata_url") + "), or "
        "download the active signing "
        "certificate and paste it into sipgate's Certificate field"),
    CodeInfo(
        "METADATA_CERT_UNREADABLE", _E, "a certificate in the metadata cannot be read",
        "An X509Certificate element does not hold a complete base64 DER certificate: it was "
        "cut off, edited, or the file was mangled by copy and paste.",
        "download the metadata again as a file (open the " + okta("metadata_url") + ", then "
        "save the page) instead of copying it from the browser"),
    CodeInfo(
        "METADATA_MULTIPLE_SIGNING_CERTS", _W, "several signing certificates (key rollover)",
        "The IdP publishes more than one signing certificate, usually during a key rollover "
        "(Entra ID, ADFS) or because Okta has an inactive key. sipgate's Certificate field "
        "takes exactly one. ssoctl picks the first one that is valid now, because IdPs "
        "usually list the key they sign with first (not guaranteed); when the IdP switches "
        "keys, sipgate must get the new one or logins fail.",
        "paste the chosen certificate into sipgate's Certificate field; to be sure which key "
        "signs, run 'ssoctl decode-response' on a real login; use --cert-index N to pick "
        "another one, and update sipgate on the day the IdP switches to the newest key"),
    CodeInfo(
        "METADATA_EXPIRED", _E, "metadata validUntil is in the past",
        "The metadata says it must not be used after its validUntil time. Some SPs refuse "
        "such metadata, and the certificates or URLs in it may be stale.",
        "download fresh metadata from the IdP (" + okta("metadata_url") + ")"),
    CodeInfo(
        "METADATA_EXPIRING", _W, "metadata validUntil is close",
        "The metadata stops being valid soon; the IdP will publish new metadata before that.",
        "download fresh metadata after the validUntil date and compare the certificate"),
    CodeInfo(
        "METADATA_BAD_VALID_UNTIL", _W, "validUntil cannot be read",
        "The validUntil attribute is not an xs:dateTime, so its expiry cannot be checked.",
        "download the metadata again; if it persists, ask the IdP's administrator"),
    CodeInfo(
        "METADATA_NO_SSO_URL", _E, "metadata has no SingleSignOnService",
        "The IDPSSODescriptor lists no SingleSignOnService, so there is no value for "
        "sipgate's SSO URL.",
        "copy Okta's Sign on URL (" + okta("metadata_details") + ") into sipgate's SSO URL, "
        "or download the complete IdP metadata"),
    CodeInfo(
        "METADATA_BINDING_MISSING", _E, "requested SSO binding is not offered",
        "The IdP does not publish a SingleSignOnService for the binding given with --binding.",
        "run without --binding, or choose one of the bindings listed under SSO URLs"),
    CodeInfo(
        "METADATA_SSO_URL_NOT_HTTPS", _E, "SSO URL is not https",
        "The SingleSignOnService Location is not an https:// URL. Logins would cross the "
        "network unprotected, and sipgate expects https.",
        "use the https:// Sign on URL the IdP publishes (" + okta("metadata_details",
        "Sign on URL") + ") in sipgate's SSO URL"),
    CodeInfo(
        "METADATA_INVISIBLE_CHARACTERS", _E, "entity ID or SSO URL holds control characters",
        "The entityID or the SingleSignOnService Location holds a control, bidi or "
        "zero-width character (a tab, a carriage return, an escape). Such a value cannot be "
        "typed or pasted into sipgate as it is, and sipgate compares the Entity ID "
        "exactly: logins would fail. ssoctl shows the characters as escapes and prints no "
        "values for scripts.",
        "fix the metadata at the IdP (the app's Audience and Sign on URL settings), then "
        "download it again"),
    CodeInfo(
        "METADATA_ENTITY_ID_WHITESPACE", _E, "entity ID has leading or trailing whitespace",
        "The entityID attribute has spaces or line breaks around it. sipgate compares its "
        "Entity ID with the Issuer of every login exactly; the IdP's Issuer has no spaces.",
        "paste the Entity ID without spaces (ssoctl shows it trimmed) into sipgate's Entity ID"),
    CodeInfo(
        "METADATA_ENTITY_ID_SLASH", _W, "entity ID differs only by a trailing slash",
        "The entity ID given with --entity-id and the one in the metadata differ only by a "
        "trailing slash or surrounding spaces. sipgate compares the Entity ID exactly, so "
        "the version in the metadata (the IdP's Issuer) is the one that works.",
        "use the Entity ID exactly as ssoctl shows it, including or excluding the final '/'"),
    CodeInfo(
        "METADATA_ENTITY_ID_TRAILING_SLASH", _I, "entity ID ends with a slash",
        "The entity ID ends with '/' (Entra ID: https://sts.windows.net/{tenant}/). The slash "
        "is part of it: the Issuer of every login carries it too.",
        "paste the Entity ID into sipgate including the final '/'"),
    CodeInfo(
        "METADATA_NO_EMAIL_NAMEID", _W, "no emailAddress NameID format",
        "The IdP does not list urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress. sipgate "
        "identifies users by e-mail address and expects Name ID format EmailAddress.",
        "in Okta set Name ID format to EmailAddress and Application username to Email ("
        + okta("saml_settings") + "); other IdPs: send the e-mail address as NameID"),
    CodeInfo(
        "METADATA_WANTS_SIGNED_REQUESTS", _I, "IdP wants signed AuthnRequests",
        "WantAuthnRequestsSigned is true: the IdP only accepts login requests signed by the SP.",
        "make sure the SP signs its AuthnRequests, or turn the requirement off at the IdP "
        "(" + okta("advanced", "Signed Requests") + ")"),
    CodeInfo(
        "METADATA_SIGNATURE_NOT_VERIFIED", _I, "metadata is signed but the signature was not checked",
        "The metadata carries an XML signature. ssoctl checks it only when given the "
        "certificate the publisher signs metadata with.",
        "add --verify-signature CERT with the metadata signing certificate your IdP or "
        "federation publishes"),
    CodeInfo(
        "METADATA_UNSIGNED", _E, "metadata is not signed",
        "--verify-signature was given, but the metadata has no signature on its root element, "
        "so its origin cannot be proven.",
        "download the signed metadata (Entra: federationmetadata.xml; federations publish "
        "signed aggregates), or leave out --verify-signature",
        exit_code=ExitCode.TRUST),
    CodeInfo(
        "METADATA_SIGNATURE_INVALID", _E, "metadata signature does not verify",
        "The signature on the metadata does not verify with the given certificate: the file "
        "was changed after signing, the wrong certificate was given, the signature uses a "
        "weak or unexpected algorithm, or it does not cover the whole document.",
        "download the metadata again from the IdP's https:// URL and check that "
        "--verify-signature names the metadata signing certificate",
        exit_code=ExitCode.TRUST),
    CodeInfo(
        "METADATA_INSECURE_SOURCE", _W, "metadata downloaded over plain http",
        "The metadata was fetched over http://, so anyone on the network path could have "
        "replaced the certificate and URLs.",
        "use the https:// metadata URL (Okta: https://{org}.okta.com/app/{exk…}/sso/saml/metadata, "
        "from " + okta("metadata_url") + ")"),
    CodeInfo(
        "METADATA_FOREIGN_ELEMENTS_IGNORED", _I, "look-alike elements in another namespace ignored",
        "Some elements are named like SAML metadata elements (EntityDescriptor, KeyDescriptor, "
        "SingleSignOnService, X509Certificate, ...) but are not in the SAML metadata or XML "
        "signature namespace. ssoctl ignores them, as SAML software does.",
        "nothing to do, unless you expected those values to be used: then fix the namespace "
        "declarations in the file"),
    CodeInfo(
        "METADATA_XINCLUDE_IGNORED", _W, "XInclude elements in the metadata were not processed",
        "The document contains XInclude elements that ask to pull in other files or URLs. "
        "ssoctl never processes XInclude, so nothing was read. Metadata as an IdP publishes it "
        "never contains XInclude: the file was edited, or it is hostile.",
        "download the metadata again from the IdP (" + okta("metadata_url") + ") and use "
        "that file"),
)
