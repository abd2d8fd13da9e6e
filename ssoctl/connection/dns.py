"""The e-mail domain's DNS TXT verification record, looked up with dnspython.

sipgate asks a company to prove it owns its e-mail domain with a TXT record before SSO is
used. :func:`check_txt` looks the domain's TXT records up (through the system resolver, or
one DNS server given as ``IP[:PORT]``) and returns findings: none when the record is there,
``CONN_DNS_TXT_MISSING`` when it is not, ``CONN_DNS_LOOKUP_FAILED`` when the server gave no
usable answer. dnspython is imported inside the functions (``ssoctl --help`` never pays).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ssoctl.errors import UsageError
from ssoctl.findings import Finding, finding, plural

FIELD = "DNS: TXT record of the e-mail domain"
#: One lookup; the nightly job should fail fast on a dead server, not hang.
TIMEOUT = 5.0


@dataclass(frozen=True)
class DnsServer:
    """One DNS server to ask instead of the system resolver."""

    ip: str
    port: int = 53

    def __str__(self) -> str:
        host = f"[{self.ip}]" if ":" in self.ip else self.ip
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class TxtResult:
    """What the lookup found: the records (text), and the findings about them."""

    domain: str
    records: tuple[str, ...]
    expected: str | None
    server: str
    findings: tuple[Finding, ...]

    @property
    def present(self) -> bool:
        return not any(f.is_error for f in self.findings)

    def to_dict(self) -> dict[str, object]:
        return {"domain": self.domain, "records": list(self.records), "expected": self.expected,
                "server": self.server, "present": self.present}


def parse_server(text: str) -> DnsServer:
    """``IP``, ``IP:PORT``, ``[IPv6]:PORT`` -> :class:`DnsServer`; :class:`UsageError` else."""
    value = text.strip()
    hint = "give an IP address, optionally with a port: --dns-server 192.0.2.53:53"
    host, port = value, "53"
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        if rest.startswith(":"):
            port = rest[1:]
        elif rest:
            host = ""
    elif value.count(":") == 1:
        host, port = value.split(":")
    try:
        ip = str(ipaddress.ip_address(host))
    except ValueError:
        raise UsageError(f"--dns-server {text!r} is not an IP address", hint=hint,
                         code="DNS_SERVER_INVALID") from None
    if not port.isdecimal() or not 0 < int(port) < 65536:
        raise UsageError(f"--dns-server {text!r}: the port must be 1 to 65535", hint=hint,
                         code="DNS_SERVER_INVALID")
    return DnsServer(ip, int(port))


def check_domain(domain: str) -> str:
    """The domain as a lookup name (IDNA handled by dnspython), or :class:`UsageError`."""
    name = domain.strip().rstrip(".").lower()
    if "@" in name:
        name = name.rsplit("@", 1)[1]
    if not name or " " in name or "/" in name or "." not in name or len(name) > 253:
        raise UsageError(f"--domain {domain!r} is not a domain name",
                         hint="give the company's e-mail domain, e.g. --domain example.com",
                         code="DNS_DOMAIN_INVALID")
    return name


def check_txt(domain: str, *, expected: str | None = None, server: DnsServer | None = None,
              timeout: float = TIMEOUT) -> TxtResult:
    """Look up the TXT records of ``domain`` and judge them against ``expected``.

    ``expected`` None: any TXT record counts as present (with an info finding that its value
    was not compared). Otherwise one record must equal it (surrounding blanks ignored).
    """
    name = check_domain(domain)
    where = str(server) if server else "system resolver"
    try:
        records = _lookup(name, server, timeout)
    except _Failed as exc:
        return TxtResult(name, (), expected, where, (finding(
            "CONN_DNS_LOOKUP_FAILED", f"TXT lookup of {name} at {where} failed: {exc}",
            field=FIELD),))
    return TxtResult(name, records, expected, where, judge(name, records, expected))


def judge(name: str, records: tuple[str, ...], expected: str | None) -> tuple[Finding, ...]:
    """Findings for the TXT records found (pure; the lookup is :func:`_lookup`)."""
    if expected is not None:
        want = expected.strip()
        if any(r.strip() == want for r in records):
            return ()
        seen = "; ".join(records) if records else "no TXT records"
        return (finding("CONN_DNS_TXT_MISSING", f"{name} has no TXT record {want!r} "
                        f"(found: {seen})", field=FIELD, expected=want,
                        received=seen),)
    if not records:
        return (finding("CONN_DNS_TXT_MISSING", f"{name} has no TXT records", field=FIELD),)
    return (finding("CONN_DNS_TXT_UNCHECKED", f"{name} has {len(records)} TXT "
                    f"{plural(len(records), 'record')}; sipgate's value was not compared",
                    field=FIELD),)


class _Failed(Exception):
    """The lookup produced no answer to judge (timeout, SERVFAIL, REFUSED, bad answer)."""


def _lookup(name: str, server: DnsServer | None, timeout: float) -> tuple[str, ...]:
    """The TXT strings of ``name``; () for NXDOMAIN or no TXT records."""
    import dns.exception
    import dns.resolver

    if server is None:
        try:
            resolver = dns.resolver.Resolver()
        except dns.resolver.NoResolverConfiguration:
            raise _Failed("this machine has no DNS resolver configured (pass --dns-server)") \
                from None
    else:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [server.ip]
        resolver.port = server.port
    resolver.timeout = resolver.lifetime = timeout
    try:
        answer = resolver.resolve(name, "TXT", raise_on_no_answer=False, search=False)
    except dns.resolver.NXDOMAIN:
        return ()
    except dns.resolver.LifetimeTimeout:
        raise _Failed(f"no answer within {timeout:g} s") from None
    except dns.resolver.NoNameservers as exc:
        raise _Failed(_servers_said(exc)) from None
    except dns.exception.DNSException as exc:
        raise _Failed(type(exc).__name__) from None
    if answer.rrset is None:
        return ()
    return tuple(b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer.rrset)


def _servers_said(exc: Exception) -> str:
    """dnspython's NoNameservers carries each server's error; keep the rcode words."""
    errors = getattr(exc, "kwargs", {}).get("errors") or []
    words = []
    for entry in errors:
        text = str(entry[3]) if isinstance(entry, tuple) and len(entry) > 3 else str(entry)
        words.append(text)
    return "; ".join(words) or "every server refused or failed"
