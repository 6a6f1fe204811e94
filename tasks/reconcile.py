"""Tasks of the reconcile: reading both systems' recent orders and their stock, what the ledger knows of
orders that are missing, and publishing the result.

The result goes out four ways: a table artifact ``reconcile-<merchant>`` (published even when empty, so
yesterday's differences do not linger as the latest), a markdown summary, a CSV file under
``<SWO_STATE_DIR>/reconcile/<merchant>/``, and a Prefect event with the counts
(``swo.reconcile.differences`` or ``swo.reconcile.clean``); a quarantine that grew over the last day
also emits ``swo.quarantine.growing``. Automations turn those events into notifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import task
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.events import emit_event

from domain.config import MerchantConfig
from domain.reconcile import QuarantineTrend, ReconcileReport, Window, starweb_order_id
from domain.statuses import StatusTable
from domain.stock_sync import StockPlan, plan_stock_writes, warehouse_levels
from integrations.ongoing.models import Order as OngoingOrder
from integrations.starweb.models import Order as StarwebOrder
from ledger import bindings, quarantine
from ledger.types import utcnow
from settings import get_settings
from tasks.order_sending import ORDER_KIND
from tasks.progress import progress_stage
from tasks.runtime import ledger, ongoing_client, starweb_client
from tasks.shop_reads import READ_RETRIES, fetch_orders_by_id
from tasks.stock import fetch_shop_catalogue_stock, fetch_warehouse_stock
from tasks.unbooked_stock import read_unbooked_stock
from tasks.warehouse_reads import fetch_sent_orders_to_report, fetch_warehouse_orders

DIFFERENCES_EVENT = "swo.reconcile.differences"
CLEAN_EVENT = "swo.reconcile.clean"
QUARANTINE_GROWING_EVENT = "swo.quarantine.growing"
CSV_COLUMNS = ["kind", "record", "starweb", "ongoing", "detail"]


@dataclass(frozen=True)
class OrderViews:
    """Both systems' view of the window's orders: Starweb's by order id, Ongoing's (connector-numbered
    only) by order number, the Starweb ids Ongoing names but Starweb does not have, and the Ongoing
    orders whose shipped units are not yet reported."""

    created_in_window: list[StarwebOrder]
    starweb: dict[int, StarwebOrder]
    ongoing: dict[str, OngoingOrder]
    gone_from_starweb: list[int]
    unreported: set[str]

    def pairs(self, prefix: str) -> list[tuple[StarwebOrder, OngoingOrder]]:
        found = []
        for number, order in self.ongoing.items():
            order_id = starweb_order_id(number, prefix)
            if order_id is not None and order_id in self.starweb:
                found.append((self.starweb[order_id], order))
        return found


@dataclass(frozen=True)
class ReconcileResult:
    report: ReconcileReport
    csv_path: Path


@task(name="fetch-shop-orders-created-between", **READ_RETRIES)
async def fetch_shop_orders_created_between(merchant: MerchantConfig, start: datetime,
                                            end: datetime) -> list[StarwebOrder]:
    """Starweb orders created in the window (without items or addresses: the status is enough)."""
    async with await starweb_client(merchant) as shop:
        return [o async for o in shop.iter_orders(created_after=start, created_before=end, include=())]


@task(name="fetch-warehouse-orders-created-between", **READ_RETRIES)
async def fetch_warehouse_orders_created_between(merchant: MerchantConfig, start: datetime,
                                                 end: datetime) -> list[OngoingOrder]:
    async with await ongoing_client(merchant) as warehouse:
        return [o async for o in warehouse.iter_orders(order_created_time_from=start, order_created_time_to=end)]


async def read_order_views(merchant: MerchantConfig, window: Window, table: StatusTable) -> OrderViews:
    """Read the window's orders from both sides, and each side's twin of what the other side showed."""
    prefix = merchant.orders.number_prefix
    shop = [] if window.empty else await fetch_shop_orders_created_between(merchant, window.start, window.end)
    await progress_stage("reading Ongoing's orders", until=35)
    by_number = await fetch_warehouse_orders(merchant, [merchant.order_number(o.order_id) for o in shop])
    exported = [] if window.empty else await fetch_warehouse_orders_created_between(merchant, window.start,
                                                                                     window.end)
    unreported = await fetch_sent_orders_to_report(merchant, table.sent_from, table.cancelled_from)
    ongoing = {o.order_number: o for o in [*by_number.values(), *exported, *unreported]
               if starweb_order_id(o.order_number, prefix) is not None}
    await progress_stage("looking up orders Ongoing has from outside the window", until=50)
    starweb = {o.order_id: o for o in shop}
    named = {starweb_order_id(number, prefix) for number in ongoing}
    looked_up = await fetch_orders_by_id(merchant, sorted(i for i in named if i is not None and i not in starweb))
    starweb |= {o.order_id: o for o in looked_up.orders}
    return OrderViews(shop, starweb, ongoing, looked_up.gone, {o.order_number for o in unreported})


async def compare_stock(merchant: MerchantConfig) -> tuple[StockPlan, int]:
    """The stock sync's own comparison over both whole catalogues, writing nothing; and how many SKUs both
    systems have."""
    await progress_stage("reading the warehouse's stock", until=65)
    read_at = utcnow()
    articles = await fetch_warehouse_stock(merchant, None)
    await progress_stage("reading Starweb's stock", until=90)
    shop = await fetch_shop_catalogue_stock(merchant)
    # Units held by Starweb orders the warehouse does not book yet are kept back, as the stock sync does.
    unbooked = await read_unbooked_stock(merchant, warehouse_read_at=read_at, dry_run=True)
    plan = plan_stock_writes(warehouse_levels(articles), shop.levels, safety_buffer=merchant.stock.safety_buffer,
                             unbooked=unbooked)
    return plan, len(plan.writes) + len(plan.unchanged) + len(plan.ignored)


@task(name="read-order-notes", cache_policy=NO_CACHE)
def read_order_notes(merchant_id: str, order_ids: list[int]) -> dict[int, str]:
    """What the ledger knows of orders missing from Ongoing: held in quarantine (and why), or exported."""
    notes: dict[int, str] = {}
    with ledger().session() as session:
        bound = bindings.orders_by_starweb_id(session, merchant_id, order_ids)
        for order_id in order_ids:
            entry = quarantine.find_entry(session, merchant_id, ORDER_KIND, str(order_id))
            if entry is not None and entry.resolved_at is None:
                notes[order_id] = (f"quarantined since {entry.first_seen_at:%Y-%m-%d %H:%M} UTC after "
                                   f"{entry.attempts} attempt(s): {entry.reason}")
            elif order_id in bound:
                binding = bound[order_id]
                when = f"{binding.exported_at:%Y-%m-%d %H:%M} UTC" if binding.exported_at else "an unknown time"
                notes[order_id] = (f"the ledger has it exported as {binding.order_number} at {when}, yet Ongoing has "
                                   "no such order: was it deleted in the warehouse?")
    return notes


@task(name="read-quarantine-trend", cache_policy=NO_CACHE)
def read_quarantine_trend(merchant_id: str, now: datetime) -> QuarantineTrend:
    with ledger().session() as session:
        by_kind = quarantine.open_counts(session, merchant_id)
        before = quarantine.open_counts(session, merchant_id, at=now - timedelta(days=1))
    return QuarantineTrend(sum(by_kind.values()), sum(before.values()), by_kind)


def write_csv(report: ReconcileReport, directory: Path, at: datetime) -> Path:
    """One file per reconcile, named by merchant and time: every difference, or only the header."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"reconcile-{report.merchant_id}-{at:%Y%m%dT%H%M%SZ}.csv"
    pd.DataFrame(report.rows(), columns=CSV_COLUMNS).to_csv(path, index=False)
    return path


def _resource(merchant_id: str, what: str) -> dict[str, str]:
    return {"prefect.resource.id": f"swo.merchant.{merchant_id}.{what}",
            "prefect.resource.name": f"{what} for {merchant_id}", "swo.merchant": merchant_id, "swo.process": what}


def reconcile_payload(report: ReconcileReport, csv_path: Path) -> dict[str, Any]:
    return {"merchant_id": report.merchant_id, "counts": report.counts(), "total": len(report.differences),
            "summary": report.one_line(), "window_start": report.window.start.isoformat(),
            "window_end": report.window.end.isoformat(), "csv": str(csv_path),
            "quarantine_open": report.quarantine.open_now}


async def publish_reconcile(report: ReconcileReport, at: datetime) -> ReconcileResult:
    """Table and summary artifacts, the CSV file, and the events automations notify on."""
    merchant_id = report.merchant_id
    await acreate_table_artifact(report.rows(), key=f"reconcile-{merchant_id}",
                                description=f"Reconcile for {merchant_id}: {report.one_line()}")
    await acreate_markdown_artifact(report.markdown(), key=f"reconcile-{merchant_id}-summary",
                                   description=f"Reconcile for {merchant_id}: summary")
    csv_path = write_csv(report, get_settings().state_dir / "reconcile" / merchant_id, at)
    emit_event(DIFFERENCES_EVENT if report.differences else CLEAN_EVENT,
               resource=_resource(merchant_id, "reconcile"), payload=reconcile_payload(report, csv_path))
    trend = report.quarantine
    if trend.growing:
        emit_event(QUARANTINE_GROWING_EVENT, resource=_resource(merchant_id, "quarantine"),
                   payload={"merchant_id": merchant_id, "open": trend.open_now, "open_a_day_ago": trend.open_before,
                            "by_kind": trend.by_kind})
    return ReconcileResult(report, csv_path)
