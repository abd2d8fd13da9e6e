"""``ssoctl doctor``: is the Okta → sipgate connection still working? (docs/setup.md)"""

from typing import Annotated, Optional

import typer

from ssoctl.cli import common
from ssoctl.cli import okta as okta_cli


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor_command)


def doctor_command(
    ctx: typer.Context,
    app_ref: Annotated[str, typer.Option(
        "--app", metavar="APP", help="The Okta app: its id (0oa…) or label.")] = "sipgate",
    acs_url: okta_cli.AcsOpt = None,
    sp_entity_id: okta_cli.SpEntityOpt = None,
    sp_profile: Annotated[Optional[str], typer.Option(
        "--sp-profile", metavar="NAME", help="Read what the SP holds through this profile "
                                             "(ssoctl's SSO-settings API).")] = None,
    sp_cert: Annotated[Optional[str], typer.Option(
        "--sp-cert", metavar="FILE", help="The certificate file that was pasted into "
                                          "sipgate.")] = None,
    sp_fingerprint: Annotated[Optional[str], typer.Option(
        "--sp-fingerprint", metavar="SHA256", help="SHA-256 fingerprint of the certificate "
                                                   "sipgate holds.")] = None,
    warn_days: common.WarnDaysOpt = 30,
    domain: Annotated[Optional[str], typer.Option(
        "--domain", metavar="DOMAIN", help="Check this e-mail domain's DNS TXT verification "
                                           "record.")] = None,
    txt_value: Annotated[Optional[str], typer.Option(
        "--txt-value", metavar="TEXT", help="The TXT value sipgate asks for (default: any "
                                            "TXT record counts).")] = None,
    dns_server: Annotated[Optional[str], typer.Option(
        "--dns-server", metavar="IP[:PORT]", help="Ask this DNS server instead of the "
                                                  "system resolver.")] = None,
    metadata_url: Annotated[Optional[str], typer.Option(
        "--metadata-url", metavar="URL", help="The app's public metadata URL (default: "
                                              "derived from its Issuer).")] = None,
    output_format: Annotated[str, typer.Option(
        "--format", metavar="text|json|junit",
        help="text (default), json, or junit: JUnit XML on stdout for CI test reports.")]
    = "text",
    org: okta_cli.OrgOpt = None, profile: okta_cli.ProfileOpt = None,
    config: okta_cli.ConfigOpt = None, token_file: okta_cli.TokenFileOpt = None,
    client_id: okta_cli.ClientIdOpt = None, private_key: okta_cli.PrivateKeyOpt = None,
    key_id: okta_cli.KeyIdOpt = None, ca_bundle: okta_cli.CaBundleOpt = None,
    timeout: okta_cli.TimeoutOpt = None, now: common.NowOpt = None,
    json_: common.JsonOpt = False, strict: common.StrictOpt = False,
) -> None:
    """Check a live Okta → sipgate connection, read-only, one line per check.

    Checks: the Okta app as `okta check` sees it; the active and any next signing
    certificate's expiry (--warn-days); sipgate's Certificate, SSO URL and Entity ID against
    what Okta signs with (--sp-profile, or --sp-cert / --sp-fingerprint for what was pasted
    into sipgate: a key rotated in Okta shows here); the app's public metadata URL; the
    e-mail domain's DNS TXT record (--domain, --txt-value). Exit 1 on any error finding
    (warnings too with --strict). --format junit writes JUnit XML to stdout for CI.

    Example:

      ssoctl doctor --profile acme --sp-cert okta-sipgate.pem --format junit > doctor.xml
    """
    from ssoctl.cli import setup_view as view

    state = common.app_state(ctx)

    def work():
        fmt = view.doctor_format(output_format, json_ or state.json_output)
        options = view.connect_options(org=org, profile=profile, config=config,
                                       token_file=token_file, client_id=client_id,
                                       private_key=private_key, key_id=key_id,
                                       ca_bundle=ca_bundle, timeout=timeout)
        args = view.DoctorArgs(
            app=app_ref, acs_url=acs_url, sp_entity_id=sp_entity_id, sp_profile=sp_profile,
            sp_cert=sp_cert, sp_fingerprint=sp_fingerprint, warn_days=warn_days,
            domain=domain, txt_value=txt_value, dns_server=dns_server,
            metadata_url=metadata_url, output_format=fmt, now=now)
        if fmt != "junit":
            return view.run_doctor(args, options, strict=strict)
        from ssoctl.errors import SsoctlError

        try:
            return view.run_doctor(args, options, strict=strict)
        except SsoctlError as exc:  # the CI's test report still gets a document
            return view.junit_error_report(exc, now=now)

    wants_json = json_ or output_format.strip().lower() == "json"
    common.run(ctx, work, json_output=wants_json, strict=strict)
