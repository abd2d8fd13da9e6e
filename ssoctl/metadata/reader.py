"""IdP metadata -> the values an SP asks for (sipgate: SSO URL, Entity ID, Certificate).

:func:`load` reads SAML 2.0 metadata bytes (one ``EntityDescriptor`` or an
``EntitiesDescriptor`` aggregate) with the one hardened parser in :mod:`ssoctl.xmlsafe`
and returns an :class:`IdpSettings`. :func:`load_source` reads a path, ``-`` (stdin) or an
``https://`` URL first. Problems in the metadata are findings in the result; only input
that cannot be metadata at all raises (:class:`~ssoctl.errors.InputError`, exit 3), and
so does an ambiguous or wrong ``entity_id`` (:class:`~ssoctl.errors.UsageError`, exit 2).

Which SSO URL sipgate gets: sipgate starts a login by redirecting the browser to the IdP
with the AuthnRequest in the query string, which is the HTTP-Redirect binding; SAML's
conformance rules require every IdP to accept AuthnRequests over it. So the default
preference is HTTP-Redirect, then HTTP-POST, then anything else published. Okta publishes
the same Location for both bindings, so for Okta the choice never changes the value.

Which certificate sipgate gets (it takes exactly one): the ``cert_index`` asked for, else
the first signing certificate that is valid now, because IdPs usually list the key they
sign with first and a rollover key after it (usual, not guaranteed: a captured login shows
which key really signs); if none is valid now, the one that expires
last (with the expiry findings).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from ssoctl import xmlsafe
from ssoctl.metadata import certificates, checks
from ssoctl.metadata.signature import verify_signature
from ssoctl.errors import InputError, UsageError
from ssoctl.findings import Finding, finding
from ssoctl.findings.console import GET_METADATA
from ssoctl.metadata.checks import (BINDING_PREFERENCE, BINDING_PREFIX, EMAIL_NAMEID,
                                    binding_name, bool_attr, endpoints, idp_descriptor,
                                    idp_entity_ids, select_entity)
from ssoctl.xmlsafe import NS, qname

if TYPE_CHECKING:  # pragma: no cover
    from ssoctl.certs.facts import CertInfo
    from ssoctl.http import HttpSettings

KNOWN_BINDINGS: tuple[str, ...] = ("HTTP-Redirect", "HTTP-POST", "HTTP-POST-SimpleSign",
                                   "HTTP-Artifact", "SOAP", "PAOS")
#: Default download/read limit; metadata of one IdP is a few kilobytes.
MAX_METADATA_BYTES = xmlsafe.MAX_XML_BYTES
#: Files larger than this are streamed (an IdP's own metadata is a few kilobytes; anything
#: this large is an aggregate, and a tree of it in memory costs several times its size).
STREAM_ABOVE = 1024 * 1024
#: A signed aggregate is verified whole, as a tree in memory, up to this size.
MAX_SIGNED_BYTES = 512 * 1024 * 1024
_ACCEPT = ("application/samlmetadata+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1")


@dataclass(frozen=True)
class IdpSettings:
    """Everything ``import-metadata`` extracts from one IdP's metadata.

    ``sso_url``, ``entity_id`` and ``certificate`` (the chosen signing certificate) are the
    three values sipgate asks for. Indexes count from 0 into ``signing_certificates``.
    """

    entity_id: str
    sso_url: str | None
    sso_urls: dict[str, str]
    signing_certificates: tuple["CertInfo", ...]
    encryption_certificates: tuple["CertInfo", ...]
    name_id_formats: tuple[str, ...]
    want_authn_requests_signed: bool | None
    slo_urls: dict[str, str]
    valid_until: dt.datetime | None
    cache_duration: str | None
    signed: bool
    signature_verified: bool | None
    findings: tuple[Finding, ...]
    sso_binding: str | None = None
    chosen_certificate_index: int | None = None
    newest_certificate_index: int | None = None
    entity_ids_found: tuple[str, ...] = ()
    """Entity IDs of every IdP in the document (one, or several in an aggregate)."""
    source: str = ""
    final_url: str | None = None
    """For a download: the URL after redirects."""
    sso_binding_reason: str | None = None
    """Why ``sso_url`` is that binding's URL (shown to the user)."""
    certificate_reason: str | None = None
    """Why ``certificate`` is the one sipgate gets (shown to the user)."""

    @property
    def certificate(self) -> "CertInfo | None":
        """The signing certificate to paste into sipgate's Certificate field."""
        if self.chosen_certificate_index is None:
            return None
        return self.signing_certificates[self.chosen_certificate_index]

    @property
    def certificate_pem(self) -> str | None:
        cert = self.certificate
        return cert.pem if cert is not None else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON ``data`` object (findings are reported beside it, not inside)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
               if f.name != "findings"}
        out["sipgate"] = {"sso_url": self.sso_url, "entity_id": self.entity_id,
                          "certificate": self.certificate_pem}
        return out


# ---------------------------------------------------------------- public API

def load(data: bytes, *, entity_id: str | None = None, binding: str | None = None,
         now: dt.datetime | None = None, warn_days: int = 30,
         verify_cert_pem: bytes | None = None, source: str = "",
         cert_index: int | None = None, max_bytes: int = MAX_METADATA_BYTES,
         entity_id_option: str | None = None) -> IdpSettings:
    """Read IdP metadata and check it.

    ``entity_id`` picks one IdP from an aggregate (required when it holds several);
    ``binding`` ("HTTP-Redirect", "post", a full URN) overrides the SSO URL choice;
    ``cert_index`` (from 0) overrides the certificate choice; ``verify_cert_pem``
    verifies the metadata signature (a failure is a finding with exit 4).
    ``entity_id_option`` is how the caller's command spells its entity-ID option, so the
    "choose one of these IdPs" usage error names an option that exists (push:
    ``--metadata-entity-id``); without one the hint points to ``import-metadata``.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    wanted_binding = normalize_binding(binding) if binding else None
    _refuse_a_certificate(data)
    _refuse_a_web_page(data, source)
    root = xmlsafe.parse(data, what="IdP metadata", max_bytes=max_bytes)
    entity = select_entity(root, entity_id, option=entity_id_option, source=source)
    idp = idp_descriptor(entity)
    raw_id = entity.get("entityID") or ""
    findings: list[Finding] = []
    findings += checks.entity_id_findings(raw_id, entity_id)
    sso_urls = endpoints(idp, "SingleSignOnService")
    sso_binding, sso_url, sso_why, more = checks.choose_sso(sso_urls, wanted_binding)
    findings += more
    signing, encryption, cert_findings = certificates.read_certificates(idp, now=now)
    findings += cert_findings
    chosen, newest, cert_why, more = certificates.choose_certificate(signing, cert_index, now=now)
    findings += more
    findings += certificates.certificate_findings(signing, encryption, chosen, now=now,
                                            warn_days=warn_days)
    formats = tuple(t.strip() for t in (xmlsafe.text_of(e) or "" for e in
                                         idp.findall(qname("md", "NameIDFormat"))) if t.strip())
    findings += checks.name_id_findings(formats)
    want_signed = bool_attr(idp.get("WantAuthnRequestsSigned"))
    if want_signed:
        findings.append(finding("METADATA_WANTS_SIGNED_REQUESTS", field="WantAuthnRequestsSigned"))
    valid_until, more = checks.validity(root, entity, now=now, warn_days=warn_days)
    findings += more
    signed = checks.is_signed(root) or checks.is_signed(entity)
    verified, more = verify_signature(data, root, signed=checks.is_signed(root),
                                      cert_data=verify_cert_pem, now=now)
    findings += more
    findings += checks.foreign_lookalikes(root)
    return IdpSettings(
        entity_id=raw_id.strip(), sso_url=sso_url, sso_urls=sso_urls,
        signing_certificates=signing, encryption_certificates=encryption,
        name_id_formats=formats, want_authn_requests_signed=want_signed,
        slo_urls=endpoints(idp, "SingleLogoutService"), valid_until=valid_until,
        cache_duration=entity.get("cacheDuration") or root.get("cacheDuration"),
        signed=signed, signature_verified=verified, findings=tuple(findings),
        sso_binding=sso_binding, chosen_certificate_index=chosen,
        newest_certificate_index=newest, entity_ids_found=idp_entity_ids(root), source=source,
        sso_binding_reason=sso_why, certificate_reason=cert_why)


def load_source(source: str, *, http_settings: "HttpSettings | None" = None,
                max_bytes: int | None = None, **load_kwargs: Any) -> IdpSettings:
    """:func:`load` metadata from a path, ``-`` (stdin) or an ``http(s)://`` URL.

    Downloads go through :func:`ssoctl.http.fetch_stream`: timeouts, one deadline for
    the whole download, TLS verification (with ``http_settings.ca_bundle``), at most 3
    redirects and only to https. A body of up to :data:`STREAM_ABOVE` bytes is read whole
    as one IdP's metadata; a larger one is a federation aggregate, streamed like a large
    file (up to :data:`stream.MAX_AGGREGATE_BYTES`). With ``max_bytes``, a download is read
    whole up to that size instead. Plain http needs ``http_settings.allow_http``
    (loopback excepted) and is a finding.
    """
    limit = MAX_METADATA_BYTES if max_bytes is None else max_bytes
    scheme, sep, _ = source.partition("://")
    if sep and scheme.isascii() and scheme.isalpha():  # ftp://, file://: refused as BAD_URL
        from ssoctl import http

        if max_bytes is None:
            settings, got_url, hops = _load_download(source, http_settings, load_kwargs)
        else:
            got = http.fetch(source, settings=http_settings, max_bytes=limit,
                             what="IdP metadata", accept=_ACCEPT)
            settings = load(got.data, source=source, max_bytes=limit, **load_kwargs)
            got_url, hops = got.final_url, got.redirects
        extra: tuple[Finding, ...] = ()
        if any(u.lower().startswith("http://") for u in (source, got_url, *hops)):
            extra = (finding("METADATA_INSECURE_SOURCE",
                             f"metadata downloaded over plain http ({got_url})"),)
        return dataclasses.replace(settings, final_url=got_url,
                                   findings=extra + settings.findings)
    from ssoctl.files import read_source

    if max_bytes is None and source != "-" and _size(source) > STREAM_ABOVE:
        return _load_large_file(source, **load_kwargs)
    try:
        got_file = read_source(source, max_bytes=limit, what="IdP metadata")
    except InputError as exc:
        if exc.code == "INPUT_NOT_FOUND" and _looks_like_a_url(source):
            raise InputError(exc.message, hint=f"for a download, give the whole URL: "
                             f"https://{source}", code=exc.code) from None
        raise
    return load(got_file.data, source=got_file.label, max_bytes=limit, **load_kwargs)


def list_sources_idps(source: str, *, http_settings: "HttpSettings | None" = None,
                      ) -> tuple[str, ...]:
    """The entity IDs of every IdP in the metadata at ``source`` (a file is streamed)."""
    from ssoctl.metadata import stream

    if "://" not in source and source != "-" and _size(source) > STREAM_ABOVE:
        return stream.list_idps(stream.file_chunks(path=source))
    scheme, sep, _ = source.partition("://")
    if sep:
        from ssoctl import http

        with _download_errors() as state, http.fetch_stream(
                source, settings=http_settings, max_bytes=stream.MAX_AGGREGATE_BYTES,
                what="IdP metadata", accept=_ACCEPT) as got:
            whole, chunks = _small_or_stream(got.chunks)
            state["aggregate"] = whole is None
            if whole is None:
                return stream.list_idps(chunks)
            data = whole
    else:
        from ssoctl.files import read_source

        data = read_source(source, max_bytes=MAX_METADATA_BYTES, what="IdP metadata").data
    _refuse_a_certificate(data)
    return idp_entity_ids(xmlsafe.parse(data, what="IdP metadata"))


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except (OSError, ValueError):
        return 0  # read_source reports a missing or unreadable file in its own words


def _load_large_file(path: str, **load_kwargs: Any) -> IdpSettings:
    """A file too large to parse in memory: a federation aggregate, streamed to one IdP."""
    from ssoctl.metadata import stream

    size = _size(path)
    if size > stream.MAX_AGGREGATE_BYTES:
        raise InputError(f"IdP metadata: {path} is {size:,} bytes, more than ssoctl reads",
                         hint="check that this is the right file", code="XML_TOO_LARGE")
    return _load_chunks(stream.file_chunks(path), path, load_kwargs)


def _load_download(url: str, http_settings: "HttpSettings | None",
                   load_kwargs: dict[str, Any]) -> tuple[IdpSettings, str, tuple[str, ...]]:
    """(settings, final URL, redirects) of metadata downloaded as it arrives.

    Up to :data:`STREAM_ABOVE` bytes it is one IdP's metadata and read whole, as a file
    of that size would be; past that it is an aggregate and goes on as a stream, at most
    :data:`stream.MAX_AGGREGATE_BYTES` in all, within the download's one deadline.
    """
    from ssoctl import http
    from ssoctl.metadata import stream

    with _download_errors() as state, http.fetch_stream(
            url, settings=http_settings, max_bytes=stream.MAX_AGGREGATE_BYTES,
            what="IdP metadata", accept=_ACCEPT) as got:
        whole, chunks = _small_or_stream(got.chunks)
        state["aggregate"] = whole is None
        if whole is not None:
            settings = load(whole, source=url, **load_kwargs)
        else:
            settings = _load_chunks(chunks, url, load_kwargs)
        return settings, got.final_url, got.redirects


def _small_or_stream(chunks: Iterable[bytes]) -> tuple[bytes | None, Iterator[bytes]]:
    """``(the whole body, ...)`` when it ends within :data:`STREAM_ABOVE` bytes (one IdP's
    metadata, read like a small file), else ``(None, every chunk from the first)``: an
    aggregate, to be streamed (a certificate given instead is refused at once)."""
    import itertools

    rest = iter(chunks)
    head: list[bytes] = []
    size = 0
    for chunk in rest:
        head.append(chunk)
        size += len(chunk)
        if size > STREAM_ABOVE:
            return None, _refusing_a_certificate(itertools.chain(head, rest))
    return b"".join(head), iter(())


@contextmanager
def _download_errors() -> Iterator[dict[str, bool]]:
    """An aggregate's download that ran out of time says how to give it more (100 MB
    need more than the default limit on a slow line). The caller sets ``aggregate`` in
    the dict it gets once it knows the download is one."""
    from ssoctl.errors import NetworkError

    state = {"aggregate": False}
    try:
        yield state
    except NetworkError as exc:
        if exc.code != "HTTP_TIMEOUT" or not state["aggregate"]:
            raise
        raise NetworkError(exc.message, hint="a federation aggregate of many megabytes needs "
                           "more time on a slow line: raise the limit (import-metadata "
                           "--timeout SECONDS), or download it once and give the file",
                           code=exc.code) from None


def _refusing_a_certificate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """``chunks`` unchanged, after :func:`_refuse_a_certificate` on the first one."""
    first = True
    for chunk in chunks:
        if first and chunk:
            _refuse_a_certificate(chunk)
            first = False
        yield chunk


def _load_chunks(chunks: Iterable[bytes], label: str, load_kwargs: dict[str, Any],
                 ) -> IdpSettings:
    """:func:`load` for an aggregate given in chunks (a large file, a large download).

    Without ``--verify-signature`` the document is streamed to the one IdP asked for and
    never held whole. With it, the whole document is parsed (that is what its signature
    covers), verified, and then read like the streamed case.
    """
    from ssoctl.metadata import stream

    if load_kwargs.get("verify_cert_pem") is not None:
        return _load_signed_aggregate(chunks, label, load_kwargs)
    found = stream.find_idp(chunks, load_kwargs.get("entity_id"),
                            option=load_kwargs.get("entity_id_option"), source=label)
    settings = load(found.document, source=label, **load_kwargs)
    return dataclasses.replace(settings, signed=settings.signed or found.root_signed,
                               entity_ids_found=found.entity_ids)


def _load_signed_aggregate(chunks: Iterable[bytes], label: str, load_kwargs: dict[str, Any],
                           ) -> IdpSettings:
    """A signed aggregate with ``--verify-signature``: parse it whole (up to
    :data:`MAX_SIGNED_BYTES`, with the hardened parser, chunk by chunk), verify the root's
    signature over all of it (:func:`signature.engine_for_aggregate`: the xmlsec extra on
    the tree, else signxml), then read the one IdP from a copy of its entity.

    signxml parses the bytes itself (twice): before it runs, ssoctl's own tree is freed
    and what the structural checks need is kept in a shell of the root (its tag,
    attributes and signature), so that three trees of the aggregate never coexist."""
    from ssoctl.metadata import signature, stream

    engine = signature.engine_for_aggregate()
    kept: list[bytes] | None = [] if engine == "signxml" else None
    root = xmlsafe.parse_chunks(chunks, what="IdP metadata", max_bytes=MAX_SIGNED_BYTES,
                                keep=kept)
    idps = checks.idp_entities(root)
    entity = select_entity(root, load_kwargs.get("entity_id"),
                           option=load_kwargs.get("entity_id_option"), source=label, idps=idps)
    document = stream.entity_document(root, entity)
    ids = tuple((e.get("entityID") or "").strip() for e in idps)
    del idps
    signed = checks.is_signed(root)
    now = load_kwargs.get("now") or dt.datetime.now(dt.timezone.utc)
    data = None
    if kept is not None:
        data = b"".join(kept)
        kept.clear()
        root = _signature_shell(root)  # the whole tree goes here
    del entity
    verified, notes = signature.verify_signature(
        data, root, signed=signed, cert_data=load_kwargs["verify_cert_pem"], now=now,
        engine=engine)
    del root, data  # the tree (or the bytes) of the whole aggregate: no longer needed
    settings = load(document, source=label, **{**load_kwargs, "verify_cert_pem": None})
    # (When the root is the entity, the copy still carries the signature just checked.)
    kept_findings = tuple(f for f in settings.findings
                          if f.code != "METADATA_SIGNATURE_NOT_VERIFIED")
    return dataclasses.replace(settings, signed=settings.signed or signed,
                               signature_verified=verified, entity_ids_found=ids,
                               findings=kept_findings + tuple(notes))


def _signature_shell(root: Any) -> Any:
    """The root element with its attributes and its own ``ds:Signature`` children only:
    all :func:`signature.verify_signature` looks at besides the bytes signxml reads."""
    import copy

    from lxml import etree

    shell = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=root.nsmap)
    for child in root.iterchildren(xmlsafe.qname("ds", "Signature")):
        shell.append(copy.deepcopy(child))
    return shell


def _looks_like_a_url(source: str) -> bool:
    """``dev-123.okta.com/app/…`` typed without ``https://``."""
    host, _, rest = source.partition("/")
    return bool(rest) and "." in host and " " not in host and not host.startswith(".")


def _refuse_a_certificate(data: bytes) -> None:
    """A PEM certificate is the usual wrong file here; say so instead of "not XML"."""
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:27] == b"-----BEGIN CERTIFICATE-----":
        raise InputError("this is a certificate, not IdP metadata",
                         hint=GET_METADATA + "; check a certificate with "
                              "'ssoctl check-cert FILE'",
                         code="METADATA_NOT_SAML")


_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<title", b"<script")


def _refuse_a_web_page(data: bytes, source: str) -> None:
    """An HTML page (Okta's sign-in page for a link that needs a session, an error page for
    a wrong link, a page saved from the browser) is the usual wrong download: say that it is
    a web page and how to get the metadata, instead of a DOCTYPE or XML error."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml"):  # an XHTML page declares XML first
        head = head[head.find(b"?>") + 2:].lstrip() if b"?>" in head else head
    while head.startswith(b"<!--") and b"-->" in head:
        head = head[head.find(b"-->") + 3:].lstrip()
    if not head.startswith(_HTML_STARTS):
        return
    import re

    title = re.search(rb"<title[^>]*>([^<]{1,120})</title>", data[:65536], re.I)
    named = ""
    if title:
        text = " ".join(title.group(1).decode("utf-8", "replace").split())
        named = f" (titled {text!r})" if text and text.isprintable() else ""
    where = f"{source}: " if source else ""
    raise InputError(f"{where}this is a web page{named}, not SAML metadata",
                     hint=GET_METADATA + ". A sign-in page means the link needs a session "
                          "or is not the metadata link", code="METADATA_IS_WEB_PAGE")


def normalize_binding(value: str) -> str:
    """"redirect", "HTTP-Redirect" or the full URN -> "HTTP-Redirect" (usage error if unknown)."""
    text = value.strip()
    if text.startswith(BINDING_PREFIX):
        text = text[len(BINDING_PREFIX):]
    aliases = {name.lower(): name for name in KNOWN_BINDINGS}
    aliases.update({"redirect": "HTTP-Redirect", "post": "HTTP-POST", "artifact": "HTTP-Artifact"})
    try:
        return aliases[text.lower()]
    except KeyError:
        raise UsageError(f"--binding: unknown SAML binding {value!r}",
                         hint="use HTTP-Redirect or HTTP-POST", code="METADATA_BAD_BINDING") from None


__all__ = ["IdpSettings", "BINDING_PREFERENCE", "EMAIL_NAMEID", "MAX_METADATA_BYTES", "NS",
           "binding_name", "idp_entity_ids", "list_sources_idps", "load", "load_source", "normalize_binding",
           "select_entity"]
