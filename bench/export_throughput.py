"""Export throughput against the sequential-write bound, and the orchestration CPU per exported order.

Ongoing takes a goods owner's writes one at a time, so an export can go no faster than its writes one after
the other (two per order: ``PUT /orders``, then ``PATCH …/orderStatus``). The bench adds ``--latency-ms`` to
every vendor call (the simulators' ``latency_ms`` fault), places ``--orders`` orders in Starweb, runs one
export over all of them in this process and compares:

- throughput: the sequential-write bound divided by the export's wall time (target ≥ 0.9). The bound is
  the time the Ongoing simulator took to answer the export's writes, added latency included (its call
  log times each answer): what a client doing nothing but those writes, back to back, would wait. The
  latency alone (``N × 2 × latency``) is printed beside it; the difference is the simulator's own work;
- orchestration CPU per order: the CPU this process and the Prefect server used during the export, per
  order (the simulators run in a process of their own and do not count; target ≤ 10 ms). What the server
  uses at rest (measured over 20 s before the export) is printed beside it: part of the server's CPU during
  the export is its timed services, which run whether or not anything is exported.

    .venv/bin/python -m bench.export_throughput [--orders 1000] [--latency-ms 50] [--figure both|throughput|cpu]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

from bench.calls_per_order import place_orders
from bench.figures import Figure, report
from bench.kit import bench_world, tree_cpu_seconds

THROUGHPUT_BOUND = 0.9
CPU_PER_ORDER_BOUND_MS = 10.0
REST_SECONDS = 20.0
WRITES_PER_EXPORTED_ORDER = 2  # PUT /orders, then PATCH /orders/{id}/orderStatus (docs/performance.md)


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


async def export(orders: int) -> dict[str, int]:
    from flows.order_export import export_orders

    result = await export_orders("demo")
    if result.get("created") != orders:
        raise RuntimeError(f"the export did not create every order: {result}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--figure", choices=("both", "throughput", "cpu"), default="both")
    args = parser.parse_args()
    with bench_world() as world:
        assert world.server_pid is not None
        from flows.order_export import export_orders

        asyncio.run(export_orders("demo"))  # the first activation: the demo shop's own orders stay out
        skus = ["POLE-CF-120", "SOCK-MER-42", "THERMOS-1L", "TENT-FJ2"]
        asyncio.run(place_orders(world, skus, args.orders, seed=12))
        world.sims.latency(args.latency_ms)
        world.sims.calls(reset=True)
        # The server's services run on timers, export or not: their rate at rest, to tell apart from the export.
        rest_before = tree_cpu_seconds(world.server_pid)
        time.sleep(REST_SECONDS)
        server_at_rest = (tree_cpu_seconds(world.server_pid) - rest_before) / REST_SECONDS
        cpu_before, server_before, started = own_cpu_seconds(), tree_cpu_seconds(world.server_pid), time.monotonic()
        asyncio.run(export(args.orders))
        wall = time.monotonic() - started
        own_cpu, server_cpu = own_cpu_seconds() - cpu_before, tree_cpu_seconds(world.server_pid) - server_before
        cpu = own_cpu + server_cpu
        writes = sum(n for endpoint, n in world.sims.calls()["ongoing"].items() if not endpoint.startswith("GET"))
        bound_seconds = world.sims.write_seconds("ongoing")
    latency_seconds = args.orders * WRITES_PER_EXPORTED_ORDER * args.latency_ms / 1000
    print(f"{args.orders} orders exported in {wall:.1f} s wall, {writes} Ongoing writes; sequential-write bound "
          f"{bound_seconds:.1f} s ({latency_seconds:.1f} s of it the added latency, the rest the simulator's own "
          f"work); {cpu:.1f} CPU-s: {own_cpu:.1f} in this process, {server_cpu:.1f} in the Prefect server, "
          f"{server_at_rest * wall:.1f} of it what the server uses at rest over as long "
          f"({1000 * server_at_rest * wall / args.orders:.1f} ms per order)")
    figures = []
    if args.figure in ("both", "throughput"):
        figures.append(Figure("throughput, share of the sequential-write bound", bound_seconds / wall,
                              THROUGHPUT_BOUND, at_most=False))
    if args.figure in ("both", "cpu"):
        figures.append(Figure("orchestration CPU per exported order", 1000 * cpu / args.orders,
                              CPU_PER_ORDER_BOUND_MS, " ms"))
    return report(f"Export of {args.orders} orders, {args.latency_ms} ms added to every vendor call", figures)


if __name__ == "__main__":
    sys.exit(main())
