"""Ongoing's webhooks: set up as a TPL does in Ongoing's UI, and called when the warehouse changes.

Ongoing has no API to register webhooks, so ``/_sim/webhooks`` stands in for the UI: a webhook has a URL,
a family and the ``X-Auth-Token`` value it sends (the one authentication seen in use). Families: ``order``
(an order is created or changes status), ``purchase-order`` (created or changes status, which includes
"received" from 400 up) and ``returns`` (the picking, packing and returns family, when goods come back).
Bodies follow Ongoing's documented order and purchase-order payloads; the returns body carries the
documented ``isReturned`` and ``returnCause`` with the order's identity (its other members are not
public). ``webhookEventId`` numbers are the simulator's own (1 created, 2 status changed, 3 returned).
Delivery is fire and forget, with the loss settings of ``integrations.simulation.webhook_delivery``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from integrations.ongoing.simulator.state import Doc, SimState
from integrations.simulation.webhook_delivery import WebhookSender, delivery_router

WEBHOOK = "webhook"
Family = Literal["order", "purchase-order", "returns"]
CREATED, STATUS_CHANGED, RETURNED = 1, 2, 3


def webhook_timestamp() -> str:
    """As in Ongoing's webhook examples: seven fractional digits and no zone (taken here as UTC)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"


class WebhookSetup(BaseModel):
    """One webhook as the TPL enters it in Ongoing's UI."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    name: str | None = Field(default=None, max_length=100)
    url: str = Field(pattern=r"^https?://", max_length=500)
    family: Family
    auth_token: str | None = Field(default=None, max_length=200, description="sent as the X-Auth-Token header")


class WarehouseWebhooks:
    """Calls the webhooks set up for a family when the warehouse's documents change."""

    def __init__(self, state: SimState, sender: WebhookSender) -> None:
        self.state = state
        self.sender = sender

    def _call(self, family: Family, body: Doc, label: str) -> None:
        for hook in self.state.store.all(WEBHOOK):
            if hook["family"] != family:
                continue
            headers = {"X-Auth-Token": hook["authToken"]} if hook.get("authToken") else {}
            numbered = {"webhook" + ("PurchaseOrders" if family == "purchase-order" else "Orders") + "Id":
                        self.state.new_id("webhook_call"), **body}
            self.sender.send(hook["url"], numbered, headers=headers, label=label)

    def order_saved(self, previous: Doc | None, order: Doc) -> None:
        if previous is not None and previous["status"] == order["status"]:
            return
        event = CREATED if previous is None else STATUS_CHANGED
        self._call("order", self._order_body(order, event), f"order {order['orderNumber']} {order['status']}")

    def purchase_order_saved(self, previous: Doc | None, po: Doc) -> None:
        if previous is not None and previous["status"] == po["status"]:
            return
        owner = self.state.goods_owner
        body = {"webhookEventId": CREATED if previous is None else STATUS_CHANGED, "system": "Ongoing WMS simulator",
                "timestamp": webhook_timestamp(), "purchaseOrderId": po["purchaseOrderId"],
                "purchaseOrderNumber": po["purchaseOrderNumber"], "goodsOwnerId": owner["id"],
                "path": f"/purchaseOrders/{po['purchaseOrderId']}", "webhookTemplate": "Default",
                "purchaseOrderStatus": {"number": po["status"]}, "goodsOwnerName": owner["name"],
                "purchaseOrderType": None, "purchaseOrderClasses": [], "goodsOwnerPurchaseOrderId": None}
        self._call("purchase-order", body, f"purchase order {po['purchaseOrderNumber']} {po['status']}")

    def goods_returned(self, order: Doc, cause: dict[str, Any] | None) -> None:
        body = {**self._order_body(order, RETURNED), "isReturned": True,
                "returnCause": {"returnCauseId": None, "returnCauseCode": cause.get("code"),
                                "returnCauseName": cause.get("name")} if cause else None,
                "orderPalletItem": None}
        self._call("returns", body, f"return on order {order['orderNumber']}")

    def _order_body(self, order: Doc, event: int) -> Doc:
        owner = self.state.goods_owner
        header = order.get("header") or {}
        return {
            "webhookEventId": event, "system": "Ongoing WMS simulator", "timestamp": webhook_timestamp(),
            "orderId": order["orderId"], "orderNumber": order["orderNumber"], "goodsOwnerId": owner["id"],
            "goodsOwnerOrderId": header.get("goodsOwnerOrderId"),
            "consigneeOrderNumber": header.get("consigneeOrderNumber"), "path": f"/orders/{order['orderId']}",
            "byUser": {"userId": 0}, "byComputer": {"computerId": 0, "computerName": "simulator"},
            "orderStatus": {"number": order["status"]}, "currentShipmentId": None, "webhookTemplate": "Default",
            "goodsOwnerName": owner["name"], "goodsOwnerClasses": [],
            "tracking": [{"trackingUrl": t.get("trackingUrl"), "waybill": t["waybill"], "isReturn": False}
                         for t in order.get("tracking") or []],
            "parcels": [{"id": p["id"], "parcelNumber": p["parcelNumber"], "isReturnParcel": False,
                         "tracking": {"trackingUrl": p.get("trackingUrl")}} for p in order.get("parcels") or []],
        }


def build_router(state: SimState, sender: WebhookSender) -> APIRouter:
    router = APIRouter(prefix="/_sim/webhooks", tags=["simulator admin"])

    @router.post("", status_code=201)
    def set_up(setup: WebhookSetup) -> dict[str, Any]:
        with state.write(from_api=False):
            hook_id = state.new_id(WEBHOOK)
            doc = {"id": hook_id, **setup.model_dump(by_alias=True)}
            state.store.put(WEBHOOK, hook_id, doc)
        return _shown(doc)

    @router.get("")
    def listed() -> dict[str, Any]:
        return {"data": [_shown(doc) for doc in state.store.all(WEBHOOK)]}

    @router.delete("")
    def remove_all() -> dict[str, int]:
        with state.write(from_api=False):
            hooks = state.store.all(WEBHOOK)
            for doc in hooks:
                state.store.delete(WEBHOOK, doc["id"])
        return {"removed": len(hooks)}

    router.include_router(delivery_router(sender, ""))
    return router


def _shown(doc: Doc) -> Doc:
    # The UI never shows a stored secret again; neither does the simulator.
    return {**doc, "authToken": "(set)" if doc.get("authToken") else None}
