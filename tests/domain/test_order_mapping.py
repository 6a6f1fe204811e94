"""Starweb orders as Ongoing orders: what reaches the warehouse, and why an order is refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.config import MerchantConfig
from domain.hashing import payload_hash
from domain.order_mapping import line_totals, order_lines, to_ongoing_order
from integrations.errors import MappingError
from integrations.starweb.models import Order

MERCHANT = MerchantConfig.model_validate({
    "merchant_id": "fjall",
    "name": "Fjällbutiken",
    "starweb": {"base_url": "https://shop.example/api/v2", "client_id": {"env": "SW_ID"},
                "client_secret": {"env": "SW_SECRET"}},
    "ongoing": {"base_url": "https://api.example/demo/api/v1", "warehouse": "demo", "goods_owner_id": 1,
                "username": {"env": "OG_USER"}, "password": {"env": "OG_PASSWORD"}},
    "orders": {"number_prefix": "FJ-"},
    "shipping_methods": {
        1: {"transporter_code": "SBTL", "transporter_service_code": "BPA"},
        2: {"way_of_delivery_code": "PICKUP", "way_of_delivery_name": "Hämtas i lagret"},
    },
})
KNOWN = {"POLE-CF-120", "THERMOS-1L", "SOCK-MER-42", "TENT-FJ2"}


def address(**overrides: Any) -> dict[str, Any]:
    return {"companyName": None, "firstName": "Karin", "lastName": "Lindqvist", "careOf": None, "attention": None,
            "reference": None, "address": "Storgatan 12", "postalCode": "214 31", "city": "Malmö", "state": None,
            "countryCode": "se", "phoneNo": "+46406020900", "mobilePhoneNo": "+46701234567", **overrides}


def item(item_id: int = 7, sku: str | None = "POLE-CF-120", quantity: int | None = 2, **overrides: Any) -> dict:
    return {"itemId": item_id, "sku": sku, "description": "Vandringsstav Kolfiber", "quantity": quantity,
            "unitSymbol": "st", "unitPrice": 400, "vatRate": 25, "discount": 0, "discountType": "percent",
            "sortIndex": 0, **overrides}


def slots(**filled: dict[str, Any] | None) -> dict[str, Any]:
    empty = dict.fromkeys(("paymentMethodDelivery", "paymentMethodInvoice", "originalDelivery", "originalInvoice",
                           "customerDelivery", "customerInvoice"))
    return {"data": {**empty, **filled}}


def order(items: list[dict] | None = None, addresses: dict | None = None, **overrides: Any) -> Order:
    """An order as GET /orders/{id}?include=items,addresses answers it."""
    return Order.model_validate({
        "orderId": 1042, "createdAt": "2026-11-30T23:30:00+00:00", "statusId": 1, "shippingMethodId": 1,
        "shippingMethodName": "Schenker Parcel", "shippingCost": 39.2, "shippingVatRate": 25, "amountToPay": 1049,
        "totalAmount": 839.2, "currencyCode": "SEK", "langCode": "sv", "originalCustomerEmail": "karin@example.se",
        "items": {"data": items if items is not None else [item()]},
        "addresses": addresses or slots(originalDelivery=address(), originalInvoice=address()),
        **overrides,
    })


def wire(starweb_order: Order, known: set[str] = KNOWN) -> dict[str, Any]:
    return to_ongoing_order(starweb_order, MERCHANT, known_skus=known).to_wire()


def refusal(starweb_order: Order, known: set[str] = KNOWN) -> str:
    with pytest.raises(MappingError) as raised:
        to_ongoing_order(starweb_order, MERCHANT, known_skus=known)
    return str(raised.value)


def test_a_complete_order_becomes_the_body_ongoing_receives() -> None:
    assert wire(order()) == {
        "orderNumber": "FJ-1042",
        "goodsOwnerOrderId": "1042",
        "deliveryDate": "2026-12-01",  # the order's date in the merchant's time zone (00:30 in Stockholm)
        "consignee": {
            "customerNumber": "FJ-1042", "name": "Karin Lindqvist", "address1": "Storgatan 12", "postCode": "214 31",
            "city": "Malmö", "countryCode": "SE",
            "advanced": {"emailNotification": {"toBeNotified": True, "value": "karin@example.se"},
                         "smsNotification": {"toBeNotified": True, "value": "+46701234567"}},
        },
        "transporter": {"transporterCode": "SBTL", "transporterServiceCode": "BPA"},
        "emailNotification": {"toBeNotified": True, "value": "karin@example.se"},
        "smsNotification": {"toBeNotified": True, "value": "+46701234567"},
        "customerPrice": 1049.0,
        "freightPrice": 39.2,
        "languageCode": "sv",
        "orderLines": [{
            "rowNumber": "7", "articleNumber": "POLE-CF-120", "numberOfItems": 2.0,
            "comment": "Vandringsstav Kolfiber",
            "prices": {"linePrice": 800.0, "customerLinePrice": 1000.0, "currencyCode": "SEK",
                       "discountPercentage": 0.0},
            "vat": {"percent": 25.0},
        }],
    }


@pytest.mark.parametrize(
    ("filled", "expected_city"),
    [
        ({"paymentMethodDelivery": "Kiruna", "originalDelivery": "Lund", "customerDelivery": "Umeå"}, "Kiruna"),
        ({"paymentMethodDelivery": None, "originalDelivery": "Lund", "customerDelivery": "Umeå"}, "Lund"),
        ({"customerDelivery": "Umeå"}, "Umeå"),
        ({"paymentMethodDelivery": "", "originalDelivery": "Lund"}, "Lund"),  # "" = a slot holding only a country
    ],
)
def test_the_delivery_address_comes_from_the_first_filled_slot(filled: dict, expected_city: str) -> None:
    def slot(city: str | None) -> dict | None:
        if city is None:
            return None
        if city == "":
            return dict.fromkeys(address(), None) | {"countryCode": "SE"}
        return address(city=city)

    consignee = wire(order(addresses=slots(**{name: slot(city) for name, city in filled.items()})))["consignee"]
    assert consignee["city"] == expected_city


@pytest.mark.parametrize(
    ("invoice_slots", "expected_invoice_address"),
    [
        ({"originalInvoice": address()}, None),  # the same as the delivery address
        ({"originalInvoice": address(companyName="Lindqvist AB", address="Box 12", careOf=None)},
         {"name": "Lindqvist AB", "address1": "Box 12", "address2": "Att: Karin Lindqvist", "postCode": "214 31",
          "city": "Malmö", "countryCode": "SE"}),
        ({"paymentMethodInvoice": address(city="Ystad"), "originalInvoice": address(city="Lund")},
         {"name": "Karin Lindqvist", "address1": "Storgatan 12", "postCode": "214 31", "city": "Ystad",
          "countryCode": "SE"}),
        ({}, None),
    ],
)
def test_the_invoice_address_is_sent_only_when_it_differs(invoice_slots: dict, expected_invoice_address: Any) -> None:
    consignee = wire(order(addresses=slots(originalDelivery=address(), **invoice_slots)))["consignee"]
    assert consignee.get("invoiceAddress") == expected_invoice_address


@pytest.mark.parametrize(
    ("overrides", "expected_name", "expected_address2"),
    [
        ({}, "Karin Lindqvist", None),
        ({"companyName": "Fjällgruppen AB"}, "Fjällgruppen AB", "Att: Karin Lindqvist"),
        ({"companyName": "Fjällgruppen AB", "attention": "Inköp"}, "Fjällgruppen AB", "Att: Inköp"),
        ({"careOf": "Berg"}, "Karin Lindqvist", "c/o Berg"),
        ({"careOf": "Berg", "attention": "Karin"}, "Karin Lindqvist", "c/o Berg, Att: Karin"),
        ({"firstName": None, "companyName": "  Fjällgruppen AB "}, "Fjällgruppen AB", "Att: Lindqvist"),
    ],
)
def test_the_consignee_is_the_company_or_the_person_with_c_o_and_attention_on_the_second_line(
    overrides: dict, expected_name: str, expected_address2: str | None
) -> None:
    consignee = wire(order(addresses=slots(originalDelivery=address(**overrides))))["consignee"]
    assert (consignee["name"], consignee.get("address2")) == (expected_name, expected_address2)


@pytest.mark.parametrize(
    ("mobile", "phone", "email", "expected_sms", "expected_email"),
    [
        ("+46701234567", "+46406020900", "karin@example.se", "+46701234567", "karin@example.se"),
        (None, "+46406020900", None, "+46406020900", None),
        ("  ", None, "", None, None),
    ],
)
def test_the_consignee_is_notified_by_sms_on_the_mobile_else_the_phone_and_by_email(
    mobile: str | None, phone: str | None, email: str | None, expected_sms: str | None, expected_email: str | None
) -> None:
    body = wire(order(addresses=slots(originalDelivery=address(mobilePhoneNo=mobile, phoneNo=phone)),
                      originalCustomerEmail=email))
    sms = {"toBeNotified": True, "value": expected_sms} if expected_sms else None
    mail = {"toBeNotified": True, "value": expected_email} if expected_email else None
    assert (body.get("smsNotification"), body.get("emailNotification")) == (sms, mail)
    advanced = body["consignee"].get("advanced") or {}
    assert (advanced.get("smsNotification"), advanced.get("emailNotification")) == (sms, mail)


@pytest.mark.parametrize(
    ("unit_price", "quantity", "vat", "discount", "discount_type", "expected_prices"),
    [
        (400, 2, 25, 0, "percent", {"linePrice": 800.0, "customerLinePrice": 1000.0, "discountPercentage": 0.0}),
        (400, 2, 25, 10, "percent", {"linePrice": 720.0, "customerLinePrice": 900.0, "discountPercentage": 10.0}),
        (400, 2, 25, 10, None, {"linePrice": 720.0, "customerLinePrice": 900.0, "discountPercentage": 10.0}),
        (400, 2, 25, 50, "amount", {"linePrice": 750.0, "customerLinePrice": 937.5}),  # off the row, not per unit
        (99.9, 3, 12, 0, "amount", {"linePrice": 299.7, "customerLinePrice": 335.66}),
        (10, 1, 25, 15, "amount", {"linePrice": 0.0, "customerLinePrice": 0.0}),  # never below zero
        (119.2, 1, 0, None, None, {"linePrice": 119.2, "customerLinePrice": 119.2}),
    ],
)
def test_line_prices_are_the_row_total_after_its_discount_without_and_with_vat(
    unit_price: float, quantity: int, vat: float, discount: float | None, discount_type: str | None,
    expected_prices: dict,
) -> None:
    line = item(unitPrice=unit_price, quantity=quantity, vatRate=vat, discount=discount, discountType=discount_type)
    (sent,) = wire(order([line]))["orderLines"]
    assert sent["prices"] == {**expected_prices, "currencyCode": "SEK"}
    assert sent["vat"] == {"percent": float(vat)}


prices = st.decimals(min_value=0, max_value=100_000, places=2)


@given(unit=prices, quantity=st.integers(1, 1000), vat=st.sampled_from([Decimal(0), Decimal(6), Decimal(12),
                                                                        Decimal(25)]),
       discount=st.decimals(min_value=0, max_value=150, places=2), kind=st.sampled_from(["percent", "amount"]))
def test_line_totals_stay_between_zero_and_the_undiscounted_row(unit: Decimal, quantity: int, vat: Decimal,
                                                                discount: Decimal, kind: str) -> None:
    totals = line_totals(unit, quantity, vat_rate=vat, discount=discount, discount_type=kind)
    row = unit * quantity
    assert Decimal(0) <= totals.net <= row
    assert abs(totals.gross - totals.net * (1 + vat / 100)) <= Decimal("0.01")
    if kind == "amount" and discount <= row:
        assert totals.net == row - discount
    if kind == "percent" and discount == 0:
        assert totals.net == row


def test_bundles_are_sent_as_their_parts_with_rows_named_after_both_ids() -> None:
    bundle = item(10, sku="KIT-HIKE", quantity=1, bundledItems={"data": [
        item(11, sku="POLE-CF-120", quantity=2, unitPrice=0), item(12, sku="SOCK-MER-42", quantity=1, unitPrice=0)]})
    starweb_order = order([item(3, sku="THERMOS-1L", quantity=1), bundle])
    rows = [(line["rowNumber"], line["articleNumber"], line["numberOfItems"])
            for line in wire(starweb_order)["orderLines"]]
    assert rows == [("3", "THERMOS-1L", 1.0), ("10-11", "POLE-CF-120", 2.0), ("10-12", "SOCK-MER-42", 1.0)]
    assert order_lines(starweb_order) == [("THERMOS-1L", 1.0), ("POLE-CF-120", 2.0), ("SOCK-MER-42", 1.0)]


def test_a_long_item_description_is_cut_to_the_comment_limit() -> None:
    (line,) = wire(order([item(description="Kolfiber " * 40)]))["orderLines"]
    assert len(line["comment"]) == 255 and line["comment"].endswith("…")


def test_a_way_of_delivery_route_is_sent_instead_of_a_transporter() -> None:
    body = wire(order(shippingMethodId=2))
    assert body["wayOfDelivery"] == {"code": "PICKUP", "name": "Hämtas i lagret"}
    assert "transporter" not in body


def test_the_same_order_maps_to_the_same_payload_and_a_changed_quantity_to_another() -> None:
    first = payload_hash(to_ongoing_order(order(), MERCHANT, known_skus=KNOWN))
    again = payload_hash(to_ongoing_order(order(), MERCHANT, known_skus=KNOWN))
    changed = payload_hash(to_ongoing_order(order([item(quantity=3)]), MERCHANT, known_skus=KNOWN))
    assert first == again != changed


@pytest.mark.parametrize(
    ("starweb_order", "expected"),
    [
        (order(items=[]), "the order has no items"),
        (order([item(sku=None), item(8, sku="")]), "item 7 ('Vandringsstav Kolfiber') has no SKU, so the warehouse "
         "cannot pick it; item 8 ('Vandringsstav Kolfiber') has no SKU"),
        (order([item(sku="NEW-1"), item(8, sku="NEW-0")]), "SKUs not known in Ongoing: NEW-0, NEW-1"),
        (order([item(quantity=0)]), "item 7 (SKU POLE-CF-120) has quantity 0"),
        (order([item(quantity=None)]), "item 7 (SKU POLE-CF-120) has quantity None"),
        (order(shippingMethodId=4, shippingMethodName="Hämta i butik"),
         "shipping method 4 'Hämta i butik' has no Ongoing transporter in deployments/merchants/fjall.yaml"),
        (order(shippingMethodId=None), "the order has no shipping method"),
        (order(addresses=slots()), "the order has no delivery address"),
        (order(addresses={"data": None}), "the order has no delivery address"),
        (order(addresses=slots(originalDelivery=address(address=" ", postalCode=None, countryCode=None))),
         "the delivery address has no street, postal code, country"),
        (order(addresses=slots(originalDelivery=address(firstName=None, lastName=None))),
         "the delivery address has no name"),
        (order(addresses=slots(originalDelivery=address(countryCode="SWE"))),
         "the delivery address's country code is not two letters (ISO 3166-1 alpha-2)"),
        (order(addresses=slots(originalDelivery=address(), originalInvoice=address(countryCode="4"))),
         "the invoice address's country code is not two letters"),
        (order(createdAt=None), "the order has no creation time"),
        (order(addresses=slots(originalDelivery=address(careOf="B" * 60, attention="A" * 60))),
         "consignee.address2 is 131 characters long, Ongoing takes at most 100"),
        (order(originalCustomerEmail="k" * 95 + "@example.se"),
         "emailNotification.value is 106 characters long, Ongoing takes at most 100"),
        (order([item(sku="S" * 51)]), "orderLines[row 7].articleNumber is 51 characters long"),
    ],
    ids=lambda value: None if isinstance(value, Order) else value[:40],
)
def test_an_order_that_cannot_be_sent_is_refused_saying_why(starweb_order: Order, expected: str) -> None:
    assert expected in refusal(starweb_order, KNOWN | {"S" * 51})


def test_every_problem_of_an_order_is_listed_in_one_refusal() -> None:
    message = refusal(order([item(sku=None), item(8, sku="NEW-1", quantity=-1)], shippingMethodId=4,
                            shippingMethodName="Hämta i butik", addresses=slots(originalDelivery=address(city=None))))
    assert message.startswith("Starweb order 1042 cannot be sent to Ongoing: ")
    for problem in ("item 7 ('Vandringsstav Kolfiber') has no SKU", "item 8 (SKU NEW-1) has quantity -1",
                    "SKU not known in Ongoing: NEW-1",
                    "shipping method 4 'Hämta i butik' has no Ongoing", "the delivery address has no city"):
        assert problem in message


def test_an_empty_set_of_known_skus_means_the_warehouse_knows_none() -> None:
    assert "SKU not known in Ongoing: POLE-CF-120" in refusal(order(), known=set())


def test_refusals_never_show_names_addresses_emails_or_phone_numbers() -> None:
    personal = {"companyName": "Hemliga Bolaget AB " * 6, "firstName": "Karin", "lastName": "Lindqvist" * 12,
                "careOf": "Berg " * 20, "attention": "Sven " * 20, "address": "Storgatan 12 " * 9,
                "postalCode": "214 31 " * 4, "city": "Malmö " * 11, "countryCode": "SWE",
                "mobilePhoneNo": "+46701234567" * 5, "phoneNo": "+46406020900"}
    email = "karin.lindqvist@example.se" * 5
    invoice = address(**{**personal, "city": "Lund " * 11})
    message = refusal(order(addresses=slots(originalDelivery=address(**personal), originalInvoice=invoice),
                            originalCustomerEmail=email))
    for reported in ("consignee.name is 113 characters long", "consignee.invoiceAddress.city is 54 characters long",
                     "emailNotification.value is 130", "the delivery address's country code is not two letters"):
        assert reported in message  # every problem is reported ...
    for value in (*personal.values(), email, "Karin", "Lindqvist", "Storgatan", "Malmö", "Lund", "+4670", "example"):
        assert value.strip() not in message  # ... but none of their values
