"""Register snapshots: a vendor register the connector read (Starweb's order statuses, the verdict of the
Ongoing mapping check), with the moment it was read.

Registers change rarely, but every run needs them; a snapshot younger than the caller's limit stands in
for reading them again, so a merchant's runs in the same few minutes read each register once between them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ledger.models import RegisterSnapshot
from ledger.types import utcnow


def fresh_snapshot(session: Session, merchant_id: str, name: str, *, max_age: timedelta,
                   now: datetime | None = None) -> Any | None:
    """The register's content as read at most ``max_age`` ago, or None."""
    snapshot = session.get(RegisterSnapshot, (merchant_id, name))
    if snapshot is None or snapshot.read_at < (now or utcnow()) - max_age:
        return None
    return snapshot.content


def record_snapshot(session: Session, merchant_id: str, name: str, content: Any, *, read_at: datetime) -> None:
    """Remember what the register held when read at ``read_at`` (a later read replaces it)."""
    snapshot = session.get(RegisterSnapshot, (merchant_id, name))
    if snapshot is None:
        session.add(RegisterSnapshot(merchant_id=merchant_id, name=name, content=content, read_at=read_at))
    elif snapshot.read_at <= read_at:
        snapshot.content, snapshot.read_at = content, read_at

