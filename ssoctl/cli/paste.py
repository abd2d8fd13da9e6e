"""Reading what a person pastes: ``-`` on a terminal, or ``--text VALUE``.

A SAMLResponse is one line of 5-15 KB. A terminal in canonical (line-editing) mode keeps
at most 4,095 bytes of a line and drops the rest, so a pasted SAMLResponse read the usual
way arrives cut off. On a terminal, :func:`read_paste` switches stdin to non-canonical
mode (no line limit; signals such as Ctrl-C still work), reads until Ctrl-D, and restores
the terminal's settings whatever happens. Pipes and files are read as before.
"""

from __future__ import annotations

import os
import sys

from ssoctl.errors import InputError, UsageError
from ssoctl.files import Source, read_source, stdin_is_tty

EOT = 0x04  # Ctrl-D
ERASE = (0x7F, 0x08)  # Backspace / Ctrl-H (no line editing in non-canonical mode)


def read_input(source: str | None, text: str | None, *, max_bytes: int, what: str,
               prompt: str, too_large_hint: str = "") -> Source:
    """The bytes to work on: ``--text`` itself, a pasted value (``-`` on a terminal),
    piped stdin or a file. ``prompt`` is shown on stderr before a paste is read."""
    if text is not None:
        if source not in (None, "-"):
            raise UsageError(f"give the {what} as a file or with --text, not both",
                             hint=f"drop {source} or --text", code="USAGE")
        data = text.encode("utf-8")
        if len(data) > max_bytes:
            raise InputError(f"--text exceeds {max_bytes} bytes", code="INPUT_TOO_LARGE",
                             hint=too_large_hint or "check what was pasted")
        if not data.strip():
            raise InputError("--text is empty", code="INPUT_EMPTY",
                             hint=f"put the {what} between quotes after --text")
        return Source(data=data, label="--text")
    source = source or "-"
    try:
        fd = _terminal_fd() if source == "-" else None
        if source == "-" and stdin_is_tty():
            if fd is not None:
                return _checked(read_paste(fd, max_bytes, prompt=prompt), max_bytes, what)
            _say(prompt)
        return read_source(source, max_bytes=max_bytes, what=what)
    except InputError as exc:
        if exc.code == "INPUT_TOO_LARGE" and too_large_hint:
            raise InputError(exc.message, hint=too_large_hint, code=exc.code) from None
        raise


def _terminal_fd() -> int | None:
    try:
        return sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):  # replaced or closed stdin
        return None


def _checked(data: bytes, max_bytes: int, what: str) -> Source:
    if len(data) > max_bytes:
        raise InputError(f"{what} exceeds {max_bytes} bytes (pasted)", code="INPUT_TOO_LARGE",
                         hint="check what was pasted")
    if not data.strip():
        raise InputError(f"{what} is empty (nothing was pasted before Ctrl-D)",
                         hint="paste the value, press Enter, then Ctrl-D", code="INPUT_EMPTY")
    return Source(data=data, label="stdin")


def _say(prompt: str) -> None:
    if prompt:
        sys.stderr.write(prompt.rstrip("\n") + "\n")
        sys.stderr.flush()


def read_paste(fd: int, max_bytes: int, *, prompt: str = "") -> bytes:
    """Read a paste from the terminal ``fd`` until Ctrl-D (or end of input), without the
    canonical-mode limit on line length. Backspace removes the last character.

    ``prompt`` is shown once the terminal is switched: text pasted after it is never cut.
    """
    try:
        import termios
    except ImportError:  # pragma: no cover - Windows has no termios: the usual read
        _say(prompt)
        return _read_all(fd, max_bytes)
    try:
        saved = termios.tcgetattr(fd)
    except termios.error:
        _say(prompt)
        return _read_all(fd, max_bytes)
    mode = termios.tcgetattr(fd)
    mode[3] &= ~termios.ICANON  # lflag: no line buffer, no 4,095-byte cut; ISIG stays on
    mode[6][termios.VMIN] = 1
    mode[6][termios.VTIME] = 0
    termios.tcsetattr(fd, termios.TCSANOW, mode)
    try:
        _say(prompt)
        buf = bytearray()
        while len(buf) <= max_bytes:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            end = chunk.find(bytes((EOT,)))
            part = chunk if end < 0 else chunk[:end]
            if any(erase in part for erase in (b"\x7f", b"\x08")):
                for byte in part:
                    if byte in ERASE:
                        del buf[-1:]
                    else:
                        buf.append(byte)
            else:
                buf += part
            if end >= 0:
                break
        return bytes(buf)
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)
        sys.stderr.write("\n")


def _read_all(fd: int, max_bytes: int) -> bytes:
    buf = bytearray()
    while len(buf) <= max_bytes:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buf += chunk
    return bytes(buf)
