"""The people around the connector in the soak: shoppers and the merchant in Starweb, the TPL's staff in
Ongoing. They act through the vendors' own API and the warehouse's admin surface, marked as actors
(``X-Sim-Actor``) so the simulators never fault them: the faults are for the connector.

Each actor draws its choices from its own seeded generator, so a seed replays the same day. The warehouse
remembers what it shipped per order, which the tally needs to count emails per shipment.
"""

from __future__ import annotations

import random
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.soak_world import MerchantWorld
from integrations.simulation.demo_data import DEMO_PRODUCTS
from integrations.simulation.faults import ACTOR_HEADER
from integrations.starweb.models import Address, OrderAddresses, OrderCreate, OrderItemWrite

SKUS = [variant.sku for product in DEMO_PRODUCTS for variant in product.variants]
CREATED, PICKING, SENT, CANCELED, PARTIALLY_SENT, PARTIALLY_SENT_AGAIN = 1, 2, 3, 4, 5, 9
SHIPPED_STATUSES = {SENT, PARTIALLY_SENT, PARTIALLY_SENT_AGAIN}
OPEN_IN_ONGOING = {200, 210, 211}
CUSTOMERS = (
    Address(first_name="Astrid", last_name="Öberg", address="Sveavägen 44", postal_code="113 59", city="Stockholm",
            country_code="SE", mobile_phone_no="+46701111111"),
    Address(company_name="Fjällgrej AB", first_name="Nils", last_name="Åkesson", address="Kungsgatan 12",
            postal_code="411 19", city="Göteborg", country_code="SE", phone_no="031-222222"),
    Address(first_name="Kari", last_name="Nordmann", address="Storgata 1", postal_code="0155", city="Oslo",
            country_code="NO"),
)


def _actor(name: str) -> dict[str, str]:
    return {ACTOR_HEADER: name}


class ShopToken(httpx.Auth):
    """The shop actor's Starweb token, taken again when Starweb answers 401: a token lives an hour, and the
    full-size soak outlives it (its shoppers were refused at the 22nd tick of 24)."""

    requires_response_body = True

    def __init__(self, starweb_api: str) -> None:
        self.starweb_api = starweb_api
        self.token: str | None = None

    def _token_request(self) -> httpx.Request:
        return httpx.Request("POST", f"{self.starweb_api}/token", headers=_actor("shop"), data={
            "grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"})

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.token is None:
            self.token = (yield self._token_request()).json()["access_token"]
        request.headers["Authorization"] = f"Bearer {self.token}"
        answer = yield request
        if answer.status_code == httpx.codes.UNAUTHORIZED:
            self.token = (yield self._token_request()).json()["access_token"]
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request


class Shop:
    """Shoppers placing orders and the merchant editing and cancelling them, in one Starweb shop."""

    def __init__(self, world: MerchantWorld, rng: random.Random) -> None:
        self.world = world
        self.rng = rng
        self.http = httpx.Client(base_url=world.starweb_api, headers=_actor("shop"), timeout=60,
                                 auth=ShopToken(world.starweb_api))
        self.placed: list[int] = []

    def close(self) -> None:
        self.http.close()

    def place_order(self) -> int:
        lines = self.rng.sample(SKUS, k=self.rng.choice((1, 1, 2, 2, 3)))
        address = self.rng.choice(CUSTOMERS)
        order = OrderCreate(
            shipping_method_id=self.rng.choice((1, 2, 3)), payment_method_id=1, currency_code="SEK", lang_code="sv",
            status_id=CREATED, is_complete=True, original_customer_email=f"kund{len(self.placed)}@example.se",
            items=[OrderItemWrite(sku=sku, quantity=self.rng.choice((1, 1, 1, 2, 3))) for sku in lines],
            addresses=OrderAddresses(original_delivery=address, original_invoice=address),
            on_order_status_change_send_email=False)
        answer = self.http.post("/orders", json=order.to_body())
        answer.raise_for_status()
        order_id = int(answer.json()["data"]["orderId"])
        self.placed.append(order_id)
        return order_id

    def order(self, order_id: int) -> dict[str, Any]:
        answer = self.http.get(f"/orders/{order_id}", params={"include": "items"})
        answer.raise_for_status()
        return answer.json()["data"]

    def orders(self) -> dict[int, dict[str, Any]]:
        """Every order of the shop, with its items."""
        found: dict[int, dict[str, Any]] = {}
        page = 1
        while True:
            answer = self.http.get("/orders", params={"page": page, "include": "items", "sortBy": "orderId"})
            answer.raise_for_status()
            body = answer.json()
            for order in body["data"]:
                found[order["orderId"]] = order
            if page >= (body.get("meta", {}).get("pagination", {}).get("total_pages") or 1):
                return found
            page += 1

    def change_quantity(self, order: dict[str, Any]) -> None:
        item = order["items"]["data"][0]
        self.http.patch(f"/orders/{order['orderId']}/items/{item['itemId']}",
                        json={"quantity": item["quantity"] + 1}).raise_for_status()

    def cancel(self, order_id: int) -> None:
        self.http.patch(f"/orders/{order_id}", json={"statusId": CANCELED, "onOrderStatusChangeSendEmail": False,
                                                     "onOrderStatusChangeProcessPayment": False}).raise_for_status()

    def stock(self) -> dict[str, float]:
        """SKU → the shop's stockQuantity."""
        found: dict[str, float] = {}
        page = 1
        while True:
            answer = self.http.get("/products", params={"page": page, "include": "variants"})
            answer.raise_for_status()
            body = answer.json()
            for product in body["data"]:
                variants = (product.get("variants") or {}).get("data") or []
                for variant in variants:
                    found[variant["sku"]] = float(variant.get("stockQuantity") or 0)
            if page >= (body.get("meta", {}).get("pagination", {}).get("total_pages") or 1):
                return found
            page += 1


@dataclass
class Warehouse:
    """The TPL's staff in one Ongoing warehouse: picking, shipping (sometimes in parts, sometimes before the
    waybill exists), returns and parcels back from the carrier, receiving purchase orders."""

    world: MerchantWorld
    rng: random.Random
    shipments: dict[str, int] = field(default_factory=dict)  # order number → shipments made
    awaiting_waybill: set[str] = field(default_factory=set)
    returned: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.admin = httpx.Client(base_url=self.world.ongoing.root_url, timeout=60)
        settings = self.world.ongoing_settings
        self.vendor = httpx.Client(base_url=self.world.ongoing_api, headers=_actor("warehouse"), timeout=60,
                                   auth=(settings.username, settings.password.get_secret_value()))

    def close(self) -> None:
        self.admin.close()
        self.vendor.close()

    def orders(self) -> list[dict[str, Any]]:
        answer = self.vendor.get("/orders", params={"goodsOwnerId": self.world.ongoing_settings.goods_owner_id})
        answer.raise_for_status()
        return answer.json() or []

    def purchase_orders(self, **filters: Any) -> list[dict[str, Any]]:
        answer = self.vendor.get("/purchaseOrders", params={"goodsOwnerId": self.world.ongoing_settings.goods_owner_id,
                                                            **filters})
        answer.raise_for_status()
        return answer.json() or []

    def articles(self) -> list[dict[str, Any]]:
        answer = self.vendor.get("/articles", params={"goodsOwnerId": self.world.ongoing_settings.goods_owner_id})
        answer.raise_for_status()
        return answer.json() or []

    def work(self, shop_statuses: dict[int, int], *, returns: bool) -> None:
        """One round on the floor: ship what was released, the rest of partial shipments once the first part
        was reported, waybills that came late, and (``returns``) parcels coming back."""
        for waiting in sorted(self.awaiting_waybill):
            self._post(f"/_sim/orders/{waiting}/waybill", None)
            self.awaiting_waybill.discard(waiting)
        for order in self.orders():
            number = order["orderInfo"]["orderNumber"]
            status = order["orderInfo"]["orderStatus"]["number"]
            starweb_status = shop_statuses.get(self._starweb_id(number))
            if starweb_status is None or starweb_status == CANCELED:
                continue  # the merchant cancelled it (and was told if the warehouse could not stop it)
            if status == 300:
                self._ship_released(number, order)
            elif status == 450 and starweb_status in (PARTIALLY_SENT, PARTIALLY_SENT_AGAIN) and self._rest(order):
                self._ship(number, None, picked_first=True)
            elif returns and status == 450 and starweb_status == SENT and number not in self.returned:
                self._maybe_return(number)

    def _starweb_id(self, number: str) -> int:
        return int(number.removeprefix(self.world.prefix))

    @staticmethod
    def _rest(order: dict[str, Any]) -> bool:
        return any(line["orderedNumberOfItems"] > (line["packedNumberOfItems"] or 0) for line in order["orderLines"])

    def _ship_released(self, number: str, order: dict[str, Any]) -> None:
        lines = order["orderLines"]
        if len(lines) > 1 and self.rng.random() < 0.2:  # the first line now, the rest in another parcel
            first = lines[0]
            self._ship(number, [{"rowNumber": first["rowNumber"], "numberOfItems": first["orderedNumberOfItems"]}])
        else:
            self._ship(number, None, picked_first=True)

    def _ship(self, number: str, lines: list[dict[str, Any]] | None, *, picked_first: bool = False) -> None:
        if picked_first:
            self._post(f"/_sim/orders/{number}/pick", None)  # what the shelf holds: short picks happen
        late = self.rng.random() < 0.15
        body: dict[str, Any] = {"withWaybill": False} if late else {}
        if lines:
            body["lines"] = lines
        if self._post(f"/_sim/orders/{number}/ship", body or None):
            self.shipments[number] = self.shipments.get(number, 0) + 1
            if late:
                self.awaiting_waybill.add(number)

    def _maybe_return(self, number: str) -> None:
        draw = self.rng.random()
        if draw < 0.06:
            if self._post(f"/_sim/orders/{number}/return", {"cause": "REGRET"}):
                self.returned.add(number)
        elif draw < 0.08 and self._post(f"/_sim/orders/{number}/returnToSender", {"cause": "NOTCOLLECTED"}):
            self.returned.add(number)

    def receive(self, purchase_order_number: str) -> bool:
        """Receive a purchase order; now and then a line comes short or over, as deliveries do."""
        found = self.purchase_orders(purchaseOrderNumber=purchase_order_number)
        if not found:
            return False
        lines = []
        for line in found[0]["purchaseOrderLines"] or []:
            advised = line["advisedNumberOfItems"] or 0
            units = advised + self.rng.choice((0, 0, 0, -2, 3))
            if units > 0:
                lines.append({"rowNumber": line["rowNumber"], "numberOfItems": units})
        return self._post(f"/_sim/purchaseOrders/{purchase_order_number}/receive", {"lines": lines})

    def _post(self, path: str, body: dict[str, Any] | None) -> bool:
        answer = self.admin.post(path, json=body)
        if answer.status_code == 400:
            return False  # nothing to pick or ship yet, a shelf that is empty: tried again next round
        answer.raise_for_status()
        return True
