"""The ``sipgate`` target: ssoctl's SSO-settings contract with sipgate's REST conventions.

Base URL ``https://api.sipgate.com/v2`` by default, path ``/sso/settings`` by default,
personal access token as HTTP Basic ``token-id:token`` or an OAuth bearer token.
sipgate itself publishes no such endpoint (docs/sp-api.md): point ``base_url``/``path`` at
whatever implements the contract for your account.
"""

from __future__ import annotations

from typing import Any

from ssoctl import http
from ssoctl.config.schema import Profile, join_url
from ssoctl.errors import ApiRefusedError, NetworkError
from ssoctl.sp.contract import Current, SsoSettings, settings_from_dict
from ssoctl.sp.credentials import Credentials
from ssoctl.sp.targets import Client, auth_hint, etag_of
from ssoctl.links import SP_API


class SipgateTarget:
    """GET and PUT the contract resource at ``base_url`` + ``path``."""

    name = "sipgate"
    supports_enabled = True

    def __init__(self, profile: Profile, credentials: Credentials,
                 settings: http.HttpSettings) -> None:
        self.endpoint = join_url(profile.base_url, profile.path)
        self.client = Client(settings, credentials, auth_hint(profile, credentials))

    def read(self) -> Current:
        resp = self._call("GET", what="reading the SSO settings")
        try:
            body = resp.json()
        except ValueError:
            raise NetworkError(f"unexpected answer from {self.endpoint}: not JSON",
                               hint="check the base URL and path: the endpoint must implement "
                                    f"ssoctl's SSO-settings contract ({SP_API})",
                               code="SP_BAD_RESPONSE") from None
        return Current(settings_from_dict(body, where=self.endpoint),
                       etag=etag_of(resp, self.endpoint))

    def write(self, settings: SsoSettings, *, etag: str | None = None) -> None:
        self._call("PUT", what="writing the SSO settings", json=settings.to_dict(), etag=etag)

    def _call(self, method: str, **kwargs: Any) -> Any:
        try:
            return self.client.call(method, self.endpoint, **kwargs)
        except ApiRefusedError as exc:
            if exc.status == 404:  # the most likely first-run mistake: the default URL
                exc.hint = (f"{exc.hint}. sipgate publishes no SSO settings API: set the "
                            "profile's base_url and path to the service that implements "
                            f"ssoctl's contract ({SP_API})")
            raise

    def close(self) -> None:
        self.client.close()
