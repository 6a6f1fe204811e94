"""The one-step initial inbound: the shop's current stock → one Ongoing purchase order, once.

Trigger: on demand, once per merchant when it moves its stock into the TPL's warehouse (deployment
``initial-inbound/<merchant>`` or ``swo inbound <merchant> --initial``). Source: Starweb's whole
catalogue with each variant's current ``stockQuantity``. Target: every SKU as an Ongoing article (pushed
by the product sync's own code), then one purchase order numbered from the merchant file
(``inbound.initial_purchase_order_number``, e.g. ``INIT-<date>``) with a line per SKU with stock above
zero. Once the warehouse receives it, ``track-receipts`` reports any deviation and Starweb's stock
follows the warehouse's. Idempotency: the number is claimed in the ledger before the purchase order is
sent, so a second run (even on another day) sends nothing new; a dry run previews articles, lines, units.
"""

from __future__ import annotations

from typing import Any

from prefect import flow

from domain.product_sync import skus_in_shop
from domain.purchase_orders import initial_inbound as initial_inbound_order
from domain.purchase_orders import shop_stock
from ledger.purchase_orders import INITIAL
from ledger.types import utcnow
from tasks.mapping_checks import check_ongoing_mappings
from tasks.process_locks import ON_DEMAND_WAIT, one_run_at_a_time
from tasks.products import ensure_articles
from tasks.progress import long_run, progress_stage
from tasks.purchase_orders import claim_initial_inbound, read_initial_inbound, send_purchase_orders
from tasks.reporting import RunReport, ends_with_attention_state, finish_run
from tasks.runtime import load_merchant
from tasks.shop_reads import fetch_products_changed_since

SOURCE = "Starweb stock"


@flow(name="initial-inbound", flow_run_name="initial-inbound-{merchant_id}")
@ends_with_attention_state
@one_run_at_a_time("initial-inbound", wait=ON_DEMAND_WAIT)
async def initial_inbound(merchant_id: str, dry_run: bool = False) -> dict[str, Any]:
    """Send the shop's stock to Ongoing as the initial inbound; returns counts, articles, lines and units."""
    merchant = load_merchant(merchant_id)
    await check_ongoing_mappings(merchant)
    report = RunReport("initial-inbound", merchant_id, dry_run)
    earlier = read_initial_inbound(merchant_id)
    if earlier is not None and earlier.pushed_at is not None:
        report.notes.append(f"The initial inbound was sent as purchase order {earlier.purchase_order_number} on "
                            f"{earlier.pushed_at:%Y-%m-%d}; nothing more to send. Send later deliveries as a "
                            "purchase-order list.")
        return {**await finish_run(report, []), "purchase_order": earlier.purchase_order_number}

    async with long_run("initial-inbound", merchant_id, "Initial inbound"):
        await progress_stage("reading the Starweb catalogue", until=30)
        catalogue = await fetch_products_changed_since(merchant, None)
        await progress_stage("creating articles in Ongoing", until=90)
        articles = await ensure_articles(merchant, catalogue, skus_in_shop(catalogue), dry_run)
        report.extend(articles.outcomes)
        today = utcnow().astimezone(merchant.zone).date()
        number = claim_initial_inbound(merchant_id, earlier.purchase_order_number if earlier
                                       else merchant.inbound.initial_number(today), dry_run)
        order = initial_inbound_order(number, merchant.inbound.initial_supplier, today, shop_stock(catalogue),
                                      leave_out=articles.unavailable)
        unexpected = articles.unexpected
        await progress_stage("sending the purchase order", until=100)
        if order.lines:
            outcomes, more = await send_purchase_orders(merchant, [order], origin=INITIAL, source=SOURCE,
                                                        blocked={}, dry_run=dry_run)
            report.extend(outcomes)
            unexpected = unexpected + more
    summary = {"articles": len(skus_in_shop(catalogue)), "lines": len(order.lines), "units": order.units}
    report.notes += _notes(number, summary, articles.unavailable, dry_run)
    return {**await finish_run(report, unexpected), **summary, "purchase_order": number}


def _notes(number: str, summary: dict[str, int], unavailable: dict[str, str], dry_run: bool) -> list[str]:
    preview = " (preview)" if dry_run else ""
    return ([f"Purchase order {number}{preview}: {summary['articles']} articles in the catalogue, "
             f"{summary['lines']} lines with stock, {summary['units']} units in total"]
            + [f"SKU {sku} left out: {why}" for sku, why in sorted(unavailable.items())])
