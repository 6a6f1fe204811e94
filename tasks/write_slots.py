"""One writer per Ongoing goods owner, across processes and machines.

Ongoing processes a goods owner's writes one at a time and times out the ones that queue, but Prefect
runs every flow run in its own process: the Ongoing client's in-process lock alone cannot stop export,
order changes, release and shipment report from writing at once. So every Ongoing write also holds the
one slot of a Prefect global concurrency limit named after the warehouse and goods owner, created (or
corrected to one slot) by ``swo run`` at start-up and by each run before its first write; a batch holds
it once across its writes (the client's ``write_series``). The slot is taken strictly, so a missing limit
is an error rather than a silent free-for-all, and with a short lease that Prefect renews while it is
held, so a killed writer blocks the others for about a minute at most (``tasks.prefect_slots``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import ConcurrencyLeaseHolder
from prefect.concurrency.asyncio import AcquireConcurrencySlotTimeoutError
from prefect.exceptions import ObjectAlreadyExists

from domain.config import MerchantConfig
from integrations.errors import RetryableError
from integrations.ongoing.write_turns import WriteSlot
from tasks.prefect_slots import holding_slot
from tasks.runtime import current_flow_run_id

SLOT_LEASE_SECONDS = 60  # Prefect's shortest lease; renewed while a write runs
SLOT_WAIT_SECONDS = 600

_ensured: set[str] = set()  # limits this process has already created or checked (an optimisation only)


def write_limit_name(base_url: str, goods_owner_id: int) -> str:
    """``ongoing-writes:<host>:<warehouse>:goods-owner-<id>`` (Prefect names may not contain ``/``)."""
    parts = urlsplit(base_url.rstrip("/"))
    segments = [s for s in parts.path.split("/") if s and s not in ("api", "v1")]
    return ":".join(["ongoing-writes", parts.netloc or "local", *segments, f"goods-owner-{goods_owner_id}"])


def merchant_write_limit_name(merchant: MerchantConfig) -> str:
    return write_limit_name(merchant.ongoing.base_url, merchant.ongoing.goods_owner_id)


async def ensure_write_limit(name: str) -> None:
    """Create the one-slot limit, or set an existing one back to one slot (cheap once per process)."""
    if name in _ensured:
        return
    async with get_client() as client:
        try:
            await client.upsert_global_concurrency_limit_by_name(name, limit=1)
        except ObjectAlreadyExists:
            await client.upsert_global_concurrency_limit_by_name(name, limit=1)  # created by a run at our side
    _ensured.add(name)


async def ensure_write_limits(merchants: Iterable[MerchantConfig]) -> list[str]:
    """Every merchant's goods-owner write limit (``swo run`` calls this at start-up)."""
    names = sorted({merchant_write_limit_name(m) for m in merchants})
    for name in names:
        await ensure_write_limit(name)
    return names


def write_slot(name: str) -> WriteSlot:
    """What the Ongoing client holds around a write or a series of writes: the limit's one slot, held by
    this flow run."""

    @asynccontextmanager
    async def held() -> AsyncIterator[None]:
        run_id = current_flow_run_id()
        holder = ConcurrencyLeaseHolder(type="flow_run", id=run_id) if run_id else None
        try:
            async with holding_slot(name, lease_seconds=SLOT_LEASE_SECONDS, wait_seconds=SLOT_WAIT_SECONDS,
                                    holder=holder):
                yield
        except AcquireConcurrencySlotTimeoutError as exc:
            raise RetryableError(f"another run kept the goods owner's Ongoing write slot ({name}) for over "
                                 f"{SLOT_WAIT_SECONDS} s", vendor="ongoing") from exc

    return held
