"""The shop's arithmetic and side-effect rules as plain functions, and state kept on disk."""

from __future__ import annotations

import httpx
import pytest

from integrations.simulation.server import serve_in_thread
from integrations.starweb.simulator import StarwebSimSettings, create_app
from integrations.starweb.simulator.bookkeeping import (
    order_totals,
    reserved_stock,
    should_send_created_email,
    should_send_status_email,
    stock_returns,
)


def test_totals_match_the_specs_example_of_ex_vat_amount_plus_vat() -> None:
    order = {"items": [{"sku": "A", "quantity": 2, "unitPrice": 311.2, "vatRate": 25}]}
    totals = order_totals(order, {"A": 0.45})
    assert (totals["totalAmount"], totals["totalVat"], totals["amountToPay"]) == (622.4, 155.6, 778.0)
    assert totals["totalWeight"] == 0.9


def test_row_discounts_are_percent_by_default_or_an_amount_off_the_whole_row() -> None:
    percent = {"items": [{"quantity": 4, "unitPrice": 100, "vatRate": 25, "discount": 10}]}
    amount = {"items": [{"quantity": 4, "unitPrice": 100, "vatRate": 25, "discount": 10, "discountType": "amount"}]}
    assert order_totals(percent, {})["totalAmount"] == 360.0
    assert order_totals(amount, {})["totalAmount"] == 390.0


def test_shipping_and_payment_fees_carry_their_own_vat_and_foreign_currency_converts_to_base() -> None:
    order = {"items": [], "shippingCost": 100, "shippingVatRate": 25, "paymentFee": 20, "paymentVatRate": 0,
             "currencyExchangeRate": 0.5}
    totals = order_totals(order, {})
    assert (totals["totalAmount"], totals["totalVat"], totals["amountToPay"]) == (120.0, 25.0, 145.0)
    assert totals["amountToPayInBaseCurrency"] == 290.0


def test_stock_follows_what_an_order_holds() -> None:
    order = {"items": [{"sku": "A", "quantity": 2}, {"sku": "A", "quantity": 1}, {"sku": None, "quantity": 5}]}
    assert reserved_stock(order, canceled=False) == {"A": 3}
    assert reserved_stock(order, canceled=True) == {}
    assert stock_returns({"A": 3, "B": 1}, {"A": 1, "C": 2}) == {"A": 2, "B": 1, "C": -2}
    assert stock_returns({"A": 1}, {"A": 1}) == {}


@pytest.mark.parametrize(("should_send", "request_flag", "order_flag", "expected"), [
    (True, None, None, True),
    (True, True, True, True),
    (True, False, None, False),
    (True, None, False, False),
    (False, None, None, False),
    (False, True, True, False),
])
def test_status_email_decision(should_send: bool, request_flag: bool | None, order_flag: bool | None,
                               expected: bool) -> None:
    status = {"shouldSendEmail": should_send}
    assert should_send_status_email(status, request_flag=request_flag, order_flag=order_flag) is expected


def test_created_email_decision() -> None:
    assert should_send_created_email(request_flag=None, order_flag=True) is True
    assert should_send_created_email(request_flag=False, order_flag=True) is False
    assert should_send_created_email(request_flag=None, order_flag=False) is False


def test_the_shop_survives_a_restart_with_a_state_path(tmp_path) -> None:
    settings = StarwebSimSettings(client_id="c", client_secret="s", state_path=tmp_path / "starweb.sqlite")
    form = {"grant_type": "client_credentials", "client_id": "c", "client_secret": "s"}
    first = serve_in_thread(create_app(settings=settings))
    try:
        httpx.post(f"{first.root_url}/_sim/seed").raise_for_status()
        token = httpx.post(f"{first.root_url}/api/v2/token", data=form).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        created = httpx.post(f"{first.root_url}/api/v2/orders", headers=headers,
                             json={"items": [{"sku": "THERMOS-1L", "quantity": 1}]})
        assert created.status_code == 201
    finally:
        first.stop()
    second = serve_in_thread(create_app(settings=settings))
    try:
        order = httpx.get(f"{second.root_url}/api/v2/orders/1001", headers=headers)
        assert order.status_code == 200 and order.json()["data"]["totalAmount"] == 319.2
    finally:
        second.stop()
