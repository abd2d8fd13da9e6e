"""What a profile in the configuration file may hold, and how one is checked.

The :class:`Profile` and :class:`RestSpec` records, the keys a ``[profiles.NAME]`` table
may carry with their types and bounds, the names a new profile may take, and the
secret-looking keys that are refused and redacted. Split from :mod:`ssoctl.config` (which
finds, reads and writes the file, and re-exports every name here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from ssoctl.errors import ConfigError, UsageError
from ssoctl.files import expand_user
from ssoctl.textsafe import invisible_escaped

SIPGATE_BASE_URL = "https://api.sipgate.com/v2"
SIPGATE_PATH = "/sso/settings"
TARGETS = ("sipgate", "rest")
AUTH_SCHEMES = ("basic", "bearer", "header")
#: Keys that look like secrets: never accepted in the file, always redacted when shown.
SECRET_KEYS = frozenset({"token", "password", "secret", "api_key", "client_secret",
                         "okta_token", "private_key"})

#: Profile keys and their types, for ``config set`` and validation.
SCALAR_KEYS: dict[str, type] = {
    "target": str, "base_url": str, "path": str, "auth": str, "auth_header": str,
    "token_id": str, "token_env": str, "token_id_env": str, "token_file": str,
    "sp_entity_id": str, "acs_url": str, "idp_entity_id": str,
    "connect_timeout": float, "read_timeout": float, "retries": int, "deadline": float,
    "ca_bundle": str, "allow_http": bool, "backup_dir": str,
    # the Okta org this tenant's IdP lives in (`ssoctl okta`); secrets stay out of the file
    "okta_org": str, "okta_token_file": str, "okta_client_id": str, "okta_key_file": str,
    "okta_key_id": str,
}
REST_KEYS: dict[str, type] = {"read_url": str, "write_url": str, "write_method": str}
#: How a value of each type is asked for in messages.
KIND_TEXT: dict[type, str] = {str: "text", int: "a whole number", float: "a number",
                              bool: "true or false"}
#: Sensible bounds: a zero or negative timeout, or a thousand retries, is a typo.
LIMITS: dict[str, tuple[float, float]] = {
    "connect_timeout": (0.1, 300), "read_timeout": (0.1, 600), "retries": (0, 10),
    "deadline": (1, 3600),
}


@dataclass(frozen=True)
class RestSpec:
    """How the ``rest`` target talks to an SP's own JSON API.

    ``body`` is a JSON template: any string equal to ``"{sso_url}"``, ``"{idp_entity_id}"``,
    ``"{certificate}"`` or ``"{enabled}"`` is replaced by the value (``{enabled}`` as a
    JSON boolean). ``pointers`` are RFC 6901 JSON pointers into the GET response; a value
    missing here defaults to where its placeholder sits in ``body``.
    """

    read_url: str = ""
    write_url: str = ""
    write_method: str = "PUT"
    body: Mapping[str, Any] = field(default_factory=dict)
    pointers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    """One SP tenant: the target API, how to authenticate, and what the SP expects."""

    name: str
    target: str = "sipgate"
    base_url: str = SIPGATE_BASE_URL
    path: str = SIPGATE_PATH
    auth: str = "basic"
    auth_header: str = "Authorization"
    token_id: str | None = None
    token_env: str | None = None
    token_id_env: str | None = None
    token_file: str | None = None
    sp_entity_id: str | None = None
    """The SP's Entity ID (sipgate's SSO page) = Okta's *Audience URI (SP Entity ID)*."""
    acs_url: str | None = None
    """The SP's ACS URL (sipgate's SSO page) = Okta's *Single sign-on URL*."""
    idp_entity_id: str | None = None
    """The IdP Entity ID this tenant should use (Okta's *Issuer*), if known."""
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 3
    deadline: float = 120.0
    ca_bundle: str | None = None
    allow_http: bool = False
    backup_dir: str | None = None
    okta_org: str | None = None
    """The Okta org URL (``https://ORG.okta.com``) for ``ssoctl okta``."""
    okta_token_file: str | None = None
    okta_client_id: str | None = None
    okta_key_file: str | None = None
    okta_key_id: str | None = None
    rest: RestSpec | None = None
    config_path: str | None = None

    @property
    def endpoint(self) -> str:
        """The settings URL this profile reads (for messages and backups)."""
        if self.target == "rest" and self.rest is not None and self.rest.read_url:
            return join_url(self.base_url, self.rest.read_url)
        return join_url(self.base_url, self.path)


def join_url(base: str, path: str) -> str:
    """``base`` + ``path``, or ``path`` alone when it is already absolute."""
    if path.startswith(("https://", "http://")):
        return path
    if not path:
        return base
    return base.rstrip("/") + "/" + path.lstrip("/")


def profile_from_table(name: str, table: Any, *, config_path: str | None = None) -> Profile:
    """Build a :class:`Profile` from one ``[profiles.NAME]`` table, checking types."""
    if not isinstance(table, dict):
        raise _invalid(name, "is not a table")
    secret = sorted(k for k in table if k in SECRET_KEYS)
    if secret:
        raise ConfigError(f"profile {name!r} holds a secret ({secret[0]}) in the configuration file",
                          hint="remove it; give tokens through SSOCTL_TOKEN, token_env or a "
                               "token_file with mode 0600",
                          code="CONFIG_SECRET_IN_FILE")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == "rest":
            continue
        if key not in SCALAR_KEYS:
            raise _invalid(name, f"has an unknown key {key!r}")
        values[key] = _typed(name, key, value, SCALAR_KEYS[key])
    if values.get("target", "sipgate") not in TARGETS:
        raise _invalid(name, f"has target {values['target']!r}; use one of {', '.join(TARGETS)}")
    if values.get("auth", "basic") not in AUTH_SCHEMES:
        raise _invalid(name, f"has auth {values['auth']!r}; use one of {', '.join(AUTH_SCHEMES)}")
    for key, (low, high) in LIMITS.items():
        if key in values and not low <= values[key] <= high:
            raise _invalid(name, f"has {key} = {values[key]!r}; use a value from {low:g} "
                                 f"to {high:g}")
    for key in ("base_url", "acs_url", "okta_org"):
        if key in values and not values[key].startswith(("https://", "http://")):
            raise _invalid(name, f"has {key} = {values[key]!r}, which is not an https:// URL")
        shown = invisible_escaped(values[key]) if key in values else None
        if shown is not None:  # an escape sequence, a line break
            raise _invalid(name, f"has {key} = {shown}, which holds control or invisible "
                                 "characters")
    rest = _rest_spec(name, table.get("rest")) if "rest" in table else None
    if values.get("target") == "rest" and rest is None:
        raise _invalid(name, "has target \"rest\" but no [rest] table (read_url, body)")
    for key in ("token_file", "ca_bundle", "backup_dir", "okta_token_file", "okta_key_file"):
        if key in values:
            values[key] = str(expand_user(values[key], what=f"profile {name!r}: {key}"))
    return Profile(name=name, rest=rest, config_path=config_path, **values)


def _rest_spec(name: str, table: Any) -> RestSpec:
    if not isinstance(table, dict):
        raise _invalid(name, "has a [rest] entry that is not a table")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in REST_KEYS:
            values[key] = _typed(name, f"rest.{key}", value, REST_KEYS[key])
        elif key == "body":
            if not isinstance(value, dict):
                raise _invalid(name, "has rest.body that is not a table")
            values["body"] = value
        elif key == "pointers":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise _invalid(name, "has rest.pointers that is not a table of strings")
            values["pointers"] = value
        else:
            raise _invalid(name, f"has an unknown key rest.{key}")
    method = values.get("write_method", "PUT").upper()
    if method not in ("PUT", "POST", "PATCH"):
        raise _invalid(name, f"has rest.write_method {method!r}; use PUT, POST or PATCH")
    values["write_method"] = method
    if not values.get("read_url"):
        raise _invalid(name, "has no rest.read_url")
    values.setdefault("write_url", values["read_url"])
    if not values.get("body"):
        raise _invalid(name, "has no rest.body template")
    return RestSpec(**values)


def _typed(profile: str, key: str, value: Any, kind: type) -> Any:
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise _invalid(profile, f"has {key} = {value!r}, expected {KIND_TEXT[kind]}")
    return value


def _invalid(profile: str, what: str) -> ConfigError:
    return ConfigError(f"profile {profile!r} {what}",
                       hint="fix the configuration file (`ssoctl config path` shows where it is)",
                       code="CONFIG_INVALID")


def coerce_value(key: str, text: str) -> Any:
    """Turn a ``config set`` string into the key's type; raise :class:`ConfigError`."""
    base = key.removeprefix("rest.")
    kind = REST_KEYS.get(base) if key.startswith("rest.") else SCALAR_KEYS.get(key)
    if key.split(".")[-1] in SECRET_KEYS:
        raise ConfigError(f"{key} is a secret and is never stored in the configuration file",
                          hint="use SSOCTL_TOKEN (or token_env) or a token_file with mode 0600",
                          code="CONFIG_SECRET_IN_FILE")
    if kind is None:
        known = ", ".join(list(SCALAR_KEYS) + [f"rest.{k}" for k in REST_KEYS])
        raise ConfigError(f"unknown setting {key!r}", hint=f"known settings: {known}",
                          code="CONFIG_UNKNOWN_KEY")
    try:
        if kind is bool:
            lowered = text.strip().lower()
            if lowered not in ("true", "false", "yes", "no", "1", "0", "on", "off"):
                raise ValueError(text)
            return lowered in ("true", "yes", "1", "on")
        return kind(text)
    except ValueError:
        raise ConfigError(f"{key} needs {KIND_TEXT[kind]}, not {text!r}",
                          hint="e.g. read_timeout 30, allow_http false",
                          code="CONFIG_INVALID") from None


def redacted(data: Any) -> Any:
    """A copy of configuration data with every secret-looking value replaced."""
    if isinstance(data, dict):
        return {k: ("<hidden>" if k in SECRET_KEYS else redacted(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [redacted(v) for v in data]
    return data


# ---------------------------------------------------------------- profile names

#: A profile name ``config set`` creates must be selectable everywhere: ``--profile NAME``,
#: ``--profiles A,B`` (split at commas), a tenants CSV, ``SSOCTL_PROFILE`` and the
#: ``SSOCTL_<NAME>_TOKEN`` variable.
PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", re.ASCII)
PROFILE_NAME_RULE = ("ASCII letters, digits, '.', '_' and '-', starting with a letter or digit, "
                     "at most 64 characters")


def check_profile_name(name: str, *, creating: bool = True) -> str:
    """``name`` if it can name a profile, else :class:`UsageError` ``CONFIG_BAD_PROFILE_NAME``.

    An empty or blank name never can (an empty ``--profile`` falls back to the default
    profile). With ``creating``, the name must also follow :data:`PROFILE_NAME`; existing
    hand-written profiles with other names can still be shown, validated and changed.
    """
    if not name.strip():
        raise UsageError(f"--profile {name!r}: a profile name cannot be empty or blank",
                         hint=f"name the profile, e.g. --profile acme ({PROFILE_NAME_RULE})",
                         code="CONFIG_BAD_PROFILE_NAME")
    if creating and not PROFILE_NAME.fullmatch(name):
        raise UsageError(f"--profile {name!r}: a new profile name may only use "
                         f"{PROFILE_NAME_RULE}",
                         hint="choose e.g. --profile acme-prod: the name must also work in "
                              "--profiles A,B, a tenants CSV and SSOCTL_<NAME>_TOKEN",
                         code="CONFIG_BAD_PROFILE_NAME")
    return name
