"""Vendor registers read once for several runs: Starweb's order statuses and the verdict of the Ongoing
mapping check are kept in the ledger as snapshots, and a run within ``REGISTER_MAX_AGE`` of the last read
uses the snapshot instead of asking the vendor again.

Registers change when a person edits the shop's statuses or the warehouse's codes, which is rare; a change
is seen by the next read after the snapshot ages out, and a write the vendor refuses meanwhile is
quarantined as any refusal is. The snapshot is an optimisation only: a ledger that cannot give or take one
just means the register is read from the vendor.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from prefect import get_run_logger
from sqlalchemy.exc import IntegrityError

from ledger import registers
from ledger.db import is_transient_ledger_error
from tasks.runtime import ledger

REGISTER_MAX_AGE = timedelta(minutes=10)


def _tolerable(error: Exception) -> bool:
    return isinstance(error, IntegrityError) or is_transient_ledger_error(error)


def recent_register(merchant_id: str, name: str, *, max_age: timedelta = REGISTER_MAX_AGE) -> Any | None:
    """The register as read at most ``max_age`` ago, or None when it must be read again."""
    try:
        with ledger().session() as session:
            return registers.fresh_snapshot(session, merchant_id, name, max_age=max_age)
    except Exception as error:
        if not _tolerable(error):
            raise
        return None


def keep_register(merchant_id: str, name: str, content: Any, *, read_at: datetime) -> None:
    """Remember the register as read at ``read_at`` (two runs may race to it: either snapshot will do)."""
    try:
        with ledger().session() as session:
            registers.record_snapshot(session, merchant_id, name, content, read_at=read_at)
    except Exception as error:
        if not _tolerable(error):
            raise
        get_run_logger().debug("register %s of %s not kept: %s", name, merchant_id, error)
