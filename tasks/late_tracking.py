"""Tasks of the shipment report that wait for tracking numbers: holding a shipment that has no waybill
yet, and writing a waybill that appeared after its shipment was reported.

Holding writes nothing anywhere but the sighting, so the shipment stays "to report" in Ongoing and the
next run looks again. A late waybill is a tracking-only PATCH of the Starweb order: no status change, so
Starweb sends no second email.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy.exc import IntegrityError

from domain.config import MerchantConfig
from domain.tracking import LATE_WAYBILL_WINDOW, fresh_tracking_number, held_until, late_waybill
from integrations.starweb.models import OrderPatch
from ledger import late_tracking
from ledger.late_tracking import ShipmentRef
from ledger.types import utcnow
from tasks.recording import Batch, DryRun
from tasks.reporting import Outcome
from tasks.runtime import ledger, starweb_client
from tasks.shipments import ShipmentJob
from tasks.warehouse_reads import fetch_warehouse_orders

TRACKING_KIND = "late-tracking"


def _first_sightings(merchant_id: str, refs: Collection[ShipmentRef], dry_run: bool) -> dict[ShipmentRef, datetime]:
    for attempt in (1, 2):  # a concurrent run may record the same sighting first: read it back then
        try:
            with ledger().session() as session:
                # A preview records nothing: a shipment not seen before counts as first seen now.
                return late_tracking.first_sightings(session, merchant_id, refs, record=not dry_run)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@task(name="hold-untracked-shipments", cache_policy=NO_CACHE)
def hold_untracked_shipments(merchant: MerchantConfig, jobs: Sequence[ShipmentJob],
                             dry_run: bool) -> tuple[list[ShipmentJob], list[Outcome]]:
    """The jobs to report now, and a "held" row for each shipment still waiting for its waybill within the
    merchant's grace period. A shipment whose report already began is never held. A number Starweb already
    got for an earlier shipment of the order is not this shipment's: it counts as no number."""
    if not jobs:
        return [], []
    with ledger().session() as session:
        started = late_tracking.logged_shipments(session, merchant.merchant_id, [_ref(job) for job in jobs])
        given = late_tracking.reported_tracking_numbers(session, merchant.merchant_id,
                                                        {job.shipment.order_number for job in jobs})
    fresh = [job if _ref(job) in started else _without_stale_number(job, given) for job in jobs]
    untracked = {_ref(job) for job in fresh if not job.shipment.tracking_number and _ref(job) not in started}
    if not untracked:
        return fresh, []
    first_seen = _first_sightings(merchant.merchant_id, untracked, dry_run)
    grace, now = timedelta(minutes=merchant.shipments.tracking_grace_minutes), utcnow()
    batch = Batch(merchant, dry_run)
    ready: list[ShipmentJob] = []
    for job in fresh:
        ref = _ref(job)
        until = None if ref not in untracked else held_until(
            job.shipment.tracking_number, shipped_at=job.shipment.shipped_at, first_seen=first_seen[ref],
            now=now, grace=grace)
        if until is None:
            ready.append(job)
            continue
        batch.add(f"order {job.starweb_order_id}", "held",
                  f"no waybill yet: reported as soon as it has one, at the latest after "
                  f"{until.isoformat(timespec='minutes')}", {"shipped": ", ".join(
                      f"{line.sku} {line.in_this_shipment:g}" for line in job.shipment.lines)})
    if not dry_run:
        with ledger().session() as session:
            late_tracking.forget_sightings_before(session, merchant.merchant_id, now - LATE_WAYBILL_WINDOW)
    return ready, batch.outcomes


def _ref(job: ShipmentJob) -> ShipmentRef:
    return job.shipment.order_number, job.shipment.key


def _without_stale_number(job: ShipmentJob, given: Mapping[str, set[str]]) -> ShipmentJob:
    number = fresh_tracking_number(job.shipment.tracking_number, given.get(job.shipment.order_number, set()))
    if number == job.shipment.tracking_number:
        return job
    return replace(job, shipment=replace(job.shipment, tracking_number=number))


@task(name="add-late-tracking", cache_policy=NO_CACHE)
async def add_late_tracking(merchant: MerchantConfig, dry_run: bool) -> tuple[list[Outcome], list[str]]:
    """Write to Starweb the waybills that appeared on orders after their shipment was reported without one."""
    with ledger().session() as session:
        waiting = late_tracking.reported_without_tracking(session, merchant.merchant_id,
                                                          shipped_after=utcnow() - LATE_WAYBILL_WINDOW)
        given = late_tracking.reported_tracking_numbers(session, merchant.merchant_id, waiting)
    batch = Batch(merchant, dry_run)
    if not waiting:
        return batch.outcomes, batch.unexpected
    orders = await fetch_warehouse_orders.fn(merchant, list(waiting))
    found = {number: (waybill, order) for number, order in orders.items()
             if (waybill := late_waybill(order, given.get(number, set()))) is not None}
    if not found:
        return batch.outcomes, batch.unexpected
    async with await starweb_client(merchant) as shop:
        for number, (waybill, order) in sorted(found.items()):
            order_id = waiting[number]
            record = f"order {order_id}"
            tracker = merchant.tracking_types.get((order.transporter.code if order.transporter else None) or "")
            # Tracking only: without a status change Starweb sends no email (and processes no payment).
            patch = OrderPatch(shipping_tracking_no=waybill, shipping_tracker_type=tracker,
                               on_order_status_change_send_email=False, on_order_status_change_process_payment=False)
            try:
                await batch.write("starweb", "PATCH /orders/{orderId}", str(order_id),
                                  partial(shop.patch_order, order_id, patch),
                                  detail={"shippingTrackingNo": waybill, "shippingTrackerType": tracker,
                                          "lateWaybill": True})
            except DryRun:
                batch.add(record, "would add tracking", waybill)
                continue
            except Exception as error:
                batch.quarantine(TRACKING_KIND, number, record, error,
                                 payload={"orderNumber": number, "waybill": waybill})
                continue
            with ledger().session() as session:
                late_tracking.mark_tracking_added(session, merchant.merchant_id, number, waybill)
            batch.resolve(TRACKING_KIND, number, "tracking added")
            batch.add(record, "tracking added", f"{waybill} (came after the shipment was reported; no second email)")
    return batch.outcomes, batch.unexpected
