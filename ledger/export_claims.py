"""Export claims: taking a Starweb order for one export run before its ``PUT /orders``.

Two export runs at the same moment (a schedule and a hand-started run, or two processes) read the same
new orders. Each run claims an order in the ledger before it sends it; the claim is a row with a unique
(merchant, order) key written with an insert that does nothing on conflict, so exactly one run gets it
and the other skips the order. The claim goes away once the order is bound (or quarantined); a claim
left by a run that is over is taken over at once when the caller names that run among the finished
holders, and in any case after the stale limit.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledger.atomic import rows_changed
from ledger.models import ExportClaim
from ledger.types import utcnow

STALE_AFTER = timedelta(minutes=15)


def claim_for_export(session: Session, merchant_id: str, starweb_order_id: int, token: str, *,
                     now: datetime | None = None, finished_holders: Collection[str] = ()) -> bool:
    """Take the order for this run (``token``: its flow-run id); False while another run holds it that is
    not among ``finished_holders`` (runs known to be over) and has held it for less than the stale limit."""
    now = now or utcnow()
    # Most orders have no claim yet: the insert first, and the takeover only when there is one
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    added = session.execute(
        insert(ExportClaim)
        .values(merchant_id=merchant_id, starweb_order_id=starweb_order_id, token=token, claimed_at=now)
        .on_conflict_do_nothing(index_elements=["merchant_id", "starweb_order_id"])
        .returning(ExportClaim.id))  # a row comes back only if this insert wrote it (rowcount is not portable)
    if added.first() is not None:
        return True
    return rows_changed(session,
        update(ExportClaim)
        .where(ExportClaim.merchant_id == merchant_id, ExportClaim.starweb_order_id == starweb_order_id,
               or_(ExportClaim.token == token, ExportClaim.token.in_(list(finished_holders)),
                   ExportClaim.claimed_at < now - STALE_AFTER))
        .values(token=token, claimed_at=now)
        .execution_options(synchronize_session=False)) == 1


def export_claim_holder(session: Session, merchant_id: str, starweb_order_id: int) -> str | None:
    """Who holds the order's export claim now (a flow-run id), if anyone."""
    return session.scalar(select(ExportClaim.token).where(ExportClaim.merchant_id == merchant_id,
                                                          ExportClaim.starweb_order_id == starweb_order_id))


def let_go(session: Session, merchant_id: str, starweb_order_id: int, token: str) -> None:
    """The order is bound or quarantined: the claim has done its job."""
    session.execute(delete(ExportClaim).where(ExportClaim.merchant_id == merchant_id,
                                              ExportClaim.starweb_order_id == starweb_order_id,
                                              ExportClaim.token == token))


def let_go_of_run(session: Session, token: str) -> None:
    """End of a run: free whatever it still holds (an order it skipped after a fault)."""
    session.execute(delete(ExportClaim).where(ExportClaim.token == token))
