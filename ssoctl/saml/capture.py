"""How a capture file is read: whole, or streamed when it is a large HAR or SAML-tracer export.

This module decides and nothing more, so that decoding a small file never loads the
streaming reader (:mod:`ssoctl.saml.harstream`, with its incremental JSON parser).
"""

import os
from typing import NamedTuple

from ssoctl.errors import InputError
from ssoctl.files import MiB, Source, read_source

#: JSON captures from a file larger than this are streamed; smaller ones are read whole
#: (the same result, and json.loads is quicker on a small file).
STREAM_FROM = 4 * MiB
#: A sanity bound on a streamed capture: a browser saves 50-300 MB for a login session.
MAX_CAPTURE_FILE = 2048 * MiB

#: How to make a capture small enough (over the size or entry limit).
SMALLER_CAPTURE = (
    "make a smaller capture: clear the browser's network log, log in once and save the HAR "
    "again; or keep only the SAML requests: `jq '.log.entries |= map(select((.request.url + "
    "(.request.postData.text // \"\")) | test(\"SAML(Response|Request)\")))' big.har > "
    "saml.har`; or copy only the SAMLResponse value of the POST to the SP and decode that "
    "(ssoctl decode-response --text VALUE)")


class CaptureFile:
    """A JSON capture on disk, to be streamed rather than read (``len`` is its size).
    ``limit``: what may be kept of its SAML messages, one and all together (and the size
    up to which it may be read whole instead)."""

    # A plain class: a frozen dataclass costs about a millisecond to define, on every run
    # that reads a file, and most runs never stream.
    __slots__ = ("path", "size", "limit")

    def __init__(self, path: str, size: int, limit: int) -> None:
        self.path, self.size, self.limit = path, size, limit

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return f"CaptureFile({self.path!r}, size={self.size}, limit={self.limit})"


class StreamedSource(NamedTuple):
    """What :func:`read_capture` gives for a large JSON capture: like
    :class:`ssoctl.files.Source`, with the file in place of its bytes (read as a stream by
    :mod:`ssoctl.saml.harstream`)."""

    data: CaptureFile
    label: str


def read_capture(source: str, *, max_bytes: int, what: str,
                 too_large_hint: str = "") -> "Source | StreamedSource":
    """``source`` (a path) as a :class:`StreamedSource` when it is a JSON document larger
    than :data:`STREAM_FROM` (and at most :data:`MAX_CAPTURE_FILE`), otherwise read whole like
    :func:`ssoctl.files.read_source` (up to ``max_bytes``)."""
    try:
        size = os.stat(source).st_size
        streamed = size > STREAM_FROM and _starts_like_json(source)
    except OSError:  # missing, unreadable: read_source says so in its own words
        streamed = False
    if streamed:
        bound = MAX_CAPTURE_FILE
        if size > bound:
            raise InputError(f"{source} is {size / MiB:,.0f} MiB; captures are read up to "
                             f"{bound // MiB:,} MiB",
                             hint=too_large_hint or SMALLER_CAPTURE,
                             code="INPUT_TOO_LARGE")
        return StreamedSource(CaptureFile(source, size, max_bytes), source)
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
