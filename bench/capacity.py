"""Bench: how many merchants one machine keeps on schedule, with the default intervals and webhooks on.

``--merchants`` copies of the demo merchant (webhooks on, so the processes that listen to webhooks poll
only every 15 minutes as a backstop) are served the way ``swo run`` serves them: one runner, every run
forked from the preloaded process, the Prefect server planning the schedules. All of them talk to one
pair of simulators with the demo shop and warehouse, and nothing happens in the shops: every run after
the first activation is a poll with nothing to do, which is most of what a merchant's day is made of.
After a warm-up (the first activations) the bench watches ``--minutes`` and then reads every run that was
due in that window from Prefect:

* how late it started (or, not started yet, how late it is now): the worst must stay within 30 minutes,
  and should not grow through the window (a growing backlog means the machine is over capacity, however
  short the window);
* the CPU the connector's side used meanwhile: the Prefect server, the runner and the run processes (the
  simulators stand in for the vendors and are left out), as cores busy; the merchants a machine of this
  many cores serves at most 80 % busy follow from it: merchants × 0.8 × cores ÷ cores busy. Bound: 200.

The profile printed with it: the CPU by process tree, the runs per merchant-hour by process, and their
median run time. Run: ``.venv/bin/python -m bench.capacity [--merchants 200 --minutes 20 --warm-up 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.figures import Figure, report
from bench.kit import ROOT, BenchWorld, bench_world, merchant_file, tree_cpu_seconds

MERCHANTS_BOUND = 200
LATE_BOUND_MINUTES = 30.0
BUSY_SHARE = 0.8  # headroom for bursts of real work beside the polls
PAGE = 200  # the Prefect API's largest page


def write_merchants(world: BenchWorld, count: int) -> list[str]:
    """``count`` copies of the demo merchant in the merchants folder, in place of the demo merchant."""
    (world.merchants_dir / "demo.yaml").unlink()
    merchant_ids = [f"cap-{n:03d}" for n in range(count)]
    for merchant_id in merchant_ids:
        (world.merchants_dir / f"{merchant_id}.yaml").write_text(merchant_file(world.sims, merchant_id))
    return merchant_ids


def expected_deployments() -> int:
    from deployments.build import build_deployments
    from domain.config import load_merchants
    from settings import get_settings

    return len(build_deployments(load_merchants(get_settings().merchants_dir).values()))


async def _paged(read: Any, **filters: Any) -> list[Any]:
    found: list[Any] = []
    while True:
        page = await read(limit=PAGE, offset=len(found), **filters)
        found += page
        if len(page) < PAGE:
            return found


async def served_deployments() -> int:
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        return len(await _paged(client.read_deployments))


def wait_until_served(runner: subprocess.Popen[bytes], wanted: int, log: Path, timeout: float) -> float:
    started = time.monotonic()
    while (served := asyncio.run(served_deployments())) < wanted:
        if runner.poll() is not None:
            raise RuntimeError(f"the runner stopped (exit {runner.returncode}); see {log}")
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"only {served} of {wanted} deployments served after {timeout:.0f} s")
        time.sleep(5)
    return time.monotonic() - started


@dataclass(frozen=True)
class DueRun:
    process: str
    expected: datetime
    lateness: float  # seconds: start - expected, or now - expected if not started
    seconds: float | None  # run time, if it ended


async def runs_due(since: datetime, until: datetime) -> list[DueRun]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterExpectedStartTime

    now = datetime.now(UTC)
    window = FlowRunFilter(expected_start_time=FlowRunFilterExpectedStartTime(after_=since, before_=until))
    async with get_client() as client:
        flows = {flow.id: flow.name for flow in await _paged(client.read_flows)}
        runs = await _paged(client.read_flow_runs, flow_run_filter=window)
    due = []
    for run in runs:
        if run.expected_start_time is None or run.parent_task_run_id is not None:
            continue
        started = run.start_time
        lateness = ((started or now) - run.expected_start_time).total_seconds()
        seconds = run.total_run_time.total_seconds() if run.end_time is not None else None
        due.append(DueRun(flows.get(run.flow_id, "?"), run.expected_start_time, max(lateness, 0.0), seconds))
    return due


def lateness_growth(due: list[DueRun]) -> float:
    """Seconds of lateness gained per minute of schedule (least squares over the runs due): about 0 when the
    machine keeps up, positive when its backlog grows."""
    if len(due) < 2:
        return 0.0
    start = min(run.expected for run in due)
    xs = [(run.expected - start).total_seconds() / 60 for run in due]
    ys = [run.lateness for run in due]
    return statistics.linear_regression(xs, ys).slope if len(set(xs)) > 1 else 0.0


def profile(due: list[DueRun], merchants: int, hours: float, cpu: dict[str, float], seconds: float) -> None:
    print(f"\nCPU while watched ({seconds:.0f} s): " + ", ".join(
        f"{what} {used:.0f} CPU-s ({used / seconds:.2f} cores)" for what, used in cpu.items()))
    counts = Counter(run.process for run in due)
    times: dict[str, list[float]] = defaultdict(list)
    for run in due:
        if run.seconds is not None:
            times[run.process].append(run.seconds)
    print(f"{'process':<24} {'runs per merchant-hour':>22} {'median run time':>16}")
    for process, count in counts.most_common():
        median = f"{statistics.median(times[process]):.1f} s" if times[process] else "-"
        print(f"{process:<24} {count / merchants / hours:>22.1f} {median:>16}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--merchants", type=int, default=MERCHANTS_BOUND)
    parser.add_argument("--minutes", type=float, default=20.0, help="how long to watch the schedules")
    parser.add_argument("--warm-up", type=float, default=5.0, help="minutes for the first activations first")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with bench_world() as world:
        assert world.server_pid is not None
        write_merchants(world, args.merchants)
        log = world.home / "runner.log"
        with log.open("wb") as out:
            runner = subprocess.Popen([sys.executable, "-m", "bench.capacity_serve"], cwd=ROOT, env=os.environ,
                                      stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      start_new_session=True)
        try:
            wanted = expected_deployments()
            took = wait_until_served(runner, wanted, log, timeout=1800)
            print(f"{args.merchants} merchants: {wanted} deployments served after {took:.0f} s", flush=True)
            time.sleep(args.warm_up * 60)
            since = datetime.now(UTC)
            cpu_before = {"Prefect server": tree_cpu_seconds(world.server_pid), "runner and runs": tree_cpu_seconds(
                runner.pid)}
            watched = time.monotonic()
            time.sleep(args.minutes * 60)
            seconds = time.monotonic() - watched
            cpu = {"Prefect server": tree_cpu_seconds(world.server_pid) - cpu_before["Prefect server"],
                   "runner and runs": tree_cpu_seconds(runner.pid) - cpu_before["runner and runs"]}
            until = since + timedelta(seconds=seconds)
            due = asyncio.run(runs_due(since, until))
        finally:
            runner.terminate()
            try:
                runner.wait(timeout=60)
            except subprocess.TimeoutExpired:
                runner.kill()
    busy = sum(cpu.values()) / seconds
    worst = max((run.lateness for run in due), default=0.0)
    growth = lateness_growth(due)
    profile(due, args.merchants, seconds / 3600, cpu, seconds)
    late = sum(run.lateness > LATE_BOUND_MINUTES * 60 for run in due)
    return report(f"Capacity: {args.merchants} merchants, webhooks on, default intervals, watched "
                  f"{args.minutes:g} min after {args.warm_up:g} min of warm-up", [
        Figure("merchants served at most 80 % busy", args.merchants * BUSY_SHARE * cores / busy, MERCHANTS_BOUND,
               at_most=False, detail=f"{busy:.2f} of {cores} cores busy with {args.merchants} merchants"),
        Figure("worst lateness of a run due in the window", worst / 60, LATE_BOUND_MINUTES, " min",
               detail=f"{len(due)} runs due, {late} over {LATE_BOUND_MINUTES:g} min; median "
                      f"{statistics.median(r.lateness for r in due) if due else 0:.0f} s"),
        Figure("lateness gained per minute of schedule", growth, 1.0, " s",
               detail="about 0 when the machine keeps up; positive and steady: the backlog grows"),
    ])


if __name__ == "__main__":
    sys.exit(main())
