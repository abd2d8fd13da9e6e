"""From command-line options and a profile to an :class:`OktaClient`, resolved once.

Org URL: ``--org``, else ``SSOCTL_OKTA_ORG``, else the profile's ``okta_org``.
Credentials: OAuth when a client id is given (``--client-id``, ``SSOCTL_OKTA_CLIENT_ID``
or the profile's ``okta_client_id``) with ``--private-key``/``okta_key_file`` and
``--key-id``/``okta_key_id``; else the API token (``SSOCTL_OKTA_TOKEN`` or
``--token-file``/``okta_token_file``). sipgate's ACS URL and Entity ID: flags, else the
profile's ``acs_url`` and ``sp_entity_id``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ssoctl.errors import ConfigError
from ssoctl.okta.apps import SpValues
from ssoctl.okta.client import OktaClient, RateLimits, check_org

ENV_ORG = "SSOCTL_OKTA_ORG"


@dataclass(frozen=True)
class ConnectOptions:
    """How to reach the org; the callables are injectable for tests."""

    org: str | None = None
    profile: str | None = None
    config: str | None = None
    token_file: str | None = None
    client_id: str | None = None
    private_key: str | None = None
    key_id: str | None = None
    ca_bundle: str | None = None
    timeout: float | None = None
    environ: Mapping[str, str] | None = None
    http: Mapping[str, Any] = field(default_factory=dict)
    """Overrides for :class:`ssoctl.http.HttpSettings` (``sleep``, ``clock``, ``deadline``)."""
    limits: RateLimits = field(default_factory=RateLimits)
    wall: Callable[[], float] = time.time


def load_profile(options: ConnectOptions) -> Any:
    """The profile asked for, or the default one; None when none is configured and none
    was asked for (``--org`` alone is enough)."""
    from ssoctl.config.profiles import ENV_PROFILE, load_profile as load

    env = os.environ if options.environ is None else options.environ
    if options.profile is None and not env.get(ENV_PROFILE):
        try:
            return load(None, config_path=options.config)
        except ConfigError as exc:
            if exc.code == "CONFIG_NO_PROFILE":
                return None
            raise
    return load(options.profile, config_path=options.config)


def org_of(options: ConnectOptions, profile: Any) -> str:
    env = os.environ if options.environ is None else options.environ
    return check_org(options.org or env.get(ENV_ORG) or getattr(profile, "okta_org", None))


def sp_values(profile: Any, *, acs_url: str | None = None,
              entity_id: str | None = None) -> SpValues:
    return SpValues(acs_url=acs_url or getattr(profile, "acs_url", None),
                    entity_id=entity_id or getattr(profile, "sp_entity_id", None))


def connect(options: ConnectOptions, *, scopes: tuple[str, ...],
            profile: Any = None) -> OktaClient:
    """An :class:`OktaClient` for the org, authenticated for ``scopes`` (OAuth asks for
    exactly these; an API token has its admin's role)."""
    from ssoctl import http
    from ssoctl.okta.auth import make_auth

    org = org_of(options, profile)
    auth = make_auth(
        org, scopes=scopes,
        client_id=options.client_id or getattr(profile, "okta_client_id", None),
        private_key=options.private_key or getattr(profile, "okta_key_file", None),
        key_id=options.key_id or getattr(profile, "okta_key_id", None),
        token_file=options.token_file or getattr(profile, "okta_token_file", None),
        environ=options.environ, wall=options.wall)
    base: dict[str, Any] = {}
    if profile is not None:
        base = dict(connect_timeout=profile.connect_timeout, read_timeout=profile.read_timeout,
                    retries=profile.retries, deadline=profile.deadline,
                    ca_bundle=profile.ca_bundle)
    if options.ca_bundle:
        base["ca_bundle"] = options.ca_bundle
    if options.timeout:
        base["read_timeout"] = options.timeout
    base.update(options.http)
    return OktaClient(org, auth, settings=http.HttpSettings(**base), limits=options.limits,
                      wall=options.wall)
