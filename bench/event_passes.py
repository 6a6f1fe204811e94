"""Benchmark: where the wall time of an event-started export and shipment report goes, pass by pass.

Not a test. Starts both simulators and a Prefect server of its own on free ports, places orders, records
their webhook deliveries in the ledger as the receiver would, and runs ``export-orders`` (and then, after
shipping the orders in the Ongoing simulator, ``report-shipments``) in this process as an event-started
run with a one-second window. Every Prefect task, vendor call, ledger session, write-slot acquire and
release and artifact call is timed by wall clock (awaits included), and the totals are printed per pass
and per order.

    .venv/bin/python -m bench.event_passes                 # 10 orders, in 2 passes of 5
    .venv/bin/python -m bench.event_passes --orders 20 --passes 4
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import inspect
import os
import socket
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from settings import PROJECT_ROOT

CREDENTIALS = {"DEMO_STARWEB_CLIENT_ID": "demo-client", "DEMO_STARWEB_CLIENT_SECRET": "demo-secret",
               "DEMO_ONGOING_USERNAME": "demo-api", "DEMO_ONGOING_PASSWORD": "demo-password"}
SKUS = ("SOCK-MER-42", "THERMOS-1L", "POLE-CF-120")


class Clock:
    """Wall time per label, with call counts; nested labels overlap (a vendor write inside a task)."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: defaultdict[str, int] = defaultdict(int)

    def add(self, label: str, seconds: float) -> None:
        if os.environ.get("BENCH_EACH") and label.startswith("write slot: acquire"):
            print(f"    {label}: {seconds:.3f} s", flush=True)
        self.seconds[label] += seconds
        self.calls[label] += 1

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()

    def print(self, title: str, wall: float, orders: int) -> None:
        print(f"{title}: {wall:.2f} s wall, {wall / max(orders, 1):.3f} s per order")
        for label, seconds in sorted(self.seconds.items(), key=lambda item: -item[1]):
            print(f"  {seconds:7.3f} s  {self.calls[label]:4d}×  {label}")


CLOCK = Clock()


def timed_async(owner: Any, name: str, label: Callable[..., str]) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            CLOCK.add(label(*args, **kwargs), time.perf_counter() - start)

    setattr(owner, name, wrapper)


def timed_context(owner: Any, name: str, label: str) -> None:
    """Time a sync or async context manager from entering to leaving."""
    original = getattr(owner, name)

    class Timed:
        def __init__(self, inner: Any) -> None:
            self.inner, self.start = inner, 0.0

        def __enter__(self) -> Any:
            self.start = time.perf_counter()
            return self.inner.__enter__()

        def __exit__(self, *exc: Any) -> Any:
            try:
                return self.inner.__exit__(*exc)
            finally:
                CLOCK.add(label, time.perf_counter() - self.start)

        async def __aenter__(self) -> Any:
            self.start = time.perf_counter()
            return await self.inner.__aenter__()

        async def __aexit__(self, *exc: Any) -> Any:
            try:
                return await self.inner.__aexit__(*exc)
            finally:
                CLOCK.add(label, time.perf_counter() - self.start)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Timed:
        return Timed(original(*args, **kwargs))

    setattr(owner, name, wrapper)


def timed_tasks(module: Any) -> None:
    """Time each Prefect task a flow module calls, engine overhead included (sync or async)."""
    from prefect import Task

    for name, value in list(vars(module).items()):
        if not isinstance(value, Task):
            continue

        def wrapper(*args: Any, task: Any = value, label: str = f"task {value.name}", **kwargs: Any) -> Any:
            start = time.perf_counter()
            result = task(*args, **kwargs)
            if not inspect.isawaitable(result):
                CLOCK.add(label, time.perf_counter() - start)
                return result

            async def waited() -> Any:
                try:
                    return await result
                finally:
                    CLOCK.add(label, time.perf_counter() - start)
            return waited()

        setattr(module, name, wrapper)


def instrument() -> None:
    """Wrap what a pass spends its time in (imported late: after the environment is set)."""
    import prefect.artifacts
    import prefect.concurrency._asyncio as slots

    import flows.order_export
    import flows.shipment_report
    import tasks.order_export
    import tasks.progress
    import tasks.reporting
    import tasks.shipments
    from integrations.http import VendorHttp
    from ledger.db import Ledger
    from tasks import write_slots

    timed_async(VendorHttp, "request",
                lambda self, method, path, **kw: f"{self.vendor} {kw.get('endpoint') or method + ' ' + path}")
    timed_context(Ledger, "session", "ledger session")
    if os.environ.get("BENCH_EACH"):
        from prefect.client.orchestration import PrefectClient

        original = PrefectClient.increment_concurrency_slots_with_lease

        async def logged(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return await original(self, *args, **kwargs)
            except httpx.HTTPStatusError as exc:
                print(f"    slot: {exc.response.status_code} Retry-After {exc.response.headers.get('Retry-After')}")
                raise

        PrefectClient.increment_concurrency_slots_with_lease = logged  # type: ignore[method-assign]
    timed_async(slots, "aacquire_concurrency_slots_with_lease", lambda *a, **k: "write slot: acquire (Prefect API)")
    timed_async(slots, "arelease_concurrency_slots_with_lease", lambda *a, **k: "write slot: release (Prefect API)")
    timed_context(write_slots, "concurrency", "write slot: held, acquire to release")
    for module in (tasks.progress, prefect.artifacts):
        for name in ("acreate_progress_artifact", "aupdate_progress_artifact"):
            if hasattr(module, name):
                timed_async(module, name, lambda *a, name=name, **k: f"artifact: {name}")
    timed_async(tasks.reporting, "publish_report", lambda *a, **k: "artifact: run report (table + summary)")
    for flow_module in (flows.order_export, flows.shipment_report):
        timed_tasks(flow_module)
    timed_async(flows.order_export, "export_pass", lambda *a, **k: "pass (flow body)")
    timed_async(flows.shipment_report, "shipments_pass", lambda *a, **k: "pass (flow body)")
    for module in (tasks.order_export, tasks.shipments):
        for name in dir(module):
            if name.startswith("_") and asyncio.iscoroutinefunction(getattr(module, name)):
                timed_async(module, name, lambda *a, name=name, **k: f"step {name}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def stack(state: Path) -> Iterator[Any]:
    """Simulators and a Prefect server on free ports; the demo merchant pointed at them, window 1 s."""
    from swo.prefect_server import ensure_prefect_server, server_environment
    from swo.simulators import start_simulators

    server = ensure_prefect_server(state, port=free_port())
    os.environ.update(server_environment(state))
    os.environ["PREFECT_API_URL"] = server.api_url
    sims = start_simulators(state_dir=None)
    sims.seed_demo()
    merchants = state / "merchants"
    merchants.mkdir()
    demo = (PROJECT_ROOT / "deployments" / "merchants" / "demo.yaml").read_text()
    demo = demo.replace("http://127.0.0.1:8801/api/v2", sims.starweb_api)
    demo = demo.replace("http://127.0.0.1:8802/demo/api/v1", sims.ongoing_api)
    (merchants / "demo.yaml").write_text(demo.replace("event_window_seconds: 60", "event_window_seconds: 1"))
    os.environ.update({**CREDENTIALS, "SWO_MERCHANTS_DIR": str(merchants),
                       "SWO_LEDGER_URL": f"sqlite:///{state / 'ledger.db'}", "SWO_STATE_DIR": str(state)})
    try:
        yield sims
    finally:
        sims.stop()
        server.stop()


def deliver(event: str, records: list[str]) -> None:
    """Record the deliveries the receiver would have recorded for these events."""
    from ledger.types import utcnow
    from ledger.webhooks import mark_emitted, record_delivery
    from tasks.runtime import ledger

    with ledger().session() as session:
        for record in records:
            now = utcnow()
            _, row = record_delivery(session, merchant_id="demo", source=event.split(".")[0],
                                     key=f"{event}-{record}-{now.isoformat()}", event=event, record=record,
                                     received_at=now)
            mark_emitted(session, row.id, now)


async def event_run(flow: Any, deliveries: list[tuple[str, list[str]]], orders: int, title: str) -> None:
    """One event-started run whose passes each take one group of deliveries."""
    from ledger.types import utcnow

    passes = iter(deliveries)
    deliver(*next(passes))
    first = utcnow()

    async def feed() -> None:  # the next group arrives while the run looks again
        for group in passes:
            await asyncio.sleep(2)
            deliver(*group)

    CLOCK.reset()
    start = time.perf_counter()
    feeder = asyncio.create_task(feed())
    counts = await flow("demo", event_at=first - timedelta(seconds=5))  # its window is over: it stops when idle
    await feeder
    CLOCK.print(f"{title} {counts}", time.perf_counter() - start, orders)


def place_orders(shop: httpx.Client, count: int) -> list[int]:
    home = {"firstName": "Bo", "lastName": "Bench", "address": "Storgatan 1", "postalCode": "111 22",
            "city": "Stockholm", "countryCode": "SE"}
    placed = []
    for n in range(count):
        body = {"shippingMethodId": 1, "paymentMethodId": 1, "currencyCode": "SEK", "statusId": 1,
                "isComplete": True, "originalCustomerEmail": "bench@example.se", "onOrderStatusChangeSendEmail": False,
                "items": [{"sku": SKUS[n % len(SKUS)], "quantity": 1}],
                "addresses": {"originalDelivery": home, "originalInvoice": home}}
        response = shop.post("/orders", json=body)
        response.raise_for_status()
        placed.append(int(response.json()["data"]["orderId"]))
    return placed


def groups(records: list[str], passes: int) -> list[list[str]]:
    size = -(-len(records) // passes)
    return [records[n:n + size] for n in range(0, len(records), size)]


async def main_async(args: argparse.Namespace) -> None:
    from flows.order_export import export_orders
    from flows.shipment_report import report_shipments
    from tasks.runtime import load_merchant
    from tasks.write_slots import ensure_write_limits

    await ensure_write_limits([load_merchant("demo")])
    sims = args.sims
    form = {"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"}
    token = httpx.post(f"{sims.starweb_api}/token", data=form).json()["access_token"]
    shop = httpx.Client(base_url=sims.starweb_api, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    await export_orders("demo")  # the first activation (full export, cursor set), as before webhooks
    # A warm-up run, as the served run's process has imported everything before its first pass.
    deliver("starweb.order.created", [str(n) for n in place_orders(shop, 1)])
    await export_orders("demo", event_at=__import__("ledger.types").types.utcnow() - timedelta(seconds=5))

    placed = [str(n) for n in place_orders(shop, args.orders)]
    await event_run(export_orders, [("starweb.order.created", g) for g in groups(placed, args.passes)],
                    args.orders, "export-orders")

    with sims.admin("ongoing") as warehouse:
        for order_id in placed:
            warehouse.post(f"/_sim/orders/FJ-{order_id}/pick").raise_for_status()
        shipped = []
        for group in groups(placed, args.passes):
            shipped.append(("ongoing.order.shipped", [f"FJ-{n}" for n in group]))
        # Ship the first group now; the others are shipped as their deliveries arrive would be more exact, but
        # Ongoing lists every sent order in one read, so shipping all first only moves work into the first pass.
        for order_id in groups(placed, args.passes)[0]:
            warehouse.post(f"/_sim/orders/FJ-{order_id}/ship", json={"waybill": f"B{order_id}"}).raise_for_status()
    await event_run(report_shipments, shipped[:1], len(shipped[0][1]), "report-shipments")


def main() -> None:
    import logging

    # The slot acquisition service logs each 423 (slot taken elsewhere) and the Retry-After it then sleeps.
    logging.basicConfig(format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("prefect._internal.concurrency").setLevel(logging.DEBUG)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10)
    parser.add_argument("--passes", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="swo-passes-") as directory, stack(Path(directory)) as sims:
        instrument()
        args.sims = sims
        asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
