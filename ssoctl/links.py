"""Where ssoctl's documentation lives on the web.

Messages, hints and help point here (or to ``ssoctl explain …``), never to a ``docs/``
file: an installed ssoctl (pipx, a wheel) has no docs folder next to it. The same base
is in pyproject.toml's ``[project.urls]`` (tests/cli/test_help.py keeps them equal).
"""

HOMEPAGE = "https://github.com/ssoctl/ssoctl"
DOCS = f"{HOMEPAGE}/tree/main/docs"


def docs_url(page: str) -> str:
    """The web address of ``docs/PAGE`` (e.g. ``docs_url("sp-api.md")``)."""
    return f"{HOMEPAGE}/blob/main/docs/{page}"


#: ssoctl's SSO-settings contract, named by push, rollback and sp status.
SP_API = docs_url("sp-api.md")
JSON_FORMAT = docs_url("json.md")
#: Setting up Okta credentials and the scopes each ``ssoctl okta`` command needs.
OKTA_DOCS = docs_url("okta.md")
#: Rehearsing the whole set-up against the local stand-ins.
REHEARSAL_DOCS = docs_url("rehearsal.md")
