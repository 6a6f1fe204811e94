"""The filters and sort orders of ``GET /orders``, as the spec lists them.

By default orders whose payment step is not complete are hidden; ``statusFilter`` takes one status
id; ``filterQuery`` searches customer and company names, e-mail, item SKUs and descriptions;
``ordersCreatedAfter``/``Before`` compare ISO-8601 timestamps. Sorting defaults to ``orderId``
descending; ties (several changes in one second) fall back to the order of the changes. The usual
queries are answered from the store's indexes (``listing``), so a page does not read the whole shop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from integrations.simulation.store import DocumentStore
from integrations.starweb.simulator.clock import parse_iso
from integrations.starweb.simulator.envelopes import PAGE_SIZE
from integrations.starweb.simulator.errors import bad_request
from integrations.starweb.simulator.listing import KeyFilter, index_page
from integrations.starweb.simulator.state import ORDER

Doc = dict[str, Any]
SortField = Literal["orderId", "createdAt", "modifiedAt", "customer", "paymentMethodName", "shippingMethodName",
                    "totalAmount", "status", "read"]


@dataclass(frozen=True)
class OrderQuery:
    include_non_complete_payments: bool = False
    filter_query: str | None = None
    payment_method_id: int | None = None
    shipping_method_id: int | None = None
    created_after: str | None = None
    created_before: str | None = None
    status_id: int | None = None
    sort_by: SortField = "orderId"
    sort_order: Literal["ASC", "DESC"] = "DESC"


def _timestamp(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise bad_request(f"{name}: not an ISO-8601 timestamp") from None


def _customer_name(order: Doc) -> str:
    addresses = order.get("addresses") or {}
    invoice = addresses.get("originalInvoice") or addresses.get("customerInvoice") or {}
    person = " ".join(part for part in (invoice.get("lastName"), invoice.get("firstName")) if part)
    return (invoice.get("companyName") or person).lower()


def _search_text(order: Doc) -> str:
    parts: list[str] = [str(order.get("orderId")), order.get("originalCustomerEmail") or ""]
    for address in (order.get("addresses") or {}).values():
        if address:
            parts += [address.get(k) or "" for k in ("companyName", "firstName", "lastName")]
    for item in order.get("items") or []:
        parts += [item.get("sku") or "", item.get("description") or ""]
    return " ".join(parts).lower()


_SORT_KEYS: dict[str, Callable[[Doc], Any]] = {
    "orderId": lambda o: 0,
    "createdAt": lambda o: parse_iso(o["createdAt"]),
    "modifiedAt": lambda o: (parse_iso(o["modifiedAt"]), o.get("_changeSeq", 0)),
    "customer": _customer_name,
    "paymentMethodName": lambda o: (o.get("paymentMethodName") or "").lower(),
    "shippingMethodName": lambda o: (o.get("shippingMethodName") or "").lower(),
    "totalAmount": lambda o: o.get("totalAmount") or 0.0,
    "status": lambda o: o.get("statusId") or 0,
    "read": lambda o: bool(o.get("isRead")),
}


# Sorts an index answers (the rest need every matching order read and sorted).
_SORT_INDEXES = {"orderId": "id", "createdAt": "created", "modifiedAt": "modified"}


def select_orders(store: DocumentStore, query: OrderQuery, page: int) -> tuple[list[Doc], int]:
    """The page's orders and how many match. Status, method and creation-time filters and the usual sorts
    are answered by indexes; a free-text search or another sort reads and sorts every candidate."""
    after = _timestamp(query.created_after, "ordersCreatedAfter")
    before = _timestamp(query.created_before, "ordersCreatedBefore")
    needle = (query.filter_query or "").strip().lower()
    keys = KeyFilter()
    for index, value in (("status", query.status_id), ("payment_method", query.payment_method_id),
                         ("shipping_method", query.shipping_method_id)):
        if value is not None:
            keys.narrow(store.keys(ORDER, index, low=value, high=value))
    if after is not None or before is not None:
        keys.narrow(store.keys(ORDER, "created", low=after.timestamp() if after else None,
                               high=before.timestamp() if before else None, inclusive=(False, False)))
    if not query.include_non_complete_payments:
        keys.exclude(store.keys(ORDER, "incomplete", low=True, high=True))
    sort_index = _SORT_INDEXES.get(query.sort_by)
    descending = query.sort_order == "DESC"
    if sort_index is not None and not needle:
        return index_page(store, ORDER, sort_index, keys, descending=descending, page=page)

    def wanted(order: Doc) -> bool:
        created = parse_iso(order["createdAt"])
        return ((query.include_non_complete_payments or order.get("isComplete") is not False)
                and (query.status_id is None or order.get("statusId") == query.status_id)
                and (query.payment_method_id is None or order.get("paymentMethodId") == query.payment_method_id)
                and (query.shipping_method_id is None or order.get("shippingMethodId") == query.shipping_method_id)
                and (after is None or created > after)
                and (before is None or created < before)
                and (not needle or needle in _search_text(order)))

    candidates = store.walk(ORDER, "id") if keys.allowed is None else sorted(keys.allowed, key=int)
    key = _SORT_KEYS[query.sort_by]
    chosen = sorted((order for order in store.iter_docs(ORDER, candidates) if wanted(order)),
                    key=lambda o: (key(o), o["orderId"]), reverse=descending)
    start = (page - 1) * PAGE_SIZE
    return chosen[start:start + PAGE_SIZE], len(chosen)
