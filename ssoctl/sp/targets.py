"""SP targets: what ``push`` talks to. Each reads and replaces the SSO settings.

``sipgate`` (:mod:`ssoctl.sp.sipgate`) speaks ssoctl's contract (docs/sp-api.md) at
sipgate's base URL with sipgate's auth conventions; ``rest`` (:mod:`ssoctl.sp.rest`) maps
the same three values (plus ``enabled``) onto any JSON API described in the profile. This
module holds what both share; :func:`ssoctl.sp.service.make_target` picks one for a
profile. Both go through :mod:`ssoctl.http` (timeouts, retries, no redirects, TLS,
redaction); nothing above this package sees a requests exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ssoctl import http
from ssoctl.config.schema import Profile
from ssoctl.errors import NetworkError
from ssoctl.links import SP_API
from ssoctl.sp.contract import Current, SsoSettings
from ssoctl.sp.credentials import Credentials

if TYPE_CHECKING:  # pragma: no cover
    import requests


class Target(Protocol):
    """An SP whose SSO settings can be read and fully replaced."""

    name: str
    endpoint: str
    supports_enabled: bool
    """Whether the SP's API can switch SSO on and off (``push --enable``)."""

    def read(self) -> Current:
        """GET the current settings (with the ETag, if the SP sends one)."""

    def write(self, settings: SsoSettings, *, etag: str | None = None) -> None:
        """Replace the settings (``If-Match: etag`` when given)."""

    def close(self) -> None:
        """Release the HTTP session."""


@dataclass
class Client:
    """One authenticated HTTP session for a target, with the secrets to redact."""

    settings: http.HttpSettings
    credentials: Credentials
    auth_hint: str
    session: "requests.Session | None" = field(default=None, repr=False)

    def call(self, method: str, url: str, *, what: str, json: Any = None,
             etag: str | None = None) -> http.Response:
        """Send one request, map error statuses, return the response."""
        if self.session is None:
            self.session = http.make_session(self.settings)
        headers = {"Accept": "application/json", **self.credentials.headers()}
        if etag:
            headers["If-Match"] = etag
        secrets = self.credentials.secrets
        resp = http.request(self.session, method, url, settings=self.settings, secrets=secrets,
                            headers=headers, json=json, what=f"the answer to {what}")
        http.raise_for_status(resp, what=what, secrets=secrets, auth_hint=self.auth_hint)
        return resp

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None


_ETAG = re.compile(r"[\x20-\x7e\x80-\xff]+")  # anything that can be sent back as a header


def etag_of(resp: http.Response, endpoint: str) -> str | None:
    """The answer's ETag, to send back as ``If-Match``. One that could not be sent back
    as a header (a control character, a line break) is the SP's fault, not the user's."""
    value = resp.headers.get("ETag")
    if value is None or _ETAG.fullmatch(value):
        return value
    raise NetworkError(f"unexpected answer from {endpoint}: its ETag header is not a valid "
                       "entity tag", hint="check the SP (or the adapter implementing "
                       f"{SP_API}): an ETag is one line of printable text",
                       code="SP_BAD_RESPONSE")


def http_settings(profile: Profile, **overrides: Any) -> http.HttpSettings:
    """The network policy a profile asks for (tests inject ``sleep``/``clock``)."""
    values: dict[str, Any] = dict(connect_timeout=profile.connect_timeout,
                                  read_timeout=profile.read_timeout, retries=profile.retries,
                                  deadline=profile.deadline, ca_bundle=profile.ca_bundle,
                                  allow_http=profile.allow_http)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return http.HttpSettings(**values)


def auth_hint(profile: Profile, credentials: Credentials) -> str:
    """What to check when the SP answers 401/403: which token, which permission."""
    where = credentials.source or "the configured token"
    if profile.target == "sipgate" and credentials.scheme == "basic":
        return (f"check the personal access token from {where} (token id "
                f"{credentials.token_id}): it must be valid and allowed to change the "
                "account's Single Sign-on settings")
    return (f"check the {credentials.scheme} token from {where}: it must be valid and "
            "allowed to change the SSO settings")
