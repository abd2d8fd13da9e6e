"""Okta's view against sipgate's: do both sides still describe the same connection?

Pure functions over two small records: :class:`IdpView` (what Okta signs with and where it
sends users: the app's active certificate, Sign on URL and Issuer, plus its other keys) and
:class:`SpHeld` (what sipgate holds: whatever is known of its SSO URL, Entity ID and
Certificate). Each comparison returns findings; nothing here reads the network.

The case this exists for: someone generates and activates a new signing key in Okta, and
sipgate still holds the previous certificate. Every login fails from that moment, and
neither side looks wrong on its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ssoctl.findings import Finding, finding, plural

SP_CERT = "sipgate Certificate"
SP_SSO_URL = "sipgate SSO URL"
SP_ENTITY_ID = "sipgate Entity ID"


@dataclass(frozen=True)
class KeyView:
    """One signing key of the Okta app (its certificate's fingerprint and dates)."""

    kid: str
    active: bool
    sha256: str | None
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None


@dataclass(frozen=True)
class IdpView:
    """What Okta's management API says the app signs with and where it sends users."""

    sso_url: str | None
    issuer: str | None
    keys: tuple[KeyView, ...]

    @property
    def active(self) -> KeyView | None:
        return next((k for k in self.keys if k.active), None)

    def key_with(self, sha256: str | None) -> KeyView | None:
        return next((k for k in self.keys if sha256 and k.sha256 == sha256), None)


@dataclass(frozen=True)
class SpHeld:
    """What the SP holds, as far as it is known. ``None`` fields were not given (a
    certificate file alone says nothing about the SSO URL); ``source`` says where the
    values came from (an SP profile, a file, a fingerprint)."""

    source: str
    sso_url: str | None = None
    issuer: str | None = None
    cert_sha256: str | None = None
    from_sp: bool = False
    """Read from the SP itself (an empty value there means "not configured")."""

    def to_dict(self) -> dict[str, object]:
        return {"source": self.source, "sso_url": self.sso_url, "idp_entity_id": self.issuer,
                "certificate_sha256": self.cert_sha256, "read_from_sp": self.from_sp}


def normalize_sha256(text: str | None) -> str | None:
    """Upper-case colon hex of a SHA-256 fingerprint in any notation; None if it is not one."""
    if not text:
        return None
    digits = "".join(ch for ch in text if ch not in ": \t-").upper()
    if len(digits) != 64 or any(ch not in "0123456789ABCDEF" for ch in digits):
        return None
    return ":".join(digits[i:i + 2] for i in range(0, 64, 2))


def certificate(idp: IdpView, sp: SpHeld) -> tuple[Finding, ...]:
    """sipgate's Certificate against the app's active key: equal, another key of the
    app (the rotated-key case), or unknown to Okta altogether."""
    active = idp.active
    if not sp.cert_sha256:
        if sp.from_sp:
            return (finding("CONN_SP_NOT_CONFIGURED", "sipgate's Certificate field is empty",
                            field=SP_CERT),)
        return ()
    if active is None or active.sha256 is None:
        return ()  # the Okta check reports the missing key (OKTA_SIGNING_KEY_MISSING)
    if sp.cert_sha256 == active.sha256:
        return ()
    other = idp.key_with(sp.cert_sha256)
    if other is not None:
        message = (f"sipgate holds the certificate of key {other.kid}, but Okta signs with "
                   f"key {active.kid} now (the signing key was switched in Okta): every "
                   "login fails its signature check")
    else:
        message = ("sipgate holds a certificate that is none of the Okta app's signing keys; "
                   f"Okta signs with key {active.kid}")
    return (finding("CONN_CERT_DRIFT", message, field=SP_CERT,
                    expected=active.sha256, received=sp.cert_sha256),)


def sso_url(idp: IdpView, sp: SpHeld) -> tuple[Finding, ...]:
    if sp.sso_url is None:
        if sp.from_sp:
            return (finding("CONN_SP_NOT_CONFIGURED", "sipgate's SSO URL field is empty",
                            field=SP_SSO_URL),)
        return ()
    if idp.sso_url and sp.sso_url.strip() != idp.sso_url:
        return (finding("CONN_SSO_URL_DRIFT", f"sipgate's SSO URL is {sp.sso_url}",
                        field=SP_SSO_URL, expected=idp.sso_url, received=sp.sso_url),)
    return ()


def issuer(idp: IdpView, sp: SpHeld) -> tuple[Finding, ...]:
    if sp.issuer is None:
        if sp.from_sp:
            return (finding("CONN_SP_NOT_CONFIGURED", "sipgate's Entity ID field is empty",
                            field=SP_ENTITY_ID),)
        return ()
    if idp.issuer and sp.issuer.strip() != idp.issuer:
        return (finding("CONN_ISSUER_DRIFT", f"sipgate's Entity ID is {sp.issuer}",
                        field=SP_ENTITY_ID, expected=idp.issuer, received=sp.issuer),)
    return ()


def expiry(idp: IdpView, *, now: dt.datetime, warn_days: int) -> tuple[Finding, ...]:
    """The active certificate (expired: error; within ``warn_days``: warning) and any
    next one: an inactive key newer than the active one, ready for the next switch."""
    out: list[Finding] = []
    active = idp.active
    if active is not None and active.not_after is not None:
        left = (active.not_after - now).days
        day = active.not_after.date().isoformat()
        field = f"Okta: SAML Signing Certificates (active, kid {active.kid})"
        if now > active.not_after:
            out.append(finding("CONN_CERT_EXPIRED", f"the active certificate expired on {day}; "
                               "sipgate rejects every login", field=field,
                               received=day))
        elif left < warn_days:
            out.append(finding("CONN_CERT_EXPIRING", f"the active certificate expires on {day}, "
                               f"in {left} {plural(left, 'day')} (warning threshold "
                               f"{warn_days})", field=field, received=day))
    for key in next_keys(idp):
        if key.not_after is not None and (key.not_after - now).days < warn_days:
            day = key.not_after.date().isoformat()
            state = "expired" if now > key.not_after else "expires"
            out.append(finding("CONN_NEXT_CERT_EXPIRING", f"the next certificate (kid {key.kid}) "
                               f"{state} on {day}",
                               field=f"Okta: SAML Signing Certificates (inactive, kid {key.kid})",
                               received=day))
    return tuple(out)


def next_keys(idp: IdpView) -> tuple[KeyView, ...]:
    """Inactive keys newer than the active one (made later, or valid longer): the
    candidates for the next switch. Older inactive keys are the past, not the next."""
    active = idp.active
    if active is None:
        return tuple(k for k in idp.keys if not k.active)

    def newer(key: KeyView) -> bool:
        if key.not_before and active.not_before and key.not_before > active.not_before:
            return True
        return bool(key.not_after and active.not_after and key.not_after > active.not_after)
    return tuple(k for k in idp.keys if not k.active and newer(k))
