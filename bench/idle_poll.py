"""CPU seconds of a poll with nothing to do: the run's own process plus the Prefect server's share.

The bench registers the demo merchant's deployment of ``--flow`` (default ``export-orders``), lets a
first run do the first activation, and then starts ``--runs`` runs with nothing to do, each in a process
of its own, the way ``swo run`` starts them (``--start preloaded``: forked from a process that imported
the flows once, ``deployments/run_starts.py``) or the way Prefect's runner starts the runs of deployments
it does not hold in memory (``--start engine``: ``python -m prefect.engine``). For each run it adds the
CPU of the run's process (user + system, from the kernel's accounting of reaped children) to the CPU the
Prefect server's process tree used meanwhile, less what the server uses with no run at all (watched for
``--idle-seconds`` first). Bound: 0.5 CPU-s per idle poll (median). Also prints what importing the flow's
module alone costs in a fresh interpreter, the floor a fresh interpreter per run pays.

    .venv/bin/python -m bench.idle_poll [--runs 5] [--flow export-orders] [--start preloaded|engine]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time

from bench.figures import Figure, report
from bench.kit import ROOT, bench_world, run_processes_cpu_seconds, tree_cpu_seconds

BOUND = 0.5


def served_deployment(flow_name: str) -> tuple[object, str]:
    """The demo merchant's deployment of ``flow_name`` registered with the server, as ``swo run`` serves it."""
    from deployments.build import build_deployments, to_runner_deployments
    from deployments.registry import PROCESSES
    from domain.config import load_merchants
    from settings import get_settings

    merchants = load_merchants(get_settings().merchants_dir).values()
    (spec,) = build_deployments(merchants, processes=[p for p in PROCESSES if p.flow_name == flow_name])
    (deployment,) = to_runner_deployments([spec])
    return deployment.apply(), spec.entrypoint


async def create_run(deployment_id: object) -> object:
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        return (await client.create_flow_run_from_deployment(deployment_id)).id  # type: ignore[arg-type]


async def read_run(flow_run_id: object) -> object:
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        return await client.read_flow_run(flow_run_id)  # type: ignore[arg-type]


async def final_state(flow_run_id: object) -> object:
    return (await read_run(flow_run_id)).state  # type: ignore[attr-defined]


def one_run(deployment_id: object, entrypoint: str, start: str) -> None:
    """One run, started as ``swo run`` starts it (preloaded) or as ``python -m prefect.engine``."""
    flow_run_id = asyncio.run(create_run(deployment_id))
    if start == "preloaded":
        from deployments.build import load_flow
        from deployments.run_starts import preloaded_run_flow_in_subprocess

        flow_run = asyncio.run(read_run(flow_run_id))
        preloaded_run_flow_in_subprocess(load_flow(entrypoint), flow_run=flow_run).join()
    else:
        env = {**os.environ, "PREFECT__FLOW_RUN_ID": str(flow_run_id),
               "PREFECT__ENABLE_CANCELLATION_AND_CRASHED_HOOKS": "false"}
        subprocess.run([sys.executable, "-m", "prefect.engine"], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = asyncio.run(final_state(flow_run_id))
    if state is None or not state.is_completed():  # type: ignore[attr-defined]
        raise RuntimeError(f"the idle poll did not complete: {state}")


def import_cost(entrypoint: str) -> float:
    """CPU seconds a fresh interpreter spends importing the flow's module (and Prefect with it)."""
    from deployments.build import module_path

    module = module_path(entrypoint)[0]
    code = (f"import resource, importlib; importlib.import_module({module!r}); "
            "u = resource.getrusage(resource.RUSAGE_SELF); print(u.ru_utime + u.ru_stime)")
    return float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True,
                                text=True).stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--flow", default="export-orders")
    parser.add_argument("--start", choices=("preloaded", "engine"), default="preloaded")
    parser.add_argument("--idle-seconds", type=float, default=20.0,
                        help="how long to watch the server with no run first, for its own background CPU")
    args = parser.parse_args()
    with bench_world() as world:
        assert world.server_pid is not None
        others = (world.server_pid, world.sims.process.pid)
        deployment_id, entrypoint = served_deployment(args.flow)
        if args.start == "preloaded":
            from deployments.run_starts import preload_for

            preload_for([entrypoint])
        one_run(deployment_id, entrypoint, args.start)  # the first activation (and the forkserver's start)
        # The server's services use CPU with no run at all; that share is not the run's.
        idle_before, idle_started = tree_cpu_seconds(world.server_pid), time.monotonic()
        time.sleep(args.idle_seconds)
        idle_rate = (tree_cpu_seconds(world.server_pid) - idle_before) / (time.monotonic() - idle_started)
        costs, server_shares = [], []
        for _ in range(args.runs):
            before_run, before_server = run_processes_cpu_seconds(*others), tree_cpu_seconds(world.server_pid)
            started = time.monotonic()
            one_run(deployment_id, entrypoint, args.start)
            server_share = (tree_cpu_seconds(world.server_pid) - before_server
                            - idle_rate * (time.monotonic() - started))
            costs.append(run_processes_cpu_seconds(*others) - before_run + server_share)
            server_shares.append(server_share)
        imports = import_cost(entrypoint)
    figure = statistics.median(costs)
    print("CPU-s per idle poll: " + ", ".join(f"{c:.2f}" for c in costs)
          + f"; of which the Prefect server: {statistics.median(server_shares):.2f} (median, above its own "
          f"background {idle_rate:.3f} CPU-s/s)"
          + f"; importing the flow's module alone: {imports:.2f}")
    return report(f"Idle {args.flow} poll ({args.start} start)", [Figure(
        "CPU-s in the run process and the Prefect server", figure, BOUND, " CPU-s",
        detail=f"median of {len(costs)} runs")])


if __name__ == "__main__":
    sys.exit(main())
