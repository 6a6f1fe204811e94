"""Daily statistics per merchant: what the connector did on one day.

Trigger: once a day per merchant (deployment ``report-statistics/<merchant>``), early in the morning for
the day before, or on demand for any ``day``. Source: the ledger's order bindings (exported, released,
first shipped, created in Starweb) and shipment log (full or partial, customer email). Target: the
``daily-statistics-<merchant>`` table and markdown artifacts; nothing is written to either system.
Idempotency: a rerun for the same day publishes the same figures again.
"""

from __future__ import annotations

from datetime import date

from prefect import flow

from domain.statistics import daily_statistics, day_bounds, previous_day
from ledger.types import utcnow
from tasks.runtime import load_merchant
from tasks.statistics import publish_statistics, read_day_rows


@flow(name="report-statistics", flow_run_name="report-statistics-{merchant_id}")
async def report_statistics(merchant_id: str, day: date | None = None) -> dict[str, float]:
    """Publish one day's figures (by default yesterday in the merchant's timezone) and return them."""
    merchant = load_merchant(merchant_id)
    day = day or previous_day(utcnow(), merchant.zone)
    start, end = day_bounds(day, merchant.zone)
    orders, shipments = read_day_rows(merchant_id, start, end)
    stats = daily_statistics(day, merchant.zone, orders, shipments)
    await publish_statistics(merchant_id, stats)
    return stats.as_dict()
