"""The filters and sort orders of ``GET /orders``, as the spec lists them.

By default orders whose payment step is not complete are hidden; ``statusFilter`` takes one status
id; ``filterQuery`` searches customer and company names, e-mail, item SKUs and descriptions;
``ordersCreatedAfter``/``Before`` compare ISO-8601 timestamps. Sorting defaults to ``orderId``
descending; ties (several changes in one second) fall back to the order of the changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from integrations.starweb.simulator.clock import parse_iso
from integrations.starweb.simulator.errors import bad_request

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


def select_orders(orders: list[Doc], query: OrderQuery) -> list[Doc]:
    after = _timestamp(query.created_after, "ordersCreatedAfter")
    before = _timestamp(query.created_before, "ordersCreatedBefore")
    needle = (query.filter_query or "").strip().lower()

    def wanted(order: Doc) -> bool:
        created = parse_iso(order["createdAt"])
        return ((query.include_non_complete_payments or order.get("isComplete") is not False)
                and (query.status_id is None or order.get("statusId") == query.status_id)
                and (query.payment_method_id is None or order.get("paymentMethodId") == query.payment_method_id)
                and (query.shipping_method_id is None or order.get("shippingMethodId") == query.shipping_method_id)
                and (after is None or created > after)
                and (before is None or created < before)
                and (not needle or needle in _search_text(order)))

    key = _SORT_KEYS[query.sort_by]
    chosen = [order for order in orders if wanted(order)]
    return sorted(chosen, key=lambda o: (key(o), o["orderId"]), reverse=query.sort_order == "DESC")
