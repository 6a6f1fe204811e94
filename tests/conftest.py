"""Test-wide settings: Prefect keeps its home, database and results in a throwaway folder."""

from __future__ import annotations

import os
import tempfile

# Before anything imports Prefect: never touch the developer's ~/.prefect, and keep the test server lean.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="swo-prefect-home-")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
os.environ.pop("PREFECT_API_URL", None)
