"""The checks a run makes once, before its first pass: the merchant file's Ongoing codes against the goods
owner's registers, the ledger's continuity, and the shop's order statuses resolved into the status table.

A run started by webhook events makes many passes (one per burst of events in its window); each pass
reuses what the run read at its start instead of asking both vendors again, so an event that arrives
in an open window costs only its own records. The three reads are independent and run side by side.
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
    mappings, continuity, statuses = await asyncio.gather(
        check_ongoing_mappings(merchant), check_ledger_continuity(merchant), fetch_status_table(merchant),
        return_exceptions=True)  # each read ends before the run fails, in the order the checks are listed
    for outcome in (mappings, continuity, statuses):
        if isinstance(outcome, BaseException):
            raise outcome
    assert not isinstance(continuity, BaseException) and not isinstance(statuses, BaseException)
    table, shop_statuses = statuses
    return RunStart(merchant, table, shop_statuses, [continuity] if continuity else [])
