"""The audit log: every write the connector made (or, in a dry run, would have made) to either system."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ledger.models import AuditEntry


def record_write(session: Session, merchant_id: str, *, system: str, operation: str, key: str, outcome: str,
                 detail: dict[str, Any] | None = None, flow_run_id: str | None = None) -> None:
    # One INSERT now, not an ORM object: the row is never read back in the writer's session, and a run
    # writes one per vendor write
    session.execute(insert(AuditEntry).values(merchant_id=merchant_id, system=system, operation=operation,
                                              key=str(key)[:100], outcome=outcome, detail=detail,
                                              flow_run_id=flow_run_id))


