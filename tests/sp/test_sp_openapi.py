"""docs/sp-api.openapi.yaml parses, and says exactly what the code sends and expects.

The requests are not described by hand here: a push and a read run against the runnable
fake SP (ssoctl.rehearsal.fakesp) and every request the sipgate target sends is recorded,
then compared with the OpenAPI file (paths, methods, headers, body fields and types,
authentication schemes). Status codes are compared with docs/sp-api.md's table and with
what ssoctl's HTTP layer treats specially.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
from pathlib import Path

import pytest
import yaml

from ssoctl import http
from ssoctl.config.schema import SIPGATE_BASE_URL, SIPGATE_PATH, profile_from_table
from ssoctl.rehearsal import pki
from ssoctl.rehearsal import fakesp
from ssoctl.sp import service
from ssoctl.sp.contract import FIELDS, settings_from_dict
from ssoctl.sp.service import Connection, PushOptions

DOCS = Path(__file__).resolve().parents[2] / "docs"
TOKEN, TOKEN_ID = "0d8c6c1e-openapi-test-token", "token-OPENAPI"
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load((DOCS / "sp-api.openapi.yaml").read_text())


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> list[tuple[str, str, dict, bytes]]:
    """Every request of: read, push with --enable (two PUTs), push again (no PUT)."""
    log: list[tuple[str, str, dict, bytes]] = []
    sp = fakesp.ContractSp(token=TOKEN, token_id=TOKEN_ID)
    real = sp.handle

    def handle(method, path, headers, body):
        log.append((method, path, dict(headers), body))
        return real(method, path, headers, body)

    sp.handle = handle  # type: ignore[method-assign]
    server = fakesp.serve(sp, port=0, log=open("/dev/null", "w"))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    tmp = tmp_path_factory.mktemp("openapi")
    cert = tmp / "idp.pem"
    _, made = pki.okta_certificate(pki.cached_rsa_key("okta-idp"))
    cert.write_text(pki.cert_pem(made))
    profile = profile_from_table("acme", {
        "base_url": f"http://127.0.0.1:{server.server_address[1]}/v2", "token_id": TOKEN_ID,
        "backup_dir": str(tmp / "backups")})
    conn = Connection(environ={"SSOCTL_TOKEN": TOKEN}, is_tty=lambda: False)
    options = PushOptions(sso_url="https://dev-1.okta.com/app/x/exk1/sso/saml",
                          entity_id="http://www.okta.com/exk1", cert=str(cert), enable=True)
    try:
        service.status(profile, now=NOW, connection=conn)
        for _ in range(2):
            service.push(profile, options, now=NOW, confirm=lambda plan: True, connection=conn)
    finally:
        server.shutdown()
        server.server_close()
    return log


def test_the_file_is_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    assert "sipgate publishes no API endpoint" in spec["info"]["description"]


def test_default_location_is_the_one_the_code_uses(spec):
    assert [s["url"] for s in spec["servers"]] == [SIPGATE_BASE_URL]
    assert list(spec["paths"]) == [SIPGATE_PATH]


def test_methods_and_paths_sent_are_declared(spec, recorded):
    declared = {m.upper() for m in spec["paths"][SIPGATE_PATH]}
    sent = {method for method, _, _, _ in recorded}
    assert sent == declared == {"GET", "PUT"}
    assert {path for _, path, _, _ in recorded} == {f"/v2{SIPGATE_PATH}"}
    # read, then for each push: plan, (settings, read back, enable, read back) once
    assert [m for m, *_ in recorded].count("PUT") == 2


def test_put_body_matches_the_schema(spec, recorded):
    schema = spec["components"]["schemas"]["SsoSettings"]
    operation = spec["paths"][SIPGATE_PATH]["put"]
    body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema == {"$ref": "#/components/schemas/SsoSettings"}
    assert tuple(schema["required"]) == FIELDS == tuple(schema["properties"])
    assert schema["additionalProperties"] is False
    for _, _, _, body in (r for r in recorded if r[0] == "PUT"):
        doc = json.loads(body)
        assert set(doc) == set(schema["required"])
        for name, value in doc.items():
            assert _json_type(value) in _types(schema["properties"][name]), name


def test_get_answer_schema_is_what_the_code_reads(spec):
    operation = spec["paths"][SIPGATE_PATH]["get"]
    ok = operation["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/SsoSettings"}
    assert "ETag" in ok["headers"]
    # the example in sp-api.md is a valid answer for the code
    example = re.search(r"```json\n(\{\n  \"sso_url\".*?)```", (DOCS / "sp-api.md").read_text(),
                        re.S).group(1)
    assert settings_from_dict(json.loads(example), where="example").sso_url.startswith("https")


def test_headers_sent_are_declared(spec, recorded):
    put = spec["paths"][SIPGATE_PATH]["put"]
    params = {p["name"]: p for p in put["parameters"]}
    assert params["If-Match"]["in"] == "header"
    puts = [headers for method, _, headers, _ in recorded if method == "PUT"]
    assert all(h.get("If-Match", "").startswith('"v') for h in puts)  # the ETag it read
    assert all(h["User-Agent"] == http.USER_AGENT for _, _, h, _ in recorded)
    # what docs/sp-api.md promises every request carries
    assert all(h["Accept"] == "application/json" for _, _, h, _ in recorded)
    assert all(h["Content-Type"] == "application/json" for h in puts)
    assert all("?" not in path for _, path, _, _ in recorded)
    doc = (DOCS / "sp-api.md").read_text()
    assert "`Accept: application/json`, `User-Agent: ssoctl/<version>`" in doc


def test_authentication_schemes_match(spec, recorded):
    schemes = spec["components"]["securitySchemes"]
    assert {(s["type"], s["scheme"]) for s in schemes.values()} == {("http", "basic"),
                                                                   ("http", "bearer")}
    assert {next(iter(item)) for item in spec["security"]} == set(schemes)
    pair = base64.b64encode(f"{TOKEN_ID}:{TOKEN}".encode()).decode()
    assert {h["Authorization"] for _, _, h, _ in recorded} == {f"Basic {pair}"}


def test_status_codes_match_the_docs_and_the_http_layer(spec):
    operations = spec["paths"][SIPGATE_PATH]
    declared = {int(code) for op in operations.values() for code in op["responses"]}
    table = (DOCS / "sp-api.md").read_text().split("| status | meaning | ssoctl exit |")[1]
    documented = {int(n) for n in re.findall(r"\b([1-5]\d\d)\b", table.split("\n\n")[0])}
    errors = declared - {200, 204}
    assert errors == documented
    for method in ("get", "put"):
        codes = set(operations[method]["responses"])
        assert {str(s) for s in http.RETRY_STATUSES} <= codes, method
        assert {"401", "403", "404"} <= codes, method
    assert {"409", "412", "422", "204"} <= set(operations["put"]["responses"])


def test_statuses_the_fake_sp_sends_are_declared(spec):
    """The rehearsal SP speaks the same contract the file describes."""
    sp = fakesp.ContractSp(token=TOKEN, token_id=TOKEN_ID)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    good = {"sso_url": "https://i.example/sso", "idp_entity_id": "http://i.example",
            "certificate": None, "enabled": False}
    cases = [("GET", {}, b""), ("GET", auth, b""), ("PUT", auth, json.dumps(good).encode()),
             ("PUT", {**auth, "If-Match": '"old"'}, json.dumps(good).encode()),
             ("PUT", auth, b'{"sso_url": 1}')]
    for method, headers, body in cases:
        status = sp.handle(method, fakesp.DEFAULT_PATH, headers, body)[0]
        assert str(status) in spec["paths"][SIPGATE_PATH][method.lower()]["responses"]


def _types(prop: dict) -> set[str]:
    kind = prop["type"]
    return set(kind) if isinstance(kind, list) else {kind}


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "string" if isinstance(value, str) else type(value).__name__
