"""The checks a run makes once, before its first pass: the merchant file's Ongoing codes against the goods
owner's registers, the ledger's continuity, and the shop's order statuses resolved into the status table.

A run started by webhook events makes many passes (one per burst of events in its window); each pass
reuses what the run read at its start instead of asking both vendors again, so an event that arrives
in an open window costs only its own records. The shop's statuses are read beside Ongoing's checks, which
go one after the other.
A run is short (its window), so a shop status added mid-run is picked up by the next run.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from domain.config import MerchantConfig
from domain.statuses import ShopStatus, StatusTable
from tasks.ledger_check import check_ledger_continuity
from tasks.mapping_checks import check_ongoing_mappings
from tasks.runtime import load_merchant
from tasks.shop_reads import fetch_status_table


@dataclass
class RunStart:
    """What every pass of one run shares."""

    merchant: MerchantConfig
    table: StatusTable
    shop_statuses: list[ShopStatus]
    warnings: list[str] = field(default_factory=list)  # the run's, reported once: by its first pass

    def take_warnings(self) -> list[str]:
        """The run's warnings for the report of the pass that asks first; none for the passes after it."""
        warnings, self.warnings = self.warnings, []
        return warnings


async def start_run(merchant_id: str) -> RunStart:
    """Load the merchant and make the run-start checks (a mismatch in the merchant file fails the run)."""
    merchant = load_merchant(merchant_id)
    warehouse, shop = await asyncio.gather(_warehouse_checks(merchant), fetch_status_table(merchant),
                                           return_exceptions=True)  # both end before the run fails
    for outcome in (warehouse, shop):
        if isinstance(outcome, BaseException):
            raise outcome
    assert not isinstance(warehouse, BaseException) and not isinstance(shop, BaseException)
    table, shop_statuses = shop
    return RunStart(merchant, table, shop_statuses, [warehouse] if warehouse else [])


async def _warehouse_checks(merchant: MerchantConfig) -> str | None:
    """Ongoing's two checks, one after the other: a paused Ongoing lets one trial call through, and a
    second call beside it would fail the run; a down one should see as few failed calls as can be."""
    await check_ongoing_mappings(merchant)
    return await check_ledger_continuity(merchant)
