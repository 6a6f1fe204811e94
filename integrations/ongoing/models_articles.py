"""Articles: Ongoing's product master data and the stock figures it reports per article.

``ArticleWrite`` is the body of ``PUT /articles`` (v57 ``PostArticleModel``), an upsert keyed by
``articleNumber`` within the goods owner. ``Article`` is ``GetArticleModel``; its ``inventory_info``
holds the stock figures summed over the goods owner's warehouses, where ``sellable_number_of_items``
is what a web shop may still sell.
"""

from __future__ import annotations

from pydantic import Field

from integrations.ongoing.models_base import CodeName, GoodsOwnerRef, OngoingModel, OngoingTime, OngoingWrite


class ArticleSupplierInfo(OngoingModel):
    supplier_article_number: str | None = None
    supplier_number: str | None = None
    supplier_name: str | None = None


class ArticleBarCodeInfo(OngoingModel):
    """The EAN goes in ``bar_code`` (Ongoing has no top-level barCode member)."""

    bar_code: str | None = None
    bar_code_package: str | None = None
    bar_code_pallet: str | None = None


class ArticleWrite(OngoingWrite):
    """``PUT /articles``. ``goods_owner_id`` may be left out: the client fills in its own."""

    goods_owner_id: int | None = None
    article_number: str = Field(min_length=1)
    article_name: str | None = None
    product_code: str | None = None
    unit_code: str | None = None
    description: str | None = None
    is_stock_article: bool | None = None
    # Ongoing has no DELETE for articles; is_active=False is the API's way to retire one.
    is_active: bool | None = None
    supplier_info: ArticleSupplierInfo | None = None
    bar_code_info: ArticleBarCodeInfo | None = None
    quantity_per_package: int | None = None
    quantity_per_pallet: int | None = None
    weight: float | None = None  # kilograms
    net_weight: float | None = None
    length: float | None = None
    width: float | None = None
    height: float | None = None
    volume: float | None = None
    purchase_price: float | None = None
    stock_valuation_price: float | None = None
    customer_price: float | None = None
    # Spelt this way in Ongoing's model.
    purchase_currency_code: str | None = Field(default=None, alias="purcaseCurrencyCode")
    country_of_origin_code: str | None = None
    statistics_number: str | None = None
    customs_description: str | None = None
    link_to_picture: str | None = None
    article_group: CodeName | None = None
    article_category: CodeName | None = None
    article_color: CodeName | None = None
    article_size: CodeName | None = None


class ArticleWriteResponse(OngoingModel):
    """Ongoing's answer to ``PUT /articles``: the internal id and a human message (may contain ``<br/>``)."""

    article_system_id: int
    message: str | None = None


class ReportedStock(OngoingModel):
    """Movements not yet acknowledged by the goods owner's integration."""

    picked_to_be_reported_number_of_items: float | None = None
    returned_to_be_reported_number_of_items: float | None = None
    received_to_be_reported_number_of_items: float | None = None


class ArticleInventoryInfo(OngoingModel):
    number_of_items: float | None = None  # physically in the warehouse
    number_of_booked_items: float | None = None
    number_of_locked_items: float | None = None
    to_receive_number_of_items: float | None = None
    allocated_number_of_items: float | None = None
    locked_for_sale_number_of_items: float | None = None
    picked_to_be_collected_number_of_items: float | None = None
    received_to_be_finished_number_of_items: float | None = None
    last_in_date: OngoingTime | None = None
    # Physical stock less locks and every open order's unallocated demand.
    sellable_number_of_items: float | None = None
    total_stock_value: float | None = None
    reported: ReportedStock | None = None


class ArticleStorageProperties(OngoingModel):
    is_obsolete: bool | None = None
    is_serial_number_article: bool | None = None
    is_batch_article: bool | None = None
    is_expiry_date_article: bool | None = None


class Article(OngoingModel):
    """``GetArticleModel``. ``GET /articles`` lists the whole catalogue, inactive and non-stock articles too."""

    goods_owner: GoodsOwnerRef | None = None
    article_system_id: int
    article_number: str
    article_name: str | None = None
    product_code: str | None = None
    unit_code: str | None = None
    description: str | None = None
    is_stock_article: bool | None = None
    is_active: bool | None = None
    article_kind: str | None = None
    supplier_info: ArticleSupplierInfo | None = None
    bar_code_info: ArticleBarCodeInfo | None = None
    quantity_per_package: int | None = None
    quantity_per_pallet: int | None = None
    weight: float | None = None
    net_weight: float | None = None
    length: float | None = None
    width: float | None = None
    height: float | None = None
    volume: float | None = None
    purchase_price: float | None = None
    stock_valuation_price: float | None = None
    customer_price: float | None = None
    purchase_currency_code: str | None = Field(default=None, alias="purcaseCurrencyCode")
    country_of_origin_code: str | None = None
    statistics_number: str | None = None
    inventory_info: ArticleInventoryInfo | None = None
    article_data_last_updated: OngoingTime | None = None
    storage_properties: ArticleStorageProperties | None = None
    link_to_picture: str | None = None
