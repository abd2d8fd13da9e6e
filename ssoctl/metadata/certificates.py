"""The certificate checks behind :func:`ssoctl.metadata.reader.load`: which signing certificate
sipgate gets from IdP metadata, and ``check-cert``'s checks on every certificate listed.

Split from :mod:`ssoctl.metadata.checks` (which re-exports these names). Certificates go
through :mod:`ssoctl.certs` (the same checks as ``check-cert``); a certificate that does
not load is a finding, never a crash.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ssoctl.certs import facts
from ssoctl.errors import InputError, UsageError, first_line
from ssoctl.findings import Finding, Severity, finding
from ssoctl.xmlsafe import qname, text_of

if TYPE_CHECKING:  # pragma: no cover
    from ssoctl.certs.facts import CertInfo

#: An lxml element from :func:`ssoctl.xmlsafe.parse` (lxml itself stays out of this module).
Element = Any

SIPGATE_CERT = "sipgate Certificate"


def read_certificates(idp: Element, *, now: dt.datetime,
                      ) -> tuple[tuple["CertInfo", ...], tuple["CertInfo", ...], list[Finding]]:
    """(signing, encryption, findings) from the KeyDescriptors of ``idp``.

    A KeyDescriptor without ``use`` counts for both. Duplicates (same SHA-256) are
    listed once; an unreadable certificate is a finding.
    """

    signing: dict[str, "CertInfo"] = {}
    encryption: dict[str, "CertInfo"] = {}
    out: list[Finding] = []
    for number, key in enumerate(idp.findall(qname("md", "KeyDescriptor")), start=1):
        use = (key.get("use") or "").strip().lower()
        for element in key.iterfind(f"{qname('ds', 'KeyInfo')}/{qname('ds', 'X509Data')}/"
                                    f"{qname('ds', 'X509Certificate')}"):
            try:
                info = describe_certificate(text_of(element) or "", now=now)
            except InputError as exc:
                out.append(finding("METADATA_CERT_UNREADABLE",
                                   f"certificate in KeyDescriptor #{number} "
                                   f"(use={use or 'none'}) cannot be read: {exc.message}",
                                   field=SIPGATE_CERT if use != "encryption" else None))
                continue
            if use in ("", "signing"):
                signing.setdefault(info.sha256, info)
            if use in ("", "encryption"):
                encryption.setdefault(info.sha256, info)
    return tuple(signing.values()), tuple(encryption.values()), out


def _valid_now(info: "CertInfo", now: dt.datetime) -> bool:
    return info.not_before <= now <= info.not_after


def choose_certificate(signing: tuple["CertInfo", ...], cert_index: int | None, *,
                       now: dt.datetime,
                       ) -> tuple[int | None, int | None, str | None, list[Finding]]:
    """(chosen index, newest index, why that one, findings) among the signing certificates.

    The newest is the one with the latest start of validity. The chosen one is
    ``cert_index`` when given, else the first valid now (IdPs usually list the key in use
    first), else the one that expires last.
    """
    if not signing:
        return None, None, None, [finding("METADATA_NO_SIGNING_CERT", field=SIPGATE_CERT)]
    newest = max(range(len(signing)), key=lambda i: (signing[i].not_before, -i))
    if cert_index is not None:
        if not 0 <= cert_index < len(signing):
            raise UsageError(f"--cert-index {cert_index + 1}: the metadata has "
                             f"{len(signing)} signing certificate(s)",
                             hint=f"use a number from 1 to {len(signing)}",
                             code="METADATA_BAD_CERT_INDEX")
        chosen = cert_index
        why = "chosen with --cert-index"
    else:
        valid = [i for i, info in enumerate(signing) if _valid_now(info, now)]
        if valid:
            chosen = valid[0]
            why = ("the first one listed that is valid now, as IdPs usually list the key in "
                   "use first")
        else:
            chosen = max(range(len(signing)), key=lambda i: signing[i].not_after)
            why = "none is valid now; this one expires last"
    if len(signing) < 2:
        return chosen, newest, ("chosen with --cert-index" if cert_index is not None
                                else "the only signing certificate"), []
    text = (f"{len(signing)} signing certificates (key rollover); #{newest + 1} is the newest "
            f"(valid from {signing[newest].not_before:%Y-%m-%d} to "
            f"{signing[newest].not_after:%Y-%m-%d}); sipgate takes one: use #{chosen + 1} "
            f"({why})")
    return chosen, newest, why, [finding("METADATA_MULTIPLE_SIGNING_CERTS", text, field=SIPGATE_CERT,
                                    received=", ".join(f"#{i + 1} {c.sha256}"
                                                       for i, c in enumerate(signing)))]


def certificate_findings(signing: tuple["CertInfo", ...], encryption: tuple["CertInfo", ...],
                         chosen: int | None, *, now: dt.datetime, warn_days: int) -> list[Finding]:
    """``check-cert``'s checks on every certificate. Only the chosen one (the one sipgate
    gets) keeps error severity; problems of the others are warnings."""
    out: list[Finding] = []
    seen: set[str] = set()
    for index, info in enumerate(signing):
        label = f"signing certificate #{index + 1}"
        field = SIPGATE_CERT if index == chosen else label
        for item in facts.check_info(info, now=now, warn_days=warn_days, field=field):
            out.append(_relabel(item, label, demote=index != chosen))
        seen.add(info.sha256)
    for index, info in enumerate(encryption):
        if info.sha256 in seen:
            continue  # a KeyDescriptor without use: already checked as a signing key
        label = f"encryption certificate #{index + 1}"
        for item in facts.check_info(info, now=now, warn_days=warn_days, field=label):
            out.append(_relabel(item, label, demote=True))
    return out


def _relabel(item: Finding, label: str, *, demote: bool) -> Finding:
    severity = Severity.WARNING if demote and item.severity is Severity.ERROR else item.severity
    return item._replace(message=f"{label}: {item.message}", severity=severity)


def describe_certificate(text: str, *, now: dt.datetime) -> "CertInfo":
    """A ``<ds:X509Certificate>`` body -> :class:`~ssoctl.certs.facts.CertInfo`.

    :class:`InputError` for anything that does not load, including certificates that
    parse but whose key cryptography cannot read (a mangled algorithm OID).
    """
    from cryptography.exceptions import UnsupportedAlgorithm

    try:
        return facts.describe_base64(text, now=now)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise InputError(f"the certificate cannot be read: {first_line(exc)}",
                         hint="download the metadata again as a file",
                         code="CERT_UNREADABLE") from None
