"""How every command's ``--help`` reads, and the global options every command takes.

:func:`tidy` runs once over the click command tree Typer builds (from
:class:`ssoctl.cli.app.RootGroup`), so a command added later gets the same treatment
without doing anything:

* Help shows a value's name (``FILE``, ``URL``, ``DAYS``), never Typer's internal type
  names (``<bool>``, ``<str>``, ``<int range>``): a flag takes no value, so it shows none;
  an argument shows its metavar alone; the usage line reads ``check-cert [OPTIONS]
  [FILE|-]``, not ``[[FILE|-]]`` or ``{FILE}``. Options give their own ``metavar``
  (tests/cli/test_help.py checks every command).
* ``--debug``, ``--no-color`` and ``--json`` work before the command name (the root's
  options) and after it: each command that does not declare one gets it, listed under
  "Global options" and stored in the same :class:`ssoctl.cli.common.AppState`.

Only public Typer/click API: Typer builds the global options from an ordinary command
signature (:func:`_global_options`); arguments become :class:`Argument`, a subclass of
Typer's public ``TyperArgument`` overriding two public methods.
"""

import copy
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperOption

#: The panel the global options are listed under in each command's help.
GLOBAL_PANEL = "Global options"


class Argument(TyperArgument):
    """A Typer argument shown by its metavar only (no ``<str>``), and in the usage line
    as ``NAME``, ``[NAME]`` when optional, ``NAME...`` when repeated."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def get_usage_pieces(self, ctx: Any) -> list[str]:
        name = self.metavar or self.name or ""
        repeated = "..." if self.nargs != 1 and not name.endswith("...") else ""
        return [f"{name}{repeated}" if self.required else f"[{name}]{repeated}"]


def tidy(command: Any, help_names: list[str], *, root: bool = True) -> None:
    """Tidy the help of ``command`` and every command under it; give each subcommand the
    global options it does not declare itself."""
    for param in command.params:
        if isinstance(param, TyperArgument) and not isinstance(param, Argument):
            param.__class__ = Argument
    quiet_flags(command.params)
    if not root and not hasattr(command, "commands"):
        taken = {opt for param in command.params for opt in param.opts}
        command.params += [copy.copy(option) for option in _global_options()
                           if not taken.intersection(option.opts)]
    help_option = command.get_help_option(typer.Context(command, help_option_names=help_names))
    if help_option is not None:
        help_option.metavar = ""
    for sub in getattr(command, "commands", {}).values():
        tidy(sub, help_names, root=False)


def quiet_flags(params: list[Any]) -> list[Any]:
    """A flag takes no value: its help shows none (not ``<bool>``)."""
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
    return params


def _set(name: str):
    def callback(ctx: typer.Context, value: bool) -> None:
        if value:
            from ssoctl.cli import common

            setattr(common.app_state(ctx), name, True)
            if name == "debug":
                common.start_debug_log()
    return callback


DebugOpt = Annotated[bool, typer.Option(
    "--debug", metavar="", expose_value=False, callback=_set("debug"),
    rich_help_panel=GLOBAL_PANEL,
    help="Log details to stderr and show tracebacks (secrets stay redacted).")]
NoColorOpt = Annotated[bool, typer.Option(
    "--no-color", metavar="", expose_value=False, callback=_set("no_color"),
    rich_help_panel=GLOBAL_PANEL, help="No colour even on a terminal (NO_COLOR=1 does the same).")]
JsonGlobalOpt = Annotated[bool, typer.Option(
    "--json", metavar="", expose_value=False, callback=_set("json_output"),
    rich_help_panel=GLOBAL_PANEL, help="Print one JSON document on stdout.")]

_made: list[Any] = []


def _global_options() -> list[Any]:
    """``--debug``, ``--no-color`` and ``--json`` as click options, built once by Typer
    from an ordinary signature."""
    if not _made:
        template = typer.Typer(add_completion=False)

        @template.command()
        def _template(debug: DebugOpt = False, no_color: NoColorOpt = False,
                      json_output: JsonGlobalOpt = False) -> None:
            """Carries the global options."""

        _made.extend(typer.main.get_command(template).params)
    return _made
