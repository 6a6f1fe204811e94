"""Tasks of the purchase-order push: reading the merchant's list, finding its SKUs in both systems, and
sending purchase orders to Ongoing, each read back after its write and bound in the ledger.

A purchase order the warehouse has started receiving is never changed: the change is refused with the
reason and quarantined once (the same refused version is not tried again). A purchase order stopped by a
bad row is quarantined with every row error; the others go on.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from domain.config import MerchantConfig
from domain.product_sync import skus_in_shop
from domain.purchase_order_file import PurchaseOrderFileError, Sheet, read_sheet, rows_sheet
from domain.purchase_orders import (
    PurchaseOrderDraft,
    Validation,
    differences,
    is_cancelled,
    purchase_order_hash,
    same_as_in_ongoing,
    to_ongoing_purchase_order,
    why_unchangeable,
    zero_left_out_rows,
)
from integrations.errors import MappingError, PermanentError
from integrations.ongoing.client import OngoingClient
from integrations.ongoing.models import PurchaseOrder, PurchaseOrderWrite
from integrations.starweb.models import Product, Variant
from ledger import purchase_orders as po_ledger
from ledger.models import PurchaseOrderBinding
from ledger.purchase_orders import PurchaseOrderLineSpec
from tasks.recording import Batch, DryRun
from tasks.reporting import Outcome
from tasks.runtime import ledger, ongoing_client
from tasks.shop_reads import fetch_products_with_skus
from tasks.warehouse_reads import fetch_articles

PURCHASE_ORDER_KIND = "purchase-order"
PUT_PURCHASE_ORDER = "PUT /purchaseOrders"
_CHUNK = 100


class InvalidPurchaseOrder(MappingError):
    """A purchase order stopped by bad rows; the message lists every one."""


class PurchaseOrderLocked(PermanentError):
    """The warehouse has started receiving (or cancelled) the purchase order: the connector leaves it be."""


@task(name="read-purchase-order-list", cache_policy=NO_CACHE)
def read_purchase_order_list(file: str | None, rows: list[dict[str, Any]] | None) -> Sheet:
    """The rows of a CSV/XLSX file on this machine, or rows given as data."""
    if (file is None) == (rows is None):
        raise PurchaseOrderFileError("give either a file (path to a .csv or .xlsx) or rows, not both or neither")
    if rows is not None:
        return rows_sheet(rows)
    assert file is not None
    path = Path(file).expanduser()
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise PurchaseOrderFileError(f"{path}: cannot read the purchase-order file: {exc.strerror}") from exc
    return read_sheet(content, path.name)


@task(name="read-initial-inbound", cache_policy=NO_CACHE)
def read_initial_inbound(merchant_id: str) -> PurchaseOrderBinding | None:
    """The merchant's initial inbound, if it was ever claimed (sent or about to be)."""
    with ledger().session() as session:
        return po_ledger.find_initial_inbound(session, merchant_id)


@task(name="claim-initial-inbound", cache_policy=NO_CACHE)
def claim_initial_inbound(merchant_id: str, number: str, dry_run: bool) -> str:
    """Record the initial inbound's number before sending it; returns the number to use (an earlier
    claim's, if there is one)."""
    if dry_run:
        return number
    with ledger().session() as session:
        return po_ledger.claim_initial_inbound(session, merchant_id, number).purchase_order_number


@dataclass(frozen=True)
class SkuLookup:
    """Where the SKUs of a list are known: as Ongoing articles, or only as Starweb variants (to be pushed)."""

    in_warehouse: frozenset[str]
    shop_products: list[tuple[Product, list[Variant]]]
    shop_only: frozenset[str]

    @property
    def known(self) -> frozenset[str]:
        return self.in_warehouse | self.shop_only


async def look_up_skus(merchant: MerchantConfig, skus: Collection[str]) -> SkuLookup:
    """Ongoing first (one query per hundred SKUs); Starweb only for the SKUs Ongoing does not have."""
    articles = await fetch_articles(merchant, skus) if skus else {}
    missing = set(skus) - articles.keys()
    products = await fetch_products_with_skus(merchant, missing) if missing else []
    return SkuLookup(frozenset(articles), products, frozenset(skus_in_shop(products) & missing))


@task(name="quarantine-invalid-purchase-orders", cache_policy=NO_CACHE)
def quarantine_invalid(merchant: MerchantConfig, validation: Validation, source: str,
                       dry_run: bool) -> list[Outcome]:
    """Every purchase order stopped by a bad row, and every row naming no purchase order, held with the
    specific errors (file, row, column) for a person to fix and send again."""
    batch = Batch(merchant, dry_run)
    for number, errors in validation.rejected.items():
        reason = InvalidPurchaseOrder(f"purchase order {number} was not sent: "
                                      + "; ".join(str(error) for error in errors))
        batch.quarantine(PURCHASE_ORDER_KIND, number, f"purchase order {number}", reason,
                         payload={"source": source, "rows": sorted({e.row for e in errors if e.row is not None})})
    for error in validation.unattached:
        key = f"{source} row {error.row}"[-100:]
        batch.quarantine(PURCHASE_ORDER_KIND, key, f"{source} row {error.row}", InvalidPurchaseOrder(str(error)),
                         payload={"source": source, "rows": [error.row]})
    return batch.outcomes


@dataclass
class _Pending:
    draft: PurchaseOrderDraft
    payload: PurchaseOrderWrite
    digest: str
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def number(self) -> str:
        return self.draft.number

    @property
    def record(self) -> str:
        return f"purchase order {self.draft.number}"


def _columns(draft: PurchaseOrderDraft) -> dict[str, str]:
    return {"expected": draft.expected_date.isoformat(), "lines": str(len(draft.lines)), "units": str(draft.units)}


def _line_specs(purchase_order: PurchaseOrder) -> list[PurchaseOrderLineSpec]:
    return [PurchaseOrderLineSpec(row_number=line.row_number or f"#{line.id}",
                                  sku=(line.article.article_number if line.article else None) or "",
                                  advised=float(line.advised_number_of_items or 0), ongoing_line_id=line.id)
            for line in purchase_order.purchase_order_lines]


async def _current(warehouse: OngoingClient, numbers: list[str]) -> dict[str, PurchaseOrder]:
    """Ongoing's purchase orders with these numbers (the newest, should a number occur twice)."""
    found: dict[str, PurchaseOrder] = {}
    for start in range(0, len(numbers), _CHUNK):
        chunk = numbers[start:start + _CHUNK]
        async for purchase_order in warehouse.iter_purchase_orders(purchase_order_numbers=chunk):
            found[purchase_order.purchase_order_info.purchase_order_number] = purchase_order
    return found


@task(name="send-purchase-orders", cache_policy=NO_CACHE)
async def send_purchase_orders(merchant: MerchantConfig, drafts: list[PurchaseOrderDraft], *, origin: str,
                               source: str, blocked: dict[str, str], dry_run: bool) -> tuple[list[Outcome], list[str]]:
    """Create or update each purchase order in Ongoing (an upsert by number), unless it is unchanged
    since it was last sent, or the warehouse has started receiving it. ``blocked`` names SKUs that are not
    Ongoing articles: a purchase order needing one is held until it is."""
    batch = Batch(merchant, dry_run)
    with ledger().session() as session:
        bound = po_ledger.purchase_orders_by_number(session, merchant.merchant_id, [d.number for d in drafts])
    pending: list[_Pending] = []
    for draft in drafts:
        record, columns = f"purchase order {draft.number}", _columns(draft)
        missing = sorted(draft.skus & blocked.keys())
        if missing:
            reasons = "; ".join(f"SKU {sku}: {blocked[sku]}" for sku in missing)
            batch.quarantine(PURCHASE_ORDER_KIND, draft.number, record,
                             MappingError(f"purchase order {draft.number} was not sent: {reasons}"))
            continue
        payload = to_ongoing_purchase_order(draft)
        digest = purchase_order_hash(payload)
        binding = bound.get(draft.number)
        if binding is not None and binding.pushed_hash == digest and po_ledger.read_back(binding):
            batch.resolve(PURCHASE_ORDER_KIND, draft.number, "unchanged since it was sent")
            batch.add(record, "unchanged", "Ongoing already has this version", columns)
        elif binding is not None and binding.refused_hash == digest:
            batch.add(record, "skipped", "this version was refused before: the warehouse has started receiving it",
                      columns)
        else:
            pending.append(_Pending(draft, payload, digest, columns))
    if not pending:
        return batch.outcomes, batch.unexpected

    async with await ongoing_client(merchant) as warehouse:
        current = await _current(warehouse, [p.number for p in pending])
        for item in pending:
            existing = current.get(item.number)
            if existing is not None and not is_cancelled(existing) and same_as_in_ongoing(existing, item.payload):
                _bind(batch, item, existing, origin, source)
                batch.add(item.record, "unchanged", "Ongoing already held this version", item.columns)
                continue
            reason = why_unchangeable(existing) if existing is not None else None
            if reason is not None:
                _refuse(batch, item, reason, origin, source)
                continue
            await _write(batch, warehouse, item, held=existing, origin=origin, source=source)
    return batch.outcomes, batch.unexpected


def _bind(batch: Batch, item: _Pending, purchase_order: PurchaseOrder, origin: str, source: str) -> None:
    if batch.dry_run:
        return
    _record_pushed(batch, item, purchase_order.purchase_order_id, _line_specs(purchase_order), origin, source)
    batch.resolve(PURCHASE_ORDER_KIND, item.number, "sent")


def _record_pushed(batch: Batch, item: _Pending, purchase_order_id: int, lines: list[PurchaseOrderLineSpec],
                   origin: str, source: str) -> None:
    with ledger().session() as session:
        po_ledger.mark_purchase_order_pushed(
            session, batch.merchant_id, number=item.number, origin=origin, source=source,
            ongoing_purchase_order_id=purchase_order_id, pushed_hash=item.digest,
            expected_date=item.draft.expected_date, lines=lines)


def _bind_unread(batch: Batch, item: _Pending, purchase_order_id: int, error: Exception, *, verb: str,
                 origin: str, source: str) -> None:
    """Ongoing answered the write but the read-back failed. The purchase order is bound as sent, so its
    receipts are tracked, with the lines as sent and no Ongoing line ids: that marks it unchecked, and the
    next send of it compares it with Ongoing (and binds the ids) instead of skipping it as unchanged."""
    sent = [PurchaseOrderLineSpec(row_number=line.row_number, sku=line.article_number,
                                  advised=float(line.number_of_items or 0))
            for line in item.payload.purchase_order_lines or []]
    _record_pushed(batch, item, purchase_order_id, sent, origin, source)
    batch.quarantine(PURCHASE_ORDER_KIND, item.number, item.record, PermanentError(
        f"purchase order {item.number}: Ongoing answered the {verb} (purchaseOrderId {purchase_order_id}) but "
        f"reading it back failed ({error}); it counts as sent and its receipts are tracked; send the list "
        f"again to check it against Ongoing"),
        payload={"purchaseOrderId": purchase_order_id, "source": source,
                 "rows": [line.row for line in item.draft.lines]})


def _refuse(batch: Batch, item: _Pending, reason: str, origin: str, source: str) -> None:
    batch.quarantine(PURCHASE_ORDER_KIND, item.number, item.record, PurchaseOrderLocked(f"change refused: {reason}"),
                     payload={"source": source, "rows": [line.row for line in item.draft.lines]})
    if not batch.dry_run:
        with ledger().session() as session:
            po_ledger.mark_purchase_order_refused(session, batch.merchant_id, item.number, item.digest,
                                                  origin=origin)


async def _write(batch: Batch, warehouse: OngoingClient, item: _Pending, *, held: PurchaseOrder | None,
                 origin: str, source: str) -> None:
    verb = "update" if held is not None else "create"
    body = zero_left_out_rows(item.payload, held) if held is not None else item.payload
    try:
        answer = await batch.write("ongoing", PUT_PURCHASE_ORDER, item.number,
                                   lambda: warehouse.put_purchase_order(body),
                                   detail={"lines": len(item.draft.lines), "units": item.draft.units,
                                           "inDate": item.draft.expected_date.isoformat()})
    except DryRun:
        batch.add(item.record, f"would {verb}", f"{len(item.draft.lines)} lines, {item.draft.units} units",
                  item.columns)
        return
    except Exception as error:
        batch.quarantine(PURCHASE_ORDER_KIND, item.number, item.record, error,
                         payload={"source": source, "rows": [line.row for line in item.draft.lines]})
        return
    try:
        # Read back what Ongoing holds: the line ids to bind, and proof the write landed as sent.
        stored = await warehouse.get_purchase_order(answer.purchase_order_id)
    except Exception as error:
        _bind_unread(batch, item, answer.purchase_order_id, error, verb=verb, origin=origin, source=source)
        return
    mismatch = differences(stored, item.payload)
    if mismatch:
        batch.quarantine(PURCHASE_ORDER_KIND, item.number, item.record, PermanentError(
            f"purchase order {item.number}: Ongoing accepted the write but, read back, holds "
            f"{'; '.join(mismatch)}; check it in Ongoing"), payload={"purchaseOrderId": stored.purchase_order_id})
        return
    _bind(batch, item, stored, origin, source)
    batch.add(item.record, "updated" if held is not None else "created", f"purchaseOrderId {stored.purchase_order_id}",
              item.columns)
