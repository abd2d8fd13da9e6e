"""The work of ``ssoctl rehearse okta`` without Typer: start and seed the stand-in, say
where it is, serve until Ctrl-C."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Sequence

_FAULTS: dict[str, dict[str, Any]] = {
    "rate-limit": {"status": 429, "reset_in": 2.0},
    "server-error": {"status": 500},
    "unauthorized": {"status": 401},
    "slow": {"status": None, "delay": 5.0},
}


def start_okta(*, port: int, org: str, token_file: str | None, force: bool, tls: bool,
               ca_out: str | None, users: Sequence[str], group: str, demo_apps: bool,
               oauth_key: str | None, client_id: str, dpop: bool, rate_limit: int,
               faults: Sequence[str], quiet: bool) -> dict[str, Any]:
    """Start the stand-in (listening, not yet serving) and seed it. Returns ``standin``,
    ``token`` (when it is to be shown), and ``report`` (what to print)."""
    import secrets

    from ssoctl.errors import UsageError
    from ssoctl.rehearsal.okta import OktaStandIn, seed_demo

    unknown = [f for f in faults if f not in _FAULTS]
    if unknown:
        raise UsageError(f"unknown --fault {unknown[0]!r}",
                         hint="use " + ", ".join(_FAULTS), code="USAGE")
    bad_users = [u for u in users if "@" not in u or any(c.isspace() for c in u.strip())]
    if bad_users:
        raise UsageError(f"--user {bad_users[0]!r} is not an e-mail address",
                         hint="give e-mail addresses, e.g. --user alice@example.com",
                         code="USAGE")
    service_jwk = _read_public_key(oauth_key) if oauth_key else None
    if token_file:
        _check_new_file(token_file, force, "--token-file")
    ca_path, context = None, None
    if tls:
        ca_path = Path(ca_out or "rehearsal-ca.pem")
        _check_new_file(str(ca_path), force, "--ca-out")
        if ca_path.exists():
            ca_path.unlink()
        from ssoctl.rehearsal.tls import loopback_context

        context = loopback_context(ca_path)
    try:
        standin = OktaStandIn(org=org, port=port, rate_limit=rate_limit, ssl_context=context,
                              log=None if quiet else sys.stderr)
    except ValueError as exc:
        raise UsageError(f"--org {org!r}: {exc}", hint="e.g. --org acme-rehearsal",
                         code="USAGE") from None
    try:
        standin.bind()
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}",
                         hint="pick another --port, or --port 0 for any free one",
                         code="USAGE") from None
    token = secrets.token_urlsafe(30)
    standin.add_token(token)
    if token_file:
        _write_secret(token_file, token)
    demo = seed_demo(standin, users=users, group=group, demo_apps=demo_apps)
    if service_jwk is not None:
        from ssoctl.rehearsal.okta import SCOPES

        standin.register_service_app(client_id, service_jwk, SCOPES, require_dpop=dpop)
    for kind in faults:
        standin.inject(r"^/api/v1/apps", **_FAULTS[kind])
    return {"standin": standin, "token": None if token_file else token,
            "report": _report(standin, demo, token_file=token_file, ca_path=ca_path,
                              client_id=client_id if service_jwk is not None else None,
                              dpop=dpop, faults=faults)}


def serve(started: dict[str, Any], out,  # noqa: ANN001 - a Renderer
          stops: "SigtermAsCtrlC | None" = None) -> int:
    """Show the token once (stderr), then serve until Ctrl-C; 0 when stopped that way."""
    standin = started["standin"]
    token = started.get("token")
    if token:
        sys.stderr.write(
            "API token (a local rehearsal token: it protects nothing real; shown once):\n"
            f"  export SSOCTL_OKTA_TOKEN={token}\n")
    sys.stderr.write("Ctrl-C stops the stand-in; the org lives in memory only.\n")
    sys.stderr.flush()
    try:
        if stops is not None:
            stops.serving()
        standin.serve_forever()
    except KeyboardInterrupt:
        sys.stderr.write("stopped\n")
    finally:
        standin.stop()
    return 0


class SigtermAsCtrlC:
    """While active, SIGTERM (a service manager, ``kill``) stops the stand-in the way
    Ctrl-C does, and both wait until the stand-in serves: a stop that arrives while it
    starts (seeding, printing the report) ends it the same way as one a minute later,
    "stopped" and exit 0, not a half-printed start. Only in the main thread (where Python
    delivers signals)."""

    _SIGNALS = ("SIGINT", "SIGTERM")

    def __enter__(self) -> "SigtermAsCtrlC":
        import signal
        import threading

        self.previous = None
        self.blocked = False
        if threading.current_thread() is not threading.main_thread():
            return self
        self.previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, self._signals())
            self.blocked = True
        return self

    def serving(self) -> None:
        """Deliver the stops held back while starting (from inside the serving ``try``)."""
        if self.blocked:
            import signal

            self.blocked = False
            signal.pthread_sigmask(signal.SIG_UNBLOCK, self._signals())

    def __exit__(self, *exc: object) -> None:
        import signal

        self.serving()
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)

    def _signals(self) -> set:
        import signal

        return {getattr(signal, name) for name in self._SIGNALS}


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _report(standin, demo, *, token_file, ca_path, client_id, dpop, faults):  # noqa: ANN001
    from ssoctl.links import REHEARSAL_DOCS
    from ssoctl.render import Fields, Report, Table, Text

    url = standin.url
    data = {
        "url": url, "org": standin.org, "token_file": token_file,
        "ca_bundle": str(ca_path) if ca_path else None,
        "users": list(demo.users), "group": {"name": demo.group, "id": demo.group_id},
        "apps": [{"label": label, "rehearses": why} for label, why in demo.apps],
        "oauth_client_id": client_id, "dpop_required": bool(client_id and dpop),
        "faults": list(faults), "login_url": f"{url}/rehearsal/login?app=LABEL&user=EMAIL",
    }
    rows = [("Org URL", url), ("Org", standin.org),
            ("API token", f"in {token_file} (0600)" if token_file
             else "printed once on stderr, below"),
            ("CA for --ca-bundle", str(ca_path) if ca_path else None),
            ("Users", ", ".join(demo.users)), ("Group", demo.group),
            ("OAuth client id", client_id),
            ("DPoP", ("required" if dpop else "not required") if client_id else None),
            ("Faults", ", ".join(faults) or None)]
    blocks = [Text("A local Okta stand-in for rehearsals (not Okta; 127.0.0.1 only)."),
              Fields("Rehearsal org", rows)]
    if demo.apps:
        blocks.append(Table("Apps already there (not sipgate)", ("App", "Rehearses"),
                            [list(a) for a in demo.apps]))
    blocks.append(Text(
        f"Next: point `ssoctl okta` at the org URL (see {REHEARSAL_DOCS}), configure the "
        f"sipgate app and assign the group, then sign in: open {url}/ or fetch "
        f"{url}/rehearsal/login?app=sipgate&user={demo.users[0] if demo.users else 'EMAIL'}"
        " and give it to `ssoctl decode-response -`."))
    return Report(data=data, blocks=tuple(blocks))


def _read_public_key(path: str) -> dict[str, Any]:
    """A public key file (PEM or JWK JSON) as a public JWK. Private keys are refused."""
    from ssoctl.errors import InputError
    from ssoctl.files import read_source
    from ssoctl.rehearsal.oktaauth import public_jwk

    data = read_source(path, max_bytes=64 * 1024, what="public key").data
    try:
        return public_jwk(data)
    except ValueError as exc:
        raise InputError(f"--oauth-public-key {path}: {exc}",
                         hint="give the API Services app's public key (PEM or JWK); export "
                              "it with: `openssl pkey -in key.pem -pubout`",
                         code="INPUT") from None


def _check_new_file(path: str, force: bool, option: str) -> None:
    from ssoctl.errors import UsageError

    target = Path(path)
    if target.exists() and not force:
        raise UsageError(f"{option} {path} exists", hint="add --force to overwrite it",
                         code="OUTPUT_EXISTS")
    if not target.parent.is_dir():
        raise UsageError(f"{option}: the directory of {path} does not exist",
                         hint="create it first or pick another place",
                         code="OUTPUT_UNWRITABLE")


def _write_secret(path: str, text: str) -> None:
    """Write ``text`` to a new 0600 file (replacing an existing one only after --force)."""
    from ssoctl.errors import UsageError

    target = Path(path)
    try:
        if target.exists():
            target.unlink()
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write --token-file {path}: {exc.strerror or exc}",
                         hint="pick a writable place", code="OUTPUT_UNWRITABLE") from None
