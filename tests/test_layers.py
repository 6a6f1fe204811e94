"""The layers' rules, read from the source: what each package may import, and who may write the ledger.

Data flows downward only (flows → tasks → domain, ledger, integrations; settings below both tasks and the
command line), and the ledger's state changes are its own named functions: no SQL and no column set by
hand anywhere else.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from settings import PROJECT_ROOT

# Package → top-level modules it must never import.
FORBIDDEN_IMPORTS = {
    "domain": {"prefect", "sqlalchemy", "httpx", "ledger", "tasks", "flows", "swo", "settings", "deployments"},
    "integrations": {"prefect", "ledger", "tasks", "flows", "swo", "settings", "deployments"},
    "ledger": {"prefect", "tasks", "flows", "swo", "deployments", "httpx"},
    "tasks": {"flows", "swo", "deployments"},
    "flows": {"swo", "deployments"},
    "deployments": {"swo"},
}


def modules(package: str) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(), filename=str(path))


def imported(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """Every absolute module name imported, with its line (``import a.b`` and ``from a.b import c``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno


@pytest.mark.parametrize("package", sorted(FORBIDDEN_IMPORTS))
def test_each_layer_imports_only_what_lies_below_it(package: str) -> None:
    wrong = [f"{path.relative_to(PROJECT_ROOT)}:{line} imports {name}"
             for path, tree in modules(package) for name, line in imported(tree)
             if name.split(".")[0] in FORBIDDEN_IMPORTS[package]]
    assert wrong == []

