"""Trust anchors for ``decode-response``: what the user says the IdP signs with.

``--cert FILE`` (PEM, DER, or the bare base64 that was pasted into sipgate's Certificate
field), ``--metadata FILE|URL`` (every signing certificate, for key rollover) and
``--fingerprint SHA256`` (pins the certificate the message itself carries, if and only if
its SHA-256 fingerprint matches). Nothing else is ever trusted.
"""

import datetime as dt
import re
from typing import TYPE_CHECKING, NamedTuple, Sequence

from ssoctl.certs.facts import colon_hex, normalize_fingerprint
from ssoctl.errors import InputError, UsageError
from ssoctl.findings.console import okta
from ssoctl.saml.checks import CertSummary

if TYPE_CHECKING:  # pragma: no cover
    from ssoctl.certs.facts import CertInfo
    from ssoctl.http import HttpSettings

MAX_CERT_BYTES = 1024 * 1024
_HINT_CERT = ("give the IdP signing certificate as downloaded from Okta ("
              + okta("download_certificate") + "); `ssoctl check-cert FILE` says what is wrong "
              "with a file")


class TrustAnchors(NamedTuple):
    """Certificates (PEM) and pinned fingerprints the user trusts."""

    pems: tuple[str, ...] = ()
    certs: tuple[CertSummary, ...] = ()
    """What the user configured, for messages ("sipgate has ...")."""
    fingerprints: tuple[str, ...] = ()
    """Pinned SHA-256 fingerprints, bare upper-case hex."""
    source: str = ""
    """Where they came from, in the user's words (``--cert okta.cert``)."""
    metadata_entity_id: str | None = None
    """The IdP entity ID from ``--metadata``: a default for ``--idp-entity-id``."""

    @property
    def given(self) -> bool:
        return bool(self.pems or self.fingerprints)


def load_anchors(*, cert_files: Sequence[str] = (), fingerprints: Sequence[str] = (),
                 metadata: str | None = None, http_settings: "HttpSettings | None" = None,
                 idp_entity_id: str | None = None, now: dt.datetime) -> TrustAnchors:
    """Read every trust anchor the user gave. Unreadable files raise :class:`InputError`
    (exit 3); a malformed fingerprint raises :class:`UsageError` (exit 2).

    ``idp_entity_id`` picks the IdP out of a metadata aggregate (``--idp-entity-id``)."""
    pems: list[str] = []
    certs: list[CertSummary] = []
    sources: list[str] = []
    entity_id = None
    for path in cert_files:
        for info in _cert_file(path, now):
            pems.append(info.pem)
            certs.append(CertSummary.of(info))
        sources.append(f"--cert {path}")
    if metadata is not None:
        from ssoctl.metadata import reader as md

        settings = md.load_source(metadata, http_settings=http_settings, now=now,
                                  entity_id=idp_entity_id, entity_id_option="--idp-entity-id")
        for info in settings.signing_certificates:
            pems.append(info.pem)
            certs.append(CertSummary.of(info))
        entity_id = settings.entity_id or None
        sources.append(f"--metadata {metadata}")
    pins = tuple(_fingerprint(value) for value in fingerprints)
    for pin in pins:
        certs.append(CertSummary(subject="(pinned with --fingerprint)",
                                 sha256=colon_hex(bytes.fromhex(pin))))
    if pins:
        sources.append("--fingerprint")
    return TrustAnchors(pems=tuple(pems), certs=tuple(certs), fingerprints=pins,
                        source=", ".join(sources), metadata_entity_id=entity_id)


def from_pems(pems: Sequence[str], *, source: str = "", now: dt.datetime) -> TrustAnchors:
    """Anchors from PEM text already in hand (library callers, tests)."""
    from cryptography import x509

    from ssoctl.certs import facts

    infos = [facts.describe(c, now=now) for pem in pems
             for c in x509.load_pem_x509_certificates(pem.encode())]
    return TrustAnchors(pems=tuple(i.pem for i in infos),
                        certs=tuple(CertSummary.of(i) for i in infos),
                        source=source)


def pick_trusted(anchors: TrustAnchors, embedded: Sequence["CertInfo"]) -> tuple[str, ...]:
    """The PEMs to verify with: the configured ones, plus each certificate in the message
    whose fingerprint the user pinned."""
    pinned = tuple(c.pem for c in embedded
                   if normalize_fingerprint(c.sha256) in anchors.fingerprints)
    return anchors.pems + pinned


def _fingerprint(value: str) -> str:
    digits = normalize_fingerprint(value)
    if len(digits) == 40:
        raise UsageError("--fingerprint: that is a SHA-1 fingerprint",
                         hint="give the SHA-256 fingerprint (Okta shows both; "
                              "`ssoctl check-cert FILE` prints it)", code="BAD_FINGERPRINT")
    if len(digits) != 64:
        raise UsageError(f"--fingerprint: {value[:80]!r} is not a SHA-256 fingerprint",
                         hint="64 hex digits, with or without colons, e.g. AB:CD:...",
                         code="BAD_FINGERPRINT")
    return digits


def _cert_file(path: str, now: dt.datetime) -> list["CertInfo"]:
    """Certificates in a file: PEM (one or several), DER, or bare base64."""
    from ssoctl.certs import facts
    from ssoctl.files import decode_text, read_source

    data = read_source(path, max_bytes=MAX_CERT_BYTES, what="certificate file").data
    if data[:1] != b"\x30":  # not DER: text as check-cert reads it (a BOM, UTF-16 from Windows)
        try:
            data = decode_text(data, what="certificate file").text.encode("utf-8")
        except InputError:
            pass  # binary: not a certificate either way, said below
    if b"PRIVATE KEY" in data:
        # Never echo key material; the user passed the wrong file.
        raise InputError(f"{path} holds a private key, not a certificate",
                         hint="--cert takes the IdP's certificate; keep private keys private",
                         code="TRUST_CERT_IS_KEY")
    try:
        found = _load(data)
    except (ValueError, InputError):
        raise InputError(f"{path}: not a readable certificate", hint=_HINT_CERT,
                         code="TRUST_CERT_UNREADABLE") from None
    return [facts.describe(cert, now=now) for cert in found]


def _load(data: bytes) -> list:
    from cryptography import x509

    from ssoctl.certs import facts

    if b"-----BEGIN CERTIFICATE-----" in data:
        text = data.replace(b"\r", b"")
        return list(x509.load_pem_x509_certificates(text))
    if data[:1] == b"\x30":  # ASN.1 SEQUENCE: a DER file
        return [facts.cert_from_der(data)]
    body = data.decode("ascii", "strict")
    if re.search(r"[^A-Za-z0-9+/=\s]", body):
        raise ValueError("not base64")
    return [facts.cert_from_base64(body)]


__all__ = ["TrustAnchors", "from_pems", "load_anchors", "pick_trusted"]
