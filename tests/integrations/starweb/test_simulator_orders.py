"""One order over real HTTP: what a POST stores, how it reads back with includes, and its parts."""

from __future__ import annotations

from typing import Any

from tests.integrations.starweb.sim_fixtures import (  # noqa: F401
    order_payload,
    place_order,
    shop_fixture,
    sim_admin_fixture,
    starweb_sim_fixture,
)

ADDRESS_SLOTS = {"paymentMethodDelivery", "paymentMethodInvoice", "originalDelivery", "originalInvoice",
                 "customerDelivery", "customerInvoice"}


def test_a_posted_order_reads_back_with_items_addresses_and_status_in_starwebs_shape(shop) -> None:
    created = shop.post("/orders", json=order_payload())
    assert created.status_code == 201
    order_id = created.json()["data"]["orderId"]
    assert order_id >= 1001

    order = shop.get(f"/orders/{order_id}", params={"include": "items,addresses,status"}).json()["data"]

    # Rows: 2 × 479.2 + 319.2 less 10 % = 1245.68 ex VAT, plus 49 shipping = 1294.68; 25 % VAT on all.
    assert order["totalAmount"] == 1294.68
    assert order["totalVat"] == 323.67
    assert order["amountToPay"] == 1618.35
    assert order["totalWeight"] == 0.97  # 2 × 0.21 kg + 0.55 kg from the catalogue
    assert order["createdAt"] == order["modifiedAt"] and order["createdAt"][-6] == "+"
    assert order["shippingMethodName"] == "PostNord MyPack Collect"
    assert order["shippingMethodExternalId"] == "PLAB-P19"
    assert order["paymentMethodIdCode"] == "klarna_checkout"
    assert order["statusId"] == 1 and order["isComplete"] is True
    # Absent optional fields are present as null; write-only flags never come back.
    assert order["shippingTrackingNo"] is None and order["customerId"] is None
    assert "onOrderStatusChangeSendEmail" not in order

    items = order["items"]["data"]
    assert [(i["sku"], i["quantity"], i["unitPrice"]) for i in items] == [
        ("POLE-CF-120", 2, 479.2), ("THERMOS-1L", 1, 319.2)]
    assert set(items[0]) == {"itemId", "sku", "description", "quantity", "unitSymbol", "unitPrice", "vatRate",
                             "discount", "discountType", "sortIndex"}

    addresses = order["addresses"]["data"]
    assert set(addresses) == ADDRESS_SLOTS
    assert addresses["originalDelivery"]["address"] == "Fjällvägen 3"
    assert addresses["originalDelivery"]["careOf"] is None
    assert addresses["paymentMethodDelivery"] is None

    status = order["status"]["data"]
    assert status["idCode"] == "created"
    assert status["languages"] == {"data": [{"langCode": "sv", "name": "Mottagen"}]}


def test_without_include_an_order_carries_no_children(shop) -> None:
    order = shop.get(f"/orders/{place_order(shop)['orderId']}").json()["data"]
    assert not {"items", "addresses", "status", "customer", "externalServices"} & set(order)


def test_order_ids_are_sequential_from_1001(shop) -> None:
    assert [place_order(shop)["orderId"] for _ in range(3)] == [1001, 1002, 1003]


def test_values_longer_than_the_spec_allows_are_refused_with_400(shop) -> None:
    too_long: list[dict[str, Any]] = [
        {"shippingTrackingNo": "9" * 51},
        {"items": [{"sku": "X" * 41, "quantity": 1, "unitPrice": 1}]},
        {"addresses": {"originalDelivery": {"address": "Långgatan " * 6}}},
        {"addresses": {"originalDelivery": {"countryCode": "SWE"}}},
    ]
    for overrides in too_long:
        response = shop.post("/orders", json=order_payload(**overrides))
        assert response.status_code == 400, overrides
        assert response.json()["error"] == "bad_request"
    assert shop.get("/orders").json()["meta"]["pagination"]["total"] == 0


def test_an_unknown_status_or_method_is_a_400(shop) -> None:
    for overrides in ({"statusId": 99}, {"shippingMethodId": 42}, {"paymentMethodId": 42}):
        response = shop.post("/orders", json=order_payload(**overrides))
        assert response.status_code == 400
        assert next(iter(overrides)) in response.json()["error_description"]
    order_id = place_order(shop)["orderId"]
    assert shop.patch(f"/orders/{order_id}", json={"statusId": 99}).status_code == 400
    assert shop.get(f"/orders/{order_id}").json()["data"]["statusId"] == 1


def test_items_can_be_added_changed_and_removed_and_the_totals_follow(shop) -> None:
    order_id = place_order(shop, items=[], shippingCost=0)["orderId"]
    added = shop.post(f"/orders/{order_id}/items", json={"sku": "HEADLAMP-400", "quantity": 2})
    assert added.status_code == 201
    item = added.json()["data"]
    assert item["description"] == "Pannlampa 400 lm" and item["unitPrice"] == 399.2  # from the catalogue
    assert shop.get(f"/orders/{order_id}").json()["data"]["totalAmount"] == 798.4

    patched = shop.patch(f"/orders/{order_id}/items/{item['itemId']}", json={"quantity": 1})
    assert patched.json()["data"]["quantity"] == 1
    assert shop.get(f"/orders/{order_id}").json()["data"]["totalAmount"] == 399.2

    assert shop.delete(f"/orders/{order_id}/items/{item['itemId']}").status_code == 204
    assert shop.get(f"/orders/{order_id}/items").json() == {"data": []}
    assert shop.get(f"/orders/{order_id}/items/{item['itemId']}").status_code == 404


def test_addresses_are_an_object_keyed_by_slot_and_can_be_replaced_or_patched(shop) -> None:
    order_id = place_order(shop)["orderId"]
    listed = shop.get(f"/orders/{order_id}/addresses").json()["data"]
    assert set(listed) == ADDRESS_SLOTS and listed["customerInvoice"] is None

    put = shop.put(f"/orders/{order_id}/addresses/paymentMethodDelivery",
                   json={"firstName": "Anna", "lastName": "Lind", "address": "Box 12", "postalCode": "831 21",
                         "city": "Östersund", "countryCode": "SE"})
    assert put.status_code == 200 and put.json()["data"]["address"] == "Box 12"
    patched = shop.patch(f"/orders/{order_id}/addresses/paymentMethodDelivery", json={"careOf": "Lind AB"})
    assert patched.json()["data"]["careOf"] == "Lind AB" and patched.json()["data"]["address"] == "Box 12"
    assert shop.get(f"/orders/{order_id}/addresses/customerDelivery").status_code == 404
    assert shop.get(f"/orders/{order_id}/addresses/somewhere").status_code == 400


def test_comments_and_external_services_attach_to_the_order_and_move_modified_at(shop, sim_admin) -> None:
    order = place_order(shop)
    sim_admin.post("/clock/advance", json={"seconds": 5}).raise_for_status()
    comment = shop.post(f"/orders/{order['orderId']}/comments", json={"text": "Lämnas vid dörren"})
    assert comment.status_code == 201
    assert set(comment.json()["data"]) == {"commentId", "createdAt", "text", "from"}
    assert comment.json()["data"]["from"] == "admin"
    link = shop.post(f"/orders/{order['orderId']}/external-services",
                     json={"serviceName": "Ongoing", "externalIdValue": "4711"})
    assert link.json()["data"] == {"serviceName": "Ongoing", "externalIdValue": "4711", "agent": None,
                                   "readOnly": False}
    duplicate = shop.post(f"/orders/{order['orderId']}/external-services", json={"serviceName": "Ongoing"})
    assert duplicate.status_code == 400

    after = shop.get(f"/orders/{order['orderId']}", params={"include": "externalServices"}).json()["data"]
    assert after["hasComments"] is True
    assert after["modifiedAt"] > order["modifiedAt"]
    assert after["externalServices"]["data"][0]["externalIdValue"] == "4711"


def test_put_requires_a_status_and_replaces_the_writable_fields(shop) -> None:
    order_id = place_order(shop, internalComment="ring först")["orderId"]
    assert shop.put(f"/orders/{order_id}", json={"internalComment": "x"}).status_code == 400
    replaced = shop.put(f"/orders/{order_id}", json={"statusId": 6, "shippingMethodId": 3,
                                                     "onOrderStatusChangeSendEmail": False}).json()["data"]
    assert replaced["statusId"] == 6 and replaced["shippingMethodId"] == 3
    assert replaced["internalComment"] is None and replaced["paymentMethodId"] is None
    assert replaced["totalAmount"] == 1245.68  # items kept, shipping cost back to 0


def test_a_deleted_order_is_gone(shop) -> None:
    order_id = place_order(shop)["orderId"]
    assert shop.delete(f"/orders/{order_id}").status_code == 204
    assert shop.get(f"/orders/{order_id}").status_code == 404
