"""``ssoctl okta``: the Okta side of the set-up through Okta's management API.

list, configure, check, metadata, rotate-cert, audit. Credentials: an API token from
``SSOCTL_OKTA_TOKEN`` or ``--token-file`` (0600), or an API Services app (``--client-id``,
``--private-key``, ``--key-id``); see docs/okta.md.
"""

from typing import Annotated, Optional

from ssoctl.links import OKTA_DOCS
import typer

from ssoctl.cli import common
from ssoctl.cli.common import SubGroup

OrgOpt = Annotated[Optional[str], typer.Option(
    "--org", metavar="URL", help="Okta org, e.g. https://acme.okta.com (default: "
                                 "SSOCTL_OKTA_ORG or the profile's okta_org).")]
ProfileOpt = Annotated[Optional[str], typer.Option(
    "--profile", "-p", metavar="NAME",
    help="Profile with okta_org, credentials settings, acs_url and sp_entity_id.")]
ConfigOpt = Annotated[Optional[str], typer.Option(
    "--config", metavar="FILE", help="Configuration file (see `ssoctl config path`).")]
TokenFileOpt = Annotated[Optional[str], typer.Option(
    "--token-file", metavar="FILE",
    help="File holding the API token (mode 0600). Default: SSOCTL_OKTA_TOKEN.")]
ClientIdOpt = Annotated[Optional[str], typer.Option(
    "--client-id", metavar="ID", help="OAuth 2.0: the API Services app's client ID "
                                      "(or SSOCTL_OKTA_CLIENT_ID).")]
PrivateKeyOpt = Annotated[Optional[str], typer.Option(
    "--private-key", metavar="FILE", help="OAuth 2.0: its private key, PEM or JWK (mode 0600).")]
KeyIdOpt = Annotated[Optional[str], typer.Option(
    "--key-id", metavar="KID", help="OAuth 2.0: the key's kid as Okta shows it.")]
CaBundleOpt = Annotated[Optional[str], typer.Option(
    "--ca-bundle", metavar="FILE", help="Trust this CA file (e.g. a corporate proxy's) for TLS.")]
TimeoutOpt = common.TimeoutOpt
AppArg = Annotated[str, typer.Argument(metavar="APP", help="The app's id (0oa…) or its label.")]
JobsOpt = Annotated[int, typer.Option(
    "--jobs", min=1, max=16, metavar="N", help="How many apps are read at a time.")]
YesOpt = Annotated[bool, typer.Option(
    "--yes", "-y", help="Do not ask for confirmation (required when not on a terminal).")]
DryRunOpt = Annotated[bool, typer.Option(
    "--dry-run", help="Show the plan and stop; nothing is written (exit 10 if something "
                      "would change).")]
BackupDirOpt = Annotated[Optional[str], typer.Option(
    "--backup-dir", metavar="DIR", help="Where backups go (default: the profile's backup_dir "
                                        "or the user data dir).")]
AcsOpt = Annotated[Optional[str], typer.Option(
    "--acs-url", metavar="URL", help="sipgate's ACS URL (its Single Sign-on page; default: "
                                     "the profile's acs_url).")]
SpEntityOpt = Annotated[Optional[str], typer.Option(
    "--sp-entity-id", metavar="ID", help="sipgate's Entity ID (default: the profile's "
                                         "sp_entity_id).")]


def register(app: typer.Typer) -> None:
    """Attach the ``okta`` group."""
    group = typer.Typer(help="Create, check, read and repair the sipgate app in Okta through "
                             f"Okta's management API ({OKTA_DOCS}).",
                        no_args_is_help=True, cls=SubGroup)
    group.command("list")(list_command)
    group.command("configure")(configure_command)
    group.command("check")(check_command)
    group.command("metadata")(metadata_command)
    group.command("rotate-cert")(rotate_command)
    group.command("audit")(audit_command)
    app.add_typer(group, name="okta")


def _conn(org, profile, config, token_file, client_id, private_key, key_id, ca_bundle,
          timeout):
    from ssoctl.okta.connect import ConnectOptions

    return ConnectOptions(org=org, profile=profile, config=config, token_file=token_file,
                          client_id=client_id, private_key=private_key, key_id=key_id,
                          ca_bundle=ca_bundle, timeout=timeout)


def connection_args(**given: str | None) -> list[str]:
    """The connection options a command was given, as arguments for a command to print
    (``undo with: …``) that reaches the same org the same way. Paths only: never a token."""
    out: list[str] = []
    for name, value in given.items():
        if value:
            out += [f"--{name.replace('_', '-')}", str(value)]
    return out


def list_command(
    ctx: typer.Context,
    label: Annotated[Optional[str], typer.Option(
        "--label", metavar="TEXT", help="Only apps whose label contains TEXT.")] = None,
    jobs: JobsOpt = 4,
    org: OrgOpt = None, profile: ProfileOpt = None, config: ConfigOpt = None,
    token_file: TokenFileOpt = None, client_id: ClientIdOpt = None,
    private_key: PrivateKeyOpt = None, key_id: KeyIdOpt = None, ca_bundle: CaBundleOpt = None,
    timeout: TimeoutOpt = None, now: common.NowOpt = None, json_: common.JsonOpt = False,
) -> None:
    """List the org's SAML 2.0 apps: label, id, status, Single sign-on URL, signing
    certificate expiry and signature algorithm.

    Needs okta.apps.read (OAuth) or a read-only admin's API token.

    Example:

      ssoctl okta list --org https://acme.okta.com --label sipgate
    """
    from ssoctl.cli import okta_view as view

    def work():
        from ssoctl.okta.audit import list_apps

        with view.client(_conn(org, profile, config, token_file, client_id, private_key,
                               key_id, ca_bundle, timeout), "read") as (client, _):
            result = list_apps(client, now=view.when(now), label=label, jobs=jobs,
                               progress=view.progress(ctx, json_, "reading apps"))
        return view.list_report(result)

    common.run(ctx, work, json_output=json_)


def configure_command(
    ctx: typer.Context,
    acs_url: AcsOpt = None,
    sp_entity_id: SpEntityOpt = None,
    label: Annotated[str, typer.Option(
        "--label", metavar="TEXT",
        help="The app's label (App name) to find or create.")] = "sipgate",
    app_ref: Annotated[Optional[str], typer.Option(
        "--app", metavar="APP", help="Update this app (id or label) instead of the one "
                                     "labelled --label.")] = None,
    assign_group: Annotated[Optional[list[str]], typer.Option(
        "--assign-group", metavar="NAME", help="Assign this Okta group (repeatable).")] = None,
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="Also change fields an admin set to other values (shown as "
                            "'kept' in the plan otherwise).")] = False,
    yes: YesOpt = False, dry_run: DryRunOpt = False, backup_dir: BackupDirOpt = None,
    org: OrgOpt = None, profile: ProfileOpt = None, config: ConfigOpt = None,
    token_file: TokenFileOpt = None, client_id: ClientIdOpt = None,
    private_key: PrivateKeyOpt = None, key_id: KeyIdOpt = None, ca_bundle: CaBundleOpt = None,
    timeout: TimeoutOpt = None, now: common.NowOpt = None, json_: common.JsonOpt = False,
) -> None:
    """Create or update the sipgate app in Okta, exactly as sipgate's guide says.

    Single sign-on URL, Recipient URL and Destination URL = sipgate's ACS URL; Audience URI
    (SP Entity ID) = sipgate's Entity ID; Name ID format EmailAddress; Application username
    Email; RSA-SHA256 / SHA256; assertion signed; the app active; groups assigned.

    Shows a field-by-field plan first, then asks (or needs --yes). Running it again with
    nothing to change writes nothing. Fields an admin set to other values are kept unless
    --overwrite. --dry-run exits 10 when something would change.

    Example:

      ssoctl okta configure --profile acme --assign-group "sipgate users" --dry-run
    """
    from ssoctl.cli import okta_view as view

    def work():
        from ssoctl.okta.configure import ConfigureRequest, configure
        from ssoctl.okta.connect import sp_values

        options = _conn(org, profile, config, token_file, client_id, private_key, key_id,
                        ca_bundle, timeout)
        need = ("read" if dry_run else "write") + ("+groups" if assign_group else "")
        with view.client(options, need) as (client, loaded):
            request = ConfigureRequest(
                sp=sp_values(loaded, acs_url=acs_url, entity_id=sp_entity_id), label=label,
                app=app_ref, groups=tuple(assign_group or ()), overwrite=overwrite,
                dry_run=dry_run,
                backup_dir=backup_dir or getattr(loaded, "backup_dir", None))
            result = configure(client, request, now=view.when(now),
                               confirm=view.confirmer(yes, view.configure_plan_blocks,
                                                      "Write these settings to Okta?"))
        return view.configure_report(result)

    common.run(ctx, work, json_output=json_)


def check_command(
    ctx: typer.Context,
    app_ref: AppArg,
    acs_url: AcsOpt = None,
    sp_entity_id: SpEntityOpt = None,
    warn_days: common.WarnDaysOpt = 30,
    org: OrgOpt = None, profile: ProfileOpt = None, config: ConfigOpt = None,
    token_file: TokenFileOpt = None, client_id: ClientIdOpt = None,
    private_key: PrivateKeyOpt = None, key_id: KeyIdOpt = None, ca_bundle: CaBundleOpt = None,
    timeout: TimeoutOpt = None, now: common.NowOpt = None, json_: common.JsonOpt = False,
    strict: common.StrictOpt = False,
) -> None:
    """Check one Okta app against what sipgate needs.

    Reports (as findings, exit 1 on errors): inactive, nobody assigned, Name ID format or
    Application username not e-mail, Single sign-on URL / Recipient / Destination /
    Audience not sipgate's values, SHA-1, unsigned assertion, signing certificate expiring
    within --warn-days, several signing keys and which is active.

    Example:

      ssoctl okta check sipgate --profile acme
    """
    from ssoctl.cli import okta_view as view

    def work():
        from ssoctl.okta import api
        from ssoctl.okta.checks import inspect
        from ssoctl.okta.connect import sp_values

        with view.client(_conn(org, profile, config, token_file, client_id, private_key,
                               key_id, ca_bundle, timeout), "read") as (client, loaded):
            app = api.find_app(client, app_ref)
            result = inspect(client, app, sp=sp_values(loaded, acs_url=acs_url,
                                                       entity_id=sp_entity_id),
                             now=view.when(now), warn_days=warn_days, sipgate=True)
        return view.check_report(result)

    common.run(ctx, work, json_output=json_, strict=strict)


def metadata_command(
    ctx: typer.Context,
    app_ref: AppArg,
    cert_out: Annotated[Optional[str], typer.Option(
        "--cert-out", metavar="FILE", help="Write the certificate as a clean PEM file.")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Overwrite the --cert-out file if it exists.")] = False,
    output_format: Annotated[str, typer.Option(
        "--format", metavar="human|env",
        help="human (default) or env: SSOCTL_SSO_URL=… lines on stdout for CI.")] = "human",
    warn_days: common.WarnDaysOpt = 30,
    org: OrgOpt = None, profile: ProfileOpt = None, config: ConfigOpt = None,
    token_file: TokenFileOpt = None, client_id: ClientIdOpt = None,
    private_key: PrivateKeyOpt = None, key_id: KeyIdOpt = None, ca_bundle: CaBundleOpt = None,
    timeout: TimeoutOpt = None, now: common.NowOpt = None, json_: common.JsonOpt = False,
    strict: common.StrictOpt = False,
) -> None:
    """Fetch the app's IdP metadata through the API and print sipgate's three values:
    SSO URL, Entity ID and Certificate (the same checks and output as import-metadata).

    Example:

      ssoctl okta metadata sipgate --cert-out okta.pem --format env
    """
    from ssoctl.cli import okta_view as view

    def work():
        from ssoctl.cli.import_metadata import settings_report
        from ssoctl.errors import UsageError
        from ssoctl.metadata.reader import load
        from ssoctl.okta import api

        if output_format not in ("human", "env"):
            raise UsageError(f"--format {output_format!r}: use human or env",
                             hint="--format env prints KEY=value lines", code="USAGE")
        with view.client(_conn(org, profile, config, token_file, client_id, private_key,
                               key_id, ca_bundle, timeout), "read") as (client, _):
            app = api.find_app(client, app_ref)
            url, xml = api.metadata_xml(client, app)
        settings = load(xml, source=url, now=view.when(now), warn_days=warn_days)
        return settings_report(settings, env=output_format == "env", cert_out=cert_out,
                               force=force, strict=strict)

    common.run(ctx, work, json_output=json_, strict=strict)


def rotate_command(
    ctx: typer.Context,
    app_ref: AppArg,
    validity_years: Annotated[int, typer.Option(
        "--validity-years", metavar="YEARS", help="Validity of the new certificate, 2 to 10 "
                                                  "years.")] = 2,
    push_profile: Annotated[Optional[str], typer.Option(
        "--push-profile", metavar="NAME", help="Also push the new certificate to this SP "
                                               "profile (like `ssoctl push`).")] = None,
    rollback: Annotated[Optional[str], typer.Option(
        "--rollback", metavar="BACKUP", help="Switch back to the key named in this "
                                             "rotate-cert backup file.")] = None,
    yes: YesOpt = False, dry_run: DryRunOpt = False, backup_dir: BackupDirOpt = None,
    org: OrgOpt = None, profile: ProfileOpt = None, config: ConfigOpt = None,
    token_file: TokenFileOpt = None, client_id: ClientIdOpt = None,
    private_key: PrivateKeyOpt = None, key_id: KeyIdOpt = None, ca_bundle: CaBundleOpt = None,
    timeout: TimeoutOpt = None, now: common.NowOpt = None, json_: common.JsonOpt = False,
) -> None:
    """Give the app a new signing certificate, switch to it, confirm, keep a backup.

    Generates a key in Okta (--validity-years), writes a backup naming the previous key
    (0600, no secrets), switches the app to the new key, reads the IdP metadata back to
    confirm the new certificate, and with --push-profile pushes it to the SP. Any failure
    after the switch puts the previous key back (exit 7; exit 8 if that fails too).
    --rollback BACKUP switches back on request. --dry-run writes nothing (exit 10).

    Example:

      ssoctl okta rotate-cert sipgate --validity-years 3 --push-profile acme
    """
    from ssoctl.cli import okta_view as view

    def work():
        from ssoctl.okta import rotate as rot

        when = view.when(now)
        if rollback is None:
            rot.check_years(validity_years)
        options = _conn(org, profile, config, token_file, client_id, private_key, key_id,
                        ca_bundle, timeout)
        with view.client(options, "read" if dry_run else "write") as (client, loaded):
            folder = backup_dir or getattr(loaded, "backup_dir", None)
            pusher = None
            if push_profile and not dry_run:
                pusher = rot.sp_pusher(push_profile, config=config, now=when,
                                       backup_dir=folder)
            confirm = view.confirmer(yes, view.rotate_plan_blocks,
                                     "Switch back to the previous key?" if rollback
                                     else "Generate a new key and switch the app to it?")
            if rollback:
                result = rot.roll_back(client, app_ref, rollback, now=when, confirm=confirm,
                                       dry_run=dry_run, push=pusher, push_to=push_profile)
            else:
                result = rot.rotate(client, app_ref, years=validity_years, now=when,
                                    confirm=confirm, dry_run=dry_run, backup_dir=folder,
                                    push=pusher, push_to=push_profile)
        return view.rotate_report(result, connection_args=connection_args(
            org=org, profile=profile, config=config, token_file=token_file,
            client_id=client_id, private_key=private_key, key_id=key_id, ca_bundle=ca_bundle))

    common.run(ctx, work, json_output=json_)


def audit_command(
    ctx: typer.Context,
    acs_url: AcsOpt = None,
    sp_entity_id: SpEntityOpt = None,
    warn_days: common.WarnDaysOpt = 30,
    jobs: JobsOpt = 4,
    org: OrgOpt = None, profile: ProfileOpt = None, config: ConfigOpt = None,
    token_file: TokenFileOpt = None, client_id: ClientIdOpt = None,
    private_key: PrivateKeyOpt = None, key_id: KeyIdOpt = None, ca_bundle: CaBundleOpt = None,
    timeout: TimeoutOpt = None, now: common.NowOpt = None, json_: common.JsonOpt = False,
    strict: common.StrictOpt = False,
) -> None:
    """Check every SAML 2.0 app in the org.

    sipgate's apps get every check of `okta check`; the others the generic ones: SHA-1,
    signing certificate expired or expiring, unsigned assertion, inactive but assigned.
    Reads a few apps at a time (--jobs) within Okta's rate limits; progress on a terminal;
    one summary table; exit 1 when any app has an error finding.

    Example:

      ssoctl okta audit --profile acme --json > audit.json
    """
    from ssoctl.cli import okta_view as view

    def work():
        from ssoctl.okta.audit import audit
        from ssoctl.okta.connect import sp_values

        with view.client(_conn(org, profile, config, token_file, client_id, private_key,
                               key_id, ca_bundle, timeout), "read") as (client, loaded):
            result = audit(client, sp=sp_values(loaded, acs_url=acs_url, entity_id=sp_entity_id),
                           now=view.when(now), warn_days=warn_days, jobs=jobs,
                           progress=view.progress(ctx, json_, "checking apps"))
        return view.audit_report(result, strict=strict)

    common.run(ctx, work, json_output=json_, strict=strict)
