"""The simulated shop's state: documents in a ``DocumentStore`` plus the clock, behind small lookups.

Each resource is a document kind holding the vendor-shaped (camelCase) fields; bookkeeping the
vendor never shows is kept under keys starting with ``_``, which rendering never emits. Ids come
from per-kind counters that never reuse a number, like a database sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from integrations.simulation.faults import FaultInjector
from integrations.simulation.store import DocumentStore
from integrations.simulation.webhook_delivery import WebhookSender
from integrations.starweb.simulator.clock import SimClock, to_iso
from integrations.starweb.simulator.errors import not_found
from integrations.starweb.simulator.settings import StarwebSimSettings

Doc = dict[str, Any]

TOKEN = "token"
ORDER = "order"
ORDER_STATUS = "order_status"
PRODUCT = "product"
VARIANT = "variant"
SHIPPING_METHOD = "shipping_method"
PAYMENT_METHOD = "payment_method"
TRACKING_TYPE = "tracking_type"
WEB_HOOK = "web_hook"
EMAIL = "email"
PAYMENT = "payment"
SHOP = "shop"

FIRST_ORDER_ID = 1001


@dataclass
class SimState:
    store: DocumentStore
    settings: StarwebSimSettings
    clock: SimClock = field(default_factory=SimClock)
    faults: FaultInjector = field(default_factory=FaultInjector)
    web_hooks: WebhookSender = field(default_factory=WebhookSender)

    def now_iso(self) -> str:
        return to_iso(self.clock.now())

    def allocate_id(self, kind: str, start: int = 1) -> int:
        """The next unused id of a kind; skips ids the seed wrote directly."""
        candidate = self.store.next_id(kind, start)
        while self.store.get(kind, candidate) is not None:
            candidate = self.store.next_id(kind, start)
        return candidate

    def change_sequence(self) -> int:
        """A global, ever-growing counter: orders changed in the same second still sort by recency."""
        return self.store.next_id("change")

    def require(self, kind: str, key: int | str, what: str) -> Doc:
        doc = self.store.get(kind, key)
        if doc is None:
            raise not_found(what)
        return doc

    def shop(self) -> Doc:
        return self.store.get(SHOP, "shop") or default_shop(self.settings.shop_id_code)

    def variant_by_sku(self, sku: str) -> Doc | None:
        return next((v for v in self.store.all(VARIANT) if v.get("sku") == sku), None)

    def variants_of(self, product_id: int) -> list[Doc]:
        variants = [v for v in self.store.all(VARIANT) if v.get("_productId") == product_id]
        return sorted(variants, key=lambda v: (v.get("sortIndex") or 0, v["variantId"]))


def default_shop(id_code: str) -> Doc:
    """What ``GET /shop`` answers before anything is seeded: an open Swedish shop."""
    return {
        "name": "Fjällbutiken", "idCode": id_code, "status": "open", "defaultLangCode": "sv",
        "activeLangCodes": ["sv", "en"], "baseCurrency": "SEK", "defaultCustomerCountryCode": "SE",
        "generalDefaultVatRate": 25.0, "shopCompanyName": "Fjällbutiken AB", "shopAddress": "Storgatan 1",
        "shopPostalCode": "831 30", "shopCity": "Östersund", "shopOrgNo": "559000-0000",
        "shopPhoneNo": "063-12 34 56", "shopVatNo": "SE559000000001", "shopCountryCode": "SE",
    }

