"""CLI module (to be filled in)."""

import typer


def register(app: typer.Typer) -> None:
    """Attach this module's command(s) to the root app."""
