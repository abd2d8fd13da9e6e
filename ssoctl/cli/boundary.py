"""The error boundary and ``--now`` parsing, without Typer.

:func:`ssoctl.cli.common.run` sends every command through :func:`execute`: one error
boundary for all of them.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Callable

from ssoctl.errors import ExitCode, SsoctlError, UsageError


def parse_now(value: str | None) -> dt.datetime | None:
    """``--now`` as an aware UTC datetime; a date alone means midnight UTC."""
    if value is None:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.timezone.utc)
        return parsed.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):  # OverflowError: an offset past year 1 or 9999
        raise UsageError(f"--now: cannot read {value!r} as a date/time",
                         hint="use ISO-8601, e.g. 2026-01-31 or 2026-01-31T12:00:00Z",
                         code="BAD_NOW") from None


def execute(work: Callable[[], "object"], out, *, debug: bool = False,
            strict: bool = False) -> ExitCode:
    """Run ``work`` (which returns a :class:`ssoctl.render.Report`), render the result
    with ``out`` (a :class:`ssoctl.render.Renderer`) and return the exit status.

    ``SsoctlError`` is rendered (one line + hint, or JSON) and mapped to its exit code;
    Ctrl-C is 130; output that cannot be written (a full disk, stdout closed) is one line
    on stderr and exit 2 (``OUTPUT_UNWRITABLE``). Anything else is a bug and keeps its
    traceback.
    """
    writing = False
    try:
        report = work()
        writing = True
        return out.report(report, strict=strict)
    except SsoctlError as exc:
        if debug:
            import logging

            logging.getLogger("ssoctl").debug("error", exc_info=True)
        writing = True
        out.error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # `ssoctl ... | head`: the reader left; not an error worth a trace
        return ExitCode.OK
    except OSError as exc:
        if not writing:
            raise  # not translated by the code that met it: a bug, keep the traceback
        return _unwritable(exc)


def _unwritable(exc: OSError) -> ExitCode:
    """The report could not be written to stdout: say so in one line, and point stdout at
    the null device so that Python's flush at exit does not fail (and print) again."""
    import os

    try:
        sys.stderr.write(f"error: cannot write the output: {exc.strerror or exc}\n"
                         "hint: check the disk space and where stdout goes (a file, a pipe "
                         "that was closed)\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    except OSError:
        pass
    return ExitCode.USAGE
