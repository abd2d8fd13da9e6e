"""Shared pieces of the push integration tests: config files, certificates, a fake clock."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import pytest

from ssoctl.config.tomlwrite import dump_toml
from ssoctl.rehearsal import pki

from .fake_sp import TOKEN, TOKEN_ID, FakeSp

ROOT_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
NOW = "2026-06-01T12:00:00Z"
SSO_URL = "https://dev-12345678.okta.com/app/sipgate/exk1fcx7ab2CDEf3G4h8/sso/saml"
ENTITY_ID = "http://www.okta.com/exk1fcx7ab2CDEf3G4h8"
ENV = {"SSOCTL_TOKEN": TOKEN, "SSOCTL_TOKEN_ID": TOKEN_ID, "SSOCTL_CONFIG": "",
       "SSOCTL_PROFILE": ""}


class FakeClock:
    """Injected into HttpSettings so retries never sleep for real."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_clock(monkeypatch):
    """Every HttpSettings the push service builds gets this clock."""
    from ssoctl.sp import service, targets

    clock = FakeClock()
    real = targets.http_settings

    def with_clock(profile, **overrides):
        overrides.setdefault("sleep", clock.sleep)
        overrides.setdefault("clock", clock.clock)
        return real(profile, **overrides)

    monkeypatch.setattr(service, "http_settings", with_clock)
    return clock


def cert_pem(label: str = "okta-idp", *, expired: bool = False) -> str:
    """One certificate per (label, expired) per test session."""
    return _cert_pem(label, expired)


@lru_cache(maxsize=None)
def _cert_pem(label: str, expired: bool) -> str:
    key = pki.cached_rsa_key(label)
    if expired:
        cert = pki.certificate(key, pki.okta_name(), not_before=dt.datetime(
            2020, 1, 1, tzinfo=dt.timezone.utc), days=365)
    else:
        _, cert = pki.okta_certificate(key)
    return pki.cert_pem(cert)


def write_cert(tmp_path: Path, label: str = "okta-idp", **kw) -> str:
    path = tmp_path / f"{label}{'-expired' if kw.get('expired') else ''}.pem"
    path.write_text(cert_pem(label, **kw))
    return str(path)


def contract_profile(sp: FakeSp, **extra) -> dict:
    table = {"target": "sipgate", "base_url": sp.url, "path": "/sso/settings",
             "auth": sp.scheme, "read_timeout": 2.0, "retries": 3}
    table.update(extra)
    return table


def rest_profile(sp: FakeSp, **extra) -> dict:
    table = {"target": "rest", "base_url": sp.url, "auth": "bearer", "read_timeout": 2.0,
             "rest": {"read_url": "/saml-config", "write_method": "POST",
                      "body": {"active": "{enabled}",
                               "saml": {"loginUrl": "{sso_url}", "issuer": "{idp_entity_id}",
                                        "x509": "{certificate}"}}}}
    table.update(extra)
    return table


def write_config(tmp_path: Path, profiles: dict[str, dict], default: str | None = None) -> str:
    data: dict = {}
    if default:
        data["default_profile"] = default
    data["profiles"] = profiles
    path = tmp_path / "config.toml"
    path.write_text(dump_toml(data))
    return str(path)


def push_args(config: str, tmp_path: Path, *extra: str, cert: str | None = None,
              profile: str = "acme") -> list[str]:
    args = ["push", "--config", config, "--profile", profile, "--backup-dir",
            str(tmp_path / "backups"), "--now", NOW]
    if cert:
        args += ["--sso-url", SSO_URL, "--entity-id", ENTITY_ID, "--cert", cert]
    return args + list(extra)


def backups(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "backups"
    return sorted(folder.glob("*.json")) if folder.exists() else []
