"""``okta list`` and ``okta audit``: every SAML 2.0 app of an org, a few at a time.

Listing pages through ``/api/v1/apps`` (200 a page); each app's signing keys (and, where a
check needs them, its assignments) are read by a small thread pool (``jobs``, default 4)
sharing one :class:`OktaClient`, whose rate-limit pacing is shared by all threads. An app
whose own calls fail does not stop the others: it is reported with its error.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from ssoctl.errors import SsoctlError
from ssoctl.findings import Finding, Severity
from ssoctl.okta import api
from ssoctl.okta.apps import SamlApp, SpValues
from ssoctl.okta.checks import AppCheck, KeyInfo, inspect, read_keys
from ssoctl.okta.client import OktaClient

Progress = Callable[[int, int], None]
"""``progress(done, total)``, called from worker threads."""


@dataclass(frozen=True)
class AppRow:
    """One line of ``okta list``."""

    id: str
    label: str
    status: str
    sso_url: str | None
    """Okta's *Single sign-on URL* (where responses are posted: the SP's ACS URL)."""
    signature_algorithm: str | None
    certificate_expires: dt.datetime | None
    active_kid: str | None
    keys: int
    error: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "status": self.status,
                "sso_url": self.sso_url, "signature_algorithm": self.signature_algorithm,
                "certificate_expires": self.certificate_expires, "active_kid": self.active_kid,
                "keys": self.keys, "error": self.error}


@dataclass(frozen=True)
class AppList:
    org: str
    apps: tuple[AppRow, ...]
    label_filter: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"org": self.org, "label_filter": self.label_filter, "count": len(self.apps),
                "apps": [a.to_dict() for a in self.apps]}


def _map(items: list[Any], work: Callable[[Any], Any], *, jobs: int,
         progress: Progress | None) -> list[Any]:
    """``work`` on every item, ``jobs`` at a time, results in input order."""
    total = len(items)
    done = 0
    if progress:
        progress(0, total)
    results: list[Any] = [None] * total
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(work, item): index for index, item in enumerate(items)}
        from concurrent.futures import as_completed

        try:
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                done += 1
                if progress:
                    progress(done, total)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return results


def list_apps(client: OktaClient, *, now: dt.datetime, label: str | None = None,
              jobs: int = 4, progress: Progress | None = None) -> AppList:
    """The org's SAML 2.0 apps with their active signing certificate's expiry.

    ``label`` keeps apps whose label contains it (case-insensitive)."""
    apps = api.saml_apps(client, q=None)
    if label:
        apps = [a for a in apps if label.casefold() in a.label.casefold()]
    apps.sort(key=lambda a: (a.label.casefold(), a.id))

    def row(app: SamlApp) -> AppRow:
        try:
            keys = read_keys(api.keys(client, app.id), app.kid, now=now, certificates="none")
            error = None
        except SsoctlError as exc:
            keys, error = (), exc.to_dict()
        active: KeyInfo | None = next((k for k in keys if k.active), None)
        return AppRow(app.id, app.label, app.status, app.values.get("sso_acs_url"),
                      app.values.get("signature_algorithm"),
                      active.expires_at if active else None, app.kid, len(keys), error)

    rows = _map(apps, row, jobs=jobs, progress=progress)
    return AppList(client.org, tuple(rows), label)


@dataclass(frozen=True)
class AuditEntry:
    """One app's audit: its check, or the error that stopped reading it."""

    app: SamlApp
    check: AppCheck | None
    error: dict[str, str] | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.check.findings if self.check else ()

    @property
    def worst(self) -> str:
        if self.error:
            return "error"
        severities = {f.severity for f in self.findings}
        for level in (Severity.ERROR, Severity.WARNING):
            if level in severities:
                return level.value
        return "ok"

    def to_dict(self) -> dict[str, Any]:
        check = self.check
        key = check.active_key if check else None
        return {"id": self.app.id, "label": self.app.label, "status": self.app.status,
                "sipgate": check.sipgate if check else None, "result": self.worst,
                "assigned": check.assigned if check else None,
                "active_kid": key.kid if key else None,
                "certificate_expires": key.expires_at if key else None,
                "findings": [f.to_dict() for f in self.findings], "error": self.error}


@dataclass(frozen=True)
class AuditResult:
    org: str
    entries: tuple[AuditEntry, ...]
    calls: int = 0

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for e in self.entries for f in e.findings)

    def counts(self) -> dict[str, int]:
        out = {"apps": len(self.entries), "sipgate": 0, "ok": 0, "warning": 0, "error": 0}
        for entry in self.entries:
            out[entry.worst] += 1
            if entry.check and entry.check.sipgate:
                out["sipgate"] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"org": self.org, "summary": self.counts(), "api_calls": self.calls,
                "apps": [e.to_dict() for e in self.entries]}


def audit(client: OktaClient, *, sp: SpValues, now: dt.datetime, warn_days: int = 30,
          jobs: int = 4, progress: Progress | None = None) -> AuditResult:
    """Check every SAML 2.0 app: sipgate's fully, the others with the generic checks."""
    apps = sorted(api.saml_apps(client), key=lambda a: (a.label.casefold(), a.id))

    def one(app: SamlApp) -> AuditEntry:
        try:
            return AuditEntry(app, inspect(client, app, sp=sp, now=now, warn_days=warn_days,
                                           always_assignments=False, certificates="active"))
        except SsoctlError as exc:
            return AuditEntry(app, None, exc.to_dict())

    entries = _map(apps, one, jobs=jobs, progress=progress)
    return AuditResult(client.org, tuple(entries), calls=client.stats.calls)
