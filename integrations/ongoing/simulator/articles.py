"""Articles (Ongoing's products): upsert by article number, reads with full ``inventoryInfo``.

``PUT /articles`` creates or updates by ``articleNumber`` within the goods owner; members left out of an
update keep their stored values. There is no DELETE: Ongoing deactivates with ``isActive: false``.
Stock figures are kept by the warehouse (see ``stock``); this module only presents them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from integrations.ongoing.simulator.bodies import ArticleBody
from integrations.ongoing.simulator.errors import bad_request, not_found
from integrations.ongoing.simulator.field_limits import ARTICLE_LIMITS, refuse_overlong
from integrations.ongoing.simulator.selection import Lead, select_by_id, time_lead
from integrations.ongoing.simulator.state import ARTICLE, Doc, SimState
from integrations.ongoing.simulator.timefmt import at_or_after, now_text, older_than

STOCK_INFO_WINDOW = timedelta(hours=24)


def inventory_json(article: Doc) -> dict[str, Any]:
    figures = article.get("inventory") or {}
    data = article["data"]
    value_price = data.get("stockValuationPrice") or data.get("purchasePrice") or 0.0
    return {
        "numberOfItems": figures.get("number_of_items", 0.0),
        "numberOfBookedItems": figures.get("number_of_booked_items", 0.0),
        "numberOfLockedItems": 0.0,
        "toReceiveNumberOfItems": figures.get("to_receive_number_of_items", 0.0),
        "allocatedNumberOfItems": figures.get("allocated_number_of_items", 0.0),
        "lockedForSaleNumberOfItems": figures.get("locked_for_sale_number_of_items", 0.0),
        "pickedToBeCollectedNumberOfItems": figures.get("picked_to_be_collected_number_of_items", 0.0),
        "receivedToBeFinishedNumberOfItems": 0.0,
        "lastInDate": article.get("lastInDate"),
        "sellableNumberOfItems": figures.get("sellable_number_of_items", 0.0),
        "totalStockValue": round(figures.get("number_of_items", 0.0) * value_price, 2),
        "reported": {
            "pickedToBeReportedNumberOfItems": figures.get("picked_to_be_reported_number_of_items", 0.0),
            "returnedToBeReportedNumberOfItems": figures.get("returned_to_be_reported_number_of_items", 0.0),
            "receivedToBeReportedNumberOfItems": figures.get("received_to_be_reported_number_of_items", 0.0),
        },
    }


def _code_name(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return {"code": value.get("code"), "name": value.get("name")} if value else None


def render_article(article: Doc, goods_owner: dict[str, Any]) -> dict[str, Any]:
    """A ``GetArticleModel``: every v57 member present, null where the article has no value."""
    d = article["data"]
    supplier = d.get("supplierInfo") or {}
    barcodes = d.get("barCodeInfo") or {}
    storage = d.get("storageProperties") or {}
    free = {k: v for k, v in (d.get("freeValues") or {}).items() if k != "freeDateTime1"}
    return {
        "goodsOwner": goods_owner,
        "articleSystemId": article["articleSystemId"],
        "articleNumber": article["articleNumber"],
        **{key: d.get(key) for key in ("articleName", "productCode", "unitCode", "description")},
        "isStockArticle": d.get("isStockArticle", True),
        "isActive": d.get("isActive", True),
        "supplierInfo": {"supplierArticleNumber": supplier.get("supplierArticleNumber"),
                         "supplierNumber": supplier.get("supplierNumber"),
                         "supplierName": supplier.get("supplierName"), "alternativeSuppliers": None}
        if supplier else None,
        "barCodeInfo": {"barCode": barcodes.get("barCode"), "barCodePackage": barcodes.get("barCodePackage"),
                        "barCodePallet": barcodes.get("barCodePallet"),
                        "alternativeBarCodes": barcodes.get("alternativeBarCodes")} if barcodes else None,
        **{key: d.get(key) for key in (
            "quantityPerPackage", "quantityPerPallet", "weight", "length", "width", "height", "volume",
            "purchasePrice", "stockValuationPrice", "customerPrice", "purcaseCurrencyCode", "countryOfOriginCode",
            "statisticsNumber")},
        "articleGroup": _code_name(d.get("articleGroup")),
        "articleCategory": _code_name(d.get("articleCategory")),
        "inventoryInfo": inventory_json(article),
        "articleDataLastUpdated": article["articleDataLastUpdated"],
        "articleKind": (d.get("structureDefinition") or {}).get("articleKind"),
        **{key: d.get(key) for key in ("stockLimit", "minimumReorderQuantity", "netWeight")},
        "freeValues": free or None,
        "subQuantityPerItem": d.get("subQuantityPerItem"),
        "classes": None,
        "customsDescription": d.get("customsDescription"),
        "taricNumbersInfo": d.get("taricNumbersInfo"),
        "defaultLocationMaxNumberOfItems": None,
        "defaultLocationStockLimit": None,
        "linkToPicture": d.get("linkToPicture"),
        "storageProperties": {"isObsolete": storage.get("isObsolete", False),
                              "isSerialNumberArticle": storage.get("isSerialNumberArticle", False),
                              "isBatchArticle": storage.get("isBatchArticle", False),
                              "isExpiryDateArticle": storage.get("isExpiryDateArticle", False)},
        "defaultLocation": None,
        "minDaysToExpiryDateAllowedOnDelivery": d.get("minDaysToExpiryDateAllowedOnDelivery"),
        "articleColor": _code_name(d.get("articleColor")),
        "articleSize": _code_name(d.get("articleSize")),
        "additionalStatisticsNumber": d.get("additionalStatisticsNumber"),
        "customsExportConditions": d.get("customsExportConditions"),
        "articleNameTranslations": d.get("articleNameTranslations"),
        "articleHandlingComments": {key: d.get(key) for key in (
            "articleInboundHandlingComment", "articlePickingHandlingComment", "articleReturnHandlingComment")},
        "storageClass": d.get("storageClass"),
    }


def save_article_data(state: SimState, body: ArticleBody, existing: Doc | None) -> tuple[Doc, bool]:
    """Create or update an article from a PUT body; returns the document and whether it is new."""
    sent = body.stored()
    sent.pop("goodsOwnerId", None)
    if existing is None:
        article = {"articleSystemId": state.new_id(ARTICLE), "articleNumber": body.article_number, "data": sent,
                   "articleDataLastUpdated": now_text(), "physical": 0.0, "lastInDate": None, "inventory": None,
                   "stockInfoChanged": now_text()}
        state.save_article(article)
        return article, True
    merged = {**existing["data"], **sent}
    if merged != existing["data"] or body.article_number != existing["articleNumber"]:
        existing.update(data=merged, articleNumber=body.article_number, articleDataLastUpdated=now_text())
        state.save_article(existing)
    return existing, False


def build_router(state: SimState) -> APIRouter:
    router = APIRouter()

    def _write(body: ArticleBody, existing: Doc | None) -> dict[str, Any]:
        refuse_overlong(body.stored(), ARTICLE_LIMITS)
        state.check_goods_owner(body.goods_owner_id)
        with state.write():
            clash = state.article_by_number(body.article_number)
            if existing is not None and clash is not None and clash["articleSystemId"] != existing["articleSystemId"]:
                raise bad_request(f"Another article already has the article number '{body.article_number}'.")
            article, _ = save_article_data(state, body, existing or clash)
        name = article["data"].get("articleName") or ""
        return {"articleSystemId": article["articleSystemId"],
                "message": f"Article {article['articleNumber']} {name} Updated/Created".replace("  ", " ")}

    @router.put("/articles")
    def put_article(body: ArticleBody) -> dict[str, Any]:
        return _write(body, None)

    @router.get("/articles/inventoryPerWarehouse")
    def get_inventory_per_warehouse(
        goods_owner_id: Annotated[int, Query(alias="goodsOwnerId")],
        article_system_id_from: Annotated[int | None, Query(alias="articleSystemIdFrom")] = None,
        max_articles_to_get: Annotated[int | None, Query(alias="maxArticlesToGet")] = None,
        article_numbers: Annotated[list[str] | None, Query(alias="articleNumbers")] = None,
        only_articles_in_stock: Annotated[bool, Query(alias="onlyArticlesInStock")] = False,
        stock_info_changed_from: Annotated[datetime | None, Query(alias="stockInfoChangedFrom")] = None,
    ) -> list[dict[str, Any]]:
        articles = _select(state, goods_owner_id, None, article_numbers, article_system_id_from, max_articles_to_get,
                           stock_info_changed_from, None, only_articles_in_stock)
        result = []
        for article in articles:
            info = inventory_json(article)
            result.append({"articleSystemId": article["articleSystemId"], "articleNumber": article["articleNumber"],
                           "inventoryPerWarehouse": [{
                               "warehouseId": 1, "numberOfItems": info["numberOfItems"], "numberOfLockedItems": 0.0,
                               "sellableNumberOfItems": info["sellableNumberOfItems"],
                               "availableForSaleNumberOfItems": info["sellableNumberOfItems"],
                               "reported": info["reported"],
                               "allocatedNumberOfItems": info["allocatedNumberOfItems"]}]})
        return result

    @router.get("/articles/{article_system_id}")
    def get_article(article_system_id: int) -> dict[str, Any]:
        article = state.article(article_system_id)
        if article is None:
            raise not_found(f"No article with article system ID {article_system_id} was found.")
        return render_article(article, state.goods_owner)

    @router.put("/articles/{article_system_id}")
    def put_article_by_id(article_system_id: int, body: ArticleBody) -> dict[str, Any]:
        existing = state.article(article_system_id)
        if existing is None:
            raise not_found(f"No article with article system ID {article_system_id} was found.")
        return _write(body, existing)

    @router.get("/articles")
    def get_articles(
        goods_owner_id: Annotated[int, Query(alias="goodsOwnerId")],
        article_number: Annotated[str | None, Query(alias="articleNumber")] = None,
        article_numbers: Annotated[list[str] | None, Query(alias="articleNumbers")] = None,
        article_system_id_from: Annotated[int | None, Query(alias="articleSystemIdFrom")] = None,
        max_articles_to_get: Annotated[int | None, Query(alias="maxArticlesToGet")] = None,
        stock_info_changed_from: Annotated[datetime | None, Query(alias="stockInfoChangedFrom")] = None,
        article_data_last_updated_from: Annotated[datetime | None, Query(alias="articleDataLastUpdatedFrom")] = None,
        only_articles_in_stock: Annotated[bool, Query(alias="onlyArticlesInStock")] = False,
    ) -> list[dict[str, Any]]:
        articles = _select(state, goods_owner_id, article_number, article_numbers, article_system_id_from,
                           max_articles_to_get, stock_info_changed_from, article_data_last_updated_from,
                           only_articles_in_stock)
        return [render_article(article, state.goods_owner) for article in articles]

    return router


def _select(state: SimState, goods_owner_id: int, article_number: str | None, article_numbers: list[str] | None,
            id_from: int | None, max_count: int | None, stock_changed_from: datetime | None,
            data_updated_from: datetime | None, only_in_stock: bool) -> list[Doc]:
    state.check_goods_owner(goods_owner_id)
    if stock_changed_from is not None and older_than(stock_changed_from, STOCK_INFO_WINDOW):
        raise bad_request("The parameter stockInfoChangedFrom must be within 24 hours of the current time.")

    def matches(a: Doc) -> bool:
        return ((article_number is None or a["articleNumber"] == article_number)
                and (not article_numbers or a["articleNumber"] in article_numbers)
                and (id_from is None or a["articleSystemId"] >= id_from)
                and at_or_after(a.get("stockInfoChanged"), stock_changed_from)
                and at_or_after(a.get("articleDataLastUpdated"), data_updated_from)
                and (not only_in_stock or (a.get("inventory") or {}).get("number_of_items", 0) > 0))

    leads = (Lead("number", values=[article_number]) if article_number is not None else None,
             Lead("number", values=article_numbers) if article_numbers else None,
             time_lead("stock_changed", stock_changed_from), time_lead("data_updated", data_updated_from))
    return select_by_id(state.store, ARTICLE, leads, matches, id_from=id_from, max_count=max_count)
