"""What a benchmark needs: both simulators in a process of their own that count every vendor call
(``/_sim/calls``), a Prefect server of its own (or Prefect's test harness in this process), the demo merchant
pointed at both, and CPU time and peak memory read from /proc.

A benchmark is a script, not a test: it prints its figure as a ratio against its stated bound and exits
non-zero when the bound is missed (``bench.figures.report``). Nothing here runs in ``make test``. The simulators run in
a child process (``python -m bench.kit simulators``) so their CPU never counts as the connector's.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the simulators, in a process of their own ------------------------------------------------------


def _serve_simulators() -> None:  # the child process
    from swo.simulators import start_simulators

    sims = start_simulators()
    print(json.dumps({"starweb": sims.starweb.root_url, "ongoing": sims.ongoing.root_url,
                      "warehouse": sims.ongoing_settings.warehouse}), flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


@dataclass
class SimulatorProcess:
    """Both simulators in a child process, as ``simulators()`` started them (with how long each Ongoing
    write takes there)."""

    process: subprocess.Popen[str]
    starweb_root: str
    ongoing_root: str
    warehouse: str

    @property
    def starweb_api(self) -> str:
        return f"{self.starweb_root}/api/v2"

    @property
    def ongoing_api(self) -> str:
        return f"{self.ongoing_root}/{self.warehouse}/api/v1"

    def admin(self, which: str) -> Any:
        import httpx

        # A bulk seed of 50 000 SKUs takes minutes.
        return httpx.Client(base_url=self.starweb_root if which == "starweb" else self.ongoing_root, timeout=900)

    def seed_demo(self, *, articles: bool = True) -> None:
        """The demo registers; ``articles`` False leaves Ongoing without the demo's articles."""
        with self.admin("starweb") as starweb, self.admin("ongoing") as ongoing:
            starweb.post("/_sim/seed").raise_for_status()
            ongoing.post("/_sim/seed", json={"articles": articles}).raise_for_status()

    def latency(self, milliseconds: int) -> None:
        """Add this latency to every vendor call of both simulators (the fault kit's ``latency_ms``)."""
        for which in ("starweb", "ongoing"):
            with self.admin(which) as admin:
                admin.post("/_sim/faults", json={"latency_ms": milliseconds}).raise_for_status()

    def calls(self, *, reset: bool = False) -> dict[str, Counter[str]]:
        """Calls per endpoint each simulator answered since the last reset (its ``/_sim/calls`` log)."""
        found = {}
        for which in ("starweb", "ongoing"):
            with self.admin(which) as admin:
                answer = admin.request("DELETE" if reset else "GET", "/_sim/calls")
                found[which] = Counter(answer.raise_for_status().json()["calls"])
        return found

    def write_seconds(self, which: str) -> float:
        """The seconds the simulator ``which`` took to answer every write (any call but a ``GET``) since its
        call log was last cleared, added latency included: what a client making only those writes, one after
        the other, waits for them."""
        with self.admin(which) as admin:
            answered = admin.get("/_sim/calls").raise_for_status().json()["seconds"]
        return float(sum(seconds for endpoint, seconds in answered.items() if not endpoint.startswith("GET")))

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@contextmanager
def simulators(*, write_seconds: float = 0.0) -> Iterator[SimulatorProcess]:
    """Both simulators in a child process, each Ongoing write taking ``write_seconds`` there."""
    environment = {**os.environ, "ONGOING_SIM_WRITE_PROCESSING_SECONDS": str(write_seconds)}
    process = subprocess.Popen([sys.executable, "-m", "bench.kit", "simulators"], stdout=subprocess.PIPE,
                               text=True, cwd=ROOT, env=environment)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise RuntimeError("the simulators did not start")
    where = json.loads(line)
    sims = SimulatorProcess(process, where["starweb"], where["ongoing"], where["warehouse"])
    try:
        yield sims
    finally:
        sims.stop()


# --- the world a benchmark runs the connector in --------------------------------------------------


@dataclass
class BenchWorld:
    home: Path
    sims: SimulatorProcess
    merchants_dir: Path
    api_url: str | None = None
    server_pid: int | None = None


# The demo merchant's request budgets (10 a second per vendor) are a guess at limits neither vendor
# publishes; a bench measures the connector, so its merchant gets room to spare, as the flow tests do.
DEMO_RATE = "{per_second: 10, burst: 20}"
BENCH_RATE = "{per_second: 1000, burst: 2000}"


def bench_merchant_text(starweb_api: str, ongoing_api: str, merchant_id: str = "demo") -> str:
    """The demo merchant's file, pointed at these simulator addresses, with the bench's request budgets."""
    text = (ROOT / "deployments" / "merchants" / "demo.yaml").read_text()
    if text.count(DEMO_RATE) != 2:
        raise RuntimeError("the demo merchant's request budgets changed: update bench.kit.DEMO_RATE")
    text = text.replace(DEMO_RATE, BENCH_RATE)
    text = text.replace("http://127.0.0.1:8801/api/v2", starweb_api)
    text = text.replace("http://127.0.0.1:8802/demo/api/v1", ongoing_api)
    return text.replace("merchant_id: demo", f"merchant_id: {merchant_id}")


def merchant_file(sims: SimulatorProcess, merchant_id: str = "demo") -> str:
    """The demo merchant's file, pointed at these simulators (under another id when asked)."""
    return bench_merchant_text(sims.starweb_api, sims.ongoing_api, merchant_id)


def connector_environment(home: Path, merchants_dir: Path) -> dict[str, str]:
    from swo.demo_credentials import simulator_credentials

    return {"SWO_MERCHANTS_DIR": str(merchants_dir), "SWO_STATE_DIR": str(home / "state"),
            "SWO_LEDGER_URL": f"sqlite:///{home / 'state' / 'ledger.db'}", **simulator_credentials()}


@contextmanager
def bench_world(*, prefect: bool = True, keep: bool = False) -> Iterator[BenchWorld]:
    """Simulators, a Prefect server with its home in a temporary folder, and this process pointed at both.
    Call before anything imports Prefect."""
    home = Path(tempfile.mkdtemp(prefix="swo-bench-"))
    os.environ.update({"PREFECT_HOME": str(home / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    server = None
    try:
        with simulators() as sims:
            sims.seed_demo()
            merchants = home / "merchants"
            merchants.mkdir()
            (merchants / "demo.yaml").write_text(merchant_file(sims))
            os.environ.update(connector_environment(home, merchants))
            world = BenchWorld(home, sims, merchants)
            if prefect:
                server = start_prefect_server(home)
                world.api_url = server.api_url
                world.server_pid = server.process.pid if server.process is not None else None
                os.environ["PREFECT_API_URL"] = server.api_url
                if server.process is not None:  # its clients' settings, as `swo run` gives them
                    from swo.prefect_server import started_server_client_environment

                    os.environ.update(started_server_client_environment(os.environ))
            yield world
    finally:
        if server is not None:
            server.stop()
        if not keep:
            shutil.rmtree(home, ignore_errors=True)


@contextmanager
def demo_merchant(sims: SimulatorProcess) -> Iterator[str]:
    """The demo merchant pointed at ``sims``, with a ledger of its own (migrated), inside Prefect's test
    harness in this process: for benches that run one flow in this process, several times over, each on a
    fresh ledger and Prefect database. Yields the merchant id."""
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
        (merchants / "demo.yaml").write_text(merchant_file(sims))
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
        # a first push on a served machine never pays the migration.
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


def start_prefect_server(home: Path) -> Any:
    from integrations.simulation.server import free_port
    from swo.prefect_server import ensure_prefect_server

    return ensure_prefect_server(home, port=free_port(), timeout=180)


# --- CPU time ----------------------------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and its descendants, including children they have reaped."""
    total = 0
    for member in descendants(pid):
        fields = _stat(member)
        if fields is not None:  # utime, stime, cutime, cstime are fields 14-17 of /proc/<pid>/stat
            total += sum(int(value) for value in fields[11:15])
    return total / _CLOCK_TICKS


def run_processes_cpu_seconds(*others: int) -> float:
    """CPU seconds of every process this one started (and theirs, reaped or not), except the trees of
    ``others`` (the simulators, the Prefect server) and this process's own time."""
    own = _stat(os.getpid())
    assert own is not None
    mine = (int(own[11]) + int(own[12])) / _CLOCK_TICKS
    return tree_cpu_seconds(os.getpid()) - mine - sum(tree_cpu_seconds(pid) for pid in others)


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


def timed(what: str, call: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = call()
    print(f"  {what}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return result


if __name__ == "__main__" and sys.argv[1:] == ["simulators"]:
    _serve_simulators()
