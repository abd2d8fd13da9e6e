"""The Finding model, the catalogue and the exit-code rule."""

import pytest

from ssoctl.errors import ExitCode
from ssoctl.findings import CodeInfo, Finding, Severity, catalogue, exit_code_for


def _f(sev, exit_code=ExitCode.FINDINGS):
    return Finding(code="X", severity=sev, message="m", exit_code=exit_code)


@pytest.mark.parametrize("findings,strict,expected", [
    ([], False, ExitCode.OK),
    ([_f(Severity.INFO)], True, ExitCode.OK),
    ([_f(Severity.WARNING)], False, ExitCode.OK),
    ([_f(Severity.WARNING)], True, ExitCode.FINDINGS),
    ([_f(Severity.ERROR)], False, ExitCode.FINDINGS),
    ([_f(Severity.ERROR), _f(Severity.ERROR, ExitCode.TRUST)], False, ExitCode.TRUST),
    ([_f(Severity.ERROR, ExitCode.TRUST), _f(Severity.ERROR)], False, ExitCode.TRUST),
    ([_f(Severity.WARNING, ExitCode.TRUST)], True, ExitCode.FINDINGS),
])
def test_exit_code_for(findings, strict, expected):
    assert exit_code_for(findings, strict=strict) == expected


def test_catalogue_entries_are_well_formed():
    for code, info in catalogue().items():
        assert isinstance(info, CodeInfo)
        assert code == info.code and code.isupper() and " " not in code
        assert info.title and info.explanation, code
        if info.severity is Severity.ERROR:
            assert info.hint, f"{code}: an error needs a hint saying what to do"


def test_to_dict_omits_empty_fields():
    item = Finding(code="X", severity=Severity.ERROR, message="m", hint="h", expected="a")
    assert item.to_dict() == {"code": "X", "severity": "error", "message": "m", "hint": "h",
                              "expected": "a"}


def test_every_code_is_declared_where_its_prefix_says():
    """lookup() loads only the catalogue module its code's prefix names: every code must
    be declared there, and every declared code must be found that way."""
    from ssoctl import findings

    for area in findings.AREAS:
        for code in findings.area_codes(area):
            assert findings.AREA_OF_PREFIX[code.partition("_")[0]] == area, code
            assert findings.lookup(code) is findings.catalogue()[code]
    assert set(findings.AREA_OF_PREFIX.values()) == set(findings.AREAS)
