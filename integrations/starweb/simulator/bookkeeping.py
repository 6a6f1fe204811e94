"""The shop's arithmetic and side-effect decisions, as plain functions over vendor-shaped dicts.

Totals follow the spec's example (622.4 ex VAT + 155.6 VAT = 778 to pay): item prices are ex VAT,
a row discount is a percentage (default) or an amount off the whole row, and shipping and payment
fees carry their own VAT rates. Stock and e-mail rules are described where they are decided.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Doc = dict[str, Any]


def _number(value: Any) -> float:
    return float(value) if value is not None else 0.0


def row_amount_ex_vat(item: Mapping[str, Any]) -> float:
    gross = _number(item.get("quantity")) * _number(item.get("unitPrice"))
    discount = _number(item.get("discount"))
    if item.get("discountType") == "amount":
        return gross - discount
    return gross * (1 - discount / 100)


def order_totals(order: Mapping[str, Any], weight_of_sku: Mapping[str, float]) -> Doc:
    """The read-only sums Starweb computes for an order from its items, shipping cost and payment fee."""
    items: Iterable[Mapping[str, Any]] = order.get("items") or []
    net = vat = weight = 0.0
    for item in items:
        row = row_amount_ex_vat(item)
        net += row
        vat += row * _number(item.get("vatRate")) / 100
        weight += _number(item.get("quantity")) * weight_of_sku.get(item.get("sku") or "", 0.0)
    for cost_key, rate_key in (("shippingCost", "shippingVatRate"), ("paymentFee", "paymentVatRate")):
        cost = _number(order.get(cost_key))
        net += cost
        vat += cost * _number(order.get(rate_key)) / 100
    precision = int(order.get("currencyPrecision") or 2)
    # 1 base unit = rate order-currency units (spec: SEK shop, NOK order, 1 SEK = 0.97 NOK → 0.97).
    rate = _number(order.get("currencyExchangeRate")) or 1.0
    total, total_vat = round(net, precision), round(vat, precision)
    to_pay = round(net + vat, precision)
    return {
        "totalAmount": total,
        "totalVat": total_vat,
        "amountToPay": to_pay,
        "totalAmountInBaseCurrency": round(total / rate, precision),
        "totalVatInBaseCurrency": round(total_vat / rate, precision),
        "amountToPayInBaseCurrency": round(to_pay / rate, precision),
        "amountPaidInBaseCurrency": round(_number(order.get("amountPaid")) / rate, precision),
        "totalWeight": round(weight, 3),
    }


def reserved_stock(order: Mapping[str, Any], *, canceled: bool) -> dict[str, int]:
    """Units an order holds per SKU. A canceled order holds nothing (its stock went back)."""
    held: dict[str, int] = {}
    if canceled:
        return held
    for item in order.get("items") or []:
        sku = item.get("sku")
        if sku:
            held[sku] = held.get(sku, 0) + int(item.get("quantity") or 0)
    return held


def stock_returns(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    """How much goes back to stock per SKU (negative: taken from stock) when holdings change."""
    changes = {sku: before.get(sku, 0) - after.get(sku, 0) for sku in set(before) | set(after)}
    return {sku: delta for sku, delta in changes.items() if delta}


def should_send_status_email(status: Mapping[str, Any], *, request_flag: bool | None,
                             order_flag: bool | None) -> bool:
    """A status change mails the customer when the status says so and nobody switched it off.

    ``onOrderStatusChangeSendEmail=false`` switches it off for one call, the order's stored
    ``sendEmailsOnStatusChange=false`` for good.
    """
    return bool(status.get("shouldSendEmail")) and request_flag is not False and order_flag is not False


def should_send_created_email(*, request_flag: bool | None, order_flag: bool | None) -> bool:
    """A new order gets its confirmation mail unless switched off by the same two flags."""
    return request_flag is not False and order_flag is not False
