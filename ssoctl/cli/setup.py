"""``ssoctl setup``: the whole Okta → sipgate connection in one command (docs/setup.md)."""

from typing import Annotated, Optional

import typer

from ssoctl.cli import common
from ssoctl.cli import okta as okta_cli
from ssoctl.links import SP_API

SpProfileOpt = Annotated[Optional[str], typer.Option(
    "--sp-profile", metavar="NAME",
    help="Push the IdP values to this SP profile (an SP with ssoctl's SSO-settings API, "
         f"{SP_API}). Without it the values are handed over for pasting into sipgate.")]
SpMetadataOpt = Annotated[Optional[str], typer.Option(
    "--sp-metadata", metavar="FILE",
    help="Read sipgate's ACS URL and Entity ID from SP metadata (instead of the flags).")]
StateDirOpt = Annotated[Optional[str], typer.Option(
    "--state-dir", metavar="DIR",
    help="Where setup remembers each connection (default: the user data dir).")]
DomainOpt = Annotated[Optional[str], typer.Option(
    "--domain", metavar="DOMAIN",
    help="The company's e-mail domain: its DNS TXT record is looked up at the end (and it "
         "goes into the doctor command printed).")]
TxtValueOpt = Annotated[Optional[str], typer.Option(
    "--txt-value", metavar="TEXT", help="The TXT value sipgate shows for the domain.")]
DnsServerOpt = Annotated[Optional[str], typer.Option(
    "--dns-server", metavar="IP[:PORT]", help="Ask this DNS server instead of the system "
                                              "resolver.")]


def register(app: typer.Typer) -> None:
    app.command("setup")(setup_command)


def setup_command(
    ctx: typer.Context,
    acs_url: okta_cli.AcsOpt = None,
    sp_entity_id: okta_cli.SpEntityOpt = None,
    sp_metadata: SpMetadataOpt = None,
    label: Annotated[str, typer.Option(
        "--label", metavar="TEXT", help="The Okta app's label to find or create.")] = "sipgate",
    app_ref: Annotated[Optional[str], typer.Option(
        "--app", metavar="APP", help="Use this Okta app (id or label) instead of the one "
                                     "labelled --label.")] = None,
    assign_group: Annotated[Optional[list[str]], typer.Option(
        "--assign-group", metavar="NAME", help="Assign this Okta group (repeatable).")] = None,
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="Also change Okta fields an admin set to other values.")] = False,
    sp_profile: SpProfileOpt = None,
    enable: Annotated[bool, typer.Option(
        "--enable", help="With --sp-profile: switch SSO on, after the values read back "
                         "correctly.")] = False,
    cert_out: Annotated[str, typer.Option(
        "--cert-out", metavar="FILE", help="Without --sp-profile: where the clean PEM "
                                           "certificate for sipgate is written.")]
    = "okta-sipgate.pem",
    domain: DomainOpt = None,
    txt_value: TxtValueOpt = None,
    dns_server: DnsServerOpt = None,
    state_dir: StateDirOpt = None,
    warn_days: common.WarnDaysOpt = 30,
    yes: okta_cli.YesOpt = False, dry_run: okta_cli.DryRunOpt = False,
    backup_dir: okta_cli.BackupDirOpt = None,
    org: okta_cli.OrgOpt = None, profile: okta_cli.ProfileOpt = None,
    config: okta_cli.ConfigOpt = None, token_file: okta_cli.TokenFileOpt = None,
    client_id: okta_cli.ClientIdOpt = None, private_key: okta_cli.PrivateKeyOpt = None,
    key_id: okta_cli.KeyIdOpt = None, ca_bundle: okta_cli.CaBundleOpt = None,
    timeout: okta_cli.TimeoutOpt = None, now: common.NowOpt = None,
    json_: common.JsonOpt = False,
) -> None:
    """Set up the whole Okta → sipgate connection: one plan for both sides, then apply it.

    Configures the Okta app exactly as sipgate's guide says (create or update, activate,
    assign groups), reads its metadata and checks the certificate, then either pushes SSO
    URL, Entity ID and Certificate to an SP profile (--sp-profile: backup, read back, roll
    back on mismatch), or - for sipgate, which has no SSO settings API - writes a clean PEM
    file and prints the three values with the checklist of what is left to do by hand and
    the `ssoctl doctor` command that verifies the result.

    Shows the plan first and asks (or needs --yes); --dry-run exits 10 when something would
    change. Running it again continues after a failure, and changes nothing (exit 0) once
    everything is in place.

    Example:

      ssoctl setup --profile acme --assign-group "sipgate users" --domain example.com
    """
    from ssoctl.cli import setup_view as view

    def work():
        return view.run_setup(
            ctx, view.SetupArgs(
                acs_url=acs_url, sp_entity_id=sp_entity_id, sp_metadata=sp_metadata,
                label=label, app=app_ref, groups=tuple(assign_group or ()),
                overwrite=overwrite, sp_profile=sp_profile, enable=enable, cert_out=cert_out,
                domain=domain, txt_value=txt_value, dns_server=dns_server,
                state_dir=state_dir, warn_days=warn_days, yes=yes,
                dry_run=dry_run, backup_dir=backup_dir, now=now, json_output=json_),
            view.connect_options(org=org, profile=profile, config=config,
                                 token_file=token_file, client_id=client_id,
                                 private_key=private_key, key_id=key_id, ca_bundle=ca_bundle,
                                 timeout=timeout))

    common.run(ctx, work, json_output=json_)
