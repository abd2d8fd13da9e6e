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

* Help is laid out by :class:`HelpLayout`: wrapped at spaces only, so a URL, an option
  name (``--idp-entity-id``) or a file name (``okta-sipgate.pem``) is never split, and a
  back-quoted command (`` `ssoctl explain N` ``) stays on one line; at the terminal's width
  even when that is under 50 columns.

Only public Typer/click API: Typer builds the global options from an ordinary command
signature (:func:`_global_options`); arguments become :class:`Argument`, a subclass of
Typer's public ``TyperArgument`` overriding two public methods; every command's public
``context_class`` is :class:`HelpContext`, whose public ``formatter_class`` is
:class:`HelpLayout`, a subclass of Click's ``HelpFormatter`` (as Typer ships it: the
``formatter_class`` of ``typer.Context``) overriding public methods only.
"""

import copy
import re
import shutil
from collections.abc import Iterable
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperOption

from ssoctl.textsafe import WORDS, backquoted_end

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


#: The narrowest a help page is laid out, however narrow the terminal.
NARROWEST = 20
#: A description column narrower than this goes under its option instead of beside it.
NARROWEST_COLUMN = 24


def help_words(text: str) -> list[tuple[str, str]]:
    """(space before, word) for each piece of ``text`` a help line may not break: a word,
    or a back-quoted span of several words (`` `ssoctl explain N` ``)."""
    out: list[tuple[str, str]] = []
    words = WORDS.findall(text)
    i = 0
    while i < len(words):
        gap, word = words[i]
        end = backquoted_end(words, i)
        end = i if end is None else end
        out.append((gap, "".join(space + part for space, part in words[i:end + 1])[len(gap):]))
        i = end + 1
    return out


def fill(text: str, width: int, first: str = "", rest: str = "") -> str:
    """``text`` wrapped at spaces to ``width`` columns, its first line after ``first`` and
    the others after ``rest``. A word too long for a line goes on the next one whole and
    runs past the edge; no word is split, at a hyphen or anywhere else."""
    lines: list[str] = []
    line, fresh = first, True
    for gap, word in help_words(text):
        if not fresh and len(line) + len(gap) + len(word) <= width:
            line += gap + word
            continue
        if not fresh:
            lines.append(line)
            line = rest
        line += word
        fresh = False
    lines.append(line)
    return "\n".join(lines)


def fill_paragraphs(text: str, width: int, indent: str = "") -> str:
    """Help text: paragraphs (separated by a blank line) wrapped by :func:`fill`, each
    indented as its first line is; a paragraph whose first line is ``\\b`` is printed as
    typed (examples), only indented."""
    out = []
    for para in re.split(r"\n\s*\n", text.expandtabs().strip("\n")):
        lines = para.split("\n")
        if lines[0].strip() == "\b":
            out.append("\n".join(indent + line if line else line for line in lines[1:]))
            continue
        own = indent + " " * (len(lines[0]) - len(lines[0].lstrip()))
        out.append(fill(" ".join(lines), width, own, own))
    return "\n\n".join(out)


#: Click's help formatter as Typer ships it (Typer 0.28 carries its own copy of Click).
_Formatter: Any = typer.Context.formatter_class
#: The narrowest Click lays a help page out on its own.
_CLICK_NARROWEST = 50


class HelpLayout(_Formatter):
    """Click's help layout with ssoctl's wrapping (:func:`fill`), at the terminal's width
    when it is narrower than Click's 50-column minimum; a description whose column would be
    too narrow to read goes on the lines under its option."""

    width: int
    current_indent: int
    indent_increment: int

    def __init__(self, indent_increment: int = 2, width: int | None = None,
                 max_width: int | None = None) -> None:
        super().__init__(indent_increment, width, max_width)
        if width is None:
            columns = min(shutil.get_terminal_size().columns, max_width or 80) - 2
            if columns < self.width == _CLICK_NARROWEST:  # not a width a test runner forced
                self.width = max(columns, NARROWEST)

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        prefix = "Usage: " if prefix is None else prefix
        head = f"{prefix:>{self.current_indent}}{prog}"
        if not args:
            self.write(head + "\n")
        elif len(head) + 1 + 20 <= self.width:  # the arguments fit beside the command
            self.write(fill(args, self.width, head + " ", " " * (len(head) + 1)) + "\n")
        else:
            indent = " " * (max(self.current_indent, len(prefix)) + 4)
            self.write(head + "\n" + fill(args, self.width, indent, indent) + "\n")

    def write_text(self, text: str) -> None:
        self.write(fill_paragraphs(text, self.width, " " * self.current_indent) + "\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        rows = list(rows)
        term_width = min(max((len(term) for term, _ in rows), default=0), col_max)
        column = self.current_indent + term_width + col_spacing
        beside = self.width - column >= NARROWEST_COLUMN
        if not beside:
            column = self.current_indent + 2 * self.indent_increment
        for term, text in rows:
            head = " " * self.current_indent + term
            if not text:
                self.write(head + "\n")
                continue
            if beside and len(term) <= term_width:
                first = head + " " * (column - len(head))
            else:
                self.write(head + "\n")
                first = " " * column
            self.write(_dl_text(text, self.width, first, " " * column) + "\n")


def _dl_text(text: str, width: int, first: str, rest: str) -> str:
    """A definition's text: its first paragraph after ``first``, the rest under it."""
    body = fill_paragraphs(text, width - len(rest), "").split("\n")
    return "\n".join((first if n == 0 else rest if line else "") + line
                     for n, line in enumerate(body))


class HelpContext(typer.Context):
    """The context of every ssoctl command: its help is laid out by :class:`HelpLayout`."""

    formatter_class = HelpLayout


def tidy(command: Any, help_names: list[str], *, root: bool = True) -> None:
    """Tidy the help of ``command`` and every command under it; give each subcommand the
    global options it does not declare itself; lay its help out with :class:`HelpLayout`."""
    command.context_class = HelpContext
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
        if sub.short_help is None and sub.help:
            sub.short_help = summary(sub.help)
        tidy(sub, help_names, root=False)


def summary(text: str) -> str:
    """A command's line in its group's list: the first sentence of its help, whole (Click
    would cut it at the list's width with "...")."""
    words = text.split("\n\n", 1)[0].split()
    if words and words[0] == "\b":
        words = words[1:]
    end = next((i for i, word in enumerate(words) if word.endswith(".")), len(words) - 1)
    return " ".join(words[:end + 1])


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
