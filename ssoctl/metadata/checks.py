"""The checks behind :func:`ssoctl.metadata.reader.load`: each takes parsed metadata pieces and
returns values plus findings. Kept apart from :mod:`ssoctl.metadata` so both stay short.

The certificate checks live in :mod:`ssoctl.metadata.certificates` and are importable from here.
Certificates go through :mod:`ssoctl.certs` (the same checks as ``check-cert``); a
certificate that does not load is a finding, never a crash.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ssoctl.errors import InputError, UsageError
from ssoctl.findings import Finding, finding
from ssoctl.findings.console import GET_METADATA
from ssoctl.textsafe import invisible_escaped
from ssoctl.xmlsafe import NS, first_child, local_name, parse_time, qname, text_of

#: An lxml element from :func:`ssoctl.xmlsafe.parse` (lxml itself stays out of this module).
Element = Any

BINDING_PREFIX = "urn:oasis:names:tc:SAML:2.0:bindings:"
#: Short binding names, in the order sipgate prefers them (see :mod:`ssoctl.metadata`).
BINDING_PREFERENCE: tuple[str, ...] = ("HTTP-Redirect", "HTTP-POST")
SAML2_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
EMAIL_NAMEID = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
XINCLUDE_NS = "http://www.w3.org/2001/XInclude"
#: Local names that, outside their namespace, are look-alikes worth a note.
_LOOKALIKES = {
    "EntityDescriptor": NS["md"], "EntitiesDescriptor": NS["md"],
    "IDPSSODescriptor": NS["md"], "KeyDescriptor": NS["md"],
    "SingleSignOnService": NS["md"], "NameIDFormat": NS["md"],
    "X509Certificate": NS["ds"], "Signature": NS["ds"],
}


# ---------------------------------------------------------------- entity ID

def entity_id_findings(raw: str, asked: str | None) -> list[Finding]:
    """Whitespace around the entity ID, a trailing slash (note), and an ``--entity-id``
    that matches only once a trailing slash or spaces are ignored."""
    out: list[Finding] = []
    clean = raw.strip()
    if raw != clean:
        out.append(finding("METADATA_ENTITY_ID_WHITESPACE",
                           f"entity ID {raw!r} has whitespace around it",
                           field="sipgate Entity ID", expected=clean, received=repr(raw)))
    shown = invisible_escaped(clean)
    if shown is not None:
        out.append(_invisible("entity ID", shown, "sipgate Entity ID"))
    if asked is not None and asked != clean:
        out.append(finding("METADATA_ENTITY_ID_SLASH",
                           f"--entity-id {asked!r} differs from the metadata's {clean!r}",
                           field="sipgate Entity ID", expected=clean, received=asked))
    if clean.endswith("/"):
        out.append(finding("METADATA_ENTITY_ID_TRAILING_SLASH",
                           f"entity ID {clean} ends with '/': keep the slash",
                           field="sipgate Entity ID"))
    return out


def _invisible(what: str, shown: str, field: str) -> Finding:
    return finding("METADATA_INVISIBLE_CHARACTERS",
                   f"{what} holds control or invisible characters: {shown}", field=field,
                   received=shown)


# ---------------------------------------------------------------- SSO URL

def choose_sso(sso_urls: dict[str, str], wanted: str | None,
               ) -> tuple[str | None, str | None, str | None, list[Finding]]:
    """(binding, URL, why this binding, findings) for sipgate's SSO URL."""
    if not sso_urls:
        return None, None, None, [finding("METADATA_NO_SSO_URL", field="sipgate SSO URL")]
    if wanted is not None:
        if wanted not in sso_urls:
            return None, None, None, [finding(
                "METADATA_BINDING_MISSING",
                f"no SingleSignOnService for {wanted}; offered: {', '.join(sso_urls)}",
                field="sipgate SSO URL", expected=wanted, received=", ".join(sso_urls))]
        binding, why = wanted, "chosen with --binding"
    else:
        binding = next((b for b in BINDING_PREFERENCE if b in sso_urls), next(iter(sso_urls)))
        why = _binding_reason(binding, sso_urls)
    url = sso_urls[binding]
    out: list[Finding] = []
    shown = invisible_escaped(url.strip())
    if shown is not None:
        out.append(_invisible("SSO URL", shown, "sipgate SSO URL"))
    if not url.lower().startswith("https://"):
        out.append(finding("METADATA_SSO_URL_NOT_HTTPS", f"SSO URL is not https: {url}",
                           field="sipgate SSO URL", expected="https://…", received=url))
    return binding, url, why, out


def _binding_reason(binding: str, sso_urls: dict[str, str]) -> str:
    """Why sipgate gets this binding's URL (shown to the user next to it)."""
    if binding == "HTTP-Redirect":
        same = len(set(sso_urls.values())) == 1
        return ("sipgate starts logins with a browser redirect"
                + ("; the URL is the same for every binding" if same and len(sso_urls) > 1
                   else ""))
    if binding == "HTTP-POST":
        return "the IdP publishes no HTTP-Redirect URL; HTTP-POST is the next best"
    return "the IdP publishes neither HTTP-Redirect nor HTTP-POST"


# ---------------------------------------------------------------- other fields

def name_id_findings(formats: tuple[str, ...]) -> list[Finding]:
    """sipgate expects EmailAddress; a list without it is a warning (no list: no finding,
    the IdP sends whatever the app is configured for)."""
    if formats and EMAIL_NAMEID not in formats:
        return [finding("METADATA_NO_EMAIL_NAMEID",
                        "NameIDFormat list has no emailAddress: " + ", ".join(formats),
                        field="Okta Name ID format", expected=EMAIL_NAMEID,
                        received=", ".join(formats))]
    return []


def validity(root: Element, entity: Element, *, now: dt.datetime,
             warn_days: int) -> tuple[dt.datetime | None, list[Finding]]:
    """The earliest ``validUntil`` of the root and the chosen entity, with findings."""
    out: list[Finding] = []
    times: list[dt.datetime] = []
    for element in {id(root): root, id(entity): entity}.values():
        raw = element.get("validUntil")
        if raw is None:
            continue
        parsed = parse_time(raw)
        if parsed is None:
            out.append(finding("METADATA_BAD_VALID_UNTIL", f"validUntil {raw!r} is not a date",
                               received=raw))
        else:
            times.append(parsed)
    if not times:
        return None, out
    until = min(times)
    stamp = until.isoformat().replace("+00:00", "Z")
    if until < now:
        out.append(finding("METADATA_EXPIRED", f"metadata validUntil {stamp} is in the past",
                           received=stamp))
    elif (until - now).days < warn_days:  # whole days, as for certificates (no overflow)
        out.append(finding("METADATA_EXPIRING",
                           f"metadata validUntil {stamp} is in {(until - now).days} days",
                           received=stamp))
    return until, out


# ---------------------------------------------------------------- signature structure

def is_signed(element: Element) -> bool:
    """True when ``element`` carries an enveloped ds:Signature as a direct child."""
    return element.find(qname("ds", "Signature")) is not None


def signature_structure_problem(root: Element) -> str | None:
    """Why the root's signature cannot be trusted before any cryptography, or None.

    Exactly one ds:Signature directly under the root, one Reference pointing at the root
    (``""`` or ``#<root ID>``), and only the canonicalization and transforms of the one
    signature policy (:mod:`ssoctl.xmlsig`, shared with SAML responses).
    """
    from ssoctl import xmlsig

    signatures = root.findall(qname("ds", "Signature"))
    if len(signatures) != 1:
        return f"{len(signatures)} signatures on the root element (1 expected)"
    refs = signatures[0].findall(f"{qname('ds', 'SignedInfo')}/{qname('ds', 'Reference')}")
    if len(refs) != 1:
        return f"{len(refs)} signature references (1 expected)"
    value = signatures[0].find(qname("ds", "SignatureValue"))
    if value is None or not (text_of(value) or "").strip():
        return "the signature value is empty"
    uri = refs[0].get("URI", "")
    root_id = root.get("ID")
    if uri not in ("", f"#{root_id}" if root_id else ""):
        return f"the signature covers {uri!r}, not the root element"
    allowed = xmlsig.policy()
    for transform in refs[0].iter(qname("ds", "Transform")):
        if transform.get("Algorithm") not in allowed.transforms:
            return f"transform not allowed: {transform.get('Algorithm')}"
    c14n = signatures[0].find(f"{qname('ds', 'SignedInfo')}/{qname('ds', 'CanonicalizationMethod')}")
    if c14n is None or c14n.get("Algorithm") not in allowed.c14n_methods:
        method = c14n.get("Algorithm") if c14n is not None else None
        return f"canonicalization not allowed: {method or '(missing)'}"
    return None


def foreign_lookalikes(root: Element) -> list[Finding]:
    """A note when elements named like metadata elements sit in another namespace, and a
    warning for XInclude elements (never processed: the parser does not expand them)."""
    names: set[str] = set()
    includes: set[str] = set()
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue  # comments
        local, ns = local_name(tag), _ns(tag)
        home = _LOOKALIKES.get(local)
        if home is not None and ns != home:
            names.add(f"{local} ({ns or 'no namespace'})")
        elif ns == XINCLUDE_NS:
            includes.add(repr(element.get("href", "")))
    out = []
    if names:
        out.append(finding("METADATA_FOREIGN_ELEMENTS_IGNORED",
                           "ignored look-alike elements: " + ", ".join(sorted(names))))
    if includes:
        out.append(finding("METADATA_XINCLUDE_IGNORED", "XInclude not processed (nothing "
                           "was read): " + ", ".join(sorted(includes))))
    return out


# ---------------------------------------------------------------- document structure

def idp_entity_ids(root: Element) -> tuple[str, ...]:
    """Entity IDs (trimmed) of every EntityDescriptor with an IDPSSODescriptor."""
    return tuple((e.get("entityID") or "").strip() for e in idp_entities(root))


def idp_entities(root: Element) -> list[Element]:
    """Every EntityDescriptor with an IDPSSODescriptor child, in document order.

    Found from the IDPSSODescriptors (lxml walks the tree in C): in a federation's
    aggregate nine entities in ten are SPs, and no Python step looks at them."""
    entity_tag = qname("md", "EntityDescriptor")
    idp_tag = qname("md", "IDPSSODescriptor")
    if root.tag == entity_tag:
        return [root] if first_child(root, idp_tag) is not None else []
    found: list[Element] = []
    for idp in root.iter(idp_tag):
        entity = idp.getparent()
        if entity is not None and entity.tag == entity_tag and (not found or found[-1] is not entity):
            found.append(entity)
    return found


def select_entity(root: Element, entity_id: str | None, *,
                  option: str | None = None, source: str = "",
                  idps: list[Element] | None = None) -> Element:
    """The EntityDescriptor to read: the root, or the one IdP of an aggregate asked for.

    ``option`` is the caller's name for its entity-ID option, used in the errors; a caller
    without one (``check-cert --metadata``) gets a hint that needs no option. ``idps``:
    :func:`idp_entities` of ``root``, when the caller has them already."""
    if root.tag not in (qname("md", "EntityDescriptor"), qname("md", "EntitiesDescriptor")):
        raise InputError(f"not SAML metadata: the root element is <{local_name(root.tag)}> "
                         f"in {_ns(root.tag) or 'no namespace'}",
                         hint=GET_METADATA + " (not a web page or a SAML response)",
                         code="METADATA_NOT_SAML")
    idps = idp_entities(root) if idps is None else idps
    if not idps:
        raise InputError("no identity provider in this metadata (no IDPSSODescriptor)",
                         hint="this looks like SP metadata; give the IdP's metadata: "
                              + GET_METADATA, code="METADATA_NO_IDP")
    ids = [(e.get("entityID") or "").strip() for e in idps]
    if entity_id is None:
        if len(idps) == 1:
            return idps[0]
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5:,} more" if len(ids) > 5 else "")
        raise UsageError(f"the metadata holds {len(idps):,} identity providers: {shown}",
                         hint=(f"choose one with {option} ID; 'ssoctl import-metadata "
                               f"{_arg(source)} --list' prints every IdP's entity ID" if option else
                               "give one IdP's own metadata, or pick one with 'ssoctl "
                               "import-metadata FILE --entity-id ID --cert-out idp.pem'"),
                         code="METADATA_ENTITY_ID_REQUIRED")
    wanted = entity_id.strip()
    for element, eid in zip(idps, ids):
        if eid == wanted:
            return element
    for element, eid in zip(idps, ids):
        if eid.rstrip("/") == wanted.rstrip("/"):
            return element  # the slash difference is reported as a finding
    shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5:,} more" if len(ids) > 5 else "")
    raise UsageError(f"{option or 'entity ID'} {entity_id!r} is not an identity provider in "
                     f"this metadata; found: {shown}",
                     hint=f"copy one of the entity IDs ('ssoctl import-metadata {_arg(source)} "
                          "--list' prints them all)",
                     code="METADATA_ENTITY_NOT_FOUND")


def _arg(source: str) -> str:
    """``source`` as it goes on a command line ("FILE" when the caller has no name for it)."""
    import shlex

    return shlex.quote(source) if source and source != "-" else "FILE"


def idp_descriptor(entity: Element) -> Element:
    # An entity may carry one IDPSSODescriptor per protocol family; take the SAML 2.0 one.
    candidates = entity.findall(qname("md", "IDPSSODescriptor"))
    for idp in candidates:
        if SAML2_PROTOCOL in (idp.get("protocolSupportEnumeration") or "").split():
            return idp
    return candidates[0]


def endpoints(idp: Element, local: str) -> dict[str, str]:
    """Binding short name -> Location, first one per binding (document order)."""
    out: dict[str, str] = {}
    for service in idp.findall(qname("md", local)):
        name = binding_name((service.get("Binding") or "").strip())
        location = (service.get("Location") or "").strip()
        if location and name not in out:
            out[name] = location
    return out


def bool_attr(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() in ("true", "1")


def _ns(tag: object) -> str:
    text = str(tag)
    return text[1:].split("}", 1)[0] if text.startswith("{") else ""


def binding_name(uri: str) -> str:
    """Full binding URN -> short name ("HTTP-POST"); unknown URIs are kept as they are."""
    return uri[len(BINDING_PREFIX):] if uri.startswith(BINDING_PREFIX) else uri
