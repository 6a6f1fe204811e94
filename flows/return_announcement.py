"""Announcing a return: the merchant tells the warehouse what a customer is sending back.

Trigger: by hand (``swo returns announce <merchant> <order> --line SKU=QTY --cause CODE [--dry-run]``). Source: the
Starweb order's Ongoing twin, read first for its internal line ids. Target: a return order in Ongoing
(``PUT /returnOrders``), which ``register-returns`` registers once the goods arrive. Idempotency: the
return order number follows from the order number, and a waiting identical announcement is reused.
"""

from __future__ import annotations

from prefect import flow

from tasks.mapping_checks import check_ongoing_mappings
from tasks.reporting import RunReport, ends_with_attention_state, finish_run
from tasks.return_announcement import announce_return_order
from tasks.runtime import load_merchant


@flow(name="announce-return", flow_run_name="announce-return-{merchant_id}-{order_id}")
@ends_with_attention_state
async def announce_return(merchant_id: str, order_id: int, lines: dict[str, int], cause: str | None = None,
                          comment: str | None = None, dry_run: bool = False) -> str:
    """Announce a return of ``lines`` (SKU → units) of a Starweb order; returns the return order number."""
    merchant = load_merchant(merchant_id)
    await check_ongoing_mappings(merchant)
    report = RunReport("announce-return", merchant_id, dry_run)
    result, outcomes = await announce_return_order(merchant, order_id, lines, cause, comment, dry_run)
    report.extend(outcomes)
    await finish_run(report, [])
    return result.return_order_number
