"""Each merchant's request budget per vendor, shared by all its runs on every worker.

Ongoing limits calls per API method and calling client (the source address, so merchants served from one
place share its limit on a warehouse), and Starweb's limits are not published: one merchant's busy run must
not use up what the others need. So every (merchant, vendor) has a Prefect rate limit, a global concurrency
limit whose slots decay at ``per_second``, named ``<vendor>-requests:<merchant>``, and each request to the
vendor takes a slot first. A process takes slots from Prefect a few at a time (about half a second's worth)
and lets the ones it did not use lapse after a second: the shared budget is never exceeded, and a busy run
does not ask Prefect before every single call. The limits are created by ``swo run`` and ``swo setup`` and
by any run that finds one missing or changed in the merchant file.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Awaitable, Callable, Iterable

from prefect.client.orchestration import get_client
from prefect.concurrency.asyncio import AcquireConcurrencySlotTimeoutError
from prefect.exceptions import ObjectAlreadyExists

from domain.config import MerchantConfig, RequestRate
from integrations.errors import RetryableError
from tasks.prefect_slots import take_slots

VENDORS = ("starweb", "ongoing")
BUDGET_WAIT_SECONDS = 60.0  # then the request fails as retryable (the transport and the quarantine try again)
TOKEN_LIFETIME_SECONDS = 1.0  # slots taken but not used within this lapse (never spent later, in a burst)

Acquire = Callable[[int], Awaitable[None]]

_ensured: dict[str, RequestRate] = {}  # limits this process created or checked, with the rate it set
_budgets: dict[str, RequestBudget] = {}
_lock = threading.Lock()


def budget_name(vendor: str, merchant_id: str) -> str:
    """``starweb-requests:<merchant>`` or ``ongoing-requests:<merchant>``."""
    return f"{vendor}-requests:{merchant_id}"


def merchant_rates(merchant: MerchantConfig) -> dict[str, RequestRate]:
    """The merchant's limits by name, as its file sets them."""
    return {budget_name(vendor, merchant.merchant_id): getattr(merchant.rate_limits, vendor) for vendor in VENDORS}


def batch_size(rate: RequestRate) -> int:
    """How many slots a process takes at once: half a second's worth, at most half the burst, at least one."""
    return max(1, min(rate.burst // 2, math.floor(rate.per_second / 2)))


async def ensure_budget(name: str, rate: RequestRate) -> None:
    """Create the rate limit, or set it to the file's figures (cheap once per process)."""
    if _ensured.get(name) == rate:
        return
    async with get_client() as client:
        try:
            await client.upsert_global_concurrency_limit_by_name(name, limit=rate.burst,
                                                                 slot_decay_per_second=rate.per_second)
        except ObjectAlreadyExists:  # another run of the merchant created it between our read and our write
            await client.upsert_global_concurrency_limit_by_name(name, limit=rate.burst,
                                                                 slot_decay_per_second=rate.per_second)
    _ensured[name] = rate


async def ensure_budgets(merchants: Iterable[MerchantConfig]) -> list[str]:
    """Every merchant's request budgets (``swo run`` and ``swo setup`` call this)."""
    names = []
    for merchant in sorted(merchants, key=lambda m: m.merchant_id):
        for name, rate in merchant_rates(merchant).items():
            await ensure_budget(name, rate)
            names.append(name)
    return names


class RequestBudget:
    """The throttle a vendor client awaits before each request: one slot of the named rate limit."""

    def __init__(self, name: str, vendor: str, rate: RequestRate, *, acquire: Acquire | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name, self.vendor, self.rate = name, vendor, rate
        self.batch = batch_size(rate)
        self._acquire = acquire or self._from_prefect
        self._clock = clock
        self._left, self._taken_at = 0, 0.0
        self._guard = threading.Lock()  # clients of one process may run in several threads

    def _take_local(self) -> bool:
        with self._guard:
            if self._left > 0 and self._clock() - self._taken_at < TOKEN_LIFETIME_SECONDS:
                self._left -= 1
                return True
            return False

    async def __call__(self) -> None:
        if self._take_local():
            return
        await self._acquire(self.batch)
        with self._guard:
            self._left, self._taken_at = self.batch - 1, self._clock()

    async def _from_prefect(self, slots: int) -> None:
        try:
            await take_slots(self.name, slots, mode="rate_limit", wait_seconds=BUDGET_WAIT_SECONDS)
        except AcquireConcurrencySlotTimeoutError as exc:
            raise RetryableError(f"the request budget {self.name} ({self.rate.per_second:g} per second) stayed "
                                 f"used up for {BUDGET_WAIT_SECONDS:g} s; the request was not sent",
                                 vendor=self.vendor) from exc


async def request_budget(merchant: MerchantConfig, vendor: str) -> RequestBudget:
    """The process's throttle for this merchant and vendor, its Prefect limit created if need be."""
    name, rate = budget_name(vendor, merchant.merchant_id), getattr(merchant.rate_limits, vendor)
    await ensure_budget(name, rate)
    with _lock:
        budget = _budgets.get(name)
        if budget is None or budget.rate != rate:
            budget = _budgets[name] = RequestBudget(name, vendor, rate)
    return budget
