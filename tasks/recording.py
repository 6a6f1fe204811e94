"""Carrying out one write on a vendor under the connector's rules: audited, dry-run aware, and with
failures of one record quarantined so the rest of the batch goes on.

Each audit row and quarantine entry is committed at once in a short ledger session of its own (or shared
with the ledger record of the write's answer), so what happened survives a crash in the middle of a batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from prefect import get_run_logger

from domain.config import MerchantConfig
from integrations.errors import ConnectorError
from ledger import audit, quarantine
from ledger.db import LedgerSession, is_transient_ledger_error
from tasks.ledger_lane import LedgerLane
from tasks.reporting import Outcome
from tasks.runtime import current_flow_run_id, ledger

T = TypeVar("T")
R = TypeVar("R")

# A record whose outcome the ledger could not take (it was busy): the next run finds it again.
NOT_RECORDED = "not recorded"


def all_recorded(outcomes: list[Outcome]) -> bool:
    """Did the ledger take every record's outcome? (A stream's cursor may only move past recorded work.)"""
    return all(o.action != NOT_RECORDED for o in outcomes)


class DryRun(Exception):
    """Raised in place of a write in a dry run, so the caller's bookkeeping after the write is skipped."""


@dataclass
class Batch:
    """The state shared by the writes of one batch task."""

    merchant: MerchantConfig
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    @property
    def merchant_id(self) -> str:
        return self.merchant.merchant_id

    def add(self, record: str, action: str, detail: str = "", columns: dict[str, str] | None = None) -> None:
        self.outcomes.append(Outcome(record, action, detail, tuple((columns or {}).items())))

    async def write(self, system: str, operation: str, key: str, call: Callable[[], Awaitable[T]],
                    *, detail: dict[str, Any] | None = None,
                    then: Callable[[LedgerSession, T], object] | None = None) -> T:
        """Perform one vendor write and audit it; in a dry run, record nothing and raise ``DryRun``.

        ``then`` records what the write's answer means (a binding, a new state) in the audit row's own
        transaction: one commit instead of two. Should that transaction fail, the audit row is still
        written on its own and the failure is raised to the caller."""
        result = await self._call(system, operation, key, call, detail)
        self._record_written(system, operation, key, detail, lambda session: then(session, result) if then else None)
        return result

    async def write_beside(self, lane: LedgerLane, system: str, operation: str, key: str,
                           call: Callable[[], Awaitable[T]], then: Callable[[LedgerSession, T], R], *,
                           detail: dict[str, Any] | None = None) -> tuple[T, asyncio.Future[R]]:
        """``write``, with the audit row and ``then`` done in ``lane`` while the caller goes on to its next
        write: the answer now, and the future of ``then``'s result (or of the ledger's failure)."""
        result = await self._call(system, operation, key, call, detail)
        return result, lane.submit(partial(self._record_written, system, operation, key, detail,
                                           lambda session: then(session, result)))

    async def _call(self, system: str, operation: str, key: str, call: Callable[[], Awaitable[T]],
                    detail: dict[str, Any] | None) -> T:
        if self.dry_run:
            raise DryRun(f"{operation} {key}")
        try:
            return await call()
        except ConnectorError as exc:
            self._audit(system, operation, key, "refused" if exc.status and exc.status < 500 else "failed",
                        {**(detail or {}), "error": str(exc)[:500]})
            raise

    def _record_written(self, system: str, operation: str, key: str, detail: dict[str, Any] | None,
                        record: Callable[[LedgerSession], R]) -> R:
        """The write's audit row and ``record`` of its answer in one transaction; should that fail, the audit
        row alone (and the failure is raised all the same)."""
        try:
            with ledger().session() as session:
                self._audit_in(session, system, operation, key, "written", detail)
                return record(session)
        except Exception:
            with suppress(Exception), ledger().session() as session:
                self._audit_in(session, system, operation, key, "written", detail)
            raise

    def _audit(self, system: str, operation: str, key: str, outcome: str, detail: dict[str, Any] | None) -> None:
        with ledger().session() as session:
            self._audit_in(session, system, operation, key, outcome, detail)

    def _audit_in(self, session: LedgerSession, system: str, operation: str, key: str, outcome: str,
                  detail: dict[str, Any] | None) -> None:
        audit.record_write(session, self.merchant_id, system=system, operation=operation, key=key,
                           outcome=outcome, detail=detail, flow_run_id=current_flow_run_id())

    def quarantine(self, kind: str, key: str, record: str, error: BaseException,
                   payload: dict[str, Any] | None = None) -> None:
        """Hold the record with its specific reason; the batch goes on. A busy ledger is a transient cause
        like a busy vendor; if it cannot even take the quarantine entry, the record is left for the next run
        (which finds it again: by its number in the warehouse, or in the overlap of its stream)."""
        if not isinstance(error, ConnectorError) and not is_transient_ledger_error(error):
            # A bug, not a data problem: still keep the record, but make the run fail at the end.
            self.unexpected.append(f"{record}: {type(error).__name__}: {error}")
            get_run_logger().exception("unexpected error for %s", record)
        if self.dry_run:
            self.add(record, "would quarantine", str(error))
            return
        try:
            with ledger().session() as session:
                entry = quarantine.quarantine_record(session, self.merchant_id, kind, key, error, payload=payload)
                attempts, reason = entry.attempts, entry.reason
        except Exception as ledger_error:
            if not is_transient_ledger_error(ledger_error):
                raise
            get_run_logger().warning("%s could not be quarantined: the ledger is busy (%s)", record, ledger_error)
            self.add(record, NOT_RECORDED, f"{error}; the ledger was busy, so the next run takes it up again")
            return
        self.add(record, "quarantined", f"{reason} (attempt {attempts})")

    def resolve(self, kind: str, key: str, resolution: str) -> None:
        if self.dry_run:
            return
        with ledger().session() as session:
            quarantine.resolve(session, self.merchant_id, kind, key, resolution)

    def postpone(self, kind: str, key: str) -> None:
        """A due retry changed nothing (the record is held for the same reason): try again later."""
        if self.dry_run:
            return
        with ledger().session() as session:
            quarantine.postpone(session, self.merchant_id, kind, key)
