"""``ssoctl setup`` where a person runs it: on a pseudo-terminal, at several widths, the plan
for both sides is shown before the question, and only a "y" writes anything."""

from __future__ import annotations

import os

import pytest

from conftest import ROOT
from terminal.screen import converse

from .conftest import NOW_TEXT

QUESTION = "Apply this plan to Okta and the SP?"


def _run_on_pty(args: list[str], env: dict[str, str], answer: str, columns: int,
                cwd: str) -> tuple[int, str]:
    full_env = {**os.environ, **env, "COLUMNS": str(columns), "LINES": "50", "TERM": "xterm"}
    full_env.pop("NO_COLOR", None)
    full_env["PYTHONPATH"] = str(ROOT)
    status, seen, _ = converse(args, env=full_env, columns=columns, cwd=cwd, answer=answer,
                               question=QUESTION.encode(), timeout=120)
    return status, seen.replace("\r\n", "\n")


def _args(world) -> list[str]:
    return ["setup", "--sp-profile", "acme", "--assign-group", "sipgate users",
            "--config", world.config, "--state-dir", world.state_dir, "--now", NOW_TEXT]


@pytest.mark.parametrize("columns", [60, 100, 160])
def test_the_plan_comes_before_the_question_and_yes_applies(world, columns):
    status, screen = _run_on_pty(_args(world), world.env, "y", columns, str(world.tmp))
    assert status == 0, screen
    before, _, after = screen.partition(QUESTION)
    assert "New SAML 2.0 app 'sipgate'" in before and "Audience URI" in before
    assert "SP profile acme" in before and "Stays manual:" in before
    assert "done: Okta is configured" in after
    assert world.sp.settings["certificate"]


def test_no_writes_nothing(world):
    status, screen = _run_on_pty(_args(world), world.env, "n", 100, str(world.tmp))
    assert status == 0, screen
    assert "not confirmed: nothing was written" in screen
    assert [r for r in world.okta.requests if r.method != "GET"] == []
    assert world.sp.version == 1
