"""Reading inputs and writing outputs."""

import io
import os
import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssoctl.errors import InputError, UsageError
from ssoctl.files import decode_text, looks_binary, read_source, stdin_is_tty, write_file


def test_read_stdin():
    src = read_source("-", max_bytes=100, stdin=io.BytesIO(b"hello"))
    assert src.data == b"hello" and src.label == "stdin"


@pytest.mark.parametrize("content,code", [(b"", "INPUT_EMPTY"), (b"  \n", "INPUT_EMPTY"),
                                          (b"x" * 101, "INPUT_TOO_LARGE")])
def test_read_rejects(tmp_path, content, code):
    path = tmp_path / "f"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_source(str(path), max_bytes=100)
    assert info.value.code == code


def test_read_missing_and_directory(tmp_path):
    with pytest.raises(InputError) as info:
        read_source(str(tmp_path / "nope"), max_bytes=10)
    assert info.value.code == "INPUT_NOT_FOUND"
    with pytest.raises(InputError) as info:
        read_source(str(tmp_path), max_bytes=10)
    assert info.value.code == "INPUT_NOT_A_FILE"


@pytest.mark.parametrize("data,enc,bom", [
    (b"\xef\xbb\xbfabc", "utf-8", True),
    ("abc".encode("utf-16"), "utf-16", True),
    ("abcdef".encode("utf-16-le"), "utf-16", False),
    ("abcdef".encode("utf-16-be"), "utf-16", False),
    (b"abc\r\n", "utf-8", False),
])
def test_decode_text(data, enc, bom):
    out = decode_text(data)
    assert out.text.rstrip() in ("abc", "abcdef") and out.encoding == enc and out.had_bom is bom


def test_decode_binary_refused():
    with pytest.raises(InputError) as info:
        decode_text(bytes(range(256)) * 4)
    assert info.value.code == "INPUT_BINARY"


def test_write_file_refuses_overwrite_and_sets_private_mode(tmp_path):
    path = tmp_path / "out.pem"
    write_file(path, "one", private=True)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(UsageError):
        write_file(path, "two")
    write_file(path, "two", force=True)
    assert path.read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pem"]


def test_stdin_is_tty_without_a_usable_stdin(monkeypatch):
    import sys

    monkeypatch.setattr(sys, "stdin", None)
    assert stdin_is_tty() is False
    closed = io.StringIO()
    closed.close()  # isatty() on a closed stream raises ValueError
    monkeypatch.setattr(sys, "stdin", closed)
    assert stdin_is_tty() is False


def test_a_secret_file_under_an_unknown_users_home_is_one_error():
    """``~name/...`` for a user this system does not know: pathlib raises RuntimeError;
    the user gets the file's own "does not exist" error, not a traceback."""
    from ssoctl.errors import ConfigError
    from ssoctl.files import SecretCodes, read_secret_file

    codes = SecretCodes(missing="T_MISSING", unreadable="T_UNREADABLE", insecure="T_INSECURE")
    with pytest.raises(ConfigError) as err:
        read_secret_file("~no-such-user-ssoctl-test/token", what="token file", max_bytes=64,
                         codes=codes)
    assert err.value.code == "T_MISSING"
    assert "~no-such-user-ssoctl-test/token" in err.value.message
    assert "no-such-user-ssoctl-test" in err.value.hint


@pytest.mark.parametrize("mode", [0o700, 0o755])
def test_a_directory_given_as_a_secret_file_is_one_error(tmp_path, mode):
    """A directory (the token's folder instead of the token) is "not a regular file",
    whatever its mode, and no descriptor is left open."""
    from ssoctl.errors import ConfigError
    from ssoctl.files import SecretCodes, read_secret_file

    folder = tmp_path / "tokens"
    folder.mkdir(mode=mode)
    folder.chmod(mode)
    codes = SecretCodes(missing="T_MISSING", unreadable="T_UNREADABLE", insecure="T_INSECURE")
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    with pytest.raises(ConfigError) as err:
        read_secret_file(str(folder), what="token file", max_bytes=64, codes=codes)
    assert err.value.code == "T_UNREADABLE" and "not a regular file" in err.value.message
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before


def test_a_directory_as_token_file_on_the_command_line(cli, tmp_path):
    import json

    folder = tmp_path / "tokdir"
    folder.mkdir(mode=0o700)
    result = cli("--json", "okta", "list", "--org", "https://127.0.0.1:9",
                 "--token-file", str(folder))
    doc = json.loads(result.stdout)
    assert result.exit_code == 2 and doc["ok"] is False
    assert "not a regular file" in doc["error"]["message"]


@given(st.binary(max_size=300))
def test_binary_sniffing_counts_the_control_bytes_text_never_has(sample):
    # Tab, line feed, form feed and carriage return are text; every other byte below 32,
    # and DEL, counts; more than one in twenty makes the sample binary.
    controls = sum(1 for b in sample if (b < 32 and b not in (9, 10, 12, 13)) or b == 127)
    assert looks_binary(sample) == (controls * 20 > len(sample))


def test_binary_sniffing_on_real_shapes():
    assert not looks_binary(b"-----BEGIN CERTIFICATE-----\r\nMIIB\tAA==\f\n")
    assert looks_binary(bytes(range(256)))
    assert not looks_binary(b"")


@pytest.mark.parametrize("data", [
    bytes(4096),                                        # a file of zeros
    b"\xff\xfe" + bytes(200),                           # a BOM, then zeros
    b"\x00\x01\x00\x02\x00\x03\x00\x04" * 64,           # controls in UTF-16 clothing
])
def test_many_nul_bytes_that_are_not_utf16_text_are_binary(data):
    with pytest.raises(InputError) as err:
        decode_text(data, what="certificate")
    assert err.value.code == "INPUT_BINARY"


@pytest.mark.parametrize("encoding,bom", [("utf-16-le", b""), ("utf-16-be", b""),
                                          ("utf-16-le", b"\xff\xfe")])
def test_utf16_text_is_still_read(encoding, bom):
    text = "-----BEGIN CERTIFICATE-----\r\nMIIB\tAA==\r\n-----END CERTIFICATE-----\r\n"
    assert decode_text(bom + text.encode(encoding)).text == text


@pytest.mark.parametrize("data", [
    "-----BEGIN CERTIFICATE-----\nMIIB\n".encode("utf-16-le") + b"x",  # one byte too many
    b"A\x00\x00\xd8A\x00" * 64,                                       # lone surrogates
])
def test_utf16_text_that_does_not_decode_says_so(data):
    """Text in UTF-16 with a damaged byte is a broken text file (save it as UTF-8), not
    binary data."""
    with pytest.raises(InputError) as err:
        decode_text(data)
    assert err.value.code == "INPUT_BAD_ENCODING"
