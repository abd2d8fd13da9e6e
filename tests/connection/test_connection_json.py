"""The JSON documents of doctor and setup are a contract: golden files (ids, ports, keys and
fingerprints that differ per run are replaced by placeholders). Regenerate deliberately
with SSOCTL_UPDATE_GOLDEN=1 and review the diff."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from support.dns_server import DnsServer

from .conftest import NOW_TEXT

GOLDEN = Path(__file__).parent / "golden"
PLACEHOLDERS = (
    (re.compile(r"0oa[0-9A-Za-z]{17}"), "<app-id>"),
    (re.compile(r"exk[0-9A-Za-z]{17}"), "<exk>"),
    (re.compile(r"00g[0-9A-Za-z]{17}"), "<group-id>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"-[0-9a-f]{12}\.json"), "-<hash>.json"),
    (re.compile(r"(?:[0-9A-F]{2}:){31}[0-9A-F]{2}"), "<sha256>"),
    (re.compile(r"-----BEGIN CERTIFICATE-----[^\"]*-----END CERTIFICATE-----\\n"), "<pem>"),
)


def _normalized(doc: dict, world) -> str:
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    text = text.replace(str(world.tmp), "<tmp>")
    for kid in world.okta_kids:
        text = text.replace(kid, "<kid>")
    for pattern, placeholder in PLACEHOLDERS:
        text = pattern.sub(placeholder, text)
    return text


def _compare(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.json"
    if os.environ.get("SSOCTL_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()


def _kids(world) -> list[str]:
    kids = []
    for app_id in world.okta.app_ids():
        kid = ((world.okta.app(app_id).get("credentials") or {}).get("signing") or {}).get("kid")
        kids += [kid] if kid else []
    return kids


def test_setup_json(world):
    result = world.run("setup", "--sp-profile", "acme", "--assign-group", "sipgate users",
                       "--yes", "--json")
    assert result.exit_code == 0, result.stdout
    world.okta_kids = _kids(world)
    doc = result.json()
    doc["data"]["sp_backup"] = "<backup>"
    _compare("setup-push-applied", _normalized(doc, world))


def test_doctor_json(world):
    assert world.run("setup", "--sp-profile", "acme", "--assign-group", "sipgate users",
                     "--yes").exit_code == 0
    world.okta.add_key(_app_id(world), activate=True)
    world.okta_kids = _kids(world) + [k["kid"] for k in _keys(world)]
    with DnsServer() as dns:
        result = world.cli("doctor", "--config", world.config, "--now", NOW_TEXT,
                           "--sp-profile", "acme", "--domain", "example.com", "--dns-server",
                           dns.address, "--json", env=world.env)
    assert result.exit_code == 1
    _compare("doctor-rotated-key", _normalized(result.json(), world))


def _app_id(world) -> str:
    return next(i for i in world.okta.app_ids() if world.okta.app(i)["label"] == "sipgate")


def _keys(world) -> list[dict]:
    import requests

    from .conftest import OKTA_TOKEN

    reply = requests.get(f"{world.okta.url}/api/v1/apps/{_app_id(world)}/credentials/keys",
                         headers={"Authorization": f"SSWS {OKTA_TOKEN}"},
                         verify=_ca(world), timeout=10)
    return reply.json()


def _ca(world) -> str:
    return Path(world.config).read_text().split('ca_bundle = "', 1)[1].split('"', 1)[0]
