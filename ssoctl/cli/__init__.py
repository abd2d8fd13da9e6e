"""The Typer command line. Only this package imports typer; every command parses its
options, makes one core call and renders the result (see cli/common.py)."""
