"""The shop's set-up as Starweb exposes it: shipping and payment methods, tracking types, web hooks, shop.

Shipping and payment methods are read-only over the API and named through ``languages``. Web-hook
deliveries are unsigned, so a receiver always re-reads the resource through the API.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from integrations.starweb.models_base import Amount, Languages, StarwebModel, StarwebWrite, language_name


class ShippingMethod(StarwebModel):
    """Read-only over the API; ``externalId`` is set in Starweb's admin."""

    shipping_method_id: int
    external_id: str | None = None
    active: bool | None = None
    valid_for_countries: str | None = None
    valid_countries_selected: list[str] | None = None
    is_click_and_collect: bool | None = None
    languages: Languages = Field(default_factory=list)

    @property
    def name(self) -> str | None:
        return language_name(self.languages)


class PaymentMethod(StarwebModel):
    payment_method_id: int
    id_code: str | None = None
    external_id: str | None = None
    active: bool | None = None
    fee: Amount | None = None
    languages: Languages = Field(default_factory=list)

    @property
    def name(self) -> str | None:
        return language_name(self.languages)


class ShippingTrackingType(StarwebModel):
    """A carrier's tracking-number format; ``type`` goes into an order's ``shippingTrackerType``."""

    type: int
    name: str | None = None


WebHookEvent = Literal[
    "product-created", "product-updated", "product-removed", "order-created", "order-completed",
    "order-updated", "order-deleted", "order-status-changed", "customer-created", "customer-updated",
    "customer-deleted", "shop-opened", "shop-closed", "shop-removed",
]


class WebHook(StarwebModel):
    """A subscription; deliveries are unsigned, so a receiver re-reads the resource through the API."""

    web_hook_id: int
    name: str | None = None
    event: str | None = None
    status_id: int | None = None  # only for order-status-changed: the target status
    url: str | None = None


class WebHookWrite(StarwebWrite):
    name: str | None = None
    event: WebHookEvent | None = None
    status_id: int | None = None
    url: str | None = None


class Shop(StarwebModel):
    """The shop itself (``GET /shop``); ``idCode`` is what web-hook deliveries call ``shopIdCode``."""

    name: str | None = None
    id_code: str | None = None
    status: str | None = None
    default_lang_code: str | None = None
    active_lang_codes: list[str] | None = None
    base_currency: str | None = None
    default_customer_country_code: str | None = None
    general_default_vat_rate: Amount | None = None
    shop_company_name: str | None = None
    shop_address: str | None = None
    shop_postal_code: str | None = None
    shop_city: str | None = None
    shop_country_code: str | None = None
    shop_phone_no: str | None = None
    shop_org_no: str | None = None
    shop_vat_no: str | None = None
