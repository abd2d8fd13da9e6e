"""Federation aggregates read as a stream (ssoctl/metadata/stream.py, xmlsafe.iter_elements).

Files over the in-memory limit are streamed to the one IdP asked for; the hostile-input
rules still hold for every byte that is parsed (docs/threat-model.md, resource exhaustion).
Most tests lower the in-memory limit so that small generated aggregates take the streaming
path; one runs a real file over the default limit through the command line.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ssoctl import xmlsafe
from ssoctl.errors import InputError, UsageError
from ssoctl.metadata import reader, stream
from support import aggregate

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
SMALL_LIMIT = 64 * 1024


@pytest.fixture
def streamed(monkeypatch):
    """Files over 64 KiB take the streaming path (the default threshold is 1 MiB)."""
    monkeypatch.setattr(reader, "STREAM_ABOVE", SMALL_LIMIT)


@pytest.fixture(scope="module")
def members(tmp_path_factory):
    """An aggregate of 300 members (about 480 KB) whose last entity is an IdP."""
    return aggregate.write(tmp_path_factory.mktemp("agg") / "federation.xml", 300)


def _chunks(data: bytes, size: int):
    return [data[i:i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("size", [1, 7, 64, 4096, 1 << 20])
def test_any_chunking_finds_the_same_entity_as_the_in_memory_reader(members, size):
    data = members.read_bytes()
    wanted = aggregate.idp_id(150)
    found = stream.find_idp(_chunks(data, size), wanted)
    whole = reader.load(data, entity_id=wanted, now=NOW)
    part = reader.load(found.document, entity_id=wanted, now=NOW)
    assert part.entity_id == whole.entity_id == wanted
    assert part.sso_urls == whole.sso_urls
    assert part.certificate_pem == whole.certificate_pem
    assert part.valid_until == whole.valid_until  # the aggregate's validUntil still applies


def test_the_very_last_entity_is_found(members, streamed):
    wanted = aggregate.idp_id(299)
    settings = reader.load_source(str(members), entity_id=wanted, now=NOW)
    assert settings.entity_id == wanted
    assert settings.sso_url == "https://idp299.uni.example.edu/idp/profile/SAML2/Redirect/SSO"
    assert len(settings.entity_ids_found) == 31  # every tenth member, and the last


def test_a_malformed_tail_after_the_entity_is_never_read(members, tmp_path, streamed):
    path = tmp_path / "cut.xml"
    data = members.read_bytes()
    marker = aggregate.idp_id(100).encode()
    end = data.index(b"</md:EntityDescriptor>", data.index(marker)) + 22
    path.write_bytes(data[:end] + b"\n<md:EntityDescriptor <<< not XML at all")
    settings = reader.load_source(str(path), entity_id=aggregate.idp_id(100), now=NOW)
    assert settings.entity_id == aggregate.idp_id(100)
    # An entity after the damage is not reachable: the error names the XML problem.
    with pytest.raises(InputError) as err:
        reader.load_source(str(path), entity_id=aggregate.idp_id(110), now=NOW)
    assert err.value.code == "XML_MALFORMED"


def test_a_file_cut_mid_stream_is_malformed_not_a_crash(members, tmp_path, streamed):
    path = tmp_path / "truncated.xml"
    data = members.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(InputError) as err:
        reader.load_source(str(path), entity_id=aggregate.idp_id(299), now=NOW)
    assert err.value.code == "XML_MALFORMED"
    assert "saved" in err.value.hint


@pytest.mark.parametrize("where", ["start", "middle", "split"])
def test_a_doctype_anywhere_in_a_huge_file_is_refused(members, where):
    data = members.read_bytes()
    bomb = b'<!DOCTYPE lol [<!ENTITY lol "lol">]>'
    if where == "start":
        data = data.replace(b"?>\n", b"?>\n" + bomb + b"\n", 1)
        chunks = _chunks(data, 4096)
    else:
        cut = data.index(b"<md:EntityDescriptor", len(data) // 2)
        data = data[:cut] + b'<!ENTITY x "y">' + data[cut:]
        # "split": the keyword straddles two chunks
        size = cut + 4 if where == "split" else 4096
        chunks = [data[:size], data[size:]] if where == "split" else _chunks(data, size)
    with pytest.raises(InputError) as err:
        stream.find_idp(chunks, aggregate.idp_id(299))
    assert err.value.code == "XML_DOCTYPE"


def test_a_huge_text_node_is_still_refused(tmp_path):
    doc = (aggregate.HEAD + "<md:EntityDescriptor entityID='x'><md:Extensions>"
           + "A" * (11 * 1024 * 1024) + "</md:Extensions></md:EntityDescriptor>" + aggregate.TAIL)
    with pytest.raises(InputError) as err:
        stream.find_idp(_chunks(doc.encode(), 1 << 20), "x")
    assert err.value.code == "XML_TOO_LARGE"


def test_deep_nesting_is_still_refused():
    doc = aggregate.HEAD + "<a>" * 3000 + "</a>" * 3000 + aggregate.TAIL
    with pytest.raises(InputError) as err:
        stream.find_idp(_chunks(doc.encode(), 4096), "x")
    assert err.value.code == "XML_TOO_DEEP"


def test_no_entity_id_names_the_count_and_how_to_list_them(members, streamed):
    with pytest.raises(UsageError) as err:
        reader.load_source(str(members), now=NOW, entity_id_option="--entity-id")
    assert "31 identity providers" in err.value.message
    assert "and 26 more" in err.value.message  # five named, not all of them
    assert f"ssoctl import-metadata {members} --list" in err.value.hint


def test_an_unknown_entity_id_is_a_usage_error(members, streamed):
    with pytest.raises(UsageError) as err:
        reader.load_source(str(members), entity_id="https://nobody.example/", now=NOW)
    assert err.value.code == "METADATA_ENTITY_NOT_FOUND"


def test_a_trailing_slash_is_forgiven_as_in_memory(members, streamed):
    wanted = aggregate.idp_id(40)
    settings = reader.load_source(str(members), entity_id=wanted + "/", now=NOW)
    assert settings.entity_id == wanted
    assert any(f.code == "METADATA_ENTITY_ID_SLASH" for f in settings.findings)


def test_list_streams_and_matches_the_in_memory_list(members, streamed):
    streamed_ids = reader.list_sources_idps(str(members))
    whole = reader.idp_entity_ids(xmlsafe.parse(members.read_bytes()))
    assert streamed_ids == whole and len(whole) == 31


def test_utf16_is_refused_in_the_stream():
    doc = (aggregate.HEAD.replace("UTF-8", "UTF-16") + aggregate.TAIL).encode("utf-16")
    with pytest.raises(InputError) as err:
        stream.find_idp(_chunks(doc, 4096), "x")
    assert "UTF-16" in err.value.message


def test_empty_stream_is_refused():
    with pytest.raises(InputError) as err:
        stream.find_idp([], "x")
    assert err.value.code == "XML_EMPTY"


def test_command_line_on_a_file_over_the_default_limit(tmp_path, cli):
    """A real 11 MB aggregate through the command: streamed, the last IdP found, --list."""
    path = aggregate.write(tmp_path / "big.xml", 7000)
    assert path.stat().st_size > reader.MAX_METADATA_BYTES
    wanted = aggregate.idp_id(6999)
    r = cli("import-metadata", str(path), "--entity-id", wanted, "--now", "2026-06-01", "--json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)["data"]
    assert data["entity_id"] == wanted and len(data["entity_ids_found"]) == 701
    r = cli("import-metadata", str(path), "--list")
    assert r.exit_code == 0 and r.stdout.splitlines()[-1] == wanted
    assert "701 identity providers" in r.stderr
    r = cli("import-metadata", str(path))
    assert r.exit_code == 2 and "701 identity providers" in r.stderr
    assert aggregate.idp_id(700) not in r.stderr  # not every entity ID on the screen


def _nested(groups: int, per_group: int) -> bytes:
    """An aggregate of ``groups`` nested EntitiesDescriptors, a comment between members,
    and a signature-like first child of the root that must stay."""
    bodies = aggregate._bodies(1)
    parts = [aggregate.HEAD, "<md:Extensions><!-- kept --></md:Extensions>"]
    n = 0
    for group in range(groups):
        parts.append(f'<md:EntitiesDescriptor Name="urn:group:{group}">')
        for _ in range(per_group):
            parts.append(aggregate.entity(n, bodies[0], idp=n % 10 == 0) + "<!-- member -->")
            n += 1
        parts.append("</md:EntitiesDescriptor>")
    parts.append(aggregate.TAIL)
    return "".join(parts).encode()


def test_nested_groups_and_comments_are_read_like_in_memory():
    data = _nested(3, 700)
    wanted = aggregate.idp_id(2090)
    found = stream.find_idp(_chunks(data, 8192), wanted)
    assert reader.load(found.document, now=NOW).entity_id == wanted
    whole = reader.idp_entity_ids(xmlsafe.parse(data))
    assert stream.list_idps(_chunks(data, 8192)) == whole
    assert found.entity_ids == whole[:whole.index(wanted) + 1]


def test_what_was_passed_is_dropped_in_nested_groups_too():
    """After 2,100 members in three groups, the tree holds at most the last few hundred
    (xmlsafe.DROP_EVERY), and the root's own first child is still there."""
    data = _nested(3, 700)
    root = None
    for root, _element in xmlsafe.iter_elements(_chunks(data, 8192), stream._ENTITY):
        pass
    assert root is not None
    entities = sum(1 for _ in root.iter(stream._ENTITY))
    assert entities <= xmlsafe.DROP_EVERY
    assert root[0].tag == xmlsafe.qname("md", "Extensions")
