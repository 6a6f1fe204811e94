"""``GET /orders`` over real HTTP: fixed pages of 100, Starweb's filters and its sort orders."""

from __future__ import annotations

from tests.integrations.starweb.sim_fixtures import (  # noqa: F401
    place_order,
    shop_fixture,
    sim_admin_fixture,
    starweb_sim_fixture,
    status_id,
)


def test_250_orders_come_in_three_pages_of_100_and_page_four_is_empty(shop) -> None:
    for _ in range(250):
        place_order(shop, items=[{"sku": "SOCK-MER-42", "quantity": 1}], onOrderStatusChangeSendEmail=False)

    pages = [shop.get("/orders", params={"page": page}).json() for page in (1, 2, 3, 4)]

    assert [p["meta"]["pagination"]["count"] for p in pages] == [100, 100, 50, 0]
    assert pages[3]["data"] == []
    assert all(p["meta"]["pagination"]["total"] == 250 and p["meta"]["pagination"]["total_pages"] == 3
               and p["meta"]["pagination"]["per_page"] == 100 for p in pages)
    assert [p["meta"]["pagination"]["current_page"] for p in pages] == [1, 2, 3, 4]
    ids = [order["orderId"] for p in pages for order in p["data"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 250  # orderId DESC by default, no overlap
    assert shop.get("/orders", params={"page": 0}).status_code == 400


def test_sorting_by_modified_at_puts_the_latest_change_first(shop) -> None:
    first, second, third = (place_order(shop)["orderId"] for _ in range(3))
    shop.patch(f"/orders/{first}", json={"internalComment": "adress kontrollerad"}).raise_for_status()

    newest_first = shop.get("/orders", params={"sortBy": "modifiedAt"}).json()["data"]
    oldest_first = shop.get("/orders", params={"sortBy": "modifiedAt", "sortOrder": "ASC"}).json()["data"]

    assert [o["orderId"] for o in newest_first] == [first, third, second]
    assert [o["orderId"] for o in oldest_first] == [second, third, first]


def test_status_filter_takes_one_status(shop) -> None:
    picking = status_id(shop, "picking")
    kept, moved = place_order(shop)["orderId"], place_order(shop)["orderId"]
    shop.patch(f"/orders/{moved}", json={"statusId": picking}).raise_for_status()

    assert [o["orderId"] for o in shop.get("/orders", params={"statusFilter": picking}).json()["data"]] == [moved]
    created = status_id(shop, "created")
    assert [o["orderId"] for o in shop.get("/orders", params={"statusFilter": created}).json()["data"]] == [kept]


def test_orders_with_an_unfinished_payment_are_hidden_unless_asked_for(shop) -> None:
    paid = place_order(shop)["orderId"]
    pending = place_order(shop, isComplete=False)["orderId"]

    default = [o["orderId"] for o in shop.get("/orders").json()["data"]]
    listed = shop.get("/orders", params={"includeNonCompletePayments": "true"}).json()["data"]
    everything = [o["orderId"] for o in listed]

    assert default == [paid]
    assert everything == [pending, paid]
    assert shop.get(f"/orders/{pending}").status_code == 200  # hidden from the list only


def test_free_text_method_and_creation_time_filters(shop, sim_admin) -> None:
    early = place_order(shop, originalCustomerEmail="per@example.se", shippingMethodId=1)["orderId"]
    sim_admin.post("/clock/advance", json={"seconds": 60}).raise_for_status()
    boundary = sim_admin.get("/clock").json()["now"]
    sim_admin.post("/clock/advance", json={"seconds": 60}).raise_for_status()
    late = place_order(shop, items=[{"sku": "TENT-FJ2", "quantity": 1}])["orderId"]

    def ids(**params: object) -> list[int]:
        return [o["orderId"] for o in shop.get("/orders", params=params).json()["data"]]

    assert ids(filterQuery="tent-fj2") == [late]
    assert ids(filterQuery="per@example") == [early]
    assert ids(filterQuery="Lind") == [late, early]
    assert ids(filterShippingMethodId=1) == [early]
    assert ids(filterPaymentMethodId=1) == [late, early]
    assert ids(ordersCreatedAfter=boundary) == [late]
    assert ids(ordersCreatedBefore=boundary) == [early]
    assert shop.get("/orders", params={"ordersCreatedAfter": "yesterday"}).status_code == 400


def test_list_includes_are_wrapped_like_single_ones(shop) -> None:
    place_order(shop)
    order = shop.get("/orders", params={"include": "items,status,addresses"}).json()["data"][0]
    assert len(order["items"]["data"]) == 2
    assert order["status"]["data"]["idCode"] == "created"
    assert order["addresses"]["data"]["originalInvoice"]["city"] == "Östersund"


def test_sorting_by_total_amount(shop) -> None:
    small = place_order(shop, items=[{"sku": "SOCK-MER-38", "quantity": 1}])["orderId"]
    large = place_order(shop, items=[{"sku": "TENT-FJ2", "quantity": 1}])["orderId"]
    medium = place_order(shop, items=[{"sku": "THERMOS-1L", "quantity": 1}])["orderId"]
    ordered = shop.get("/orders", params={"sortBy": "totalAmount", "sortOrder": "ASC"}).json()["data"]
    assert [o["orderId"] for o in ordered] == [small, medium, large]
