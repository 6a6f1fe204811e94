"""Rules of the source itself that review asked for, read from the code: one derivation of an Ongoing
order's status number, plans and actions typed with their unions, no dead functions, the tests'
shared servers started once, and the type checker in ``make lint``."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from settings import PROJECT_ROOT

PACKAGES = ("domain", "integrations", "ledger", "tasks", "flows", "deployments", "swo", "webhooks")


def sources() -> Iterator[tuple[Path, str]]:
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            yield path.relative_to(PROJECT_ROOT), path.read_text()


def test_an_ongoing_orders_status_number_is_derived_only_by_its_model() -> None:
    """``Order.status_number``, never ``order_info.order_status.number if … else …`` again."""
    derivation = re.compile(r"order_info\.order_status\.number\b")
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


# Called by SQLAlchemy or Alembic, never by name from our code.
FRAMEWORK_HOOKS = {"process_bind_param", "process_result_value", "upgrade", "downgrade"}


def _called_by_name(decorator: ast.expr) -> bool:
    """``@property`` and ``@task(…)`` leave a function that our code calls by name."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Name) and target.id in {"property", "task"}


def test_every_function_of_the_domain_ledger_and_tasks_is_used_by_the_connector() -> None:
    """A function only tests call is dead code: it is removed, not kept "just in case" (other decorated
    ones, such as validators, are called by their framework)."""
    used: set[str] = set()
    defined: list[tuple[Path, int, str]] = []
    for path, text in sources():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and path.parts[0] in
                  {"domain", "ledger", "tasks"} and "migrations" not in path.parts
                  and all(_called_by_name(decorator) for decorator in node.decorator_list)):
                defined.append((path, node.lineno, node.name))
    dead = [f"{path}:{line} {name}" for path, line, name in defined
            if name not in used and not name.startswith("__") and name not in FRAMEWORK_HOOKS]
    assert dead == []


def test_the_simulators_and_prefect_are_started_once_for_the_whole_test_session() -> None:
    """Only tests/conftest.py starts the pair of simulators or a Prefect test harness; every other test uses
    its session fixtures (``simulators``, ``prefect_harness``). The two-worker installation test (tests/scale)
    is the exception: it runs outside the session's harness, with a pair of simulators per merchant."""
    starters = {"start_simulators", "prefect_test_harness"}
    wrong = []
    for path in sorted((PROJECT_ROOT / "tests").rglob("*.py")):
        if path == PROJECT_ROOT / "tests" / "conftest.py" or path.is_relative_to(PROJECT_ROOT / "tests" / "scale"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in starters:
                wrong.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} calls {node.func.id}")
    assert wrong == []


def test_make_lint_runs_the_type_checker_over_the_whole_project() -> None:
    """``make lint`` runs ruff and mypy, and mypy's configuration covers every package and the tests."""
    import tomllib

    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", (PROJECT_ROOT / "Makefile").read_text(), re.MULTILINE)
    assert recipe is not None
    commands = [line.strip().split()[0].rsplit("/", 1)[-1] for line in recipe.group(1).splitlines()]
    assert commands == ["ruff", "mypy"]
    mypy = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert "pydantic.mypy" in mypy["plugins"]
    assert set(mypy["files"]) >= {*PACKAGES, "settings.py", "tests"}
