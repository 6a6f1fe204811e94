"""Alerts as code: the connector's Prefect automations, and applying them to a Prefect server.

``automations.yaml`` holds the definitions without a notification block; ``load_automations`` gives every
``send-notification`` action the block the operator named and tags each automation as the connector's.
``apply_automations`` makes the server match: an automation is created, updated by name or left as it is,
and one the connector applied earlier but no longer defines is deleted. Applying twice changes nothing.
Automations that notify nobody (marking runs whose heartbeats stopped as crashed) need no block:
``swo setup`` applies those alone (``load_automations(None)``), leaving the others as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

import yaml
from pydantic import ValidationError

if TYPE_CHECKING:
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.objects import BlockDocument
    from prefect.events.schemas.automations import AutomationCore

AUTOMATIONS_FILE = Path(__file__).resolve().parent / "automations.yaml"
MANAGED_TAG = "swo-connector"  # marks the automations `swo automations apply` owns (and may delete)
_ACTION_LISTS = ("actions", "actions_on_trigger", "actions_on_resolve")


class AutomationsError(ValueError):
    """The definitions or the named block cannot be used; the message says which and why."""


@dataclass(frozen=True)
class AutomationChange:
    name: str
    action: Literal["created", "updated", "unchanged", "removed"]


def load_automations(block_document_id: UUID | None, path: Path = AUTOMATIONS_FILE) -> list[AutomationCore]:
    """The definitions in ``path``, each notification sent through the given block; without a block, only
    the automations that send no notification."""
    from prefect.events.schemas.automations import AutomationCore

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AutomationsError(f"{path}: cannot read the automations: {exc}") from exc
    items = document.get("automations") if isinstance(document, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise AutomationsError(f"{path}: expected a list of automations under 'automations:'")
    automations = []
    for index, item in enumerate(items):
        name = item.get("name", f"automation #{index + 1}")
        if block_document_id is None and _notifies(item):
            continue
        data: dict[str, Any] = {**item, "tags": sorted({*item.get("tags", []), MANAGED_TAG})}
        for key in _ACTION_LISTS:
            data[key] = [{**action, "block_document_id": str(block_document_id)}
                         if action.get("type") == "send-notification" else action for action in item.get(key, [])]
        try:
            automations.append(AutomationCore.model_validate(data))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise AutomationsError(f"{path}: {name}: {problems}") from exc
    names = [a.name for a in automations]
    if len(set(names)) != len(names):
        raise AutomationsError(f"{path}: automation names must be unique (they are how `apply` finds them)")
    return automations


def _notifies(item: dict[str, Any]) -> bool:
    return any(action.get("type") == "send-notification" for key in _ACTION_LISTS for action in item.get(key, []))


def describe_block(block: BlockDocument) -> str:
    slug = block.block_type.slug if block.block_type else block.block_type_name
    return f"{slug}/{block.name}"


def choose_notification_block(blocks: Sequence[BlockDocument], wanted: str) -> BlockDocument:
    """The block ``wanted`` names: ``<block-type-slug>/<name>`` or a name alone, if only one block has it.
    It must be able to send notifications."""
    type_slug, _, name = wanted.rpartition("/")
    named = [b for b in blocks if not b.is_anonymous and b.name == name
             and (not type_slug or (b.block_type is not None and b.block_type.slug == type_slug))]
    notifiers = sorted(describe_block(b) for b in blocks if not b.is_anonymous and _can_notify(b))
    if not named:
        offered = ", ".join(notifiers) or "none yet"
        raise AutomationsError(f"no block named {wanted!r} on this Prefect server (notification blocks: {offered}); "
                               "create one in the Prefect UI under Blocks (Slack Webhook, Email, Custom Webhook …) "
                               "and name it here")
    if len(named) > 1:
        raise AutomationsError(f"several blocks are named {name!r} ({', '.join(sorted(map(describe_block, named)))}); "
                               "say which, as <block-type>/<name>")
    (block,) = named
    if not _can_notify(block):
        raise AutomationsError(f"block {describe_block(block)} cannot send notifications; name a notification "
                               f"block instead (these can: {', '.join(notifiers) or 'none yet'})")
    return block


def _can_notify(block: BlockDocument) -> bool:
    return block.block_schema is not None and "notify" in block.block_schema.capabilities


async def find_notification_block(client: PrefectClient, wanted: str) -> BlockDocument:
    return choose_notification_block(await client.read_block_documents(include_secrets=False), wanted)


def comparable(automation: AutomationCore) -> dict[str, Any]:
    from prefect.events.schemas.automations import AutomationCore

    # The server gives back what it was sent, plus ids of its own; compare what the definitions say. In Python
    # mode: a trigger's ``expect`` and ``after`` are sets, which JSON mode turns into lists in whatever order
    # the set iterates, so the same automation could compare unequal and be "updated" on every apply.
    core = AutomationCore.model_validate(automation.model_dump())
    return core.model_dump(exclude={"trigger": {"id"}})


async def apply_automations(client: PrefectClient, wanted: Sequence[AutomationCore], *,
                            dry_run: bool = False, prune: bool = True) -> list[AutomationChange]:
    """Create or update each automation by name; delete the connector's automations no longer defined
    (unless ``prune`` is off: ``wanted`` is then only some of them) and duplicates of a defined name. With
    ``dry_run``, only say what would change."""
    existing: dict[str, list[Any]] = {}
    for stored in await client.read_automations():
        existing.setdefault(stored.name, []).append(stored)
    changes: list[AutomationChange] = []
    for automation in wanted:
        found = existing.pop(automation.name, [])
        if not found:
            if not dry_run:
                await client.create_automation(automation)
            changes.append(AutomationChange(automation.name, "created"))
            continue
        current, *duplicates = found
        if comparable(current) == comparable(automation):
            changes.append(AutomationChange(automation.name, "unchanged"))
        else:
            if not dry_run:
                await client.update_automation(current.id, automation)
            changes.append(AutomationChange(automation.name, "updated"))
        for duplicate in duplicates:
            if not dry_run:
                await client.delete_automation(duplicate.id)
            changes.append(AutomationChange(automation.name, "removed"))
    for name, stale in sorted(existing.items()) if prune else ():
        for old in stale:
            if MANAGED_TAG in old.tags:
                if not dry_run:
                    await client.delete_automation(old.id)
                changes.append(AutomationChange(name, "removed"))
    return changes
