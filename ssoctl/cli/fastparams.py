"""Keep Typer from importing Pydantic while it reads an ssoctl command line.

Typer 0.2x coerces every parameter value that is not already a ``bool`` through a
Pydantic TypeAdapter, and building the first one imports Pydantic: 40-90 ms per run,
as much as a whole certificate check. :class:`FastCommand` and :class:`FastGroup` give
each parameter whose type ssoctl uses (``str``, ``int``, ``float``, ``bool``, their
``Optional`` forms, ``List[...]`` of them, ``Path``, enum choices; ``min``/``max``
ranges) a small converter just before parsing.

The converter only *accepts* values whose result is certain (``--jobs 4``, a file name,
a listed choice). Anything else -- a value out of range, ``--jobs x``, `` 4 `` with
spaces, a NUL byte in a path -- is handed to Typer's own coercion, so the value or the
error message and exit status 2 are exactly Typer's (tests/cli/test_fastparams.py runs
the same command lines both ways). If Typer's internals change, :func:`install` does
nothing and Typer's coercion runs everywhere (slower, still correct).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

import typer.core

#: Integers and decimals whose Python and Pydantic readings surely agree (ASCII digits,
#: no spaces or underscores, short enough for Pydantic's plain integer parser).
_INT = re.compile(r"[+-]?[0-9]{1,18}", re.ASCII)
_DECIMAL = re.compile(r"[+-]?[0-9]{1,15}(?:\.[0-9]{1,15})?", re.ASCII)
_PLAIN = (str, int, float, bool)

_converter_class: type | None = None


class _Slow(Exception):
    """This value needs Typer's own coercion (it is unusual or it is wrong)."""


def install(params: Iterable[Any]) -> None:
    """Give each parameter of a supported type the Pydantic-free converter.

    Parameters of other types (custom parsers, files, tuples, dates, ``clamp=True``)
    keep Typer's coercion.
    """
    converter = _converter()
    if converter is None:  # pragma: no cover - another Typer version: keep its coercion
        return
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", "absent") is not None:
            continue
        if not supported(descriptor):
            continue
        try:
            param._runtime_param = converter(parameter_info=descriptor.parameter_info,
                                             annotation=descriptor.annotation)
        except TypeError:  # pragma: no cover - RuntimeParam changed shape
            return


def supported(descriptor: Any) -> bool:
    """Whether :func:`install` takes over this parameter (a Typer ``TypeDescriptor``)."""
    from typer._typing import get_args, get_origin

    info = descriptor.parameter_info
    if getattr(info, "parser", None) is not None or getattr(info, "clamp", False):
        return False
    if getattr(descriptor, "file_annotation", None) is not None:
        return False
    annotation = descriptor.annotation
    if get_origin(annotation) is list:
        args = get_args(annotation)
        if len(args) != 1:
            return False
        annotation = args[0]
    return _leaf_kind(annotation, info) is not None


def _leaf_kind(annotation: Any, info: Any) -> str | None:
    """How a single value of ``annotation`` is converted (Typer's order of checks)."""
    from typer._param_types import choice_coercion_annotation, routes_to_path

    if choice_coercion_annotation(annotation, info) is not None:
        return "choice"
    if annotation in _PLAIN:
        return annotation.__name__
    if routes_to_path(annotation, info):
        return "path"
    return None


def _converter() -> type | None:
    """The converter class, built once (it subclasses Typer's private RuntimeParam)."""
    global _converter_class
    if _converter_class is not None:
        return _converter_class
    try:
        from typer._coercion import RuntimeParam, build_runtime_param
        from typer._param_types import (choice_coercion_annotation, coerce_cli_path,
                                        lenient_issubclass)
        from typer._typing import get_args, get_origin
    except ImportError:  # pragma: no cover - another Typer version
        return None

    class Converter(RuntimeParam):  # type: ignore[misc, valid-type]
        """Typer's coercion for the values whose result is certain; Typer's own otherwise."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                if get_origin(self.annotation) is list:
                    element = get_args(self.annotation)[0]
                    items = value if isinstance(value, (list, tuple)) else [value]
                    return [self._leaf(element, item, param, ctx) for item in items]
                return self._leaf(self.annotation, value, param, ctx)
            except _Slow:
                typer_own = build_runtime_param(param.type_descriptor)
                return typer_own._coerce_value(value, param=param, ctx=ctx)

        def _leaf(self, annotation: Any, value: Any, param: Any, ctx: Any) -> Any:
            info = self.parameter_info
            kind = _leaf_kind(annotation, info)
            if kind == "choice":
                return _choice(value, choice_coercion_annotation(annotation, info), ctx)
            if kind == "str":
                if isinstance(value, bytes):
                    raise _Slow  # decoded with the argv encoding by Typer
                return str(value)
            if kind == "bool":
                if isinstance(value, bool):
                    return value
                raise _Slow
            if kind in ("int", "float"):
                return _in_range(_number(annotation, value), info)
            if kind == "path":
                return _path(annotation, value, info, param, ctx)
            raise _Slow

    def _path(annotation: Any, value: Any, info: Any, param: Any, ctx: Any) -> Any:
        # Typer converts to the Path class through Pydantic first, then checks the file
        # with the original text in its messages. Do the checks on the text, then convert.
        path_type = info.path_type
        if path_type is None and lenient_issubclass(annotation, Path):
            path_type = annotation
        if path_type in (None, str, bytes):
            return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)
        if not isinstance(value, str) or "\x00" in value or info.allow_dash:
            raise _Slow
        try:
            checked = coerce_cli_path(value, info, path_type=None, param=param, ctx=ctx)
        except ValueError:  # os.stat refusing the name: Typer words that one itself
            raise _Slow from None
        return checked if isinstance(checked, path_type) else path_type(checked)

    _converter_class = Converter
    return Converter


def _choice(value: Any, choices: Any, ctx: Any) -> Any:
    from typer._param_types import coerce_cli_choice

    options, case_sensitive = choices
    try:
        return coerce_cli_choice(value, choices=options, case_sensitive=case_sensitive, ctx=ctx)
    except ValueError:  # not a choice: Typer's message lists them
        raise _Slow from None


def _number(annotation: type, value: Any) -> int | float:
    if annotation is int:
        if type(value) is int:
            return value
        if isinstance(value, str) and _INT.fullmatch(value):
            return int(value)
        raise _Slow
    if type(value) in (int, float) and value == value and abs(value) != float("inf"):
        return float(value)
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        return float(value)
    raise _Slow


def _in_range(number: int | float, info: Any) -> int | float:
    low, high = getattr(info, "min", None), getattr(info, "max", None)
    if (low is not None and number < low) or (high is not None and number > high):
        raise _Slow  # Typer's message names the bound
    return number


class FastCommand(typer.core.TyperCommand):
    """A Typer command that parses its parameters without Pydantic."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        install(self.get_params(ctx))
        return super().parse_args(ctx, args)


class FastGroup(typer.core.TyperGroup):
    """A Typer group (the root, ``sp``, ``config``) parsing its options without Pydantic.

    A group called without a subcommand after a global ``--json`` (``ssoctl --json sp``)
    is the usage error "Missing command." (exit 2, printed as one JSON document by the
    root group), not a help screen: Typer renders the help while building its
    "no arguments" error, which would put the help text in front of the JSON.
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing \
                and _json_requested(ctx):
            from typer._click.exceptions import UsageError

            raise UsageError("Missing command.", ctx=ctx)
        install(self.get_params(ctx))
        return super().parse_args(ctx, args)


def _json_requested(ctx: Any) -> bool:
    """Whether the root command was given ``--json`` (it is parsed before any subgroup)."""
    root = ctx.find_root()
    return root is not ctx and bool(root.params.get("json_output"))
