"""The one hardened XML parser (docs/threat-model.md, "XML parsing"), the namespace map
and size limits.

Every byte of XML ssoctl reads -- metadata, SAML messages -- goes through :func:`parse`.
No other XML parser (xml.etree, minidom, regular expressions) is used for extraction; a
test greps the source to keep it that way.

Policy: no DTD at all (a ``<!DOCTYPE`` is refused before parsing), no entity expansion,
no network, no XInclude processing, libxml2's default depth and text-size limits
(``huge_tree`` off), and a byte limit checked before the parser sees the data. Comments
and processing instructions are kept: both belong to the document that was signed
(canonical XML keeps processing instructions, so one inserted after signing must break the
digest, as it does for xmlsec1 and for signxml's own parser), and readers use
:func:`text_of`, which ignores comment and processing-instruction nodes.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from ssoctl.errors import InputError, first_line

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

#: Default upper bound for one XML document (metadata aggregates are the largest input).
MAX_XML_BYTES = 10 * 1024 * 1024

NS = {
    "md": "urn:oasis:names:tc:SAML:2.0:metadata",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "xenc": "http://www.w3.org/2001/04/xmlenc#",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "xs": "http://www.w3.org/2001/XMLSchema",
    "mdrpi": "urn:oasis:names:tc:SAML:metadata:rpi",
    "mdui": "urn:oasis:names:tc:SAML:metadata:ui",
    "fed": "http://docs.oasis-open.org/wsfed/federation/200706",
}

#: Parser options, asserted by a unit test (docs/threat-model.md, "XML parsing").
PARSER_OPTIONS = dict(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_pis=False,  # verify what was received: a PI is part of the signed content
    remove_comments=False,
    strip_cdata=False,
    collect_ids=False,
)

_DOCTYPE = re.compile(rb"<!\s*DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
_STRING_LINE = re.compile(r"\(<string>, line \d+\)$")


def qname(prefix: str, local: str) -> str:
    """``qname("saml", "Issuer")`` -> ``{urn:...:assertion}Issuer``."""
    return f"{{{NS[prefix]}}}{local}"


_PARSERS = threading.local()


def make_parser() -> "etree.XMLParser":
    """The hardened parser of the calling thread: lxml parsers must not be shared between
    threads, but one thread may reuse its parser for document after document (building
    one per document cost more than parsing a 10 KB SAML response)."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        from lxml import etree

        parser = _PARSERS.parser = etree.XMLParser(**PARSER_OPTIONS)
    return parser


def _refuse_dtd(data: bytes, what: str) -> None:
    # Check the bytes as given and, for UTF-16 input, as decoded: a DOCTYPE anywhere is
    # refused before libxml2 sees it (entity bombs, XXE, CVE-2025-25291 comment tricks).
    probes = [data]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4].count(b"\x00") >= 2:
        for enc in ("utf-16", "utf-16-le", "utf-16-be"):
            try:
                probes.append(data.decode(enc).encode("utf-8", "replace"))
                break
            except UnicodeDecodeError:
                continue
    for probe in probes:
        # Both patterns start with "<!": most documents (no comment, no CDATA) have none.
        if b"<!" in probe and (_DOCTYPE.search(probe) or _ENTITY.search(probe)):
            raise InputError(f"{what}: DOCTYPE not allowed (DTDs and entities are refused)",
                             hint="SAML metadata and messages never need a DTD; "
                                  "this input is malformed or hostile",
                             code="XML_DOCTYPE")


def parse(data: bytes, *, what: str = "XML", max_bytes: int = MAX_XML_BYTES) -> "etree._Element":
    """Parse ``data`` with the hardened parser and return the root element.

    Raises :class:`InputError` (exit 3) for oversized input, any DTD, and malformed XML,
    with a one-line message.
    """
    if len(data) > max_bytes:
        raise InputError(f"{what}: input exceeds {max_bytes} bytes",
                         hint="check that this is the right document",
                         code="XML_TOO_LARGE")
    if not data or data.isspace():  # no stripped copy of a large input
        raise InputError(f"{what} is empty", hint="give a non-empty XML document",
                         code="XML_EMPTY")
    _refuse_dtd(data, what)
    from lxml import etree

    try:
        root = etree.fromstring(data, parser=make_parser())
    except etree.XMLSyntaxError as exc:
        if "Excessive depth" in str(exc):
            raise InputError(f"{what} is nested more than 256 levels deep",
                             hint="real metadata and SAML messages are a few levels deep; "
                                  "this input is malformed or hostile",
                             code="XML_TOO_DEEP") from None
        raise InputError(f"{what} is not well-formed XML: {_first_line(exc)}",
                         hint="make sure the whole document was saved (use Download/Save as, "
                              "not copy and paste)",
                         code="XML_MALFORMED") from None
    except (ValueError, etree.LxmlError) as exc:
        raise InputError(f"{what} cannot be parsed: {_first_line(exc)}",
                         hint="save the document as UTF-8 XML and try again",
                         code="XML_MALFORMED") from None
    return _checked_root(root, what)


# Direct-child lookups without ElementPath: a Clark-notation tag given to iterchildren is
# matched in C, while find()/findall() first parse the path in Python. The same elements
# in the same order; they run many times for every message of a large capture.
def first_child(element: "etree._Element", tag: str) -> "etree._Element | None":
    """``element.find(tag)`` for a single Clark-notation tag: the first direct child."""
    for child in element.iterchildren(tag):
        return child
    return None


def children(element: "etree._Element", tag: str) -> list["etree._Element"]:
    """``element.findall(tag)`` for a single Clark-notation tag."""
    return list(element.iterchildren(tag))


def grandchildren(element: "etree._Element", tag: str, inner: str):
    """``element.iterfind(f"{tag}/{inner}")``: each ``inner`` child of each ``tag`` child."""
    return (grand for child in element.iterchildren(tag) for grand in child.iterchildren(inner))


def text_of(element: "etree._Element | None") -> str | None:
    """All text inside ``element`` with comments ignored and no stripping.

    ``element.text`` stops at the first comment: ``admin@example.com<!---->.evil.com``
    would read as ``admin@example.com`` (CVE-2017-11427 and friends). This joins every
    text node, so the value is what a canonicalizer (and the signer) saw.
    """
    if element is None:
        return None
    if not len(element) and isinstance(element.tag, str):  # no child nodes (comments count)
        return element.text or ""
    return "".join(element.itertext())


# ---------------------------------------------------------------- streaming

#: How much of a streamed document is read and handed to the parser at a time.
STREAM_CHUNK = 1024 * 1024


def iter_elements(chunks: "Iterable[bytes]", tag: str, *, what: str = "XML",
                  also: tuple[str, ...] = ()) -> "Iterator[tuple[etree._Element, etree._Element]]":
    """``(root, element)`` for each complete ``tag`` element of a document given in chunks
    (and for each complete element of a tag in ``also``: elements inside those, such as
    a child the caller wants to know about, reported when they end, before their parent).

    The same policy as :func:`parse` (no DTD, no entities, no network, libxml2's depth and
    text-size limits), applied as the bytes arrive, so a document of any size is read in
    bounded memory: the ``tag`` elements the caller has passed are dropped from the tree
    (a few hundred at a time, in one step: :data:`DROP_EVERY`), so hold on to what you
    need from one before asking for the next. The caller may stop early; the rest of the
    document is never parsed. UTF-16 documents are refused here (they are small enough
    for :func:`parse`).
    """
    from lxml import etree

    # Only the end of each wanted element comes back to Python (not every node's events):
    # the root is found through the first one.
    parser = etree.XMLPullParser(events=("end",), tag=(tag, *also) if also else tag,
                                 **PARSER_OPTIONS)
    tail = b""
    fed = False
    root = None
    passed = 0
    parent = None
    for chunk in chunks:
        if not chunk:
            continue
        if not fed:
            if chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or chunk[:4].count(b"\x00") >= 2:
                raise InputError(f"{what}: a UTF-16 document this large is not supported",
                                 hint="save the document as UTF-8", code="XML_MALFORMED")
            fed = True
        _refuse_dtd_piece(tail, chunk, what)
        tail = chunk[-16:]
        for _event, element in _feed(parser, chunk, what):
            if root is None:
                root = element.getroottree().getroot()
            yield root, element
            passed += 1
            if passed >= DROP_EVERY and (not also or element.tag == tag):
                parent = _drop_passed(element, tag, parent)
                passed = 0
    if not fed:
        raise InputError(f"{what} is empty", hint="give a non-empty XML document",
                         code="XML_EMPTY")
    for _event, element in _feed(parser, None, what):
        if root is None:
            root = element.getroottree().getroot()
        yield root, element


#: How many elements :func:`iter_elements` passes before it drops them (in one step: a
#: Python step per element would cost more than parsing it). A few hundred entities of
#: an aggregate are a few megabytes of tree.
DROP_EVERY = 256


def _drop_passed(element: "etree._Element", tag: str,
                 last_parent: "etree._Element | None") -> "etree._Element | None":
    """Remove ``element`` and the ``tag`` siblings before it (with any comment or
    processing instruction between them); the parent's first children of another tag
    (the root's signature, its Extensions) stay. When the elements now sit under another
    parent than last time (aggregates nested in the aggregate), the rest of the earlier
    parent's go too. Returns the parent."""
    parent = element.getparent()
    if parent is None:
        return last_parent
    if last_parent is not None and last_parent is not parent:
        del last_parent[_first_of(last_parent, tag):]
    del parent[_first_of(parent, tag):parent.index(element) + 1]
    return parent


def _first_of(parent: "etree._Element", tag: str) -> int:
    for index, child in enumerate(parent):
        if child.tag == tag:
            return index
    return len(parent)


def _refuse_dtd_piece(tail: bytes, chunk: bytes, what: str) -> None:
    """:func:`_refuse_dtd` for the next piece of a stream, ``tail`` being the last bytes of
    the piece before (so a keyword split by the chunking is caught). Both keywords start
    with ``<!``: a piece without an ``!`` (most of an aggregate: no comment, no CDATA) is
    scanned once for that byte (the fastest search there is) and not copied."""
    if b"<!" in tail + chunk[:16] or (b"!" in chunk and b"<!" in chunk):
        _refuse_dtd(tail + chunk, what)


def parse_chunks(chunks: "Iterable[bytes]", *, what: str = "XML",
                 max_bytes: int = MAX_XML_BYTES, keep: "list[bytes] | None" = None,
                 ) -> "etree._Element":
    """:func:`parse` for a document given in chunks (a large file, a download as it
    arrives): the same policy and errors, the DTD check applied to every chunk, and no
    copy of the whole input in memory (unless ``keep``, a list, is given: the chunks are
    appended to it). For a document that must be whole in memory as a tree: a signed
    federation aggregate, whose signature covers every byte.
    """
    from lxml import etree

    parser = etree.XMLParser(**PARSER_OPTIONS)
    tail = b""
    size = 0
    for chunk in chunks:
        if not chunk:
            continue
        if not size and (chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or chunk[:4].count(b"\x00") >= 2):
            raise InputError(f"{what}: a UTF-16 document this large is not supported",
                             hint="save the document as UTF-8", code="XML_MALFORMED")
        size += len(chunk)
        if size > max_bytes:
            raise InputError(f"{what}: input exceeds {max_bytes} bytes",
                             hint="check that this is the right document", code="XML_TOO_LARGE")
        _refuse_dtd_piece(tail, chunk, what)
        tail = chunk[-16:]
        if keep is not None:
            keep.append(chunk)
        _feed(parser, chunk, what)
    if not size:
        raise InputError(f"{what} is empty", hint="give a non-empty XML document",
                         code="XML_EMPTY")
    root = _feed(parser, None, what)
    return _checked_root(root, what)


def _checked_root(root: "etree._Element | None", what: str) -> "etree._Element":
    """The parsed root, unless there is none or the document declared a DOCTYPE."""
    if root is None:
        raise InputError(f"{what} has no root element", hint="give a complete XML document",
                         code="XML_MALFORMED")
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise InputError(f"{what}: DOCTYPE not allowed", hint="this input is malformed or hostile",
                         code="XML_DOCTYPE")
    return root


def _feed(parser: "etree.XMLPullParser | etree.XMLParser", chunk: bytes | None,
          what: str) -> Any:
    """Feed ``chunk`` (``None``: the end) to ``parser`` with ssoctl's errors: the events
    read so far for a pull parser, the root element at the end for a feed parser."""
    from lxml import etree

    try:
        if chunk is None:
            root = parser.close()
        else:
            root = None
            parser.feed(chunk)
        if isinstance(parser, etree.XMLPullParser):
            return list(parser.read_events())
        return root
    except etree.XMLSyntaxError as exc:
        if "Excessive depth" in str(exc):
            raise InputError(f"{what} is nested more than 256 levels deep",
                             hint="real metadata is a few levels deep; this input is "
                                  "malformed or hostile", code="XML_TOO_DEEP") from None
        if "too big" in str(exc).lower() or "huge" in str(exc).lower():
            raise InputError(f"{what}: one text, comment or attribute is larger than the "
                             f"parser's limit ({_first_line(exc)})",
                             hint="real metadata has no value anywhere near that size; this "
                                  "input is malformed or hostile", code="XML_TOO_LARGE") from None
        raise InputError(f"{what} is not well-formed XML: {_first_line(exc)}",
                         hint="make sure the whole document was saved (a download that "
                              "stopped early ends mid-element)", code="XML_MALFORMED") from None
    except (ValueError, etree.LxmlError) as exc:
        raise InputError(f"{what} cannot be parsed: {_first_line(exc)}",
                         hint="save the document as UTF-8 XML and try again",
                         code="XML_MALFORMED") from None


def _first_line(exc: Exception) -> str:
    # libxml2 appends "(<string>, line N)": noise for a user who gave a file.
    line = first_line(exc)
    noise = _STRING_LINE.search(line)  # no leading \s*: that rescans every space run
    if noise:
        line = line[:noise.start()].rstrip()
    return line[:200]


def local_name(node: "etree._Element | str | None") -> str:
    """The local part of an element's tag (or of a Clark-notation tag): ``Assertion`` for
    ``{urn:...:assertion}Assertion``; ``""`` for comments and the like."""
    tag = node if isinstance(node, str) else getattr(node, "tag", None)
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_time(value: str) -> dt.datetime | None:
    """An xs:dateTime as an aware UTC datetime; ``None`` when it is not one.

    SAML requires UTC with ``Z``; offsets are accepted, a missing zone is read as UTC,
    and fractions beyond microseconds are cut (some IdPs send nanoseconds).
    """
    if "T" not in value:
        return None
    try:  # the common case, Okta's "2026-06-01T12:00:00.000Z", in one call
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is not None:
            return parsed.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):  # overflow: 9999-12-31T23:59:59-01:00 is past year 9999
        pass
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if "." in text:
        head, _, rest = text.partition(".")
        digits = rest[:len(rest) - len(rest.lstrip("0123456789"))]  # leading digits only
        zone = rest[len(digits):]
        text = f"{head}.{digits[:6].ljust(6, '0')}{zone}" if digits else head + zone
    try:
        parsed = dt.datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.timezone.utc)
        return parsed.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        return None


