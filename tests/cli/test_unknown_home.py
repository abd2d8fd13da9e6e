"""A path under the home folder of a user this system does not know (``~nosuchuser/...``)
is one error line with a hint and exit 2, wherever a path is accepted, never a traceback."""

from __future__ import annotations

import pytest

from ssoctl.files import expand_user
from ssoctl.errors import ConfigError

NOBODY = "~ssoctl-no-such-user-7f3a"


def test_expand_user_names_the_unknown_user():
    with pytest.raises(ConfigError) as info:
        expand_user(f"{NOBODY}/config.toml", what="configuration file")
    assert info.value.exit_code == 2 and NOBODY[1:] in info.value.hint


@pytest.mark.parametrize("argv,env", [
    (["config", "show", "--config", f"{NOBODY}/c.toml"], {}),
    (["config", "show"], {"SSOCTL_CONFIG": f"{NOBODY}/c.toml"}),
    (["rollback", "--list", "--backup-dir", f"{NOBODY}/backups"], {}),
])
def test_commands_say_so_in_one_line(cli, argv, env):
    result = cli(*argv, env=env)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: ") and "hint: " in result.stderr
    assert "no user" in result.stderr


def test_a_profile_path_under_an_unknown_home(cli, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.acme]\nbase_url = "https://sp.example/v2"\n'
                      f'token_file = "{NOBODY}/token"\n')
    result = cli("config", "validate", "--config", str(config))
    # validate reports it as a finding of the profile (exit 1), like any invalid value
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "CONFIG_PROFILE_INVALID" in result.stdout and "no user" in result.stdout
