"""realtime/ depends only on claims and core: it streams events, it does not know about
messaging, the portal's pages or the back office."""

import ast
from pathlib import Path

import claimory.realtime

ALLOWED = ("claimory.claims", "claimory.core", "claimory.realtime")


def test_realtime_imports_only_claims_and_core():
    package = Path(claimory.realtime.__file__).parent
    found = {}
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name.startswith("claimory") and not name.startswith(ALLOWED):
                    found.setdefault(str(path.relative_to(package)), []).append(name)
    assert found == {}
