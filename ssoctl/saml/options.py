"""What ``decode-response`` was asked to do, resolved: :class:`DecodeOptions`.

Its own module so that the decoding steps (:mod:`ssoctl.saml.decode`, the verdict in
:mod:`ssoctl.saml.verdict`) can share it without importing each other.
"""

from typing import NamedTuple

from ssoctl.saml.anchors import TrustAnchors
from ssoctl.saml.checks import Expectations


class DecodeOptions(NamedTuple):
    """Everything the command line says, resolved (files already read)."""

    expect: Expectations
    anchors: TrustAnchors = TrustAnchors()
    sp_key_pem: str | None = None
    allow_sha1: bool = False
    allow_expired_cert: bool = False
    input_format: str | None = None
    entry: int | None = None
    all_entries: bool = False
    want_xml: bool = False
    jobs: int | None = None
    """Processes decoding a capture's messages: ``None`` automatic
    (:func:`ssoctl.saml.parallel.plan`), 1 serial."""
