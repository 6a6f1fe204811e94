"""Every Starweb Shop API v2 model in one import: ``from integrations.starweb.models import Order``.

Read models tolerate unknown fields and nulls and unwrap included children; write models send only
the fields set. They are defined by subject in ``models_base``, ``models_orders``,
``models_products`` and ``models_shop``.
"""

from integrations.starweb.models_base import (
    Amount,
    LanguageName,
    StarwebModel,
    StarwebWrite,
    Timestamp,
    iso8601,
    language_name,
    unwrap_data,
)
from integrations.starweb.models_orders import (
    Address,
    AddressType,
    Order,
    OrderAddresses,
    OrderComment,
    OrderCreate,
    OrderExternalService,
    OrderItem,
    OrderItemWrite,
    OrderPatch,
    OrderStatus,
)
from integrations.starweb.models_products import (
    Product,
    ProductCreate,
    ProductLanguageWrite,
    ProductPatch,
    Variant,
    VariantPatch,
    VariantPrice,
    VariantWrite,
)
from integrations.starweb.models_shop import (
    PaymentMethod,
    ShippingMethod,
    ShippingTrackingType,
    Shop,
    WebHook,
    WebHookEvent,
    WebHookWrite,
)

__all__ = [
    "Address",
    "AddressType",
    "Amount",
    "LanguageName",
    "Order",
    "OrderAddresses",
    "OrderComment",
    "OrderCreate",
    "OrderExternalService",
    "OrderItem",
    "OrderItemWrite",
    "OrderPatch",
    "OrderStatus",
    "PaymentMethod",
    "Product",
    "ProductCreate",
    "ProductLanguageWrite",
    "ProductPatch",
    "ShippingMethod",
    "ShippingTrackingType",
    "Shop",
    "StarwebModel",
    "StarwebWrite",
    "Timestamp",
    "Variant",
    "VariantPatch",
    "VariantPrice",
    "VariantWrite",
    "WebHook",
    "WebHookEvent",
    "WebHookWrite",
    "iso8601",
    "language_name",
    "unwrap_data",
]
