"""The Starweb Shop API v2 client: one shop, typed calls, every answer validated at the edge.

``StarwebClient`` logs in with OAuth2 client credentials, sends every call through the shared
``VendorHttp`` policy (retries, ``Retry-After``, circuit breaker, error tree) and returns the
models of ``integrations.starweb.models``. Paged lists come as ``Page`` objects or, through the
``iter_*`` methods, as async iterators over every item. It maps nothing: fields are Starweb's.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any, Literal, TypedDict, TypeVar, Unpack

import httpx
from pydantic import BaseModel, SecretStr

from integrations.breaker import BreakerStore
from integrations.errors import AuthenticationFailed, RefusedByVendor
from integrations.http import (
    CircuitBreaker,
    RetryPolicy,
    Throttle,
    VendorHttp,
    json_message,
    server_date,
    shared_breaker,
)
from integrations.starweb.auth import AccessToken, SharedToken, StarwebTokenAuth, process_token, request_token
from integrations.starweb.models import (
    Address,
    AddressType,
    Order,
    OrderAddresses,
    OrderComment,
    OrderCreate,
    OrderItem,
    OrderItemWrite,
    OrderPatch,
    OrderStatus,
    PaymentMethod,
    Product,
    ProductCreate,
    ProductPatch,
    ShippingMethod,
    ShippingTrackingType,
    Shop,
    StarwebModel,
    Variant,
    VariantPatch,
    VariantWrite,
    WebHook,
    WebHookWrite,
    iso8601,
)
from integrations.starweb.pagination import (
    VENDOR,
    Page,
    UnreadableRecord,
    iter_pages,
    parse_data,
    parse_list,
    parse_page,
)

T = TypeVar("T")

# Starweb's ErrorModel: {"error": "invalid_client", "error_description": "invalid credentials"}.
starweb_message = json_message("error", "error_description")

ORDER_INCLUDES = ("items", "addresses")
PRODUCT_INCLUDES = ("primaryVariant", "languages")
OrderSort = Literal["orderId", "createdAt", "modifiedAt", "customer", "paymentMethodName",
                    "shippingMethodName", "totalAmount", "status", "read"]


class OrderFilters(TypedDict, total=False):
    """The keyword arguments of ``list_orders_page`` other than ``page``."""

    status_id: int | None
    created_after: datetime | None
    created_before: datetime | None
    sort_by: OrderSort
    sort_order: Literal["ASC", "DESC"]
    include: Sequence[str]
    include_non_complete_payments: bool
    filter_query: str | None
    shipping_method_id: int | None
    payment_method_id: int | None


class StarwebSettings(BaseModel):
    """Where the shop's API lives (``https://<shop>.starwebserver.se/api/v2``) and the API client."""

    base_url: str
    client_id: str
    client_secret: SecretStr


def _include(names: Sequence[str]) -> str | None:
    return ",".join(names) or None


def _without_none(params: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in params.items() if value is not None}


def starweb_failure(status: int) -> bool:
    """Answers that count towards the breaker: 5xx, 429 and a refused token. Starweb's 403 refuses one
    change (a standard or in-use status), not our access."""
    return status >= 500 or status in (401, 429)


class StarwebClient:
    """Async client for one Starweb shop; use as ``async with StarwebClient(settings) as shop:``.

    Clients of the same shop and API client share the process's token (``process_token``) unless a
    ``token`` or a test ``clock`` is given; they share breaker state through ``breaker_store``.
    """

    def __init__(self, settings: StarwebSettings, *, transport: httpx.AsyncBaseTransport | None = None,
                 timeout: float = 30.0, policy: RetryPolicy | None = None, breaker: CircuitBreaker | None = None,
                 breaker_store: BreakerStore | None = None, token: SharedToken | None = None,
                 clock: Callable[[], float] | None = None, throttle: Throttle | None = None) -> None:
        self.settings = settings
        breaker = breaker or shared_breaker(VENDOR, settings.base_url, settings.client_id, failure_threshold=8,
                                            store=breaker_store)
        if token is None and clock is None:
            token = process_token(settings.base_url, settings.client_id, settings.client_secret)
        self.auth = StarwebTokenAuth(self._fetch_token, token=token, clock=clock or time.monotonic)
        self._http = VendorHttp(VENDOR, settings.base_url, message_of=starweb_message, auth=self.auth,
                                transport=transport, timeout=timeout, policy=policy, breaker=breaker,
                                trips_breaker=starweb_failure, throttle=throttle)

    async def __aenter__(self) -> StarwebClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _fetch_token(self) -> AccessToken:
        return await request_token(self._http, self.settings.client_id, self.settings.client_secret)

    async def _send(self, method: str, path: str, endpoint: str, *, params: dict[str, Any] | None = None,
                    body: StarwebModel | dict[str, Any] | None = None) -> httpx.Response:
        json = body.to_body() if isinstance(body, StarwebModel) else body
        try:
            return await self._http.request(method, path, endpoint=endpoint, params=params, json=json)
        except AuthenticationFailed as exc:
            if exc.status != 403 or exc.endpoint != endpoint:  # a refused token fetch stays a login problem
                raise
            # Starweb answers 403 to forbidden changes (standard or in-use order statuses), not to bad logins.
            raise RefusedByVendor(f"Starweb forbids this change: {exc.vendor_message or 'forbidden'}",
                                  vendor=VENDOR, status=403, endpoint=endpoint,
                                  vendor_message=exc.vendor_message) from exc

    async def _one(self, method: str, path: str, endpoint: str, model: type[T], **kwargs: Any) -> T:
        return parse_data(await self._send(method, path, endpoint, **kwargs), model, endpoint)

    async def _many(self, path: str, endpoint: str, model: type[T], **kwargs: Any) -> list[T]:
        return parse_list(await self._send("GET", path, endpoint, **kwargs), model, endpoint)

    # Orders --------------------------------------------------------------------------------------

    async def list_orders_page(
        self, page: int = 1, *, status_id: int | None = None, created_after: datetime | None = None,
        created_before: datetime | None = None, sort_by: OrderSort = "orderId",
        sort_order: Literal["ASC", "DESC"] = "DESC", include: Sequence[str] = ORDER_INCLUDES,
        include_non_complete_payments: bool = False, filter_query: str | None = None,
        shipping_method_id: int | None = None, payment_method_id: int | None = None,
    ) -> Page[Order]:
        """One page (100 orders) of ``GET /orders``. There is no ``updatedSince`` for orders: sort by
        ``modifiedAt`` DESC and stop at a high-water mark, or filter by one status at a time."""
        params = _without_none({
            "page": page, "sortBy": sort_by, "sortOrder": sort_order, "include": _include(include),
            "statusFilter": status_id,
            "ordersCreatedAfter": iso8601(created_after) if created_after else None,
            # Starweb keeps whole seconds: rounding down would miss orders of the bound's own second.
            "ordersCreatedBefore": iso8601(created_before, round_up=True) if created_before else None,
            # Starweb hides orders whose payment step is unfinished unless asked.
            "includeNonCompletePayments": "true" if include_non_complete_payments else None,
            "filterQuery": filter_query, "filterShippingMethodId": shipping_method_id,
            "filterPaymentMethodId": payment_method_id,
        })
        endpoint = "GET /orders"
        # Read record by record when one order breaks the model, so one bad order never hides the others.
        return parse_page(await self._send("GET", "/orders", endpoint, params=params), Order, endpoint, page,
                          id_field="orderId")

    def iter_orders(self, *, on_unreadable: Callable[[UnreadableRecord], None] | None = None,
                    **filters: Unpack[OrderFilters]) -> AsyncIterator[Order]:
        """Every order matching ``filters`` (as for ``list_orders_page``), page by page, each once. An order
        whose body breaks the model goes to ``on_unreadable`` (by its id), or stops the walk without one."""
        return iter_pages(lambda page: self.list_orders_page(page, **filters), endpoint="GET /orders",
                          key=lambda order: order.order_id, on_unreadable=on_unreadable)

    async def get_order(self, order_id: int, include: Sequence[str] = (*ORDER_INCLUDES, "status")) -> Order:
        params = _without_none({"include": _include(include)})
        return await self._one("GET", f"/orders/{order_id}", "GET /orders/{orderId}", Order, params=params)

    async def create_order(self, order: OrderCreate) -> Order:
        """``POST /orders``. Not resent after an ambiguous timeout: it could create the order twice."""
        return await self._one("POST", "/orders", "POST /orders", Order, body=order)

    async def patch_order(self, order_id: int, patch: OrderPatch) -> Order:
        return await self._one("PATCH", f"/orders/{order_id}", "PATCH /orders/{orderId}", Order, body=patch)

    async def list_order_items(self, order_id: int) -> list[OrderItem]:
        return await self._many(f"/orders/{order_id}/items", "GET /orders/{orderId}/items", OrderItem)

    async def create_order_item(self, order_id: int, item: OrderItemWrite) -> OrderItem:
        return await self._one("POST", f"/orders/{order_id}/items", "POST /orders/{orderId}/items", OrderItem,
                               body=item)

    async def patch_order_item(self, order_id: int, item_id: int, item: OrderItemWrite) -> OrderItem:
        return await self._one("PATCH", f"/orders/{order_id}/items/{item_id}",
                               "PATCH /orders/{orderId}/items/{orderItemId}", OrderItem, body=item)

    async def delete_order_item(self, order_id: int, item_id: int) -> None:
        await self._send("DELETE", f"/orders/{order_id}/items/{item_id}",
                         "DELETE /orders/{orderId}/items/{orderItemId}")

    async def list_order_addresses(self, order_id: int) -> OrderAddresses:
        return await self._one("GET", f"/orders/{order_id}/addresses", "GET /orders/{orderId}/addresses",
                               OrderAddresses)

    async def put_order_address(self, order_id: int, address_type: AddressType | str, address: Address) -> Address:
        slot = AddressType(address_type)
        return await self._one("PUT", f"/orders/{order_id}/addresses/{slot}",
                               "PUT /orders/{orderId}/addresses/{addressType}", Address, body=address)

    async def list_order_comments(self, order_id: int) -> list[OrderComment]:
        return await self._many(f"/orders/{order_id}/comments", "GET /orders/{orderId}/comments", OrderComment)

    async def create_order_comment(self, order_id: int, text: str) -> OrderComment:
        return await self._one("POST", f"/orders/{order_id}/comments", "POST /orders/{orderId}/comments",
                               OrderComment, body={"text": text})

    # Products and variants -----------------------------------------------------------------------

    async def list_products_page(self, page: int = 1, *, updated_since: datetime | None = None,
                                 include: Sequence[str] = PRODUCT_INCLUDES,
                                 filter_sku: str | None = None) -> Page[Product]:
        """One page of ``GET /products`` in ``productId`` order; ``filter_sku`` finds a product by a SKU."""
        params = _without_none({
            "page": page, "include": _include(include), "filterSku": filter_sku,
            "updatedSince": iso8601(updated_since) if updated_since else None,
        })
        endpoint = "GET /products"
        return parse_page(await self._send("GET", "/products", endpoint, params=params), Product, endpoint, page)

    def iter_products(self, *, updated_since: datetime | None = None, include: Sequence[str] = PRODUCT_INCLUDES,
                      filter_sku: str | None = None) -> AsyncIterator[Product]:
        return iter_pages(lambda page: self.list_products_page(page, updated_since=updated_since, include=include,
                                                               filter_sku=filter_sku),
                          endpoint="GET /products", key=lambda product: product.product_id)

    async def get_product(self, product_id: int, include: Sequence[str] = PRODUCT_INCLUDES) -> Product:
        params = _without_none({"include": _include(include)})
        return await self._one("GET", f"/products/{product_id}", "GET /products/{productId}", Product,
                               params=params)

    async def create_product(self, product: ProductCreate) -> Product:
        return await self._one("POST", "/products", "POST /products", Product, body=product)

    async def patch_product(self, product_id: int, patch: ProductPatch) -> Product:
        return await self._one("PATCH", f"/products/{product_id}", "PATCH /products/{productId}", Product,
                               body=patch)

    async def delete_product(self, product_id: int) -> None:
        await self._send("DELETE", f"/products/{product_id}", "DELETE /products/{productId}")

    async def list_variants_page(self, product_id: int, page: int = 1) -> Page[Variant]:
        endpoint = "GET /products/{productId}/variants"
        response = await self._send("GET", f"/products/{product_id}/variants", endpoint, params={"page": page})
        return parse_page(response, Variant, endpoint, page)

    def iter_variants(self, product_id: int) -> AsyncIterator[Variant]:
        return iter_pages(lambda page: self.list_variants_page(product_id, page),
                          endpoint="GET /products/{productId}/variants", key=lambda variant: variant.variant_id)

    async def get_variant(self, product_id: int, variant_id: int) -> Variant:
        return await self._one("GET", f"/products/{product_id}/variants/{variant_id}",
                               "GET /products/{productId}/variants/{variantId}", Variant)

    async def create_variant(self, product_id: int, variant: VariantWrite) -> Variant:
        return await self._one("POST", f"/products/{product_id}/variants", "POST /products/{productId}/variants",
                               Variant, body=variant)

    async def patch_variant(self, product_id: int, variant_id: int, patch: VariantPatch) -> Variant:
        return await self._one("PATCH", f"/products/{product_id}/variants/{variant_id}",
                               "PATCH /products/{productId}/variants/{variantId}", Variant, body=patch)

    async def delete_variant(self, product_id: int, variant_id: int) -> None:
        await self._send("DELETE", f"/products/{product_id}/variants/{variant_id}",
                         "DELETE /products/{productId}/variants/{variantId}")

    # Shop set-up ---------------------------------------------------------------------------------

    async def list_order_statuses(self) -> list[OrderStatus]:
        return await self._many("/order-statuses", "GET /order-statuses", OrderStatus)

    async def list_shipping_methods(self) -> list[ShippingMethod]:
        return await self._many("/shipping-methods", "GET /shipping-methods", ShippingMethod)

    async def list_shipping_tracking_types(self) -> list[ShippingTrackingType]:
        return await self._many("/shipping-tracking-types", "GET /shipping-tracking-types", ShippingTrackingType)

    async def list_payment_methods(self) -> list[PaymentMethod]:
        return await self._many("/payment-methods", "GET /payment-methods", PaymentMethod)

    async def get_shop(self) -> Shop:
        """``GET /shop``: cheap, so it doubles as the connection and credentials check."""
        return await self._one("GET", "/shop", "GET /shop", Shop)

    async def server_time(self) -> datetime | None:
        """Starweb's clock: the ``Date`` header of a ``GET /shop`` (None if the answer has none)."""
        return server_date(await self._send("GET", "/shop", "GET /shop"))

    async def list_web_hooks(self) -> list[WebHook]:
        return await self._many("/web-hooks", "GET /web-hooks", WebHook)

    async def create_web_hook(self, web_hook: WebHookWrite) -> WebHook:
        return await self._one("POST", "/web-hooks", "POST /web-hooks", WebHook, body=web_hook)

    async def get_web_hook(self, web_hook_id: int) -> WebHook:
        return await self._one("GET", f"/web-hooks/{web_hook_id}", "GET /web-hooks/{webHookId}", WebHook)

    async def patch_web_hook(self, web_hook_id: int, web_hook: WebHookWrite) -> WebHook:
        return await self._one("PATCH", f"/web-hooks/{web_hook_id}", "PATCH /web-hooks/{webHookId}", WebHook,
                               body=web_hook)

    async def delete_web_hook(self, web_hook_id: int) -> None:
        await self._send("DELETE", f"/web-hooks/{web_hook_id}", "DELETE /web-hooks/{webHookId}")
