"""The start-of-run look for a lost ledger: a ledger that knows nothing of the merchant (no order, no
cursor) while the warehouse holds orders is said out loud, as a warning on the run, never passed over.

The warehouse is asked only when the ledger is empty for the merchant, so this costs one ledger query
on every ordinary run, and at most one page of ``GET /orders`` on a first run or after a loss.
"""

from __future__ import annotations

from datetime import datetime

from prefect import get_run_logger, task

from domain.config import MerchantConfig
from domain.ledger_recovery import WarehouseOrderSeen, ledger_gap_warning
from integrations.ongoing.client import OngoingClient
from ledger import bindings, cursors
from tasks.runtime import ledger, ongoing_client
from tasks.shop_reads import READ_RETRIES

# Enough to tell the connector's orders from others' and to give an idea of the size.
_LOOK_AT_MOST = 200


async def check_ledger_continuity(merchant: MerchantConfig) -> str | None:
    """A warning for the run when the ledger has no record of the merchant but Ongoing holds orders.

    An ordinary run's ledger knows the merchant, which one local query settles; only a ledger empty for
    the merchant starts the task that asks Ongoing. A task run for the query alone would cost more CPU (its
    bookkeeping in the run and on the Prefect server) than the query, on every run of every flow."""
    with ledger().session() as session:
        if bindings.has_orders(session, merchant.merchant_id) or cursors.has_cursors(session, merchant.merchant_id):
            return None
    return await ask_the_warehouse_about_the_ledger(merchant)


@task(name="check-ledger-continuity", **READ_RETRIES)
async def ask_the_warehouse_about_the_ledger(merchant: MerchantConfig) -> str | None:
    """The warning for a ledger that knows nothing of the merchant, if Ongoing holds orders."""
    async with await ongoing_client(merchant) as warehouse:
        seen, more = await _look(warehouse, merchant.go_live_cutoff)
        if not seen and merchant.go_live_cutoff is not None:
            # Nothing since go-live: maybe the previous integration's older orders (a first activation).
            seen, more = await _look(warehouse, None)
    warning = ledger_gap_warning(merchant, seen, more=more)
    if warning is not None:
        get_run_logger().error(warning)
    return warning


async def _look(warehouse: OngoingClient, created_from: datetime | None) -> tuple[list[WarehouseOrderSeen], bool]:
    """Up to a page of the goods owner's orders (created since ``created_from``), and whether there are more."""
    seen: list[WarehouseOrderSeen] = []
    async for order in warehouse.iter_orders(order_created_time_from=created_from, page_size=_LOOK_AT_MOST + 1):
        if len(seen) == _LOOK_AT_MOST:
            return seen, True
        seen.append(WarehouseOrderSeen(order.order_number, order.order_info.created_date))
    return seen, False
