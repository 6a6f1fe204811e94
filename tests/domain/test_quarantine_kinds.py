"""Every kind of quarantine entry the tasks write has an owner flow, and the documentation names it."""

from __future__ import annotations

import re

from deployments.registry import PROCESSES
from domain.quarantine_kinds import OWNERS, owner_of
from settings import PROJECT_ROOT


def kinds_written_by_tasks() -> set[str]:
    found: set[str] = set()
    for module in (PROJECT_ROOT / "tasks").glob("*.py"):
        found |= set(re.findall(r'^[A-Z_]+_KIND = "([a-z-]+)"', module.read_text(), flags=re.MULTILINE))
    return found


def test_every_kind_the_tasks_write_has_an_owner_flow() -> None:
    kinds = kinds_written_by_tasks()
    assert {"order", "order-change", "order-status", "release", "shipment", "stock", "product"} <= kinds
    assert kinds <= set(OWNERS), f"kinds without an owner: {sorted(kinds - set(OWNERS))}"
    flows = {process.flow_name for process in PROCESSES}
    assert {OWNERS[kind].owner for kind in kinds} <= flows, "each owner is a deployed flow"
    assert owner_of("no-such-kind") is None


def test_the_documentation_tables_every_kind_with_its_owner() -> None:
    doc = (PROJECT_ROOT / "docs" / "quarantine.md").read_text()
    for owner in OWNERS.values():
        row = rf"^\| `{re.escape(owner.kind)}` \| `{re.escape(owner.owner)}`[^|]*\|"
        assert re.search(row, doc, re.MULTILINE), f"docs/quarantine.md has no row for {owner.kind}"
