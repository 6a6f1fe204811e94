"""Taking and giving back slots of Prefect global concurrency limits, without Prefect's two-second pause.

The request budgets and the Ongoing write slot are Prefect global concurrency limits. Prefect's own helpers
(``rate_limit``, ``concurrency``) ask the server through a client that, when the server answers 503 with no
``Retry-After``, waits 2 s before asking again. The SQLite-backed Prefect server of ``make run`` answers 503
("database is locked") whenever its own bookkeeping holds the database: while it records the task states a
run has just sent, that is at the start of nearly every task. Measured on a served export run, that made the
first request of most tasks wait 2 s for its budget and most write batches 2 s for the slot, several
seconds per pass for a handful of orders.

So these calls go through a client that asks again a tenth of a second after such a 503 (the answer is given
a ``Retry-After``, which Prefect's client honours). A denial (423) waits as long as the server says, as
Prefect's helpers do; a limit that does not exist is an error, as with their ``strict=True``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal
from uuid import UUID

import certifi
import httpx
from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.objects import ConcurrencyLeaseHolder
from prefect.concurrency._leases import amaintain_concurrency_lease
from prefect.concurrency.asyncio import AcquireConcurrencySlotTimeoutError, ConcurrencySlotAcquisitionError
from prefect.settings import PREFECT_API_SSL_CERT_FILE, PREFECT_API_TLS_INSECURE_SKIP_VERIFY

BUSY_RETRY_SECONDS = 0.1  # after a 503 from a server whose database was busy for a moment
BUSY_STATUSES = frozenset({429, 502, 503})
DENIED_RETRY_SECONDS = 1.0  # after a 423 without a Retry-After (Prefect's server always sends one)

Mode = Literal["concurrency", "rate_limit"]

log = logging.getLogger(__name__)


async def _ask_again_soon_when_busy(response: httpx.Response) -> None:
    """httpx response hook: a busy answer without a wait of its own is asked again after a moment."""
    if response.status_code in BUSY_STATUSES and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = f"{BUSY_RETRY_SECONDS:g}"


@functools.cache
def _verifying_context(ca_file: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_file)


def api_tls_settings() -> dict[str, ssl.SSLContext]:
    """``verify`` for a Prefect client: the context Prefect's client would build for the API (from the CA file
    of PREFECT_API_SSL_CERT_FILE, else certifi's bundle), built once per process. Every vendor request takes
    a slot through a client of its own, and building a context loads the whole CA bundle (about 30 ms of
    CPU). Nothing when verification is off: Prefect builds its unverified context itself."""
    if PREFECT_API_TLS_INSECURE_SKIP_VERIFY.value():
        return {}
    return {"verify": _verifying_context(PREFECT_API_SSL_CERT_FILE.value() or certifi.where())}


@asynccontextmanager
async def slot_client() -> AsyncIterator[PrefectClient]:
    """A Prefect client that retries a busy server's 503s after a tenth of a second, not two seconds."""
    async with get_client(httpx_settings={"event_hooks": {"response": [_ask_again_soon_when_busy]},
                                          **api_tls_settings()}) as client:
        yield client


async def take_slots(name: str, slots: int, *, mode: Mode, wait_seconds: float,
                     lease_seconds: float | None = None, holder: ConcurrencyLeaseHolder | None = None) -> UUID | None:
    """Take ``slots`` of the limit ``name``, waiting while it is full; the lease's id when ``lease_seconds``
    is given. Raises ``AcquireConcurrencySlotTimeoutError`` after ``wait_seconds`` and
    ``ConcurrencySlotAcquisitionError`` if the limit does not exist."""
    deadline = time.monotonic() + wait_seconds
    async with slot_client() as client:
        while True:
            try:
                if lease_seconds is None:
                    response = await client.increment_concurrency_slots(names=[name], slots=slots, mode=mode)
                    limits, lease_id = response.json(), None
                else:
                    response = await client.increment_concurrency_slots_with_lease(
                        names=[name], slots=slots, mode=mode, lease_duration=lease_seconds, holder=holder)
                    body = response.json()
                    limits, lease_id = body.get("limits"), UUID(body["lease_id"])
            except httpx.HTTPStatusError as exc:
                delay = _wait_before_asking_again(exc.response)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AcquireConcurrencySlotTimeoutError(
                        f"Attempt to acquire concurrency slots timed out after {wait_seconds:g} second(s)") from exc
                await asyncio.sleep(min(delay, left))
                continue
            if not limits:
                raise ConcurrencySlotAcquisitionError(f"Concurrency limits [{name!r}] must be created before "
                                                      "acquiring slots")
            return lease_id


def _wait_before_asking_again(response: httpx.Response) -> float:
    """How long to wait after an answer that did not give the slots; other errors are raised."""
    if response.status_code == 423:
        try:
            return float(response.headers.get("Retry-After", DENIED_RETRY_SECONDS))
        except ValueError:
            return DENIED_RETRY_SECONDS
    if response.status_code in BUSY_STATUSES:
        return BUSY_RETRY_SECONDS  # Prefect's client has already asked again a few times
    response.raise_for_status()
    raise AssertionError("unreachable: only error answers get here")


@asynccontextmanager
async def holding_slot(name: str, *, lease_seconds: float, wait_seconds: float,
                       holder: ConcurrencyLeaseHolder | None) -> AsyncIterator[None]:
    """Hold one slot of the limit ``name`` for the block, its lease renewed by Prefect meanwhile and given
    back at the end (or lapsing within ``lease_seconds`` if this process dies)."""
    lease_id = await take_slots(name, 1, mode="concurrency", wait_seconds=wait_seconds,
                                lease_seconds=lease_seconds, holder=holder)
    assert lease_id is not None
    try:
        async with amaintain_concurrency_lease(lease_id, lease_seconds, raise_on_lease_renewal_failure=True):
            yield
    finally:
        await _give_back(lease_id, name)


async def _give_back(lease_id: UUID, name: str) -> None:
    try:
        async with slot_client() as client:
            await client.release_concurrency_slots_with_lease(lease_id)
    except (httpx.HTTPError, OSError) as exc:
        # The lease lapses on its own; the others wait at most that long.
        log.warning("could not give back the slot of %s (%s); its lease will lapse", name, exc)
