"""The root ``ssoctl`` command: global options and command registration.

Command modules import only typer at module level; the work (and the heavy imports) happen
inside the command functions, so ``ssoctl --help`` and ``ssoctl check-cert`` start fast.
The root builds a command only when a command line names it (:class:`LazyCommands`, the
public ``commands`` mapping of a click group): Typer reads every parameter of a function
it turns into a command, and building all of them cost more than ssoctl's own imports.
Help is Click's plain layout (``rich_markup_mode=None``): Typer's rich help loads
``rich.markdown`` and ``markdown_it`` on every ``--help`` whether or not any markdown
is used, which more than doubled the time ``--help`` took.
"""

import warnings
from collections.abc import Mapping, MutableMapping
from typing import Annotated, Any, NoReturn, Optional

import typer
import typer.core

from ssoctl import __version__
from ssoctl.cli import common
from ssoctl.cli.common import ARGV, wants_json
from ssoctl.errors import exit_codes_epilog, exit_codes_help

#: Library warnings a user cannot act on, hidden unless ``--debug``. Each one is named;
#: anything else a library warns about is still shown.
QUIET_WARNINGS = (
    # cryptography reading a certificate whose subject breaks a length rule (a 3-letter
    # country): the certificate is still described, and its checks say what matters.
    (UserWarning, r"Attribute's length must be"),
    # cryptography about certificates it will refuse in a later release (negative serial
    # numbers and the like): the certificate checks report what is wrong for sipgate.
    (Warning, r"Parsed a (negative serial number|serial number which wasn't positive)"),
    # cryptography about DSA, raised while signxml 5.1 loads (5.2 no longer triggers it):
    # ssoctl never accepts a DSA signature anyway.
    (Warning, r"DSA is deprecated"),
)


class RootGroup(typer.core.TyperGroup):
    """The root command group.

    Its commands are built on first use (:class:`LazyCommands`), each with the exit-code
    pointer under its help; ``ssoctl --help`` lists them from :data:`COMMANDS` without
    building any. Usage errors (unknown option, missing argument, bad value) are printed
    here: as one JSON document on stdout with ``--json``, as plain text otherwise. The exit
    status stays 2. Only Click's public hooks are used: ``format_commands``, ``parse_args``
    (the root's own options) and ``invoke`` (the command name and the command's options).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # Typer registers no command on the root app
        from ssoctl.cli import helptext

        help_names = list(self.context_settings.get("help_option_names", ["--help"]))
        helptext.tidy(self, help_names)  # the root's own options
        self.commands = LazyCommands(help_names)

    def get_params(self, ctx):  # noqa: ANN001, ANN201 - click's signature
        from ssoctl.cli import helptext

        # Typer adds --install-completion/--show-completion after __init__
        return helptext.quiet_flags(super().get_params(ctx))

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_, summary) in COMMANDS.items()])

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta[ARGV] = list(args)
        try:
            return super().parse_args(ctx, args)
        except typer.TyperException as exc:  # Click's usage errors derive from it
            _usage_error(exc, ctx.meta[ARGV])

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except typer.TyperException as exc:
            _usage_error(exc, ctx.meta.get(ARGV, []))


#: Every command below the root: the module in ssoctl/cli that registers it, and its line
#: in ``ssoctl --help`` (at most 59 characters: one line on an 80-column terminal). Only
#: the command a command line names is built.
COMMANDS: dict[str, tuple[str, str]] = {
    "check-cert": ("check_cert", "Check a certificate before it goes into sipgate."),
    "import-metadata": ("import_metadata",
                        "IdP metadata to sipgate's SSO URL, Entity ID, Certificate."),
    "decode-response": ("decode_response",
                        "Decode a captured SAML message and check it for the SP."),
    "explain": ("explain", "Explain a finding code, exit status or error message."),
    "push": ("push", "Write the IdP's SSO URL, Entity ID, Certificate to the SP."),
    "rollback": ("push", "Restore a backup taken by push, checked like a push."),
    "setup": ("setup", "Set up the whole Okta → sipgate connection, both sides."),
    "doctor": ("doctor", "Check a live Okta → sipgate connection, read-only."),
    "sp": ("push", "Look at the SP's SSO settings through its API."),
    "config": ("config_cmd", "Profiles for push and decode-response: show, set, validate."),
    "okta": ("okta", "Create, check, read and repair the sipgate app in Okta."),
    "rehearse": ("rehearse", "Rehearse the set-up against local stand-ins."),
}


class LazyCommands(MutableMapping):
    """The root group's commands by name (every name in :data:`COMMANDS`), each built the
    first time it is looked up, with the other commands of its module."""

    def __init__(self, help_names: list[str]) -> None:
        self._built: dict[str, Any] = {}
        self._help_names = help_names

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built.update(_build(COMMANDS[name][0], self._help_names))
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Any:
        return iter(dict.fromkeys([*COMMANDS, *self._built]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*COMMANDS, *self._built]))


def _build(module_name: str, help_names: list[str]) -> dict[str, Any]:
    """The commands the module ``ssoctl.cli.<module_name>`` registers (``register(app)``),
    built by Typer's public ``typer.main.get_command``, with the exit codes under each
    command's help and the help tidied (:func:`ssoctl.cli.helptext.tidy`)."""
    import importlib

    import typer.main

    from ssoctl.cli import helptext

    holder = typer.Typer(rich_markup_mode=None, add_completion=False)
    importlib.import_module(f"ssoctl.cli.{module_name}").register(holder)
    _tidy_help(holder)
    built: Any = typer.main.get_command(holder)
    if len(holder.registered_commands) == 1 and not holder.registered_groups:
        commands = {built.name: built}  # Typer returns a lone command itself, not a group
    else:
        commands = dict(built.commands)
    _add_epilog(commands)
    for command in commands.values():
        helptext.tidy(command, help_names, root=False)
    return commands


def _add_epilog(commands: Mapping[str, Any], path: str = "") -> None:
    for name, command in commands.items():
        if not command.epilog:
            command.epilog = exit_codes_epilog(f"{path}{name}")
        if hasattr(command, "commands"):
            _add_epilog(command.commands, f"{path}{name} ")


def _usage_error(exc: Any, argv: list[str]) -> NoReturn:
    """Print a usage error the way ssoctl prints its own errors, then exit with its status."""
    from ssoctl.errors import UsageError

    no_args = type(exc).__name__ == "NoArgsIsHelpError"
    if wants_json(argv):
        from ssoctl.render import Renderer

        ctx = getattr(exc, "ctx", None)
        where = ctx.command_path if ctx is not None else "ssoctl"
        # NoArgsIsHelpError carries the whole help text as its message
        message = "missing command" if no_args else exc.format_message()
        error = UsageError(message, hint=f"see `{where} --help`",
                           code="USAGE" if exc.exit_code == 2 else "ERROR")
        Renderer(json_output=True).error(error)
    elif no_args:  # a group without its command: its help, on stdout
        typer.echo(exc.format_message())
    else:
        exc.show()
    raise typer.Exit(exc.exit_code)


app = typer.Typer(
    name="ssoctl",
    help="Set up and troubleshoot SAML single sign-on between Okta (or any IdP) and "
         "sipgate (or any SP).\n\n" + exit_codes_help(),
    no_args_is_help=True,
    add_completion=True,  # ssoctl --install-completion (bash, zsh, fish, PowerShell)
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
    # A bug keeps its traceback (house style), printed plainly by Python.
    pretty_exceptions_enable=False,
    cls=RootGroup,
    # Help paragraphs wrap at the terminal's width, at most 120 columns.
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ssoctl {__version__}")
        raise typer.Exit(0)


def quiet_library_warnings() -> None:
    """Hide the library warnings in :data:`QUIET_WARNINGS` (``--debug`` shows them).
    Printed with a file path and a source line they read like a crash; the checks already
    report what matters. Worker processes inherit the filters."""
    for category, message in QUIET_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=category)


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
    else:
        quiet_library_warnings()


def reflow(text: str) -> str:
    """Join the hard-wrapped lines of each help paragraph so the terminal can wrap them.

    Indented lines (examples) stay as they are; Click keeps a paragraph whose first line
    is ``\\b`` as typed.
    """
    import inspect

    paragraphs, out = inspect.cleandoc(text).split("\n\n"), []
    for para in paragraphs:
        lines = para.splitlines()
        if any(line.startswith((" ", "\t")) for line in lines):
            out.append("\b\n" + para)
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


def main() -> None:
    """Run the command line (``python -m ssoctl``; the ``ssoctl`` script is
    :func:`ssoctl.cli.main`, which also covers Ctrl-C while this module loads)."""
    app()
