"""Tasks of the new-order export: what the ledger already knows, and pushing new orders to Ongoing.

Ongoing's REST API cannot set a status on create, so an export is two writes: ``PUT /orders`` (new
orders land in the warehouse's start status) and ``PATCH …/orderStatus`` to "open, in stock" or "open,
backordered". The binding is recorded between the two, with the chosen state, so a crash in between is
completed by the next run instead of exporting the order again.
"""

from __future__ import annotations

from collections.abc import Sequence

from prefect import task
from prefect.cache_policies import NO_CACHE

from domain.config import MerchantConfig
from domain.order_export import ExportPlan, ExportRefusal
from domain.statuses import OrderState, StatusTable
from integrations.errors import ConnectorError
from integrations.ongoing.models import OrderWrite
from ledger import bindings, quarantine
from ledger.bindings import LineSpec
from tasks.progress import report_progress
from tasks.recording import Batch, DryRun
from tasks.reporting import Outcome
from tasks.runtime import ledger, ongoing_client

ORDER_KIND = "order"


@task(name="read-export-state", cache_policy=NO_CACHE)
def read_export_state(merchant_id: str, order_ids: list[int]) -> tuple[set[int], set[int], list[int]]:
    """(orders already bound, orders held in quarantine, quarantined orders due for another try)."""
    with ledger().session() as session:
        bound = set(bindings.orders_by_starweb_id(session, merchant_id, order_ids))
        held = {int(e.key) for e in quarantine.open_entries(session, merchant_id, ORDER_KIND)
                if quarantine.is_held(session, merchant_id, ORDER_KIND, e.key)}
        due = [int(e.key) for e in quarantine.due_for_retry(session, merchant_id, ORDER_KIND)]
    return bound, held, due


def lines_of(payload: OrderWrite) -> list[LineSpec]:
    """The lines as pushed; the row number is the Starweb itemId for lines that came from Starweb."""
    return [LineSpec(row_number=line.row_number, sku=line.article_number, quantity=float(line.number_of_items or 0),
                     starweb_item_id=int(line.row_number) if line.row_number.isdigit() else None)
            for line in payload.order_lines or []]


def _describe(state: OrderState) -> str:
    return state.value.replace("_", " ")


@task(name="push-new-orders", cache_policy=NO_CACHE)
async def push_new_orders(merchant: MerchantConfig, plans: Sequence[ExportPlan | ExportRefusal], table: StatusTable,
                          dry_run: bool) -> tuple[list[Outcome], list[str]]:
    """Create each planned order in Ongoing and give it its initial status; quarantine the refused."""
    batch = Batch(merchant, dry_run)
    async with await ongoing_client(merchant) as warehouse:
        for done, plan in enumerate(plans):
            await report_progress(done, len(plans))
            record = f"order {plan.order.order_id}"
            key = str(plan.order.order_id)
            if isinstance(plan, ExportRefusal):
                batch.quarantine(ORDER_KIND, key, record, plan.error, payload={"orderId": plan.order.order_id})
                continue
            number = plan.payload.order_number
            try:
                answer = await batch.write("ongoing", "PUT /orders", number,
                                           lambda p=plan: warehouse.put_order(p.payload))
            except DryRun:
                batch.add(record, "would create", f"{number} as {_describe(plan.initial_state)}")
                continue
            except Exception as error:
                batch.quarantine(ORDER_KIND, key, record, error, payload={"orderId": plan.order.order_id})
                continue
            with ledger().session() as session:
                binding = bindings.mark_exported(
                    session, merchant.merchant_id, starweb_order_id=plan.order.order_id, order_number=number,
                    ongoing_order_id=answer.order_id, pushed_hash=plan.payload_hash, lines=lines_of(plan.payload),
                    starweb_status_id=plan.order.status_id, starweb_created_at=plan.order.created_at,
                    starweb_modified_at=plan.order.modified_at, silent=plan.silent)
                bindings.mark_state(binding, state=plan.initial_state.value)
            batch.resolve(ORDER_KIND, key, "exported")
            await _set_initial_status(batch, warehouse, table, plan.order.order_id, answer.order_id,
                                      plan.initial_state, record, verb="created")
    return batch.outcomes, batch.unexpected


async def _set_initial_status(batch: Batch, warehouse, table: StatusTable, starweb_order_id: int,  # type: ignore[no-untyped-def]
                              ongoing_order_id: int, state: OrderState, record: str, *, verb: str) -> None:
    number = table.ongoing_number(state)
    try:
        await batch.write("ongoing", "PATCH /orders/{orderId}/orderStatus", str(ongoing_order_id),
                          lambda: warehouse.patch_order_status(ongoing_order_id, number),
                          detail={"orderStatusNumber": number})
    except DryRun:
        batch.add(record, "would set status", _describe(state))
        return
    except Exception as error:
        # The order exists in Ongoing; the next run sets the status (see complete_initial_statuses).
        batch.add(record, verb, f"initial status {number} not yet set, retried next run: {error}")
        return
    with ledger().session() as session:
        binding = bindings.find_order(session, batch.merchant_id, starweb_order_id)
        assert binding is not None
        bindings.mark_initial_status(binding, state=state.value, ongoing_status=number)
    batch.add(record, verb, f"{_describe(state)} (Ongoing status {number})")


@task(name="complete-initial-statuses", cache_policy=NO_CACHE)
async def complete_initial_statuses(merchant: MerchantConfig, table: StatusTable,
                                    dry_run: bool) -> tuple[list[Outcome], list[str]]:
    """Exported orders whose initial status was not set (a crash or a fault between the two writes)."""
    with ledger().session() as session:
        pending = [(b.starweb_order_id, b.ongoing_order_id, b.state)
                   for b in bindings.orders_awaiting_initial_status(session, merchant.merchant_id)]
    batch = Batch(merchant, dry_run)
    if not pending:
        return batch.outcomes, batch.unexpected
    async with await ongoing_client(merchant) as warehouse:
        for starweb_order_id, ongoing_order_id, state in pending:
            if ongoing_order_id is None:
                continue
            record = f"order {starweb_order_id}"
            try:
                current = await warehouse.get_order(ongoing_order_id)
            except ConnectorError as error:
                batch.add(record, "failed", f"could not read it back from Ongoing, retried next run: {error}")
                continue
            number = current.order_info.order_status.number if current.order_info.order_status else None
            if number is not None and table.state_of_ongoing(number) is not OrderState.OPEN:
                # The warehouse already moved it on (or it got its status before a crash): never move it back.
                if not dry_run:
                    with ledger().session() as session:
                        binding = bindings.find_order(session, merchant.merchant_id, starweb_order_id)
                        assert binding is not None
                        bindings.mark_initial_status(binding, state=binding.state or "open", ongoing_status=number)
                continue
            chosen = OrderState(state) if state else OrderState.OPEN_BACKORDERED
            await _set_initial_status(batch, warehouse, table, starweb_order_id, ongoing_order_id, chosen,
                                      record, verb="status completed")
    return batch.outcomes, batch.unexpected
