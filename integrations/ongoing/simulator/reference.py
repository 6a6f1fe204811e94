"""Reference data of the demo warehouse and how it is installed: order statuses, transporter
contracts, return causes and (optionally) the demo catalogue as articles with stock.

Seeding is idempotent: registers are written by their keys, articles are upserted by article number and
get their demo stock only when first created, so re-seeding never clobbers a running scenario. The bulk
seed does the same for a made-up catalogue of any size (``integrations.simulation.bulk_catalogue``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from integrations.ongoing.simulator.articles import save_article_data
from integrations.ongoing.simulator.bodies import ArticleBody
from integrations.ongoing.simulator.state import ORDER_STATUS, RETURN_CAUSE, TRANSPORTER_CONTRACT, SimState
from integrations.ongoing.simulator.statuses import demo_order_statuses
from integrations.simulation.bulk_catalogue import BulkCatalogueBody, bulk_products
from integrations.simulation.demo_data import DEMO_PRODUCTS, DEMO_RETURN_CAUSES, DEMO_TRANSPORTER_CONTRACTS


def install_reference_data(state: SimState) -> None:
    for number, text in demo_order_statuses(state.settings.language).items():
        state.store.put(ORDER_STATUS, number, {"number": number, "text": text})
    for code, name, services in DEMO_TRANSPORTER_CONTRACTS:
        state.store.put(TRANSPORTER_CONTRACT, code, {
            "ediCode": "", "transporterName": name, "transporterCode": code, "transporterServiceCode": "",
            "transporterServices": [{"transporterServiceName": service_name, "transporterServiceCode": service_code}
                                    for service_code, service_name in services]})
    for code, name, is_remove in DEMO_RETURN_CAUSES:
        existing = state.return_cause(code)
        cause_id = existing["id"] if existing else state.new_id(RETURN_CAUSE)
        state.store.put(RETURN_CAUSE, code, {"id": cause_id, "code": code, "name": name, "isRemoveCause": is_remove,
                                             "isChangeCause": False, "isReturnCommentMandatory": False})


def install_demo_articles(state: SimState) -> int:
    """Upsert the demo catalogue; returns how many articles were created."""
    created_count = 0
    for product in DEMO_PRODUCTS:
        for variant in product.variants:
            members = {
                "goodsOwnerId": state.settings.goods_owner_id, "articleNumber": variant.sku,
                "articleName": variant.name, "productCode": variant.mpn, "unitCode": "st", "isStockArticle": True,
                "isActive": True, "weight": variant.weight_kg, "customerPrice": variant.price_ex_vat,
                "barCodeInfo": {"barCode": variant.ean} if variant.ean else None,
                "supplierInfo": {"supplierArticleNumber": variant.mpn} if variant.mpn else None,
            }
            body = ArticleBody.model_validate({key: value for key, value in members.items() if value is not None})
            article, created = save_article_data(state, body, state.article_by_number(variant.sku))
            if created:
                article["physical"] = float(variant.warehouse_stock)
                state.save_article(article)
                created_count += 1
    return created_count


def install_bulk_articles(state: SimState, body: BulkCatalogueBody) -> int:
    """Create the bulk catalogue's articles that are missing, with ``body.stock`` each; returns how many."""
    created_count = 0
    for product in bulk_products(body):
        for variant in product.variants:
            if state.article_by_number(variant.sku) is not None:
                continue
            article_body = ArticleBody.model_validate({
                "goodsOwnerId": state.settings.goods_owner_id, "articleNumber": variant.sku,
                "articleName": f"{product.name} ({variant.sku})", "unitCode": "st", "isStockArticle": True,
                "isActive": True, "weight": variant.weight_kg, "barCodeInfo": {"barCode": variant.ean}})
            article, _ = save_article_data(state, article_body, None)
            article["physical"] = float(body.stock)
            state.save_article(article)
            created_count += 1
    return created_count


def build_router(state: SimState) -> APIRouter:
    router = APIRouter()

    @router.get("/transporterContracts")
    def get_transporter_contracts(goods_owner_id: Annotated[int, Query(alias="goodsOwnerId")]) -> list[dict[str, Any]]:
        state.check_goods_owner(goods_owner_id)
        return state.transporter_contracts()

    return router
