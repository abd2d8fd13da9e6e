"""Run one function over the items of a large capture in several processes (issue 4:
``decode-response --all`` on a HAR with 1,000 responses).

Each message is decoded, verified and checked on its own, so the work splits cleanly. The
standard library's process pool (:class:`concurrent.futures.ProcessPoolExecutor`) does
the work, with the ``fork`` start method: the workers inherit the messages, the options
(trust anchors are cryptography objects that need no pickling) and everything already
imported, instead of loading it again. Only ranges of item numbers go to the workers;
their results come back pickled.

This module knows nothing about SAML: :mod:`ssoctl.saml.decode` hands it the function and
the items (so the two do not import each other).

When is it worth it? A process pool costs its start (forking, a pipe per worker) and the
pickling of every result, and it only pays when other cores are idle. So:

- ``jobs=1``: this process, always.
- ``jobs=N`` (given): N processes, if there are at least :data:`MIN_PARALLEL` items and
  forking is safe here.
- automatic (``None``): several processes only for a large capture (at least
  :data:`AUTO_MIN_ITEMS` items) when at least two cores are idle *now* (the cores this
  process may use, minus the one-minute load average), one per idle core, at most
  :data:`MAX_AUTO_JOBS`. On a busy machine the pool runs slower than one process (it
  competes with the other work and adds the pickling), so it is not used.

Results are identical and in order: every item goes through the same function, and an
:class:`~ssoctl.errors.SsoctlError` raised for an item is raised here only if no earlier
item raised one, exactly as the serial loop would. A range a worker could not finish for
any other reason (it was killed, or hit a bug) is done again here, where a bug keeps its
real traceback. Workers ignore Ctrl-C (this process stops them) and end by themselves
when this process is killed.
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator, Sequence, TypeVar

from ssoctl.errors import SsoctlError

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Future, ProcessPoolExecutor

T = TypeVar("T")
R = TypeVar("R")

#: Below this many items everything stays in this process, whatever ``jobs`` says:
#: starting workers costs milliseconds that small inputs must never pay.
MIN_PARALLEL = 32
#: The automatic choice uses processes only from this many items on: below it the pool's
#: start and the pickling eat what a second core gains (measured with
#: benchmarks/decode_har.py).
AUTO_MIN_ITEMS = 400
#: The automatic number of processes is capped: more rarely helps a laptop and would
#: crowd shared CI runners.
MAX_AUTO_JOBS = 4
#: Items per unit of work. Small enough that the processes finish together (and that
#: Ctrl-C waits at most one unit), large enough that handing out units costs little.
CHUNK = 16
#: How often (seconds) a worker checks that this process is still alive.
PARENT_CHECK = 0.5

#: In a worker: the function and the items, inherited from the parent through the fork.
_JOB: "tuple[Callable, Sequence] | None" = None

#: What a range gives back: its results, and the ssoctl error that ended it early, if any.
Outcome = tuple[list, "SsoctlError | None"]


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def idle_cores() -> int:
    """Cores not busy right now: :func:`cores` minus the one-minute load average (all of
    them where the load cannot be read)."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows
        return cores()
    return max(0, int(cores() - load))


def auto_jobs() -> int:
    """Processes to use when not told: one per idle core, at most :data:`MAX_AUTO_JOBS`;
    1 (this process only) unless at least two cores are idle."""
    idle = min(idle_cores(), MAX_AUTO_JOBS)
    return idle if idle >= 2 else 1


def can_fork() -> bool:
    """Workers may be forked here: ``fork`` exists, is safe on this platform, and no
    other thread runs in this process."""
    return sys.platform != "darwin" and hasattr(os, "fork") and not _threads_running()


def _threads_running() -> bool:
    """Another thread exists: a lock it holds at the fork would stay locked in the child."""
    return threading.active_count() > 1


def plan(count: int, jobs: int | None) -> int:
    """How many processes work on ``count`` items when ``jobs`` were asked for (``None``:
    automatic). 1 means serial, in this process."""
    if jobs == 1 or count < MIN_PARALLEL or not can_fork():
        return 1
    if jobs is None:
        if count < AUTO_MIN_ITEMS:
            return 1
        jobs = auto_jobs()
    return max(1, min(jobs, -(-count // CHUNK)))


def map_in_order(work: Callable[[T], R], items: Sequence[T], jobs: int | None = None, *,
                 prepare: Callable[[], object] | None = None) -> tuple[R, ...]:
    """``work(item)`` for every item, in order, in the processes :func:`plan` chooses.

    ``prepare`` runs here once before any worker starts (to import and warm up what the
    workers then inherit). The first item is always done here first: it raises like the
    serial loop would and fills caches the workers inherit as well."""
    procs = plan(len(items), jobs)
    if procs == 1:
        return tuple(work(item) for item in items)
    first = work(items[0])
    if prepare is not None:
        prepare()
    with _frozen():
        rest = _in_pool(work, items, procs)
    return (first, *rest)


@contextmanager
def _frozen() -> Iterator[None]:
    """Move every object that exists now (the parsed capture, the imported modules) out of
    the cycle collector's way while the workers run (:func:`gc.freeze`): they are not
    garbage, and in the forked workers a collection walking them would copy every memory
    page it touches. The collector stays on for everything new; unfrozen afterwards."""
    import gc

    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _ranges(start: int, stop: int) -> list[tuple[int, int]]:
    return [(i, min(i + CHUNK, stop)) for i in range(start, stop, CHUNK)]


def _in_pool(work: Callable[[T], R], items: Sequence[T], procs: int) -> list[R]:
    from concurrent.futures import BrokenExecutor

    ranges = _ranges(1, len(items))
    try:
        pool = _start_pool(work, items, procs)
    except OSError:  # no process, pipe or semaphore to be had: here, as --jobs 1 would
        pool = None
    if pool is None:
        return [work(item) for item in items[1:]]
    out: list[R] = []
    try:
        futures = _submit(pool, ranges)
        for span, future in zip(ranges, futures):
            try:
                done, error = future.result() if future is not None else _here(work, items, span)
            except (BrokenExecutor, OSError, Exception):  # noqa: BLE001
                # The worker died (killed, out of memory) or hit something that is not
                # an ssoctl error: do the range here, where a bug keeps its traceback.
                done, error = _here(work, items, span)
            out.extend(done)
            if error is not None:
                raise error
    finally:
        with _sigint_held():  # a second Ctrl-C must not cut the shutdown short
            pool.shutdown(wait=True, cancel_futures=True)
    return out


def _submit(pool: "ProcessPoolExecutor", ranges: list[tuple[int, int]]) -> "list[Future | None]":
    """Every range to the pool; ``None`` for those it refused (it broke meanwhile)."""
    from concurrent.futures import BrokenExecutor

    futures: "list[Future | None]" = []
    for span in ranges:
        try:
            futures.append(pool.submit(_run, *span))
        except (BrokenExecutor, RuntimeError):
            futures.append(None)
    return futures


def _here(work: Callable, items: Sequence, span: tuple[int, int]) -> Outcome:
    """A range done in this process; any error other than an ssoctl one is raised."""
    out = []
    try:
        for item in items[span[0]:span[1]]:
            out.append(work(item))
    except SsoctlError as exc:
        return out, exc
    return out, None


def _start_pool(work: Callable, items: Sequence, procs: int) -> "ProcessPoolExecutor | None":
    """A started pool of ``procs`` forked workers (``None`` where ``fork`` is missing).
    Ctrl-C is held back while they fork, so that none dies of it before ignoring it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform
        return None
    pool = ProcessPoolExecutor(max_workers=procs, mp_context=context,
                               initializer=_worker_start,
                               initargs=(work, items, os.getpid()))
    try:
        with _sigint_held():
            # The pool forks its workers on the first submission: a no-op task does it.
            pool.submit(int).result()
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    return pool


def _worker_start(work: Callable, items: Sequence, parent: int) -> None:
    """In each worker: keep the job (inherited through the fork, not pickled), ignore
    Ctrl-C (it reaches the whole process group; the parent stops the workers), and end
    when the parent is gone (killed: then nobody waits for the results)."""
    import signal

    global _JOB
    _JOB = (work, items)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:  # pragma: no cover - runs in a worker
    import time

    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(1)


def _run(start: int, stop: int) -> Outcome:
    """In a worker: items ``start`` to ``stop``. An ssoctl error ends the range and is
    handed back (the parent raises the first one in item order); anything else fails the
    task, and the parent does the range itself."""
    assert _JOB is not None
    work, items = _JOB
    return _here(work, items, (start, stop))


@contextmanager
def _sigint_held() -> Iterator[None]:
    """Hold Ctrl-C back (it is delivered, not lost, at the end)."""
    import signal

    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not \
            threading.main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


__all__ = ["AUTO_MIN_ITEMS", "CHUNK", "MAX_AUTO_JOBS", "MIN_PARALLEL", "auto_jobs",
           "can_fork", "cores", "idle_cores", "map_in_order", "plan"]
