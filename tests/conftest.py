"""Test-wide settings: Prefect keeps its home, database and results in a throwaway folder."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

# Before anything imports Prefect: never touch the developer's ~/.prefect, and keep the test server lean.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="swo-prefect-home-")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
os.environ.pop("PREFECT_API_URL", None)

import pytest

from integrations.breaker import reset_shared_breakers
from integrations.starweb.auth import forget_process_tokens


@pytest.fixture(autouse=True)
def _fresh_process_memory() -> Iterator[None]:
    """Every test starts without the breaker states and Starweb tokens an earlier test left in this process."""
    reset_shared_breakers()
    forget_process_tokens()
    yield
    reset_shared_breakers()
    forget_process_tokens()
