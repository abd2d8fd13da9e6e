"""The error boundary and ``--now`` parsing, without Typer.

:func:`ssoctl.cli.common.run` (the Typer side) and :mod:`ssoctl.cli.fastpath` (the
Typer-free start of ``check-cert``) both go through :func:`execute`, so there is one
error boundary however a command was started.
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
    Ctrl-C is 130. Anything else is a bug and keeps its traceback.
    """
    try:
        report = work()
        return out.report(report, strict=strict)
    except SsoctlError as exc:
        if debug:
            import logging

            logging.getLogger("ssoctl").debug("error", exc_info=True)
        out.error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # `ssoctl ... | head`: the reader left; not an error worth a trace
        return ExitCode.OK
