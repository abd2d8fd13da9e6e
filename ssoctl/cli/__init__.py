"""The Typer command line. Only this package imports typer; every command parses its
options, makes one core call and renders the result (see cli/common.py)."""

import sys


def main() -> None:
    """The ``ssoctl`` program: the Typer app (:data:`ssoctl.cli.app.app`).

    It is imported here, not at the top, so that Ctrl-C while the modules still load is
    the same one line and exit 130 as during a command, not a traceback."""
    try:
        from ssoctl.cli.app import app

        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
