"""A bulk push (``push --profiles``) in a real pseudo-terminal: its progress bar is drawn on
a colour terminal only, never with ``--no-color`` (before or after the command name) or
``NO_COLOR``, and each tenant's backup path is shown whole in the table, as
``ssoctl rollback PATH`` takes it (macOS keeps backups under "Application Support")."""

from __future__ import annotations

import pytest

from ssoctl.config.tomlwrite import dump_toml
from support.fake_sp import serving

from .screen import run

NOW = "2026-06-01T12:00:00Z"
TOKEN_ID, TOKEN = "token-TERM02", "0b9e7c55-terminal-test-token-B2"


@pytest.fixture
def base_urls():
    """Two fresh stand-in SPs, one per profile (a second push to one would change
    nothing and take no backup)."""
    with serving(token=TOKEN, token_id=TOKEN_ID) as (_, first), \
            serving(token=TOKEN, token_id=TOKEN_ID) as (_, second):
        yield [first, second]


def _bulk(tmp_path, base_urls: list[str], *global_options: str, columns: int = 80,
          env: dict[str, str] | None = None, after: tuple[str, ...] = ()):
    backups = tmp_path / "Library" / "Application Support" / "ssoctl" / "backups for tenants"
    profiles = {name: {"base_url": url, "token_id": TOKEN_ID, "backup_dir": str(backups)}
                for name, url in zip(("spa", "spb"), base_urls)}
    config = tmp_path / "config.toml"
    config.write_text(dump_toml({"profiles": profiles}))
    return run([*global_options, "push", "--profiles", "spa,spb", "--config", str(config),
                "--metadata", "fixtures/metadata/okta.xml", "--now", NOW, "--yes",
                "--jobs", "1", *after],
               columns=columns, env={"SSOCTL_TOKEN": TOKEN, **(env or {})})


def test_the_bar_is_drawn_on_a_colour_terminal(tmp_path, base_urls):
    screen = _bulk(tmp_path, base_urls)
    assert screen.exit_code == 0, screen.text
    assert "pushing" in screen.text and "\x1b[?25l" in screen.raw  # rich hid the cursor


@pytest.mark.parametrize("how", ["--no-color before", "--no-color after", "NO_COLOR"])
def test_no_bar_and_no_escapes_without_colour(tmp_path, base_urls, how):
    if how == "NO_COLOR":
        screen = _bulk(tmp_path, base_urls, env={"NO_COLOR": "1"})
    elif how == "--no-color before":
        screen = _bulk(tmp_path, base_urls, "--no-color")
    else:
        screen = _bulk(tmp_path, base_urls, after=("--no-color",))
    assert screen.exit_code == 0, screen.text
    assert "\x1b" not in screen.raw, repr(screen.raw)
    assert "pushing" not in screen.text
    assert "2 of 2 tenants succeeded" in screen.text


@pytest.mark.parametrize("columns", [40, 80, 120])
def test_backup_paths_are_whole(tmp_path, base_urls, columns):
    screen = _bulk(tmp_path, base_urls, columns=columns)
    assert screen.exit_code == 0, screen.text
    backups = sorted((tmp_path / "Library").rglob("sp?-*.json"))
    assert len(backups) == 2
    for backup in backups:
        assert screen.has_whole(str(backup)), (
            f"{backup} is broken at {columns} columns:\n{screen.text}")
