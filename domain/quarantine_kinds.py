"""Who looks after each kind of quarantined record.

Every kind of quarantine entry has one owner: the flow whose run retries the record once it is due (the
delays are the ledger's) and closes the entry when its cause is gone. ``swo quarantine retry`` only makes
an entry due now; the owner's next run does the retry. This table is the one place that says so, for the
CLI and for the documentation (docs/quarantine.md repeats it in prose).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QuarantineOwner:
    kind: str
    owner: str  # the flow (and deployment) name
    record: str  # what the key names
    retry: str  # how the owner tries again when the entry is due
    close: str  # when the entry closes without a person


OWNERS: dict[str, QuarantineOwner] = {o.kind: o for o in (
    QuarantineOwner(
        "order", "export-orders", "Starweb order id",
        retry="re-reads the order by id and plans its export again (adopted if Ongoing has it already)",
        close="exported or adopted; deleted in Starweb; no longer in an exportable status; bound by another run"),
    QuarantineOwner(
        "order-change", "sync-order-changes", "Starweb order id",
        retry="re-reads the order by id and judges the edit or cancellation against the warehouse again",
        close="edit pushed, in sync again or cancelled on both sides; the order is sent, cancelled or returned; "
              "deleted in Starweb"),
    QuarantineOwner(
        "order-status", "sync-order-statuses", "Starweb order id",
        retry="brings the warehouse's view back to Starweb again",
        close="in sync; nothing left to bring back; the order is sent, cancelled or returned"),
    QuarantineOwner(
        "release", "release-orders", "Starweb order id",
        retry="the order is a release candidate again at the next release run",
        close="released; the order moved on (picking, sent, cancelled, returned) without the release"),
    QuarantineOwner(
        "shipment", "report-shipments", "order number:shipment key",
        retry="the shipment is reported again (the ledger's intent decides the email)",
        close="reported; nothing of it is left to report in Ongoing (acknowledged or superseded)"),
    QuarantineOwner(
        "stock", "sync-stock", "SKU",
        retry="the SKU's stock is compared and written again",
        close="written; no write needed any more"),
    QuarantineOwner(
        "product", "sync-products", "SKU",
        retry="re-reads the product by id and pushes the article again; a failed deactivation is sent again",
        close="sent, unchanged since the last push, or deactivated; the product is gone from Starweb"),
    QuarantineOwner(
        "backorder", "release-orders", "Starweb order id",
        retry="every release (and stock sync) judges the backordered orders again and moves the covered ones",
        close="moved to in stock"),
    QuarantineOwner(
        "late-tracking", "report-shipments", "order number",
        retry="every run while the shipment is within the late-waybill window writes the waybill again",
        close="tracking added"),
    QuarantineOwner(
        "purchase-order", "push-purchase-orders", "purchase order number (or file row)",
        retry="when the purchase-order list is sent again (the process runs on demand)",
        close="sent, or found unchanged since it was sent"),
    QuarantineOwner(
        "purchase-order-receipt", "track-receipts", "purchase order number",
        retry="every run while Ongoing shows receipts on it not yet acknowledged",
        close="acknowledged"),
    QuarantineOwner(
        "return", "register-returns", "the return's ledger id",
        retry="every run carries each recorded, unfinished return on from the step it reached, once due",
        close="registered: commented, status set and acknowledged in Ongoing"),
    QuarantineOwner(
        "return-check", "register-returns", "order number",
        retry="re-reads the order's return figures (the order is read again even outside the cursor's window)",
        close="the figures add up (the shipment was reported, or the warehouse's figures were corrected)"),
)}


def owner_of(kind: str) -> QuarantineOwner | None:
    return OWNERS.get(kind)
