"""What the product and variant endpoints accept (ProductModelUpdatable/Patchable, ProductVariant*Model).

Limits are the spec's: SKU ≤40, EAN ≤20, MPN ≤40, language names ≤150 and so on. ``costPrice`` is
a string in the spec but Starweb's own guide sends a number, so both are taken and kept as text.
``languages`` comes as a bare array on writes (the guide) or wrapped in ``data``; both are taken.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from integrations.starweb.simulator.order_bodies import VendorBody

LANG_CODES = ("sv", "en", "ar", "no", "da", "fi", "de", "fr", "es")


def _unwrap_data(value: Any) -> Any:
    return value["data"] if isinstance(value, dict) and "data" in value else value


class PriceBody(VendorBody):
    pricelist_id: int
    external_id: str | None = Field(default=None, max_length=40)
    external_id_type: str | None = Field(default=None, max_length=255)
    price_ex_vat: float = Field(default=0.0, ge=0)
    special_price_ex_vat: float | None = Field(default=None, ge=0)


class VariantBody(VendorBody):
    sku: str | None = Field(default=None, min_length=1, max_length=40)
    external_id: str | None = Field(default=None, max_length=40)
    external_id_type: str | None = Field(default=None, max_length=20)
    is_active: bool | None = None
    sort_index: int | None = None
    stock_status_id: int | None = None
    stock_quantity: int | None = Field(default=None, ge=-100_000_000, le=100_000_000)
    weight_in_kg: float | None = Field(default=None, ge=0)
    cost_price: str | float | None = None
    ean: str | None = Field(default=None, max_length=20)
    mpn: str | None = Field(default=None, max_length=40)
    image_file_id: int | None = None
    attribute_value_links: list[int] | None = None
    volume_pricing_inheritance_pricelist_ids: list[int] | None = None
    prices: list[PriceBody] | None = None

    @field_validator("cost_price")
    @classmethod
    def cost_as_text(cls, value: str | float | None) -> str | None:
        if value is None:
            return None
        try:
            if float(value) < 0:
                raise ValueError("must not be negative")
        except (TypeError, ValueError) as exc:
            raise ValueError(f"costPrice: {exc}") from None
        return f"{value:g}" if isinstance(value, float) else str(value)

    @field_validator("prices", mode="before")
    @classmethod
    def unwrap_prices(cls, value: Any) -> Any:
        return _unwrap_data(value)


class ProductLanguageBody(VendorBody):
    lang_code: Literal["sv", "en", "ar", "no", "da", "fi", "de", "fr", "es"]
    name: str = Field(min_length=1, max_length=150)
    short_description: str | None = Field(default=None, max_length=65535)
    long_description: str | None = Field(default=None, max_length=65535)
    permalink: str | None = Field(default=None, max_length=128)
    page_title: str | None = Field(default=None, max_length=90)
    page_meta_description: str | None = Field(default=None, max_length=278)


class VatRateBody(VendorBody):
    country_code: str = Field(min_length=2, max_length=2)
    vat_rate: float = Field(default=0.0, ge=0, le=100)


class CategoryLinkBody(VendorBody):
    category_id: int
    sort_index: int | None = None


class ProductBody(VendorBody):
    """POST/PUT/PATCH /products. PATCH ignores ``variants`` (Starweb: a product PATCH leaves variants alone)."""

    external_id: str | None = Field(default=None, max_length=40)
    external_id_type: str | None = Field(default=None, max_length=20)
    created_at: str | None = None
    default_vat_rate: str | float | None = None
    visibility: Literal["hidden", "visible", "pricelists"] | None = None
    visibility_pricelist_ids: list[int] | None = None
    more_info_url: str | None = Field(default=None, max_length=255)
    manufacturer_id: int | None = None
    unit_id: int | None = None
    sort_index: int | None = Field(default=None, ge=1, le=10000)
    type: Literal["basic", "bundle"] | None = None
    is_back_in_stock_watchable: bool | None = None
    bundle_use_manual_price: bool | None = None
    price_mode: Literal["normal", "manual", "calculated"] | None = None
    accounting: int | None = Field(default=None, ge=100, le=9999)
    variants: list[VariantBody] | None = None
    languages: list[ProductLanguageBody] | None = None
    vat_rates: list[VatRateBody] | None = None
    categories: list[CategoryLinkBody] | None = None

    @field_validator("default_vat_rate")
    @classmethod
    def vat_as_text(cls, value: str | float | None) -> str | None:
        return None if value is None else (f"{value:g}" if isinstance(value, float) else str(value))

    @field_validator("languages", "vat_rates", "categories", "variants", mode="before")
    @classmethod
    def unwrap_lists(cls, value: Any) -> Any:
        return _unwrap_data(value)
