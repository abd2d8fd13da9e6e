"""The class behind the network defects of docs/threat-model.md ("Network"): one request
path. Deadline, size limit, redirect rules and redaction live in ssoctl.http; a module that
reached the network another way would have none of them. The per-command behaviour is
tested in tests/integration/test_cli_network_hostile.py; this keeps new code honest."""

from __future__ import annotations

import ast
from pathlib import Path

import ssoctl

PACKAGE = Path(ssoctl.__file__).parent
NETWORK_MODULES = ("requests", "urllib3", "http.client", "urllib.request", "socket", "httpx",
                   "aiohttp", "ssl")
ALLOWED = {"http.py"}  # the one path, and a server (not a client)


def _runtime_imports(tree: ast.AST):
    """Imports outside ``if TYPE_CHECKING:`` blocks."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(child) for child in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_only_ssoctl_http_reaches_the_network():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in ALLOWED or rel.startswith("rehearsal/"):
            continue  # the rehearsal stand-ins are servers (TLS for the Okta stand-in), not clients
        for name in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if any(name == m or name.startswith(m + ".") for m in NETWORK_MODULES):
                offenders.append(f"{rel}: import {name}")
    assert not offenders, "network access outside ssoctl.http: " + "; ".join(offenders)


def test_http_has_one_place_that_sends():
    """Inside ssoctl.http itself, only _exchange calls session.request."""
    tree = ast.parse((PACKAGE / "http.py").read_text(encoding="utf-8"))
    senders = set()
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef):
            for node in ast.walk(func):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                        node.func.attr in ("request", "get", "post", "put", "send") and \
                        ast.unparse(node.func.value) in ("session", "requests"):
                    senders.add(func.name)
    assert senders == {"_exchange"}
