"""The work behind ``ssoctl config show|set|validate`` (imported inside the commands)."""

from __future__ import annotations

import os
from typing import Any

from ssoctl.config import profiles as cfg
from ssoctl.config import schema
from ssoctl.errors import ConfigError, SsoctlError
from ssoctl.findings import Finding, finding
from ssoctl.render import Fields, Report, Text, copyable
from ssoctl.sp import credentials as creds


def show(name: str | None, path: str | None) -> Report:
    """Profiles as stored, secrets redacted, plus where each token would come from."""
    found = cfg.read_config(path)
    names = _names(found, name)
    profiles: dict[str, Any] = {}
    blocks: list[Any] = [Fields("Configuration", [
        ("file", copyable(str(found.path) + ("" if found.exists else " (does not exist yet)"))),
        ("default profile", found.default_profile)])]
    for item in names:
        table = schema.redacted(found.data["profiles"][item])
        entry = dict(table) if isinstance(table, dict) else {"invalid": str(table)}
        entry["token_source"] = _token_source(item, table, found)
        profiles[item] = entry
        blocks.append(Fields(f"Profile {item}", [(k, copyable(_flat(v))) for k, v in entry.items()]))
    if not names:
        blocks.append(Text("no profiles yet: ssoctl config set --profile NAME base_url URL"))
    data = {"path": str(found.path), "exists": found.exists,
            "default_profile": found.default_profile, "profiles": profiles}
    return Report(data=data, blocks=tuple(blocks))


def set_value(name: str, key: str, value: str, path: str | None) -> Report:
    """Store one setting; the profile must still be valid afterwards."""
    written, stored = cfg.set_value(name, key, value, explicit=path)
    return Report(data={"path": str(written), "profile": name, "key": key, "value": stored},
                  blocks=(Text(f"{name}.{key} = {stored!r} written to {written}"),))


def validate(name: str | None, path: str | None) -> Report:
    """Findings for every profile (or one): structure, URLs, CA bundle, token, expectations."""
    found = cfg.read_config(path)
    if not found.exists:
        raise ConfigError(f"no configuration file at {found.path}",
                          hint="create a profile: ssoctl config set --profile NAME base_url URL",
                          code="CONFIG_NOT_FOUND")
    findings: list[Finding] = []
    checked = []
    for item in _names(found, name):
        findings += profile_findings(item, found.data["profiles"][item], found)
        checked.append(item)
    ok = not any(f.is_error for f in findings)
    blocks = (Fields("Configuration", [("file", copyable(str(found.path))),
                                       ("profiles checked", ", ".join(checked) or "(none)")]),
              Text("configuration is valid" if ok else "configuration has errors"))
    return Report(data={"path": str(found.path), "profiles": checked, "valid": ok},
                  findings=tuple(findings), blocks=blocks)


def profile_findings(name: str, table: Any, found: cfg.ConfigFile) -> list[Finding]:
    """What is wrong with one profile (no network calls)."""
    from ssoctl.http import check_url

    where = f"profile {name}"
    try:
        profile = schema.profile_from_table(name, table, config_path=str(found.path))
    except ConfigError as exc:
        return [finding("CONFIG_PROFILE_INVALID", exc.message, hint=exc.hint, field=where)]
    out: list[Finding] = []
    for url in {profile.base_url, profile.endpoint}:
        try:
            check_url(url, allow_http=profile.allow_http)
        except SsoctlError as exc:
            out.append(finding("CONFIG_URL_INSECURE", exc.message, field=where, received=url))
    if profile.target == "sipgate" and \
            profile.endpoint == schema.join_url(schema.SIPGATE_BASE_URL, schema.SIPGATE_PATH):
        out.append(finding("CONFIG_DEFAULT_SIPGATE_URL", field=where, received=profile.endpoint))
    if profile.ca_bundle:
        from ssoctl.http import checked_ca_bundle

        try:  # the same check every request makes
            checked_ca_bundle(profile.ca_bundle)
        except SsoctlError as exc:
            out.append(finding("CONFIG_CA_BUNDLE_MISSING", exc.message, field=where))
    try:
        creds.resolve(profile, is_tty=lambda: False)
    except ConfigError as exc:
        out.append(finding("CONFIG_TOKEN_PROBLEM", exc.message, hint=exc.hint, field=where))
    if not (profile.acs_url and profile.sp_entity_id):
        out.append(finding("CONFIG_SP_EXPECTATIONS_MISSING", field=where))
    return out


def _names(found: cfg.ConfigFile, name: str | None) -> tuple[str, ...]:
    if name is None:
        return found.profile_names
    if name not in found.profile_names:
        raise ConfigError(f"no profile named {name!r} in {found.path}",
                          hint="list profiles with `ssoctl config show`",
                          code="CONFIG_NO_PROFILE")
    return (name,)


def _token_source(name: str, table: Any, found: cfg.ConfigFile) -> str:
    try:
        profile = schema.profile_from_table(name, table, config_path=str(found.path))
    except ConfigError as exc:
        return f"(profile invalid: {exc.message})"
    return creds.describe_source(profile, environ=os.environ)


def _flat(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_flat(v)}" for k, v in value.items())
    return str(value)
