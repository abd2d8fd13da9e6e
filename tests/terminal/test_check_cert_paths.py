"""check-cert on many files, in a real pseudo-terminal 40, 80 and 120 columns wide: each
file's path is shown whole on one line in the table (or its records) and before its
findings, even in a folder with spaces ("Application Support"), as the user copies it into
``ssoctl check-cert PATH --fix``; a bundle member keeps its ``#N`` beside its path."""

from __future__ import annotations

import shutil

from .screen import ROOT, run_widths

NOW = "2026-06-01T12:00:00Z"
WIDTHS = (40, 80, 120)


def test_paths_with_spaces_stay_whole(tmp_path):
    folder = tmp_path / "dir two" / "Application Support" / "ssoctl certs"
    folder.mkdir(parents=True)
    for name in ("okta.cert", "expired.pem"):
        shutil.copy(ROOT / "fixtures" / "certs" / name, folder / name)
    for screen in run_widths(["check-cert", "dir two/Application Support/ssoctl certs",
                              "--now", NOW], widths=WIDTHS, cwd=tmp_path):
        assert screen.exit_code == 1, screen.text
        for value in ("dir two/Application Support/ssoctl certs/okta.cert",
                      "dir two/Application Support/ssoctl certs/expired.pem",
                      "dir two/Application Support/ssoctl certs/expired.pem:"):  # its findings
            assert screen.has_whole(value), (
                f"{value!r} is broken at {screen.columns} columns:\n{screen.text}")


def test_a_bundle_member_keeps_its_number_beside_its_path():
    for screen in run_widths(["check-cert", "fixtures/certs/okta.cert",
                              "fixtures/certs/expired.pem", "fixtures/certs/several.pem",
                              "--now", NOW], widths=(40, 60, 80)):
        assert screen.exit_code == 1, screen.text
        for value in ("fixtures/certs/several.pem #1", "fixtures/certs/several.pem #2"):
            assert screen.has_whole(value), (
                f"{value!r} is broken at {screen.columns} columns:\n{screen.text}")
