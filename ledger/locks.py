"""Run locks: a named lock held by one flow run at a time, across processes and machines.

The holder is the Prefect flow-run id. A lock is taken when it is free, already ours, past its
``expires_at`` (the holder stopped renewing it: the fallback when no one can say what became of the
holder), or held by a run the caller has found to be over (``finished_holders``: a crashed, failed,
cancelled or completed run holds nothing). The ledger cannot ask Prefect; the caller does, in ``tasks/``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from ledger.atomic import insert_if_absent, rows_changed
from ledger.models import RunLock
from ledger.types import utcnow


def acquire_lock(session: Session, name: str, holder: str, *, lease: timedelta, now: datetime | None = None,
                 finished_holders: Collection[str] = ()) -> str | None:
    """Take the lock for ``holder`` until ``now + lease``: None when taken, else the holder who keeps it."""
    now = now or utcnow()
    values = {"holder": holder, "acquired_at": now, "expires_at": now + lease}
    free = or_(RunLock.holder == holder, RunLock.expires_at < now, RunLock.holder.in_(list(finished_holders)))
    while True:
        if insert_if_absent(session, RunLock, {"name": name, **values}):
            return None
        taken = rows_changed(session, update(RunLock).where(RunLock.name == name, free).values(**values)
                                .execution_options(synchronize_session=False))
        if taken == 1:
            return None
        current = lock_holder(session, name)
        if current is not None:
            return current.holder
        # Released between our two statements: try again.


def renew_lock(session: Session, name: str, holder: str, *, lease: timedelta, now: datetime | None = None) -> bool:
    """Push the holder's lease forward; False when the lock is no longer its own."""
    now = now or utcnow()
    changed = rows_changed(session, update(RunLock).where(RunLock.name == name, RunLock.holder == holder)
                             .values(expires_at=now + lease).execution_options(synchronize_session=False))
    return changed == 1


def release_lock(session: Session, name: str, holder: str) -> None:
    session.execute(delete(RunLock).where(RunLock.name == name, RunLock.holder == holder)
                    .execution_options(synchronize_session=False))


def lock_holder(session: Session, name: str) -> RunLock | None:
    return session.scalars(select(RunLock).where(RunLock.name == name)
                           .execution_options(populate_existing=True)).first()
