"""The sipgate settings, the configure plan and the bodies sent to Okta (pure functions).

The create and update bodies are also checked against the official Okta SDK's models
(tests/support/okta_sdk.py): a field the models do not know, or a value outside their
enums, fails."""

from __future__ import annotations

import pytest

from ssoctl.errors import UsageError
from ssoctl.okta.apps import (EMAIL_FORMAT, Action, ConfigurePlan, GroupPlan, SpValues,
                              create_body, from_json, mismatches, plan_fields,
                              sipgate_settings, show, update_body)

from support.okta_apps import ACS, SP, okta_app


def test_the_guide_s_settings_exactly():
    assert sipgate_settings(SpValues(ACS, SP)) == {
        "sso_acs_url": ACS, "recipient": ACS, "destination": ACS, "audience": SP,
        "name_id_format": EMAIL_FORMAT, "name_id_template": "${user.userName}",
        "username_template": "${source.email}", "signature_algorithm": "RSA_SHA256",
        "digest_algorithm": "SHA256", "assertion_signed": True}


@pytest.mark.parametrize("sp, code", [
    (SpValues(None, SP), "OKTA_SP_VALUES_REQUIRED"),
    (SpValues(ACS, None), "OKTA_SP_VALUES_REQUIRED"),
    (SpValues("http://login.sipgate.com/acs", SP), "OKTA_SP_VALUES_INVALID"),
    (SpValues(ACS, SP + " "), "OKTA_SP_VALUES_INVALID"),
    # Control and invisible characters, as a copy from a web page or a terminal may add.
    (SpValues(ACS + "\x1b[2J", SP), "OKTA_SP_VALUES_INVALID"),
    (SpValues(ACS + "\x7f", SP), "OKTA_SP_VALUES_INVALID"),
    (SpValues(ACS, SP + "\u200b"), "OKTA_SP_VALUES_INVALID"),
    (SpValues(ACS, "\u202e" + SP), "OKTA_SP_VALUES_INVALID"),
    (SpValues(ACS, SP + "\x85"), "OKTA_SP_VALUES_INVALID"),
])
def test_missing_or_wrong_sp_values_are_usage_errors(sp, code):
    with pytest.raises(UsageError) as info:
        sipgate_settings(sp)
    assert info.value.code == code


def test_a_new_app_sets_every_field():
    rows = plan_fields(None, sipgate_settings(SpValues(ACS, SP)))
    assert {r.action for r in rows} == {Action.SET}


def test_an_app_already_right_has_nothing_to_change():
    app = from_json(okta_app())
    plan = ConfigurePlan("https://o", "sipgate", app,
                         plan_fields(app, sipgate_settings(SpValues(ACS, SP))), activate=False)
    assert {r.action for r in plan.fields} == {Action.UNCHANGED}
    assert not plan.has_changes and plan.writes == {}


def test_fields_the_admin_set_differently_are_kept_unless_overwrite():
    app = from_json(okta_app(signatureAlgorithm="RSA_SHA1", recipient=None))
    desired = sipgate_settings(SpValues(ACS, SP))
    kept = {r.key: r.action for r in plan_fields(app, desired)}
    assert kept["signature_algorithm"] is Action.KEEP
    assert kept["recipient"] is Action.SET  # empty: filled in
    assert kept["audience"] is Action.UNCHANGED
    over = {r.key: r.action for r in plan_fields(app, desired, overwrite=True)}
    assert over["signature_algorithm"] is Action.OVERWRITE


def test_an_inactive_app_or_an_unassigned_group_is_a_change():
    app = from_json(dict(okta_app(), status="INACTIVE"))
    fields = plan_fields(app, sipgate_settings(SpValues(ACS, SP)))
    assert ConfigurePlan("o", "sipgate", app, fields, activate=True).has_changes
    group = GroupPlan("sipgate users", "00g1", assigned=False)
    assert ConfigurePlan("o", "sipgate", app, fields, activate=False, groups=(group,)).has_changes
    done = GroupPlan("sipgate users", "00g1", assigned=True)
    assert not ConfigurePlan("o", "sipgate", app, fields, activate=False,
                             groups=(done,)).has_changes


def test_values_are_shown_in_the_admin_console_s_words():
    assert show("name_id_format", EMAIL_FORMAT) == "EmailAddress"
    assert show("username_template", "${source.email}") == "Email"
    assert show("username_template", "${source.login}") == "Okta username"
    assert show("username_template", "${user.nickName}") == "Custom: ${user.nickName}"
    assert show("signature_algorithm", "RSA_SHA256") == "RSA-SHA256"
    assert show("assertion_signed", False) == "Unsigned"
    assert show("audience", None) == "(empty)"


def test_the_create_body_has_no_name_and_the_guide_s_values():
    body = create_body("sipgate", sipgate_settings(SpValues(ACS, SP)))
    assert "name" not in body and body["signOnMode"] == "SAML_2_0"
    sign_on = body["settings"]["signOn"]
    assert sign_on["ssoAcsUrl"] == sign_on["recipient"] == sign_on["destination"] == ACS
    assert sign_on["audience"] == SP and sign_on["assertionSigned"] is True
    assert body["credentials"]["userNameTemplate"] == {"template": "${source.email}",
                                                       "type": "BUILT_IN"}


def test_the_update_body_keeps_the_rest_of_the_app_and_drops_read_only_parts():
    app = from_json(okta_app(signatureAlgorithm="RSA_SHA1"))
    body = update_body(app, {"signature_algorithm": "RSA_SHA256",
                             "username_template": "${source.email}"})
    assert body["settings"]["signOn"]["signatureAlgorithm"] == "RSA_SHA256"
    assert body["settings"]["signOn"]["honorForceAuthn"] is True
    assert body["visibility"] == app.raw["visibility"]
    assert not {"id", "status", "created", "lastUpdated", "_links"} & set(body)
    assert app.raw["settings"]["signOn"]["signatureAlgorithm"] == "RSA_SHA1"  # not mutated


def test_read_back_differences_are_named():
    app = from_json(okta_app(audience="https://other"))
    assert mismatches(app, {"audience": SP, "sso_acs_url": ACS}) == ("audience",)


def test_bodies_pass_the_okta_sdk_models():
    from support import okta_sdk

    desired = sipgate_settings(SpValues(ACS, SP))
    okta_sdk.validate("POST", "/api/v1/apps", create_body("sipgate", desired))
    app = from_json(okta_app(signatureAlgorithm="RSA_SHA1"))
    okta_sdk.validate("PUT", f"/api/v1/apps/{app.id}", update_body(app, desired))
