"""signxml's exceptions, translated into findings (nothing above ``saml/`` sees them).

:func:`translate` picks the most telling finding when no trusted certificate verified a
signature: another key signed it (``SIG_CERT_MISMATCH``, naming both certificates), the
content changed (digest mismatch), an ambiguous reference, KeyInfo that contradicts
itself, a forbidden algorithm, or a signature that does not follow the schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from ssoctl.errors import first_line
from ssoctl.findings import Finding, finding

if TYPE_CHECKING:  # pragma: no cover
    from ssoctl.certs.facts import CertInfo


def translate(errors: "list[tuple[Any, Exception]]", embedded: Sequence["CertInfo"],
              what: str) -> Finding:
    """The most telling finding for a signature no trusted certificate verified."""
    from signxml.exceptions import InvalidDigest, InvalidInput, InvalidSignature

    key_mismatch = [e for _, e in errors if isinstance(e, InvalidSignature)
                    and str(e).startswith("Signature verification failed")]
    other = [e for _, e in errors if e not in key_mismatch]
    if not other:
        trusted = {t.sha256 for t, _ in errors}
        foreign = [c.sha256 for c in embedded if c.sha256 not in trusted]
        if foreign:
            return finding("SIG_CERT_MISMATCH",
                           f"the {what} was signed with certificate {foreign[0]}, which is not "
                           "the trusted one", field="Certificate",
                           expected=", ".join(sorted(trusted)), received=foreign[0])
        return finding("SIG_INVALID", f"the {what} signature does not verify with the trusted "
                       "certificate (SignedInfo changed, or signed by another key)")
    exc = other[0]
    text = first_line(exc)
    if isinstance(exc, InvalidDigest):
        return finding("SIG_INVALID", f"the signed {what} was changed after signing "
                       "(digest mismatch)")
    if isinstance(exc, InvalidInput):
        if "Ambiguous reference" in text:
            return finding("SIG_DUPLICATE_ID", f"the {what} signature reference is ambiguous: "
                           f"{text}")
        if "different public keys" in text:
            return finding("SIG_KEYINFO_AMBIGUOUS", "KeyValue and X509Certificate in KeyInfo are "
                           "different public keys")
        if "forbidden by configuration" in text or "Unsupported" in text:
            return finding("SIG_ALGORITHM_NOT_ALLOWED", f"the {what} signature: {text}")
    if isinstance(exc, InvalidSignature):
        return finding("SIG_INVALID", f"the {what} signature does not verify: {text}")
    if type(exc).__name__ == "DocumentInvalid":
        return finding("SIG_MALFORMED", f"the {what} signature does not follow the XML Signature "
                       f"schema: {text}")
    return finding("SIG_MALFORMED", f"the {what} signature cannot be processed "
                   f"({type(exc).__name__}: {text})")


__all__ = ["translate"]
