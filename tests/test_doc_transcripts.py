"""Docs that are run: every ``$ ssoctl …`` transcript in README.md and docs/ is executed and
compared with what the page shows, and every ``--help`` block with the real help.

How a page is read:

* A fenced block holding lines that start with ``$ `` is a transcript. A command ends at a
  line not ending in ``\\``; its expected output is every line up to the next ``$ `` line or
  the end of the block.
* Output may be elided only where marked: a line that is ``…``, ``...`` or ``[...]`` stands
  for any number of lines (none included). Nothing else is skipped.
* ``<!-- transcript: skip (why) -->`` on the line before a block leaves that block out
  (used sparingly: the reason is part of the marker).

How it is run: in a fresh temporary directory per page (with ``fixtures/`` linked in, so
relative paths in the docs work and nothing is written into the checkout), one bash per
page fed one command at a time, as a reader types them into one terminal (variables,
``export`` and ``eval`` carry over), ``ssoctl`` being this checkout's ``python -m ssoctl``,
with ``COLUMNS=100``, ``NO_COLOR=1`` and no user configuration. ``/tmp/demo`` in a page is
that page's own folder. A page that talks to the fake SP (``127.0.0.1:8088``) gets one,
started on a free port; the port in the output is written back as 8088. Trailing spaces
and trailing blank lines do not count.

A page that talks to the Okta stand-in (``127.0.0.1:8089``, the port ``ssoctl rehearse
okta`` listens on) gets one too, https when the page says ``https://127.0.0.1:8089``, port
written back as 8089. It is the org ``ssoctl rehearse okta`` serves (:func:`seed_demo`),
made repeatable: a fixed seed for every id, key id, serial number and RSA key, and a clock
standing at ``OKTA_NOW`` (the pages pass the same instant to ssoctl with ``--now``).
Its token is in ``rehearsal.token`` and its CA in ``rehearsal-ca.pem``, as if the reader
had run ``ssoctl rehearse okta --tls --token-file rehearsal.token`` in another terminal.
A page that shows that command itself (``$ ssoctl rehearse okta …``, a server that runs
until Ctrl-C) has it run for real on a free port, its start-up report compared and then
stopped with Ctrl-C; the repeatable org then takes over the token file and the CA file
that command wrote, so the page's later commands work as the reader's would. ``$ ssoctl
rehearse sp`` is run the same way, the harness's fake SP (same token) serving the page
after it.

``SSOCTL_UPDATE_TRANSCRIPTS=1`` rewrites failing pages with the real output, keeping the
page's excerpts as excerpts with every gap marked (review the diff before committing it).
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import re
import shlex
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
ELISION = {"…", "...", "[...]"}
SKIP = re.compile(r"<!--\s*transcript:\s*skip\b[^>]*-->")
#: ``<!-- transcript: before: CMD; CMD -->``: run these first (state the page describes in
#: words, e.g. "after the push above"); their output is not compared.
BEFORE = re.compile(r"<!--\s*transcript:\s*before:\s*(.*?)\s*-->")
FAKE_PORT = "8088"
#: The fake SP's credentials in the docs (docs/sp-api.md: the rehearsal token).
DOC_TOKEN_ID = "token-DEMO01"
DOC_TOKEN = "6f1c2a9e-demo-0000-token"
#: The home folder the pages show (``/home/you/.config/ssoctl/config.toml``).
DOC_HOME = "/home/you"
#: The Okta stand-in: its port in the docs (``ssoctl rehearse okta``'s default), its clock
#: (pages give ssoctl ``--now 2026-06-01T12:00:00Z``), its seed, its token (in the token
#: file only, never shown) and the files a page finds when it does not start one itself.
OKTA_PORT = "8089"
OKTA_NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
OKTA_SEED = 8089
DOC_OKTA_TOKEN = "00rehearsal-docs-okta-token-0000000000"
OKTA_TOKEN_FILE = "rehearsal.token"
OKTA_CA_FILE = "rehearsal-ca.pem"
#: ``$ ssoctl rehearse okta|sp …`` (not ``--help``): a server, started and stopped by the
#: harness, whose own stand-in then serves the page.
REHEARSE = re.compile(r"^\s*ssoctl\s+rehearse\s+(okta|sp)\b(?!.*\s(--help|-h)(\s|$))")
#: The options of such a command the harness's stand-in honours too (the default org, the
#: default SP), the line it prints once it serves, and the port the pages show for it.
REHEARSE_OPTIONS = {"okta": {"--tls", "--ca-out", "--token-file", "--force", "--quiet", "-q",
                             "--port"},
                    "sp": {"--port"}}
REHEARSE_READY = {"okta": re.compile(r"^Ctrl-C stops the stand-in"),
                  "sp": re.compile(r"^\s*contract: ")}


@dataclass
class Command:
    line: int
    text: str
    expected: list[str] = field(default_factory=list)


@dataclass
class Block:
    page: Path
    start: int
    end: int
    commands: list[Command]
    before: tuple[str, ...] = ()

    @property
    def elided(self) -> bool:
        return any(line.strip() in ELISION for c in self.commands for line in c.expected)


def blocks(page: Path) -> list[Block]:
    """The transcript blocks of a page, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith("```"):
            i += 1
            continue
        skipped = i > 0 and SKIP.search(lines[i - 1]) is not None
        setup = BEFORE.search(lines[i - 1]) if i > 0 else None
        before = tuple(c.strip() for c in setup.group(1).split(";") if c.strip()) \
            if setup else ()
        indent = len(lines[i]) - len(lines[i].lstrip())
        start = i
        i += 1
        body: list[tuple[int, str]] = []
        while i < len(lines) and not lines[i].lstrip().startswith("```"):
            body.append((i, lines[i][indent:] if lines[i][:indent].isspace() else lines[i]))
            i += 1
        end = i
        i += 1
        if skipped or not any(text.startswith("$ ") for _, text in body):
            continue
        commands: list[Command] = []
        j = 0
        while j < len(body):
            number, text = body[j]
            if text.startswith("$ "):
                command = text[2:]
                while command.endswith("\\") and j + 1 < len(body):
                    j += 1
                    command = command[:-1] + " " + body[j][1].strip()
                commands.append(Command(number + 1, command))
            elif commands:
                commands[-1].expected.append(text)
            j += 1
        if any(c.text.lstrip().startswith(("ssoctl", "SSOCTL_")) or " ssoctl " in c.text
               for c in commands):
            found.append(Block(page, start, end, commands, before))
    return found


def normalise(lines: list[str]) -> list[str]:
    out = [line.rstrip() for line in lines]
    while out and not out[-1]:
        out.pop()
    return out


def matches(expected: list[str], got: list[str]) -> bool:
    """``got`` equals ``expected``, where an elision line matches any run of lines."""
    memo: dict[tuple[int, int], bool] = {}

    def at(e: int, g: int) -> bool:
        key = (e, g)
        if key not in memo:
            if e == len(expected):
                memo[key] = g == len(got)
            elif expected[e].strip() in ELISION:
                memo[key] = any(at(e + 1, k) for k in range(g, len(got) + 1))
            else:
                memo[key] = g < len(got) and expected[e] == got[g] and at(e + 1, g + 1)
        return memo[key]

    return at(0, 0)


class FakeSp:
    """The rehearsal fake SP (ssoctl.rehearsal.fakesp) on a free port, for one page."""

    def __init__(self) -> None:
        from ssoctl.rehearsal import fakesp

        sp = fakesp.ContractSp(token=DOC_TOKEN, token_id=DOC_TOKEN_ID, faults=frozenset())
        self.server = fakesp.serve(sp, port=0, log=_Quiet())
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        self.port = str(self.server.server_address[1])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class OktaOrg:
    """The Okta stand-in (ssoctl.rehearsal.okta) for one page, repeatable: seeded, its clock
    standing at ``OKTA_NOW``, on a free port."""

    def __init__(self, private: Path, tls: bool) -> None:
        from ssoctl.rehearsal.okta import OktaStandIn, seed_demo

        self.ca = None
        context = None
        if tls:
            from ssoctl.rehearsal.tls import loopback_context

            self.ca = private / "okta-ca.pem"
            context = loopback_context(self.ca)
        self.standin = OktaStandIn(port=0, ssl_context=context, now=lambda: OKTA_NOW,
                                   seed=OKTA_SEED)
        self.standin.add_token(DOC_OKTA_TOKEN)
        seed_demo(self.standin)
        self.standin.start()
        self.port = self.standin.url.rsplit(":", 1)[1]

    def close(self) -> None:
        self.standin.stop()


class Shell:
    """One bash for a page: each command's stdout and stderr go to files, its exit status
    comes back on bash's own stdout."""

    def __init__(self, folder: Path, private: Path, env: dict[str, str]) -> None:
        self.out, self.err = private / "stdout", private / "stderr"
        self.proc = subprocess.Popen(["bash", "--noprofile", "--norc"], cwd=folder, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._send(f"ssoctl() {{ {shlex.quote(sys.executable)} -m ssoctl \"$@\"; }}\n")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put("")

    def _send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def run(self, text: str, timeout: float = 120) -> tuple[int, str]:
        out, err = shlex.quote(str(self.out)), shlex.quote(str(self.err))
        self._send(f"{{ {text}\n}} >{out} 2>{err} </dev/null; echo \"__status=$?\"\n")
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no answer within {timeout} s: $ {text}", pytrace=False)
        if not line.startswith("__status="):
            pytest.fail(f"the page's shell ended at: $ {text}", pytrace=False)
        got = (self.out.read_bytes().decode("utf-8", "replace")
               + self.err.read_bytes().decode("utf-8", "replace"))
        return int(line.split("=", 1)[1]), got

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class _Quiet:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


class PageRun:
    """Runs one page's commands in order, in a folder of its own."""

    def __init__(self, base: Path, needs_sp: bool, demo_config: bool,
                 okta_tls: bool = False) -> None:
        folder = base / "page"
        self.private = base / "harness"
        folder.mkdir()
        self.private.mkdir()
        self.folder = folder
        self.demo = folder / "demo"
        self.demo.mkdir()
        (folder / "fixtures").symlink_to(ROOT / "fixtures")
        self.sp = FakeSp() if needs_sp else None
        self.okta: OktaOrg | None = None
        self.okta_tls = okta_tls
        #: what a ``$ ssoctl rehearse okta`` of the page wrote: (token file, CA file or None)
        self.rehearsal_files: tuple[Path | None, Path | None] | None = None
        #: ports the page's own ``rehearse`` servers were on, and the port the page shows
        self.rehearsal_ports: list[tuple[str, str]] = []
        self.status = 0
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder / "home"),
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "COLUMNS": "100", "LINES": "50",
            "NO_COLOR": "1", "TERM": "dumb", "PYTHONPATH": str(ROOT),
            "XDG_CONFIG_HOME": str(folder / "home" / ".config"),
            "XDG_DATA_HOME": str(folder / "home" / ".local" / "share"),
            "SSOCTL_TOKEN": DOC_TOKEN, "SSOCTL_TOKEN_ID": DOC_TOKEN_ID,
        }
        if demo_config:  # the page works with SSOCTL_CONFIG=/tmp/demo/config.toml
            self.env["SSOCTL_CONFIG"] = str(self.demo / "config.toml")
        self.shell = Shell(folder, self.private, self.env)

    def close(self) -> None:
        self.shell.close()
        if self.sp is not None:
            self.sp.close()
        if self.okta is not None:
            self.okta.close()

    def _start_okta(self) -> OktaOrg:
        """The repeatable org, on the page's first command that talks to 127.0.0.1:8089."""
        if self.okta is None:
            if self.rehearsal_files is not None:  # take over what the page's command wrote
                token_file, ca_file = self.rehearsal_files
                self.okta = OktaOrg(self.private, tls=ca_file is not None)
                if token_file is not None and token_file.exists():
                    self.okta.standin.add_token(token_file.read_text().strip())
                if ca_file is not None and self.okta.ca is not None:
                    ca_file.write_bytes(self.okta.ca.read_bytes())
            else:
                self.okta = OktaOrg(self.private, tls=self.okta_tls)
                token = self.folder / OKTA_TOKEN_FILE
                token.write_text(DOC_OKTA_TOKEN + "\n")
                token.chmod(0o600)
                if self.okta.ca is not None:
                    (self.folder / OKTA_CA_FILE).write_bytes(self.okta.ca.read_bytes())
        return self.okta

    def _rehearse(self, kind: str, text: str) -> tuple[int, str]:
        """``ssoctl rehearse okta|sp …``: run it on a free port until it serves, then
        Ctrl-C. The output is what it printed until then (not the "stopped" Ctrl-C adds)."""
        words = shlex.split(text, comments=True)[3:]
        options = {w.split("=", 1)[0] for w in words if w.startswith("-")}
        if options - REHEARSE_OPTIONS[kind]:
            pytest.fail(f"$ {text}: the harness's stand-in serves only the default set-up; "
                        f"options {sorted(options - REHEARSE_OPTIONS[kind])} are not honoured",
                        pytrace=False)
        if "--port" in words:
            i = words.index("--port")
            del words[i:i + 2]
        env = dict(self.env, PYTHONUNBUFFERED="1")
        proc = subprocess.Popen([sys.executable, "-m", "ssoctl", "rehearse", kind, *words,
                                 "--port", "0"], cwd=self.folder, env=env, text=True,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        assert proc.stdout is not None
        lines: list[str] = []
        try:
            for line in proc.stdout:
                lines.append(line)
                if REHEARSE_READY[kind].match(line):
                    break
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        got = "".join(lines)
        found = re.search(r"127\.0\.0\.1:(\d+)", got)
        if found:
            self.rehearsal_ports.append((found.group(1), OKTA_PORT if kind == "okta"
                                         else FAKE_PORT))
        if kind == "sp":
            return proc.returncode, got

        def value(option: str, default: str | None) -> Path | None:
            if option in words and words.index(option) + 1 < len(words):
                return self.folder / words[words.index(option) + 1]
            return None if default is None else self.folder / default

        self.rehearsal_files = (value("--token-file", None),
                                value("--ca-out", OKTA_CA_FILE) if "--tls" in words else None)
        return proc.returncode, got

    def run(self, command: str) -> list[str]:
        if command.strip() == "echo $?":  # the status of the page's previous command
            return [str(self.status)]
        text = command.replace("/tmp/demo", str(self.demo))
        if self.sp is not None:
            text = text.replace(f"127.0.0.1:{FAKE_PORT}", f"127.0.0.1:{self.sp.port}")
        text = text.replace("~/", f"{self.folder}/home/")
        rehearse = REHEARSE.match(text)
        if rehearse:
            self.status, out = self._rehearse(rehearse.group(1), text)
        else:
            if f"127.0.0.1:{OKTA_PORT}" in text:
                text = text.replace(f"127.0.0.1:{OKTA_PORT}",
                                    f"127.0.0.1:{self._start_okta().port}")
            self.status, out = self.shell.run(text)
        out = out.replace(str(self.demo), "/tmp/demo")
        out = out.replace(str(self.folder / "home"), DOC_HOME)
        out = out.replace(str(self.folder) + "/", "")
        if self.sp is not None:
            out = out.replace(f"127.0.0.1:{self.sp.port}", f"127.0.0.1:{FAKE_PORT}")
        if self.okta is not None:
            out = out.replace(f"127.0.0.1:{self.okta.port}", f"127.0.0.1:{OKTA_PORT}")
        for port, shown in self.rehearsal_ports:
            out = out.replace(f"127.0.0.1:{port}", f"127.0.0.1:{shown}")
        return out.splitlines()


ALL = [(page, block) for page in PAGES for block in blocks(page)]


def test_transcripts_are_found():
    assert len(ALL) >= 20
    assert {p.name for p, _ in ALL} >= {"README.md", "check-cert.md", "import-metadata.md",
                                        "decode-response.md", "push.md", "config.md"}


@pytest.mark.parametrize("page", sorted({p for p, _ in ALL}), ids=lambda p: str(
    p.relative_to(ROOT)))
def test_page_transcripts_match(page, tmp_path):
    page_blocks = [b for p, b in ALL if p == page]
    text = page.read_text(encoding="utf-8")
    run = PageRun(tmp_path, needs_sp=f"127.0.0.1:{FAKE_PORT}" in text,
                  demo_config="/tmp/demo/config.toml" in text,
                  okta_tls=f"https://127.0.0.1:{OKTA_PORT}" in text)
    failures, updates = [], []
    try:
        for block in page_blocks:
            for command in block.before:
                run.run(command)
            outputs = []
            for command in block.commands:
                got = normalise(run.run(command.text))
                outputs.append(got)
                expected = normalise(command.expected)
                if not matches(expected, got):
                    failures.append(f"{page.relative_to(ROOT)}:{command.line}: $ {command.text}"
                                    f"\n--- the page shows\n" + "\n".join(expected)
                                    + "\n--- ssoctl prints\n" + "\n".join(got))
            updates.append((block, outputs))
    finally:
        run.close()
    if failures and os.environ.get("SSOCTL_UPDATE_TRANSCRIPTS"):
        _rewrite(page, updates)
    assert not failures, "\n\n".join(failures)


def _excerpt(shown: list[str], got: list[str]) -> list[str]:
    """An excerpt of ``got`` keeping what the page showed: lines still printed stay, lines
    that changed a little take the new text, lines no longer printed go, and every run of
    printed lines the page leaves out becomes one elision line."""
    import difflib

    kept = [line for line in shown if line.strip() not in ELISION]
    out: list[str] = []

    def elide() -> None:
        if not out or out[-1] != "…":
            out.append("…")

    ops = difflib.SequenceMatcher(None, kept, got, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            out += got[j1:j2]
        elif tag == "insert":
            elide()
        elif tag == "replace":
            for old in kept[i1:i2]:
                best = max(range(j1, j2), key=lambda j: difflib.SequenceMatcher(
                    None, old, got[j]).ratio())
                if difflib.SequenceMatcher(None, old, got[best]).ratio() >= 0.6:
                    if out and out[-1] != "…" and best != j1:
                        elide()
                    out.append(got[best])
                else:
                    elide()
            if len(kept[i1:i2]) < j2 - j1:
                elide()
    if shown and shown[0].strip() in ELISION and out[:1] != ["…"]:
        out.insert(0, "…")
    if shown and shown[-1].strip() in ELISION and out[-1:] != ["…"]:
        out.append("…")
    return out if matches(out, got) else got


def _rewrite(page: Path, updates) -> None:
    """Put the real output into the blocks (an excerpt where the page shows one)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    for block, outputs in reversed(updates):
        indent = lines[block.start][:len(lines[block.start]) - len(lines[block.start].lstrip())]
        body: list[str] = []
        original = lines[block.start + 1:block.end]
        j = 0
        for command, got in zip(block.commands, outputs):
            # keep the command's own lines (continuations included) as written
            while j < len(original) and not original[j][len(indent):].startswith("$ "):
                j += 1
            body.append(original[j])
            j += 1
            while j < len(original) and original[j - 1].rstrip().endswith("\\"):
                body.append(original[j])
                j += 1
            shown = normalise(command.expected)
            text = _excerpt(shown, got) if any(x.strip() in ELISION for x in shown) else got
            body += [indent + line if line else line for line in text]
            while j < len(original) and not original[j][len(indent):].startswith("$ "):
                j += 1
        lines[block.start + 1:block.end] = body
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- --help blocks

def _help_blocks() -> list[tuple[Path, int, list[str], list[str]]]:
    """Blocks whose first line is ``$ ssoctl … --help``: (page, line, argv, shown)."""
    out = []
    for page, block in ALL:
        for command in block.commands:
            words = shlex.split(command.text, comments=True)
            if words and words[0] == "ssoctl" and words[-1] in ("--help", "-h"):
                out.append((page, command.line, words[1:], command.expected))
    return out


def test_help_blocks_are_compared_with_the_real_help():
    """--help transcripts are ordinary transcripts (run above); this checks the parser
    finds them, so a page can show the real help and have it kept true."""
    for page, line, argv, shown in _help_blocks():
        assert shown, f"{page}:{line}: a --help transcript shows no output"


def _commands():
    import typer.main

    from ssoctl.cli.app import app

    root = typer.main.get_command(app)
    for name, command in root.commands.items():
        if hasattr(command, "commands"):
            for sub, inner in command.commands.items():
                yield f"{name} {sub}", inner
        else:
            yield name, command


@pytest.mark.parametrize("name", [n for n, _ in _commands()])
def test_each_command_page_documents_exactly_the_real_options(name):
    """The options table of docs/commands/<command>.md lists every option the command's
    --help lists, and none it does not have."""
    command = dict(_commands())[name]
    page = ROOT / "docs" / "commands" / f"{name.split()[0]}.md"
    if not page.exists():
        pytest.skip(f"no page for {name}")
    text = page.read_text(encoding="utf-8")
    if name.count(" "):
        # A group page: options shared by all its commands come before the first section,
        # each command's own in its section (``## ssoctl GROUP COMMAND``).
        shared = text.split("\n## ", 1)[0]
        section = re.search(rf"^## ssoctl {re.escape(name)}\n(.*?)(?=^## |\Z)", text,
                            re.S | re.M)
        text = shared + (section.group(1) if section else "")
    table = "\n".join(line for line in text.splitlines() if line.startswith("| `-"))
    if not table:
        pytest.skip(f"{page.name} has no options table")
    shown = set(re.findall(r"`(--?[a-z][a-z0-9-]*)", table))
    real = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)
            if opt.startswith("-") and opt not in GLOBAL_FLAGS}
    assert real - shown == set(), f"{page.name}: options missing from the table"
    assert shown - real == set(), f"{page.name}: the table lists options the command lacks"


#: Flags every command takes (given before or after its name), documented once in README.md.
GLOBAL_FLAGS = ("--help", "-h", "--debug", "--no-color")


def test_the_matcher():
    assert matches(["a", "…", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "…"], ["a"])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert not matches(["a"], ["a", "b"])
    assert matches(["[...]"], [])


def test_a_page_is_one_shell_session(tmp_path):
    """Variables, ``export`` and ``eval`` carry over from one command to the next, as in the
    reader's terminal; ``echo $?`` is the previous command's status."""
    run = PageRun(tmp_path, needs_sp=False, demo_config=False)
    try:
        assert run.run('GREETING="hello there"; export PLACE=page') == []
        assert run.run('eval "$(echo WHO=reader)"') == []
        assert run.run('echo "$GREETING $WHO"; bash -c \'echo "$PLACE"\'') == [
            "hello there reader", "page"]
        run.run("ssoctl explain 99")
        assert run.run("echo $?") == [str(run.status)] and run.status != 0
    finally:
        run.close()


def test_the_okta_org_of_a_page_is_the_same_every_time(tmp_path):
    """The premise of the Okta pages: seed and clock fixed, the same requests give the same
    org, byte for byte (ids, key ids, certificates); unseeded, they do not."""
    from cryptography.hazmat.primitives import serialization

    from ssoctl.rehearsal.okta import OktaStandIn, seed_demo

    def org(seed):
        standin = OktaStandIn(now=lambda: OKTA_NOW, seed=seed)
        seed_demo(standin)
        app_id = standin.add_app("sipgate")
        cert = standin.app_certificate(app_id)
        return (sorted(standin.app_ids()), standin.app(app_id)["credentials"]["signing"],
                cert.public_bytes(serialization.Encoding.PEM))

    first = org(OKTA_SEED)
    assert org(OKTA_SEED) == first
    assert org(None)[2] != org(None)[2]
