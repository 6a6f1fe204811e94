"""The shop calling its registered web-hooks when orders and products change, as Starweb does.

The body is what Starweb documents: ``uuid`` (the same when an event is sent again), ``eventId`` (here
the event's name), ``shopIdCode`` and ``eventTimestamp``; orders add ``orderId``, ``shippingMethodId``,
``paymentMethodId``, ``orderStatusId``, ``orderStatusIdCode``, ``totalAmount`` (a string) and
``currencyCode``, products add ``productId``. Which change fires which event is inferred (Starweb does not
say): a new order "order-created", an order becoming complete "order-completed", a new status
"order-status-changed" (to hooks without ``statusId`` or with the new one), every other change to an
order "order-updated", a deleted order "order-deleted"; products likewise from their own routes.
Nothing is signed. Delivery is fire and forget (``integrations.simulation.webhook_delivery``).
"""

from __future__ import annotations

import uuid
from typing import Any

from integrations.starweb.simulator import catalogue
from integrations.starweb.simulator.state import WEB_HOOK, SimState

Doc = dict[str, Any]


def order_events(before: Doc | None, after: Doc) -> list[str]:
    """The web-hook events one saved change of an order fires."""
    if before is None:
        return ["order-created", *(["order-completed"] if after.get("isComplete") else [])]
    events = []
    if after.get("isComplete") and not before.get("isComplete"):
        events.append("order-completed")
    if before.get("statusId") != after.get("statusId"):
        events.append("order-status-changed")
    else:
        events.append("order-updated")
    return events


def order_fields(state: SimState, order: Doc) -> Doc:
    status = catalogue.require_status(state, order["statusId"]) if order.get("statusId") else {}
    return {
        "orderId": order["orderId"], "shippingMethodId": order.get("shippingMethodId"),
        "paymentMethodId": order.get("paymentMethodId"), "orderStatusId": order.get("statusId"),
        "orderStatusIdCode": status.get("idCode"), "totalAmount": f"{float(order.get('totalAmount') or 0):.2f}",
        "currencyCode": order.get("currencyCode"),
    }


def announce_order_change(state: SimState, before: Doc | None, after: Doc) -> None:
    for event in order_events(before, after):
        call_web_hooks(state, event, order_fields(state, after), status_id=after.get("statusId"))


def announce_order_deleted(state: SimState, order: Doc) -> None:
    call_web_hooks(state, "order-deleted", order_fields(state, order))


def announce_product(state: SimState, event: str, product_id: int) -> None:
    call_web_hooks(state, event, {"productId": product_id})


def call_web_hooks(state: SimState, event: str, fields: Doc, *, status_id: int | None = None) -> None:
    """Send the event to every web-hook registered for it."""
    hooks = [h for h in state.store.all(WEB_HOOK) if h.get("event") == event and h.get("url")
             and (event != "order-status-changed" or h.get("statusId") in (None, status_id))]
    if not hooks:
        return
    common = {"eventId": event, "shopIdCode": state.shop()["idCode"], "eventTimestamp": state.now_iso(), **fields}
    record = fields.get("orderId") or fields.get("productId")
    for hook in hooks:
        state.web_hooks.send(hook["url"], {"uuid": str(uuid.uuid4()), **common}, label=f"{event} {record}")
