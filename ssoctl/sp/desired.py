"""What ``push`` is asked to write, checked locally before anything touches the network.

Inputs come from IdP metadata (through :mod:`ssoctl.metadata`, with its certificate and
entity checks) or from ``--sso-url/--entity-id/--cert`` (the certificate through
:mod:`ssoctl.certs`). Error findings stop the push unless the user allows that specific
code with ``--allow CODE``; an allowed finding stays in the report, as a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit

from ssoctl.errors import InputError, UsageError
from ssoctl.findings import Finding, Severity, catalogue, finding
from ssoctl.sp.contract import SsoSettings

MAX_CERT_BYTES = 64 * 1024


@dataclass(frozen=True)
class Desired:
    """The settings to push and what was found while building them."""

    settings: SsoSettings
    findings: tuple[Finding, ...]
    source: str

    @property
    def blocked(self) -> bool:
        return any(f.is_error for f in self.findings)


def from_metadata(source: str, *, now: dt.datetime, http_settings=None,
                  entity_id: str | None = None) -> Desired:
    """Settings from IdP metadata (path, ``-`` or URL), with the metadata's findings."""
    from ssoctl.metadata import reader

    idp = reader.load_source(source, http_settings=http_settings, now=now,
                               entity_id=entity_id, entity_id_option="--metadata-entity-id")
    settings = SsoSettings(sso_url=idp.sso_url, idp_entity_id=idp.entity_id or None,
                           certificate=idp.certificate_pem, enabled=False)
    # The metadata checks already report a missing or http SSO URL and a missing
    # certificate in the metadata's own words; add only what they do not cover.
    covered = {f.code for f in idp.findings}
    extra = tuple(f for f in value_findings(settings)
                  if not (f.code.startswith("PUSH_SSO_URL") and covered & _SSO_CODES)
                  and not (f.code == "PUSH_CERT_MISSING" and covered & _CERT_CODES))
    return Desired(settings, tuple(idp.findings) + extra, source)


_SSO_CODES = {"METADATA_SSO_URL_NOT_HTTPS", "METADATA_NO_SSO_URL"}
_CERT_CODES = {"METADATA_NO_SIGNING_CERT", "METADATA_CERT_UNREADABLE"}


def from_values(*, sso_url: str | None, entity_id: str | None, cert_path: str | None,
                now: dt.datetime) -> Desired:
    """Settings from ``--sso-url``, ``--entity-id`` and ``--cert FILE``."""
    pem: str | None = None
    found: tuple[Finding, ...] = ()
    if cert_path:
        pem, found = read_certificate(cert_path, now=now)
    settings = SsoSettings(sso_url=(sso_url or "").strip() or None,
                           idp_entity_id=(entity_id or "").strip() or None,
                           certificate=pem, enabled=False)
    checks = value_findings(settings)
    if cert_path:  # the certificate's own findings already say why there is none
        checks = tuple(f for f in checks if f.code != "PUSH_CERT_MISSING")
    return Desired(settings, tuple(found) + checks, "command line")


def read_certificate(path: str, *, now: dt.datetime) -> tuple[str | None, tuple[Finding, ...]]:
    """A clean PEM from a certificate file, with the certificate's findings.

    Shape defects that ssoctl repairs (no BEGIN/END lines, lost line breaks, CRs …) become
    notes, because what is pushed is the clean PEM; a certificate that cannot be repaired
    keeps its error findings and nothing is pushed.
    """
    from ssoctl.certs import diagnose as certdiag
    from ssoctl.certs.result import SHAPE_CODES
    from ssoctl.files import read_source

    source = read_source(path, max_bytes=MAX_CERT_BYTES, what="certificate")
    diag = certdiag.diagnose(source.data, now=now, source=source.label)
    if diag.fixed_pem is None:
        found = tuple(diag.findings)
        if not any(f.is_error for f in found):
            found += (finding("PUSH_CERT_UNREADABLE", f"{source.label} is not a complete "
                              "certificate", field="sipgate Certificate"),)
        return None, found
    out = []
    for item in diag.findings:
        if item.code in SHAPE_CODES and item.code != "CERT_SEVERAL":
            item = item._replace(severity=Severity.INFO,
                                       message=f"{item.message} (repaired: a clean PEM is pushed)")
        out.append(item._replace(field=item.field or "sipgate Certificate"))
    return diag.fixed_pem, tuple(out)


def value_findings(settings: SsoSettings) -> tuple[Finding, ...]:
    """Checks on the three values themselves (presence, https)."""
    out: list[Finding] = []
    url = settings.sso_url
    if not url:
        out.append(finding("PUSH_SSO_URL_MISSING", field="sipgate SSO URL"))
    else:
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. an unclosed IPv6 bracket: https://[::1/
            parts = None
        if parts is None or parts.scheme not in ("https", "http") or not parts.hostname:
            out.append(finding("PUSH_SSO_URL_INVALID", f"SSO URL {url!r} is not a URL",
                               field="sipgate SSO URL", received=url))
        elif parts.scheme != "https":
            out.append(finding("PUSH_SSO_URL_NOT_HTTPS", f"SSO URL {url} is plain http",
                               field="sipgate SSO URL", received=url))
    if not settings.idp_entity_id:
        out.append(finding("PUSH_ENTITY_ID_MISSING", field="sipgate Entity ID"))
    if not settings.certificate:
        out.append(finding("PUSH_CERT_MISSING", field="sipgate Certificate"))
    return tuple(out)


def check_backup_values(settings: SsoSettings, *, path: str, now: dt.datetime) -> None:
    """Refuse a backup's values that no SSO setting can be, before ``rollback`` sends anything.

    Backups may have been edited, so they get push's own checks: the certificate goes
    through ``check-cert``'s diagnosis, where a private key is refused with push's error
    (``CERT_PRIVATE_KEY``, exit 3, never echoed), and the SSO URL through push's URL check.
    Certificate text from which no complete certificate can be read, and an SSO URL that is
    not an http(s) URL with a host, are ``BACKUP_INVALID`` (exit 3), not error findings
    (exit 1): the fault is in the file, like any other malformed backup, and a rollback has
    no ``--allow``. Values that are well formed are restored as the SP held them, also where
    push would refuse to write them (empty fields, plain http, an expired certificate,
    another Entity ID than the profile's): that is the state the SP was in, and the retry
    command exit 8 prints must be able to put it back.
    """
    from ssoctl.certs import diagnose as certdiag

    pem = settings.certificate
    if pem:
        try:
            diag = certdiag.diagnose(pem.encode("utf-8", "replace"), now=now,
                                     source="the backup's Certificate")
        except InputError as exc:
            if exc.code == "CERT_PRIVATE_KEY":
                raise InputError(
                    f"{path} cannot be restored: its Certificate is a private key, not a "
                    "certificate; nothing was sent to the SP",
                    hint="a backup holds the SP's settings as read, so this one was edited (or "
                         "the SP held a key: if the key was shared by mistake, replace it); pick "
                         "another backup (ssoctl rollback --list) or push the IdP's signing "
                         "certificate", code="CERT_PRIVATE_KEY") from None
            raise _bad_backup_value(path, f"its Certificate is not a certificate ({exc.message})") \
                from None
        extra = [f for f in diag.findings if f.code in _AROUND]
        if extra:
            # rollback sends the text as stored: nothing but certificate data may leave,
            # and text around a certificate may be key material without a label
            raise _bad_backup_value(path, f"its Certificate holds more than certificates "
                                          f"({extra[0].message}); nothing was sent")
        if diag.fixed_pem is None and not _only_certificates(pem):
            from ssoctl.certs.result import SHAPE_CODES

            errors = sorted((f for f in diag.findings if f.is_error),
                            key=lambda f: f.code in SHAPE_CODES)  # the cause before the shape
            why = errors[0].message if errors else "no complete certificate in it"
            raise _bad_backup_value(path, f"its Certificate is not a complete certificate ({why})")
    for item in value_findings(settings):
        if item.code == "PUSH_SSO_URL_INVALID":
            raise _bad_backup_value(path, f"its {item.message}")


#: check-cert's findings for text before or after the certificate in a pasted value.
_AROUND = frozenset({"CERT_LEADING_DATA", "CERT_TRAILING_DATA"})
_PEM_CERTIFICATES = re.compile(r"\s*(?:-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+"
                               r"-----END CERTIFICATE-----\s*)+")


def _only_certificates(text: str) -> bool:
    """Whether ``text`` is one or more PEM certificates and nothing else (an SP may hold
    two during a key rollover), each of them readable."""
    from cryptography import x509

    if not _PEM_CERTIFICATES.fullmatch(text):
        return False
    try:
        found = x509.load_pem_x509_certificates(text.encode("ascii"))
    except ValueError:
        return False
    return len(found) == text.count("-----BEGIN CERTIFICATE-----")


def _bad_backup_value(path: str, why: str) -> InputError:
    return InputError(f"{path} cannot be restored: {why}; nothing was sent to the SP",
                      hint="a backup holds the SP's settings as read, so this one was edited or "
                           "damaged; pick another backup (ssoctl rollback --list) or push the "
                           "IdP's settings with ssoctl push", code="BACKUP_INVALID")


def expectation_findings(settings: SsoSettings, expected_entity_id: str | None) -> tuple[Finding, ...]:
    """The profile's ``idp_entity_id`` against what is being pushed."""
    if expected_entity_id and settings.idp_entity_id and \
            settings.idp_entity_id != expected_entity_id:
        return (finding("PUSH_IDP_ENTITY_ID_MISMATCH", field="sipgate Entity ID",
                        expected=expected_entity_id, received=settings.idp_entity_id),)
    return ()


def check_allow_codes(codes: Iterable[str]) -> tuple[str, ...]:
    """Upper-case the ``--allow`` codes; refuse ones the catalogue does not know."""
    known = catalogue()
    out = tuple(code.strip().upper() for code in codes if code.strip())
    unknown = [code for code in out if code not in known]
    if unknown:
        raise UsageError(f"--allow {unknown[0]}: no such finding code",
                         hint="use a code printed under Findings (see `ssoctl explain CODE`)",
                         code="UNKNOWN_FINDING_CODE")
    return out


def allow(findings: Iterable[Finding], codes: Iterable[str]) -> tuple[Finding, ...]:
    """Turn error findings whose code is in ``codes`` into warnings, saying so."""
    allowed = set(codes)
    out = []
    for item in findings:
        if item.is_error and item.code in allowed:
            item = item._replace(severity=Severity.WARNING,
                                       message=f"{item.message} (allowed with --allow {item.code})")
        out.append(item)
    return tuple(out)
