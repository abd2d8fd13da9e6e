"""Finding codes for the cert area. Plain data: import nothing heavy here.

Two families: the *shape* of the text (what happens when it is pasted into sipgate's
Certificate field as it is) and the *certificate* itself (dates, key, algorithms).
"""

from ssoctl.errors import ExitCode  # noqa: F401  (used by trust-failure entries)
from ssoctl.findings import CodeInfo, Severity
from ssoctl.findings.console import okta

#: The command that repairs the text; certs/result.py puts in the file the user gave.
FIX_COMMAND = "ssoctl check-cert FILE --fix > clean.pem"
_DOWNLOAD = ("download the certificate again (" + okta("download_certificate") + "; not the "
             "copy button), then paste the whole file into sipgate's Certificate field")
_FIX = f"`{FIX_COMMAND}` rebuilds a clean PEM; or " + _DOWNLOAD

#: The two hints the diagnosis swaps: without an intact certificate --fix cannot help.
FIX_HINT, DOWNLOAD_HINT = _FIX, _DOWNLOAD

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

CODES: tuple[CodeInfo, ...] = (
    # ---- the shape of the text
    CodeInfo("CERT_NO_ARMOR", E, "BEGIN and END lines are missing",
             "The text is a bare base64 body without the `-----BEGIN CERTIFICATE-----` and "
             "`-----END CERTIFICATE-----` lines. This is what Okta's copy button and the "
             "`<ds:X509Certificate>` element of the metadata give you. sipgate's Certificate "
             "field expects the full PEM.", _FIX),
    CodeInfo("CERT_MISSING_BEGIN", E, "the BEGIN CERTIFICATE line is missing",
             "There is an END line but no `-----BEGIN CERTIFICATE-----` line: the start of "
             "the text was not copied.", _FIX),
    CodeInfo("CERT_MISSING_END", E, "the END CERTIFICATE line is missing",
             "There is a BEGIN line but no `-----END CERTIFICATE-----` line: the end of the "
             "text was not copied (check that the body is complete, too).", _FIX),
    CodeInfo("CERT_ARMOR_MISSPELLED", E, "the BEGIN/END lines are misspelled",
             "A BEGIN or END line is not exactly `-----BEGIN CERTIFICATE-----` / "
             "`-----END CERTIFICATE-----` (wrong number of dashes, lower case, a typo, an "
             "`X509` or `TRUSTED` label). Strict parsers reject it.", _FIX),
    CodeInfo("CERT_WRONG_TYPE", E, "this is not a certificate",
             "The text is another kind of object: a public key, a certificate signing "
             "request (CSR), or unknown data. sipgate needs the IdP's signing certificate.",
             _DOWNLOAD),
    CodeInfo("CERT_DOUBLED_ARMOR", E, "a BEGIN or END line appears twice",
             "The same header or footer line was pasted twice (for example after pasting "
             "into a field that already had one).", _FIX),
    CodeInfo("CERT_NO_LINE_BREAKS", E, "the line breaks are lost",
             "The BEGIN or END line shares a line with the base64 body (the text was pasted "
             "through a single-line field or a chat tool). PEM needs the BEGIN line, the body "
             "and the END line on lines of their own.", _FIX),
    CodeInfo("CERT_LEADING_DATA", E, "text before the BEGIN line",
             "Something other than whitespace comes before `-----BEGIN CERTIFICATE-----` "
             "(a label, `Bag Attributes`, part of an e-mail). sipgate's field must start with "
             "the BEGIN line.", _FIX),
    CodeInfo("CERT_TRAILING_DATA", E, "text after the END line",
             "Something other than whitespace follows `-----END CERTIFICATE-----`, or extra "
             "bytes follow the certificate inside the base64 body.", _FIX),
    CodeInfo("CERT_INVALID_CHARS", E, "characters that are not base64 in the body",
             "The body may only hold A-Z, a-z, 0-9, `+`, `/` and `=` padding, one line after "
             "another. Smart quotes, `&#13;` entities, stray carriage returns, spaces or "
             "non-breaking spaces in the middle of a line come from word processors, chat "
             "tools, HTML views and XML copies.", _FIX),
    CodeInfo("CERT_URLSAFE_BASE64", E, "URL-safe base64 instead of standard base64",
             "The body uses the URL-safe base64 alphabet: `-` and `_` where standard base64 "
             "(and PEM) has `+` and `/`, usually without `=` padding. JWKs, URLs and some "
             "APIs write certificates this way; sipgate's Certificate field needs standard "
             "base64.", _FIX),
    CodeInfo("CERT_WHITESPACE", W, "spaces or tabs at the ends of lines",
             "Lines of the body end with spaces or tabs, or are indented. Most parsers "
             "ignore them; a strict one does not.", _FIX),
    CodeInfo("CERT_BAD_PADDING", E, "wrong base64 padding",
             "The `=` padding at the end of the body is missing, superfluous or in the "
             "middle of the text.", _FIX),
    CodeInfo("CERT_TRUNCATED", E, "the certificate is cut off",
             "The base64 body is shorter than the certificate it encodes: its ASN.1 length "
             "says more bytes than are present. The copy missed part of the text; it cannot "
             "be repaired.", _DOWNLOAD),
    CodeInfo("CERT_DAMAGED", E, "the certificate is damaged",
             "The body has the structure of a certificate, but a field inside it does not "
             "parse: characters were changed on the way (a word processor, a mail client, a "
             "hand edit). It cannot be repaired.", _DOWNLOAD),
    CodeInfo("CERT_LINE_WIDTH", W, "lines are not wrapped at 64 characters",
             "PEM wraps the body at 64 characters. Okta's metadata wraps at 76, and pasting "
             "often joins everything into one line. Most SPs accept it, strict ones do not.",
             _FIX),
    CodeInfo("CERT_LINE_ENDINGS", I, "Windows or old Mac line endings",
             "The text uses CRLF or CR line endings. Pasting into a web form normally "
             "converts them; a file upload may not.",
             "nothing to do when you paste the text; for a file upload, "
             f"`{FIX_COMMAND}` writes LF line endings"),
    CodeInfo("CERT_ENCODING", I, "the file is not plain UTF-8",
             "The file starts with a byte-order mark or is UTF-16 (Notepad, PowerShell "
             "`>` redirection). Copying its text is fine; uploading the file may not be.",
             f"save the file as UTF-8 without BOM, or use `{FIX_COMMAND}`"),
    CodeInfo("CERT_SEVERAL", E, "several certificates where one is expected",
             "The text holds more than one certificate (a chain, an old and a new signing "
             "certificate, or the same one pasted twice). sipgate's Certificate field takes "
             "exactly one: the IdP's current signing certificate.",
             "keep only the certificate whose SHA-256 fingerprint Okta shows as Active "
             "(`--expect-fingerprint` or `--metadata` lets --fix pick it)"),
    CodeInfo("CERT_BASE64_WRAPPED", E, "the PEM text is base64-encoded again",
             "The whole PEM (BEGIN line included) was base64-encoded a second time, as some "
             "APIs and Kubernetes secrets do. Decode it once before pasting.", _FIX),
    CodeInfo("CERT_DER", E, "binary DER where PEM text is expected",
             "The file is a binary (DER) certificate, e.g. a `.cer`/`.der` export or a file "
             "renamed to `.pem`. sipgate's Certificate field needs the PEM text.", _FIX),
    CodeInfo("CERT_PKCS7", E, "a PKCS#7 bundle where one certificate is expected",
             "The file is a PKCS#7 container (`.p7b`/`.p7c`, `BEGIN PKCS7`), the format "
             "Windows exports chains in. sipgate needs the certificate itself.", _FIX),
    # ---- the certificate itself
    CodeInfo("CERT_EXPIRED", E, "the certificate has expired",
             "An expired IdP signing certificate makes sipgate reject every login.",
             okta("new_certificate") + "; then paste the new certificate into sipgate's "
             "Certificate field"),
    CodeInfo("CERT_NOT_YET_VALID", E, "the certificate is not valid yet",
             "Its validity starts in the future (or the clock is wrong). Logins fail until "
             "then.", "check the system clock; or use the currently active certificate (" +
             okta("signing_certificates") + ")"),
    CodeInfo("CERT_EXPIRING_SOON", W, "the certificate expires soon",
             "Logins stop working on the expiry date unless a new certificate is in place in "
             "Okta and in sipgate before then.",
             okta("new_certificate") + "; schedule the switch together with sipgate's "
             "Certificate field"),
    CodeInfo("CERT_WEAK_KEY", E, "the RSA key is shorter than 2048 bits",
             "RSA keys under 2048 bits can be broken and are refused by current SPs.",
             "In Okta: generate a new signing certificate (Okta uses 2048-bit RSA) and paste "
             "it into sipgate's Certificate field"),
    CodeInfo("CERT_SHA1_SIGNATURE", W, "the certificate is signed with SHA-1",
             "The certificate's own signature uses SHA-1. For a pinned IdP certificate this "
             "does not weaken the login signatures, but many SPs and scanners reject SHA-1 "
             "certificates.", "generate a new signing certificate at the IdP (SHA-256)"),
    CodeInfo("CERT_MD5_SIGNATURE", E, "the certificate is signed with MD5",
             "MD5 signatures are broken; SPs refuse such certificates.",
             "generate a new signing certificate at the IdP (SHA-256)"),
    CodeInfo("CERT_NOT_V3", W, "not an X.509 version 3 certificate",
             "Version 1 certificates have no extensions. Okta always issues version 3; a v1 "
             "certificate usually comes from an old tool or another IdP and some SPs refuse "
             "it.", "generate a new signing certificate at the IdP"),
    CodeInfo("CERT_FINGERPRINT_MISMATCH", E, "the fingerprint does not match",
             "The certificate's fingerprint differs from the one given with "
             "`--expect-fingerprint`: this is not the certificate you think it is.",
             "compare with the SHA-256 fingerprint Okta shows for the Active certificate ("
             + okta("signing_certificates") + ") and download that one"),
    CodeInfo("CERT_NOT_IN_METADATA", E, "the certificate is not a signing certificate in the metadata",
             "None of the IdP metadata's signing certificates is this certificate, so "
             "sipgate would reject the IdP's signatures.",
             "paste the certificate from the current IdP metadata into sipgate's Certificate "
             "field (`ssoctl import-metadata` prints it)"),
    CodeInfo("CERT_FILE_UNREADABLE", E, "a file in the batch cannot be read as a certificate",
             "When several files are checked in one run (`check-cert FILE...` or a "
             "directory), a file that is empty, binary, too large, a private key or "
             "otherwise unreadable gets this result instead of stopping the run; the "
             "message says what is wrong with it. The run exits 3.",
             "replace the file with the certificate downloaded from the IdP",
             ExitCode.INPUT),
)
