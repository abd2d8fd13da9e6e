"""The root ``ssoctl`` command: global options and command registration.

Command modules import only typer at module level; the work (and the heavy imports) happen
inside the command functions, so ``ssoctl --help`` and ``ssoctl check-cert`` start fast.
"""

from __future__ import annotations

import logging
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

app = typer.Typer(
    name="ssoctl",
    help="Set up and troubleshoot SAML single sign-on between Okta (or any IdP) and "
         "sipgate (or any SP).\n\n" + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    cls=FastGroup,  # global options parsed without importing Pydantic (see fastparams.py)
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
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None,
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
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr,
                            format="debug: %(name)s: %(message)s")


def _register() -> None:
    """Attach every command module. A module exposes ``register(app)``."""
    from ssoctl.cli import (check_cert, config_cmd, decode_response, explain,
                            import_metadata, push)

    for module in (check_cert, import_metadata, decode_response, explain, push, config_cmd):
        module.register(app)


_register()


def main() -> None:
    """Console-script entry point."""
    app()
