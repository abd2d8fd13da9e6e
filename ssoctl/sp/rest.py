"""The ``rest`` target: any SP with a JSON API, described in the profile.

The profile gives a read URL, a write URL and method, an auth scheme, a body template and
(optionally) JSON pointers for reading the values back. A template string that is exactly
``"{sso_url}"``, ``"{idp_entity_id}"``, ``"{certificate}"`` or ``"{enabled}"`` is replaced
by the value; values are inserted as JSON values, never spliced into text, so a
certificate or URL cannot break the document. Pointers default to where each placeholder
sits in the template.
"""

from __future__ import annotations

import copy
from typing import Any, Iterator

from ssoctl import http
from ssoctl.config.schema import Profile, join_url
from ssoctl.errors import ConfigError, NetworkError
from ssoctl.sp.contract import FIELDS, Current, SsoSettings, settings_from_dict
from ssoctl.sp.credentials import Credentials
from ssoctl.sp.targets import Client, auth_hint, etag_of
from ssoctl.links import SP_API

PLACEHOLDERS = {f"{{{name}}}": name for name in FIELDS}


class RestTarget:
    """Reads with GET ``read_url``, writes with ``write_method`` ``write_url``."""

    name = "rest"

    def __init__(self, profile: Profile, credentials: Credentials,
                 settings: http.HttpSettings) -> None:
        spec = profile.rest
        if spec is None:  # profile_from_table refuses this already; keep mypy and humans sure
            raise ConfigError(f"profile {profile.name!r} has no [rest] table",
                              hint="add rest.read_url and rest.body", code="CONFIG_INVALID")
        self.endpoint = join_url(profile.base_url, spec.read_url)
        self.write_url = join_url(profile.base_url, spec.write_url or spec.read_url)
        self.method = spec.write_method
        self.template = dict(spec.body)
        self.pointers = {**template_pointers(self.template), **dict(spec.pointers)}
        missing = [name for name in ("sso_url", "idp_entity_id", "certificate")
                   if name not in self.pointers]
        if missing:
            raise ConfigError(f"profile {profile.name!r}: rest.body has no place for "
                              f"{', '.join(missing)}",
                              hint="put \"{sso_url}\", \"{idp_entity_id}\" and \"{certificate}\" "
                                   f"into rest.body (see {SP_API})",
                              code="CONFIG_INVALID")
        self.supports_enabled = "enabled" in self.pointers
        self.client = Client(settings, credentials, auth_hint(profile, credentials))

    def read(self) -> Current:
        resp = self.client.call("GET", self.endpoint, what="reading the SSO settings")
        try:
            doc = resp.json()
        except ValueError:
            raise NetworkError(f"unexpected answer from {self.endpoint}: not JSON",
                               hint="check rest.read_url in the profile",
                               code="SP_BAD_RESPONSE") from None
        values = {name: resolve_pointer(doc, pointer) for name, pointer in self.pointers.items()}
        if not self.supports_enabled:
            values["enabled"] = False
        return Current(settings_from_dict(values, where=self.endpoint),
                       etag=etag_of(resp, self.endpoint))

    def write(self, settings: SsoSettings, *, etag: str | None = None) -> None:
        body = render_body(self.template, settings)
        self.client.call(self.method, self.write_url, what="writing the SSO settings",
                         json=body, etag=etag)

    def close(self) -> None:
        self.client.close()


def render_body(template: Any, settings: SsoSettings) -> Any:
    """The template with every exact placeholder replaced by the typed value."""
    values = settings.to_dict()
    if isinstance(template, str):
        name = PLACEHOLDERS.get(template)
        return values[name] if name else template
    if isinstance(template, dict):
        return {k: render_body(v, settings) for k, v in template.items()}
    if isinstance(template, list):
        return [render_body(v, settings) for v in template]
    return copy.deepcopy(template)


def template_pointers(template: Any) -> dict[str, str]:
    """JSON pointers of each placeholder in the template (first occurrence wins)."""
    found: dict[str, str] = {}
    for pointer, value in _walk(template, ""):
        name = PLACEHOLDERS.get(value) if isinstance(value, str) else None
        if name and name not in found:
            found[name] = pointer
    return found


def _walk(node: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{pointer}/{_escape(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{pointer}/{index}")
    else:
        yield pointer, node


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def resolve_pointer(doc: Any, pointer: str) -> Any:
    """RFC 6901: the value at ``pointer`` in ``doc``, or ``None`` when absent."""
    if pointer in ("", "/"):
        return doc if pointer == "" else (doc.get("") if isinstance(doc, dict) else None)
    if not pointer.startswith("/"):
        return None
    node = doc
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            if token not in node:
                return None
            node = node[token]
        elif isinstance(node, list) and token.isdecimal() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node
