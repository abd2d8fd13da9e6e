"""``okta check``: every way one Okta SAML app differs from what sipgate needs.

:func:`check_app` is pure (an app, its keys, whether anyone is assigned, sipgate's values,
a clock) and returns findings; :func:`inspect` reads those from Okta and calls it. Apps that
are not sipgate's (``audit``) get the generic checks only: SHA-1, an expired or expiring
signing certificate, an unsigned assertion, inactive but still assigned.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, Iterable
from urllib.parse import urlsplit

from ssoctl.findings import Finding, finding
from ssoctl.findings.console import okta
from ssoctl.okta import api
from ssoctl.okta.apps import (EMAIL_FORMAT, EMAIL_NAMEID_TEMPLATES, EMAIL_TEMPLATES, SamlApp,
                              SpValues, show)
from ssoctl.okta.client import OktaClient

#: Host names whose apps get the sipgate checks even without SP values.
SIPGATE_HOSTS = ("sipgate.com", "sipgate.de", "sipgate.co.uk", "sipgatebasic.de")
CERT_FIELD = okta("signing_certificates")


@dataclass(frozen=True)
class KeyInfo:
    """One signing key of an app, as the app's list of SAML signing certificates shows it."""

    kid: str
    active: bool
    expires_at: dt.datetime | None
    created: str | None
    certificate: Any = None
    """:class:`ssoctl.certs.facts.CertInfo` of ``x5c[0]`` (None when unreadable or absent)."""

    def to_dict(self) -> dict[str, Any]:
        cert = self.certificate
        return {"kid": self.kid, "active": self.active, "expires_at": self.expires_at,
                "created": self.created,
                "certificate_sha256": None if cert is None else cert.sha256,
                "certificate_subject": None if cert is None else cert.subject,
                "certificate_pem": None if cert is None else cert.pem}


@dataclass(frozen=True)
class AppCheck:
    """The result of checking one app."""

    org: str
    app: SamlApp
    sipgate: bool
    keys: tuple[KeyInfo, ...]
    assigned: bool | None
    sp: SpValues
    findings: tuple[Finding, ...]

    @property
    def active_key(self) -> KeyInfo | None:
        return next((k for k in self.keys if k.active), None)

    def to_dict(self) -> dict[str, Any]:
        key = self.active_key
        return {"org": self.org, "app": self.app.to_dict(), "sipgate": self.sipgate,
                "assigned": self.assigned,
                "sp": {"acs_url": self.sp.acs_url, "entity_id": self.sp.entity_id},
                "active_kid": None if key is None else key.kid,
                "certificate_expires": None if key is None or key.certificate is None
                else key.certificate.not_after,
                "keys": [k.to_dict() for k in self.keys]}


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.timezone.utc)
    except ValueError:
        return None


def read_keys(raw: Iterable[dict[str, Any]], active_kid: str | None, *,
              now: dt.datetime, certificates: str = "all") -> tuple[KeyInfo, ...]:
    """Okta's key JWKs -> :class:`KeyInfo`. ``certificates``: which ``x5c`` certificates to
    read: ``all``, ``active`` (the checks need only the active key's) or ``none`` (expiry
    from ``expiresAt`` alone, for ``okta list``)."""
    out = []
    for jwk in raw:
        kid = str(jwk.get("kid") or "")
        active = bool(active_kid) and kid == active_kid
        chain = jwk.get("x5c") if isinstance(jwk.get("x5c"), list) else []
        info = None
        wanted = certificates == "all" or (certificates == "active" and active)
        if wanted and chain and isinstance(chain[0], str):
            info = _describe(chain[0], now)
        expires = _time(jwk.get("expiresAt")) or (info.not_after if info else None)
        out.append(KeyInfo(kid=kid, active=active, expires_at=expires,
                           created=jwk.get("created"), certificate=info))
    return tuple(out)


@functools.lru_cache(maxsize=4096)
def _describe(x5c: str, now: dt.datetime) -> Any:
    """The certificate's :class:`~ssoctl.certs.facts.CertInfo` (None when unreadable); cached,
    because apps can share a key (Okta clones keys between apps) and reading one costs
    milliseconds."""
    from ssoctl.certs import facts
    from ssoctl.errors import InputError

    try:
        return facts.describe_base64(x5c, now=now)
    except InputError:
        return None


def is_sipgate(app: SamlApp, sp: SpValues) -> bool:
    """Whether the app is (meant to be) sipgate's: its URLs match the SP values given, or
    point at a sipgate host, or its label says sipgate."""
    acs, audience = app.values.get("sso_acs_url"), app.values.get("audience")
    if sp.acs_url and acs == sp.acs_url or sp.entity_id and audience == sp.entity_id:
        return True
    for url in (acs, audience):
        host = (urlsplit(url).hostname or "") if isinstance(url, str) else ""
        if host and any(host == h or host.endswith("." + h) for h in SIPGATE_HOSTS):
            return True
    return "sipgate" in app.label.casefold()


def check_app(app: SamlApp, keys: tuple[KeyInfo, ...], *, assigned: bool | None,
              sp: SpValues, now: dt.datetime, warn_days: int = 30,
              sipgate: bool = True) -> tuple[Finding, ...]:
    """Findings for one app. ``assigned`` None: not looked up (active non-sipgate apps)."""
    out: list[Finding] = []
    if sipgate:
        out += _lifecycle(app, assigned)
        out += _identity(app)
        out += _urls(app, sp)
    elif not app.active and assigned:
        out.append(finding("OKTA_INACTIVE_ASSIGNED", f"app {app.label!r} is inactive but has "
                           "assignments", field="Okta: General → Application status"))
    out += _signing(app)
    out += _keys(app, keys, now=now, warn_days=warn_days)
    if not sipgate:
        out.append(finding("OKTA_NOT_SIPGATE", field="Okta: Single sign-on URL"))
    return tuple(out)


def _lifecycle(app: SamlApp, assigned: bool | None) -> list[Finding]:
    out = []
    if not app.active:
        out.append(finding("OKTA_APP_INACTIVE", f"app {app.label!r} is {app.status.lower()}",
                           field="Okta: General → Application status", expected="ACTIVE",
                           received=app.status))
    if assigned is False:
        out.append(finding("OKTA_APP_UNASSIGNED", field="Okta: Assignments"))
    return out


def _identity(app: SamlApp) -> list[Finding]:
    out = []
    fmt = app.values.get("name_id_format")
    template = app.values.get("name_id_template")
    if fmt != EMAIL_FORMAT:
        out.append(finding("OKTA_NAMEID_NOT_EMAIL", f"Name ID format is "
                           f"{show('name_id_format', fmt)}", field="Okta: Name ID format",
                           expected="EmailAddress", received=show("name_id_format", fmt)))
    elif template and template not in EMAIL_NAMEID_TEMPLATES:
        out.append(finding("OKTA_NAMEID_NOT_EMAIL", f"the NameID is filled from {template}, "
                           "not the e-mail address", field="Okta: subjectNameIdTemplate",
                           expected="${user.userName}", received=template))
    username = app.values.get("username_template")
    if username not in EMAIL_TEMPLATES:
        out.append(finding("OKTA_USERNAME_NOT_EMAIL", f"Application username is "
                           f"{show('username_template', username)}",
                           field="Okta: Application username", expected="Email",
                           received=show("username_template", username)))
    return out


def _urls(app: SamlApp, sp: SpValues) -> list[Finding]:
    if not sp.acs_url and not sp.entity_id:
        return [finding("OKTA_SP_VALUES_MISSING")]
    out = []
    checks = (("sso_acs_url", "OKTA_ACS_URL_MISMATCH", sp.acs_url),
              ("recipient", "OKTA_RECIPIENT_MISMATCH", sp.acs_url),
              ("destination", "OKTA_DESTINATION_MISMATCH", sp.acs_url),
              ("audience", "OKTA_AUDIENCE_MISMATCH", sp.entity_id))
    from ssoctl.okta.apps import LABELS

    for key, code, want in checks:
        have = app.values.get(key)
        if want and have != want:
            out.append(finding(code, f"{LABELS[key]} is {show(key, have)}",
                               field=f"Okta: {LABELS[key]}", expected=want, received=have))
    return out


def _signing(app: SamlApp) -> list[Finding]:
    out = []
    sig, digest = app.values.get("signature_algorithm"), app.values.get("digest_algorithm")
    weak = [show(k, v) for k, v in (("signature_algorithm", sig), ("digest_algorithm", digest))
            if isinstance(v, str) and "SHA1" in v.upper()]
    if weak:
        out.append(finding("OKTA_SHA1", f"app {app.label!r} uses {' and '.join(weak)}",
                           field="Okta: Signature Algorithm / Digest Algorithm",
                           expected="RSA-SHA256 / SHA256", received=" / ".join(weak)))
    if app.values.get("assertion_signed") is not True:
        out.append(finding("OKTA_ASSERTION_UNSIGNED", f"app {app.label!r} does not sign the "
                           "assertion", field="Okta: Assertion Signature", expected="Signed",
                           received=show("assertion_signed", app.values.get("assertion_signed"))))
    return out


def _keys(app: SamlApp, keys: tuple[KeyInfo, ...], *, now: dt.datetime,
          warn_days: int) -> list[Finding]:
    from ssoctl.certs import facts

    out: list[Finding] = []
    active = next((k for k in keys if k.active), None)
    if active is None:
        out.append(finding("OKTA_SIGNING_KEY_MISSING", f"active signing key {app.kid or '(none)'} "
                           "is not among the app's keys", field=CERT_FIELD,
                           received=app.kid or None))
    elif active.certificate is not None:
        out += facts.check_info(active.certificate, now=now, warn_days=warn_days,
                                field=f"{CERT_FIELD} (active, kid {active.kid})")
    if len(keys) > 1:
        listed = "; ".join(f"{k.kid}{' (active)' if k.active else ''} until "
                           f"{k.expires_at.date().isoformat() if k.expires_at else '?'}"
                           for k in keys)
        out.append(finding("OKTA_SEVERAL_KEYS", f"{len(keys)} signing keys: {listed}",
                           field=CERT_FIELD, received=active.kid if active else None))
    return out


def inspect(client: OktaClient, app: SamlApp, *, sp: SpValues, now: dt.datetime,
            warn_days: int = 30, sipgate: bool | None = None,
            always_assignments: bool = True, certificates: str = "all") -> AppCheck:
    """Read what :func:`check_app` needs for ``app`` and check it.

    ``sipgate`` None decides by :func:`is_sipgate`. Assignments are looked up for sipgate
    apps and inactive apps (or always, with ``always_assignments``). ``certificates`` as
    for :func:`read_keys` (``audit`` reads only the active key's).
    """
    is_sip = is_sipgate(app, sp) if sipgate is None else sipgate
    key_list = read_keys(api.keys(client, app.id), app.kid, now=now,
                         certificates=certificates)
    assigned = None
    if always_assignments or is_sip or not app.active:
        assigned = api.has_assignments(client, app.id)
    found = check_app(app, key_list, assigned=assigned, sp=sp, now=now, warn_days=warn_days,
                      sipgate=is_sip)
    return AppCheck(org=client.org, app=app, sipgate=is_sip, keys=key_list, assigned=assigned,
                    sp=sp, findings=found)
