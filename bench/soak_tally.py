"""The soak's reckoning, made on the vendors' side only: what Starweb and Ongoing show at the end of the
day, against what the shoppers, the merchant and the warehouse did. The ledger is asked one thing only,
whether every quarantine entry says why.

Every figure but the call count must be 0: no order lost or sent twice, no shipment unreported, one
customer email per shipment, Starweb's stock what the warehouse's says it should be, no reasonless
quarantine entry, no Ongoing lockout, and every return and receipt acknowledged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.soak_actors import CANCELED, SHIPPED_STATUSES, Shop, Warehouse
from domain.stock import shop_stock

# Shipment statuses the customer is emailed for (sent, partially sent and its alternate).
SHIPMENT_EMAIL_STATUSES = SHIPPED_STATUSES
RETURN_STATUSES = {7, 10, 11}
SHIPPED_IN_ONGOING = {450, 500, 800}


@dataclass
class MerchantTally:
    merchant_id: str
    orders: int = 0
    lost: list[int] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    unreported: list[str] = field(default_factory=list)
    emails_duplicated: list[str] = field(default_factory=list)
    emails_missing: list[str] = field(default_factory=list)
    stock_differences: list[str] = field(default_factory=list)
    reasonless_quarantine: list[str] = field(default_factory=list)
    open_quarantine: int = 0
    returns_unregistered: list[str] = field(default_factory=list)
    receipts_unacknowledged: list[str] = field(default_factory=list)
    calls: int = 0
    faults: int = 0
    fault_kinds: Counter[str] = field(default_factory=Counter)
    lockouts: int = 0
    shipments: int = 0


@dataclass
class Tally:
    merchants: list[MerchantTally]
    killed: int = 0
    runs: Counter[str] = field(default_factory=Counter)
    wall_seconds: float = 0.0
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    ZEROES = (("orders lost", "lost"), ("orders duplicated in Ongoing", "duplicated"),
              ("shipments unreported", "unreported"), ("customer emails duplicated", "emails_duplicated"),
              ("customer emails missing", "emails_missing"), ("stock differences", "stock_differences"),
              ("quarantine entries without a reason", "reasonless_quarantine"),
              ("returns unregistered", "returns_unregistered"),
              ("receipts unacknowledged", "receipts_unacknowledged"))

    def count(self, attribute: str) -> int:
        return sum(len(getattr(m, attribute)) for m in self.merchants)

    def fault_kinds(self) -> Counter[str]:
        """Faults injected over the soak, per kind of the fault kit."""
        return sum((m.fault_kinds for m in self.merchants), Counter())

    @property
    def lockouts(self) -> int:
        return sum(m.lockouts for m in self.merchants)

    @property
    def clean(self) -> bool:
        return all(self.count(attribute) == 0 for _, attribute in self.ZEROES) and self.lockouts == 0

    def lines(self) -> list[str]:
        rows = [(label, self.count(attribute)) for label, attribute in self.ZEROES]
        rows.insert(7, ("Ongoing lockouts hit", self.lockouts))
        rows.append(("vendor calls made", sum(m.calls for m in self.merchants)))
        width = max(len(label) for label, _ in rows)
        out = [f"{label:<{width}}  {value:>8}" for label, value in rows]
        for merchant in self.merchants:
            for label, attribute in self.ZEROES:
                examples = getattr(merchant, attribute)
                if examples:
                    out.append(f"  {merchant.merchant_id}: {label}: {', '.join(map(str, examples[:10]))}"
                               + (" …" if len(examples) > 10 else ""))
        return out


def tally_merchant(shop: Shop, warehouse: Warehouse, quarantine: list[tuple[str, str, str | None]],
                   counts: dict[str, dict[str, int]]) -> MerchantTally:
    """``quarantine``: open entries as (kind, key, reason); ``counts``: the simulators' fault counts."""
    prefix = warehouse.world.prefix
    tally = MerchantTally(warehouse.world.merchant_id)
    starweb_orders = shop.orders()
    ongoing_orders = warehouse.orders()
    tally.orders = len(starweb_orders)
    by_number: dict[str, list[dict[str, Any]]] = {}
    for order in ongoing_orders:
        by_number.setdefault(order["orderInfo"]["orderNumber"], []).append(order)

    for order_id, order in sorted(starweb_orders.items()):
        if order["statusId"] != CANCELED and f"{prefix}{order_id}" not in by_number:
            tally.lost.append(order_id)
    for number, found in sorted(by_number.items()):
        digits = number.removeprefix(prefix)
        if len(found) > 1 or not digits.isdigit() or int(digits) not in starweb_orders:
            tally.duplicated.append(number)

    emails = _shipment_emails(shop)
    for number, found in sorted(by_number.items()):
        order = found[-1]
        starweb_id = int(number.removeprefix(prefix))
        starweb = starweb_orders.get(starweb_id)
        if starweb is None or starweb["statusId"] == CANCELED:
            continue
        status = order["orderInfo"]["orderStatus"]["number"]
        lines = order["orderLines"] or []
        if status in SHIPPED_IN_ONGOING:
            unacknowledged = any((line["reportedNumberOfItems"] or 0) < (line["pickedNumberOfItems"] or 0)
                                 for line in lines)
            if unacknowledged or starweb["statusId"] not in SHIPPED_STATUSES | RETURN_STATUSES:
                tally.unreported.append(f"{number} (Ongoing {status}, Starweb {starweb['statusId']})")
        if any((line["reportedReturnedNumberOfItems"] or 0) < (line["returnedNumberOfItems"] or 0) for line in lines):
            tally.returns_unregistered.append(number)
        shipped = warehouse.shipments.get(number, 0)
        mailed = emails.get(starweb_id, 0)
        tally.shipments += shipped
        if mailed > shipped:
            tally.emails_duplicated.append(f"{starweb_id} ({mailed} emails, {shipped} shipments)")
        elif mailed < shipped:
            tally.emails_missing.append(f"{starweb_id} ({mailed} emails, {shipped} shipments)")

    shop_stock_now = shop.stock()
    for article in warehouse.articles():
        sku = article["articleNumber"]
        sellable = (article.get("inventoryInfo") or {}).get("sellableNumberOfItems") or 0
        expected = shop_stock(sellable, 0)
        if sku in shop_stock_now and shop_stock_now[sku] != expected:
            tally.stock_differences.append(f"{sku} (Starweb {shop_stock_now[sku]:g}, should be {expected:g})")

    for purchase_order in warehouse.purchase_orders():
        lines = purchase_order.get("purchaseOrderLines") or []
        if any((line.get("reportedNumberOfItems") or 0) < (line.get("receivedNumberOfItems") or 0) for line in lines):
            tally.receipts_unacknowledged.append(purchase_order["purchaseOrderInfo"]["purchaseOrderNumber"])

    tally.open_quarantine = len(quarantine)
    tally.reasonless_quarantine = [f"{kind} {key}" for kind, key, reason in quarantine if not (reason or "").strip()]
    tally.calls = sum(c["calls"] for c in counts.values())
    tally.faults = sum(c["injected"] for c in counts.values())
    for c in counts.values():
        tally.fault_kinds.update({name.removeprefix("injected "): n for name, n in c.items()
                                  if name.startswith("injected ")})
    tally.lockouts = counts["ongoing"]["lockouts"]
    return tally


def _shipment_emails(shop: Shop) -> Counter[int]:
    with httpx.Client(base_url=shop.world.starweb.root_url, timeout=60) as admin:
        outbox = admin.get("/_sim/emails").json()["data"]
    return Counter(e["orderId"] for e in outbox
                   if e.get("kind") == "status_change" and e["statusId"] in SHIPMENT_EMAIL_STATUSES)
