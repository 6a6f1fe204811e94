"""Ongoing's consecutive-failure lockout, played by the simulators' fault kit.

Ongoing limits each calling client per API method: after a number of failed calls within ten minutes,
with no successful call in between (the first success starts the count again), it refuses that client
for a period. The numbers are not published (the example given is 5 failed calls per 10 minutes), nor
whether the count is per method or for the whole API user, nor how long the refusal lasts: each is a
setting. A locked-out call is answered 403 and does not count again; every lockout is remembered so a
test or the soak can say how often the connector ran into one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

LockoutScope = Literal["client", "method"]

_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


def endpoint_of(method: str, path: str) -> str:
    """``PUT /demo/api/v1/orders/17/orderStatus`` → ``PUT /demo/api/v1/orders/{id}/orderStatus``: the API
    method a call belongs to, whatever object it names."""
    return f"{method.upper()} {_ID_SEGMENT.sub('/{id}', path)}"


@dataclass(frozen=True)
class Lockout:
    """One lockout: who was locked out of what, and for how long."""

    client: str
    endpoint: str | None  # None: the whole API user
    seconds: float


@dataclass
class ConsecutiveFailureLockout:
    """Counts failed answers per client (and per method, with scope ``method``) and locks out at the limit."""

    after_failures: int
    window_seconds: float = 600.0
    lockout_seconds: float = 600.0
    scope: LockoutScope = "client"
    clock: Callable[[], float] = time.monotonic
    lockouts: list[Lockout] = field(default_factory=list)
    _failures: dict[tuple[str, str | None], list[float]] = field(default_factory=dict)
    _locked_until: dict[tuple[str, str | None], float] = field(default_factory=dict)

    def _key(self, client: str, endpoint: str) -> tuple[str, str | None]:
        return (client, endpoint if self.scope == "method" else None)

    def seconds_left(self, client: str, endpoint: str) -> float | None:
        """How long this client is still locked out of this endpoint, or None when it is not."""
        until = self._locked_until.get(self._key(client, endpoint))
        left = until - self.clock() if until is not None else 0.0
        return left if left > 0 else None

    def record(self, client: str, endpoint: str, *, failed: bool) -> None:
        """Count one answered call; a success forgets the failures before it."""
        key = self._key(client, endpoint)
        if not failed:
            self._failures.pop(key, None)
            return
        now = self.clock()
        recent = [at for at in self._failures.get(key, []) if now - at < self.window_seconds]
        recent.append(now)
        if len(recent) >= self.after_failures:
            self._locked_until[key] = now + self.lockout_seconds
            self.lockouts.append(Lockout(client, key[1], self.lockout_seconds))
            recent = []
        self._failures[key] = recent
