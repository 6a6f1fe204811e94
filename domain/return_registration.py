"""Registering a return with the merchant: which Starweb order it is, what Starweb shows, what to refund.

A return inbound names its order only in texts the TPL typed, so it is matched when exactly one named
order holds the returned goods, and never guessed otherwise. The Starweb order gets a comment listing
lines, quantities and causes, and a status by the merchant's rules: the ``returned`` status once everything
shipped has come back, a configurable one (or none) for a partial return, its own for a parcel returned to
sender. The amount to refund is computed from the order's own item prices including VAT; refunding itself
stays with the merchant, who works through the worklist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from domain.config import ReturnSettings
from domain.returns import DetectedReturn, ReturnedLine, ReturnKind, ReturnSource
from domain.shipments import shipped_quantities
from domain.statuses import OrderState, ShopStatus, StatusTable, resolve_status_refs
from integrations.ongoing.models import Order as OngoingOrder
from integrations.starweb.models import Order as StarwebOrder
from integrations.starweb.models import OrderItem

CENT = Decimal("0.01")


class WorklistState(StrEnum):
    AWAITING_REFUND = "awaiting_refund"
    CONTACT_CUSTOMER = "contact_customer"
    UNMATCHED = "unmatched"  # a return inbound no Starweb order could be found for
    REFUNDED = "refunded"  # done: the merchant refunded (or settled) it
    HISTORIC = "historic"  # came back before go-live: acknowledged only, not on the worklist

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


def worklist_state(kind: ReturnKind) -> WorklistState:
    return WorklistState.AWAITING_REFUND if kind is ReturnKind.REGRET else WorklistState.CONTACT_CUSTOMER


@dataclass(frozen=True)
class ReturnStatuses:
    """The merchant's return statuses resolved to this shop's status ids (None: leave the status)."""

    full: int
    partial: int | None
    not_collected: int | None

    @classmethod
    def resolve(cls, settings: ReturnSettings, table: StatusTable, shop: Sequence[ShopStatus]) -> ReturnStatuses:
        def one(ref: str | int | None, what: str) -> int | None:
            return None if ref is None else resolve_status_refs([ref], shop, what=f"returns.{what}").pop()

        full = one(settings.full_return_status, "full_return_status")
        return cls(full=full if full is not None else table.starweb_status_id(OrderState.RETURNED),
                   partial=one(settings.partial_return_status, "partial_return_status"),
                   not_collected=one(settings.not_collected_status, "not_collected_status"))

    def target(self, kind: ReturnKind, *, full: bool) -> int | None:
        if kind is ReturnKind.NOT_COLLECTED and self.not_collected is not None:
            return self.not_collected
        return self.full if full else self.partial


# --- matching a return inbound to its order -----------------------------------------------------


def _units_by_sku(items: Iterable[OrderItem]) -> dict[str, int]:
    units: dict[str, int] = defaultdict(int)
    for item in items:
        if item.sku:
            units[item.sku] += item.quantity or 0
        for part in item.bundled_items:
            if part.sku:
                units[part.sku] += (part.quantity or 0)
    return units


def holds(order: StarwebOrder, lines: Iterable[ReturnedLine]) -> bool:
    """Does the order hold at least the returned units of every returned SKU?"""
    ordered = _units_by_sku(order.items or [])
    wanted: dict[str, float] = defaultdict(float)
    for line in lines:
        wanted[line.sku] += line.units
    return all(ordered.get(sku, 0) >= units for sku, units in wanted.items())


def match_inbound(candidates: set[int], orders: Mapping[int, StarwebOrder],
                  lines: Sequence[ReturnedLine]) -> tuple[int | None, str]:
    """(order id, "") when exactly one named order holds the goods; else (None, why not)."""
    if not candidates:
        return None, "no order number in its number, reference or comments"
    named = ", ".join(str(c) for c in sorted(candidates))
    fitting = [c for c in sorted(candidates) if c in orders and holds(orders[c], lines)]
    if len(fitting) == 1:
        return fitting[0], ""
    if not fitting:
        skus = ", ".join(sorted({line.sku for line in lines}))
        return None, f"names order {named}, but no such Starweb order holds {skus}"
    return None, f"names several orders that hold the goods ({', '.join(map(str, fitting))})"


@dataclass(frozen=True)
class Match:
    starweb_order_id: int | None
    reason: str = ""


def match_returns(detected: Sequence[DetectedReturn], candidates: Mapping[str, set[int]],
                  starweb_orders: Mapping[int, StarwebOrder]) -> dict[str, Match]:
    """Per return (by key): its sales order's Starweb order if the shop has it; for a return inbound, the
    one named order that holds the goods. Anything else is unmatched, with the reason."""
    matches: dict[str, Match] = {}
    for d in detected:
        named = candidates.get(d.key, set())
        if d.source is ReturnSource.PURCHASE_ORDER:
            matches[d.key] = Match(*match_inbound(named, starweb_orders, d.lines))
        elif len(named) == 1 and next(iter(named)) in starweb_orders:
            matches[d.key] = Match(next(iter(named)))
        else:
            matches[d.key] = Match(None, f"{d.order_number} is not an order of this Starweb shop")
    return matches


# --- full or partial -----------------------------------------------------------------------------


def shipped_by_sku(order: OngoingOrder) -> dict[str, float]:
    by_row = shipped_quantities(order)
    shipped: dict[str, float] = defaultdict(float)
    for line in order.order_lines:
        if line.article and line.article.article_number:
            shipped[line.article.article_number] += by_row.get(line.row_number or str(line.id), 0.0)
    return dict(shipped)


def fully_returned(shipped: Mapping[str, float], returned: Mapping[str, float]) -> bool:
    """Everything that was shipped has come back (and something was shipped)."""
    sent = {sku: units for sku, units in shipped.items() if units > 0}
    return bool(sent) and all(returned.get(sku, 0.0) >= units for sku, units in sent.items())


# --- refund --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundLine:
    sku: str
    units: float
    amount: Decimal | None  # None: the order has no price for this SKU (e.g. a bundle's part)


@dataclass(frozen=True)
class Refund:
    lines: tuple[RefundLine, ...]
    shipping: Decimal
    currency: str | None

    @property
    def amount(self) -> Decimal | None:
        if any(line.amount is None for line in self.lines):
            return None
        return sum((line.amount for line in self.lines if line.amount is not None), self.shipping)

    @property
    def unpriced(self) -> list[str]:
        return sorted({line.sku for line in self.lines if line.amount is None})


def _per_unit_incl_vat(item: OrderItem) -> Decimal | None:
    quantity = item.quantity or 0
    if item.unit_price is None or quantity <= 0:
        return None
    row = Decimal(str(item.unit_price)) * quantity
    discount = Decimal(str(item.discount or 0))
    # Starweb's row discount is a percent unless it says "amount" (taken off the row, not per unit).
    row = row - discount if item.discount_type == "amount" else row * (1 - discount / 100)
    return row / quantity * (1 + Decimal(str(item.vat_rate or 0)) / 100)


def _take(prices: list[list[Decimal | float | None]], units: float) -> Decimal | None:
    """Price ``units`` against the remaining (unit price, quantity) rows of one SKU, using them up."""
    amount = Decimal(0)
    while units > 0 and prices:
        price, available = prices[0]
        if price is None:
            return None
        take = min(units, float(available or 0))
        amount += Decimal(price) * Decimal(str(take))
        units -= take
        left = float(available or 0) - take
        prices[0][1] = left
        if left <= 0:
            prices.pop(0)
    return None if units > 0 else amount.quantize(CENT, ROUND_HALF_UP)


def refund_for(order: StarwebOrder, lines: Iterable[ReturnedLine], *, shipping: bool) -> Refund:
    """What to pay back for the returned lines at the order's own prices including VAT; returned units are
    priced against the order's items of their SKU in turn."""
    prices: dict[str, list[list[Decimal | float | None]]] = defaultdict(list)
    for item in order.items or []:
        if item.sku:
            prices[item.sku].append([_per_unit_incl_vat(item), item.quantity or 0])
    refunds = tuple(RefundLine(line.sku, line.units, _take(prices[line.sku], line.units)) for line in lines)
    freight = Decimal(0)
    if shipping and order.shipping_cost:
        freight = (Decimal(str(order.shipping_cost)) * (1 + Decimal(str(order.shipping_vat_rate or 0)) / 100)
                   ).quantize(CENT, ROUND_HALF_UP)
    return Refund(refunds, freight, order.currency_code)


@dataclass(frozen=True)
class Registration:
    """Every decision about one return, made before anything is written to either system."""

    starweb_order_id: int | None
    refund: Refund | None
    fully_returned: bool
    target_status_id: int | None
    send_email: bool
    worklist_state: WorklistState
    note: str | None

    @property
    def held(self) -> bool:
        """Unmatched: recorded for the worklist only; nothing reaches Starweb or Ongoing."""
        return self.starweb_order_id is None


def plan_registration(detected: DetectedReturn, match: Match, starweb: StarwebOrder | None,
                      warehouse_order: OngoingOrder | None, *, settings: ReturnSettings, statuses: ReturnStatuses,
                      already_returned: Mapping[str, float], shipping_refunded: bool,
                      go_live_cutoff: datetime | None) -> Registration:
    """Status, email, amount to refund and worklist state of a return, given what the order already had
    back (``already_returned``, by SKU) and what the warehouse shipped on it."""
    if starweb is None or match.starweb_order_id is None:
        return Registration(None, None, False, None, False, WorklistState.UNMATCHED, match.reason or "unmatched")
    returned = dict(already_returned)
    for line in detected.lines:
        returned[line.sku] = returned.get(line.sku, 0.0) + line.units
    full = warehouse_order is not None and fully_returned(shipped_by_sku(warehouse_order), returned)
    refund = refund_for(starweb, detected.lines, shipping=settings.refund_shipping and full and not shipping_refunded)
    if go_live_cutoff and detected.returned_at and detected.returned_at < go_live_cutoff:
        return Registration(match.starweb_order_id, refund, full, None, False, WorklistState.HISTORIC,
                            "returned before go-live: acknowledged in Ongoing only")
    return Registration(match.starweb_order_id, refund, full, statuses.target(detected.kind, full=full),
                        settings.notify_customer, worklist_state(detected.kind),
                        f"no price on the order for {', '.join(refund.unpriced)}" if refund.unpriced else None)


# --- what Starweb shows ----------------------------------------------------------------------------

_KIND_WORDS = {ReturnKind.REGRET: "retur", ReturnKind.NOT_COLLECTED: "ej uthämtad, paketet har gått i retur till "
               "avsändaren: kontakta kunden", ReturnKind.COMPLAINT: "reklamation"}
_SOURCE_WORDS = {ReturnSource.SALES_ORDER: "registrerad på ordern", ReturnSource.RETURN_ORDER: "returorder",
                 ReturnSource.PURCHASE_ORDER: "returinleverans"}


def comment_marker(return_id: int) -> str:
    """How the connector's comment for this return starts, so a lost answer never posts it twice."""
    return f"Retur #{return_id}:"


def money(amount: Decimal | None, currency: str | None) -> str:
    if amount is None:
        return "okänt"
    return f"{amount:.2f}".replace(".", ",") + (f" {currency}" if currency else "")


def comment_text(return_id: int, kind: ReturnKind, source: ReturnSource, reference: str,
                 lines: Iterable[ReturnedLine], refund: Decimal | None, currency: str | None, *,
                 shipping: bool = False) -> str:
    """The comment on the Starweb order: lines, quantities, causes and the amount at the order's prices."""
    parts = []
    for line in lines:
        part = f"{line.sku} × {line.units:g}" + (f" ({line.cause})" if line.cause else "")
        if line.restocked < line.units:
            part += f", {line.units - line.restocked:g} kasserad"
        parts.append(part)
    where = _SOURCE_WORDS[source] + ("" if source is ReturnSource.SALES_ORDER else f" {reference}")
    text = f"{comment_marker(return_id)} {_KIND_WORDS[kind]} ({where}). {'; '.join(parts)}."
    label = "Att återbetala" if kind is ReturnKind.REGRET else "Värde"
    return text + f" {label}: {money(refund, currency)} inkl. moms" + (" och frakt." if shipping else ".")
