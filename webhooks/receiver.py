"""The webhook receiver's decisions: from one vendor call to an answer, in the order that keeps it safe.

Authentication comes first (nothing of an unauthenticated body is read), then the body's size and shape,
then the ledger (a resent event is known by its key) and last the Prefect event. Every call ends in one
outcome, counted in the ledger, with its HTTP status: 2xx when the event is in Prefect (or needs none),
4xx for a call that will never be accepted, 503 when the vendor should send it again later. A delivery
whose event Prefect did not take in time stays in the ledger as not emitted: ``emit_pending`` sends it
on, so a slow or restarting Prefect delays the event by seconds, not until the vendor's next retry.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

import anyio
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from domain.config import MerchantConfig
from domain.webhook_events import (
    Delivery,
    DeliveryError,
    EventSource,
    parse_ongoing_delivery,
    parse_starweb_delivery,
)
from ledger.db import Ledger
from ledger.models import WebhookDelivery
from ledger.types import utcnow
from ledger.webhooks import (
    Claim,
    count_call,
    find_delivery,
    mark_emitted,
    record_delivery,
    unemitted_deliveries,
)
from webhooks.callers import MerchantDirectory, SecretCache, SecretUnavailable, secrets_match
from webhooks.emitter import EmitFailed, event_for

log = logging.getLogger("swo.webhooks")

MAX_BODY_BYTES = 64 * 1024  # documented payloads are well under 2 KiB
UNKNOWN_MERCHANT = "(unknown)"
# Emitting what the answer to the vendor could not wait for: rows this old at least (the call's own emit
# may still be going), this young at most (after that the backstop poll has long found the change).
PENDING_AFTER = timedelta(seconds=1)
PENDING_FOR = timedelta(days=1)
PENDING_BUDGET_SECONDS = 10.0


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    UNKNOWN_MERCHANT = "unknown_merchant"
    NOT_ENABLED = "not_enabled"
    UNAUTHENTICATED = "unauthenticated"
    OVERSIZED = "oversized"
    MALFORMED = "malformed"
    SECRET_UNAVAILABLE = "secret_unavailable"
    LEDGER_UNAVAILABLE = "ledger_unavailable"
    EMIT_FAILED = "emit_failed"
    ERROR = "error"


STATUS: dict[Outcome, int] = {
    Outcome.ACCEPTED: 202, Outcome.DUPLICATE: 200, Outcome.IGNORED: 202, Outcome.UNKNOWN_MERCHANT: 404,
    Outcome.NOT_ENABLED: 404, Outcome.UNAUTHENTICATED: 401, Outcome.OVERSIZED: 413, Outcome.MALFORMED: 422,
    Outcome.SECRET_UNAVAILABLE: 503, Outcome.LEDGER_UNAVAILABLE: 503, Outcome.EMIT_FAILED: 503, Outcome.ERROR: 500,
}


@dataclass(frozen=True)
class Answer:
    outcome: Outcome
    detail: str

    @property
    def status(self) -> int:
        return STATUS[self.outcome]

    @property
    def retry_later(self) -> bool:
        return self.status == 503


class EventSink(Protocol):
    async def emit(self, event: dict[str, Any], *, budget_seconds: float | None = None) -> None: ...


def delivery_of(row: WebhookDelivery) -> Delivery:
    """The delivery a ledger row records (its record kind is the middle of the event's name)."""
    source: EventSource = "starweb" if row.source == "starweb" else "ongoing"
    return Delivery(source, row.event, row.event.split(".")[1], row.record, row.delivery_key)


class DeliveryBook:
    """The receiver's ledger work, run off the event loop (the ledger is synchronous SQLAlchemy)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def _claim(self, merchant_id: str, delivery: Delivery, received_at: datetime) -> tuple[Claim, int, datetime]:
        try:
            with self.ledger.session() as session:
                claim, row = record_delivery(session, merchant_id=merchant_id, source=delivery.source,
                                             key=delivery.key, event=delivery.event, record=delivery.record,
                                             received_at=received_at)
                return claim, row.id, row.received_at
        except IntegrityError:
            # The same event arrived twice at once and the twin was recorded first.
            with self.ledger.session() as session:
                twin = find_delivery(session, merchant_id, delivery.source, delivery.key)
                assert twin is not None
                return (Claim.DUPLICATE if twin.emitted_at else Claim.NOT_EMITTED), twin.id, twin.received_at

    async def claim(self, merchant_id: str, delivery: Delivery, received_at: datetime) -> tuple[Claim, int, datetime]:
        return await anyio.to_thread.run_sync(self._claim, merchant_id, delivery, received_at)

    def _mark_emitted(self, delivery_id: int, at: datetime) -> None:
        with self.ledger.session() as session:
            mark_emitted(session, delivery_id, at)

    async def mark_emitted(self, delivery_id: int, at: datetime) -> None:
        await anyio.to_thread.run_sync(self._mark_emitted, delivery_id, at)

    def _unemitted(self, now: datetime) -> list[WebhookDelivery]:
        with self.ledger.session() as session:
            return unemitted_deliveries(session, received_after=now - PENDING_FOR,
                                        received_before=now - PENDING_AFTER)

    async def unemitted(self, now: datetime) -> list[WebhookDelivery]:
        return await anyio.to_thread.run_sync(self._unemitted, now)

    def _count(self, merchant_id: str, source: str, outcome: str, at: datetime) -> None:
        for _ in range(2):  # a concurrent first count of the same outcome wins the insert; add to it then
            try:
                with self.ledger.session() as session:
                    count_call(session, merchant_id=merchant_id, source=source, outcome=outcome, at=at)
                return
            except IntegrityError:
                continue

    async def count(self, merchant_id: str, source: str, outcome: str, at: datetime) -> None:
        await anyio.to_thread.run_sync(self._count, merchant_id, source, outcome, at)


class Receiver:
    """Turns authenticated vendor calls into Prefect events, once per event."""

    def __init__(self, merchants: MerchantDirectory, secrets: SecretCache, book: DeliveryBook, sink: EventSink, *,
                 clock: Callable[[], datetime] = utcnow, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.merchants = merchants
        self.secrets = secrets
        self.book = book
        self.sink = sink
        self.clock = clock
        self.max_body_bytes = max_body_bytes

    async def receive(self, source: EventSource, merchant_id: str, presented_secret: str | None,
                      read_body: Callable[[int], Awaitable[bytes | None]], event_hint: str | None = None) -> Answer:
        """One call, start to end. ``read_body(limit)`` gives the body, or None when it is longer than limit."""
        merchant = self.merchants.get(merchant_id)
        counted_as = merchant_id if merchant is not None else UNKNOWN_MERCHANT
        try:
            answer = await self._answer(source, merchant, presented_secret, read_body, event_hint)
        except Exception:  # a bug must cost one call a 500, never the receiver
            log.exception("webhook call for %s from %s failed", counted_as, source)
            answer = Answer(Outcome.ERROR, "internal error")
        try:
            await self.book.count(counted_as, source, answer.outcome.value, self.clock())
        except SQLAlchemyError:
            log.warning("could not count a webhook call (%s) in the ledger", answer.outcome.value)
        if answer.status >= 400:
            log.warning("webhook from %s for %s refused: %s (%s)", source, counted_as, answer.outcome.value,
                        answer.detail)
        return answer

    async def _answer(self, source: EventSource, merchant: MerchantConfig | None, presented_secret: str | None,
                      read_body: Callable[[int], Awaitable[bytes | None]], event_hint: str | None) -> Answer:
        if merchant is None:
            return Answer(Outcome.UNKNOWN_MERCHANT, "no such merchant")
        try:
            expected = await self.secrets.expected(merchant, source)
        except SecretUnavailable as exc:
            log.error("%s", exc)
            return Answer(Outcome.SECRET_UNAVAILABLE, "the merchant's webhook secret is not available")
        if expected is None:
            return Answer(Outcome.NOT_ENABLED, f"{source} webhooks are not enabled for this merchant")
        if not secrets_match(presented_secret, expected):
            return Answer(Outcome.UNAUTHENTICATED, "missing or wrong webhook secret")

        raw = await read_body(self.max_body_bytes)
        if raw is None:
            return Answer(Outcome.OVERSIZED, f"the body is longer than {self.max_body_bytes} bytes")
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return Answer(Outcome.MALFORMED, f"the body is not JSON: {exc}")
        try:
            delivery = (parse_starweb_delivery(body, merchant, event_hint) if source == "starweb"
                        else parse_ongoing_delivery(body, merchant))
        except DeliveryError as exc:
            return Answer(Outcome.MALFORMED, str(exc))
        if delivery is None:
            return Answer(Outcome.IGNORED, "an event the connector does not use")
        return await self._hand_over(merchant.merchant_id, delivery)

    async def _hand_over(self, merchant_id: str, delivery: Delivery) -> Answer:
        try:
            claim, delivery_id, received_at = await self.book.claim(merchant_id, delivery, self.clock())
        except SQLAlchemyError as exc:
            log.error("ledger unavailable for a webhook of %s: %s", merchant_id, type(exc).__name__)
            return Answer(Outcome.LEDGER_UNAVAILABLE, "the connector's ledger is unavailable")
        what = f"{delivery.event} {delivery.record or '(no record)'}"
        if claim is Claim.DUPLICATE:
            return Answer(Outcome.DUPLICATE, f"already received: {what}")
        if not await self._emit(merchant_id, delivery, delivery_id, received_at):
            return Answer(Outcome.EMIT_FAILED, "Prefect did not take the event; send it again later")
        log.info("webhook %s for %s", what, merchant_id)
        return Answer(Outcome.ACCEPTED, what)

    async def _emit(self, merchant_id: str, delivery: Delivery, delivery_id: int, received_at: datetime,
                    budget_seconds: float | None = None) -> bool:
        event = event_for(merchant_id, delivery, received_at=received_at, emitted_at=self.clock())
        try:
            await self.sink.emit(event, budget_seconds=budget_seconds)
        except EmitFailed as exc:
            log.error("%s (merchant %s); it stays in the ledger to be emitted again", exc, merchant_id)
            return False
        try:
            await self.book.mark_emitted(delivery_id, self.clock())
        except SQLAlchemyError:
            log.warning("event %s for %s emitted but not marked; it may be emitted again (Prefect drops the "
                        "second: same event id)", delivery.event, merchant_id)
        return True

    async def emit_pending(self) -> int:
        """Emit the events of deliveries whose emit failed or did not finish; how many went out."""
        sent = 0
        for row in await self.book.unemitted(self.clock()):
            if await self._emit(row.merchant_id, delivery_of(row), row.id, row.received_at,
                                budget_seconds=PENDING_BUDGET_SECONDS):
                sent += 1
            else:
                break  # Prefect is still not taking events: try again on the next round
        return sent
