"""Profiles: where the file is, which profile is chosen, what is refused, writing it back."""

from __future__ import annotations

import pathlib
import stat
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssoctl.config import profiles as cfg
from ssoctl.config import schema
from ssoctl.config import tomlwrite
from ssoctl.errors import ConfigError


def _write(tmp_path, text):
    path = tmp_path / "c.toml"
    path.write_text(text)
    return str(path)


def test_path_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("SSOCTL_CONFIG", str(tmp_path / "env.toml"))
    assert cfg.config_path(str(tmp_path / "x.toml")) == tmp_path / "x.toml"
    assert cfg.config_path() == tmp_path / "env.toml"
    monkeypatch.delenv("SSOCTL_CONFIG")
    assert cfg.config_path().name == "config.toml" and "ssoctl" in str(cfg.config_path())


def test_missing_file_is_empty(tmp_path):
    got = cfg.read_config(str(tmp_path / "none.toml"))
    assert not got.exists and got.profile_names == ()


def test_load_profile_for_decode_response(tmp_path):
    path = _write(tmp_path, '''
[profiles.acme]
sp_entity_id = "https://sipgate.example/saml/sp"
acs_url = "https://sipgate.example/saml/acs"
idp_entity_id = "http://www.okta.com/exk1"
read_timeout = 10
''')
    profile = cfg.load_profile(None, config_path=path)
    assert profile.sp_entity_id == "https://sipgate.example/saml/sp"
    assert profile.acs_url == "https://sipgate.example/saml/acs"
    assert profile.idp_entity_id == "http://www.okta.com/exk1"
    assert profile.read_timeout == 10.0 and profile.target == "sipgate"
    assert profile.endpoint == "https://api.sipgate.com/v2/sso/settings"


def test_choice_rules(tmp_path, monkeypatch):
    monkeypatch.delenv("SSOCTL_PROFILE", raising=False)
    path = _write(tmp_path, 'default_profile = "b"\n[profiles.a]\n[profiles.b]\n')
    assert cfg.load_profile(None, config_path=path).name == "b"
    assert cfg.load_profile("a", config_path=path).name == "a"
    monkeypatch.setenv("SSOCTL_PROFILE", "a")
    assert cfg.load_profile(None, config_path=path).name == "a"
    with pytest.raises(ConfigError) as info:
        cfg.load_profile("zz", config_path=path)
    assert info.value.code == "CONFIG_NO_PROFILE"


def test_several_and_none_chosen(tmp_path, monkeypatch):
    monkeypatch.delenv("SSOCTL_PROFILE", raising=False)
    path = _write(tmp_path, "[profiles.a]\n[profiles.b]\n")
    with pytest.raises(ConfigError, match="several profiles"):
        cfg.load_profile(None, config_path=path)
    with pytest.raises(ConfigError, match="no profiles"):
        cfg.load_profile(None, config_path=str(tmp_path / "nothing.toml"))


@pytest.mark.parametrize("text,code", [
    ("[profiles.a]\ntoken = 'x'\n", "CONFIG_SECRET_IN_FILE"),
    ("[profiles.a]\nbogus = 1\n", "CONFIG_INVALID"),
    ("[profiles.a]\nread_timeout = 'slow'\n", "CONFIG_INVALID"),
    ("[profiles.a]\nallow_http = 1\n", "CONFIG_INVALID"),
    ("[profiles.a]\ntarget = 'soap'\n", "CONFIG_INVALID"),
    ("[profiles.a]\nauth = 'digest'\n", "CONFIG_INVALID"),
    ("[profiles.a]\ntarget = 'rest'\n", "CONFIG_INVALID"),
    ("[profiles.a.rest]\nbody = {x = '{sso_url}'}\n", "CONFIG_INVALID"),
    ("[profiles.a.rest]\nread_url = '/x'\nwrite_method = 'DELETE'\nbody = {x = 1}\n", "CONFIG_INVALID"),
    ("not toml ][", "CONFIG_INVALID"),
    ("profiles = 'a'\n", "CONFIG_INVALID"),
    # control characters in a URL (an escape sequence, a line break) are refused
    ("[profiles.a]\nbase_url = \"http://127.0.0.1:1/v2\\u001b[2J\"\n", "CONFIG_INVALID"),
    ("[profiles.a]\nacs_url = \"https://sp.example/acs\\n\"\n", "CONFIG_INVALID"),
    ("[profiles.a]\nokta_org = \"https://acme.okta.com\\u200b\"\n", "CONFIG_INVALID"),
])
def test_invalid(tmp_path, text, code):
    with pytest.raises(ConfigError) as info:
        cfg.load_profile("a", config_path=_write(tmp_path, text))
    assert info.value.code == code


def test_rest_profile(tmp_path):
    path = _write(tmp_path, '''
[profiles.r]
target = "rest"
base_url = "https://sp.example/api"
auth = "bearer"
[profiles.r.rest]
read_url = "/sso"
write_method = "post"
[profiles.r.rest.body]
url = "{sso_url}"
''')
    profile = cfg.load_profile("r", config_path=path)
    assert profile.rest.write_method == "POST" and profile.rest.write_url == "/sso"
    assert profile.endpoint == "https://sp.example/api/sso"


def test_join_url():
    assert schema.join_url("https://a/v2/", "/x") == "https://a/v2/x"
    assert schema.join_url("https://a/v2", "https://b/y") == "https://b/y"
    assert schema.join_url("https://a/v2", "") == "https://a/v2"


def test_set_value_creates_private_file(tmp_path):
    path = tmp_path / "new" / "config.toml"
    cfg.set_value("acme", "base_url", "https://sp.example/v2", explicit=str(path))
    cfg.set_value("acme", "read_timeout", "12", explicit=str(path))
    cfg.set_value("acme", "allow_http", "no", explicit=str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    profile = cfg.load_profile("acme", config_path=str(path))
    assert (profile.base_url, profile.read_timeout, profile.allow_http) == (
        "https://sp.example/v2", 12.0, False)


def test_set_target_rest_gets_a_starter_template(tmp_path):
    path = str(tmp_path / "c.toml")
    cfg.set_value("r", "target", "rest", explicit=path)
    cfg.set_value("r", "rest.write_method", "PATCH", explicit=path)
    profile = cfg.load_profile("r", config_path=path)
    assert profile.rest.body["certificate"] == "{certificate}"


@pytest.mark.parametrize("key,value,code", [("token", "x", "CONFIG_SECRET_IN_FILE"),
                                            ("nope", "x", "CONFIG_UNKNOWN_KEY"),
                                            ("retries", "many", "CONFIG_INVALID"),
                                            ("allow_http", "maybe", "CONFIG_INVALID"),
                                            ("target", "soap", "CONFIG_INVALID")])
def test_set_value_refusals(tmp_path, key, value, code):
    path = tmp_path / "c.toml"
    with pytest.raises(ConfigError) as info:
        cfg.set_value("a", key, value, explicit=str(path))
    assert info.value.code == code
    assert not path.exists()


@pytest.mark.parametrize("text,key", [("[profiles]\na = 1\n", "base_url"),
                                      ("[profiles.a]\nrest = 1\n", "rest.read_url"),
                                      ("profiles = 'a'\n", "base_url")])
def test_set_value_in_a_file_of_the_wrong_shape(tmp_path, text, key):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        cfg.set_value("a", key, "https://sp.example/v2", explicit=path)
    assert info.value.code == "CONFIG_INVALID"
    assert pathlib.Path(path).read_text() == text


def test_set_value_keeps_toml_dates(tmp_path):
    text = "reviewed = 2026-01-31\nat = 2026-01-31T12:00:00Z\n[profiles.a]\nretries = 1\n"
    path = _write(tmp_path, text)
    cfg.set_value("a", "read_timeout", "12", explicit=path)
    data = tomllib.loads(pathlib.Path(path).read_text())
    assert data["reviewed"] == tomllib.loads(text)["reviewed"]
    assert data["at"] == tomllib.loads(text)["at"]
    assert data["profiles"]["a"] == {"retries": 1, "read_timeout": 12.0}


def test_redacted():
    assert schema.redacted({"a": {"token": "s", "x": [{"password": "p"}]}}) == {
        "a": {"token": "<hidden>", "x": [{"password": "<hidden>"}]}}


SCALARS = st.one_of(st.text(max_size=20), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=False, allow_infinity=False))
TABLES = st.recursive(st.dictionaries(st.text(min_size=1, max_size=8), SCALARS, max_size=4),
                      lambda c: st.dictionaries(st.text(min_size=1, max_size=8), c, max_size=3),
                      max_leaves=10)


@settings(max_examples=100)
@given(TABLES)
def test_dump_toml_round_trips(data):
    assert tomllib.loads(tomlwrite.dump_toml(data)) == data


def test_dump_toml_writes_arrays_of_tables_and_dates():
    text = 'when = 2026-01-31T12:00:00Z\n[[notes]]\ntext = "x"\nn = [1, {a = 2}]\n'
    data = tomllib.loads(text)
    assert tomllib.loads(tomlwrite.dump_toml(data)) == data


def test_dump_toml_quotes_keys_with_newlines():
    assert tomllib.loads(tomlwrite.dump_toml({"0\n": {"a\n": 1}})) == {"0\n": {"a\n": 1}}


@pytest.mark.parametrize("key,value", [("read_timeout", "0"), ("connect_timeout", "-1"),
                                       ("retries", "1000"), ("deadline", "0"),
                                       ("base_url", "ftp://x.example"),
                                       ("acs_url", "sipgate.example/acs")])
def test_set_refuses_values_that_cannot_work(tmp_path, key, value):
    path = tmp_path / "c.toml"
    with pytest.raises(ConfigError) as info:
        cfg.set_value("acme", key, value, explicit=str(path))
    assert info.value.code == "CONFIG_INVALID" and not path.exists()
    assert key in info.value.message
