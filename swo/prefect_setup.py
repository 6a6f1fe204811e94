"""``swo setup``: get a Prefect server ready for the connector's workers, on any number of machines.

It makes sure of what every run of every merchant shares, wherever it runs: the connector's work pool
(a process pool unless the operator created it with another type, e.g. kubernetes) with one work queue
per kind of work and its priority; each merchant's one-writer limit for its Ongoing goods owner and its
request budgets per vendor; the automation that marks runs whose heartbeats stopped as crashed (so their
claims are taken over); and the ledger's schema. Everything is created or corrected in place: running
it again changes nothing. ``swo run`` does the limits part itself at start-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from deployments.build import WORK_POOL
from deployments.registry import WORK_QUEUES
from domain.config import MerchantConfig

if TYPE_CHECKING:
    from prefect.client.orchestration import PrefectClient


@dataclass
class SetupReport:
    """What ``setup`` found and did, one line per item, for the operator."""

    lines: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)


async def ensure_merchant_limits(merchants: Iterable[MerchantConfig]) -> list[str]:
    """Every merchant's Ongoing write limit and request budgets, by name."""
    from tasks.request_budgets import ensure_budgets
    from tasks.write_slots import ensure_write_limits

    merchants = list(merchants)
    return [*await ensure_write_limits(merchants), *await ensure_budgets(merchants)]


async def ensure_work_pool(client: PrefectClient, report: SetupReport, name: str = WORK_POOL) -> None:
    """The work pool (created as a process pool if missing) and its queues with their priorities."""
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    try:
        pool = await client.read_work_pool(name)
        report.say(f"work pool {name}: exists ({pool.type})")
    except ObjectNotFound:
        template = ProcessWorker.get_default_base_job_template()
        await client.create_work_pool(WorkPoolCreate(name=name, type="process", base_job_template=template))
        report.say(f"work pool {name}: created (process)")
    for queue in WORK_QUEUES:
        try:
            current = await client.read_work_queue_by_name(queue.name, work_pool_name=name)
        except ObjectNotFound:
            await client.create_work_queue(queue.name, description=queue.description, priority=queue.priority,
                                           work_pool_name=name)
            report.say(f"work queue {name}/{queue.name}: created (priority {queue.priority})")
            continue
        if (current.priority, current.description) != (queue.priority, queue.description):
            await client.update_work_queue(current.id, priority=queue.priority, description=queue.description)
            report.say(f"work queue {name}/{queue.name}: set to priority {queue.priority}")
        else:
            report.say(f"work queue {name}/{queue.name}: exists (priority {queue.priority})")


async def ensure_upkeep_automations(client: PrefectClient, report: SetupReport) -> None:
    """The automations that notify nobody (crashing runs whose heartbeats stopped); alerts are left as they are."""
    from deployments.automations import apply_automations, load_automations

    for change in await apply_automations(client, load_automations(None), prune=False):
        report.say(f"automation {change.name!r}: {change.action}")


async def setup(merchants: Iterable[MerchantConfig], ledger_url: str) -> SetupReport:
    """Everything above on the Prefect server ``PREFECT_API_URL`` names, and the ledger at ``ledger_url``."""
    from prefect.client.orchestration import get_client

    from ledger.db import Ledger

    report = SetupReport()
    async with get_client() as client:
        await ensure_work_pool(client, report)
        for name in await ensure_merchant_limits(merchants):
            report.say(f"limit {name}: ok")
        await ensure_upkeep_automations(client, report)
    Ledger(ledger_url).dispose()  # opening it brings the schema up to date
    report.say("ledger: schema up to date")
    return report
