"""Tasks that bring warehouse-side changes of exported orders back to Starweb.

A status the TPL moved (picking started, order cancelled), lines it added, adjusted or removed while
the order was open, and lines picked short; a warehouse state that neither the merchant's status map nor
the order's figures explain is held in quarantine for a person (once, then again when due). The
decisions come from ``domain.order_sync``; status changes made here send the customer email and process
payment only when the merchant's map says so. Sent, partly sent and returned are recorded by the flows
that report them, not here.
"""

from __future__ import annotations

from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NO_CACHE

from domain.config import MerchantConfig
from domain.hashing import payload_hash
from domain.order_mapping import to_ongoing_order
from domain.order_sync import (
    CopyLineChanges,
    FlagWarehouseState,
    NoteShortPick,
    SetStarwebStatus,
    Skip,
    WarehouseStateUnclear,
    needs_attention,
    plan_warehouse_changes,
    warehouse_flag,
    with_agreed_row_numbers,
)
from domain.statuses import OPEN_STATES, OrderState, StatusTable
from integrations.ongoing.models import Order as OngoingOrder
from integrations.starweb.client import StarwebClient
from integrations.starweb.models import Order as StarwebOrder
from integrations.starweb.models import OrderItemWrite, OrderPatch
from ledger import bindings, quarantine
from ledger.bindings import LineSpec
from ledger.models import OrderBinding
from tasks.order_changes import CHANGE_KIND
from tasks.order_comments import comment_once
from tasks.recording import Batch, DryRun
from tasks.reporting import Outcome
from tasks.runtime import ledger, starweb_client

STATUS_KIND = "order-status"


@dataclass(frozen=True)
class HeldOrder:
    """An order this process holds in quarantine: is its next try due, and what kind of cause holds it."""

    due: bool
    retryable: bool  # a transient failure (lost answer, vendor busy) rather than a refusal
    warehouse_flag: bool  # held for a person because of what the warehouse shows (WarehouseStateUnclear)

    def worth_a_look(self, flagged_now: bool) -> bool:
        """Look at the order in this run? When due; when the warehouse no longer shows what flagged it (the
        entry closes at once); and after a transient failure, since the run comes round every few minutes
        anyway. A refusal or a standing flag waits for its next try."""
        if self.due:
            return True
        if self.warehouse_flag:
            return not flagged_now
        return self.retryable


@task(name="read-unfinished-orders", cache_policy=NO_CACHE)
def read_unfinished_orders(merchant_id: str, order_numbers: list[str] | None = None,
                           ) -> tuple[list[OrderBinding], dict[int, HeldOrder]]:
    """Exported orders not yet sent, cancelled or returned (only those with these numbers, when given); and
    the orders this process holds in quarantine."""
    with ledger().session() as session:
        unfinished = bindings.unfinished_orders(session, merchant_id)
        due = {e.key for e in quarantine.due_for_retry(session, merchant_id, STATUS_KIND)}
        held = {int(e.key): HeldOrder(due=e.key in due, retryable=bool(e.retryable),
                                      warehouse_flag=e.error_class == WarehouseStateUnclear.__name__)
                for e in quarantine.open_entries(session, merchant_id, STATUS_KIND)}
    if order_numbers is not None:
        wanted = set(order_numbers)
        unfinished = [b for b in unfinished if b.order_number in wanted]
    return unfinished, held


def merchant_file(merchant: MerchantConfig) -> str:
    """How messages name the merchant's file (its name is the merchant id)."""
    return f"{merchant.merchant_id}.yaml"


def orders_needing_attention(merchant: MerchantConfig, table: StatusTable, unfinished: list[OrderBinding],
                             in_warehouse: dict[str, OngoingOrder], held: dict[int, HeldOrder],
                             ) -> tuple[list[tuple[OrderBinding, OngoingOrder]], list[Outcome]]:
    """The bound orders whose warehouse view may change something in Starweb, and the held ones worth a look
    (closed once in sync); a row for each held order left for its next try."""
    chosen, waiting = [], []
    for binding in unfinished:
        ongoing = in_warehouse.get(binding.order_number)
        if ongoing is None:
            continue
        entry = held.get(binding.starweb_order_id)
        if entry is None:
            if needs_attention(ongoing, binding, table, picked_status=merchant.orders.picked_status):
                chosen.append((binding, ongoing))
            continue
        flagged = warehouse_flag(ongoing, binding, table, merchant_file=merchant_file(merchant)) is not None
        if entry.worth_a_look(flagged):
            chosen.append((binding, ongoing))
        else:
            waiting.append(Outcome(f"order {binding.starweb_order_id}", "held", "in quarantine until its next try"))
    return chosen, waiting


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
                                             picked_status=merchant.orders.picked_status,
                                             merchant_file=merchant_file(merchant))
            try:
                for action in actions:
                    await _carry_out(batch, shop, merchant, action, binding, starweb, record)
                _remember_warehouse_state(batch, table, binding, ongoing)
                if not any(isinstance(action, FlagWarehouseState) for action in actions):
                    batch.resolve(STATUS_KIND, key, "in sync")
            except DryRun:
                batch.add(record, "would update Starweb", "; ".join(type(a).__name__ for a in actions))
            except Exception as error:
                batch.quarantine(STATUS_KIND, key, record, error, payload={"orderId": binding.starweb_order_id})
    return batch.outcomes, batch.unexpected


def _remember_warehouse_state(batch: Batch, table: StatusTable, binding: OrderBinding, ongoing: OngoingOrder) -> None:
    """Record the warehouse's status number; the state only where this process owns it (open, picking,
    cancelled): sent, partly sent and returned are the ledger's once the shipment and return flows report
    them, so the ledger never says "sent" while Starweb does not."""
    number = ongoing.order_info.order_status.number if ongoing.order_info.order_status else None
    if number is None or batch.dry_run:
        return
    state = table.state_of_ongoing(number)
    with ledger().session() as session:
        attached = bindings.reload(session, binding)
        if state is OrderState.CANCELLED:
            bindings.mark_cancelled(attached, ongoing_status=number)
        elif state in OPEN_STATES | {OrderState.PICKING} and state.value != attached.state and not (
                state is OrderState.OPEN and attached.state):
            bindings.mark_state(attached, state=state.value, ongoing_status=number)
        else:
            attached.ongoing_status = number
    if state is OrderState.CANCELLED:
        # Cancelled on both sides now: a Starweb edit or cancellation flagged earlier has nothing left to do.
        batch.resolve(CHANGE_KIND, str(binding.starweb_order_id), "cancelled on both sides")


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
            posted = await comment_once(batch, shop, order_id, text)
            with ledger().session() as session:
                bindings.reload(session, binding).short_pick_noted = marker
            batch.add(record, "commented", "short pick noted on the Starweb order" if posted else
                      "short pick was already noted on the Starweb order")
        case FlagWarehouseState(reason=reason, comment=comment):
            if comment is not None:
                await comment_once(batch, shop, order_id, comment)
            batch.quarantine(STATUS_KIND, str(order_id), record, WarehouseStateUnclear(reason),
                             payload={"orderId": order_id})


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


@task(name="close-settled-statuses", cache_policy=NO_CACHE)
def close_settled_statuses(merchant_id: str, open_order_ids: set[int], dry_run: bool) -> list[Outcome]:
    """Close the entries of orders with nothing left to bring back: sent, cancelled or returned meanwhile,
    or gone from the warehouse (an order still open keeps its entry until a run finds it in sync)."""
    outcomes: list[Outcome] = []
    with ledger().session() as session:
        for entry in quarantine.open_entries(session, merchant_id, STATUS_KIND):
            if int(entry.key) in open_order_ids:
                continue
            why = "nothing left to bring back from the warehouse"
            if not dry_run:
                quarantine.resolve(session, merchant_id, STATUS_KIND, entry.key, why)
            outcomes.append(Outcome(f"order {entry.key}", "would close" if dry_run else "closed", why))
    return outcomes
