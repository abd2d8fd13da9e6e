"""A small TOML writer for the configuration file (``tomllib`` only reads).

It writes what ``tomllib`` reads back as the same data: tables, strings, numbers,
booleans, dates and times, and arrays (tables inside arrays inline).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Mapping

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def dump_toml(data: Mapping[str, Any]) -> str:
    """Serialise nested dicts of strings, numbers, booleans and lists as TOML."""
    lines: list[str] = []
    _dump_table(data, (), lines)
    return "\n".join(lines).strip("\n") + "\n"


def _dump_table(table: Mapping[str, Any], prefix: tuple[str, ...], lines: list[str]) -> None:
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in table.items() if isinstance(v, dict)}
    if prefix and (scalars or not tables):
        lines += ["", "[" + ".".join(_key(p) for p in prefix) + "]"]
    for key, value in scalars.items():
        lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in tables.items():
        _dump_table(value, prefix + (key,), lines)


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes; TOML also forbids a raw DEL.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):  # a table inside an array (``[[name]]``): written inline
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (dt.date, dt.time)):  # TOML dates and times, as tomllib read them
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to TOML")
