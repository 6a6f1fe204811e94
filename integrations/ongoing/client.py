"""Async client for Ongoing WMS's Goods Owner REST API v1 (model v57), for one goods owner.

Every call goes through ``VendorHttp`` (retries, Retry-After, circuit breaker, error translation),
with HTTP Basic auth. Ongoing processes writes for a goods owner one at a time and times out
parallel ones, so every write waits for the goods owner's turn (``write_turns``: a lock in the running
event loop, then the caller's ``write_slot``, shared by every process), once per write or once for a
``write_series``; reads run freely. Every request, read or write, first passes the caller's ``throttle``
(the merchant's request budget). Each 2xx body is validated into a model at this edge
(``wire``), and collections are walked with Ongoing's id cursors (``pagination``). A refused login is
explained: a second, goods-owner-free request tells bad credentials from a wrong goods owner id.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import date, datetime
from typing import Any, Self

import httpx
from pydantic import BaseModel, Field, SecretStr, field_validator

from integrations.breaker import BreakerStore
from integrations.errors import AuthenticationFailed, ConnectorError, GoodsOwnerNotAccessible
from integrations.http import CircuitBreaker, RetryPolicy, Throttle, VendorHttp, server_date, shared_breaker
from integrations.ongoing.models import (
    Article,
    ArticleWrite,
    ArticleWriteResponse,
    OngoingWrite,
    Order,
    OrderStatus,
    OrderStatuses,
    OrderWrite,
    OrderWriteResponse,
    PatchResponse,
    PurchaseOrder,
    PurchaseOrderPatchResponse,
    PurchaseOrderWrite,
    PurchaseOrderWriteResponse,
    ReturnCause,
    ReturnCauses,
    ReturnOrder,
    ReturnOrderWrite,
    ReturnOrderWriteResponse,
    TransporterContract,
)
from integrations.ongoing.pagination import (
    ARTICLE_CURSOR,
    ORDER_CURSOR,
    PURCHASE_ORDER_CURSOR,
    IdCursor,
    iter_by_id_cursor,
)
from integrations.ongoing.wire import (
    VENDOR,
    Model,
    QueryValue,
    build_query,
    newest_match,
    ongoing_message,
    parse_body,
    parse_list,
    parse_write_response,
)
from integrations.ongoing.write_turns import WriteSeries, WriteSlot, take_turn_and_write, write_series

log = logging.getLogger(__name__)

# Ongoing locks an API user out after about 5 failed calls in 10 minutes: open the breaker at 3 and pause
# for the whole window, so one failed trial call is all a down Ongoing sees in the next 10 minutes
# (``pause_seconds`` sets another window, e.g. a simulator's compressed one).
FAILURE_THRESHOLD = 3
PAUSE_SECONDS = 600.0
# A goods-owner-free request (the status table takes no goodsOwnerId) tells whose refusal it was.
_CREDENTIALS_PROBE = "/orders/statuses"


class OngoingSettings(BaseModel):
    """Where the warehouse's API lives and the API user's credentials for one goods owner."""

    base_url: str = Field(description="e.g. https://api.ongoingsystems.se/{warehouse}/api/v1")
    username: str = Field(min_length=1)
    password: SecretStr
    goods_owner_id: int = Field(gt=0)

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


class OngoingClient:
    """One goods owner's view of an Ongoing warehouse. Use as ``async with OngoingClient(settings) as c``."""

    def __init__(
        self,
        settings: OngoingSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        policy: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        breaker_store: BreakerStore | None = None,
        write_slot: WriteSlot | None = None,
        pause_seconds: float = PAUSE_SECONDS,
        throttle: Throttle | None = None,
    ) -> None:
        self.settings = settings
        breaker = breaker or shared_breaker(VENDOR, settings.base_url, settings.username,
                                            failure_threshold=FAILURE_THRESHOLD, reset_after=pause_seconds,
                                            store=breaker_store)
        self._write_slot: WriteSlot = write_slot or nullcontext
        self._refusal_explained: tuple[type[AuthenticationFailed], str] | None = None
        self._http = VendorHttp(
            VENDOR,
            settings.base_url,
            message_of=ongoing_message,
            auth=httpx.BasicAuth(settings.username, settings.password.get_secret_value()),
            transport=transport,
            timeout=timeout,
            policy=policy,
            breaker=breaker,
            explain=self._explain,
            throttle=throttle,
        )

    @property
    def goods_owner_id(self) -> int:
        return self.settings.goods_owner_id

    @property
    def breaker(self) -> CircuitBreaker:
        return self._http.breaker

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- articles --------------------------------------------------------------------------------

    async def put_article(self, article: ArticleWrite) -> ArticleWriteResponse:
        """Create or update an article (keyed by article number)."""
        response = await self._write("PUT", "/articles", "PUT /articles", self._body(article))
        return parse_write_response(response, ArticleWriteResponse, "articleSystemId", "PUT /articles")

    async def iter_articles(
        self,
        *,
        article_numbers: Sequence[str] | None = None,
        stock_info_changed_from: datetime | None = None,
        article_data_last_updated_from: datetime | None = None,
        page_size: int = 500,
    ) -> AsyncIterator[Article]:
        """Every matching article. Ongoing refuses a ``stock_info_changed_from`` older than 24 hours."""
        filters = self._query(
            articleNumbers=article_numbers,
            stockInfoChangedFrom=stock_info_changed_from,
            articleDataLastUpdatedFrom=article_data_last_updated_from,
        )
        async for article in self._paged("/articles", Article, filters, ARTICLE_CURSOR, page_size,
                                         lambda a: a.article_system_id):
            yield article

    async def get_article(self, article_system_id: int) -> Article:
        endpoint = "GET /articles/{articleSystemId}"
        response = await self._get(f"/articles/{article_system_id}", endpoint)
        return parse_body(response, Article, endpoint)

    # --- orders ----------------------------------------------------------------------------------

    async def put_order(self, order: OrderWrite) -> OrderWriteResponse:
        """Create or update an order (keyed by order number); ``created`` tells which happened."""
        endpoint = "PUT /orders"
        response = await self._write("PUT", "/orders", endpoint, self._body(order))
        result = parse_write_response(response, OrderWriteResponse, "orderId", endpoint,
                                      created=response.status_code == httpx.codes.CREATED)
        log.debug("ongoing order %s stored as orderId %s (created=%s)", order.order_number, result.order_id,
                  result.created)
        return result

    async def iter_orders(
        self,
        *,
        order_numbers: Sequence[str] | None = None,
        order_status_from: int | None = None,
        order_status_to: int | None = None,
        order_status_changed_time_from: datetime | None = None,
        order_created_time_from: datetime | None = None,
        order_created_time_to: datetime | None = None,
        shipped_time_from: datetime | None = None,
        last_returned_from: datetime | None = None,
        only_orders_with_order_lines_to_report: bool | None = None,
        only_orders_with_order_lines_to_report_returned: bool | None = None,
        page_size: int = 200,
    ) -> AsyncIterator[Order]:
        """Every matching order, in ascending orderId order."""
        filters = self._query(
            orderNumbers=order_numbers,
            orderStatusFrom=order_status_from,
            orderStatusTo=order_status_to,
            orderStatusChangedTimeFrom=order_status_changed_time_from,
            orderCreatedTimeFrom=order_created_time_from,
            orderCreatedTimeTo=order_created_time_to,
            shippedTimeFrom=shipped_time_from,
            lastReturnedFrom=last_returned_from,
            onlyOrdersWithOrderLinesToReport=only_orders_with_order_lines_to_report,
            onlyOrdersWithOrderLinesToReportReturned=only_orders_with_order_lines_to_report_returned,
        )
        async for order in self._paged("/orders", Order, filters, ORDER_CURSOR, page_size, lambda o: o.order_id):
            yield order

    async def get_order(self, order_id: int) -> Order:
        endpoint = "GET /orders/{orderId}"
        response = await self._get(f"/orders/{order_id}", endpoint)
        return parse_body(response, Order, endpoint)

    async def find_order_by_number(self, order_number: str) -> Order | None:
        """The order with this number, or None. Ongoing answers this lookup with a list."""
        orders = await self._get_list("/orders", Order, self._query(orderNumber=order_number))
        return newest_match(orders, order_number, lambda o: o.order_number, lambda o: o.order_id)

    async def patch_order_status(self, order_id: int, status_number: int) -> PatchResponse:
        """Move an order to another status; Ongoing may refuse once goods are allocated."""
        return await self._patch(PatchResponse, f"/orders/{order_id}/orderStatus",
                                 "PATCH /orders/{orderId}/orderStatus", {"orderStatusNumber": status_number})

    async def cancel_order(self, order_id: int) -> PatchResponse:
        """Cancel an order; only possible before the warehouse starts working on it."""
        endpoint = "DELETE /orders/{orderId}"
        response = await self._write("DELETE", f"/orders/{order_id}", endpoint)
        return parse_body(response, PatchResponse, endpoint)

    async def patch_order_line_reported_number_of_items(
        self, order_id: int, order_line_id: int, reported_number_of_items: float
    ) -> PatchResponse:
        """Acknowledge how many picked units of one line we have reported onwards."""
        return await self._patch(PatchResponse, f"/orders/{order_id}/lines/{order_line_id}/reportedNumberOfItems",
                                 "PATCH /orders/{orderId}/lines/{orderLineId}/reportedNumberOfItems",
                                 {"reportedNumberOfItems": reported_number_of_items})

    async def set_reported_to_picked(self, order_id: int) -> PatchResponse:
        """Acknowledge every line's picked units at once."""
        return await self._patch(PatchResponse, f"/orders/{order_id}/setReportedNumberOfItemsToPickedNumberOfItems",
                                 "PATCH /orders/{orderId}/setReportedNumberOfItemsToPickedNumberOfItems")

    async def patch_order_line_reported_returned_number_of_items(
        self, order_id: int, order_line_id: int, reported_returned_number_of_items: float
    ) -> PatchResponse:
        """Acknowledge how many returned units of one line we have reported onwards."""
        return await self._patch(
            PatchResponse, f"/orders/{order_id}/lines/{order_line_id}/reportedReturnedNumberOfItems",
            "PATCH /orders/{orderId}/lines/{orderLineId}/reportedReturnedNumberOfItems",
            {"reportedReturnedNumberOfItems": reported_returned_number_of_items},
        )

    async def list_order_statuses(self) -> list[OrderStatus]:
        """The warehouse's order-status table (numbers are customisable, texts localised)."""
        endpoint = "GET /orders/statuses"
        response = await self._get("/orders/statuses", endpoint, self._query())
        return parse_body(response, OrderStatuses, endpoint).order_statuses

    # --- purchase orders -------------------------------------------------------------------------

    async def put_purchase_order(self, purchase_order: PurchaseOrderWrite) -> PurchaseOrderWriteResponse:
        """Create or update a purchase order (keyed by purchase order number)."""
        endpoint = "PUT /purchaseOrders"
        response = await self._write("PUT", "/purchaseOrders", endpoint, self._body(purchase_order))
        return parse_write_response(response, PurchaseOrderWriteResponse, "purchaseOrderId", endpoint)

    async def iter_purchase_orders(
        self,
        *,
        purchase_order_numbers: Sequence[str] | None = None,
        status_changed_time_from: datetime | None = None,
        last_receive_time_from: datetime | None = None,
        only_with_lines_to_report: bool | None = None,
        page_size: int = 200,
    ) -> AsyncIterator[PurchaseOrder]:
        """Every matching purchase order, in ascending purchaseOrderId order. ``only_with_lines_to_report``
        selects those with a line whose reported quantity differs from the received one."""
        filters = self._query(
            purchaseOrderNumbers=purchase_order_numbers,
            purchaseOrderStatusChangedTimeFrom=status_changed_time_from,
            lastReceiveTimeFrom=last_receive_time_from,
            onlyPurchaseOrdersWithOrderLinesToReport=only_with_lines_to_report,
        )
        async for purchase_order in self._paged("/purchaseOrders", PurchaseOrder, filters, PURCHASE_ORDER_CURSOR,
                                                page_size, lambda p: p.purchase_order_id):
            yield purchase_order

    async def get_purchase_order(self, purchase_order_id: int) -> PurchaseOrder:
        endpoint = "GET /purchaseOrders/{purchaseOrderId}"
        response = await self._get(f"/purchaseOrders/{purchase_order_id}", endpoint)
        return parse_body(response, PurchaseOrder, endpoint)

    async def find_purchase_order_by_number(self, purchase_order_number: str) -> PurchaseOrder | None:
        found = await self._get_list("/purchaseOrders", PurchaseOrder,
                                     self._query(purchaseOrderNumber=purchase_order_number))
        return newest_match(found, purchase_order_number,
                            lambda p: p.purchase_order_info.purchase_order_number, lambda p: p.purchase_order_id)

    async def patch_purchase_order_line_reported_number_of_items(
        self, purchase_order_id: int, purchase_order_line_id: int, reported_number_of_items: float
    ) -> PurchaseOrderPatchResponse:
        """Acknowledge how many received units of one purchase-order line we have reported onwards."""
        return await self._patch(
            PurchaseOrderPatchResponse,
            f"/purchaseOrders/{purchase_order_id}/lines/{purchase_order_line_id}/reportedNumberOfItems",
            "PATCH /purchaseOrders/{purchaseOrderId}/lines/{purchaseOrderLineId}/reportedNumberOfItems",
            {"reportedNumberOfItems": reported_number_of_items},
        )

    async def set_purchase_order_reported_to_received(self, purchase_order_id: int) -> PurchaseOrderPatchResponse:
        """Acknowledge every line's received units at once."""
        return await self._patch(
            PurchaseOrderPatchResponse,
            f"/purchaseOrders/{purchase_order_id}/setReportedNumberOfItemsToReceivedNumberOfItems",
            "PATCH /purchaseOrders/{purchaseOrderId}/setReportedNumberOfItemsToReceivedNumberOfItems",
        )

    # --- returns and registers -------------------------------------------------------------------

    async def put_return_order(self, return_order: ReturnOrderWrite) -> ReturnOrderWriteResponse:
        endpoint = "PUT /returnOrders"
        response = await self._write("PUT", "/returnOrders", endpoint, self._body(return_order))
        return parse_write_response(response, ReturnOrderWriteResponse, "returnOrderId", endpoint)

    async def list_return_orders(
        self,
        *,
        return_order_numbers: Sequence[str] | None = None,
        customer_order_numbers: Sequence[str] | None = None,
        goods_returned_from_date: date | datetime | None = None,
    ) -> list[ReturnOrder]:
        """Matching return orders; Ongoing offers no paging here, so filter narrowly."""
        return await self._get_list("/returnOrders", ReturnOrder, self._query(
            returnOrderNumbers=return_order_numbers,
            customerOrderNumbers=customer_order_numbers,
            goodsReturnedFromDate=goods_returned_from_date,
        ))

    async def get_return_order(self, return_order_id: int) -> ReturnOrder:
        endpoint = "GET /returnOrders/{returnOrderId}"
        response = await self._get(f"/returnOrders/{return_order_id}", endpoint)
        return parse_body(response, ReturnOrder, endpoint)

    async def list_return_causes(self) -> list[ReturnCause]:
        endpoint = "GET /returnOrders/returnCauses"
        response = await self._get("/returnOrders/returnCauses", endpoint, self._query())
        return parse_body(response, ReturnCauses, endpoint).return_causes

    async def list_transporter_contracts(self) -> list[TransporterContract]:
        return await self._get_list("/transporterContracts", TransporterContract, self._query())

    async def server_time(self) -> datetime | None:
        """Ongoing's clock: the ``Date`` header of a ``GET /orders/statuses`` (None if the answer has none)."""
        return server_date(await self._get("/orders/statuses", "GET /orders/statuses", self._query()))

    # --- plumbing --------------------------------------------------------------------------------

    def _query(self, **filters: QueryValue) -> list[tuple[str, str]]:
        return build_query(self.goods_owner_id, **filters)

    def _body(self, write: OngoingWrite) -> dict[str, Any]:
        owner = getattr(write, "goods_owner_id", None)
        if owner is not None and owner != self.goods_owner_id:
            raise ValueError(f"{type(write).__name__} is for goods owner {owner}, "
                             f"but this client serves goods owner {self.goods_owner_id}")
        return {**write.to_wire(), "goodsOwnerId": self.goods_owner_id}

    def write_series(self, *, hold_writes: float = float("inf"), hold_seconds: float = float("inf"),
                     clock: Callable[[], float] = time.monotonic) -> AbstractAsyncContextManager[WriteSeries]:
        """Take the goods owner's write turn once for the writes inside (at the first one), not per write:
        ``async with warehouse.write_series(): ...``; a long series passes the turn on every ``hold_writes``
        writes or ``hold_seconds``."""
        return write_series(self.settings.base_url, self.goods_owner_id, hold_writes=hold_writes,
                            hold_seconds=hold_seconds, clock=clock)

    async def _write(self, method: str, path: str, endpoint: str, body: Any = None) -> httpx.Response:
        return await take_turn_and_write(self.settings.base_url, self.goods_owner_id, self._write_slot,
                                         lambda: self._http.request(method, path, endpoint=endpoint, json=body))

    async def _explain(self, refused: ConnectorError) -> ConnectorError:
        """Bad credentials, or a goods owner this API user cannot reach? Ongoing's answer to a request
        without a goods owner tells (asked once per client)."""
        if not isinstance(refused, AuthenticationFailed):
            return refused
        if self._refusal_explained is None:
            user, owner = self.settings.username, self.goods_owner_id
            probe = await self._http.probe("GET", _CREDENTIALS_PROBE)
            if probe is not None and 200 <= probe < 300:
                self._refusal_explained = (GoodsOwnerNotAccessible, (
                    f"Ongoing accepts API user {user!r} but refuses goods owner {owner}: the goods owner id "
                    "is wrong or not open to this API user (check ongoing.goods_owner_id)"))
            elif probe in (401, 403):
                self._refusal_explained = (AuthenticationFailed, (
                    f"Ongoing refused the credentials of API user {user!r} (wrong user name or password)"))
            else:
                return refused  # no answer to the probe: nothing more to say
        kind, message = self._refusal_explained
        return kind(message, vendor=VENDOR, status=refused.status, endpoint=refused.endpoint,
                    vendor_message=refused.vendor_message)

    async def _patch(self, model: type[Model], path: str, endpoint: str, body: Any = None) -> Model:
        return parse_body(await self._write("PATCH", path, endpoint, body), model, endpoint)

    async def _get(self, path: str, endpoint: str, params: list[tuple[str, str]] | None = None) -> httpx.Response:
        return await self._http.request("GET", path, endpoint=endpoint, params=params)

    async def _get_list(self, path: str, model: type[Model], params: list[tuple[str, str]]) -> list[Model]:
        endpoint = f"GET {path}"
        return parse_list(await self._get(path, endpoint, params), model, endpoint)

    def _paged(self, path: str, model: type[Model], filters: list[tuple[str, str]], cursor: IdCursor,
               page_size: int, id_of: Callable[[Model], int]) -> AsyncIterator[Model]:
        async def fetch_page(from_id: int, size: int) -> list[Model]:
            return await self._get_list(path, model, filters + cursor.params(from_id, size))

        return iter_by_id_cursor(fetch_page, id_of, page_size=page_size, endpoint=f"GET {path}", vendor=VENDOR)
