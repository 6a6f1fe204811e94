"""Handing an accepted webhook to Prefect as an event, and knowing that it arrived.

Prefect's ``emit_event`` queues the event for a background worker and returns, so a lost event would go
unnoticed. The receiver must know, because it tells the vendor to retry when Prefect did not take the
event: it posts the event to the API's ``/events`` route with Prefect's own client and waits for the
answer, retrying briefly within a time budget so the vendor still gets its answer quickly.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, stop_after_delay, wait_fixed

from domain.webhook_events import Delivery, merchant_resource_id, record_resource_id

if TYPE_CHECKING:
    from prefect.client.orchestration import PrefectClient

# Event ids derive from the delivery, so an event sent twice (a retry after a lost answer) is one event.
_EVENT_NAMESPACE = uuid.UUID("3b2f6c1e-5d0a-4f0e-9a51-6d5c2b7e9f10")


class EmitFailed(RuntimeError):
    """Prefect did not confirm the event within the budget; the message says what happened."""


def event_for(merchant_id: str, delivery: Delivery, *, received_at: datetime, emitted_at: datetime) -> dict[str, Any]:
    """The Prefect event for a delivery, as the API takes it. It occurs when it is emitted (a late emit is
    a late event); ``payload.emitted_at`` repeats that time for the run the event starts, which stays for
    the merchant's event window from then on (Prefect's templates cannot pass ``occurred`` itself)."""
    resource = {"prefect.resource.id": record_resource_id(merchant_id, delivery),
                "prefect.resource.name": f"{delivery.record_kind} {delivery.record or '(any)'}"}
    return {
        "id": str(uuid.uuid5(_EVENT_NAMESPACE, f"{merchant_id}:{delivery.source}:{delivery.key}")),
        "occurred": emitted_at.isoformat(),
        "event": delivery.event,
        "resource": resource,
        "related": [{"prefect.resource.id": merchant_resource_id(merchant_id), "prefect.resource.role": "merchant",
                     "prefect.resource.name": merchant_id}],
        "payload": {"merchant_id": merchant_id, "source": delivery.source, "record": delivery.record,
                    "received_at": received_at.isoformat(), "emitted_at": emitted_at.isoformat()},
    }


def _worth_retrying(error: BaseException) -> bool:
    """A network failure or a server error may pass; a refusal (4xx) will not."""
    if isinstance(error, httpx.HTTPStatusError):
        return error.response.status_code >= 500
    return isinstance(error, httpx.TransportError)


class PrefectEventSink:
    """Posts events to the Prefect API and waits for the confirmation, within ``budget_seconds``.

    ``async with PrefectEventSink(api_url) as sink: await sink.emit(event)``
    """

    def __init__(self, api_url: str, *, budget_seconds: float = 0.15, attempts: int = 3,
                 httpx_settings: dict[str, Any] | None = None) -> None:
        self.api_url = api_url
        self.budget_seconds = budget_seconds
        self.attempts = attempts
        self._httpx_settings = httpx_settings
        self._client: PrefectClient | None = None

    async def __aenter__(self) -> PrefectEventSink:
        from prefect.client.orchestration import PrefectClient
        from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_KEY

        self._client = PrefectClient(self.api_url, api_key=PREFECT_API_KEY.value(),
                                     auth_string=PREFECT_API_AUTH_STRING.value(), httpx_settings=self._httpx_settings)
        await self._client.__aenter__()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.__aexit__(*exc_info)
            self._client = None

    async def emit(self, event: dict[str, Any], *, budget_seconds: float | None = None) -> None:
        """Return once the API has taken the event; raise ``EmitFailed`` when it did not in time."""
        from prefect.settings import PREFECT_CLIENT_MAX_RETRIES, temporary_settings

        assert self._client is not None, "use the sink as an async context manager"
        budget = budget_seconds or self.budget_seconds
        deadline = time.monotonic() + budget
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts) | stop_after_delay(budget),
            wait=wait_fixed(0.02), retry=retry_if_exception(_worth_retrying), reraise=True)
        try:
            # The budget is ours: Prefect's client would otherwise back off for seconds between its retries.
            with temporary_settings({PREFECT_CLIENT_MAX_RETRIES: 0}):
                async for attempt in retrying:
                    with attempt:
                        left = max(deadline - time.monotonic(), 0.01)
                        await self._client.request("POST", "/events", json=[event], timeout=left)
        except httpx.HTTPStatusError as exc:
            raise EmitFailed(f"Prefect did not take the event {event['event']}: HTTP "
                             f"{exc.response.status_code}") from exc
        except httpx.HTTPError as exc:
            raise EmitFailed(f"Prefect did not take the event {event['event']}: {type(exc).__name__}") from exc
