"""Bench: a merchant's first product push at scale, against the bound Ongoing's sequential writes set.

Ongoing takes a goods owner's writes one at a time, so a first push of N articles can never take less
than the time Ongoing takes to answer its N writes one after the other. Measured: the first
``sync-products`` run over a bulk catalogue of N SKUs (and the same at N/10, for linearity), with each
Ongoing write taking ``--write-ms`` at the simulator (its ``write_processing_seconds``). Figures:

* throughput against the sequential-write bound: the time the Ongoing simulator took to answer the
  push's writes (its call log times each answer) divided by the run's wall time, at least 0.9. What the
  connector does per article beside the write (the ledger, the audit, the write slot) counts only where
  it holds the next write up;
* growth of the connector's CPU per SKU from N/10 to N: at most 1.5 (linear, not quadratic);
* every SKU became an article (bound: 0 missing).

Also printed: the CPU of every process involved per SKU (connector, simulators, Prefect server).

Run: ``.venv/bin/python -m bench.product_sync [--skus 50000 --write-ms 50]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from dataclasses import dataclass

from bench.figures import Figure, report
from bench.kit import demo_merchant, simulators, tree_cpu_seconds

THROUGHPUT_BOUND = 0.9
GROWTH_BOUND = 1.5


@dataclass(frozen=True)
class Push:
    skus: int
    wall_seconds: float
    cpu_seconds: float  # this process: the connector
    machine_cpu_seconds: float  # this process, the simulators and the Prefect server together
    write_seconds: float  # what the Ongoing simulator took to answer the push's writes
    articles: int
    result: dict[str, int]


def first_push(skus: int, write_seconds: float) -> Push:
    from flows.product_sync import sync_products
    from ledger.models import ArticleBinding
    from tasks.runtime import ledger

    with simulators(write_seconds=write_seconds) as sims:
        sims.seed_demo(articles=False)
        with sims.admin("starweb") as starweb:
            starweb.post("/_sim/seed/catalogue", json={"skus": skus, "stock": 10}).raise_for_status()
        with sims.admin("ongoing") as ongoing:
            ongoing.delete("/_sim/calls").raise_for_status()
        with demo_merchant(sims) as merchant_id:
            started, cpu_started = time.monotonic(), time.process_time()
            machine_started = tree_cpu_seconds(os.getpid())
            result = asyncio.run(sync_products(merchant_id))
            wall, cpu = time.monotonic() - started, time.process_time() - cpu_started
            machine = tree_cpu_seconds(os.getpid()) - machine_started
            with ledger().session() as session:
                articles = session.query(ArticleBinding).filter(ArticleBinding.sku.like("BENCH-%")).count()
        writes = sims.write_seconds("ongoing")
    print(f"{skus} SKUs: first push {wall:.1f} s wall, Ongoing answering its writes {writes:.1f} s, {cpu:.1f} s "
          f"connector CPU, {machine:.1f} s CPU in all processes, {articles} articles; {result}", flush=True)
    return Push(skus, wall, cpu, machine, writes, articles, result)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--skus", type=int, default=50_000)
    parser.add_argument("--write-ms", type=float, default=50.0, help="one Ongoing write's processing time")
    args = parser.parse_args()
    write_seconds = args.write_ms / 1000
    small, large = first_push(max(1, args.skus // 10), write_seconds), first_push(args.skus, write_seconds)
    per_sku_ms = large.machine_cpu_seconds / large.skus * 1000
    return report(f"First product push at {args.skus} SKUs (Ongoing write {args.write_ms:g} ms)", [
        Figure("throughput vs the sequential-write bound", large.write_seconds / large.wall_seconds,
               THROUGHPUT_BOUND, at_most=False,
               detail=f"{large.wall_seconds:.1f} s wall against {large.write_seconds:.1f} s of Ongoing answering the "
                      f"writes; {per_sku_ms:.2f} ms CPU per SKU in all processes"),
        Figure("connector CPU per SKU, growth N/10 → N", (large.cpu_seconds / large.skus)
               / (small.cpu_seconds / small.skus), GROWTH_BOUND, "×",
               detail=f"{small.cpu_seconds / small.skus * 1000:.2f} → {large.cpu_seconds / large.skus * 1000:.2f} ms"),
        Figure("SKUs not made articles", large.skus - large.articles, 0),
    ])


if __name__ == "__main__":
    sys.exit(main())
