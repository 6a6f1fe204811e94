"""The circuit breakers' shared memory, kept in the ledger.

``integrations/`` knows nothing of the ledger: its breaker takes any ``BreakerStore``. This adapter is
the one the connector plugs in (``tasks.runtime`` hands it to every vendor client), so every process a
merchant's flow runs start counts failed calls in the same ledger row per vendor account: a down
Ongoing is paused for all runs together, with the end of the pause and the last real cause visible to
each, and only one of them makes the trial call when the pause is over.

Every vendor call asks the breaker first. A store remembers for a second that it found the breaker clean,
so a run making ten calls a second reads the ledger about once a second, not before every call: a pause
another process starts reaches this one within that second (or at once, when its own call fails).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from integrations.breaker import BreakerState
from ledger import breakers
from ledger.db import Ledger
from ledger.models import BreakerRecord

CLEAN_FOR_SECONDS = 1.0  # how long a clean breaker is taken as read


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _state(record: BreakerRecord | None) -> BreakerState:
    if record is None:
        return BreakerState()
    open_until = record.open_until.timestamp() if record.open_until is not None else None
    return BreakerState(record.consecutive_failures, open_until, record.last_cause)


class LedgerBreakerStore:
    """A ``BreakerStore`` backed by the ledger's ``circuit_breakers`` table (each call one short transaction)."""

    def __init__(self, ledger: Callable[[], Ledger], *, clean_for: float = CLEAN_FOR_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._ledger = ledger
        self._clean_for, self._clock = clean_for, clock
        self._clean_at: dict[str, float] = {}  # when each breaker was last read clean

    def read(self, key: str) -> BreakerState:
        seen = self._clean_at.get(key)
        if seen is not None and self._clock() - seen < self._clean_for:
            return BreakerState()
        with self._ledger().session() as session:
            state = _state(breakers.read_breaker(session, key))
        if state.clean:
            self._clean_at[key] = self._clock()
        else:
            self._clean_at.pop(key, None)
        return state

    def record_failure(self, key: str, *, cause: str, threshold: int, pause: float, now: float) -> BreakerState:
        self._clean_at.pop(key, None)
        with self._ledger().session() as session:
            return _state(breakers.record_breaker_failure(session, key, cause=cause, threshold=threshold,
                                                          pause=timedelta(seconds=pause), now=_at(now)))

    def record_success(self, key: str) -> None:
        with self._ledger().session() as session:
            breakers.close_breaker(session, key)

    def claim_trial(self, key: str, *, pause: float, now: float) -> bool:
        self._clean_at.pop(key, None)
        with self._ledger().session() as session:
            return breakers.claim_breaker_trial(session, key, pause=timedelta(seconds=pause), now=_at(now))
