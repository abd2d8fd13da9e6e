"""Test-only oracle: every request body ssoctl sends to Okta is checked against the official
Okta Python SDK's models (PyPI ``okta``, generated from Okta's OpenAPI description).

The generated pydantic models silently drop fields they do not know (``extra`` is left at
pydantic's "ignore") and their ``from_dict`` copies only known keys, so validating with
``from_dict`` alone would pass a misspelt field. :func:`check` therefore walks the body
against the model's declared fields first (unknown key -> failure; models that declare
``additional_properties`` and free-form ``Dict`` fields accept any key, as the OpenAPI
description says), then lets the model validate types and enums.

The SDK takes a second or more to import: it is imported on first use, never by ssoctl.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
import typing
from typing import Any

#: (method, path pattern) -> how to pick the model for the body.
_APP = re.compile(r"/api/v1/apps(/[A-Za-z0-9]{20})?")
_ENDPOINTS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("POST", re.compile(r"/api/v1/apps"), "application"),
    ("PUT", re.compile(r"/api/v1/apps/[A-Za-z0-9]{20}"), "application"),
    ("PUT", re.compile(r"/api/v1/apps/[A-Za-z0-9]{20}/groups/[A-Za-z0-9]{20}"),
     "okta.models.application_group_assignment:ApplicationGroupAssignment"),
    ("POST", re.compile(r"/api/v1/apps/[A-Za-z0-9]{20}/users"),
     "okta.models.app_user_assign_request:AppUserAssignRequest"),
    ("POST", re.compile(r"/api/v1/apps/[A-Za-z0-9]{20}/users/[A-Za-z0-9]{20}"),
     "okta.models.app_user_update_request:AppUserUpdateRequest"),
    ("POST", re.compile(r"/api/v1/groups"), "okta.models.add_group_request:AddGroupRequest"),
)


class SdkRejected(AssertionError):
    """The body is not what Okta's models describe; the message lists every problem."""


def _load(spec: str) -> type:
    import importlib

    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def model_for(method: str, path: str, body: Any) -> type:
    """The SDK model a body sent with ``method`` to ``path`` must match."""
    for verb, pattern, spec in _ENDPOINTS:
        if verb == method and pattern.fullmatch(path):
            if spec != "application":
                return _load(spec)
            Application = _load("okta.models.application:Application")  # noqa: N806
            mode = body.get("signOnMode") if isinstance(body, dict) else None
            name = Application.get_discriminator_value({"signOnMode": mode}) if mode else None
            if name is None:
                raise SdkRejected(f"signOnMode {mode!r} is not one of the SDK's application "
                                  f"types")
            return _load(f"okta.models:{name}")
    raise SdkRejected(f"no SDK model is mapped for a {method} {path} body; add the endpoint to "
                      f"tests/support/okta_sdk.py before sending a body to it")


def problems(model: type, body: Any) -> list[str]:
    """Everything wrong with ``body`` as an instance of ``model`` (empty: valid)."""
    found: list[str] = []
    _walk(body, model, "$", found)
    if found:
        return found
    from pydantic import ValidationError

    try:
        model.from_dict(body)
    except (ValidationError, ValueError, TypeError) as exc:
        for line in (raw.strip() for raw in str(exc).splitlines()):
            if line and not line.startswith("For further information"):
                found.append(line)
    return found


def check(model: type, body: Any) -> None:
    """Raise :class:`SdkRejected` when ``body`` does not match ``model``."""
    found = problems(model, body)
    if found:
        raise SdkRejected(f"{model.__name__}: " + "; ".join(found))


def validate(method: str, path: str, body: Any) -> None:
    """The stand-in's ``validator`` hook: the body of ``method path`` must match its model."""
    check(model_for(method, path, body), body)


# --------------------------------------------------------------------------- the walk


def _walk(value: Any, annotation: Any, where: str, found: list[str]) -> None:
    from pydantic import BaseModel

    annotation = _strip(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        if value is None:
            return
        if len(options) == 1:
            _walk(value, options[0], where, found)
            return
        attempts = []
        for option in options:
            trial: list[str] = []
            _walk(value, option, where, trial)
            if not trial:
                return
            attempts.append(trial)
        found.extend(min(attempts, key=len))
        return
    if value is None:
        return
    if origin is list:
        (item,) = typing.get_args(annotation) or (Any,)
        if not isinstance(value, list):
            found.append(f"{where}: expected a list")
            return
        for index, element in enumerate(value):
            _walk(element, item, f"{where}[{index}]", found)
        return
    if origin is dict or annotation is dict:
        if not isinstance(value, dict):
            found.append(f"{where}: expected an object")
        return  # free-form by the description
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) \
            and "actual_instance" in annotation.model_fields:
        # a oneOf/anyOf wrapper: the value must fit one of the schemas it lists
        options = tuple(f.annotation for n, f in annotation.model_fields.items()
                        if n.startswith(("oneof_schema_", "anyof_schema_")))
        _walk(value, typing.Union[options] if options else Any, where, found)
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if not isinstance(value, dict):
            found.append(f"{where}: expected an object ({annotation.__name__})")
            return
        fields = {(f.alias or n): f for n, f in annotation.model_fields.items()}
        open_ended = "additional_properties" in annotation.model_fields
        for key, item in value.items():
            spec = fields.get(key)
            if spec is None:
                if not open_ended:
                    found.append(f"{where}.{key}: not a field of {annotation.__name__}")
                continue
            _walk(item, spec.annotation, f"{where}.{key}", found)
        return
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        allowed = [m.value for m in annotation]
        if value not in allowed:
            found.append(f"{where}: {value!r} is not one of {annotation.__name__} "
                         f"({', '.join(map(str, allowed))})")
        return
    if annotation in (str, int, bool, float) and not _same_kind(value, annotation):
        found.append(f"{where}: expected {annotation.__name__}, got {type(value).__name__}")
    if annotation in (dt.datetime, dt.date) and not isinstance(value, str):
        found.append(f"{where}: expected a date-time string")


def _strip(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _same_kind(value: Any, kind: type) -> bool:
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, kind)
