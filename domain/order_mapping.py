"""A Starweb order as an Ongoing order: the body of ``PUT /orders`` and the lines the stock judgement needs.

``to_ongoing_order`` is pure and deterministic — the same order always maps to the same payload, so a
re-push of an unchanged order can be skipped by its hash. An order that cannot be sent raises one
``MappingError`` listing every problem found, worded for the person who reads the quarantine and free
of personal data (no names, addresses, e-mails or phone numbers, only which field is wrong and why).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel

from domain.config import MerchantConfig
from domain.field_limits import ORDER_FIELD_LIMITS, cut, overlong_members
from domain.texts import warehouse_text
from integrations.errors import MappingError
from integrations.ongoing.models import (
    CodeName,
    ConsigneeNotifications,
    ConsigneeWrite,
    InvoiceAddress,
    LinePricesWrite,
    Notification,
    OrderLineWrite,
    OrderWrite,
    TransporterWrite,
    Vat,
)
from integrations.starweb.models import Address, Order, OrderItem

CENT = Decimal("0.01")
_HUNDRED = Decimal(100)
_DELIVERY_SLOTS = ("payment_method_delivery", "original_delivery", "customer_delivery")
_INVOICE_SLOTS = ("payment_method_invoice", "original_invoice", "customer_invoice")


@dataclass(frozen=True)
class LineTotals:
    """What an order line is worth after its row discount, excluding (``net``) and including VAT."""

    net: Decimal
    gross: Decimal
    discount_percentage: Decimal | None


def line_totals(unit_price: Decimal, quantity: int, *, vat_rate: Decimal | None = None,
                discount: Decimal | None = None, discount_type: str | None = None) -> LineTotals:
    """Starweb prices a row per unit excluding VAT; its discount is a percentage (the default) or an
    amount taken off the whole row whatever the quantity (OrderItemModel). Cents round half up."""
    before = unit_price * quantity
    percent = None
    if discount_type == "amount":
        after = max(before - (discount or 0), Decimal(0))
    else:
        percent = min(discount or Decimal(0), _HUNDRED)
        after = before * (1 - percent / _HUNDRED)
    gross = after * (1 + (vat_rate or 0) / _HUNDRED)
    return LineTotals(_cents(after), _cents(gross), percent if discount is not None else None)


def order_lines(order: Order) -> list[tuple[str, float]]:
    """(SKU, quantity) of every line the warehouse will pick, bundles expanded, for the stock judgement."""
    return [(str(line.item.sku), float(line.item.quantity or 0)) for line in _source_lines(order)
            if line.item.sku and (line.item.quantity or 0) > 0]


def to_ongoing_order(order: Order, merchant: MerchantConfig, *, known_skus: Collection[str]) -> OrderWrite:
    """The ``PUT /orders`` body for a Starweb order fetched with items and addresses.

    ``known_skus`` are the article numbers Ongoing holds; an empty collection means it holds none,
    so every line's SKU is reported as unknown (the check is never skipped)."""
    problems: list[str] = []
    lines = _lines(order, merchant, known_skus, problems)
    delivery_slot = _first_filled(order, _DELIVERY_SLOTS)
    delivery = _postal_address(delivery_slot, "delivery", problems, required=True)
    invoice = _postal_address(_first_filled(order, _INVOICE_SLOTS), "invoice", problems, required=False)
    email_note = _notification(order.original_customer_email)
    sms_note = _notification(_phone(delivery_slot))
    order_number = merchant.order_number(order.order_id)
    body: dict[str, Any] = {
        "orderNumber": order_number,
        # The Starweb id; Ongoing echoes it in its webhooks. referenceNumber is left to the merchant.
        "goodsOwnerOrderId": str(order.order_id),
        # Ongoing requires a delivery date; the order's own date keeps the payload (and its hash) stable.
        "deliveryDate": _order_date(order, merchant, problems),
        "consignee": ConsigneeWrite(
            # One customer record per order: Ongoing upserts customers by number, so a shared number would let
            # one order's address rewrite another's still in the warehouse (and guests have no customer id).
            customer_number=order_number,
            **(delivery.model_dump(exclude_none=True) if delivery else {}),
            advanced=ConsigneeNotifications(email_notification=email_note, sms_notification=sms_note)
            if email_note or sms_note else None,
            invoice_address=invoice if invoice and invoice != delivery else None,
        ),
        **_route(order, merchant, problems),
        "emailNotification": email_note,
        "smsNotification": sms_note,
        "customerPrice": _number(order.amount_to_pay),
        "freightPrice": _number(order.shipping_cost),
        "languageCode": order.lang_code,
        "orderLines": lines,
    }
    body = {member: value for member, value in body.items() if value is not None}
    problems += overlong_members(_wire(body), ORDER_FIELD_LIMITS)
    if problems:
        raise MappingError(f"Starweb order {order.order_id} cannot be sent to Ongoing: {'; '.join(problems)}")
    return OrderWrite.model_validate(body)


# --- lines --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SourceLine:
    row_number: str
    item: OrderItem


def _source_lines(order: Order) -> Iterator[_SourceLine]:
    """One line per item, a bundle replaced by its parts. Rows are numbered by Starweb's itemId, which
    survives edits to other rows, so an updated order still matches its lines in Ongoing by rowNumber."""
    for item in sorted(order.items or [], key=lambda i: (i.sort_index or 0, i.item_id)):
        if item.bundled_items:
            for part in item.bundled_items:
                yield _SourceLine(f"{item.item_id}-{part.item_id}", part)
        else:
            yield _SourceLine(str(item.item_id), item)


def _lines(order: Order, merchant: MerchantConfig, known_skus: Collection[str],
           problems: list[str]) -> list[OrderLineWrite]:
    source = list(_source_lines(order))
    if not source:
        problems.append("the order has no items")
    lines, unknown = [], set()
    for line in source:
        item = line.item
        if not item.sku:
            named = f" ('{warehouse_text(item.description)}')" if warehouse_text(item.description) else ""
            problems.append(f"item {line.row_number}{named} has no SKU, so the warehouse cannot pick it")
            continue
        if item.quantity is None or item.quantity <= 0:
            problems.append(f"item {line.row_number} (SKU {item.sku}) has quantity {item.quantity}; "
                            "Ongoing needs a whole number of at least 1")
        elif item.quantity > merchant.orders.max_line_quantity:
            problems.append(f"item {line.row_number} (SKU {item.sku}) has quantity {item.quantity}, more than "
                            f"orders.max_line_quantity ({merchant.orders.max_line_quantity}) in "
                            f"deployments/merchants/{merchant.merchant_id}.yaml: it would hold every unit of the "
                            "SKU ahead of the orders after it; confirm it with the customer, or raise the limit")
        if item.sku not in known_skus:
            unknown.add(item.sku)
        lines.append(OrderLineWrite(
            row_number=line.row_number,
            article_number=item.sku,
            number_of_items=float(item.quantity or 0),
            comment=_comment(item.description),
            prices=_prices(item, order.currency_code),
            vat=Vat(percent=float(item.vat_rate)) if item.vat_rate is not None else None,
        ))
    if unknown:
        problems.append(f"SKU{'s' if len(unknown) > 1 else ''} not known in Ongoing: "
                        f"{', '.join(_sku_label(sku) for sku in sorted(unknown))} (the product sync creates the "
                        "articles; SKUs are compared exactly, case and spaces included)")
    return lines


def _prices(item: OrderItem, currency_code: str | None) -> LinePricesWrite | None:
    if item.unit_price is None:
        return None
    totals = line_totals(item.unit_price, item.quantity or 0, vat_rate=item.vat_rate, discount=item.discount,
                         discount_type=item.discount_type)
    return LinePricesWrite(line_price=float(totals.net), customer_line_price=float(totals.gross),
                           currency_code=currency_code, discount_percentage=_number(totals.discount_percentage))


# --- addresses ----------------------------------------------------------------------------------


def _first_filled(order: Order, slots: tuple[str, ...]) -> Address | None:
    """The first slot someone filled in; a slot holding only a pre-set country does not count."""
    addresses = order.addresses
    for slot in slots:
        address = getattr(addresses, slot) if addresses else None
        if address and any(_text(value) for value in (address.company_name, address.first_name, address.last_name,
                                                       address.address, address.postal_code, address.city)):
            return address
    return None


def _postal_address(address: Address | None, kind: str, problems: list[str], *,
                    required: bool) -> InvoiceAddress | None:
    """An address in Ongoing's shape (the consignee takes the same members as ``InvoiceAddress``).

    The name is the company, else "first last"; c/o and attention (or, for a company, the person)
    go on the second line, since Starweb has a single street line."""
    if address is None:
        if required:
            problems.append(f"the order has no {kind} address")
        return None
    person = " ".join(part for part in (_text(address.first_name), _text(address.last_name)) if part) or None
    company = _text(address.company_name)
    attention = _text(address.attention) or (person if company else None)
    care_of = _text(address.care_of)
    second = ", ".join(([f"c/o {care_of}"] if care_of else []) + ([f"Att: {attention}"] if attention else []))
    country = _text(address.country_code)
    country = country.upper() if country else None
    postal = InvoiceAddress(name=company or person, address1=_text(address.address), address2=second or None,
                            post_code=_text(address.postal_code), city=_text(address.city),
                            country_state_code=_text(address.state))
    if required:
        missing = [label for label, value in (("name", postal.name), ("street", postal.address1),
                                              ("postal code", postal.post_code), ("city", postal.city),
                                              ("country", country)) if not value]
        if missing:
            problems.append(f"the {kind} address has no {', '.join(missing)}")
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        problems.append(f"the {kind} address's country code is not two letters (ISO 3166-1 alpha-2)")
        country = None
    return postal.model_copy(update={"country_code": country})


def _phone(address: Address | None) -> str | None:
    return (_text(address.mobile_phone_no) or _text(address.phone_no)) if address else None


def _notification(value: str | None) -> Notification | None:
    value = _text(value)
    return Notification(to_be_notified=True, value=value) if value else None


# --- header -------------------------------------------------------------------------------------


def _order_date(order: Order, merchant: MerchantConfig, problems: list[str]) -> date | None:
    if order.created_at is None:
        problems.append("the order has no creation time (createdAt)")
        return None
    return order.created_at.astimezone(merchant.zone).date()


def _route(order: Order, merchant: MerchantConfig, problems: list[str]) -> dict[str, BaseModel]:
    method_id = order.shipping_method_id
    route = merchant.shipping_methods.get(method_id) if method_id is not None else None
    if method_id is None:
        problems.append("the order has no shipping method")
        return {}
    if route is None:
        named = f" '{order.shipping_method_name}'" if order.shipping_method_name else ""
        problems.append(f"shipping method {method_id}{named} has no Ongoing transporter in "
                        f"deployments/merchants/{merchant.merchant_id}.yaml")
        return {}
    members: dict[str, BaseModel] = {}
    if route.transporter_code:
        members["transporter"] = TransporterWrite(transporter_code=route.transporter_code,
                                                  transporter_service_code=route.transporter_service_code)
    if route.way_of_delivery_code:
        members["wayOfDelivery"] = CodeName(code=route.way_of_delivery_code, name=route.way_of_delivery_name)
    return members


# --- small helpers ------------------------------------------------------------------------------


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _number(amount: Decimal | None) -> float | None:
    return float(amount) if amount is not None else None


def _text(value: str | None) -> str | None:
    return warehouse_text(value)


def _comment(description: str | None) -> str | None:
    text = warehouse_text(description)
    return cut(text, ORDER_FIELD_LIMITS["orderLines.comment"]) if text else None


def _sku_label(sku: str) -> str:
    """A SKU as a person can see it in a message: quoted when spaces at either end would hide."""
    return f"'{sku}'" if sku != sku.strip() else sku


def _wire(value: Any) -> Any:
    """The JSON Ongoing would receive for a (partial) body, to measure its texts."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, list):
        return [_wire(child) for child in value]
    if isinstance(value, dict):
        return {member: _wire(child) for member, child in value.items()}
    return value
