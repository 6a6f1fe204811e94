"""Rules of the source itself that review asked for, read from the code: one derivation of an Ongoing
order's status number, and plans and actions typed with their unions (so the type checker sees every case)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from settings import PROJECT_ROOT

PACKAGES = ("domain", "integrations", "ledger", "tasks", "flows", "deployments", "swo")


def sources() -> Iterator[tuple[Path, str]]:
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            yield path.relative_to(PROJECT_ROOT), path.read_text()


def test_an_ongoing_orders_status_number_is_derived_only_by_its_model() -> None:
    """``Order.status_number``, never ``order_info.order_status.number if … else …`` again."""
    derivation = re.compile(r"order_status\.number\b")
    wrong = [f"{path}:{text.count(chr(10), 0, m.start()) + 1}" for path, text in sources()
             if path.parts[:2] != ("integrations", "ongoing") for m in derivation.finditer(text)]
    assert wrong == []


def test_plans_and_actions_are_typed_with_their_unions() -> None:
    """A function taking a plan, action, decision or step names its union (``StarwebEdit``,
    ``WarehouseChange`` …), never ``object`` or ``Any``."""
    loose = {"object", "Any"}
    wrong = []
    for path, text in sources():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for arg in [*node.args.args, *node.args.kwonlyargs]:
                    if (arg.arg in {"plan", "action", "decision", "step", "change"} and arg.annotation is not None
                            and ast.unparse(arg.annotation) in loose):
                        wrong.append(f"{path}:{node.lineno} {node.name}({arg.arg}: {ast.unparse(arg.annotation)})")
    assert wrong == []
