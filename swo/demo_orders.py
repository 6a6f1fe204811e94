"""Orders placed in the demo shop so the first ``export-orders`` run of ``make run`` has work.

They go in through the real ``StarwebClient``, as a shop front would post them: SKUs and prices of
the demo catalogue, a delivery address, one order per mapped shipping method (1–3, one of them with
a sold-out variant) and one for "Hämta i butik" (4), which the demo merchant leaves unmapped on
purpose so its order is quarantined with a reason. Nothing is placed in a shop that has orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from integrations.simulation.demo_data import DEMO_PRODUCTS, DemoVariant
from integrations.starweb.client import StarwebClient
from integrations.starweb.models import Address, OrderAddresses, OrderCreate, OrderItemWrite

VAT_RATE = Decimal(25)
SHIPPING_COST_EX_VAT = Decimal("39.20")


@dataclass(frozen=True)
class DemoCheckout:
    shipping_method_id: int
    payment_method_id: int
    lines: tuple[tuple[str, int], ...]  # (SKU, quantity)
    first_name: str
    last_name: str
    street: str
    postal_code: str
    city: str

    @property
    def picks_up_in_store(self) -> bool:
        return self.shipping_method_id == 4


DEMO_CHECKOUTS: tuple[DemoCheckout, ...] = (
    DemoCheckout(1, 1, (("SOCK-MER-42", 2), ("THERMOS-1L", 1)),
                 "Astrid", "Lindqvist", "Storgatan 12", "83131", "Östersund"),
    DemoCheckout(2, 2, (("POLE-CF-120", 2), ("HEADLAMP-400", 1)),
                 "Nils", "Berg", "Kungsgatan 5", "11143", "Stockholm"),
    DemoCheckout(3, 3, (("TENT-FJ2", 1), ("SOCK-MER-46", 2)),  # the 43-46 socks are sold out
                 "Karin", "Holm", "Västra Hamngatan 8", "41117", "Göteborg"),
    DemoCheckout(4, 1, (("SOCK-MER-38", 1),),
                 "Erik", "Sund", "Hamngatan 3", "97231", "Luleå"),
)


def _variant(sku: str) -> DemoVariant:
    for product in DEMO_PRODUCTS:
        for variant in product.variants:
            if variant.sku == sku:
                return variant
    raise KeyError(f"{sku} is not in the demo catalogue")


def order_for(checkout: DemoCheckout) -> OrderCreate:
    """The ``POST /orders`` body of one demo checkout."""
    items = []
    for index, (sku, quantity) in enumerate(checkout.lines):
        variant = _variant(sku)
        items.append(OrderItemWrite(sku=sku, description=variant.name, quantity=quantity,
                                    unit_price=Decimal(str(variant.price_ex_vat)), vat_rate=VAT_RATE,
                                    sort_index=index))
    address = Address(first_name=checkout.first_name, last_name=checkout.last_name, address=checkout.street,
                      postal_code=checkout.postal_code, city=checkout.city, country_code="SE",
                      mobile_phone_no="+46701234567")
    return OrderCreate(
        shipping_method_id=checkout.shipping_method_id, payment_method_id=checkout.payment_method_id,
        shipping_cost=Decimal(0) if checkout.picks_up_in_store else SHIPPING_COST_EX_VAT,
        shipping_vat_rate=VAT_RATE, currency_code="SEK", lang_code="sv",
        original_customer_email=f"{checkout.first_name.lower()}@example.com",
        items=items,
        addresses=OrderAddresses(original_delivery=address, original_invoice=address),  # as entered at checkout
        # Keep the demo outbox for what the connector causes: no order confirmation mail.
        on_order_status_change_send_email=False,
    )


async def shop_has_orders(shop: StarwebClient) -> bool:
    page = await shop.list_orders_page(1, include=(), include_non_complete_payments=True)
    return bool(page.items)


async def place_demo_orders(shop: StarwebClient,
                            checkouts: Sequence[DemoCheckout] = DEMO_CHECKOUTS) -> list[int]:
    """Place the demo checkouts unless the shop already has orders; the ids of the orders placed."""
    if await shop_has_orders(shop):
        return []
    return [(await shop.create_order(order_for(checkout))).order_id for checkout in checkouts]
