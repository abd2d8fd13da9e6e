"""A minimal DER reader: enough to tell a cut-off certificate from a complete one, and a
certificate from a key, without handing half-read bytes to a full parser.

Only the outer structure is read (tag, length, children); nothing here interprets values.
"""

from typing import NamedTuple

SEQUENCE = 0x30
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
OID = 0x06


class Tlv(NamedTuple):
    """One DER element: ``tag``, where its content starts, and its declared length."""

    tag: int
    offset: int
    header_len: int
    length: int

    @property
    def end(self) -> int:
        """Offset just past the element, as its length field declares."""
        return self.offset + self.header_len + self.length


def read_tlv(data: bytes, offset: int = 0) -> Tlv:
    """The element starting at ``offset``. Raises ``ValueError`` when the header itself
    is cut off or malformed (indefinite lengths are not DER). The content may be short:
    callers compare :attr:`Tlv.end` with ``len(data)``."""
    if offset + 2 > len(data):
        raise ValueError("truncated header")
    tag, first = data[offset], data[offset + 1]
    if tag & 0x1F == 0x1F:
        raise ValueError("multi-byte tags are not used in certificates")
    if first < 0x80:
        return Tlv(tag, offset, 2, first)
    count = first & 0x7F
    if count == 0 or count > 4:
        raise ValueError("indefinite or oversized length")
    if offset + 2 + count > len(data):
        raise ValueError("truncated length")
    length = int.from_bytes(data[offset + 2: offset + 2 + count], "big")
    return Tlv(tag, offset, 2 + count, length)


def children(data: bytes, parent: Tlv) -> list[Tlv]:
    """The elements directly inside ``parent`` (a constructed element), as far as they
    are present in ``data``."""
    out: list[Tlv] = []
    pos = parent.offset + parent.header_len
    stop = min(parent.end, len(data))
    while pos < stop:
        item = read_tlv(data, pos)
        out.append(item)
        pos = item.end
    return out


def content(data: bytes, item: Tlv) -> bytes:
    return data[item.offset + item.header_len: item.end]


def raw(data: bytes, item: Tlv) -> bytes:
    return data[item.offset: item.end]


def encode(tag: int, body: bytes) -> bytes:
    """One DER element from its tag and content."""
    size = len(body)
    if size < 0x80:
        return bytes([tag, size]) + body
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + body
