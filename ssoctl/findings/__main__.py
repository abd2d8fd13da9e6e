"""``python -m ssoctl.findings`` prints docs/findings.md from the catalogue."""

import sys

from ssoctl.findings import markdown

sys.stdout.write(markdown())
