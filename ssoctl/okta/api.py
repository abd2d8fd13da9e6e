"""The Okta management API calls ssoctl makes, one small typed function each.

Each names what it does (for error messages) and the OAuth scope it needs (named in a
permission error): reads need ``okta.apps.read``, writes ``okta.apps.manage``, group
look-ups ``okta.groups.read``.
"""

from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import quote

from ssoctl.errors import ApiRefusedError, NetworkError, UsageError
from ssoctl.okta.apps import APP_ID, SAML, SamlApp, from_json
from ssoctl.okta.client import OktaClient

READ, MANAGE, GROUPS = "okta.apps.read", "okta.apps.manage", "okta.groups.read"
PAGE = 200
#: IdP metadata of one app is a few kilobytes.
MAX_METADATA_BYTES = 1024 * 1024


def _id(value: str) -> str:
    return quote(value, safe="")


def iter_apps(client: OktaClient, *, q: str | None = None) -> Iterator[dict[str, Any]]:
    """Every app of the org (all kinds), page by page."""
    yield from client.pages("/api/v1/apps", params={"limit": PAGE, "q": q},
                            what="listing the org's apps", scope=READ)


def saml_apps(client: OktaClient, *, q: str | None = None) -> list[SamlApp]:
    """The org's SAML 2.0 apps (deleted ones excluded)."""
    out = []
    for doc in iter_apps(client, q=q):
        if isinstance(doc, dict) and doc.get("signOnMode") == SAML \
                and doc.get("status") != "DELETED":
            out.append(from_json(doc))
    return out


def get_app(client: OktaClient, app_id: str) -> SamlApp:
    return from_json(client.get(f"/api/v1/apps/{_id(app_id)}", what=f"reading app {app_id}",
                                scope=READ))


def find_app(client: OktaClient, ref: str) -> SamlApp:
    """APP as an id (``0oa…``) or a unique label of a SAML 2.0 app."""
    ref = ref.strip()
    if not ref:
        raise UsageError("APP is empty", hint="give the app's id (0oa…) or its label",
                         code="OKTA_APP_AMBIGUOUS")
    if APP_ID.fullmatch(ref):
        app = get_app(client, ref)
    else:
        found = by_label(client, ref)
        if found is None:
            raise ApiRefusedError(f"no SAML 2.0 app labelled {ref!r} in {client.org}",
                                  hint="list them with `ssoctl okta list`; give the id (0oa…) "
                                       "or the exact label", code="OKTA_NOT_FOUND", status=404)
        app = found
    if not app.is_saml:
        raise UsageError(f"app {app.label!r} ({app.id}) signs in with {app.sign_on_mode}, not "
                         "SAML 2.0", hint="pick a SAML 2.0 app (`ssoctl okta list`)",
                         code="OKTA_NOT_SAML")
    return app


def by_label(client: OktaClient, label: str) -> SamlApp | None:
    """The one SAML 2.0 app with this label (exact, else case-insensitive), or None."""
    found = [a for a in saml_apps(client, q=label) if a.label.casefold() == label.casefold()]
    exact = [a for a in found if a.label == label] or found
    if len(exact) > 1:
        ids = ", ".join(f"{a.id} ({a.status.lower()})" for a in exact)
        raise UsageError(f"{len(exact)} SAML apps are labelled {label!r}: {ids}",
                         hint="give the app's id instead of its label", code="OKTA_APP_AMBIGUOUS")
    return exact[0] if exact else None


def keys(client: OktaClient, app_id: str) -> list[dict[str, Any]]:
    """The app's signing keys (JWKs with ``kid``, ``x5c``, ``expiresAt``)."""
    doc = client.get(f"/api/v1/apps/{_id(app_id)}/credentials/keys",
                     what=f"reading the signing keys of app {app_id}", scope=READ)
    if not isinstance(doc, list):
        raise NetworkError("Okta answered the key list with something that is not a list",
                           hint="check --org", code="OKTA_BAD_ANSWER")
    return [k for k in doc if isinstance(k, dict)]


def has_assignments(client: OktaClient, app_id: str) -> bool:
    """Whether any group or user is assigned to the app (one short page each at most)."""
    for kind in ("groups", "users"):
        reply = client.call("GET", f"/api/v1/apps/{_id(app_id)}/{kind}", params={"limit": 1},
                            what=f"reading who is assigned to app {app_id}", scope=READ)
        items = reply.json()
        if isinstance(items, list) and items:
            return True
    return False


def app_group_ids(client: OktaClient, app_id: str) -> set[str]:
    return {g["id"] for g in client.pages(f"/api/v1/apps/{_id(app_id)}/groups",
                                          params={"limit": PAGE},
                                          what=f"reading the groups of app {app_id}",
                                          scope=READ)
            if isinstance(g, dict) and isinstance(g.get("id"), str)}


def find_group(client: OktaClient, name: str) -> tuple[str, str]:
    """(id, name) of the group called ``name`` (exact, else case-insensitive)."""
    found = [g for g in client.pages("/api/v1/groups", params={"q": name, "limit": PAGE},
                                     what=f"looking up group {name!r}", scope=GROUPS)
             if isinstance(g, dict)]
    names = [(g.get("id"), str((g.get("profile") or {}).get("name") or "")) for g in found]
    exact = [n for n in names if n[1] == name] or \
        [n for n in names if n[1].casefold() == name.casefold()]
    if not exact:
        raise UsageError(f"no Okta group named {name!r}", hint="check the name under "
                         "Directory → Groups (the search is by name prefix)",
                         code="OKTA_GROUP_NOT_FOUND")
    if len(exact) > 1:
        raise UsageError(f"{len(exact)} Okta groups are named {name!r}",
                         hint="rename one of them, or assign the group in the Admin Console",
                         code="OKTA_GROUP_AMBIGUOUS")
    return str(exact[0][0]), exact[0][1]


# ---------------------------------------------------------------- writes

def create_app(client: OktaClient, body: dict[str, Any], *, activate: bool) -> SamlApp:
    return from_json(client.call("POST", "/api/v1/apps",
                                 params={"activate": "true" if activate else "false"},
                                 body=body, what=f"creating app {body.get('label')!r}",
                                 scope=MANAGE).json())


def replace_app(client: OktaClient, app_id: str, body: dict[str, Any]) -> SamlApp:
    return from_json(client.call("PUT", f"/api/v1/apps/{_id(app_id)}", body=body,
                                 what=f"updating app {app_id}", scope=MANAGE).json())


def activate(client: OktaClient, app_id: str) -> None:
    client.call("POST", f"/api/v1/apps/{_id(app_id)}/lifecycle/activate",
                what=f"activating app {app_id}", scope=MANAGE)


def assign_group(client: OktaClient, app_id: str, group_id: str) -> None:
    client.call("PUT", f"/api/v1/apps/{_id(app_id)}/groups/{_id(group_id)}", body={},
                what=f"assigning group {group_id} to app {app_id}", scope=MANAGE)


def metadata_xml(client: OktaClient, app: SamlApp, *, kid: str | None = None) -> tuple[str, bytes]:
    """(URL, bytes) of the app's IdP metadata, for ``kid`` or the active key."""
    path = f"/api/v1/apps/{_id(app.id)}/sso/saml/metadata"
    url = client.url(path, {"kid": kid})
    reply = client.call("GET", url, what=f"reading the IdP metadata of app {app.id}",
                        scope=READ, accept="application/xml")
    if len(reply.body) > MAX_METADATA_BYTES:
        raise NetworkError("Okta's metadata answer is larger than 1 MiB",
                           hint="check --org", code="OKTA_BAD_ANSWER")
    return url, reply.body


def generate_key(client: OktaClient, app_id: str, years: int) -> dict[str, Any]:
    doc = client.call("POST", f"/api/v1/apps/{_id(app_id)}/credentials/keys/generate",
                      params={"validityYears": years},
                      what=f"generating a signing key for app {app_id}", scope=MANAGE).json()
    if not isinstance(doc, dict) or not isinstance(doc.get("kid"), str):
        raise NetworkError("Okta answered the key generation without a key id",
                           hint="check the app's keys in the Admin Console (Sign On tab)",
                           code="OKTA_BAD_ANSWER")
    return doc
