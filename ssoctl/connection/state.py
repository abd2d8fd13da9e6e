"""What ``ssoctl setup`` remembers between runs: only what cannot be read back.

Resuming is derived from both sides: each run reads the Okta app (configure's plan) and,
with an SP profile, the SP's settings (push's plan), and does what is still missing. The
state file adds what neither side can say:

- which Okta app this connection uses (its id, so a re-run finds it even when another app
  has the same label or the label was changed);
- for sipgate, whose SSO settings have no API: which values were handed over (Sign on URL,
  Issuer, the certificate's SHA-256) and where the PEM file went, so a re-run with the same
  values says "nothing to do" and a rotated key says "hand over again";
- the step the last run reached, for the "resuming" line.

One JSON file per connection (Okta org + sipgate Entity ID) under the user data dir
(``~/.local/share/ssoctl/connections`` on Linux), mode 0600. It holds no secrets: no token,
no key, not even the certificate (only its fingerprint).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from ssoctl.errors import InputError, UsageError
from ssoctl.files import expand_user

FORMAT = "ssoctl-connection-state/1"
MAX_BYTES = 64 * 1024


def default_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("ssoctl")) / "connections"


@dataclass(frozen=True)
class State:
    """One connection's memory. ``steps`` maps a step name to when it finished."""

    org: str
    sp_entity_id: str
    acs_url: str | None = None
    app_id: str | None = None
    label: str | None = None
    steps: Mapping[str, str] = field(default_factory=dict)
    handed_over: Mapping[str, str] | None = None
    """Manual mode: ``sso_url``, ``issuer``, ``certificate_sha256``, ``cert_file``."""
    sp_profile: str | None = None
    updated_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "org": self.org, "sp_entity_id": self.sp_entity_id,
                "acs_url": self.acs_url, "app_id": self.app_id, "label": self.label,
                "steps": dict(self.steps), "handed_over": None if self.handed_over is None
                else dict(self.handed_over), "sp_profile": self.sp_profile,
                "updated_at": self.updated_at}

    def done(self, step: str, *, now: dt.datetime, **changes: Any) -> "State":
        stamp = _iso(now)
        return replace(self, steps={**self.steps, step: stamp}, updated_at=stamp, **changes)

    def forget(self, *steps: str) -> "State":
        return replace(self, steps={k: v for k, v in self.steps.items() if k not in steps})


def _iso(now: dt.datetime) -> str:
    return now.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def path_for(folder: str | Path | None, org: str, sp_entity_id: str) -> Path:
    """``<dir>/<org host>-<12 hex>.json``: readable, and unique per org + SP entity."""
    directory = expand_user(folder, what="state folder") if folder else default_dir()
    host = re.sub(r"[^a-z0-9.-]+", "-", (urlsplit(org).hostname or "org").lower())
    digest = hashlib.sha256(f"{org}\n{sp_entity_id}".encode()).hexdigest()[:12]
    return directory / f"{host}-{digest}.json"


def load(path: Path, *, org: str, sp_entity_id: str) -> State | None:
    """The state at ``path`` (None when there is none yet)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"cannot read the setup state {path}: {exc.strerror or exc}",
                         hint="check its permissions, or pass another --state-dir",
                         code="SETUP_STATE_INVALID") from None
    try:
        doc = json.loads(raw.decode("utf-8")) if len(raw) <= MAX_BYTES else None
    except (UnicodeDecodeError, ValueError):
        doc = None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError(f"{path} is not an ssoctl setup state file",
                         hint="move it away; setup reads both sides again without it",
                         code="SETUP_STATE_INVALID")
    if doc.get("org") != org or doc.get("sp_entity_id") != sp_entity_id:
        return None  # another connection hashed here: start afresh
    handed = doc.get("handed_over")
    return State(org=org, sp_entity_id=sp_entity_id, acs_url=_str(doc.get("acs_url")),
                 app_id=_str(doc.get("app_id")), label=_str(doc.get("label")),
                 steps={k: v for k, v in (doc.get("steps") or {}).items()
                        if isinstance(k, str) and isinstance(v, str)},
                 handed_over={k: v for k, v in handed.items() if isinstance(v, str)}
                 if isinstance(handed, dict) else None,
                 sp_profile=_str(doc.get("sp_profile")), updated_at=_str(doc.get("updated_at")))


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def save(path: Path, state: State) -> None:
    """Write the state atomically, 0600 (the directory 0700)."""
    from ssoctl.files import write_file

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise UsageError(f"cannot create {path.parent}: {exc.strerror or exc}",
                         hint="pass a writable --state-dir", code="SETUP_STATE_UNWRITABLE") \
            from None
    write_file(path, json.dumps(state.to_dict(), indent=2) + "\n", force=True, private=True)
