"""Finding codes for the signature area. Plain data: import nothing heavy here.

Everything that means "do not trust this message" exits 4 (``ExitCode.TRUST``).
"""

from ssoctl.errors import ExitCode
from ssoctl.findings import CodeInfo, Severity
from ssoctl.findings.console import okta

_OKTA_CERT = (okta("download_certificate") + "; paste that file's text into sipgate's "
              "Certificate field (or pass it with --cert / --metadata)")
_ATTACK = ("A genuine Okta message never looks like this. Treat it as tampered with: do not "
           "log anyone in with it, and find out where it came from")

CODES: tuple[CodeInfo, ...] = (
    CodeInfo("SIG_NOT_VERIFIED", Severity.WARNING, "signature not verified: no trusted certificate given",
             "ssoctl decoded the message but had nothing to check its signature against. "
             "The certificate inside the message (KeyInfo) is shown for comparison but is never "
             "trusted: anyone can put any certificate there.",
             "Pass the IdP signing certificate with --cert FILE, --fingerprint SHA256 or "
             "--metadata FILE|URL"),
    CodeInfo("SIG_ANCHOR_NOT_USED", Severity.INFO,
             "the trusted certificate was used only for Responses",
             "ssoctl verifies the signature of the SAMLResponse the IdP (Okta) sends to the "
             "service provider (sipgate): that is where the user and the login decision are. "
             "AuthnRequests and logout messages are decoded and checked, but a signature on "
             "them is shown, not verified, so --cert, --fingerprint and --metadata change "
             "nothing for them.",
             "Nothing to do for a login problem: decode the SAMLResponse (--entry N, or --all "
             "on a capture) to check it against the certificate."),
    CodeInfo("SIG_UNSIGNED", Severity.ERROR, "message is not signed",
             "Neither the Response nor the Assertion carries a ds:Signature. A service provider "
             "such as sipgate rejects unsigned responses; an unsigned message can also be a "
             "signature-stripping attack.",
             okta("advanced", "Assertion Signature") + " = Signed (and, if the SP wants it, "
             "Response = Signed)", exit_code=ExitCode.TRUST),
    CodeInfo("SIG_INVALID", Severity.ERROR, "signature does not verify",
             "The signature or the digest of the signed element does not match: the message was "
             "changed after it was signed, or it was signed by a different key.",
             "Capture the message again without editing it; " + _OKTA_CERT,
             exit_code=ExitCode.TRUST),
    CodeInfo("SIG_CERT_MISMATCH", Severity.ERROR, "signed with a certificate you do not trust",
             "The message was signed with a certificate other than the one(s) given as trusted. "
             "Typical cause: the certificate in sipgate's Certificate field is an old one, or "
             "from another Okta app, or Okta rotated its signing key.",
             _OKTA_CERT, exit_code=ExitCode.TRUST),
    CodeInfo("SIG_WRONG_ROOT", Severity.ERROR, "root element is not samlp:Response",
             "A login response must be a samlp:Response document. A signed Response wrapped in "
             "another element is a known signature-wrapping attack.", _ATTACK,
             exit_code=ExitCode.TRUST),
    CodeInfo("SIG_MULTIPLE_ASSERTIONS", Severity.ERROR, "more than one Assertion in the message",
             "Okta sends exactly one Assertion. Extra copies (XML signature wrapping, "
             "CVE-2022-41912) make different readers see different users.", _ATTACK,
             exit_code=ExitCode.TRUST),
    CodeInfo("SIG_MISPLACED_ASSERTION", Severity.ERROR, "Assertion is not a direct child of the Response",
             "The Assertion sits somewhere other than directly under samlp:Response (for example "
             "inside Extensions or inside a signature): a signature-wrapping shape.", _ATTACK,
             exit_code=ExitCode.TRUST),
    CodeInfo("SIG_MISPLACED_SIGNATURE", Severity.ERROR, "signature in an unexpected place",
             "Each ds:Signature must sit directly under the Response or the Assertion, at most one "
             "each. A signature elsewhere is a signature-wrapping shape.", _ATTACK,
             exit_code=ExitCode.TRUST),
    CodeInfo("SIG_WRONG_ELEMENT", Severity.ERROR, "signed element is not the consumed element",
             "The signature is valid for some element, but not for the Response/Assertion whose "
             "contents would be read (XML signature wrapping). ssoctl reads identity data only "
             "from what a signature covers.", _ATTACK, exit_code=ExitCode.TRUST),
    CodeInfo("SIG_DUPLICATE_ID", Severity.ERROR, "the signed ID occurs more than once",
             "Two elements carry the ID the signature refers to, so it is ambiguous what was "
             "signed (a signature-wrapping shape).", _ATTACK, exit_code=ExitCode.TRUST),
    CodeInfo("SIG_TRANSFORM_NOT_ALLOWED", Severity.ERROR, "signature uses a transform that is not allowed",
             "Only the enveloped-signature transform and canonicalization (c14n, exclusive c14n, "
             "c14n 1.1, without comments) are accepted. XSLT and XPath transforms can hide what "
             "was signed or make the verifier fetch URLs.", _ATTACK, exit_code=ExitCode.TRUST),
    CodeInfo("SIG_SHA1", Severity.ERROR, "signed with SHA-1",
             "The signature uses RSA-SHA1 or a SHA-1 digest. SHA-1 is broken for signatures and "
             "current service providers reject it. With --allow-sha1 ssoctl verifies it anyway, "
             "so you can see whether anything else is wrong.",
             okta("advanced", "Signature Algorithm") + " = RSA_SHA256 and Digest "
             "Algorithm = SHA256", exit_code=ExitCode.TRUST),
    CodeInfo("SIG_ALGORITHM_NOT_ALLOWED", Severity.ERROR, "signature algorithm not allowed",
             "HMAC (a shared secret, which an attacker can derive from the public certificate), "
             "MD5 and unknown algorithms are never accepted.",
             okta("advanced", "Signature Algorithm") + " = RSA_SHA256, Digest Algorithm = SHA256",
             exit_code=ExitCode.TRUST),
    CodeInfo("SIG_MALFORMED", Severity.ERROR, "signature element is malformed",
             "The ds:Signature cannot be processed: empty or missing SignatureValue, several "
             "SignedInfo or Reference elements, a comment inside a digest, a namespace that "
             "cannot be canonicalized, or it does not follow the XML Signature schema.",
             "Capture the message again without editing it; if it still happens, the message "
             "did not come from Okta as sent", exit_code=ExitCode.TRUST),
    CodeInfo("SIG_KEYINFO_AMBIGUOUS", Severity.ERROR, "KeyInfo holds two different keys",
             "The signature's KeyValue and X509Certificate are different public keys: a "
             "certificate-faking shape.", _ATTACK, exit_code=ExitCode.TRUST),
    CodeInfo("SIG_COMMENT_IN_NAMEID", Severity.ERROR, "XML comment inside the NameID",
             "A comment inside the user name is invisible to the signature (canonicalization "
             "drops comments) but cuts the value short in naive readers (CVE-2017-11427 and "
             "relatives): 'admin@example.com<!---->.evil.com' reads as 'admin@example.com'. "
             "ssoctl shows the full value.", _ATTACK, exit_code=ExitCode.TRUST),
    CodeInfo("SIG_CERT_EXPIRED", Severity.ERROR, "the IdP signing certificate has expired",
             "The trusted certificate that verified the signature is outside its validity "
             "period at the time checked (--now). Service providers reject such signatures.",
             okta("new_certificate") + "; make it "
             "active, and put the new certificate into sipgate's Certificate field "
             "(--allow-expired-cert checks the rest anyway)", exit_code=ExitCode.TRUST),
    CodeInfo("SIG_CERT_NOT_YET_VALID", Severity.ERROR, "the IdP signing certificate is not valid yet",
             "The trusted certificate that verified the signature starts its validity after the "
             "time checked (--now). Check the clock, or whether a new certificate was activated "
             "too early.",
             "Check the system clock and --now; in Okta, activate a certificate that is already "
             "valid (--allow-expired-cert checks the rest anyway)", exit_code=ExitCode.TRUST),
    CodeInfo("SIG_ENCRYPTED_NO_KEY", Severity.ERROR, "the Assertion is encrypted",
             "The Response carries an EncryptedAssertion. ssoctl needs the SP's private key to "
             "read and verify it.",
             "Pass the SP decryption key with --sp-key FILE (the key that belongs to the "
             "Encryption Certificate uploaded in Okta), or turn off Assertion Encryption in Okta "
             "while troubleshooting"),
    CodeInfo("SIG_DECRYPT_FAILED", Severity.ERROR, "the encrypted Assertion could not be decrypted",
             "The SP key given with --sp-key does not open the EncryptedAssertion, or the "
             "encryption method is not supported (supported: RSA-OAEP and RSA 1.5 key transport, "
             "AES-CBC and AES-GCM content).",
             "Use the private key of the Encryption Certificate configured in Okta ("
             + okta("advanced", "Encryption Certificate") + ")"),
)
