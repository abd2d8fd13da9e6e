"""Large captures decoded in a process pool (ssoctl.saml.parallel): the same results, in
the same order, with the same errors, findings, stderr and exit status as the serial
loop; chosen automatically only when idle cores make it pay; nothing left running."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest

from ssoctl.rehearsal import pki, samlgen
from support.captures import (children, har, live_in_group, login_capture, mixed_messages,
                              redirect_requests_har, tracer_export)
from ssoctl.errors import ApiRefusedError, ExitCode, InputError, SsoctlError
from ssoctl.findings import exit_code_for
from ssoctl.saml import parallel
from ssoctl.saml.anchors import from_pems
from ssoctl.saml.checks import Expectations
from ssoctl.saml.options import DecodeOptions
from ssoctl.saml.decode import decode

from conftest import NOW

ROOT = Path(__file__).resolve().parent.parent
EXPECT = Expectations(now=NOW + dt.timedelta(minutes=1), sp_entity_id=samlgen.SP_ENTITY_ID,
                      acs_url=samlgen.ACS_URL, idp_entity_id=samlgen.IDP_ENTITY_ID)
COUNT = 60
needs_fork = pytest.mark.skipif(not parallel.can_fork() or not Path("/proc").is_dir(),
                                reason="needs fork and /proc")


@pytest.fixture(autouse=True)
def forkable(monkeypatch):
    """Other tests of the suite leave server threads running, which (rightly) keeps
    ssoctl serial; these tests are about the parallel path, whose workers touch no lock
    of those threads."""
    monkeypatch.setattr(parallel, "_threads_running", lambda: False)


@pytest.fixture(scope="module")
def capture() -> bytes:
    return har(mixed_messages(COUNT))


@pytest.fixture(scope="module")
def anchors():
    pem = pki.cert_pem(samlgen.default_idp()[1])
    return from_pems([pem], source="--cert okta.pem", now=NOW)


@pytest.fixture
def pools(monkeypatch) -> list:
    """Records the size of every pool started."""
    made = []
    real = parallel._start_pool

    def spy(work, items, procs):
        made.append(procs)
        return real(work, items, procs)

    monkeypatch.setattr(parallel, "_start_pool", spy)
    return made


def no_children() -> bool:
    """This process has no child processes left, not even unreaped ones."""
    return children(os.getpid()) == []


def options(anchors, jobs):
    return DecodeOptions(expect=EXPECT, anchors=anchors, all_entries=True, jobs=jobs)


def same_run(left, right) -> None:
    # input_notes (where a note was made, not part of the output) join input_findings
    assert ([m._replace(input_notes=()) for m in left.messages]
            == [m._replace(input_notes=()) for m in right.messages])
    assert left.input_findings == right.input_findings
    assert left.findings == right.findings
    assert json.dumps(left.to_dict()) == json.dumps(right.to_dict())


def _with(messages: list[bytes], bad: dict[int, bytes]) -> bytes:
    return har([bad.get(i, xml) for i, xml in enumerate(messages)])


# ---------------------------------------------------------------- same results

def test_parallel_results_are_identical_and_in_order(capture, anchors, pools):
    threads = threading.active_count()
    serial = decode(capture, options(anchors, 1))
    assert pools == []  # --jobs 1 never starts a pool
    together = decode(capture, options(anchors, 2))
    assert pools == [2]
    same_run(together, serial)
    assert [m.index for m in together.messages] == list(range(1, COUNT + 1))
    statuses = [m.signature.status for m in together.messages]
    assert statuses.count("failed") == COUNT // 5 and statuses.count("verified") == COUNT * 4 // 5
    codes = {f.code for f in together.findings}
    assert {"SAML_EXPIRED", "SAML_AUDIENCE_MISMATCH"} <= codes
    assert any(f.exit_code == ExitCode.TRUST for f in together.findings)
    # Withheld identity stays withheld: the tampered user never appears.
    assert "admin@example.com" not in json.dumps(together.to_dict())
    # Nothing is left running after the run.
    assert no_children() and threading.active_count() <= threads


def test_more_jobs_than_cores_still_identical(capture, anchors):
    assert decode(capture, options(anchors, 3)).messages == \
        decode(capture, options(anchors, 1)).messages


def test_every_result_pickles(capture, anchors):
    """What the workers send back must survive pickling unchanged."""
    result = decode(capture, options(anchors, 1))
    assert pickle.loads(pickle.dumps(result.messages)) == result.messages


@pytest.mark.parametrize("error", [
    InputError("m", hint="h", code="SAML_NOT_A_MESSAGE"),
    ApiRefusedError("refused", hint="check the token", code="SP_AUTH", status=401)])
def test_errors_pickle_with_code_and_hint(error):
    back = pickle.loads(pickle.dumps(error))
    assert (type(back), back.code, back.message, back.hint, back.exit_code, str(back)) == \
        (type(error), error.code, error.message, error.hint, error.exit_code, str(error))
    assert getattr(back, "status", None) == getattr(error, "status", None)


@pytest.mark.parametrize("make", [
    lambda: login_capture(16),  # exactly 32 messages: requests + responses
    lambda: login_capture(20, bad=0),  # the very first Response cannot be decoded
    lambda: har(mixed_messages(parallel.MIN_PARALLEL + 1))])
def test_json_documents_are_the_same_for_any_jobs(anchors, make):
    """Compact (a pipe) and indented (a terminal) JSON hold the same data either way."""
    from ssoctl.cli.decode_response_work import build_report
    from ssoctl.render import Renderer

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    data = make()
    outs = {}
    for jobs in (1, 2):
        result = decode(data, options(anchors, jobs), label="x.har")
        for stream in (io.StringIO, Tty):
            out = stream()
            status = Renderer(json_output=True, stdout=out).report(
                build_report(result, options(anchors, jobs), human=False))
            outs[jobs, stream] = (status, out.getvalue())
    assert outs[1, io.StringIO] == outs[2, io.StringIO]
    assert outs[1, Tty] == outs[2, Tty]
    assert json.loads(outs[2, Tty][1]) == json.loads(outs[2, io.StringIO][1])


def test_numbered_findings_keep_every_field(capture, anchors):
    """DecodeResult.findings builds the numbered copies field by field (fast): the same
    as dataclasses.replace would, whatever fields Finding has."""
    result = decode(capture, options(anchors, 1))
    expected = list(result.input_findings) + [
        f._replace(message=f"#{m.index}: {f.message}")
        for m in result.messages for f in m.findings]
    assert list(result.findings) == expected and len(expected) > COUNT


# ---------------------------------------------------------------- errors in message order

@pytest.mark.parametrize("jobs", [1, 2, 4])
def test_the_first_error_in_message_order_is_raised(anchors, jobs, pools):
    """Messages 6 and 55 lie in different ranges: the error is message 6's, as in the
    serial loop."""
    messages = mixed_messages(COUNT)
    data = _with(messages, {5: b"<first>x</first>",
                            54: b'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:'
                                b'metadata" entityID="x"/>'})
    with pytest.raises(SsoctlError) as err:
        decode(data, options(anchors, jobs))
    assert (err.value.code, err.value.message, err.value.exit_code) == (
        "SAML_NOT_A_MESSAGE", "the XML root <first> is not a SAML protocol message",
        ExitCode.INPUT)
    assert "SAMLResponse" in err.value.hint
    assert pools == ([] if jobs == 1 else [parallel.plan(COUNT, jobs)])


def test_an_error_only_in_a_worker_range_is_raised_unchanged(anchors):
    messages = mixed_messages(COUNT)
    data = _with(messages, {3: b"<samlp:Response xmlns:samlp='urn:oasis:names:tc:SAML:2.0:"
                               b"protocol'><unclosed>"})
    errors = []
    for jobs in (1, 2):
        with pytest.raises(SsoctlError) as err:
            decode(data, options(anchors, jobs))
        errors.append((type(err.value), err.value.to_dict(), err.value.exit_code))
    assert errors[0] == errors[1]
    assert errors[0][1]["code"] == "XML_MALFORMED" and "SAMLResponse #4" in errors[0][1]["message"]


def test_a_bug_in_a_later_range_does_not_jump_ahead_of_an_earlier_error(anchors, monkeypatch):
    """A bug (not an ssoctl error) in messages 18 on, wherever it is met, does not hide
    the ssoctl error of message 4: ranges are judged in message order, as the serial
    loop meets them. Deterministic: no timing decides which process takes what."""
    from ssoctl.saml import decode as decode_module

    data = _with(mixed_messages(COUNT), {3: b"<first>x</first>"})  # message 4: exit 3
    real = decode_module.decode_message
    hit = []

    def buggy(msg, opts):
        if msg.index > 17:
            hit.append(msg.index)
            raise RuntimeError("a bug")
        return real(msg, opts)

    monkeypatch.setattr(decode_module, "decode_message", buggy)
    for jobs in (1, 2):
        with pytest.raises(SsoctlError) as err:
            decode(data, options(anchors, jobs))
        assert err.value.code == "SAML_NOT_A_MESSAGE"
    monkeypatch.undo()
    # ...and the bug itself, alone, keeps its real traceback in this process.
    monkeypatch.setattr(decode_module, "decode_message", buggy)
    with pytest.raises(RuntimeError, match="a bug"):
        decode(har(mixed_messages(COUNT)), options(anchors, 2))
    assert no_children()


# ---------------------------------------------------------------- when to go parallel

def test_plan_for_given_jobs():
    assert parallel.plan(1000, 1) == 1
    assert parallel.plan(parallel.MIN_PARALLEL - 1, 4) == 1
    assert parallel.plan(parallel.MIN_PARALLEL, 2) == 2
    # Never more processes than there are ranges to hand out.
    assert parallel.plan(parallel.MIN_PARALLEL, 64) == -(-parallel.MIN_PARALLEL // parallel.CHUNK)


@pytest.mark.parametrize("cores, load, expected", [
    (1, 0.0, 1),    # one core: never a pool
    (2, 0.0, 2),    # two idle cores
    (2, 0.5, 1),    # a busy two-core machine: 1.5 idle cores is not two
    (2, 1.7, 1),
    (8, 3.2, 4),    # four idle cores
    (16, 0.0, parallel.MAX_AUTO_JOBS),
    (4, 9.0, 1),    # overloaded
])
def test_automatic_jobs_follow_the_idle_cores(monkeypatch, cores, load, expected):
    monkeypatch.setattr(parallel, "cores", lambda: cores)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert parallel.auto_jobs() == expected
    assert parallel.plan(1000, None) == expected
    assert parallel.plan(parallel.AUTO_MIN_ITEMS - 1, None) == 1  # too small to pay
    assert parallel.plan(1000, 3) == 3  # asked for: honoured, whatever the load


def test_serial_where_forking_is_unsafe(monkeypatch):
    assert parallel.plan(1000, 4) == 4
    monkeypatch.setattr(sys, "platform", "darwin")
    assert parallel.plan(1000, 4) == 1
    monkeypatch.undo()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert parallel._threads_running()
        assert parallel.plan(1000, 4) == 1  # another thread runs: forking could deadlock
    finally:
        stop.set()
        thread.join()


def test_small_inputs_stay_serial(anchors, pools):
    data = har(mixed_messages(parallel.MIN_PARALLEL - 1))
    result = decode(data, options(anchors, 4))
    assert pools == [] and len(result.messages) == parallel.MIN_PARALLEL - 1


# ---------------------------------------------------------------- workers: warm, stopped

@pytest.mark.parametrize("shape", ["responses", "login session"])
def test_workers_start_warm(capture, anchors, monkeypatch, shape):
    """One-time costs (importing signxml, its configuration, loading the trusted
    certificate, describing the IdP certificate) are paid once, before the workers fork:
    a worker's first message finds them done -- also when the capture starts with an
    AuthnRequest, which needs none of it."""
    if shape == "login session":
        capture = login_capture(20)
    from ssoctl import xmlsig
    from ssoctl.saml import decode as decode_module, verify

    real = decode_module.decode_message
    parent = os.getpid()
    caches = (xmlsig.signxml_config, verify._load_trusted_cached, verify._describe_b64)
    for cache in caches:
        cache.cache_clear()

    def checked(msg, opts):
        if os.getpid() != parent:
            cold = [c.__name__ for c in caches if c.cache_info().currsize == 0]
            if cold or "signxml" not in sys.modules:
                raise InputError(f"cold in worker: {cold}", code="COLD")
        return real(msg, opts)

    monkeypatch.setattr(decode_module, "decode_message", checked)
    assert len(decode(capture, options(anchors, 2)).messages) in (COUNT, 40)


@needs_fork
def test_unsigned_capture_without_anchor_never_imports_signxml(tmp_path):
    """The fast path (no signature, no anchor) stays free of signxml when a large capture
    is decoded in parallel too: neither this process nor the workers need it."""
    path = tmp_path / "unsigned.har"
    path.write_bytes(har([samlgen.response(now=NOW, sign="none")] * 40))
    code = (
        "import os, sys, datetime as dt\n"
        "from ssoctl.saml import decode as module, parallel\n"
        "from ssoctl.saml.options import DecodeOptions\n"
        "from ssoctl.saml.decode import decode\n"
        "from ssoctl.saml.checks import Expectations\n"
        "real, parent = module.decode_message, os.getpid()\n"
        "def check(msg, options):\n"
        "    if os.getpid() != parent:\n"
        "        assert 'signxml' not in sys.modules, 'signxml in a worker'\n"
        "        open(sys.argv[1], 'a').write('w')\n"
        "    return real(msg, options)\n"
        "module.decode_message = check\n"
        "now = dt.datetime(2026, 6, 1, 12, tzinfo=dt.timezone.utc)\n"
        f"data = open({str(path)!r}, 'rb').read()\n"
        "opts = DecodeOptions(expect=Expectations(now=now), all_entries=True, jobs=2)\n"
        "assert parallel.plan(40, 2) == 2\n"
        "r = decode(data, opts)\n"
        "print(len(r.messages), {str(m.signature.status) for m in r.messages},\n"
        "      'signxml' in sys.modules)\n")
    marker = tmp_path / "worker-decoded"
    out = subprocess.run([sys.executable, "-c", code, str(marker)], capture_output=True,
                         text=True, timeout=120, check=True, cwd=ROOT).stdout
    assert out.strip() == "40 {'failed'} False"
    assert marker.read_text().count("w") > 0  # a worker did decode messages


def test_a_killed_worker_costs_time_not_results(capture, anchors, monkeypatch):
    """A worker that dies (out of memory, killed): its ranges are decoded here."""
    from ssoctl.saml import decode as decode_module

    real = decode_module.decode_message
    parent = os.getpid()

    def dies_in_worker(msg, opts):
        if os.getpid() != parent:
            os._exit(9)
        return real(msg, opts)

    monkeypatch.setattr(decode_module, "decode_message", dies_in_worker)
    assert decode(capture, options(anchors, 2)).messages == \
        decode(capture, options(anchors, 1)).messages
    assert no_children()


def test_a_worker_failing_unexpectedly_costs_time_not_results(capture, anchors, monkeypatch):
    """A bug that shows only in a worker (any exception that is not an ssoctl error):
    that range is decoded here, where the same bug would raise normally."""
    from ssoctl.saml import decode as decode_module

    real = decode_module.decode_message
    parent = os.getpid()

    def fails_in_worker(msg, opts):
        if os.getpid() != parent and msg.index > 20:
            raise RuntimeError("only in a worker")
        return real(msg, opts)

    monkeypatch.setattr(decode_module, "decode_message", fails_in_worker)
    assert decode(capture, options(anchors, 3)).messages == \
        decode(capture, options(anchors, 1)).messages
    assert no_children()


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_here_stops_the_workers(capture, anchors, monkeypatch, presses):
    """Ctrl-C (once, or twice: people press it twice) reaching this process while the
    workers decode: KeyboardInterrupt for the error boundary (exit 130), and no worker
    or thread is left behind."""
    from ssoctl.saml import decode as decode_module

    real = decode_module.decode_message
    parent = os.getpid()

    def interrupting(msg, opts):
        if os.getpid() != parent and msg.index == 20:
            for _ in range(presses):
                os.kill(parent, signal.SIGINT)
        return real(msg, opts)

    monkeypatch.setattr(decode_module, "decode_message", interrupting)
    threads = threading.active_count()
    with pytest.raises(KeyboardInterrupt):
        decode(capture, options(anchors, 2))
        time.sleep(5)  # the signal is on its way: never reached
    assert no_children() and threading.active_count() <= threads


@needs_fork
def test_ctrl_c_exits_130_without_tracebacks(tmp_path):
    """A real SIGINT to the whole process group (what Ctrl-C does) during a parallel run:
    exit 130, one line on stderr, no worker tracebacks."""
    path = tmp_path / "big.har"
    path.write_bytes(har([samlgen.response(now=NOW)] * 600))  # about 9 MB
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ssoctl", "decode-response", str(path), "--all", "--json",
         "--jobs", "2", "--now", "2026-06-01T12:01:00Z"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    deadline = time.monotonic() + 20
    while not children(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert children(proc.pid), "the workers never started"
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == ExitCode.INTERRUPTED, err.decode()
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err
    assert err.decode().strip() == "interrupted"


@needs_fork
def test_workers_die_with_a_killed_parent(tmp_path):
    """A parent killed (SIGKILL from a timeout, the OOM killer) leaves no worker decoding
    for nobody and holding the caller's pipes open."""
    path = tmp_path / "big.har"
    path.write_bytes(har([samlgen.response(now=NOW)] * 600))
    env = dict(os.environ, NO_COLOR="1", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "ssoctl", "decode-response", str(path), "--all", "--json",
         "--jobs", "2", "--now", "2026-06-01T12:01:00Z"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while not children(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert children(proc.pid), "the workers never started"
        proc.kill()  # the parent only, as subprocess.run(timeout=...) does
        proc.wait()
        deadline = time.monotonic() + 10 * parallel.PARENT_CHECK
        while live_in_group(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live_in_group(proc.pid) == []
    finally:
        for pid in live_in_group(proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# ---------------------------------------------------------------- set-up failures

@pytest.mark.parametrize("failure", ["no-pipe", "fork-refused"])
def test_a_pool_that_cannot_start_means_decoding_here(capture, anchors, monkeypatch, failure):
    """Out of file descriptors, or no further process allowed: the serial run, and no
    process left behind. (A pool whose fork is refused keeps its own four pipe ends
    until the process exits: the standard library has no public way to close them. One
    run is one process, so that is bounded.)"""
    import errno

    serial = decode(capture, options(anchors, 1))
    before = sorted(os.listdir("/proc/self/fd"))
    if failure == "no-pipe":
        def refused(*args):
            raise OSError(errno.EMFILE, "Too many open files")
        monkeypatch.setattr(os, "pipe", refused)
    else:
        def refused():
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        monkeypatch.setattr(os, "fork", refused)
    together = decode(capture, options(anchors, 2))
    monkeypatch.undo()
    assert together.messages == serial.messages
    assert len(os.listdir("/proc/self/fd")) <= len(before) + (4 if failure == "fork-refused" else 0)
    assert no_children()


def test_no_descriptor_is_left_open_by_a_parallel_run(anchors):
    data = har(mixed_messages(48))
    decode(data, options(anchors, 2))
    before = sorted(os.listdir("/proc/self/fd"))
    for jobs in (2, 3):
        decode(data, options(anchors, jobs))
    assert sorted(os.listdir("/proc/self/fd")) == before
    assert no_children()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_cycle_collector_is_left_as_it_was(capture, anchors, enabled):
    import gc

    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        decode(capture, options(anchors, 2))
        assert gc.isenabled() is enabled and gc.get_freeze_count() == 0
    finally:
        gc.enable() if was else gc.disable()


# ---------------------------------------------------------------- deferred decoding
# With --all on a large capture, each SAMLResponse value is decoded by the process that
# checks it (binding.complete).

def test_deferred_decoding_gives_the_same_results(anchors, monkeypatch):
    from ssoctl.saml import binding

    data = login_capture(20)  # 40 messages: requests and responses, interleaved
    asked, completed = [], []
    real_input, real_complete = binding.decode_input, binding.complete

    def input_spy(*args, **kwargs):
        asked.append(kwargs.get("defer_from"))
        return real_input(*args, **kwargs)

    def complete_spy(msg):
        completed.append(msg.index)
        return real_complete(msg)

    monkeypatch.setattr(binding, "decode_input", input_spy)
    monkeypatch.setattr(binding, "complete", complete_spy)
    together = decode(data, options(anchors, 2))
    assert asked == [parallel.MIN_PARALLEL]  # deferred, and no second attempt needed
    serial = decode(data, options(anchors, 1))
    assert asked[1:] == [None]  # --jobs 1: the plain way
    same_run(together, serial)
    # Only Responses (even message numbers) were left for the checking process.
    assert all(i % 2 == 0 for i in completed)
    codes = [f.code for f in together.input_findings]
    assert "BINDING_RELAY_STATE" in codes and "BINDING_HAR_SECRETS" not in codes
    assert sum("SAML_IDP_INITIATED" == f.code for f in together.findings) == 6


def test_an_undecodable_response_falls_back_to_the_plain_way(anchors):
    """Decoding up front skips an undecodable value and numbers the rest without it:
    the deferred attempt notices and starts again the plain way."""
    from ssoctl.saml import binding

    data = login_capture(20, bad=6)
    with pytest.raises(binding.DeferredFailed):
        binding.complete(binding.decode_input(data, defer_from=2).messages[13])
    together = decode(data, options(anchors, 2))
    serial = decode(data, options(anchors, 1))
    same_run(together, serial)
    assert together.messages_found == 39
    assert any(f.code == "BINDING_MESSAGE_SKIPPED" for f in together.input_findings)


def test_decode_input_defers_only_responses_and_complete_matches():
    from ssoctl.saml import binding

    data = login_capture(3)
    plain = binding.decode_input(data, label="c.har")
    deferred = binding.decode_input(data, label="c.har", defer_from=2)
    assert deferred.deferred and not plain.deferred
    assert [m.pending is not None for m in deferred.messages] == [False, True] * 3
    assert all(m.xml == b"" for m in deferred.messages if m.pending)
    done = [binding.complete(m) for m in deferred.messages]
    strip = [m._replace(notes=()) for m in done]
    assert strip == list(plain.messages)
    notes = binding.unique_notes([*deferred.findings, *(n for m in done for n in m.notes)])
    assert notes == list(plain.findings)
    # Fewer messages than defer_from: nothing deferred.
    assert not binding.decode_input(data, label="c.har", defer_from=7).deferred


# A capture of >= 32 messages with no pending SAMLResponse once lost every per-message
# input note (RelayState, redirect not deflated, ...) when decoded in parallel.
@pytest.mark.parametrize("make, code", [
    (redirect_requests_har, "BINDING_REDIRECT_NOT_DEFLATED"),
    (tracer_export, "BINDING_RELAY_STATE")])
def test_capture_without_pending_responses_keeps_its_input_notes(anchors, make, code):
    data = make(parallel.MIN_PARALLEL + 8)
    serial = decode(data, options(anchors, 1))
    together = decode(data, options(anchors, 2))
    assert code in {f.code for f in serial.input_findings}  # the note exists at all
    assert together.input_findings == serial.input_findings


def test_strict_exit_status_does_not_depend_on_jobs(anchors):
    data = redirect_requests_har(parallel.MIN_PARALLEL + 8)
    statuses = [exit_code_for(decode(data, options(anchors, jobs)).findings, strict=True)
                for jobs in (1, None, 2)]
    assert statuses[0] == 1 and len(set(statuses)) == 1, statuses


# ---------------------------------------------------------------- the whole program

def _odd_certificate():
    """A certificate whose subject has a 3-letter country: cryptography warns
    (UserWarning) whenever its subject is read."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    key = pki.cached_rsa_key("review-odd-subject")
    with warnings.catch_warnings():  # the warning this test is about, not while making it
        warnings.simplefilter("ignore")
        name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "DEU", _validate=False),
                          x509.NameAttribute(NameOID.COMMON_NAME, "odd idp")])
        return key, pki.certificate(key, name)


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "ssoctl", *args], capture_output=True,
                          env=env, timeout=120, cwd=ROOT)


@needs_fork
def test_stdout_stderr_and_status_do_not_depend_on_jobs(tmp_path):
    """Including a library warning met while decoding (cryptography's, about a signing
    certificate's subject): hidden in every process, never repeated per worker."""
    key, cert = _odd_certificate()
    messages = [samlgen.response(now=NOW, name_id="first@example.com", sign="none")] + [
        samlgen.response(now=NOW, key=key, cert=cert, name_id=f"u{i}@example.com")
        for i in range(parallel.MIN_PARALLEL + 8)]
    path = tmp_path / "capture.har"
    path.write_bytes(har(messages))
    runs = [_run_cli("decode-response", str(path), "--all", "--json", "--now",
                     "2026-06-01T12:01:00Z", "--jobs", jobs) for jobs in ("1", "2")]
    assert runs[0].stdout == runs[1].stdout and runs[0].returncode == runs[1].returncode
    assert runs[0].stderr == runs[1].stderr == b""


def test_a_certificate_with_an_odd_subject_prints_no_python_warning(tmp_path):
    path = tmp_path / "odd.pem"
    path.write_text(pki.cert_pem(_odd_certificate()[1]))
    run = _run_cli("check-cert", str(path), "--now", "2026-06-01T12:01:00Z")
    assert run.returncode == 0
    assert b"Warning" not in run.stderr, run.stderr.decode()
    debug = _run_cli("--debug", "check-cert", str(path), "--now", "2026-06-01T12:01:00Z")
    assert b"UserWarning" in debug.stderr  # --debug shows it


def test_closed_reader_is_quiet(tmp_path):
    """``ssoctl decode-response --all big.har | head -c 10``: nothing on stderr; the status
    is the report's (4: tampered messages) or 0 when the pipe broke while writing."""
    data = json.loads(har(mixed_messages(12)))
    data["log"]["entries"] = data["log"]["entries"] * 15  # 180 messages
    big = tmp_path / "big.har"
    big.write_text(json.dumps(data))
    env = dict(os.environ, NO_COLOR="1", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "ssoctl", "decode-response", str(big),
                             "--all", "-j", "1", "--now", "2026-06-01T12:01:00Z"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    assert len(proc.stdout.read(10)) == 10
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) in (0, 4), err
    assert err == b""
