"""Field lengths in the Ongoing simulator: texts longer than the connector assumes Ongoing takes are
refused the way Ongoing refuses them, naming the field, and nothing is written."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest

from domain.field_limits import ARTICLE_FIELD_LIMITS, ORDER_FIELD_LIMITS
from integrations.errors import RefusedByVendor
from integrations.http import CircuitBreaker, RetryPolicy
from integrations.ongoing.client import OngoingClient, OngoingSettings
from integrations.ongoing.models import ArticleWrite, ConsigneeWrite, OrderLineWrite, OrderWrite
from integrations.ongoing.simulator.field_limits import ARTICLE_LIMITS, ORDER_LIMITS

if TYPE_CHECKING:
    from tests.integrations.ongoing.sim_fixtures import OngoingSim

pytest_plugins = ["tests.integrations.ongoing.sim_fixtures"]


def client_for(sim: OngoingSim) -> OngoingClient:
    settings = OngoingSettings(base_url=sim.api_url, username=sim.settings.username,
                               password=sim.settings.password.get_secret_value(), goods_owner_id=sim.goods_owner_id)
    return OngoingClient(settings, policy=RetryPolicy.no_wait(), breaker=CircuitBreaker())


def order_with_consignee_name(name: str) -> OrderWrite:
    return OrderWrite(
        order_number="FJ-1", delivery_date=date(2026, 12, 1),
        consignee=ConsigneeWrite(customer_number="FJ-1", name=name, address1="Storgatan 1", post_code="11122",
                                 city="Stockholm", country_code="SE"),
        order_lines=[OrderLineWrite(row_number="1", article_number="THERMOS-1L", number_of_items=1)],
    )


def test_the_simulator_enforces_exactly_the_limits_the_connector_assumes() -> None:
    assert (ARTICLE_LIMITS, ORDER_LIMITS) == (dict(ARTICLE_FIELD_LIMITS), dict(ORDER_FIELD_LIMITS))


async def test_a_too_long_consignee_name_is_refused_naming_the_field_and_no_order_is_created(sim: OngoingSim) -> None:
    async with client_for(sim) as ongoing:
        with pytest.raises(RefusedByVendor) as refused:
            await ongoing.put_order(order_with_consignee_name("N" * 101))
        assert refused.value.status == 400
        assert refused.value.vendor_message == (
            "The field ConsigneeName must be a string with a maximum length of 100.")
        assert await ongoing.find_order_by_number("FJ-1") is None


async def test_a_consignee_name_at_the_limit_is_accepted(sim: OngoingSim) -> None:
    async with client_for(sim) as ongoing:
        answer = await ongoing.put_order(order_with_consignee_name("N" * 100))
        stored = await ongoing.get_order(answer.order_id)
    assert stored.consignee is not None and stored.consignee.name == "N" * 100


def test_every_overlong_field_of_an_order_is_named_once(sim: OngoingSim) -> None:
    body = sim.order_body("FJ-1", [("THERMOS-1L", 1), ("TENT-FJ2", 1)])
    body["consignee"]["city"] = "C" * 51
    body["consignee"]["advanced"] = {"emailNotification": {"toBeNotified": True, "value": "e" * 101}}
    for line in body["orderLines"]:
        line["comment"] = "x" * 256
    response = sim.api.put("/orders", json=body)
    assert response.status_code == 400
    assert response.json()["Message"] == (
        "The field ConsigneeCity must be a string with a maximum length of 50. "
        "The field ConsigneeAdvancedEmailNotificationValue must be a string with a maximum length of 100. "
        "The field OrderLinesComment must be a string with a maximum length of 255.")


async def test_a_too_long_article_name_is_refused_and_the_article_is_not_created(sim: OngoingSim) -> None:
    sim.reset(articles=False)
    async with client_for(sim) as ongoing:
        with pytest.raises(RefusedByVendor) as refused:
            await ongoing.put_article(ArticleWrite(article_number="NEW-1", article_name="A" * 101))
        assert refused.value.vendor_message == "The field ArticleName must be a string with a maximum length of 100."
        assert [article async for article in ongoing.iter_articles()] == []
