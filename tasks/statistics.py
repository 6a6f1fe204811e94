"""Tasks of the daily statistics: reading one day's rows from the ledger and publishing the figures."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from prefect import task
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact
from prefect.cache_policies import NO_CACHE

from domain.statistics import DailyStatistics, OrderTimes, ShipmentTimes, statistics_markdown
from ledger import statistics as milestones
from tasks.runtime import ledger


@task(name="read-day-from-ledger", cache_policy=NO_CACHE)
def read_day_rows(merchant_id: str, start: datetime, end: datetime) -> tuple[list[OrderTimes], list[ShipmentTimes]]:
    """Orders and shipments with any of their milestones between ``start`` (inclusive) and ``end``."""
    with ledger().session() as session:
        order_rows = [OrderTimes(o.starweb_order_id, o.starweb_created_at, o.exported_at, o.released_at, o.shipped_at)
                      for o in milestones.orders_with_milestones(session, merchant_id, start, end)]
        shipment_rows = [ShipmentTimes(s.starweb_order_id, s.partial, s.send_email, s.state, s.intent_at,
                                       s.status_changed_at, s.shipped_at)
                         for s in milestones.shipments_with_milestones(session, merchant_id, start, end)]
    return order_rows, shipment_rows


@task(name="publish-statistics", cache_policy=NO_CACHE)
async def publish_statistics(merchant_id: str, stats: DailyStatistics) -> None:
    """One table row and one markdown summary per day, keyed per merchant so the UI keeps the history."""
    key = f"daily-statistics-{merchant_id}"
    row = {f.name.replace("_", " "): str(getattr(stats, f.name)) if f.name == "day" else getattr(stats, f.name)
           for f in fields(stats)}
    await acreate_table_artifact([row], key=key, description=f"Daily statistics for {merchant_id}")
    await acreate_markdown_artifact(statistics_markdown(stats, merchant_id), key=f"{key}-summary",
                                   description=f"Daily statistics for {merchant_id}: summary")
