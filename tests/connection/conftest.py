"""Both sides of a connection on 127.0.0.1: the local Okta stand-in (every request body
checked against the Okta SDK's models, as in tests/oktaapi) and the runnable fake SP
(ssoctl.rehearsal.fakesp), plus the CLI environment that points ssoctl at them.

Fixtures:
- ``okta``: a started :class:`ssoctl.rehearsal.okta.OktaStandIn` (https, trusted by
  ``ca_bundle``) with a super-admin token;
- ``sp``: ``(ContractSp, base_url)`` of a fake SP; ``sp.faults`` can be changed between runs;
- ``world``: the two together, a user ``alice@example.com`` and a group ``sipgate users``
  holding her (``world.group_id``), a configuration file (profile ``acme``: Okta org, SP
  base URL and token id, sipgate's ACS URL and Entity ID) and the environment (tokens),
  and ``world.run(*args)`` = the CLI with that environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import NOW

OKTA_TOKEN = "00connection-test-token-0123456789abcdef"
SP_TOKEN_ID = "token-CONN01"
SP_TOKEN = "7d1f4c2e-5b8a-4e61-9c0d-connectionsecret"
ACS_URL = "https://sso.sipgate.example/saml/acs"
SP_ENTITY_ID = "https://sso.sipgate.example/saml/metadata"
NOW_TEXT = NOW.isoformat().replace("+00:00", "Z")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def okta_clock():
    return Clock()


@pytest.fixture
def okta(okta_clock, ca):
    """Over https (trusted by ``ca_bundle``): the app's Sign on URL is then https, as
    Okta's is, and passes the checks setup runs before handing it to the SP."""
    import ssl

    from support import okta_sdk

    from ssoctl.rehearsal.okta import OktaStandIn

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    standin = OktaStandIn(org="dev-24680", now=okta_clock, validator=okta_sdk.validate,
                          ssl_context=context)
    standin.add_token(OKTA_TOKEN)
    standin.start()
    yield standin
    standin.stop()
    if standin.validation_failures:
        pytest.fail("request bodies the Okta SDK's models reject: "
                    + "; ".join(f"{m} {p}: {e}" for m, p, e in standin.validation_failures),
                    pytrace=False)


@pytest.fixture
def sp():
    from support.fake_sp import serving

    with serving(token=SP_TOKEN, token_id=SP_TOKEN_ID) as (state, base_url):
        yield state, base_url


@dataclass
class World:
    okta: object
    sp: object
    sp_url: str
    config: str
    state_dir: str
    backups: str
    env: dict[str, str]
    cli: object
    tmp: Path
    group_id: str = ""
    app_id: str = ""
    okta_kids: tuple = ()

    def run(self, *args: str, input: str | None = None):
        return self.cli(*args, "--config", self.config, "--state-dir", self.state_dir,
                        "--now", NOW_TEXT, input=input, env=self.env) \
            if args and args[0] == "setup" else \
            self.cli(*args, "--config", self.config, "--now", NOW_TEXT, input=input,
                     env=self.env)


def write_config(path: Path, *, okta_url: str, sp_url: str, backups: str,
                 ca_bundle: str) -> None:
    path.write_text(
        'default_profile = "acme"\n\n[profiles.acme]\n'
        f'okta_org = "{okta_url}"\n'
        f'ca_bundle = "{ca_bundle}"\n'
        f'base_url = "{sp_url}"\n'
        f'token_id = "{SP_TOKEN_ID}"\n'
        f'acs_url = "{ACS_URL}"\n'
        f'sp_entity_id = "{SP_ENTITY_ID}"\n'
        f'backup_dir = "{backups}"\n')


@pytest.fixture
def world(okta, ca_bundle, sp, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    state, sp_url = sp
    user = okta.add_user("alice@example.com", "Alice", "Example")
    group = okta.add_group("sipgate users", members=[user])
    config = tmp_path / "config.toml"
    backups = str(tmp_path / "backups")
    write_config(config, okta_url=okta.url, sp_url=sp_url, backups=backups,
                 ca_bundle=ca_bundle)
    env = {"SSOCTL_OKTA_TOKEN": OKTA_TOKEN, "SSOCTL_TOKEN": SP_TOKEN, "SSOCTL_CONFIG": "",
           "SSOCTL_PROFILE": "", "SSOCTL_OKTA_ORG": "", "NO_COLOR": "1"}
    return World(okta=okta, sp=state, sp_url=sp_url, config=str(config),
                 state_dir=str(tmp_path / "state"), backups=backups, env=env, cli=cli,
                 tmp=tmp_path, group_id=group)
