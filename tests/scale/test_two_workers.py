"""Two workers, two merchants, one PostgreSQL: the production layout of docs/scaling.md, built with the
operator's own scripts, carries every order from export to stock without a duplicate or a loss.

A PostgreSQL of its own (``deploy/local-postgres.sh``: initdb and pg_ctl in a temporary folder), a Prefect
server on it, ``deploy/setup.sh`` (``swo setup`` and ``prefect deploy --all`` from the rendered
prefect.yaml) and two process workers (``deploy/worker.sh``) serve two merchants, each with a Starweb shop
and an Ongoing warehouse of its own in the simulators. Every step of the orders' life is a deployment run
the workers pick up: export, release, shipment report, stock. The overlap is deliberate: the same
deployment is run twice at once (Prefect's own per-deployment limit lifted, so only the ledger keeps the
runs apart), and one worker is killed, with the runs it was executing, between two customer emails. What
counts is what reached the vendors: one Ongoing order per Starweb order, never two Ongoing writes of one
goods owner at once, one email per shipment, every order released and reported, the shop's stock as the
warehouse's. Prefect's scheduler is off: the runs are the ones the test starts, as an operator would.

It takes several minutes, so it carries the ``scale`` marker, which ``make test`` leaves out: ``make
test-scale`` runs it (and ``.ci/run``, on every CI run). Skipped only outside CI on a machine
without PostgreSQL's binaries; with CI=true their absence fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import httpx
import pytest
from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.actions import DeploymentUpdate
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlalchemy import func, select

from deployments.automations import load_automations
from ledger.db import Ledger
from ledger.models import AuditEntry, QuarantineEntry
from ledger.models import Shipment as ShipmentRow
from swo.simulators import Simulators, start_simulators
from tests.flows.actors import Shop, Warehouse
from tests.scale.installation import PROJECT_ROOT, Installation, installation_environment, postgres_binaries

pytestmark = [pytest.mark.scale, pytest.mark.filterwarnings("ignore::UserWarning")]

CREDENTIALS = {"STARWEB_CLIENT_ID": "demo-client", "STARWEB_CLIENT_SECRET": "demo-secret",
               "ONGOING_USERNAME": "demo-api", "ONGOING_PASSWORD": "demo-password"}
SENT = 3  # the demo shop's "completed" status, which emails the customer
ORDERS = {"demo": [[("POLE-CF-120", 1)], [("SOCK-MER-42", 2)], [("THERMOS-1L", 1)], [("POLE-CF-135", 1)],
                   [("SOCK-MER-38", 1), ("TENT-FJ2", 1)]],
          "norr": [[("SOCK-MER-42", 1)], [("POLE-CF-120", 2)], [("THERMOS-1L", 1), ("SOCK-MER-38", 3)]]}
RUN_SECONDS = 420  # a deployment run from creation to its end, on a busy machine
HEARTBEAT_SECONDS = 30  # how often a run says it is alive (180 s by default, 30 at least)
CRASH_AFTER = timedelta(seconds=90)  # the unresponsive-run automation's wait, compressed from its 5 minutes


@dataclass
class Merchant:
    """One merchant of the installation: its simulators and the people acting in them."""

    merchant_id: str
    prefix: str
    sims: Simulators

    @property
    def shop(self) -> Shop:
        return Shop(self.sims.starweb_api)

    def warehouse(self, admin: httpx.Client) -> Warehouse:
        return Warehouse(admin, self.sims.ongoing_api)

    def emails(self) -> dict[int, list[int]]:
        """Status ids of the customer emails per order (the order confirmations left out)."""
        with self.sims.admin("starweb") as starweb:
            sent = starweb.get("/_sim/emails").json()["data"]
        found: dict[int, list[int]] = {}
        for email in sent:
            if email["kind"] == "status_change":
                found.setdefault(email["orderId"], []).append(email["statusId"])
        return found

    def ongoing_writes(self) -> dict[str, Any]:
        with self.sims.admin("ongoing") as ongoing:
            return ongoing.get("/_sim/writes").json()["goodsOwners"]["1"]


def merchant_file(merchant: Merchant) -> str:
    text = (PROJECT_ROOT / "deployments" / "merchants" / "demo.yaml").read_text()
    text = text.replace("http://127.0.0.1:8801/api/v2", merchant.sims.starweb_api)
    text = text.replace("http://127.0.0.1:8802/demo/api/v1", merchant.sims.ongoing_api)
    if merchant.merchant_id != "demo":
        text = text.replace("merchant_id: demo", f"merchant_id: {merchant.merchant_id}")
        text = text.replace("warehouse: demo", f"warehouse: {merchant.sims.ongoing_settings.warehouse}")
        text = text.replace('number_prefix: "FJ-"', f'number_prefix: "{merchant.prefix}"')
        text = text.replace("{env: DEMO_", f"{{env: {merchant.merchant_id.upper()}_")
    return text


@pytest.fixture
def merchants() -> Iterator[dict[str, Merchant]]:
    found = {"demo": Merchant("demo", "FJ-", start_simulators()),
             "norr": Merchant("norr", "NO-", start_simulators(warehouse="north"))}
    for merchant in found.values():
        merchant.sims.seed_demo()
    yield found
    for merchant in found.values():
        merchant.sims.stop()


@pytest.fixture
def installation(merchants: dict[str, Merchant], tmp_path: Path) -> Iterator[Installation]:
    if postgres_binaries() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but PostgreSQL's initdb is not installed (.ci/run installs it)", pytrace=False)
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)")
    merchants_dir = tmp_path / "merchants"
    merchants_dir.mkdir()
    for merchant in merchants.values():
        (merchants_dir / f"{merchant.merchant_id}.yaml").write_text(merchant_file(merchant))
    credentials = {f"{m.upper()}_{name}": value for m in merchants for name, value in CREDENTIALS.items()}
    home = tmp_path / "installation"
    home.mkdir()
    environment = installation_environment(
        os.environ, home, SWO_MERCHANTS_DIR=str(merchants_dir), PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false", PREFECT_LOGGING_TO_API_ENABLED="false",
        PREFECT_WORKER_QUERY_SECONDS="2", PREFECT_FLOWS_HEARTBEAT_FREQUENCY=str(HEARTBEAT_SECONDS),
        SWO_WORKER_LIMIT="2", **credentials)
    built = Installation(home, environment)
    try:
        built.environment.update(built.start_postgres())
        built.say("PostgreSQL started")
        built.start_prefect_server()
        built.say("Prefect server answers")
        built.run("setup.sh", SWO_PREFECT_FILE=str(home / "prefect.yaml"))
        built.say("set up and deployed")
        built.start_worker("worker-a")
        built.start_worker("worker-b")
        yield built
    finally:
        built.stop()


# --- driving deployments ------------------------------------------------------------------------


async def lift_deployment_limit(client: PrefectClient, name: str) -> None:
    """Take away Prefect's one-run-per-deployment guard, so two runs of it really overlap."""
    deployment = await client.read_deployment_by_name(name)
    await client.update_deployment(deployment.id, DeploymentUpdate(concurrency_limit=None))


async def start_runs(*names: str) -> list[UUID]:
    """Create a run of each named deployment at once; the workers pick them up."""
    # run_deployment is sync-or-async; in a coroutine it returns an awaitable, which its type does not say.
    runs = await asyncio.gather(*(cast(Awaitable[FlowRun], run_deployment(name, timeout=0, as_subflow=False))
                                  for name in names))
    return [run.id for run in runs]


async def read_runs(client: PrefectClient, ids: list[UUID]) -> dict[UUID, FlowRun]:
    runs = await client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)))
    return {run.id: run for run in runs}


async def wait_for_runs(client: PrefectClient, ids: list[UUID], installation: Installation,
                        timeout: float = RUN_SECONDS) -> dict[UUID, FlowRun]:
    """Poll until every run is final; fail with the workers' output if one is not by the deadline."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        runs = await read_runs(client, ids)
        if len(runs) == len(ids) and all(r.state is not None and r.state.is_final() for r in runs.values()):
            return runs
        if asyncio.get_running_loop().time() > deadline:
            states = {str(i): runs[i].state.name if i in runs and runs[i].state else "?" for i in ids}
            workers = "\n".join(f"--- {p.name}\n{p.output()}" for p in installation.processes if "worker" in p.name)
            raise AssertionError(f"runs not over after {timeout:g} s: {states}\n{workers}")
        await asyncio.sleep(1)


def completed(runs: dict[UUID, FlowRun]) -> list[str]:
    """The state names of runs that did not complete (empty when all did)."""
    return [f"{run.name}: {run.state.name} {run.state.message}" for run in runs.values()
            if run.state is None or not run.state.is_completed()]


async def compress_crash_detection(client: PrefectClient) -> None:
    """The test cannot wait the automation's 5 minutes: the same automation, with a 90 s wait (runs here
    send a heartbeat every 30 s)."""
    (installed,) = await client.read_automations_by_name("swo: crash unresponsive runs")
    (shipped,) = load_automations(None)
    shipped.trigger.within = CRASH_AFTER
    await client.update_automation(installed.id, shipped)


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


# --- the vendors' side ------------------------------------------------------------------------------


def count_by_key(ledger: Ledger, operation: str, merchant_id: str) -> dict[str, int]:
    with ledger.session() as session:
        rows = session.execute(select(AuditEntry.key, func.count()).where(
            AuditEntry.operation == operation, AuditEntry.merchant_id == merchant_id, AuditEntry.outcome == "written",
        ).group_by(AuditEntry.key))
        return {key: count for key, count in rows}


def ongoing_orders_named(merchant: Merchant, number: str) -> int:
    with httpx.Client(base_url=merchant.sims.ongoing_api, auth=("demo-api", "demo-password"), timeout=30) as api:
        return len(api.get("/orders", params={"goodsOwnerId": 1, "orderNumber": number}).json())


def sellable(merchant: Merchant, sku: str) -> float:
    with httpx.Client(base_url=merchant.sims.ongoing_api, auth=("demo-api", "demo-password"), timeout=30) as api:
        (article,) = api.get("/articles", params={"goodsOwnerId": 1, "articleNumber": sku}).json()
    return float(article["inventoryInfo"]["sellableNumberOfItems"])


async def shop_stock(merchant: Merchant) -> dict[str, int]:
    """Every variant's stock figure in the merchant's shop, by SKU."""
    found: dict[str, int] = {}
    async with merchant.shop.client() as shop:
        async for product in shop.iter_products():
            async for variant in shop.iter_variants(product.product_id):
                found[variant.sku or ""] = int(variant.stock_quantity or 0)
    return found


# --- the test -------------------------------------------------------------------------------------


async def test_two_workers_carry_every_order_once_from_export_to_stock(
        installation: Installation, merchants: dict[str, Merchant]) -> None:
    placed = {m: [await merchants[m].shop.place_order(items) for items in ORDERS[m]] for m in merchants}
    number = {(m, order): f"{merchants[m].prefix}{order}" for m in merchants for order in placed[m]}
    ledger = Ledger(installation.environment["SWO_LEDGER_URL"], migrate=False)
    admins = {m: merchants[m].sims.admin("ongoing") for m in merchants}
    with temporary_settings({PREFECT_API_URL: installation.api_url}):
        async with get_client() as client:
            await compress_crash_detection(client)
            for name in ("export-orders/demo", "export-orders/norr", "release-orders/demo", "release-orders/norr",
                         "report-shipments/norr", "sync-stock/demo", "sync-stock/norr"):
                await lift_deployment_limit(client, name)

            # Export: each merchant's export deployment twice at once.
            runs = await wait_for_runs(client, await start_runs(*[f"export-orders/{m}" for m in merchants] * 2),
                                       installation)
            assert completed(runs) == []
            for m, merchant in merchants.items():
                for order in placed[m]:
                    assert ongoing_orders_named(merchant, number[m, order]) == 1
                assert count_by_key(ledger, "PUT /orders", m) == {number[m, o]: 1 for o in placed[m]}, \
                    "each order was sent once, by one of the two runs"

            installation.say("exported")
            # Release: twice at once; one run holds the merchant's release lock, the other waits its turn.
            runs = await wait_for_runs(client, await start_runs(*[f"release-orders/{m}" for m in merchants] * 2),
                                       installation)
            assert completed(runs) == []
            for m, merchant in merchants.items():
                for order in placed[m]:
                    assert merchant.warehouse(admins[m]).status(number[m, order]) == 300
                    assert (await merchant.shop.order(order)).status_id == 2
                released = count_by_key(ledger, "PATCH /orders/{orderId}/orderStatus", m)
                assert {number[m, o]: released.get(number[m, o]) for o in placed[m]} == {
                    number[m, o]: 1 for o in placed[m]}, "each order was moved to picking once"

            installation.say("released")
            # The warehouse ships everything, each parcel with its waybill.
            for m in merchants:
                for order in placed[m]:
                    admins[m].post(f"/_sim/orders/{number[m, order]}/pick").raise_for_status()
                    admins[m].post(f"/_sim/orders/{number[m, order]}/ship",
                                   json={"waybill": f"0037{order:016d}"}).raise_for_status()

            # Shipment report: demo's run is killed with its worker between two customer emails; norr's
            # report runs twice at once meanwhile.
            demo = merchants["demo"]
            with demo.sims.admin("starweb") as starweb:
                starweb.post("/_sim/faults", json={"latency_ms": 800}).raise_for_status()
            (doomed,) = await start_runs("report-shipments/demo")
            norr_runs = await start_runs("report-shipments/norr", "report-shipments/norr")
            deadline = asyncio.get_running_loop().time() + RUN_SECONDS
            while not demo.emails():
                assert asyncio.get_running_loop().time() < deadline, "the shipment report never emailed"
                await asyncio.sleep(0.1)
            run = (await read_runs(client, [doomed]))[doomed]
            assert run.infrastructure_pid, "the run reports where it runs"
            run_pid = int(run.infrastructure_pid.rsplit(":", 1)[-1])  # "pid" or "host:pid"
            killed = next(p for p in installation.processes
                          if p.name.startswith("worker") and p.alive() and p.popen.pid == parent_of(run_pid))
            killed.kill_group()
            installation.say(f"killed {killed.name} and flow run {doomed}")
            with contextlib.suppress(ProcessLookupError):
                os.kill(run_pid, signal.SIGKILL)  # a run in a session of its own dies with its machine too
            emailed_before_kill = sum(len(e) for e in demo.emails().values())
            assert 1 <= emailed_before_kill < len(placed["demo"]), "killed between two customer emails"
            assert (await read_runs(client, [doomed]))[doomed].state.is_running(), "Prefect cannot know yet"
            installation.start_worker(killed.name)  # its supervisor starts it again
            with demo.sims.admin("starweb") as starweb:
                starweb.delete("/_sim/faults").raise_for_status()

            norr_over = await wait_for_runs(client, norr_runs, installation)
            lost = [run for run in norr_over.values() if not run.state.is_completed()]
            assert all(run.state.is_crashed() for run in lost), completed(norr_over)
            if lost:  # a norr run was on the killed worker too: the next poll does what it could not
                installation.say(f"{len(lost)} norr run(s) died with the worker; one more run")
                assert completed(await wait_for_runs(client, await start_runs("report-shipments/norr"),
                                                     installation)) == []
            installation.say("norr reported")
            crashed = await wait_for_runs(client, [doomed], installation, timeout=CRASH_AFTER.total_seconds() + 120)
            assert crashed[doomed].state.is_crashed(), "its heartbeats stopped: the automation marked it Crashed"
            installation.say("the killed run is Crashed")
            runs = await wait_for_runs(client, await start_runs("report-shipments/demo"), installation)
            assert completed(runs) == [], "Prefect's own limit let the next run in once the killed one was over"

            for m, merchant in merchants.items():
                assert merchant.emails() == {order: [SENT] for order in placed[m]}, "one email per shipment"
                for order in placed[m]:
                    shown = await merchant.shop.order(order)
                    assert (shown.status_id, shown.shipping_tracking_no) == (SENT, f"0037{order:016d}")
                with ledger.session() as session:
                    states = session.scalars(select(ShipmentRow.state).where(ShipmentRow.merchant_id == m)).all()
                assert sorted(states) == ["acknowledged"] * len(placed[m])

            installation.say("demo reported")
            # Stock: twice at once; the shop shows what the warehouse can sell.
            runs = await wait_for_runs(client, await start_runs(*[f"sync-stock/{m}" for m in merchants] * 2),
                                       installation)
            assert completed(runs) == []

    installation.say("stock synced")
    for m, merchant in merchants.items():
        in_shop = await shop_stock(merchant)
        for sku in sorted({sku for items in ORDERS[m] for sku, _ in items}):
            assert in_shop[sku] == sellable(merchant, sku), f"{m} {sku}"
        writes = merchant.ongoing_writes()
        assert writes["overlaps"] == 0 and writes["maxInFlight"] == 1, \
            f"one Ongoing writer per goods owner across both workers: {writes}"
    with ledger.session() as session:
        open_entries = session.scalars(select(QuarantineEntry).where(QuarantineEntry.resolved_at.is_(None))).all()
    assert [(e.kind, e.key, e.reason) for e in open_entries] == [], "nothing was left for a person"
    for name in ("worker-a", "worker-b"):
        log = (installation.home / f"{name}.log").read_text()
        assert "- Finished in state Completed" in log, f"{name} ran deployment runs to their end too"
    ledger.dispose()
    for admin in admins.values():
        admin.close()

