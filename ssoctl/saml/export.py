"""JSON-ready dicts of decode results, built in one cheap pass.

``dataclasses.asdict`` deep-copies every leaf and :func:`ssoctl.render.to_jsonable` then
walks the copy again; on a HAR with 1,000 responses that cost more than verifying the
signatures. :func:`plain` produces the same shape (field order, ISO-8601 ``Z`` times,
enum values, lists for tuples) directly, so the renderer finds only plain values.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
from typing import Any

_SCALARS = frozenset({str, int, float, bool, type(None)})
_FIELDS: dict[type, tuple[str, ...]] = {}


def plain(value: Any) -> Any:
    """``value`` as JSON types: dataclasses → dicts (every field, in order), tuples →
    lists, datetimes → ISO-8601 UTC with ``Z``, enums → their value, bytes → base64."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple or kind is list:
        return [plain(item) for item in value]
    if kind is dict:
        return {str(key): plain(item) for key, item in value.items()}
    names = _FIELDS.get(kind)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (tuple, list, set, frozenset)):
        return [plain(item) for item in value]
    if isinstance(value, str):  # str subclasses
        return str(value)
    return value


__all__ = ["plain"]
