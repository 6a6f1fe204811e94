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

from ledger.models import Base
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
LAYERED = ("domain", "integrations", "ledger", "tasks", "flows", "deployments", "swo")


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


def test_sql_is_written_only_in_the_ledger() -> None:
    """SQLAlchemy outside ``ledger/`` only for the ledger's own exception (a unique key another run won)."""
    wrong = [f"{path.relative_to(PROJECT_ROOT)}:{line} imports {name}"
             for package in LAYERED if package != "ledger"
             for path, tree in modules(package) for name, line in imported(tree)
             if name.split(".")[0] == "sqlalchemy" and name != "sqlalchemy.exc"]
    assert wrong == []


def test_only_the_ledger_queries_its_session() -> None:
    """Outside ``ledger/`` a session is only handed to ledger functions, never asked (``session.get(…)``)."""
    wrong = [f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} calls session.{node.func.attr}"
             for package in LAYERED if package != "ledger" for path, tree in modules(package)
             for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and isinstance(node.func.value, ast.Name) and node.func.value.id == "session"]
    assert wrong == []


def test_ledger_columns_change_only_through_named_ledger_functions() -> None:
    """No task, flow or command sets a ledger column itself (``binding.shipped_at = …``)."""
    columns = {column.key for table in Base.metadata.tables.values() for column in table.columns}
    wrong = []
    for package in ("tasks", "flows", "swo", "deployments"):
        for path, tree in modules(package):
            for node in ast.walk(tree):
                targets = node.targets if isinstance(node, ast.Assign) else \
                    [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else []
                for target in targets:
                    for leaf in target.elts if isinstance(target, ast.Tuple | ast.List) else [target]:
                        if (isinstance(leaf, ast.Attribute) and leaf.attr in columns
                                and not (isinstance(leaf.value, ast.Name) and leaf.value.id == "self")):
                            wrong.append(f"{path.relative_to(PROJECT_ROOT)}:{leaf.lineno} sets .{leaf.attr}")
    assert wrong == []
