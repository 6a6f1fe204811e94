"""Benchmark: event-driven sync against the simulators, measured from the outside like a shopper and a
warehouse worker would see it. Not a test: it prints each figure as a ratio against its bound and exits 1
if any bound is missed.

Scenarios (all by default, or name some):
  latency    orders placed in the Starweb simulator, one every --interval seconds: time until each is in the
             Ongoing simulator; p95 over --orders orders against 5 s
  shipments  picked orders shipped in the Ongoing simulator, one every --interval seconds: time until Starweb
             shows the tracking number; p95 against 5 s
  burst      100 orders placed as fast as possible: export runs started (bound 2), all must arrive
  loss       30 % of web-hook deliveries lost: every order must still arrive (through the backstop poll)

By default it measures a running ``make run`` (Prefect on 4200, simulators on 8801/8802). With --start it
starts its own ``swo run`` on free ports with a state directory of its own. The loss scenario starts the
backstop run itself once the event window has passed, instead of waiting up to 15 minutes for its tick.

    .venv/bin/python bench/webhooks.py                 # against make run
    .venv/bin/python bench/webhooks.py --start         # self-contained
    .venv/bin/python bench/webhooks.py --start latency burst --orders 50 --interval 1
"""

from __future__ import annotations

import argparse
import math
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BOUND_SECONDS = 5.0
BURST_ORDERS, BURST_RUN_BOUND = 100, 2
SKUS = ("SOCK-MER-42", "SOCK-MER-38", "THERMOS-1L", "POLE-CF-120")


@dataclass
class Stack:
    prefect: str  # .../api
    starweb: str  # .../api/v2
    ongoing: str  # .../demo/api/v1
    ongoing_root: str
    starweb_root: str
    window_seconds: float
    backstop_minutes: float


class Shop:
    """The shopper, through the Starweb simulator's API."""

    def __init__(self, stack: Stack) -> None:
        form = {"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"}
        token = httpx.post(f"{stack.starweb}/token", data=form, timeout=30).json()["access_token"]
        self.http = httpx.Client(base_url=stack.starweb, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        self.rng = random.Random(7)

    def place(self) -> int:
        home = {"firstName": "Bo", "lastName": "Bench", "address": "Storgatan 1", "postalCode": "111 22",
                "city": "Stockholm", "countryCode": "SE"}
        body = {"shippingMethodId": 1, "paymentMethodId": 1, "currencyCode": "SEK", "statusId": 1,
                "isComplete": True, "originalCustomerEmail": "bench@example.se",
                "onOrderStatusChangeSendEmail": False,
                "items": [{"sku": self.rng.choice(SKUS), "quantity": 1}],
                "addresses": {"originalDelivery": home, "originalInvoice": home}}
        response = self.http.post("/orders", json=body)
        response.raise_for_status()
        return int(response.json()["data"]["orderId"])

    def tracking(self, order_id: int) -> str | None:
        return self.http.get(f"/orders/{order_id}").json()["data"].get("shippingTrackingNo")


class Warehouse:
    """The warehouse worker and what Ongoing shows, through the Ongoing simulator."""

    def __init__(self, stack: Stack) -> None:
        self.api = httpx.Client(base_url=stack.ongoing, auth=("demo-api", "demo-password"), timeout=30)
        self.admin = httpx.Client(base_url=stack.ongoing_root, timeout=30)

    def order_numbers(self) -> set[str]:
        orders = self.api.get("/orders", params={"goodsOwnerId": 1}).json()
        return {o["orderInfo"]["orderNumber"] for o in orders}

    def pick(self, order_number: str) -> None:
        self.admin.post(f"/_sim/orders/{order_number}/pick").raise_for_status()

    def ship(self, order_number: str, waybill: str) -> None:
        self.admin.post(f"/_sim/orders/{order_number}/ship", json={"waybill": waybill}).raise_for_status()


class Watcher:
    """Watches what the other system shows from a thread of its own, while the bench goes on acting, and
    notes when each awaited key first appears."""

    def __init__(self, seen: Callable[[], set[Any]]) -> None:
        self.seen = seen
        self.started: dict[Any, float] = {}
        self.appeared: dict[Any, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def expect(self, key: Any) -> None:
        with self._lock:
            self.started[key] = time.monotonic()

    def _watch(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                awaited = self.started.keys() - self.appeared.keys()
            found = self.seen() & awaited if awaited else set()
            now = time.monotonic()
            with self._lock:
                for key in found:
                    self.appeared[key] = now
            time.sleep(0.1)

    def took(self, timeout: float) -> dict[Any, float]:
        """Once all have appeared (or the timeout passed): the seconds each one took."""
        deadline = time.monotonic() + timeout
        while len(self.appeared) < len(self.started) and time.monotonic() < deadline:
            time.sleep(0.2)
        self._stop.set()
        with self._lock:
            return {key: self.appeared[key] - self.started[key] for key in self.appeared}


def durations(took: dict[Any, float], expected: int) -> list[float]:
    """The times, with the ones that never came as infinite."""
    return list(took.values()) + [math.inf] * (expected - len(took))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def verdict(name: str, value: float, bound: float, unit: str = "s") -> bool:
    ok = value <= bound
    print(f"  {name}: {value:.2f} {unit} = {value / bound:.2f} × bound ({bound:g} {unit})  {'OK' if ok else 'MISSED'}")
    return ok


def quiet(stack: Stack) -> None:
    """Let every event window close, so the next scenario starts from no run at all."""
    pause = stack.window_seconds + 5
    print(f"  (waiting {pause:.0f} s for the event windows to close)")
    time.sleep(pause)


def spaced(count: int, interval: float) -> Iterator[int]:
    """Yield 0..count-1, about ``interval`` seconds apart (seeded jitter of ±50 %)."""
    rng = random.Random(11)
    for n in range(count):
        yield n
        time.sleep(interval * rng.uniform(0.5, 1.5))


def scenario_latency(stack: Stack, args: argparse.Namespace) -> bool:
    print(f"latency: {args.orders} orders, one every ~{args.interval:g} s; order placed -> order in Ongoing")
    shop, warehouse = Shop(stack), Warehouse(stack)
    watcher = Watcher(warehouse.order_numbers)
    for _ in spaced(args.orders, args.interval):
        order_id = shop.place()
        watcher.expect(f"FJ-{order_id}")
    values = durations(watcher.took(timeout=stack.backstop_minutes * 60 + 120), args.orders)
    print(f"  p50 {sorted(values)[len(values) // 2]:.2f} s, max {max(values):.2f} s, over 5 s: "
          f"{sum(v > BOUND_SECONDS for v in values)} of {len(values)}")
    return verdict("order -> Ongoing, p95", p95(values), BOUND_SECONDS)


def scenario_shipments(stack: Stack, args: argparse.Namespace) -> bool:
    count = max(args.orders // 5, 5)
    print(f"shipments: {count} orders shipped in Ongoing, one every ~{args.interval:g} s; shipped -> tracking in "
          "Starweb")
    shop, warehouse = Shop(stack), Warehouse(stack)
    order_ids = [shop.place() for _ in range(count)]
    exported = Watcher(warehouse.order_numbers)
    for order_id in order_ids:
        exported.expect(f"FJ-{order_id}")
    exported.took(timeout=900)
    for order_id in order_ids:  # picked earlier in the day, as in a warehouse; the shipment is what is timed
        warehouse.pick(f"FJ-{order_id}")
    quiet(stack)
    reported = Watcher(lambda: {o for o in order_ids if shop.tracking(o)})
    for n in spaced(count, args.interval):
        warehouse.ship(f"FJ-{order_ids[n]}", f"BENCH{order_ids[n]}")
        reported.expect(order_ids[n])
    values = durations(reported.took(timeout=900), count)
    print(f"  p50 {sorted(values)[len(values) // 2]:.2f} s, max {max(values):.2f} s")
    return verdict("shipment -> Starweb, p95", p95(values), BOUND_SECONDS)


def export_runs_since(stack: Stack, since: datetime) -> list[dict[str, Any]]:
    with httpx.Client(base_url=stack.prefect, timeout=30) as prefect:
        deployment = prefect.get("/deployments/name/export-orders/demo").json()
        runs = prefect.post("/flow_runs/filter", json={
            "deployments": {"id": {"any_": [deployment["id"]]}},
            "flow_runs": {"expected_start_time": {"after_": since.isoformat()}}, "limit": 200}).json()
    return [r for r in runs if r["state_type"] != "SCHEDULED" or r["parameters"].get("event_at")]


def scenario_burst(stack: Stack, args: argparse.Namespace) -> bool:
    print(f"burst: {BURST_ORDERS} orders as fast as they can be placed; export runs started")
    shop, warehouse = Shop(stack), Warehouse(stack)
    started, first = datetime.now(UTC), time.monotonic()
    watcher = Watcher(warehouse.order_numbers)
    for _ in range(BURST_ORDERS):
        watcher.expect(f"FJ-{shop.place()}")
    print(f"  placed in {time.monotonic() - first:.1f} s")
    took = watcher.took(timeout=900)
    runs = export_runs_since(stack, started)
    print(f"  {len(took)} of {BURST_ORDERS} in Ongoing, the last {max(took.values(), default=math.inf):.1f} s after "
          "it was placed")
    return verdict("export runs for the burst", len(runs), BURST_RUN_BOUND, unit="runs") and len(took) == BURST_ORDERS


def start_backstop_run(stack: Stack) -> None:
    """Start export-orders/demo as its backstop schedule would (no event): sooner than waiting for the tick."""
    with httpx.Client(base_url=stack.prefect, timeout=30) as prefect:
        deployment = prefect.get("/deployments/name/export-orders/demo").json()
        prefect.post(f"/deployments/{deployment['id']}/create_flow_run", json={}).raise_for_status()


def scenario_loss(stack: Stack, args: argparse.Namespace) -> bool:
    count = 20
    print(f"loss: 30 % of web-hook deliveries lost, {count} orders; all must arrive (events, then the backstop poll)")
    admin = httpx.Client(base_url=stack.starweb_root, timeout=30)
    admin.put("/_sim/web-hooks/delivery", json={"lossRate": 0.3, "seed": 4}).raise_for_status()
    try:
        shop, warehouse = Shop(stack), Warehouse(stack)
        watcher, placed = Watcher(warehouse.order_numbers), []
        for _ in spaced(count, args.interval):
            placed.append(shop.place())
            watcher.expect(f"FJ-{placed[-1]}")
        log = admin.get("/_sim/web-hooks/deliveries", params={"waitSeconds": 10}).json()["data"]
    finally:
        admin.delete("/_sim/web-hooks/delivery").raise_for_status()
    delivered = {int(e["event"].split()[1]) for e in log if e["outcome"] != "lost"}
    only_backstop = set(placed) - delivered
    # What the events bring arrives within the event window; the rest waits for the backstop poll.
    time.sleep(stack.window_seconds + 5)
    by_events = len(watcher.appeared)
    print(f"  {len(only_backstop)} order(s) had every web-hook lost; {by_events} of {count} arrived through events; "
          "starting the backstop poll now")
    start_backstop_run(stack)
    took = watcher.took(timeout=600)
    arrived = len(took) == count
    print(f"  orders arrived: {len(took)} of {count}  {'OK' if arrived else 'MISSED'}")
    return arrived


SCENARIOS = {"latency": scenario_latency, "shipments": scenario_shipments, "burst": scenario_burst,
             "loss": scenario_loss}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def own_stack(backstop_minutes: int, window_seconds: int) -> Iterator[Stack]:
    """``swo run`` on free ports with its own state, the demo merchant pointed at its simulators."""
    state = Path(tempfile.mkdtemp(prefix="swo-bench-"))
    merchants = state / "merchants"
    merchants.mkdir()
    prefect, starweb, ongoing, hooks = (free_port() for _ in range(4))
    demo = (ROOT / "deployments" / "merchants" / "demo.yaml").read_text()
    demo = demo.replace("127.0.0.1:8801", f"127.0.0.1:{starweb}").replace("127.0.0.1:8802", f"127.0.0.1:{ongoing}")
    demo = demo.replace("backstop_polling_minutes: 15", f"backstop_polling_minutes: {backstop_minutes}")
    demo = demo.replace("event_window_seconds: 60", f"event_window_seconds: {window_seconds}")
    (merchants / "demo.yaml").write_text(demo)
    env = {**os.environ, "SWO_STATE_DIR": str(state), "SWO_MERCHANTS_DIR": str(merchants),
           "SWO_WEBHOOK_URL": f"http://127.0.0.1:{hooks}"}
    env.pop("PREFECT_API_URL", None)
    log = (state / "swo-run.log").open("wb")
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "swo"), "run", "--no-demo-orders", "--port", str(prefect), "--starweb-port",
         str(starweb), "--ongoing-port", str(ongoing), "--webhook-port", str(hooks)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    print(f"started swo run (state and log in {state})")
    try:
        deadline = time.monotonic() + 300
        while b"polling for scheduled runs" not in (state / "swo-run.log").read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"swo run did not come up; see {state / 'swo-run.log'}")
            time.sleep(1)
        yield Stack(prefect=f"http://127.0.0.1:{prefect}/api", starweb=f"http://127.0.0.1:{starweb}/api/v2",
                    ongoing=f"http://127.0.0.1:{ongoing}/demo/api/v1", ongoing_root=f"http://127.0.0.1:{ongoing}",
                    starweb_root=f"http://127.0.0.1:{starweb}", window_seconds=window_seconds,
                    backstop_minutes=backstop_minutes)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt)  # a plain `kill` unwinds like Ctrl-C: a --start stack is stopped too
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", metavar="scenario", help=f"any of {', '.join(SCENARIOS)} (all)")
    parser.add_argument("--start", action="store_true", help="start a swo run of its own on free ports")
    parser.add_argument("--orders", type=int, default=50, help="orders in the latency scenario")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between orders (mean)")
    parser.add_argument("--backstop-minutes", type=int, default=15, help="with --start: the backstop poll")
    parser.add_argument("--window-seconds", type=int, default=60, help="with --start: the event window")
    args = parser.parse_args()
    chosen = args.scenarios or list(SCENARIOS)
    unknown = [name for name in chosen if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")

    def run_all(stack: Stack) -> bool:
        results = []
        for n, name in enumerate(chosen):
            if n:
                quiet(stack)
            results.append(SCENARIOS[name](stack, args))
        return all(results)

    if args.start:
        with own_stack(args.backstop_minutes, args.window_seconds) as stack:
            passed = run_all(stack)
    else:
        passed = run_all(Stack(prefect="http://127.0.0.1:4200/api", starweb="http://127.0.0.1:8801/api/v2",
                               ongoing="http://127.0.0.1:8802/demo/api/v1", ongoing_root="http://127.0.0.1:8802",
                               starweb_root="http://127.0.0.1:8801", window_seconds=60, backstop_minutes=15))
    print("all bounds met" if passed else "some bound missed")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
