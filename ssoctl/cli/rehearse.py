"""``ssoctl rehearse okta``: a local Okta org to rehearse the whole set-up against.

It serves :class:`ssoctl.rehearsal.okta.OktaStandIn` on 127.0.0.1 in the foreground with a
small seeded org, prints where it is and how to reach it, and runs until Ctrl-C. Nothing
leaves the machine; everything lives in memory.
"""

from typing import Annotated, Optional

import typer

from ssoctl.cli import common
from ssoctl.cli.common import JsonOpt, SubGroup
from ssoctl.links import REHEARSAL_DOCS, SP_API

DEFAULT_PORT = 8089
DEFAULT_CLIENT_ID = "0oarehearsalclient01"
FAULTS = ("rate-limit", "server-error", "unauthorized", "slow")


def register(app: typer.Typer) -> None:
    """Attach the ``rehearse`` group."""
    group = typer.Typer(help="Rehearse the set-up on this machine against local stand-ins of "
                             f"the real services ({REHEARSAL_DOCS}).",
                        no_args_is_help=True, cls=SubGroup)
    group.command("okta")(okta_command)
    group.command("sp")(sp_command)
    app.add_typer(group, name="rehearse")


def okta_command(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(
        "--port", metavar="N", min=0, max=65535,
        help=f"Port on 127.0.0.1 (default {DEFAULT_PORT}; 0 picks a free one).")] = DEFAULT_PORT,
    org: Annotated[str, typer.Option(
        "--org", metavar="NAME", help="Org name (app names, certificate CN).")] = "rehearsal",
    token_file: Annotated[Optional[str], typer.Option(
        "--token-file", metavar="FILE",
        help="Write the API token to FILE (mode 0600) instead of printing it once on "
             "stderr.")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Overwrite an existing --token-file or --ca-out.")] = False,
    tls: Annotated[bool, typer.Option(
        "--tls", help="Serve https with a throw-away CA (written to --ca-out).")] = False,
    ca_out: Annotated[Optional[str], typer.Option(
        "--ca-out", metavar="FILE",
        help="Where --tls writes its CA certificate (default rehearsal-ca.pem); give it to "
             "ssoctl with --ca-bundle.")] = None,
    user: Annotated[Optional[list[str]], typer.Option(
        "--user", metavar="EMAIL",
        help="A user of the org (repeatable; default alice@example.com and "
             "bob@example.com).")] = None,
    group: Annotated[str, typer.Option(
        "--group", metavar="NAME", help="The group holding the users, to assign to the "
                                        "sipgate app.")] = "sipgate users",
    demo_apps: Annotated[bool, typer.Option(
        "--demo-apps/--no-demo-apps",
        help="Seed apps that are not sipgate, each with something an audit reports.")] = True,
    oauth_key: Annotated[Optional[str], typer.Option(
        "--oauth-public-key", metavar="FILE",
        help="Register an API Services app whose public key (PEM or JWK) is FILE, to "
             "rehearse OAuth 2.0 with private_key_jwt.")] = None,
    client_id: Annotated[str, typer.Option(
        "--client-id", metavar="ID",
        help="Client id of that API Services app.")] = DEFAULT_CLIENT_ID,
    dpop: Annotated[bool, typer.Option(
        "--dpop/--no-dpop", help="Whether the API Services app requires DPoP (Okta's "
                                 "default for new apps: on).")] = True,
    rate_limit: Annotated[int, typer.Option(
        "--rate-limit", min=1, metavar="N",
        help="Requests per minute per endpoint family before 429 E0000047.")] = 600,
    fault: Annotated[Optional[list[str]], typer.Option(
        "--fault", metavar="KIND",
        help="Misbehave once on the apps API: rate-limit (429 with a reset 2 s later), "
             "server-error (500), unauthorized (401), slow (5 s). Repeatable.")] = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No request lines on stderr.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Serve a local Okta org on 127.0.0.1 until Ctrl-C, to rehearse `ssoctl okta`.

    It speaks the parts of Okta's management API ssoctl uses (API tokens, OAuth 2.0 with
    private_key_jwt and DPoP, apps, keys, metadata, groups), generates real keys and
    metadata, and signs real SAML logins for its users: open the printed URL, or fetch a
    login with /rehearsal/login?app=LABEL&user=EMAIL and check it with decode-response.
    The API token is printed once on stderr (or written to --token-file): it is a local
    rehearsal token and protects nothing real. Stopping with Ctrl-C exits 0.
    """
    from ssoctl.cli.boundary import execute

    state = common.app_state(ctx)
    started: dict[str, object] = {}

    def start():
        started.update(rehearse_work.start_okta(
            port=port, org=org, token_file=token_file, force=force, tls=tls, ca_out=ca_out,
            users=user or ["alice@example.com", "bob@example.com"], group=group,
            demo_apps=demo_apps, oauth_key=oauth_key, client_id=client_id, dpop=dpop,
            rate_limit=rate_limit, faults=fault or [], quiet=quiet))
        return started["report"]

    from ssoctl.cli import rehearse_work

    out = common.renderer(ctx, json_)
    with rehearse_work.SigtermAsCtrlC() as stops:
        code = int(execute(start, out, debug=state.debug))
        if code == 0:
            code = rehearse_work.serve(started, out, stops)
    raise typer.Exit(code)


def sp_command(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(
        "--port", metavar="N", min=0, max=65535,
        help="Port on 127.0.0.1 (default 8088; 0 picks a free one).")] = 8088,
    path: Annotated[str, typer.Option(
        "--path", metavar="PATH",
        help="Resource path (default /v2/sso/settings: base_url .../v2 with the sipgate "
             "target's default path).")] = "/v2/sso/settings",
    fault: Annotated[Optional[list[str]], typer.Option(
        "--fault", metavar="KIND",
        help="Misbehave to rehearse failures: drop-writes (a write is accepted but not "
             "kept), reject-writes (422), busy (503), concurrent-edit (someone else edits "
             "between read and write). Repeatable.")] = None,
) -> None:
    """Serve a fake SP on 127.0.0.1 until Ctrl-C, to rehearse `ssoctl push` and `rollback`.

    It implements ssoctl's SSO-settings contract (an SP or an adapter in front of it must
    implement it for push: sipgate publishes no SSO settings API). The settings live in
    memory. The token is SSOCTL_TOKEN (with SSOCTL_TOKEN_ID) when set, else a made-up one
    printed once on stderr. Stopping with Ctrl-C exits 0.
    """
    import sys

    from ssoctl.cli.boundary import execute

    state = common.app_state(ctx)
    started: dict[str, object] = {}

    def start():
        import os

        from ssoctl.errors import UsageError
        from ssoctl.rehearsal import fakesp
        from ssoctl.render import Report

        unknown = [f for f in fault or [] if f not in fakesp.FAULTS]
        if unknown:
            raise UsageError(f"unknown --fault {unknown[0]!r}",
                             hint="one of: " + ", ".join(fakesp.FAULTS), code="USAGE")
        if any(char in path for char in "?#"):  # requests are matched on their path alone
            raise UsageError(f"--path {path!r} holds a query or fragment, which no request "
                             "is matched on", hint="give the resource path only, e.g. "
                             "--path /v2/sso/settings", code="USAGE")
        try:
            started["sp"] = fakesp.start(
                port=port, path=path, faults=fault or [],
                token=os.environ.get("SSOCTL_TOKEN", "").strip() or None,
                token_id=os.environ.get("SSOCTL_TOKEN_ID", "").strip() or None)
        except OSError as exc:
            raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}",
                             hint="another program uses the port: pick another with --port "
                                  "(0 picks a free one)", code="USAGE") from None
        return Report(data=None)

    out = common.renderer(ctx)
    code = int(execute(start, out, debug=state.debug))
    if code != 0:
        raise typer.Exit(code)
    from ssoctl.rehearsal import fakesp

    running = started["sp"]
    assert isinstance(running, fakesp.Started)
    sys.stderr.write(fakesp.describe(running) + f"  contract: {SP_API}\n")
    sys.stderr.flush()
    try:
        running.server.serve_forever()
    except KeyboardInterrupt:
        sys.stderr.write("stopped\n")
    finally:
        running.server.server_close()
    raise typer.Exit(0)
