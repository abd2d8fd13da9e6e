"""Time ``ssoctl decode-response`` on a large browser HAR against merely loading it.

    python benchmarks/har_large.py [--mb 300] [--runs 3] [--keep FILE]

Builds a HAR like the one Chrome saves from a sipgate login (issue 14): about ``--mb`` MB
of page assets -- minified scripts (JSON-escaped text), stylesheets, fonts and images
(base64) -- with the SP's AuthnRequest (HTTP-Redirect URL), the IdP's auto-submit page
and the POST of the signed SAMLResponse to the ACS, the POST as the very last entry.
Then runs, in turn, each in a fresh process:

- ``json.load``: ``python -c "import json; json.load(open(F))"``, the reference: it only
  loads the file;
- ``ssoctl --all --json``: ``python -m ssoctl decode-response F --all --json --now ...``
  (the 2 messages decoded and checked, the JSON document printed);
- ``ssoctl --list``: ``python -m ssoctl decode-response F --list --json``;

and prints for each the best wall-clock time of ``--runs``, the ratio to ``json.load``
(target: at most 2x) and the peak memory of the process (its ``VmHWM``; target for ssoctl:
at most 150 MiB; Linux only). Also prints the load average before and after.
Nothing touches the network; the clock is fixed with ``--now``.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

T0 = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
NOW = T0 + dt.timedelta(minutes=1)
MiB = 1024 * 1024


def _when(seconds: float) -> str:
    return (T0 + dt.timedelta(seconds=seconds)).isoformat(timespec="milliseconds") \
        .replace("+00:00", "Z")


def _entry(number: int, url: str, *, method: str = "GET", mime: str = "text/html",
           text: str | None = None, encoding: str | None = None, post: dict | None = None,
           status: int = 200, location: str = "") -> dict:
    """One entry shaped like Chrome's (headers, cookies, timings, an initiator)."""
    content: dict = {"size": len(text or ""), "mimeType": mime}
    if text is not None:
        content["text"] = text
    if encoding:
        content["encoding"] = encoding
    request: dict = {"method": method, "url": url, "httpVersion": "http/2.0",
                     "headers": [{"name": ":authority", "value": url.split("/")[2]},
                                 {"name": "accept", "value": "*/*"},
                                 {"name": "cookie", "value": "sid=bench-session"},
                                 {"name": "user-agent", "value": "Mozilla/5.0 (bench)"}],
                     "queryString": [], "cookies": [{"name": "sid", "value": "bench-session"}],
                     "headersSize": -1, "bodySize": 0}
    if post is not None:
        request["postData"] = post
    headers = [{"name": "content-type", "value": mime}, {"name": "cache-control",
                                                         "value": "max-age=3600"}]
    if location:
        headers.append({"name": "location", "value": location})
    return {"_initiator": {"type": "script", "stack": {"callFrames": [
                {"functionName": "load", "url": "https://app.example/main.js",
                 "lineNumber": number, "columnNumber": 7}]}},
            "_priority": "High", "_resourceType": "script", "cache": {}, "connection": "443",
            "pageref": "page_1", "request": request,
            "response": {"status": status, "statusText": "", "httpVersion": "http/2.0",
                         "headers": headers, "cookies": [], "content": content,
                         "redirectURL": location, "headersSize": -1, "bodySize": -1,
                         "_transferSize": len(text or "")},
            "serverIPAddress": "192.0.2.10", "startedDateTime": _when(number / 10),
            "time": 12.5, "timings": {"blocked": 0.5, "dns": -1, "ssl": -1, "connect": -1,
                                      "send": 0.1, "wait": 10.2, "receive": 1.7}}


def _script(size: int, rng: random.Random) -> str:
    """Minified-looking JavaScript of about ``size`` characters."""
    words = ["function", "return", "var", "const", "this", "null", "undefined", "window"]
    parts, total = [], 0
    while total < size:
        name = rng.choice(words) + str(rng.randrange(10_000))
        piece = (f'{name}=function(e,t){{if(e==="{name}")return t.get("{name}")||'
                 f"'x\\n';}};\n")
        parts.append(piece)
        total += len(piece)
    return "".join(parts)


def build(path: Path, megabytes: int, *, seed: int = 7) -> int:
    """Write the HAR; returns the number of entries. The SAML entries: the AuthnRequest
    near the start, the IdP's form page and the POST to the ACS at the very end."""
    from ssoctl.rehearsal import samlgen

    rng = random.Random(seed)
    request_xml = samlgen.authn_request(now=T0, id="_bench_request")
    response_xml = samlgen.response(now=T0, in_response_to="_bench_request",
                                    name_id="alice@example.com")
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    redirect = quote(base64.b64encode(comp.compress(request_xml) + comp.flush()).decode(),
                     safe="")
    posted = base64.b64encode(response_xml).decode()
    idp = "https://example.okta.com/app/sipgate/exk1/sso/saml"
    script = _script(4 * MiB, rng)
    style = ".a{color:#333;background:url(\"/i.png\")}\n" * (MiB // 40)
    image = base64.b64encode(rng.randbytes(6 * MiB)).decode()
    font = base64.b64encode(rng.randbytes(2 * MiB)).decode()
    number = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('{"log": {"version": "1.2", "creator": {"name": "WebInspector", '
                  '"version": "537.36"}, "pages": [{"startedDateTime": "' + _when(0)
                  + '", "id": "page_1", "title": "sipgate", "pageTimings": {}}], '
                  '"entries": [\n')

        def write(entry: dict) -> None:
            nonlocal number
            out.write((",\n" if number else "") + json.dumps(entry))
            number += 1

        write(_entry(number, "https://app.sipgate.example/login", status=302,
                     location=f"{idp}?SAMLRequest={redirect}&RelayState=bench"))
        write(_entry(number, f"{idp}?SAMLRequest={redirect}&RelayState=bench",
                     text="<html><body>sign in</body></html>"))
        kinds = [("application/javascript", script, None), ("text/css", style, None),
                 ("image/png", image, "base64"), ("font/woff2", font, "base64")]
        api = json.dumps({"items": [{"id": i, "name": f"item {i}", "tags": ["a", "b"]}
                                    for i in range(40)]})
        icon = base64.b64encode(rng.randbytes(12_000)).decode()
        big = 0
        while out.tell() < megabytes * 1000 * 1000:
            mime, text, encoding = kinds[big % len(kinds)]
            big += 1
            write(_entry(number, f"https://cdn.example/asset/{number}", mime=mime, text=text,
                         encoding=encoding))
            for _ in range(30):  # the many small requests of a page between the large ones
                small = number % 2
                write(_entry(number, f"https://api.example/v1/{number}",
                             mime="image/png" if small else "application/json",
                             text=icon if small else api, encoding="base64" if small else None))
        form = (f'<html><body onload="document.forms[0].submit()"><form method="post" '
                f'action="{samlgen.ACS_URL}"><input type="hidden" name="SAMLResponse" '
                f'value="{posted}"/><input type="hidden" name="RelayState" value="bench"/>'
                "</form></body></html>")
        write(_entry(number, f"{idp.rpartition('/')[0]}/login", method="POST", text=form))
        body = f"SAMLResponse={quote(posted, safe='')}&RelayState=bench"
        write(_entry(number, samlgen.ACS_URL, method="POST", status=302,
                     location="https://app.sipgate.example/",
                     post={"mimeType": "application/x-www-form-urlencoded", "text": body,
                           "params": [{"name": "SAMLResponse", "value": quote(posted, safe="")},
                                      {"name": "RelayState", "value": "bench"}]}))
        out.write("\n]}}\n")
    return number


#: Runs what follows (``-m MODULE ARGS`` or ``-c CODE``) and writes its peak memory
#: (VmHWM, KiB) to the file named first. Not the child's ru_maxrss: on Linux that also
#: counts the memory of the process that started it, before exec (this script).
PEAK = """
import atexit, runpy, sys

def _peak(path=sys.argv[1]):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                with open(path, "w") as out:
                    out.write(line.split()[1])

atexit.register(_peak)
if sys.argv[2] == "-m":
    sys.argv = [sys.argv[3], *sys.argv[4:]]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    exec(sys.argv[3])
"""


def run(argv: list[str]) -> tuple[float, int, bytes]:
    """Wall-clock seconds, the peak memory of that one process (bytes) and its stdout.
    ``argv`` is ``["-m", "ssoctl", ...]`` or ``["-c", CODE]``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    with tempfile.TemporaryDirectory() as tmp:
        peak = Path(tmp) / "peak"
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", PEAK, str(peak), *argv],
                              capture_output=True, env=env)
        elapsed = time.perf_counter() - start
        if done.returncode not in (0, 1):
            raise SystemExit(f"{argv[:4]} failed ({done.returncode}): "
                             f"{done.stderr.decode()[-500:]}")
        return elapsed, int(peak.read_text()) * 1024, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=300, help="size of the HAR in MB")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the HAR here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "large.har"
        start = time.perf_counter()
        entries = build(path, args.mb)
        size = path.stat().st_size
        print(f"built {path.name}: {size / 1e6:,.0f} MB, {entries} entries, 2 SAML messages "
              f"({time.perf_counter() - start:.1f} s)")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        now = NOW.isoformat().replace("+00:00", "Z")
        rows = {
            "ssoctl --list": ["-m", "ssoctl", "decode-response", str(path), "--list", "--json"],
            "ssoctl --all --json": ["-m", "ssoctl", "decode-response", str(path), "--all",
                                    "--json", "--now", now],
            "json.load": ["-c", f"import json; json.load(open({str(path)!r}))"],
        }
        best: dict[str, float] = {name: float("inf") for name in rows}
        peaks: dict[str, int] = {}
        for _ in range(args.runs):
            for name, argv in rows.items():
                elapsed, peak, stdout = run(argv)
                best[name] = min(best[name], elapsed)
                peaks[name] = max(peaks.get(name, 0), peak)
                if name == "ssoctl --all --json":
                    doc = json.loads(stdout)
                    found = doc["data"]["messages_found"]
                    if found != 2:
                        raise SystemExit(f"expected 2 SAML messages, found {found}")
        print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        reference = best["json.load"]
        print(f"\n{'what':<22} {'best s':>8} {'x json.load':>12} {'peak MiB':>9}")
        for name in rows:
            print(f"{name:<22} {best[name]:>8.2f} {best[name] / reference:>12.2f} "
                  f"{peaks[name] / MiB:>9.0f}")
        print("\ntargets: ssoctl --all --json at most 2x json.load, peak at most 150 MiB")
        if args.keep is None:
            path.unlink()


if __name__ == "__main__":
    main()
