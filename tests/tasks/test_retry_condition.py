"""Which task failures Prefect retries: only vendor errors that may pass by themselves, never a refusal,
a bug or an open circuit — decided from the state Prefect's engines hand over."""

from __future__ import annotations

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
