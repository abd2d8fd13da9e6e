"""API tokens: from the environment, a private file, or a hidden prompt. Never from argv.

Order (first found wins):

1. the variable named by the profile's ``token_env``;
2. ``SSOCTL_<PROFILE>_TOKEN`` (profile name upper-cased, ``-`` and ``.`` as ``_``);
3. ``SSOCTL_TOKEN``;
4. the profile's ``token_file`` (refused when group- or world-accessible: ``chmod 600``);
5. a hidden prompt (getpass) when stdin is a terminal.

For sipgate's Basic scheme the token id (``token-XXXXXX``, not secret) comes from
``token_id_env``, ``SSOCTL_<PROFILE>_TOKEN_ID``, ``SSOCTL_TOKEN_ID`` or the profile's
``token_id``; a token file may also hold ``token-id:token`` on one line.

A :class:`Credentials` never shows its token in ``repr`` and lists the strings to redact.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from ssoctl.config.schema import Profile
from ssoctl.errors import ConfigError
from ssoctl.files import stdin_is_tty

ENV_TOKEN = "SSOCTL_TOKEN"
ENV_TOKEN_ID = "SSOCTL_TOKEN_ID"


@dataclass(frozen=True)
class Credentials:
    """A resolved token and how to send it. ``source`` says where it came from (no value)."""

    scheme: str
    token: str = field(repr=False)
    token_id: str | None = None
    header: str = "Authorization"
    source: str = ""

    def headers(self) -> dict[str, str]:
        """The authentication header for one request."""
        if self.scheme == "basic":
            pair = f"{self.token_id}:{self.token}".encode("utf-8")
            return {self.header: "Basic " + base64.b64encode(pair).decode("ascii")}
        if self.scheme == "bearer":
            return {self.header: f"Bearer {self.token}"}
        return {self.header: self.token}

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every string that must never appear in output (token and encoded header)."""
        out = [self.token]
        out.extend(v.split(" ", 1)[-1] for v in self.headers().values())
        return tuple(out)


def profile_env_prefix(profile: str) -> str:
    """``SSOCTL_ACME_`` for profile ``acme`` (``-``/``.``/spaces become ``_``)."""
    return "SSOCTL_" + re.sub(r"[^A-Za-z0-9]", "_", profile).upper() + "_"


def resolve(profile: Profile, *, environ: Mapping[str, str] | None = None,
            prompt: Callable[[str], str] | None = None,
            is_tty: Callable[[], bool] | None = None) -> Credentials:
    """Find the token for ``profile``; raise :class:`ConfigError` (exit 2) when there is none."""
    env = os.environ if environ is None else environ
    token, source = _find_token(profile, env)
    if token is None and (is_tty or stdin_is_tty)():
        token = (prompt or _getpass)(f"API token for profile {profile.name}: ").strip()
        source = "prompt"
    if not token:
        prefix = profile_env_prefix(profile.name)
        raise ConfigError(f"no API token for profile {profile.name!r}",
                          hint=f"set {ENV_TOKEN} (or {prefix}TOKEN), or give token_file in the "
                               "profile; tokens are never accepted on the command line",
                          code="TOKEN_MISSING")
    _check_plain(token, f"the API token from {source}")
    token_id = _find_token_id(profile, env)
    if token_id:
        _check_plain(token_id, "the token id")
    if profile.auth == "basic" and ":" in token and not token_id:
        token_id, token = token.split(":", 1)
    if profile.auth == "basic" and not token_id:
        raise ConfigError(f"profile {profile.name!r} uses Basic auth but has no token id",
                          hint="set token_id (e.g. token-ABC123, shown with the personal access "
                               f"token in sipgate) or {ENV_TOKEN_ID}; or use auth = \"bearer\"",
                          code="TOKEN_ID_MISSING")
    return Credentials(scheme=profile.auth, token=token, token_id=token_id,
                       header=profile.auth_header, source=source)


_NOT_PLAIN = re.compile(r"[^\x21-\x7e]")


def _check_plain(value: str, what: str) -> None:
    """A token is one word of printable ASCII. A line break in one would split the HTTP
    request (requests refuses it, quoting the header -- the token -- in its message);
    refuse it here, without ever showing the value."""
    bad = _NOT_PLAIN.search(value)
    if bad:
        char = bad.group()
        kind = ("a line break" if char in "\r\n" else "a space" if char == " " else
                "a control character" if ord(char) < 0x20 or 0x7f <= ord(char) < 0xa0
                else "a character that is not plain ASCII")
        raise ConfigError(f"{what} contains {kind} (at position {bad.start() + 1})",
                          hint="copy the token again: it is one line of letters, digits and "
                               "punctuation, without spaces", code="TOKEN_INVALID")


def _find_token(profile: Profile, env: Mapping[str, str]) -> tuple[str | None, str]:
    names = [profile.token_env] if profile.token_env else []
    names += [profile_env_prefix(profile.name) + "TOKEN", ENV_TOKEN]
    for name in names:
        value = (env.get(name) or "").strip()
        if value:
            return value, f"environment variable {name}"
    if profile.token_file:
        return read_token_file(profile.token_file), f"token file {profile.token_file}"
    return None, ""


def _find_token_id(profile: Profile, env: Mapping[str, str]) -> str | None:
    names = [profile.token_id_env] if profile.token_id_env else []
    names += [profile_env_prefix(profile.name) + "TOKEN_ID", ENV_TOKEN_ID]
    for name in names:
        value = (env.get(name) or "").strip()
        if value:
            return value
    return profile.token_id


#: A token file is one line; anything much larger is the wrong file.
MAX_TOKEN_FILE_BYTES = 64 * 1024


def read_token_file(path: str) -> str:
    """Read a token file, refusing one that group or others can access (must be 0600)."""
    from ssoctl.files import SecretCodes, read_secret_file

    raw = read_secret_file(path, what="token file", max_bytes=MAX_TOKEN_FILE_BYTES,
                           codes=SecretCodes("TOKEN_FILE_MISSING", "TOKEN_FILE_UNREADABLE",
                                             "TOKEN_FILE_INSECURE"),
                           missing_hint="create it with the token on one line and "
                                        "`chmod 600` it")
    target = Path(path).expanduser()
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ConfigError(f"cannot read token file {target}",
                          hint="the file should hold the token as text on one line",
                          code="TOKEN_FILE_UNREADABLE") from None
    if not text or "\n" in text:
        raise ConfigError(f"token file {target} should hold the token on exactly one line",
                          hint="write only the token (or token-id:token) into the file",
                          code="TOKEN_FILE_UNREADABLE")
    return text


def describe_source(profile: Profile, *, environ: Mapping[str, str] | None = None) -> str:
    """Where the token would come from, for ``config show`` (never the value)."""
    env = os.environ if environ is None else environ
    names = [profile.token_env] if profile.token_env else []
    names += [profile_env_prefix(profile.name) + "TOKEN", ENV_TOKEN]
    for name in names:
        if (env.get(name) or "").strip():
            return f"environment variable {name} (set)"
    if profile.token_file:
        try:
            read_token_file(profile.token_file)
        except ConfigError as exc:  # say now what push would refuse later
            return f"token file {profile.token_file} (unusable: {exc.message}; {exc.hint})"
        return f"token file {profile.token_file}"
    return f"not set: prompt on a terminal, or set {ENV_TOKEN}"


def _getpass(text: str) -> str:
    import getpass

    return getpass.getpass(text)
