"""Colour and emphasis as a person sees them (issue 11), from real pseudo-terminal runs.

Content -- values to paste, the fix line, expected/received, the PEM, XML -- is printed
in the terminal's own text colour, which its theme makes readable. Colour marks only
severity (and check-cert's verdict); bold marks headings and labels. Nothing is dim, and
nothing is white or a fixed 256-colour/true colour (white is invisible on a light theme).
Every colour used has a contrast of at least 3:1 (bold text) on both a light and a dark
terminal theme (rich's palettes stand in for the user's).
"""

from __future__ import annotations

import pytest
from rich import terminal_theme

from .screen import run, run_widths

NOW = "2026-06-01T12:00:00Z"
LIGHT = (terminal_theme.DEFAULT_TERMINAL_THEME, terminal_theme.NIGHT_OWLISH)
DARK = (terminal_theme.MONOKAI, terminal_theme.SVG_EXPORT_THEME)
COMMANDS = {
    "findings": ["check-cert", "fixtures/certs/no-armor.txt", "--now", NOW],
    "verdict ok": ["check-cert", "fixtures/certs/okta.cert", "--now", NOW],
    "metadata": ["import-metadata", "fixtures/metadata/okta.xml", "--now", NOW],
    "warnings": ["import-metadata", "fixtures/metadata/entra.xml", "--now", NOW],
    "error": ["check-cert", "fixtures/certs/empty.pem"],
}


def _params(style: str) -> list[str]:
    return style.split(";")


def _colours(style: str) -> list[int]:
    """The palette indexes (0-15) of the foreground colours in an SGR parameter list;
    anything else (dim, background, 256-colour beyond 16, true colour) fails the test."""
    params, out, i = _params(style), [], 0
    while i < len(params):
        p = int(params[i] or 0)
        assert p != 2, f"dim text: {style}"
        assert not (40 <= p <= 48 or 100 <= p <= 107), f"background colour: {style}"
        if 30 <= p <= 37:
            out.append(p - 30)
        elif 90 <= p <= 97:
            out.append(p - 90 + 8)
        elif p == 38:
            assert params[i + 1] == "5" and int(params[i + 2]) < 16, f"fixed colour: {style}"
            out.append(int(params[i + 2]))
            i += 2
        i += 1
    return out


def _contrast(a, b) -> float:
    def lum(rgb):
        def channel(v):
            v /= 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        r, g, b_ = rgb
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b_)
    high, low = sorted((lum(a), lum(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture(scope="module")
def screens():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(COMMANDS)) as pool:
        runs = {name: pool.submit(run, args, columns=80) for name, args in COMMANDS.items()}
        return {name: future.result() for name, future in runs.items()}


def test_only_severity_and_verdict_are_coloured(screens):
    for name, screen in screens.items():
        for style, text in screen.styles():
            if not _colours(style):
                continue
            words = text.strip()
            verdict = screen.text.split("\n\n", 1)[0]  # check-cert's first paragraph
            assert words in ("error", "warning", "info", "error:") \
                or (name in ("findings", "verdict ok") and words in verdict), (name, style, text)


@pytest.mark.parametrize("theme", LIGHT + DARK, ids=lambda t: f"{t.background_color}")
def test_every_colour_reads_on_light_and_dark_themes(screens, theme):
    background = tuple(theme.background_color)
    for screen in screens.values():
        for style, _ in screen.styles():
            for index in _colours(style):
                colour = tuple(theme.ansi_colors[index])
                assert _contrast(colour, background) >= 3.0, (style, theme.background_color)


def test_fix_expected_received_and_pem_are_plain_text(screens):
    """The lines the user acts on carry no style at all after their label."""
    screen = screens["findings"]
    assert screen.styles(after="Findings")
    for style, text in screen.styles(after="Findings"):
        assert not text.startswith(("ssoctl", "64", "76")), (style, text)
        if "fix" in text or "expected" in text or "received" in text:
            assert text.strip() in ("fix:", "expected:", "received:"), text  # the label only
    pem = screens["metadata"]
    styled = "".join(text for _, text in pem.styles())
    assert "BEGIN CERTIFICATE" not in styled and "MIID" not in styled
    assert "https://" not in styled


def test_no_colour_with_no_color():
    args = ["check-cert", "fixtures/certs/no-armor.txt", "--now", NOW]
    for screen in (run(args, columns=80, env={"NO_COLOR": "1"}),
                   run(["--no-color", *args], columns=60)):
        assert "\x1b[" not in screen.raw and "Findings" in screen.text


def test_findings_keep_their_indent_and_tables_keep_words_at_60_columns():
    screen, table, wide = (
        run(["import-metadata", "fixtures/metadata/entra.xml", "--now", NOW], columns=60),
        *run_widths(["check-cert", "fixtures/certs/several.pem", "--now", NOW],
                    widths=(60, 200)))
    lines = screen.lines
    start = lines.index("Findings")
    for line in lines[start + 1:]:
        if line.strip():
            assert line.startswith("  ") and (line.startswith("      ")
                                              or line.split()[0] in ("error", "warning", "info"))
    for line in table.lines:
        assert len(line) <= 60 or len(line.split()) <= 2, line  # only one value overflows
    words = set(wide.text.split())
    for word in table.text.split():
        assert word in words or word.rstrip(":") in words, f"{word!r} is a piece of a word cut at 60 columns"
