"""Test-wide settings and the session's shared servers: Prefect keeps its home, database and results in a
throwaway folder; one Prefect test harness and one pair of simulators serve every test that needs them
(each test resets and seeds the simulators it uses)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from integrations.http import one_certificate_bundle  # imports no Prefect

# Before anything imports Prefect: never touch the developer's ~/.prefect, and keep the test server lean.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="swo-prefect-home-")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
# A busy machine starts a temporary Prefect server slowly; a command test must not fail for that.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.pop("PREFECT_API_URL", None)

# Every test speaks plain HTTP to local servers, yet each httpx and Prefect client loads the whole CA bundle
# (tens of ms of CPU each, hundreds of clients in a flow test file, about a third of its CPU): a one-certificate
# bundle makes that nearly free without changing what the tests exercise.
os.environ["SSL_CERT_FILE"] = str(one_certificate_bundle(Path(os.environ["PREFECT_HOME"])))
os.environ["PREFECT_API_SSL_CERT_FILE"] = os.environ["SSL_CERT_FILE"]

import pytest
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from prefect.testing.utilities import prefect_test_harness

from integrations.breaker import reset_shared_breakers
from integrations.starweb.auth import forget_process_tokens
from swo.simulators import Simulators, start_simulators


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect server for the whole run, heartbeats off (they cost a flow test most of its time)."""
    with prefect_test_harness(server_startup_timeout=90), temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


@pytest.fixture(scope="session")
def simulators() -> Iterator[Simulators]:
    """Both simulators on free ports, started once for the whole run."""
    sims = start_simulators()
    yield sims
    sims.stop()


@pytest.fixture(autouse=True)
def _fresh_process_memory() -> Iterator[None]:
    """Every test starts without the breaker states and Starweb tokens an earlier test left in this process."""
    reset_shared_breakers()
    forget_process_tokens()
    yield
    reset_shared_breakers()
    forget_process_tokens()
