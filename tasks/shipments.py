"""Reporting shipments back to Starweb, exactly once per shipment.

For each shipment: (1) the intent — with the decision whether the customer is emailed — is recorded in
the ledger before anything is written; (2) Starweb's items are cut to what shipped if the merchant
cancels remainders; (3) the Starweb status change with tracking number (the email, when allowed) —
unless a re-read shows an earlier attempt already made it; (4) the shipped units are acknowledged in
Ongoing (``reportedNumberOfItems``) so the shipment is not offered again. A crash between any two steps
resumes at the next one; a concurrent run finds the shipment taken and leaves it alone, unless Prefect
shows the run holding it is over (killed, failed, cancelled): then it takes the shipment over at once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy.exc import IntegrityError

from domain.config import MerchantConfig
from domain.ledger_recovery import is_ours_without_ledger
from domain.shipments import (
    Shipment,
    StarwebUpdate,
    plan_starweb_update,
    starweb_already_updated,
    starweb_order_id_of,
)
from domain.statuses import StatusTable
from integrations.ongoing.client import OngoingClient
from integrations.starweb.client import StarwebClient
from integrations.starweb.models import Order as StarwebOrder
from integrations.starweb.models import OrderItemWrite, OrderPatch
from ledger import bindings, quarantine
from ledger import shipments as shipment_log
from ledger.models import OrderBinding
from tasks.recording import Batch
from tasks.reporting import Outcome
from tasks.run_holders import finished_runs
from tasks.runtime import ledger, ongoing_client, starweb_client

SHIPMENT_KIND = "shipment"


def quarantine_key(shipment: Shipment) -> str:
    """A shipment's key in the quarantine: its order number and the start of its shipment key."""
    return f"{shipment.order_number}:{shipment.key[:12]}"


@dataclass
class ShipmentResults:
    outcomes: list[Outcome] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    skus: set[str] = field(default_factory=set)
    emails: int = 0


@dataclass(frozen=True)
class ShipmentJob:
    shipment: Shipment
    starweb_order_id: int
    binding: OrderBinding | None


def _columns(job: ShipmentJob, update: StarwebUpdate | None, email: bool) -> dict[str, str]:
    lines = ", ".join(f"{line.sku} {line.in_this_shipment:g}" for line in job.shipment.lines)
    why_not = update.no_email_reason if update else None
    return {"shipped": lines, "kind": "partial" if job.shipment.partial else "full",
            "status": update.target_state.value.replace("_", " ") if update else "",
            "email": "yes" if email else f"no ({why_not})" if why_not else "no"}


@task(name="report-shipments-to-starweb", cache_policy=NO_CACHE)
async def report_shipments_to_starweb(merchant: MerchantConfig, table: StatusTable, jobs: Sequence[ShipmentJob],
                                      starweb_orders: dict[int, StarwebOrder], run_token: str,
                                      dry_run: bool) -> ShipmentResults:
    batch = Batch(merchant, dry_run)
    results = ShipmentResults()
    async with (await starweb_client(merchant) as shop, await ongoing_client(merchant) as warehouse,
                warehouse.write_series()):  # the goods owner's write turn, taken once for the batch
        for job in jobs:
            record = f"order {job.starweb_order_id}"
            starweb = starweb_orders.get(job.starweb_order_id)
            if starweb is None:
                batch.add(record, "skipped", f"{job.shipment.order_number} has no Starweb order "
                          f"{job.starweb_order_id}; acknowledge or fix it by hand")
                continue
            # Without a binding (a lost ledger) the order number and age still tell the connector's own orders.
            ours = job.binding is not None or is_ours_without_ledger(
                merchant, order_number=job.shipment.order_number, starweb_order_id=job.starweb_order_id,
                starweb_created_at=starweb.created_at)
            update = plan_starweb_update(
                job.shipment, starweb, table, exported_by_us=ours,
                exported_silently=bool(job.binding and job.binding.silent), go_live_cutoff=merchant.go_live_cutoff,
                remainder=merchant.shipments.remainder, tracking_types=merchant.tracking_types)
            if dry_run:
                results.emails += int(update.send_email)
                batch.add(record, "would report", job.shipment.tracking_number or "no tracking number",
                          _columns(job, update, update.send_email))
                continue
            try:
                email = await _report_one(batch, shop, warehouse, job, update, run_token)
            except Exception as error:
                batch.quarantine(SHIPMENT_KIND, quarantine_key(job.shipment), record, error,
                                 payload={"orderNumber": job.shipment.order_number, "key": job.shipment.key})
                continue
            if email is None:
                batch.add(record, "skipped", "another run is reporting this shipment", _columns(job, update, False))
                continue
            results.emails += int(email)
            results.skus |= job.shipment.skus
            batch.add(record, "reported", job.shipment.tracking_number or "no tracking number",
                      _columns(job, update, email))
    results.outcomes, results.unexpected = batch.outcomes, batch.unexpected
    return results


@dataclass(frozen=True)
class _HeldElsewhere:
    holder: str | None  # the flow run holding the shipment (None: it was recorded by a run at our side)


def _take_or_record(batch: Batch, job: ShipmentJob, update: StarwebUpdate, run_token: str,
                    finished: Collection[str] = ()) -> tuple[int, str, bool, bool, int] | _HeldElsewhere:
    """(shipment id, state, send email, resumed, target status) of the shipment taken by this run, or who else
    holds it. ``resumed``: an earlier attempt recorded the intent, so its status change may have landed; the
    email decision and target status made at intent time stand."""
    s = job.shipment
    try:
        with ledger().session() as session:
            existing = shipment_log.find(session, batch.merchant_id, s.order_number, s.key)
            if existing is not None:
                if not shipment_log.take(session, existing.id, run_token, finished_holders=finished):
                    return _HeldElsewhere(existing.claimed_by)
                return existing.id, existing.state, existing.send_email, True, existing.target_status_id
            created = shipment_log.record_intent(
                session, batch.merchant_id, starweb_order_id=job.starweb_order_id, order_number=s.order_number,
                key=s.key, lines={line.row_number: line.in_this_shipment for line in s.lines}, partial=s.partial,
                tracking_number=s.tracking_number, tracker_type=update.tracker_type,
                target_status_id=update.target_status_id, send_email=update.send_email,
                silent_reason=(update.no_email_reason or "")[:100] or None, shipped_at=s.shipped_at,
                run_token=run_token)
            return created.id, created.state, created.send_email, False, created.target_status_id
    except IntegrityError:
        return _HeldElsewhere(None)


async def _report_one(batch: Batch, shop: StarwebClient, warehouse: OngoingClient, job: ShipmentJob,
                      update: StarwebUpdate, run_token: str) -> bool | None:
    """Carry one shipment through its remaining steps; whether the customer was emailed (None: not ours)."""
    taken = _take_or_record(batch, job, update, run_token)
    if isinstance(taken, _HeldElsewhere) and taken.holder:
        finished = await finished_runs([taken.holder])
        if finished:
            taken = _take_or_record(batch, job, update, run_token, finished)
    if isinstance(taken, _HeldElsewhere):
        return None
    shipment_id, state, send_email, resumed, target_status_id = taken
    # A resumed shipment keeps the status chosen at intent time: the order may already show it.
    update = replace(update, target_status_id=target_status_id)
    order_id = job.starweb_order_id
    if state == shipment_log.INTENT:
        await _cut_items(batch, shop, order_id, update)
        already = resumed and starweb_already_updated(await shop.get_order(order_id, include=()), update,
                                                      job.shipment.tracking_number)
        if not already:
            patch = OrderPatch(status_id=update.target_status_id, shipping_tracking_no=job.shipment.tracking_number,
                               shipping_tracker_type=update.tracker_type,
                               on_order_status_change_send_email=send_email,
                               on_order_status_change_process_payment=update.process_payment)
            await batch.write("starweb", "PATCH /orders/{orderId}", str(order_id),
                              lambda: shop.patch_order(order_id, patch),
                              detail={"statusId": update.target_status_id, "sendEmail": send_email,
                                      "shipment": job.shipment.key[:12]})
        with ledger().session() as session:
            shipment_log.mark_status_changed(session, shipment_id)
    await _acknowledge(batch, warehouse, job.shipment)
    with ledger().session() as session:
        shipment_log.mark_acknowledged(session, shipment_id)
        if job.binding is not None:
            bindings.mark_shipped(bindings.reload(session, job.binding), state=update.target_state.value,
                                  starweb_status_id=update.target_status_id, shipped_at=job.shipment.shipped_at)
    batch.resolve(SHIPMENT_KIND, quarantine_key(job.shipment), "reported")
    return send_email


async def _acknowledge(batch: Batch, warehouse: OngoingClient, shipment: Shipment) -> None:
    """Tell Ongoing the shipped units are reported: one call for an order shipped in full, else one per line
    (a partial shipment must not acknowledge units picked but not yet shipped)."""
    if shipment.whole_order_shipped:
        await batch.write("ongoing", "PATCH /orders/{orderId}/setReportedNumberOfItemsToPickedNumberOfItems",
                          shipment.order_number,
                          partial(warehouse.set_reported_to_picked, shipment.ongoing_order_id),
                          detail={"shipped": shipment.shipped_by_row})
        return
    for line in shipment.lines:
        await batch.write("ongoing", "PATCH /orders/{orderId}/lines/{orderLineId}/reportedNumberOfItems",
                          f"{shipment.order_number}/{line.row_number}",
                          partial(warehouse.patch_order_line_reported_number_of_items,
                                  shipment.ongoing_order_id, line.order_line_id, line.shipped),
                          detail={"reportedNumberOfItems": line.shipped})


async def _cut_items(batch: Batch, shop: StarwebClient, order_id: int, update: StarwebUpdate) -> None:
    """Cancel the unshipped rest in Starweb (the merchant's remainder policy), only where still needed."""
    if not update.item_quantities:
        return
    current = {item.item_id: item.quantity or 0 for item in (await shop.get_order(order_id)).items or []}
    for item_id, quantity in update.item_quantities.items():
        if item_id not in current or current[item_id] == quantity:
            continue
        if quantity == 0:
            await batch.write("starweb", "DELETE /orders/{orderId}/items/{itemId}", f"{order_id}/{item_id}",
                              partial(shop.delete_order_item, order_id, item_id))
        else:
            await batch.write("starweb", "PATCH /orders/{orderId}/items/{itemId}", f"{order_id}/{item_id}",
                              partial(shop.patch_order_item, order_id, item_id, OrderItemWrite(quantity=quantity)))


@task(name="let-go-of-shipments", cache_policy=NO_CACHE)
def let_go_of_shipments(run_token: str) -> None:
    with ledger().session() as session:
        shipment_log.let_go(session, run_token)


@task(name="plan-shipment-jobs", cache_policy=NO_CACHE)
def plan_shipment_jobs(merchant: MerchantConfig, shipments: Sequence[Shipment],
                       goods_owner_order_ids: dict[str, str | None]) -> tuple[list[ShipmentJob], list[str]]:
    """Pair each shipment with its Starweb order (bound in the ledger, or read from the order number)."""
    with ledger().session() as session:
        bound = bindings.orders_by_number(session, merchant.merchant_id, [s.order_number for s in shipments])
    jobs: list[ShipmentJob] = []
    unknown: list[str] = []
    for shipment in shipments:
        binding = bound.get(shipment.order_number)
        order_id = binding.starweb_order_id if binding else starweb_order_id_of(
            shipment.order_number, merchant.orders.number_prefix, goods_owner_order_ids.get(shipment.order_number))
        if order_id is None:
            unknown.append(shipment.order_number)
        else:
            jobs.append(ShipmentJob(shipment, order_id, binding))
    return jobs, unknown


async def finished_shipment_holders(merchant_id: str) -> set[str]:
    """Runs holding a shipment after its status change that Prefect shows over (killed before the last step)."""
    with ledger().session() as session:
        holders = shipment_log.holders_after_status_change(session, merchant_id)
    return await finished_runs(holders) if holders else set()


@task(name="close-settled-shipments", cache_policy=NO_CACHE)
def close_settled_shipments(merchant_id: str, jobs: list[ShipmentJob], dry_run: bool,
                            finished_holders: Collection[str] = ()) -> list[Outcome]:
    """Close the entries of shipments Ongoing no longer offers (acknowledged by hand, or superseded by a later
    shipment of the same order), and record as acknowledged those whose status change landed and whose
    reported quantities reached Ongoing before the run that wrote them stopped (``finished_holders``: runs
    Prefect shows over). A shipment still offered is retried at every run, not held: its intent in the ledger
    finishes it without a second email, and the customer is waiting for the first."""
    pending = {quarantine_key(job.shipment) for job in jobs}
    outcomes: list[Outcome] = []
    with ledger().session() as session:
        offered = {(job.shipment.order_number, job.shipment.key) for job in jobs}
        for row in shipment_log.acknowledged_elsewhere(session, merchant_id, offered,
                                                       finished_holders=finished_holders):
            if not dry_run:
                shipment_log.mark_acknowledged(session, row.id)
            outcomes.append(Outcome(f"shipment {row.order_number}:{row.shipment_key[:12]}",
                                    "would settle" if dry_run else "settled",
                                    "Ongoing no longer lists its units as not reported: the last step of the "
                                    "run that emailed landed before that run stopped, or the warehouse did it"))
        for entry in quarantine.open_entries(session, merchant_id, SHIPMENT_KIND):
            if entry.key in pending:
                continue
            why = "nothing of this shipment is left to report in Ongoing"
            if not dry_run:
                quarantine.resolve(session, merchant_id, SHIPMENT_KIND, entry.key, why)
            outcomes.append(Outcome(f"shipment {entry.key}", "would close" if dry_run else "closed", why))
    return outcomes
