"""The one XML signature policy, and the one place signxml is configured.

Response verification (:mod:`ssoctl.saml.policy`, :mod:`ssoctl.saml.verify`) and metadata
signature verification (:mod:`ssoctl.metadata.signature`) accept exactly the same
algorithms and transforms. The lists are made of signxml's own enums
(``SignatureMethod``, ``DigestAlgorithm``, ``CanonicalizationMethod``,
``SignatureConstructionMethod``), so a URI means the same here as in signxml. signxml is
imported on first use only: a message without a signature never loads it.

Accepted (docs/verification.md, "One policy for every signature"):

- signature methods RSA and ECDSA with SHA-256/384/512; RSA and ECDSA with SHA-1 only
  with ``--allow-sha1`` (decode-response), never for metadata;
- digests SHA-256/384/512 (SHA-1 likewise);
- canonicalization and transforms: the three canonicalization methods *without
  comments*, and the enveloped-signature transform. ``#WithComments`` is refused
  everywhere: with comments kept, a value such as ``admin@example.com<!---->.evil.com``
  is signed as one text while an XML reader that stops at the comment sees another
  (CVE-2017-11427 and its kin); neither Okta nor any IdP ssoctl knows signs that way.
  XSLT and XPath transforms (code and node selection) are refused too.
"""

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509


class Policy(NamedTuple):
    """What a signature may use, as URIs (what the XML says)."""

    signature_methods: frozenset[str]
    sha1_signature_methods: frozenset[str]
    digests: frozenset[str]
    sha1_digests: frozenset[str]
    c14n_methods: frozenset[str]
    transforms: frozenset[str]


@lru_cache(maxsize=1)
def _members():
    """(signature methods, SHA-1 ones, digests, SHA-1 ones, c14n methods, enveloped) as
    signxml enum members."""
    from signxml.algorithms import CanonicalizationMethod as CM
    from signxml.algorithms import DigestAlgorithm as DA
    from signxml.algorithms import SignatureConstructionMethod as SCM
    from signxml.algorithms import SignatureMethod as SM

    return (
        (SM.RSA_SHA256, SM.RSA_SHA384, SM.RSA_SHA512,
         SM.ECDSA_SHA256, SM.ECDSA_SHA384, SM.ECDSA_SHA512),
        (SM.RSA_SHA1, SM.ECDSA_SHA1),
        (DA.SHA256, DA.SHA384, DA.SHA512),
        (DA.SHA1,),
        (CM.EXCLUSIVE_XML_CANONICALIZATION_1_0, CM.CANONICAL_XML_1_0, CM.CANONICAL_XML_1_1),
        SCM.enveloped,
    )


@lru_cache(maxsize=1)
def policy() -> Policy:
    """The policy as URIs."""
    good, sha1, digests, sha1_digests, c14n, enveloped = _members()
    c14n_uris = frozenset(m.value for m in c14n)
    return Policy(
        signature_methods=frozenset(m.value for m in good),
        sha1_signature_methods=frozenset(m.value for m in sha1),
        digests=frozenset(m.value for m in digests),
        sha1_digests=frozenset(m.value for m in sha1_digests),
        c14n_methods=c14n_uris,
        transforms=c14n_uris | {enveloped.value},
    )


@lru_cache(maxsize=8)
def signxml_config(*, allow_sha1: bool = False, location: str = ".//"):
    """signxml's ``SignatureConfiguration`` for this policy: one reference, the
    algorithms above (SHA-1 only when allowed), the signature found at ``location``."""
    from signxml import SignatureConfiguration

    good, sha1, digests, sha1_digests, _c14n, _enveloped = _members()
    methods = frozenset(good + (sha1 if allow_sha1 else ()))
    hashes = frozenset(digests + (sha1_digests if allow_sha1 else ()))
    return SignatureConfiguration(location=location, expect_references=1,
                                  signature_methods=methods, digest_algorithms=hashes)


# ---------------------------------------------------------------- the xmlsec extra

@lru_cache(maxsize=1)
def xmlsec_binding() -> tuple[Any, str]:
    """``(module, "")`` when the optional ``xmlsec`` binding (``pip install
    'ssoctl[xmlsec]'``) can serve, else ``(None, why not)``.

    It verifies a signed federation aggregate on the tree ssoctl's hardened parser already
    built (no second parse, no copy of the canonical form), so it needs the same libxml2
    as lxml: the binding refuses to import next to a different one ("lxml & xmlsec
    libxml2 library version mismatch"), and then signxml serves as without the extra.
    """
    try:
        import xmlsec
    except ImportError:
        return None, "the xmlsec extra is not installed"
    except Exception as exc:  # xmlsec.InternalError: another libxml2 than lxml's
        from ssoctl.errors import first_line

        return None, f"the xmlsec extra cannot be used: {first_line(exc)}"
    return xmlsec, ""


def xmlsec_transforms(*, allow_sha1: bool = False) -> tuple[frozenset[Any], frozenset[Any]]:
    """(signature transforms, reference transforms) of the policy as the binding's own
    constants: what :meth:`xmlsec.SignatureContext.enable_signature_transform` and
    ``enable_reference_transform`` are given, so that xmlsec refuses everything else
    itself (the policy is also checked on the XML before xmlsec runs)."""
    xmlsec, _ = xmlsec_binding()
    by_uri = {}
    for name in dir(xmlsec.constants):
        value = getattr(xmlsec.constants, name)
        if name.startswith("Transform") and getattr(value, "href", None):
            by_uri[value.href] = value
    allowed = policy()
    methods = allowed.signature_methods | (allowed.sha1_signature_methods if allow_sha1 else set())
    digests = allowed.digests | (allowed.sha1_digests if allow_sha1 else set())
    signature = frozenset(by_uri[u] for u in methods | allowed.c14n_methods if u in by_uri)
    reference = frozenset(by_uri[u] for u in digests | allowed.transforms if u in by_uri)
    return signature, reference


def within_validity(now: dt.datetime, cert: "x509.Certificate") -> dt.datetime:
    """``now`` moved into ``cert``'s validity period. ssoctl judges a certificate's dates
    itself (with its own findings and overrides), so signxml is asked to check the
    signature at a moment the certificate was valid."""
    now = now if now.tzinfo else now.replace(tzinfo=dt.timezone.utc)
    return min(max(now, cert.not_valid_before_utc), cert.not_valid_after_utc)


def short_name(uri: str | None) -> str | None:
    """``http://...#rsa-sha256`` -> ``rsa-sha256``; ``None`` stays ``None``."""
    if uri is None:
        return None
    return uri.rsplit("#", 1)[-1] if "#" in uri else uri


__all__ = ["Policy", "policy", "short_name", "signxml_config", "within_validity",
           "xmlsec_binding", "xmlsec_transforms"]
