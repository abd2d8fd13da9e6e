"""Decode the messages of a large capture on several cores (issue 4: ``--all`` on a HAR
with 1,000 responses).

Each message is decoded, verified and checked on its own, so the work splits cleanly. The
workers are *forked* after the capture was read and the options resolved: they inherit the
messages, the trust anchors (cryptography objects that need no pickling) and the warm
caches of :mod:`ssoctl.saml.verify` instead of loading any of it again. They receive only
``(start, stop)`` ranges and send back the :class:`~ssoctl.saml.decode.MessageResult`
objects (plain frozen dataclasses) with their JSON form. This process decodes too: it
takes ranges from the end while the workers take them from the front, so nothing waits
idle.

Results are identical and in order: every message is decoded by the same function with
the same options, and an :class:`~ssoctl.errors.SsoctlError` raised for a message is
raised here only if no earlier message raised one, exactly as the serial loop would.
Serial (in this process, no worker) whenever parallel work cannot pay or is not safe:
``jobs=1``, fewer than :data:`MIN_PARALLEL` messages, no ``fork`` (Windows; macOS, where
forking is unsafe), or other threads running (forking them can deadlock the child).
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator, Sequence

from ssoctl.errors import SsoctlError

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Future, ProcessPoolExecutor

    from ssoctl.saml.binding import SamlMessage
    from ssoctl.saml.decode import DecodeOptions, MessageResult

#: Below this many messages everything stays in this process: starting workers costs a
#: few milliseconds, which small inputs must never pay.
MIN_PARALLEL = 32
#: The automatic number of processes is capped: more rarely helps a laptop and would
#: crowd shared CI runners.
MAX_AUTO_JOBS = 4
#: Messages per unit of work. Small enough that the processes finish together (and that
#: Ctrl-C waits at most one unit), large enough that handing out units costs little.
CHUNK = 16

#: The run being worked on: set before the workers fork, so they inherit it.
_JOB: "tuple[Sequence[SamlMessage], DecodeOptions] | None" = None


def auto_jobs() -> int:
    """Processes to use when not told: the cores this process may run on, at most
    :data:`MAX_AUTO_JOBS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_AUTO_JOBS))


def can_fork() -> bool:
    """Workers may be forked here: ``fork`` exists, is safe on this platform, and no
    other thread runs in this process."""
    import multiprocessing

    return (sys.platform != "darwin" and "fork" in multiprocessing.get_all_start_methods()
            and not _threads_running())


def _threads_running() -> bool:
    """Another thread exists: a lock it holds at the fork would stay locked in the child."""
    return threading.active_count() > 1


def plan(count: int, jobs: int | None) -> int:
    """How many processes decode ``count`` messages when ``jobs`` were asked for (``None``:
    automatic). 1 means serial, in this process."""
    if jobs == 1 or count < MIN_PARALLEL or not can_fork():
        return 1
    wanted = jobs if jobs is not None else auto_jobs()
    return max(1, min(wanted, -(-count // CHUNK)))


def decode_all(messages: "Sequence[SamlMessage]", options: "DecodeOptions",
               jobs: int | None = None) -> "tuple[tuple[MessageResult, ...], tuple | None]":
    """Every message decoded with :func:`ssoctl.saml.decode.decode_message`, in order,
    in ``jobs`` processes (see :func:`plan`); and, when decoded in parallel, each one's
    :func:`~ssoctl.saml.decode.message_dict` (built by the processes alongside, so the
    JSON document does not have to wait for it), else ``None``."""
    from ssoctl.saml.decode import decode_message

    procs = plan(len(messages), jobs)
    if procs == 1:
        return tuple(decode_message(m, options) for m in messages), None
    return _parallel(messages, options, procs)


def _ranges(start: int, stop: int) -> list[tuple[int, int]]:
    return [(i, min(i + CHUNK, stop)) for i in range(start, stop, CHUNK)]


def _run(start: int, stop: int) -> "tuple[list[MessageResult], list[dict], SsoctlError | None]":
    """Decode messages ``start`` to ``stop`` of the current run (in a worker or here).
    An error ends the range and is handed back, not raised: the caller raises the first
    one in message order."""
    from ssoctl.saml.decode import decode_message, message_dict

    assert _JOB is not None
    messages, options = _JOB
    out: list[MessageResult] = []
    dicts: list[dict] = []
    try:
        for msg in messages[start:stop]:
            result = decode_message(msg, options)
            out.append(result)
            dicts.append(message_dict(result))
    except SsoctlError as exc:
        return out, dicts, exc
    return out, dicts, None


def _worker_start() -> None:
    """In each worker: Ctrl-C reaches the whole process group, but only the parent
    should react to it (exit 130); a worker finishes its range and is shut down."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextmanager
def _sigint_held() -> Iterator[None]:
    """Hold Ctrl-C back while the workers fork: they are born with it blocked (so none can
    die with a traceback before :func:`_worker_start` ignores it), and here it is
    delivered, not lost, as soon as the workers exist."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _warm(options: "DecodeOptions") -> None:
    """Import here, once, what every worker would otherwise import by itself. signxml
    only when a trust anchor means every Response is verified (the first message,
    decoded before this, has loaded it if it needed it): a capture of unsigned messages
    checked without an anchor never needs it."""
    from ssoctl.saml import policy, verify  # noqa: F401

    if options.anchors.given:
        import signxml  # noqa: F401


def _parallel(messages: "Sequence[SamlMessage]", options: "DecodeOptions",
              procs: int) -> "tuple[tuple[MessageResult, ...], tuple[dict, ...]]":
    global _JOB
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from ssoctl.saml.decode import decode_message, message_dict

    # The first message here, before forking: it raises like the serial loop would, and
    # it fills the verifier's caches (configuration, trusted keys) the workers inherit.
    first = decode_message(messages[0], options)
    _warm(options)
    ranges = _ranges(1, len(messages))
    outcomes: list[tuple[list, list, SsoctlError | None] | None] = [None] * len(ranges)
    handed: dict[int, Future] = {}
    _JOB = (messages, options)
    pool = ProcessPoolExecutor(max_workers=procs - 1, initializer=_worker_start,
                               mp_context=multiprocessing.get_context("fork"))
    try:
        # Workers take ranges from the front, this process from the back, until they meet.
        # Ranges are handed out a few at a time (not all at once, and never withdrawn), so
        # whoever is faster takes more.
        with _sigint_held():  # the first submit forks every worker
            front = _hand_out(pool, ranges, handed, 0, len(ranges), procs - 1)
        back = len(ranges)
        while front < back:
            back -= 1
            outcomes[back] = _run(*ranges[back])
            front = _hand_out(pool, ranges, handed, front, back, procs - 1)
        results, dicts = [first], [message_dict(first)]
        for i, outcome in enumerate(outcomes):
            if outcome is None:
                outcome = _collect(handed[i], ranges[i])
            done, done_dicts, error = outcome
            if error is not None:
                raise error
            results.extend(done)
            dicts.extend(done_dicts)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _JOB = None
    return tuple(results), tuple(dicts)


def _hand_out(pool: "ProcessPoolExecutor", ranges: list[tuple[int, int]],
              handed: "dict[int, Future]", front: int, back: int, workers: int) -> int:
    """Give the workers ranges from ``front`` on (never ``back`` or beyond) until each has
    two waiting or running; return the new front."""
    from concurrent.futures.process import BrokenProcessPool

    waiting = sum(1 for future in handed.values() if not future.done())
    while front < back and waiting < 2 * workers:
        try:
            handed[front] = pool.submit(_run, *ranges[front])
        except BrokenProcessPool:  # a worker died: this process does the rest
            break
        front += 1
        waiting += 1
    return front


def _collect(future: "Future", span: tuple[int, int]):
    """A worker's outcome for ``span``; if the worker was killed (out of memory, by
    hand), the range is decoded here instead: that costs time, never results."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        return _run(*span)


__all__ = ["CHUNK", "MAX_AUTO_JOBS", "MIN_PARALLEL", "auto_jobs", "can_fork", "decode_all",
           "plan"]
