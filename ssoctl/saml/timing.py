"""Time checks for SAML messages: expired, not yet valid, or saved only by clock skew.

Each finding explains the clock difference in words a person can act on: a capture that
is hours old (check it with ``--now``), a login that took longer than the window, or a
clock that runs ahead (NTP).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Protocol, Sequence

from ssoctl.findings import Finding, finding, plural


class Clock(Protocol):
    """What the timing checks need of the SP's expectations: the time and the allowed skew."""

    @property
    def now(self) -> dt.datetime: ...

    @property
    def skew(self) -> dt.timedelta: ...

# Older than this past its expiry, a message is a stale capture rather than a slow login.
_STALE_AFTER = dt.timedelta(minutes=10)

Window = tuple[str, "dt.datetime | None", "dt.datetime | None"]


def validity(windows: Iterable[Window], issued: dt.datetime | None,
             exp: Clock) -> list[Finding]:
    """At most one finding per kind (expired / not yet valid / within skew) per message
    part: Okta's Conditions and SubjectConfirmationData share their times, and one
    explanation is enough."""
    now = exp.now
    expired = [(label, end) for label, _, end in windows if end is not None and now >= end]
    early = [(label, start) for label, start, _ in windows if start is not None and now < start]
    out: list[Finding] = []
    if expired:
        out.append(_expired(expired, issued, exp))
    if early:
        out.append(_early(early, exp))
    return [f for f in out if f is not None]


def _expired(items: Sequence[tuple[str, dt.datetime]], issued: dt.datetime | None,
             exp: Clock) -> Finding:
    label, end = min(items, key=lambda item: item[1])
    labels = " and ".join(dict.fromkeys(lbl for lbl, _ in items))
    late = exp.now - end
    stamp = _iso(end)
    if late <= exp.skew:
        return finding("SAML_TIME_WITHIN_SKEW",
                       f"{labels} NotOnOrAfter {stamp} passed {_span(late)} ago, within the "
                       f"allowed clock skew of {_span(exp.skew)}",
                       field="NotOnOrAfter", expected=f"before {stamp}", received=_iso(exp.now))
    if late > exp.skew + _STALE_AFTER:
        age = f"issued {_span(exp.now - issued)} ago" if issued else "issued long ago"
        why = (f"This looks like an old capture ({age}); an SP accepts a message only for "
               "a few minutes. If this is a live login, the SP's clock runs about "
               f"{_span(late)} ahead.")
        hint = "capture a fresh login" + (f", or add `--now {_iso(issued)}` to check the rest "
                                          "as at the moment of the login" if issued else "")
    else:
        why = (f"It expired only {_span(late)} ago: the login took longer than the validity "
               "window, or a clock is off (the SP's clock ahead of Okta's).")
        hint = "try the login again; if it keeps happening, check NTP on the SP side"
    return finding("SAML_EXPIRED", f"{labels} NotOnOrAfter {stamp} passed {_span(late)} ago, "
                   f"beyond the allowed clock skew of {_span(exp.skew)}. {why}",
                   hint=hint, field="NotOnOrAfter", expected=f"before {stamp}",
                   received=_iso(exp.now))


def _early(items: Sequence[tuple[str, dt.datetime]], exp: Clock) -> Finding:
    label, start = max(items, key=lambda item: item[1])
    labels = ", ".join(dict.fromkeys(lbl for lbl, _ in items))
    ahead = start - exp.now
    stamp = _iso(start)
    if ahead <= exp.skew:
        return finding("SAML_TIME_WITHIN_SKEW",
                       f"not valid until {stamp} ({labels}), {_span(ahead)} in the future, "
                       f"within the allowed clock skew of {_span(exp.skew)}",
                       field="NotBefore", expected=f"at or after {stamp}", received=_iso(exp.now))
    if ahead > _STALE_AFTER * 6:
        why = (f"so large a gap is rarely clock drift: check --now and this computer's date "
               f"(the message was issued at {stamp})")
        hint = f"check --now and the system date; to check the rest, add `--now {stamp}`"
    else:
        why = (f"a clock problem: the IdP's clock runs about {_span(ahead)} ahead of the SP's "
               "(or this computer's)")
        hint = None
    return finding("SAML_NOT_YET_VALID",
                   f"not valid until {stamp} ({labels}), {_span(ahead)} after the current "
                   f"time {_iso(exp.now)}: {why}", hint=hint,
                   field="NotBefore", expected=f"at or after {stamp}", received=_iso(exp.now))


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _span(delta: dt.timedelta) -> str:
    """``3 h 2 min``, ``4 min 10 s``, ``40 s``, ``2 days 3 h``."""
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} {plural(days, 'day')}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    if minutes:
        return f"{minutes} min" + (f" {secs} s" if secs else "")
    return f"{secs} s"


__all__ = ["validity"]
