"""The e-mail domain's TXT verification record, against a DNS server started on 127.0.0.1."""

from __future__ import annotations

import pytest
from support.dns_server import DnsServer

from ssoctl.connection.dns import check_txt, judge, parse_server
from ssoctl.errors import UsageError


@pytest.fixture
def dns_server():
    with DnsServer() as server:
        yield server


def test_the_expected_record_is_found(dns_server):
    dns_server.txt["example.com"] = ["v=spf1 -all", "sipgate-verify=4711"]
    result = check_txt("Example.COM.", expected="sipgate-verify=4711",
                       server=parse_server(dns_server.address))
    assert result.present and result.findings == ()
    assert set(result.records) == {"v=spf1 -all", "sipgate-verify=4711"}
    assert dns_server.queries == [("example.com", "TXT")]


def test_an_e_mail_address_means_its_domain(dns_server):
    dns_server.txt["example.com"] = ["sipgate-verify=4711"]
    result = check_txt("admin@example.com", expected="sipgate-verify=4711",
                       server=parse_server(dns_server.address))
    assert result.domain == "example.com" and result.present


def test_a_missing_record_is_an_error_finding(dns_server):
    dns_server.txt["example.com"] = ["v=spf1 -all"]
    result = check_txt("example.com", expected="sipgate-verify=4711",
                       server=parse_server(dns_server.address))
    assert not result.present
    [item] = result.findings
    assert item.code == "CONN_DNS_TXT_MISSING" and item.is_error
    assert item.expected == "sipgate-verify=4711" and "v=spf1 -all" in item.received


def test_a_domain_that_does_not_exist_has_no_record(dns_server):
    dns_server.txt["example.com"] = ["x"]
    result = check_txt("other.example.com", server=parse_server(dns_server.address))
    assert [f.code for f in result.findings] == ["CONN_DNS_TXT_MISSING"]


def test_without_an_expected_value_any_record_counts_with_a_note(dns_server):
    dns_server.txt["example.com"] = ["something"]
    result = check_txt("example.com", server=parse_server(dns_server.address))
    assert result.present
    assert [f.code for f in result.findings] == ["CONN_DNS_TXT_UNCHECKED"]


def test_a_name_without_txt_records_has_no_record(dns_server):
    dns_server.txt["example.com"] = []
    result = check_txt("example.com", server=parse_server(dns_server.address))
    assert [f.code for f in result.findings] == ["CONN_DNS_TXT_MISSING"]


@pytest.mark.parametrize("mode", ["servfail", "refused"])
def test_a_failing_server_is_a_lookup_failure_not_a_missing_record(dns_server, mode):
    dns_server.mode = mode
    result = check_txt("example.com", server=parse_server(dns_server.address))
    [item] = result.findings
    assert item.code == "CONN_DNS_LOOKUP_FAILED"
    assert ("SERVFAIL" if mode == "servfail" else "REFUSED") in item.message


def test_a_silent_server_times_out(dns_server):
    dns_server.mode = "silent"
    result = check_txt("example.com", server=parse_server(dns_server.address), timeout=0.3)
    [item] = result.findings
    assert item.code == "CONN_DNS_LOOKUP_FAILED" and "no answer within 0.3 s" in item.message


@pytest.mark.parametrize("text,expected", [
    ("127.0.0.1", "127.0.0.1:53"), ("127.0.0.1:5353", "127.0.0.1:5353"),
    ("[::1]:5353", "[::1]:5353"), ("::1", "[::1]:53"),
])
def test_dns_server_forms(text, expected):
    assert str(parse_server(text)) == expected


@pytest.mark.parametrize("text", ["dns.example.com", "127.0.0.1:0", "127.0.0.1:x", "[::1]x", ""])
def test_bad_dns_servers_are_usage_errors(text):
    with pytest.raises(UsageError) as info:
        parse_server(text)
    assert info.value.code == "DNS_SERVER_INVALID"


@pytest.mark.parametrize("text", ["", "localhost", "a b.com", "https://example.com/"])
def test_bad_domains_are_usage_errors(text):
    with pytest.raises(UsageError) as info:
        check_txt(text, server=parse_server("127.0.0.1:9"))
    assert info.value.code == "DNS_DOMAIN_INVALID"


def test_judge_ignores_surrounding_blanks():
    assert judge("example.com", (" token ",), "token") == ()
