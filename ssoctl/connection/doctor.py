"""``ssoctl doctor``: a read-only check of a live Okta → sipgate connection, for a nightly job.

Each check is one line (and one JUnit test case): the Okta app as ``okta check`` sees it;
the signing certificates' expiry (the active one and any next one); sipgate's Certificate,
SSO URL and Entity ID against what Okta signs with and where it sends users (through an SP
profile, or a certificate file or fingerprint of what was pasted into sipgate); the app's
public metadata URL; the e-mail domain's DNS TXT verification record. A check that cannot
be run (the SP does not answer, DNS fails) is reported as its own error finding and the
other checks still run; only a failure to reach Okta at all stops the command.

Nothing here writes anywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable
from urllib.parse import urlsplit

from ssoctl.connection import drift
from ssoctl.connection.dns import DnsServer, check_txt
from ssoctl.connection.drift import IdpView, KeyView, SpHeld
from ssoctl.errors import InputError, SsoctlError, UsageError
from ssoctl.findings import Finding, Severity, finding
from ssoctl.okta.apps import SpValues

#: Certificate findings of ``okta check`` that the expiry check reports in its own words.
_EXPIRY_CODES = frozenset({"CERT_EXPIRED", "CERT_EXPIRING_SOON"})
#: Public IdP metadata is a few kilobytes.
MAX_METADATA_BYTES = 1024 * 1024


class Status(str, Enum):
    PASS = "pass"
    WARNING = "warning"
    FAIL = "fail"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report (one JUnit test case)."""

    name: str
    """Stable identifier: okta_app, certificates, sp_certificate, sp_sso_url,
    sp_entity_id, metadata_url, dns_txt."""
    title: str
    status: Status
    summary: str
    findings: tuple[Finding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "status": self.status.value,
                "summary": self.summary, "findings": [f.to_dict() for f in self.findings]}


def _check(name: str, title: str, ok: str, findings: tuple[Finding, ...] | list[Finding],
           *, bad: str | None = None) -> Check:
    found = tuple(findings)
    if any(f.is_error for f in found):
        status = Status.FAIL
    elif any(f.severity is Severity.WARNING for f in found):
        status = Status.WARNING
    else:
        status = Status.PASS
    worst = next((f for f in found if f.is_error), None) or \
        next((f for f in found if f.severity is Severity.WARNING), None)
    summary = ok if status is Status.PASS else (bad or (worst.message if worst else ok))
    return Check(name, title, status, summary, found)


def _skipped(name: str, title: str, why: str, findings: tuple[Finding, ...] = ()) -> Check:
    return Check(name, title, Status.SKIPPED, why, findings)


@dataclass(frozen=True)
class DoctorRequest:
    """What to check. ``sp`` is sipgate's ACS URL and Entity ID (for the Okta app check)."""

    app: str = "sipgate"
    sp: SpValues = field(default_factory=SpValues)
    warn_days: int = 30
    domain: str | None = None
    txt_value: str | None = None
    dns_server: DnsServer | None = None
    metadata_url: str | None = None
    dns_timeout: float = 5.0


@dataclass(frozen=True)
class DoctorResult:
    org: str
    app_id: str
    app_label: str
    idp: IdpView
    sp_held: SpHeld | None
    checks: tuple[Check, ...]
    metadata_url: str | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for c in self.checks for f in c.findings)

    def to_dict(self) -> dict[str, Any]:
        active = self.idp.active
        return {"org": self.org, "app_id": self.app_id, "app_label": self.app_label,
                "okta": {"sso_url": self.idp.sso_url, "issuer": self.idp.issuer,
                         "active_kid": None if active is None else active.kid,
                         "certificate_sha256": None if active is None else active.sha256,
                         "keys": [{"kid": k.kid, "active": k.active, "sha256": k.sha256,
                                   "not_after": k.not_after} for k in self.idp.keys]},
                "sp": None if self.sp_held is None else self.sp_held.to_dict(),
                "metadata_url": self.metadata_url,
                "checks": [c.to_dict() for c in self.checks]}


SpReader = Callable[[], SpHeld]


def doctor(client: Any, request: DoctorRequest, *, now: dt.datetime,
           sp_reader: SpReader | None = None, fetch: Callable[[str], bytes] | None = None,
           ) -> DoctorResult:
    """Run every check against ``client`` (an :class:`ssoctl.okta.client.OktaClient`).

    ``sp_reader`` returns what sipgate holds (None: not compared); ``fetch(url)`` reads the
    public metadata URL (default: :func:`ssoctl.http.fetch` with the client's settings).
    """
    from ssoctl.okta import api
    from ssoctl.okta.checks import inspect

    app = api.find_app(client, request.app)
    seen = inspect(client, app, sp=request.sp, now=now, warn_days=request.warn_days,
                   sipgate=True)
    checks = [_okta_check(seen)]
    idp, api_meta_error = _idp_view(client, app, seen.keys, now=now)
    checks.append(_check("certificates", "signing certificates",
                         _expiry_ok(idp), drift.expiry(idp, now=now, warn_days=request.warn_days)))
    held, sp_checks = _sp_checks(idp, sp_reader)
    checks += sp_checks
    url = request.metadata_url or public_metadata_url(client.org, idp.issuer)
    checks.append(_metadata_check(url, idp, api_meta_error, fetch or _fetcher(client), now=now))
    checks.append(_dns_check(request))
    return DoctorResult(org=client.org, app_id=app.id, app_label=app.label, idp=idp,
                        sp_held=held, checks=tuple(checks), metadata_url=url)


# ---------------------------------------------------------------- Okta's side

def _okta_check(seen: Any) -> Check:
    app = seen.app
    found = [f for f in seen.findings if f.code not in _EXPIRY_CODES]
    state = "active" if app.active else app.status.lower()
    who = {True: "assigned", False: "nobody assigned", None: "assignments not read"}[seen.assigned]
    return _check("okta_app", "Okta app",
                  f"app {app.label!r} ({app.id}): {state}, {who}, settings as sipgate needs",
                  found)


def _idp_view(client: Any, app: Any, keys: tuple[Any, ...], *,
              now: dt.datetime) -> tuple[IdpView, SsoctlError | None]:
    """Sign on URL and Issuer from the app's metadata (through the API), and its keys."""
    from ssoctl.metadata import reader
    from ssoctl.okta import api

    views = tuple(KeyView(kid=k.kid, active=k.active,
                          sha256=k.certificate.sha256 if k.certificate else None,
                          not_before=k.certificate.not_before if k.certificate else None,
                          not_after=k.certificate.not_after if k.certificate else k.expires_at)
                  for k in keys)
    try:
        _, xml = api.metadata_xml(client, app)
        settings = reader.load(xml, now=now, source="Okta API metadata")
    except SsoctlError as exc:
        return IdpView(sso_url=None, issuer=None, keys=views), exc
    return IdpView(sso_url=settings.sso_url, issuer=settings.entity_id or None, keys=views), None


def _expiry_ok(idp: IdpView) -> str:
    active = idp.active
    if active is None or active.not_after is None:
        return "no active signing certificate to check (see the Okta app check)"
    text = f"active certificate (kid {active.kid}) valid until {active.not_after.date()}"
    upcoming = drift.next_keys(idp)
    if upcoming:
        text += f"; next: {', '.join(k.kid for k in upcoming)}"
    return text


def public_metadata_url(org: str, issuer: str | None) -> str | None:
    """``{org}/app/{exk…}/sso/saml/metadata``: the unauthenticated URL Okta publishes, keyed
    by the app's ``exk…`` id (the last part of its Issuer ``http://www.okta.com/exk…``)."""
    if not issuer:
        return None
    key = urlsplit(issuer).path.rstrip("/").rsplit("/", 1)[-1]
    if not key.startswith("exk"):
        return None
    return f"{org}/app/{key}/sso/saml/metadata"


# ---------------------------------------------------------------- sipgate's side

def _sp_checks(idp: IdpView, reader: SpReader | None) -> tuple[SpHeld | None, list[Check]]:
    names = (("sp_certificate", "sipgate Certificate", drift.certificate),
             ("sp_sso_url", "sipgate SSO URL", drift.sso_url),
             ("sp_entity_id", "sipgate Entity ID", drift.issuer))
    if reader is None:
        note = (finding("CONN_SP_NOT_COMPARED"),)
        return None, [_skipped(name, title, "not compared: no SP profile, --sp-cert or "
                               "--sp-fingerprint given", note if name == "sp_certificate"
                               else ()) for name, title, _ in names]
    try:
        held = reader()
    except SsoctlError as exc:
        failed = finding("CONN_CHECK_FAILED", f"reading sipgate's settings failed: "
                         f"{exc.message} ({exc.code})", hint=exc.hint or None)
        return None, [Check(name, title, Status.FAIL, failed.message,
                            (failed,) if name == "sp_certificate" else ())
                      for name, title, _ in names]
    checks = []
    values = {"sp_certificate": held.cert_sha256, "sp_sso_url": held.sso_url,
              "sp_entity_id": held.issuer}
    for name, title, compare in names:
        if values[name] is None and not held.from_sp:
            checks.append(_skipped(name, title, f"not known from {held.source}"))
            continue
        checks.append(_check(name, title, f"matches Okta ({held.source})",
                             compare(idp, held)))
    return held, checks


def sp_from_status(status: Any) -> SpHeld:
    """:class:`SpHeld` from :func:`ssoctl.sp.service.status` (an SP profile)."""
    settings = status.settings
    return SpHeld(source=f"SP profile {status.profile}", sso_url=settings.sso_url,
                  issuer=settings.idp_entity_id, cert_sha256=status.certificate_sha256,
                  from_sp=True)


def sp_from_cert_file(path: str, *, now: dt.datetime) -> SpHeld:
    """:class:`SpHeld` from the certificate file that was pasted into sipgate."""
    from ssoctl.sp.contract import fingerprint
    from ssoctl.sp.desired import read_certificate

    pem, _ = read_certificate(path, now=now)
    if pem is None:
        raise InputError(f"--sp-cert {path}: no complete certificate in it",
                         hint=f"run `ssoctl check-cert {path}` to see what is wrong with it",
                         code="DOCTOR_SP_CERT_UNREADABLE")
    return SpHeld(source=f"certificate file {path}", cert_sha256=fingerprint(pem))


def sp_from_fingerprint(text: str) -> SpHeld:
    value = drift.normalize_sha256(text)
    if value is None:
        raise UsageError(f"--sp-fingerprint {text!r} is not a SHA-256 fingerprint",
                         hint="give the 64 hex digits (colons optional) sipgate or "
                              "`ssoctl check-cert FILE` shows as SHA-256",
                         code="DOCTOR_BAD_FINGERPRINT")
    return SpHeld(source="--sp-fingerprint", cert_sha256=value)


# ---------------------------------------------------------------- metadata URL, DNS

def _fetcher(client: Any) -> Callable[[str], bytes]:
    def fetch(url: str) -> bytes:
        from ssoctl import http

        return http.fetch(url, settings=client.settings, max_bytes=MAX_METADATA_BYTES,
                          what="the app's public IdP metadata",
                          accept="application/samlmetadata+xml, application/xml;q=0.9, "
                                 "*/*;q=0.1").data
    return fetch


def _metadata_check(url: str | None, idp: IdpView, api_error: SsoctlError | None,
                    fetch: Callable[[str], bytes], *, now: dt.datetime) -> Check:
    title = "public metadata URL"
    if api_error is not None:
        failed = finding("CONN_CHECK_FAILED", f"reading the app's metadata through the API "
                         f"failed: {api_error.message}", hint=api_error.hint or None)
        return Check("metadata_url", title, Status.FAIL, failed.message, (failed,))
    if url is None:
        return _skipped("metadata_url", title, "the app's Issuer is not an Okta exk… id; "
                        "pass --metadata-url")
    try:
        from ssoctl.metadata import reader

        served = reader.load(fetch(url), now=now, source=url)
    except SsoctlError as exc:
        return _check("metadata_url", title, "", [finding(
            "CONN_METADATA_UNREACHABLE", f"{url}: {exc.message}", field="metadata URL",
            received=url)])
    return _check("metadata_url", title, f"{url} serves the API's certificate, Sign on URL "
                  "and Issuer", _metadata_differences(url, served, idp))


def _metadata_differences(url: str, served: Any, idp: IdpView) -> list[Finding]:
    active = idp.active
    cert = served.certificate
    pairs = (("Sign on URL", idp.sso_url, served.sso_url),
             ("Issuer", idp.issuer, served.entity_id or None),
             ("signing certificate", active.sha256 if active else None,
              cert.sha256 if cert else None))
    return [finding("CONN_METADATA_MISMATCH", f"{url} names another {what} than the API",
                    field="metadata URL", expected=want, received=got)
            for what, want, got in pairs if want is not None and want != got]


def _dns_check(request: DoctorRequest) -> Check:
    title = "e-mail domain TXT record"
    if not request.domain:
        return _skipped("dns_txt", title, "not checked: pass --domain (the company's e-mail "
                        "domain sipgate verifies)")
    result = check_txt(request.domain, expected=request.txt_value, server=request.dns_server,
                       timeout=request.dns_timeout)
    what = f"{result.domain}: " + ("the expected TXT record is published"
                                   if request.txt_value else "TXT records published")
    return _check("dns_txt", title, what, result.findings)

