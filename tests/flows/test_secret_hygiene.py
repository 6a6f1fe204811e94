"""Secret and privacy hygiene: every flow runs with known secret values — credentials from environment
variables and from a Prefect Secret block, and the bearer tokens Starweb issues — over the demo customers'
orders, one run fails on a broken Ongoing, and then everything those runs left behind is searched: log
records (with their tracebacks), artifacts, flow-run names, parameters and state messages, what the flows
returned, every row of the ledger, and the exceptions of the failed run. None may hold a secret, and none a
customer's name, street, email or phone number; only orders' ids name them."""

from __future__ import annotations

import asyncio
import base64
import logging
import traceback
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prefect.blocks.system import Secret
from prefect.client.orchestration import get_client
from pydantic import SecretStr
from sqlalchemy import select

import tasks.runtime
from flows.initial_inbound import initial_inbound
from flows.order_changes import sync_order_changes
from flows.order_export import export_orders
from flows.order_release import release_orders
from flows.order_statuses import sync_order_statuses
from flows.product_sync import sync_products
from flows.purchase_orders import push_purchase_orders
from flows.receipts import track_receipts
from flows.reconcile import reconcile
from flows.return_announcement import announce_return
from flows.return_registration import register_returns
from flows.shipment_report import report_shipments
from flows.statistics import report_statistics
from flows.stock_sync import sync_stock
from integrations.ongoing.simulator import OngoingSimSettings
from integrations.ongoing.simulator import create_app as create_ongoing_app
from integrations.simulation.server import serve_in_thread
from integrations.starweb.client import StarwebClient, StarwebSettings
from integrations.starweb.models import OrderItemWrite
from integrations.starweb.simulator import StarwebSimSettings
from integrations.starweb.simulator import create_app as create_starweb_app
from integrations.starweb.simulator.state import TOKEN
from ledger.models import Base
from settings import PROJECT_ROOT, get_settings
from swo.demo_orders import DEMO_CHECKOUTS, order_for, place_demo_orders

STARWEB_SECRET = f"sw-secret-{uuid.uuid4().hex}"
ONGOING_PASSWORD = f"og-password-{uuid.uuid4().hex}"
SECRET_BLOCK = "hygiene-ongoing-password"


def customer_details() -> list[str]:
    """What identifies the demo customers: names as the warehouse gets them, streets, emails, the phone."""
    details = ["+46701234567"]
    for checkout in DEMO_CHECKOUTS:
        details += [f"{checkout.first_name} {checkout.last_name}", checkout.street,
                    f"{checkout.first_name.lower()}@example.com"]
    return details


class Captured(logging.Handler):
    """Every log record of the scenario, as text, tracebacks included."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))


@pytest.fixture
def hygienic_world(prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    starweb_app = create_starweb_app(settings=StarwebSimSettings(client_id="hygiene-client",
                                                                  client_secret=SecretStr(STARWEB_SECRET)))
    ongoing_settings = OngoingSimSettings(username="hygiene-api", password=SecretStr(ONGOING_PASSWORD))
    starweb, ongoing = serve_in_thread(starweb_app), serve_in_thread(create_ongoing_app(settings=ongoing_settings))
    try:
        httpx.post(f"{starweb.root_url}/_sim/seed").raise_for_status()
        httpx.post(f"{ongoing.root_url}/_sim/seed", json={"articles": True}).raise_for_status()
        merchants = tmp_path / "merchants"
        merchants.mkdir()
        text = (PROJECT_ROOT / "deployments" / "merchants" / "demo.yaml").read_text(encoding="utf-8")
        text = text.replace("merchant_id: demo", "merchant_id: hygiene")
        text = text.replace("http://127.0.0.1:8801/api/v2", f"{starweb.root_url}/api/v2")
        text = text.replace("http://127.0.0.1:8802/demo/api/v1", ongoing_settings.api_root(ongoing.root_url))
        text = text.replace("{env: DEMO_ONGOING_PASSWORD}", f"{{secret_block: {SECRET_BLOCK}}}")
        text = text.replace("DEMO_", "HYGIENE_")
        (merchants / "hygiene.yaml").write_text(text, encoding="utf-8")
        for name, value in {"HYGIENE_STARWEB_CLIENT_ID": "hygiene-client", "HYGIENE_STARWEB_CLIENT_SECRET":
                            STARWEB_SECRET, "HYGIENE_ONGOING_USERNAME": "hygiene-api"}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("SWO_MERCHANTS_DIR", str(merchants))
        monkeypatch.setenv("SWO_STATE_DIR", str(tmp_path / "state"))
        monkeypatch.setenv("SWO_LEDGER_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
        get_settings.cache_clear()
        tasks.runtime._ledger_for.cache_clear()
        Secret(value=ONGOING_PASSWORD).save(SECRET_BLOCK, overwrite=True)
        yield {"starweb": starweb, "ongoing": ongoing, "starweb_app": starweb_app,
               "shop": StarwebSettings(base_url=f"{starweb.root_url}/api/v2", client_id="hygiene-client",
                                       client_secret=SecretStr(STARWEB_SECRET))}
    finally:
        get_settings.cache_clear()
        tasks.runtime._ledger_for.cache_clear()
        starweb.stop()
        ongoing.stop()


def warehouse(world: dict[str, Any], path: str, body: dict[str, Any] | None = None) -> None:
    httpx.post(f"{world['ongoing'].root_url}/_sim{path}", json=body, timeout=30).raise_for_status()


async def run_every_flow(world: dict[str, Any]) -> tuple[list[Any], list[BaseException]]:
    """The merchant's whole week in one go; what every flow returned, and the failed run's exceptions."""
    merchant = "hygiene"
    returned: list[Any] = []
    returned.append(await sync_products(merchant))
    async with StarwebClient(world["shop"]) as shop:
        placed = await place_demo_orders(shop)
        returned.append(await export_orders(merchant))
        first, second = placed[0], placed[1]
        item = (await shop.get_order(first)).items[0]
        await shop.patch_order_item(first, item.item_id, OrderItemWrite(quantity=(item.quantity or 1) + 1))
    returned.append(await sync_order_changes(merchant))
    returned.append(await release_orders(merchant))
    for order_id in (first, second):
        warehouse(world, f"/orders/FJ-{order_id}/pick")
        warehouse(world, f"/orders/FJ-{order_id}/ship")
    returned.append(await report_shipments(merchant))
    returned.append(await sync_order_statuses(merchant))
    returned.append(await sync_stock(merchant, full=True))
    warehouse(world, f"/orders/FJ-{first}/return", {"cause": "REGRET"})
    returned.append(await register_returns(merchant))
    returned.append(await announce_return(merchant, second, {"POLE-CF-120": 1}, cause="REGRET"))
    expected = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    returned.append(await push_purchase_orders(merchant, rows=[{
        "purchase_order_number": "PO-H1", "supplier": "Kolfiber AB", "expected_date": expected,
        "sku": "POLE-CF-120", "quantity": 5}]))
    warehouse(world, "/purchaseOrders/PO-H1/receive")
    returned.append(await track_receipts(merchant))
    returned.append(await initial_inbound(merchant))
    returned.append(await report_statistics(merchant))
    returned.append(await reconcile(merchant))
    # Ongoing breaks down: the run fails, and its exception is searched too.
    httpx.post(f"{world['ongoing'].root_url}/_sim/faults", json={"rate_500": 1.0}).raise_for_status()
    async with StarwebClient(world["shop"]) as shop:
        await shop.create_order(order_for(DEMO_CHECKOUTS[0]))
    failed = await export_orders(merchant, return_state=True)
    errors: list[BaseException] = []
    if failed.is_failed():
        try:
            await failed.aresult()
        except BaseException as error:  # the exception is what is searched
            errors.append(error)
    return returned, errors


async def prefect_texts() -> list[str]:
    """What the Prefect API holds for an operator: flow runs (names, parameters, states) and artifacts."""
    texts: list[str] = []
    async with get_client() as client:
        for run in await client.read_flow_runs(limit=200):
            texts += [run.name, repr(run.parameters), repr(run.tags)]
            if run.state:
                texts += [run.state.name or "", run.state.message or "", repr(run.state.state_details)]
        for artifact in await client.read_artifacts(limit=200):
            texts += [artifact.key or "", artifact.description or "", repr(artifact.data)]
    return texts


def ledger_texts() -> list[str]:
    texts = []
    with tasks.runtime.ledger().session() as session:
        for table in Base.metadata.sorted_tables:
            texts += [repr(tuple(row)) for row in session.execute(select(table))]
    return texts


def test_no_secret_and_no_customer_detail_is_kept_anywhere(hygienic_world: dict[str, Any]) -> None:
    captured = Captured()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(captured)
    root.setLevel(logging.DEBUG)
    try:
        returned, errors = asyncio.run(run_every_flow(hygienic_world))
    finally:
        root.removeHandler(captured)
        root.setLevel(old_level)
    tokens = [t["token"] for t in hygienic_world["starweb_app"].state.sim.store.all(TOKEN)]
    assert tokens, "the runs logged in to Starweb"
    basic = base64.b64encode(f"hygiene-api:{ONGOING_PASSWORD}".encode()).decode()
    secrets = [STARWEB_SECRET, ONGOING_PASSWORD, basic, *tokens]

    assert errors, "the run on a broken Ongoing failed, and its exception is searched"
    everything = {
        "logs": captured.texts,
        "Prefect (runs, parameters, states, artifacts)": asyncio.run(prefect_texts()),
        "flow results": [repr(value) for value in returned],
        "ledger": ledger_texts(),
        "exceptions": ["".join(traceback.format_exception(error)) for error in errors],
    }
    assert len(everything["logs"]) > 100 and len(everything["ledger"]) > 20, "there was something to search"
    for where, texts in everything.items():
        blob = "\n".join(texts)
        assert not [s for s in secrets if s in blob], f"a secret in {where}"
        assert not [d for d in customer_details() if d in blob], f"customer details in {where}: " + ", ".join(
            d for d in customer_details() if d in blob)


def test_no_task_persists_its_result_where_customer_data_would_stay() -> None:
    """Task results are kept in memory only: a persisted result (a cached task) would keep the orders it read,
    addresses and all, in result storage."""
    from prefect import Task

    import tasks as task_package

    found = []
    for module_path in Path(task_package.__file__).parent.glob("*.py"):
        module = __import__(f"tasks.{module_path.stem}", fromlist=["_"])
        found += [value for value in vars(module).values() if isinstance(value, Task)]
    assert len(found) > 40
    assert [t.name for t in found if t.persist_result or t.result_storage is not None] == []
