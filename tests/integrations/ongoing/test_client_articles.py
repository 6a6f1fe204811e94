"""The Ongoing client's article calls: what reaches Ongoing and how its answers are read."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
import respx

from integrations.ongoing.client import OngoingClient
from integrations.ongoing.models import ArticleBarCodeInfo, ArticleSupplierInfo, ArticleWrite
from tests.integrations.ongoing.payloads import GOODS_OWNER_ID, article_json


async def test_put_article_sends_v57_body_with_our_goods_owner_and_basic_auth(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.put("/articles").respond(
        200, json={"articleSystemId": 18068, "message": "Article SOCK-MER-38 Updated/Created"})
    article = ArticleWrite(
        article_number="SOCK-MER-38", article_name="Ullstrumpa Merino 36-38", unit_code="St", weight=0.08,
        bar_code_info=ArticleBarCodeInfo(bar_code="7350001000036"),
        supplier_info=ArticleSupplierInfo(supplier_article_number="MER-S", supplier_number="SUP1"),
        purchase_currency_code="SEK", is_active=True,
    )

    result = await ongoing.put_article(article)

    assert (result.article_system_id, result.message) == (18068, "Article SOCK-MER-38 Updated/Created")
    request = route.calls.last.request
    expected_auth = "Basic " + base64.b64encode(b"WSI-fjallbutiken:s3cret-pass").decode()
    assert request.headers["Authorization"] == expected_auth
    assert json.loads(request.content) == {
        "goodsOwnerId": GOODS_OWNER_ID, "articleNumber": "SOCK-MER-38", "articleName": "Ullstrumpa Merino 36-38",
        "unitCode": "St", "isActive": True, "weight": 0.08, "purcaseCurrencyCode": "SEK",
        "barCodeInfo": {"barCode": "7350001000036"},
        "supplierInfo": {"supplierArticleNumber": "MER-S", "supplierNumber": "SUP1"},
    }


async def test_put_article_for_another_goods_owner_is_refused_before_sending(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.put("/articles").respond(200, json={"articleSystemId": 1, "message": None})
    with pytest.raises(ValueError, match="goods owner 7"):
        await ongoing.put_article(ArticleWrite(goods_owner_id=7, article_number="X"))
    assert not route.called


async def test_get_article_reads_stock_figures_and_tolerates_nulls(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    ongoing_api.get("/articles/18069").respond(200, json=article_json(18069, "SOCK-MER-38", sellable=9.0))

    article = await ongoing.get_article(18069)

    stock = article.inventory_info
    assert stock is not None
    assert (stock.number_of_items, stock.number_of_booked_items, stock.allocated_number_of_items,
            stock.locked_for_sale_number_of_items, stock.to_receive_number_of_items,
            stock.sellable_number_of_items) == (14.0, 3.0, 1.0, 1.0, 20.0, 9.0)
    assert stock.reported is not None and stock.reported.picked_to_be_reported_number_of_items == 2.0
    assert stock.last_in_date == datetime(2026, 10, 10, 8, 32, 53, 83000, tzinfo=UTC)
    assert article.bar_code_info is not None and article.bar_code_info.bar_code == "7350001000036"
    assert article.supplier_info is not None and article.supplier_info.supplier_article_number == "MER-S"
    assert article.purchase_currency_code == "SEK"
    assert article.description is None and article.length is None


async def test_iter_articles_sends_filters_as_ongoing_expects(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.get("/articles").respond(200, json=[article_json(18001, "A"), article_json(18002, "B")])
    changed_since = datetime(2026, 11, 3, 9, 30, tzinfo=timezone(timedelta(hours=1)))

    found = [a async for a in ongoing.iter_articles(article_numbers=["A", "B"], stock_info_changed_from=changed_since)]

    assert [a.article_number for a in found] == ["A", "B"]
    params = route.calls.last.request.url.params
    assert params["goodsOwnerId"] == str(GOODS_OWNER_ID)
    assert params.get_list("articleNumbers") == ["A", "B"]  # repeated keys, never "A,B"
    assert params["stockInfoChangedFrom"] == "2026-11-03T08:30:00.000+00:00"
    assert (params["articleSystemIdFrom"], params["maxArticlesToGet"]) == ("1", "500")
    assert "articleDataLastUpdatedFrom" not in params


async def test_iter_articles_pages_through_the_catalogue_by_article_system_id(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    pages = {"1": [18001, 18002], "18003": [18003, 18007], "18008": [18010]}

    def answer(request: httpx.Request) -> httpx.Response:
        ids = pages[request.url.params["articleSystemIdFrom"]]
        return httpx.Response(200, json=[article_json(i, f"SKU-{i}") for i in ids])

    route = ongoing_api.get("/articles").mock(side_effect=answer)

    found = [a.article_system_id async for a in ongoing.iter_articles(page_size=2)]

    assert found == [18001, 18002, 18003, 18007, 18010]
    assert [c.request.url.params["articleSystemIdFrom"] for c in route.calls] == ["1", "18003", "18008"]
    assert {c.request.url.params["maxArticlesToGet"] for c in route.calls} == {"2"}


async def test_naive_datetimes_are_refused_rather_than_guessed(ongoing: OngoingClient) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        async for _ in ongoing.iter_articles(article_data_last_updated_from=datetime(2026, 11, 3, 9, 30)):
            pass
