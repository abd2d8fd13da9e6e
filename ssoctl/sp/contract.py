"""ssoctl's SSO-settings contract (docs/sp-api.md): the resource, and comparing two of them.

sipgate publishes no SSO settings endpoint. This is the resource ssoctl reads (GET) and
replaces (PUT) on an SP, or on a small adapter in front of one::

    {"sso_url": "https://…/sso/saml", "idp_entity_id": "http://www.okta.com/exk…",
     "certificate": "-----BEGIN CERTIFICATE-----\\n…", "enabled": false}

Certificates are compared by SHA-256 fingerprint of their DER bytes, so re-wrapping the
PEM text is not a change.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any, Mapping

from ssoctl.errors import NetworkError
from ssoctl.links import SP_API

FIELDS = ("sso_url", "idp_entity_id", "certificate", "enabled")
#: The names sipgate's SSO page uses for each field.
LABELS = {"sso_url": "SSO URL", "idp_entity_id": "Entity ID", "certificate": "Certificate",
          "enabled": "SSO enabled"}
CONTRACT_NOTE = ("sipgate publishes no SSO settings API: this is ssoctl's SSO-settings "
                 f"contract ({SP_API}), implemented by the SP or an adapter in front of it")


@dataclass(frozen=True)
class SsoSettings:
    """The SP's SSO settings. ``None`` means "not configured" (JSON ``null``)."""

    sso_url: str | None
    idp_entity_id: str | None
    certificate: str | None
    enabled: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON body of the contract (also the ``settings`` object of a backup)."""
        return {"sso_url": self.sso_url, "idp_entity_id": self.idp_entity_id,
                "certificate": self.certificate, "enabled": self.enabled}

    def with_enabled(self, enabled: bool) -> "SsoSettings":
        return SsoSettings(self.sso_url, self.idp_entity_id, self.certificate, enabled)


@dataclass(frozen=True)
class Current:
    """Settings as read from the SP, with the ETag it sent (if any)."""

    settings: SsoSettings
    etag: str | None = None


def settings_from_dict(body: Any, *, where: str) -> SsoSettings:
    """Validate a contract body; a malformed one is the SP's fault (exit 6)."""
    if not isinstance(body, Mapping):
        raise _bad(where, "the body is not a JSON object")
    values: dict[str, Any] = {}
    for key in ("sso_url", "idp_entity_id", "certificate"):
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            raise _bad(where, f"{key} is not a string")
        values[key] = value or None
    enabled = body.get("enabled", False)
    if not isinstance(enabled, bool):
        raise _bad(where, "enabled is not true or false")
    return SsoSettings(enabled=enabled, **values)


def _bad(where: str, what: str) -> NetworkError:
    return NetworkError(f"unexpected answer from {where}: {what}",
                        hint="check the base URL and path: the endpoint must implement "
                             f"ssoctl's SSO-settings contract ({SP_API})",
                        code="SP_BAD_RESPONSE")


# ---------------------------------------------------------------- certificates

@dataclass(frozen=True)
class CertSummary:
    """What a diff shows of a certificate: fingerprint and expiry (when readable)."""

    sha256: str | None
    not_after: dt.datetime | None = None
    subject: str | None = None

    def describe(self) -> str:
        if self.sha256 is None:
            return "unreadable certificate text"
        text = f"SHA-256 {self.sha256}"
        if self.not_after is not None:
            text += f", expires {self.not_after.date().isoformat()}"
        return text


_BEGIN, _END = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"


def der_of(pem: str | None) -> bytes | None:
    """The DER bytes of the first certificate in PEM text (or a bare base64 body)."""
    if not pem:
        return None
    # str.find, not a lazy regular expression: ".*?" between the armor lines rescans the
    # rest of the text for every BEGIN without an END (quadratic in a hostile answer).
    start = pem.find(_BEGIN)
    end = pem.find(_END, start + len(_BEGIN)) if start >= 0 else -1
    body = pem[start + len(_BEGIN):end] if end >= 0 else pem
    body = re.sub(r"\s+", "", body)
    try:
        der = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return None
    return der or None


def fingerprint(pem: str | None) -> str | None:
    """Upper-case colon-separated SHA-256 of the certificate's DER, as sipgate/Okta show it."""
    der = der_of(pem)
    if der is None:
        return None
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def summarize(pem: str | None, *, now: dt.datetime | None = None) -> CertSummary | None:
    """Fingerprint plus expiry and subject read through :mod:`ssoctl.certs`."""
    if not pem:
        return None
    info = describe_cert(pem, now=now)
    return CertSummary(sha256=fingerprint(pem),
                       not_after=getattr(info, "not_after", None),
                       subject=getattr(info, "subject", None))


def describe_cert(pem: str, *, now: dt.datetime | None = None) -> Any:
    """:class:`ssoctl.certs.facts.CertInfo` of PEM text, or ``None`` when it cannot be read."""
    from ssoctl.certs import facts
    from ssoctl.errors import InputError

    now = now or dt.datetime.now(dt.timezone.utc)
    try:
        return facts.describe_base64(pem, now=now)
    except InputError:  # an unreadable SP certificate is shown as such, not fatal
        return None


# ---------------------------------------------------------------- diff

@dataclass(frozen=True)
class FieldChange:
    """One row of the diff: the field, its sipgate label, both values as shown."""

    field: str
    label: str
    current: str | None
    desired: str | None
    changed: bool


def same_value(name: str, a: SsoSettings, b: SsoSettings) -> bool:
    """Equality as the contract means it (certificates by fingerprint)."""
    left, right = getattr(a, name), getattr(b, name)
    if name == "certificate":
        fa, fb = fingerprint(left), fingerprint(right)
        if fa is not None or fb is not None:
            return fa == fb
        return (left or "").strip() == (right or "").strip()
    return left == right


def differing(a: SsoSettings, b: SsoSettings) -> tuple[str, ...]:
    """The fields whose values differ."""
    return tuple(name for name in FIELDS if not same_value(name, a, b))


def diff(current: SsoSettings, desired: SsoSettings, *,
         now: dt.datetime | None = None) -> tuple[FieldChange, ...]:
    """Field-by-field comparison for display."""
    rows = []
    for name in FIELDS:
        rows.append(FieldChange(field=name, label=LABELS[name],
                                current=show(name, current, now=now),
                                desired=show(name, desired, now=now),
                                changed=not same_value(name, current, desired)))
    return tuple(rows)


def show(name: str, settings: SsoSettings, *, now: dt.datetime | None = None) -> str | None:
    """A field's value as a person reads it (a certificate by fingerprint and expiry)."""
    value = getattr(settings, name)
    if name == "enabled":
        return "on" if value else "off"
    if name == "certificate":
        summary = summarize(value, now=now)
        return summary.describe() if summary else None
    return value
