"""Keep Typer from importing Pydantic for plain ``str``/``int``/``bool`` parameters.

Typer 0.2x coerces every parameter value that is not already a ``bool`` through a
Pydantic TypeAdapter, and building the first one imports Pydantic: about 45 ms per run,
as much as the whole certificate check. For plain strings, integers and flags a tiny
converter does the same job. :class:`FastCommand` and :class:`FastGroup` install it just
before parsing. If Typer's internals change, :func:`install` does nothing and Typer's own
coercion runs (slower, still correct).
"""

from __future__ import annotations

from typing import Any, Iterable

import typer.core


def install(params: Iterable[Any]) -> None:
    """Give each plain parameter a Pydantic-free converter (no-op for anything else)."""
    try:
        from typer._click.exceptions import BadParameter
        from typer._coercion import RuntimeParam
    except ImportError:  # pragma: no cover - another Typer version: keep its coercion
        return
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        info = getattr(descriptor, "parameter_info", None)
        if descriptor is None or getattr(param, "_runtime_param", "absent") is not None:
            continue
        if getattr(info, "parser", None) is not None or getattr(info, "max", None) is not None:
            continue
        kind = descriptor.annotation
        if kind in (str, int, bool) and not (kind is not int and getattr(info, "min", None) is not None):
            param._runtime_param = _converter(RuntimeParam, BadParameter)(info, kind)


def _converter(base: type, bad_parameter: type) -> type:
    class Plain(base):  # type: ignore[misc, valid-type]
        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.annotation is str:
                return str(value)
            if self.annotation is bool:
                return bool(value)
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise bad_parameter(f"{value!r} is not a valid integer.", ctx=ctx,
                                    param=param) from None
            minimum = getattr(self.parameter_info, "min", None)
            if minimum is not None and number < minimum:
                raise bad_parameter(f"{number} is not in the range x>={minimum}.", ctx=ctx,
                                    param=param)
            return number

    return Plain


class FastCommand(typer.core.TyperCommand):
    """A Typer command that parses plain parameters without Pydantic."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        install(self.get_params(ctx))
        return super().parse_args(ctx, args)


class FastGroup(typer.core.TyperGroup):
    """The root group, parsing its global options without Pydantic."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        install(self.get_params(ctx))
        return super().parse_args(ctx, args)
