"""Tasks that carry Starweb-side edits and cancellations of exported orders to Ongoing.

Each order is judged by ``domain.order_sync.plan_starweb_edit``; this module only carries the
decision out: push the edit, cancel in the warehouse, or — once the warehouse has started — leave a
comment on the Starweb order and a quarantine entry so a person follows up and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from prefect import task
from prefect.cache_policies import NO_CACHE

from domain.config import MerchantConfig
from domain.order_mapping import to_ongoing_order
from domain.order_sync import (
    CANCEL_MARKER,
    CancelInOngoing,
    CannotMap,
    ChangeRefused,
    PushUpdate,
    RecordCancelled,
    RefuseCancel,
    RefuseUpdate,
    Unchanged,
    plan_starweb_edit,
    with_agreed_row_numbers,
)
from domain.statuses import OrderState, StatusTable
from integrations.errors import ConnectorError, MappingError, RefusedByVendor
from integrations.ongoing.client import OngoingClient
from integrations.ongoing.models import Order as OngoingOrder
from integrations.ongoing.models import OrderWrite, PatchResponse
from integrations.starweb.client import StarwebClient
from integrations.starweb.models import Order as StarwebOrder
from ledger import bindings, quarantine
from ledger.models import OrderBinding
from tasks.order_export import lines_of
from tasks.recording import Batch, DryRun
from tasks.reporting import Outcome
from tasks.runtime import ledger, ongoing_client, starweb_client

CHANGE_KIND = "order-change"

REFUSED_EDIT_COMMENT = ("Ändringen skickades inte till lagret: lagret har redan börjat arbeta med ordern "
                        "(Ongoing-status {status}). Kontakta lagret om ändringen ska göras.")
REFUSED_CANCEL_COMMENT = ("Makuleringen kunde inte göras i lagret: lagret har redan börjat arbeta med ordern "
                          "(Ongoing-status {status}). Kontakta lagret för att stoppa leveransen.")


@task(name="read-bound-orders", cache_policy=NO_CACHE)
def read_bound_orders(merchant_id: str, starweb_order_ids: list[int]) -> tuple[dict[int, OrderBinding], list[int]]:
    """Bindings of these orders that are still in play, and order ids with a change due for another try."""
    with ledger().session() as session:
        bound = bindings.orders_by_starweb_id(session, merchant_id, starweb_order_ids)
        due = [int(e.key) for e in quarantine.due_for_retry(session, merchant_id, CHANGE_KIND)]
        due_bound = bindings.orders_by_starweb_id(session, merchant_id, due)
    in_play = {i: b for i, b in {**bound, **due_bound}.items() if b.state not in bindings.FINAL_STATES}
    return in_play, [i for i in due if i not in bound]


def _status_of(order: OngoingOrder) -> int:
    return order.order_info.order_status.number if order.order_info.order_status else 0


@task(name="push-starweb-edits", cache_policy=NO_CACHE)
async def push_starweb_edits(merchant: MerchantConfig, table: StatusTable, orders: Sequence[StarwebOrder],
                             bound: dict[int, OrderBinding], in_warehouse: dict[str, OngoingOrder],
                             known_skus: Collection[str], dry_run: bool) -> tuple[list[Outcome], list[str]]:
    """Judge every bound order against the warehouse and carry out the decision."""
    batch = Batch(merchant, dry_run)
    async with await ongoing_client(merchant) as warehouse, await starweb_client(merchant) as shop:
        for order in orders:
            binding = bound.get(order.order_id)
            if binding is None:
                continue
            record, key = f"order {order.order_id}", str(order.order_id)
            ongoing = in_warehouse.get(binding.order_number)
            if ongoing is None:
                batch.quarantine(CHANGE_KIND, key, record, MappingError(
                    f"order {binding.order_number} is bound in the ledger but Ongoing no longer has it"))
                continue
            try:
                mapped: OrderWrite | MappingError = with_agreed_row_numbers(
                    to_ongoing_order(order, merchant, known_skus=known_skus), binding)
            except MappingError as error:
                mapped = error
            plan = plan_starweb_edit(order, binding, _status_of(ongoing), table, mapped)
            try:
                await _carry_out(batch, table, plan, order, binding, ongoing, warehouse, shop, record, key)
            except DryRun:
                batch.add(record, f"would {_verb(plan)}", _why(plan))
            except Exception as error:
                batch.quarantine(CHANGE_KIND, key, record, error, payload={"orderId": order.order_id})
    return batch.outcomes, batch.unexpected


def _verb(plan: object) -> str:
    return {PushUpdate: "update", CancelInOngoing: "cancel", RefuseUpdate: "flag refused edit",
            RefuseCancel: "flag refused cancellation"}.get(type(plan), "record")


def _why(plan: object) -> str:
    return getattr(plan, "reason", "")


async def _carry_out(batch: Batch, table: StatusTable, plan: object, order: StarwebOrder, binding: OrderBinding,
                     ongoing: OngoingOrder,
                     warehouse: OngoingClient, shop: StarwebClient, record: str, key: str) -> None:
    number = binding.order_number
    status = _status_of(ongoing)
    match plan:
        case Unchanged(reason=reason):
            batch.add(record, "skipped", reason)
            if reason == "no change since the last push":
                batch.resolve(CHANGE_KIND, key, "in sync again")
            else:  # still held for the same reason (e.g. a refusal already flagged): try again later
                batch.postpone(CHANGE_KIND, key)
        case CannotMap(error=error):
            batch.quarantine(CHANGE_KIND, key, record, error, payload={"orderId": order.order_id})
        case PushUpdate(payload=payload, payload_hash=new_hash):
            await batch.write("ongoing", "PUT /orders", number, lambda: warehouse.put_order(payload))
            # A row the warehouse numbered keeps the Starweb item it was bound to (its number is not an itemId).
            item_of_row = {line.row_number: line.starweb_item_id for line in binding.lines}
            pushed = [replace(spec, starweb_item_id=item_of_row.get(spec.row_number, spec.starweb_item_id))
                      for spec in lines_of(payload)]
            with ledger().session() as session:
                bindings.mark_pushed(bindings.reload(session, binding), pushed_hash=new_hash, lines=pushed,
                                     starweb_modified_at=order.modified_at)
            batch.resolve(CHANGE_KIND, key, "edit pushed")
            batch.add(record, "updated", f"{number}: lines now {len(payload.order_lines or [])}")
        case CancelInOngoing():
            await batch.write("ongoing", "DELETE /orders/{orderId}", number,
                              lambda: cancel_confirmed(warehouse, table, ongoing.order_info.order_id))
            with ledger().session() as session:
                bindings.mark_cancelled(bindings.reload(session, binding),
                                        ongoing_status=table.ongoing_number(OrderState.CANCELLED))
            batch.resolve(CHANGE_KIND, key, "cancelled in the warehouse")
            batch.add(record, "cancelled", f"{number} cancelled in Ongoing")
        case RecordCancelled():
            if not batch.dry_run:
                with ledger().session() as session:
                    bindings.mark_cancelled(bindings.reload(session, binding), ongoing_status=status)
            batch.resolve(CHANGE_KIND, key, "cancelled on both sides")
            batch.add(record, "skipped", "already cancelled on both sides")
        case RefuseUpdate(payload_hash=new_hash, reason=reason):
            await _flag(batch, shop, order.order_id, REFUSED_EDIT_COMMENT.format(status=status))
            batch.quarantine(CHANGE_KIND, key, record, ChangeRefused(reason), payload={"orderId": order.order_id})
            with ledger().session() as session:
                bindings.mark_refused(bindings.reload(session, binding), new_hash)
            batch.add(record, "refused", reason)
        case RefuseCancel(reason=reason):
            await _flag(batch, shop, order.order_id, REFUSED_CANCEL_COMMENT.format(status=status))
            batch.quarantine(CHANGE_KIND, key, record, ChangeRefused(reason), payload={"orderId": order.order_id})
            with ledger().session() as session:
                bindings.mark_refused(bindings.reload(session, binding), CANCEL_MARKER)
            batch.add(record, "refused", reason)


async def cancel_confirmed(warehouse: OngoingClient, table: StatusTable,
                           ongoing_order_id: int) -> PatchResponse | OngoingOrder:
    """Cancel the order in Ongoing. When Ongoing refuses, read the order back: if it is cancelled, an earlier
    attempt landed and only its answer was lost (the transport resent the DELETE), so the cancel is done."""
    try:
        return await warehouse.cancel_order(ongoing_order_id)
    except RefusedByVendor:
        try:
            current = await warehouse.get_order(ongoing_order_id)
        except ConnectorError:
            current = None
        number = current.status_number if current is not None else None
        if number is None or table.state_of_ongoing(number) is not OrderState.CANCELLED:
            raise
        return current


async def _flag(batch: Batch, shop: StarwebClient, order_id: int, text: str) -> None:
    await batch.write("starweb", "POST /orders/{orderId}/comments", str(order_id),
                      lambda: shop.create_order_comment(order_id, text))


@task(name="close-settled-order-changes", cache_policy=NO_CACHE)
def close_settled_changes(merchant_id: str, gone: list[int], dry_run: bool) -> list[Outcome]:
    """Close change entries whose cause is gone: the order is sent, cancelled or returned (a refused change
    was flagged on the Starweb order and can no longer reach the warehouse), or it was deleted in Starweb."""
    outcomes: list[Outcome] = []
    with ledger().session() as session:
        entries = quarantine.open_entries(session, merchant_id, CHANGE_KIND)
        found = bindings.orders_by_starweb_id(session, merchant_id, [int(e.key) for e in entries])
        for entry in entries:
            binding = found.get(int(entry.key))
            if int(entry.key) in gone:
                why = "deleted in Starweb"
            elif binding is not None and binding.state in bindings.FINAL_STATES:
                why = f"the order is {binding.state}; the change can no longer reach the warehouse"
            else:
                continue
            if not dry_run:
                quarantine.resolve(session, merchant_id, CHANGE_KIND, entry.key, why)
            outcomes.append(Outcome(f"order {entry.key}", "would close" if dry_run else "closed", why))
    return outcomes
