"""Decode the messages of a large capture on several cores (issue 4: ``--all`` on a HAR
with 1,000 responses).

Each message is decoded, verified and checked on its own, so the work splits cleanly. The
workers are *forked* after the capture was read and the options resolved: they inherit the
messages, the trust anchors (cryptography objects that need no pickling) and the warm
caches of :mod:`ssoctl.saml.verify` instead of loading any of it again.

No pool, no helper thread, no queue objects: before forking, this process writes the
number of every range of messages into a pipe and closes its write end. Every process --
the workers and this one -- takes the next number by reading 4 bytes from that pipe (one
small read from a pipe is atomic, so no two take the same range) until the pipe is empty,
so whoever is faster simply takes more. A worker writes each finished range (the
:class:`~ssoctl.saml.decode.MessageResult` objects and their JSON form) to its own
unlinked temporary file, never to a pipe that could fill up and stall it while this
process is busy decoding; this process reads the files once the workers have exited.

Results are identical and in order: every message is decoded by the same function with
the same options, and an :class:`~ssoctl.errors.SsoctlError` raised for a message is
raised here only if no earlier message raised one, exactly as the serial loop would. A
range a worker did not report (it was killed, or failed unexpectedly) is decoded here.
Serial (in this process, no worker) whenever parallel work cannot pay or is not safe:
``jobs=1``, fewer than :data:`MIN_PARALLEL` messages, no ``fork`` (Windows; macOS, where
forking is unsafe), or other threads running (forking them can deadlock the child). When
the system refuses a pipe, a temporary file or another process, fewer workers (or none)
start and this process decodes the rest: slower, never different. Workers ignore Ctrl-C
(this process stops them, even if Ctrl-C comes twice) and stop by themselves when this
process is killed.
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Iterator, Sequence

from ssoctl.errors import SsoctlError

if TYPE_CHECKING:  # pragma: no cover
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
#: At most this many ranges: their numbers (4 bytes each) must fit in a pipe's buffer,
#: which is written before any process reads it (Linux: 64 KiB; POSIX promises 4 KiB).
MAX_RANGES = 1024

#: The run being worked on: set before the workers fork, so they inherit it.
_JOB: "tuple[Sequence[SamlMessage], DecodeOptions] | None" = None

Outcome = "tuple[list[MessageResult], list[str], Exception | None]"


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
    return sys.platform != "darwin" and hasattr(os, "fork") and not _threads_running()


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
    :func:`~ssoctl.saml.decode.message_dict` as compact JSON text (made by the processes
    alongside, so the JSON document only joins the pieces), else ``None``."""
    from ssoctl.saml.decode import decode_message

    procs = plan(len(messages), jobs)
    with _collector_paused(len(messages)):
        if procs > 1:
            try:
                return _parallel(messages, options, procs)
            except _CannotStart:  # no pipe to be had: decode here, as --jobs 1 would
                pass
        return tuple(decode_message(m, options) for m in messages), None


class _CannotStart(Exception):
    """Parallel work could not even be set up (no file descriptor for the pipe)."""


@contextmanager
def _collector_paused(count: int) -> Iterator[None]:
    """Python's cycle collector off while many messages are decoded. The decoded results
    hold no reference cycles, but each full collection would walk every object the
    capture and the results already hold (a few percent of the run on 1,000 messages).
    Turned back on afterwards, as it was; in forked workers it stays off until they
    exit."""
    import gc

    if count < MIN_PARALLEL or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _ranges(start: int, stop: int) -> list[tuple[int, int]]:
    size = max(CHUNK, -(-(stop - start) // MAX_RANGES))
    return [(i, min(i + size, stop)) for i in range(start, stop, size)]


def _run(start: int, stop: int, *, catch: type[Exception] = Exception) -> Outcome:
    """Decode messages ``start`` to ``stop`` of the current run (in a worker or here).
    An error ends the range and is handed back, not raised: the caller raises the first
    one in message order, as the serial loop would have met it. Here every exception is
    handed back (``catch``); a worker hands back only ssoctl errors (``SsoctlError``) and
    dies on anything else (a bug, out of memory), so that its range is decoded here."""
    from ssoctl.saml.decode import decode_message, message_dict
    from ssoctl.saml.export import compact_json

    assert _JOB is not None
    messages, options = _JOB
    out: list[MessageResult] = []
    encoded: list[str] = []
    try:
        for msg in messages[start:stop]:
            result = decode_message(msg, options)
            out.append(result)
            encoded.append(compact_json(message_dict(result)))
    except catch as exc:  # noqa: BLE001 -- raised by the caller, in message order
        return out, encoded, exc
    return out, encoded, None


def _take(tickets: int) -> int | None:
    """The next range number from the pipe, or ``None`` when all are taken."""
    got = os.read(tickets, 4)
    return int.from_bytes(got, "little") if len(got) == 4 else None


def _spawn(work) -> int:  # noqa: ANN001 -- a no-argument callable
    """Fork one worker that runs ``work()`` and exits; its process id. (Tests spy here.)
    Raises :class:`OSError` when the system refuses another process."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover -- runs in the worker; its outcome is tested
        status = 1
        try:
            _worker_start()
            work()
            status = 0
        finally:
            os._exit(status)  # no atexit handlers, no flushing this process's buffers twice
    return pid


def _worker(tickets: int, ranges: list[tuple[int, int]], out: IO[bytes], parent: int) -> None:
    """In a worker: decode ranges until none is left, each one written to ``out`` as soon
    as it is done (so a worker killed half-way still hands back what it finished). A
    worker whose parent is gone (killed: no Ctrl-C, no cleanup) stops after the range at
    hand instead of decoding the rest of the capture for nobody."""
    import pickle

    while os.getppid() == parent and (number := _take(tickets)) is not None:
        outcome = _run(*ranges[number], catch=SsoctlError)
        pickle.dump((number, outcome), out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()


def _worker_start() -> None:
    """In each worker: Ctrl-C reaches the whole process group, but only the parent
    should react to it (exit 130); a worker is stopped by the parent."""
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


def _warm(messages: "Sequence[SamlMessage]", options: "DecodeOptions") -> None:
    """Import and prepare here, once, what every worker would otherwise do by itself
    (after the fork, in every process at the same time: in a fresh process that is most
    of a second's worth of imports and first-use set-up on the verification path).

    The first message was decoded before this. When it is not a Response (a capture
    usually starts with the SP's AuthnRequest), the first Response is decoded too and
    its result thrown away: that loads signxml and everything verifying needs, exactly
    as far as this capture needs it (a capture of unsigned messages checked without an
    anchor never loads signxml). Its errors are left for the real run to report."""
    import json  # noqa: F401 -- the workers encode each message's JSON with it
    import pickle  # noqa: F401 -- and write their results with it

    from ssoctl.saml import policy, verify  # noqa: F401
    from ssoctl.saml.decode import decode_message

    if messages[0].parameter == "SAMLResponse":
        return
    probe = next((m for m in messages[1:4 * CHUNK] if m.parameter == "SAMLResponse"), None)
    if probe is not None:
        try:
            decode_message(probe, options)
        except Exception:  # noqa: BLE001 -- only warming up: the real run reports it
            pass


def _parallel(messages: "Sequence[SamlMessage]", options: "DecodeOptions",
              procs: int) -> "tuple[tuple[MessageResult, ...], tuple[str, ...]]":
    global _JOB
    from ssoctl.saml.decode import decode_message, message_dict
    from ssoctl.saml.export import compact_json

    # The first message here, before forking: it raises like the serial loop would, and
    # it fills the verifier's caches (configuration, trusted keys) the workers inherit.
    first = decode_message(messages[0], options)
    _warm(messages, options)
    ranges = _ranges(1, len(messages))
    outcomes: dict[int, Outcome] = {}
    workers: dict[int, IO[bytes]] = {}
    try:
        read_end, write_end = os.pipe()
    except OSError:  # out of file descriptors
        raise _CannotStart() from None
    try:
        os.write(write_end, b"".join(n.to_bytes(4, "little") for n in range(len(ranges))))
    finally:
        os.close(write_end)  # an empty pipe then reads as end-of-file: nothing left
    _JOB = (messages, options)
    try:
        with _sigint_held():
            _start_workers(procs - 1, read_end, ranges, workers)
        # With fewer workers than asked (or none), this process simply takes more ranges.
        while (number := _take(read_end)) is not None:
            outcomes[number] = _run(*ranges[number])
        for pid in list(workers):
            os.waitpid(pid, 0)
            outcomes.update(_reported(workers.pop(pid)))
    finally:
        # A second Ctrl-C must not cut this short and leave workers running.
        with _sigint_held():
            _stop(workers)
            os.close(read_end)
            _JOB = None
    results, encoded = [first], [compact_json(message_dict(first))]
    for number, span in enumerate(ranges):
        # A range nobody reported (its worker was killed) is decoded here, now.
        done, done_encoded, error = outcomes.get(number) or _again(messages, options, span)
        if error is not None:
            raise error
        results.extend(done)
        encoded.extend(done_encoded)
    return tuple(results), tuple(encoded)


def _start_workers(count: int, tickets: int, ranges: list[tuple[int, int]],
                   workers: dict[int, IO[bytes]]) -> None:
    """Fork up to ``count`` workers into ``workers`` (pid -> its result file). When the
    system refuses a temporary file (no usable temporary directory, disk full) or another
    process, fewer start: that costs time, never results."""
    import tempfile

    parent = os.getpid()
    for _ in range(count):
        try:
            out = tempfile.TemporaryFile()
        except OSError:
            return
        try:
            pid = _spawn(lambda out=out: _worker(tickets, ranges, out, parent))
        except OSError:
            out.close()
            return
        workers[pid] = out


def _again(messages: "Sequence[SamlMessage]", options: "DecodeOptions",
           span: tuple[int, int]) -> Outcome:
    global _JOB
    _JOB = (messages, options)
    try:
        return _run(*span)
    finally:
        _JOB = None


def _reported(out: IO[bytes]) -> dict[int, Outcome]:
    """The ranges a worker wrote to ``out``; a record cut short (the worker died while
    writing it) and anything after it count as not reported."""
    import pickle

    found: dict[int, Outcome] = {}
    out.seek(0)
    with out:
        while True:
            try:
                number, outcome = pickle.load(out)
            except Exception:  # noqa: BLE001 -- end of file, or a record cut short
                return found
            found[number] = outcome


def _stop(workers: dict[int, IO[bytes]]) -> None:
    """After an interruption or error here: end the workers still running, reap them."""
    import signal

    for pid, out in workers.items():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:  # pragma: no cover -- already gone
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:  # pragma: no cover -- already reaped
            pass
        out.close()


__all__ = ["CHUNK", "MAX_AUTO_JOBS", "MAX_RANGES", "MIN_PARALLEL", "auto_jobs", "can_fork",
           "decode_all", "plan"]
