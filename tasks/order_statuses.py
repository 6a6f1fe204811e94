"""Tasks that bring warehouse-side changes of exported orders back to Starweb.

A status the TPL moved (picking started, order cancelled), lines it added, adjusted or removed while
the order was open, and lines picked short. The decisions come from ``domain.order_sync``; status
changes made here send the customer email and process payment only when the merchant's map says so.
"""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from domain.config import MerchantConfig
from domain.hashing import payload_hash
from domain.order_mapping import to_ongoing_order
from domain.order_sync import (
    CopyLineChanges,
    NoteShortPick,
    SetStarwebStatus,
    Skip,
    needs_attention,
    plan_warehouse_changes,
    with_agreed_row_numbers,
)
from domain.statuses import StatusTable
from integrations.ongoing.models import Order as OngoingOrder
from integrations.starweb.client import StarwebClient
from integrations.starweb.models import Order as StarwebOrder
from integrations.starweb.models import OrderItemWrite, OrderPatch
from ledger import bindings
from ledger.bindings import LineSpec
from ledger.models import OrderBinding
from tasks.recording import Batch, DryRun
from tasks.reporting import Outcome
from tasks.runtime import ledger, starweb_client

STATUS_KIND = "order-status"


@task(name="read-unfinished-orders", cache_policy=NO_CACHE)
def read_unfinished_orders(merchant_id: str, order_numbers: list[str] | None = None) -> list[OrderBinding]:
    """Exported orders not yet sent, cancelled or returned (only those with these numbers, when given)."""
    with ledger().session() as session:
        unfinished = bindings.unfinished_orders(session, merchant_id)
    return unfinished if order_numbers is None else [b for b in unfinished if b.order_number in set(order_numbers)]


def orders_needing_attention(merchant: MerchantConfig, table: StatusTable, unfinished: list[OrderBinding],
                             in_warehouse: dict[str, OngoingOrder]) -> list[tuple[OrderBinding, OngoingOrder]]:
    """The bound orders whose warehouse view may change something in Starweb."""
    pairs = [(b, in_warehouse[b.order_number]) for b in unfinished if b.order_number in in_warehouse]
    return [(b, o) for b, o in pairs if needs_attention(o, b, table, picked_status=merchant.orders.picked_status)]


@task(name="bring-back-warehouse-changes", cache_policy=NO_CACHE)
async def bring_back_warehouse_changes(merchant: MerchantConfig, table: StatusTable,
                                       pairs: list[tuple[OrderBinding, OngoingOrder]],
                                       starweb_orders: dict[int, StarwebOrder],
                                       dry_run: bool) -> tuple[list[Outcome], list[str]]:
    batch = Batch(merchant, dry_run)
    async with await starweb_client(merchant) as shop:
        for binding, ongoing in pairs:
            record, key = f"order {binding.starweb_order_id}", str(binding.starweb_order_id)
            starweb = starweb_orders.get(binding.starweb_order_id)
            if starweb is None:
                batch.add(record, "skipped", "no longer in Starweb")
                continue
            actions = plan_warehouse_changes(ongoing, starweb, binding, table,
                                             picked_status=merchant.orders.picked_status)
            try:
                for action in actions:
                    await _carry_out(batch, shop, merchant, action, binding, starweb, record)
                _remember_warehouse_state(batch, table, binding, ongoing)
                batch.resolve(STATUS_KIND, key, "in sync")
            except DryRun:
                batch.add(record, "would update Starweb", "; ".join(type(a).__name__ for a in actions))
            except Exception as error:
                batch.quarantine(STATUS_KIND, key, record, error, payload={"orderId": binding.starweb_order_id})
    return batch.outcomes, batch.unexpected


def _remember_warehouse_state(batch: Batch, table: StatusTable, binding: OrderBinding, ongoing: OngoingOrder) -> None:
    number = ongoing.order_info.order_status.number if ongoing.order_info.order_status else None
    if number is None or batch.dry_run:
        return
    state = table.state_of_ongoing(number)
    with ledger().session() as session:
        attached = bindings.reload(session, binding)
        if state.value != attached.state and not (state.value == "open" and attached.state):
            bindings.mark_state(attached, state=state.value, ongoing_status=number)
        else:
            attached.ongoing_status = number


async def _carry_out(batch: Batch, shop: StarwebClient, merchant: MerchantConfig, action: object,
                     binding: OrderBinding, starweb: StarwebOrder, record: str) -> None:
    order_id = binding.starweb_order_id
    match action:
        case Skip(reason=reason):
            batch.add(record, "skipped", reason)
        case SetStarwebStatus(state=state, status_id=status_id, notify_customer=notify, process_payment=pay):
            patch = OrderPatch(status_id=status_id, on_order_status_change_send_email=notify and not binding.silent,
                               on_order_status_change_process_payment=pay)
            await batch.write("starweb", "PATCH /orders/{orderId}", str(order_id),
                              lambda: shop.patch_order(order_id, patch),
                              detail={"statusId": status_id, "sendEmail": patch.on_order_status_change_send_email})
            with ledger().session() as session:
                bindings.mark_state(bindings.reload(session, binding), state=state.value, starweb_status_id=status_id)
            batch.add(record, "status set", f"Starweb status {status_id} ({state.value}) from the warehouse")
        case CopyLineChanges() as changes:
            await _copy_lines(batch, shop, merchant, changes, binding, record)
        case NoteShortPick(text=text, marker=marker):
            await batch.write("starweb", "POST /orders/{orderId}/comments", str(order_id),
                              lambda: shop.create_order_comment(order_id, text))
            with ledger().session() as session:
                bindings.reload(session, binding).short_pick_noted = marker
            batch.add(record, "commented", "short pick noted on the Starweb order")


async def _copy_lines(batch: Batch, shop: StarwebClient, merchant: MerchantConfig, changes: CopyLineChanges,
                      binding: OrderBinding, record: str) -> None:
    order_id = binding.starweb_order_id
    new_items: dict[str, int] = {}
    for line in changes.added:
        item = await batch.write("starweb", "POST /orders/{orderId}/items", str(order_id),
                                 lambda line=line: shop.create_order_item(order_id, OrderItemWrite(
                                     sku=line.sku, description=line.name or line.sku, quantity=int(line.quantity))))
        new_items[line.row_number] = item.item_id
    for item_id, quantity in changes.adjusted:
        await batch.write("starweb", "PATCH /orders/{orderId}/items/{itemId}", f"{order_id}/{item_id}",
                          lambda item_id=item_id, quantity=quantity: shop.patch_order_item(
                              order_id, item_id, OrderItemWrite(quantity=int(quantity))))
    for item_id in changes.removed:
        await batch.write("starweb", "DELETE /orders/{orderId}/items/{itemId}", f"{order_id}/{item_id}",
                          lambda item_id=item_id: shop.delete_order_item(order_id, item_id))
    # Record the new agreement: Starweb's order as it is now, with the warehouse's row numbers kept.
    fresh = await shop.get_order(order_id)
    with ledger().session() as session:
        attached = bindings.reload(session, binding)
        rows = {str(line.starweb_item_id): line.row_number for line in attached.lines if line.starweb_item_id}
        rows.update({str(item_id): row for row, item_id in new_items.items()})
        lines = [LineSpec(row_number=rows.get(str(item.item_id), str(item.item_id)), sku=item.sku or "",
                          quantity=float(item.quantity or 0), starweb_item_id=item.item_id)
                 for item in fresh.items or []]
        bindings.mark_lines_agreed(attached, pushed_hash=attached.pushed_hash or "", lines=lines)
        session.flush()
        payload = with_agreed_row_numbers(to_ongoing_order(fresh, merchant, known_skus={li.sku for li in lines}),
                                          attached)
        attached.pushed_hash = payload_hash(payload)
    batch.add(record, "updated", f"lines copied from the warehouse: +{len(changes.added)} "
                                 f"~{len(changes.adjusted)} -{len(changes.removed)}")
