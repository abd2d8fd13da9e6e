"""Federation aggregates of any size, read as a stream.

Research and education federations publish one document with every member's metadata
(tens of megabytes, tens of thousands of entities). Reading it whole would hold the tree
in memory several times over; instead the document is parsed as it is read
(:func:`ssoctl.xmlsafe.iter_elements`), entities are dropped once passed (a few hundred
at a time), and the read stops at the entity asked for. Only identity providers cost a
Python step: the parser reports each ``IDPSSODescriptor`` as it ends. What reaches
:func:`reader.load` is a small document of its own: the aggregate's root element (its
``validUntil`` and ``cacheDuration`` still apply) holding a copy of the one entity. The
chunks come from a file (:func:`file_chunks`) or a download as it arrives
(:func:`ssoctl.http.fetch_stream`).

The hostile-input rules are those of the in-memory reader: no DTD anywhere in the stream,
no entities, no network, libxml2's depth and text-node limits; the limit on the bytes
parsed as one document applies to that entity, not to the file.
"""

from typing import TYPE_CHECKING, Iterable, NamedTuple, Sequence

from ssoctl import xmlsafe
from ssoctl.errors import InputError, UsageError
from ssoctl.findings import plural
from ssoctl.xmlsafe import qname

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

#: The largest file ``import-metadata`` reads at all (a sanity bound, not a parse limit).
MAX_AGGREGATE_BYTES = 4 * 1024 * 1024 * 1024

_ENTITY = qname("md", "EntityDescriptor")
_IDP = qname("md", "IDPSSODescriptor")
_SIGNATURE = qname("ds", "Signature")
#: How many entity IDs an error message names before it says "and N more".
_SHOWN = 5


class Found(NamedTuple):
    """The entity read out of an aggregate."""

    document: bytes
    """The aggregate's root (attributes only) holding a copy of the one entity."""
    root_signed: bool
    """Whether the aggregate as a whole carries a signature (over the whole file)."""
    entity_ids: tuple[str, ...]
    """Every IdP seen while reading (all of them when the whole file was read)."""


def find_idp(chunks: Iterable[bytes], entity_id: str | None, *, option: str | None = None,
             source: str = "", what: str = "IdP metadata") -> Found:
    """Stream ``chunks`` to the one identity provider asked for.

    With ``entity_id`` the read stops at that entity (a trailing slash is forgiven, as in
    the in-memory reader). Without it, the document must hold exactly one IdP; several
    are a usage error that says how many there are and how to pick one.
    """
    wanted = entity_id.strip() if entity_id is not None else None
    ids: list[str] = []
    only: bytes | None = None
    near: bytes | None = None
    signed = False
    root_tag = None
    # The parser reports each IDPSSODescriptor as it ends, just before its entity ends:
    # no Python step looks into the other entities (nine in ten in a federation).
    idp_entity: "etree._Element | None" = None
    for root, element in xmlsafe.iter_elements(chunks, _ENTITY, what=what, also=(_IDP,)):
        if root_tag is None:
            # The aggregate's own signature comes before its first entity (the schema
            # puts it first), so it has been parsed by now.
            root_tag = root.tag
            signed = _signed(root)
        if idp_entity is None or element is not idp_entity:
            if element.tag == _IDP:
                idp_entity = element.getparent()
            continue
        eid = (element.get("entityID") or "").strip()
        ids.append(eid)
        if wanted is None:
            only = entity_document(root, element) if len(ids) == 1 else None
        elif eid == wanted:
            return Found(entity_document(root, element), signed, tuple(ids))
        elif near is None and eid.rstrip("/") == wanted.rstrip("/"):
            near = entity_document(root, element)
    if root_tag is None:
        raise InputError(f"not SAML metadata: {what} holds no EntityDescriptor",
                         hint="give the IdP metadata XML, not a web page or a SAML response",
                         code="METADATA_NOT_SAML")
    if not ids:
        raise InputError("no identity provider in this metadata (no IDPSSODescriptor)",
                         hint="this looks like SP metadata; give the IdP's metadata",
                         code="METADATA_NO_IDP")
    if wanted is not None:
        if near is not None:
            return Found(near, signed, tuple(ids))
        raise UsageError(f"{option or 'entity ID'} {entity_id!r} is not an identity provider "
                         f"in this metadata ({idp_count(ids)}: {_some(ids)})",
                         hint=_pick_hint(option, source), code="METADATA_ENTITY_NOT_FOUND")
    if only is not None and len(ids) == 1:
        return Found(only, signed, tuple(ids))
    raise UsageError(f"the metadata holds {idp_count(ids)}: {_some(ids)}",
                     hint=_pick_hint(option, source), code="METADATA_ENTITY_ID_REQUIRED")


def list_idps(chunks: Iterable[bytes], *, what: str = "IdP metadata") -> tuple[str, ...]:
    """The entity IDs of every identity provider in the document, in document order."""
    ids = []
    idp_entity: "etree._Element | None" = None
    for _root, element in xmlsafe.iter_elements(chunks, _ENTITY, what=what, also=(_IDP,)):
        if idp_entity is not None and element is idp_entity:
            ids.append((element.get("entityID") or "").strip())
        elif element.tag == _IDP:
            idp_entity = element.getparent()
    return tuple(ids)


def file_chunks(path: str, *, size: int = xmlsafe.STREAM_CHUNK) -> Iterable[bytes]:
    """The bytes of ``path`` in pieces (the file is opened when iteration starts)."""
    with open(path, "rb") as handle:
        while chunk := handle.read(size):
            yield chunk


def _signed(root: "etree._Element") -> bool:
    # The aggregate's own signature is the root's first child; it has been parsed by the
    # time the first entity ends.
    return any(child.tag == _SIGNATURE for child in root.iterchildren(_SIGNATURE))


def entity_document(root: "etree._Element", entity: "etree._Element") -> bytes:
    """The entity as a document of its own, under a copy of the aggregate's root element."""
    import copy

    from lxml import etree

    if entity is root:
        return etree.tostring(entity)
    shell = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=root.nsmap)
    shell.append(copy.deepcopy(entity))
    return etree.tostring(shell)


def idp_count(ids: "Sequence[str]") -> str:
    """``1 identity provider``, ``1,667 identity providers``."""
    return f"{len(ids):,} identity {plural(len(ids), 'provider')}"


def _some(ids: list[str]) -> str:
    shown = ", ".join(ids[:_SHOWN])
    return shown + (f" and {len(ids) - _SHOWN:,} more" if len(ids) > _SHOWN else "")


def _pick_hint(option: str | None, source: str) -> str:
    import shlex

    name = shlex.quote(source) if source and source != "-" else "FILE"
    if option:
        return (f"choose one with {option} ID; "
                f"'ssoctl import-metadata {name} --list' prints every IdP's entity ID")
    return ("give one IdP's own metadata, or pick one with "
            f"'ssoctl import-metadata {name} --entity-id ID --cert-out idp.pem'")
