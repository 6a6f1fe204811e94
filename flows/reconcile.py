"""Reconcile: is everything in sync between the merchant's shop and warehouse?

Trigger: daily per merchant (deployment ``reconcile/<merchant>``), or ``swo reconcile <merchant>``.
Source: both vendors, not the ledger: Starweb orders created in the last ``window_days`` (from the go-live
cutoff at the earliest, up to ``settle_minutes`` ago), Ongoing's orders with the connector's numbers, Ongoing's
unreported shipments, and both whole catalogues' stock. Target: nothing is written to either system; the
differences go to a table artifact, a CSV file under the state directory, and a Prefect event with the
counts (see ``tasks.reconcile``). Idempotency: it only reads; running it again gives a fresh report.
"""

from __future__ import annotations

from datetime import timedelta

from prefect import flow

from domain.reconcile import (
    ReconcileReport,
    absent_from_ongoing,
    missing_in_ongoing,
    missing_in_starweb,
    order_pair_differences,
    reconcile_window,
    stock_differences,
)
from domain.statuses import resolve_status_refs
from ledger.types import utcnow
from tasks.progress import long_run, progress_stage
from tasks.reconcile import (
    ReconcileResult,
    compare_stock,
    publish_reconcile,
    read_order_notes,
    read_order_views,
    read_quarantine_trend,
)
from tasks.runtime import load_merchant
from tasks.shop_reads import fetch_status_table


@flow(name="reconcile", flow_run_name="reconcile-{merchant_id}")
async def reconcile(merchant_id: str, window_days: float = 7, settle_minutes: float = 30) -> ReconcileResult:
    """Compare both systems and report every difference; returns the report and where its CSV is."""
    merchant = load_merchant(merchant_id)
    now = utcnow()
    window = reconcile_window(now, days=window_days, settle=timedelta(minutes=settle_minutes),
                              go_live_cutoff=merchant.go_live_cutoff)
    async with long_run("reconcile", merchant_id, "Reconcile"):
        await progress_stage("reading Starweb's orders", until=20)
        table, shop_statuses = await fetch_status_table(merchant)
        exportable = resolve_status_refs(merchant.orders.exportable_starweb_statuses, shop_statuses,
                                         what="orders.exportable_starweb_statuses")
        views = await read_order_views(merchant, window, table)
        absent = absent_from_ongoing(views.created_in_window, views.ongoing.keys(), order_number=merchant.order_number,
                                     table=table, exportable_status_ids=exportable, window=window)
        notes = read_order_notes(merchant_id, [order.order_id for order in absent])
        plan, skus = await compare_stock(merchant)

        await progress_stage("comparing", until=100)
        differences = [
            *missing_in_ongoing(absent, order_number=merchant.order_number, table=table, notes=notes),
            *missing_in_starweb(views.ongoing.values(), views.gone_from_starweb,
                                prefix=merchant.orders.number_prefix, table=table),
            *order_pair_differences(views.pairs(merchant.orders.number_prefix), table=table,
                                    unreported=views.unreported, window=window),
            *stock_differences(plan, safety_buffer=merchant.stock.safety_buffer),
        ]
        report = ReconcileReport(merchant_id, window, differences, orders_compared=len(views.starweb),
                                 skus_compared=skus, quarantine=read_quarantine_trend(merchant_id, now))
        return await publish_reconcile(report, now)
