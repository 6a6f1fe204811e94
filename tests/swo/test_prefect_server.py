"""Finding, starting and stopping the local Prefect server of ``swo run`` (no real Prefect server)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from integrations.simulation.server import RunningServer, free_port, serve_in_thread
from swo.prefect_server import (
    SERVER_DEFAULTS,
    Answer,
    PrefectServer,
    ServerStartError,
    ensure_prefect_server,
    probe,
    server_environment,
    server_process_environment,
    started_server_client_environment,
    wait_until_healthy,
)


def prefect_lookalike() -> FastAPI:
    app = FastAPI()
    app.get("/api/health")(lambda: True)
    app.get("/api/admin/version")(lambda: "3.9.1")
    return app


def other_service() -> FastAPI:
    app = FastAPI()
    app.get("/api/health")(lambda: {"status": "ok"})
    return app


@pytest.fixture
def serving() -> Iterator[list[RunningServer]]:
    servers: list[RunningServer] = []
    yield servers
    for server in servers:
        server.stop()


def answer_of(handler: httpx.MockTransport) -> Answer:
    with httpx.Client(transport=handler) as client:
        return probe("http://127.0.0.1:4200/api", client)


def test_probe_tells_prefect_from_other_services_and_from_nothing() -> None:
    def prefect(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=True if request.url.path == "/api/health" else "3.9.1")

    def health_only(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=True) if request.url.path == "/api/health" else httpx.Response(404)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    assert answer_of(httpx.MockTransport(prefect)) is Answer.PREFECT
    assert answer_of(httpx.MockTransport(health_only)) is Answer.OTHER
    assert answer_of(httpx.MockTransport(lambda r: httpx.Response(503))) is Answer.OTHER
    assert answer_of(httpx.MockTransport(refused)) is Answer.NOTHING


def test_a_started_server_gets_the_defaults_the_environment_does_not_override(tmp_path: Path) -> None:
    setting = "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE"
    assert setting in SERVER_DEFAULTS

    plain = server_process_environment(tmp_path, {"PATH": "/bin"})
    assert plain[setting] == SERVER_DEFAULTS[setting]
    assert plain["PATH"] == "/bin"

    assert server_process_environment(tmp_path, {setting: "7"})[setting] == "7"
    # The state directory's own settings (the server's home) always apply.
    home = server_process_environment(tmp_path, {"PREFECT_HOME": "/elsewhere"})["PREFECT_HOME"]
    assert home == server_environment(tmp_path)["PREFECT_HOME"] == str(tmp_path / "prefect")


def test_no_flow_pauses_a_run_while_the_local_server_expires_no_pauses() -> None:
    assert SERVER_DEFAULTS["PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED"] == "false"
    root = Path(__file__).resolve().parents[2]
    pausing = [path for folder in ("flows", "tasks", "deployments") for path in (root / folder).rglob("*.py")
               if re.search(r"\b(pause_flow_run|suspend_flow_run|wait_for_input)\b", path.read_text(encoding="utf-8"))]
    assert pausing == [], "a run can pause: turn the server's pause-expiration service back on (SERVER_DEFAULTS)"


def test_clients_of_a_started_server_skip_the_version_check_and_csrf_unless_told_otherwise() -> None:
    version, csrf = "PREFECT_CLIENT_SERVER_VERSION_CHECK_ENABLED", "PREFECT_CLIENT_CSRF_SUPPORT_ENABLED"
    assert started_server_client_environment({}) == {version: "false", csrf: "false"}
    assert started_server_client_environment({csrf: "true"}) == {version: "false"}
    # A server told to protect against CSRF needs its clients to fetch the token.
    protection = "PREFECT_SERVER_API_CSRF_PROTECTION_ENABLED"
    assert started_server_client_environment({protection: "true"}) == {version: "false"}
    assert started_server_client_environment({protection: "False"}) == {version: "false", csrf: "false"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_waiting_returns_as_soon_as_the_server_is_healthy(tmp_path: Path) -> None:
    answers = iter([Answer.NOTHING, Answer.NOTHING, Answer.PREFECT])
    clock = FakeClock()

    wait_until_healthy("http://127.0.0.1:4200/api", ask=lambda: next(answers), exit_code=lambda: None,
                       log_path=tmp_path / "prefect-server.log", sleep=clock.sleep, clock=clock)

    assert clock.sleeps == [0.5, 0.5]


def test_waiting_gives_up_after_the_timeout_and_points_at_the_log(tmp_path: Path) -> None:
    clock = FakeClock()
    log = tmp_path / "prefect-server.log"

    with pytest.raises(ServerStartError, match=r"did not answer at http://127.0.0.1:4200/api/health within 90 s; "
                                               rf"see {log}"):
        wait_until_healthy("http://127.0.0.1:4200/api", ask=lambda: Answer.NOTHING, exit_code=lambda: None,
                           log_path=log, sleep=clock.sleep, clock=clock)
    assert 89 <= clock.now <= 91


def test_waiting_stops_early_when_the_server_process_dies(tmp_path: Path) -> None:
    clock = FakeClock()

    with pytest.raises(ServerStartError, match="stopped \\(exit code 1\\) before answering"):
        wait_until_healthy("http://127.0.0.1:4200/api", ask=lambda: Answer.NOTHING, exit_code=lambda: 1,
                           log_path=tmp_path / "prefect-server.log", sleep=clock.sleep, clock=clock)
    assert clock.sleeps == []


def test_a_prefect_server_already_answering_is_reused_and_left_running(
        tmp_path: Path, serving: list[RunningServer]) -> None:
    serving.append(serve_in_thread(prefect_lookalike()))

    server = ensure_prefect_server(tmp_path, port=serving[0].port)
    server.stop()

    assert server.process is None
    assert server.ui_url == serving[0].root_url
    assert httpx.get(f"{serving[0].root_url}/api/health").json() is True
    assert not (tmp_path / "prefect-server.log").exists()


def test_a_port_taken_by_another_service_is_reported(tmp_path: Path, serving: list[RunningServer]) -> None:
    serving.append(serve_in_thread(other_service()))

    with pytest.raises(ServerStartError, match=f"not a Prefect server answers on 127.0.0.1:{serving[0].port}; "
                                               "stop it or choose another port with --port"):
        ensure_prefect_server(tmp_path, port=serving[0].port)


def test_a_server_that_fails_to_start_is_reported_with_its_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    failing = tmp_path / "fake-python"
    failing.write_text("#!/bin/sh\necho \"PREFECT_HOME=$PREFECT_HOME analytics=$PREFECT_SERVER_ANALYTICS_ENABLED\"\n"
                       "echo \"args: $*\"\nexit 3\n")
    failing.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(failing))
    port = free_port()

    with pytest.raises(ServerStartError, match=f"exit code 3.*see {tmp_path / 'prefect-server.log'}"):
        ensure_prefect_server(tmp_path, port=port, timeout=10)

    log = (tmp_path / "prefect-server.log").read_text()
    assert f"PREFECT_HOME={tmp_path / 'prefect'} analytics=false" in log
    assert f"args: -m swo.prefect_server_app --host 127.0.0.1 --port {port}" in log


def test_stopping_ends_the_server_process_this_run_started() -> None:
    process = subprocess.Popen(["sleep", "60"], start_new_session=True)
    server = PrefectServer("http://127.0.0.1:4200/api", process)

    server.stop(timeout=5)

    assert process.poll() is not None
