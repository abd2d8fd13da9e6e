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
``tomllib``; writing (``ssoctl config set``) uses the small writer :func:`ssoctl.config.tomlwrite.dump_toml`.
"""

import copy
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, NamedTuple

from ssoctl.errors import ConfigError
from ssoctl.files import expand_user

if TYPE_CHECKING:  # pragma: no cover
    from ssoctl.config.schema import Profile

ENV_CONFIG = "SSOCTL_CONFIG"
ENV_PROFILE = "SSOCTL_PROFILE"


class ConfigFile(NamedTuple):
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
        return expand_user(explicit, what="configuration file")
    env = os.environ.get(ENV_CONFIG)
    if env:
        return expand_user(env, what=f"configuration file ({ENV_CONFIG})")
    return default_config_path()


#: Upper bound for the configuration file (a file with hundreds of profiles is far smaller).
MAX_CONFIG_BYTES = 1024 * 1024


def read_config(explicit: str | os.PathLike[str] | None = None) -> ConfigFile:
    """Parse the configuration file; a missing file is an empty configuration."""
    path = config_path(explicit)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)  # bounded: --config /dev/zero is not a file
    except FileNotFoundError:
        return ConfigFile(path=path, exists=False, data={})
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration file {path}: {exc.strerror or exc}",
                          hint="check the path given with --config or SSOCTL_CONFIG",
                          code="CONFIG_UNREADABLE") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"the configuration file {path} is larger than "
                          f"{MAX_CONFIG_BYTES // (1024 * 1024)} MiB",
                          hint="check the path given with --config or SSOCTL_CONFIG: a "
                               "configuration with many profiles is a few KiB",
                          code="CONFIG_UNREADABLE")
    import tomllib

    from ssoctl.files import TooDeep, load_toml

    try:
        data = load_toml(raw.decode("utf-8"))
    except TooDeep as exc:
        raise ConfigError(f"{path} is not a usable configuration: {exc}",
                          hint="a configuration nests a few levels ([profiles.NAME] and "
                               "[profiles.NAME.rest]); check the file given with --config or "
                               "SSOCTL_CONFIG", code="CONFIG_INVALID") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}",
                          hint="fix the file, or run `ssoctl config validate` to see the problem",
                          code="CONFIG_INVALID") from None
    if not isinstance(data.get("profiles", {}), dict):
        raise ConfigError(f"{path}: 'profiles' is not a table",
                          hint="write each profile as a [profiles.NAME] table",
                          code="CONFIG_INVALID")
    return ConfigFile(path=path, exists=True, data=data)


def load_profile(name: str | None, *, config_path: str | None = None) -> "Profile":
    """Resolve a profile by name (or ``$SSOCTL_PROFILE``, or the file's ``default_profile``,
    or the only profile there is). Raises :class:`ConfigError` (exit 2) when it cannot,
    and :class:`UsageError` for an empty or blank ``name`` (``--profile "$UNSET"`` in a
    script must not quietly mean the default tenant)."""
    # The schema is imported only when there is a profile to read: decode-response looks
    # for a default profile on every run, and most machines have no configuration file.
    if name is not None:
        from ssoctl.config.schema import check_profile_name

        check_profile_name(name, creating=False)
    config = read_config(config_path)
    chosen = _choose_profile(config, name)
    from ssoctl.config.schema import profile_from_table

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
        raise ConfigError(f"no profiles configured in `{config.path}`",
                          hint="sipgate publishes no SSO settings API: point a profile at "
                               "the service implementing ssoctl's contract, e.g. `ssoctl config "
                               "set --profile acme base_url https://sso-adapter.example/v2`; to "
                               "rehearse, start the fake SP (`ssoctl rehearse sp`) "
                               "and run `ssoctl config set --profile acme base_url "
                               "http://127.0.0.1:8088/v2`",
                          code="CONFIG_NO_PROFILE")
    raise ConfigError(f"several profiles ({', '.join(names)}) and none chosen",
                      hint="pass --profile NAME or set default_profile in the configuration",
                      code="CONFIG_NO_PROFILE")


# ---------------------------------------------------------------- writing

def set_value(profile: str, key: str, text: str, *,
              explicit: str | os.PathLike[str] | None = None) -> tuple[Path, Any]:
    """Set one profile key in the configuration file (created if missing), atomically.

    Returns the file path and the stored value. The result must still load: a value that
    makes the profile invalid is refused before anything is written.
    """
    from ssoctl.config.schema import (SIPGATE_PATH, _invalid, check_profile_name,
                                      coerce_value, profile_from_table)
    from ssoctl.config.tomlwrite import dump_toml
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
    try:
        config.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:  # a file where the directory should be, no permission
        raise ConfigError(f"cannot create {config.path.parent}: {exc.strerror or exc}",
                          hint="check the path given with --config or SSOCTL_CONFIG",
                          code="CONFIG_UNWRITABLE") from None
    write_file(config.path, dump_toml(data), force=True, private=True)
    return config.path, value
