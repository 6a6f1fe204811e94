"""A made-up catalogue of any size, for measuring the connector at real merchants' sizes.

Both simulators' bulk seed (``POST /_sim/seed/catalogue``) build it from the same numbers, so seeding N
SKUs in the shop and in the warehouse gives the same SKUs on both sides: SKU number n (from 1) is
``<prefix><n, six digits>``, products hold ``variants_per_product`` consecutive SKUs each, and a SKU's
name, EAN, weight and price follow from its number.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

MAX_SKUS = 200_000


class BulkCatalogueBody(BaseModel):
    """``{"skus": 50000, "stock": 10, "prefix": "BENCH-", "variantsPerProduct": 1}``"""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    skus: int = Field(ge=1, le=MAX_SKUS)
    stock: int = Field(default=10, ge=0)
    prefix: str = Field(default="BENCH-", pattern=r"^[A-Za-z0-9._-]{0,20}$")
    variants_per_product: int = Field(default=1, ge=1, le=50)


@dataclass(frozen=True)
class BulkVariant:
    number: int
    sku: str
    ean: str
    weight_kg: float
    price_ex_vat: float


@dataclass(frozen=True)
class BulkProduct:
    number: int
    name: str
    variants: tuple[BulkVariant, ...]


def bulk_sku(prefix: str, number: int) -> str:
    return f"{prefix}{number:06d}"


def bulk_variant(prefix: str, number: int) -> BulkVariant:
    return BulkVariant(number, bulk_sku(prefix, number), ean=f"73{number:011d}",
                       weight_kg=round(0.1 + number % 40 / 10, 2), price_ex_vat=float(50 + number % 950))


def bulk_products(body: BulkCatalogueBody) -> Iterator[BulkProduct]:
    """The catalogue's products in order, each with its variants."""
    per_product = body.variants_per_product
    for first in range(1, body.skus + 1, per_product):
        numbers = range(first, min(first + per_product, body.skus + 1))
        product_number = (first - 1) // per_product + 1
        yield BulkProduct(product_number, f"Bench product {product_number}",
                          tuple(bulk_variant(body.prefix, n) for n in numbers))
