"""The receiver on FastAPI's test client: the demo merchant's file, a fresh ledger, and an event sink that
records what reached "Prefect" (or fails on demand)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ledger.db import Ledger
from ledger.models import WebhookCallCount, WebhookDelivery
from ledger.types import utcnow
from swo.settings import PROJECT_ROOT
from webhooks.app import create_app, receiver_for
from webhooks.emitter import EmitFailed
from webhooks.receiver import Receiver

STARWEB_SECRET = "starweb-secret-for-tests"
ONGOING_SECRET = "ongoing-secret-for-tests"


@dataclass
class RecordingSink:
    """Stands in for the Prefect API: keeps the events it took; ``failures`` makes the next emits fail."""

    events: list[dict[str, Any]] = field(default_factory=list)
    failures: int = 0

    async def emit(self, event: dict[str, Any], *, budget_seconds: float | None = None) -> None:
        if self.failures:
            self.failures -= 1
            raise EmitFailed("Prefect did not take the event: ConnectError")
        self.events.append(event)


@dataclass
class Clock:
    now: datetime = field(default_factory=utcnow)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class ReceiverWorld:
    client: TestClient
    receiver: Receiver
    sink: RecordingSink
    ledger: Ledger
    merchants_dir: Path
    clock: Clock

    def deliveries(self) -> list[WebhookDelivery]:
        with self.ledger.session() as session:
            return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))

    def counts(self) -> dict[tuple[str, str, str], int]:
        with self.ledger.session() as session:
            return {(c.merchant_id, c.source, c.outcome): c.count for c in session.scalars(select(WebhookCallCount))}


@pytest.fixture
def receiver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReceiverWorld]:
    merchants = tmp_path / "merchants"
    merchants.mkdir()
    (merchants / "demo.yaml").write_text((PROJECT_ROOT / "deployments" / "merchants" / "demo.yaml").read_text())
    monkeypatch.setenv("DEMO_WEBHOOK_STARWEB_TOKEN", STARWEB_SECRET)
    monkeypatch.setenv("DEMO_WEBHOOK_ONGOING_TOKEN", ONGOING_SECRET)
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    sink = RecordingSink()
    receiver = receiver_for(merchants, ledger, sink)
    receiver.clock = clock = Clock()
    with TestClient(create_app(receiver)) as client:
        yield ReceiverWorld(client, receiver, sink, ledger, merchants, clock)
    ledger.dispose()


def starweb_order_event(event: str = "order-created", order_id: int = 1001, uuid: str = "3f1c0e9e-0001",
                        **extra: Any) -> dict[str, Any]:
    """A Starweb web-hook body as documented (values inferred)."""
    return {"uuid": uuid, "eventId": event, "shopIdCode": "fjallbutiken", "eventTimestamp": "2026-11-30T10:15:00+01:00",
            "orderId": order_id, "shippingMethodId": 1, "paymentMethodId": 1, "orderStatusId": 1,
            "orderStatusIdCode": "created", "totalAmount": "778.00", "currencyCode": "SEK", **extra}


def ongoing_order_event(status: int, order_number: str = "FJ-1001", **extra: Any) -> dict[str, Any]:
    """Ongoing's documented order webhook body."""
    return {"webhookOrdersId": 7, "webhookEventId": 2, "system": "Ongoing WMS", "timestamp":
            "2026-11-30T09:15:00.1234567", "orderId": 50001, "orderNumber": order_number, "goodsOwnerId": 1,
            "goodsOwnerOrderId": "1001", "consigneeOrderNumber": None, "path": "/orders/50001",
            "byUser": {"userId": 3}, "byComputer": {"computerId": 1, "computerName": "PC1"},
            "orderStatus": {"number": status}, "currentShipmentId": None, "webhookTemplate": "Default",
            "goodsOwnerName": "Fjällbutiken", "goodsOwnerClasses": [], "tracking": [], "parcels": [], **extra}
