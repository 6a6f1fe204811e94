"""Purchase orders: the merchant's purchase-order list → Ongoing purchase orders (inbound deliveries).

Trigger: on demand (deployment ``push-purchase-orders/<merchant>`` from the Prefect UI, or
``swo inbound <merchant> FILE``). Source: a CSV or XLSX file on the machine that runs the flow (``file``),
or the same rows given as data (``rows``): purchase order number, supplier, expected delivery date, SKU,
quantity, optional purchase price and comment. Target: Ongoing ``PUT /purchaseOrders`` (inDate = expected
date, supplier, one line per SKU), after every SKU exists as an Ongoing article (missing ones are pushed
from Starweb by the product sync's own code). A purchase order with a bad row is quarantined with the
file, row and column of each error; the others go. Idempotency: the purchase order number is the upsert
key; a version identical to the last one sent is skipped; a changed one updates the purchase order until
the warehouse starts receiving it, and is refused (once) after that.
"""

from __future__ import annotations

from typing import Any

from prefect import flow

from domain.purchase_orders import skus_in, validate_sheet
from ledger.purchase_orders import FILE
from ledger.types import utcnow
from tasks.mapping_checks import check_ongoing_mappings
from tasks.process_locks import ON_DEMAND_WAIT, one_run_at_a_time
from tasks.products import ensure_articles
from tasks.purchase_orders import look_up_skus, quarantine_invalid, read_purchase_order_list, send_purchase_orders
from tasks.reporting import RunReport, ends_with_attention_state, finish_run
from tasks.runtime import load_merchant


@flow(name="push-purchase-orders", flow_run_name="push-purchase-orders-{merchant_id}")
@ends_with_attention_state
@one_run_at_a_time("push-purchase-orders", wait=ON_DEMAND_WAIT)
async def push_purchase_orders(merchant_id: str, file: str | None = None, rows: list[dict[str, Any]] | None = None,
                               dry_run: bool = False) -> dict[str, Any]:
    """Send the purchase orders of a list to Ongoing; returns counts per result and the list's errors."""
    merchant = load_merchant(merchant_id)
    await check_ongoing_mappings(merchant)
    report = RunReport("push-purchase-orders", merchant_id, dry_run)
    sheet = read_purchase_order_list(file, rows)

    known = await look_up_skus(merchant, skus_in(sheet))
    validation = validate_sheet(sheet, today=utcnow().astimezone(merchant.zone).date(), known_skus=known.known)
    report.extend(quarantine_invalid(merchant, validation, sheet.source, dry_run))

    articles = await ensure_articles(merchant, known.shop_products, validation.skus, dry_run,
                                     in_warehouse=known.in_warehouse)
    report.extend(articles.outcomes)
    outcomes, unexpected = await send_purchase_orders(merchant, validation.orders, origin=FILE, source=sheet.source,
                                                      blocked=articles.unavailable, dry_run=dry_run)
    report.extend(outcomes)
    report.notes += [f"Not sent: {error}" for error in validation.errors]
    counts = await finish_run(report, articles.unexpected + unexpected)
    return {**counts, "errors": [str(error) for error in validation.errors]}
