"""JSON-ready dicts of decode results, built in one cheap pass.

``dataclasses.asdict`` deep-copies every leaf and :func:`ssoctl.render.to_jsonable` then
walks the copy again; on a HAR with 1,000 responses that cost more than verifying the
signatures. :func:`plain` produces the same shape (field order, ISO-8601 ``Z`` times,
enum values, lists for tuples) directly, so the renderer finds only plain values. It
looks up one converter per type (found once, then remembered) and returns the most
common leaves -- strings, numbers, ``None`` -- without a further call.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
from typing import Any, Callable

_SCALARS = frozenset({str, int, float, bool, type(None)})
_UTC = dt.timezone.utc
_CONVERTERS: dict[type, Callable[[Any], Any]] = {}


def plain(value: Any) -> Any:
    """``value`` as JSON types: dataclasses → dicts (every field, in order), tuples →
    lists, datetimes → ISO-8601 UTC with ``Z``, enums → their value, bytes → base64."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    convert = _CONVERTERS.get(kind)
    if convert is None:
        convert = _CONVERTERS[kind] = _converter(kind, value)
    return convert(value)


def _sequence(value: Any) -> list:
    return [item if type(item) in _SCALARS else plain(item) for item in value]


def _mapping(value: dict) -> dict:
    return {str(key): item if type(item) in _SCALARS else plain(item)
            for key, item in value.items()}


def _record(names: tuple[str, ...]) -> Callable[[Any], dict]:
    count = len(names)

    def convert(value: Any) -> dict:
        # A dataclass's __init__ sets every field, in order, in the instance's __dict__
        # (frozen ones too): when it holds exactly the fields, read it in one pass.
        attrs = getattr(value, "__dict__", None)
        if attrs is not None and len(attrs) == count:
            return {name: item if type(item) in _SCALARS else plain(item)
                    for name, item in attrs.items()}
        out = {}
        for name in names:
            item = getattr(value, name)
            out[name] = item if type(item) in _SCALARS else plain(item)
        return out
    return convert


def _named_tuple(names: tuple[str, ...]) -> Callable[[Any], dict]:
    def convert(value: Any) -> dict:
        # A NamedTuple's fields are its items, in order: no attribute look-up per field.
        return {name: item if type(item) in _SCALARS else plain(item)
                for name, item in zip(names, value)}
    return convert


def _datetime(value: dt.datetime) -> str:
    if value.tzinfo is not _UTC:
        value = (value.replace(tzinfo=_UTC) if value.tzinfo is None
                 else value.astimezone(_UTC))
    return value.isoformat().replace("+00:00", "Z")


def _converter(kind: type, value: Any) -> Callable[[Any], Any]:
    if kind is tuple or kind is list:
        return _sequence
    if kind is dict:
        return _mapping
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _record(tuple(f.name for f in dataclasses.fields(value)))
    if issubclass(kind, tuple) and hasattr(kind, "_fields"):  # a NamedTuple: like a dataclass
        return _named_tuple(kind._fields)
    if issubclass(kind, dt.datetime):
        return _datetime
    if issubclass(kind, dt.date):
        return lambda day: day.isoformat()
    if issubclass(kind, enum.Enum):
        return lambda member: plain(member.value)
    if issubclass(kind, bytes):
        return lambda data: base64.b64encode(data).decode("ascii")
    if issubclass(kind, (tuple, list, set, frozenset)):
        return _sequence
    if issubclass(kind, str):  # str subclasses
        return str
    return lambda other: other


__all__ = ["plain"]
