"""Result objects -> terminal output (rich on a TTY, plain text in pipes) or JSON.

Core modules return immutable records (NamedTuples, a few frozen dataclasses) and never
print. A command turns its result into a :class:`Report`: the JSON ``data``, the
findings, and a few presentation blocks for humans
(:class:`Fields`, :class:`Table`, :class:`Text`, :class:`Code`). This module is the only one
that imports rich, and it does so lazily: ``--json`` and plain-text output never load it.

JSON contract (stable, tested with golden files)::

    {"ok": true|false, "data": {...}, "findings": [{code, severity, message, hint, ...}]}
    {"ok": false, "error": {"code", "message", "hint"}}
"""

import base64
import dataclasses
import datetime as _dt
import enum
import os
import sys
from typing import IO, Any, NamedTuple, Sequence, overload

from ssoctl.errors import COMMAND_EXIT_CODES, ExitCode, SsoctlError
from ssoctl.findings import Finding, Severity, exit_code_for
from ssoctl.textsafe import WORDS, backquoted_end, json_safe, visible


# ---------------------------------------------------------------- presentation blocks

class Copyable(str):
    """A value the user copies somewhere else: a URL, an entity ID, a fingerprint, a file
    path, a PEM line, a command line.

    On a terminal it is never broken across lines, whatever the width: it stays beside its
    label when it fits, and otherwise goes on a line of its own and runs past the right
    edge (the terminal folds it on screen, but copying it gives the value whole: no newline
    is ever inserted into it). A value of several lines keeps each line whole. Use
    :func:`copyable` to mark one; everywhere else it is an ordinary ``str``.

    Prose is wrapped at spaces only, so a word (a URL, a fingerprint or a path without
    spaces) is never split either; :class:`Copyable` is what keeps values *with* spaces
    whole (a command line, a path under "Application Support") and what puts a long value
    on a line of its own.
    """

    __slots__ = ()


@overload
def copyable(text: str) -> Copyable: ...
@overload
def copyable(text: None) -> None: ...
@overload
def copyable(text: str | None) -> Copyable | None: ...


def copyable(text: str | None) -> Copyable | None:
    """``text`` marked as a :class:`Copyable` value (``None`` stays ``None``)."""
    return None if text is None else Copyable(text)


class Fields(NamedTuple):
    """A titled list of label/value pairs (``value`` None rows are skipped). A value may
    be a :class:`Copyable`."""

    title: str
    rows: Sequence[tuple[str, str | None]]


class Table(NamedTuple):
    """A titled table; every cell is plain text (a :class:`Copyable` cell stays whole).

    On a terminal too narrow for its columns it is shown one record under another instead
    of breaking words inside the cells."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]


class Text(NamedTuple):
    """A paragraph: one string, or a tuple of parts printed one after another (a
    :class:`Copyable` part stays whole, e.g. ``("undo with: ", copyable(command))``).
    ``style`` is a rich style used only on a colour terminal, for a verdict or a status
    line, never to make text fainter. ``hang``: how much further than its first line a
    line wrapped on a narrow terminal is indented (``note: …`` paragraphs)."""

    text: str | tuple[str, ...]
    style: str = ""
    hang: int = 0

    @property
    def plain(self) -> str:
        return self.text if isinstance(self.text, str) else "".join(self.text)


class Code(NamedTuple):
    """Verbatim text (PEM, XML): printed as it is, every line whole, in the terminal's
    own text colour."""

    text: str
    lexer: str = "text"
    title: str = ""


Block = Fields | Table | Text | Code


class Report(NamedTuple):
    """What a command hands to the renderer.

    ``payload``, when set, is the command's machine product (a clean PEM, ``KEY=value``
    lines): it goes alone to stdout and the human report goes to stderr, so
    ``ssoctl check-cert --fix x.pem > clean.pem`` works. Under ``--json`` the payload is
    expected to be part of ``data`` and is not printed separately.
    """

    data: Any
    findings: tuple[Finding, ...] = ()
    blocks: tuple[Block, ...] = ()
    payload: str | None = None
    exit_code: ExitCode | None = None
    """Overrides the status computed from the findings (e.g. ``--fix`` that could not fix)."""

    def status(self, *, strict: bool = False) -> ExitCode:
        if self.exit_code is not None:
            return self.exit_code
        return exit_code_for(self.findings, strict=strict)


# ---------------------------------------------------------------- JSON

_PLAIN = frozenset({str, int, float, bool, type(None)})


class Verbatim(NamedTuple):
    """Part of a report's ``data`` that is already made only of JSON types (dict, list,
    str, int, float, bool, None). :func:`to_jsonable` passes it through without walking
    it again, which matters for large documents (``decode-response --all`` on a HAR)."""

    value: Any


def to_jsonable(value: Any) -> Any:
    """Convert result objects to JSON types: dataclasses to dicts, datetimes to
    ISO-8601 UTC with ``Z``, enums to their value, bytes to base64, tuples to lists."""
    kind = type(value)
    # Exact plain types first: a large report (decode-response --all) is mostly these.
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if kind is list:
        return [to_jsonable(v) for v in value]
    if kind is Verbatim:
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_dict"):
            return to_jsonable(value.to_dict())
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a NamedTuple
        if hasattr(value, "to_dict"):
            return to_jsonable(value.to_dict())
        return {name: to_jsonable(item) for name, item in zip(value._fields, value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.astimezone(_dt.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _dumps(doc: Any, pretty: bool) -> str:
    # Indented output uses the json module's pure-Python encoder; compact output uses its C
    # encoder, many times faster on large documents (decode-response --all on a HAR).
    import json  # here: a human-readable report never needs it

    if pretty:
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"


def json_document(report: Report, *, strict: bool = False, pretty: bool = True) -> str:
    status = report.status(strict=strict)
    doc = {
        "ok": status == ExitCode.OK,
        "data": to_jsonable(report.data),
        "findings": [f.to_dict() for f in report.findings],
    }
    return json_safe(_dumps(doc, pretty))


def json_error(error: SsoctlError, *, pretty: bool = True) -> str:
    return json_safe(_dumps({"ok": False, "error": error.to_dict()}, pretty))


# ---------------------------------------------------------------- renderer

def use_color(stream: IO[str], no_color: bool = False) -> bool:
    """Colour only on a TTY, and never with ``--no-color``, ``NO_COLOR`` or ``TERM=dumb``."""
    if no_color or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Closed:
    """Stands in for a standard stream the process was started without (``>&-``): every
    write fails like writing to a closed file, which the error boundary reports."""

    def __init__(self, name: str) -> None:
        self.name = name

    def write(self, text: str) -> int:
        import errno

        raise OSError(errno.EBADF, f"{self.name} is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class Renderer:
    """Writes reports and errors to the right stream in the right form."""

    def __init__(self, *, json_output: bool = False, no_color: bool = False,
                 stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> None:
        self.json_output = json_output
        self.no_color = no_color
        self.stdout: IO[str] = stdout or sys.stdout or _Closed("stdout")  # type: ignore[assignment]
        self.stderr: IO[str] = stderr or sys.stderr or _Closed("stderr")  # type: ignore[assignment]

    # -- public API
    def report(self, report: Report, *, strict: bool = False) -> ExitCode:
        """Print ``report``; return the exit status it calls for."""
        if self.json_output:
            self.stdout.write(json_document(report, strict=strict, pretty=self._pretty_json()))
            self.stdout.flush()
            return report.status(strict=strict)
        human = self.stderr if report.payload is not None else self.stdout
        self._blocks(human, report.blocks, report.findings)
        if report.payload is not None:
            payload = visible(report.payload)
            self.stdout.write(payload if payload.endswith("\n") or not payload
                              else payload + "\n")
            self.stdout.flush()
        return report.status(strict=strict)

    def error(self, error: SsoctlError) -> None:
        """Print an error: one line plus a hint line, on stderr (JSON on stdout)."""
        if self.json_output:
            self.stdout.write(json_error(error, pretty=self._pretty_json()))
            self.stdout.flush()
            return
        # One line each, whatever they quote: a file name with a line break in it must not
        # start a line of its own (it could pass for a hint).
        message, hint = visible(error.message, one_line=True), visible(error.hint, one_line=True)
        if use_color(self.stderr, self.no_color):
            console = self._console(self.stderr)
            lines = _wrap([(message, "", False)], console.width,
                          [("error:", "bold red"), (" ", "")], _spaces(7))
            if hint:
                lines += _wrap([(hint, "", False)], console.width,
                               [("hint:", "bold"), (" ", "")], _spaces(6))
            _print_lines(console, lines)
        else:
            self.stderr.write(f"error: {message}\n" + (f"hint: {hint}\n" if hint else ""))
        self.stderr.flush()

    def _pretty_json(self) -> bool:
        """Indented JSON for a person at a terminal, one compact line for pipes and files
        (the same document either way; ``jq .`` indents it)."""
        try:
            return self.stdout.isatty()
        except (AttributeError, ValueError):
            return False

    def note(self, text: str) -> None:
        """A progress or status line for humans, always on stderr, never in JSON mode."""
        if not self.json_output:
            self.stderr.write(visible(text) + "\n")
            self.stderr.flush()

    # -- internals
    def _blocks(self, stream: IO[str], blocks: Sequence[Block], findings: Sequence[Finding]) -> None:
        if use_color(stream, self.no_color):
            console = self._console(stream)
            _print_lines(console, layout(blocks, findings, width=console.width))
        else:
            stream.write(plain_text(blocks, findings))
        stream.flush()

    def _console(self, stream: IO[str]):
        from rich.console import Console

        # No markup, no highlighting: the lines are laid out here (layout) and printed
        # as they are, never re-wrapped or cropped by rich (soft_wrap in _print_lines).
        return Console(file=stream, highlight=False, markup=False, emoji=False,
                       soft_wrap=True)


# ---------------------------------------------------------------- human layout
#
# One layout for pipes and terminals. A line is a list of (text, style) segments; the
# style is used only on a colour terminal. In a pipe (width None) nothing is wrapped and
# the text is exactly what the blocks say. On a terminal, prose is wrapped at spaces with
# its indent kept; a word, a backtick-quoted span, an ``ssoctl …`` command and a
# :class:`Copyable` value are never split: one that does not fit goes on a line of its own
# and runs past the edge (the terminal folds it on screen; a copy of it has no newline).
# Content is printed in the terminal's own colour; colour marks only severity (error,
# warning, info) and bold marks headings and labels, so nothing the user must read or
# copy is faint on a light or a dark theme.

Segment = tuple[str, str]
Line = list[Segment]

#: Severity words and their colour (the only coloured words besides check-cert's verdict).
_SEVERITY_LABEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}
_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold magenta",
                   Severity.INFO: "bold blue"}
_HEADING = "bold"
_LABEL = "bold"
#: Where a value too long for its label's line goes: on a line of its own, indented 4.
_ALONE = "    "


def _spaces(n: int) -> Line:
    return [(" " * n, "")]


def layout(blocks: Sequence[Block], findings: Sequence[Finding], *,
           width: int | None = None) -> list[Line]:
    """The human report as lines of (text, style) segments, wrapped to ``width`` columns
    (``None``: not wrapped, the pipe form). Every text from the input is shown through
    :func:`ssoctl.textsafe.visible` first (:func:`safe_blocks`)."""
    blocks, findings = safe_blocks(blocks), safe_findings(findings)
    out: list[Line] = []
    for block in blocks:
        if isinstance(block, Fields):
            out.append([(block.title, _HEADING)])
            out += _field_lines([(k, v) for k, v in block.rows if v is not None], width,
                                indent=2)
            out.append([])
        elif isinstance(block, Table):
            out.append([(block.title, _HEADING)])
            out += _table_lines(block, width)
            out.append([])
        elif isinstance(block, Text):
            out += _text_lines(block, width)
        elif isinstance(block, Code):
            if block.title:
                out.append([(block.title, _HEADING)])
            out += [[(line, "")] for line in block.text.rstrip("\n").split("\n")]
            out.append([])
    if findings:
        out.append([("Findings", _HEADING)])
        shown: set[str] = set()
        for item in findings:
            head: Line = [("  ", ""), (_SEVERITY_LABEL[item.severity],
                                       _SEVERITY_STYLE[item.severity]),
                          (f" {item.code}: ", "")]
            out += _wrap([(item.message, "", False)], width, head, _spaces(6))
            for label, value, whole in _finding_details(item, shown):
                out += _wrap([(value, "", whole)], width,
                             [("      ", ""), (f"{label}:", _LABEL), (" ", "")],
                             _spaces(6 + len(label) + 2), alone="        ")
    while out and not out[-1]:
        out.pop()
    return out


def _safe(text, *, one_line: bool = False):
    """``text`` through :func:`ssoctl.textsafe.visible`, still :class:`Copyable` if it was."""
    if text is None:
        return None
    shown = visible(text, one_line=one_line)
    return Copyable(shown) if isinstance(text, Copyable) else shown


def safe_blocks(blocks: Sequence[Block]) -> list[Block]:
    """``blocks`` with every string passed through :func:`ssoctl.textsafe.visible`: no
    control, bidi or surrogate character from the input reaches the terminal raw."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Fields):
            out.append(Fields(_safe(block.title),
                              [(_safe(k), _safe(v)) for k, v in block.rows]))
        elif isinstance(block, Table):
            out.append(Table(_safe(block.title),
                             [_safe(c, one_line=True) for c in block.columns],
                             [[_safe(c, one_line=True) for c in row] for row in block.rows]))
        elif isinstance(block, Text):
            text = block.text
            out.append(block._replace(text=_safe(text) if isinstance(text, str)
                                      else tuple(_safe(part) for part in text)))
        elif isinstance(block, Code):
            out.append(Code(visible(block.text), block.lexer, visible(block.title)))
        else:
            out.append(block)
    return out


def safe_findings(findings: Sequence[Finding]) -> list[Finding]:
    """``findings`` with their texts passed through :func:`ssoctl.textsafe.visible`."""
    def one(item: Finding) -> Finding:
        texts = {key: getattr(item, key) for key in ("code", "message", "hint", "field",
                                                     "expected", "received")}
        safe = {key: visible(value) for key, value in texts.items() if isinstance(value, str)}
        changed = {key: value for key, value in safe.items() if value != texts[key]}
        return item._replace(**changed) if changed else item  # type: ignore[arg-type]

    return [one(item) for item in findings]


def plain_text(blocks: Sequence[Block], findings: Sequence[Finding]) -> str:
    """The pipe-friendly rendering: no colour, no box drawing, no wrapping, stable layout."""
    lines = layout(blocks, findings)
    return "".join("".join(text for text, _ in line).rstrip(" ") + "\n" for line in lines) \
        if lines else ""


def _field_lines(rows: Sequence[tuple[str, str]], width: int | None, *,
                 indent: int) -> list[Line]:
    """``label: value`` rows, values aligned; a value's further lines under its first."""
    pad_to = max((len(k) for k, _ in rows), default=0)
    out: list[Line] = []
    column = _spaces(indent + pad_to + 2)
    for label, value in rows:
        whole = isinstance(value, Copyable)
        head: Line = [(" " * indent, ""), (f"{label}:", _LABEL),
                      (" " * (pad_to - len(label) + 1), "")]
        for number, line in enumerate(value.splitlines() or [""]):
            out += _wrap([(line, "", whole)], width, head if number == 0 else column, column,
                         alone=" " * indent + _ALONE)
    return out


def _table_lines(block: Table, width: int | None) -> list[Line]:
    """Columns padded to their widest cell. On a terminal too narrow for that, the cells
    of the widest columns wrap at spaces inside their column; when even the longest words
    do not fit side by side, one record under another (``column: value``). A cell is
    never cut inside a word, nor a :class:`Copyable` cell at all."""
    gaps = 2 + 2 * (len(block.columns) - 1)
    widths = [len(c) for c in block.columns]
    for row in block.rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]
    if width is None or sum(widths) + gaps <= width:
        return _columns(block, widths, None)
    narrowest = [max([len(c)] + [_longest_atom(row[i]) for row in block.rows])
                 for i, c in enumerate(block.columns)]
    if sum(narrowest) + gaps <= width:
        fitted = list(widths)
        while sum(fitted) + gaps > width:  # take a column from the widest that can give
            i = max(range(len(fitted)), key=lambda k: (fitted[k] - narrowest[k], fitted[k]))
            fitted[i] -= min(fitted[i] - narrowest[i], sum(fitted) + gaps - width)
        return _columns(block, fitted, width)
    out: list[Line] = []
    for number, row in enumerate(block.rows):
        if number:
            out.append([])
        out += _field_lines(list(zip(block.columns, row)), width, indent=2)
    return out


def _longest_atom(cell: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(atom) for _, atom, _ in _atoms([(cell, "", isinstance(cell, Copyable))])),
               default=0)


def _columns(block: Table, widths: list[int], width: int | None) -> list[Line]:
    """The table in columns of ``widths``; with ``width``, cells wrap inside them."""
    def cells(row: Sequence[str], style: str) -> list[Line]:
        wrapped = [_wrap([(cell, style, isinstance(cell, Copyable))], None if width is None
                         else w, [], []) for cell, w in zip(row, widths)]
        height = max(len(lines) for lines in wrapped)
        out: list[Line] = []
        for n in range(height):
            line: Line = [("  ", "")]
            for lines, w in zip(wrapped, widths):
                part = lines[n] if n < len(lines) else []
                used = sum(len(t) for t, _ in part) if width is None else _width(part)
                line += part + [(" " * (w - used + 2), "")]
            out.append(_rstrip(line))
        return out
    return cells(block.columns, _LABEL) + [line for row in block.rows
                                           for line in cells(row, "")]


def _text_lines(block: Text, width: int | None) -> list[Line]:
    parts = (block.text,) if isinstance(block.text, str) else block.text
    style = block.style
    out: list[Line] = []
    line: list[tuple[str, str, bool]] = []
    for part in parts:  # split the parts into lines, keeping each part's kind
        whole = isinstance(part, Copyable)
        pieces = part.split("\n")
        for number, piece in enumerate(pieces):
            if number:
                out += _paragraph_line(line, width, block.hang)
                line = []
            if piece:
                line.append((piece, style, whole))
    out += _paragraph_line(line, width, block.hang)
    return out


def _paragraph_line(parts: list[tuple[str, str, bool]], width: int | None,
                    hang: int = 0) -> list[Line]:
    """One line of a paragraph: its leading spaces are its indent, kept on every line
    (plus ``hang`` on the lines it wraps onto)."""
    if not parts:
        return [[]]
    text, style, whole = parts[0]
    indent = len(text) - len(text.lstrip(" "))
    parts = [(text[indent:], style, whole), *parts[1:]]
    return _wrap(parts, width, _spaces(indent), _spaces(max(indent, hang)))


def _width(line: Line) -> int:
    from rich.cells import cell_len

    return sum(cell_len(text) for text, _ in line)


def _wrap(parts: Sequence[tuple[str, str, bool]], width: int | None, first: Line,
          rest: Line, *, alone: str | None = None) -> list[Line]:
    """Lay out ``parts`` (text, style, whole) after the prefix ``first``, continuing
    after ``rest``, in ``width`` columns. Breaks only between atoms (see :func:`_atoms`).
    An atom that does not fit even at the start of a line goes on a line of its own
    (after ``alone`` when given, else after ``rest``) and overflows."""
    if width is None:
        return [list(first) + [(text, style) for text, style, _ in parts if text]]
    from rich.cells import cell_len

    lines: list[Line] = []
    current, used, fresh = list(first), _width(first), True
    for gap, atom, style in _atoms(parts):
        size = cell_len(atom)
        if not fresh and used + cell_len(gap) + size <= width:
            current += [(gap, style if current[-1][1] == style else ""), (atom, style)]
            used += cell_len(gap) + size
            continue
        if not fresh:
            lines.append(current)
            current, used = list(rest), _width(rest)
        if used + size > width and alone is not None and cell_len(alone) < used:
            if current is not rest and any(t.strip() for t, _ in current):
                lines.append(_rstrip(current))
            lines.append([(alone, ""), (atom, style)])
            current, used, fresh = list(rest), _width(rest), True
            continue
        current.append((atom, style))
        used += size
        fresh = False
    if not fresh or not lines:
        lines.append(_rstrip(current))
    return lines


def _rstrip(line: Line) -> Line:
    out = list(line)
    while out and not out[-1][0].strip():
        out.pop()
    if out:
        text, style = out[-1]
        out[-1] = (text.rstrip(" "), style)
    return out


def _atoms(parts: Sequence[tuple[str, str, bool]]) -> list[tuple[str, str, str]]:
    """(gap before, atom, style) for each unbreakable piece of ``parts``: a whole part
    (:class:`Copyable`), a backtick-quoted span, an ``ssoctl …`` command up to the end
    of its clause (``,`` ``;`` ``)`` or the end of the line), else a word."""
    out: list[tuple[str, str, str]] = []
    gap = ""
    for text, style, whole in parts:
        if whole:
            stripped = text.strip(" ")
            if stripped:
                out.append((gap + text[:len(text) - len(text.lstrip(" "))], stripped, style))
                gap = text[len(text.rstrip(" ")):]
            else:
                gap += text
            continue
        words = WORDS.findall(text)
        i = 0
        while i < len(words):
            j = _atom_end(words, i)
            atom = "".join(space + word for space, word in words[i:j + 1]).lstrip()
            out.append((gap + words[i][0], atom, style))
            gap = ""
            i = j + 1
        gap += text[len(text.rstrip()):] if words else text
    return out


_CLAUSE_END = (",", ";", ")", ":")
#: The words that can follow ``ssoctl`` in a command line ("ssoctl refuses …" is prose).
_COMMAND_NAMES = frozenset(name.split()[0] for name in COMMAND_EXIT_CODES)


def _atom_end(words: list[tuple[str, str]], i: int) -> int:
    """Index of the last word of the atom that starts at word ``i``."""
    word = words[i][1]
    span = backquoted_end(words, i)  # a back-quoted span: to its closing `
    if span is not None:
        return span
    if word.lstrip("(\"'") == "ssoctl" and i + 1 < len(words) \
            and (words[i + 1][1] in _COMMAND_NAMES or words[i + 1][1][:1] == "-"):
        quote = word[0] if word[0] in "\"'" else ""
        j = i + 1  # a command line: to its closing quote, else to the end of its clause
        while j + 1 < len(words) and not words[j + 1][1].startswith("`"):
            if (words[j][1].rstrip(".,;:)").endswith(quote) if quote
                    else words[j][1].endswith(_CLAUSE_END)):
                break
            j += 1
        return j
    return i


def _print_lines(console, lines: list[Line]) -> None:
    from rich.text import Text as RichText

    for line in lines:
        merged: Line = []
        for text, style in line:  # one escape sequence per run of one style
            if merged and merged[-1][1] == style:
                merged[-1] = (merged[-1][0] + text, style)
            elif text:
                merged.append((text, style))
        console.print(RichText.assemble(*merged), soft_wrap=True)


def _finding_details(item: Finding, shown: set[str]) -> list[tuple[str, str, bool]]:
    """(label, value, keep whole) lines under a finding. A hint already printed under an
    earlier finding of the same report is not printed again (several text defects share
    one long fix). Expected and received values are copied: they are kept whole."""
    out = []
    if item.expected is not None:
        out.append(("expected", str(item.expected), True))
    if item.received is not None:
        out.append(("received", str(item.received), True))
    if item.hint:
        out.append(("fix", "as above" if item.hint in shown else item.hint, False))
        shown.add(item.hint)
    return out
