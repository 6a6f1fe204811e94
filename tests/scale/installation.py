"""A multi-worker installation on this machine, built with the scripts an operator uses (deploy/*.sh):
a PostgreSQL of its own, a Prefect server on it, ``deploy/setup.sh`` (``swo setup``, ``prefect deploy
--all``) and process workers, each in a process group of its own so one can be killed like a machine that
dies. Every process writes its output to a file under the installation's directory, for the failure
message."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = PROJECT_ROOT / "deploy"
SERVER_START_SECONDS = 240  # a fresh database is migrated first; a busy 2-core machine is slow at it


def postgres_binaries() -> Path | None:
    """Where initdb and pg_ctl are (the same search as deploy/local-postgres.sh), or None."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: float(p.parent.name or 0))
    found = [c for c in candidates if (c / "initdb").exists()]
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(interval)


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self, tail: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-tail:] if self.log.exists() else ""

    def kill_group(self) -> None:
        """SIGKILL the process and everything in its process group: nothing gets to clean up."""
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(30)

    def stop(self) -> None:
        if not self.alive():
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(20)
        except subprocess.TimeoutExpired:
            self.kill_group()


@dataclass
class Installation:
    """The processes of one installation and the environment they share."""

    home: Path
    environment: dict[str, str]
    processes: list[Process] = field(default_factory=list)
    postgres_dir: Path | None = None
    started: float = field(default_factory=time.monotonic)

    def say(self, what: str) -> None:
        """A line with the time since the start, shown with a failure (where did the minutes go)."""
        print(f"[{time.monotonic() - self.started:6.1f} s] {what}", flush=True)

    @property
    def api_url(self) -> str:
        return self.environment["PREFECT_API_URL"]

    def start(self, name: str, script: str, **extra: str) -> Process:
        log = self.home / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen(["bash", str(DEPLOY / script)], env={**self.environment, **extra}, stdout=out,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                                     cwd=self.home)
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def run(self, script: str, *args: str, timeout: float = 600, **extra: str) -> str:
        """Run a script to its end; its output, or an assertion error carrying it."""
        done = subprocess.run(["bash", str(DEPLOY / script), *args], env={**self.environment, **extra},
                              capture_output=True, text=True, timeout=timeout, cwd=self.home)
        assert done.returncode == 0, f"{script} {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    def start_postgres(self) -> dict[str, str]:
        """deploy/local-postgres.sh: the two database URLs it prints."""
        # Not under pytest's own temporary folder: only root may enter that, and PostgreSQL runs as another user.
        self.postgres_dir = Path(tempfile.mkdtemp(prefix="swo-pg-"))
        printed = self.run("local-postgres.sh", "start", str(self.postgres_dir), str(free_port()), timeout=180)
        return dict(line.split("=", 1) for line in printed.splitlines() if "=" in line)

    def start_prefect_server(self) -> Process:
        port = free_port()
        self.environment["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
        server = self.start("prefect-server", "prefect-server.sh", PREFECT_SERVER_API_HOST="127.0.0.1",
                            PREFECT_SERVER_API_PORT=str(port))

        def healthy() -> bool:
            assert server.alive(), f"the Prefect server stopped:\n{server.output()}"
            try:
                return httpx.get(f"{self.api_url}/health", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, timeout=SERVER_START_SECONDS, what="the Prefect server to answer")
        return server

    def start_worker(self, name: str) -> Process:
        return self.start(name, "worker.sh", SWO_WORKER_NAME=name)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        if self.postgres_dir is not None:
            subprocess.run(["bash", str(DEPLOY / "local-postgres.sh"), "stop", str(self.postgres_dir)],
                           capture_output=True, timeout=120, check=False)
            shutil.rmtree(self.postgres_dir, ignore_errors=True)


def installation_environment(base: Mapping[str, str], home: Path, **settings: str) -> dict[str, str]:
    """The environment every process of the installation gets: this one without the test suite's Prefect
    settings, a Prefect home of the installation's own, and ``settings``."""
    environment = {k: v for k, v in base.items() if not k.startswith(("PREFECT_", "SWO_"))}
    (home / "prefect-home").mkdir(parents=True, exist_ok=True)
    return {**environment, "PREFECT_HOME": str(home / "prefect-home"), **settings}
