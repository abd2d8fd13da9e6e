"""Run the real ``ssoctl`` in a pseudo-terminal of a given width and read what it shows.

The child gets a pty as stdin, stdout and stderr, with the window size set through
``TIOCSWINSZ`` (no ``COLUMNS`` variable): ssoctl sees a terminal exactly as it does in a
user's shell, so colour is on and the width is the terminal's. :class:`Screen` keeps the
raw bytes (for the colour checks) and the text with the escape sequences removed (for the
"is this value whole on one line" checks). A newline in :attr:`Screen.lines` is a real
newline written by ssoctl: the terminal's own folding of a long line is not in the bytes.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = (60, 80, 200)

_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_OTHER_ESCAPES = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-9;?]*[A-Za-z]")


def ssoctl_command() -> list[str]:
    """The installed ``ssoctl`` console script next to this Python, else ``-m ssoctl``."""
    script = Path(sys.executable).with_name("ssoctl")
    if script.exists():
        return [str(script)]
    found = shutil.which("ssoctl")
    return [found] if found else [sys.executable, "-m", "ssoctl"]


@dataclass(frozen=True)
class Screen:
    raw: str
    exit_code: int
    columns: int

    @property
    def text(self) -> str:
        return _OTHER_ESCAPES.sub("", _SGR.sub("", self.raw)).replace("\r\n", "\n") \
            .replace("\r", "")

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def has_whole(self, value: str) -> bool:
        """``value`` appears on one line, unbroken."""
        return any(value in line for line in self.lines)

    def line_with(self, value: str) -> str:
        return next(line for line in self.lines if value in line)

    def styles(self, after: str = "") -> list[tuple[str, str]]:
        """(SGR parameters, the text they apply to) for every styled run on screen (from
        the first ``after`` on)."""
        raw = self.raw[self.raw.index(after):] if after else self.raw
        out, style, pos = [], "", 0
        for match in _SGR.finditer(raw):
            if pos < match.start() and style:
                out.append((style, raw[pos:match.start()]))
            params = match.group(1)
            style = "" if params in ("", "0") else params
            pos = match.end()
        return out


def read_terminal(leader: int, proc: subprocess.Popen, *, timeout: float,
                  seen: bytes = b"", until: bytes | None = None, answer: str | None = None,
                  question: bytes = b"[y/N]") -> tuple[bytes, bool]:
    """Read what ``proc`` writes to the pseudo-terminal ``leader`` until the terminal
    closes, ``proc`` has exited with nothing left to read, ``until`` has appeared, or
    ``timeout`` seconds pass; type ``answer`` and Enter once ``question`` has appeared.
    Returns ``(everything seen, whether the time ran out)``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if until is not None and until in seen:
            return seen, False
        if answer is not None and question in seen:
            os.write(leader, answer.encode() + b"\n")
            answer = None
        if select.select([leader], [], [], 0.2)[0]:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                return seen, False
            if not chunk:
                return seen, False
            seen += chunk
        elif proc.poll() is not None:
            return seen, False
    return seen, True


def run(args: list[str], *, columns: int, env: dict[str, str] | None = None,
        cwd: Path | str = ROOT, timeout: float = 30.0) -> Screen:
    """Run ``ssoctl ARGS`` in a ``columns``-wide pseudo-terminal; return what it showed."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    child_env = {k: v for k, v in os.environ.items()
                 if k not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM",
                              "SSOCTL_CONFIG", "SSOCTL_PROFILE")}
    child_env.update({"TERM": "xterm-256color", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"})
    child_env.update(env or {})
    try:
        child = subprocess.Popen([*ssoctl_command(), *args], stdin=follower, stdout=follower,
                                 stderr=follower, env=child_env, cwd=str(cwd),
                                 close_fds=True, start_new_session=True)
    finally:
        os.close(follower)
    try:
        seen, expired = read_terminal(leader, child, timeout=timeout)
        if expired:
            child.kill()
            raise AssertionError(f"ssoctl {' '.join(args)} did not finish in {timeout} s")
    finally:
        os.close(leader)
    code = child.wait(timeout=10)
    return Screen(seen.decode("utf-8", "replace"), code, columns)


def run_widths(args: list[str], *, widths: tuple[int, ...] = WIDTHS,
               env: dict[str, str] | None = None, cwd: Path | str = ROOT) -> list[Screen]:
    """``run`` at each width, the runs side by side (each is its own process and pty)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(widths)) as pool:
        return list(pool.map(lambda columns: run(args, columns=columns, env=env, cwd=cwd),
                             widths))


def run_with_terminal_stderr(args: list[str], *, env: dict[str, str] | None = None,
                             cwd: Path | str | None = None, columns: int = 100,
                             timeout: float = 60.0) -> tuple[int, str, str]:
    """Run ``python -m ssoctl ARGS`` with stdout a pipe and stderr a terminal (where
    progress goes): ``(exit status, stdout, what the terminal showed)``."""
    import pty

    leader, follower = pty.openpty()
    child_env = {**os.environ, "COLUMNS": str(columns), **(env or {})}
    child_env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "ssoctl", *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=follower, env=child_env,
                            cwd=None if cwd is None else str(cwd))
    os.close(follower)
    try:
        screen, _ = read_terminal(leader, proc, timeout=timeout)
        out, _ = proc.communicate(timeout=timeout)
    finally:
        os.close(leader)
    return proc.returncode, out.decode(), screen.decode(errors="replace")


def converse(args: list[str], *, env: dict[str, str], columns: int = 100,
             cwd: Path | str | None = None, answer: str | None = None,
             question: bytes = b"[y/N]", stdout_tty: bool = True,
             timeout: float = 60.0) -> tuple[int, str, str]:
    """Run ``python -m ssoctl ARGS`` (environment ``env`` as given) with stdin and stderr,
    and stdout unless ``stdout_tty`` is false, on a pseudo-terminal ``columns`` wide; type
    ``answer`` and Enter once ``question`` has appeared. Returns ``(exit status, what the
    terminal showed, stdout when it was a pipe)``."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "ssoctl", *args], stdin=follower,
                            stderr=follower,
                            stdout=follower if stdout_tty else subprocess.PIPE, env=env,
                            cwd=None if cwd is None else str(cwd), close_fds=True)
    os.close(follower)
    try:
        seen, _ = read_terminal(leader, proc, timeout=timeout, answer=answer, question=question)
        out = proc.stdout.read().decode() if proc.stdout else ""
        status = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    return status, seen.decode("utf-8", "replace"), out
