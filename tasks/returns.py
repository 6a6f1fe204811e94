"""Registering returns, exactly once each: new units found, recorded in the ledger, carried to Starweb,
acknowledged in Ongoing.

(1) What is new is what Ongoing's cumulative figures show beyond the ledger's registered units. (2) Each
return is matched to its Starweb order (a return inbound only when exactly one order it names holds the
goods) and recorded with every decision — status, email, amount to refund — before anything is written;
an unmatched one is recorded for the worklist and nothing else. (3) The Starweb comment (unless a re-read
shows an earlier attempt posted it) and status, (4) then the acknowledgement in Ongoing. A crash between
steps resumes at the next one; a concurrent run finds the return taken and leaves it alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from prefect import task
from prefect.artifacts import acreate_table_artifact
from prefect.cache_policies import NO_CACHE
from sqlalchemy.exc import IntegrityError

from domain.config import MerchantConfig
from domain.return_registration import (
    Match,
    Registration,
    ReturnStatuses,
    WorklistState,
    comment_marker,
    comment_text,
    match_returns,
    money,
    plan_registration,
)
from domain.returns import (
    DetectedReturn,
    Registered,
    RegisteredLine,
    ReturnedLine,
    ReturnKind,
    ReturnSource,
    order_ids_named,
    returns_of_inbound,
    returns_of_order,
)
from domain.shipments import starweb_order_id_of
from integrations.errors import MappingError, RetryableError
from integrations.ongoing.client import OngoingClient
from integrations.ongoing.models import Order as OngoingOrder
from integrations.starweb.client import StarwebClient
from integrations.starweb.models import Order as StarwebOrder
from integrations.starweb.models import OrderPatch
from ledger import bindings, quarantine
from ledger import returns as return_log
from ledger.models import ReturnRecord
from tasks.recording import Batch
from tasks.reporting import Outcome
from tasks.return_reads import RETURN_CHECK_KIND, WarehouseReturns
from tasks.run_holders import finished_runs
from tasks.runtime import ledger, ongoing_client, starweb_client
from tasks.shop_reads import fetch_orders_by_id
from tasks.warehouse_reads import fetch_warehouse_orders

RETURN_KIND = "return"  # a recorded return whose registration failed (key: the return's ledger id)
SOURCE_WORDS = {ReturnSource.SALES_ORDER: "order", ReturnSource.RETURN_ORDER: "return order",
                ReturnSource.PURCHASE_ORDER: "return inbound"}


def describe(source: str, reference: str) -> str:
    return f"{SOURCE_WORDS[ReturnSource(source)]} {reference}"


def lines_text(lines: Iterable[Mapping[str, Any]]) -> str:
    return ", ".join(f"{line['sku']} × {float(line['units']):g}" for line in lines)


@dataclass
class Detection:
    returns: list[DetectedReturn]
    outcomes: list[Outcome]
    unexpected: list[str]


@task(name="detect-new-returns", cache_policy=NO_CACHE)
def detect_new_returns(merchant: MerchantConfig, found: WarehouseReturns, discarding: Mapping[str, bool],
                       dry_run: bool) -> Detection:
    """The units each document shows beyond what the ledger registered; an order whose figures do not add
    up is held for a person with the reason, and the rest goes on."""
    batch = Batch(merchant, dry_run)
    documents = [(ReturnSource.SALES_ORDER.value, order_id) for order_id in found.orders]
    documents += [(ReturnSource.RETURN_ORDER.value, r.return_order_id) for rs in found.return_orders.values()
                  for r in rs]
    documents += [(ReturnSource.PURCHASE_ORDER.value, p.purchase_order_id) for p in found.inbounds]
    with ledger().session() as session:
        rows = return_log.registered_lines(session, merchant.merchant_id, documents)
        held = {e.key for e in quarantine.open_entries(session, merchant.merchant_id, RETURN_CHECK_KIND)}
    registered = Registered.of(
        RegisteredLine(ReturnSource(source), document_id, str(line["line_ref"]), line.get("cause"),
                       float(line["units"]), float(line["restocked"])) for source, document_id, line in rows)
    detected: list[DetectedReturn] = []
    for order in found.orders.values():
        result = returns_of_order(order, found.return_orders.get(order.order_id, []), registered, discarding,
                                  merchant.returns)
        if result.problem is not None or result.waiting is not None:
            error = MappingError(result.problem) if result.problem else RetryableError(result.waiting or "")
            batch.quarantine(RETURN_CHECK_KIND, order.order_number, f"order {order.order_number}", error,
                             payload={"orderId": order.order_id})
            continue
        if order.order_number in held:
            batch.resolve(RETURN_CHECK_KIND, order.order_number, "return figures add up")
        detected += result.returns
    for inbound in found.inbounds:
        detected += returns_of_inbound(inbound, registered, merchant.returns)
    return Detection(detected, batch.outcomes, batch.unexpected)


@task(name="find-orders-of-returns", cache_policy=NO_CACHE)
def candidate_orders(merchant: MerchantConfig, detected: Sequence[DetectedReturn]) -> dict[str, set[int]]:
    """Per return (by key), the Starweb orders it may belong to: its sales order's, or those an inbound names."""
    numbers = [d.order_number for d in detected if d.order_number]
    with ledger().session() as session:
        bound = {n: b.starweb_order_id for n, b in bindings.orders_by_number(session, merchant.merchant_id,
                                                                             numbers).items()}
    pattern = merchant.returns.reference_pattern(merchant.orders.number_prefix)
    found: dict[str, set[int]] = {}
    for d in detected:
        if d.order_number is None:
            found[d.key] = order_ids_named(d.search_texts, pattern)
            continue
        order_id = bound.get(d.order_number) or starweb_order_id_of(d.order_number, merchant.orders.number_prefix,
                                                                    d.goods_owner_order_id)
        found[d.key] = {order_id} if order_id is not None else set()
    return found


async def match_to_starweb_orders(merchant: MerchantConfig, detected: Sequence[DetectedReturn]
                                  ) -> tuple[dict[int, StarwebOrder], dict[str, Match]]:
    """The Starweb orders the returns may belong to (read once each), and each return's match."""
    candidates = candidate_orders(merchant, detected)
    found = await fetch_orders_by_id(merchant, sorted(set().union(*candidates.values())))
    orders = {order.order_id: order for order in found.orders}
    return orders, match_returns(detected, candidates, orders)


async def warehouse_orders_behind(merchant: MerchantConfig, found: WarehouseReturns,
                                  matches: Mapping[str, Match]) -> dict[str, OngoingOrder]:
    """Ongoing's view of every matched order (what shipped decides full or partial); a return inbound's
    order is read here, the others came with their returns."""
    known = found.order_by_number()
    wanted = {merchant.order_number(m.starweb_order_id) for m in matches.values() if m.starweb_order_id}
    return known | await fetch_warehouse_orders(merchant, sorted(wanted - known.keys()))


def _line_json(line: ReturnedLine, amount: Decimal | None) -> dict[str, object]:
    return {"line_ref": line.line_ref, "sku": line.sku, "cause": line.cause, "units": line.units,
            "restocked": line.restocked, "order_line_id": line.order_line_id, "row_number": line.row_number,
            "amount": None if amount is None else str(amount)}


def _new_return(d: DetectedReturn, plan: Registration) -> return_log.NewReturn:
    amounts = [r.amount for r in plan.refund.lines] if plan.refund else [None] * len(d.lines)
    return return_log.NewReturn(
        key=d.key, source=d.source.value, document_id=d.document_id, reference=d.reference,
        order_number=d.order_number, starweb_order_id=plan.starweb_order_id, kind=d.kind.value,
        lines=[_line_json(line, amount) for line, amount in zip(d.lines, amounts, strict=True)],
        acknowledgements=[asdict(a) for a in d.acknowledgements], comments=list(d.comments),
        refund_amount=plan.refund.amount if plan.refund else None,
        shipping_refund=(plan.refund.shipping or None) if plan.refund else None,
        currency=plan.refund.currency if plan.refund else None, fully_returned=plan.fully_returned,
        target_status_id=plan.target_status_id, send_email=plan.send_email,
        worklist_state=plan.worklist_state.value, note=plan.note, returned_at=d.returned_at, held=plan.held)


def _columns(new: return_log.NewReturn) -> dict[str, str]:
    return {"order": str(new.starweb_order_id or "?"), "kind": new.kind.replace("_", " "),
            "lines": lines_text(new.lines),
            "cause": ", ".join(sorted({str(line["cause"]) for line in new.lines if line["cause"]})),
            "refund": money(new.refund_amount, new.currency), "worklist": new.worklist_state.replace("_", " ")}


@task(name="record-returns", cache_policy=NO_CACHE)
def record_returns(merchant: MerchantConfig, statuses: ReturnStatuses, detected: Sequence[DetectedReturn],
                   matches: Mapping[str, Match], starweb_orders: Mapping[int, StarwebOrder],
                   warehouse_orders: Mapping[str, OngoingOrder], run_token: str, dry_run: bool) -> list[Outcome]:
    """Record each new return with its decisions (or, unmatched, for the worklist only)."""
    batch = Batch(merchant, dry_run)
    for d in detected:
        match = matches[d.key]
        record = describe(d.source, d.reference)
        starweb = starweb_orders.get(match.starweb_order_id) if match.starweb_order_id is not None else None
        number = d.order_number or (merchant.order_number(match.starweb_order_id) if match.starweb_order_id else None)
        try:
            with ledger().session() as session:
                if return_log.find(session, merchant.merchant_id, d.key) is not None:
                    continue  # recorded by an earlier run that stopped before acknowledging; resumed below
                order_id = match.starweb_order_id
                new = _new_return(d, plan_registration(
                    d, match, starweb, warehouse_orders.get(number or ""), settings=merchant.returns,
                    statuses=statuses, go_live_cutoff=merchant.go_live_cutoff,
                    already_returned=return_log.returned_by_sku(session, merchant.merchant_id, order_id)
                    if order_id else {},
                    shipping_refunded=bool(order_id and return_log.shipping_refunded(session, merchant.merchant_id,
                                                                                      order_id))))
                if dry_run:
                    batch.add(record, "would hold" if new.held else "would register", new.note or "", _columns(new))
                    continue
                row = return_log.record(session, merchant.merchant_id, new, run_token)
                if new.held:
                    batch.add(f"return #{row.id} ({record})", "on worklist", f"unmatched: {new.note}", _columns(new))
        except IntegrityError:
            batch.add(record, "skipped", "another run is registering this return")
    return batch.outcomes


@dataclass
class RegistrationResults:
    outcomes: list[Outcome] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    skus: set[str] = field(default_factory=set)


def _returned_lines(row: ReturnRecord) -> list[ReturnedLine]:
    return [ReturnedLine(line_ref=str(line["line_ref"]), sku=str(line["sku"]), cause=line.get("cause"),
                         units=float(line["units"]), restocked=float(line["restocked"])) for line in row.lines]


@task(name="register-returns-in-starweb", cache_policy=NO_CACHE)
async def register_recorded_returns(merchant: MerchantConfig, run_token: str, dry_run: bool) -> RegistrationResults:
    """Carry every recorded, unfinished return (this run's and any an earlier run left) to the end."""
    results = RegistrationResults()
    if dry_run:
        return results
    batch = Batch(merchant, dry_run)
    with ledger().session() as session:
        rows = return_log.unfinished(session, merchant.merchant_id)
        waiting = {row.id for row in rows if quarantine.is_held(session, merchant.merchant_id, RETURN_KIND,
                                                                 str(row.id))}
    if not rows:
        return results
    async with await starweb_client(merchant) as shop, await ongoing_client(merchant) as warehouse:
        for row in rows:
            record = f"return #{row.id} ({describe(row.source, row.reference)})"
            columns = {"order": str(row.starweb_order_id), "kind": row.kind.replace("_", " "),
                       "lines": lines_text(row.lines), "refund": money(row.refund_amount, row.currency),
                       "worklist": row.worklist_state.replace("_", " ")}
            if row.id in waiting:
                batch.add(record, "skipped", "held after an earlier failure; retried later", columns)
                continue
            if not await _take(row.id, run_token):
                batch.add(record, "skipped", "another run is registering this return", columns)
                continue
            try:
                await _register_one(batch, shop, warehouse, row)
            except Exception as error:
                batch.quarantine(RETURN_KIND, str(row.id), record, error,
                                 payload={"returnId": row.id, "orderId": row.starweb_order_id})
                continue
            results.skus |= {line.sku for line in _returned_lines(row) if line.restocked > 0 and line.sku}
            batch.add(record, "registered", f"status {row.target_status_id}" if row.target_status_id else
                      "no status change", columns)
    results.outcomes, results.unexpected = batch.outcomes, batch.unexpected
    return results


async def _take(return_id: int, run_token: str) -> bool:
    """Take the return for this run, from a run Prefect shows over too; False while a live run holds it."""
    with ledger().session() as session:
        if return_log.take(session, return_id, run_token):
            return True
        holder = return_log.holder(session, return_id)
    finished = await finished_runs([holder] if holder else [])
    if not finished:
        return False
    with ledger().session() as session:
        return return_log.take(session, return_id, run_token, finished_holders=finished)


async def _register_one(batch: Batch, shop: StarwebClient, warehouse: OngoingClient, row: ReturnRecord) -> None:
    if row.progress == return_log.RECORDED:
        customer_comments: list[str] = []
        if row.worklist_state != WorklistState.HISTORIC and row.starweb_order_id is not None:
            customer_comments = await _update_starweb(batch, shop, row)
        with ledger().session() as session:
            return_log.mark_starweb_done(session, row.id, customer_comments=customer_comments)
            binding = bindings.find_order(session, row.merchant_id, row.starweb_order_id or 0)
            if binding is not None and row.fully_returned and row.target_status_id is not None:
                bindings.mark_state(binding, state="returned", starweb_status_id=row.target_status_id)
    for ack in row.acknowledgements:
        await _acknowledge(batch, warehouse, ack)
    with ledger().session() as session:
        return_log.mark_acknowledged(session, row.id)
    batch.resolve(RETURN_KIND, str(row.id), "registered")


async def _update_starweb(batch: Batch, shop: StarwebClient, row: ReturnRecord) -> list[str]:
    """The comment (checked first, so a lost answer never posts it twice) and the status; returns the
    customer's own comments on the order, which a complaint keeps on the worklist."""
    order_id = row.starweb_order_id
    assert order_id is not None
    comments = await shop.list_order_comments(order_id)
    marker = comment_marker(row.id)
    if not any((c.text or "").startswith(marker) for c in comments):
        text = comment_text(row.id, ReturnKind(row.kind), ReturnSource(row.source), row.reference,
                            _returned_lines(row), row.refund_amount, row.currency, shipping=bool(row.shipping_refund))
        await batch.write("starweb", "POST /orders/{orderId}/comments", str(order_id),
                          lambda: shop.create_order_comment(order_id, text), detail={"returnId": row.id})
    status_id = row.target_status_id
    if status_id is not None and (await shop.get_order(order_id, include=())).status_id != status_id:
        patch = OrderPatch(status_id=status_id, on_order_status_change_send_email=row.send_email,
                           on_order_status_change_process_payment=False)  # refunding stays with the merchant
        await batch.write("starweb", "PATCH /orders/{orderId}", str(order_id),
                          lambda: shop.patch_order(order_id, patch),
                          detail={"statusId": status_id, "sendEmail": row.send_email, "returnId": row.id})
    if row.kind != ReturnKind.COMPLAINT:
        return []
    return [c.text for c in comments if c.author == "customer" and c.text]


async def _acknowledge(batch: Batch, warehouse: OngoingClient, ack: Mapping[str, Any]) -> None:
    document_id, line_id, value = int(ack["document_id"]), int(ack["line_id"]), float(ack["value"])
    if ack["target"] == "order-line":
        await batch.write("ongoing", "PATCH /orders/{orderId}/lines/{orderLineId}/reportedReturnedNumberOfItems",
                          f"{document_id}/{line_id}",
                          lambda: warehouse.patch_order_line_reported_returned_number_of_items(document_id, line_id,
                                                                                               value),
                          detail={"reportedReturnedNumberOfItems": value})
    else:
        await batch.write("ongoing", "PATCH /purchaseOrders/{purchaseOrderId}/lines/{purchaseOrderLineId}/"
                          "reportedNumberOfItems", f"{document_id}/{line_id}",
                          lambda: warehouse.patch_purchase_order_line_reported_number_of_items(
                              document_id, line_id, value), detail={"reportedNumberOfItems": value})


@task(name="let-go-of-returns", cache_policy=NO_CACHE)
def let_go_of_returns(run_token: str) -> None:
    with ledger().session() as session:
        return_log.let_go(session, run_token)


def worklist_rows(rows: Iterable[ReturnRecord]) -> list[dict[str, str]]:
    """The worklist as a person reads it: one row per return, by order id, never by customer data."""
    return [{"return": f"#{row.id}", "order": str(row.starweb_order_id or "?"),
             "from": describe(row.source, row.reference), "lines": lines_text(row.lines),
             "units": f"{sum(float(line['units']) for line in row.lines):g}",
             "cause": ", ".join(sorted({str(line["cause"]) for line in row.lines if line.get("cause")})) or "-",
             "kind": row.kind.replace("_", " "), "refund": money(row.refund_amount, row.currency),
             "state": WorklistState(row.worklist_state).label,
             "notes": " | ".join([*(row.comments or []), *([row.note] if row.note else [])])} for row in rows]


@task(name="publish-return-worklist", cache_policy=NO_CACHE)
async def publish_return_worklist(merchant_id: str) -> int:
    """The open worklist as a table artifact, published every run so yesterday's list does not linger."""
    with ledger().session() as session:
        rows = worklist_rows(return_log.worklist(session, merchant_id))
    await acreate_table_artifact(rows, key=f"returns-worklist-{merchant_id}",
                                description="Returns to refund or follow up (swo returns list / refunded)")
    return len(rows)

