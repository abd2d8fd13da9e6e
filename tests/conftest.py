"""Shared test helpers: an in-process CLI runner and generated keys/certificates."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

#: The fixed clock tests use unless they need another one.
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc)


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture
def cli():
    """Run ssoctl in-process: ``cli("check-cert", path, input=b"...")``."""
    from ssoctl.cli.app import app

    runner = CliRunner()

    def invoke(*args: str, input: bytes | str | None = None, env: dict | None = None) -> CliResult:
        result = runner.invoke(app, [str(a) for a in args], input=input, env=env,
                               catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return invoke


@pytest.fixture(scope="session")
def okta_pair():
    """(key, certificate) shaped like an Okta app signing certificate, valid 2026-2036."""
    from ssoctl.rehearsal import pki

    return pki.okta_certificate(pki.cached_rsa_key("okta-idp"))


@pytest.fixture(scope="session")
def ca():
    """A test CA (trustme) for the local https servers: the Okta stand-in, the fake SP,
    metadata and hostile servers."""
    import trustme

    return trustme.CA()


@pytest.fixture(scope="session")
def ca_bundle(ca, tmp_path_factory):
    """``ca``'s certificate as a PEM file, for ``--ca-bundle``."""
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)
