"""The call log: calls per endpoint, and the seconds the simulator took to answer them."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from fastapi.testclient import TestClient

from integrations.simulation.call_log import CallLog, CallLogMiddleware, call_log_router


def a_vendor_with_a_slow_write(seconds: float) -> FastAPI:
    app = FastAPI()

    @app.put("/orders/{order_id}")
    async def put_order(order_id: int) -> dict[str, int]:
        await asyncio.sleep(seconds)
        return {"orderId": order_id}

    @app.get("/orders")
    async def list_orders(page: int = 1, orderNumber: str = "") -> list[int]:
        return []

    log = CallLog()
    app.include_router(call_log_router(log))
    app.add_middleware(CallLogMiddleware, log=log)
    return app


def test_calls_are_counted_per_endpoint_with_the_seconds_spent_answering_them() -> None:
    with TestClient(a_vendor_with_a_slow_write(0.05)) as client:
        for order_id in (1, 2):
            client.put(f"/orders/{order_id}").raise_for_status()
        client.get("/orders", params={"page": 2, "orderNumber": "X"}).raise_for_status()
        answer = client.get("/_sim/calls").json()

        assert answer["calls"] == {"GET /orders?orderNumber": 1, "PUT /orders/{order_id}": 2}
        assert answer["total"] == 3
        assert answer["seconds"]["PUT /orders/{order_id}"] >= 0.1  # two writes of at least 50 ms each
        assert answer["seconds"]["GET /orders?orderNumber"] < answer["seconds"]["PUT /orders/{order_id}"]

        assert client.delete("/_sim/calls").json() == {"calls": {}, "total": 0, "seconds": {}}
        assert client.get("/_sim/calls").json()["seconds"] == {}
