"""Tasks that carry Starweb-side edits, cancellations and hand-set picking of exported orders to Ongoing.

Each order is judged by ``domain.order_sync.plan_starweb_edit`` and then, once its lines agree, by
``domain.hand_set_status.plan_hand_set_status``; this module only carries the decisions out: push the
edit and read the order back until Ongoing holds what was sent, cancel in the warehouse, move to
picking under the release's claim — or, when the warehouse has started or does not take the change,
leave a comment on the Starweb order and a quarantine entry so a person follows up and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NO_CACHE

from domain.config import MerchantConfig
from domain.hand_set_status import MoveToPicking, RefuseHandRelease, plan_hand_set_status
from domain.line_readback import LinesAsSent, LinesDiffer, ZeroLeftoverRows, compare_read_back
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
    StarwebEdit,
    Unchanged,
    plan_starweb_edit,
    with_agreed_row_numbers,
)
from domain.statuses import OrderState, StatusTable
from integrations.errors import ConnectorError, MappingError, RefusedByVendor, RetryableError
from integrations.ongoing.client import OngoingClient
from integrations.ongoing.models import Order as OngoingOrder
from integrations.ongoing.models import OrderWrite, PatchResponse
from integrations.starweb.client import StarwebClient
from integrations.starweb.models import Order as StarwebOrder
from ledger import bindings, quarantine
from ledger import release as release_ledger
from ledger.bindings import LineSpec
from ledger.models import OrderBinding
from tasks.order_comments import comment_once
from tasks.order_sending import lines_of
from tasks.recording import Batch, DryRun
from tasks.release import claim_order
from tasks.reporting import Outcome
from tasks.run_holders import current_holder
from tasks.runtime import ledger, ongoing_client, starweb_client

CHANGE_KIND = "order-change"

REFUSED_EDIT_COMMENT = ("Ändringen skickades inte till lagret: lagret har redan börjat arbeta med ordern "
                        "(Ongoing-status {status}). Kontakta lagret om ändringen ska göras.")
REFUSED_CANCEL_COMMENT = ("Makuleringen kunde inte göras i lagret: lagret har redan börjat arbeta med ordern "
                          "(Ongoing-status {status}). Kontakta lagret för att stoppa leveransen.")
EDIT_NOT_TAKEN_COMMENT = ("Ändringen nådde inte lagret som den gjordes: lagrets order har andra rader än "
                          "Starweb ({order_number}). Kontakta lagret om raderna.")


class EditNotTaken(ChangeRefused):
    """Ongoing does not hold an edit's lines as they were sent (a removed row it keeps, or refuses to zero)."""


class ReleaseInProgress(RetryableError):
    """A release run holds the order's claim; the change is tried again in a few minutes."""


@dataclass(frozen=True)
class BoundOrders:
    """The orders of this run that the ledger binds to an Ongoing order and that are still in play."""

    in_play: dict[int, OrderBinding]
    due: set[int]  # orders whose quarantined change is due for another try
    to_fetch: list[int]  # due orders that are not among the recently modified ones


@task(name="read-bound-orders", cache_policy=NO_CACHE)
def read_bound_orders(merchant_id: str, starweb_order_ids: list[int]) -> BoundOrders:
    """Bindings of these orders that are still in play, and the orders with a change due for another try."""
    with ledger().session() as session:
        bound = bindings.orders_by_starweb_id(session, merchant_id, starweb_order_ids)
        due = [int(e.key) for e in quarantine.due_for_retry(session, merchant_id, CHANGE_KIND)]
        due_bound = bindings.orders_by_starweb_id(session, merchant_id, due)
    in_play = {i: b for i, b in {**bound, **due_bound}.items() if b.state not in bindings.FINAL_STATES}
    return BoundOrders(in_play, set(due), [i for i in due if i not in bound])


@dataclass
class _Order:
    """One order being carried out: both sides' views, its binding and how the run names it."""

    starweb: StarwebOrder
    binding: OrderBinding
    ongoing: OngoingOrder
    record: str
    key: str

    @property
    def number(self) -> str:
        return self.binding.order_number

    @property
    def status(self) -> int:
        return self.ongoing.status_number or 0

    @property
    def held_as(self) -> dict[str, int]:
        """What a quarantine entry keeps to find the order again."""
        return {"orderId": self.starweb.order_id}


@dataclass
class _Run:
    """What every order of the batch shares: the batch, the map, both clients and the run's claim token."""

    batch: Batch
    table: StatusTable
    warehouse: OngoingClient
    shop: StarwebClient
    token: str


@task(name="push-starweb-edits", cache_policy=NO_CACHE)
async def push_starweb_edits(merchant: MerchantConfig, table: StatusTable, orders: Sequence[StarwebOrder],
                             bound: BoundOrders, in_warehouse: dict[str, OngoingOrder],
                             known_skus: Collection[str], dry_run: bool) -> tuple[list[Outcome], list[str]]:
    """Judge every bound order against the warehouse and carry out the decision."""
    batch = Batch(merchant, dry_run)
    token = current_holder()
    try:
        async with await ongoing_client(merchant) as warehouse, await starweb_client(merchant) as shop:
            run = _Run(batch, table, warehouse, shop, token)
            for order in orders:
                binding = bound.in_play.get(order.order_id)
                if binding is not None:
                    await _judge_and_carry_out(run, merchant, order, binding, in_warehouse, known_skus,
                                               retry_due=order.order_id in bound.due)
    finally:
        if not dry_run:
            with ledger().session() as session:
                release_ledger.let_go(session, token)
    return batch.outcomes, batch.unexpected


async def _judge_and_carry_out(run: _Run, merchant: MerchantConfig, order: StarwebOrder, binding: OrderBinding,
                               in_warehouse: dict[str, OngoingOrder], known_skus: Collection[str], *,
                               retry_due: bool) -> None:
    batch = run.batch
    record, key = f"order {order.order_id}", str(order.order_id)
    ongoing = in_warehouse.get(binding.order_number)
    if ongoing is None:
        batch.quarantine(CHANGE_KIND, key, record, MappingError(
            f"order {binding.order_number} is bound in the ledger but Ongoing no longer has it"))
        return
    try:
        mapped: OrderWrite | MappingError = with_agreed_row_numbers(
            to_ongoing_order(order, merchant, known_skus=known_skus), binding)
    except MappingError as error:
        mapped = error
    current = _Order(order, binding, ongoing, record, key)
    plan = plan_starweb_edit(order, binding, current.status, run.table, mapped, retry_due=retry_due)
    try:
        if await _carry_out(run, plan, current) and await _carry_out_hand_set_status(run, current):
            batch.resolve(CHANGE_KIND, key, "in sync")
    except DryRun:
        batch.add(record, f"would {_verb(plan)}", _why(plan))
    except Exception as error:
        batch.quarantine(CHANGE_KIND, key, record, error, payload={"orderId": order.order_id})


def _verb(plan: StarwebEdit) -> str:
    match plan:
        case PushUpdate():
            return "update"
        case CancelInOngoing():
            return "cancel"
        case RefuseUpdate():
            return "flag refused edit"
        case RefuseCancel():
            return "flag refused cancellation"
    return "record"


def _why(plan: StarwebEdit) -> str:
    return plan.reason if isinstance(plan, Unchanged | RefuseUpdate | RefuseCancel) else ""


async def _carry_out(run: _Run, plan: StarwebEdit, order: _Order) -> bool:
    """Carry out the edit plan; True when both sides now hold the lines Starweb wants (the caller then
    closes the order's quarantine entry, unless a hand-set status still needs a person)."""
    batch, record, key = run.batch, order.record, order.key
    match plan:
        case Unchanged(reason=reason, in_sync=in_sync):
            batch.add(record, "skipped", reason)
            if not in_sync:  # still held for the same reason (e.g. a refusal already flagged): try again later
                batch.postpone(CHANGE_KIND, key)
            return in_sync
        case CannotMap(error=error):
            batch.quarantine(CHANGE_KIND, key, record, error, payload=order.held_as)
        case PushUpdate():
            return await _push_edit(run, plan, order)
        case CancelInOngoing():
            await _cancel(run, order)
        case RecordCancelled():
            if not batch.dry_run:
                with ledger().session() as session:
                    bindings.mark_cancelled(bindings.reload(session, order.binding), ongoing_status=order.status)
            batch.resolve(CHANGE_KIND, key, "cancelled on both sides")
            batch.add(record, "skipped", "already cancelled on both sides")
        case RefuseUpdate(payload_hash=new_hash, reason=reason):
            await _flag(run, order, ChangeRefused(reason), REFUSED_EDIT_COMMENT.format(status=order.status))
            with ledger().session() as session:
                bindings.mark_refused(bindings.reload(session, order.binding), new_hash)
        case RefuseCancel(reason=reason):
            await _flag(run, order, ChangeRefused(reason), REFUSED_CANCEL_COMMENT.format(status=order.status))
            with ledger().session() as session:
                bindings.mark_refused(bindings.reload(session, order.binding), CANCEL_MARKER)
    return False


async def _flag(run: _Run, order: _Order, error: ChangeRefused, comment: str) -> None:
    """Hand the order to a person: a comment on the Starweb order and a quarantine entry with the reason."""
    await comment_once(run.batch, run.shop, order.starweb.order_id, comment)
    run.batch.quarantine(CHANGE_KIND, order.key, order.record, error, payload=order.held_as)
    run.batch.add(order.record, "refused", error.message)


async def _push_edit(run: _Run, plan: PushUpdate, order: _Order) -> bool:
    """Push the edit, read the order back and converge; only what Ongoing holds goes into the ledger."""
    batch, warehouse, number = run.batch, run.warehouse, order.number
    ongoing_id = order.ongoing.order_info.order_id
    sent = plan.payload
    await batch.write("ongoing", "PUT /orders", number, lambda: warehouse.put_order(sent))
    read_back = await warehouse.get_order(ongoing_id)
    outcome = compare_read_back(sent, read_back)
    refusal: str | None = None
    if isinstance(outcome, ZeroLeftoverRows):
        # Ongoing kept rows the edit left out: send them again at 0 units.
        zeroed = outcome.payload
        try:
            await batch.write("ongoing", "PUT /orders", number, lambda: warehouse.put_order(zeroed),
                              detail={"rowsSetToZero": outcome.rows})
        except RefusedByVendor as error:
            refusal = (f"rows {', '.join(outcome.rows)} were removed in Starweb, Ongoing order {number} keeps "
                       f"them, and it refused to set them to 0 units: {error}")
        else:
            read_back = await warehouse.get_order(ongoing_id)
            outcome = compare_read_back(zeroed, read_back)
    lines = _lines_read_back(read_back, sent, order.binding)
    if refusal is None and isinstance(outcome, LinesAsSent):
        with ledger().session() as session:
            bindings.mark_pushed(bindings.reload(session, order.binding), pushed_hash=plan.payload_hash, lines=lines,
                                 starweb_modified_at=order.starweb.modified_at)
        batch.add(order.record, "updated", f"{number}: lines now {sum(1 for line in lines if line.quantity > 0)}")
        return True
    reason = refusal or (outcome.reason if isinstance(outcome, LinesDiffer) else
                         f"rows of Ongoing order {number} still hold units after they were set to 0")
    with ledger().session() as session:
        bindings.mark_not_taken(bindings.reload(session, order.binding), refused_hash=plan.payload_hash, lines=lines)
    await _flag(run, order, EditNotTaken(reason), EDIT_NOT_TAKEN_COMMENT.format(order_number=number))
    return False


def _lines_read_back(read_back: OngoingOrder, sent: OrderWrite, binding: OrderBinding) -> list[LineSpec]:
    """The lines as Ongoing holds them, each tied to its Starweb item: a row the warehouse numbered keeps
    the item it was bound to; a row the mapper numbered is that item's id."""
    item_of_row = {line.row_number: line.starweb_item_id for line in binding.lines}
    item_of_row.update({spec.row_number: item_of_row.get(spec.row_number, spec.starweb_item_id)
                        for spec in lines_of(sent)})
    return [LineSpec(row_number=line.row_number, sku=(line.article.article_number if line.article else None) or "",
                     quantity=float(line.ordered_number_of_items or 0),
                     starweb_item_id=item_of_row.get(line.row_number), ongoing_line_id=line.id)
            for line in read_back.order_lines if line.row_number]


async def _cancel(run: _Run, order: _Order) -> None:
    """Cancel in Ongoing under the release's claim, so a release running now cannot move it to picking."""
    batch, number = run.batch, order.number
    if (not batch.dry_run and order.binding.released_at is None
            and not await claim_order(order.binding.id, run.token)):
        raise ReleaseInProgress(f"cancelled in Starweb while a release run is moving order {number} to "
                                f"picking; the cancellation is tried again in a few minutes")
    ongoing_id = order.ongoing.order_info.order_id
    await batch.write("ongoing", "DELETE /orders/{orderId}", number,
                      lambda: cancel_confirmed(run.warehouse, run.table, ongoing_id))
    with ledger().session() as session:
        bindings.mark_cancelled(bindings.reload(session, order.binding),
                                ongoing_status=run.table.ongoing_number(OrderState.CANCELLED))
    batch.resolve(CHANGE_KIND, order.key, "cancelled in the warehouse")
    batch.add(order.record, "cancelled", f"{number} cancelled in Ongoing")


async def _carry_out_hand_set_status(run: _Run, order: _Order) -> bool:
    """A status a person set in Starweb that the warehouse must follow (picking); False when it is
    flagged for a person."""
    plan = plan_hand_set_status(order.starweb.status_id, order.binding, order.status, run.table)
    batch, record, key = run.batch, order.record, order.key
    match plan:
        case MoveToPicking(ongoing_status=picking):
            if batch.dry_run:
                batch.add(record, "would move to picking", "set to picking in Starweb by hand")
                return True
            if not await claim_order(order.binding.id, run.token):
                batch.add(record, "skipped", "set to picking in Starweb by hand; a release run holds the order "
                                             "and moves it")
                return True
            ongoing_id = order.ongoing.order_info.order_id
            await batch.write("ongoing", "PATCH /orders/{orderId}/orderStatus", order.number,
                              lambda: run.warehouse.patch_order_status(ongoing_id, picking),
                              detail={"orderStatusNumber": picking})
            with ledger().session() as session:
                release_ledger.mark_released(session, order.binding.id, starweb_status_id=order.starweb.status_id or 0,
                                             ongoing_status=picking)
            batch.add(record, "moved to picking", f"{order.number}: set to picking in Starweb by hand; Ongoing "
                                                  f"status {picking}")
        case RefuseHandRelease(reason=reason, comment=comment):
            if batch.dry_run:
                batch.add(record, "would flag", reason)
                return False
            with ledger().session() as session:
                already = quarantine.is_held(session, batch.merchant_id, CHANGE_KIND, key)
            if already:
                batch.add(record, "skipped", f"already flagged: {reason}")
                return False
            await _flag(run, order, ChangeRefused(reason), comment)
            return False
    return True


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
        if current is None or number is None or table.state_of_ongoing(number) is not OrderState.CANCELLED:
            raise
        return current


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
