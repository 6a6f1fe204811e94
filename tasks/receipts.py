"""Tasks of receipt tracking: finding purchase orders the warehouse received into, reporting each change
of a receipt once (deviation table, Prefect event), and acknowledging the received lines in Ongoing.

Only purchase orders the connector sent are handled: receipts of others (another system's, or
return-type purchase orders, which the returns flow handles) are left unacknowledged for their owner.
Per receipt: the deviation event, then the ledger, then Ongoing's acknowledgement. A crash before the
ledger repeats the event with the same id (derived from the receipt), which Prefect stores once; a crash
after it only repeats the acknowledgement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from uuid import NAMESPACE_URL, UUID, uuid5

from prefect import task
from prefect.artifacts import acreate_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.events import emit_event

from domain.config import MerchantConfig
from domain.receipts import Receipt, ReceiptLine, acknowledgement, is_return_type, read_receipt, skus_received_since
from integrations.ongoing.client import OngoingClient
from integrations.ongoing.models import PurchaseOrder
from ledger import purchase_orders as po_ledger
from ledger.purchase_orders import ReceivedLine
from tasks.recording import Batch, DryRun
from tasks.reporting import Outcome
from tasks.runtime import ledger, ongoing_client
from tasks.shop_reads import READ_RETRIES

RECEIPT_KIND = "purchase-order-receipt"
DEVIATION_EVENT = "swo.purchase-order.deviation"


@task(name="fetch-received-purchase-orders", **READ_RETRIES)
async def fetch_received_purchase_orders(merchant: MerchantConfig, since: datetime) -> list[PurchaseOrder]:
    """Purchase orders received into or changed since ``since``, plus every one Ongoing still shows
    unacknowledged receipts on (whatever the cursor says), in purchaseOrderId order."""
    found: dict[int, PurchaseOrder] = {}
    async with await ongoing_client(merchant) as warehouse:
        queries = (warehouse.iter_purchase_orders(last_receive_time_from=since),
                   warehouse.iter_purchase_orders(status_changed_time_from=since),
                   warehouse.iter_purchase_orders(only_with_lines_to_report=True))
        for query in queries:
            async for purchase_order in query:
                found[purchase_order.purchase_order_id] = purchase_order
    return [found[key] for key in sorted(found)]


@dataclass
class ReceiptResult:
    outcomes: list[Outcome] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    reported: list[Receipt] = field(default_factory=list)  # receipts reported (or, in a dry run, to report)
    skus: set[str] = field(default_factory=set)  # SKUs whose received quantity changed
    left_alone: dict[str, int] = field(default_factory=dict)  # why -> how many purchase orders


def summary_notes(result: ReceiptResult) -> list[str]:
    """The run summary's lines: each deviation, and what was left alone and why."""
    return ([f"{receipt.purchase_order_number}: {line.describe()}"
             for receipt in result.reported for line in receipt.deviations]
            + [f"Left alone: {count} {why}" for why, count in sorted(result.left_alone.items())])


def _describe(receipt: Receipt) -> str:
    deviations = receipt.deviations
    if not deviations:
        return f"{len(receipt.lines)} line(s) received as advised"
    return "; ".join(line.describe() for line in deviations)


def _deviation_event_id(merchant_id: str, receipt: Receipt) -> UUID:
    return uuid5(NAMESPACE_URL, f"swo:{merchant_id}:purchase-order:{receipt.purchase_order_number}:{receipt.snapshot}")


def emit_deviation_event(merchant_id: str, receipt: Receipt) -> None:
    """One Prefect event per deviating purchase order, for an automation to notify the merchant."""
    number = receipt.purchase_order_number
    emit_event(
        event=DEVIATION_EVENT,
        resource={"prefect.resource.id": f"swo.purchase-order.{merchant_id}.{number}",
                  "prefect.resource.name": f"purchase order {number}",
                  "swo.merchant-id": merchant_id, "swo.purchase-order-number": number},
        related=[{"prefect.resource.id": f"prefect.tag.merchant:{merchant_id}", "prefect.resource.role": "tag"}],
        payload={"merchant_id": merchant_id, "purchase_order_number": number, "status": receipt.status,
                 "deviations": [_deviation_row(line) for line in receipt.deviations]},
        id=_deviation_event_id(merchant_id, receipt),
    )


def _deviation_row(line: ReceiptLine) -> dict[str, str | float | None]:
    return {"row": line.row_number, "sku": line.sku, "advised": line.advised, "received": line.received,
            "difference": line.difference, "deviation": str(line.kind)}


@task(name="report-receipts", cache_policy=NO_CACHE)
async def report_receipts(merchant: MerchantConfig, purchase_orders: list[PurchaseOrder],
                          dry_run: bool) -> ReceiptResult:
    """Report every receipt that changed since it was last reported, then acknowledge what Ongoing
    still shows unacknowledged on the connector's purchase orders."""
    batch = Batch(merchant, dry_run)
    result = ReceiptResult()
    with ledger().session() as session:
        bound = po_ledger.purchase_orders_by_number(
            session, merchant.merchant_id, [p.purchase_order_info.purchase_order_number for p in purchase_orders])
    ours: list[PurchaseOrder] = []
    for purchase_order in purchase_orders:
        binding = bound.get(purchase_order.purchase_order_info.purchase_order_number)
        if is_return_type(purchase_order):
            why = "return-type purchase orders (left to the returns flow)"
        elif binding is None or binding.pushed_hash is None:
            why = "purchase orders the connector did not send"
        else:
            ours.append(purchase_order)
            continue
        result.left_alone[why] = result.left_alone.get(why, 0) + 1
    if not ours:
        return result
    async with await ongoing_client(merchant) as warehouse:
        for purchase_order in ours:
            binding = bound[purchase_order.purchase_order_info.purchase_order_number]
            receipt = read_receipt(purchase_order, po_ledger.advised_rows(binding))
            record = f"purchase order {receipt.purchase_order_number}"
            if receipt.received_anything and receipt.snapshot != binding.receipt_hash:
                result.reported.append(receipt)
                result.skus |= skus_received_since(receipt, po_ledger.received_as_reported(binding))
                batch.add(record, "would report" if dry_run else "reported", _describe(receipt),
                          {"deviations": str(len(receipt.deviations))})
                if not dry_run:
                    if receipt.deviations:  # before the ledger: a crash in between repeats it, with the same id
                        emit_deviation_event(merchant.merchant_id, receipt)
                    _record_receipt(merchant.merchant_id, receipt)
            await _acknowledge(batch, warehouse, purchase_order, record)
    result.outcomes, result.unexpected = batch.outcomes, batch.unexpected
    return result


def _record_receipt(merchant_id: str, receipt: Receipt) -> None:
    with ledger().session() as session:
        binding = po_ledger.purchase_orders_by_number(session, merchant_id, [receipt.purchase_order_number])[
            receipt.purchase_order_number]
        po_ledger.mark_receipt_reported(binding, receipt_hash=receipt.snapshot, lines=[
            ReceivedLine(line.line_id, line.row_number, line.sku, line.advised, line.received)
            for line in receipt.lines])


async def _acknowledge(batch: Batch, warehouse: OngoingClient, purchase_order: PurchaseOrder, record: str) -> None:
    """Bring ``reportedNumberOfItems`` up to what was received: one call when every line needs it."""
    ack = acknowledgement(purchase_order)
    if not ack.lines:
        return
    number, po_id = purchase_order.purchase_order_info.purchase_order_number, purchase_order.purchase_order_id
    try:
        if ack.all_at_once:
            await batch.write("ongoing", "PATCH /purchaseOrders/{id}/setReportedNumberOfItemsToReceivedNumberOfItems",
                              number, lambda: warehouse.set_purchase_order_reported_to_received(po_id))
        else:
            for line_id, received in ack.lines:
                await batch.write("ongoing", "PATCH /purchaseOrders/{id}/lines/{lineId}/reportedNumberOfItems",
                                  number, partial(warehouse.patch_purchase_order_line_reported_number_of_items,
                                                  po_id, line_id, received),
                                  detail={"purchaseOrderLineId": line_id, "reportedNumberOfItems": received})
    except DryRun:
        batch.add(record, "would acknowledge", f"{len(ack.lines)} line(s) in Ongoing")
        return
    except Exception as error:
        batch.quarantine(RECEIPT_KIND, number, record, error, payload={"purchaseOrderId": po_id})
        return
    batch.resolve(RECEIPT_KIND, number, "acknowledged")
    batch.add(record, "acknowledged", f"{len(ack.lines)} line(s) in Ongoing")


async def publish_deviations(merchant_id: str, receipts: list[Receipt]) -> None:
    """The deviating lines of this run's receipts, one row each, for the merchant to follow up."""
    rows = [{"purchase order": r.purchase_order_number, "row": line.row_number or "", "sku": line.sku,
             "advised": f"{line.advised:g}", "received": f"{line.received:g}", "difference": f"{line.difference:+g}",
             "deviation": str(line.kind)} for r in receipts for line in r.deviations]
    if rows:
        await acreate_table_artifact(rows, key=f"purchase-order-deviations-{merchant_id}",
                                    description="Receipts that differ from what was advised: under and over "
                                                "deliveries and articles that were never advised")
