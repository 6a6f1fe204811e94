"""Webhook delivery from the simulators: fire and forget, as the vendors do, and lossy on demand.

A delivery is a JSON POST to a subscriber's URL, made from a small pool of background threads so the
change that caused it is answered at once and a slow subscriber does not hold up the rest (so, as with
the vendors, deliveries may overtake each other). Each delivery is lost with probability ``loss_rate``
and sent twice with probability ``duplicate_rate`` (both vendors resend an event they think failed),
drawn from a generator seeded with ``seed`` so a test sees the same losses every time. A lost delivery
is never retried: the vendors' own retries come half an hour or more later, after the connector's
backstop poll. Every delivery and what became of it is listed on the admin surface (without the URL,
which may carry a secret).
"""

from __future__ import annotations

import random
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class DeliverySettings(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    loss_rate: float = Field(default=0.0, ge=0, le=1, description="share of deliveries never sent")
    duplicate_rate: float = Field(default=0.0, ge=0, le=1, description="share of deliveries sent twice")
    seed: int | None = None
    timeout_seconds: float = Field(default=5.0, gt=0)


class WebhookSender:
    """Sends deliveries in the background, ``workers`` at a time, and keeps a log of the last ones."""

    def __init__(self, settings: DeliverySettings | None = None, *, log_size: int = 1000, workers: int = 4) -> None:
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sim-webhooks")
        self._http = httpx.Client(limits=httpx.Limits(max_connections=workers))  # thread-safe
        self._pending: set[Future[None]] = set()
        self._log: deque[dict[str, Any]] = deque(maxlen=log_size)
        self._sequence = 0
        self.configure(settings or DeliverySettings())

    def configure(self, settings: DeliverySettings) -> None:
        with self._lock:
            self.settings = settings.model_copy()
            self._rng = random.Random(settings.seed)
            self._log.clear()

    def send(self, url: str, body: dict[str, Any], *, headers: dict[str, str] | None = None, label: str = "") -> None:
        """Deliver ``body`` to ``url`` some time soon (or not at all, by the loss rate)."""
        with self._lock:
            self._sequence += 1
            entry: dict[str, Any] = {"sequence": self._sequence, "event": label, "at": _now()}
            lost = self._rng.random() < self.settings.loss_rate
            copies = 0 if lost else (2 if self._rng.random() < self.settings.duplicate_rate else 1)
            entry["outcome"] = "lost" if lost else "queued"
            entry["copies"] = copies
            self._log.append(entry)
            for _ in range(copies):
                future = self._executor.submit(self._post, entry, url, body, headers or {},
                                               self.settings.timeout_seconds)
                self._pending.add(future)
                future.add_done_callback(self._pending.discard)

    def _post(self, entry: dict[str, Any], url: str, body: dict[str, Any], headers: dict[str, str],
              timeout: float) -> None:
        try:
            response = self._http.post(url, json=body, headers=headers, timeout=timeout)
            outcome = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            outcome = f"failed: {type(exc).__name__}"
        with self._lock:
            entry["outcome"] = outcome if entry["outcome"] == "queued" else f"{entry['outcome']}, {outcome}"

    def deliveries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._log]

    def wait_until_sent(self, timeout: float = 10.0) -> bool:
        """Wait for every queued delivery to be made; False if some are still going after ``timeout``."""
        with self._lock:
            pending = set(self._pending)
        _, not_done = wait(pending, timeout=timeout)
        return not not_done


def _now() -> str:
    return datetime.now(UTC).isoformat()


def delivery_router(sender: WebhookSender, prefix: str) -> APIRouter:
    """``{prefix}/delivery`` (GET, PUT, DELETE: the loss settings) and ``{prefix}/deliveries`` (the log)."""
    router = APIRouter(prefix=prefix, tags=["simulator admin"])

    @router.get("/delivery")
    def get_delivery() -> dict[str, Any]:
        return sender.settings.model_dump(by_alias=True)

    @router.put("/delivery")
    def set_delivery(settings: DeliverySettings) -> dict[str, Any]:
        sender.configure(settings)
        return sender.settings.model_dump(by_alias=True)

    @router.delete("/delivery")
    def reset_delivery() -> dict[str, Any]:
        sender.configure(DeliverySettings())
        return sender.settings.model_dump(by_alias=True)

    @router.get("/deliveries")
    def deliveries(wait_seconds: Annotated[float, Query(alias="waitSeconds", ge=0, le=30)] = 0.0) -> dict[str, Any]:
        """What was delivered; ``waitSeconds`` first waits (at most that long) for queued deliveries."""
        if wait_seconds:
            sender.wait_until_sent(wait_seconds)
        return {"data": sender.deliveries()}

    return router
