"""Okta SAML 2.0 apps: the JSON model, the settings sipgate needs, and the configure plan.

Field names are the Admin Console's (Applications → the app → General → SAML Settings);
the API paths are Okta's application object (``settings.signOn.*``,
``credentials.userNameTemplate``). :func:`sipgate_settings` is exactly the sipgate guide:
Single sign-on URL, Recipient URL and Destination URL = sipgate's ACS URL; Audience URI
(SP Entity ID) = sipgate's Entity ID; Name ID format EmailAddress; Application username
Email; RSA-SHA256 / SHA256; assertion signed.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable, Mapping

from ssoctl.errors import NetworkError, UsageError
from ssoctl.textsafe import invisible_escaped

EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
EMAIL_USERNAME = "${source.email}"
NAMEID_FROM_USERNAME = "${user.userName}"
SAML = "SAML_2_0"
APP_ID = re.compile(r"0oa[0-9A-Za-z]{8,30}")

#: Okta answers ``name`` values (e.g. ``urn:…:emailAddress``) in the Admin Console's words.
NAMEID_WORDS = {
    "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified": "Unspecified",
    EMAIL_FORMAT: "EmailAddress",
    "urn:oasis:names:tc:SAML:1.1:nameid-format:x509SubjectName": "x509SubjectName",
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent": "Persistent",
    "urn:oasis:names:tc:SAML:2.0:nameid-format:transient": "Transient",
}
USERNAME_WORDS = {
    "${source.login}": "Okta username", "${source.email}": "Email",
    "${fn:substringBefore(source.login, \"@\")}": "Okta username prefix",
    "${source.samAccountName}": "AD SAM account name", "${source.userName}": "AD user name",
}
#: Username templates that give the user's e-mail address.
EMAIL_TEMPLATES = frozenset({"${source.email}", "${user.email}"})
#: NameID templates that send the e-mail (directly or through the application username).
EMAIL_NAMEID_TEMPLATES = frozenset({NAMEID_FROM_USERNAME, "${user.email}"})
ALGORITHM_WORDS = {"RSA_SHA256": "RSA-SHA256", "RSA_SHA1": "RSA-SHA1", "SHA256": "SHA256",
                   "SHA1": "SHA1"}


@dataclass(frozen=True)
class Field:
    """One setting: its Admin Console label and where it lives in the app's JSON."""

    key: str
    label: str
    path: tuple[str, ...]


FIELDS: tuple[Field, ...] = (
    Field("sso_acs_url", "Single sign-on URL", ("settings", "signOn", "ssoAcsUrl")),
    Field("recipient", "Recipient URL", ("settings", "signOn", "recipient")),
    Field("destination", "Destination URL", ("settings", "signOn", "destination")),
    Field("audience", "Audience URI (SP Entity ID)", ("settings", "signOn", "audience")),
    Field("name_id_format", "Name ID format", ("settings", "signOn", "subjectNameIdFormat")),
    Field("name_id_template", "Name ID value (subjectNameIdTemplate)",
          ("settings", "signOn", "subjectNameIdTemplate")),
    Field("username_template", "Application username",
          ("credentials", "userNameTemplate", "template")),
    Field("signature_algorithm", "Signature Algorithm",
          ("settings", "signOn", "signatureAlgorithm")),
    Field("digest_algorithm", "Digest Algorithm", ("settings", "signOn", "digestAlgorithm")),
    Field("assertion_signed", "Assertion Signature", ("settings", "signOn", "assertionSigned")),
)
BY_KEY = {f.key: f for f in FIELDS}
LABELS = {f.key: f.label for f in FIELDS}


def get_path(doc: Any, path: Iterable[str]) -> Any:
    for part in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(part)
    return doc


def set_path(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        child = doc.get(part)
        if not isinstance(child, dict):
            child = {}
            doc[part] = child
        doc = child
    doc[path[-1]] = value


def show(key: str, value: Any) -> str:
    """A value in the Admin Console's words (``EmailAddress``, ``Email``, ``Signed``)."""
    if value is None or value == "":
        return "(empty)"
    if key == "name_id_format":
        return NAMEID_WORDS.get(str(value), str(value))
    if key == "username_template":
        return USERNAME_WORDS.get(str(value), f"Custom: {value}")
    if key == "name_id_template":
        return "Application username" if value == NAMEID_FROM_USERNAME else str(value)
    if key in ("signature_algorithm", "digest_algorithm"):
        return ALGORITHM_WORDS.get(str(value), str(value))
    if key == "assertion_signed":
        return "Signed" if value is True else "Unsigned"
    return str(value)


# ---------------------------------------------------------------- the app model

@dataclass(frozen=True)
class SamlApp:
    """One Okta app as ssoctl reads it. ``raw`` is Okta's JSON (for a full-replacement PUT)."""

    id: str
    label: str
    name: str
    status: str
    sign_on_mode: str
    values: Mapping[str, Any]
    """Every :data:`FIELDS` key -> the value Okta holds (None when unset)."""
    kid: str | None
    metadata_url: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def is_saml(self) -> bool:
        return self.sign_on_mode == SAML

    @property
    def active(self) -> bool:
        return self.status == "ACTIVE"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "name": self.name, "status": self.status,
                "sign_on_mode": self.sign_on_mode, "settings": dict(self.values),
                "signing_kid": self.kid, "metadata_url": self.metadata_url}


def from_json(doc: Any) -> SamlApp:
    """An app object from Okta's JSON; :class:`ApiRefusedError` when it is not one."""
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
        raise NetworkError("Okta answered with something that is not an app",
                              hint="check --org: it must be the Okta org's own address",
                              code="OKTA_BAD_ANSWER")
    meta = get_path(doc, ("_links", "metadata", "href"))
    return SamlApp(id=doc["id"], label=str(doc.get("label") or ""),
                   name=str(doc.get("name") or ""), status=str(doc.get("status") or ""),
                   sign_on_mode=str(doc.get("signOnMode") or ""),
                   values={f.key: get_path(doc, f.path) for f in FIELDS},
                   kid=get_path(doc, ("credentials", "signing", "kid")),
                   metadata_url=meta if isinstance(meta, str) else None, raw=doc)


# ---------------------------------------------------------------- what sipgate needs

@dataclass(frozen=True)
class SpValues:
    """sipgate's side (its Single Sign-on page): ACS URL and Entity ID."""

    acs_url: str | None = None
    entity_id: str | None = None

    @property
    def complete(self) -> bool:
        return bool(self.acs_url and self.entity_id)


def sipgate_settings(sp: SpValues) -> dict[str, Any]:
    """The guide's settings, by :data:`FIELDS` key."""
    if not sp.complete:
        raise UsageError("configure needs sipgate's ACS URL and Entity ID",
                         hint="pass --acs-url and --sp-entity-id (sipgate → Account → Single "
                              "Sign-on shows both), or set acs_url and sp_entity_id in the profile",
                         code="OKTA_SP_VALUES_REQUIRED")
    for name, value in (("--acs-url", sp.acs_url), ("--sp-entity-id", sp.entity_id)):
        text = str(value)
        if any(ch.isspace() for ch in text):
            raise UsageError(f"{name} holds spaces: {value!r}", hint="copy the value again "
                             "from sipgate's Single Sign-on page", code="OKTA_SP_VALUES_INVALID")
        shown = invisible_escaped(text)  # control, bidi, zero-width: what a copy may add
        if shown is not None:
            raise UsageError(f"{name} holds control or invisible characters: {shown}",
                             hint="type the value or copy it again from sipgate's Single "
                                  "Sign-on page", code="OKTA_SP_VALUES_INVALID")
    if not str(sp.acs_url).startswith("https://"):
        raise UsageError(f"--acs-url must be an https:// URL, not {sp.acs_url!r}",
                         hint="copy the ACS URL from sipgate's Single Sign-on page",
                         code="OKTA_SP_VALUES_INVALID")
    return {"sso_acs_url": sp.acs_url, "recipient": sp.acs_url, "destination": sp.acs_url,
            "audience": sp.entity_id, "name_id_format": EMAIL_FORMAT,
            "name_id_template": NAMEID_FROM_USERNAME, "username_template": EMAIL_USERNAME,
            "signature_algorithm": "RSA_SHA256", "digest_algorithm": "SHA256",
            "assertion_signed": True}


def create_body(label: str, desired: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON of a new custom SAML 2.0 app (Okta generates ``name``; none is sent)."""
    body: dict[str, Any] = {
        "label": label, "signOnMode": SAML,
        "settings": {"signOn": {"responseSigned": True, "honorForceAuthn": True,
                                "authnContextClassRef": "urn:oasis:names:tc:SAML:2.0:ac:"
                                                        "classes:PasswordProtectedTransport",
                                "requestCompressed": False,
                                "allowMultipleAcsEndpoints": False,
                                "attributeStatements": []}},
        "credentials": {"userNameTemplate": {"template": EMAIL_USERNAME, "type": "BUILT_IN"}},
    }
    for key, value in desired.items():
        set_path(body, BY_KEY[key].path, value)
    return body


#: Read-only parts of an app object that a replacement PUT does not carry.
READ_ONLY = ("id", "status", "created", "lastUpdated", "_links", "_embedded", "orn")


def update_body(app: SamlApp, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The app's own JSON with ``changes`` applied, for ``PUT /api/v1/apps/{id}``."""
    body = copy.deepcopy(dict(app.raw))
    for key in READ_ONLY:
        body.pop(key, None)
    for key, value in changes.items():
        set_path(body, BY_KEY[key].path, value)
        if key == "username_template":
            set_path(body, ("credentials", "userNameTemplate", "type"), "BUILT_IN")
    return body


def restore_body(app: SamlApp) -> dict[str, Any]:
    """The app's JSON as it was (the rollback of an update)."""
    return update_body(app, {})


# ---------------------------------------------------------------- the plan

class Action(str, Enum):
    SET = "set"
    """Empty or a new app: ssoctl writes the value."""
    UNCHANGED = "unchanged"
    KEEP = "keep"
    """The admin set something else: shown, kept (``--overwrite`` changes it)."""
    OVERWRITE = "overwrite"


@dataclass(frozen=True)
class FieldPlan:
    key: str
    label: str
    current: Any
    desired: Any
    action: Action

    @property
    def writes(self) -> bool:
        return self.action in (Action.SET, Action.OVERWRITE)

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.key, "label": self.label, "current": self.current,
                "desired": self.desired, "action": self.action.value,
                "current_shown": show(self.key, self.current),
                "desired_shown": show(self.key, self.desired)}


@dataclass(frozen=True)
class GroupPlan:
    name: str
    id: str
    assigned: bool
    """Already assigned to the app (nothing to do)."""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "id": self.id,
                "action": "unchanged" if self.assigned else "assign"}


@dataclass(frozen=True)
class ConfigurePlan:
    """What ``okta configure`` would do, before anything is written."""

    org: str
    label: str
    app: SamlApp | None
    """None: the app does not exist and will be created."""
    fields: tuple[FieldPlan, ...]
    activate: bool
    groups: tuple[GroupPlan, ...] = ()

    @property
    def create(self) -> bool:
        return self.app is None

    @property
    def writes(self) -> dict[str, Any]:
        return {f.key: f.desired for f in self.fields if f.writes}

    @property
    def kept(self) -> tuple[FieldPlan, ...]:
        return tuple(f for f in self.fields if f.action is Action.KEEP)

    @property
    def has_changes(self) -> bool:
        return (self.create or bool(self.writes) or self.activate
                or any(not g.assigned for g in self.groups))

    def to_dict(self) -> dict[str, Any]:
        return {"org": self.org, "label": self.label,
                "app_id": None if self.app is None else self.app.id,
                "create": self.create, "activate": self.activate,
                "fields": [f.to_dict() for f in self.fields],
                "groups": [g.to_dict() for g in self.groups],
                "changed_fields": list(self.writes), "kept_fields": [f.key for f in self.kept],
                "has_changes": self.has_changes}


def plan_fields(app: SamlApp | None, desired: Mapping[str, Any], *,
                overwrite: bool = False) -> tuple[FieldPlan, ...]:
    """Field by field: set what is empty, leave what matches, keep (or overwrite) what the
    admin set differently."""
    rows = []
    for key, want in desired.items():
        current = None if app is None else app.values.get(key)
        if app is None or current is None or current == "":
            action = Action.SET
        elif current == want:
            action = Action.UNCHANGED
        else:
            action = Action.OVERWRITE if overwrite else Action.KEEP
        rows.append(FieldPlan(key, LABELS[key], current, want, action))
    return tuple(rows)


def mismatches(app: SamlApp, expected: Mapping[str, Any]) -> tuple[str, ...]:
    """Keys whose value read back differs from what was written."""
    return tuple(key for key, value in expected.items() if app.values.get(key) != value)
