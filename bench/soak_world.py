"""The soak's world: a Prefect server, each merchant's two simulators, its merchant file, and the served
deployments that run the connector — the same deployments ``swo run`` serves, in a process of their own.

Every flow run is a process of its own (forked, as under ``swo run``), so the soak can kill one mid-run
(``kill_mid_run``) as a crash or an out-of-memory kill would. Runs are started by the soak's simulated
clock instead of wall-clock schedules, and time is compressed the same way everywhere it matters: the
clients' timeout, the Ongoing breaker's pause and the simulated lockout window, and the grace period for
late tracking.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import yaml

from bench.soak_processes import flow_run_process, group_cpu_seconds, stop_runner
from integrations.ongoing.simulator import OngoingSimSettings
from integrations.ongoing.simulator import create_app as create_ongoing_app
from integrations.simulation.faults import FaultConfig
from integrations.simulation.server import RunningServer, free_port, serve_in_thread
from integrations.starweb.simulator import StarwebSimSettings
from integrations.starweb.simulator import create_app as create_starweb_app
from ledger import quarantine
from ledger.db import Ledger
from settings import PROJECT_ROOT
from swo.local import use_prefect_api
from swo.prefect_server import PrefectServer, ensure_prefect_server, server_environment

# Compressed time: a call times out after 2 s (the simulators hang 3 s), Ongoing's 10-minute failure
# window is 30 s (the breaker pauses that long; the simulator locks out after 5 failed calls in it).
VENDOR_TIMEOUT_SECONDS = 2.0
LOCKOUT_WINDOW_SECONDS = 30.0
LOCKOUT_AFTER_FAILURES = 5
TRACKING_GRACE_MINUTES = 1
READ_RETRY_DELAYS_SECONDS = [1.0, 3.0]  # a read task's retries (5 and 30 s in production)
FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
LEAN_SERVER_OFF = ("SCHEDULER", "TASK_RUN_RECORDER", "EVENT_PERSISTER", "TRIGGERS", "LATE_RUNS", "FOREMAN",
                   "PAUSE_EXPIRATIONS", "CANCELLATION_CLEANUP")


@dataclass
class MerchantWorld:
    """One merchant: its id and order-number prefix, and its Starweb shop and Ongoing warehouse."""

    merchant_id: str
    prefix: str
    starweb: RunningServer
    ongoing: RunningServer
    ongoing_settings: OngoingSimSettings

    @property
    def starweb_api(self) -> str:
        return f"{self.starweb.root_url}/api/v2"

    @property
    def ongoing_api(self) -> str:
        return self.ongoing_settings.api_root(self.ongoing.root_url)

    def env_prefix(self) -> str:
        return self.merchant_id.upper().replace("-", "_")

    def admin(self, which: str) -> httpx.Client:
        root = self.starweb.root_url if which == "starweb" else self.ongoing.root_url
        return httpx.Client(base_url=root, timeout=60)

    def stop(self) -> None:
        self.starweb.stop()
        self.ongoing.stop()


# How each merchant's warehouse behaves where Ongoing does not say: the soak plays every choice.
BEHAVIOURS: tuple[dict[str, Any], ...] = (
    {},
    {"omitted_order_lines": "kept", "zero_quantity_lines": "accepted", "sellable_floor_zero": True,
     "foreign_goods_owner_status": 403},
    {"omitted_order_lines": "removed", "zero_quantity_lines": "refused", "return_order_arrivals_on_sales_order": False,
     "over_delivery_status": 500},
)


def start_merchant(index: int) -> MerchantWorld:
    letter = "abcdefgh"[index]
    merchant_id = f"soak-{letter}"
    ongoing_settings = OngoingSimSettings(warehouse=f"soak{letter}", goods_owner_id=index + 1,
                                          **BEHAVIOURS[index % len(BEHAVIOURS)])
    starweb = serve_in_thread(create_starweb_app(settings=StarwebSimSettings(shop_id_code=merchant_id)))
    ongoing = serve_in_thread(create_ongoing_app(settings=ongoing_settings))
    world = MerchantWorld(merchant_id, f"S{letter.upper()}-", starweb, ongoing, ongoing_settings)
    with world.admin("starweb") as shop, world.admin("ongoing") as warehouse:
        shop.post("/_sim/seed").raise_for_status()
        warehouse.post("/_sim/seed", json={"articles": True}).raise_for_status()
    return world


class _WithoutSimulatedDrops(logging.Filter):
    """Leaves out uvicorn's traceback for each connection the fault kit drops on purpose: the soak's output
    is its figures, and a dropped connection is one of the faults it counts."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not (isinstance(error, ConnectionAbortedError) and "simulated" in str(error))


def merchant_file(world: MerchantWorld, go_live: datetime) -> dict[str, Any]:
    """The demo merchant's file, pointed at this merchant's simulators, with compressed late tracking."""
    config = yaml.safe_load((PROJECT_ROOT / "deployments" / "merchants" / "demo.yaml").read_text(encoding="utf-8"))
    env = world.env_prefix()
    config.update(merchant_id=world.merchant_id, name=f"Soak {world.merchant_id}", go_live_cutoff=go_live)
    config["starweb"] = {"base_url": world.starweb_api, "client_id": {"env": f"{env}_STARWEB_CLIENT_ID"},
                         "client_secret": {"env": f"{env}_STARWEB_CLIENT_SECRET"}}
    config["ongoing"] = {**config["ongoing"], "base_url": world.ongoing_api,
                         "warehouse": world.ongoing_settings.warehouse,
                         "goods_owner_id": world.ongoing_settings.goods_owner_id,
                         "username": {"env": f"{env}_ONGOING_USERNAME"},
                         "password": {"env": f"{env}_ONGOING_PASSWORD"}}
    config["orders"]["number_prefix"] = world.prefix
    config["shipments"]["tracking_grace_minutes"] = TRACKING_GRACE_MINUTES
    return config


def credentials(world: MerchantWorld) -> dict[str, str]:
    env = world.env_prefix()
    return {f"{env}_STARWEB_CLIENT_ID": "demo-client", f"{env}_STARWEB_CLIENT_SECRET": "demo-secret",
            f"{env}_ONGOING_USERNAME": world.ongoing_settings.username,
            f"{env}_ONGOING_PASSWORD": world.ongoing_settings.password.get_secret_value()}


def fault_config(rate: float, seed: int) -> FaultConfig:
    """``rate`` of the connector's calls faulted, shared by every kind, plus Ongoing's lockout."""
    return FaultConfig.spread(rate, seed=seed, timeout_seconds=VENDOR_TIMEOUT_SECONDS + 1, retry_after_seconds=1,
                              lockout_after_failures=LOCKOUT_AFTER_FAILURES,
                              lockout_window_seconds=LOCKOUT_WINDOW_SECONDS, lockout_seconds=LOCKOUT_WINDOW_SECONDS)


@dataclass
class Soak:
    """Everything the soak started, to reach and to stop."""

    state_dir: Path
    merchants: list[MerchantWorld]
    server: PrefectServer
    runner: subprocess.Popen[bytes]
    environment: dict[str, str]
    deployment_ids: dict[str, UUID] = field(default_factory=dict)
    _counted: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)

    def set_faults(self, rate: float, seed: int) -> None:
        for number, world in enumerate(self.merchants):
            for which in ("starweb", "ongoing"):
                config = fault_config(rate, seed + 2 * number + (which == "ongoing"))
                if which == "starweb":  # Starweb documents no lockout
                    config = config.model_copy(update={"lockout_after_failures": None})
                with world.admin(which) as admin:
                    admin.post("/_sim/faults", json=config.model_dump()).raise_for_status()

    def calm_faults(self) -> None:
        """The vendors recover: no more random faults; the lockout stays, with what it counted so far."""
        for world in self.merchants:
            for which in ("starweb", "ongoing"):
                with world.admin(which) as admin:
                    report = admin.get("/_sim/faults", params={"summary": True}).json()
                    config = FaultConfig.model_validate(report["config"])
                    calm = FaultConfig(**{k: v for k, v in config.model_dump().items() if not k.startswith("rate_")})
                    self._keep_counts(world, which, report)
                    admin.post("/_sim/faults", json=calm.model_dump()).raise_for_status()

    def _keep_counts(self, world: MerchantWorld, which: str, report: Mapping[str, Any]) -> None:
        kept = self._counted.setdefault((world.merchant_id, which), {"calls": 0, "lockouts": 0})
        kept["calls"] += report["calls"]
        kept["lockouts"] += len(report["lockouts"])
        for kind, count in report["injected"].items():
            kept[f"injected {kind}"] = kept.get(f"injected {kind}", 0) + count

    def fault_counts(self, world: MerchantWorld, which: str) -> dict[str, int]:
        """Calls, lockouts and injected faults (``injected``, and ``injected <kind>`` per kind) over the whole
        soak (reconfiguring starts a new count)."""
        with world.admin(which) as admin:
            report = admin.get("/_sim/faults", params={"summary": True}).json()
        counts = dict(self._counted.get((world.merchant_id, which), {"calls": 0, "lockouts": 0}))
        counts["calls"] += report["calls"]
        counts["lockouts"] += len(report["lockouts"])
        for kind, count in report["injected"].items():
            counts[f"injected {kind}"] = counts.get(f"injected {kind}", 0) + count
        counts["injected"] = sum(count for name, count in counts.items() if name.startswith("injected "))
        return counts

    def _ledger(self) -> Ledger:
        return Ledger(self.environment["SWO_LEDGER_URL"])

    def make_quarantine_due(self) -> int:
        """The night passes: every open quarantine entry is due, as its backoff would have made it by morning
        (the same as ``swo quarantine retry`` for each)."""
        store = self._ledger()
        try:
            with store.session() as session:
                entries = [e.id for m in self.merchants for e in quarantine.open_entries(session, m.merchant_id)]
                for entry_id in entries:
                    quarantine.retry_now(session, entry_id)
            return len(entries)
        finally:
            store.dispose()

    def open_quarantine(self, merchant_id: str) -> list[tuple[str, str, str | None]]:
        store = self._ledger()
        try:
            with store.session() as session:
                return [(e.kind, e.key, e.reason) for e in quarantine.open_entries(session, merchant_id)]
        finally:
            store.dispose()

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time so far of each part of the soak: where its time goes on a machine it saturates."""
        server = self.server.process.pid if self.server.process is not None else None
        return {"Prefect server": group_cpu_seconds(server) if server else 0.0,
                "runner and flow-run processes": group_cpu_seconds(self.runner.pid),
                "simulators and the soak itself": group_cpu_seconds(os.getpgid(0), only=os.getpid())}

    def stop(self) -> None:
        """Stop everything the soak started, each part even if another fails to stop."""
        try:
            stop_runner(self.runner)
        finally:
            try:
                for world in self.merchants:
                    world.stop()
            finally:
                self.server.stop()


def run_pids(state_dir: Path) -> Path:
    """Where ``bench.soak_serve`` writes the process id of each run it starts."""
    return state_dir / "run-pids"


def start_soak(state_dir: Path, merchant_count: int, *, runner_limit: int) -> Soak:
    """Start the Prefect server, the simulators and the served deployments; wait until all are served."""
    state_dir.mkdir(parents=True, exist_ok=True)
    # The soak's own server, lean: no schedules to plan, and no events kept or acted on (task-run history,
    # automations, late or lost runs), which cost it about as much CPU as the flow runs themselves. A killed
    # writer's Ongoing write slot comes back when its lease (60 s, Prefect's shortest) has expired and the
    # repossessor has looked: every 2 s here instead of 15.
    os.environ.update({f"PREFECT_SERVER_SERVICES_{service}_ENABLED": "false" for service in LEAN_SERVER_OFF})
    os.environ.update(PREFECT_SERVER_SERVICES_REPOSSESSOR_LOOP_SECONDS="2", PREFECT_SERVER_ANALYTICS_ENABLED="false")
    server = ensure_prefect_server(state_dir, port=free_port(), timeout=300)
    use_prefect_api(server.api_url, server_environment(state_dir))
    merchants: list[MerchantWorld] = []
    try:
        merchants = [start_merchant(i) for i in range(merchant_count)]
        logging.getLogger("uvicorn.error").addFilter(_WithoutSimulatedDrops())  # after uvicorn set its logging up
        merchants_dir = state_dir / "merchants"
        merchants_dir.mkdir(exist_ok=True)
        go_live = datetime.now(UTC) - timedelta(minutes=5)
        for world in merchants:
            text = yaml.safe_dump(merchant_file(world, go_live), sort_keys=False, allow_unicode=True)
            (merchants_dir / f"{world.merchant_id}.yaml").write_text(text, encoding="utf-8")
        environment = {
            **server_environment(state_dir), "PREFECT_API_URL": server.api_url,
            "PREFECT_RUNNER_POLL_FREQUENCY": "1", "PREFECT_LOGGING_TO_API_ENABLED": "false",
            "SWO_STATE_DIR": str(state_dir), "SWO_MERCHANTS_DIR": str(merchants_dir),
            "SWO_LEDGER_URL": f"sqlite:///{state_dir / 'ledger.db'}",
            "SWO_VENDOR_TIMEOUT_SECONDS": str(VENDOR_TIMEOUT_SECONDS),
            "SWO_ONGOING_LOCKOUT_WINDOW_SECONDS": str(LOCKOUT_WINDOW_SECONDS),
            "SWO_READ_RETRY_DELAYS_SECONDS": json.dumps(READ_RETRY_DELAYS_SECONDS),
            **{name: value for world in merchants for name, value in credentials(world).items()},
        }
        with (state_dir / "runner.log").open("wb") as log:
            runner = subprocess.Popen([sys.executable, "-m", "bench.soak_serve", str(runner_limit),
                                       str(run_pids(state_dir))],
                                      cwd=PROJECT_ROOT, env={**os.environ, **environment}, stdout=log,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    except BaseException:
        for world in merchants:
            world.stop()
        server.stop()
        raise
    soak = Soak(state_dir, merchants, server, runner, environment)
    try:
        asyncio.run(_wait_until_served(soak))
    except BaseException:
        soak.stop()
        raise
    return soak


async def _wait_until_served(soak: Soak, timeout: float = 300.0) -> None:
    from prefect.client.orchestration import get_client

    from deployments.registry import PROCESSES

    wanted = {f"{p.flow_name}/{w.merchant_id}" for p in PROCESSES for w in soak.merchants}
    deadline = time.monotonic() + timeout
    async with get_client() as client:
        while True:
            if soak.runner.poll() is not None:
                raise RuntimeError(f"the served deployments stopped (exit {soak.runner.returncode}); see "
                                   f"{soak.state_dir / 'runner.log'}")
            found = await client.read_deployments()
            flows = {f.id: f.name for f in await client.read_flows()}
            soak.deployment_ids = {f"{flows.get(d.flow_id)}/{d.name}": d.id for d in found}
            if wanted <= soak.deployment_ids.keys():
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"deployments not served within {timeout:.0f} s: "
                                   f"{sorted(wanted - soak.deployment_ids.keys())}")
            await asyncio.sleep(1)


# Runs ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    name: str  # <flow>/<merchant>
    flow_run_id: UUID


async def start_runs(soak: Soak, names: Iterable[str], parameters: Mapping[str, Mapping[str, Any]] | None = None
                     ) -> list[Run]:
    from prefect.client.orchestration import get_client

    runs = []
    async with get_client() as client:
        for name in names:
            merchant_id = name.split("/", 1)[1]
            params = {"merchant_id": merchant_id, **(parameters or {}).get(name, {})}
            flow_run = await client.create_flow_run_from_deployment(soak.deployment_ids[name], parameters=params)
            runs.append(Run(name, flow_run.id))
    return runs


async def states_of(runs: Iterable[Run], client: Any = None) -> dict[UUID, str]:
    """Each run's state type; ``client``: a Prefect client to reuse (polling with a new one each time costs)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    ids = [run.flow_run_id for run in runs]
    if not ids:
        return {}
    if client is None:
        async with get_client() as client:
            return await states_of(runs, client)
    found = await client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)))
    return {run.id: run.state.type.value if run.state else "PENDING" for run in found}


async def wait_for(runs: list[Run], timeout: float) -> dict[str, int]:
    """Wait until every run is over; how many ended in each state."""
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        return await _wait_for(runs, timeout, client)


async def _wait_for(runs: list[Run], timeout: float, client: Any) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while True:
        states = await states_of(runs, client)
        if all(states.get(run.flow_run_id) in FINAL_STATES for run in runs):
            counts: dict[str, int] = {}
            for state in states.values():
                counts[state] = counts.get(state, 0) + 1
            return counts
        if time.monotonic() > deadline:
            late = [run.name for run in runs if states.get(run.flow_run_id) not in FINAL_STATES]
            raise TimeoutError(f"runs still going after {timeout:.0f} s: {late}")
        await asyncio.sleep(1.0)


async def kill_mid_run(soak: Soak, world: MerchantWorld, name: str, *, after_calls: int,
                       timeout: float = 900.0) -> bool:
    """Start ``name`` alone, let it make ``after_calls`` vendor calls, then SIGKILL its process. Whether it
    was killed and Prefect shows it Crashed (a run that finishes first was not killed)."""
    from prefect.client.orchestration import get_client

    before = sum(soak.fault_counts(world, which)["calls"] for which in ("starweb", "ongoing"))
    (run,) = await start_runs(soak, [name])
    deadline = time.monotonic() + timeout
    async with get_client() as client:
        while time.monotonic() < deadline:
            state = (await states_of([run], client)).get(run.flow_run_id)
            if state in FINAL_STATES:
                return False
            await asyncio.sleep(0.25)
            if state != "RUNNING":
                continue
            calls = sum(soak.fault_counts(world, which)["calls"] for which in ("starweb", "ongoing")) - before
            process = flow_run_process(run_pids(soak.state_dir), run.flow_run_id) if calls >= after_calls else None
            if process is not None:
                os.kill(process, signal.SIGKILL)
                await _wait_for([run], 300, client)
                return (await states_of([run], client)).get(run.flow_run_id) == "CRASHED"
    raise TimeoutError(f"{name} neither finished nor made {after_calls} calls within {timeout:.0f} s")
