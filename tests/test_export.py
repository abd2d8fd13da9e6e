"""ssoctl.saml.export.plain: records as the JSON types the --json document is made of."""

import dataclasses
import datetime as dt
import enum
from typing import NamedTuple

from ssoctl.saml.export import plain


class Colour(enum.StrEnum):
    RED = "red"


class Leaf(NamedTuple):
    when: dt.datetime
    colour: Colour
    raw: bytes


class Branch(NamedTuple):
    name: str
    leaves: tuple[Leaf, ...]
    extra: dict
    count: int | None = None


@dataclasses.dataclass(frozen=True)
class Holder:
    branch: Branch
    tags: tuple[str, ...]


def test_records_become_dicts_in_field_order_with_json_leaves():
    when = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    branch = Branch("b", (Leaf(when, Colour.RED, b"\x00\xff"),), {"k": (1, Colour.RED)})
    got = plain(Holder(branch, ("x", "y")))
    assert got == {"branch": {"name": "b",
                              "leaves": [{"when": "2026-06-01T10:00:00Z", "colour": "red",
                                          "raw": "AP8="}],
                              "extra": {"k": [1, "red"]}, "count": None},
                   "tags": ["x", "y"]}
    assert list(got["branch"]) == list(Branch._fields)
    # The same as reading each field by name (what a NamedTuple's fields are).
    assert plain(branch) == {name: plain(getattr(branch, name)) for name in Branch._fields}
