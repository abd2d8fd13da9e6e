"""The README's "Okta → sipgate in three steps", run in a fresh 80-column terminal: what a
person copies off the screen pastes correctly (issue 11, "Done when").

The commands are read from README.md itself, so the test follows the page. "Copying" is
done the way a person does it: the value is taken from the screen as shown (the label's
line, or the line under it), the certificate as the lines from BEGIN to END, the command a
hint suggests as the text between its backticks; then the copy is used: compared with the
metadata, parsed as a certificate, or run in a shell.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
import subprocess

from cryptography import x509

from ssoctl.metadata.reader import load

from .screen import ROOT, Screen, run

README = ROOT / "README.md"
WHEN = dt.datetime(2026, 6, 1, 12, tzinfo=dt.timezone.utc)
COLUMNS = 80


def _steps() -> list[list[str]]:
    """The ``$ ssoctl …`` commands of the three-step section, as argument lists."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Okta → sipgate in three steps"):]
    section = section[:section.index("\n## ", 1)]
    commands = []
    for block in re.findall(r"```\n(.*?)```", section, re.S):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            if line.startswith("$ ssoctl ") and not re.search(r"[>|&]", line):
                commands.append(shlex.split(line[2:])[1:])
    return commands


def _value_after(screen: Screen, label: str) -> str:
    """What a person selects as the value of ``label``: the rest of its line, or (a long
    value on a line of its own) the whole next line."""
    lines = screen.lines
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith(label))
    rest = lines[at].split(label, 1)[1].strip()
    return rest or lines[at + 1].strip()


def _pem_from_screen(screen: Screen) -> str:
    lines = screen.lines
    start = next(i for i, line in enumerate(lines) if "-----BEGIN CERTIFICATE-----" in line)
    end = next(i for i in range(start, len(lines)) if "-----END CERTIFICATE-----" in lines[i])
    return "\n".join(line.strip() for line in lines[start:end + 1]) + "\n"


def test_the_readme_has_the_three_steps():
    names = [args[0] for args in _steps()]
    assert names[:1] == ["import-metadata"] and "check-cert" in names \
        and "decode-response" in names


def test_step_1_values_paste_into_sipgate_as_they_are():
    args = next(a for a in _steps() if a[0] == "import-metadata")
    screen = run([*args, "--now", "2026-06-01T12:00:00Z"], columns=COLUMNS)
    assert screen.exit_code == 0, screen.text
    settings = load((ROOT / args[1]).read_bytes(), now=WHEN)
    assert _value_after(screen, "SSO URL:") == settings.sso_url
    assert _value_after(screen, "Entity ID:") == settings.entity_id
    pasted = x509.load_pem_x509_certificate(_pem_from_screen(screen).encode())
    assert pasted == x509.load_pem_x509_certificate(settings.certificate.pem.encode())


def test_step_2_the_suggested_command_works_when_copied(tmp_path):
    args = next(a for a in _steps() if a[0] == "check-cert")
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    screen = run(args, columns=COLUMNS, cwd=tmp_path)
    assert screen.exit_code == 1, screen.text
    suggested = re.findall(r"`(ssoctl check-cert [^`]*--fix[^`]*)`", screen.text)
    assert suggested, screen.text
    command = suggested[0]
    assert screen.has_whole(f"`{command}`")  # one line: a copy is the whole command
    done = subprocess.run(command, shell=True, cwd=tmp_path, capture_output=True,
                          env={"PATH": _path()})
    assert done.returncode == 0, done.stderr
    x509.load_pem_x509_certificate((tmp_path / "clean.pem").read_bytes())


def test_step_3_expected_and_received_are_whole():
    args = next(a for a in _steps() if a[0] == "decode-response")
    screen = run(args, columns=COLUMNS)
    assert screen.exit_code == 4, screen.text
    lines = screen.lines
    at = next(i for i, line in enumerate(lines) if "SAML_AUDIENCE_MISMATCH" in line)
    below = Screen("\n".join(lines[at + 1:]), screen.exit_code, COLUMNS)
    # the values to compare with sipgate's Entity ID, copied from the screen
    assert _value_after(below, "expected:") == args[args.index("--sp-entity-id") + 1]
    assert _value_after(below, "received:") == "https://sipgate.example/saml"


def _path() -> str:
    """PATH with this Python's scripts first, so ``ssoctl`` is the one under test."""
    import os
    import sys
    from pathlib import Path

    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
