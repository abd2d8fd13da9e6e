"""Shared pieces of every command: global state, common options, the error boundary."""

from typing import Annotated, Any, Callable, NoReturn, Optional

import typer
import typer.core

from ssoctl.cli.boundary import execute, parse_now  # noqa: F401  (parse_now: re-exported)
from ssoctl.links import JSON_FORMAT


#: Where the root group keeps the command line it was given (``ctx.meta`` is shared by
#: every context of one run).
ARGV = "ssoctl.argv"


def wants_json(argv: list[str]) -> bool:
    """``--json`` anywhere before a ``--`` separator (global or after the command name)."""
    return "--json" in (argv[:argv.index("--")] if "--" in argv else argv)


class SubGroup(typer.core.TyperGroup):
    """A command group below the root (``ssoctl sp``, ``ssoctl config``).

    Called without a subcommand it shows its help, except after ``--json``: then it is the
    usage error "Missing command." (exit 2, printed as one JSON document by the root).
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing \
                and _json_requested(ctx):
            ctx.fail("Missing command.")
        return super().parse_args(ctx, args)


def _json_requested(ctx: Any) -> bool:
    """Whether ``--json`` was given before the group name (the root parses it first)."""
    return wants_json(ctx.meta.get(ARGV, []))


class AppState:
    """Options given before the command name (``ssoctl --debug check-cert ...``).
    (A plain class: every command line makes one, and a dataclass costs about a
    millisecond to define at start-up.)"""

    __slots__ = ("debug", "no_color", "json_output")

    def __init__(self, debug: bool = False, no_color: bool = False,
                 json_output: bool = False) -> None:
        self.debug = debug
        self.no_color = no_color
        self.json_output = json_output

    def __repr__(self) -> str:
        return (f"AppState(debug={self.debug}, no_color={self.no_color}, "
                f"json_output={self.json_output})")


def app_state(ctx: typer.Context) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


# Options shared by every command; declared once so help texts match everywhere.
JsonOpt = Annotated[bool, typer.Option(
    "--json", help=f"Print one JSON document on stdout (format: {JSON_FORMAT}).")]
StrictOpt = Annotated[bool, typer.Option(
    "--strict", help="Treat warnings as errors (exit 1).")]
WarnDaysOpt = Annotated[int, typer.Option(
    "--warn-days", min=0, metavar="DAYS",
    help="Warn when a certificate expires within DAYS days.")]


def finite_seconds(value: Optional[float]) -> Optional[float]:
    # The range check lets "nan" through (every comparison with it is false).
    if value is not None and value != value:
        raise typer.BadParameter("give a number of seconds, not nan")
    return value


#: Seconds a network command waits; the upper bound is the configuration's for
#: ``read_timeout`` (an hour-long wait is a typo, and past about 1e9 seconds the standard
#: library's waits overflow).
TimeoutOpt = Annotated[Optional[float], typer.Option(
    "--timeout", metavar="SECONDS", min=1, max=600, callback=finite_seconds,
    help="Read timeout per request, 1 to 600 seconds.")]
NowOpt = Annotated[Optional[str], typer.Option(
    "--now", metavar="ISO-8601",
    help="Pretend the current time is this (e.g. 2026-01-31T12:00:00Z), for reproducible checks.")]


def start_debug_log() -> None:
    """``--debug``: log details to stderr (given before or after the command name)."""
    import logging  # only here: ~4 ms that check-cert, explain and config never need
    import sys

    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr,
                        format="debug: %(name)s: %(message)s")


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
    code = execute(work, renderer(ctx, json_output), debug=state.debug, strict=strict)
    raise typer.Exit(int(code))
