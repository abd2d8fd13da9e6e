"""docs/sp-api.md and the OpenAPI file describe the contract the code speaks."""

from __future__ import annotations

import re
from pathlib import Path

from ssoctl.sp.contract import CONTRACT_NOTE, FIELDS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_openapi_schema_lists_the_contract_fields():
    text = (DOCS / "sp-api.openapi.yaml").read_text()
    required = re.search(r"required: \[(sso_url[^\]]*)\]", text).group(1)
    assert tuple(f.strip() for f in required.split(",")) == FIELDS
    assert "/sso/settings:" in text and "If-Match" in text
    assert "sipgate publishes no API endpoint" in text


def test_contract_page_says_plainly_it_is_not_sipgates():
    text = (DOCS / "sp-api.md").read_text()
    assert "**sipgate publishes no API endpoint for its SSO settings.**" in text
    for field in FIELDS:
        assert f"`{field}`" in text
    assert "sipgate publishes no SSO settings API" in CONTRACT_NOTE


def test_default_path_matches_docs():
    from ssoctl.config.schema import SIPGATE_BASE_URL, SIPGATE_PATH

    assert f"{SIPGATE_BASE_URL}{SIPGATE_PATH}" in (DOCS / "sp-api.md").read_text()
