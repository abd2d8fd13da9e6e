"""Profiles: where ssoctl finds an SP's API and what it expects, resolved once.

The configuration is a TOML file (``--config``, else ``$SSOCTL_CONFIG``, else
``config.toml`` in the platform's user config directory)::

    default_profile = "acme"

    [profiles.acme]
    target = "sipgate"                      # or "rest"
    base_url = "https://api.sipgate.com/v2"
    path = "/sso/settings"                  # ssoctl's contract path (docs/sp-api.md)
    auth = "basic"                          # basic (token-id:token) or bearer
    token_id = "token-ABC123"               # not secret; the token itself never goes here
    token_env = "ACME_SIPGATE_TOKEN"        # optional: where to read the token from
    token_file = "~/.config/ssoctl/acme.token"
    sp_entity_id = "https://..."            # sipgate's Entity ID (shown on its SSO page)
    acs_url = "https://..."                 # sipgate's ACS URL
    idp_entity_id = "http://www.okta.com/exk..."

Tokens are never read from this file (see :mod:`ssoctl.sp.credentials`). Reading uses
``tomllib``; writing (``ssoctl config set``) uses the small writer :func:`ssoctl.tomlwrite.dump_toml`.
"""

from __future__ import annotations

import copy
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ssoctl.errors import ConfigError, UsageError
from ssoctl.tomlwrite import dump_toml

ENV_CONFIG = "SSOCTL_CONFIG"
ENV_PROFILE = "SSOCTL_PROFILE"
SIPGATE_BASE_URL = "https://api.sipgate.com/v2"
SIPGATE_PATH = "/sso/settings"
TARGETS = ("sipgate", "rest")
AUTH_SCHEMES = ("basic", "bearer", "header")
#: Keys that look like secrets: never accepted in the file, always redacted when shown.
SECRET_KEYS = frozenset({"token", "password", "secret", "api_key", "client_secret"})

#: Profile keys and their types, for ``config set`` and validation.
SCALAR_KEYS: dict[str, type] = {
    "target": str, "base_url": str, "path": str, "auth": str, "auth_header": str,
    "token_id": str, "token_env": str, "token_id_env": str, "token_file": str,
    "sp_entity_id": str, "acs_url": str, "idp_entity_id": str,
    "connect_timeout": float, "read_timeout": float, "retries": int, "deadline": float,
    "ca_bundle": str, "allow_http": bool, "backup_dir": str,
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
    rest: RestSpec | None = None
    config_path: str | None = None

    @property
    def endpoint(self) -> str:
        """The settings URL this profile reads (for messages and backups)."""
        if self.target == "rest" and self.rest is not None and self.rest.read_url:
            return join_url(self.base_url, self.rest.read_url)
        return join_url(self.base_url, self.path)


@dataclass(frozen=True)
class ConfigFile:
    """The parsed configuration file (empty when it does not exist)."""

    path: Path
    exists: bool
    data: Mapping[str, Any]

    @property
    def profile_names(self) -> tuple[str, ...]:
        profiles = self.data.get("profiles", {})
        return tuple(profiles) if isinstance(profiles, dict) else ()

    @property
    def default_profile(self) -> str | None:
        value = self.data.get("default_profile")
        return value if isinstance(value, str) else None


def join_url(base: str, path: str) -> str:
    """``base`` + ``path``, or ``path`` alone when it is already absolute."""
    if path.startswith(("https://", "http://")):
        return path
    if not path:
        return base
    return base.rstrip("/") + "/" + path.lstrip("/")


def default_config_path() -> Path:
    """``config.toml`` in the user config dir (e.g. ``~/.config/ssoctl/config.toml``)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("ssoctl")) / "config.toml"


def default_backup_dir() -> Path:
    """Where backups go unless ``--backup-dir`` or the profile's ``backup_dir`` says otherwise."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("ssoctl")) / "backups"


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The configuration file in use: ``--config``, then ``$SSOCTL_CONFIG``, then the default."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env).expanduser()
    return default_config_path()


def read_config(explicit: str | os.PathLike[str] | None = None) -> ConfigFile:
    """Parse the configuration file; a missing file is an empty configuration."""
    path = config_path(explicit)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return ConfigFile(path=path, exists=False, data={})
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration file {path}: {exc.strerror or exc}",
                          hint="check the path given with --config or SSOCTL_CONFIG",
                          code="CONFIG_UNREADABLE") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}",
                          hint="fix the file, or run `ssoctl config validate` to see the problem",
                          code="CONFIG_INVALID") from None
    if not isinstance(data.get("profiles", {}), dict):
        raise ConfigError(f"{path}: 'profiles' is not a table",
                          hint="write each profile as a [profiles.NAME] table",
                          code="CONFIG_INVALID")
    return ConfigFile(path=path, exists=True, data=data)


def load_profile(name: str | None, *, config_path: str | None = None) -> Profile:
    """Resolve a profile by name (or ``$SSOCTL_PROFILE``, or the file's ``default_profile``,
    or the only profile there is). Raises :class:`ConfigError` (exit 2) when it cannot,
    and :class:`UsageError` for an empty or blank ``name`` (``--profile "$UNSET"`` in a
    script must not quietly mean the default tenant)."""
    if name is not None:
        check_profile_name(name, creating=False)
    config = read_config(config_path)
    chosen = _choose_profile(config, name)
    table = config.data["profiles"][chosen]
    return profile_from_table(chosen, table, config_path=str(config.path))


def _choose_profile(config: ConfigFile, name: str | None) -> str:
    names = config.profile_names
    wanted = name or os.environ.get(ENV_PROFILE) or config.default_profile
    if wanted:
        if wanted not in names:
            where = str(config.path) if config.exists else f"{config.path} (which does not exist)"
            raise ConfigError(f"no profile named {wanted!r} in {where}",
                              hint="list profiles with `ssoctl config show`; create one with "
                                   f"`ssoctl config set --profile {wanted} base_url URL`",
                              code="CONFIG_NO_PROFILE")
        return wanted
    if len(names) == 1:
        return names[0]
    if not names:
        raise ConfigError(f"no profiles configured ({config.path})",
                          hint="create one: ssoctl config set --profile NAME base_url "
                               "https://api.sipgate.com/v2 (see docs/commands/config.md)",
                          code="CONFIG_NO_PROFILE")
    raise ConfigError(f"several profiles ({', '.join(names)}) and none chosen",
                      hint="pass --profile NAME or set default_profile in the configuration",
                      code="CONFIG_NO_PROFILE")


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
    for key in ("base_url", "acs_url"):
        if key in values and not values[key].startswith(("https://", "http://")):
            raise _invalid(name, f"has {key} = {values[key]!r}, which is not an https:// URL")
    rest = _rest_spec(name, table.get("rest")) if "rest" in table else None
    if values.get("target") == "rest" and rest is None:
        raise _invalid(name, "has target \"rest\" but no [rest] table (read_url, body)")
    for key in ("token_file", "ca_bundle", "backup_dir"):
        if key in values:
            values[key] = str(Path(values[key]).expanduser())
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


# ---------------------------------------------------------------- writing

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


def set_value(profile: str, key: str, text: str, *,
              explicit: str | os.PathLike[str] | None = None) -> tuple[Path, Any]:
    """Set one profile key in the configuration file (created if missing), atomically.

    Returns the file path and the stored value. The result must still load: a value that
    makes the profile invalid is refused before anything is written.
    """
    from ssoctl.files import write_file

    check_profile_name(profile, creating=False)
    value = coerce_value(key, text)
    config = read_config(explicit)
    if profile not in config.profile_names:
        check_profile_name(profile)
    data = copy.deepcopy(dict(config.data))
    table = data.setdefault("profiles", {}).setdefault(profile, {})
    if not isinstance(table, dict):
        raise _invalid(profile, "is not a table")
    if key.startswith("rest."):
        rest = table.setdefault("rest", {})
        if not isinstance(rest, dict):
            raise _invalid(profile, "has a [rest] entry that is not a table")
        rest[key.removeprefix("rest.")] = value
    else:
        table[key] = value
    if key == "target" and value == "rest" and "rest" not in table:
        table["rest"] = {"read_url": table.get("path", SIPGATE_PATH),
                         "body": {"sso_url": "{sso_url}", "idp_entity_id": "{idp_entity_id}",
                                  "certificate": "{certificate}", "enabled": "{enabled}"}}
    profile_from_table(profile, table)
    config.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_file(config.path, dump_toml(data), force=True, private=True)
    return config.path, value
