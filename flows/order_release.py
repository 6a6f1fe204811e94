"""Order release ("ordersläpp"): approved orders go to picking in Ongoing and Starweb together.

Trigger: the merchant's release times (deployment ``release-orders/<merchant>``, cron in the merchant's
timezone, by default 07:00 and 13:00 on weekdays) or on demand: a custom run in the Prefect UI,
``prefect deployment run 'release-orders/<merchant>' --param order_ids='[1042]'``, or
``swo release <merchant> [--dry-run] [--order ID …]``. Source: the ledger's exported, still-open orders
checked against Starweb's releasable statuses and Ongoing's current status; first, backorders that stock
now covers are moved to "open, in stock" (oldest first, as at export). Target: Ongoing
``PATCH …/orderStatus`` to the picking number, then Starweb ``statusId`` to picking (no customer email or
payment processing unless the merchant's map says so). Idempotency: one release per merchant at a time
(a lock in the ledger), a claim per order in the ledger, and half-done releases completed first; the lock
and the claims belong to this flow run, so a killed or failed run's are taken over by the next at once.
"""

from __future__ import annotations

from datetime import datetime

from prefect import flow

from domain.backorders import as_in_stock
from domain.release import choose_releases
from domain.statuses import resolve_status_refs
from ledger.types import utcnow
from tasks.backorders import promote_covered_backorders
from tasks.mapping_checks import check_ongoing_mappings
from tasks.release import (
    close_settled_releases,
    let_go_of_claims,
    merchant_release_lock,
    read_release_candidates,
    release_to_picking,
)
from tasks.reporting import RunReport, ends_with_attention_state, finish_run
from tasks.run_holders import current_holder
from tasks.runtime import load_merchant
from tasks.shop_reads import fetch_order_statuses, fetch_status_table
from tasks.warehouse_reads import fetch_warehouse_orders


@flow(name="release-orders", flow_run_name="release-orders-{merchant_id}")
@ends_with_attention_state
async def release_orders(merchant_id: str, dry_run: bool = False, order_ids: list[int] | None = None,
                         created_before: datetime | None = None) -> dict[str, int]:
    """Release the merchant's approved orders to picking; returns counts per result."""
    merchant = load_merchant(merchant_id)
    await check_ongoing_mappings(merchant)
    report = RunReport("release-orders", merchant_id, dry_run)
    token = current_holder()
    async with merchant_release_lock(merchant_id, token):
        table, shop_statuses = await fetch_status_table(merchant)
        releasable = resolve_status_refs(merchant.release.releasable_starweb_statuses, shop_statuses,
                                         what="release.releasable_starweb_statuses")
        report.extend(close_settled_releases(merchant_id, dry_run))
        # Backorders stock now covers become "open, in stock" before any decision is taken.
        moved, moved_unexpected, promoted = await promote_covered_backorders(merchant, table, dry_run)
        candidates, held = read_release_candidates(merchant_id)
        candidates = as_in_stock(candidates, promoted)
        listed_at = utcnow()
        shop_status = await fetch_order_statuses(merchant, sorted(releasable))
        in_warehouse = await fetch_warehouse_orders(merchant, [c.order_number for c in candidates])
        decisions = choose_releases(
            candidates, table=table, shop_status=shop_status, releasable_status_ids=releasable,
            warehouse_status={n: o.status_number for n, o in in_warehouse.items() if o.status_number is not None},
            held_order_ids=held, order_ids=set(order_ids) if order_ids is not None else None,
            created_before=created_before, skip_backordered=merchant.release.skip_backordered)
        try:
            outcomes, unexpected = await release_to_picking(merchant, table, decisions, token, dry_run, listed_at)
        finally:
            let_go_of_claims(token)
    report.extend(moved + outcomes)
    return await finish_run(report, moved_unexpected + unexpected)
