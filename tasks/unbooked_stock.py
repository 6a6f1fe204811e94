"""The task that finds the units Starweb orders hold that the warehouse does not book yet.

It reads the Starweb orders modified since its own cursor (a page or two between runs), brings the
ledger's register of unbooked orders up to date with them, and sums the units of every registered order
the warehouse's figures cannot include: not exported, or exported only after those figures were read.
A full resync also re-reads the registered orders it did not see, so a deleted order does not linger.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy.exc import IntegrityError

from domain.config import MerchantConfig
from domain.statuses import resolve_status_refs
from domain.unbooked_stock import UnbookedOrder, booked_orders, unbooked_units, update_unbooked
from ledger import unbooked as unbooked_ledger
from ledger.cursors import advance_time_cursor, read_time_cursor
from ledger.types import utcnow
from tasks.runtime import ledger
from tasks.shop_reads import fetch_orders_by_id, fetch_orders_modified_since, kept_status_table, read_status_table

STREAM = "starweb-orders-unbooked"


@task(name="read-unbooked-stock", cache_policy=NO_CACHE)
async def read_unbooked_stock(merchant: MerchantConfig, *, warehouse_read_at: datetime, dry_run: bool,
                              recheck: bool = False) -> dict[str, float]:
    """Units per SKU held by Starweb orders that Ongoing's figures, read from ``warehouse_read_at`` on, do
    not include. ``recheck``: also re-read registered orders this run's window did not show."""
    merchant_id = merchant.merchant_id
    started = utcnow()
    with ledger().session() as session:
        cursor = read_time_cursor(session, merchant_id, STREAM)
        known = unbooked_ledger.unbooked_orders(session, merchant_id)
    since = (cursor - timedelta(minutes=merchant.orders.overlap_minutes) if cursor
             else started - timedelta(days=merchant.orders.first_run_lookback_days))
    _table, statuses = kept_status_table(merchant) or await read_status_table.fn(merchant)
    holding = resolve_status_refs(merchant.orders.exportable_starweb_statuses, statuses,
                                  what="orders.exportable_starweb_statuses")
    seen = (await fetch_orders_modified_since.fn(merchant, since)).orders
    gone: list[int] = []
    if recheck:
        reread = await fetch_orders_by_id.fn(merchant, sorted(set(known) - {o.order_id for o in seen}))
        seen, gone = [*seen, *reread.orders], reread.gone
    current = update_unbooked({i: o for i, o in known.items() if i not in gone}, seen, holding_status_ids=holding)

    with ledger().session() as session:
        exported = unbooked_ledger.exported_at(session, merchant_id, list(current))
    booked = booked_orders(exported, warehouse_read_at=warehouse_read_at)
    if not dry_run:
        # Only orders this run read from the register or from Starweb are changed: never a concurrent run's.
        seen_ids = {order.order_id for order in seen}
        settled = {i for i in set(known) | seen_ids if i not in current or i in exported}
        _record(merchant_id, {i: current[i] for i in seen_ids - settled if i in current}, settled=settled)
        with ledger().session() as session:
            advance_time_cursor(session, merchant_id, STREAM, started)
    return unbooked_units(current, booked=booked)


def _record(merchant_id: str, keep: dict[int, UnbookedOrder], *, settled: set[int]) -> None:
    for attempt in (1, 2):  # a concurrent run may have registered the same order first
        try:
            with ledger().session() as session:
                unbooked_ledger.record_unbooked(session, merchant_id, keep, settled=settled)
            return
        except IntegrityError:
            if attempt == 2:
                raise
