"""What the connector benches share: both simulators in a process of their own, and the demo merchant
pointed at them with a fresh ledger, inside a Prefect test harness.

The simulators run in a separate process so that their work does not compete with the connector's for
this process's interpreter: the connector is measured as a deployment run would run it, against vendors
elsewhere. ``peak_memory`` reads the high-water mark of this process's resident memory over a block.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.kit import bench_merchant_text
from integrations.simulation.server import free_port


@dataclass(frozen=True)
class SimulatorAddresses:
    starweb_root: str
    ongoing_root: str

    @property
    def starweb_api(self) -> str:
        return f"{self.starweb_root}/api/v2"

    @property
    def ongoing_api(self) -> str:
        return f"{self.ongoing_root}/demo/api/v1"

    def admin(self, which: str) -> httpx.Client:
        return httpx.Client(base_url=self.starweb_root if which == "starweb" else self.ongoing_root, timeout=900)


def _serve(starweb_port: int, ongoing_port: int, write_seconds: float) -> None:
    from integrations.ongoing.simulator import OngoingSimSettings
    from swo.simulators import start_simulators

    start_simulators(starweb_port=starweb_port, ongoing_port=ongoing_port,
                     ongoing_settings=OngoingSimSettings(write_processing_seconds=write_seconds))
    while True:
        time.sleep(3600)


@contextmanager
def simulators_process(*, write_seconds: float = 0.0) -> Iterator[SimulatorAddresses]:
    """Both simulators, seeded with the demo registers, on free ports in a child process. Each Ongoing API
    write takes ``write_seconds`` (Ongoing processes a goods owner's writes one at a time)."""
    ports = free_port(), free_port()
    process = multiprocessing.get_context("spawn").Process(target=_serve, args=(*ports, write_seconds), daemon=True)
    process.start()
    sims = SimulatorAddresses(f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}")
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with sims.admin("starweb") as starweb, sims.admin("ongoing") as ongoing:
                    starweb.post("/_sim/seed").raise_for_status()
                    ongoing.post("/_sim/seed", json={"articles": False}).raise_for_status()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or not process.is_alive():
                    raise
                time.sleep(0.2)
        yield sims
    finally:
        process.terminate()
        process.join(10)


@contextmanager
def demo_merchant(sims: SimulatorAddresses) -> Iterator[str]:
    """The demo merchant pointed at ``sims``, with a ledger of its own (migrated), inside a Prefect test
    harness; yields the merchant id."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    import tasks.request_budgets
    import tasks.runtime
    import tasks.write_slots
    from settings import get_settings
    from swo.demo_credentials import simulator_credentials

    with tempfile.TemporaryDirectory(prefix="swo-bench-") as tmp:
        merchants = Path(tmp) / "merchants"
        merchants.mkdir()
        (merchants / "demo.yaml").write_text(bench_merchant_text(sims.starweb_api, sims.ongoing_api))
        credentials = simulator_credentials()
        saved = {name: os.environ.get(name) for name in [*credentials, "SWO_MERCHANTS_DIR", "SWO_LEDGER_URL"]}
        os.environ.update(credentials, SWO_MERCHANTS_DIR=str(merchants),
                          SWO_LEDGER_URL=f"sqlite:///{Path(tmp) / 'ledger.db'}")
        get_settings.cache_clear()
        tasks.runtime._ledger_for.cache_clear()
        # Each harness is a new Prefect server: the limits this process made on the last one are not on it.
        tasks.request_budgets._ensured.clear()
        tasks.request_budgets._budgets.clear()
        tasks.write_slots._ensured.clear()
        # The ledger is brought up to date before any run, as `swo run` does at setup (swo/prefect_setup.py):
        # a first push on a served machine never pays the migration
        tasks.runtime.ledger()
        try:
            with prefect_test_harness(server_startup_timeout=600), \
                    temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
                yield "demo"
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            get_settings.cache_clear()
            tasks.runtime._ledger_for.cache_clear()


@dataclass
class PeakMemory:
    mib: float = 0.0


@contextmanager
def peak_memory() -> Iterator[PeakMemory]:
    """This process's peak resident memory over the block (Linux: the high-water mark is reset first)."""
    result = PeakMemory()
    Path("/proc/self/clear_refs").write_text("5")
    yield result
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            result.mib = int(line.split()[1]) / 1024


def tree_cpu_seconds() -> float:
    """CPU seconds (user + system) used so far by this process and every process below it (the simulators'
    process, the Prefect test server): what a run costs the machine, whatever else is loading it. Linux."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    mine, total = {os.getpid()}, 0.0
    for pid in sorted(parents):  # children have higher pids than their parents, almost always
        if pid in mine or parents[pid] in mine:
            mine.add(pid)
    changed = True
    while changed:  # for the rare child with a lower pid than its parent
        grown = {pid for pid, parent in parents.items() if parent in mine} - mine
        mine |= grown
        changed = bool(grown)
    for pid in mine:
        total += used.get(pid, 0.0)
    return total
