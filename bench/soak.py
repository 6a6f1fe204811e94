"""The soak: a compressed day of three merchants' trade through the served connector, on a bad day.

Shoppers place orders all day; the merchant edits and cancels some; the warehouse releases, picks and
ships them (some in two parcels, some before the waybill exists), takes parcels back and receives
purchase orders. Every process of every merchant runs as the served deployment ``swo run`` serves, each
flow run in a process of its own, while the simulators fault 10 % of the connector's calls — every kind
of the fault kit, seeded — and Ongoing's consecutive-failure lockout watches. Several flow-run processes
are killed mid-run. In the evening the vendors recover, the night passes (quarantined records come due)
and the processes run until the day is settled; then the soak reckons on the vendors' side only and
prints the figures that must all be 0, and the call count.

    .venv/bin/python -m bench.soak             # CI size: 300 orders; about 9 minutes on an idle 2-core machine
    .venv/bin/python -m bench.soak --full      # 10 000 orders
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import random
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from bench.soak_actors import CREATED, OPEN_IN_ONGOING, SKUS, Shop, Warehouse
from bench.soak_processes import stopping_on_signals
from bench.soak_tally import Tally, tally_merchant
from bench.soak_world import MerchantWorld, Soak, kill_mid_run, start_runs, start_soak, wait_for
from tasks.purchase_orders import PURCHASE_ORDER_KIND


@dataclass(frozen=True)
class SoakSize:
    merchants: int
    orders: int
    ticks: int
    kills: int
    fault_rate: float
    runner_limit: int
    settle_rounds: int = 4
    tick_timeout: float = 900.0

    @property
    def orders_per_tick(self) -> int:
        return math.ceil(self.orders / self.merchants / self.ticks)


CI_SIZE = SoakSize(merchants=3, orders=300, ticks=3, kills=3, fault_rate=0.10, runner_limit=4)
FULL_SIZE = SoakSize(merchants=3, orders=10_000, ticks=24, kills=12, fault_rate=0.10, runner_limit=4,
                     tick_timeout=3600.0)

# A settle round runs a merchant's processes in the order work flows between them, stock last.
SETTLE_ORDER = ("export-orders", "sync-order-changes", "sync-order-statuses", "report-shipments", "register-returns",
                "track-receipts", "sync-stock")
# Killed mid-run, with how many vendor calls each makes before the kill (past its reads, into its writes): a
# release at a release time, otherwise these in turn (the export first: it has a tick's new orders to write
# from the first tick on, while shipments come only after the first release).
RELEASE_VICTIM = ("release-orders", 20)
VICTIMS = (("export-orders", 25), ("report-shipments", 16), ("sync-order-changes", 12))


class Day:
    """The soak's simulated day, tick by tick (see the module docstring)."""

    def __init__(self, soak: Soak, size: SoakSize, seed: int, echo: Any) -> None:
        self.soak, self.size, self.echo = soak, size, echo
        rng = random.Random(seed)
        self.shops = {w.merchant_id: Shop(w, random.Random(rng.random())) for w in soak.merchants}
        self.warehouses = {w.merchant_id: Warehouse(w, random.Random(rng.random())) for w in soak.merchants}
        self.rng = random.Random(rng.random())
        self.release_ticks = {1, size.ticks - 1}  # 07:00 and 13:00
        self.purchase_orders: dict[str, list[str]] = {w.merchant_id: [] for w in soak.merchants}
        self.received: set[str] = set()
        self.killed = 0
        self.kill_attempts = 0
        self.victims: list[str] = []
        self.runs: Counter[str] = Counter()

    def close(self) -> None:
        for shop in self.shops.values():
            shop.close()
        for warehouse in self.warehouses.values():
            warehouse.close()

    async def run(self) -> None:
        await self._runs({w.merchant_id: ["sync-products"] for w in self.soak.merchants})
        kill_ticks = _spread(self.size.kills, self.size.ticks)
        for tick in range(self.size.ticks):
            started = time.monotonic()
            self._trade(tick)
            flows = self._processes(tick)
            parameters = self._purchase_order_parameters(tick)
            # Kills due by now, each merchant's in turn: one of the merchant's runs of the tick is started first
            # and killed (what it left undone is the next tick's), the others' runs go on meanwhile.
            due = sum(1 for t in kill_ticks if t <= tick) - self.killed
            victims = [self.soak.merchants[(self.kill_attempts + i) % len(self.soak.merchants)] for i in range(due)]
            await asyncio.gather(*(self._merchant_tick(tick, world, victims.count(world), flows, parameters)
                                   for world in self.soak.merchants))
            self.echo(f"tick {tick + 1}/{self.size.ticks}: {time.monotonic() - started:.0f} s, runs so far "
                      f"{dict(self.runs)}, killed {self.killed}")

    def _processes(self, tick: int) -> list[str]:
        """A merchant's processes in a tick, each once it can have work: edits and the warehouse's changes are
        to orders of earlier ticks, shipments follow the first release and returns the first shipments;
        stock, returns and receipts run every other tick."""
        first_release = min(self.release_ticks)
        flows = ["export-orders"]
        if tick >= 1:
            flows += ["sync-order-changes", "sync-order-statuses"]
        if tick > first_release:
            flows.append("report-shipments")
        if tick % 2 == 0:
            flows += ["sync-stock", *(["register-returns"] if tick >= first_release + 2 else [])]
        else:
            flows.append("track-receipts")
        if tick in self.release_ticks:
            flows.append("release-orders")
        return flows

    async def _merchant_tick(self, tick: int, world: MerchantWorld, kills: int, flows: list[str],
                             parameters: dict[str, dict[str, Any]]) -> None:
        remaining = list(flows)
        for _ in range(kills):
            for ran in await self._kill(tick, world, remaining):
                remaining.remove(ran)
        mine = {name: value for name, value in parameters.items() if name.endswith(f"/{world.merchant_id}")}
        await self._runs({world.merchant_id: remaining}, mine)

    async def settle(self) -> None:
        """Evening: the vendors recover, the warehouse finishes its parcels and takes parcels back, the night
        passes (every quarantined record comes due, as its backoff would have by morning) and each merchant's
        processes run one after another, in the order their work flows, until nothing moves."""
        self.soak.calm_faults()
        for round_number in range(self.size.settle_rounds):
            self._warehouse_round(returns=True)
            self._receive_due()
            self.soak.make_quarantine_due()
            resend = self._purchase_order_parameters(None)
            await asyncio.gather(*(self._runs_in_turn(world.merchant_id, SETTLE_ORDER, resend)
                                   for world in self.soak.merchants))
            self.echo(f"settle round {round_number + 1}: runs so far {dict(self.runs)}")
            if self.tally().clean:
                return

    async def _runs_in_turn(self, merchant_id: str, flows: tuple[str, ...],
                            parameters: dict[str, dict[str, Any]]) -> None:
        mine = {name: value for name, value in parameters.items() if name.endswith(f"/{merchant_id}")}
        if mine:  # the purchase orders sent again go first, before their receipts are tracked
            await self._runs({}, mine)
        for flow in flows:
            await self._runs({merchant_id: [flow]})

    # what people do --------------------------------------------------------------------------------

    def _trade(self, tick: int) -> None:
        for world in self.soak.merchants:
            shop = self.shops[world.merchant_id]
            earlier = list(shop.placed)
            for _ in range(self.size.orders_per_tick):
                shop.place_order()
            if tick not in self.release_ticks:
                self._edit_and_cancel(world, earlier)
        self._warehouse_round(returns=tick >= 2)
        self._receive_due()

    def _edit_and_cancel(self, world: MerchantWorld, candidates: list[int]) -> None:
        shop, warehouse = self.shops[world.merchant_id], self.warehouses[world.merchant_id]
        open_in_warehouse = {o["orderInfo"]["orderNumber"] for o in warehouse.orders()
                             if o["orderInfo"]["orderStatus"]["number"] in OPEN_IN_ONGOING}
        for order_id in candidates:
            draw = self.rng.random()
            if draw >= 0.08 or f"{world.prefix}{order_id}" not in open_in_warehouse:
                continue
            order = shop.order(order_id)
            if order["statusId"] != CREATED:
                continue
            if draw < 0.05:
                shop.change_quantity(order)
            else:
                shop.cancel(order_id)

    def _warehouse_round(self, *, returns: bool) -> None:
        for world in self.soak.merchants:
            statuses = {order_id: order["statusId"] for order_id, order in self.shops[world.merchant_id]
                        .orders().items()}
            self.warehouses[world.merchant_id].work(statuses, returns=returns)

    def _purchase_order_parameters(self, tick: int | None) -> dict[str, dict[str, Any]]:
        """A purchase order per merchant in the morning and at midday (``tick`` None: none new). The operator
        sends the list again while one is not in Ongoing, or is in quarantine: a quarantined purchase order
        says to send it again (one that landed but could not be read back is tracked already, and the send
        checks it against Ongoing)."""
        parameters = {}
        for world in self.soak.merchants:
            numbers = self.purchase_orders[world.merchant_id]
            if tick in (0, self.size.ticks // 2):
                numbers.append(f"PO-{world.merchant_id}-{len(numbers) + 1}")
            held = {key for kind, key, _ in self.soak.open_quarantine(world.merchant_id)
                    if kind == PURCHASE_ORDER_KIND}
            pending = [n for n in numbers if n in held or not self.warehouses[world.merchant_id].purchase_orders(
                purchaseOrderNumber=n)]
            if pending:
                parameters[f"push-purchase-orders/{world.merchant_id}"] = {"rows": self._rows(pending)}
        return parameters

    def _rows(self, numbers: list[str]) -> list[dict[str, Any]]:
        units = max(20, math.ceil(self.size.orders / self.size.merchants * 3 / len(SKUS) * 0.6))
        expected = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
        return [{"purchase_order_number": number, "supplier": "Leverantören AB", "expected_date": expected,
                 "sku": sku, "quantity": units} for number in numbers for sku in SKUS]

    def _receive_due(self) -> None:
        for world in self.soak.merchants:
            for number in self.purchase_orders[world.merchant_id]:
                if number not in self.received and self.warehouses[world.merchant_id].receive(number):
                    self.received.add(number)

    # runs --------------------------------------------------------------------------------------------

    async def _runs(self, names: dict[str, list[str]], parameters: dict[str, dict[str, Any]] | None = None) -> None:
        wanted = [f"{flow}/{merchant}" for merchant, flows in names.items() for flow in flows]
        wanted += [name for name in (parameters or {}) if name not in wanted]
        runs = await start_runs(self.soak, wanted, parameters)
        self.runs.update(await wait_for(runs, timeout=self.size.tick_timeout))

    async def _kill(self, tick: int, world: MerchantWorld, candidates: list[str]) -> list[str]:
        """Kill one of the merchant's runs of the tick (``candidates``) mid-run: a release at a release time, else
        the victims in turn; a run that finishes first is followed by the next. The processes it ran."""
        self.kill_attempts += 1
        ran: list[str] = []
        choices = [RELEASE_VICTIM] if tick in self.release_ticks else []
        turn = sum(1 for f in self.victims if f != RELEASE_VICTIM[0])
        choices += [VICTIMS[(turn + i) % len(VICTIMS)] for i in range(len(VICTIMS))]
        for flow, after_calls in choices:
            if flow not in candidates or flow in ran or (flow == RELEASE_VICTIM[0] and flow in self.victims):
                continue
            self.victims.append(flow)  # chosen now: kills of two merchants at once pick different processes
            ran.append(flow)
            if await kill_mid_run(self.soak, world, f"{flow}/{world.merchant_id}", after_calls=after_calls):
                self.killed += 1
                self.runs["CRASHED (killed)"] += 1
                self.echo(f"killed {flow}/{world.merchant_id} mid-run")
                return ran
            self.runs["COMPLETED"] += 1
            self.echo(f"{flow}/{world.merchant_id} finished before it could be killed")
        return ran

    def tally(self) -> Tally:
        merchants = []
        for world in self.soak.merchants:
            counts = {which: self.soak.fault_counts(world, which) for which in ("starweb", "ongoing")}
            merchants.append(tally_merchant(self.shops[world.merchant_id], self.warehouses[world.merchant_id],
                                            self.soak.open_quarantine(world.merchant_id), counts))
        return Tally(merchants, killed=self.killed, runs=self.runs)


def _spread(count: int, ticks: int) -> list[int]:
    """``count`` kills spread over the ticks after the first (a kill needs work in flight)."""
    if count <= 0:
        return []
    usable = max(1, ticks - 1)
    return [1 + (i * usable) // count for i in range(count)]


def run_soak(size: SoakSize, *, seed: int, state_dir: Path, echo: Any = print) -> Tally:
    """The soak of ``size``; SIGTERM or SIGINT stop everything it started and end it with ``SoakInterrupted``."""
    started = time.monotonic()
    with stopping_on_signals():
        soak = start_soak(state_dir, size.merchants, runner_limit=size.runner_limit)
        day: Day | None = None
        try:
            echo(f"soak: {size.merchants} merchants, {size.orders} orders over {size.ticks} ticks, "
                 f"{size.fault_rate:.0%} of calls faulted (seed {seed}); state in {state_dir}")
            day = Day(soak, size, seed, echo)
            soak.set_faults(size.fault_rate, seed)
            asyncio.run(day.run())
            asyncio.run(day.settle())
            tally = day.tally()
            tally.cpu_seconds = soak.cpu_seconds()
        finally:
            try:
                if day is not None:
                    day.close()
            finally:
                soak.stop()
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(tally.fault_kinds().items()))
    echo(f"{sum(m.orders for m in tally.merchants)} orders, {sum(m.shipments for m in tally.merchants)} shipments, "
         f"{sum(m.faults for m in tally.merchants)} faults injected ({kinds}), {tally.killed} flow-run processes "
         f"killed mid-run, runs {dict(tally.runs)}")
    tally.wall_seconds = time.monotonic() - started
    echo("CPU seconds: " + ", ".join(f"{part} {seconds:.0f}" for part, seconds in tally.cpu_seconds.items()))
    echo(f"wall time {tally.wall_seconds:.0f} s")
    return tally


app = typer.Typer(add_completion=False)


@app.command()
def main(full: Annotated[bool, typer.Option("--full", help="10 000 orders instead of 300")] = False,
         seed: Annotated[int, typer.Option(help="seeds the day and the faults")] = 14,
         state_dir: Annotated[Path | None, typer.Option(help="keep everything here (default: a temp dir)")] = None,
         orders: Annotated[int | None, typer.Option(help="another number of orders, to try things")] = None,
         ticks: Annotated[int | None, typer.Option(help="another number of ticks, to try things")] = None,
         kills: Annotated[int | None, typer.Option(help="another number of kills, to try things")] = None,
         merchants: Annotated[int | None, typer.Option(help="another number of merchants (1-3), to try things")]
         = None,
         ) -> None:
    size = FULL_SIZE if full else CI_SIZE
    size = dataclasses.replace(size, orders=orders or size.orders, ticks=ticks or size.ticks,
                               kills=size.kills if kills is None else kills, merchants=merchants or size.merchants)
    directory = state_dir or Path(tempfile.mkdtemp(prefix="swo-soak-"))
    tally = run_soak(size, seed=seed, state_dir=directory)
    for line in tally.lines():
        typer.echo(line)
    if tally.killed < size.kills:
        typer.echo(f"only {tally.killed} of {size.kills} flow-run processes were killed mid-run", err=True)
    if not tally.clean or tally.killed < size.kills:
        raise typer.Exit(1)
    if state_dir is None:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    app()
