"""Tasks of the new-order export: what the ledger already knows, and pushing new orders to Ongoing.

Ongoing's REST API cannot set a status on create, so an export is two writes: ``PUT /orders`` (new
orders land in the warehouse's start status) and ``PATCH …/orderStatus`` to "open, in stock" or "open,
backordered". The binding, with the chosen state, is recorded while the status write is on its way
(``tasks.order_sending``), so a crash after the first write is completed by the next run instead of
exporting the order again.

Each order is claimed in the ledger before it is sent, so a concurrent export run skips it. An order the
warehouse already holds under its number is adopted (bound as it is there), never sent again; that is
also how an order whose binding the ledger could not write (it was locked) is picked up by the next run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NO_CACHE

from domain.config import MerchantConfig
from domain.order_export import Adoption, ExportPlan, ExportRefusal, ExportStep, plan_adoption
from domain.statuses import OrderState, StatusTable
from integrations.errors import ConnectorError, RefusedByVendor, UnexpectedResponse
from integrations.ongoing.client import OngoingClient
from integrations.starweb.models import Order
from ledger import bindings, export_claims, quarantine
from ledger.bindings import LineSpec
from ledger.db import LedgerSession
from tasks.ledger_lane import LedgerLane
from tasks.order_sending import ORDER_KIND, OrderSender, describe, let_go
from tasks.progress import report_progress
from tasks.recording import Batch, DryRun
from tasks.reporting import Outcome
from tasks.run_holders import current_holder
from tasks.runtime import ledger, ongoing_client


@dataclass(frozen=True)
class ExportState:
    """What the ledger knows about the orders a run looks at."""

    bound: set[int]  # already bound to an Ongoing order
    held: set[int]  # in quarantine and not yet due
    due: list[int]  # in quarantine and due for another try
    awaiting_initial_status: bool  # some exported order still lacks its initial status

    @property
    def quarantined(self) -> set[int]:
        return self.held | set(self.due)

    def due_besides(self, read: Sequence[Order]) -> list[int]:
        """Due orders the run has not read yet (they are read again by id)."""
        already = {order.order_id for order in read}
        return [order_id for order_id in self.due if order_id not in already]


def read_export_state(merchant_id: str, order_ids: list[int]) -> ExportState:
    """Bound orders among ``order_ids`` (and among the due ones), held ones, due ones, and whether an
    exported order awaits its initial status. A plain function, not a task: four ledger queries cost less
    than a task run's bookkeeping in the run and on the Prefect server, on every export poll."""
    with ledger().session() as session:
        due = [int(e.key) for e in quarantine.due_for_retry(session, merchant_id, ORDER_KIND)]
        held = {int(key) for key in quarantine.held_keys(session, merchant_id, ORDER_KIND)}
        bound = bindings.bound_order_ids(session, merchant_id, [*order_ids, *due, *held])
        awaiting = bindings.any_awaiting_initial_status(session, merchant_id)
    return ExportState(bound, held, due, awaiting)


@task(name="close-settled-orders", cache_policy=NO_CACHE)
def close_settled_orders(merchant_id: str, settled: Mapping[int, str], dry_run: bool) -> list[Outcome]:
    """Close the quarantine entries of orders whose cause is gone (deleted in Starweb, no longer exportable)."""
    outcomes = [Outcome(f"order {order_id}", "would close" if dry_run else "closed", why)
                for order_id, why in sorted(settled.items())]
    if not dry_run and settled:
        with ledger().session() as session:
            for order_id, why in settled.items():
                quarantine.resolve(session, merchant_id, ORDER_KIND, str(order_id), why)
    return outcomes


@task(name="quarantine-unreadable-orders", cache_policy=NO_CACHE)
def quarantine_unreadable_orders(merchant: MerchantConfig, unreadable: Mapping[int, str], state: ExportState,
                                 dry_run: bool) -> list[Outcome]:
    """Orders whose Starweb answer breaks Starweb's model (a fractional quantity, a text where a number
    belongs): each is held with the fields at fault, and the rest of the batch goes on without it. Orders
    already exported, or held and not yet due, are left alone."""
    batch = Batch(merchant, dry_run)
    for order_id, problem in sorted(unreadable.items()):
        if order_id in state.bound or order_id in state.held:
            continue
        error = UnexpectedResponse(f"Starweb's answer for order {order_id} does not match Starweb's model, so it "
                                   f"cannot be read: {problem}", vendor="starweb", endpoint="GET /orders")
        batch.quarantine(ORDER_KIND, str(order_id), f"order {order_id}", error, payload={"orderId": order_id})
    return batch.outcomes


@task(name="push-new-orders", cache_policy=NO_CACHE)
async def push_new_orders(merchant: MerchantConfig, plans: Sequence[ExportStep], table: StatusTable,
                          dry_run: bool) -> tuple[list[Outcome], list[str]]:
    """Create each planned order in Ongoing and give it its initial status, or adopt the ones Ongoing
    already holds; quarantine the refused. Each order is claimed first, so a concurrent run skips it, and
    let go of when it is done (all of this run's claims, at the end, whatever happened)."""
    batch = Batch(merchant, dry_run)
    token = current_holder()
    try:
        # The goods owner's write turn is taken once for the whole batch, at its first write.
        async with await ongoing_client(merchant) as warehouse, warehouse.write_series():
            with LedgerLane("export-ledger") as lane:
                sender = OrderSender(batch, warehouse, table, token, lane)
                try:
                    await _push(batch, sender, plans)
                finally:
                    await sender.settle()
    finally:
        _let_go_of_claims(token)  # those a failed step left behind (they would expire anyway)
    return batch.outcomes, batch.unexpected


async def _push(batch: Batch, sender: OrderSender, plans: Sequence[ExportStep]) -> None:
    for done, plan in enumerate(plans):
        await report_progress(done, len(plans))
        record, key = f"order {plan.order.order_id}", str(plan.order.order_id)
        if isinstance(plan, ExportRefusal):
            batch.quarantine(ORDER_KIND, key, record, plan.error, payload={"orderId": plan.order.order_id})
            continue
        if batch.dry_run:
            _preview(batch, plan, record)
            continue
        try:
            skip = await sender.claim(plan.order.order_id)
        except Exception as error:
            batch.quarantine(ORDER_KIND, key, record, error, payload={"orderId": plan.order.order_id})
            continue
        if skip is not None:
            batch.add(record, "skipped", skip)
            continue
        try:
            if isinstance(plan, Adoption):
                await _adopt(batch, sender.warehouse, sender.table, plan, sender.token, record, key)
            elif (refused := await sender.send(plan, then_claim=_next_to_claim(plans, done))) is not None:
                await _adopt_refused(batch, sender, plan, refused, record, key)
        except Exception as error:
            batch.quarantine(ORDER_KIND, key, record, error, payload={"orderId": plan.order.order_id})
            let_go(batch, plan.order.order_id, sender.token)  # a bound order's claim went with its binding


def _next_to_claim(plans: Sequence[ExportStep], done: int) -> int | None:
    """The order the run claims after ``plans[done]``, if any (its claim is taken while a write is out)."""
    for plan in plans[done + 1:]:
        if not isinstance(plan, ExportRefusal):
            return plan.order.order_id
    return None


def _preview(batch: Batch, plan: ExportPlan | Adoption, record: str) -> None:
    if isinstance(plan, Adoption):
        batch.add(record, "would adopt", f"{plan.order_number} is already in Ongoing (status {plan.ongoing_status}); "
                                         "it would be bound by number, not sent")
    else:
        batch.add(record, "would create", f"{plan.payload.order_number} as {describe(plan.initial_state)}")


async def _adopt_refused(batch: Batch, sender: OrderSender, plan: ExportPlan, refused: RefusedByVendor,
                         record: str, key: str) -> None:
    """Ongoing refuses an update of an order it holds and has started on: if the number exists after all (it
    appeared since the run looked), adopt it instead of holding it in quarantine."""
    try:
        existing = await sender.warehouse.find_order_by_number(plan.payload.order_number)
    except ConnectorError:
        existing = None
    if existing is None:
        raise refused
    adoption = plan_adoption(plan.order, existing, batch.merchant, sender.table,
                             known_skus={line.article_number for line in plan.payload.order_lines or []})
    await _adopt(batch, sender.warehouse, sender.table, adoption, sender.token, record, key)


async def _adopt(batch: Batch, warehouse: OngoingClient, table: StatusTable, plan: Adoption, token: str,
                 record: str, key: str) -> None:
    lines = [LineSpec(row_number=line.row_number, sku=line.sku, quantity=line.quantity,
                      starweb_item_id=line.starweb_item_id, ongoing_line_id=line.ongoing_line_id)
             for line in plan.lines]
    with ledger().session() as session:
        bindings.mark_adopted(
            session, batch.merchant_id, starweb_order_id=plan.order.order_id, order_number=plan.order_number,
            ongoing_order_id=plan.ongoing_order_id, lines=lines, pushed_hash=plan.payload_hash,
            state=plan.state.value, ongoing_status=plan.ongoing_status,
            initial_status_set=not plan.needs_initial_status, starweb_status_id=plan.order.status_id,
            starweb_created_at=plan.order.created_at, starweb_modified_at=plan.order.modified_at,
            silent=plan.silent)
        export_claims.let_go(session, batch.merchant_id, plan.order.order_id, token)
    batch.resolve(ORDER_KIND, key, "adopted: already in Ongoing")
    if plan.needs_initial_status:
        await _set_initial_status(batch, warehouse, table, plan.order.order_id, plan.ongoing_order_id, plan.state,
                                  record, verb="adopted")
    else:
        batch.add(record, "adopted", f"{plan.order_number} was already in Ongoing (status {plan.ongoing_status}, "
                                     f"{describe(plan.state)}); bound by number, not sent")


async def _set_initial_status(batch: Batch, warehouse: OngoingClient, table: StatusTable, starweb_order_id: int,
                              ongoing_order_id: int, state: OrderState, record: str, *, verb: str) -> None:
    number = table.ongoing_number(state)

    def mark_set(session: LedgerSession, _: object) -> None:
        bindings.set_initial_status(session, batch.merchant_id, starweb_order_id, state=state.value,
                                    ongoing_status=number)

    try:
        await batch.write("ongoing", "PATCH /orders/{orderId}/orderStatus", str(ongoing_order_id),
                          lambda: warehouse.patch_order_status(ongoing_order_id, number),
                          detail={"orderStatusNumber": number}, then=mark_set)
    except DryRun:
        batch.add(record, "would set status", describe(state))
        return
    except ConnectorError as error:
        # The order exists in Ongoing; the next run sets the status (see complete_initial_statuses).
        batch.add(record, verb, f"initial status {number} not yet set, retried next run: {error}")
        return
    batch.add(record, verb, f"{describe(state)} (Ongoing status {number})")


def _let_go_of_claims(token: str) -> None:
    with ledger().session() as session:
        export_claims.let_go_of_run(session, token)


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
    async with await ongoing_client(merchant) as warehouse, warehouse.write_series():
        for starweb_order_id, ongoing_order_id, state in pending:
            if ongoing_order_id is None:
                continue
            record = f"order {starweb_order_id}"
            try:
                current = await warehouse.get_order(ongoing_order_id)
            except ConnectorError as error:
                batch.add(record, "failed", f"could not read it back from Ongoing, retried next run: {error}")
                continue
            number = current.status_number
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
