"""Time ``ssoctl okta audit`` (the library call) on a local Okta stand-in with many apps.

    python benchmarks/okta_audit.py [-n 2000] [--jobs 1,4,8] [--repeat 1]

Seeds :class:`ssoctl.rehearsal.okta.OktaStandIn` (127.0.0.1, rate limit raised out of the
way) with N SAML apps sharing one key, then times :func:`ssoctl.okta.audit.audit` with each
``--jobs`` value, and, as the floor, a plain ``requests`` loop reading each app's key list
once (what any audit has to fetch at least). Figures depend on the stand-in's own speed
per answer as much as on ssoctl: compare the rows with each other, not with a real org.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="apps in the org")
    parser.add_argument("--jobs", default="1,4,8", help="comma-separated --jobs values")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    import requests

    from ssoctl.okta.apps import SpValues
    from ssoctl.okta.audit import audit
    from ssoctl.okta.connect import ConnectOptions, connect
    from ssoctl.rehearsal.okta import OktaStandIn

    now = dt.datetime(2026, 6, 1, 12, tzinfo=dt.timezone.utc)
    standin = OktaStandIn(org="bench", now=lambda: now, rate_limit=10_000_000).start()
    try:
        standin.add_token("bench-token-0123456789")
        started = time.perf_counter()
        ids = standin.add_apps(args.n, acs_url="https://app.example/acs", audience="app")
        print(f"seeded {args.n} apps in {time.perf_counter() - started:.1f} s")
        session = requests.Session()
        headers = {"Authorization": "SSWS bench-token-0123456789"}
        started = time.perf_counter()
        for app_id in ids:
            session.get(f"{standin.url}/api/v1/apps/{app_id}/credentials/keys",
                        headers=headers, timeout=30).json()
        floor = time.perf_counter() - started
        print(f"{'requests loop (key lists, serial)':40} {floor:7.2f} s")
        options = ConnectOptions(org=standin.url,
                                 environ={"SSOCTL_OKTA_TOKEN": "bench-token-0123456789"})
        for jobs in (int(j) for j in args.jobs.split(",")):
            best = float("inf")
            for _ in range(args.repeat):
                with connect(options, scopes=("okta.apps.read",)) as client:
                    started = time.perf_counter()
                    result = audit(client, sp=SpValues(), now=now, jobs=jobs)
                    best = min(best, time.perf_counter() - started)
            print(f"{f'audit --jobs {jobs} ({result.calls} calls)':40} {best:7.2f} s"
                  f"  ({best / floor:.2f}x the loop)")
    finally:
        standin.stop()


if __name__ == "__main__":
    main()
