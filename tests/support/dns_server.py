"""A tiny authoritative DNS server on 127.0.0.1 (UDP) for the TXT-record checks.

Built on dnspython's message API: each query is parsed with ``dns.message.from_wire``
and answered with ``dns.message.make_response``. It knows a few zones' TXT records and
answers NXDOMAIN for other names under them, NOERROR/no data for other types, and can be
told to answer SERVFAIL or REFUSED, or not at all (a timeout). Usage::

    with DnsServer() as server:
        server.txt["example.com"] = ["sipgate-verification=abc"]
        check_txt("example.com", server=parse_server(server.address))
"""

from __future__ import annotations

import socket
import threading
from typing import Self


class DnsServer:
    """``txt``: name -> list of TXT strings; ``mode``: "answer", "servfail", "refused",
    "silent"; ``queries``: (name, type) of every query received."""

    def __init__(self) -> None:
        self.txt: dict[str, list[str]] = {}
        self.mode = "answer"
        self.queries: list[tuple[str, str]] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def port(self) -> int:
        return self._sock.getsockname()[1]

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                wire, peer = self._sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            reply = self._answer(wire)
            if reply is not None:
                self._sock.sendto(reply, peer)

    def _answer(self, wire: bytes) -> bytes | None:
        import dns.flags
        import dns.message
        import dns.rcode
        import dns.rdataclass
        import dns.rdatatype
        import dns.rrset

        try:
            query = dns.message.from_wire(wire)
        except Exception:
            return None
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        self.queries.append((name, dns.rdatatype.to_text(question.rdtype)))
        if self.mode == "silent":
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if self.mode in ("servfail", "refused"):
            response.set_rcode(dns.rcode.SERVFAIL if self.mode == "servfail"
                               else dns.rcode.REFUSED)
            return response.to_wire()
        known = {n.lower() for n in self.txt}
        if name not in known:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif question.rdtype == dns.rdatatype.TXT:
            values = self.txt[next(n for n in self.txt if n.lower() == name)]
            if values:
                texts = ['"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values]
                response.answer.append(dns.rrset.from_text(question.name, 300,
                                                           dns.rdataclass.IN,
                                                           dns.rdatatype.TXT, *texts))
        return response.to_wire()
