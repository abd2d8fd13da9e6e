"""``doctor`` and ``setup`` on a narrow pseudo-terminal (40 and 60 columns): a check line
or a list item that wraps continues under its own text, not at the left edge, so the
status column and the bullets stay readable."""

from __future__ import annotations

import pytest

from terminal.screen import run

from .conftest import NOW_TEXT

MARKS = ("ok    ", "WARN  ", "FAIL  ", "skip  ")


def _terminal_env(world) -> dict[str, str]:
    return {k: v for k, v in world.env.items() if k != "NO_COLOR"}


def _items(lines: list[str], heading: str) -> list[str]:
    """The indented lines under ``heading``."""
    at = next(i for i, line in enumerate(lines) if line.startswith(heading)) + 1
    end = next((i for i in range(at, len(lines)) if not lines[i].startswith(" ")),
               len(lines))
    return lines[at:end]


@pytest.mark.parametrize("columns", [40, 60])
def test_doctor_check_lines_hang_under_their_text(world, columns):
    done = world.run("setup", "--sp-profile", "acme", "--assign-group", "sipgate users",
                     "--yes", "--json")
    assert done.exit_code == 0, done.stdout
    screen = run(["doctor", "--config", world.config, "--now", NOW_TEXT, "--sp-profile",
                  "acme"], columns=columns, env=_terminal_env(world), cwd=world.tmp,
                 timeout=120)
    assert screen.exit_code == 0, screen.text
    lines = screen.lines
    first = next(i for i, line in enumerate(lines) if line.startswith(MARKS))
    last = next(i for i, line in enumerate(lines) if " checks: " in line)
    checks = [line for line in lines[first:last] if line.strip()]
    assert sum(line.startswith(MARKS) for line in checks) == 7, screen.text
    assert len(checks) > 7, screen.text  # some wrapped at this width
    for line in checks:
        assert line.startswith(MARKS) or line.startswith(" " * 6), (
            f"{line!r} wraps to the edge at {columns} columns:\n{screen.text}")


@pytest.mark.parametrize("columns", [40, 60])
def test_setup_manual_steps_keep_their_bullets(world, columns):
    screen = run(["setup", "--assign-group", "sipgate users", "--config", world.config,
                  "--state-dir", world.state_dir, "--now", NOW_TEXT, "--dry-run",
                  "--cert-out", str(world.tmp / "okta-sipgate.pem")],
                 columns=columns, env=_terminal_env(world), cwd=world.tmp, timeout=120)
    assert screen.exit_code == 10, screen.text
    # Okta's dropdown values in the plan are whole on their line ("Application username")
    assert any("Application username" in line for line in screen.lines), screen.text
    items = _items(screen.lines, "Stays manual:")
    assert sum(line.startswith("  - ") for line in items) >= 2, screen.text
    assert len(items) > sum(line.startswith("  - ") for line in items), screen.text
    for line in items:
        assert line.startswith(("  - ", "    ")), (
            f"{line!r} loses its bullet's indent at {columns} columns:\n{screen.text}")


@pytest.mark.parametrize("columns", [40, 60])
def test_a_new_apps_plan_keeps_oktas_values_whole(world, columns):
    """The plan for a new app names Okta's dropdown values as its screens do; a value of
    two words ("Application username") is not broken over two lines."""
    screen = run(["okta", "configure", "--config", world.config, "--label", "sipgate new",
                  "--now", NOW_TEXT, "--dry-run"],
                 columns=columns, env=_terminal_env(world), cwd=world.tmp, timeout=120)
    assert screen.exit_code == 10, screen.text
    lines = screen.lines
    at = next(i for i, line in enumerate(lines) if "Name ID value" in line)
    assert lines[at + 1].strip() == "Application username", screen.text
