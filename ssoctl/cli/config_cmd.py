"""``ssoctl config``: show (secrets redacted), set, validate and locate the profiles file."""

from typing import Annotated, Optional

import typer

from ssoctl.cli import common
from ssoctl.cli.common import SubGroup

ConfigOpt = Annotated[Optional[str], typer.Option(
    "--config", metavar="FILE", help="Configuration file (default: SSOCTL_CONFIG, then the "
                                     "user config dir).")]
ProfileOpt = Annotated[Optional[str], typer.Option(
    "--profile", "-p", metavar="NAME", help="Only this profile.")]


def register(app: typer.Typer) -> None:
    """Attach the ``config`` group."""
    group = typer.Typer(help="Profiles for push and decode-response: show, set, validate, path.",
                        no_args_is_help=True, cls=SubGroup)
    group.command("show")(show_command)
    group.command("set")(set_command)
    group.command("validate")(validate_command)
    group.command("path")(path_command)
    app.add_typer(group, name="config")


def show_command(ctx: typer.Context, profile: ProfileOpt = None, config: ConfigOpt = None,
                 json_: common.JsonOpt = False) -> None:
    """Show the configuration file's profiles (secrets redacted) and where tokens come from."""
    def work():
        from ssoctl.cli import config_view
        from ssoctl.config.schema import check_profile_name

        if profile is not None:
            check_profile_name(profile, creating=False)
        return config_view.show(profile, config)

    common.run(ctx, work, json_output=json_)


def set_command(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY", help="Setting, e.g. base_url, token_id, acs_url, "
                                            "read_timeout, rest.read_url.")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="New value (never a token: tokens come from "
                                              "SSOCTL_TOKEN or a token file).")],
    profile: Annotated[str, typer.Option("--profile", "-p", metavar="NAME",
                                         help="Profile to change (created if missing; a new "
                                              "name is letters, digits, '.', '_', '-').")],
    config: ConfigOpt = None,
    json_: common.JsonOpt = False,
) -> None:
    """Set one profile setting in the configuration file (created if missing, mode 0600)."""
    def work():
        from ssoctl.cli import config_view

        return config_view.set_value(profile, key, value, config)

    common.run(ctx, work, json_output=json_)


def validate_command(ctx: typer.Context, profile: ProfileOpt = None, config: ConfigOpt = None,
                     json_: common.JsonOpt = False, strict: common.StrictOpt = False) -> None:
    """Check every profile: keys and types, URLs, CA bundle, token availability."""
    def work():
        from ssoctl.cli import config_view
        from ssoctl.config.schema import check_profile_name

        if profile is not None:
            check_profile_name(profile, creating=False)
        return config_view.validate(profile, config)

    common.run(ctx, work, json_output=json_, strict=strict)


def path_command(ctx: typer.Context, config: ConfigOpt = None,
                 json_: common.JsonOpt = False) -> None:
    """Print the configuration file's path (and whether it exists)."""
    def work():
        from ssoctl.config.profiles import read_config
        from ssoctl.render import Report

        found = read_config(config)
        return Report(data={"path": str(found.path), "exists": found.exists},
                      payload=str(found.path))

    common.run(ctx, work, json_output=json_)
