"""The Starweb simulator application: vendor routes under ``/api/v2``, admin under ``/_sim``.

Every vendor route but ``/token`` needs a bearer token; the whole vendor surface sits behind the
shared fault injector, whose error bodies are Starweb's ErrorModel. Pointing a client at the real
shop (``https://<shop>.starwebserver.se/api/v2``) is a change of base URL and credentials only.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from integrations.simulation.call_log import CallLog, CallLogMiddleware, call_log_router
from integrations.simulation.date_header import DateHeaderMiddleware
from integrations.simulation.faults import FaultMiddleware, fault_router
from integrations.simulation.store import DocumentStore
from integrations.simulation.webhook_delivery import delivery_router
from integrations.starweb.simulator.admin import admin_router
from integrations.starweb.simulator.auth import bearer_guard, token_router
from integrations.starweb.simulator.errors import FAULT_ERROR_BODIES, install_error_handlers
from integrations.starweb.simulator.order_extras import order_extras_router
from integrations.starweb.simulator.order_items import order_items_router
from integrations.starweb.simulator.orders import orders_router
from integrations.starweb.simulator.products import products_router
from integrations.starweb.simulator.settings import StarwebSimSettings
from integrations.starweb.simulator.shop import shop_router
from integrations.starweb.simulator.state import TOKEN, SimState
from integrations.starweb.simulator.statuses import statuses_router
from integrations.starweb.simulator.variants import variants_router
from integrations.starweb.simulator.web_hooks import web_hooks_router

API_PREFIX = "/api/v2"


def create_app(*, store: DocumentStore | None = None, settings: StarwebSimSettings | None = None) -> FastAPI:
    settings = settings or StarwebSimSettings()
    state = SimState(store=store or DocumentStore(settings.state_path), settings=settings)
    app = FastAPI(title="Starweb Shop API v2 simulator", docs_url="/_sim/docs", redoc_url=None,
                  openapi_url="/_sim/openapi.json")
    install_error_handlers(app)

    guarded = APIRouter(dependencies=[Depends(bearer_guard(state))])
    for router in (orders_router, order_items_router, order_extras_router, statuses_router, products_router,
                   variants_router, shop_router, web_hooks_router):
        guarded.include_router(router(state))
    api = APIRouter(prefix=API_PREFIX)
    api.include_router(token_router(state))
    api.include_router(guarded)
    app.include_router(api)
    app.include_router(admin_router(state))
    app.include_router(fault_router(state.faults))
    app.include_router(delivery_router(state.web_hooks, "/_sim/web-hooks"))
    # An injected invalid_token forgets the token for real, as an expired one is gone at Starweb.
    app.add_middleware(FaultMiddleware, injector=state.faults, error_body=FAULT_ERROR_BODIES,
                       revoke_token=lambda token: state.store.delete(TOKEN, token))
    calls = CallLog()
    app.include_router(call_log_router(calls))
    # Around the fault middleware, so a call a fault answers is counted too (under its raw path).
    app.add_middleware(CallLogMiddleware, log=calls)
    # Outermost, so fault answers are dated too; the shop's clock may be moved from /_sim/clock.
    app.add_middleware(DateHeaderMiddleware, now=state.clock.now)
    app.state.sim = state
    app.state.calls = calls
    return app
