"""Runs started by webhook events: take the events' records, and stay for the events that follow.

A deployment trigger starts a run on the first event of a merchant's event window and then lets the
window pass (``deployments.build.EventTriggerSpec``). So the run takes its work from the ledger, not from
the event: every delivery of the events its process listens to that the process has not yet taken. A pass
handles the records those deliveries name (or everything, when one names none or the process cannot
narrow); the deliveries are marked taken once it succeeded, and the run looks again until the window
and a short grace are over. A burst costs one run, and an event in an open window is handled within a
second by a run that is already warm. Deliveries older than two backstop intervals are left to the
backstop poll, which has covered them.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from prefect import get_run_logger

from domain.webhook_events import LISTENERS, Listener
from ledger.models import WebhookDelivery
from ledger.types import utcnow
from ledger.webhooks import mark_taken, untaken_deliveries
from tasks.runtime import ledger, load_merchant

POLL_SECONDS = 0.5
# Past the window, an event the trigger let pass may belong to a delivery still committing; one more look.
GRACE = timedelta(seconds=3)

Records = list[str] | None  # None: a full pass
RunPass = Callable[[Records], Awaitable[dict[str, int]]]


def read_untaken(merchant_id: str, process: str, listener: Listener, since: datetime) -> list[WebhookDelivery]:
    with ledger().session() as session:
        return untaken_deliveries(session, merchant_id, process, listener.events, since)


def record_taken(deliveries: Sequence[WebhookDelivery], process: str) -> None:
    with ledger().session() as session:
        mark_taken(session, [d.id for d in deliveries], process, utcnow())


def records_to_take(listener: Listener, deliveries: Sequence[WebhookDelivery]) -> Records:
    """The records one pass takes: those the deliveries name, or None (all) if any names none."""
    if not listener.narrows or any(d.record is None for d in deliveries):
        return None
    return sorted({d.record for d in deliveries if d.record is not None})


def order_ids_of(records: Records) -> list[int] | None:
    """Starweb order ids from the records (None stays None: a full pass)."""
    return None if records is None else [int(r) for r in records if r.isdigit()]


async def follow_events(process: str, merchant_id: str, event_at: datetime, run_pass: RunPass, *,
                        poll_seconds: float = POLL_SECONDS, clock: Callable[[], datetime] = utcnow,
                        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> dict[str, int]:
    """Run ``run_pass`` for the process's untaken deliveries until the merchant's event window that opened
    at ``event_at`` has passed; the counts of all passes added up (and ``passes``)."""
    listener = LISTENERS[process]
    settings = load_merchant(merchant_id).webhooks
    deadline = event_at + timedelta(seconds=settings.event_window_seconds) + GRACE
    horizon = clock() - timedelta(minutes=2 * settings.backstop_polling_minutes)
    logger = get_run_logger()
    totals: Counter[str] = Counter()
    while True:
        fresh = read_untaken(merchant_id, process, listener, horizon)
        if fresh:
            records = records_to_take(listener, fresh)
            logger.info("%d webhook event(s) for %s: %s", len(fresh), process,
                        "everything" if records is None else ", ".join(records))
            totals.update(await run_pass(records))
            record_taken(fresh, process)
            totals["passes"] += 1
            continue
        if clock() >= deadline:
            return dict(totals)
        await sleep(poll_seconds)
