"""The bad-input catalogue, orders part (docs/bad-inputs.md): one export run over a batch of good orders and
every kind of bad or odd order a shop produces. Each case asserts its own handling — quarantined with its
specific reason, or sent as it should be — and that the good orders of the same batch reached the warehouse
all the same. The batch runs once for the module; each case is its own test."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from flows.order_export import export_orders
from integrations.starweb.models import Address, OrderAddresses, OrderCreate, OrderItemWrite
from swo.simulators import Simulators
from tests.flows.actors import DELIVERY, Shop, Warehouse, quarantined
from tests.flows.conftest import World, world_in

OPEN_IN_STOCK = 210


@dataclass
class Batch:
    world: World
    shop: Shop
    warehouse: Warehouse
    orders: dict[str, int]  # case → Starweb order id
    result: dict[str, int]

    def number(self, case: str) -> str:
        return f"FJ-{self.orders[case]}"

    def reason(self, case: str) -> str:
        entry = quarantined("order").get(str(self.orders[case]))
        assert entry is not None, f"{case}: order {self.orders[case]} is not quarantined"
        return entry.reason

    def sent(self, case: str) -> dict[str, Any]:
        order = self.warehouse.order(self.number(case))
        assert order is not None, f"{case}: order {self.orders[case]} did not reach Ongoing"
        return order


GOOD = ("good before", "good in between", "good after")


async def _place(shop: Shop, items: list[dict[str, Any]], *, address: Address | None = DELIVERY,
                 **fields: Any) -> int:
    order = OrderCreate(shipping_method_id=fields.pop("shipping_method_id", 1), payment_method_id=1,
                        currency_code=fields.pop("currency_code", "SEK"), lang_code="sv", status_id=1,
                        is_complete=True, original_customer_email="anna@example.se",
                        items=[OrderItemWrite(**item) for item in items],
                        addresses=OrderAddresses(original_delivery=address, original_invoice=address) if address
                        else None, on_order_status_change_send_email=False, **fields)
    async with shop.client() as client:
        return (await client.create_order(order)).order_id


def _line(sku: str | None = "SOCK-MER-42", quantity: int = 1, **fields: Any) -> dict[str, Any]:
    return {"sku": sku, "quantity": quantity, **fields}


CASES: dict[str, dict[str, Any]] = {
    "unknown SKU": {"items": [_line("NOPE-1")]},
    "SKU differing by case": {"items": [_line("sock-mer-42")]},
    "SKU with a trailing space": {"items": [_line("SOCK-MER-42 ")]},
    "line without SKU (gift wrap)": {"items": [_line(), _line(None, description="Presentinslagning", unit_price=29)]},
    "zero quantity": {"items": [_line(quantity=0)]},
    "negative quantity": {"items": [_line(quantity=-1)]},
    "fractional quantity": {"items": [_line(quantity=1)]},  # made 1.5 in Starweb's data below
    "huge quantity": {"items": [_line("THERMOS-1L", quantity=1_000_000)]},
    "duplicate SKUs in one order": {"items": [_line("SOCK-MER-38", 1), _line("SOCK-MER-38", 2)]},
    "500 lines": {"items": [_line("SOCK-MER-42", 1, description=f"rad {n}") for n in range(500)]},
    "currency other than the shop's": {"items": [_line("POLE-CF-120")], "currency_code": "EUR"},
    "unmapped shipping method": {"items": [_line()], "shipping_method_id": 4},
    "no delivery address": {"items": [_line()], "address": None},
    "blank address fields": {"items": [_line()], "address": DELIVERY.model_copy(update={
        "address": "   ", "city": "", "postal_code": None})},
    "field over its length in UTF-16 units": {"items": [_line()], "address": DELIVERY.model_copy(update={
        "care_of": "😀" * 49})},  # 53 characters, 102 UTF-16 units in consignee.address2 ("c/o …")
    "non-Latin text": {"items": [_line()], "address": DELIVERY.model_copy(update={
        "first_name": "Ελένη", "last_name": "Παπαδοπούλου", "address": "ул. Тверская 7", "city": "東京都"})},
    "emoji": {"items": [_line()], "address": DELIVERY.model_copy(update={"first_name": "Anna 🌲", "last_name": "Ek"})},
    "bidi and control characters": {"items": [_line()], "address": DELIVERY.model_copy(update={
        "last_name": "\u202eAndersson\u202c", "address": "Storgatan\n1\t"})},
}


@pytest.fixture(scope="module")
def batch(prefect_harness: None, simulators: Simulators, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Batch]:
    with pytest.MonkeyPatch.context() as patch, world_in(simulators, tmp_path_factory.mktemp("batch"),
                                                         patch) as world:
        shop, warehouse = Shop(world.sims.starweb_api), Warehouse(world.ongoing, world.sims.ongoing_api)
        world.ongoing.post("/_sim/articles/SOCK-MER-42/stock", json={"numberOfItems": 1000}).raise_for_status()
        orders = {}

        async def place_all() -> None:
            orders["good before"] = await _place(shop, [_line("POLE-CF-120")])
            for case, spec in CASES.items():
                spec = dict(spec)
                orders[case] = await _place(shop, spec.pop("items"), **spec)
                if case == "huge quantity":
                    orders["good in between"] = await _place(shop, [_line("THERMOS-1L", 2)])
            orders["good after"] = await _place(shop, [_line("TENT-FJ2")])

        asyncio.run(place_all())
        fractional = orders["fractional quantity"]
        item_id = _items(world, fractional)[0]["itemId"]
        world.starweb.patch(f"/_sim/orders/{fractional}/items/{item_id}", json={"quantity": 1.5}).raise_for_status()

        result = asyncio.run(export_orders("demo"))
        yield Batch(world, shop, warehouse, orders, result)


def _items(world: World, order_id: int) -> list[dict[str, Any]]:
    with httpx.Client(base_url=world.sims.starweb_api, timeout=10) as http:
        token = http.post("/token", data={"grant_type": "client_credentials", "client_id": "demo-client",
                                          "client_secret": "demo-secret"}).json()["access_token"]
        answer = http.get(f"/orders/{order_id}", params={"include": "items"},
                          headers={"Authorization": f"Bearer {token}"})
    return answer.json()["data"]["items"]["data"]


@pytest.fixture
def cases(batch: Batch) -> Iterator[Batch]:
    """Every case also asserts that the rest of the batch was unaffected."""
    yield batch
    for good in GOOD:
        assert batch.sent(good)["orderInfo"]["orderStatus"]["number"] == OPEN_IN_STOCK, good


QUARANTINED = {
    "unknown SKU": "SKU not known in Ongoing: NOPE-1 (the product sync creates the articles",
    "SKU differing by case": "SKU not known in Ongoing: sock-mer-42 (",
    "SKU with a trailing space": "SKU not known in Ongoing: 'SOCK-MER-42 ' (",
    "line without SKU (gift wrap)": "('Presentinslagning') has no SKU, so the warehouse cannot pick it",
    "zero quantity": "(SKU SOCK-MER-42) has quantity 0; Ongoing needs a whole number of at least 1",
    "negative quantity": "(SKU SOCK-MER-42) has quantity -1; Ongoing needs a whole number of at least 1",
    "fractional quantity": "does not match Starweb's model, so it cannot be read: items.0.quantity: Input should be "
                           "a valid integer, got a number with a fractional part",
    "unmapped shipping method": "shipping method 4 'Hämta i butik' has no Ongoing transporter",
    "no delivery address": "the order has no delivery address",
    "blank address fields": "the delivery address has no street, postal code, city",
    "field over its length in UTF-16 units": "consignee.address2 is 102 characters long, Ongoing takes at most 100",
    "huge quantity": "confirm it with the customer, or raise the limit",
}


@pytest.mark.parametrize("case", sorted(QUARANTINED))
def test_a_bad_order_is_quarantined_with_its_specific_reason(cases: Batch, case: str) -> None:
    assert QUARANTINED[case] in cases.reason(case)
    assert cases.warehouse.order(cases.number(case)) is None, "nothing of it reached the warehouse"


def test_a_huge_quantity_takes_no_stock_from_the_order_after_it(cases: Batch) -> None:
    assert "has quantity 1000000, more than orders.max_line_quantity (9999)" in cases.reason("huge quantity")
    assert cases.sent("good in between")["orderInfo"]["orderStatus"]["number"] == OPEN_IN_STOCK


def test_duplicate_skus_in_one_order_are_sent_as_separate_rows(cases: Batch) -> None:
    rows = [(line["article"]["articleNumber"], line["orderedNumberOfItems"])
            for line in cases.sent("duplicate SKUs in one order")["orderLines"]]
    assert rows == [("SOCK-MER-38", 1), ("SOCK-MER-38", 2)]


def test_an_order_of_500_lines_is_sent_whole(cases: Batch) -> None:
    lines = cases.sent("500 lines")["orderLines"]
    assert len(lines) == 500 and len({line["rowNumber"] for line in lines}) == 500
    assert sum(line["orderedNumberOfItems"] for line in lines) == 500


def test_an_order_in_another_currency_keeps_its_currency_on_every_price(cases: Batch) -> None:
    (line,) = cases.sent("currency other than the shop's")["orderLines"]
    assert line["prices"]["currencyCode"] == "EUR"


def test_non_latin_text_reaches_the_warehouse_as_typed(cases: Batch) -> None:
    consignee = cases.sent("non-Latin text")["consignee"]
    assert (consignee["name"], consignee["address1"], consignee["city"]) == ("Ελένη Παπαδοπούλου", "ул. Тверская 7",
                                                                             "東京都")


def test_emoji_reach_the_warehouse_and_count_twice_against_lengths(cases: Batch) -> None:
    assert cases.sent("emoji")["consignee"]["name"] == "Anna 🌲 Ek"


def test_bidi_overrides_and_control_characters_are_kept_off_the_label(cases: Batch) -> None:
    consignee = cases.sent("bidi and control characters")["consignee"]
    assert (consignee["name"], consignee["address1"]) == ("Anna Andersson", "Storgatan 1")


def test_every_case_and_every_good_order_is_accounted_for_in_the_run(cases: Batch) -> None:
    assert cases.result.get("quarantined") == len(QUARANTINED)
    assert cases.result.get("created") == len(CASES) - len(QUARANTINED) + len(GOOD)
