"""End to end: the export survives what happens around it — a first activation over orders the warehouse
already has, two runs at once, a ledger that was locked after the PUT or lost altogether — and a run that
leaves work for a person says so in its state and with an event."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from prefect.artifacts import Artifact
from prefect.client.orchestration import get_client
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

import flows.order_export
import ledger.bindings
import tasks.runtime
from domain.config import load_merchant_by_id
from flows.order_export import export_orders
from flows.order_release import release_orders
from flows.shipment_report import report_shipments
from integrations.starweb.models import OrderCreate, OrderItemWrite
from ledger import export_claims, quarantine
from ledger.models import ExportClaim
from ledger.types import utcnow
from settings import get_settings
from tests.flows.actors import Shop, Warehouse, binding, quarantined, writes
from tests.flows.conftest import World
from tests.flows.events import drain_events

CREATED, SENT = 1, 3  # the demo shop's status ids




def puts(number: str | None = None) -> list[str]:
    return [w.key for w in writes() if w.operation == "PUT /orders" and (number is None or w.key == number)]


async def needs_attention_events(flow_run_id: UUID) -> list[dict[str, Any]]:
    """The run's ``swo.run.needs-attention`` events as the Prefect server stored them."""
    await drain_events()
    async with get_client() as client:
        for _ in range(60):  # the server stores events a moment after it receives them
            answer = await client._client.post("/events/filter", json={
                "filter": {"event": {"name": ["swo.run.needs-attention"]},
                           "related": {"id": [f"prefect.flow-run.{flow_run_id}"]}}})
            found = answer.json()["events"]
            if found:
                return found
            await asyncio.sleep(0.5)
    return []


async def test_first_activation_adopts_what_the_warehouse_already_has(world: World, shop: Shop,
                                                                    warehouse: Warehouse) -> None:
    """The 300 + 40 case at a smaller size: 30 orders the previous integration sent (half still "Mottagen"
    in Starweb, all shipped in Ongoing) and 8 new ones."""
    cutoff = load_merchant_by_id("demo", world.merchants_dir).go_live_cutoff
    assert cutoff is not None
    async with shop.client() as client:
        old = [(await client.create_order(OrderCreate(
            shipping_method_id=1, payment_method_id=1, currency_code="SEK", is_complete=True,
            status_id=CREATED if n % 2 else SENT, created_at=cutoff - timedelta(days=20),
            items=[OrderItemWrite(sku="SOCK-MER-42", quantity=1)], on_order_status_change_send_email=False,
        ))).order_id for n in range(30)]
    mottagen = old[1::2]
    world.ongoing.post("/_sim/articles/SOCK-MER-42/stock", json={"numberOfItems": 1000}).raise_for_status()
    with httpx.Client(base_url=world.sims.ongoing_api, auth=("demo-api", "demo-password"), timeout=10) as api:
        for order_id in old:
            api.put("/orders", json={
                "goodsOwnerId": 1, "orderNumber": f"FJ-{order_id}", "goodsOwnerOrderId": str(order_id),
                "deliveryDate": "2026-10-10", "consignee": {"name": "Kund", "address1": "Gatan 1", "postCode": "11122",
                                                            "city": "Stockholm", "countryCode": "SE"},
                "orderLines": [{"rowNumber": "1", "articleNumber": "SOCK-MER-42", "numberOfItems": 1}],
            }).raise_for_status()
            world.ongoing.post(f"/_sim/orders/FJ-{order_id}/ship",
                               json={"lines": [{"rowNumber": "1", "numberOfItems": 1}]}).raise_for_status()
    new = [await shop.place_order([("POLE-CF-120", 1)]) for _ in range(8)]

    preview = await export_orders("demo", dry_run=True)
    assert (preview["would adopt"], preview["would create"]) == (15, 8), "the dry run shows what a first run does"
    assert writes() == []

    first = await export_orders("demo")
    assert (first["adopted"], first["created"]) == (15, 8)
    assert "quarantined" not in first, "no refusal, so nothing trips the circuit breaker"
    assert sorted(puts()) == sorted(f"FJ-{order_id}" for order_id in new), "the old orders were never sent"
    assert {warehouse.status(f"FJ-{order_id}") for order_id in old} == {450}
    assert {warehouse.status(f"FJ-{order_id}") for order_id in new} <= {210, 211}
    adopted = binding(mottagen[0])
    assert adopted is not None and adopted.adopted_at is not None
    assert (adopted.state, adopted.ongoing_status, adopted.silent) == ("sent", 450, True)
    with tasks.runtime.ledger().session() as session:
        lines = ledger.bindings.find_order(session, "demo", mottagen[0]).lines
        assert [(line.row_number, line.sku, float(line.quantity)) for line in lines] == [("1", "SOCK-MER-42", 1.0)]
    assert binding(old[0]) is None, "an order not in an exportable status is left alone"

    before = len(writes())
    again = await export_orders("demo")
    assert len(writes()) == before and "adopted" not in again and "created" not in again


async def test_an_order_ongoing_refuses_because_it_has_it_already_is_adopted(
        world: World, shop: Shop, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    order_id = await shop.place_order([("SOCK-MER-42", 1)])
    number = f"FJ-{order_id}"
    with httpx.Client(base_url=world.sims.ongoing_api, auth=("demo-api", "demo-password"), timeout=10) as api:
        api.put("/orders", json={  # another system sent it, and the warehouse has started on it
            "goodsOwnerId": 1, "orderNumber": number, "deliveryDate": "2026-12-01",
            "consignee": {"name": "Kund", "address1": "Gatan 1", "postCode": "11122", "city": "Stockholm",
                          "countryCode": "SE"},
            "orderLines": [{"rowNumber": "1", "articleNumber": "SOCK-MER-42", "numberOfItems": 1}]}).raise_for_status()
    warehouse.move(number, 300)

    async def looked_too_early(merchant: Any, numbers: Any) -> dict[str, Any]:
        return {}  # the order reached Ongoing just after the run looked its number up

    monkeypatch.setattr(flows.order_export, "fetch_warehouse_orders", looked_too_early)
    done = await export_orders("demo")
    assert done["adopted"] == 1 and "quarantined" not in done
    assert [(w.operation, w.outcome) for w in writes()] == [("PUT /orders", "refused")], "read back, not retried"
    adopted = binding(order_id)
    assert adopted is not None and (adopted.state, adopted.ongoing_status) == ("picking", 300)
    assert warehouse.status(number) == 300


async def test_two_export_runs_at_once_send_each_order_once(world: World, shop: Shop, warehouse: Warehouse) -> None:
    orders = [await shop.place_order([("THERMOS-1L", 1)]) for _ in range(6)]
    claimed_elsewhere = orders[0]
    with tasks.runtime.ledger().session() as session:  # a third run is sending this one right now
        assert export_claims.claim_for_export(session, "demo", claimed_elsewhere, "another-live-run")

    one, other = await asyncio.gather(export_orders("demo"), export_orders("demo"))
    assert one.get("created", 0) + other.get("created", 0) == 5
    assert sorted(puts()) == sorted(f"FJ-{order_id}" for order_id in orders[1:]), "each order sent once"
    assert one["skipped"] >= 1 and other["skipped"] >= 1
    assert warehouse.order(f"FJ-{claimed_elsewhere}") is None and binding(claimed_elsewhere) is None

    # The run holding the claim died; once its claim is stale the next run takes the order over.
    with tasks.runtime.ledger().session() as session:
        session.execute(update(ExportClaim).values(claimed_at=utcnow() - timedelta(hours=1)))
    taken_over = await export_orders("demo")
    assert taken_over["created"] == 1 and puts(f"FJ-{claimed_elsewhere}") == [f"FJ-{claimed_elsewhere}"]
    with tasks.runtime.ledger().session() as session:
        assert session.query(ExportClaim).count() == 0, "claims go once the orders are bound"


async def test_a_ledger_locked_after_the_put_loses_nothing_and_the_run_asks_for_attention(
        world: World, shop: Shop, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    order_id = await shop.place_order([("THERMOS-1L", 1)])
    number = f"FJ-{order_id}"

    def locked(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("UPDATE order_bindings", {}, sqlite3.OperationalError("database is locked"))

    real = ledger.bindings.mark_exported
    monkeypatch.setattr(ledger.bindings, "mark_exported", locked)
    state = await export_orders("demo", return_state=True)
    monkeypatch.setattr(ledger.bindings, "mark_exported", real)

    assert state.is_completed() and state.name == "NeedsAttention", "completed for the schedule, yet visible"
    assert (await state.aresult())["quarantined"] == 1
    # The status write goes out while the ledger records the PUT, so both landed; only the ledger missed them.
    assert warehouse.status(number) == 210
    assert binding(order_id) is None
    entry = quarantined("order")[str(order_id)]
    assert entry.retryable and "database is locked" in entry.reason
    assert entry.next_attempt_at is not None and entry.next_attempt_at - entry.last_attempt_at == timedelta(minutes=2)

    assert state.state_details.flow_run_id is not None
    (event,) = await needs_attention_events(state.state_details.flow_run_id)
    assert event["resource"]["prefect.resource.id"] == "swo.merchant.demo.export-orders"
    assert {"prefect.resource.id": "swo.merchant.demo", "prefect.resource.role": "merchant"} in event["related"]
    assert event["payload"]["attention"] == {"quarantined": 1}
    assert event["payload"]["counts"]["quarantined"] == 1

    _due_now("order", str(order_id))  # two minutes later
    again = await export_orders("demo")
    assert again["adopted"] == 1 and "created" not in again, "adopted by its number, not sent again"
    assert puts(number) == [number]
    assert warehouse.status(number) == 210, "bound as the warehouse holds it"
    adopted = binding(order_id)
    assert adopted is not None and adopted.initial_status_set and adopted.state == "open_in_stock"
    assert str(order_id) not in quarantined("order")


async def test_a_ledger_locked_when_the_status_is_marked_costs_a_read_back_not_a_second_write(
        world: World, shop: Shop, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    order_id = await shop.place_order([("THERMOS-1L", 1)])
    number = f"FJ-{order_id}"
    real = ledger.bindings.set_initial_status
    refused: list[tuple[Any, ...]] = []

    def locked_once(*args: Any, **kwargs: Any) -> None:
        if not refused:
            refused.append(args)
            raise OperationalError("UPDATE order_bindings", {}, sqlite3.OperationalError("database is locked"))
        real(*args, **kwargs)

    monkeypatch.setattr(ledger.bindings, "set_initial_status", locked_once)
    result = await export_orders("demo")

    assert refused, "the status mark met the locked ledger"
    assert result == {"created": 1}, "the order was created; a busy ledger is not the order's fault"
    assert warehouse.status(number) == 210
    assert puts(number) == [number]
    statuses = [w for w in writes() if w.operation == "PATCH /orders/{orderId}/orderStatus"]
    assert len(statuses) == 1, "the audit row of the status write survives the failed mark, and no second write"
    assert all(w.flow_run_id for w in writes()), "rows written beside the writes still name the run"
    completed = binding(order_id)
    assert completed is not None and completed.initial_status_set and completed.ongoing_status == 210, \
        "the run read the status back from Ongoing and marked it"


async def test_after_a_lost_ledger_our_shipments_are_emailed_and_the_loss_is_said_out_loud(
        world: World, shop: Shop, warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    order_id = await shop.place_order([("POLE-CF-120", 1)])
    number = f"FJ-{order_id}"
    await export_orders("demo")
    await release_orders("demo", order_ids=[order_id])
    assert warehouse.status(number) == 300
    line = warehouse.order(number)["orderLines"][0]
    world.ongoing.post(f"/_sim/orders/{number}/ship", json={
        "waybill": "00370000000000000042", "lines": [{"rowNumber": line["rowNumber"], "numberOfItems": 1}],
    }).raise_for_status()

    # `make clean`: the ledger is gone.
    monkeypatch.setenv("SWO_LEDGER_URL", f"sqlite:///{tmp_path / 'a-new-ledger.db'}")
    get_settings.cache_clear()
    tasks.runtime._ledger_for.cache_clear()

    state = await report_shipments("demo", return_state=True)
    counts = await state.aresult()
    assert (counts["reported"], counts["emails"]) == (1, 1)
    mails = [e for e in world.starweb.get("/_sim/emails", params={"orderId": order_id}).json()["data"]
             if e["statusId"] == SENT]
    assert len(mails) == 1, "the customer gets the shipment email after all"
    assert state.name == "NeedsAttention"
    summary = await Artifact.aget("report-shipments-demo-summary")
    assert summary is not None and "the ledger was lost or replaced" in str(summary.data)


def _due_now(kind: str, key: str) -> None:
    with tasks.runtime.ledger().session() as session:
        entry = quarantine.find_entry(session, "demo", kind, key)
        assert entry is not None
        quarantine.retry_now(session, entry.id)
