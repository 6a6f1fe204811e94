"""The Prefect server ``swo run`` talks to: one already answering on the port, or one it starts.

A started server is ``prefect server start`` in its own process group, with its home (database,
profiles) under the state directory and its output in ``<state>/prefect-server.log``, so a fresh
clone needs nothing running beforehand. Readiness is ``GET /api/health``; something answering on
the port that is not Prefect is reported, never used.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import httpx


class ServerStartError(RuntimeError):
    """The Prefect server could not be reached or started; the message says where to look."""


class Answer(Enum):
    NOTHING = "nothing answers"
    PREFECT = "a Prefect server answers"
    OTHER = "something that is not a Prefect server answers"


def probe(api_url: str, client: httpx.Client) -> Answer:
    """Who answers at ``api_url`` (``http://host:port/api``)."""
    try:
        health = client.get(f"{api_url}/health")
        if health.status_code != 200 or health.content.strip() != b"true":
            return Answer.OTHER
        version = client.get(f"{api_url}/admin/version")
    except httpx.TransportError:
        return Answer.NOTHING
    # Prefect answers its health check with a bare JSON `true` and its version as a JSON string.
    try:
        is_prefect = version.status_code == 200 and isinstance(version.json(), str)
    except ValueError:
        is_prefect = False
    return Answer.PREFECT if is_prefect else Answer.OTHER


def wait_until_healthy(api_url: str, *, ask: Callable[[], Answer], exit_code: Callable[[], int | None],
                       log_path: Path, timeout: float = 90.0, interval: float = 0.5,
                       sleep: Callable[[float], None] = time.sleep,
                       clock: Callable[[], float] = time.monotonic) -> None:
    """Return once ``ask`` says a Prefect server answers; fail early if the process ends first."""
    deadline = clock() + timeout
    while True:
        if ask() is Answer.PREFECT:
            return
        code = exit_code()
        if code is not None:
            raise ServerStartError(f"the Prefect server stopped (exit code {code}) before answering at "
                                   f"{api_url}/health; see {log_path}")
        if clock() >= deadline:
            raise ServerStartError(f"the Prefect server did not answer at {api_url}/health within "
                                   f"{timeout:.0f} s; see {log_path}")
        sleep(interval)


def server_environment(state_dir: Path) -> dict[str, str]:
    """Prefect settings for the server and for everything that talks to it from this machine."""
    return {"PREFECT_HOME": str(state_dir / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            # A run that waits for its deployment's slot (an event-started run behind a running one) asks
            # again after this long; Prefect's default of 30 s would hold a webhook's work that long.
            "PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS": "2"}


@dataclass
class PrefectServer:
    """The server in use; ``process`` is set only when this run started it (and so must stop it)."""

    api_url: str
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def ui_url(self) -> str:
        return self.api_url.removesuffix("/api")

    def stop(self, timeout: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # The server runs in its own process group (its web server and services are children).
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout)


def ensure_prefect_server(state_dir: Path, *, host: str = "127.0.0.1", port: int = 4200,
                          timeout: float = 90.0) -> PrefectServer:
    """Reuse the Prefect server on ``host:port`` or start one there and wait until it is healthy."""
    api_url = f"http://{host}:{port}/api"
    with httpx.Client(timeout=5) as client:
        found = probe(api_url, client)
        if found is Answer.PREFECT:
            return PrefectServer(api_url)
        if found is Answer.OTHER:
            raise ServerStartError(f"{found.value} on {host}:{port}; stop it or choose another port with --port")
        log_path = state_dir / "prefect-server.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("wb") as log:
            # A session of its own: Ctrl-C must reach `swo run` first, which still needs the server to
            # pause its schedules on the way out, and then stops the server itself.
            process = subprocess.Popen(
                [sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", str(port)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                env={**os.environ, **server_environment(state_dir)},
            )
        server = PrefectServer(api_url, process, log_path)
        try:
            wait_until_healthy(api_url, ask=lambda: probe(api_url, client), exit_code=process.poll,
                               log_path=log_path, timeout=timeout)
        except BaseException:
            server.stop()
            raise
        return server
