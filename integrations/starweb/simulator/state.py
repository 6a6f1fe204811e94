"""The simulated shop's state: documents in a ``DocumentStore`` plus the clock, behind small lookups.

Each resource is a document kind holding the vendor-shaped (camelCase) fields; bookkeeping the
vendor never shows is kept under keys starting with ``_``, which rendering never emits. Ids come
from per-kind counters that never reuse a number, like a database sequence. Documents are found
through the store's indexes (``INDEXES``): variants by SKU and product, products and orders in the
orders the lists sort by and by the fields they filter on, e-mails and payments by order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from integrations.simulation.faults import FaultInjector
from integrations.simulation.store import DocumentStore
from integrations.simulation.webhook_delivery import WebhookSender
from integrations.starweb.simulator.clock import SimClock, parse_iso, to_iso
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


def _time(field: str) -> Callable[[Doc], float | None]:
    # Seconds since the epoch: times stored with different UTC offsets compare right, and cheaply.
    return lambda doc: parse_iso(doc[field]).timestamp() if doc.get(field) else None


def _flag(test: Callable[[Doc], bool]) -> Callable[[Doc], bool | None]:
    # Only documents with the flag are filed: the index is the (short) list of those.
    return lambda doc: True if test(doc) else None


def _modified(order: Doc) -> tuple[float, int] | None:
    # Orders changed in the same second sort by the order of the changes (see order_queries).
    return (parse_iso(order["modifiedAt"]).timestamp(), order.get("_changeSeq", 0)) if order.get("modifiedAt") else None


# (kind, index name, value, many values): what the routes look documents up by and sort lists on.
INDEXES: tuple[tuple[str, str, Callable[[Doc], Any], bool], ...] = (
    (VARIANT, "sku", lambda v: v.get("sku"), False),
    (VARIANT, "product", lambda v: v.get("_productId"), False),
    (PRODUCT, "id", lambda p: p["productId"], False),
    (PRODUCT, "created", _time("createdAt"), False),
    (PRODUCT, "modified", _time("modifiedAt"), False),
    (PRODUCT, "visible", _flag(lambda p: p.get("visibility") == "visible"), False),
    (ORDER, "id", lambda o: o["orderId"], False),
    (ORDER, "created", _time("createdAt"), False),
    (ORDER, "modified", _modified, False),
    (ORDER, "status", lambda o: o.get("statusId"), False),
    (ORDER, "payment_method", lambda o: o.get("paymentMethodId"), False),
    (ORDER, "shipping_method", lambda o: o.get("shippingMethodId"), False),
    (ORDER, "incomplete", _flag(lambda o: o.get("isComplete") is False), False),
    (EMAIL, "order", lambda e: e.get("orderId"), False),
    (PAYMENT, "order", lambda p: p.get("orderId"), False),
)


@dataclass
class SimState:
    store: DocumentStore
    settings: StarwebSimSettings
    clock: SimClock = field(default_factory=SimClock)
    faults: FaultInjector = field(default_factory=FaultInjector)
    web_hooks: WebhookSender = field(default_factory=WebhookSender)

    def __post_init__(self) -> None:
        for kind, name, extract, many in INDEXES:
            self.store.add_index(kind, name, extract, many=many)

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
        return self.store.find_one(VARIANT, "sku", sku)

    def variants_by_sku(self, skus: Iterable[str]) -> dict[str, Doc]:
        """The variants selling these SKUs, by SKU (SKUs nobody sells are absent)."""
        return {sku: variant for sku in set(skus) if (variant := self.variant_by_sku(sku)) is not None}

    def variants_of(self, product_id: int) -> list[Doc]:
        variants = self.store.find(VARIANT, "product", product_id)
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

