"""End to end: vendor webhooks through the real receiver into Prefect, deployment triggers that coalesce a
burst into one run, and runs that take the events' records (and the ones that follow) from the ledger."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.objects import FlowRun
from prefect.events.schemas.deployment_triggers import DeploymentEventTrigger
from prefect.settings import PREFECT_API_URL

from deployments.build import EventTriggerSpec, build_deployments, to_runner_deployments
from domain.webhook_events import Delivery, merchant_resource_id
from flows.order_export import export_orders
from flows.return_registration import register_returns
from flows.shipment_report import report_shipments
from ledger.models import WebhookDelivery, WebhookTake
from ledger.types import utcnow
from swo.settings import get_settings
from swo.webhook_setup import register_starweb_web_hooks, set_up_ongoing_simulator, start_receiver
from tasks.runtime import load_merchant
from tests.flows.actors import Shop, Warehouse, ledger_rows
from tests.flows.conftest import World
from webhooks.emitter import PrefectEventSink, event_for

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

SECRETS = {"DEMO_WEBHOOK_STARWEB_TOKEN": "e2e-starweb-secret", "DEMO_WEBHOOK_ONGOING_TOKEN": "e2e-ongoing-secret"}


@flow(name="probe-coalescing")
def probe(merchant_id: str, event_at: datetime | None = None) -> None:
    """Never run: only its deployments' triggers are under test."""


@dataclass
class Wired:
    """The demo merchant with its webhooks set up in both simulators, into a receiver on a real port."""

    world: World
    receiver_url: str
    shop: Shop
    warehouse: Warehouse


async def eventually(check: Callable[[], Any], *, timeout: float = 90.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if asyncio.iscoroutine(found):
            found = await found
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.3)


async def runs_of(deployment_id: uuid.UUID) -> list[FlowRun]:
    async with get_client() as client:
        only = DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
        return await client.read_flow_runs(deployment_filter=only)


def with_window(world: World, seconds: int) -> None:
    path = world.merchants_dir / "demo.yaml"
    path.write_text(path.read_text().replace("event_window_seconds: 60", f"event_window_seconds: {seconds}"))


@pytest.fixture
async def wired(world: World, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Wired]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    receiver = start_receiver(host="127.0.0.1", port=None, merchants_dir=world.merchants_dir,
                              ledger_url=get_settings().resolved_ledger_url, prefect_api_url=PREFECT_API_URL.value())
    merchant = load_merchant("demo")
    await register_starweb_web_hooks(merchant, receiver.root_url)
    await set_up_ongoing_simulator(merchant, receiver.root_url, world.sims.ongoing.root_url)
    yield Wired(world, receiver.root_url, Shop(world.sims.starweb_api),
                Warehouse(world.ongoing, world.sims.ongoing_api))
    receiver.stop()


def prefect_trigger(spec: EventTriggerSpec) -> DeploymentEventTrigger:
    return DeploymentEventTrigger.model_validate(spec.as_prefect_trigger())


async def test_a_burst_of_events_starts_one_run_and_the_run_is_told_when_its_window_opened(
        prefect_harness: None) -> None:
    merchant_id = f"burst-{uuid.uuid4().hex[:8]}"
    resource = merchant_resource_id(merchant_id)
    coalesced = await probe.ato_deployment(name=merchant_id, parameters={"merchant_id": merchant_id}, triggers=[
        prefect_trigger(EventTriggerSpec(("starweb.order.created",), resource, window_seconds=60))])
    # A second automation on the same merchant: when its run appears, the burst before it has been evaluated.
    sentinel = await probe.ato_deployment(name=f"{merchant_id}-sentinel", parameters={"merchant_id": merchant_id},
                                          triggers=[prefect_trigger(EventTriggerSpec(("swo.test.sentinel",),
                                                                                     resource, 0))])
    coalesced_id, sentinel_id = await coalesced.aapply(), await sentinel.aapply()

    emitted = []
    async with PrefectEventSink(PREFECT_API_URL.value(), budget_seconds=10) as sink:
        for n in range(100):
            delivery = Delivery("starweb", "starweb.order.created", "order", str(1000 + n), f"burst-{n}")
            event = event_for(merchant_id, delivery, received_at=utcnow(), emitted_at=utcnow())
            await sink.emit(event)
            emitted.append(event)
        await sink.emit(event_for(merchant_id, Delivery("starweb", "swo.test.sentinel", "order", None, "sentinel"),
                                  received_at=utcnow(), emitted_at=utcnow()))

    await eventually(lambda: runs_of(sentinel_id), what="the sentinel's run")
    (run,) = await runs_of(coalesced_id)
    assert run.parameters == {"merchant_id": merchant_id, "event_at": emitted[0]["payload"]["emitted_at"]}


async def test_an_order_event_starts_a_run_that_also_takes_the_orders_placed_while_it_stays(wired: Wired) -> None:
    with_window(wired.world, 15)
    (spec,) = [s for s in build_deployments([load_merchant("demo")]) if s.flow_name == "export-orders"]
    (deployment,) = await asyncio.to_thread(to_runner_deployments, [spec])
    deployment_id = await deployment.aapply()

    first = await wired.shop.place_order([("POLE-CF-120", 1)])
    (triggered,) = await eventually(lambda: runs_of(deployment_id), what="the run the order's event starts")
    # The served deployment would run it in a process of its own; here it runs in the test's.
    following = asyncio.create_task(export_orders(**triggered.parameters))
    await eventually(lambda: wired.warehouse.order(f"FJ-{first}"), what="the first order in Ongoing")
    second = await wired.shop.place_order([("SOCK-MER-42", 2)])
    counts = await following

    assert wired.warehouse.lines(f"FJ-{second}") == {"SOCK-MER-42": 2}
    # One run exported both (each order's "created" and "completed" events may come in separate passes).
    assert counts["created"] == 2 and counts["passes"] >= 2
    taken = {(d.record, t.process) for d in ledger_rows(WebhookDelivery) for t in ledger_rows(WebhookTake)
             if t.delivery_id == d.id}
    assert {(str(first), "export-orders"), (str(second), "export-orders")} <= taken


async def test_a_shipment_in_ongoing_reaches_starweb_through_its_webhook(wired: Wired) -> None:
    with_window(wired.world, 1)
    order_id = await wired.shop.place_order([("POLE-CF-120", 1)])
    await export_orders("demo")  # exported by the poll: this test is about the way back
    wired.warehouse.pick(f"FJ-{order_id}")
    wired.world.ongoing.post(f"/_sim/orders/FJ-{order_id}/ship", json={"waybill": "SIM-E2E-1"}).raise_for_status()

    shipped = await eventually(lambda: [d for d in ledger_rows(WebhookDelivery, event="ongoing.order.shipped")
                                        if d.record == f"FJ-{order_id}" and d.emitted_at], what="the shipped webhook")
    counts = await report_shipments("demo", event_at=shipped[0].received_at)

    order = await wired.shop.order(order_id)
    assert order.shipping_tracking_no == "SIM-E2E-1"
    emails = wired.world.starweb.get("/_sim/emails", params={"orderId": order_id}).json()["data"]
    assert [e["kind"] for e in emails] == ["status_change"]
    assert counts["passes"] == 1


async def test_a_return_in_ongoing_is_registered_in_starweb_through_its_webhook(wired: Wired) -> None:
    with_window(wired.world, 1)
    order_id = await wired.shop.place_order([("SOCK-MER-42", 1)])
    await export_orders("demo")
    wired.warehouse.pick(f"FJ-{order_id}")
    wired.world.ongoing.post(f"/_sim/orders/FJ-{order_id}/ship", json={"waybill": "SIM-E2E-2"}).raise_for_status()
    await report_shipments("demo")
    wired.world.ongoing.post(f"/_sim/orders/FJ-{order_id}/return", json={"cause": "REGRET"}).raise_for_status()

    returned = await eventually(lambda: [d for d in ledger_rows(WebhookDelivery, event="ongoing.order.returned")
                                         if d.record == f"FJ-{order_id}" and d.emitted_at], what="the returned webhook")
    counts = await register_returns("demo", event_at=returned[0].received_at)

    assert counts["registered"] == 1 and counts["passes"] >= 1
    assert (await wired.shop.order(order_id)).status_id == 7  # the demo map's "returned"
    assert any(t.startswith("Retur #") and "SOCK-MER-42 × 1" in t for t in await wired.shop.comments(order_id))


async def test_with_30_percent_of_deliveries_lost_the_backstop_poll_exports_every_order(wired: Wired) -> None:
    wired.world.starweb.put("/_sim/web-hooks/delivery", json={"lossRate": 0.3, "seed": 4}).raise_for_status()
    placed = [await wired.shop.place_order([("THERMOS-1L", 1)]) for _ in range(10)]
    deliveries = wired.world.starweb.get("/_sim/web-hooks/deliveries", params={"waitSeconds": 10}).json()["data"]
    # Each new order fires "order-created" and "order-completed": an order is lost to events when both are.
    delivered = {int(d["event"].split()[1]) for d in deliveries if d["outcome"] != "lost"}
    lost = set(placed) - delivered
    received = {int(d.record) for d in ledger_rows(WebhookDelivery) if d.record}

    await export_orders("demo")  # the backstop poll, as its schedule would start it

    assert lost and received.isdisjoint(lost)  # those orders' webhooks never reached the connector
    assert all(wired.warehouse.order(f"FJ-{order_id}") is not None for order_id in placed)


async def test_unauthenticated_calls_to_the_served_receiver_are_refused(wired: Wired) -> None:
    async with httpx.AsyncClient(base_url=wired.receiver_url) as client:
        starweb = await client.post("/starweb/demo/not-the-secret", json={"uuid": "x", "eventId": "order-created",
                                                                          "orderId": 1001})
        ongoing = await client.post("/ongoing/demo", json={"orderNumber": "FJ-1001", "orderStatus": {"number": 450}})

    assert (starweb.status_code, ongoing.status_code) == (401, 401)
    assert ledger_rows(WebhookDelivery) == []
