"""Bench: the stock sync at 50 000 SKUs with 1 % of the warehouse's stock changed.

Both simulators hold the same N SKUs with the same stock (the bulk seed). Then 1 % of the articles get a
new stock figure in Ongoing and the stock sync runs, twice: first the full resync a merchant's first run
is (every SKU compared), then, after another 1 % changed, an incremental run, and after another 1 % a
second full resync, which also checks every Starweb figure against the last one seen. For each run:

* the variants written are exactly the changed ones (bound: 0 written that should not be, 0 missed);
* the diff, i.e. comparing the two sides (``plan_stock_writes``) and Starweb's figures against the last
  ones seen (``master_conflicts``), timed around the run's own calls: at most 1 CPU-second;
* the peak resident memory of the process that ran the flow: at most 500 MiB.

The run's wall time is printed too. Run: ``.venv/bin/python -m bench.stock_sync [--skus 50000]``
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bench.figures import Figure, report
from bench.kit import SimulatorProcess, demo_merchant, peak_memory, simulators
from domain.stock_sync import OVERLAP

DIFF_BOUND_SECONDS = 1.0
SEED_MARGIN_SECONDS = 5.0
MEMORY_BOUND_MIB = 500.0
STOCK = 10

T = TypeVar("T")


@dataclass
class DiffTimer:
    """CPU seconds spent in the wrapped comparison functions while a run is going."""

    seconds: float = 0.0
    calls: list[str] = field(default_factory=list)

    def wrap(self, name: str, function: Callable[..., T]) -> Callable[..., T]:
        def timed(*args: Any, **kwargs: Any) -> T:
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - started
                self.calls.append(name)
        return timed


def change_stock(sims: SimulatorProcess, skus: list[str], rng: random.Random) -> dict[str, int]:
    """Stock-taking in the warehouse: each SKU gets a new figure."""
    changed = {sku: STOCK + rng.randint(1, 20) for sku in skus}
    with sims.admin("ongoing") as ongoing:
        for sku, quantity in changed.items():
            ongoing.post(f"/_sim/articles/{sku}/stock", json={"numberOfItems": quantity}).raise_for_status()
    return changed


def written_since(audit_id: int) -> tuple[set[str], int]:
    """SKUs whose Starweb stock the connector wrote after audit entry ``audit_id``, and the last entry's id."""
    from sqlalchemy import select

    import tasks.runtime
    from ledger.models import AuditEntry
    from tasks.stock import STOCK_WRITE

    with tasks.runtime.ledger().session() as session:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.id > audit_id)))
    written = {row.key for row in rows if row.operation == STOCK_WRITE and row.outcome == "written"}
    return written, max((row.id for row in rows), default=audit_id)


def starweb_shows(sims: SimulatorProcess, expected: dict[str, int], sample: int, rng: random.Random) -> int:
    """How many of a sample of the changed SKUs Starweb does not show with the warehouse's figure."""
    import httpx

    token = httpx.post(f"{sims.starweb_api}/token", data={
        "grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"}).json()
    wrong = 0
    with httpx.Client(base_url=sims.starweb_api, headers={"Authorization": f"Bearer {token['access_token']}"}) as api:
        for sku in rng.sample(sorted(expected), min(sample, len(expected))):
            found = api.get("/products", params={"filterSku": sku, "include": "primaryVariant"}).json()["data"]
            shown = found[0]["primaryVariant"]["data"]["stockQuantity"] if found else None
            wrong += shown != expected[sku]
    return wrong


@dataclass(frozen=True)
class RunFigures:
    label: str
    unexpected_writes: int
    missed_writes: int
    wrong_in_starweb: int
    diff_seconds: float
    peak_mib: float
    wall_seconds: float
    result: dict[str, int]

    def figures(self) -> list[Figure]:
        return [
            Figure(f"{self.label}: variants written that did not change", self.unexpected_writes, 0, at_most=True),
            Figure(f"{self.label}: changed variants not written (or wrong in Starweb)",
                   self.missed_writes + self.wrong_in_starweb, 0, at_most=True),
            Figure(f"{self.label}: diff CPU", self.diff_seconds, DIFF_BOUND_SECONDS, " s",
                   detail=f"run took {self.wall_seconds:.1f} s wall; counts {self.result}"),
            Figure(f"{self.label}: peak memory", self.peak_mib, MEMORY_BOUND_MIB, " MiB"),
        ]


def run_once(label: str, sims: SimulatorProcess, merchant_id: str, skus: list[str], share: float,
             rng: random.Random, audit_id: int, *, full: bool) -> tuple[RunFigures, int]:
    import tasks.stock
    from flows.stock_sync import sync_stock

    changed = change_stock(sims, rng.sample(skus, max(1, int(len(skus) * share))), rng)
    timer = DiffTimer()
    originals = tasks.stock.plan_stock_writes, tasks.stock.master_conflicts
    tasks.stock.plan_stock_writes = timer.wrap("plan_stock_writes", originals[0])
    tasks.stock.master_conflicts = timer.wrap("master_conflicts", originals[1])
    try:
        started = time.monotonic()
        with peak_memory() as memory:
            result = asyncio.run(sync_stock(merchant_id, full=full))
        wall = time.monotonic() - started
    finally:
        tasks.stock.plan_stock_writes, tasks.stock.master_conflicts = originals
    written, audit_id = written_since(audit_id)
    print(f"{label}: {len(changed)} changed, {len(written)} written in {wall:.1f} s; timed {timer.calls}", flush=True)
    figures = RunFigures(label, len(written - changed.keys()), len(changed.keys() - written),
                         starweb_shows(sims, changed, 100, rng), timer.seconds, memory.mib, wall, result)
    return figures, audit_id


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--skus", type=int, default=50_000)
    parser.add_argument("--changed", type=float, default=0.01, help="share of the SKUs whose stock changes")
    args = parser.parse_args()
    rng = random.Random(7)
    skus = [f"BENCH-{n:06d}" for n in range(1, args.skus + 1)]
    with simulators() as sims:
        sims.seed_demo(articles=False)
        started = time.monotonic()
        for which in ("starweb", "ongoing"):
            with sims.admin(which) as admin:
                admin.post("/_sim/seed/catalogue", json={"skus": args.skus, "stock": STOCK}).raise_for_status()
        print(f"seeded {args.skus} SKUs on both sides in {time.monotonic() - started:.0f} s", flush=True)
        # A real catalogue's stock last moved long before: an incremental run looks back OVERLAP past its
        # cursor, and a seed within it would make every article "changed" for the incremental run.
        print(f"waiting {OVERLAP.total_seconds() + SEED_MARGIN_SECONDS:.0f} s for the seed to age past the "
              "stock cursor's overlap", flush=True)
        time.sleep(OVERLAP.total_seconds() + SEED_MARGIN_SECONDS)
        with demo_merchant(sims) as merchant_id:
            full, audit_id = run_once("full resync", sims, merchant_id, skus, args.changed, rng, 0, full=True)
            incremental, audit_id = run_once("incremental", sims, merchant_id, skus, args.changed, rng, audit_id,
                                             full=False)
            # The six-hourly resync: it also checks every figure against the last one seen (master_conflicts).
            again, _ = run_once("full resync again", sims, merchant_id, skus, args.changed, rng, audit_id, full=True)
    return report(f"Stock sync at {args.skus} SKUs, {args.changed:.0%} of the stock changed",
                  [*full.figures(), *incremental.figures(), *again.figures()])


if __name__ == "__main__":
    sys.exit(main())
