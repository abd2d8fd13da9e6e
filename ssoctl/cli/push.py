"""``ssoctl push``, ``ssoctl rollback`` and ``ssoctl sp status``: write IdP settings to an SP
through its API (ssoctl's contract, docs/sp-api.md), planned, backed up, verified, reversible."""

from typing import Annotated, Optional

import typer

from ssoctl.cli import common
from ssoctl.cli.common import SubGroup
from ssoctl.links import SP_API

ProfileOpt = Annotated[Optional[str], typer.Option(
    "--profile", "-p", metavar="NAME",
    help="Profile from the configuration file (default: SSOCTL_PROFILE, default_profile, "
         "or the only one).")]
ConfigOpt = Annotated[Optional[str], typer.Option(
    "--config", metavar="FILE", help="Configuration file (default: SSOCTL_CONFIG, then the "
                                     "user config dir; see `ssoctl config path`).")]
CaBundleOpt = Annotated[Optional[str], typer.Option(
    "--ca-bundle", metavar="FILE", help="Trust this CA file (e.g. a corporate proxy's) for TLS.")]
YesOpt = Annotated[bool, typer.Option(
    "--yes", "-y", help="Do not ask for confirmation (required when not on a terminal).")]
DryRunOpt = Annotated[bool, typer.Option(
    "--dry-run", help="Show the diff and stop; nothing is written.")]
BackupDirOpt = Annotated[Optional[str], typer.Option(
    "--backup-dir", metavar="DIR", help="Where to write the backup taken before any change "
                                        "(default: the profile's backup_dir or the user data dir).")]


def register(app: typer.Typer) -> None:
    """Attach ``push``, ``rollback`` and the ``sp`` group."""
    app.command("push")(push_command)
    app.command("rollback")(rollback_command)
    sp = typer.Typer(help="Look at the SP's SSO settings through its API (ssoctl's contract, "
                          f"{SP_API}: sipgate publishes no SSO settings API).",
                     no_args_is_help=True, cls=SubGroup)
    sp.command("status")(status_command)
    app.add_typer(sp, name="sp")


def push_command(
    ctx: typer.Context,
    metadata: Annotated[Optional[str], typer.Option(
        "--metadata", "-m", metavar="FILE|URL",
        help="IdP metadata (file, '-' or https URL): SSO URL, Entity ID and Certificate.")] = None,
    sso_url: Annotated[Optional[str], typer.Option(
        "--sso-url", metavar="URL", help="sipgate SSO URL (Okta: Sign on URL).")] = None,
    entity_id: Annotated[Optional[str], typer.Option(
        "--entity-id", metavar="ID", help="sipgate Entity ID (Okta: Issuer).")] = None,
    cert: Annotated[Optional[str], typer.Option(
        "--cert", metavar="FILE", help="sipgate Certificate (Okta: the downloaded certificate).")] = None,
    metadata_entity_id: Annotated[Optional[str], typer.Option(
        "--metadata-entity-id", metavar="ID",
        help="Pick this IdP from a metadata aggregate.")] = None,
    allow: Annotated[Optional[list[str]], typer.Option(
        "--allow", metavar="CODE", help="Push despite this error finding (repeatable).")] = None,
    enable: Annotated[bool, typer.Option(
        "--enable", help="Switch SSO on, after the settings read back correctly.")] = False,
    profile: ProfileOpt = None,
    profiles: Annotated[Optional[str], typer.Option(
        "--profiles", metavar="A,B,C", help="Push to several profiles (bulk).")] = None,
    tenants: Annotated[Optional[str], typer.Option(
        "--tenants", metavar="CSV", help="Push to the profiles listed in a CSV file "
                                         "(column 'profile'; bulk).")] = None,
    jobs: Annotated[int, typer.Option(
        "--jobs", min=1, max=16, metavar="N", help="Bulk: how many tenants at a time.")] = 4,
    config: ConfigOpt = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    backup_dir: BackupDirOpt = None,
    ca_bundle: CaBundleOpt = None,
    now: common.NowOpt = None,
    json_: common.JsonOpt = False,
    strict: common.StrictOpt = False,
) -> None:
    """Write the IdP's SSO URL, Entity ID and Certificate to the SP.

    Checks the values, reads the SP's settings, shows the diff, asks
    (or needs --yes), backs up, writes and reads back; restores the
    backup when the SP does not keep what was written (exit 7; exit 8
    if that fails too, with the command to retry).

    sipgate publishes no SSO settings API: the SP side is ssoctl's
    contract, https://github.com/ssoctl/ssoctl/blob/main/docs/sp-api.md.
    Rehearse against a local fake SP: ssoctl rehearse sp
    """
    from ssoctl.cli import push_view as view
    from ssoctl.errors import UsageError
    from ssoctl.sp.service import PushOptions

    view.start_run()
    options = PushOptions(metadata=metadata, metadata_entity_id=metadata_entity_id,
                          sso_url=sso_url, entity_id=entity_id, cert=cert,
                          allow=tuple(allow or ()), enable=enable, dry_run=dry_run,
                          backup_dir=backup_dir, strict=strict,
                          retry_hint=view.config_args(config))
    state = common.app_state(ctx)
    if profiles or tenants:
        def bulk():
            if profile:
                raise UsageError("give --profile for one tenant, or --profiles/--tenants for "
                                 "several, not both", hint="drop --profile",
                                 code="PUSH_INPUT_CONFLICT")
            return _pending(view.bulk_report(view.run_bulk(
                profiles, tenants, options, config=config, ca_bundle=ca_bundle, now=now,
                yes=yes, jobs=jobs, quiet=json_ or state.json_output,
                no_color=state.no_color)), strict)
        common.run(ctx, bulk, json_output=json_, strict=strict)

    def work():
        from ssoctl.sp import service

        loaded = view.profile(profile, config, ca_bundle)
        with view.interrupt_note():
            result = service.push(loaded, options, now=view.now_or_real(now),
                                  confirm=view.confirmer(yes))
        return _pending(view.push_report(result, retry_hint=options.retry_hint), strict)

    common.run(ctx, work, json_output=json_, strict=strict)


def _pending(report, strict: bool):
    """A dry run that found changes exits 10 (CHANGES_PENDING) instead of 0, so CI can
    detect drift; errors keep their own status."""
    from ssoctl.errors import ExitCode

    data = report.data
    outcomes = ([t.outcome for t in data["tenants"]] if isinstance(data, dict)
                else [getattr(data, "outcome", None)])
    if "dry_run" in outcomes and report.status(strict=strict) == ExitCode.OK:
        return report._replace(exit_code=ExitCode.CHANGES_PENDING)
    return report


def rollback_command(
    ctx: typer.Context,
    backup: Annotated[Optional[str], typer.Argument(
        metavar="BACKUP", help="A backup file written by push (or use --latest).",
        show_default=False)] = None,
    latest: Annotated[bool, typer.Option(
        "--latest", help="Restore the newest backup of the profile: the settings before the "
                         "last push or rollback.")] = False,
    list_: Annotated[bool, typer.Option(
        "--list", help="List the backups (newest first; of --profile only, if given) and "
                       "stop.")] = False,
    profile: ProfileOpt = None,
    config: ConfigOpt = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    backup_dir: BackupDirOpt = None,
    ca_bundle: CaBundleOpt = None,
    now: common.NowOpt = None,
    json_: common.JsonOpt = False,
) -> None:
    """Restore a backup taken by push, backed up and verified like a push.

    The profile defaults to the one named in the backup, which must
    come from the same endpoint. The present settings are backed up
    first, so a rollback can be undone too. --list shows the backups
    in the backup directory; --latest picks the profile's newest. Like
    push, this speaks ssoctl's contract
    (https://github.com/ssoctl/ssoctl/blob/main/docs/sp-api.md): sipgate
    publishes no SSO settings API.
    """
    from ssoctl.cli import push_view as view
    from ssoctl.cli import rollback_list

    if list_:
        common.run(ctx, lambda: rollback_list.list_report(
            profile=profile, config=config, backup_dir=backup_dir), json_output=json_)

    view.start_run()

    def work():
        from ssoctl.sp import service
        from ssoctl.sp.backup import read_backup

        path = rollback_list.chosen(backup, latest=latest, profile=profile, config=config,
                                    backup_dir=backup_dir)
        saved = read_backup(path)  # a file that is not a backup fails before anything else
        name = profile or saved.profile
        loaded = view.profile(name, config, ca_bundle)
        with view.interrupt_note():
            result = service.rollback(loaded, path, now=view.now_or_real(now),
                                      confirm=view.confirmer(yes), dry_run=dry_run,
                                      backup_dir=backup_dir,
                                      retry_hint=view.config_args(config))
        return view.push_report(result, verb="rollback", retry_hint=view.config_args(config))

    common.run(ctx, work, json_output=json_)


def status_command(
    ctx: typer.Context,
    profile: ProfileOpt = None,
    config: ConfigOpt = None,
    ca_bundle: CaBundleOpt = None,
    warn_days: common.WarnDaysOpt = 30,
    now: common.NowOpt = None,
    json_: common.JsonOpt = False,
    strict: common.StrictOpt = False,
) -> None:
    """Show the SP's SSO settings: SSO URL, Entity ID, Certificate, on/off.

    Reads them through ssoctl's SSO-settings contract
    (https://github.com/ssoctl/ssoctl/blob/main/docs/sp-api.md; sipgate
    publishes no such API) and checks the stored certificate.
    """
    from ssoctl.cli import push_view as view

    view.start_run()

    def work():
        from ssoctl.sp import service

        loaded = view.profile(profile, config, ca_bundle)
        result = service.status(loaded, now=view.now_or_real(now), warn_days=warn_days)
        return view.status_report(result)

    common.run(ctx, work, json_output=json_, strict=strict)

