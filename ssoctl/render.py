"""Result objects -> terminal output (rich on a TTY, plain text in pipes) or JSON.

Core modules return frozen dataclasses and never print. A command turns its result into a
:class:`Report`: the JSON ``data``, the findings, and a few presentation blocks for humans
(:class:`Fields`, :class:`Table`, :class:`Text`, :class:`Code`). This module is the only one
that imports rich, and it does so lazily: ``--json`` and plain-text output never load it.

JSON contract (stable, tested with golden files)::

    {"ok": true|false, "data": {...}, "findings": [{code, severity, message, hint, ...}]}
    {"ok": false, "error": {"code", "message", "hint"}}
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import enum
import json
import os
import sys
from dataclasses import dataclass
from typing import IO, Any, Sequence

from ssoctl.errors import ExitCode, SsoctlError
from ssoctl.findings import Finding, Severity, exit_code_for
from ssoctl.textsafe import json_safe, visible


# ---------------------------------------------------------------- presentation blocks

@dataclass(frozen=True)
class Fields:
    """A titled list of label/value pairs (``value`` None rows are skipped)."""

    title: str
    rows: Sequence[tuple[str, str | None]]


@dataclass(frozen=True)
class Table:
    """A titled table; every cell is plain text."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]


@dataclass(frozen=True)
class Text:
    """A paragraph. ``style`` is a rich style name used only on a colour terminal."""

    text: str
    style: str = ""


@dataclass(frozen=True)
class Code:
    """Verbatim text (PEM, XML), syntax-highlighted on a colour terminal."""

    text: str
    lexer: str = "text"
    title: str = ""


Block = Fields | Table | Text | Code


@dataclass(frozen=True)
class Report:
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


@dataclass(frozen=True)
class Verbatim:
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


_SEVERITY_LABEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}
_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


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
        message, hint_text = visible(error.message), visible(error.hint)
        line = f"error: {message}"
        hint = f"hint: {hint_text}" if hint_text else ""
        if use_color(self.stderr, self.no_color):
            console = self._console(self.stderr)
            console.print(f"[bold red]error:[/] {_esc(message)}", highlight=False)
            if hint:
                console.print(f"[dim]hint:[/] {_esc(hint_text)}", highlight=False)
        else:
            self.stderr.write(line + "\n" + (hint + "\n" if hint else ""))
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
            self._rich_blocks(stream, blocks, findings)
        else:
            stream.write(plain_text(blocks, findings))
        stream.flush()

    def _console(self, stream: IO[str]):
        from rich.console import Console

        # emoji=False: ":warning:" in a certificate subject is text, not a picture
        return Console(file=stream, highlight=False, soft_wrap=False, emoji=False)

    def _rich_blocks(self, stream: IO[str], blocks: Sequence[Block],
                     findings: Sequence[Finding]) -> None:
        from rich.syntax import Syntax
        from rich.table import Table as RichTable

        console = self._console(stream)
        blocks, findings = safe_blocks(blocks), safe_findings(findings)
        for block in blocks:
            if isinstance(block, Fields):
                grid = RichTable(title=_esc(block.title), title_justify="left", show_header=False,
                                 box=None, padding=(0, 2, 0, 0), title_style="bold")
                grid.add_column(style="bold cyan", no_wrap=True)
                grid.add_column(overflow="fold")
                for label, value in block.rows:
                    if value is not None:
                        grid.add_row(_esc(label), _esc(value))
                console.print(grid)
                console.print()
            elif isinstance(block, Table):
                table = RichTable(title=_esc(block.title), title_justify="left", title_style="bold")
                for col in block.columns:
                    table.add_column(_esc(col), overflow="fold")
                for row in block.rows:
                    table.add_row(*(_esc(c) for c in row))
                console.print(table)
                console.print()
            elif isinstance(block, Text):
                console.print(_esc(block.text), style=block.style or None)
            elif isinstance(block, Code):
                if block.title:
                    console.print(f"[bold]{_esc(block.title)}[/]")
                console.print(Syntax(block.text, block.lexer, word_wrap=False,
                                     background_color="default"))
        if findings:
            console.print("[bold]Findings[/]")
            shown: set[str] = set()
            for item in findings:
                style = _SEVERITY_STYLE[item.severity]
                console.print(f"  [{style}]{_SEVERITY_LABEL[item.severity]}[/] "
                              f"[dim]{_esc(item.code)}[/]  {_esc(item.message)}")
                for extra in _finding_details(item, shown):
                    console.print(f"      [dim]{_esc(extra)}[/]")


def _finding_details(item: Finding, shown: set[str]) -> list[str]:
    """The lines under a finding. A hint already printed under an earlier finding of the
    same report is not printed again (several text defects share one long fix)."""
    out = []
    if item.expected is not None:
        out.append(f"expected: {item.expected}")
    if item.received is not None:
        out.append(f"received: {item.received}")
    if item.hint:
        out.append("fix: as above" if item.hint in shown else f"fix: {item.hint}")
        shown.add(item.hint)
    return out


def plain_text(blocks: Sequence[Block], findings: Sequence[Finding]) -> str:
    """The pipe-friendly rendering: no colour, no box drawing, stable layout."""
    blocks, findings = safe_blocks(blocks), safe_findings(findings)
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Fields):
            rows = [(k, v) for k, v in block.rows if v is not None]
            width = max((len(k) for k, _ in rows), default=0)
            out.append(block.title)
            for label, value in rows:
                pad = " " * (width - len(label))
                lines = value.splitlines() or [""]
                out.append(f"  {label}:{pad} {lines[0]}")
                out.extend(f"  {' ' * (width + 1)} {cont}" for cont in lines[1:])
            out.append("")
        elif isinstance(block, Table):
            out.append(block.title)
            widths = [len(c) for c in block.columns]
            for row in block.rows:
                widths = [max(w, len(c)) for w, c in zip(widths, row)]
            out.append("  " + "  ".join(c.ljust(w) for c, w in zip(block.columns, widths)).rstrip())
            for row in block.rows:
                out.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
            out.append("")
        elif isinstance(block, Text):
            out.append(block.text)
        elif isinstance(block, Code):
            if block.title:
                out.append(block.title)
            out.append(block.text.rstrip("\n"))
            out.append("")
    if findings:
        out.append("Findings")
        shown: set[str] = set()
        for item in findings:
            out.append(f"  {_SEVERITY_LABEL[item.severity]} {item.code}: {item.message}")
            out.extend(f"      {extra}" for extra in _finding_details(item, shown))
    return "\n".join(out).rstrip("\n") + "\n" if out else ""


def safe_blocks(blocks: Sequence[Block]) -> list[Block]:
    """``blocks`` with every string passed through :func:`ssoctl.textsafe.visible`: no
    control, bidi or surrogate character from the input reaches the terminal raw."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Fields):
            out.append(Fields(visible(block.title), [
                (visible(k), None if v is None else visible(v)) for k, v in block.rows]))
        elif isinstance(block, Table):
            out.append(Table(visible(block.title), [visible(c, one_line=True)
                                                    for c in block.columns],
                             [[visible(c, one_line=True) for c in row] for row in block.rows]))
        elif isinstance(block, Text):
            out.append(Text(visible(block.text), block.style))
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
        return dataclasses.replace(item, **changed) if changed else item  # type: ignore[arg-type]

    return [one(item) for item in findings]


def _esc(text: str) -> str:
    """Escape rich markup in user data (a certificate subject may contain ``[``)."""
    from rich.markup import escape

    return escape(text)
