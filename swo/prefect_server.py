"""The Prefect server ``swo run`` talks to: one already answering on the port, or one it starts.

A started server is Prefect's own server app (``swo.prefect_server_app``, ``prefect server start`` with
short waits after a busy answer) in its own process group, with its home (database,
profiles) under the state directory, the settings of ``SERVER_DEFAULTS`` unless the environment sets
them, and its output in ``<state>/prefect-server.log``, so a fresh
clone needs nothing running beforehand. Readiness is ``GET /api/health``; something answering on
the port that is not Prefect is reported, never used.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
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


# How the server this module starts runs unless the environment says otherwise (an operator's
# PREFECT_SERVER_* variable wins). Measured with `bench/idle_poll.py`, docs/performance.md.
SERVER_DEFAULTS = {
    # A task run's states reach the server as events, and its task-run recorder writes each one in a
    # transaction of its own by default (a batch of 1): 18 transactions for the six tasks of an idle export
    # poll, the largest share of the server's CPU per run. Written in batches instead, at most 2 s after
    # they arrive: a task run's state shows in the UI up to 2 s later. Nothing in the connector reads task
    # runs back from the server.
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "2",
    # No flow pauses or suspends a run (a test holds it so), so there is no pause to expire every 5 s.
    "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
    # Expires the leases of work-pool workers' cleanup messages; `swo run` serves its deployments with a
    # runner and no worker, so every 60 s is plenty (Prefect's default is 5 s).
    "PREFECT_SERVER_SERVICES_CLEANUP_RECONCILER_LOOP_SECONDS": "60",
}


# Settings for the clients of a server this module started, unless the environment sets them. Each saves
# requests every run makes (a run is a new process with new clients): 18 instead of 24 in an idle export poll.
STARTED_SERVER_CLIENT_DEFAULTS = {
    # The server runs this interpreter's Prefect, so the version check a new client process makes
    # (GET /admin/version, twice a run) cannot fail. A server found already answering is not checked off.
    "PREFECT_CLIENT_SERVER_VERSION_CHECK_ENABLED": "false",
    # The server asks for no CSRF token unless PREFECT_SERVER_API_CSRF_PROTECTION_ENABLED says so, yet
    # every new client asks it for one (GET /csrf-token) before its first change: four a run.
    "PREFECT_CLIENT_CSRF_SUPPORT_ENABLED": "false",
}
_FALSE = {"", "0", "false", "f", "no", "n", "off"}


def started_server_client_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """Client settings for a server this module started: the defaults ``environ`` does not set, and CSRF
    support kept when ``environ`` turns the server's CSRF protection on."""
    chosen = {name: value for name, value in STARTED_SERVER_CLIENT_DEFAULTS.items() if name not in environ}
    if environ.get("PREFECT_SERVER_API_CSRF_PROTECTION_ENABLED", "").strip().lower() not in _FALSE:
        chosen.pop("PREFECT_CLIENT_CSRF_SUPPORT_ENABLED", None)
    return chosen


def server_process_environment(state_dir: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment a started server runs in: ``environ`` over ``SERVER_DEFAULTS``, and the settings of
    ``server_environment`` over both."""
    return {**SERVER_DEFAULTS, **environ, **server_environment(state_dir)}


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
        if self.process is not None:
            # The server runs in its own process group (its web server and services are children).
            stop_process_group(self.process, timeout)


def stop_process_group(process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """Stop a process started in a group of its own, with its children: SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout)


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
                [sys.executable, "-m", "swo.prefect_server_app", "--host", host, "--port", str(port)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                env=server_process_environment(state_dir, os.environ),
            )
        server = PrefectServer(api_url, process, log_path)
        try:
            wait_until_healthy(api_url, ask=lambda: probe(api_url, client), exit_code=process.poll,
                               log_path=log_path, timeout=timeout)
        except BaseException:
            server.stop()
            raise
        return server
