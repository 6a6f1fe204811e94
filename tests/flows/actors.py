"""The people around the connector in end-to-end tests: a shopper and a merchant acting in the Starweb
simulator (through the real Starweb API), and a warehouse worker acting in the Ongoing simulator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import Select, select

import tasks.runtime
from integrations.starweb.client import StarwebClient, StarwebSettings
from integrations.starweb.models import Address, Order, OrderAddresses, OrderCreate, OrderItemWrite, OrderPatch
from ledger.models import AuditEntry, OrderBinding, QuarantineEntry

DELIVERY = Address(first_name="Anna", last_name="Andersson", address="Storgatan 1", postal_code="111 22",
                   city="Stockholm", country_code="SE", mobile_phone_no="+46701234567")


@dataclass
class Shop:
    """The shopper and the merchant, in Starweb."""

    api: str

    def client(self) -> StarwebClient:
        return StarwebClient(StarwebSettings(base_url=self.api, client_id="demo-client",
                                             client_secret=SecretStr("demo-secret")))

    async def place_order(self, items: list[tuple[str, int]], *, shipping_method_id: int = 1,
                          address: Address | None = DELIVERY, created_at: datetime | None = None) -> int:
        order = OrderCreate(
            shipping_method_id=shipping_method_id, payment_method_id=1, currency_code="SEK", lang_code="sv",
            status_id=1, is_complete=True, original_customer_email="anna@example.se", created_at=created_at,
            items=[OrderItemWrite(sku=sku, quantity=qty) for sku, qty in items],
            addresses=OrderAddresses(original_delivery=address, original_invoice=address) if address else None,
            on_order_status_change_send_email=False,
        )
        async with self.client() as shop:
            return (await shop.create_order(order)).order_id

    async def order(self, order_id: int) -> Order:
        async with self.client() as shop:
            return await shop.get_order(order_id)

    async def set_quantity(self, order_id: int, sku: str, quantity: int) -> None:
        async with self.client() as shop:
            item = next(i for i in (await shop.get_order(order_id)).items or [] if i.sku == sku)
            await shop.patch_order_item(order_id, item.item_id, OrderItemWrite(quantity=quantity))

    async def remove_item(self, order_id: int, sku: str) -> None:
        async with self.client() as shop:
            item = next(i for i in (await shop.get_order(order_id)).items or [] if i.sku == sku)
            await shop.delete_order_item(order_id, item.item_id)

    async def add_item(self, order_id: int, sku: str, quantity: int) -> None:
        async with self.client() as shop:
            await shop.create_order_item(order_id, OrderItemWrite(sku=sku, quantity=quantity))

    async def set_status(self, order_id: int, status_id: int) -> None:
        async with self.client() as shop:
            await shop.patch_order(order_id, OrderPatch(status_id=status_id, on_order_status_change_send_email=False,
                                                        on_order_status_change_process_payment=False))

    def delete_order(self, order_id: int) -> None:
        """The merchant deletes an order in Starweb's admin (the connector's client has no such call)."""
        with httpx.Client(base_url=self.api, timeout=10) as http:
            token = http.post("/token", data={"grant_type": "client_credentials", "client_id": "demo-client",
                                              "client_secret": "demo-secret"}).json()["access_token"]
            http.delete(f"/orders/{order_id}", headers={"Authorization": f"Bearer {token}"}).raise_for_status()

    async def comments(self, order_id: int) -> list[str]:
        async with self.client() as shop:
            return [c.text or "" for c in await shop.list_order_comments(order_id)]


@dataclass
class Warehouse:
    """The TPL's worker, through the Ongoing simulator's admin surface and vendor API."""

    admin: httpx.Client
    api: str

    def _vendor(self) -> httpx.Client:
        return httpx.Client(base_url=self.api, auth=("demo-api", "demo-password"), timeout=10)

    def order(self, order_number: str) -> dict[str, Any] | None:
        with self._vendor() as vendor:
            found = vendor.get("/orders", params={"goodsOwnerId": 1, "orderNumber": order_number}).json()
        return found[0] if found else None

    def status(self, order_number: str) -> int | None:
        order = self.order(order_number)
        return order["orderInfo"]["orderStatus"]["number"] if order else None

    def lines(self, order_number: str) -> dict[str, float]:
        order = self.order(order_number) or {"orderLines": []}
        return {line["article"]["articleNumber"]: line["orderedNumberOfItems"] for line in order["orderLines"]}

    def live_lines(self, order_number: str) -> dict[str, float]:
        """The lines that hold units (a warehouse may keep a removed row at 0)."""
        return {sku: units for sku, units in self.lines(order_number).items() if units > 0}

    def behave(self, **switches: str) -> None:
        """Switch the simulator's undocumented behaviours, e.g. ``omittedOrderLines="kept"``."""
        self.admin.patch("/_sim/settings", json=switches).raise_for_status()

    def move(self, order_number: str, status: int) -> None:
        self.admin.post(f"/_sim/orders/{order_number}/status", json={"orderStatusNumber": status}).raise_for_status()

    def pick(self, order_number: str, lines: list[dict[str, Any]] | None = None) -> None:
        body = {"lines": lines} if lines else None
        self.admin.post(f"/_sim/orders/{order_number}/pick", json=body).raise_for_status()

    def article(self, sku: str) -> dict[str, Any] | None:
        with self._vendor() as vendor:
            found = vendor.get("/articles", params={"goodsOwnerId": 1, "articleNumber": sku}).json()
        return found[0] if found else None


def ledger_rows(model: type, **where: Any) -> list[Any]:
    with tasks.runtime.ledger().session() as session:
        query: Select[Any] = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return list(session.scalars(query))


def writes() -> list[AuditEntry]:
    return ledger_rows(AuditEntry)


def binding(starweb_order_id: int) -> OrderBinding | None:
    found = ledger_rows(OrderBinding, starweb_order_id=starweb_order_id)
    return found[0] if found else None


def quarantined(kind: str | None = None) -> dict[str, QuarantineEntry]:
    rows = ledger_rows(QuarantineEntry) if kind is None else ledger_rows(QuarantineEntry, kind=kind)
    return {row.key: row for row in rows if row.resolved_at is None}
