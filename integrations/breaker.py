"""The circuit breaker: stop calling a vendor account after a run of failed calls, for every run at once.

A breaker counts consecutive failed calls to one vendor account (the caller decides what counts: transport
failures, timeouts, 5xx, 429 and refused credentials, never a refusal of one record's payload). At the
threshold it opens: calls are refused here with ``CircuitOpen``, naming when the pause ends and the last
real cause, until the pause has passed; then exactly one trial call goes through, whose outcome closes
the breaker or opens it for another pause.

The breaker's memory lives in a ``BreakerStore``. Prefect runs every flow run in its own process, so the
connector plugs in a store kept in the ledger (``tasks/breaker_store.py``) and every run of a merchant
sees one count, one pause and one last cause; ``MemoryBreakerStore`` serves a single process (the client
used on its own, the demo scripts, tests). Each store operation is one atomic step, so failures in two
processes at once both count, and claiming the trial call moves the end of the pause forward, so only
one process makes it. Times are wall-clock epoch seconds, comparable across processes and machines.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from integrations.errors import CircuitOpen


@dataclass(frozen=True)
class BreakerState:
    """What a breaker remembers about one vendor account."""

    consecutive_failures: int = 0
    open_until: float | None = None  # epoch seconds; None while the breaker is closed
    last_cause: str | None = None

    @property
    def clean(self) -> bool:
        return self.consecutive_failures == 0 and self.open_until is None


class BreakerStore(Protocol):
    """Where breakers keep their state, keyed by vendor account."""

    def read(self, key: str) -> BreakerState: ...

    def record_failure(self, key: str, *, cause: str, threshold: int, pause: float, now: float) -> BreakerState:
        """Count one failed call; at ``threshold`` or beyond, open until ``now + pause``."""
        ...

    def record_success(self, key: str) -> None:
        """Close the breaker and forget the failures (cheap when there are none)."""
        ...

    def claim_trial(self, key: str, *, pause: float, now: float) -> bool:
        """Take the one trial call of a breaker whose pause has ended (moving its end to ``now + pause``)."""
        ...


class MemoryBreakerStore:
    """A breaker store for one process."""

    def __init__(self) -> None:
        self._states: dict[str, BreakerState] = {}
        self._lock = threading.Lock()

    def read(self, key: str) -> BreakerState:
        with self._lock:
            return self._states.get(key, BreakerState())

    def record_failure(self, key: str, *, cause: str, threshold: int, pause: float, now: float) -> BreakerState:
        with self._lock:
            state = self._states.get(key, BreakerState())
            failures = state.consecutive_failures + 1
            opened = now + pause if failures >= threshold else state.open_until
            self._states[key] = BreakerState(failures, opened, cause)
            return self._states[key]

    def record_success(self, key: str) -> None:
        with self._lock:
            self._states.pop(key, None)

    def claim_trial(self, key: str, *, pause: float, now: float) -> bool:
        with self._lock:
            state = self._states.get(key, BreakerState())
            if state.open_until is None or state.open_until > now:
                return False
            self._states[key] = replace(state, open_until=now + pause)
            return True


def _until_text(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class CircuitBreaker:
    """Opens after ``failure_threshold`` consecutive failed calls and stays open ``reset_after`` seconds,
    then lets one trial call through. ``key`` names the vendor account in ``store``."""

    def __init__(self, failure_threshold: int = 4, reset_after: float = 60.0, *, key: str = "default",
                 store: BreakerStore | None = None, clock: Callable[[], float] = time.time) -> None:
        self.failure_threshold = failure_threshold
        self.reset_after = reset_after
        self.key = key
        self.store: BreakerStore = store if store is not None else MemoryBreakerStore()
        self.clock = clock

    @property
    def state(self) -> BreakerState:
        return self.store.read(self.key)

    @property
    def consecutive_failures(self) -> int:
        return self.state.consecutive_failures

    @property
    def is_open(self) -> bool:
        return self.state.open_until is not None

    def before_call(self, vendor: str, endpoint: str) -> BreakerState:
        """Raise ``CircuitOpen`` unless a call may go out now (closed, or this is the one trial call); the
        state as read, to hand to ``record_success`` after the call."""
        state = self.store.read(self.key)
        if state.open_until is None:
            return state
        now = self.clock()
        if state.open_until <= now and self.store.claim_trial(self.key, pause=self.reset_after, now=now):
            return state  # half-open: this call's outcome closes the breaker or opens it again
        raise self._open_error(self.store.read(self.key), vendor, endpoint, now)

    def record_success(self, seen: BreakerState | None = None) -> None:
        """A call succeeded: forget the failures. ``seen``, the state ``before_call`` read: when it was clean,
        the store is not asked again (one ledger transaction less per call). A failure another process
        counted during this call then stays counted until the next call's success, one call later."""
        if seen is not None and seen.clean:
            return
        self.store.record_success(self.key)

    def record_failure(self, cause: str = "a failed call") -> None:
        self.store.record_failure(self.key, cause=cause, threshold=self.failure_threshold, pause=self.reset_after,
                                  now=self.clock())

    def _open_error(self, state: BreakerState, vendor: str, endpoint: str, now: float) -> CircuitOpen:
        until = state.open_until if state.open_until is not None else now + self.reset_after
        message = (f"{vendor.capitalize()} unavailable: calls paused until {_until_text(until)} after "
                   f"{state.consecutive_failures} consecutive failed calls")
        if state.last_cause:
            message += f"; last cause: {state.last_cause}"
        return CircuitOpen(message, vendor=vendor, endpoint=endpoint, retry_after=max(0.0, until - now))


_process_store = MemoryBreakerStore()


def shared_breaker(vendor: str, base_url: str, account: str, *, failure_threshold: int = 4,
                   reset_after: float = 60.0, store: BreakerStore | None = None) -> CircuitBreaker:
    """The breaker of one vendor account (the vendors limit per account, not per client): every breaker
    made for the same account shares its state in ``store``, by default this process's memory."""
    return CircuitBreaker(failure_threshold, reset_after, key=breaker_key(vendor, base_url, account),
                          store=store if store is not None else _process_store)


def breaker_key(vendor: str, base_url: str, account: str) -> str:
    return f"{vendor}|{base_url.rstrip('/')}|{account}"


def reset_shared_breakers() -> None:
    """Forget the state of every breaker kept in this process's memory (tests use this)."""
    with _process_store._lock:
        _process_store._states.clear()
