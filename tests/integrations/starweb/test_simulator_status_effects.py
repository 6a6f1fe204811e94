"""What a status change sets off in the shop: customer e-mails, payment processing, stock; and
which statuses a client may edit."""

from __future__ import annotations

from tests.integrations.starweb.sim_fixtures import (  # noqa: F401
    place_order,
    shop_fixture,
    sim_admin_fixture,
    starweb_sim_fixture,
    status_id,
    variant_for_sku,
)


def status_emails(sim_admin, order_id: int) -> list[dict]:
    sent = sim_admin.get("/emails", params={"orderId": order_id}).json()["data"]
    return [e for e in sent if e["kind"] == "status_change"]


def test_moving_to_a_mailing_status_sends_exactly_one_email_with_the_tracking_number(shop, sim_admin) -> None:
    completed = status_id(shop, "completed")
    order_id = place_order(shop)["orderId"]

    shop.patch(f"/orders/{order_id}", json={"statusId": completed, "shippingTrackerType": 1,
                                            "shippingTrackingNo": "00370712345678901234"}).raise_for_status()
    shop.patch(f"/orders/{order_id}", json={"internalComment": "klar"}).raise_for_status()  # no status change

    emails = status_emails(sim_admin, order_id)
    assert len(emails) == 1
    assert emails[0] | {"emailId": 0, "sentAt": ""} == {
        "emailId": 0, "orderId": order_id, "statusId": completed, "statusIdCode": "completed",
        "statusName": "Skickad", "to": "anna.lind@example.se", "shippingTrackingNo": "00370712345678901234",
        "sentAt": "", "kind": "status_change"}


def test_the_per_call_flag_suppresses_the_email_but_not_the_change(shop, sim_admin) -> None:
    completed = status_id(shop, "completed")
    order_id = place_order(shop)["orderId"]
    changed = shop.patch(f"/orders/{order_id}", json={"statusId": completed, "onOrderStatusChangeSendEmail": False})
    assert changed.json()["data"]["statusId"] == completed
    assert status_emails(sim_admin, order_id) == []


def test_the_stored_order_flag_suppresses_every_later_email(shop, sim_admin) -> None:
    order_id = place_order(shop, sendEmailsOnStatusChange=False)["orderId"]
    shop.patch(f"/orders/{order_id}", json={"statusId": status_id(shop, name="Delvis skickad")}).raise_for_status()
    shop.patch(f"/orders/{order_id}", json={"statusId": status_id(shop, "completed")}).raise_for_status()
    assert sim_admin.get("/emails", params={"orderId": order_id}).json()["data"] == []


def test_a_status_without_should_send_email_sends_nothing(shop, sim_admin) -> None:
    order_id = place_order(shop)["orderId"]
    shop.patch(f"/orders/{order_id}", json={"statusId": status_id(shop, "picking")}).raise_for_status()
    assert status_emails(sim_admin, order_id) == []


def test_new_orders_get_a_confirmation_unless_suppressed(shop, sim_admin) -> None:
    mailed = place_order(shop)["orderId"]
    quiet = place_order(shop, onOrderStatusChangeSendEmail=False)["orderId"]
    confirmations = sim_admin.get("/emails").json()["data"]
    assert [(e["orderId"], e["kind"], e["to"]) for e in confirmations] == [
        (mailed, "order_created", "anna.lind@example.se")]
    assert quiet not in {e["orderId"] for e in confirmations}


def test_every_status_change_records_payment_processing_and_the_flag(shop, sim_admin) -> None:
    picking, completed = status_id(shop, "picking"), status_id(shop, "completed")
    order_id = place_order(shop)["orderId"]
    shop.patch(f"/orders/{order_id}", json={"statusId": picking,
                                            "onOrderStatusChangeProcessPayment": False}).raise_for_status()
    shop.patch(f"/orders/{order_id}", json={"statusId": completed}).raise_for_status()

    payments = sim_admin.get("/payments", params={"orderId": order_id}).json()["data"]
    assert [(p["fromStatusId"], p["toStatusId"], p["processed"]) for p in payments] == [
        (1, picking, False), (picking, completed, True)]
    assert payments[1]["paymentMethodIdCode"] == "klarna_checkout"


def test_cancelling_puts_the_stock_back_and_reopening_takes_it_again(shop) -> None:
    _, before = variant_for_sku(shop, "POLE-CF-120")
    order_id = place_order(shop)["orderId"]  # two poles
    _, placed = variant_for_sku(shop, "POLE-CF-120")
    assert placed["stockQuantity"] == before["stockQuantity"] - 2

    shop.patch(f"/orders/{order_id}", json={"statusId": status_id(shop, "canceled"),
                                            "onOrderStatusChangeSendEmail": False}).raise_for_status()
    assert variant_for_sku(shop, "POLE-CF-120")[1]["stockQuantity"] == before["stockQuantity"]

    shop.patch(f"/orders/{order_id}", json={"statusId": status_id(shop, "created")}).raise_for_status()
    assert variant_for_sku(shop, "POLE-CF-120")[1]["stockQuantity"] == before["stockQuantity"] - 2


def test_standard_statuses_cannot_be_edited_or_deleted(shop) -> None:
    completed = status_id(shop, "completed")
    for response in (shop.put(f"/order-statuses/{completed}", json={"languages": [{"langCode": "sv", "name": "X"}]}),
                     shop.patch(f"/order-statuses/{completed}", json={"shouldSendEmail": False}),
                     shop.delete(f"/order-statuses/{completed}")):
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"
    assert shop.get(f"/order-statuses/{completed}").json()["data"]["shouldSendEmail"] is True


def test_custom_statuses_can_be_created_edited_and_deleted_when_unused(shop) -> None:
    wrapped = shop.post("/order-statuses", json={"shouldSendEmail": False,
                                                 "languages": {"data": [{"langCode": "sv", "name": "Packas"}]}})
    bare = shop.post("/order-statuses", json={"languages": [{"langCode": "sv", "name": "Väntar på lager"}]})
    assert wrapped.status_code == bare.status_code == 201
    packing = wrapped.json()["data"]
    assert packing["idCode"] is None and packing["languages"]["data"][0]["name"] == "Packas"

    patched = shop.patch(f"/order-statuses/{packing['statusId']}",
                         json={"shouldSendEmail": True, "languages": [{"langCode": "en", "name": "Packing"}]})
    assert patched.json()["data"]["shouldSendEmail"] is True
    assert {lang["langCode"] for lang in patched.json()["data"]["languages"]["data"]} == {"sv", "en"}

    order_id = place_order(shop, statusId=packing["statusId"])["orderId"]
    assert shop.delete(f"/order-statuses/{packing['statusId']}").status_code == 403  # in use
    shop.delete(f"/orders/{order_id}").raise_for_status()
    assert shop.delete(f"/order-statuses/{packing['statusId']}").status_code == 204
    assert shop.post("/order-statuses", json={"languages": [{"langCode": "sv", "name": "x" * 65}]}).status_code == 400


def test_the_status_list_is_whole_and_unpaged(shop) -> None:
    body = shop.get("/order-statuses").json()
    assert "meta" not in body
    assert [s["idCode"] for s in body["data"][:4]] == ["created", "picking", "completed", "canceled"]
    assert len(body["data"]) == 11
