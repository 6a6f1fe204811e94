"""Sending the warehouse a return order for goods a customer is sending back (``swo returns announce``).

The order's Ongoing twin is read first for its internal line ids; the decision (which lines, which number,
or an identical announcement already waiting) is ``domain.return_announcement``'s; the write is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NO_CACHE

from domain.config import MerchantConfig
from domain.return_announcement import plan_announcement
from integrations.errors import MappingError
from ledger import bindings
from tasks.recording import Batch, DryRun
from tasks.reporting import Outcome
from tasks.runtime import ledger, ongoing_client


@dataclass(frozen=True)
class AnnouncementResult:
    return_order_number: str
    return_order_id: int | None
    created: bool


@task(name="announce-return-order", cache_policy=NO_CACHE)
async def announce_return_order(merchant: MerchantConfig, starweb_order_id: int, wanted: Mapping[str, int],
                                cause: str | None, comment: str | None,
                                dry_run: bool) -> tuple[AnnouncementResult, list[Outcome]]:
    """Send the warehouse a return order for these SKUs of one order (or find it already announced)."""
    batch = Batch(merchant, dry_run)
    with ledger().session() as session:
        binding = bindings.find_order(session, merchant.merchant_id, starweb_order_id)
    number = binding.order_number if binding else merchant.order_number(starweb_order_id)
    async with await ongoing_client(merchant) as warehouse:
        order = await warehouse.find_order_by_number(number)
        if order is None:
            raise MappingError(f"order {starweb_order_id}: Ongoing has no order {number}")
        known = [c.code for c in await warehouse.list_return_causes() if c.code]
        existing = await warehouse.list_return_orders(customer_order_numbers=[number])
        plan = plan_announcement(order, wanted, cause=cause, known_causes=known, comment=comment,
                                 existing=[r for r in existing if r.customer_order_info
                                           and r.customer_order_info.order_id == order.order_id])
        record = f"order {starweb_order_id}"
        if plan.write is None:
            batch.add(record, "skipped", f"already announced as return order {plan.number}")
            return AnnouncementResult(plan.number, None, created=False), batch.outcomes
        write = plan.write
        try:
            answer = await batch.write("ongoing", "PUT /returnOrders", plan.number,
                                       lambda: warehouse.put_return_order(write),
                                       detail={"orderId": order.order_id, "lines": dict(wanted), "cause": cause})
        except DryRun:
            batch.add(record, "would announce", f"return order {plan.number}")
            return AnnouncementResult(plan.number, None, created=False), batch.outcomes
    batch.add(record, "announced", f"return order {plan.number}")
    return AnnouncementResult(plan.number, answer.return_order_id, created=True), batch.outcomes
