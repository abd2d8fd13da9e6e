"""``decode-response --list``: every SAML message in a capture, to pick one with ``--entry``.

A HAR file or SAML-tracer export of a login usually holds several messages (the
AuthnRequest, the Response, perhaps a logout). The listing says, for each, its number,
parameter, kind, the method and URL it travelled with (query values elided) and the time,
without verifying or checking anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ssoctl.errors import InputError
from ssoctl.findings import Finding

if TYPE_CHECKING:  # pragma: no cover
    from ssoctl.saml.binding import DecodedInput
    from ssoctl.saml.capture import CaptureFile


@dataclass(frozen=True)
class ListedMessage:
    """One message of the capture, as ``--entry`` numbers it."""

    index: int
    parameter: str
    """``SAMLRequest`` or ``SAMLResponse``."""
    kind: str
    """The root element: ``Response``, ``AuthnRequest``, ``LogoutRequest``, ... or
    ``unreadable``."""
    method: str | None
    url: str | None
    time: dt.datetime | None


@dataclass(frozen=True)
class Listing:
    """What ``--list`` prints."""

    source: str
    form: str
    messages: tuple[ListedMessage, ...]
    findings: tuple[Finding, ...]


def list_source(source: str, *, input_format: str | None = None) -> Listing:
    """Read ``source`` (a path or ``-``) and list the SAML messages in it.

    Raises :class:`InputError` (exit 3) for unreadable input, like ``decode-response``.
    """
    from ssoctl.saml.decode import MAX_INPUT_BYTES
    from ssoctl.saml.capture import read_capture

    got = read_capture(source, max_bytes=MAX_INPUT_BYTES, what="SAML input")
    return list_data(got.data, label=got.label, input_format=input_format)


def list_data(data: "bytes | CaptureFile", *, label: str,
              input_format: str | None = None) -> Listing:
    """List the SAML messages in ``data`` (already read and size-checked, or a large
    capture file to stream)."""
    from ssoctl.saml import binding

    return list_decoded(binding.decode_input(data, input_format=input_format, label=label),
                        label=label)


def list_decoded(decoded: "DecodedInput", *, label: str) -> Listing:
    """List the messages :func:`ssoctl.saml.binding.decode_input` found (no second read)."""
    rows = tuple(ListedMessage(index=m.index, parameter=m.parameter, kind=_kind(m.xml),
                               method=m.method, url=m.url, time=m.time)
                 for m in decoded.messages)
    return Listing(source=label, form=decoded.form, messages=rows,
                   findings=decoded.findings)


def _kind(xml: bytes) -> str:
    from ssoctl import xmlsafe

    try:
        root = xmlsafe.parse(xml, what="SAML message")
    except InputError:
        return "unreadable"
    return xmlsafe.local_name(root) or "unreadable"


__all__ = ["ListedMessage", "Listing", "list_data", "list_decoded", "list_source"]
