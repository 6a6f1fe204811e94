"""Which task failures Prefect retries: only vendor errors that may pass by themselves, never a refusal,
a bug or an open circuit — decided from the state Prefect's engines hand over."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from prefect.states import Completed, Failed

from integrations.errors import (
    AuthenticationFailed,
    CircuitOpen,
    ConnectionLost,
    RateLimited,
    RefusedByVendor,
    VendorTimeout,
    VendorUnavailable,
)
from settings import PROJECT_ROOT
from tasks.runtime import retry_only_transient


@pytest.mark.parametrize("error", [VendorUnavailable("ongoing failed with a server error", status=500),
                                   VendorTimeout("no answer"), ConnectionLost("dropped"),
                                   RateLimited("slow down", status=429, retry_after=2)])
def test_transient_vendor_errors_are_retried(error: Exception) -> None:
    # As the async task engine builds it when a task raised: Failed(data=<the exception>).
    assert retry_only_transient(None, None, Failed(data=error)) is True


@pytest.mark.parametrize("error", [RefusedByVendor("Order is locked", status=400),
                                   AuthenticationFailed("bad password", status=401),
                                   CircuitOpen("Ongoing unavailable: calls paused until …", retry_after=540),
                                   KeyError("a bug")])
def test_refusals_bugs_and_open_circuits_are_not_retried(error: Exception) -> None:
    assert retry_only_transient(None, None, Failed(data=error)) is False


def test_a_state_without_an_exception_is_not_retried() -> None:
    assert retry_only_transient(None, None, Completed(data=3)) is False


def test_the_read_tasks_wait_as_the_settings_say_between_retries() -> None:
    # A fresh process, as every flow run is: the tasks take their retry waits from SWO_READ_RETRY_DELAYS_SECONDS.
    probe = ("from tasks.warehouse_reads import fetch_articles as t; "
             "print(t.retries, [float(d) for d in t.retry_delay_seconds])")
    def probe_with(env: dict[str, str]) -> str:
        found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                               cwd=PROJECT_ROOT, env=env)
        return found.stdout.split("\n")[-2]

    default = probe_with({k: v for k, v in os.environ.items() if k != "SWO_READ_RETRY_DELAYS_SECONDS"})
    quick = probe_with({**os.environ, "SWO_READ_RETRY_DELAYS_SECONDS": "[0.5, 1, 2]"})

    assert default == "2 [5.0, 30.0]"
    assert quick == "3 [0.5, 1.0, 2.0]"
