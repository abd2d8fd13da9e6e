"""The root ``ssoctl`` command: global options and command registration.

Command modules import only typer at module level; the work (and the heavy imports) happen
inside the command functions, so ``ssoctl --help`` and ``ssoctl check-cert`` start fast.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ssoctl import __version__
from ssoctl.cli import common
from ssoctl.cli.fastparams import FastGroup

EXIT_CODES_HELP = (
    "Exit codes: 0 clean; 1 error findings (warnings too with --strict); 2 usage or config; "
    "3 input unreadable, malformed or unsafe; 4 signature/trust failure; 5 SP/IdP API refused; "
    "6 network, timeout or 5xx; 7 read-back mismatch, rolled back; 8 rollback failed; "
    "130 interrupted. See docs/exit-codes.md."
)

#: Under every command's help (the root help carries the full list above).
EXIT_CODES_EPILOG = ("Exit codes: 0 clean, 1 error findings, 2 usage, 3 unreadable input, "
                     "4 trust, 5 API refused, 6 network, 7 rolled back, 8 rollback failed; "
                     "see docs/exit-codes.md.")


def _wants_json(argv: list[str]) -> bool:
    """``--json`` anywhere before a ``--`` separator (global or after the command name)."""
    return "--json" in (argv[:argv.index("--")] if "--" in argv else argv)


class RootGroup(FastGroup):
    """The root command group.

    It adds the exit-code pointer under every command's help, and it is where Typer's
    usage errors (unknown option, missing argument, bad value) are printed: as one JSON
    document on stdout with ``--json``, as plain text in a pipe, in a rich box on a
    terminal. The exit status stays 2.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _add_epilog(self)
        from ssoctl.cli import helptext

        helptext.tidy(self, list(self.context_settings.get("help_option_names", ["--help"])))

    def get_params(self, ctx):  # noqa: ANN001, ANN201 - click's signature
        from ssoctl.cli import helptext

        # Typer adds --install-completion/--show-completion after __init__
        return helptext.quiet_flags(super().get_params(ctx))

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):  # noqa: ANN001 - click's signature
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        try:
            status = super().main(argv, prog_name, complete_var, False, **extra)
        except _click_exception() as exc:
            _usage_error(exc, argv)
            sys.exit(exc.exit_code)
        except typer.Abort:
            sys.stderr.write("Aborted!\n")
            sys.exit(1)
        # Non-standalone Typer returns the status of a typer.Exit (every ssoctl command
        # ends with one), or the command's return value (None: success).
        sys.exit(status if isinstance(status, int) and not isinstance(status, bool) else 0)


def _add_epilog(group) -> None:  # noqa: ANN001 - a click group
    for command in group.commands.values():
        if not command.epilog:
            command.epilog = EXIT_CODES_EPILOG
        if hasattr(command, "commands"):
            _add_epilog(command)


def _click_exception() -> type:
    try:  # Typer 0.2x vendors click
        from typer._click.exceptions import ClickException
    except ImportError:  # pragma: no cover - older Typer uses click itself
        from click.exceptions import ClickException
    return ClickException


def _usage_error(exc, argv: list[str]) -> None:  # noqa: ANN001 - a click exception
    """Print a Typer/click usage error the way ssoctl prints its own errors."""
    from ssoctl.errors import UsageError
    from ssoctl.render import Renderer, use_color

    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "ssoctl"
    if _wants_json(argv):
        # NoArgsIsHelpError carries the whole help text as its message
        message = ("missing command" if type(exc).__name__ == "NoArgsIsHelpError"
                   else exc.format_message())
        error = UsageError(message, hint=f"see `{where} --help`",
                           code="USAGE" if exc.exit_code == 2 else "ERROR")
        Renderer(json_output=True).error(error)
    elif use_color(sys.stderr, "--no-color" in argv):
        from typer import rich_utils

        rich_utils.rich_format_error(exc)
    elif type(exc).__name__ == "NoArgsIsHelpError" and not exc.format_message().strip():
        pass  # Typer's rich help already went to stdout; its empty message would be a stray line
    else:
        exc.show()


app = typer.Typer(
    name="ssoctl",
    help="Set up and troubleshoot SAML single sign-on between Okta (or any IdP) and "
         "sipgate (or any SP).\n\n" + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=True,  # ssoctl --install-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_show_locals=False,
    # A bug keeps its traceback (house style), printed plainly like the Typer-free start
    # (cli/fastpath.py) prints it: the same bug reads the same however it was started.
    pretty_exceptions_enable=False,
    cls=RootGroup,  # usage errors, exit-code epilogs; no Pydantic (see fastparams.py)
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ssoctl {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[Optional[bool], typer.Option(
        "--version", "-V", callback=_version, is_eager=True,
        help="Print the version and exit.")] = None,
    debug: Annotated[bool, typer.Option(
        "--debug", help="Log details to stderr and show tracebacks (secrets stay redacted).")] = False,
    no_color: Annotated[bool, typer.Option(
        "--no-color", help="No colour even on a terminal (NO_COLOR=1 does the same).")] = False,
    json_output: Annotated[bool, typer.Option(
        "--json", help="JSON output for the command that follows.")] = False,
) -> None:
    """Global options come before the command name; every command also takes --json."""
    state = common.app_state(ctx)
    state.debug, state.no_color, state.json_output = debug, no_color, json_output
    if debug:
        common.start_debug_log()


def _register() -> None:
    """Attach every command module. A module exposes ``register(app)``."""
    from ssoctl.cli import (check_cert, config_cmd, decode_response, explain,
                            import_metadata, push)

    for module in (check_cert, import_metadata, decode_response, explain, push, config_cmd):
        module.register(app)
    _tidy_help(app)


def reflow(text: str) -> str:
    """Join the hard-wrapped lines of each help paragraph so the terminal can wrap them.

    Typer's rich help keeps every newline of a docstring, which leaves ragged lines at any
    width but the one the text was typed for. Indented lines (examples) stay as they are.
    """
    import inspect

    paragraphs, out = inspect.cleandoc(text).split("\n\n"), []
    for para in paragraphs:
        lines = para.splitlines()
        if any(line.startswith((" ", "\t")) for line in lines):
            out.append(para)
        else:
            out.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(out)


def _tidy_help(typer_app: typer.Typer) -> None:
    import inspect

    for info in typer_app.registered_commands:
        text = info.help or (inspect.getdoc(info.callback) if info.callback else None)
        if text:
            info.help = reflow(text)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _tidy_help(group.typer_instance)


_register()


def main() -> None:
    """Console-script entry point."""
    app()
