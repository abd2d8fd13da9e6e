"""Shared pieces of every command: global state, common options, the error boundary."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from dataclasses import dataclass
from typing import Annotated, Callable, NoReturn, Optional

import typer

from ssoctl.errors import ExitCode, SsoctlError, UsageError


@dataclass
class AppState:
    """Options given before the command name (``ssoctl --debug check-cert ...``)."""

    debug: bool = False
    no_color: bool = False
    json_output: bool = False


def app_state(ctx: typer.Context) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


# Options shared by every command; declared once so help texts match everywhere.
JsonOpt = Annotated[bool, typer.Option(
    "--json", help="Print one JSON document on stdout (see docs/json.md).")]
StrictOpt = Annotated[bool, typer.Option(
    "--strict", help="Treat warnings as errors (exit 1).")]
NowOpt = Annotated[Optional[str], typer.Option(
    "--now", metavar="ISO-8601",
    help="Pretend the current time is this (e.g. 2026-01-31T12:00:00Z), for reproducible checks.")]


def parse_now(value: str | None) -> dt.datetime | None:
    """``--now`` as an aware UTC datetime; a date alone means midnight UTC."""
    if value is None:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--now: cannot read {value!r} as a date/time",
                         hint="use ISO-8601, e.g. 2026-01-31 or 2026-01-31T12:00:00Z",
                         code="BAD_NOW") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc)


def renderer(ctx: typer.Context, json_output: bool = False):
    """The renderer for this invocation (``--json`` either before or after the command)."""
    from ssoctl.render import Renderer

    state = app_state(ctx)
    return Renderer(json_output=json_output or state.json_output, no_color=state.no_color)


def run(ctx: typer.Context, work: Callable[[], "object"], *, json_output: bool = False,
        strict: bool = False) -> NoReturn:
    """The error boundary. ``work`` returns a :class:`ssoctl.render.Report`.

    ``SsoctlError`` is rendered (one line + hint, or JSON) and mapped to its exit code;
    Ctrl-C exits 130. Anything else is a bug and keeps its traceback (locals hidden).
    """
    state = app_state(ctx)
    out = renderer(ctx, json_output)
    try:
        report = work()
        code = out.report(report, strict=strict)
    except SsoctlError as exc:
        if state.debug:
            logging.getLogger("ssoctl").debug("error", exc_info=True)
        out.error(exc)
        code = exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        code = ExitCode.INTERRUPTED
    except BrokenPipeError:  # `ssoctl ... | head`: the reader left; not an error worth a trace
        code = ExitCode.OK
    raise typer.Exit(int(code))
