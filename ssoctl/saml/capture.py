"""How a capture file is read: whole, or streamed when it is a large HAR or SAML-tracer export.

This module decides and nothing more, so that decoding a small file never loads the
streaming reader (:mod:`ssoctl.saml.harstream`, with its incremental JSON parser).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ssoctl.errors import InputError
from ssoctl.files import MiB, Source, read_source

if TYPE_CHECKING:  # pragma: no cover
    from ssoctl.saml.harstream import StreamedSource

#: JSON captures from a file larger than this are streamed; smaller ones are read whole
#: (the same result, and json.loads is quicker on a small file).
STREAM_FROM = 4 * MiB


def read_capture(source: str, *, max_bytes: int, what: str,
                 too_large_hint: str = "") -> "Source | StreamedSource":
    """``source`` (a path) as a :class:`~ssoctl.saml.harstream.StreamedSource` when it is
    a JSON document larger than :data:`STREAM_FROM` (and at most
    :data:`ssoctl.saml.harstream.MAX_CAPTURE_FILE`), otherwise read whole like
    :func:`ssoctl.files.read_source` (up to ``max_bytes``)."""
    try:
        size = os.stat(source).st_size
        streamed = size > STREAM_FROM and _starts_like_json(source)
    except OSError:  # missing, unreadable: read_source says so in its own words
        streamed = False
    if streamed:
        from ssoctl.saml import har, harstream

        bound = harstream.MAX_CAPTURE_FILE
        if size > bound:
            raise InputError(f"{source} is {size / MiB:,.0f} MiB; captures are read up to "
                             f"{bound // MiB:,} MiB",
                             hint=too_large_hint or har.SMALLER_CAPTURE,
                             code="INPUT_TOO_LARGE")
        return harstream.StreamedSource(harstream.CaptureFile(source, size, max_bytes), source)
    try:
        return read_source(source, max_bytes=max_bytes, what=what)
    except InputError as exc:
        if exc.code == "INPUT_TOO_LARGE" and too_large_hint:
            raise InputError(exc.message, hint=too_large_hint, code=exc.code) from None
        raise


def _starts_like_json(path: str) -> bool:
    """Whether the file's first byte after a UTF-8 byte order mark and blanks is ``{``
    (UTF-16 files are read whole, as before)."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{")
