"""The human diff of push/rollback: one field a line, fingerprints shortened unless that
would hide the difference."""

from __future__ import annotations

from ssoctl.cli.push_view import changes_block, short_value
from ssoctl.render import plain_text
from ssoctl.sp.contract import FieldChange

FP_A = ":".join(["AB"] * 31 + ["01"])
FP_B = ":".join(["AB"] * 31 + ["02"])
FP_C = ":".join(["AB"] * 6 + ["CD"] + ["AB"] * 24 + ["01"])  # same first 6 and last 2 bytes as FP_A


def _cert(fp: str | None, changed: bool = True, other: str | None = None) -> FieldChange:
    return FieldChange("certificate", "Certificate",
                       f"SHA-256 {fp}, expires 2030-01-01" if fp else None,
                       f"SHA-256 {other}, expires 2035-01-01" if other else None, changed)


def test_fingerprints_are_shown_whole():
    """A certificate's SHA-256 is what a user compares with Okta's "SHA-256 fingerprint":
    the diff shows it whole, never shortened with an ellipsis."""
    assert short_value(f"SHA-256 {FP_A}, expires 2030-01-01") == \
        f"SHA-256 {FP_A}, expires 2030-01-01"
    assert short_value(None) == "(empty)"
    assert short_value("http://www.okta.com/exk1") == "http://www.okta.com/exk1"


def test_changed_rows_have_now_and_new_lines():
    text = plain_text([changes_block([_cert(FP_A, other=FP_B),
                                      FieldChange("enabled", "SSO enabled", "off", "off", False)])],
                      [])
    assert "Changes (1 of 2 fields)" in text
    assert f"now SHA-256 {FP_A}, expires 2030-01-01" in text
    assert f"new SHA-256 {FP_B}, expires 2035-01-01" in text
    assert "SSO enabled: off (unchanged)" in text
    assert "…" not in text


