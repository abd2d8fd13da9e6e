"""A local Okta org for the okta tests: :class:`ssoctl.rehearsal.okta.OktaStandIn` on
127.0.0.1 with every JSON request body checked against the official Okta SDK's models
(tests/support/okta_sdk.py). A body the models reject is answered 400 E0000001 by the
stand-in *and* fails the test at teardown, whatever the code under test did with the 400.

Fixtures:
- ``okta_clock``: the stand-in's clock, starting at ``NOW`` (tests/conftest.py);
  ``okta_clock.advance(seconds)`` moves it (rate-limit windows, token and key expiry).
- ``okta_org``: a started stand-in (http) with the SDK oracle and a super-admin API token
  ``okta_token``; ``okta_org_tls``: the same over https, trusted by ``ca_bundle``.
- ``okta_service_key``: an RSA key and its public JWK for ``register_service_app``.
"""

from __future__ import annotations

import datetime as dt
import ssl
import threading

import pytest

from conftest import NOW

#: The API token the ``okta_org`` fixtures accept (``SSWS``), a super admin.
OKTA_TOKEN = "00rehearsal-test-token-0123456789abcdef"


class MutableClock:
    """A clock tests move by hand: ``clock()`` is now, ``clock.advance(s)`` moves it."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> dt.datetime:
        with self._lock:
            self._now += dt.timedelta(seconds=seconds)
            return self._now

    def set(self, when: dt.datetime) -> None:
        with self._lock:
            self._now = when


@pytest.fixture
def okta_clock():
    return MutableClock(NOW)


@pytest.fixture
def okta_token():
    return OKTA_TOKEN


def _org(clock, ssl_context=None):
    from support import okta_sdk  # the SDK itself is imported on the first body

    from ssoctl.rehearsal.okta import OktaStandIn

    standin = OktaStandIn(org="dev-12345678", now=clock, ssl_context=ssl_context,
                          validator=okta_sdk.validate)
    standin.add_token(OKTA_TOKEN)
    return standin.start()


def _teardown(standin) -> None:
    standin.stop()
    if standin.validation_failures:
        lines = [f"{method} {path}: {exc}" for method, path, exc in standin.validation_failures]
        pytest.fail("request bodies the Okta SDK's models reject:\n" + "\n".join(lines),
                    pytrace=False)


@pytest.fixture
def okta_org(okta_clock):
    standin = _org(okta_clock)
    yield standin
    _teardown(standin)


@pytest.fixture
def okta_org_tls(okta_clock, ca):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    standin = _org(okta_clock, context)
    yield standin
    _teardown(standin)


@pytest.fixture(scope="session")
def okta_service_key():
    """``(private_key, public_jwk)`` for an API Services app (kid ``test-key-1``)."""
    import json

    import jwt

    from ssoctl.rehearsal import pki

    key = pki.cached_rsa_key("okta-service-app")
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk["kid"] = "test-key-1"
    return key, jwk
