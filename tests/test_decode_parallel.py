"""Large captures decoded in worker processes (ssoctl.saml.parallel): the same results, in
the same order, with the same errors, as the serial loop."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from ssoctl.rehearsal import pki, samlgen
from ssoctl.errors import ApiRefusedError, ExitCode, InputError, SsoctlError
from ssoctl.saml import parallel
from ssoctl.saml.anchors import from_pems
from ssoctl.saml.checks import Expectations
from ssoctl.saml.decode import DecodeOptions, decode

from conftest import NOW

ROOT = Path(__file__).resolve().parent.parent
EXPECT = Expectations(now=NOW + dt.timedelta(minutes=1), sp_entity_id=samlgen.SP_ENTITY_ID,
                      acs_url=samlgen.ACS_URL, idp_entity_id=samlgen.IDP_ENTITY_ID)
COUNT = 60


def har(messages: list[bytes]) -> bytes:
    """A browser-style HAR: one POST of a SAMLResponse to the ACS per message."""
    entries = []
    for i, xml in enumerate(messages):
        value = quote(base64.b64encode(xml).decode("ascii"), safe="")
        when = (NOW + dt.timedelta(seconds=i)).isoformat().replace("+00:00", "Z")
        entries.append({
            "startedDateTime": when, "time": 40,
            "request": {"method": "POST", "url": samlgen.ACS_URL, "headers": [],
                        "queryString": [], "cookies": [],
                        "postData": {"mimeType": "application/x-www-form-urlencoded",
                                     "text": f"SAMLResponse={value}",
                                     "params": [{"name": "SAMLResponse", "value": value}]}},
            "response": {"status": 302, "headers": [], "cookies": [],
                         "content": {"size": 0, "mimeType": "text/plain"}}})
    return json.dumps({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"},
                               "entries": entries}}).encode()


def mixed_messages(count: int = COUNT) -> list[bytes]:
    """Good (assertion- and response-signed), tampered (exit 4), expired (exit 1) and
    wrong-audience responses, interleaved, each for another user."""
    out = []
    for i in range(count):
        user = f"user{i}@example.com"
        kind = i % 5
        if kind == 0:
            out.append(samlgen.response(now=NOW, name_id=user))
        elif kind == 1:
            out.append(samlgen.response(now=NOW, name_id=user, sign="response"))
        elif kind == 2:  # changed after signing
            out.append(samlgen.response(now=NOW, name_id=user).replace(
                user.encode(), b"admin@example.com"))
        elif kind == 3:  # issued an hour before --now: expired
            out.append(samlgen.response(now=NOW - dt.timedelta(hours=1), name_id=user))
        else:
            out.append(samlgen.response(now=NOW, name_id=user, audience="https://wrong.example"))
    return out


@pytest.fixture(autouse=True)
def forkable(monkeypatch):
    """Other tests of the suite leave server threads running, which (rightly) keeps
    ssoctl serial; these tests are about the parallel path, whose workers touch no lock
    of those threads."""
    monkeypatch.setattr(parallel, "_threads_running", lambda: False)


@pytest.fixture(scope="module")
def capture() -> bytes:
    return har(mixed_messages())


@pytest.fixture(scope="module")
def anchors():
    pem = pki.cert_pem(samlgen.default_idp()[1])
    return from_pems([pem], source="--cert okta.pem", now=NOW)


@pytest.fixture
def pools(monkeypatch) -> list:
    """Records every worker forked (one entry per worker)."""
    made = []
    real = parallel._spawn

    def spy(work):
        made.append(1)
        return real(work)

    monkeypatch.setattr(parallel, "_spawn", spy)
    return made


def no_children() -> bool:
    """This process has no child processes left, not even unreaped ones."""
    return _children(os.getpid()) == []


def options(anchors, jobs):
    return DecodeOptions(expect=EXPECT, anchors=anchors, all_entries=True, jobs=jobs)


def test_parallel_results_are_identical_and_in_order(capture, anchors, pools):
    threads = threading.active_count()
    serial = decode(capture, options(anchors, 1))
    assert pools == []  # --jobs 1 never starts a worker
    together = decode(capture, options(anchors, 2))
    assert pools == [1]  # jobs=2: one worker and this process
    assert together.messages == serial.messages
    assert [m.index for m in together.messages] == list(range(1, COUNT + 1))
    assert together.findings == serial.findings
    assert json.dumps(together.to_dict()) == json.dumps(serial.to_dict())
    statuses = [m.signature.status for m in together.messages]
    assert statuses.count("failed") == COUNT // 5 and statuses.count("verified") == COUNT * 4 // 5
    codes = {f.code for f in together.findings}
    assert {"SAML_EXPIRED", "SAML_AUDIENCE_MISMATCH"} <= codes
    assert any(f.exit_code == ExitCode.TRUST for f in together.findings)
    # Withheld identity stays withheld: the tampered user never appears.
    assert "admin@example.com" not in json.dumps(together.to_dict())
    # Nothing is left running after the run.
    assert no_children() and threading.active_count() == threads


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


def _with(messages: list[bytes], bad: dict[int, bytes]) -> bytes:
    return har([bad.get(i, xml) for i, xml in enumerate(messages)])


@pytest.mark.parametrize("jobs", [1, 2, 4])
def test_the_first_error_in_message_order_is_raised(anchors, jobs, pools):
    """Message 6 lies in a worker's range, message 55 in this process's: the error is
    message 6's, as in the serial loop."""
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
    assert len(pools) == (0 if jobs == 1 else parallel.plan(COUNT, jobs) - 1)


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


def test_small_inputs_stay_serial(anchors, pools):
    data = har(mixed_messages(parallel.MIN_PARALLEL - 1))
    result = decode(data, options(anchors, 4))
    assert pools == [] and len(result.messages) == parallel.MIN_PARALLEL - 1
    assert result.message_json is None  # built on demand, as always


def test_plan():
    assert parallel.plan(1000, 1) == 1
    assert parallel.plan(parallel.MIN_PARALLEL - 1, 4) == 1
    assert parallel.plan(parallel.MIN_PARALLEL, 2) == 2
    assert parallel.plan(1000, None) == parallel.auto_jobs()
    assert 1 <= parallel.auto_jobs() <= parallel.MAX_AUTO_JOBS
    # Never more processes than there are ranges to hand out.
    assert parallel.plan(parallel.MIN_PARALLEL, 64) == -(-parallel.MIN_PARALLEL // parallel.CHUNK)


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


def test_interrupt_in_this_process_stops_cleanly(capture, anchors, monkeypatch):
    """Ctrl-C while this process decodes its share: KeyboardInterrupt reaches the error
    boundary (exit 130) and no worker is left behind."""
    from ssoctl.saml import decode as decode_module

    real = decode_module.decode_message
    parent = os.getpid()

    def interrupted(msg, opts):
        if os.getpid() == parent and msg.index > 1:  # message 1 is decoded before forking
            raise KeyboardInterrupt
        return real(msg, opts)

    monkeypatch.setattr(decode_module, "decode_message", interrupted)
    threads = threading.active_count()
    with pytest.raises(KeyboardInterrupt):
        decode(capture, options(anchors, 2))
    assert no_children() and threading.active_count() == threads
    assert parallel._JOB is None


@pytest.mark.parametrize("shape", ["responses", "login session"])
def test_workers_start_warm(capture, anchors, monkeypatch, shape):
    """One-time costs (importing signxml, its configuration, loading the trusted
    certificate, describing the IdP certificate) are paid once, before the workers fork:
    a worker's first message finds them done -- also when the capture starts with an
    AuthnRequest, which needs none of it."""
    if shape == "login session":
        capture = login_capture(20)
    from ssoctl.saml import decode as decode_module, verify

    real = decode_module.decode_message
    parent = os.getpid()
    caches = (verify._config, verify._verifier_class, verify._load_trusted_cached,
              verify._describe_b64)
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


@pytest.mark.skipif(not parallel.can_fork(), reason="needs fork")
def test_unsigned_capture_without_anchor_never_imports_signxml(tmp_path):
    """The fast path (no signature, no anchor) stays free of signxml when a large capture
    is decoded in parallel too: neither this process nor the workers need it."""
    path = tmp_path / "unsigned.har"
    path.write_bytes(har([samlgen.response(now=NOW, sign="none")] * 40))
    code = (
        "import os, sys, datetime as dt\n"
        "from ssoctl.saml import decode as module, parallel\n"
        "from ssoctl.saml.decode import DecodeOptions, decode\n"
        "from ssoctl.saml.checks import Expectations\n"
        "real, parent = module.decode_message, os.getpid()\n"
        "def check(msg, opts):\n"
        "    if os.getpid() != parent:\n"
        "        assert 'signxml' not in sys.modules, 'signxml in a worker'\n"
        "        open(sys.argv[1], 'a').write('w')\n"
        "    return real(msg, opts)\n"
        "module.decode_message = check\n"
        "now = dt.datetime(2026, 6, 1, 12, tzinfo=dt.timezone.utc)\n"
        f"data = open({str(path)!r}, 'rb').read()\n"
        "opts = DecodeOptions(expect=Expectations(now=now), all_entries=True, jobs=2)\n"
        "assert parallel.plan(40, 2) == 2\n"
        "r = decode(data, opts)\n"
        "print(len(r.messages), {m.signature.status for m in r.messages},\n"
        "      'signxml' in sys.modules)\n")
    marker = tmp_path / "worker-decoded"
    out = subprocess.run([sys.executable, "-c", code, str(marker)], capture_output=True,
                         text=True, timeout=120, check=True, cwd=ROOT).stdout
    assert out.strip() == "40 {'failed'} False"
    assert marker.read_text().count("w") > 0  # a worker did decode messages


def test_a_killed_worker_share_is_decoded_here(capture, anchors, monkeypatch):
    """A worker that dies (out of memory, killed) costs time, not results."""
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


@pytest.mark.skipif(not parallel.can_fork(), reason="needs fork")
def test_ctrl_c_exits_130_without_tracebacks(tmp_path):
    """A real SIGINT to the whole process group (what Ctrl-C does) during a parallel run:
    exit 130, one line on stderr, no worker tracebacks."""
    message = samlgen.response(now=NOW)
    path = tmp_path / "big.har"
    path.write_bytes(har([message] * 600))  # about 9 MB, half a second of work
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ssoctl", "decode-response", str(path), "--all", "--json",
         "--jobs", "2", "--now", "2026-06-01T12:01:00Z"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    deadline = time.monotonic() + 20
    while not _children(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _children(proc.pid), "the workers never started"
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == ExitCode.INTERRUPTED, err.decode()
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err
    assert err.decode().strip() == "interrupted"


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def test_a_worker_failing_unexpectedly_costs_time_not_results(capture, anchors, monkeypatch):
    """A bug that shows only in a worker (here: any exception that is not an ssoctl
    error) ends that worker; its ranges are decoded here, where the same bug would raise
    normally."""
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


def test_a_worker_share_cut_short_is_decoded_here(capture, anchors, monkeypatch):
    """A worker killed while writing a result leaves a record cut short: that range and
    any after it count as not reported."""
    real = parallel._worker

    def cut_short(tickets, ranges, out, parent):
        real(tickets, ranges, out, parent)
        out.seek(0, os.SEEK_END)
        out.truncate(out.tell() - 7)

    monkeypatch.setattr(parallel, "_worker", cut_short)
    assert decode(capture, options(anchors, 2)).messages == \
        decode(capture, options(anchors, 1)).messages


def test_ranges_stay_few_enough_for_the_pipe():
    assert parallel._ranges(1, 1000)[:2] == [(1, 17), (17, 33)]
    huge = parallel._ranges(1, 200_001)
    assert len(huge) <= parallel.MAX_RANGES
    assert huge[0][0] == 1 and huge[-1][1] == 200_001
    assert all(a[1] == b[0] for a, b in zip(huge, huge[1:]))


@pytest.mark.parametrize("enabled", [True, False])
def test_the_cycle_collector_is_left_as_it_was(capture, anchors, enabled):
    import gc

    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        decode(capture, options(anchors, 2))
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


# -- deferred decoding: with --all on a large capture decoded in parallel, each
# SAMLResponse value is decoded by the process that checks it (binding.complete).

def login_capture(count: int, *, bad: int | None = None) -> bytes:
    """A browser session of ``count`` logins: the SP's redirect with a deflated
    AuthnRequest and a RelayState, then Okta's POST of the Response answering it (every
    third one IdP-initiated), some with a received copy in an HTML form. ``bad``: the
    Response of that login is cut off (its base64 cannot be decoded)."""
    import zlib

    entries = []
    for i in range(count):
        when = NOW + dt.timedelta(seconds=2 * i)
        stamp = when.isoformat().replace("+00:00", "Z")
        request_id = f"_req{i:04d}"
        raw = zlib.compressobj(wbits=-15)
        deflated = raw.compress(samlgen.authn_request(now=NOW, id=request_id)) + raw.flush()
        query = (f"SAMLRequest={quote(base64.b64encode(deflated).decode(), safe='')}"
                 f"&RelayState=state{i}")
        entries.append({
            "startedDateTime": stamp, "time": 10,
            "request": {"method": "GET", "url": f"{samlgen.SSO_URL}?{query}", "headers": [],
                        "queryString": [], "cookies": []},
            "response": {"status": 200, "headers": [], "cookies": [],
                         "content": {"size": 0, "mimeType": "text/html"}}})
        answer = None if i % 3 == 2 else request_id
        xml = samlgen.response(now=NOW, name_id=f"user{i}@example.com", in_response_to=answer)
        value = quote(base64.b64encode(xml).decode("ascii"), safe="")
        if i == bad:
            value = value[:-9]
        entries.append({
            "startedDateTime": stamp.replace("Z", ".5Z") if "." not in stamp else stamp,
            "time": 40,
            "request": {"method": "POST", "url": samlgen.ACS_URL, "headers": [],
                        "queryString": [], "cookies": [],
                        "postData": {"mimeType": "application/x-www-form-urlencoded",
                                     "text": f"SAMLResponse={value}&RelayState=state{i}",
                                     "params": [{"name": "SAMLResponse", "value": value},
                                                {"name": "RelayState",
                                                 "value": f"state{i}"}]}},
            "response": {"status": 302, "headers": [], "cookies": [],
                         "content": {"size": 0, "mimeType": "text/plain"}}})
    return json.dumps({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"},
                               "entries": entries}}).encode()


def same_run(left, right) -> None:
    assert left.messages == right.messages
    assert left.input_findings == right.input_findings
    assert left.findings == right.findings
    assert json.dumps(left.to_dict()) == json.dumps(right.to_dict())


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
    # Only Responses (even message numbers) were left for the checking process; which
    # of them this process (rather than the worker) decoded depends on timing.
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
    strip = [dataclasses.replace(m, notes=()) for m in done]
    assert strip == list(plain.messages)
    notes = binding.unique_notes([*deferred.findings, *(n for m in done for n in m.notes)])
    assert notes == list(plain.findings)
    # Fewer messages than defer_from: nothing deferred.
    assert not binding.decode_input(data, label="c.har", defer_from=7).deferred


def test_numbered_findings_keep_every_field(capture, anchors):
    """DecodeResult.findings builds the numbered copies field by field (fast): the same
    as dataclasses.replace would, whatever fields Finding has."""
    result = decode(capture, options(anchors, 1))
    expected = list(result.input_findings) + [
        dataclasses.replace(f, message=f"#{m.index}: {f.message}")
        for m in result.messages for f in m.findings]
    assert list(result.findings) == expected and len(expected) > COUNT


def test_no_pipe_means_decoding_here(capture, anchors, monkeypatch, pools):
    """Out of file descriptors before anything started: the run is the serial one."""
    import errno

    def no_pipe():
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(os, "pipe", no_pipe)
    result = decode(capture, options(anchors, 2))
    assert pools == [] and result.message_json is None
    monkeypatch.undo()
    assert result.messages == decode(capture, options(anchors, 1)).messages


def test_an_unexpected_error_here_is_raised_in_message_order(anchors, monkeypatch):
    """A bug met while this process decodes its own share does not jump ahead of an
    ssoctl error in an earlier message (decoded by a worker): as in the serial loop."""
    from ssoctl.saml import decode as decode_module

    messages = mixed_messages(COUNT)
    data = _with(messages, {3: b"<first>x</first>"})  # message 4: exit 3
    real, parent = decode_module.decode_message, os.getpid()
    hit: list[int] = []

    def buggy_here(msg, opts):
        if os.getpid() != parent and msg.index == 3:
            time.sleep(0.5)  # the worker holds range 0 (messages 2-17) a while
        if os.getpid() == parent and msg.index > 17:
            hit.append(msg.index)
            raise RuntimeError("a bug")
        return real(msg, opts)

    real_take = parallel._take

    def take(tickets):
        if os.getpid() == parent and not hit:
            time.sleep(0.1)  # let the worker take range 0 first
        return real_take(tickets)

    monkeypatch.setattr(decode_module, "decode_message", buggy_here)
    monkeypatch.setattr(parallel, "_take", take)
    with pytest.raises(SsoctlError) as err:
        decode(data, options(anchors, 2))
    assert err.value.code == "SAML_NOT_A_MESSAGE"
    assert hit, "this process never met the bug: the test proved nothing"
