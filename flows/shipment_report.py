"""Shipment back-report: Ongoing → Starweb, with exactly one customer email per shipment.

Trigger: Ongoing webhooks of sent orders (the run then also takes those that follow, see
``tasks.event_follow``; its start checks are made once, see ``tasks.run_start``), a backstop poll per
merchant (deployment ``report-shipments/<merchant>``), or on demand.
Source: sent orders in Ongoing whose shipped units are not yet acknowledged
(``onlyOrdersWithOrderLinesToReport``). Target: the Starweb order's tracking number, tracker type, items
(if the merchant cancels unshipped remainders) and status — "partially sent" or "sent", which makes
Starweb email the customer with invoice or receipt — then ``reportedNumberOfItems`` in Ongoing, then the
stock of the SKUs involved. A shipment without a waybill waits up to ``shipments.tracking_grace_minutes``
for it, so the email carries the tracking number; a waybill that appears after the report is written to
Starweb on its own, without a second email. Idempotency: a shipment key from the cumulative shipped
quantities; the intent and the email decision are in the ledger before the status change; old orders
(before go-live, not exported by the connector, already done in Starweb) are reported silently;
after a lost ledger the connector's own orders are known by number and age and emailed as usual. A
shipment is held by this flow run while it is reported; one held by a run that is over is taken over at
once. A dry run previews all of it, including how many emails would be sent (only status changes mail anyone).
"""

from __future__ import annotations

from datetime import datetime

from prefect import flow

from domain.shipments import detect_shipment
from tasks.event_follow import follow_events
from tasks.late_tracking import add_late_tracking, hold_untracked_shipments
from tasks.reporting import RunReport, ends_with_attention_state, finish_run
from tasks.run_holders import current_holder
from tasks.run_start import RunStart, start_run
from tasks.shipments import (
    ShipmentResults,
    close_settled_shipments,
    finished_shipment_holders,
    let_go_of_shipments,
    plan_shipment_jobs,
    report_shipments_to_starweb,
)
from tasks.shop_reads import created_in_starweb, fetch_orders_by_id
from tasks.stock import sync_stock_for_skus
from tasks.warehouse_reads import fetch_sent_orders_to_report


@flow(name="report-shipments", flow_run_name="report-shipments-{merchant_id}")
@ends_with_attention_state
async def report_shipments(merchant_id: str, dry_run: bool = False,
                           event_at: datetime | None = None) -> dict[str, int]:
    """Report new shipments to Starweb; returns counts per result (and ``emails``)."""
    start = await start_run(merchant_id)  # once per run, however many passes its events make
    if event_at is not None:
        # Ongoing lists every order with shipped units to acknowledge in one call: each pass reads them all.
        return await follow_events("report-shipments", merchant_id, event_at,
                                   lambda _records: shipments_pass(start, dry_run))
    return await shipments_pass(start, dry_run)


async def shipments_pass(start: RunStart, dry_run: bool) -> dict[str, int]:
    """One pass over every sent order with shipped units Ongoing still counts as not reported."""
    merchant, table = start.merchant, start.table
    report = RunReport("report-shipments", merchant.merchant_id, dry_run)
    report.warnings += start.take_warnings()
    token = current_holder()

    sent = await fetch_sent_orders_to_report(merchant, table.sent_from, table.cancelled_from)
    shipments = [s for s in (detect_shipment(order, table) for order in sent) if s is not None]
    jobs, unknown = plan_shipment_jobs(merchant, shipments,
                                       {o.order_info.order_number: o.order_info.goods_owner_order_id for o in sent})
    report.extend(close_settled_shipments(merchant.merchant_id, jobs, dry_run,
                                          await finished_shipment_holders(merchant.merchant_id)))
    jobs, held = hold_untracked_shipments(merchant, jobs, dry_run)
    report.extend(held)
    results = ShipmentResults()
    if jobs:
        starweb_orders = (await fetch_orders_by_id(merchant, sorted({job.starweb_order_id for job in jobs}),
                                                   created_in_starweb(job.binding for job in jobs))).orders
        try:
            results = await report_shipments_to_starweb(merchant, table, jobs,
                                                        {o.order_id: o for o in starweb_orders}, token, dry_run)
        finally:
            let_go_of_shipments(token)
    report.extend(results.outcomes)
    report.notes.append(f"Customer emails {'that would be ' if dry_run else ''}triggered: {results.emails}")
    report.notes += [f"{number}: not a Starweb order number; left unreported" for number in unknown]
    late_outcomes, late_unexpected = await add_late_tracking(merchant, dry_run)
    report.extend(late_outcomes)
    results.unexpected += late_unexpected

    if results.skus:
        stock_outcomes, stock_unexpected = await sync_stock_for_skus(merchant, sorted(results.skus), dry_run)
        report.extend(stock_outcomes)
        results.unexpected += stock_unexpected
    counts = await finish_run(report, results.unexpected)
    return {**counts, "emails": results.emails}
