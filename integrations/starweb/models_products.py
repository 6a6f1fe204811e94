"""Starweb products and variants, and the bodies to create and change them.

A product's name lives in its ``languages``; SKU, stock, weight, EAN and prices live on its
variants. A product PATCH never touches variants; stock is written with a variant PATCH such as
``VariantPatch(stock_quantity=12)``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from integrations.starweb.models_base import (
    Amount,
    Languages,
    StarwebModel,
    StarwebWrite,
    Timestamp,
    language_name,
    unwrap_data,
)


class VariantPrice(StarwebModel):
    pricelist_id: int | None = None
    price_ex_vat: Amount | None = None
    special_price_ex_vat: Amount | None = None


class Variant(StarwebModel):
    """ProductVariantResponseModel: stock, weight, EAN and manufacturer part number live here."""

    variant_id: int
    sku: str | None = None
    external_id: str | None = None
    external_id_type: str | None = None
    is_active: bool | None = None
    sort_index: int | None = None
    stock_status_id: int | None = None
    stock_quantity: int | None = None
    weight_in_kg: Amount | None = None
    cost_price: Decimal | None = None  # a string in the spec, a number in Starweb's guide
    ean: str | None = None
    mpn: str | None = None
    image_file_id: int | None = None
    attribute_value_links: list[int] | None = None
    prices: Annotated[list[VariantPrice] | None, BeforeValidator(unwrap_data)] = None


class Product(StarwebModel):
    """ProductModel. The name lives in ``languages``; with ``include=primaryVariant`` only the primary
    variant comes along (use ``iter_variants`` when ``has_several_variants``)."""

    product_id: int
    external_id: str | None = None
    external_id_type: str | None = None
    created_at: Timestamp | None = None
    modified_at: Timestamp | None = None
    default_vat_rate: str | None = None
    visibility: str | None = None
    visibility_pricelist_ids: list[int] | None = None
    more_info_url: str | None = None
    manufacturer_id: int | None = None
    unit_id: int | None = None
    sort_index: int | None = None
    type: str | None = None
    is_back_in_stock_watchable: bool | None = None
    price_mode: str | None = None
    accounting: int | None = None
    has_several_variants: bool | None = None
    primary_variant: Annotated[Variant | None, BeforeValidator(unwrap_data)] = None
    variants: Annotated[list[Variant] | None, BeforeValidator(unwrap_data)] = None
    languages: Languages = Field(default_factory=list)

    @property
    def name(self) -> str | None:
        return language_name(self.languages)

    def name_in(self, lang_code: str) -> str | None:
        return language_name(self.languages, lang_code)


class _VariantWritableFields(StarwebWrite):
    external_id: str | None = None
    external_id_type: str | None = None
    is_active: bool | None = None
    sort_index: int | None = None
    stock_status_id: int | None = None
    stock_quantity: int | None = None
    weight_in_kg: Amount | None = None
    cost_price: Decimal | None = None
    ean: str | None = None
    mpn: str | None = None
    image_file_id: int | None = None


class VariantWrite(_VariantWritableFields):
    """POST/PUT of a variant (ProductVariantRequestModel): ``sku`` and ``attributeValueLinks`` required."""

    sku: str
    attribute_value_links: list[int] = Field(default_factory=list)


class VariantPatch(_VariantWritableFields):
    """PATCH of a variant, e.g. ``VariantPatch(stock_quantity=12)``; only the fields set are sent."""

    sku: str | None = None
    attribute_value_links: list[int] | None = None


class ProductLanguageWrite(StarwebWrite):
    lang_code: str
    name: str
    short_description: str | None = None
    long_description: str | None = None
    permalink: str | None = None


class ProductPatch(StarwebWrite):
    """PATCH /products/{productId} (ProductModelPatchable). It never touches the variants."""

    external_id: str | None = None
    external_id_type: str | None = None
    default_vat_rate: str | None = None
    visibility: Literal["hidden", "visible", "pricelists"] | None = None
    visibility_pricelist_ids: list[int] | None = None
    more_info_url: str | None = None
    manufacturer_id: int | None = None
    unit_id: int | None = None
    sort_index: int | None = None
    type: Literal["basic", "bundle"] | None = None
    is_back_in_stock_watchable: bool | None = None
    accounting: int | None = None
    languages: list[ProductLanguageWrite] | None = None


class ProductCreate(ProductPatch):
    """POST /products (ProductModelUpdatable): variants and languages may be sent inline."""

    variants: list[VariantWrite] | None = None
